"""Adversarial kernels against the relaxations of the barrier proof: TEXP as a same-access chain
producer, a float TCVT as a chain consumer, the scalar two-operand TCI, and the selection's joint
re-proof. Each kept barrier is one the hardware needs (pto-isa a2a3 at 3186c381: TCvt.hpp,
TUnaryOp.hpp, TCI.hpp; docs/reference/pto-facts.md §5.3), and each test names the wrong rule
that would remove it. A removal test shows the rule is not blocked where the facts allow it."""
from __future__ import annotations

import random

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.races import find_races
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.pto.race_model import RaceModel
from ptofix.source import SourceText


def _tile(dt: str, rows: int, cols: int, valid: str, layout: str = "RowMajor") -> str:
    return f"Tile<TileType::Vec, {dt}, {rows}, {cols}, BLayout::{layout}, {valid}, SLayout::NoneBox, 512, PadValue::Null>"


def removed(text: str, race_model: RaceModel = RaceModel.SAME_ACCESS_CHAINS) -> list[bool]:
    """The removals under the opt-in race model (--same-access-chains), whose chain rule these
    kernels attack, unless ``race_model`` says otherwise."""
    model = parse_cpp(SourceText(text, "adversary.cpp"))
    return [d.removed for d in BarrierAnalysis(model, race_model=race_model).run({"auto"}) if not d.unread]


def _kernel(decls: str, body: str) -> str:
    return f"__global__ AICORE void k(int32_t n) {{\n{decls}  pipe_barrier(PIPE_ALL);\n{body}}}\n"


def _decl(name: str, tile: str, address: int | str) -> str:
    return f"  {tile} {name};\n  TASSIGN({name}, {address});\n"


F32 = _tile("float", 16, 128, "16, 128")          # 8 KiB: 32 repeats of 256 bytes
BF16 = _tile("half", 16, 128, "16, 128")  # (float -> half: the pair the trace backs)
# x is the chained tile, y the producer's source, h the conversion's destination.
XYH = _decl("x", F32, 0) + _decl("y", F32, 16384) + _decl("h", BF16, 32768)
CVT = "TCVT(h, x, RoundMode::CAST_RINT);"


def _pair(first: str, second: str, decls: str = XYH) -> str:
    return _kernel(decls, f"  {first}\n  pipe_barrier(PIPE_V);\n  {second}\n")


# ---- TEXP -> float TCVT ---------------------------------------------------------------------------

def test_texp_into_a_float_conversion_chains():
    # (The FA softmax's TEXP -> TCVT; the in-place f32 -> f32 conversion reads and writes the
    # chained access itself, both in address order.)
    assert removed(_pair("TEXP(x, y);", CVT)) == [True]
    assert removed(_pair("TEXP(x, y);", "TCVT(x, x, RoundMode::CAST_RINT);")) == [True]
    # msSanitizer's rule (the default) credits no chain: both stay.
    assert removed(_pair("TEXP(x, y);", CVT), RaceModel.MSSANITIZER_A2A3) == [False]
    assert removed(_pair("TEXP(x, y);", "TCVT(x, x, RoundMode::CAST_RINT);"), RaceModel.MSSANITIZER_A2A3) == [False]


@pytest.mark.parametrize("extra, second", [
    # A bf16 destination at x's own address: the conversion overwrites the first half of the bytes
    # TEXP is still writing (a WAW of another access). Wrong: excusing every overlap of a
    # conversion that reads the chain.
    (_decl("ha", BF16, 0), "TCVT(ha, x, RoundMode::CAST_RINT);"),
    # ... over the second half of x.
    (_decl("ha", BF16, 4096), "TCVT(ha, x, RoundMode::CAST_RINT);"),
    # The tmp form. Wrong: taking every TCVT as one vconv a row.
    (_decl("t", F32, 49152), "TCVT(h, x, t, RoundMode::CAST_RINT);"),
    # A ColMajor destination. Wrong: checking the source's layout only.
    (_decl("hc", _tile("half", 16, 128, "16, 128", "ColMajor"), 49152), "TCVT(hc, x, RoundMode::CAST_RINT);"),
])
def test_a_conversion_writing_over_or_walking_unlike_the_chain_keeps_its_barrier(extra, second):
    assert removed(_pair("TEXP(x, y);", second, XYH + extra)) == [False]


def test_a_chained_tile_of_two_possible_addresses_keeps_its_barrier():
    # Wrong: taking the access at one of its addresses as the exact access.
    decls = XYH.replace("TASSIGN(x, 0);", "if (n) {\n    TASSIGN(x, 0);\n  } else {\n    TASSIGN(x, 8192);\n  }")
    assert removed(_pair("TEXP(x, y);", CVT, decls)) == [False]


def test_a_short_half_producer_is_no_chain_even_when_the_conversion_is_long():
    # TEXP of 8 x 128 halves is 8 repeats; the conversion to float writes 16 repeats of dst.
    # Wrong: counting the consumer's (or its destination's) repeats instead of the producer's.
    decls = (_decl("x", _tile("half", 8, 128, "8, 128"), 0) + _decl("y", _tile("half", 8, 128, "8, 128"), 16384)
             + _decl("h", _tile("float", 8, 128, "8, 128"), 32768))
    assert removed(_pair("TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_NONE);", decls)) == [False]
    # 16 x 128 halves (16 repeats) do chain: the conversion reads 128 bytes a repeat, later still.
    decls = (_decl("x", _tile("half", 16, 128, "16, 128"), 0)
             + _decl("y", _tile("half", 16, 128, "16, 128"), 16384) + _decl("h", F32, 32768))
    assert removed(_pair("TEXP(x, y);", "TCVT(h, x, RoundMode::CAST_NONE);", decls)) == [True]


@pytest.mark.parametrize("rows", [16, 8])
def test_a_column_chunk_producer_before_a_conversion_keeps_its_barrier(rows):
    # TROWEXPANDSUB walks 2 column chunks of rows repeats each, the conversion reads row by row:
    # its repeat 1 reads row 0's second chunk, written in the producer's repeat `rows`. Wrong:
    # taking the conversion's linear walk as the producer's too (8 x 128 floats are 16 repeats),
    # and (the rule before issue 55) counting the repeats between the write and the read (17).
    kept = True
    decls = (_decl("x", _tile("float", rows, 128, f"{rows}, 128"), 0)
             + _decl("y", _tile("float", rows, 128, f"{rows}, 128"), 16384)
             + _decl("h", _tile("half", rows, 128, f"{rows}, 128"), 32768)
             + _decl("m", _tile("float", rows, 8, f"{rows}, 1", "ColMajor"), 49152))
    assert removed(_pair("TROWEXPANDSUB(x, y, m);", CVT, decls)) == [not kept]


@pytest.mark.parametrize("body", [
    # The conversion of the next iteration reads what this one's TEXP writes: across the loop's
    # back-edge, which PTOAS's rule excludes. Wrong: ignoring the back-edge for a conversion.
    f"  for (int32_t i = 0; i < n; i++) {{\n    {CVT}\n    TEXP(x, y);\n    pipe_barrier(PIPE_V);\n  }}\n",
    # The same around a backward goto (a loop the model does not structure).
    f"again:\n  {CVT}\n  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n  if (n-- > 0) goto again;\n",
    # TLOG (vln) on one path: no hardware run stands behind it. Wrong: judging one path's producer.
    f"  if (n) {{\n    TEXP(x, y);\n  }} else {{\n    TLOG(x, y);\n  }}\n  pipe_barrier(PIPE_V);\n  {CVT}\n",
    # TSQRT last before the barrier: the producer of the bytes the conversion reads is TSQRT.
    f"  TEXP(x, y);\n  TSQRT(x, x);\n  pipe_barrier(PIPE_V);\n  {CVT}\n",
])
def test_a_texp_chain_the_hardware_does_not_stand_behind_keeps_its_barrier(body):
    assert removed(_kernel(XYH, body)) == [False]


def test_a_conversion_chained_only_across_the_back_edge_keeps_its_barrier():
    # The second barrier's only pair is TEXP of one iteration -> the conversion of the next (the
    # first barrier drains the rest): across the loop's back-edge, which PTOAS's rule excludes.
    # Wrong: ignoring the back-edge when the consumer is a conversion.
    body = (f"  for (int32_t i = 0; i < n; i++) {{\n    {CVT}\n    pipe_barrier(PIPE_V);\n    TEXP(x, y);\n"
            "    pipe_barrier(PIPE_V);\n  }\n")
    assert removed(_kernel(XYH, body)) == [False, False]
    # Straight, the same pair chains.
    assert removed(_kernel(XYH, f"  {CVT}\n  pipe_barrier(PIPE_V);\n  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n"
                                f"  {CVT}\n")) == [False, True]



@pytest.mark.parametrize("body", [
    # An inner x at 4096: the conversion reads half of the outer x's bytes and half past them.
    # Wrong: matching the chained access by the tile's name.
    f"  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n  {{\n    {F32} x;\n    TASSIGN(x, 4096);\n    {CVT}\n  }}\n",
    # x moved after the barrier: the same name, another access.
    f"  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n  TASSIGN(x, 4096);\n  {CVT}\n",
    # TLOG in one preprocessor branch (a macro the command line may define).
    f"#if defined(USE_LOG)\n  TLOG(x, y);\n#else\n  TEXP(x, y);\n#endif\n  pipe_barrier(PIPE_V);\n  {CVT}\n",
    # TSQRT on one case of a switch.
    f"  switch (n) {{\n  case 0:\n    TEXP(x, y);\n    break;\n  default:\n    TSQRT(x, y);\n    break;\n  }}\n"
    f"  pipe_barrier(PIPE_V);\n  {CVT}\n",
])
def test_a_conversion_of_another_access_or_after_another_producer_keeps_its_barrier(body):
    assert removed(_kernel(XYH, body)) == [False]
    # (The conversion of x itself chains. A copy of the tile is another buffer value for ptoas, whose
    # exact access is BaseMemInfo::operator==, the same baseBuffer: PTOAS SyncCommon.h:111-119; the
    # same bytes under another variable are no chain, as ptoas keeps its barrier.)
    assert removed(_kernel(XYH, f"  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n  {CVT}\n")) == [True]
    copy = f"  {F32} c = x;\n  TEXP(x, y);\n  pipe_barrier(PIPE_V);\n  TCVT(h, c, RoundMode::CAST_RINT);\n"
    assert removed(_kernel(XYH, copy)) == [False]


# ---- the scalar TCI -----------------------------------------------------------------------------

CI = "Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64>"
TMP = "Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256>"
SMALL = _tile("float", 8, 64, "8, 64")
TCI_DECLS = _decl("a", SMALL, 0) + _decl("b", SMALL, 4096) + _decl("ci", CI, 16384) + _decl("citmp", TMP, 20480)
PAIR = "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_ALL);\n"


@pytest.mark.parametrize("macro, call", [
    # Two arguments as written, three once ARGS expands: the tmp form, which may leave count mode.
    # Wrong: trusting the written argument count.
    ("#define ARGS 0, citmp\n", f"TCI<{CI}, {TMP}, int32_t, 1>(ci, ARGS);"),
    ("#define ARGS 0, citmp\n", "TCI(ci, ARGS);"),
    ("#define FILL(d) d, 0, citmp\n", "TCI(FILL(ci));"),
    # A macro spelling the callee.
    ("#define FILL TCI\n", "FILL(ci, 0, citmp);"),
])
def test_a_tci_whose_arguments_a_macro_spells_keeps_every_barrier(macro, call):
    assert removed(macro + _kernel(TCI_DECLS, f"{PAIR}  {call}\n{PAIR}")) == [False, False]


def test_a_start_value_from_a_helper_that_switches_to_count_mode_keeps_what_follows():
    # The scalar TCI itself leaves the mask mode alone, but its start value runs a helper that
    # does not. Wrong: exempting the whole statement for its callee.
    helper = "static AICORE int32_t start(int32_t v) {\n  set_mask_count();\n  return v;\n}\n"
    text = helper + _kernel(TCI_DECLS, f"  set_mask_norm();\n{PAIR}  TCI(ci, start(1));\n  pipe_barrier(PIPE_ALL);\n{PAIR}")
    found = [d for d in BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"}) if not d.unread]
    assert [d.removed for d in found] == [True, False]
    assert "may run in count mode" in found[1].reason, found[1].reason


# ---- the selection's joint re-proof: a differential against `check` -----------------------------

def _random_kernel(rng: random.Random) -> str:
    """Up to 14 ops over long tiles (chains possible: TEXP, TMULS, TADD, TROWEXPANDSUB producers;
    TCVT and TSQRT consumers), a short one and its conversion, with barriers after most, inside
    loops and branches (weights: the loops' counts)."""
    decls = (_decl("a", F32, 0) + _decl("b", F32, 8192) + _decl("c", F32, 16384) + _decl("d", F32, 24576)
             + _decl("h", BF16, 32768) + _decl("g", BF16, 36864) + _decl("hb", BF16, 8192)
             + _decl("s", _tile("float", 4, 128, "4, 128"), 40960)
             + _decl("m", _tile("float", 16, 8, "16, 1", "ColMajor"), 45056)
             + _decl("hs", _tile("half", 4, 128, "4, 128"), 4096))

    def op() -> str:
        x, y, z = rng.choice("abcd"), rng.choice("abcd"), rng.choice("abcd")
        return rng.choice([f"TEXP({x}, {y});", f"TEXP({x}, {x});", f"TCVT({rng.choice(['h', 'g', 'hb'])}, {x}, "
                           "RoundMode::CAST_RINT);", f"TMULS({x}, {y}, 2.0f);", f"TADD({x}, {y}, {z});",
                           f"TSQRT({x}, {y});", f"TCVT({x}, {y}, RoundMode::CAST_RINT);", "TADDS(s, s, 1.0f);",
                           f"TROWEXPANDSUB({x}, {y}, m);", "TCVT(hs, s, RoundMode::CAST_RINT);"])

    lines, depth = [], 0
    for _ in range(rng.randint(4, 14)):
        pad = "  " * (depth + 1)
        r = rng.random()
        if r < 0.08 and depth < 2:
            lines.append(pad + "for (int32_t i = 0; i < n; i++) {")
            depth += 1
        elif r < 0.14 and depth < 2:
            lines.append(pad + "if (n > 3) {")
            depth += 1
        elif r < 0.22 and depth > 0:
            depth -= 1
            lines.append("  " * (depth + 1) + "}")
        pad = "  " * (depth + 1)
        lines.append(pad + op())
        if rng.random() < 0.8:
            lines.append(pad + "pipe_barrier(PIPE_V);")
    while depth:
        depth -= 1
        lines.append("  " * (depth + 1) + "}")
    return _kernel(decls, "\n".join(lines) + "\n")


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.parametrize("same_access_chains", [False, True])
def test_random_chain_kernels_lose_no_barrier_check_then_finds_a_race_without(same_access_chains):
    # `check` walks the output from every op with the removed barriers gone: a removal proved
    # only alone, or under a stale view of the others, shows up as a race the input did not have.
    # (Deciding each barrier with every other one in place, as a one-by-one count does, leaves
    # such races in these kernels.)
    rng = random.Random(45)
    changed = 0
    for _ in range(300):
        text = _random_kernel(rng)
        out = run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"},
                                                                  same_access_chains=same_access_chains)], PARSERS)
        changed += out.text != text
        model = RaceModel.of(same_access_chains)
        before = len(find_races(parse_cpp(SourceText(text, "k.cpp")), race_model=model)[0])
        after = len(find_races(parse_cpp(SourceText(out.text, "k.cpp")), race_model=model)[0])
        assert after <= before, out.text
    assert changed > (250 if same_access_chains else 50)     # (the kernels do exercise the removals)


def test_barriers_of_a_helper_without_vector_work_leave_the_caller_s_pair_its_own_barrier():
    # The helper's barriers go first (the loops weigh them more) while the caller's are in place;
    # the caller's entry and exit cleanliness the proofs read is remembered from then. Then the
    # caller's first barrier goes (the helper's middle one drains after it). The caller's walks
    # take the call as no drain, so the RAW on x across the call keeps the caller's second barrier
    # whatever the helper's barriers became. Wrong: a caller's walk stopping at a helper's barrier
    # that a later removal (read with the remembered entry/exit) takes away.
    small = _tile("float", 4, 128, "4, 128")
    text = f"""static AICORE void h({small}& t) {{
  for (int32_t i = 0; i < 4; i++) {{
    pipe_barrier(PIPE_V);
  }}
  pipe_barrier(PIPE_V);
  for (int32_t i = 0; i < 4; i++) {{
    pipe_barrier(PIPE_V);
  }}
}}

__global__ AICORE void k(int32_t n) {{
{_decl("x", small, 0)}{_decl("y", small, 4096)}{_decl("z", small, 8192)}  pipe_barrier(PIPE_ALL);
  for (int32_t j = 0; j < 2; j++) {{
    pipe_barrier(PIPE_V);
    TADDS(x, y, 1.0f);
    pipe_barrier(PIPE_V);
    h(x);
    pipe_barrier(PIPE_V);
    TADDS(z, x, 1.0f);
  }}
}}
"""
    assert removed(text) == [True, True, True, False, True, False]
    out = run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    assert find_races(parse_cpp(SourceText(out.text, "k.cpp")))[0] == []


# ---- TMRGSORT's single-list form: how far it merges over every blockLen it may get ---------------

def _merge_kernel(body: str) -> str:
    def row(cols: int) -> str:
        return (f"Tile<TileType::Vec, float, 1, {cols}, BLayout::RowMajor, 1, {cols}, SLayout::NoneBox, 512, "
                "PadValue::Null, CompactMode::Null>")
    # 1000 source columns: blockLen 64 merges 3 repeats of 4 x 64 (3072 bytes into d), blockLen 128
    # one repeat of 4 x 128 (2048 bytes): only the first reaches x at 2560.
    decls = _decl("d", row(640), 0) + _decl("x", row(64), 2560) + _decl("s", row(1000), 8192)
    return _kernel(decls, f"  TEXP(x, x);\n  pipe_barrier(PIPE_V);\n{body}")


@pytest.mark.parametrize("body, expected", [
    ("  TMRGSORT(d, s, 128);\n", [True]),
    ("  TMRGSORT(d, s, 64);\n", [False]),
    # Either blockLen: the farther reach counts. Wrong: one of the values only.
    ("  int32_t L = n > 0 ? 128 : 64;\n  TMRGSORT(d, s, L);\n", [False]),
    ("  int32_t L = 128;\n  if (n > 0) {\n    L = 64;\n  }\n  TMRGSORT(d, s, L);\n", [False]),
    # A loop variable: not pinned down. Wrong: its first value.
    ("  for (int32_t L = 128; L >= 64; L = L / 2) {\n    TMRGSORT(d, s, L);\n  }\n", [False]),
])
def test_a_single_list_merge_reaches_as_far_as_its_largest_whole_repeats(body, expected):
    assert removed(_merge_kernel(body)) == expected
