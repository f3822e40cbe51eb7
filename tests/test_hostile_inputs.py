"""Robustness campaign on what users see, over every command that reads a kernel and the API:
truncated, flipped, oddly encoded and deeply nested inputs, and files that are not files.

Whatever the input, a run must end with a status the command documents, never a traceback or an
internal error; every `file:line:col:` diagnostic about an input points inside it (lines end at
LF, CRLF or a lone CR, as the compiler reads them; columns count characters); an input is never
modified (outputs go elsewhere); exit 2 says `error:`; and a run that writes a result writes the
same bytes twice and a second run of the rewrite changes nothing. Option misuse is
tests/test_hostile_options.py."""
from __future__ import annotations

import contextlib
import io
import os
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptofix import api
from ptofix.cli import main

REPO = Path(__file__).resolve().parents[1]
FA_CPP = (REPO / "kernels" / "flash_attention" / "fa.cpp").read_bytes()
FA_MLIR = (REPO / "kernels" / "flash_attention" / "fa.mlir").read_bytes()
REAL = REPO.parent / "shared" / "corpus" / "real"

REMOVED = b"/* ptofix: removed pipe_barrier(PIPE_V) (auto) */"
DOCUMENTED = frozenset({0, 1, 2, 4})        # README, Exit status (3 is an internal error)
DIAGNOSTIC = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning|note): ", re.M)
LINE_END = re.compile(r"\r\n|\r|\n")

# The commands that read one C++ kernel and write a result or a verdict; "@" is the input,
# "%" the output path.
CPP_COMMANDS = {
    "run": ["run", "--pattern", "auto", "-q", "@", "-o", "%"],
    "check": ["check", "@"],
    "check --fix": ["check", "--fix", "-q", "@", "-o", "%"],
    "local-slot-num": ["run", "--local-slot-num", "2", "-q", "@", "-o", "%"],
    "opt": ["opt", "-p", "local-slot-num{map=0=2},pipe-v-barrier{pattern=auto},pipe-v-barrier-insert", "-q", "@",
            "-o", "%"],
}
IR_COMMANDS = {
    "canonicalize": ["canonicalize", "--target-ptoas", "v0.45", "-q", "@", "-o", "%"],
    "canonicalize --to generic": ["canonicalize", "--target-ptoas", "v0.31", "--to", "generic", "-q", "@", "-o", "%"],
    "opt canonicalize": ["opt", "-p", "canonicalize{target-ptoas=v0.36}", "-q", "@", "-o", "%"],
}


def invoke(argv: list[str]) -> tuple[int, str, str]:
    """``ptofix ARGV`` in this process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(arg) for arg in argv])
        except SystemExit as exc:        # (argparse: --help, usage errors)
            status = exc.code if isinstance(exc.code, int) else 2
    return int(status), out.getvalue(), err.getvalue()


def assert_user_facing(status: int, err: str, inputs: dict[Path, bytes], allowed=DOCUMENTED) -> None:
    """The campaign's invariants for one run (see the module's docstring)."""
    assert status in allowed, (status, err[-3000:])
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    if status == 2:
        assert "error:" in err, err[-3000:]
    for path, data in inputs.items():
        assert path.read_bytes() == data, f"{path} was modified"
        lines = LINE_END.split(data.decode("utf-8", "replace"))
        for match in DIAGNOSTIC.finditer(err):
            if match["file"] != str(path):
                continue
            line, col = int(match["line"]), int(match["col"])
            assert 1 <= line <= len(lines), match.group(0)
            assert 1 <= col <= len(lines[line - 1]) + 1, (match.group(0), lines[line - 1][:300])


def run_command(argv: list[str], kernel: Path, data: bytes, out: Path, allowed=DOCUMENTED) -> tuple[int, str]:
    """Write ``data`` to ``kernel``, run ``argv`` on it and check the invariants: nothing is
    written on an error."""
    kernel.write_bytes(data)
    if out.exists():
        out.unlink()
    status, stdout, err = invoke([str(kernel) if a == "@" else str(out) if a == "%" else a for a in argv])
    assert_user_facing(status, err, {kernel: data}, allowed)
    if status == 2:
        assert not out.exists(), err
    return status, err


def cuts(size: int, stride: int) -> list[int]:
    return sorted(set(range(0, size + 1, stride)) | {1, size - 1, size})


# ---- truncations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", sorted(CPP_COMMANDS))
def test_fa_cut_short_anywhere_is_refused_or_read(tmp_path, command):
    for at in cuts(len(FA_CPP), 509):
        run_command(CPP_COMMANDS[command], tmp_path / "fa.cpp", FA_CPP[:at], tmp_path / "out.cpp")


@pytest.mark.slow
@pytest.mark.parametrize("command, stride", [("run", 1), ("check", 3)])   # (~2.5 min of CPU each, interpreted)
def test_fa_cut_at_every_byte_is_refused_or_read(tmp_path, command, stride):
    statuses: dict[int, int] = {}
    for at in range(0, len(FA_CPP) + 1, stride):
        status, _ = run_command(CPP_COMMANDS[command], tmp_path / "fa.cpp", FA_CPP[:at], tmp_path / "out.cpp")
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses.get(2, 0) > len(FA_CPP) // stride // 2, statuses     # (an open brace: most cuts are bad input)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["04_fa_fused_aic.cpp", "06_online_softmax.cpp", "07_softmax.cpp",
                                  "24_gqa_softmax_block.cpp"])
def test_real_kernels_cut_short_are_refused_or_read(tmp_path, name):
    if not (REAL / name).is_file():
        pytest.skip("../shared/corpus is not present")
    data = (REAL / name).read_bytes()
    for command in ("run", "check"):
        for at in cuts(len(data), 37):
            run_command(CPP_COMMANDS[command] + ["-I", str(REAL / "include")], tmp_path / name, data[:at],
                        tmp_path / "out.cpp")


@pytest.mark.parametrize("command", sorted(IR_COMMANDS))
def test_fa_ir_cut_short_anywhere_is_refused_or_read(tmp_path, command):
    for at in cuts(len(FA_MLIR), 487):
        run_command(IR_COMMANDS[command], tmp_path / "fa.mlir", FA_MLIR[:at], tmp_path / "out.mlir")


@pytest.mark.slow
def test_fa_ir_cut_at_every_byte_is_refused_or_read(tmp_path):
    for at in range(len(FA_MLIR) + 1):
        run_command(IR_COMMANDS["canonicalize"], tmp_path / "fa.mlir", FA_MLIR[:at], tmp_path / "out.mlir")


def test_ir_cut_short_given_to_run_s_ir_option_is_refused_in_the_ir(tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    ir = tmp_path / "fa.mlir"
    for at in cuts(len(FA_MLIR), 1499):
        ir.write_bytes(FA_MLIR[:at])
        status, _, err = invoke(["run", "--ir", ir, "--local-slot-num", "0=2", "-q", kernel, "-o", tmp_path / "o.cpp"])
        assert_user_facing(status, err, {kernel: FA_CPP, ir: FA_MLIR[:at]})


# ---- random byte flips ---------------------------------------------------------------------------
FLIPS = st.lists(st.tuples(st.integers(0, len(FA_CPP) - 1), st.integers(0, 255)), min_size=1, max_size=3)
CAMPAIGN = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def flipped(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    buffer = bytearray(data)
    for at, value in flips:
        buffer[at] = value
    return bytes(buffer)


def check_flipped_kernel(tmp_path: Path, data: bytes) -> None:
    kernel, out, again = tmp_path / "k.cpp", tmp_path / "out.cpp", tmp_path / "again.cpp"
    status, _ = run_command(CPP_COMMANDS["run"], kernel, data, out)
    if status == 0:
        first = out.read_bytes()
        run_command(CPP_COMMANDS["run"], kernel, data, out)
        assert out.read_bytes() == first                       # deterministic
        status, _ = run_command(CPP_COMMANDS["run"], out, first, again)
        assert status == 0 and again.read_bytes() == first     # idempotent
    run_command(CPP_COMMANDS["check"], kernel, data, out)


@settings(CAMPAIGN, max_examples=6)
@given(flips=FLIPS)
def test_fa_with_bytes_flipped_is_refused_or_read(tmp_path, flips):
    check_flipped_kernel(tmp_path, flipped(FA_CPP, flips))


@pytest.mark.slow
@settings(CAMPAIGN, max_examples=120)
@given(flips=FLIPS)
def test_fa_with_bytes_flipped_is_refused_or_read_long(tmp_path, flips):
    check_flipped_kernel(tmp_path, flipped(FA_CPP, flips))


@settings(CAMPAIGN, max_examples=12)
@given(flips=st.lists(st.tuples(st.integers(0, len(FA_MLIR) - 1), st.integers(0, 255)), min_size=1, max_size=3))
def test_fa_ir_with_bytes_flipped_is_refused_or_read(tmp_path, flips):
    data = flipped(FA_MLIR, flips)
    ir, out = tmp_path / "k.mlir", tmp_path / "out.mlir"
    status, _ = run_command(IR_COMMANDS["canonicalize"], ir, data, out)
    if status == 0:
        first = out.read_bytes()
        status, _ = run_command(IR_COMMANDS["canonicalize"], out, first, tmp_path / "again.mlir")
        assert status == 0 and (tmp_path / "again.mlir").read_bytes() == first


# ---- encodings, line ends, hostile bytes and shapes ------------------------------------------------
def _deep(opening: bytes, closing: bytes, depth: int, inner: bytes = b"") -> bytes:
    return opening * depth + inner + closing * depth


def _mixed_line_ends(data: bytes) -> bytes:
    """``data`` with its lines ended by LF, CRLF and lone CR in turn (a CR before an empty line
    would read as CRLF: LF there)."""
    lines = data.split(b"\n")
    ends = [b"\n", b"\r\n", b"\r"]
    return b"".join(line + (ends[k % 3] if lines[k + 1] or k % 3 != 2 else b"\n")
                    for k, line in enumerate(lines[:-1])) + lines[-1]


HOSTILE_CPP = {
    "empty": b"",
    "one newline": b"\n",
    "bom": b"\xef\xbb\xbf" + FA_CPP,
    "crlf": FA_CPP.replace(b"\n", b"\r\n"),
    "lone cr": FA_CPP.replace(b"\n", b"\r"),
    "mixed line ends": _mixed_line_ends(FA_CPP),
    "nul in code": FA_CPP.replace(b"pipe_barrier(PIPE_V);", b"pipe_barrier(PIPE_V);\0", 1),
    "nul in a comment": b"// \0\n" + FA_CPP,
    "invalid utf-8": FA_CPP.replace(b"TADD", b"T\xffADD", 1),
    "overlong utf-8": b"// \xc0\xaf\n" + FA_CPP,
    "surrogate utf-8": FA_CPP.replace(b"TEXP", b"T\xed\xa0\x80EXP", 1),
    "tabs": FA_CPP.replace(b"  ", b"\t"),
    "wide characters in comments": FA_CPP.replace(b"\n  T", "\n  /* 注意 */ T".encode(), 30),
    "a 1 MB line": b"// " + b"x" * (1 << 20) + b"\n" + FA_CPP,
    "a 64 KB statement": b"void f() { int x = 1" + b" + 1" * 16384 + b"; }\n",
    "deep braces": b"void f() " + _deep(b"{", b"}", 5000) + b"\n",
    "deep parentheses": b"void f() { int x = " + _deep(b"(", b")", 5000, b"1") + b"; }\n",
    "deep #if": _deep(b"#if 1\n", b"#endif\n", 3000, b"void f() {}\n"),
    "deep #if condition": b"#if " + _deep(b"(", b")", 3000, b"1") + b"\nvoid f() {}\n#endif\n",
    "deep unary #if": b"#if " + b"!" * 30000 + b"1\nvoid f() {}\n#endif\n",
    "deep templates": b"void f() { A" + b"<A" * 3000 + b">" * 3001 + b" x; }\n",
    "deep lambdas": b"void f() { " + _deep(b"[](){", b"}", 2000) + b"; }\n",
    "deep ifs": b"void f() { " + _deep(b"if (1) {", b"}", 3000) + b" }\n",
    "deep else-if": b"void f() { " + b"if (1) ; else " * 3000 + b"; }\n",
    "deep ternary": b"void f() { int x = " + b"1 ? " * 3000 + b"1" + b" : 2" * 3000 + b"; }\n",
    "deep casts": b"void f() { int x = " + b"(int)" * 10000 + b"1; }\n",
    "deep calls": b"void f() { " + _deep(b"g(", b")", 3000) + b"; }\n",
    "deep macro": b"#define A B\n#define B A\n#if A\n#endif\nvoid f() { A; }\n",
    "huge numbers": FA_CPP.replace(b"192", b"9" * 400, 3),
    "huge #if number": b"#if 99999999999999999999999999999999999\nvoid f() {}\n#endif\n",
    "#if division by zero": b"#if 1/0\nvoid f() {}\n#endif\n",
    "#if garbage": b"#if (((\nvoid f() {}\n#endif\n",
    "unterminated #if": b"#if 1\n" + FA_CPP,
    "stray #endif": FA_CPP + b"\n#endif\n",
    "#else after #else": b"#if 0\n#else\n#else\n#endif\n" + FA_CPP,
    "unterminated comment": FA_CPP + b"\n/* open",
    "unterminated string": FA_CPP + b'\nconst char *s = "open;\n',
    "stray closing brace": FA_CPP + b"\n}\n",
    "binary": bytes(range(256)) * 8,
    "pto ir": FA_MLIR,
}


@pytest.mark.parametrize("command", sorted(CPP_COMMANDS))
@pytest.mark.parametrize("name", sorted(HOSTILE_CPP))
def test_hostile_kernel_is_refused_or_read(tmp_path, name, command):
    status, err = run_command(CPP_COMMANDS[command], tmp_path / "k.cpp", HOSTILE_CPP[name], tmp_path / "out.cpp")
    if name in ("unterminated #if", "stray #endif", "#else after #else", "invalid utf-8", "overlong utf-8",
                "surrogate utf-8", "unterminated comment", "unterminated string", "stray closing brace", "pto ir"):
        assert status == 2 and f"{tmp_path / 'k.cpp'}:" in err, err


@pytest.mark.parametrize("name", ["bom", "crlf", "lone cr", "mixed line ends", "tabs"])
def test_line_ends_bom_and_tabs_change_nothing_but_themselves(tmp_path, name):
    # The rewrite of a kernel is the rewrite of the same kernel with LF ends, its own ends kept.
    status, _ = run_command(CPP_COMMANDS["run"], tmp_path / "lf.cpp", FA_CPP, tmp_path / "lf.out.cpp")
    assert status == 0
    status, _ = run_command(CPP_COMMANDS["run"], tmp_path / "k.cpp", HOSTILE_CPP[name], tmp_path / "out.cpp")
    assert status == 0
    got = (tmp_path / "out.cpp").read_bytes()
    removed = (tmp_path / "lf.out.cpp").read_bytes().count(REMOVED)
    assert removed and got.count(REMOVED) == removed
    if name != "tabs":
        assert LINE_END.split(got.removeprefix(b"\xef\xbb\xbf").decode()) == \
            (tmp_path / "lf.out.cpp").read_text().split("\n")
        assert got.count(b"\r") == HOSTILE_CPP[name].count(b"\r") and got.startswith(b"\xef") == (name == "bom")


def test_columns_count_a_tab_as_one_character(tmp_path):
    data = FA_CPP.replace(b"  TMULS(v39, v39, v10);", b"\t\t TMULS(v39, v39, v10);")
    status, err = run_command(CPP_COMMANDS["check"], tmp_path / "k.cpp", data, tmp_path / "out.cpp")
    assert status == 1 and f"{tmp_path / 'k.cpp'}:330:4: warning: WAW race: TMULS writes v39" in err, err


@pytest.mark.parametrize("name", ["crlf", "lone cr"])
def test_diagnostics_count_lines_as_the_compiler_does(tmp_path, name):
    status, err = run_command(CPP_COMMANDS["check"], tmp_path / "k.cpp", HOSTILE_CPP[name], tmp_path / "out.cpp")
    assert status == 1 and f"{tmp_path / 'k.cpp'}:330:3: warning: WAW race: TMULS" in err, err


HOSTILE_IR = {
    "empty": b"",
    "bom": b"\xef\xbb\xbf" + FA_MLIR,
    "crlf": FA_MLIR.replace(b"\n", b"\r\n"),
    "lone cr": FA_MLIR.replace(b"\n", b"\r"),
    "nul": FA_MLIR.replace(b"pto.", b"pto\0.", 1),
    "invalid utf-8": FA_MLIR.replace(b"pto.", b"pt\xfe.", 3),
    "deep regions": b"module {" * 5000 + b"}" * 5000 + b"\n",
    "deep attribute": b'"pto.x"() {a = ' + _deep(b"[", b"]", 5000) + b"} : () -> ()\n",
    "deep types": b'"pto.x"() : () -> ' + _deep(b"tuple<", b">", 5000, b"i32") + b"\n",
    "huge integer": FA_MLIR.replace(b"= 2", b"= " + b"9" * 500, 1),
    "unterminated string": b'"pto.x"() {s = "abc} : () -> ()\n',
    "unterminated resource": b"{-#\n  dialect_resources: {\n",
    "a 1 MB line": b"// " + b"x" * (1 << 20) + b"\n" + FA_MLIR,
    "c++": FA_CPP,
    "binary": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("command", sorted(IR_COMMANDS))
@pytest.mark.parametrize("name", sorted(HOSTILE_IR))
def test_hostile_ir_is_refused_or_read(tmp_path, name, command):
    status, _ = run_command(IR_COMMANDS[command], tmp_path / "k.mlir", HOSTILE_IR[name], tmp_path / "out.mlir")
    if status == 0 and name not in ("empty",):
        out = (tmp_path / "out.mlir").read_bytes()
        again, _ = run_command(IR_COMMANDS[command], tmp_path / "out.mlir", out, tmp_path / "again.mlir")
        assert again == 0 and (tmp_path / "again.mlir").read_bytes() == out      # idempotent


# ---- every command on a kernel: stable output, second run a no-op ---------------------------------
@pytest.mark.parametrize("command", ["run", "check --fix", "local-slot-num", "opt"])
def test_a_rewrite_is_deterministic_and_a_second_run_changes_nothing(tmp_path, command):
    out = tmp_path / "out.cpp"
    status, _ = run_command(CPP_COMMANDS[command], tmp_path / "fa.cpp", FA_CPP, out)
    assert status == 0
    first = out.read_bytes()
    assert first != FA_CPP
    run_command(CPP_COMMANDS[command], tmp_path / "fa.cpp", FA_CPP, out)
    assert out.read_bytes() == first
    status, _ = run_command(CPP_COMMANDS[command], tmp_path / "first.cpp", first, out)
    assert status == 0 and out.read_bytes() == first


def test_a_file_nothing_applies_to_is_written_byte_for_byte(tmp_path):
    data = b"\xef\xbb\xbf// kernel\r\nvoid f() {\r\n\tint x = 0;\r\n}\r"
    for command in ("run", "check --fix", "local-slot-num", "opt"):
        status, _ = run_command(CPP_COMMANDS[command], tmp_path / "k.cpp", data, tmp_path / "out.cpp")
        assert status == 0 and (tmp_path / "out.cpp").read_bytes() == data, command


# ---- files that are not regular files --------------------------------------------------------------
def test_a_fifo_input_is_read_as_a_stream(tmp_path):
    fifo = tmp_path / "k.cpp"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(FA_CPP))
    writer.start()
    status, _, err = invoke(["run", "--pattern", "auto", "-q", fifo, "-o", tmp_path / "out.cpp"])
    writer.join()
    assert status == 0 and REMOVED in (tmp_path / "out.cpp").read_bytes(), err


@pytest.mark.parametrize("what", ["directory", "missing", "dangling symlink", "fifo output", "directory output",
                                  "output in a missing directory", "empty name", "build fifo"])
def test_what_is_not_a_file_is_a_located_error_and_nothing_is_written(tmp_path, what):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    os.symlink(tmp_path / "nowhere.cpp", tmp_path / "dangling.cpp")
    argv = {"directory": ["run", "--pattern", "auto", tmp_path / "dir"],
            "missing": ["check", tmp_path / "missing.cpp"],
            "dangling symlink": ["run", "--pattern", "auto", tmp_path / "dangling.cpp"],
            "fifo output": ["run", "--pattern", "auto", kernel, "-o", tmp_path / "fifo"],
            "directory output": ["check", "--fix", kernel, "-o", tmp_path / "dir"],
            "output in a missing directory": ["run", "--pattern", "auto", kernel, "-o", tmp_path / "no" / "o.cpp"],
            "empty name": ["check", ""],
            "build fifo": ["build", tmp_path / "fifo", "-o", tmp_path / "b", "--target-ptoas", "v0.45",
                           "--no-config", "--no-compile"]}[what]
    before = sorted(p.name for p in tmp_path.iterdir())
    status, _, err = invoke(argv)
    assert_user_facing(status, err, {kernel: FA_CPP}, allowed={2})
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_one_file_given_twice_in_place_is_refused_before_anything_is_read(tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    os.symlink(kernel, tmp_path / "link.cpp")
    for argv in (["run", "--pattern", "auto", "-i", kernel, kernel],
                 ["check", "--fix", "-i", kernel, tmp_path / "link.cpp"]):
        status, _, err = invoke(argv)
        assert_user_facing(status, err, {kernel: FA_CPP}, allowed={2})


def test_output_onto_the_input_itself_replaces_it_and_a_second_run_is_a_no_op(tmp_path):
    kernel = tmp_path / "fa.cpp"
    kernel.write_bytes(FA_CPP)
    assert invoke(["run", "--pattern", "auto", "-q", kernel, "-o", kernel])[0] == 0
    once = kernel.read_bytes()
    assert once != FA_CPP
    assert invoke(["run", "--pattern", "auto", "-q", "-i", tmp_path / "link.cpp"])[0] == 2   # (no such file)
    os.symlink(kernel, tmp_path / "link.cpp")
    assert invoke(["run", "--pattern", "auto", "-q", "-i", tmp_path / "link.cpp"])[0] == 0
    assert kernel.read_bytes() == once and (tmp_path / "link.cpp").is_symlink()


# ---- the Python API --------------------------------------------------------------------------------
API_TEXTS = {name: data.decode("utf-8", "surrogateescape") for name, data in HOSTILE_CPP.items()
             if name not in ("a 1 MB line",)}
API_TEXTS["lone surrogate in code"] = FA_CPP.decode().replace("TADD", "T\ud800ADD", 1)


@pytest.mark.parametrize("name", sorted(API_TEXTS))
def test_the_api_raises_input_error_or_returns(name):
    text = API_TEXTS[name]
    for call in (lambda: api.fix_cpp(text, "auto"), lambda: api.check(text), lambda: api.check_report(text),
                 lambda: api.fix_cpp(text, local_slot_num={0: 2})):
        try:
            result = call()
        except api.InputError as error:
            assert re.match(r"kernel\.cpp(:\d+:\d+)?: error: ", error.format()) \
                or ": error: " in error.format(), error.format()
        else:
            assert result is not None


@pytest.mark.parametrize("name", sorted(HOSTILE_IR))
def test_the_api_canonicalize_raises_input_error_or_returns(name):
    text = HOSTILE_IR[name].decode("utf-8", "surrogateescape")
    try:
        result = api.canonicalize(text, "v0.45")
    except api.InputError:
        return
    again = api.canonicalize(result.text, "v0.45")
    assert again.text == result.text


@pytest.mark.parametrize("setting", ["include_dirs", "defines"])
def test_the_api_refuses_one_string_for_a_list_of_settings(tmp_path, setting):
    # (Before: include_dirs="/opt/inc" was read as the directories "/", "o", "p", ... and the
    # error named "o"; defines="A=1" defined the macros A and 1.)
    for call in (lambda: api.fix_cpp("void f() {}\n", "auto", **{setting: str(tmp_path)}),
                 lambda: api.check("void f() {}\n", **{setting: str(tmp_path)}),
                 lambda: api.compile_environment(**{setting: str(tmp_path)})):
        with pytest.raises(api.InputError, match=f"^{setting} is a list of strings, not one string: give "):
            call()


@pytest.mark.parametrize("name", ["crlf", "lone cr", "mixed line ends"])
def test_check_shows_the_one_source_line_whatever_ends_it(tmp_path, name):
    # (Before: a lone-CR file's lines past the first had no source line shown, and in a file of
    # mixed ends the line shown ran on to the next LF, lone CRs and all: a terminal overprinted it.)
    kernel = tmp_path / "k.cpp"
    kernel.write_bytes(HOSTILE_CPP[name])
    status, _, err = invoke(["check", "--color", "never", kernel])
    assert status == 1 and "\r" not in err
    assert f"{kernel}:330:3: warning: WAW race: TMULS writes v39 [49280, 65664), which TROWEXPANDSUB (line 328) " \
           "may still write\n  330 |   TMULS(v39, v39, v10);\n      |   ^~~~~\n" in err, err
    assert err.count("\n  413 |   TADD(v45, v45, v43);\n      |   ^~~~\n") == 1, err


def test_a_line_s_text_ends_at_its_own_end():
    from ptofix.source import SourceText
    text = SourceText("a\rb\r\nc\nd\r\re", "k.cpp")
    assert text.line_count() == 6
    assert [text.line_text(n) for n in range(1, 7)] == ["a", "b", "c", "d", "", "e"]
    assert SourceText("x\n", "k.cpp").line_text(2) == "" and SourceText("", "k.cpp").line_text(1) == ""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["crlf", "lone cr", "mixed line ends"])
def test_simulate_places_check_fix_s_barriers_in_a_rewrite_with_other_line_ends(tmp_path, name):
    # (Before: the lines of the two kernels were compared with their ends, and counted by LF only:
    # an LF original and its CRLF or CR copy shared no line, exit 4 "differs in the rewrite".)
    original, rewrite = tmp_path / "fa.cpp", tmp_path / "k.cpp"
    original.write_bytes(FA_CPP)
    rewrite.write_bytes(HOSTILE_CPP[name])
    status, _, err = invoke(["simulate", "--seeds", "1", original, rewrite])
    assert status == 0, err
    assert "simulating the rewrite against `ptofix check --fix` of it instead: the 4 pipe_barrier(PIPE_V)" in err, err
