"""The default race model (issue #66) gives no same-access-chain credit: a chain whose tile is written and
read under two names TASSIGNed to the same bytes, in place through an alias, or a scalar producer into a
TCVT keeps its barrier under `run --pattern auto` and is a race of `check` (the opt-in
--same-access-chains removes it), also in a template instantiated twice.
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
    # The chain's tile written and read under two names TASSIGNed to the same bytes.
    "aliases by two TASSIGNs": "  TADD(x, y, y);\n  pipe_barrier(PIPE_V);\n  TADD(z, x2, x2);\n",
    "in place through an alias": "  TMULS(x, x, 2.0f);\n  pipe_barrier(PIPE_V);\n  TEXP(x2, x2);\n",
    "a scalar producer into a TCVT": "  Th h; TASSIGN(h, 49152);\n  TSUBS(x, y, 1.0f);\n  pipe_barrier(PIPE_V);\n"
                                     "  TCVT(h, x, RoundMode::CAST_RINT);\n",
}


def _race_kernel(body: str, defs: str = "") -> str:
    return RACE_HEAD + defs + '__global__ AICORE void k(int32_t n) {\n' + RACE_DECL + body + "}\n"


@pytest.mark.parametrize("case", sorted(CHAIN_CASES))
def test_the_default_race_model_keeps_an_aliased_chain(tmp_path, case):
    """The opt-in (--same-access-chains) removes the barrier: the kernel reaches the chain rule.
    The default `run --pattern auto` keeps it, and default `check` of the kernel without it reports a
    race of the same-access-chain category."""
    _race_model()
    from ptofix import api
    text = _race_kernel(CHAIN_CASES[case])
    kernel_file, out = tmp_path / "k.cpp", tmp_path / "out.cpp"
    kernel_file.write_text(text)
    for extra, kept in (([], True), (["--same-access-chains"], False)):
        assert main(["run", "--pattern", "auto", "-q", *extra, str(kernel_file), "-o", str(out)]) == 0
        assert ("  pipe_barrier(PIPE_V);\n" in out.read_text()) is kept, (extra, out.read_text())
    races = api.check(text.replace("  pipe_barrier(PIPE_V);\n", ""))
    assert races and {r.category for r in races} == {"same-access-chain"}, races


def test_the_default_race_model_reports_a_chain_in_a_template_instantiated_twice(tmp_path, capsys):
    _race_model()
    defs = ("template <int K> AICORE inline void my_step() { T a; TASSIGN(a, K); T b; TASSIGN(b, 16384); "
            "T c; TASSIGN(c, 32768); TADD(a, b, b);\n  TADD(c, a, a); }\n")
    kernel_file = tmp_path / "k.cpp"
    kernel_file.write_text(_race_kernel("  my_step<0>();\n  my_step<4096>();\n", defs))
    assert main(["check", "--color", "never", str(kernel_file)]) == 1
    assert "same access chain" in capsys.readouterr().err.replace("-", " ")
