"""The parts a barrier analysis holds, which hold it back (the selection of removals, the flag
states), let go of it in one place: cpp/analysis_part.AnalysisPart.detach, their compiled base."""
from __future__ import annotations

from pathlib import Path

import ptofix
from ptofix.cpp.analysis_part import AnalysisPart
from ptofix.cpp.barrier_selection import BarrierSelection
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.flag_states import FlagStates
from ptofix.frontends import parse_cpp
from ptofix.source import SourceText

FA = Path(__file__).resolve().parents[2] / "kernels" / "flash_attention" / "fa.cpp"


def test_each_part_detaches_by_the_one_method():
    for part in (BarrierSelection, FlagStates):
        assert issubclass(part, AnalysisPart)
        assert "detach" not in vars(part) and "__deletable__" not in vars(part), part
    # (A compiled class's bases are compiled: the base is on the list with its subclasses.)
    assert {"ptofix.cpp.analysis_part", "ptofix.cpp.barrier_selection", "ptofix.cpp.flag_states"} \
        <= set(ptofix.COMPILED_MODULES)


def test_a_released_analysis_is_held_by_neither_part():
    analysis = BarrierAnalysis(parse_cpp(SourceText(FA.read_text(encoding="utf-8"), "fa.cpp")))
    assert analysis.selection.analysis is analysis and analysis.flags.analysis is analysis
    analysis.release()
    for part in (analysis.selection, analysis.flags):
        assert not hasattr(part, "analysis")
        part.detach()                   # (again: nothing to let go of, no error)
