"""PIPE_V barrier proof on the FA sample and the real corpus."""
import glob
import os
import re

import pytest
from conftest import ROOT
from conftest import in_place_gu_barriers as _in_place_gu_barriers

from ptofix.cpp.barrier_decisions import normalize_patterns
from ptofix.cpp.parser import parse_cpp
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")


def run(text, pattern, path="x.cpp"):
    return run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": pattern})], PARSERS)


def test_pattern_names():
    assert normalize_patterns("gu,trowsum-tadd") == {"gu", "softmax-sum-add"}
    assert normalize_patterns("none") == set() and normalize_patterns("off,disabled") == set()
    with pytest.raises(PtofixError) as info:
        normalize_patterns("gu,bogus")
    assert "supported: gu" in info.value.format()


def test_fa_sample_gu_keeps_every_in_place_gu_barrier_and_says_why():
    text = open(FA, encoding="utf-8").read()
    outcome = run(text, "gu")
    decisions = outcome.reports[0]["decisions"]
    gu = [d for d in decisions if d["pattern"] == "gu"]
    # every in-place GU that ptoas left a barrier in (TROWEXPANDMUL(o, o, e); barrier; TADD(o, o, pv)):
    # counted from the file, since ptoas v0.45 already prunes some same-access chains itself.
    # TROWEXPANDMUL writes o column chunk by column chunk, TADD reads it linearly: TADD's repeat 1
    # reads row 0's second chunk, which TROWEXPANDMUL writes in its repeat 32 (issue 55; the rule
    # before counted the 33 repeats issued in between and removed it).
    assert len(gu) == len(_in_place_gu_barriers(text)) and gu
    assert all(d["decision"] == "kept" and "column_chunks, TADD linear" in str(d["reason"]) for d in gu)
    assert outcome.text == text


def test_fa_sample_auto_removes_more_and_explains_every_decision():
    text = open(FA, encoding="utf-8").read()
    gu = run(text, "gu").reports[0]["removed"]
    report = run(text, "auto").reports[0]
    assert report["removed"] > gu
    for d in report["decisions"]:
        assert str(d["reason"])
        if d["decision"] == "kept":
            assert d["hazard"]["kind"] in ("RAW", "WAR", "WAW", "unknown")


def _removed_lines(before, after):
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_real_corpus_auto_only_touches_barriers_and_is_idempotent(corpus_dir):
    removed_total = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "real", "*.cpp"))):
        text = open(path, encoding="utf-8", newline="").read()
        outcome = run(text, "auto", path)
        for old, new in _removed_lines(text, outcome.text):
            assert old.strip() == "pipe_barrier(PIPE_V);"
            assert re.fullmatch(r"\s*/\* ptofix: removed pipe_barrier\(PIPE_V\) \(auto\) \*/", new)
        removed_total += outcome.reports[0]["removed"]
        assert run(outcome.text, "auto", path).text == outcome.text
    assert removed_total > 0


def test_real_fa_kernel_gu(corpus_dir):
    # 03 pops PV as a Tile (TPOP rebinds it into the consumer ring): its address comes from the
    # pipe constructor, and the proof places every byte. Its GU pairs are still no chain: on its
    # 16 x 128 floats TROWEXPANDMUL writes column chunk by column chunk and TADD reads linearly,
    # ahead of it (pto/walks.py; the rule before issue 55 removed all five).
    path = os.path.join(corpus_dir, "real", "03_fa_splitpipe_call_both.cpp")
    text = open(path, encoding="utf-8").read()
    decisions = run(text, "gu", path).reports[0]["decisions"]
    gu = [d for d in decisions if d["pattern"] == "gu"]
    assert len(gu) == 5 and all(d["decision"] == "kept" and "column_chunks, TADD linear" in str(d["reason"])
                                for d in gu)


def test_real_fa_kernel_past_the_ub_keeps_its_gu_barriers(corpus_dir):
    # 02's vector tiles lie at 192..450 KiB of the 192 KiB UB (the kernel faults on an A3): their
    # bytes are unknown, so none of its five gu chains is proved, and each says why.
    path = os.path.join(corpus_dir, "real", "02_fa_call_both.cpp")
    decisions = run(open(path, encoding="utf-8").read(), "gu", path).reports[0]["decisions"]
    gu = [d for d in decisions if d["pattern"] == "gu"]
    assert len(gu) == 5
    assert all(d["decision"] == "kept" and "outside the 192 KiB Vec space" in str(d["reason"]) for d in gu)


def test_reduction_read_is_not_a_same_access_chain():
    # TEXP writes p in place (64 repeats) and TROWSUM reads p with a reduction pattern:
    # not an exact same-access chain (docs/reference/pto-facts.md §6.3), so the barrier stays.
    text = open(FA, encoding="utf-8").read()
    decisions = run(text, "softmax-exp-sum").reports[0]["decisions"]
    for d in decisions:
        if d["after_op"] == "TROWSUM":
            assert d["decision"] == "kept"


T = "Tile<TileType::Vec, {dt}, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>"
C = "Tile<TileType::Vec, float, 32, 1, BLayout::ColMajor, 32, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>"


def _kernel(head, body):
    decls = "\n".join([
        "  const int64_t v2 = 0;", "  const int64_t v3 = 16384;", "  const int64_t v4 = 32768;",
        f"  {T.format(dt='float')} v5;", "  TASSIGN(v5, v2);",
        f"  {T.format(dt='int32_t')} v6;", "  TASSIGN(v6, v3);",
        f"  {C} v7;", "  TASSIGN(v7, v4);",
        f"  {T.format(dt='float')} v8;", "  TASSIGN(v8, v3);"])
    return f"{head} {{\n{decls}\n{body}}}\n"


def _decisions(text, pattern="auto", same_access_chains=False):
    passes = [build_pass("pipe-v-barrier", {"pattern": pattern}, same_access_chains=same_access_chains)]
    return run_pipeline(SourceText(text, "x.cpp"), passes, PARSERS).reports[0]["decisions"]


def test_tcolprod_with_a_static_nonempty_valid_shape_ends_with_a_drain():
    # pto-isa TColProd.hpp runs ColReduceInstr, which ends with pipe_barrier(PIPE_V) (pto-facts.md
    # §2): the barrier between it and a reader of its result is redundant. (With a run-time valid
    # shape it is kept: tests/fixtures/kept_barriers/drain_r55_tcolprod_no_internal_barrier.cpp.)
    row = "Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128, SLayout::NoneBox, 512, PadValue::Null, " \
          "CompactMode::Null>"
    body = (f"  {row} d;\n  TASSIGN(d, 65536);\n  {row} z;\n  TASSIGN(z, 66048);\n"
            "  TCOLPROD(d, v5);\n  pipe_barrier(PIPE_V);\n  TADD(z, d, d);\n")
    text = _kernel('extern "C" __global__ AICORE void k()', body)
    assert [d["decision"] for d in _decisions(text)] == ["removed"]
    kept = text.replace("TCOLPROD(d, v5);", "TADDS(d, d, 1.0f);")
    assert [d["decision"] for d in _decisions(kept)] == ["kept"]


def test_function_without_callers_is_not_a_clean_entry():
    body = "  TADDS(v5, v5, 1.0f);\n  pipe_barrier(PIPE_V);\n  TMULS(v5, v5, 2.0f);\n"
    entry = _decisions(_kernel('extern "C" __global__ AICORE void k()', body), same_access_chains=True)
    helper = _decisions(_kernel("static AICORE void helper()", body), same_access_chains=True)
    assert entry[0]["decision"] == "removed"          # in-place 64-repeat chain in a kernel entry (opt-in)
    assert helper[0]["decision"] == "kept"            # a caller elsewhere may have work in flight
    assert helper[0]["hazard"]["kind"] == "unknown"
    # msSanitizer's rule (the default) credits no chain: the entry's barrier stays, and says why.
    kept = _decisions(_kernel('extern "C" __global__ AICORE void k()', body))[0]
    assert kept["decision"] == "kept" and kept["hazard"]["same_access_chain"] is True
    assert "a PTOAS #674 same-access chain, not credited: msSanitizer's race check flags this pair" in str(kept["reason"])


def test_integer_tcvt_may_use_the_hidden_scratch():
    body = "  TCVT(v5, v6, RoundMode::CAST_RINT);\n  pipe_barrier(PIPE_V);\n  TROWEXPANDMUL(v8, v8, v7);\n"
    d = _decisions(_kernel('extern "C" __global__ AICORE void k()', body))[0]
    assert d["decision"] == "kept" and d["hazard"]["earlier"]["operand"] == "<hidden TMP_UB scratch>"


def test_address_taken_scalar_is_unknown():
    from ptofix.cpp.semantics import analyse_function
    src = """extern "C" __global__ AICORE void k() {
  int64_t v1 = 0;
  int64_t* v2 = &v1;
  *v2 = 4096;
  int64_t v3 = 0;
  int64_t v4 = v3 & 1;
}
"""
    mem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert mem.value_set("v1") is None
    assert mem.value_set("v4") == frozenset({0})      # bitwise & is not an address-of


def test_call_in_loop_header_is_unknown_work():
    body = ("  for (int32_t v9 = 0; v9 < mystery(); v9 += 1) {\n    TADDS(v5, v5, 1.0f);\n"
            "    pipe_barrier(PIPE_V);\n    TMULS(v5, v5, 2.0f);\n  }\n")
    # A helper of the file (a name declared nowhere may be a macro hiding a jump: not modelled).
    helper = f"static AICORE int32_t mystery() {{\n  {T.format(dt='float')} w;\n  TASSIGN(w, 0);\n" \
             "  TADDS(w, w, 1.0f);\n  return 4;\n}\n"
    d = _decisions(helper + _kernel('extern "C" __global__ AICORE void k()', body))[0]
    assert d["decision"] == "kept" and d["hazard"]["kind"] == "unknown", d


@pytest.mark.parametrize("weight", ["\u00b2=3", "10=\u00b2", "10=" + "9" * 5000, "x=1", "10"])
def test_bad_weight_values_are_input_errors(weight):
    text = open(FA, encoding="utf-8").read()
    with pytest.raises(PtofixError, match="expected LINE=N"):
        run_pipeline(SourceText(text, FA), [build_pass("pipe-v-barrier", {"pattern": "gu", "weight": weight})],
                     PARSERS)


def test_a_weight_on_a_line_without_a_barrier_is_reported():
    text = open(FA, encoding="utf-8").read()
    line = 1 + text[:text.index("pipe_barrier(PIPE_V)")].count("\n")
    outcome = run_pipeline(SourceText(text, FA), [build_pass("pipe-v-barrier", {"pattern": "gu",
                                                                              "weight": f"{line}=3,5=7"})], PARSERS)
    assert outcome.warnings == [f"{FA}: warning: --weight 5=7: there is no pipe_barrier(PIPE_V) on that line"]


def test_a_walk_that_crosses_too_many_removed_barriers_keeps_the_barrier():
    """Two ops that write the same bytes with 66 PIPE_V barriers between them: each may go but one.
    Once 65 are removed, the walk from the last crosses more than MAX_REMOVED_CROSSED removed
    barriers; it must stop with an Unknown (keep), not stop short and call the window clean."""
    from ptofix.cpp.barriers import MAX_REMOVED_CROSSED
    tile = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
    count = MAX_REMOVED_CROSSED + 2
    text = (f"__global__ AICORE void k(__gm__ float* p) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} x;\n"
            f"  TASSIGN(x, 65536);\n  {tile} y;\n  TASSIGN(y, 73728);\n  TADD(x, a, a);\n"
            + "  pipe_barrier(PIPE_V);\n" * count + "  TADD(x, y, y);\n}\n")
    decisions = run(text, "auto").reports[0]["decisions"]
    assert len(decisions) == count
    assert [d["decision"] for d in decisions].count("kept") == 1, [str(d["reason"]) for d in decisions]
    kept = next(d for d in decisions if d["decision"] == "kept")
    assert f"more than {MAX_REMOVED_CROSSED} removed barriers in one window" in str(kept["reason"]), str(kept["reason"])


_SMALL_TILE = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"


def _independent_ops_kernel(ops_before: int, ops_after: int, between: str = "") -> str:
    """A PIPE_ALL drain, ``ops_before`` vector ops on tiles of their own, ``between``, one PIPE_V
    barrier, then ``ops_after`` more: no two ops share a byte, so the barrier is redundant."""
    count = ops_before + ops_after
    decls = "".join(f"  {_SMALL_TILE} t{i};\n  TASSIGN(t{i}, {64 * i});\n" for i in range(count))
    ops = [f"  TADD(t{i}, t{i}, t{i});\n" for i in range(count)]
    return (f"__global__ AICORE void k() {{\n{decls}  pipe_barrier(PIPE_ALL);\n" + "".join(ops[:ops_before])
            + between + "  pipe_barrier(PIPE_V);\n" + "".join(ops[ops_before:]) + "}\n")


@pytest.mark.parametrize("side", ["before", "after"])
def test_a_window_of_too_many_ops_keeps_the_barrier(side):
    """The work per walk is bounded (so a proof costs linear time whatever the kernel's shape): a
    window of MAX_WINDOW_OPS ops is still proved, one more op and the walk stops with an Unknown
    (the barrier is kept, reported as not analysed), never stops short and calls the rest clean."""
    from ptofix.cpp.barriers import MAX_WINDOW_OPS
    for ops, expected in ((MAX_WINDOW_OPS, "removed"), (MAX_WINDOW_OPS + 1, "kept")):
        text = _independent_ops_kernel(ops, 1) if side == "before" else _independent_ops_kernel(1, ops)
        [decision] = run(text, "auto").reports[0]["decisions"]
        assert decision["decision"] == expected, (ops, str(decision["reason"]))
    assert f"more than {MAX_WINDOW_OPS} vector ops in one window (not analysed)" in str(decision["reason"])


def test_a_window_of_too_many_walk_states_keeps_the_barrier():
    """Flag statements of other pipes are walk states but no ops: the walk is bounded by its states
    too. Two ops on bytes of their own, with MAX_WINDOW_STATES flag statements between them and the
    barrier: kept, with the reason."""
    from ptofix.cpp.barriers import MAX_WINDOW_STATES
    flags = "  set_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID0);\n  wait_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID0);\n"
    few = run(_independent_ops_kernel(1, 1, flags * 8), "auto").reports[0]["decisions"]
    assert [d["decision"] for d in few] == ["removed"], few
    [decision] = run(_independent_ops_kernel(1, 1, flags * (MAX_WINDOW_STATES // 2)), "auto").reports[0]["decisions"]
    assert decision["decision"] == "kept", str(decision["reason"])
    assert f"more than {MAX_WINDOW_STATES} walk states in one window (not analysed)" in str(decision["reason"])


_TILE_A = ("  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null> a;\n"
           "  TASSIGN(a, 0);\n")


def _assert_only_unread_barriers(text: str, reasons: list[str]) -> None:
    """``text`` is unchanged and its report holds exactly one kept, unread barrier per reason."""
    outcome = run(text, "auto")
    assert outcome.text == text
    report = outcome.reports[0]
    assert report["barriers"] == len(reasons) and report["removed"] == 0
    unread = [d for d in report["decisions"] if d.get("unread")]
    assert len(unread) == len(reasons) == len(report["decisions"])
    for d, why in zip(unread, reasons, strict=True):
        assert d["decision"] == "kept" and why in str(d["reason"]), str(d["reason"])


@pytest.mark.parametrize("body, reasons", [
    # A lambda is one opaque statement; after it, `pipe_barrier` may name the copy it declares.
    ("  auto f = [&]() {\n    TADD(a, a, a);\n  }, pipe_barrier = f;\n  f();\n  TADD(a, a, a);\n"
     "  pipe_barrier(PIPE_V);\n  TMUL(a, a, a);\n",
     ["inside a construct ptofix does not model (braced construct)",
      "not read as pipe_barrier(PIPE_V): call to 'pipe_barrier': 'pipe_barrier' may be declared"]),
    # A pipe in a variable, and a statement the grammar cannot parse; PIPE_MTE2's is no candidate.
    ("  pipe_t p = PIPE_V;\n  TADD(a, a, a);\n  pipe_barrier(p);\n  TMUL(a, a, a);\n  pipe_barrier(PIPE_MTE2);\n"
     "  pipe_barrier(PIPE_V) +;\n  TMUL(a, a, a);\n",
     ["not read as pipe_barrier(PIPE_V): pipe_barrier: 'p' is a local variable here",
      "in a statement the grammar does not understand"]),
    # Statements nested deeper than the structure reads: the body is one opaque statement.
    ("  TADD(a, a, a);\n" + "  {\n" * 201 + "  pipe_barrier(PIPE_V);\n" + "  }\n" * 201 + "  TMUL(a, a, a);\n",
     ["inside a construct ptofix does not model (unstructured body: statements nested deeper than 200"]),
])
def test_a_barrier_the_model_does_not_read_is_reported_kept_with_its_reason(body, reasons):
    """A pipe_barrier the model cannot read as PIPE_V's is no candidate (it stays, draining nothing
    in the proof), but the report counts it, kept, with why: never '0 of 0 barriers'."""
    text = f"__global__ AICORE void k(int64_t n) {{\n{_TILE_A}{body}}}\n"
    _assert_only_unread_barriers(text, reasons)


def test_each_barrier_an_opaque_construct_spells_is_reported_where_it_is():
    """A lambda is one opaque statement: each pipe_barrier its code spells is counted and located
    at itself; one in a comment or string is none, and neither is another pipe's."""
    body = ("  auto f = [&]() {\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    // pipe_barrier(PIPE_V);\n"
            "    pipe_barrier(PIPE_MTE2);\n    const char *s = \"pipe_barrier(PIPE_V)\";\n    pipe_barrier(PIPE_V);\n  };\n"
            "  f();\n")
    text = f"__global__ AICORE void k(int64_t n) {{\n{_TILE_A}{body}}}\n"
    report = run(text, "auto").reports[0]
    assert [(d["line"], d["column"], d["unread"]) for d in report["decisions"]] == [(6, 5, True), (10, 5, True)]
    assert report["barriers"] == 2 and report["removed"] == 0


@pytest.mark.parametrize("defines, body, reasons", [
    # A statement-like macro (its ';' makes the body unstructured): the use is reported where it is.
    ("#define SYNCV pipe_barrier(PIPE_V);\n", "  TADD(a, a, a);\n  SYNCV\n  TMUL(a, a, a);\n",
     ["uses the macro 'SYNCV'"]),
    # A function-like macro, through another macro, in a statement and in a for header.
    ("#define SYNCV2() pipe_barrier(PIPE_V)\n#define OUTER SYNCV2()\n",
     "  TADD(a, a, a);\n  if (n > 0) OUTER;\n  for (int i = 0; i < n; SYNCV2(), ++i) {\n    TMUL(a, a, a);\n  }\n",
     ["uses the macro 'OUTER'", "uses the macro 'SYNCV2'"]),
    # Defined inside the body: the #define is no use; another pipe's barrier macro is no barrier.
    ("#define SYNCM pipe_barrier(PIPE_MTE2)\n",
     "  TADD(a, a, a);\n#define LATE() pipe_barrier(PIPE_V)\n  SYNCM;\n  LATE();\n  TMUL(a, a, a);\n",
     ["uses the macro 'LATE'"]),
    # Defined and never used: no barrier runs.
    ("#define UNUSED() pipe_barrier(PIPE_V)\n", "  TADD(a, a, a);\n  TMUL(a, a, a);\n", []),
])
def test_a_barrier_inside_a_macro_is_reported_at_each_use(defines, body, reasons):
    """The model reads a macro's use as its name, not as the pipe_barrier it expands to: each use
    of a macro whose expansion may hold one is counted, kept, with the macro's name."""
    text = f"{defines}__global__ AICORE void k(int64_t n) {{\n{_TILE_A}{body}}}\n"
    _assert_only_unread_barriers(text, reasons)


def test_a_helper_that_only_uses_a_barrier_macro_is_still_reported():
    """A function whose text spells no pipe_barrier is not modelled for decisions, unless it uses a
    barrier macro: then its use is reported like any other."""
    text = (f"#define SYNCV() pipe_barrier(PIPE_V)\nstatic AICORE void h() {{\n  SYNCV();\n}}\n"
            f"__global__ AICORE void k(int64_t n) {{\n{_TILE_A}  TADD(a, a, a);\n  h();\n}}\n")
    report = run(text, "auto").reports[0]
    [decision] = report["decisions"]
    assert decision["function"] == "h" and decision["unread"] and decision["line"] == 3
    assert report["barriers"] == 1 and report["removed"] == 0


def _helper_chain(depth: int) -> str:
    """A kernel calls h{depth-1}, which calls ... h0, whose barrier has nothing before it in h0: it
    is redundant only if h0's entry is clean, which depends on every caller up the chain."""
    tile = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"
    helpers = [f"static AICORE void h0({tile} &x) {{\n  pipe_barrier(PIPE_V);\n  TMUL(x, x, x);\n}}\n"]
    helpers += [f"static AICORE void h{i}({tile} &x) {{\n  h{i - 1}(x);\n}}\n" for i in range(1, depth)]
    return "".join(helpers) + (f"__global__ AICORE void k() {{\n  {tile} a;\n  TASSIGN(a, 0);\n  pipe_barrier(PIPE_ALL);\n"
                               f"  h{depth - 1}(a);\n  pipe_barrier(PIPE_ALL);\n}}\n")


def test_a_helper_is_traced_back_through_a_bounded_chain_of_callers():
    """Callers are traced back MAX_CALL_DEPTH calls deep (bounded recursion): within it h0's entry is
    proved clean and its barrier goes; one call deeper it is taken as not clean (kept), and a chain
    of 1600 helpers is analysed, not refused as input nested too deeply."""
    from ptofix.cpp.barriers import MAX_CALL_DEPTH
    bound = f"vector work issued outside h0() may be in flight (its callers are traced at most {MAX_CALL_DEPTH} calls deep)"
    for depth, expected in ((MAX_CALL_DEPTH, "removed"), (MAX_CALL_DEPTH + 1, "kept"), (1600, "kept")):
        first = run(_helper_chain(depth), "auto").reports[0]["decisions"][0]
        assert first["decision"] == expected, (depth, str(first["reason"]))
        assert (bound in str(first["reason"])) == (expected == "kept"), str(first["reason"])
    # Not clean for another reason (h0 is not static: other files may call it): no bound named.
    first = run(_helper_chain(3).replace("static AICORE void h0", "AICORE void h0"), "auto").reports[0]["decisions"][0]
    assert first["decision"] == "kept" and "outside h0() may be in flight" in str(first["reason"])
    assert "traced at most" not in str(first["reason"])


def test_a_tile_type_is_read_again_once_a_local_alias_may_change_its_words():
    # Both declarations share one template node (one text at one offset); the type kept for the
    # first must not be reused once `E` names a local alias.
    from ptofix.cpp.semantics import analyse_function
    tile = "Tile<TileType::Vec, E, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>"
    src = ("using E = float;\n"
           f'extern "C" __global__ AICORE void k() {{\n  {tile} a;\n  TASSIGN(a, 0);\n'
           f"  using E = half;\n  {tile} b;\n  TASSIGN(b, 4096);\n}}\n")
    mem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    a, b = (next(sym for sym in mem.symbols if sym.name == name) for name in "ab")
    assert (a.tile.dtype, b.tile.dtype) == ("float", "half")


@pytest.mark.parametrize("shape, expected", [("pto::Shape<1, 1, 1, 32, 32>", (32, 32)),
                                             ("pto::Shape<32, 32>", None)])
def test_a_global_tensor_shape_is_read_only_with_its_five_dimensions(shape, expected):
    # `Shape<32, 32>` binds 32 to its first two dimensions of five, not to rows and columns.
    from ptofix.cpp.op_events import global_tensor_shape
    from ptofix.cpp.semantics import analyse_function
    src = (f'extern "C" __global__ AICORE void k(__gm__ float* p) {{\n'
           f"  GlobalTensor<float, {shape}, pto::Stride<1024, 1024, 1024, 32, 1>, pto::Layout::ND> g(p);\n}}\n")
    mem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert global_tensor_shape(next(sym for sym in mem.symbols if sym.name == "g")) == expected


def test_a_second_run_keeps_what_the_first_kept_past_the_crossing_bound():
    # 200 and 80 barriers in a row: a walk gives up after 64 removed barriers, so the first run keeps
    # a few. A second run reads the first run's removals (their markers) as removed barriers too,
    # so it gives up where the first did: nothing left to change.
    tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>"
    text = (f"__global__ AICORE void k() {{\n  {tile} a;\n  TASSIGN(a, 0);\n  {tile} c;\n  TASSIGN(c, 8192);\n"
            "  TADD(a, a, a);\n" + "  pipe_barrier(PIPE_V);\n" * 200 + "  TADD(c, c, c);\n"
            + "  pipe_barrier(PIPE_V);\n" * 80 + "  TADD(a, a, a);\n}\n")
    first = run(text, "auto")
    kept = [d for d in first.reports[0]["decisions"] if d["decision"] == "kept"]
    assert kept and all("more than 64 removed barriers" in str(d["reason"]) for d in kept)
    second = run(first.text, "auto")
    assert second.text == first.text
    assert second.reports[0]["barriers"] == len(kept) and second.reports[0]["removed"] == 0


def test_a_second_run_keeps_what_the_first_kept_where_removals_stay_statements():
    # Barriers as the bodies of braceless ifs become `/* removed */;`: read as removed barriers too.
    tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>"
    text = (f"__global__ AICORE void k(int32_t f) {{\n  {tile} a;\n  TASSIGN(a, 0);\n  TADD(a, a, a);\n"
            + "  if (f) pipe_barrier(PIPE_V);\n" * 100 + "  TADD(a, a, a);\n}\n")
    first = run(text, "auto")
    assert first.reports[0]["removed"] < 100
    assert run(first.text, "auto").text == first.text


def test_removals_interact_and_a_one_by_one_count_decides_each_barrier_alone():
    # Each barrier alone is redundant (the other one drains TADDS before TROWSUM reads v5); removing
    # both lets TROWSUM read v5 while TADDS may still write it (a reduction is no same-access
    # chain), so `auto` removes one of them, and a one-by-one count (scripts/header_reach.py
    # --one-by-one) counts both.
    from ptofix.cpp.barriers import BarrierAnalysis
    body = (f"  {T.format(dt='float')} z;\n  TASSIGN(z, 65536);\n"
            "  TADDS(v5, v5, 1.0f);\n  pipe_barrier(PIPE_V);\n  TMULS(v8, v8, 2.0f);\n"
            "  pipe_barrier(PIPE_V);\n  TROWSUM(v7, v5, z);\n")
    text = _kernel('extern "C" __global__ AICORE void k()', body)
    assert sorted(d["decision"] for d in _decisions(text)) == ["kept", "removed"]
    alone = BarrierAnalysis(parse_cpp(SourceText(text, "x.cpp"))).run({"auto"}, independent=True)
    assert [d.removed for d in alone] == [True, True]
