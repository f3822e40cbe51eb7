import json
import os
import re
import shlex
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared"))
CORPUS = os.path.join(SHARED, "corpus")


# Tests write only under a temporary directory of the run, and so do the ptofix processes they
# start (which inherit the environment): the words of a --pto-isa checkout
# (ptofix/pto/header_words.py) go to $PTOFIX_CACHE_DIR, not the user's ~/.cache/ptofix, and
# bytecode under $PYTHONPYCACHEPREFIX, not into the
# installed package's __pycache__. Set when pytest loads this file, before any test module
# imports ptofix.
_RUN_SCRATCH = tempfile.mkdtemp(prefix="ptofix-tests-")
_SAVED_ENVIRONMENT = {name: os.environ.get(name) for name in ("PTOFIX_CACHE_DIR", "PYTHONPYCACHEPREFIX")}
_SAVED_PREFIX = sys.pycache_prefix
os.environ["PTOFIX_CACHE_DIR"] = os.path.join(_RUN_SCRATCH, "ptofix-cache")
os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = os.path.join(_RUN_SCRATCH, "pycache")
# Hypothesis keeps its examples and the constants it collects in ./.hypothesis (the repository)
# unless told: here, before its first test. (conftest.py itself is compiled before it runs: its
# bytecode goes where PYTHONPYCACHEPREFIX said, which scripts/run_tests.py sets.)
if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(os.path.join(_RUN_SCRATCH, "hypothesis"))


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _SAVED_ENVIRONMENT.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    sys.pycache_prefix = _SAVED_PREFIX
    shutil.rmtree(_RUN_SCRATCH, ignore_errors=True)


@pytest.fixture
def corpus_dir():
    """The corpus directory; the test is skipped when it is absent (and marked ``corpus``)."""
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def reads_the_corpus(item: pytest.Item) -> bool:
    """A test reads the corpus when it takes ``corpus_dir``, or skips without it (a ``skipif`` whose
    reason names the corpus), or says so with ``@pytest.mark.corpus`` (a test that looks its files
    up itself)."""
    if "corpus_dir" in getattr(item, "fixturenames", ()):
        return True
    return any("corpus" in str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skipif"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if reads_the_corpus(item):
            item.add_marker(pytest.mark.corpus)


# ---- `ptofix build` with stand-in tools (tests/prebuild/, tests/test_side_files.py) ----------------
STANDINS = Path(ROOT) / "tests" / "standins"
FA_CPP = Path(ROOT) / "kernels" / "flash_attention" / "fa.cpp"
ENV_KEYS = ("PTOAS", "BISHENG", "PTO_LIB_PATH", "PTOFIX_PATTERN", "FA_REMOVE_VEC_BARRIER_PATTERNS", "FA_REMOVE_VEC_BARRIERS",
            "PTOAS_STANDIN_FAIL", "PTOAS_STANDIN_STDERR", "BISHENG_STANDIN_FAIL", "BISHENG_STANDIN_STDERR",
            "PTOAS_STANDIN_LAX", "BISHENG_STANDIN_PARTIAL",
            "BISHENG_STANDIN_NO_OUTPUT")


def _wrapper(directory: Path, name: str, script: Path) -> Path:
    """An executable named like the real tool that runs the stand-in with this interpreter."""
    path = directory / name
    path.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(script))} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """Stand-in ptoas/bisheng in tmp/bin, a clean environment, and the argv log."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    ptoas = _wrapper(bindir, "ptoas", STANDINS / "ptoas_standin.py")
    bisheng = _wrapper(bindir, "bisheng", STANDINS / "bisheng_standin.py")
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PTOFIX_STANDIN_LOG", str(log))
    monkeypatch.setenv("PTOAS_STANDIN_CPP", str(FA_CPP))
    # PATH without any real ptoas/bisheng: only the stand-in directory and the system basics.
    monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), "/usr/bin", "/bin"]))

    class Tools:
        pass
    t = Tools()
    t.bindir, t.ptoas, t.bisheng, t.log = bindir, ptoas, bisheng, log

    def calls():
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]
    t.calls = calls
    return t


def in_place_gu_barriers(text):
    """Lines of the `pipe_barrier(PIPE_V);` between an in-place TROWEXPANDMUL(o, o, e) and the next
    vector op, a TADD(o, o, pv) (set_flag/wait_flag in between are not vector ops)."""
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"TROWEXPANDMUL\((\w+), (\w+), ", line)
        if not (m and m.group(1) == m.group(2)):
            continue
        rest = [(j, x) for j, x in enumerate(lines[i + 1:i + 8], i + 1) if not x.startswith(("set_flag(", "wait_flag("))]
        if len(rest) >= 2 and rest[0][1] == "pipe_barrier(PIPE_V);" \
                and rest[1][1].startswith(f"TADD({m.group(1)}, {m.group(1)}, "):
            found.append(rest[0][0] + 1)
    return found


def ast_shape(node):
    """Comparable form of a statement AST (type name, fields, exact offsets)."""
    from ptofix.cpp import stmt_parser
    if isinstance(node, stmt_parser.Node):
        return (type(node).__name__, tuple(sorted((k, ast_shape(getattr(node, k))) for k in node._fields)))
    if isinstance(node, list):
        return tuple(ast_shape(x) for x in node)
    return node
