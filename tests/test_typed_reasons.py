"""Facts that used to be read back out of a reason's words travel as data (issue #70): an
OpaqueStmt's kind, an unverified note's ``undecided``, an op's internal barrier tag."""
from __future__ import annotations

from ptofix.cpp.cfg_events import INTERNAL_BARRIER, EventKind
from ptofix.cpp.model import OpaqueKind, OpaqueStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.vector_cfg import FunctionCFG
from ptofix.race_check import RaceCheck
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>"


def _kernel(body: str) -> str:
    return (f"__global__ AICORE void k(int n, void *p) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
            f"  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n{body}  pipe_barrier(PIPE_ALL);\n}}\n")


def _opaque(src: str) -> list[tuple[OpaqueKind, str]]:
    model = parse_cpp(SourceText(src, "k.cpp"))
    return [(s.kind, s.reason) for fn in model.functions for s in fn.body.walk() if isinstance(s, OpaqueStmt)]


def test_an_opaque_statement_says_what_it_is_by_its_kind():
    # A computed goto is no GotoStmt but a goto all the same; a `do` loop is a construct.
    assert _opaque(_kernel("  goto *p;\n")) == [(OpaqueKind.GOTO, "'goto' is not modelled")]
    assert [kind for kind, _ in _opaque(_kernel("  do {\n    TADD(b, a, a);\n  } while (--n > 0);\n"))] \
        == [OpaqueKind.CONSTRUCT]


def test_a_computed_goto_leaves_the_control_flow_unmodelled():
    model = parse_cpp(SourceText(_kernel("  TADD(b, a, a);\n  goto *p;\n  TADD(b, a, a);\n"), "k.cpp"))
    from ptofix.cpp.barriers import BarrierAnalysis
    cfg = BarrierAnalysis(model).cfg(model.functions[0])
    assert cfg.unstructured and "goto/labels are not modelled" in cfg.unstructured
    assert isinstance(cfg, FunctionCFG)


def test_the_unverified_note_carries_undecided_only_for_the_page():
    src = SourceText(_kernel("  TADD(b, a, a);\n  do {\n    TADD(b, a, a);\n  } while (--n > 0);\n"), "k.cpp")
    plain = RaceCheck().process_source(src).report["unverified"]
    page = RaceCheck(page=True).process_source(src).report["unverified"]
    assert [sorted(note) for note in plain] == [["function", "location", "why"]]
    assert [note["undecided"] for note in page] == [False]
    assert [{k: v for k, v in note.items() if k != "undecided"} for note in page] == plain


def test_an_ops_internal_barrier_is_tagged():
    model = parse_cpp(SourceText(_kernel("  TROWSUM(b, a, a);\n  TADD(b, a, a);\n"), "k.cpp"))
    from ptofix.cpp.barriers import BarrierAnalysis
    cfg = BarrierAnalysis(model).cfg(model.functions[0])
    drains = [(e.why, e.tag) for e in cfg.events if e.kind is EventKind.DRAIN and e.stmt is not None]
    # The PIPE_ALL barriers around it are drains of their own, untagged.
    assert drains == [("pipe_barrier(PIPE_ALL)", ""), ("TROWSUM ends with pipe_barrier(PIPE_V)", INTERNAL_BARRIER),
                      ("pipe_barrier(PIPE_ALL)", "")]


def test_the_note_names_a_header_not_found(tmp_path):
    # (Pins the note the one remaining reason-reader writes, cpp_fixes._MISSING_HEADER: a typed
    # header name must keep it as it is.)
    import subprocess
    import sys
    kernel = tmp_path / "k.cpp"
    kernel.write_text('#include "missing_helper.h"\n#include <pto/pto-inst.hpp>\nusing namespace pto;\n'
                      + _kernel("  TADD(b, a, a);\n  pipe_barrier(PIPE_V);\n  TADD(a, a, a);\n"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o",
                          str(tmp_path / "out.cpp")], capture_output=True, text=True, check=False)
    assert out.returncode == 0
    assert f"{kernel}: note: header 'missing_helper.h' not found, so 1 barrier(s) are kept: give its directory " \
           "with -I DIR" in out.stderr
