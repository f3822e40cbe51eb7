"""``check --trace`` on TSORT32, pto-isa's ``vbitsort`` (a2a3 TSort32.hpp): each repeat reads 32 source
elements and 32 4-byte indices and writes 32 score-index pairs of 8 bytes (footprint.py). The cost model
records its pointers as integers; the source's element size, which its bytes are measured in, was not
recorded (the shim had no overload for ``vbitsort``), so every kernel calling TSORT32 could not be
judged ("vbitsort: the element size of its data was not recorded": ptoas-v0.45's
lit/pto/tsort32_emitc.pto.cpp). The shim (trace_shim.hpp item 1) records it now. The static ``check``
reports the same three pairs on tests/fixtures/trace/sort32.cpp.

And on TMRGSORT, pto-isa's ``vmrgsort4`` (a2a3 TMrgSort.hpp): its lists are an array of UB pointers the
cost model records as the array's host address, and footprint.py knew no footprint for it ("no
footprint is known for the intrinsic vmrgsort4": the tmrgsort lit files). The shim (item 1b) records
each list's address before it; footprint.py reads each list's structures (8 bytes each, the counts
packed in ``count``, the lists in config's mask) and the merged ones written, repeat after repeat. The
static ``check`` reports the same three pairs on tests/fixtures/trace/mrgsort.cpp."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_trace import PTO_ISA, ROOT, in_perfsim, ptofix

FIXTURE = ROOT / "tests" / "fixtures" / "trace" / "sort32.cpp"
MERGE = ROOT / "tests" / "fixtures" / "trace" / "mrgsort.cpp"
CORPUS = Path(os.environ.get("PTOFIX_CORPUS") or ROOT.parent / "shared" / "corpus")
TSORT32_LIT = CORPUS / "ptoas-v0.45" / "lit" / "pto" / "tsort32_emitc.pto.cpp"
TMRGSORT_LIT = [CORPUS / release / "lit" / "pto" / "tmrgsort_executed_constant_emitc.pto.cpp"
                for release in ("ptoas-v0.45", "ptoas-2026-08-21")]


def _check(*argv: str) -> tuple[int, str, dict]:
    done = ptofix("check", "--trace", "--pto-isa", str(PTO_ISA), "--report", "json", *argv)
    return done.returncode, done.stderr, json.loads(done.stdout)["files"][0]


def _races(report: dict) -> list[tuple[str, int, str, int, str, list]]:
    return [(race["kind"], int(race["earlier"]["location"].split(":")[-2]), race["earlier"]["intrinsic"],
             int(race["later"]["location"].split(":")[-2]), race["later"]["intrinsic"], race["bytes"])
            for race in report["races"]]


@in_perfsim
@pytest.mark.parametrize(("which", "expected"), [
    (0, [("RAW", 26, "vadds", 27, "vbitsort", [[0, 0x80]])]),           # its source
    (1, []),                                                             # the same, behind a barrier
    (2, [("WAW", 34, "vadds", 35, "vbitsort", [[0x280, 0x300]])]),     # its pairs' second half
    (3, [("RAW", 38, "vadds", 39, "vbitsort", [[0x100, 0x180]])]),     # its indices
])
def test_tsort32s_operands_are_judged(which, expected):
    status, stderr, report = _check("--arg", f"which={which}", str(FIXTURE))
    assert report["unverified"] == [], stderr
    assert _races(report) == expected, stderr
    assert status == (1 if expected else 0)


@in_perfsim
@pytest.mark.corpus
@pytest.mark.skipif(not TSORT32_LIT.is_file(), reason="../shared/corpus is not present")
def test_the_tsort32_lit_file_is_judged():
    status, stderr, report = _check(str(TSORT32_LIT))
    assert report["unverified"] == [] and report["races"] == [] and status == 0, stderr


@in_perfsim
@pytest.mark.parametrize(("which", "expected"), [
    (0, [("RAW", 31, "vadds", 32, "vmrgsort4", [[0x200, 0x400]])]),       # a list of the two-list form
    (1, []),                                                               # the same, behind a barrier
    (2, [("RAW", 39, "vadds", 40, "vmrgsort4", [[0x2400, 0x2800]])]),     # the second repeat's lists
    (3, [("WAR", 43, "vadds", 44, "vmrgsort4", [[0x3400, 0x3800]])]),     # the second repeat's output
])
def test_tmrgsorts_lists_and_output_are_judged(which, expected):
    status, stderr, report = _check("--arg", f"which={which}", str(MERGE))
    assert report["unverified"] == [], stderr
    assert _races(report) == expected, stderr
    assert status == (1 if expected else 0)


@in_perfsim
@pytest.mark.corpus
@pytest.mark.skipif(not all(path.is_file() for path in TMRGSORT_LIT), reason="../shared/corpus is not present")
def test_the_tmrgsort_lit_files_are_judged():
    for path in TMRGSORT_LIT:
        status, stderr, report = _check(str(path))
        assert report["unverified"] == [] and report["races"] == [] and status == 0, (path, stderr)


@in_perfsim
def test_a_kernel_taking_the_executed_counts_as_a_parameter_is_traced(tmp_path):
    """TMRGSORT's MrgSortExecutedNumList as the entry's parameter (as ptoas-v0.45's
    tmrgsort_variants and tmrgsort_format2_tmp_larger lit files take it): the run passes it
    value-initialised and judges the kernel, as it judges the one declaring it in its body
    (before, the build refused the parameter's type)."""
    text = MERGE.read_text(encoding="utf-8")
    text = text.replace("mrgsort(int32_t which)", "mrgsort(int32_t which, MrgSortExecutedNumList done)")
    text = text.replace("  MrgSortExecutedNumList done{0, 0, 0, 0};\n", "  // (done: the parameter)\n")
    kernel = tmp_path / "mrgsort_parameter.cpp"
    kernel.write_text(text, encoding="utf-8")
    status, stderr, report = _check("--arg", "which=0", str(kernel))
    assert report["unverified"] == [], stderr
    assert _races(report) == [("RAW", 31, "vadds", 32, "vmrgsort4", [[0x200, 0x400]])], stderr
    assert status == 1
    status, stderr, report = _check("--arg", "which=1", str(kernel))
    assert (status, report["races"]) == (0, []), stderr
