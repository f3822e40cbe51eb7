"""The local-slot-num pass and its CLI options, and the helpers of its other test files
(tests/passes/test_local_slot_num_*.py; the TPipe inventory, ptofix/cpp/pipes.py: tests/cpp/test_pipes.py).

Facts: docs/reference/pto-facts.md §4, docs/reference/pto-ir.md §2-3. Corpus tests read
../shared/corpus when it exists and skip otherwise; corpus files are never copied into the repo.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import re

import pytest

from ptofix.commands.arguments import add_local_slot_arguments
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.pipes import NEW, SHORT, build_inventory
from ptofix.cpp.tokens import tokenize
from ptofix.frontends import PARSERS
from ptofix.local_slot_options import LocalSlotOptions, local_slot_pass
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUTS = os.path.join(ROOT, "lit_tests", "local-slot-num", "Inputs")
CORPUS = os.path.abspath(os.path.join(ROOT, "..", "shared", "corpus"))


def kernel(body: str, name: str = "k") -> str:
    return f"AICORE void {name}(__gm__ float* v1) {{\n  int32_t v2 = 0;\n{body}}}\n"


def run(text: str, **options) -> tuple[str, dict, list[str]]:
    source = SourceText(text, "t.cpp")
    opts = {k.replace("_", "-"): str(v) for k, v in options.items()}
    outcome = run_pipeline(source, [build_pass("local-slot-num", opts)], PARSERS)
    return outcome.text, outcome.reports[0], outcome.warnings


def inventory(text: str):
    source = SourceText(text, "t.cpp")
    return build_inventory(parse_cpp(source), source)


# ---- pass -----------------------------------------------------------------------------------------
TWO = kernel(
    "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n"
    "  auto v4 = TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>(v1, v2, v2);\n"
    "  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>, TileSplitAxis::TILE_UP_DOWN>(v3);\n"
    "  TFREE<TPipe<2, Direction::DIR_V2C, 512, 8, 8, false>, TileSplitAxis::TILE_UP_DOWN>(v4);\n")


def test_per_flag_map_changes_only_the_local_argument_of_that_pipe():
    text, report, _ = run(TWO, map="0=2")
    assert text == TWO.replace("1024, 8, 8, true", "1024, 8, 2, true")
    rows = {r["var"]: r for r in report["pipes"]}
    assert (rows["v3"]["local_before"], rows["v3"]["local_after"], rows["v3"]["intent"]["source"]) == (8, 2, "cli")
    assert (rows["v4"]["local_after"], rows["v4"]["intent"]["source"], rows["v4"]["changed"]) == (8, "none", False)
    assert report["edits"] == 2 and report["changed_pipes"] == 1


@pytest.mark.parametrize("qualify", ["all", "init", "uses", "global"])
def test_a_pto_qualified_tpipe_is_the_same_type(qualify):
    qualified = {
        "all": TWO.replace("TPipe<", "pto::TPipe<").replace("TFREE<", "pto::TFREE<"),
        "init": TWO.replace("= TPipe<", "= pto::TPipe<"),
        "uses": TWO.replace("TFREE<TPipe<", "TFREE<pto::TPipe<"),
        "global": TWO.replace("TPipe<", "::pto::TPipe<"),
    }[qualify]
    assert qualified != TWO
    text, report, warnings = run(qualified, map="0=2")
    assert text == qualified.replace("1024, 8, 8, true", "1024, 8, 2, true") and not warnings
    assert report["changed_pipes"] == 1
    assert run(text, map="0=2")[0] == text


def test_all_pipes_default_policy_and_precedence():
    text, report, _ = run(TWO, map="0=4", default=2)
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, true>" in text
    assert "TPipe<2, Direction::DIR_V2C, 512, 8, 2, false>" in text
    assert [r["intent"]["source"] for r in report["pipes"]] == ["cli", "default"]
    text, _, _ = run(TWO, map="1")
    assert text.count(", 8, 1, ") == 4


@pytest.mark.parametrize("value", ["0", "9", "-1"])
def test_out_of_range_is_an_error_at_the_pipe(value):
    with pytest.raises(PtofixError) as info:
        run(TWO, map=f"0={value}")
    assert "out of range: 0 < LocalSlotNum <= SlotNum (8)" in str(info.value)
    assert info.value.format().startswith("t.cpp:3:13: error:")


def test_order_normalisation_round_trip_and_unit_flag():
    old, _, warnings = run(TWO, tpipe_order="old")
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>" in old and "TPipe<2, Direction::DIR_V2C, 512, 8, false, 8>" in old
    back, _, _ = run(old, tpipe_order="new")
    assert back == TWO
    # Without a target order an old-order file gets a warning about header binding.
    _, _, warnings = run(old)
    assert any("old TPipe argument order" in w for w in warnings)
    unit, report, warnings = run(TWO, unit_flag="0,2")
    assert unit.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true, true>") == 2
    assert unit.count("TPipe<2, Direction::DIR_V2C, 512, 8, 8, false, true>") == 2
    assert any("EN_UNIT_FLAG only affects" in w for w in warnings)


def test_raising_local_on_tile_form_pop_warns():
    text = kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v2, v2);\n"
        "  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>, Tile<TileType::Vec, float, 8, 16>, "
        "TileSplitAxis::TILE_UP_DOWN>(v3, v2);\n")
    out, _, warnings = run(text, map="4")
    assert out.count(", 8, 4, false>") == 2
    assert any("Tile-form TPOP" in w for w in warnings)


# ---- CLI options ----------------------------------------------------------------------------------
def pass_of(args: argparse.Namespace):
    """The pass the parsed options select, built as the commands build it."""
    return local_slot_pass(LocalSlotOptions.from_values(vars(args)))


def test_the_settings_have_one_field_per_option():
    parser = argparse.ArgumentParser()
    add_local_slot_arguments(parser)
    dests = [action.dest for action in parser._actions if action.dest != "help"]
    assert list(LocalSlotOptions.field_names) == dests


def test_options_build_the_pass_or_none():
    parser = argparse.ArgumentParser()
    add_local_slot_arguments(parser)
    assert pass_of(parser.parse_args([])) is None
    assert pass_of(parser.parse_args(["--target-ptoas", "v0.45"])) is None
    p = pass_of(parser.parse_args(["--local-slot-num", "0=2,4=2", "--ir", "fa.mlir",
                                                     "--target-ptoas", "v0.36", "--default-local-slot-num", "2",
                                                     "--tpipe-order", "new", "--unit-flag", "0,4"]))
    assert (p.name, p.map, p.ir, p.target_ptoas, p.default, p.tpipe_order, p.unit_flag) == \
        ("local-slot-num", "0=2,4=2", "fa.mlir", "v0.36", 2, "new", (0, 4))
    with pytest.raises(SystemExit):
        parser.parse_args(["--tpipe-order", "sideways"])


def test_options_coexist_with_a_command_that_has_target_ptoas():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target-ptoas", default="newest")
    add_local_slot_arguments(parser)   # must not raise on the duplicate option
    p = pass_of(parser.parse_args(["--target-ptoas", "v0.31", "--sidecar", "x.json"]))
    assert (p.target_ptoas, p.sidecar) == ("v0.31", "x.json")


# ---- corpus ---------------------------------------------------------------------------------------
def corpus_files() -> list[str]:
    if not os.path.isdir(CORPUS):
        return []
    files = glob.glob(os.path.join(CORPUS, "real", "*.cpp")) + glob.glob(os.path.join(CORPUS, "ptoas-*", "**", "*.cpp"),
                                                                          recursive=True)
    out = []
    for path in sorted(files):
        with open(path, encoding="utf-8", newline="") as handle:
            if "TPipe" in handle.read():
                out.append(path)
    return out


CORPUS_FILES = corpus_files()
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason="shared corpus not present")


def _read(path: str) -> SourceText:
    with open(path, encoding="utf-8", newline="") as handle:
        return SourceText(handle.read(), path)


@needs_corpus
def test_corpus_has_tpipe_files():
    assert len(CORPUS_FILES) >= 50


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: os.path.relpath(p, CORPUS))
def test_corpus_inventory_is_consistent_and_rewrites_are_idempotent(path):
    source = _read(path)
    inv = build_inventory(parse_cpp(source), source)
    # Every TPipe token outside comments/strings is a pipe object or a linked use, all consistent.
    tokens = sum(len(re.findall(r"(?<![\w:])TPipe(?!\w)", t.text)) for t in tokenize(source) if t.kind == "w")
    assert sum(1 + len(p.uses) for p in inv.pipes) == tokens
    assert not [i for i in inv.issues if i.kind not in ("same-flag-same-type",)], inv.issues
    assert all(p.type.order in (NEW, SHORT) for p in inv.pipes)
    # No intent: byte-identical output.
    outcome = run_pipeline(source, [build_pass("local-slot-num", {})], PARSERS)
    assert outcome.text == source.text
    # LocalSlotNum 1 for every pipe (valid for any SlotNum): only LocalSlotNum arguments change,
    # every occurrence of a pipe agrees, and a second run changes nothing. A file of short
    # `TPipe<F, Dir, Size, Num>` types only shows no argument order, and a fifth `1` is IsNoSplit
    # under the 2026-04-09 headers: it needs the order given.
    options = {"map": "1"}
    if all(p.type.order == SHORT for p in inv.pipes):
        with pytest.raises(PtofixError, match="no TPipe of this file shows the argument order"):
            run_pipeline(source, [build_pass("local-slot-num", options)], PARSERS)
        options["tpipe-order"] = "new"
    outcome = run_pipeline(source, [build_pass("local-slot-num", options)], PARSERS)
    changed = SourceText(outcome.text, path)
    inv2 = build_inventory(parse_cpp(changed), changed)
    for pipe in inv2.pipes:
        assert {occ.key for occ in pipe.occurrences()} == {pipe.type.key}
        assert pipe.type.local_slot_num == 1 and pipe.type.local_written
    assert len(outcome.text) - len(source.text) == sum(
        (1 + len(p.uses)) * (len("1") - (len(p.type.args[p.type.local_arg].text) if p.type.local_written else -2))
        for p in inv.pipes)
    again = run_pipeline(changed, [build_pass("local-slot-num", {"map": "1"})], PARSERS)
    assert again.text == outcome.text
    # Order round trip new -> old -> new is the identity for new-order files.
    if all(p.type.order == NEW for p in inv.pipes):
        old = run_pipeline(source, [build_pass("local-slot-num", {"tpipe-order": "old"})], PARSERS).text
        assert old != source.text
        back = run_pipeline(SourceText(old, path), [build_pass("local-slot-num", {"tpipe-order": "new"})], PARSERS).text
        assert back == source.text


@needs_corpus
def test_corpus_manifest_tpipe_counts_match_inventory():
    manifest = os.path.join(CORPUS, "real", "MANIFEST.tsv")
    if not os.path.exists(manifest):
        pytest.skip("no MANIFEST.tsv")
    with open(manifest, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["TPipe_count"] not in ("", "0")]
    assert rows
    for row in rows:
        source = _read(os.path.join(CORPUS, "real", row["file"]))
        inv = build_inventory(parse_cpp(source), source)
        assert sum(1 + len(p.uses) for p in inv.pipes) == int(row["TPipe_count"]), row["file"]


@needs_corpus
def test_corpus_fa_ir_matching():
    """02: the IR has no local_slot_num, so nothing changes; 03: the IR's local_slot_num = 1 is already
    in the C++; its flag order differs from the newest ptoas rule, but the shapes pair up one to one,
    so no flag is needed: the disagreement is a warning naming both."""
    real = os.path.join(CORPUS, "real")
    src = _read(os.path.join(real, "02_fa_call_both.cpp"))
    out = run_pipeline(src, [build_pass("local-slot-num", {"ir": os.path.join(real, "02_fa_call_both.pto")})], PARSERS)
    assert out.text == src.text
    src = _read(os.path.join(real, "03_fa_splitpipe_call_both.cpp"))
    out = run_pipeline(src, [build_pass("local-slot-num", {"ir": os.path.join(real, "03_fa_splitpipe_call_both.pto.mlir")})],
                       PARSERS)
    assert out.text == src.text
    assert any("by shape this" in w and "is pipe 'v41' with FlagID 0" in w for w in out.warnings)
    rows = out.reports[0]["pipes"]
    assert all(r["ir_match"] for r in rows if r["function"] == "cube_kernel")


@needs_corpus
def test_corpus_split_pipe_matches_with_the_producing_ptoas_rule():
    """03 was produced before PTOAS sorted pipe components by frontend id (dfee92e1, after v0.45):
    with --target-ptoas v0.45 the IR inits match the C++ pipes 0/2/4 in creation order."""
    real = os.path.join(CORPUS, "real")
    src = _read(os.path.join(real, "03_fa_splitpipe_call_both.cpp"))
    out = run_pipeline(src, [build_pass("local-slot-num", {"ir": os.path.join(real, "03_fa_splitpipe_call_both.pto.mlir"),
                                                           "target-ptoas": "v0.45"})], PARSERS)
    assert out.text == src.text     # local_slot_num = 1 is already in the C++
    pipes = out.reports[0]["pipes"]
    sources = {p["flag_id"]: p["intent"]["source"] for p in pipes if p["function"] == "cube_kernel"}
    assert sources[0] == "ir" and sources[2] == "ir"
