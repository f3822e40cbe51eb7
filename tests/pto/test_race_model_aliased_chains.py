"""The default race model (issue #66) gives no same-access-chain credit: a chain whose tile is written and
read under one variable, or a scalar producer into a TCVT, keeps its barrier under `run --pattern auto` and
is a race of `check` (the opt-in --same-access-chains removes it), also in a template instantiated twice.

The opt-in credits a chain as ptoas does (PTOAS isSameExactAccess, BaseMemInfo::operator==: the same
baseBuffer and rootBuffer, not only the same bytes): only when the producer writes and the consumer reads
the SAME tile variable. Two variables TASSIGNed to the same bytes, a same-shape TRESHAPE alias, a copy, a
TPOP'd tile against another tile at its ring slot, and a variable bound twice keep their barrier under the
opt-in too, and are races of `check --same-access-chains` (of the plain overlap category: ptoas would not
prune them either).
"""
from __future__ import annotations

import pytest
from test_file_scope_classes import (
    host_include,  # noqa: F401  (a fixture)
)
from test_header_scalar_functions import PRE, TILE

from ptofix.cli import main


# -- the default race model (branch race, issue #66): no same-access-chain credit -----------------
def _race_model():
    return pytest.importorskip("ptofix.pto.race_model")


RTILE = TILE
RACE_HEAD = f"{PRE}using T = {RTILE};\nusing Th = Tile<TileType::Vec, half, 16, 128, BLayout::RowMajor, 16, 128>;\n"
RACE_DECL = ("  T x; TASSIGN(x, 0);\n  T y; TASSIGN(y, 16384);\n  T z; TASSIGN(z, 32768);\n  T x2; TASSIGN(x2, 0);\n"
             "  pipe_barrier(PIPE_ALL);\n")
CHAIN_CASES = {
    # One variable written, then read: a same-access chain as ptoas takes it.
    "one variable": "  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, x, x);\n",
    "in place on one variable": "  TMULS(x, x, 2.0f);\n  pipe_barrier(PIPE_V);\n  TEXP(x, x);\n",
    "a scalar producer into a TCVT": "  Th h; TASSIGN(h, 49152);\n  TSUBS(x, y, 1.0f);\n  pipe_barrier(PIPE_V);\n"
                                     "  TCVT(h, x, RoundMode::CAST_RINT);\n",
}
# The same bytes, shape and type under two tile variables (two buffer values for ptoas): no chain.
ALIASED_CASES = {
    # (a) The chain's tile written and read under two names TASSIGNed to the same bytes.
    "aliases by two TASSIGNs": "  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, x2, x2);\n",
    "in place through an alias": "  TMULS(x, x, 2.0f);\n  pipe_barrier(PIPE_V);\n  TEXP(x2, x2);\n",
    # (b) A same-shape TRESHAPE alias (a view: another baseBuffer on the same rootBuffer).
    "a same-shape TRESHAPE alias": "  T r; TRESHAPE(r, x);\n  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n"
                                   "  TADD(z, r, r);\n",
    "in place through a TRESHAPE alias": "  T r; TRESHAPE(r, x);\n  TMULS(x, x, 2.0f);\n  pipe_barrier(PIPE_V);\n"
                                         "  TMULS(r, r, 3.0f);\n",
    # A copy of the tile (`T c = x;`): another variable on the same bytes.
    "a copy": "  T c = x;\n  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, c, c);\n",
    # (c) A TPOP'd tile at the ring slot a vector op on another tile has just written.
    "a TPOP'd tile after another tile at its slot":
        "  auto p = TPipe<2, Direction::DIR_C2V, 8192, 8, 1, false>(g, 65536, 131072);\n"
        "  T w; TASSIGN(w, 65536);\n  T c;\n"
        "  TPOP<TPipe<2, Direction::DIR_C2V, 8192, 8, 1, false>, T, TileSplitAxis::TILE_UP_DOWN>(p, c);\n"
        "  pipe_barrier(PIPE_ALL);\n  TADD(w, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, c, c);\n",
    # One variable TASSIGNed twice (not ptoas's form: which binding made the value is not told).
    "one variable bound twice": "  TADD(x, y, y);\n  TASSIGN(x, 0);\n  pipe_barrier(PIPE_V);\n  TADD(z, x, x);\n",
}


def _race_kernel(body: str, defs: str = "") -> str:
    return RACE_HEAD + defs + '__global__ AICORE void k(__gm__ float* g) {\n' + RACE_DECL + body + "}\n"


def _run_keeps(tmp_path, text: str, extra: list[str]) -> bool:
    kernel_file, out = tmp_path / "k.cpp", tmp_path / "out.cpp"
    kernel_file.write_text(text)
    assert main(["run", "--pattern", "auto", "-q", *extra, str(kernel_file), "-o", str(out)]) == 0
    return "  pipe_barrier(PIPE_V);\n" in out.read_text()


@pytest.mark.parametrize("case", sorted(CHAIN_CASES))
def test_the_default_race_model_keeps_a_chain_the_opt_in_credits(tmp_path, case):
    """The opt-in (--same-access-chains) removes the barrier: the kernel reaches the chain rule.
    The default `run --pattern auto` keeps it, and default `check` of the kernel without it reports a
    race of the same-access-chain category (none under the opt-in)."""
    _race_model()
    from ptofix import api
    text = _race_kernel(CHAIN_CASES[case])
    assert _run_keeps(tmp_path, text, [])
    assert not _run_keeps(tmp_path, text, ["--same-access-chains"])
    unbarriered = text.replace("  pipe_barrier(PIPE_V);\n", "")
    races = api.check(unbarriered)
    assert races and {r.category for r in races} == {"same-access-chain"}, races
    assert api.check(unbarriered, same_access_chains=True) == ()


@pytest.mark.parametrize("case", sorted(ALIASED_CASES))
def test_the_opt_in_keeps_a_chain_under_two_tile_variables(tmp_path, case):
    """The same bytes under two tile variables (or a variable bound twice) are no same-access chain
    for ptoas (BaseMemInfo::operator== asks for the same baseBuffer): the barrier stays under the
    opt-in as by default, and `check` reports the pair as a plain race under either model, with no
    word of a chain."""
    _race_model()
    from ptofix import api
    text = _race_kernel(ALIASED_CASES[case])
    assert _run_keeps(tmp_path, text, [])
    assert _run_keeps(tmp_path, text, ["--same-access-chains"])
    unbarriered = text.replace("  pipe_barrier(PIPE_V);\n", "")
    for chains in (False, True):
        races = api.check(unbarriered, same_access_chains=chains)
        assert races and {r.category for r in races} == {"overlap"}, (chains, races)
        assert not any("same-access chain" in r.message for r in races), races


def test_check_with_the_opt_in_reports_an_aliased_chain(tmp_path, capsys):
    """`ptofix check --same-access-chains` (the command) reports the two-variable pair as a race."""
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(_race_kernel(ALIASED_CASES["aliases by two TASSIGNs"]).replace("  pipe_barrier(PIPE_V);\n", ""))
    assert main(["check", "--same-access-chains", "--color", "never", str(kernel_file)]) == 1
    err = capsys.readouterr().err
    assert "RAW race" in err and "same access chain" not in err.replace("-", " "), err


def test_the_default_race_model_reports_a_chain_in_a_template_instantiated_twice(tmp_path, capsys):
    _race_model()
    defs = ("template <int K> AICORE inline void my_step() { T a; TASSIGN(a, K); T b; TASSIGN(b, 16384); "
            "T c; TASSIGN(c, 32768); TADD(a, b, b);\n  TADD(c, a, a); }\n")
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(_race_kernel("  my_step<0>();\n  my_step<4096>();\n", defs))
    assert main(["check", "--color", "never", str(kernel_file)]) == 1
    assert "same access chain" in capsys.readouterr().err.replace("-", " ")
