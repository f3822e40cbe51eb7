"""Which pairs of PIPE_V instructions the vector pipe keeps apart without a barrier: the race model
the barrier proof, ``check`` and the simulator read, named after its source.

The default is the vendor's a2/a3 model, that of Ascend's own race detector: msSanitizer
(MindStudio Sanitizer, https://github.com/Ascend/mssanitizer,
``csrc/race_sanitizer/alg_framework/single_pipe_race_alg_impl.h`` and ``mem_event_checker.cpp``
``MemEventChecker::IsSinglePipeRaceEvent``). A pipe issues its instructions in order and does not
wait for one to finish before the next, so two instructions of one pipe race when their byte
footprints in one memory space overlap (RAW, WAR or WAW; tmp operands and the hidden scratch
included) and no ``pipe_barrier`` lies between them (its ``barrierNo``); it gives no credit for
repeat counts, for one exact access written then read, or for address order. (Its one other
exemption, two instructions more than 16 apart in the pipe, is a detector limit: its own comment
says the queue is 16 or 32 deep and 16 was picked for practical reasons. ptofix gives no credit
for distance either.)

The opt-in (``--same-access-chains``) also credits PTOAS PR #674's ``CanPrunePipeVBarrier`` (an
exact same-access chain from a producer of at least 16 repeats of 256 bytes,
https://github.com/hw-native-sys/PTOAS/pull/674) and ptofix's repeat-level generalisation of it
(``pto/same_access_chain.py``): ptoas prunes such barriers, and msSanitizer's race check flags
every such pair.

Why the default: msSanitizer is Ascend's own race checker and flags every unbarriered overlap of
one pipe, so a removal it would flag is a race on the vendor's terms. PTOAS #674 states no hardware
premise for its chains (a code comment calls them "hardware-safe"; the ADR that argued for coarser
pruning, PTOAS PR #605, was closed unmerged), so crediting them is an explicit, labelled opt-in.
"""
from __future__ import annotations

from enum import Enum


class RaceModel(Enum):
    """The race model a proof, ``check`` or a simulation applies."""

    # msSanitizer's single-pipe rule on a2/a3: an overlap with no barrier between is a race.
    MSSANITIZER_A2A3 = "mssanitizer-a2a3"
    # ... and PTOAS #674's same-access chains (with ptofix's repeat-level rule) are credited.
    SAME_ACCESS_CHAINS = "same-access-chains"

    @property
    def credits_same_access_chains(self) -> bool:
        return self is RaceModel.SAME_ACCESS_CHAINS

    @staticmethod
    def of(same_access_chains: bool) -> RaceModel:
        """The model a ``--same-access-chains`` flag (or option) selects."""
        return RaceModel.SAME_ACCESS_CHAINS if same_access_chains else RaceModel.MSSANITIZER_A2A3


DEFAULT_RACE_MODEL = RaceModel.MSSANITIZER_A2A3

# What a decision that credited a chain says (opt-in), and what a kept one whose hazard is a chain
# the default does not credit says.
CHAIN_CREDITED = "PTOAS #674 same-access chain; msSanitizer's race check flags this pair"
CHAIN_NOT_CREDITED = ("a PTOAS #674 same-access chain, not credited: msSanitizer's race check flags this pair "
                      "(--same-access-chains credits it)")
# check's note on a race ptoas left on such a chain (the default model).
CHAIN_RACE_NOTE = "ptoas prunes this barrier under PTOAS #674; Ascend's msSanitizer flags it"
# check's note on a race of two broadcasts of the same unchanged per-row tile through the hidden
# scratch (docs/reference/pto-facts.md §2.4): no race model credits it (the barrier proof does not).
REBROADCAST_RACE_NOTE = ("Ascend's msSanitizer flags this pair; the hidden scratch holds the same bytes whichever "
                         "broadcast the earlier op reads (pto-facts §2.4)")
# check's note on a race that only a flag chain through two or more other pipes orders
# (cpp/flag_chains.py): msSanitizer's single-pipe check counts pipe_barrier alone
# (Ascend/mssanitizer csrc/race_sanitizer/alg_framework/single_pipe_race_alg_impl.cpp
# ProcessSyncEvent), ptofix's contract and the trace judge (ptofix/trace/judge.py) a direct round
# trip too.
FLAG_CHAIN_RACE_NOTE = ("the vendor's rule credits a barrier (msSanitizer's single-pipe check credits pipe_barrier "
                        "alone) and ptofix's contract also a direct round trip V -> X -> V")

# The --same-access-chains option's help (run, check, simulate, build; the passes' option).
# (--help shows its first clause: what it does and that msSanitizer flags such pairs.)
SAME_ACCESS_CHAINS_HELP = ("credit PTOAS #674 same-access chains as ptoas does, though msSanitizer flags such pairs "
                           "(a producer of 16+ repeats whose exact access the next op reads, checked repeat by "
                           "repeat; default: msSanitizer's a2/a3 rule, every unbarriered overlap is a race)")
