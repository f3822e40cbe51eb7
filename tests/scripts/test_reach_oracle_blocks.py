"""scripts/reach_oracle.py on what hand-written PTO kernels do (issue 57, hand set): `if`/`else` and
`for` blocks (every path; a loop's back edge), function templates instantiated by their own file,
TRESHAPE and several TASSIGNs of one address, and calls to helpers with no PIPE_V work. Each
construct is credited where every path (every instantiation) is disjoint or drained, and refused
where one path, one instantiation, one alias or one unknown call could conflict."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("reach_oracle_blocks", REPO / "scripts" / "reach_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reach_oracle_blocks"] = module
    spec.loader.exec_module(module)
    return module


oracle_module = _load()

BARRIER = "    pipe_barrier(PIPE_V);\n"
# 2x256 f32 tiles (2 KiB, 8 repeats: too short for any same-access chain), 16 KiB apart.
TILES = "".join(f"    Tile<TileType::Vec, float, 2, 256> {name};\n    TASSIGN({name}, {address});\n"
                for name, address in (("a", 0), ("b", 0x4000), ("c", 0x8000), ("d", 0xC000)))
HEAD = '#include "pto/pto-inst.hpp"\nusing namespace pto;\n'


def kernel(body: str, head: str = "__global__ AICORE void k()", before: str = "") -> str:
    return HEAD + before + head + " {\n" + body + "}\n"


def verdicts(tmp_path: Path, text: str, name: str = "k.cpp", includes: tuple[str, ...] = ()) -> list[bool]:
    """Each barrier's verdict, in source order (same-access chains off: bytes and drains only)."""
    path = tmp_path / name
    path.write_text(text)
    found = oracle_module.oracle(str(path), chains=False, includes=includes)
    return [found[line] for line in sorted(found)]


def test_both_arms_of_an_if_are_walked(tmp_path: Path) -> None:
    disjoint = TILES + "    TADD(a, b, c);\n" + BARRIER + "    if (n > 0) {\n        TADD(d, b, c);\n" \
        "    } else {\n        TMUL(d, c, c);\n    }\n"
    assert verdicts(tmp_path, kernel(disjoint, head="__global__ AICORE void k(int n)")) == [True]
    # A conflicting op in the other arm (RAW on a): refused.
    other_arm = disjoint.replace("TMUL(d, c, c)", "TMUL(d, a, c)")
    assert verdicts(tmp_path, kernel(other_arm, head="__global__ AICORE void k(int n)")) == [False]
    # No else: the fall-through path reaches what follows the if.
    fall_through = TILES + "    TADD(a, b, c);\n" + BARRIER + "    if (n > 0) {\n" + BARRIER + "    }\n" \
        "    TADD(d, a, c);\n"
    assert verdicts(tmp_path, kernel(fall_through, head="__global__ AICORE void k(int n)"))[0] is False
    # Going back out of an arm: what precedes the if, on both arms' paths.
    back = TILES + "    TADD(a, b, c);\n    if (n > 0) {\n" + BARRIER + "        TADD(d, b, c);\n    }\n"
    assert verdicts(tmp_path, kernel(back, head="__global__ AICORE void k(int n)")) == [True]
    assert verdicts(tmp_path, kernel(back.replace("TADD(d, b, c)", "TADD(d, a, c)"),
                                     head="__global__ AICORE void k(int n)")) == [False]


def test_else_if_chains_and_heads(tmp_path: Path) -> None:
    chain = TILES + "    TADD(a, b, c);\n" + BARRIER + "    if (n == 1) {\n        TADD(d, b, c);\n" \
        "    } else if (n == 2) {\n        TMUL(d, c, c);\n    } else {\n        TSUB(d, b, b);\n    }\n"
    head = "__global__ AICORE void k(int n)"
    assert verdicts(tmp_path, kernel(chain, head=head)) == [True]
    assert verdicts(tmp_path, kernel(chain.replace("TSUB(d, b, b)", "TSUB(d, a, b)"), head=head)) == [False]
    # A head that calls an unknown function, an unbraced else, a while loop: undecided.
    assert verdicts(tmp_path, kernel(chain.replace("n == 2", "probe(n)"), head=head)) == [False]
    unbraced = TILES + "    TADD(a, b, c);\n" + BARRIER + "    if (n == 1) {\n        TADD(d, b, c);\n" \
        "    } else\n        TMUL(d, c, c);\n"
    assert verdicts(tmp_path, kernel(unbraced, head=head)) == [False]
    looped = TILES + "    TADD(a, b, c);\n" + BARRIER + "    while (n > 0) {\n        TADD(d, b, c);\n    }\n"
    assert verdicts(tmp_path, kernel(looped, head=head)) == [False]
    # A barrier inside a construct the oracle does not read: leaving it is undecided (the kernel's
    # start does not bound it: the iteration before ends with a TEXP of what the TADD reads).
    for construct in ("while (n > 0)", "do", "switch (n)", "[&]()"):
        inside = TILES + "    " + construct + " {\n" + BARRIER + "        TADD(a, b, c);\n" + BARRIER \
            + "        TEXP(b, b);\n    }\n"
        assert verdicts(tmp_path, kernel(inside, head=head))[0] is False, construct
    else_inside = TILES + "    if (n == 1) {\n        TADD(d, b, c);\n    } else do {\n" + BARRIER \
        + "        TADD(a, b, c);\n    } while (n);\n"
    assert verdicts(tmp_path, kernel(else_inside, head=head)) == [False]


def test_tiles_declared_and_assigned_inside_a_branch(tmp_path: Path) -> None:
    inner = "        Tile<TileType::Vec, float, 2, 256> e;\n        TASSIGN(e, 0x10000);\n"
    body = TILES + "    if (n > 0) {\n" + inner + "        TADD(a, b, c);\n" + BARRIER + "        TADD(e, b, c);\n" \
        "    }\n"
    head = "__global__ AICORE void k(int n)"
    assert verdicts(tmp_path, kernel(body, head=head)) == [True]
    # Aliasing a: a RAW through the alias.
    assert verdicts(tmp_path, kernel(body.replace("TADD(e, b, c)", "TADD(c, e, b)").replace("0x10000", "0"),
                                     head=head)) == [False]
    # Declared outside, given its address only in a nested branch: unknown where it is used.
    nested = TILES + "    Tile<TileType::Vec, float, 2, 256> e;\n    if (n > 1) {\n        TASSIGN(e, 0x10000);\n" \
        "    }\n    TADD(a, b, c);\n" + BARRIER + "    TADD(e, b, c);\n"
    assert verdicts(tmp_path, kernel(nested, head=head)) == [False]
    # Used before its TASSIGN: unknown there.
    late = TILES + "    Tile<TileType::Vec, float, 2, 256> e;\n    TADD(a, b, c);\n" + BARRIER \
        + "    TADD(e, b, c);\n    TASSIGN(e, 0x10000);\n"
    assert verdicts(tmp_path, kernel(late)) == [False]


def test_a_loop_orders_one_iteration_against_the_next(tmp_path: Path) -> None:
    head = "__global__ AICORE void k(int n)"
    # B1 between the TMUL of iteration i and the TADD of iteration i + 1: disjoint.
    body = TILES + "    for (int i = 0; i < n; ++i) {\n" + BARRIER + "        TADD(a, b, c);\n" + BARRIER \
        + "        TMUL(d, b, b);\n    }\n"
    assert verdicts(tmp_path, kernel(body, head=head)) == [True, True]
    # A loop-carried conflict: the TEXP ending iteration i writes what the TADD starting iteration
    # i + 1 reads; straight, the same code is disjoint (the kernel's start bounds the window).
    carried = TILES + "    for (int i = 0; i < n; ++i) {\n" + BARRIER + "        TADD(a, b, c);\n" + BARRIER \
        + "        TMUL(d, d, d);\n" + BARRIER + "        TEXP(b, b);\n    }\n"
    assert verdicts(tmp_path, kernel(carried, head=head)) == [False, True, True]
    straight = carried.replace("    for (int i = 0; i < n; ++i) {\n", "").replace("    }\n", "")
    assert verdicts(tmp_path, kernel(straight, head=head)) == [True, True, True]
    # ... or what follows the loop reads (its exit path).
    after_loop = body + "    TADD(b, d, d);\n"
    assert verdicts(tmp_path, kernel(after_loop, head=head))[1] is False
    # A loop whose body holds no other drain comes back to the barrier: undecided.
    alone = TILES + "    for (int i = 0; i < n; ++i) {\n        TADD(a, b, c);\n" + BARRIER + "        TMUL(d, b, b);\n" \
        "    }\n"
    assert verdicts(tmp_path, kernel(alone, head=head)) == [False]
    # A loop after the barrier with no drain in its body: round it once, then undecided.
    round_it = TILES + "    TADD(a, b, c);\n" + BARRIER + "    for (int i = 0; i < n; ++i) {\n        TMUL(d, b, b);\n" \
        "    }\n"
    assert verdicts(tmp_path, kernel(round_it, head=head)) == [False]


TEMPLATE = """template <int M>
static AICORE void step() {
    constexpr int kBytes = M * 256 * sizeof(float);
    using Data = Tile<TileType::Vec, float, M, 256, BLayout::RowMajor, M, 256>;
    Data a, b, c, d;
    TASSIGN(a, 0);
    TASSIGN(b, 16384);
    TASSIGN(c, 2 * kBytes);
    TASSIGN(d, 3 * kBytes);
    pipe_barrier(PIPE_V);
    TADD(a, c, d);
    pipe_barrier(PIPE_V);
    TADD(b, c, d);
    pipe_barrier(PIPE_V);
}
"""


def test_a_template_is_judged_in_every_instantiation_its_file_makes(tmp_path: Path) -> None:
    def judged(calls: str, name: str = "k.cpp", template: str = TEMPLATE) -> bool:
        text = HEAD + template + "__global__ AICORE void k() {\n" + calls + "}\n"
        return verdicts(tmp_path, text, name=name)[1]
    # M = 16: a is 16 KiB, b starts at 16 KiB: disjoint. M = 64: they overlap.
    assert judged("    step<16>();\n") is True
    assert judged("    step<16>();\n    step<8 * 2>();\n") is True
    assert judged("    step<16>();\n    step<64>();\n") is False
    # Not every instantiation known: a non-constant argument, the address taken, a declaration.
    assert judged("    step<16>();\n    step<n>();\n") is False
    assert judged("    step<16>();\n    auto f = &step<16>;\n") is False
    assert judged("    step<16>();\n", template="template <int M> static AICORE void step();\n" + TEMPLATE) is False
    # An overload or a specialization of the name; a typename parameter; never instantiated.
    overload = TEMPLATE + "static AICORE void step(int x) {\n}\n"
    assert judged("    step<16>();\n", template=overload) is False
    assert judged("    step<16>();\n", template=TEMPLATE.replace("template <int M>", "template <int M, typename T>")) \
        is False
    assert judged("") is False
    # A header's templates are instantiated by whoever includes it: not credited.
    assert judged("    step<16>();\n", name="k.hpp") is False


ALIASES = TILES + "    Tile<TileType::Vec, float, 1, 512> r;\n"


def test_treshape_aliases_the_destination_onto_the_source(tmp_path: Path) -> None:
    # r is a's bytes (2x256 f32 = 1x512 f32): a write of r conflicts with a read of a.
    aliased = ALIASES + "    TRESHAPE(r, a);\n    TADD(r, b, c);\n" + BARRIER + "    TADD(d, a, c);\n"
    assert verdicts(tmp_path, kernel(aliased)) == [False]
    disjoint = ALIASES + "    TRESHAPE(r, a);\n    TADD(r, b, c);\n" + BARRIER + "    TADD(d, b, c);\n"
    assert verdicts(tmp_path, kernel(disjoint)) == [True]
    # TRESHAPE issues no vector instruction: a side holding only it has no PIPE_V work.
    only = ALIASES + "    TADD(a, b, c);\n" + BARRIER + "    TRESHAPE(r, a);\n" + BARRIER + "    TADD(r, a, c);\n"
    assert verdicts(tmp_path, kernel(only)) == [True, True]
    # Also TASSIGNed elsewhere: two addresses, unknown.
    moved = ALIASES + "    TASSIGN(r, 0x10000);\n    TRESHAPE(r, a);\n    TADD(r, b, c);\n" + BARRIER + "    TADD(d, b, c);\n"
    assert verdicts(tmp_path, kernel(moved)) == [False]
    # Of a source whose address is unknown: unknown.
    unknown = ALIASES.replace("TASSIGN(a, 0)", "TASSIGN(a, n)") + "    TRESHAPE(r, a);\n    TADD(r, b, c);\n" \
        + BARRIER + "    TADD(d, b, c);\n"
    assert verdicts(tmp_path, kernel(unknown, head="__global__ AICORE void k(int n)")) == [False]


def test_several_tassigns_of_one_address(tmp_path: Path) -> None:
    # Two tiles at one address overlap; one tile assigned twice the same address keeps it.
    same = TILES + "    Tile<TileType::Vec, float, 2, 256> e;\n    TASSIGN(e, 0);\n    TADD(e, b, c);\n" + BARRIER \
        + "    TADD(d, a, c);\n"
    assert verdicts(tmp_path, kernel(same)) == [False]
    twice = TILES.replace("    TASSIGN(d, 49152);\n", "    TASSIGN(d, 49152);\n    TASSIGN(d, 0xC000);\n") \
        + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n"
    assert verdicts(tmp_path, kernel(twice)) == [True]
    differ = TILES.replace("    TASSIGN(d, 49152);\n", "    TASSIGN(d, 49152);\n    TASSIGN(d, 0x10000);\n") \
        + "    TADD(a, b, c);\n" + BARRIER + "    TADD(d, b, c);\n"
    assert verdicts(tmp_path, kernel(differ)) == [False]


SYNC_HEADER = """#pragma once
static AICORE inline void pipe_sync() {
#if defined(__DAV_VEC__)
    set_flag(PIPE_MTE3, PIPE_S, EVENT_ID7);
    wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID7);
#else
#error "needs __DAV_VEC__"
#endif
}
"""


def test_calls_to_helpers_are_read_by_their_bodies(tmp_path: Path) -> None:
    (tmp_path / "inc").mkdir()
    body = TILES + "    TADD(a, b, c);\n" + BARRIER + "    pipe_sync();\n    TADD(d, b, c);\n"
    text = kernel(body, before='#include "sync.h"\n')
    (tmp_path / "inc" / "sync.h").write_text(SYNC_HEADER)
    assert verdicts(tmp_path, text, includes=(str(tmp_path / "inc"),)) == [True]
    # Not found (no -I): an unknown call.
    assert verdicts(tmp_path, text) == [False]
    # A helper with a V flag, a vector op, a barrier, parameters, or two definitions: not inert.
    for changed in (SYNC_HEADER.replace("PIPE_MTE3, PIPE_S", "PIPE_V, PIPE_S"),
                    SYNC_HEADER.replace("    wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID7);\n",
                                        "    wait_flag(PIPE_MTE3, PIPE_S, EVENT_ID7);\n    pipe_barrier(PIPE_V);\n"),
                    SYNC_HEADER.replace("#else", "#else\n    TADD(a, a, a);"),
                    SYNC_HEADER.replace("pipe_sync()", "pipe_sync(int x)"),
                    SYNC_HEADER + "static AICORE inline void pipe_sync() {\n}\n"):
        (tmp_path / "inc" / "sync.h").write_text(changed)
        assert verdicts(tmp_path, text, includes=(str(tmp_path / "inc"),)) == [False], changed
    # An unknown call in the window: undecided.
    assert verdicts(tmp_path, kernel(body.replace("pipe_sync()", "other_helper()"))) == [False]


def test_tensor_and_tile_alias_constructors_are_declarations(tmp_path: Path) -> None:
    alias = "    using G = GlobalTensor<float, Shape<1, 1, 1, 2, 256>, Stride<1, 1, 1, 256, 1>>;\n"
    body = alias + TILES + "    TADD(a, b, c);\n" + BARRIER + "    G g(ptr + 4);\n    TADD(d, b, c);\n"
    head = "__global__ AICORE void k(__gm__ float *ptr)"
    assert verdicts(tmp_path, kernel(body, head=head)) == [True]
    # A constructor argument that calls something: undecided; a name also defined otherwise: not an alias.
    assert verdicts(tmp_path, kernel(body.replace("ptr + 4", "probe(ptr)"), head=head)) == [False]
    assert verdicts(tmp_path, kernel(body, head=head, before="struct G;\n")) == [False]
