"""The proof next to the select family (TSEL, TSELS): every barrier the trace of pto-isa's a2a3
implementation needs (red team trace8, tests/fixtures/select_family/select_pairs.cpp, marked NEEDED
there; tests/trace/test_select_family_trace.py checks the marks against the trace) is kept, for the
conflict the trace finds, and the two pairs with no conflict are removed.

The trace's reasons (ptofix/trace/select.py, msSanitizer's vsel.cpp): TSEL's last vsel reads its
mask rows (mode 2: the mask bits at the address its vector_dup wrote) and loads its tmp (the CMPMASK
load); TSELS's vsels read their mask rows (mode 1: 38 bytes of bits a 300-column row, past the first
block) and load its tmp; neither op has a barrier after its last vsel.
"""
from __future__ import annotations

import re
from pathlib import Path

from ptofix.api import fix_cpp

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT / "tests" / "fixtures" / "select_family" / "select_pairs.cpp"

# line of the barrier -> (kind, earlier op, operand, later op, operand) the proof keeps it for
NEEDED = {
    30: ("WAR", "TSEL", "m1", "TSEL", "t3"),        # the second TSEL's tmp over the first's mask row 2
    50: ("WAR", "TSEL", "m1", "TCMPS", "m1"),       # the mask rewritten after TSEL
    55: ("WAR", "TSELS", "a", "TADDS", "a"),        # a source rewritten after TSELS
    60: ("WAW", "TSELS", "t1", "TSEL", "t1"),       # TSEL's vector_dup over the tmp TSELS's last vsel loads
    74: ("WAR", "TSELS", "wm", "TEXPANDS", "q0"),   # mask bits 256..299 of row 0, in its second block
    78: ("WAR", "TSEL", "wm", "TEXPANDS", "q1"),    # mask row 1's first block
    82: ("WAR", "TSEL", "wm", "TEXPANDS", "q2"),    # mask bits 256..299 of row 1
}
CONFLICT = re.compile(r"^(RAW|WAR|WAW): (\w+) (?:read|write) (\w+) \[\d+,\d+\) at \S+ -> (\w+) (?:read|write) (\w+) ")


def test_the_fixture_marks_the_needed_barriers():
    lines = PAIRS.read_text(encoding="utf-8").split("\n")
    assert {number for number, line in enumerate(lines, 1) if "// NEEDED" in line} == set(NEEDED)


def test_every_barrier_the_trace_needs_is_kept_for_its_conflict():
    decisions = {d.line: d for d in fix_cpp(PAIRS.read_text(encoding="utf-8"), patterns="auto").decisions}
    for line, conflict in NEEDED.items():
        decision = decisions[line]
        assert decision.decision == "kept", (line, decision.reason)
        found = CONFLICT.match(decision.reason)
        assert found is not None and found.groups() == conflict, (line, decision.reason)


def test_the_pairs_with_no_conflict_are_removed():
    """Two TSELs (and two TSELSs) sharing sources and mask, with their own dst and tmp."""
    removed = sorted(d.line for d in fix_cpp(PAIRS.read_text(encoding="utf-8"), patterns="auto").decisions
                     if d.decision == "removed")
    assert removed == [35, 40]
