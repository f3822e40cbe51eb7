"""Macros of the compiler's command line (`-D NAME[=VALUE]`, `-U NAME`): the analysis takes them as
the file's own, as the compiler does, where no text it reads shows them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_headers import kernel, reasons, run_auto, write

from ptofix.cli import main
from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.command_line import command_line_macros, compiler_macro_flags
from ptofix.source import PtofixError

# A kernel whose barrier the proof removes, with a statement after the window's ops that reads a
# lower-case name nothing in the file or its headers declares.
USES_NAME = "  int64_t v9 = v2 + block_off;\n"


def uses_name(tmp_path: Path, statement: str = USES_NAME) -> Path:
    text = kernel(after="#include <stdint.h>\n").replace("  TADD(v5, v5, v6);\n", "  TADD(v5, v5, v6);\n" + statement)
    return write(tmp_path / "k.cpp", text)


def test_an_undeclared_name_is_trusted_without_d(tmp_path, capsys):
    status, report, _ = run_auto(uses_name(tmp_path), capsys=capsys)
    assert status == 0 and report["removed"] == 1


@pytest.mark.parametrize("options", [("-D", "block_off"), ("-Dblock_off",), ("-D", "block_off=4"),
                                     ("-D", "block_off(x)=x"), ("-U", "block_off", "-D", "block_off")])
def test_a_command_line_macro_keeps_the_barrier_and_is_named(tmp_path, capsys, options):
    status, report, _ = run_auto(uses_name(tmp_path), *options, capsys=capsys)
    assert status == 0 and report["removed"] == 0
    assert "macro 'block_off' may hide a jump (-Dblock_off on the command line)" in reasons(report)


def test_u_cancels_an_earlier_d(tmp_path, capsys):
    status, report, _ = run_auto(uses_name(tmp_path), "-D", "block_off", "-U", "block_off", capsys=capsys)
    assert status == 0 and report["removed"] == 1
    # Another name's -D changes nothing the file spells.
    status, report, _ = run_auto(uses_name(tmp_path), "-D", "other_name=2", capsys=capsys)
    assert status == 0 and report["removed"] == 1


@pytest.mark.parametrize(("options", "reason"), [
    # A macro pto's headers read (pto_words.txt, a reserved name): their code may change.
    (("-D", "__PTO_AUTO__"), "the command line's -D__PTO_AUTO__ defines a macro pto's header may read"),
    (("-U", "__CCE_AICORE__"), "the command line's -U__CCE_AICORE__ undefines a macro pto's header may read"),
    (("-D", "TADD=TSUB"), "the command line's -DTADD defines a macro pto's header may read"),
    # Named like a keyword; a value that may declare anything.
    (("-D", "for=while"), "the command line's -Dfor names a macro like 'for'"),
    (("-D", "block_off=struct S"), "the command line's -Dblock_off pastes tokens, holds a declaration keyword"),
    (("-D", "block_off=}"), "the command line's -Dblock_off pastes tokens"),
])
def test_a_command_line_macro_that_may_change_what_the_model_reads(tmp_path, capsys, options, reason):
    status, report, _ = run_auto(uses_name(tmp_path, ""), *options, capsys=capsys)
    assert status == 0 and report["removed"] == 0 and reason in reasons(report)


@pytest.mark.parametrize("options", [
    ("-D", "__aicore__=[aicore]"),                     # the qualifiers ptoas defines alike
    ("-D_FORTIFY_SOURCE=2", "-DMEMORY_BASE"),          # what pto-isa's build scripts pass
])
def test_macros_that_leave_pto_code_as_it_is(tmp_path, capsys, options):
    status, report, _ = run_auto(uses_name(tmp_path, ""), *options, capsys=capsys)
    assert status == 0 and report["removed"] == 1


@pytest.mark.parametrize("value", ["1x", "", "a-b", "(x)=1"])
def test_a_macro_name_that_is_no_identifier_is_a_usage_error(tmp_path, capsys, value):
    source = uses_name(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["run", f"-D{value}", str(source), "-o", str(tmp_path / "out.cpp")])
    assert stop.value.code == 2
    assert "macro names must be identifiers" in capsys.readouterr().err
    assert not (tmp_path / "out.cpp").exists()


def test_check_names_the_command_line_macro(tmp_path, capsys):
    source = uses_name(tmp_path)
    main(["check", "-D", "block_off", str(source)])
    assert "-Dblock_off on the command line" in capsys.readouterr().err
    main(["check", str(source)])
    assert "-Dblock_off" not in capsys.readouterr().err


def test_opt_takes_the_macros_too(tmp_path, capsys):
    source = uses_name(tmp_path)
    for options, removed in (((), 1), (("-D", "block_off"), 0)):
        out = tmp_path / "out.cpp"
        assert main(["opt", *options, "-p", "pipe-v-barrier{pattern=auto,same-access-chains=1}", str(source), "-o",
                     str(out)]) == 0
        assert out.read_text(encoding="utf-8").count("pipe_barrier(PIPE_V);") == 1 - removed
    capsys.readouterr()


def test_a_cpu_simulator_group_is_read_when_the_command_line_names_the_macro(tmp_path, capsys):
    from test_headers import SIMULATOR_GROUP

    from ptofix.cpp.parser import parse_cpp
    from ptofix.source import SourceText
    group = SIMULATOR_GROUP.replace("{extra}", "constexpr int SINGLE_CACHE_LINE = 0;\n")
    text = kernel(after=group)
    skipped = parse_cpp(SourceText(text, "k.cpp"))
    for flag in ("-D__CPU_SIM", "-U__CPU_SIM"):
        read = parse_cpp(SourceText(text, "k.cpp"), CompileEnvironment(macro_flags=(flag,)))
        assert len(read.globals) > len(skipped.globals), flag
        source = write(tmp_path / "k.cpp", text)
        status, report, _ = run_auto(source, flag, capsys=capsys)
        assert report["removed"] == 0 and f"command line's {flag}" in reasons(report)


SIM_KERNEL_GROUP = "#ifdef with_add\n  TADDS(v5, v5, 1.0f);\n#endif\n"


def test_simulate_evaluates_ifdef_with_the_command_line(tmp_path, capsys):
    original = write(tmp_path / "a.cpp", kernel(extra=SIM_KERNEL_GROUP))
    rewritten = write(tmp_path / "b.cpp", kernel())
    assert main(["simulate", "--seeds", "1", str(original), str(rewritten)]) == 0
    capsys.readouterr()
    assert main(["simulate", "--seeds", "1", "-D", "with_add", str(original), str(rewritten)]) == 1
    assert "difference on seed 1" in capsys.readouterr().out


def test_simulate_names_a_command_line_macro_it_cannot_expand(tmp_path, capsys):
    source = write(tmp_path / "a.cpp", kernel(extra="  int64_t v9 = v2 + block_off;\n"))
    status = main(["simulate", "--seeds", "1", "-D", "block_off=v3 + 1", str(source), str(source)])
    out = capsys.readouterr()
    assert status == 2 and "'block_off' is a macro (-Dblock_off on the command line)" in out.out + out.err


def test_command_line_macros_in_order():
    flags = ("-DA", "-DB=2", "-UA", "-DC(x)=x+1", "-UB", "-DB=3", "-DD")
    defined, undefined = command_line_macros(CompileEnvironment(macro_flags=flags))
    assert defined == {"B": (False, "3"), "C": (True, "x+1"), "D": (False, "1")}
    assert undefined == {"A", "B"}


def test_compiler_macro_flags_of_bisheng_flags():
    flags = ["-O2", "-D", "A=1", "-DB", "-U", "C", "-UD", "--define-macro", "E", "--define-macro=F=2",
             "--undefine-macro=G", "-I", "inc", "-xcce"]
    assert compiler_macro_flags(flags) == ["-DA=1", "-DB", "-UC", "-UD", "-DE", "-DF=2", "-UG"]
    with pytest.raises(PtofixError, match="macro names must be identifiers"):
        compiler_macro_flags(["-D", "1x"])


def test_the_json_report_of_a_kept_barrier_names_the_macro(tmp_path, capsys):
    source = uses_name(tmp_path)
    status = main(["run", "--pattern", "auto", "-D", "block_off", "--report", "json", "--report-file", "-",
                   str(source), "-o", str(tmp_path / "o.cpp")])
    decision = json.loads(capsys.readouterr().out)["files"][0]["passes"][0]["decisions"][0]
    assert status == 0 and decision["decision"] == "kept" and "-Dblock_off" in decision["reason"]


def test_worker_processes_take_the_same_macros(tmp_path):
    import subprocess
    import sys
    files = [write(tmp_path / f"k{i}.cpp", uses_name(tmp_path).read_text(encoding="utf-8")) for i in range(2)]
    for options, kept in (((), False), (("-D", "block_off"), True)):
        out = tmp_path / f"out{len(options)}"
        out.mkdir()
        proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "-j", "2", *options, "--same-access-chains", "--pattern", "auto",
                               *map(str, files), "-o", str(out)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        for path in files:
            assert ("pipe_barrier(PIPE_V);" in (out / path.name).read_text(encoding="utf-8")) == kept, path.name


def test_a_header_writing_a_command_line_macro_at_namespace_scope(tmp_path, capsys):
    # A header's `make_decl(one)` at namespace scope: what a command-line macro of that name expands to there is not known.
    write(tmp_path / "m.h", "make_decl(one)\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "m.h"\n'))
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1
    status, report, _ = run_auto(source, "-D", "make_decl(n)=n", capsys=capsys)
    assert report["removed"] == 0 and "writes 'make_decl' at namespace scope" in reasons(report)


# A group that, when compiled, reads v5 before the barrier the later TADD writes it after: the
# barrier must stay unless the compiler skips that group.
MODE_GROUPS = "#if fast_path == 2\n  int64_t v9 = v2;\n#else\n  TADDS(v6, v5, 1.0f);\n#endif\n"


@pytest.mark.parametrize(("options", "removed"), [
    ((), 0),                            # fast_path unknown: either group may be compiled
    (("-D", "fast_path=2"), 1),              # the #else group is skipped, as the compiler skips it
    (("-Dfast_path=2", "-Ufast_path"), 0),        # fast_path undefined: 0 == 2 is false, the #else group is compiled
    (("-D", "fast_path=3"), 0),
    (("-D", "fast_path=1+1"), 1),
    (("-D", "fast_path"), 0),                # `-Dfast_path` is 1
    (("-D", "fast_path(x)=2"), 0),           # a function-like macro: not evaluated
])
def test_the_analysis_evaluates_an_if_with_the_command_lines_values(tmp_path, capsys, options, removed):
    source = write(tmp_path / "k.cpp", kernel(extra=MODE_GROUPS))
    status, report, _ = run_auto(source, *options, capsys=capsys)
    assert status == 0 and report["removed"] == removed
    if removed:       # the skipped group is left as it is
        assert "  TADDS(v6, v5, 1.0f);\n" in source.with_suffix(".out.cpp").read_text(encoding="utf-8")


def test_a_file_that_defines_the_macro_itself_is_not_decided_by_the_command_line(tmp_path, capsys):
    source = write(tmp_path / "k.cpp", kernel(after="#undef fast_path\n#define fast_path 3\n", extra=MODE_GROUPS))
    assert run_auto(source, "-D", "fast_path=2", capsys=capsys)[1]["removed"] == 0


@pytest.mark.parametrize(("name", "reason"), [
    ("MODE", "may read"),                       # any capitalised name: a standard header may define it
    ("mode", "may read"),                       # a name pto's headers write
    ("isnan", "may read"),                      # a standard header #undefs the library's
    ("PTO_A2A3_GRID_TPOP_HPP", "may read"),     # pto-isa's own macro
    ("_MODE", "may read"),                      # reserved
])
def test_names_a_header_may_change_decide_no_group(tmp_path, capsys, name, reason):
    source = write(tmp_path / "k.cpp", kernel(extra=MODE_GROUPS.replace("fast_path", name)))
    report = run_auto(source, "-D", f"{name}=2", capsys=capsys)[1]
    assert report["removed"] == 0 and reason in reasons(report)


def test_a_read_header_defining_a_deciding_macro_leaves_the_file_unmodelled(tmp_path, capsys):
    write(tmp_path / "m.h", "#undef fast_path\n")
    source = write(tmp_path / "k.cpp", kernel(after='#include "m.h"\n', extra=MODE_GROUPS))
    status, report, _ = run_auto(source, "-D", "fast_path=2", capsys=capsys)
    assert report["removed"] == 0 and "defines or undefines the macro 'fast_path'" in reasons(report)


def test_without_ptos_header_a_standard_headers_name_still_decides_no_group(tmp_path, capsys):
    text = kernel(after="#include <stdint.h>\n", extra=MODE_GROUPS.replace("fast_path", "MODE"))
    source = write(tmp_path / "k.cpp", text.replace('#include "pto/pto-inst.hpp"\n', ""))
    report = run_auto(source, "-D", "MODE=2", capsys=capsys)[1]
    assert report["removed"] == 0 and "-DMODE or -UMODE decides an #if of the file" in reasons(report)
