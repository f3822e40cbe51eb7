"""Labels and gotos in the barrier proof's control-flow graph.

ptoas's EmitC output lowers unstructured control flow (an scf.while with a break) to `goto labelN;`
and `labelN:` at the top level of the body, every variable declared first. Each kernel below holds
`TADD(a, a, a)` on `a` at UB [0, 8192) and a `TMUL(b, b, b)` on `b`, either at 4096 (an overlap,
no same-access chain) or at 65536 (none), with the barrier under test between them on some path.
A model that reads the jumps too kindly removes a needed barrier; the controls show that the same
kernel with `b` elsewhere loses its barrier, so each test can fail.
"""
from __future__ import annotations

import random

import pytest

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.model import GotoStmt, LabelStmt, OpaqueStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
HEAD = "__global__ AICORE void k(int32_t n)"


def _kernel(body: str, b_at: int, declarations: str = "") -> str:
    return (f"{HEAD} {{\n  {TILE} a;\n  {TILE} b;\n  bool go;\n{declarations}  TASSIGN(a, 0);\n"
            f"  TASSIGN(b, {b_at});\n  pipe_barrier(PIPE_ALL);\n{body}}}\n")


def _decisions(src: str) -> list:
    return [d for d in BarrierAnalysis(parse_cpp(SourceText(src, "goto.cpp"))).run({"auto"}) if not d.unread]


def _removed(src: str) -> list[bool]:
    return [d.removed for d in _decisions(src)]


# The shape of ptoas's scf.while-with-break lowering: a loop head, a body that may break out, a
# latch that jumps back. (The head drains, so only the pair in the body meets at the barrier.)
WHILE_BREAK = """  goto label2;
label2:
  pipe_barrier(PIPE_ALL);
  go = n > 0;
  if (go) {
    goto label3;
  } else {
    goto label5;
  }
label3:
  TADD(a, a, a);
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
  if (n == 2) {
    goto label4;
  } else {
    goto label2;
  }
label4:
  goto label5;
label5:
  return;
"""


def test_the_parser_reads_labels_and_gotos():
    src = _kernel(WHILE_BREAK, 65536)
    fn = parse_cpp(SourceText(src, "goto.cpp")).functions[0]
    jumps = [(type(s).__name__, s.label if isinstance(s, GotoStmt) else s.name)
             for s in fn.body.walk() if isinstance(s, (GotoStmt, LabelStmt))]
    assert jumps[:4] == [("GotoStmt", "label2"), ("LabelStmt", "label2"), ("GotoStmt", "label3"),
                         ("GotoStmt", "label5")]
    # Both stay opaque statements to every reader that does not model jumps (the simulator).
    assert all(isinstance(s, OpaqueStmt) for s in fn.body.walk() if isinstance(s, (GotoStmt, LabelStmt)))


def test_a_computed_goto_is_no_goto_statement():
    src = f"{HEAD} {{\n  void *p;\n  goto *p;\n}}\n"
    fn = parse_cpp(SourceText(src, "goto.cpp")).functions[0]
    assert not any(isinstance(s, GotoStmt) for s in fn.body.walk())


def test_ptoas_while_break_loop_is_modelled():
    assert _removed(_kernel(WHILE_BREAK, 65536)) == [True]
    kept = _decisions(_kernel(WHILE_BREAK, 4096))
    assert [d.removed for d in kept] == [False]
    assert "not modelled" not in kept[0].reason and "TMUL" in kept[0].reason


def test_a_backward_goto_is_a_loop_back_edge():
    # Around the goto, TMUL(b) of one iteration meets TADD(a) of the next at the second barrier.
    body = ("label1:\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n  pipe_barrier(PIPE_V);\n"
            "  if (n) {\n    goto label1;\n  }\n")
    kept = _decisions(_kernel(body, 4096))
    assert [d.removed for d in kept] == [False, False] and "back-edge" in kept[1].reason
    # With b elsewhere either barrier may go, not both: TADD(a) would then meet itself around it.
    assert sorted(_removed(_kernel(body, 65536))) == [False, True]


def test_a_forward_goto_that_skips_a_barrier_keeps_the_next_one():
    # On the goto's path TADD(a) reaches the second barrier undrained.
    body = ("  TADD(a, a, a);\n  if (n) {\n    goto done;\n  }\n  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n"
            "done:\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n")
    declarations = f"  {TILE} c;\n  TASSIGN(c, 32768);\n"
    kept = _decisions(_kernel(body, 4096, declarations))
    assert [d.removed for d in kept] == [True, False] and "TADD" in kept[1].reason
    assert _removed(_kernel(body, 65536, declarations)) == [True, True]


def test_a_goto_past_the_binding_leaves_the_first_state():
    # `c` is declared without an address; the goto skips its TASSIGN, so at TMUL(c) it may be
    # unbound (a static tile would sit at 0, over a).
    body = ("  if (n) {\n    goto use;\n  }\n  TASSIGN(c, 65536);\nuse:\n  TADD(a, a, a);\n"
            "  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n")
    declarations = f"  static {TILE} c;\n"
    kept = _decisions(_kernel(body, 65536, declarations))
    assert [d.removed for d in kept] == [False]
    # The control: the label before the binding, every path binds c first.
    control = ("  if (n) {\n    goto use;\n  }\nuse:\n  TASSIGN(c, 65536);\n  TADD(a, a, a);\n"
               "  pipe_barrier(PIPE_V);\n  TMUL(c, c, c);\n")
    assert _removed(_kernel(control, 65536, declarations)) == [True]


# Jumps the graph does not model: the whole function stays unmodelled, with the reason.
UNMODELLED = {
    "goto past a declaration": ("  if (n) {\n    goto later;\n  }\n  int64_t q = 1;\nlater:\n  TADD(a, a, a);\n"
                                "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", "jumps past the declaration of 'q'"),
    "goto past a statement ptofix cannot read": (
        "  if (n) {\n    goto later;\n  }\n  int q[] = {1, 2};\nlater:\n  TADD(a, a, a);\n"
        "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", "jumps past a statement ptofix does not read"),
    "label in a nested block": ("  if (n) {\n    goto inner;\n  }\n  {\n  inner:\n    TADD(a, a, a);\n  }\n"
                                "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", "inside a nested statement"),
    "label never defined": ("  if (n) {\n    goto nowhere;\n  }\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n"
                            "  TMUL(b, b, b);\n", "'nowhere', which is not defined"),
    "label defined twice": ("  TADD(a, a, a);\n  goto twice;\ntwice:\n  pipe_barrier(PIPE_V);\ntwice:\n"
                            "  TMUL(b, b, b);\n", "defined twice"),
    "label in another #if section": ("#if defined(X)\n  goto there;\n#else\nthere:\n#endif\n  TADD(a, a, a);\n"
                                     "  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", "#if section"),
    "computed goto": ("  void *p = &&there;\n  TADD(a, a, a);\n  goto *p;\nthere:\n  pipe_barrier(PIPE_V);\n"
                      "  TMUL(b, b, b);\n", "goto"),
}


@pytest.mark.parametrize("name", sorted(UNMODELLED))
def test_jumps_the_graph_does_not_model_keep_every_barrier(name):
    body, why = UNMODELLED[name]
    decisions = _decisions(_kernel(body, 65536))
    assert decisions and not any(d.removed for d in decisions), name
    assert all("not modelled" in d.reason and why in d.reason for d in decisions), decisions[0].reason


def test_a_label_spelled_by_a_macro_is_not_read():
    src = "#define HERE there\n" + _kernel(
        "  TADD(a, a, a);\n  goto HERE;\nthere:\n  pipe_barrier(PIPE_V);\n  TMUL(b, b, b);\n", 65536)
    decisions = _decisions(src)
    assert decisions and not any(d.removed for d in decisions)


def test_ptoas_goto_lowering_in_an_if_section_is_modelled():
    # ptoas wraps the body in `#if defined(__DAV_VEC__)`: labels there are the body's own.
    body = "#if defined(__DAV_VEC__)\n" + WHILE_BREAK.replace("  return;\n", "") + "#endif\n"
    assert _removed(_kernel(body, 65536)) == [True]
    assert _removed(_kernel(body, 4096)) == [False]


REWRITTEN = """extern "C" __global__ AICORE void k(__gm__ float* v1, int32_t n) {
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v5;
  TASSIGN(v5, 0);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v6;
  TASSIGN(v6, 16384);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v7;
  TASSIGN(v7, 0);
  GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND> v8 = GlobalTensor<float, pto::Shape<1, 1, 1, 32, 128>, pto::Stride<4096, 4096, 4096, 128, 1>, pto::Layout::ND>(v1);
  TMULS(v6, v5, 2.0f);
{skip}  set_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID0);
  TLOAD(v7, v8);
  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
{label}  pipe_barrier(PIPE_V);
  TADDS(v7, v7, 1.0f);
}
"""


def test_a_goto_past_another_pipe_s_rewrite_keeps_the_barrier():
    # TLOAD rewrites v5's bytes as v7 between TMULS and TADDS, ordered by flags: the barrier goes
    # (rule b). A goto from before the rewrite to a label after it skips it: TADDS then writes
    # the bytes TMULS may still read.
    control = REWRITTEN.replace("{skip}", "").replace("{label}", "")
    assert _removed(control) == [True]
    skipped = REWRITTEN.replace("{skip}", "  if (n) {\n    goto after;\n  }\n").replace("{label}", "after:\n")
    kept = _decisions(skipped)
    assert [d.removed for d in kept] == [False] and "TMULS" in kept[0].reason, kept[0].reason


def test_a_rewrite_by_a_tile_of_two_possible_addresses_excuses_nothing():
    # The TLOAD's tile is at 0 or at 32768: where it went to 32768 it did not rewrite the bytes
    # TMULS reads, and TADDS (at 0, through another tile) writes them while TMULS may still read.
    both = REWRITTEN.replace("{skip}", "").replace("{label}", "").replace(
        "  TASSIGN(v7, 0);\n",
        "  if (n) {\n    TASSIGN(v7, 0);\n  } else {\n    TASSIGN(v7, 32768);\n  }\n"
        "  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null> v9;\n"
        "  TASSIGN(v9, 0);\n").replace("TADDS(v7, v7, 1.0f);", "TADDS(v9, v9, 1.0f);")
    kept = _decisions(both)
    assert [d.removed for d in kept] == [False] and "TMULS" in kept[0].reason, kept[0].reason
    # With its one address the same rewrite excuses the pair.
    one = both.replace("    TASSIGN(v7, 32768);", "    TASSIGN(v7, 0);")
    assert _removed(one) == [True]


def test_a_barrier_removed_right_after_a_label_stays_a_statement():
    # `done: }` does not compile before C++23: the label needs its statement.
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    body = "  TADD(a, a, a);\n  if (n) {\n    goto done;\n  }\n  TADD(a, a, a);\ndone:\n  pipe_barrier(PIPE_V);\n"
    src = _kernel(body, 65536)
    out = run_pipeline(SourceText(src, "goto.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS).text
    assert "done:\n  /* ptofix: removed pipe_barrier(PIPE_V) (auto) */;\n}" in out, out
    # In the middle of a list the marker is a plain comment. (TADD(a, a, a) twice is a PTOAS #674
    # same-access chain: removed under --same-access-chains only.)
    middle = src.replace("  TADD(a, a, a);\ndone:", "  pipe_barrier(PIPE_V);\n  TADD(a, a, a);\ndone:")
    chains = build_pass("pipe-v-barrier", {"pattern": "auto", "same-access-chains": "1"})
    out = run_pipeline(SourceText(middle, "goto.cpp"), [chains], PARSERS).text
    assert "  /* ptofix: removed pipe_barrier(PIPE_V) (auto) */\n  TADD" in out, out


# A differential check against an oracle of its own: random bodies of write-only ops
# (`TEXPANDS(t, 1.0f)`: every conflict is a WAW, never a same-access chain), barriers, labels and
# conditional or plain gotos to them, forward and backward. After the pass, any two ops one path
# connects with no barrier left between them (around loops included, an op with itself) must
# not overlap in UB bytes, unless the input already left them so.
GOTO_TILES = {"t0": 0, "t1": 4096, "t2": 8192, "t3": 16384}
GOTO_TILE_BYTES = 8192      # (16 x 128 floats: t0/t1 and t1/t2 overlap, t3 overlaps none)


def _random_body(rng: random.Random) -> list[tuple[str, str]]:
    labels = [f"L{i}" for i in range(rng.randint(1, 3))]
    items: list[tuple[str, str]] = [("label", name) for name in labels]
    for _ in range(rng.randint(4, 14)):
        kind = rng.choice(["op", "op", "op", "barrier", "barrier", "goto", "cond_goto"])
        items.append((kind, rng.choice(list(GOTO_TILES)) if kind == "op" else rng.choice(labels)
                      if kind != "barrier" else ""))
    rng.shuffle(items)
    return items


def _render(items: list[tuple[str, str]]) -> str:
    lines = []
    for kind, arg in items:
        if kind == "op":
            lines.append(f"  TEXPANDS({arg}, 1.0f);")
        elif kind == "barrier":
            lines.append("  pipe_barrier(PIPE_V);")
        elif kind == "label":
            lines.append(f"{arg}:")
        elif kind == "goto":
            lines.append(f"  goto {arg};")
        else:
            lines.append(f"  if (n) {{\n    goto {arg};\n  }}")
    decls = "".join(f"  {TILE} {name};\n  TASSIGN({name}, {at});\n" for name, at in GOTO_TILES.items())
    return f"{HEAD} {{\n{decls}  pipe_barrier(PIPE_ALL);\n" + "\n".join(lines) + "\n  ;\n}\n"


def _oracle_violations(items: list[tuple[str, str]], kept: list[bool]) -> list[tuple[int, int]]:
    """Pairs (earlier op, later op) of item indices a barrier-free path connects that overlap."""
    where = {arg: index for index, (kind, arg) in enumerate(items) if kind == "label"}
    barrier_kept = iter(kept)
    blocked = {index: next(barrier_kept) for index, (kind, _) in enumerate(items) if kind == "barrier"}

    def successors(index: int) -> list[int]:
        kind, arg = items[index]
        if kind == "goto":
            return [where[arg]]
        nexts = [index + 1] if index + 1 < len(items) else []
        return nexts + [where[arg]] if kind == "cond_goto" else nexts

    out = []
    for start, (kind, tile) in enumerate(items):
        if kind != "op":
            continue
        seen: set[int] = set()
        stack = successors(start)
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            other_kind, other = items[index]
            if other_kind == "barrier" and blocked[index]:
                continue
            if other_kind == "op" and abs(GOTO_TILES[tile] - GOTO_TILES[other]) < GOTO_TILE_BYTES:
                out.append((start, index))
            stack.extend(successors(index))
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_random_goto_bodies_lose_no_needed_barrier(chunk):
    removed_total = 0
    for seed in range(chunk * 150, (chunk + 1) * 150):
        rng = random.Random(seed)
        items = _random_body(rng)
        src = _render(items)
        decisions = sorted(_decisions(src), key=lambda d: d.stmt.span.start)
        assert len(decisions) == sum(kind == "barrier" for kind, _ in items), (seed, src)
        assert not any("not modelled" in d.reason for d in decisions), (seed, decisions[0].reason)
        removed_total += sum(d.removed for d in decisions)
        # (Pairs the input leaves unseparated are its own races, not the pass's.)
        before = set(_oracle_violations(items, [True] * len(decisions)))
        bad = set(_oracle_violations(items, [not d.removed for d in decisions])) - before
        assert not bad, (seed, bad, src)
    assert removed_total > 0      # (the check has something to check)


def test_the_goto_oracle_catches_a_wrong_removal():
    # Removing every barrier of the random bodies leaves some pair unseparated: the check can fail.
    caught = 0
    for seed in range(50):
        items = _random_body(random.Random(seed))
        barriers = sum(kind == "barrier" for kind, _ in items)
        before = set(_oracle_violations(items, [True] * barriers))
        caught += bool(set(_oracle_violations(items, [False] * barriers)) - before)
    assert caught > 10
