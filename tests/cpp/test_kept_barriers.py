"""Kernels of red-team round 13 whose `pipe_barrier(PIPE_V)` real C++ needs: the proof keeps every one.

Each fixture in tests/fixtures/kept_barriers/ says on its first line why the barrier is needed
(what the C++ really means, or what pto-isa really does); the model before the fix removed it. The
file names group them: ``names_*`` (file-scope declarations and macros the model read by spelling),
``chain_*`` (same-access chains over tiles walked otherwise), ``values_*`` (values and bindings),
``drain_*`` (ops that end without their barrier), ``rejected_*`` (refused outright, exit 2).
"""
from __future__ import annotations

import os

import pytest
from conftest import ROOT

from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.race_model import RaceModel
from ptofix.source import PtofixError, SourceText

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "kept_barriers")
KERNELS = sorted(name for name in os.listdir(FIXTURES) if name.endswith(".cpp"))


def decisions(name: str, race_model: RaceModel = RaceModel.SAME_ACCESS_CHAINS):
    path = os.path.join(FIXTURES, name)
    with open(path, encoding="utf-8", newline="") as handle:   # (line ends as written: CR matters)
        model = parse_cpp(SourceText(handle.read(), path))
    return BarrierAnalysis(model, race_model=race_model).run({"auto"})


# Kept under both race models: the opt-in (--same-access-chains) is the one whose chain rule the
# ``chain_*`` fixtures attack; msSanitizer's rule, the default, credits no chain at all.
@pytest.mark.parametrize("race_model", list(RaceModel))
@pytest.mark.parametrize("name", KERNELS)
def test_barrier_is_kept(name, race_model):
    if name.startswith("rejected_"):
        # Lexemes the tokenizer would split otherwise than C++ (digraphs, trigraphs, a string a
        # bare CR ends): refused with exit 2, the input untouched.
        with pytest.raises(PtofixError, match="not supported|missing terminating"):
            decisions(name, race_model)
        return
    found = decisions(name, race_model)
    assert found, "the kernel holds a PIPE_V barrier"
    assert [(d.stmt.span.start, d.removed) for d in found] == [(d.stmt.span.start, False) for d in found], \
        [d.reason for d in found]


CONTROLS = os.path.join(ROOT, "tests", "fixtures", "removed_barriers")


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(CONTROLS) if n.endswith(".cpp")))
def test_control_barrier_is_removed(name):
    path = os.path.join(CONTROLS, name)
    with open(path, encoding="utf-8", newline="") as handle:   # (line ends as written: CR matters)
        model = parse_cpp(SourceText(handle.read(), path))
    opted = BarrierAnalysis(model, race_model=RaceModel.SAME_ACCESS_CHAINS).run({"auto"})
    assert [d.removed for d in opted] == [True]
    # A removal that rests on a PTOAS #674 same-access chain is the opt-in's only: msSanitizer's
    # rule (the default) keeps that barrier and says why.
    default = BarrierAnalysis(parse_cpp(model.source), race_model=RaceModel.MSSANITIZER_A2A3).run({"auto"})
    if opted[0].same_access_pairs:
        assert [d.removed for d in default] == [False]
        assert default[0].hazard is not None and default[0].hazard.same_access_chain, default[0].reason
    else:
        assert [d.removed for d in default] == [True]
