"""Red team red13: the trace fuzz's `--corpus-ops` mode (scripts/trace_fuzz.py CorpusGen).

The ops and spellings real ptoas output uses (the corpus's .cpp files) that the other modes never draw:
TRESHAPE (a second tile over the same bytes as another element type, another valid shape or rows folded,
declared and aliased at the top, re-aliased after a loop moved its source; 1 x R rows reshaped into R x 1
ColMajor columns as ptoas writes its row statistics), TROWMAX/TROWSUM/TROWMIN into (-1, -1) ColMajor
columns with a tmp of src's shape whose valid columns differ (ptoas 2026-08-21), TROWEXPANDDIV/SUB/MUL/ADD
with three operands and with a 1 x N tmp, TRSQRT with and without its tmp, Vec -> Vec TEXTRACT windows
(aligned, unaligned and 1 x 1 valid columns; offsets from constants or the loop counter), TCONCAT,
TGATHER(dst, src, idx, tmp) and TFILLPAD into tiles of PadValue::Min/Zero; tiles spelled (-1, -1) with
constants in the constructor, and valid columns from a third parameter v4.

What red13's campaigns found (2026-11-29, pto-isa f35e7f60, each kernel traced with two argument sets, a
removal WRONG when the output's trace has a race the input's has not): no wrong removal.
`--corpus-ops --seeds 0:130` (this generator): 130 kernels, 1,205 barriers, 327 removed (324 executed in a traced
run), 0 wrong, 0 cannot judge, 0 refused; 383 kept barriers the trace shows unneeded one at a time (reach).
`--corpus-ops --seeds 100:220` with the generator before its scratch placements (b969cbf): 120 kernels, 1,165
barriers, 308 removed (304 executed), 0 wrong, 0 cannot judge; 267 of the 308 removals sit next to one of the
ops above (by neighbour: TROWMAX/TROWSUM/TROWMIN 145, TEXTRACT 37, TROWEXPAND* 63, TCONCAT 29, TFILLPAD 27, TRSQRT 24).
`--corpus-ops --control --sync --seeds 300:340` (this generator; lambdas, 3-deep loops, run-time trip counts,
#if, flag round trips, open and misordered pairs): 40 kernels, 370 barriers, 101 removed (83 executed), 0 wrong,
0 cannot judge; 135 kept barriers the trace shows unneeded.
(These campaigns ran before red18's off-block TEXTRACT column offsets, which change the offsets of about
40% of the old seeds' kernels and nothing else of them.)
"""
from __future__ import annotations

import re
from collections import Counter

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)
from test_trace_fuzz import fuzz

from ptofix.api import fix_cpp

FAST_SEEDS = range(5000, 5010)


def test_the_corpus_ops_mode_is_seeded_and_its_own():
    assert fuzz.generate(5001, corpus_ops=True).text == fuzz.generate(5001, corpus_ops=True).text
    assert fuzz.generate(5001, corpus_ops=True).text != fuzz.generate(5001).text
    assert fuzz.generate(5001, corpus_ops=True).text != fuzz.generate(5001, dtypes=True).text


def test_the_corpus_ops_mode_draws_every_op_and_form():
    ops: Counter = Counter()
    features: Counter = Counter()
    texts = []
    for seed in range(5000, 5060):
        kernel = fuzz.generate(seed, corpus_ops=True)
        ops.update(kernel.ops)
        features.update(kernel.features)
        texts.append(kernel.text)
    for name in ("TRESHAPE retype", "TRESHAPE revalid", "TRESHAPE fold", "TRESHAPE again", "TROWMAX", "TROWSUM",
                 "TROWMIN", "TROWEXPANDDIV", "TROWEXPANDSUB", "TROWEXPANDDIV+tmp", "TROWEXPANDSUB+tmp", "TRSQRT",
                 "TRSQRT+tmp", "TEXTRACT", "TEXTRACT unaligned", "TCONCAT", "TGATHER", "TFILLPAD Min",
                 "TFILLPAD Zero"):
        assert ops[name] > 0, name
    for feature in ("rowred-same-shape-tmp", "col-reshaped-from-row", "loop-rebind-then-reshape",
                    "extract-row-by-counter", "overlap-placement"):
        assert features[feature] > 0, feature
    # red18: TEXTRACT column offsets off the block grid (1, 3, 7, a block less one or one more elements; the
    # loop counter, 0 .. 2 elements) and the counter times a block; into 1 x 1 windows too (the scalar path)
    assert ops["TEXTRACT column off-block"] > 10 and ops["TEXTRACT column off-block 1x1"] > 0
    assert features["extract-col-by-counter"] > 0 and features["extract-col-by-counter-blocks"] > 0
    text = "\n".join(texts)
    assert "int32_t v3, int32_t v4)" in text and "(v2, v4);" in text     # valid columns from v4
    assert "PadValue::Min" in text and "PadValue::Zero" in text


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_the_corpus_ops_kernels_are_read_and_have_barriers(seed):
    """Each kernel parses, every barrier is decided with a reason, and the output differs from the
    input only in the removed barriers (the driver's premise)."""
    kernel = fuzz.generate(seed, corpus_ops=True)
    fixed = fix_cpp(kernel.text, patterns="auto")
    assert fixed.decisions and kernel.text.count("pipe_barrier(PIPE_V);") == len(fixed.decisions)
    assert all(d.decision == "removed" or d.cause is not None for d in fixed.decisions)
    removed = {d.line for d in fixed.decisions if d.decision == "removed"}
    before, after = kernel.text.split("\n"), fixed.text.split("\n")
    assert {n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b} == removed


# Campaign seeds with executed removals among TEXTRACT, TFILLPAD, TGATHER, TRESHAPE and TRSQRT (29); TCONCAT,
# TEXTRACT, TRESHAPE and TRSQRT, 12 removals (59); TCONCAT, TEXTRACT, TFILLPAD and TRESHAPE (52).
# red18, TEXTRACT column offsets off the block grid judged by the trace (the barriers next to them kept): a
# 1 x 1 window at an off-block offset (20003), the bare loop counter and a constant (20022), the counter times a
# block (20027); each has executed removals elsewhere.
SLOW_SEEDS = [29, 59, 52, 20003, 20022, 20027]


@in_perfsim
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_a_handful_of_corpus_ops_seeds_has_no_wrong_removal(seed, tmp_path):
    outcome = fuzz.judge_kernel(fuzz.generate(seed, corpus_ops=True), tmp_path, PTO_ISA, tmp_path / "cache")
    assert outcome.verdict == "accepted", (outcome.verdict, outcome.why, outcome.wrong)
    assert outcome.removed > 0 and outcome.removed_executed > 0
    assert not outcome.wrong


# red18: TEXTRACT column offsets off the 32-byte block grid (CorpusGen.off_block_column, a stream of its own).
OFF_BLOCK_SEEDS = range(5000, 5030)
_TEXTRACT = re.compile(r"TEXTRACT\((v\d+), (v\d+), ([^,]+), (.+)\);")


def _off_block_extracts(text: str) -> list[tuple[int, str]]:
    """(line, offset) of each TEXTRACT into a window that is not 1 x 1 whose column offset is a constant
    off the block grid (by the element size of its source) or the bare loop counter."""
    consts = {m[1]: int(m[2]) for m in re.finditer(r"const int64_t (v\d+) = (\d+);", text)}
    types = {m[2]: m[1] for m in re.finditer(r"(Tile<[^>]*>) (v\d+)[;= ]", text)}
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        m = _TEXTRACT.search(line)
        if not m or ", 1, 1, SLayout" in types[m[1]]:
            continue
        step = 32 // fuzz.SIZE[types[m[2]].split(", ")[1]]
        col = m[4]
        if col in consts and consts[col] % step or re.fullmatch(r"v\d+", col) and col not in consts:
            found.append((number, col))
    return found


def test_a_barrier_after_an_off_block_extract_is_kept_with_the_reason():
    """ptofix (since 8d8e62a, tile_accesses.window_column_problem) makes such a TEXTRACT's operands
    unknown: the barrier just after it is kept, naming the offset, unless no op can be in flight across it."""
    kept = 0
    for seed in OFF_BLOCK_SEEDS:
        kernel = fuzz.generate(seed, corpus_ops=True)
        decisions = {d.line: d for d in fix_cpp(kernel.text, patterns="auto").decisions}
        for line, col in _off_block_extracts(kernel.text):
            after = decisions.get(line + 1)
            if after is None:
                continue
            assert after.decision == "kept" or after.reason.startswith("redundant:"), (seed, line, col, after.reason)
            kept += "is not a whole 32-byte block" in after.reason or "cannot tell that it is a whole" in after.reason
    assert kept >= 10
