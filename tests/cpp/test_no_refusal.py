"""No valid C++ is refused (issue #57): every construct a kernel engineer writes is read, or read
as Unknown, never rejected as bad input.

Each kernel of tests/valid_cpp_kernels.py spells one construct beside barriers whose fate is known:
`// GUARD` between ops on overlapping tiles (a real conflict, kept whatever the construct is read
as), `// FREE` between ops on disjoint tiles (the proof may remove it). `ptofix run --pattern auto`
must exit 0, keep every GUARD (with a reason in the report) and change no line but a FREE
barrier's; `ptofix check` must not fail as on bad input; `ptofix run` with no pattern must give the
input back byte for byte. When g++ and pto-isa's checkout are present, g++ must accept each kernel
against pto-isa's host build (the kernels are valid C++, not guesses at it).

Bad input still exits 2 with a `file:line:col: error:` diagnostic (the controls at the end), and
`__has_include` decides an `#if` only when its answer is known: 1 for a header ptofix finds beside
the kernel or on `-I`; a header it does not find may still be in the compiler's own directories,
so that query stays unknown (both groups read) and its barriers are kept.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from valid_cpp_kernels import KERNELS, kernel

from ptofix.cli import main

ROOT = Path(__file__).resolve().parents[2]
# CI lays shared/ beside the clone; $PTOFIX_PTO_ISA names another checkout.
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
GXX = os.environ.get("CXX") or "g++"
# pto-isa's host build (../shared/pto-isa/README.md; as ptofix/perf/build.py compiles it).
GXX_FLAGS = ("-std=c++2b", "-fsyntax-only", "-D__COSTMODEL", "-D__NPU_ARCH__=2201", "-DPTO_COMM_NOT_SUPPORTED",
             "-include", "stdint.h", "-include", "stddef.h", "-w")
NAMES = sorted(KERNELS)


def marked_lines(text: str, mark: str) -> set[int]:
    return {i for i, line in enumerate(text.splitlines(), 1) if mark in line}


def isa_args() -> list[str]:
    return ["--pto-isa", str(PTO_ISA)] if (PTO_ISA / "include" / "pto" / "pto-inst.hpp").is_file() else []


def write_kernel(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k.cpp"
    path.write_bytes(text.encode("utf-8"))
    return path


def run_auto(path: Path, *extra: str) -> tuple[int, str, dict]:
    out, report = path.with_suffix(".out.cpp"), path.with_suffix(".json")
    status = main(["run", "--pattern", "auto", "-q", *isa_args(), *extra, "--report", "json",
                   "--report-file", str(report), str(path), "-o", str(out)])
    if status != 0:
        return status, "", {}
    [entry] = json.loads(report.read_text())["files"]
    return status, out.read_bytes().decode("utf-8"), entry


def decisions_of(entry: dict) -> dict[int, dict]:
    return {d["line"]: d for p in entry.get("passes", []) if p["pass"] == "pipe-v-barrier" for d in p["decisions"]}


@pytest.mark.parametrize("name", NAMES)
def test_auto_reads_the_construct_and_keeps_what_it_may_affect(tmp_path, name, capsys):
    text = KERNELS[name]
    path = write_kernel(tmp_path, text)
    status, output, entry = run_auto(path)
    assert status == 0, capsys.readouterr().err
    guards = marked_lines(text, "// GUARD")
    frees = marked_lines(text, "// FREE")
    assert guards, "the kernel marks no guard"
    before = text.splitlines(keepends=True)
    after = output.splitlines(keepends=True)
    # A removal comments the barrier out on its own line: the lines stay where they were, and
    # only a FREE barrier's line may differ.
    assert len(after) == len(before), output
    changed = {i for i, (old, new) in enumerate(zip(before, after, strict=True), 1) if old != new}
    assert changed <= frees, (sorted(changed - frees), output)
    decisions = decisions_of(entry)
    for line in guards:
        decision = decisions.get(line)
        assert decision is not None, (line, sorted(decisions))
        assert decision["decision"] == "kept" and decision["reason"], decision
    if "unread" in entry:
        # Read as Unknown as a whole: byte-identical, and the note says why.
        assert output == text
        assert "left as it is" in capsys.readouterr().err


@pytest.mark.parametrize("name", NAMES)
def test_check_and_plain_run_do_not_refuse(tmp_path, name, capsys):
    text = KERNELS[name]
    path = write_kernel(tmp_path, text)
    # check: races, unverified functions or a clean pass, never bad input nor an internal error.
    assert main(["check", *isa_args(), str(path)]) in (0, 1, 4), capsys.readouterr().err
    out = tmp_path / "plain.cpp"
    assert main(["run", "-q", str(path), "-o", str(out)]) == 0, capsys.readouterr().err
    assert out.read_bytes() == path.read_bytes()
    # The HTML page draws every kept barrier's hazard, an Unknown op's too.
    page = tmp_path / "page.html"
    assert main(["run", "--pattern", "auto", "-q", "--report", "html", "--report-file", str(page), str(path),
                 "-o", str(tmp_path / "auto.cpp")]) == 0, capsys.readouterr().err
    assert page.read_text().startswith("<!DOCTYPE html>") and "kept" in page.read_text()


def test_unread_file_says_why_on_stderr(tmp_path, capsys):
    path = write_kernel(tmp_path, KERNELS["raw string literal"])
    out = tmp_path / "out.cpp"
    assert main(["run", "--pattern", "auto", str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "raw string literals are not supported" in err and "every barrier kept" in err
    assert out.read_bytes() == path.read_bytes()


@pytest.fixture(scope="session")
def pto_isa_include(tmp_path_factory) -> Path:
    """pto-isa's include/ with its generated formula headers (a copy: the checkout is read-only)."""
    if shutil.which(GXX) is None:
        pytest.skip(f"no C++ compiler ({GXX})")
    if not (PTO_ISA / "include" / "pto" / "pto-inst.hpp").is_file():
        pytest.skip(f"no pto-isa checkout at {PTO_ISA}")
    from ptofix.perf.build import prepare_checkout
    include, _ = prepare_checkout(str(PTO_ISA), tmp_path_factory.mktemp("pto-isa-cache"))
    return include


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_kernel_is_valid_cpp_for_gxx(tmp_path, name, pto_isa_include):
    path = write_kernel(tmp_path, KERNELS[name])
    done = subprocess.run([GXX, *GXX_FLAGS, "-I", str(pto_isa_include), "-I", str(pto_isa_include / "pto/costmodel/stubs"),
                           str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


# -- raw strings and digit separators that derail the scan ---------------------------------------

@pytest.mark.parametrize("literal", [
    'R"d(a " b)d"',              # the inner quote ends a plain literal, the last one opens another
    'R"(x /* y)"',               # a comment opener inside
    'LR"(} {)"',
    'u8R"(")"',
])
def test_raw_string_that_derails_the_scan_is_unknown_not_an_error(tmp_path, literal, capsys):
    text = kernel(f"  auto doc = {literal};\n  (void)doc;\n")
    path = write_kernel(tmp_path, text)
    status, output, entry = run_auto(path)
    assert status == 0, capsys.readouterr().err
    assert output == text and "raw string" in entry["unread"]


def test_unterminated_literal_before_a_raw_string_is_still_an_error(tmp_path, capsys):
    # The scan fails at a quote no raw string led it to: bad input.
    text = 'void f() {\n  const char *s = "open;\n}\nconst char *r = R"(x)";\n'
    path = write_kernel(tmp_path, text)
    assert main(["run", "--pattern", "auto", str(path), "-o", str(tmp_path / "out.cpp")]) == 2
    assert re.search(r"k\.cpp:2:19: error: missing terminating \" character", capsys.readouterr().err)
    assert not (tmp_path / "out.cpp").exists()


# -- bad input stays bad input -------------------------------------------------------------------

BAD_INPUTS = {
    "unbalanced brace": ("void f() {\n  int x = 0;\n", r"k\.cpp:1:10: error: .*never closed"),
    "stray closing brace": ("void f() {\n}\n}\n", r"k\.cpp:3:1: error: "),
    "unterminated comment": ("void f() {\n}\n/* open\n", r"k\.cpp:3:1: error: unterminated comment"),
    "missing terminating quote": ('void f() {\n  const char *s = "open;\n}\n', r"k\.cpp:2:19: error: missing terminating"),
    "missing terminating quote after a closed #if section": (
        '#if 0\n#endif\nvoid f() {\n  const char *s = "open;\n}\n', r"k\.cpp:4:19: error: missing terminating"),
    "redefinition in one #if group": (
        "#ifdef X\nvoid f() {\n}\nvoid f() {\n}\n#endif\n", r"k\.cpp:4:\d+: error: redefinition of 'f'"),
    "redefinition without #if": ("void f() {\n}\nvoid f() {\n}\n", r"k\.cpp:3:\d+: error: redefinition of 'f'"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_still_refused_with_a_located_error(tmp_path, name, capsys):
    text, expected = BAD_INPUTS[name]
    path = write_kernel(tmp_path, text)
    out = tmp_path / "out.cpp"
    assert main(["run", "--pattern", "auto", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(expected, err), err
    assert not out.exists()
    assert main(["check", str(path)]) == 2
    assert re.search(expected, capsys.readouterr().err)


def test_unreadable_file_and_bad_flag_are_refused(tmp_path, capsys):
    assert main(["run", "--pattern", "auto", str(tmp_path / "missing.cpp")]) == 2
    assert "missing.cpp" in capsys.readouterr().err
    path = write_kernel(tmp_path, KERNELS["tabs"])
    assert main(["run", "--pattern", "no-such-pattern", str(path)]) == 2
    assert "error: unknown barrier pattern 'no-such-pattern'" in capsys.readouterr().err


# -- __has_include ------------------------------------------------------------------------------

def has_include_kernel(condition: str) -> str:
    """The barrier after TADD(a) is free when the first group is compiled (TMUL(b), disjoint),
    a conflict when the second is (TMUL(c), overlapping)."""
    return kernel(f"  TADD(a, a, a);\n  pipe_barrier(PIPE_V);  // QUERY\n#if {condition}\n  TMUL(b, b, b);\n"
                  "#else\n  TMUL(c, c, c);\n#endif\n")


def query_decision(tmp_path: Path, condition: str, *extra: str) -> dict:
    text = has_include_kernel(condition)
    path = write_kernel(tmp_path, text)
    status, _, entry = run_auto(path, *extra)
    assert status == 0
    [line] = marked_lines(text, "// QUERY")
    return decisions_of(entry)[line]


@pytest.fixture
def include_dir(tmp_path) -> Path:
    directory = tmp_path / "inc"
    (directory / "sub").mkdir(parents=True)
    (directory / "sub" / "present.h").write_text("// present\n")
    return directory


def test_has_include_of_a_header_on_an_include_directory_is_1(tmp_path, include_dir):
    decision = query_decision(tmp_path, "__has_include(<sub/present.h>)", "-I", str(include_dir))
    assert decision["decision"] == "removed", decision


def test_has_include_of_a_quoted_header_beside_the_kernel_is_1(tmp_path):
    (tmp_path / "beside.h").write_text("// beside\n")
    assert query_decision(tmp_path, '__has_include("beside.h")')["decision"] == "removed"


def test_has_include_of_a_header_on_no_known_path_is_unknown(tmp_path, include_dir):
    # Not found on -I: the compiler's own directories may hold it, so neither group is known
    # compiled; the conflict of the #else group keeps the barrier, and so does its negation.
    for condition in ("__has_include(<sub/absent.h>)", '__has_include("absent.h")', "!__has_include(<sub/absent.h>)"):
        decision = query_decision(tmp_path, condition, "-I", str(include_dir))
        assert decision["decision"] == "kept" and "TMUL write c" in decision["reason"], (condition, decision)


def test_has_include_of_a_header_found_without_its_include_directory_is_unknown(tmp_path, include_dir):
    # The header exists, but not where this run's compiler would look: unknown, kept.
    decision = query_decision(tmp_path, "__has_include(<sub/present.h>)")
    assert decision["decision"] == "kept", decision


def test_has_include_negated_when_found_compiles_the_else_group(tmp_path, include_dir):
    # `!__has_include(found)` is 0: the #else group (the conflict) is the one compiled.
    decision = query_decision(tmp_path, "!__has_include(<sub/present.h>)", "-I", str(include_dir))
    assert decision["decision"] == "kept" and "TMUL write c" in decision["reason"], decision


# -- the same constructs in a header the kernel includes ------------------------------------------

@pytest.mark.parametrize("header", [
    'static const char *doc = R"d(a " b)d";\n',
    "#if 0\nThis isn't compiled.\n#endif\n",
    '#ifdef NOT_DEFINED_ANYWHERE\nconst char *s = "never closed;\n#endif\n',
    "constexpr long kBig = 196'608;\n",
], ids=["derailing raw string", "skipped-group prose", "skipped open string", "digit separator"])
def test_header_ptofix_cannot_read_keeps_the_includers_barriers(tmp_path, header, capsys):
    (tmp_path / "helper.h").write_text(header)
    text = kernel("", before='#include "helper.h"\n')
    path = write_kernel(tmp_path, text)
    status, output, entry = run_auto(path, "-I", str(tmp_path))
    assert status == 0, capsys.readouterr().err
    decisions = decisions_of(entry)
    for line in marked_lines(text, "// GUARD") | marked_lines(text, "// FREE"):
        assert decisions[line]["decision"] == "kept", decisions[line]
        assert "helper.h" in decisions[line]["reason"], decisions[line]
    assert output == text
