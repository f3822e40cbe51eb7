"""PIPE_V barrier proof on the FA sample and the real corpus."""
import glob
import os
import re

import pytest

from ptofix.cpp.barriers import BarrierAnalysis, normalize_patterns
from ptofix.cpp.parser import parse_cpp
from ptofix.pass_manager import run_pipeline, build_pass
from ptofix.frontends import PARSERS
from ptofix.source import PtofixError, SourceText, read_source

from conftest import CORPUS, ROOT

FA = os.path.join(ROOT, "kernels", "flash_attention", "fa.cpp")


def run(text, pattern, path="x.cpp"):
    return run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": pattern})], PARSERS)


def test_pattern_names():
    assert normalize_patterns("gu,trowsum-tadd") == {"gu", "softmax-sum-add"}
    assert normalize_patterns("none") == set() and normalize_patterns("off,disabled") == set()
    with pytest.raises(PtofixError) as info:
        normalize_patterns("gu,bogus")
    assert "supported: gu" in info.value.format()


def test_fa_sample_gu_removes_every_in_place_gu_barrier_with_a_proof():
    text = open(FA, encoding="utf-8").read()
    outcome = run(text, "gu")
    decisions = outcome.reports[0]["decisions"]
    gu = [d for d in decisions if d["pattern"] == "gu"]
    assert len(gu) == text.count("TROWEXPANDMUL(") and gu
    assert all(d["decision"] == "removed" and "same-access chain" in d["reason"] for d in gu)
    # Only those barriers changed, each turned into a comment on its own line.
    assert outcome.text.count("pipe_barrier(PIPE_V);") == text.count("pipe_barrier(PIPE_V);") - len(gu)
    assert outcome.text.count("\n") == text.count("\n")
    # Idempotent.
    assert run(outcome.text, "gu").text == outcome.text


def test_fa_sample_auto_removes_more_and_explains_every_decision():
    text = open(FA, encoding="utf-8").read()
    gu = run(text, "gu").reports[0]["removed"]
    report = run(text, "auto").reports[0]
    assert report["removed"] > gu
    for d in report["decisions"]:
        assert d["reason"]
        if d["decision"] == "kept":
            assert d["hazard"]["kind"] in ("RAW", "WAR", "WAW", "unknown")


def _removed_lines(before, after):
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


def test_real_corpus_auto_only_touches_barriers_and_is_idempotent(corpus_dir):
    removed_total = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "real", "*.cpp"))):
        text = open(path, encoding="utf-8", newline="").read()
        outcome = run(text, "auto", path)
        for old, new in _removed_lines(text, outcome.text):
            assert old.strip() == "pipe_barrier(PIPE_V);"
            assert re.fullmatch(r"\s*/\* ptofix: removed pipe_barrier\(PIPE_V\) \(auto\) \*/", new)
        removed_total += outcome.reports[0]["removed"]
        assert run(outcome.text, "auto", path).text == outcome.text
    assert removed_total > 0


def test_real_fa_kernel_gu(corpus_dir):
    path = os.path.join(corpus_dir, "real", "02_fa_call_both.cpp")
    text = open(path, encoding="utf-8").read()
    decisions = run(text, "gu", path).reports[0]["decisions"]
    gu = [d for d in decisions if d["pattern"] == "gu"]
    assert gu and all(d["decision"] == "removed" for d in gu)


def test_reduction_read_is_not_a_same_access_chain():
    # TEXP writes p in place (64 repeats) and TROWSUM reads p with a reduction pattern:
    # not an exact same-access chain (pto_isa_facts.md §6.3), so the barrier stays.
    text = open(FA, encoding="utf-8").read()
    decisions = run(text, "softmax-exp-sum").reports[0]["decisions"]
    for d in decisions:
        if d["after_op"] == "TROWSUM":
            assert d["decision"] == "kept"
