"""The base of the collaborators a barrier analysis (barriers.BarrierAnalysis) builds and holds: the
selection of removals (barrier_selection.BarrierSelection) and the flag states
(flag_states.FlagStates). Each holds the analysis it serves, as that analysis holds it: a cycle
only the (paused) collector could free, holding every model the analysis built, so the analysis's
``release`` has each part let go of it (``detach``).

Compiled with its subclasses (ptofix.COMPILED_MODULES): a compiled class can only have compiled
bases, and only a compiled class may delete an attribute it names in ``__deletable__``.
"""
from __future__ import annotations

from typing import Generic, TypeVar

A = TypeVar("A")


class AnalysisPart(Generic[A]):
    """A part of an analysis of type ``A`` (what the part reads of it: a Protocol)."""

    # (mypyc: an attribute a compiled class may delete; see detach.)
    __deletable__ = ("analysis",)

    def __init__(self, analysis: A) -> None:
        self.analysis = analysis

    def detach(self) -> None:
        """Let go of the analysis (its release): see the module docstring."""
        try:
            del self.analysis
        except AttributeError:
            pass
