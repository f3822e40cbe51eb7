"""The simulator fails closed: every statement it cannot interpret exactly stops the run with a
located `cannot simulate` error (exit 2), never a silent no-op; its own bugs are internal errors
(exit 3); an original that races on its own is told apart from a rewrite that differs (exit 4)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sim_kernels import gt, kernel, src, tile
from test_sim_hazard import chain

import ptofix
from ptofix.cpp import stmt_parser as sp
from ptofix.cpp.model import CaseLabel, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.sim.memory import GM_MAX_BYTES
from ptofix.sim.runner import SimOptions, simulate
from ptofix.source import PtofixError

REPO = Path(__file__).resolve().parents[2]


def sim(*args: str):
    return subprocess.run([sys.executable, "-m", "ptofix", "simulate", *args], capture_output=True, text=True,
                          cwd=REPO)


def defining(define: str, text: str) -> str:
    """``text`` with the line ``define`` after its includes (one before pto's header is refused
    for another reason: it may change the header's code)."""
    head, sep, rest = text.partition("using namespace pto;")
    assert sep
    return f"{head}{define}\n{sep}{rest}"


def with_stmt(stmt: str, before: str = "  TADD(b, a, a);") -> str:
    """The in-order chain kernel with ``stmt`` inserted before ``before``."""
    text = chain(4, 64, True)
    assert before in text
    return text.replace(before, stmt + "\n" + before, 1)


def cannot_run(text: str, **options) -> str:
    with pytest.raises(PtofixError) as info:
        simulate(src(text, "k.cpp"), src(text, "k.cpp"), 1, SimOptions(**options))
    out = info.value.format()
    assert out.startswith("k.cpp:") and ": error: cannot simulate" in out, out
    return out


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


# ---- one test per family of statements the simulator must refuse -------------------------------
@pytest.mark.parametrize("stmt, words", [
    # unknown calls
    ("  TFROBNICATE(c, b);", "unknown op or function 'TFROBNICATE'"),
    ("  pto::TADD(b, a, a);", "unknown op or function 'pto::TADD'"),
    ("  std::atomic_thread_fence(0);", "unknown op or function"),
    ("  dsb(DSB_DDR);", "unknown op or function 'dsb'"),
    # a macro invocation without parentheses, an expression statement with no effect
    ("  PTOAS_SYNC_ALL;", "PTOAS_SYNC_ALL"),
    ("  i0;", "expression statement 'i0'"),
    ("  ++i0;", "increment"),
    # vector ops inside a larger expression
    ("  (void)TMUL(c, b, b);", "call of 'TMUL' inside a cast"),
    ("  auto r = TMUL(c, b, b);", "call of 'TMUL' inside an expression"),
    ("  int32_t r = 1 + TMUL(c, b, b);", "call of 'TMUL' inside an expression"),
    ("  if (TMUL(c, b, b)) {\n  };", "call of 'TMUL' inside an expression"),
    ("  return TMUL(c, b, b);", "call of 'TMUL' inside an expression"),
    ("  TADD(b, a, a), TMUL(c, b, b);", "inside a comma expression"),
    ("  pipe_barrier((pipe_barrier(PIPE_V), PIPE_V));", "cannot"),
    # methods it does not model
    ("  a.SetValue(0, 1.0f);", "method '.SetValue()'"),
    ("  gx.setEntryOffset(0);", "method '.setEntryOffset()'"),
    ("  int32_t r = a.GetValidRow(1);", "method '.GetValidRow()'"),
    # control flow it does not run
    ("  do {\n    TMUL(c, b, b);\n  } while (0);", "'do' is not modelled"),
    ("  switch (i0) {\n  case 0:\n    TMUL(c, b, b);\n  }", "not modelled (SwitchStmt)"),
    ("  goto done;", "'goto' is not modelled"),
    ("  done:", "label"),
    # assignments through pointers, references, members
    ("  *x = 1.0f;", "assignment through a pointer"),
    ("  x[0] += 1.0f;", "compound assignment '+=' through a pointer"),
    ("  gx.x = 1;", "assignment to member 'x'"),
    ("  float& r = i0;", "reference declaration not modelled"),
    ("  i0++;", "increment/decrement statement"),
    ("  int32_t v6[2];", "array declaration not modelled"),
    ("  i0 = b;", "assignment of a TileVar"),
    ("  b = a;", "assignment of a TileVar to 'b'"),
    # declarations it does not model
    ("  Foo f;", "declaration of type 'Foo'"),
    ("  static int32_t calls = 0;", "static local variable 'calls'"),
    (f"  {tile('float', 4, 64)} t2 = a;", "tile copies are not modelled"),
    ("  auto t3 = a;", "copy of a TileVar"),
    # flags and barriers on things it does not know
    ("  pipe_barrier(PIPE_X);", "pipe_barrier on 'PIPE_X'"),
    ("  set_flag(PIPE_V, PIPE_MTE3);", "set_flag takes 3 argument(s), got 2"),
    ("  set_flag(PIPE_V, i0, EVENT_ID0);", "set_flag between"),
    # template arguments that change what an op does
    ("  TSTORE<AtomicType::AtomicAdd>(gy, c);", "template arguments of TSTORE"),
    ("  TADD<SomeMode::Other>(b, a, a);", "template argument of TADD"),
    ("  set_flag<1>(PIPE_V, PIPE_MTE3, EVENT_ID0);", "template arguments of 'set_flag'"),
    # a directive inside the body
    ("#define TMUL TADD", "'#define' inside a function body"),
    # overloads and data types whose effects the numpy ops do not follow
    ("  TROWARGMAX(c, a, b, a);", "4-operand form"),
    ("  TCVT(c, b, a, RoundMode::CAST_RINT);", "TCVT with a tmp"),
    (f"  {tile('int32_t', 4, 64)} n0; TASSIGN(n0, 98304); TREM(n0, n0, n0, n0);", "int32 data"),
    # tile shapes that fit no storage (bisheng's static checks reject most of them)
    ("  Tile<TileType::Vec, float, 4, -1, BLayout::RowMajor, 4, 64, SLayout::NoneBox, 512, PadValue::Null> t4;",
     "rows and columns must be positive"),
    ("  Tile<TileType::Vec, float, 0, 64, BLayout::RowMajor, 0, 64, SLayout::NoneBox, 512, PadValue::Null> t4;",
     "rows and columns must be positive"),
    ("  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Null> t4;",
     "valid shape 8x64 does not fit its 4x64 storage"),
    ("  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> t4(4, 65);"
     " TASSIGN(t4, 98304); TADD(t4, t4, t4);", "valid shape 4x65, outside its 4x64 storage"),
    ("  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null> t4(-2, 8);"
     " TASSIGN(t4, 98304); TADD(t4, t4, t4);", "valid shape -2x8, outside its 4x64 storage"),
    ("  a.SetValidShape(4, 100);", "valid shape 4x100, outside its 4x64 storage"),
    # GM views below their buffer or with negative extents
    ("  GlobalTensor<float, pto::Shape<1, 1, 1, 4, 64>, pto::Stride<256, 256, 256, 64, 1>, pto::Layout::ND> g2 = "
     "GlobalTensor<float, pto::Shape<1, 1, 1, 4, 64>, pto::Stride<256, 256, 256, 64, 1>, pto::Layout::ND>(x - 128);",
     "GlobalTensor starts 512 bytes before the start of GM buffer 'x'"),
    ("  GlobalTensor<float, pto::Shape<1, 1, 1, -1, 64>, pto::Stride<256, 256, 256, 64, 1>, pto::Layout::ND> g2 = "
     "GlobalTensor<float, pto::Shape<1, 1, 1, -1, 64>, pto::Stride<256, 256, 256, 64, 1>, pto::Layout::ND>"
     "(x, pto::Shape<1, 1, 1, -1, 64>(-2));", "pto::Shape with a negative value (1, 1, 1, -2, 64)"),
    # scalar arithmetic C leaves undefined
    ("  int32_t s0 = 16 >> -1;", "shift by -1 of a 32-bit value"),
    ("  int64_t s0 = (int64_t)1 << 64;", "shift by 64 of a 64-bit value"),
    ("  int32_t s0 = 1e39f;", "conversion of inf to an integer"),
    (f"  {tile('int8_t', 4, 64)} n0; TASSIGN(n0, 98304); TEXPANDS(n0, 1e30f);", "does not fit the int8 elements"),
    # operands an op cannot take
    ("  TSHL(c, a, b);", "TSHL on the non-integer tile 'c'"),
    ("  TNOT(c, a);", "TNOT on the non-integer tile 'c'"),
    ("  TDIVS(c, c);", "TDIVS: argument 3 must be a scalar value"),
    ("  TCMP(c, a, 3, CmpMode::GT);", "TCMP: argument 3 is a value where every overload ptofix knows takes a tile"),
    (f"  {tile('int32_t', 2, 2)} m0; TASSIGN(m0, 98304); {tile('float', 4, 64)} t0; TASSIGN(t0, 114688); "
     "TSEL(c, m0, a, b, t0);", "is too small for a 4x64 mask"),
    (f"  {tile('float', 2, 8)} p0; TASSIGN(p0, 98304); TFILLPAD(p0, a);", "does not fit 'p0' [2x8]"),
    (f"  {tile('float', 1, 8)} t0; TASSIGN(t0, 196576); TCOLSUM(c, a, t0);", "reaches outside the 196608-byte UB"),
    # FIFO parameters
    ("  auto p0 = TPipe<0, Direction::DIR_C2V, 1024, 0, 8>();", "SlotSize and SlotNum must be positive"),
    ("  auto p0 = TPipe<0, Direction::DIR_C2V, 16777216, 8, 8>();", "slots above 1048576 bytes are not simulated"),
    # floats where C needs integers
    ("  TASSIGN(c, 1.0f / 0.0f);", "TASSIGN address must be an integer, got a f32 value"),
    ("  int32_t s0 = ~2.0f;", "operand of '~' must be an integer"),
    ("  float s0 = 2.0f & 1;", "'&' on floating point"),
    ("  set_flag(PIPE_V, PIPE_MTE3, 1.0f);", "event id must be an integer"),
    # GlobalTensor shapes and strides are 5-D
    ("  GlobalTensor<float, pto::Shape<1, 1, 4, 64>, pto::Stride<256, 256, 64, 1>, pto::Layout::ND> g2(x);",
     "GlobalTensor Shape with 4 dimensions (pto's are 5-D)"),
    # tile shifts by counts C leaves undefined
    (f"  {tile('int32_t', 4, 64)} n0; TASSIGN(n0, 98304); TSHLS(n0, n0, 32);", "shift count outside [0, 32)"),
])
def test_cannot_run_family(stmt, words):
    text = with_stmt("  int32_t i0 = 0;\n" + stmt)
    out = cannot_run(text)
    assert words in out, out
    first = stmt.strip().splitlines()[0]
    assert f"k.cpp:{line_of(text, first)}:" in out, out   # the statement itself is located


def test_top_level_macros_are_not_expanded():
    # A function-like macro redefining a name the simulator knows.
    text = defining("#define get_subblockid() 1", with_stmt("  int64_t s = get_subblockid();"))
    assert "'get_subblockid' is a macro (#define at line 2)" in cannot_run(text)
    text = defining("#define MYADD TADD", with_stmt("  MYADD(b, a, a);"))
    assert "'MYADD' is a macro" in cannot_run(text)
    # An object-like macro naming one token is read as that token (ptoas prints PIPE_FIX so).
    text = "#define PIPE_FIX PIPE_M\n" + with_stmt("  pipe_barrier(PIPE_FIX);")
    rep = simulate(src(text), src(text), 2, SimOptions())
    assert rep.status == "equal"


def test_preprocessor_conditions_see_the_files_macros():
    inner = "  #if MODE == 2\n  TADDS(b, a, 1.0f);\n  #else\n  TADD(b, a, a);\n  #endif\n"
    base = chain(4, 64, True).replace("  TADD(b, a, a);\n", inner)
    two = simulate(src(defining("#define MODE 2", base)), src(defining("#define MODE 2", base)), 1, SimOptions())
    none = simulate(src(base), src(base), 1, SimOptions())
    assert two.status == none.status == "equal"
    # MODE 2 takes the TADDS branch, no MODE the TADD one: the two kernels compute different values
    assert simulate(src(base), src(defining("#define MODE 2", base)), 1, SimOptions()).status == "different"
    # FAST, which no #define shows, may be a header's macro: the condition is not evaluated.
    text = defining("#define MODE FAST", base)
    assert "cannot evaluate preprocessor condition '#if MODE == 2'" in cannot_run(text)


@pytest.mark.parametrize("param, why", [
    ("void (*hook)(int)", "a declaration the statement grammar does not read"),
    ("int", "an unnamed parameter"),
    ("...", "a C variadic parameter"),
])
def test_a_kernel_parameter_the_model_does_not_read_is_refused_with_its_reason(param, why):
    text = chain(4, 64, True).replace("__gm__ float* y", f"__gm__ float* y, {param}", 1)
    out = cannot_run(text)
    assert f"cannot parse parameter '{param}' of " in out and f"({why})" in out, out


def test_a_helper_taking_a_non_const_reference_is_refused():
    """Arguments are passed to a helper as copies: a write through a reference parameter would not
    reach the caller, so such a helper is not run (a const reference reads a copy alike)."""
    helper = "AICORE inline void bump(int32_t& n) { n = n + 1; }\n"
    text = chain(4, 64, True).replace('extern "C"', helper + 'extern "C"', 1)
    text = text.replace("  TADD(b, a, a);", "  int32_t n = 0;\n  bump(n);\n  TADD(b, a, a);", 1)
    out = cannot_run(text)
    assert "reference parameter 'int32_t& n' of bump is not modelled" in out, out
    simulate(src(text.replace("int32_t& n) { n = n + 1; }", "const int32_t& n) { }"), "k.cpp"),
             src(text.replace("int32_t& n) { n = n + 1; }", "const int32_t& n) { }"), "k.cpp"), 1, SimOptions())


def test_break_outside_a_loop_is_a_located_error():
    text = with_stmt("  break;")
    out = cannot_run(text)
    assert "'break' outside a loop" in out and f"k.cpp:{line_of(text, 'break;')}:" in out
    text = with_stmt("  if (1) {\n    continue;\n  };")
    assert "'continue' outside a loop" in cannot_run(text)


def test_break_and_continue_inside_loops_still_run():
    body = ("  for (int32_t i = 0; i < 4; i++) {\n    if (i == 1) {\n      continue;\n    };\n"
            "    if (i == 3) {\n      break;\n    };\n    TADDS(b, b, 1.0f);\n    pipe_barrier(PIPE_V);\n  }")
    text = with_stmt("  TEXPANDS(b, 0.0f);\n  pipe_barrier(PIPE_V);\n" + body, "  TMUL(c, b, b);")
    rep = simulate(src(text), src(text), 2, SimOptions())
    assert rep.status == "equal"


def test_an_unknown_ast_node_class_is_refused(monkeypatch):
    """Node classes the simulator does not model where they stand (a comma expression as a
    statement, as an expression statement's expression or as an argument) stop the run, and so
    does a subclass of a handled class: dispatch is by exact class. (A compiled AST class cannot
    be subclassed by interpreted code, so that case only exists when ptofix runs interpreted.)"""
    cases = [(sp.Comma(0, 1, []), "statement kind Comma"),
             (sp.ExprStmt(0, 1, sp.Comma(0, 1, [sp.Name(0, 1, "b")])), "expression statement (Comma)"),
             (sp.ExprStmt(0, 1, sp.Call(0, 1, sp.Name(0, 4, "TMULS"), [sp.Comma(0, 1, [])])),
              "expression Comma not modelled")]
    try:
        class Unknown(sp.ExprStmt):      # a subclass of a handled class is not that class
            pass
        unknown = Unknown(0, 1, sp.Call(0, 1, sp.Name(0, 4, "TMUL"), []))
    except TypeError:
        assert ptofix.COMPILED
    else:
        cases.append((unknown, "statement kind Unknown"))
    base = with_stmt("  TMULS(c, b, 2.0f);", "  TMUL(c, b, b);")
    for node, words in cases:
        cpp = parse_cpp(src(base, "k.cpp"))
        target = next(s for s in cpp.functions[0].statements()
                      if isinstance(s, SimpleStmt) and s.text.startswith("TMULS"))
        target._ast, target._parsed = node, True
        with pytest.raises(PtofixError) as info:
            simulate(cpp, cpp, 1, SimOptions())
        assert words in str(info.value) and "TMULS(c, b, 2.0f)" in str(info.value)


def test_an_unknown_statement_class_and_a_none_ast_are_refused():
    # A statement class the simulator does not model where it stands (as a parser might gain
    # one): a switch's case label moved into a plain statement list.
    cpp = parse_cpp(src(chain(4, 64, True), "k.cpp"))
    body = cpp.functions[0].body.body
    pp = next(s for s in body if type(s).__name__ == "PPIfStmt")
    stmts = pp.branches[0].body
    k = next(i for i, s in enumerate(stmts) if isinstance(s, SimpleStmt) and s.text.startswith("TADD"))
    stmts.insert(k, CaseLabel(stmts[k].packed_span, stmts[k].file_text))
    with pytest.raises(PtofixError) as info:
        simulate(cpp, cpp, 1, SimOptions())
    assert "statement not modelled (CaseLabel)" in str(info.value)

    cpp = parse_cpp(src(chain(4, 64, True), "k.cpp"))
    target = next(s for s in cpp.functions[0].statements() if isinstance(s, SimpleStmt) and s.text.startswith("TADD"))
    target._ast, target._parsed = None, True
    with pytest.raises(PtofixError) as info:
        simulate(cpp, cpp, 1, SimOptions())
    assert "grammar cannot parse" in str(info.value)


def test_known_scalar_calls_are_no_ops_by_name_only():
    text = with_stmt("  set_mask_norm();\n  set_vector_mask(-1, -1);\n  dcci(x, 0);")
    assert simulate(src(text), src(text), 2, SimOptions()).status == "equal"
    assert "unknown op or function 'set_mask_norm2'" in cannot_run(with_stmt("  set_mask_norm2();"))


def test_a_file_defining_its_own_tile_op_is_refused():
    text = chain(4, 64, True).replace('extern "C"', "void TMUL(int a, int b, int c) {\n  return;\n}\nextern \"C\"")
    assert "defines its own 'TMUL'" in cannot_run(text)


# ---- kernel selection -----------------------------------------------------------------------------
@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_file_without_a_kernel_is_a_located_error(tmp_path):
    a = tmp_path / "a.cpp"
    a.write_text('#include "pto/pto-inst.hpp"\nusing namespace pto;\nint x = 1;\n')
    r = sim(str(a), str(a))
    assert r.returncode == 2
    assert r.stderr.startswith(f"{a}:1:1: error: no function definition to simulate"), r.stderr
    assert "several kernel functions ()" not in r.stderr
    b = tmp_path / "b.cpp"
    b.write_text(chain(4, 64, True))
    r = sim(str(b), str(b), "--function", "nope")
    assert r.returncode == 2 and f"{b}:1:1: error: no function named 'nope'" in r.stderr
    c = tmp_path / "c.cpp"
    c.write_text("namespace a {\nvoid h() {}\n}\nnamespace b {\nvoid h() {}\n}\n")
    r = sim(str(c), str(c), "--function", "h")
    assert r.returncode == 2 and f"{c}:5:1: error: several functions are named 'h'" in r.stderr, r.stderr


# ---- exit statuses ----------------------------------------------------------------------------------
def racy_kernel(barrier: bool) -> str:
    """Two no-tmp TROWEXPANDMUL with a ColMajor per-row operand: each is vbrcb(hidden scratch <-
    row) -> barrier -> mul(dst <- src, scratch). Without a barrier between them the second vbrcb
    may overwrite the scratch before the first mul reads it."""
    full, row = tile("float", 16, 128), tile("float", 16, 1, "ColMajor")
    g = gt("float", 16, 128)
    bar = "  pipe_barrier(PIPE_V);\n" if barrier else ""
    body = f"""  {full} a;
  TASSIGN(a, 0);
  {full} d1;
  TASSIGN(d1, 8192);
  {full} d2;
  TASSIGN(d2, 16384);
  {row} r1;
  TASSIGN(r1, 65536);
  {row} r2;
  TASSIGN(r2, 65600);
  {g} gx = {g}(x);
  {g} gy1 = {g}(y);
  {g} gy2 = {g}(y + 2048);
  TLOAD(a, gx);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  TEXPANDS(r1, 0.5f);
  pipe_barrier(PIPE_V);
  TEXPANDS(r2, 2.0f);
  pipe_barrier(PIPE_V);
  TROWEXPANDMUL(d1, a, r1);
{bar}  TROWEXPANDMUL(d2, a, r2);
  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
  TSTORE(gy1, d1);
  TSTORE(gy2, d2);
"""
    return kernel("__gm__ float* x, __gm__ float* y", body)


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_racy_original_is_not_reported_as_a_difference(tmp_path):
    racy = tmp_path / "racy.cpp"
    racy.write_text(racy_kernel(False))
    r = sim(str(racy), str(racy), "--seeds", "8", "--no-fix-original")
    assert r.returncode == 4, (r.returncode, r.stdout, r.stderr)
    assert r.stdout.startswith(f"simulate: the original already races: {racy} alone differs")
    assert "GM argument y (float*), byte offset" in r.stdout
    assert "hidden scratch" in r.stdout and "TROWEXPANDMUL" in r.stdout
    assert "difference on seed" in r.stdout and "equal" not in r.stdout.splitlines()[0]
    [js] = json.loads(sim(str(racy), str(racy), "--seeds", "8", "--report", "json", "--no-fix-original").stdout)["files"]
    assert js["status"] == "original races" and js["equal"] is False and js["difference"] is None
    assert js["racy_original"]["where"].startswith("GM argument y")
    # with the barrier the same kernel is race-free, and removing it is a difference (exit 1)
    fixed = tmp_path / "fixed.cpp"
    fixed.write_text(racy_kernel(True))
    assert sim(str(fixed), str(fixed), "--seeds", "8").returncode == 0
    r = sim(str(fixed), str(racy), "--seeds", "8")
    assert r.returncode == 1 and "difference on seed" in r.stdout
    # Without --no-fix-original, the racy kernel against itself is compared with check --fix of
    # it (the barrier check inserts, in both): equal, and said on stderr.
    r = sim(str(racy), str(racy), "--seeds", "8")
    assert r.returncode == 0 and "races on its own; simulating the rewrite against `ptofix check --fix`" in r.stderr


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_exit_statuses(tmp_path):
    a, b, bad = tmp_path / "a.cpp", tmp_path / "b.cpp", tmp_path / "bad.cpp"
    a.write_text(chain(4, 64, True))
    b.write_text(chain(4, 64, False))
    bad.write_text(with_stmt("  PTOAS_SYNC_ALL;"))
    assert sim(str(a), str(a), "--seeds", "2").returncode == 0
    assert sim(str(a), str(b)).returncode == 1
    r = sim(str(a), str(bad))
    assert r.returncode == 2 and f"{bad}:{line_of(bad.read_text(), 'PTOAS_SYNC_ALL')}:3: error: cannot simulate" \
        in r.stderr
    assert "Traceback" not in r.stderr


INTERNAL = """
import sys
from ptofix.sim import memory, pto_calls
from ptofix import cli
where = sys.argv[1]
if where == "interp":
    def boom(self, args):
        raise ZeroDivisionError("planted bug")
    pto_calls.PtoCalls.tassign = boom
else:
    def boom(self, *a, **k):
        raise KeyError("planted bug in a step")
    memory.Memory.write = boom
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("where", ["interp", "step"])
def test_internal_error_is_exit_3_one_line(tmp_path, where):
    a = tmp_path / "a.cpp"
    a.write_text(chain(4, 64, True))
    def run(*extra):
        return subprocess.run([sys.executable, "-c", INTERNAL, where, "simulate", str(a), str(a), *extra],
                                            capture_output=True, text=True, cwd=REPO)
    r = run()
    assert r.returncode == 3, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ptofix: internal error: ") and "please report" in lines[0]
    assert "planted bug" in lines[0] and f"{a}:" in lines[0] and "cannot simulate" not in r.stderr
    r = run("--debug")
    assert r.returncode == 3 and "Traceback" in r.stderr and "planted bug" in r.stderr


def test_help_documents_exit_statuses():
    r = sim("--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())       # (as wrapped to the terminal's width)
    for words in ("0 equal", "1 the rewrite differs", "2 input it cannot run", "3 internal error",
                  "4 the original already races", "docs/commands/simulate.md"):
        assert words in text, words


@pytest.mark.parametrize("prelude", ["#define __PTO_AUTO__\n", "namespace mine {\n}\nnamespace pto = ::mine;\n"])
def test_a_file_that_changes_ptos_names_or_headers_is_not_simulated(prelude):
    text = chain(4, 64, True)
    assert simulate(src(text), src(text), 1, SimOptions()).status == "equal"
    if prelude.startswith("#"):
        text = prelude + text
    else:
        text = defining(prelude.rstrip("\n"), text).replace("using namespace pto;", "using namespace ::pto;")
    assert "cannot simulate: the " in cannot_run(text)


def test_a_gm_view_past_the_modelled_gm_is_refused_at_once():
    # GM is modelled densely up to the highest byte a view reaches: a legal but huge stride would
    # exhaust the machine's memory, so the view is refused where it is built.
    stride = "pto::Stride<1024, 1024, 1024, 32, 100000000>"
    view = f"GlobalTensor<float, pto::Shape<1, 1, 1, 32, 32>, {stride}, pto::Layout::ND>"
    body = (f"  {view} v14 = {view}(v1, pto::Shape<1, 1, 1, 32, 32>(), {stride}());\n"
            f"  {tile('float', 32, 32)} v21;\n  TASSIGN(v21, 0);\n  TLOAD(v21, v14);\n")
    text = kernel("__gm__ float* v1", body)
    out = cannot_run(text)
    assert f"k.cpp:{line_of(text, 'v14 =')}:" in out and f"more than the {GM_MAX_BYTES} bytes of GM" in out, out


def test_a_run_that_issues_too_many_pipe_steps_stops(monkeypatch):
    # (The real cap is 1,000,000 steps; a loop of large tiles would reach it after minutes.)
    from ptofix.sim import schedule
    monkeypatch.setattr(schedule, "MAX_STEPS", 40)
    text = with_stmt("  for (int32_t i0 = 0; i0 < 100; i0 += 1) {\n    TMUL(c, b, b);\n  }")
    assert "more than 40 pipe steps issued" in cannot_run(text)


def test_simulate_bounds_its_options(tmp_path):
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(chain(4, 64, True))
    proc = sim(str(kernel_file), str(kernel_file), "--block-num", "100000")
    assert proc.returncode == 2 and "--block-num: must be at most 256" in proc.stderr
    proc = sim(str(kernel_file), str(kernel_file), "--gm-fill", "x=ints:0:99999999999999999999999")
    assert proc.returncode == 2 and "-2**63 <= LO < HI <= 2**63" in proc.stderr


@pytest.mark.parametrize("literal, value", [("010", 8), ("0x10", 16), ("10", 10), ("0", 0),
                                            ("0xFFFFFFFF + 1", 0), ("4294967295u + 1", 0)])
def test_integer_literals_read_as_cpp_reads_them(literal, value):
    plain = with_stmt("")

    def kernel_if_not(expected: int) -> str:
        # The extra op changes the output exactly when the literal does not read as ``expected``.
        return with_stmt(f"  int64_t s0 = {literal};\n  if (s0 != {expected}) {{\n    TADDS(a, a, 1.0f);\n  }}")
    assert simulate(src(kernel_if_not(value)), src(plain), 1, SimOptions()).status == "equal", literal
    assert simulate(src(kernel_if_not(value + 1)), src(plain), 1, SimOptions()).status == "different", literal


def test_a_store_through_a_pointer_converts_as_c_does():
    # `*bool = 2` stores 1, as `= 1` does: the two kernels are the same program; `= 0` is not.
    store = "  __gm__ bool* flag = (__gm__ bool*)y;\n  flag[2000] = {};\n"
    two, one, zero = (with_stmt(store.format(v)) for v in ("2", "1", "0"))
    assert simulate(src(two), src(one), 1, SimOptions()).status == "equal"
    assert simulate(src(two), src(zero), 1, SimOptions()).status == "different"


@pytest.mark.parametrize("elem, value, expected", [("int64_t", "1e19f", 2 ** 63 - 1), ("int32_t", "1e10f", 2 ** 31 - 1),
                                                   ("int32_t", "-1e10f", -2 ** 31)])
def test_float_to_integer_tile_conversion_saturates_without_wrapping(elem, value, expected):
    from ptofix.sim.memory import saturate
    assert int(saturate(np.array([float(value.rstrip("f"))]), np.dtype(elem.replace("_t", "")))[0]) == expected


def test_integer_tile_division_is_exact_for_64_bit_values():
    from ptofix.sim.ops_numpy import truncating_divide
    a = np.array([2 ** 53 + 1, -7, 7, -7, 5], np.int64)
    b = np.array([1, 2, -2, -2, 0], np.int64)
    assert truncating_divide(a, b).tolist() == [2 ** 53 + 1, -3, -3, 3, 0]      # truncation toward zero, / 0 gives 0


def test_a_gm_pointer_cast_to_an_integer_counts_bytes():
    as_int = with_stmt("  __gm__ float* p0 = (__gm__ float*)((uint64_t)y + 4096);\n  p0[0] = 1.0f;")
    as_ptr = with_stmt("  __gm__ float* p0 = y + 1024;\n  p0[0] = 1.0f;")
    off = with_stmt("  __gm__ float* p0 = y + 1025;\n  p0[0] = 1.0f;")
    assert simulate(src(as_int), src(as_ptr), 1, SimOptions()).status == "equal"
    assert simulate(src(as_int), src(off), 1, SimOptions()).status == "different"


def test_the_push_log_of_a_run_is_bounded(monkeypatch):
    from ptofix.sim import pto_calls
    monkeypatch.setattr(pto_calls, "MAX_PUSHED_BYTES", 3 * 4096)
    text = with_stmt("  TPipe<0, Direction::DIR_V2C, 4096, 1> p0(x, 0, 0);\n"
                     "  for (int32_t i0 = 0; i0 < 8; i0 += 1) {\n    TPUSH(p0);\n  }")
    assert "the pushes of this run would record more than 12288 bytes" in cannot_run(text)


def test_a_bfloat16_scalar_holds_only_what_bf16_holds():
    def adding(value: str) -> str:
        return with_stmt(f"  bfloat16_t s0 = {value};\n  TADDS(a, a, s0);")
    # 1 + 2**-8 lies halfway between bf16's 1.0 and 1.0078125: it rounds to the even 1.0.
    assert simulate(src(adding("1.00390625f")), src(adding("1.0f")), 1, SimOptions()).status == "equal"
    assert simulate(src(adding("1.00390625f")), src(adding("1.0078125f")), 1, SimOptions()).status == "different"


def test_a_col_expand_source_of_another_element_size_is_refused():
    """pto-isa reads TCOLEXPAND*'s sources as dst's element type (ops.SOURCES_READ_AS_DST_TYPE):
    a half row under a float dst is read as floats, which the simulator does not model."""
    body = (f"  {tile('float', 16, 64)} d;\n  TASSIGN(d, 0);\n  {tile('float', 16, 64)} s;\n  TASSIGN(s, 4096);\n"
            f"  {tile('half', 1, 64)} b;\n  TASSIGN(b, 8192);\n  TCOLEXPANDMUL(d, s, b);\n")
    out = cannot_run(kernel("", body))
    assert "TCOLEXPANDMUL: a source of another element size than dst's" in out
    same = body.replace(tile("half", 1, 64), tile("float", 1, 64))
    result = simulate(src(kernel("", same)), src(kernel("", same)), 1, SimOptions())
    assert result is not None


@pytest.mark.parametrize("stmt, why", [
    ("  uint64_t p = (uint64_t)(a.data() - 1);", "UB pointer value -4 does not fit 32 bits"),
    ("  uint64_t p = (uint64_t)(__ubuf__ float *)0x100000000ull;", "does not fit 32 bits"),
    ("  uint64_t p = (uint64_t)((__ubuf__ float **)a.data() + 1);", "a pointer to a pointer is not modelled"),
])
def test_pointer_values_a_32_bit_pointer_may_not_hold_are_refused(stmt, why):
    # The proof reads these values as unknown (a 32-bit local pointer may cut them).
    assert why in cannot_run(with_stmt(stmt))


def test_a_pointer_value_that_fits_runs():
    text = with_stmt("  uint64_t p = (uint64_t)(a.data() + 16);")
    assert simulate(src(text, "k.cpp"), src(text, "k.cpp"), 1, SimOptions()).difference is None


def test_a_tile_off_the_32_byte_grid_is_refused():
    text = with_stmt("").replace("TASSIGN(b, 32768);", "TASSIGN(b, 32784);")
    assert "is not on the 32-byte block grid" in cannot_run(text)


@pytest.mark.parametrize("stmt", ["  TADD(b, 2.0f, a);", "  TEXP(b, 1);", "  TMUL(b, a, RoundMode::CAST_RINT);"])
def test_a_value_where_every_overload_takes_a_tile_is_refused(stmt):
    # The proof reads these as Unknown (pto/ops.py VALUE_ARGUMENTS); the simulator refuses them.
    assert "is a value where every overload ptofix knows takes a tile" in cannot_run(with_stmt(stmt))


@pytest.mark.parametrize("stmt", ["  TEXPANDS(b, a);", "  TDIVS(b, a, a);", "  TAXPY(b, a, a);", "  TCMPS(b, a, a, CmpMode::EQ);"])
def test_a_tile_where_the_op_takes_a_scalar_is_refused(stmt):
    assert "must be a scalar value" in cannot_run(with_stmt(stmt))
