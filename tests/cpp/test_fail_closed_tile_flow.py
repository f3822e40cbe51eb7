"""Fail closed on flow-sensitive tile values: a tile's valid shape and address at an op are those that reach
it along the control flow (loops and their back edges, preprocessor branches, unstructured jumps), checked
by hand-written adversaries and against a reference on random structured kernels.

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fail_closed import TILE, kernel, removed
from test_fail_closed_chains import _dynamic_chain
from test_fail_closed_control_and_scope import DYN

# -- A tile's valid shape and address at an op are those that reach it along the control flow ----
# d (16 x 128, run-time valid shape) sits at [0, 8192), a at [8192, 16384): walked with more than
# 16 valid rows, d reaches a and the barrier between TADD(a) and TMUL(d) must stay. g is read from
# memory, so the model cannot tell whether it fits.
_FLOW_HEAD = (f"__global__ AICORE void k(__gm__ int64_t* x, int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 8192);\n"
              "  int64_t g = x[0];\n")
_FLOW_OP = "  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TMUL(d, d, d);\n"


def _in_loop(body: str) -> str:
    inner = "".join(f"  {line}\n" for line in body.splitlines())
    return f"  for (int64_t i = 0; i < n; i += 1) {{\n{inner}  }}\n"


def test_a_valid_shape_set_after_the_op_does_not_reach_it():
    # PyPTO's loop bodies (real/41_exp_gate_up_act.cpp): the tile is constructed 16 x 128 each
    # iteration, written, and only then given its run-time valid shape.
    body = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(_FLOW_HEAD + _in_loop(body) + "}\n") == [True]
    assert removed(_FLOW_HEAD + body + "}\n") == [True]
    # Set before the op, the unknown shape reaches it.
    before = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(g, 128);\n{_FLOW_OP}"
    assert removed(_FLOW_HEAD + _in_loop(before) + "}\n") == [False]
    assert removed(_FLOW_HEAD + before + "}\n") == [False]


@pytest.mark.parametrize("setup", [
    "  d.SetValidShape(g, 128);\n",                                  # set before the op
    "  if (n > 0) {\n    d.SetValidShape(g, 128);\n  }\n",             # on one path
    "  d.SetValidShape(16, 128);\n  if (n > 0) {\n    d.SetValidShape(g, 128);\n  }\n",
    "  for (int64_t j = 0; j < n; j += 1) {\n    d.SetValidShape(g, 128);\n  }\n",
    "  d.SetValidShape(g, 128);\n  if (n > 0) {\n    d.SetValidShape(16, 128);\n  }\n",   # reset on one path
    "  d.SetValidShape(g, 128);\n  {\n    int64_t m = 16;\n  }\n  if (n > 0)\n    d.SetValidShape(16, 128);\n",
])
def test_an_unknown_valid_shape_that_may_reach_the_op_keeps_the_barrier(setup):
    src = _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + setup + _FLOW_OP + "}\n"
    assert removed(src) == [False]
    # (Control: the same code with a shape that fits.)
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]


def test_a_shape_set_later_in_the_loop_reaches_the_op_through_the_back_edge():
    # Declared before the loop: the second iteration's TMUL walks the shape the first one set.
    src = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n"
           + _in_loop(f"{_FLOW_OP}  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(src) == [False]
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]
    # Constructed anew in the body before the op, it is 16 x 128 again each time.
    inside = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n"
              + _in_loop(f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(inside) == [True]


@pytest.mark.parametrize("change", [
    "  grow(d);\n",                       # this file's function, through a reference
    "  opaque_grow(d);\n",                # a function the model cannot see
    # A reference or a pointer to it: it changes where no statement names it. (In a block of its
    # own: a statement the model cannot read leaves an unknown event at its block's end.)
    "  {\n    DynTile& r = d;\n    r.SetValidShape(32, 128);\n  }\n",
    "  {\n    DynTile& r = d;\n    d.SetValidShape(16, 128);\n    r.SetValidShape(32, 128);\n  }\n",
    "  {\n    DynTile* p = &d;\n    d.SetValidShape(16, 128);\n    p->SetValidShape(32, 128);\n  }\n",
])
def test_a_tile_changed_where_the_model_cannot_follow_stays_unknown(change):
    # Set to a fitting shape first: what follows may change it past the tile, at that statement or
    # (a reference or a pointer kept) at any later one.
    helpers = f"using DynTile = {DYN};\nAICORE void grow({DYN}& t) {{\n  t.SetValidShape(32, 128);\n}}\n"
    src = (helpers + _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(16, 128);\n"
           + change + _FLOW_OP + "}\n")
    assert removed(src) == [False]


@pytest.mark.parametrize("jump", [
    "  switch (n) {\n  case 1:\n    d.SetValidShape(g, 128);\n    break;\n  default:\n    break;\n  }\n",
    "  if (n > 0) {\n    goto later;\n  }\n  d.SetValidShape(g, 128);\nlater:\n",
])
def test_a_shape_set_in_unstructured_control_flow_reaches_the_op(jump):
    src = (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + jump + "  d.SetValidShape(16, 128);\n"
           + _FLOW_OP.replace("  TMUL(d, d, d);\n", "  TMUL(d, d, d);\n  d.SetValidShape(g, 128);\n") + "}\n")
    assert removed(src) == [False]


def test_a_copy_then_tassign_is_at_the_tassigned_address():
    # PyPTO's `Tile v42; Tile v43 = v42; TASSIGN(v43, addr);` (real/40_rmsnorm_rope.cpp): v42 has
    # no address, but v43 is at addr wherever it is used after the TASSIGN.
    copy = f"{TILE} s;\n  {TILE} b = s;"
    assert removed(kernel("  TASSIGN(b, 65536);", b_decl=copy)) == [True]
    assert removed(kernel("  TASSIGN(b, 4096);", b_decl=copy)) == [False]
    # The TASSIGN on one path only: b may still have s's (unknown) address.
    assert removed(kernel("  if (n > 0) {\n    TASSIGN(b, 65536);\n  }", b_decl=copy)) == [False]


def test_an_address_assigned_later_in_the_loop_reaches_the_op_through_the_back_edge():
    before = "  TASSIGN(b, 65536);\n  for (int64_t i = 0; i < n; i += 1) {\n"
    body = ("    pipe_barrier(PIPE_ALL);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(b, b, b);\n"
            "    TASSIGN(b, ADDR);\n  }\n")
    src = f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n" + before + body + "}\n"
    assert removed(src.replace("ADDR", "4096")) == [False]
    assert removed(src.replace("ADDR", "65536")) == [True]
    # Declared and bound in the body before the op: the later TASSIGN never reaches it.
    inside = src.replace("    pipe_barrier(PIPE_ALL);\n", f"    {TILE} b;\n    TASSIGN(b, 65536);\n    pipe_barrier(PIPE_ALL);\n", 1)
    assert removed(inside.replace("ADDR", "4096")) == [True]


def test_a_tile_set_past_the_record_bound_takes_every_shape_of_the_function():
    from ptofix.cpp.tile_flow import MAX_TILE_RECORDS
    # Bounded work: a tile with more records than the bound is read flow-insensitively, so the
    # shape set after the op reaches it again.
    def src(sets: int) -> str:
        body = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + "  d.SetValidShape(16, 128);\n" * sets \
            + f"{_FLOW_OP}  d.SetValidShape(g, 128);\n"
        return _FLOW_HEAD + _in_loop(body) + "}\n"
    assert removed(src(MAX_TILE_RECORDS - 4)) == [True]
    assert removed(src(MAX_TILE_RECORDS)) == [False]


def test_a_run_time_valid_shape_set_after_the_chain_does_not_stop_it():
    # The chain check reads the shape that reaches each op: a SetValidShape after the consumer
    # (PyPTO's loop bodies) leaves both ops walking the constant shape; before the producer, it
    # leaves x with a run-time shape, which chains nothing.
    after = _dynamic_chain("r", "c", "TADD(x, y, y);", "TADD(z, x, x);\n  x.SetValidShape(n, c);")
    assert removed(after) == [True]
    before = _dynamic_chain("r", "c", "TADD(x, y, y);", "TADD(z, x, x);", "  x.SetValidShape(n, c);\n")
    assert removed(before) == [False]


# -- Adversarial cases for the flow-sensitive tile values: each keeps a barrier a wrong reading of
# the control flow would remove (the control beside each shows the same kernel loses it when the
# shape fits or the address is elsewhere, so each case can fail).
def _nested(outer_setup: str, inner_tail: str, outer_tail: str) -> str:
    inner = f"    for (int64_t j = 0; j < n; j += 1) {{\n  {_FLOW_OP.replace(chr(10) + '  ', chr(10) + '    ')}{inner_tail}    }}\n"
    return (_FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(8, 128);\n"
            + f"  for (int64_t i = 0; i < n; i += 1) {{\n{outer_setup}{inner}{outer_tail}  }}\n}}\n")


@pytest.mark.parametrize("src", [
    # Set after the inner loop holding the op, in the outer one: the outer back-edge brings it to
    # the op (a reading that follows only the innermost loop's later statements loses it).
    _nested("", "", "    d.SetValidShape(g, 128);\n"),
    # Set in the outer loop before the inner one, then after the op inside the inner one: the inner
    # back-edge brings it round without passing the outer set (a reading that asks whether the set
    # is inside *a* loop around the op, not the innermost one, loses it).
    _nested("    d.SetValidShape(8, 128);\n", "      d.SetValidShape(g, 128);\n", ""),
])
def test_a_shape_set_later_in_an_enclosing_or_inner_loop_reaches_the_op(src):
    assert removed(src) == [False]
    assert removed(src.replace("SetValidShape(g,", "SetValidShape(8,")) == [True]


@pytest.mark.parametrize("decl", [
    f"static {DYN} d(16, 128);",
    f"{DYN} static d(16, 128);",
    "static DynAlias d(16, 128);",           # `static` on a declaration whose type is an alias
    "DynAlias static d(16, 128);",
    "thread_local DynAlias d(16, 128);",
])
def test_a_static_tile_in_a_loop_keeps_the_shape_its_last_iteration_set(decl):
    # Constructed once: the shape set after the op in one iteration is the next iteration's (a
    # reading that takes the declaration as a construction each time it runs loses it).
    helpers = f"using DynAlias = {DYN};\n"
    body = f"  {decl}\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(helpers + _FLOW_HEAD + _in_loop(body) + "}\n") == [False]
    plain = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n{_FLOW_OP}  d.SetValidShape(g, 128);\n"
    assert removed(helpers + _FLOW_HEAD + _in_loop(plain) + "}\n") == [True]


def test_a_shape_set_in_a_preprocessor_branch_dominates_only_inside_it():
    # Either branch (or none) is compiled: after `#endif` the earlier run-time shape may still hold.
    setup = f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(g, 128);\n"
    after = _FLOW_HEAD + setup + "#if FAST\n  d.SetValidShape(8, 128);\n#endif\n" + _FLOW_OP + "}\n"
    assert removed(after) == [False]
    # Inside the branch, after the set, the op walks the set shape.
    inside = _FLOW_HEAD + setup + "#if FAST\n  d.SetValidShape(8, 128);\n" + _FLOW_OP + "#endif\n}\n"
    assert removed(inside) == [True]


@pytest.mark.parametrize("change", [
    # A header of a for or an if, a while or do loop and a declaration's initializer are no
    # statement the history records: the run-time shape set there reaches the op (a history that
    # skipped them would take the earlier fitting shape as the one that reaches it).
    "  for (int64_t i = 0; i < n; d.SetValidShape(g, 128)) {\n    i += 1;\n  }\n",
    "  for (int64_t i = 0; (d.SetValidShape(g, 128), i < n); i += 1) {\n  }\n",
    "  if ((d.SetValidShape(g, 128), n > 0)) {\n  }\n",
    "  int64_t i = 0;\n  while (i < n) {\n    i += 1;\n    d.SetValidShape(g, 128);\n  }\n",
    "  do {\n    d.SetValidShape(g, 128);\n  } while (n < 0);\n",
    "  int64_t z = reshape_rows(d, g);\n",
])
def test_a_shape_set_outside_a_plain_statement_reaches_the_op(change):
    helpers = f"AICORE int64_t reshape_rows({DYN}& t, int64_t rows) {{\n  t.SetValidShape(rows, 128);\n  return 0;\n}}\n"
    head = helpers + _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n  d.SetValidShape(8, 128);\n"
    assert removed(head + change + _FLOW_OP + "}\n") == [False]
    assert removed(head + _FLOW_OP + "}\n") == [True]


def test_a_tassign_binds_every_value_its_address_variable_takes():
    # The TASSIGN in the loop dominates the op, but its variable is 4096 from the second iteration
    # on: scalars keep every definition (a value read at the TASSIGN's place in the source, 65536
    # only, would remove the barrier).
    src = (f"__global__ AICORE void k(int64_t n) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
           "  int64_t p = 65536;\n  TASSIGN(b, p);\n  for (int64_t i = 0; i < n; i += 1) {\n    TASSIGN(b, p);\n"
           "    pipe_barrier(PIPE_ALL);\n    TADD(a, a, a);\n    pipe_barrier(PIPE_V);\n    TMUL(b, b, b);\n"
           "    p = 4096;\n  }\n}\n")
    assert removed(src) == [False]
    assert removed(src.replace("    p = 4096;\n", "")) == [True]


# Random structured kernels (blocks, if/else, for loops with break and continue, blocks that declare
# their own d) around one barrier: where the barrier goes, no path may bring a run-time valid shape
# of the op's d to the op. The reference below follows every path (each branch, each loop run any
# number of times) and keeps the possible last shapes of each d; ptofix may keep more barriers. (A
# history that lets the latest earlier set stand for every path, or forgets the back-edges, fails.)
_LEAF = st.sampled_from([("fit",), ("runtime",)])


def _flow_tree(children: st.SearchStrategy) -> st.SearchStrategy:
    body = st.lists(children, max_size=3)
    return st.one_of(st.tuples(st.just("if"), body, st.one_of(st.none(), body)), st.tuples(st.just("for"), body),
                     st.tuples(st.just("block"), body), st.tuples(st.just("own d"), body),
                     st.tuples(st.just("jump"), st.sampled_from(["break", "continue"])))


_FLOW_PROGRAMS = st.lists(st.recursive(_LEAF, _flow_tree, max_leaves=10), max_size=4)


def _statement_lists(stmts: list, out: list) -> list:
    out.append(stmts)
    for stmt in stmts:
        if stmt[0] in ("for", "block", "own d", "if"):
            _statement_lists(stmt[1], out)
        if stmt[0] == "if" and stmt[2] is not None:
            _statement_lists(stmt[2], out)
    return out


def _render_flow(stmts: list, depth: int, in_loop: bool) -> str:
    pad = "  " * depth
    out = ""
    for stmt in stmts:
        kind = stmt[0]
        if kind == "fit":
            out += f"{pad}d.SetValidShape(8, 128);\n"
        elif kind == "runtime":
            out += f"{pad}d.SetValidShape(g, 128);\n"
        elif kind == "op":
            out += "".join(f"{pad}{line.strip()}\n" for line in _FLOW_OP.splitlines())
        elif kind == "if":
            out += f"{pad}if (n > {depth}) {{\n{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}"
            out += f" else {{\n{_render_flow(stmt[2], depth + 1, in_loop)}{pad}}}\n" if stmt[2] is not None else "\n"
        elif kind == "for":
            out += (f"{pad}for (int64_t i{depth} = 0; i{depth} < n; i{depth} += 1) {{\n"
                    f"{_render_flow(stmt[1], depth + 1, True)}{pad}}}\n")
        elif kind == "block":
            out += f"{pad}{{\n{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}\n"
        elif kind == "own d":
            out += (f"{pad}{{\n{pad}  {DYN} d(16, 128);\n{pad}  TASSIGN(d, 0);\n"
                    f"{_render_flow(stmt[1], depth + 1, in_loop)}{pad}}}\n")
        elif in_loop:       # a jump outside any loop is left out
            out += f"{pad}if (x[{depth}] > 0) {{\n{pad}  {stmt[1]};\n{pad}}}\n"
    return out


def _reaching_shapes(stmts: list, state: frozenset, at_op: set, in_loop: bool) -> tuple:
    """(states after ``stmts``, states at a break, states at a continue) from ``state``: the
    possible last shapes of d ('ctor', 'fit', 'runtime'); ``at_op`` collects those at the op."""
    breaks: set = set()
    continues: set = set()
    for stmt in stmts:
        kind = stmt[0]
        if not state:
            break
        if kind in ("fit", "runtime"):
            state = frozenset([kind])
        elif kind == "op":
            at_op.update(state)
        elif kind == "if":
            then = _reaching_shapes(stmt[1], state, at_op, in_loop)
            orelse = _reaching_shapes(stmt[2], state, at_op, in_loop) if stmt[2] is not None else (state, set(), set())
            state = then[0] | orelse[0]
            breaks |= then[1] | orelse[1]
            continues |= then[2] | orelse[2]
        elif kind == "block":
            state, more_breaks, more_continues = _reaching_shapes(stmt[1], state, at_op, in_loop)
            breaks |= more_breaks
            continues |= more_continues
        elif kind == "own d":
            # Its own d, constructed 16 x 128: the outer d keeps its shape, also where a jump leaves.
            _, inner_breaks, inner_continues = _reaching_shapes(stmt[1], frozenset(["ctor"]), at_op, in_loop)
            breaks |= state if inner_breaks else set()
            continues |= state if inner_continues else set()
        elif kind == "for":
            head, exits = state, set()
            while True:
                after, loop_breaks, loop_continues = _reaching_shapes(stmt[1], head, at_op, True)
                exits |= loop_breaks
                grown = head | after | loop_continues
                if grown == head:
                    break
                head = grown
            state = head | exits
        elif in_loop:       # (taken on some runs only: the state also goes on)
            (breaks if stmt[1] == "break" else continues).update(state)
    return state, breaks, continues


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_FLOW_PROGRAMS, st.data())
def test_a_barrier_goes_only_where_no_run_time_shape_reaches_the_op(program, data):
    lists = _statement_lists(program, [])
    where = lists[data.draw(st.integers(0, len(lists) - 1))]
    where.insert(data.draw(st.integers(0, len(where))), ("op",))
    at_op: set = set()
    _reaching_shapes(program, frozenset(["ctor"]), at_op, False)
    src = _FLOW_HEAD + f"  {DYN} d(16, 128);\n  TASSIGN(d, 0);\n" + _render_flow(program, 1, False) + "}\n"
    if "runtime" in at_op:
        assert removed(src) == [False]
