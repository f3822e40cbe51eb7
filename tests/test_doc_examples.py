"""Every shell example of the README, docs/ and kernels/ is run by a test: here, in a directory
holding the shipped flash-attention sample (``fa.cpp``, ``fa.mlir``, ``kernels/*.mlir``) with this
ptofix as ``ptofix`` and ``.venv/bin/ptofix``, or by the test named for it, or it needs what a test
cannot have (a real ptoas, bisheng, CMake, pto-isa's builder), said for each. A new example fails
here until it is run or listed."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "kernels" / "flash_attention"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "kernels").rglob("*.md"))]

# Run here, from the sandbox (the README's lines from a copy of the repository's kernels/ layout):
# the statuses they may end with (1: --check found a change).
RUN_HERE = {
    "ptofix opt -p 'local-slot-num{map=0=2,4=2},pipe-v-barrier{pattern=gu}' fa.cpp": (0,),
    "ptofix opt -p 'canonicalize{target-ptoas=v0.36 to=generic}' fa.mlir": (0,),
    "ptofix opt -p pipe-v-barrier fa.cpp          # no options: no quotes needed": (0,),
    "ptofix canonicalize --target-ptoas v0.36 fa.mlir -o fa.pto": (0,),
    "ptofix canonicalize --target-ptoas newest --to generic fa.mlir": (0,),
    "ptofix canonicalize --target-ptoas v0.36 --check fa.mlir": (1,),
    # (the README's first command: its run, in a venv of this ptofix; the install is what CI does)
    "python3 -m venv .venv && PTOFIX_PURE_PYTHON=1 .venv/bin/pip install -e . && .venv/bin/ptofix run --pattern auto "
    "--report text --diff kernels/flash_attention/fa.cpp": (0,),
    "PTOAS=tests/standins/ptoas_standin.py PTOAS_STANDIN_CPP=kernels/flash_attention/fa.cpp "
    "BISHENG=tests/standins/bisheng_standin.py .venv/bin/ptofix build kernels/flash_attention/fa.mlir "
    "-o /tmp/fa-build": (0,),
}
ELSEWHERE = {
    # the README's test command: what CI (.ci/run) does on every run
    "python3 -m venv .venv && PTOFIX_PURE_PYTHON=1 .venv/bin/pip install -e '.[test]' && .venv/bin/python "
    "scripts/run_tests.py": "CI's own command (.ci/run)",
    ".venv/bin/pip install -e .": "the compiled build: CI installs it (.ci/run)",
    '.venv/bin/python -m pytest -m "not slow and not corpus" tests': "the test suite itself",
    ".venv/bin/python -m pytest tests/cpp/test_barriers.py -q -x": "the test suite itself",
    ".venv/bin/lit -sv lit_tests/pipe-v-barrier": "the lit suite itself (scripts/run_tests.py)",
    ".venv/bin/ruff check ptofix passes scripts tests lit_tests && .venv/bin/mypy ptofix passes":
        "scripts/run_tests.py's static checks",
    "PTOAS=/opt/ptoas/bin/ptoas ptofix canonicalize -i kernels/*.mlir": "needs a real ptoas at that path "
        "(its --version gives the target): tests/ir/test_real_ptoas.py with $PTOAS",
    "PTOAS=/opt/ptoas/bin/ptoas ptofix build kernels/flash_attention/fa.mlir -o build --dry-run":
        "needs a real ptoas (its --version): lit_tests/build/ runs build --dry-run with the stand-in",
    "PTOAS=/path/to/ptoas BISHENG=/path/to/bisheng PTO_LIB_PATH=/path/to/pto-isa bash build.sh":
        "needs ptoas and bisheng: lit_tests/build/pipeline.test with the stand-ins",
    "bash build.sh --dry-run            # print the commands only": "tests/test_fa_readme.py (the dry-run excerpt)",
    "bash build.sh --no-compile         # stop after build_artifacts/fa.fixed.cpp": "needs a real ptoas",
    "cmake -S kernels/flash_attention -B build -G Ninja && PTOAS=/path/to/ptoas BISHENG=/path/to/bisheng ninja -C "
    "build": "needs CMake, Ninja, ptoas and bisheng: tests/prebuild/test_depfile.py builds with the stand-ins",
    "cmake -S kernels/flash_attention -B build -G Ninja -DFA_COMPILE=OFF && PTOAS=/path/to/ptoas ninja -C build   "
    "# no bisheng": "needs CMake, Ninja and ptoas: tests/prebuild/test_depfile.py",
    'python3 "${SCRIPT_DIR}/kernels/fa_builder.py" > "${MLIR_PATH}"': "pto-isa's compile.sh, quoted",
    'ptofix build "${MLIR_PATH}" -o "${ARTIFACT_DIR}"        # + a ptofix.toml next to the IR':
        "pto-isa's compile.sh as it becomes, quoted",
    "ptofix run --pattern gu fa.cpp -o fa.gu.cpp && ptofix run --pattern auto fa.cpp -o fa.auto.cpp":
        "tests/perf/test_perf.py (the FA README's perf lines, perfsim)",
    "ptofix perf fa.cpp fa.gu.cpp fa.auto.cpp --pto-isa $PTO_ISA --arg v7=16": "tests/perf/test_perf.py (perfsim)",
    "ptofix perf fa.cpp fa.auto.cpp --pto-isa $PTO_ISA --arg v7=16 --report html --report-file fa.perf.html":
        "tests/perf/test_perf_page.py (the FA README's page and table lines, perfsim)",
    "python3 ../../scripts/perf_fa.py readme --check": "tests/perf/test_perf_page.py (perfsim); tests/perf/test_perf_fa_table.py",
    "python3 ../../scripts/perf_fa.py measure --pto-isa $PTO_ISA --lengths 1024 --record fa.perf.json":
        "tests/perf/test_perf_page.py (perfsim: S1 = 1024 measured again gives the recorded numbers)",
}
# The dry-run excerpt of the FA README (printed lines, not commands): tests/test_fa_readme.py.
EXCERPTS = ("`--dry-run` on this workload prints",)


def shell_examples() -> list[str]:
    """The command lines of every ```sh block (a line ending in '\\' joined with the next)."""
    found: list[str] = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"(?<=\n)```(?:sh|bash)\n(.*?)```", text, re.S):
            if any(lead in text[max(0, match.start() - 600):match.start()] for lead in EXCERPTS):
                continue
            for line in match.group(1).replace("\\\n", "").splitlines():
                line = " ".join(line.split()) if "  #" not in line else line.strip()
                if line and not line.startswith("#"):
                    found.append(line)
    return found


def test_every_shell_example_is_run_or_says_why_not():
    examples = shell_examples()
    assert examples
    unlisted = [line for line in examples if line not in RUN_HERE and line not in ELSEWHERE]
    assert unlisted == []
    stale = [line for line in [*RUN_HERE, *ELSEWHERE] if line not in examples]
    assert stale == []


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("examples")
    for name in ("fa.cpp", "fa.mlir"):
        shutil.copy(KERNEL / name, root / name)
    (root / "kernels").mkdir()
    shutil.copy(KERNEL / "fa.mlir", root / "kernels" / "fa.mlir")
    shutil.copytree(KERNEL, root / "kernels" / "flash_attention")
    shutil.copytree(REPO / "tests" / "standins", root / "tests" / "standins")
    bindir = root / ".venv" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "ptofix").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m ptofix \"$@\"\n")
    (bindir / "ptofix").chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    for name in ("PTOAS", "BISHENG", "PTO_LIB_PATH", "PTOFIX_PATTERN"):
        env.pop(name, None)
    return root, env


@pytest.mark.parametrize("line", sorted(RUN_HERE))
def test_the_example_runs_as_written(line, sandbox, tmp_path):
    root, env = sandbox
    command = line.replace("/tmp/fa-build", str(tmp_path / "fa-build"))     # (not the machine's /tmp)
    if command.startswith("python3 -m venv "):
        command = command.split(" && ")[-1]         # (the venv is this one: .venv/bin/ptofix)
    done = subprocess.run(["sh", "-c", command], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode in RUN_HERE[line], done.stderr
    assert ": error:" not in done.stderr and "internal error" not in done.stderr
