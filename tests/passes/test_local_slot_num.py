"""Tests for the TPipe inventory (ptofix/cpp/pipes.py), the local-slot-num pass and its CLI options.

Facts: docs/reference/pto-facts.md §4, docs/reference/pto-ir.md §2-3. Corpus tests read
../shared/corpus when it exists and skip otherwise; corpus files are never copied into the repo.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import glob
import json
import os
import re

import pytest

from ptofix.commands.arguments import add_local_slot_arguments
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.pipes import AMBIGUOUS_ORDER, NEW, NO_NOSPLIT, OLD, SHORT, UNKNOWN, build_inventory, header_order
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


# ---- inventory ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, order, local, nosplit, unit", [
    ("0, Direction::DIR_C2V, 1024, 8, 8, true", NEW, 8, True, False),
    ("0, Direction::DIR_C2V, 1024, 8, 2, false, true", NEW, 2, False, True),
    ("0, Direction::DIR_C2V, 1024, 8, 4", NEW, 4, False, False),
    ("0, Direction::DIR_C2V, 1024, 8, true, 8", OLD, 8, True, False),
    ("0, Direction::DIR_C2V, 1024, 8, false", OLD, 2, False, False),
    ("0, Direction::DIR_C2V, 1024, 8, true, 1, true", OLD, 1, True, True),
    ("0, Direction::DIR_BOTH, 4096, 4", SHORT, 2, False, False),
])
def test_order_is_detected_from_the_literals(args, order, local, nosplit, unit):
    inv = inventory(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"))
    (pipe,) = inv.pipes
    t = pipe.type
    assert (t.order, t.local_slot_num, t.nosplit, t.unit_flag) == (order, local, nosplit, unit)
    assert t.flag_id == 0 and t.slot_num in (8, 4)
    assert not inv.issues


@pytest.mark.parametrize("args", ["0, Direction::DIR_C2V, 1024, 8, true, false", "0, Direction::DIR_C2V, 1024, 8, 8, 2",
                                  "0, Direction::DIR_C2V, 1024"])
def test_undecidable_types_are_reported(args):
    inv = inventory(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"))
    assert inv.pipes[0].type.order == UNKNOWN or inv.pipes[0].type.problem
    assert [i.kind for i in inv.issues] == ["bad-type"]
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v3'"):
        run(kernel(f"  auto v3 = TPipe<{args}>(v1, v2, v2);\n"), map="1")


def test_uses_are_linked_by_pipe_object_and_spans_are_exact():
    text = open(os.path.join(INPUTS, "new_order.cpp"), encoding="utf-8").read()
    inv = inventory(text)
    assert [(p.function, p.var, p.flag_id, p.type.direction, len(p.uses)) for p in inv.pipes] == [
        ("cube_kernel", "v5", 0, "DIR_C2V", 2), ("cube_kernel", "v6", 2, "DIR_V2C", 2),
        ("cube_kernel", "v7", 4, "DIR_C2V", 2), ("vector_kernel", "v6", 0, "DIR_C2V", 2),
        ("vector_kernel", "v7", 2, "DIR_V2C", 1), ("vector_kernel", "v8", 4, "DIR_C2V", 2)]
    for pipe in inv.pipes:
        for occ in pipe.occurrences():
            assert text[occ.span.start:occ.span.end].startswith("TPipe<")
            assert text[occ.args[occ.local_arg].span.start:occ.args[occ.local_arg].span.end] == "8"
    assert [u.op for u in inv.pipes[1].uses] == ["TPOP", "TFREE"]
    assert inv.pipes[1].tile_form_pop and not inv.pipes[0].tile_form_pop
    assert not inv.issues


def test_same_flag_and_overlap_and_use_mismatch_are_reported():
    inv = inventory(kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n"
        "  auto v4 = TPipe<0, Direction::DIR_C2V, 2048, 8, 8, true>(v1, v2, v2);\n"
        "  auto v5 = TPipe<4, Direction::DIR_BOTH, 512, 4, 4, true>(v1, v2, v2);\n"
        "  auto v6 = TPipe<6, Direction::DIR_C2V, 512, 8, 8, true>(v1, v2, v2);\n"
        "  TFREE<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, true>, TileSplitAxis::TILE_UP_DOWN>(v3);\n"
        "  TFREE<TPipe<6, Direction::DIR_V2C, 512, 8, 8, true>, TileSplitAxis::TILE_UP_DOWN>(v6);\n"
        "  TFREE<TPipe<6, Direction::DIR_C2V, 512, 8, 8, true>, TileSplitAxis::TILE_UP_DOWN>(v9);\n"))
    kinds = sorted(i.kind for i in inv.issues)
    assert kinds == ["flag-overlap", "same-flag", "unlinked", "use-mismatch", "use-mismatch"]
    mismatches = [i for i in inv.issues if i.kind == "use-mismatch"]
    assert [m.local_only for m in mismatches] == [True, False]


def test_tpipe_outside_functions_is_not_silently_ignored():
    text = "using QKPipe = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>;\n" + kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n")
    inv = inventory(text)
    assert [i.kind for i in inv.issues] == ["unlinked"]
    with pytest.raises(PtofixError, match="cannot change LocalSlotNum consistently"):
        run(text, map="2")


def test_header_order():
    new = open(os.path.join(INPUTS, "pto-isa-new", "include", "pto", "npu", "a2a3", "TPush.hpp")).read()
    old = open(os.path.join(INPUTS, "pto-isa-old", "include", "pto", "npu", "a2a3", "TPush.hpp")).read()
    assert header_order(new) == NEW and header_order(old) == OLD
    # 2026-03-26 header: LocalSlotNum fifth, no IsNoSplit (docs/reference/pto-facts.md §4.1): its sixth
    # argument is the unit flag, neither order ptofix writes.
    assert header_order("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, "
                        "uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false> struct TPipe;") == NO_NOSPLIT
    assert header_order("template <typename T> struct Other;") is None


_NEW_TPIPE = ("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, uint32_t LocalSlotNum = 2, "
              "bool IsNoSplit = false, bool EN_UNIT_FLAG = false>\nstruct TPipe {};\n")
_OLD_TPIPE = ("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum, bool IsNoSplit, "
              "uint32_t LocalSlotNum, bool EN_UNIT_FLAG = false>\nstruct TPipe;\n")


@pytest.mark.parametrize("header, order", [
    # What the compiler never reads says nothing: a comment, an `#if 0` group (nested ones too).
    (f"/* before 04-10:\n{_OLD_TPIPE}*/\n{_NEW_TPIPE}", NEW),
    ("".join(f"// {line}\n" for line in _OLD_TPIPE.splitlines()) + _NEW_TPIPE, NEW),
    (f"#if 0\n#ifdef X\n#endif\n{_OLD_TPIPE}#endif\n{_NEW_TPIPE}", NEW),
    (f"#if 0\n{_NEW_TPIPE}#else\n{_OLD_TPIPE}#endif\n", OLD),
    # ... nor a group after one always taken, nor one false whatever the macros are.
    (f"#if 1\n{_NEW_TPIPE}#else\n{_OLD_TPIPE}#endif\n", NEW),
    (f"#if 2 - 2\n{_OLD_TPIPE}#elif X\n#else\n{_NEW_TPIPE}#endif\n", NEW),
    # Two live orders (#ifdef branches): which is compiled cannot be told.
    (f"#ifdef OLD_PIPES\n{_OLD_TPIPE}#else\n{_NEW_TPIPE}#endif\n", AMBIGUOUS_ORDER),
    # A declaration and its definition in one order are one order.
    (_NEW_TPIPE.replace("TPipe {};", "TPipe;") + _NEW_TPIPE, NEW),
])
def test_header_order_reads_only_what_is_compiled(header, order):
    assert header_order(header) == order


def test_a_pto_lib_declaring_tpipe_in_two_orders_is_refused(tmp_path):
    lib = tmp_path / "pto-isa"
    header = lib / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    header.parent.mkdir(parents=True)
    header.write_text(f"#ifdef OLD_PIPES\n{_OLD_TPIPE}#else\n{_NEW_TPIPE}#endif\n")
    text = "void k() {\n  TPipe<0, Direction::DIR_C2V, 1024, 8, 1, false> v20(a, b, c);\n}\n"
    with pytest.raises(PtofixError, match="declares 'struct TPipe' templates in more than one argument order"):
        run(text, **{"map": "2", "pto-lib": str(lib)})


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
    assert [field.name for field in dataclasses.fields(LocalSlotOptions)] == dests


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


# ---- the real FA kernel with three pipes, `ptofix run --ir PTO CPP` and nothing else ------------------
FA03 = os.path.join(CORPUS, "real", "03_fa_splitpipe_call_both")


def _fa03_as_older_ptoas_printed_it(tmp_path) -> tuple[str, str]:
    """The corpus kernel with every LocalSlotNum back at SlotNum (8), as a ptoas that cannot carry
    local_slot_num prints it; returns (that C++ path, the corpus C++ text)."""
    if not (os.path.isfile(FA03 + ".pto.mlir") and os.path.isfile(FA03 + ".cpp")):
        pytest.skip("../shared/corpus/real/03_fa_splitpipe_call_both.* not present")
    with open(FA03 + ".cpp", encoding="utf-8", newline="") as handle:
        original = handle.read()
    older = re.sub(r"(TPipe<\d, Direction::DIR_\w+, \d+, 8, )1(, false>)", r"\g<1>8\2", original)
    assert older != original
    path = tmp_path / "fa.cpp"
    path.write_text(older, encoding="utf-8", newline="")
    return str(path), original


@pytest.mark.corpus
def test_real_fa_kernel_ir_sets_the_intended_pipes_with_no_other_flag(tmp_path, capsys):
    """The IR carries local_slot_num = 1 on two of the three pipes of each side; the C++ numbers them
    as the ptoas that made it did, not as the newest rule (the default): the shapes pair up one to
    one, so `--ir` alone sets LocalSlotNum 1 at the init and every use of exactly those pipes."""
    from ptofix.cli import main
    cpp, original = _fa03_as_older_ptoas_printed_it(tmp_path)
    out = tmp_path / "fixed.cpp"
    assert main(["run", "--ir", FA03 + ".pto.mlir", cpp, "-o", str(out), "--report", "json",
                 "--report-file", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    fixed = out.read_text(encoding="utf-8")
    # every occurrence (init + TALLOC/TPUSH/TPOP/TFREE) of the C2V pipes 0 and 2 says 1; pipe 4 keeps 8
    occurrences = re.findall(r"TPipe<(\d), Direction::DIR_(\w+), (\d+), 8, (\d+), false>", fixed)
    assert {(f, d, s) for f, d, s, _ in occurrences} == {("0", "C2V", "65536"), ("2", "C2V", "16384"),
                                                          ("4", "V2C", "32768")}
    assert all(local == ("8" if flag == "4" else "1") for flag, _, _, local in occurrences)
    assert sum(1 for f, *_ in occurrences if f in "02") > 20
    assert fixed == original            # exactly what the ptoas that honours local_slot_num prints
    # the newest rule numbers these pipes differently: warnings naming both, not an error
    assert "but ptoas newest flag assignment -> 2; matched by shape" in err
    [report] = json.loads((tmp_path / "r.json").read_text())["files"]
    rows = [r for p in report["passes"] for r in p.get("pipes", [])]
    assert len(rows) == 6 and all(r["matched_by"] == "shape" for r in rows)
    assert sorted(r["local_after"] for r in rows) == [1, 1, 1, 1, 8, 8]


PIPE = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>"
GT = "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>"
PUSH = f"TPUSH<{{pipe}}, {GT}, TileSplitAxis::TILE_NO_SPLIT>({{obj}}, v50);"
INIT = f"  auto v20 = {PIPE}(v1, v2, v2);\n  {GT} v50(nullptr);\n"


@pytest.mark.parametrize("name, body", [
    # A use the inventory does not read as one, its type spelled otherwise: the same C++ type.
    ("qualified op", INIT + "  pto::" + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"), obj="v20") + "\n"),
    ("void cast", INIT + "  (void)" + PUSH.format(pipe=PIPE.replace("Direction::DIR_C2V", "DIR_C2V"), obj="v20") + "\n"),
    # Uses through another name, spelled otherwise.
    ("reference", INIT + "  auto& r = v20;\n  " + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"), obj="r")
     + "\n"),
    ("pointer", INIT + "  auto* pp = &v20;\n  " + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"),
                                                             obj="*pp") + "\n"),
    # Pipe objects declared in forms the inventory does not read.
    ("explicit type with =", f"  {PIPE} v20 = {PIPE}(v1, v2, v2);\n  {GT} v50(nullptr);\n  "
     + PUSH.format(pipe=PIPE, obj="v20") + "\n"),
    ("brace init", f"  auto v20 = {PIPE}{{v1, v2, v2}};\n  {GT} v50(nullptr);\n  " + PUSH.format(pipe=PIPE, obj="v20") + "\n"),
    ("local alias", f"  using P = {PIPE};\n  auto v20 = P(v1, v2, v2);\n  {GT} v50(nullptr);\n  "
     + PUSH.format(pipe="P", obj="v20") + "\n"),
])
def test_a_pipe_the_inventory_cannot_tie_stops_every_rewrite(name, body):
    text = kernel(body)
    with pytest.raises(PtofixError, match="LocalSlotNum|cannot rewrite pipe"):
        run(text, map="2")
    with pytest.raises(PtofixError, match="LocalSlotNum|cannot rewrite pipe"):
        run(text, map="0=2")


def test_an_every_pipe_value_on_a_file_without_tpipes_warns():
    text, _report, warnings = run(kernel("  int32_t v1 = 0;\n"), map="2")
    assert text == kernel("  int32_t v1 = 0;\n")
    assert any("no TPipe; nothing changed" in w for w in warnings)


def test_a_run_that_raises_local_slot_num_proves_barriers_on_the_raised_pipes(tmp_path):
    """The proof must read the LocalSlotNum the output has: raised from 1 to 4 in the same run, the
    Tile-form TPOP may bind v4 onto v5, so TMULS(v6, v4) -> TEXPANDS(v5) keeps its barrier (a plain
    run at LocalSlotNum 1 removes it)."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    plain, raised = tmp_path / "plain.cpp", tmp_path / "raised.cpp"
    assert main(["run", "--pattern", "auto", src, "-o", str(plain)]) == 0
    assert main(["run", "--pattern", "auto", "--local-slot-num", "0=4", src, "-o", str(raised)]) == 0
    barriers = [text.count("pipe_barrier(PIPE_V);") for text in (plain.read_text(), raised.read_text())]
    assert barriers[1] == barriers[0] + 1


def test_local_slot_num_refuses_to_change_a_pipe_after_barriers_were_removed(tmp_path):
    """A later run (or a later pass of one pipeline) that raises LocalSlotNum would break the proof
    of a barrier already removed: it is refused (exit 2, nothing written); unchanged values pass."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    removed, out = tmp_path / "removed.cpp", tmp_path / "out.cpp"
    assert main(["run", "--pattern", "auto", src, "-o", str(removed)]) == 0
    assert "ptofix: removed pipe_barrier(PIPE_V)" in removed.read_text()
    before = removed.read_bytes()
    assert main(["run", "--local-slot-num", "0=4", str(removed), "-o", str(out)]) == 2
    assert not out.exists() and removed.read_bytes() == before
    assert main(["opt", "-p", "pipe-v-barrier{pattern=auto},local-slot-num{map=0=4}", src, "-o", str(out)]) == 2
    assert not out.exists()
    # The value it already has is no change; the order that sets it first proves on the new value.
    assert main(["run", "--local-slot-num", "0=1", str(removed), "-o", str(out)]) == 0
    assert main(["opt", "-p", "local-slot-num{map=0=4},pipe-v-barrier{pattern=auto}", src, "-o", str(out)]) == 0


def test_barrier_insertion_reads_the_local_slot_num_set_before_it(tmp_path):
    """The race search reads LocalSlotNum as the proof does: a pipeline that inserts barriers
    before setting it is refused, and so is a later change of a file `check --fix` inserted
    barriers into; set first, the new value's race is separated."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    # Without its barrier the kernel races only once LocalSlotNum is 4 (TMULS reads v4's slot 2 = v5).
    unbarriered = tmp_path / "k.cpp"
    unbarriered.write_text(open(src).read().replace("TMULS(v6, v4, 2.0f);\n    pipe_barrier(PIPE_V);",
                                                    "TMULS(v6, v4, 2.0f);"))
    out = tmp_path / "out.cpp"
    assert main(["check", str(unbarriered)]) == 0
    assert main(["opt", "-p", "pipe-v-barrier-insert,local-slot-num{map=0=4}", str(unbarriered), "-o", str(out)]) == 2
    assert not out.exists()
    assert main(["opt", "-p", "local-slot-num{map=0=4},pipe-v-barrier-insert", str(unbarriered), "-o", str(out)]) == 0
    assert "ptofix: WAR on v5" in out.read_text() and main(["check", str(out)]) == 0
    # A race at the old value too (TEXPANDS writes v4 while TMULS reads it): --fix inserts, and the file keeps it.
    racy, fixed = tmp_path / "racy.cpp", tmp_path / "fixed.cpp"
    racy.write_text(unbarriered.read_text().replace("TMULS(v6, v4, 2.0f);", "TMULS(v6, v4, 2.0f);\n    TEXPANDS(v4, 1.0f);"))
    assert main(["check", "--fix", str(racy), "-o", str(fixed)]) == 0 and "ptofix: WAR on v4" in fixed.read_text()
    assert main(["run", "--local-slot-num", "0=4", str(fixed), "-o", str(tmp_path / "later.cpp")]) == 2
    assert not (tmp_path / "later.cpp").exists()


# ---- intents that cannot be applied exactly are errors, never dropped ------------------------------
def test_a_header_without_isnosplit_is_refused(tmp_path):
    header = tmp_path / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    header.parent.mkdir(parents=True)
    header.write_text("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum,\n"
                      "          uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false>\nstruct TPipe {};\n")
    with pytest.raises(PtofixError, match="without IsNoSplit"):
        run(TWO, map="0=2", pto_lib=str(tmp_path))


def test_a_fifth_argument_that_may_be_the_old_orders_bool_is_refused():
    five = TWO.replace("1024, 8, 8, true>", "1024, 8, 1>")
    with pytest.raises(PtofixError, match="may be IsNoSplit"):
        run(five, tpipe_order="old")
    assert "1024, 8, false, 2>" in run(TWO.replace("1024, 8, 8, true>", "1024, 8, 2>"), tpipe_order="old")[0]


def test_init_and_use_that_differ_in_localslotnum_only_need_a_localslotnum():
    differ = TWO.replace("auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>",
                         "auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 4, true>")
    with pytest.raises(PtofixError, match="write different LocalSlotNum values"):
        run(differ, tpipe_order="old")
    assert run(differ, map="0=2")[0].count("1024, 8, 2, true>") == 2


def test_a_flag_map_with_a_pipe_whose_flagid_is_a_name_is_refused():
    named = "  constexpr uint8_t QK = 0;\n" + TWO.split("{\n", 1)[1].replace("TPipe<0,", "TPipe<QK,")
    text = TWO.split("{\n", 1)[0] + "{\n" + named
    with pytest.raises(PtofixError, match="writes its FlagID as 'QK'"):
        run(text, map="0=2,2=2")


def test_a_pipe_statement_the_grammar_cannot_read_blocks_every_rewrite():
    other = kernel("  [[maybe_unused]] auto v6 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n", "vec")
    with pytest.raises(PtofixError, match="could not be parsed; it may name a pipe"):
        run(TWO + other, map="0=2")


FEWER_IR = """module {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>, %arg1: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    pto.aic_initialize_pipe{id = 1, dir_mask = 1, slot_size = 1024, local_slot_num = 2} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4} (gm_slot_tensor = %arg1 : !pto.tensor_view<16x16xf32>)
    return
  }
}
"""
THREE_OF_A_SHAPE = ("AICORE void cube_kernel(__gm__ float* v1) {\n  int32_t v4 = 0;\n"
                    + "".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
                              for i in range(3)) + "}\n")


def test_an_ir_init_without_flag_base_among_pipes_of_its_shape_needs_the_ptoas_version(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(FEWER_IR)
    with pytest.raises(PtofixError, match="pass --target-ptoas"):
        run(THREE_OF_A_SHAPE, ir=str(ir))
    assert run(THREE_OF_A_SHAPE, ir=str(ir), target_ptoas="v0.45")[1]["changed_pipes"] >= 1


def test_an_ir_whose_functions_are_not_in_the_file_is_reported(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(FEWER_IR)
    text, _report, warnings = run(THREE_OF_A_SHAPE.replace("cube_kernel", "cube_kernel_0"), ir=str(ir))
    assert text == THREE_OF_A_SHAPE.replace("cube_kernel", "cube_kernel_0")
    assert any("none of which is a function of this file" in w for w in warnings)


# ---- the arch the FlagID model assumes must be the C++'s ------------------------------------------
A5_KERNEL = kernel("  auto v5 = TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 8, true>(v1, v2, v2);\n"
                   "  auto v6 = TPipe<0, Direction::DIR_V2C, 1024, 8, 2, true>(v2, v2);\n", name="vk")
A5_IR = """module {
  func.func @vk(%gm: memref<256xf32, #pto.address_space<gm>>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %p = "pto.initialize_l2g2l_pipe"(%gm) <{dir_mask = 2 : i8, local_slot_num = 4 : i32, operandSegmentSizes = array<i32: 1, 0, 0>, slot_num = 8 : i32, slot_size = 1024 : i32}> : (memref<256xf32, #pto.address_space<gm>>) -> !pto.pipe
    return
  }
}
"""


@pytest.mark.parametrize("arch, refused", [("", True), ('attributes {pto.target_arch = "a5"} ', False)])
def test_ir_intents_for_another_arch_than_the_cpp_are_refused(tmp_path, arch, refused):
    """A DIR_*_GM pipe is A5 C++: ptoas allocates an A5 module's l2l pipes first, so an IR read as
    a3 would predict the FlagIDs of another arch (and give the l2l pipe the GM pipe's intent)."""
    ir = tmp_path / "k.pto"
    ir.write_text(A5_IR.replace("module {", f"module {arch}{{", 1))
    if refused:
        with pytest.raises(PtofixError, match=r"holds the A5 pipe 'v5' \(DIR_V2C_GM\) but the PTO IR .* is for a3"):
            run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45")
    else:
        text, _, _ = run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45")
        assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 4, true>" in text
        assert "TPipe<0, Direction::DIR_V2C, 1024, 8, 2, true>" in text


@pytest.mark.parametrize("arch, refused", [(None, True), ("a3", True), ("a5", False)])
def test_sidecar_predictions_for_another_arch_than_the_cpp_are_refused(tmp_path, arch, refused):
    entry = {"func": "vk", "kernel_kind": "vector", "op": "pto.initialize_l2g2l_pipe", "id": None, "flag_base": 2,
             "flag_base_explicit": False, "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 3, "reason": "GM-only"}
    sidecar = {"version": 1, "source": "k.pto", "target_ptoas": "v0.45", "pipes": [entry]}
    if arch is not None:
        sidecar["arch"] = arch
    path = tmp_path / "k.slots.json"
    path.write_text(json.dumps(sidecar))
    if refused:
        with pytest.raises(PtofixError, match="holds the A5 pipe 'v5'"):
            run(A5_KERNEL, sidecar=str(path))
    else:
        text, _, _ = run(A5_KERNEL, sidecar=str(path))
        assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 4, true>" in text


@pytest.mark.parametrize("expected_gm, cpp, refused", [
    ({"vk": 1}, A5_KERNEL, False),
    ({"vk": 2}, A5_KERNEL, True),             # one GM-staged pipe of the IR is missing: other IR or arch
    ({"vk": 0}, kernel("  auto v3 = TPipe<0, Direction::DIR_BOTH, 1024, 4, 4, false>(v1, v2, v2);\n", name="vk"),
     False),                                  # DIR_BOTH has no _GM variant on A5
    ({"vk": 1}, kernel("  auto v5 = TPipe<2, Direction::DIR_V2C, 1024, 8, 8, true>(v1, v2, v2);\n", name="vk"),
     True),                                   # an A5 IR's GM-staged pipe printed as a3's
])
def test_an_a5_model_needs_each_functions_gm_staged_pipes_in_the_cpp(expected_gm, cpp, refused):
    from passes.local_slot_num import _check_arch
    inv = inventory(cpp)
    if refused:
        with pytest.raises(PtofixError, match="looks compiled for another arch"):
            _check_arch(inv, "a5", expected_gm, "the IR", SourceText(cpp, "t.cpp"))
    else:
        _check_arch(inv, "a5", expected_gm, "the IR", SourceText(cpp, "t.cpp"))


def test_a_flag_id_the_unstated_arch_decides_is_refused():
    """No pto.target_arch and no GM-staged pipe: on A5 the frontend init lowers to l2l and takes
    FlagID 0 before the explicit l2l; on a3 it lowers to l2g2l and comes after it (FlagID 2)."""
    cpp = kernel("  auto v6 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, true>(v1, v2, v2);\n"
                 "  auto v7 = TPipe<2, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v2, v2);\n", name="cube_kernel")
    ir = os.path.join(ROOT, "tests", "fixtures", "ir", "frontend_and_l2l_no_arch.pto")
    with pytest.raises(PtofixError, match="FlagID is 2 if the C\\+\\+ was compiled for a3 and 0 for a5"):
        run(cpp, ir=ir, target_ptoas="v0.45")



def test_a_sidecar_for_a3_is_refused_on_a5_cpp_even_with_explicit_flags(tmp_path):
    # The a3 sidecar's l2g2l entry reads DIR_V2C; on A5 that pipe prints DIR_V2C_GM (v5), and the
    # plain DIR_V2C pipe v6 is another one: no entry of an a3 sidecar may be matched here.
    entry = {"func": "vk", "kernel_kind": "vector", "op": "pto.initialize_l2g2l_pipe", "id": None, "flag_base": 2,
             "flag_base_explicit": True, "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 3, "reason": "GM-only"}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "arch": "a3", "pipes": [entry]}))
    with pytest.raises(PtofixError, match="holds the A5 pipe 'v5'"):
        run(A5_KERNEL, sidecar=str(path))


def test_a_sidecar_of_another_module_is_said_and_a_version_must_be_the_integer_one(tmp_path):
    entry = {"func": "other", "op": "pto.initialize_l2g2l_pipe", "flag_base": 0, "flag_base_explicit": True,
             "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4, "line": 3}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"version": 1, "arch": "a5", "pipes": [entry]}))
    text, _, warnings = run(A5_KERNEL, sidecar=str(path))
    assert text == A5_KERNEL and any("none of which is a function of this file" in w for w in warnings)
    path.write_text(json.dumps({"version": True, "pipes": [entry]}))
    with pytest.raises(PtofixError, match="not a sidecar"):
        run(A5_KERNEL, sidecar=str(path))


def test_a_command_line_value_that_overrides_an_ir_value_is_said(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(A5_IR.replace("module {", 'module attributes {pto.target_arch = "a5"} {', 1))
    text, _, warnings = run(A5_KERNEL, ir=str(ir), target_ptoas="v0.45", map="2=3")
    assert "TPipe<2, Direction::DIR_V2C_GM, 1024, 8, 3, true>" in text
    assert any("local-slot-num 3 for 'v5' overrides local_slot_num = 4 from the ir" in w for w in warnings)


def test_a_sidecar_of_ir_with_another_number_of_pipe_inits_is_refused(tmp_path):
    # ptoas declares one TPipe per pipe init: a sidecar whose IR had 3 inits in 'vk' is not this
    # C++'s (the IR was edited since), and its FlagIDs would not hold.
    entry = {"func": "vk", "op": "pto.initialize_l2g2l_pipe", "flag_base": 2, "flag_base_explicit": True,
             "dir_mask": 2, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4, "line": 3}
    path = tmp_path / "s.json"
    for counts, refused in (({"vk": 3}, True), ({"vk": 2}, False), ({"other": 7}, False)):
        path.write_text(json.dumps({"version": 1, "arch": "a5", "gm_pipes": {"vk": 1}, "init_counts": counts,
                                    "pipes": [entry]}))
        if refused:
            with pytest.raises(PtofixError, match="written for IR with 3 pipe init"):
                run(A5_KERNEL, sidecar=str(path))
        else:
            assert "DIR_V2C_GM, 1024, 8, 4, true" in run(A5_KERNEL, sidecar=str(path))[0]


def test_a_dir_mask_no_direction_has_is_refused_before_the_arch_is_read(tmp_path):
    """With no pto.target_arch the pass compares the a3 and A5 FlagIDs of the inits, which needs
    each init's direction: a dir_mask of none (4) is the input's error, not an internal one."""
    ir = tmp_path / "k.pto"
    ir.write_text("module {\n  func.func @k(%arg0: !pto.tensor_view<16x16xf32>) {\n"
                  "    pto.aic_initialize_pipe{id = 0, dir_mask = 4, slot_size = 1024, slot_num = 8, "
                  "local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)\n"
                  "    return\n  }\n}\n")
    text = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, v2);\n")
    with pytest.raises(PtofixError, match=r"has dir_mask 4: only 1 \(C2V\), 2 \(V2C\) and 3 \(both\)") as caught:
        run(text, ir=str(ir))
    assert "k.pto:3:5: error:" in caught.value.format()


A5_LOCAL_ONLY_IR = """module attributes {pto.target_arch = "a5"} {
  func.func @k(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vk} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    return
  }
}
"""
# An A5 kernel with the IR's one local pipe and a DIR_C2V_GM pipe the IR does not have.
A5_EXTRA_GM_PIPE = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v2, v2);\n"
                          "  auto v4 = TPipe<2, Direction::DIR_C2V_GM, 512, 8, 8, false>(v1, v2, v2);\n")


def test_an_a5_function_whose_inits_are_all_local_may_hold_no_gm_pipe(tmp_path):
    """On A5 each function holds as many DIR_*_GM pipes as its GM-staged inits, none included."""
    ir = tmp_path / "k.pto"
    ir.write_text(A5_LOCAL_ONLY_IR)
    with pytest.raises(PtofixError, match=r"gives 'k' 0 DIR_\*_GM pipe\(s\), but t.cpp has 1 there"):
        run(A5_EXTRA_GM_PIPE, ir=str(ir))
    text, _, _ = run(A5_EXTRA_GM_PIPE.replace("  auto v4 = TPipe<2, Direction::DIR_C2V_GM, 512, 8, 8, false>"
                                              "(v1, v2, v2);\n", ""), ir=str(ir))
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in text
    # A sidecar of that IR (one without the counts of newer sidecars) likewise.
    entry = {"func": "k", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": False, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 4,
             "line": 5, "reason": "frontend"}
    sidecar = tmp_path / "k.slots.json"
    sidecar.write_text(json.dumps({"version": 1, "source": "k.pto", "target_ptoas": "v0.45", "arch": "a5",
                                   "pipes": [entry]}))
    with pytest.raises(PtofixError, match=r"gives 'k' 0 DIR_\*_GM pipe\(s\), but t.cpp has 1 there"):
        run(A5_EXTRA_GM_PIPE, sidecar=str(sidecar))


def test_raising_the_ring_a_tile_form_pop_uses_warns_whatever_the_init_says():
    """The Tile-form TPOP's own TPipe type gives its ring: init 4, TPOP 2, set to 4 raises it."""
    text = kernel(
        "  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>(v1, v2, v2);\n"
        "  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>, Tile<TileType::Vec, float, 8, 16>, "
        "TileSplitAxis::TILE_UP_DOWN>(v3, v2);\n")
    out, _, warnings = run(text, map="4")
    assert out.count(", 8, 4, false>") == 2
    assert any("raising LocalSlotNum of pipe 'v3' from 2 to 4" in w for w in warnings), warnings


def test_an_ir_value_wins_over_a_sidecar_value_and_says_so(tmp_path):
    """Intent order: command line, then the PTO IR, then a sidecar. Where the IR and the sidecar
    disagree about a pipe, the IR's value is written and the sidecar's is said to be overridden."""
    ir = tmp_path / "k.pto"
    ir.write_text("module {\n  func.func @k(%arg0: !pto.tensor_view<16x16xf32>) {\n"
                  "    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, slot_num = 8, "
                  "local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)\n"
                  "    return\n  }\n}\n")
    entry = {"func": "k", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": True, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 2,
             "line": 3}
    sidecar = tmp_path / "k.slots.json"
    sidecar.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "pipes": [entry]}))
    text = kernel("  auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, v2);\n")
    out, _, warnings = run(text, ir=str(ir), sidecar=str(sidecar))
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in out
    assert any(re.search(r"t\.cpp:3:3: warning: local_slot_num = 4 for 'v3' from the PTO IR \(.*k\.pto:3.*\) "
                         r"overrides local_slot_num = 2 from the sidecar", w) for w in warnings), warnings
    sidecar.write_text(json.dumps({"version": 1, "target_ptoas": "v0.45", "pipes": [{**entry, "local_slot_num": 4}]}))
    _, _, warnings = run(text, ir=str(ir), sidecar=str(sidecar))
    assert not any("overrides" in w for w in warnings), warnings


# ---- regression tests from mutation testing (each pins a decision no other test exercised) ---------
def cube(body: str, params: str = "__gm__ float* v1") -> str:
    """A cube_kernel (the function name the IR and sidecar inputs below use) holding ``body``."""
    return f"AICORE void cube_kernel({params}) {{\n  int32_t v4 = 0;\n{body}  return;\n}}\n"


C2V_1024 = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"
ONE_C2V = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n")
GTX = "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>"


def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def _entry(**fields) -> dict:
    """A sidecar entry of a cube_kernel C2V frontend init (1024 bytes, 8 slots), fields overridden."""
    entry = {"func": "cube_kernel", "kernel_kind": "cube", "op": "pto.aic_initialize_pipe", "id": 0, "flag_base": 0,
             "flag_base_explicit": True, "dir_mask": 1, "slot_size": 1024, "slot_num": 8, "local_slot_num": 2,
             "line": 3}
    entry.update(fields)
    return entry


def _sidecar(*entries, **top) -> dict:
    return {"version": 1, "target_ptoas": "v0.45", **top, "pipes": list(entries)}


def test_the_ir_value_wins_over_the_sidecar_value(tmp_path):
    """Intent per pipe, first match wins: map > ir > sidecar > default. The IR says 4, the sidecar 2."""
    ir = _write(tmp_path, "k.pto", """module {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    return
  }
}
""")
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(_entry(local_slot_num=2)))
    text, report, _ = run(ONE_C2V, ir=ir, sidecar=sidecar)
    assert text == ONE_C2V.replace(C2V_1024, "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>")
    assert report["pipes"][0]["intent"]["source"] == "ir"


def test_an_order_only_run_is_refused_when_a_tpipe_type_is_not_tied_to_a_pipe():
    """--tpipe-order rewrites pipes too: an in-function alias of an old-order type would stay old (its
    `false` read as LocalSlotNum 0 under a new-order header), so the run is refused at the alias."""
    text = kernel("  using P2 = TPipe<2, Direction::DIR_V2C, 512, 8, false, 8>;\n"
                  "  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>(v1, v2, v2);\n")
    with pytest.raises(PtofixError, match="cannot change LocalSlotNum consistently: TPipe type is not a pipe "
                                          "object") as caught:
        run(text, tpipe_order="new")
    assert caught.value.format().startswith("t.cpp:3:14: error:")


def test_unit_flag_looks_at_every_occurrence_not_only_the_init():
    """The init has EN_UNIT_FLAG = true, its TPUSH (the only op it affects) not: --unit-flag 0 must not
    leave the TPUSH false; the occurrences disagree beyond LocalSlotNum, so it is refused there."""
    text = cube(f"  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false, true>(v1, v4, v4);\n"
                f"  {GTX} v8(nullptr);\n"
                f"  TPUSH<{C2V_1024}, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"cannot rewrite pipe 'v5': TPUSH type 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, 8, false>' differs from the type of pipe 'v5'") as caught:
        run(text, unit_flag="0")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_pipe_object_redeclared_in_an_inner_block_is_refused():
    """The TPUSH after the block names the outer v5; the inventory links it by name, so it cannot
    tell which v5 it is: refused at the second declaration instead of editing the init alone."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  {GTX} v8(nullptr);\n"
                "  {\n    auto v5 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v2, v4, v4);\n  }\n"
                f"  TPUSH<{C2V_1024}, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n",
                params="__gm__ float* v1, __gm__ float* v2")
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v5': pipe object 'v5' declared again in "
                                          "'cube_kernel'") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:6:5: error:")


def test_a_use_through_a_reference_with_an_unwritten_type_is_refused():
    """`TPUSH<QkPipe, ...>(q, ...)` with q a reference to v5: the type is not a written-out TPipe<...>
    and would keep the old LocalSlotNum while the init changes."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  auto& q = v5;\n  {GTX} v8(nullptr);\n"
                f"  TPUSH<QkPipe, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(q, v8);\n")
    with pytest.raises(PtofixError, match="cannot rewrite pipe 'v5': TPUSH at t.cpp:6:9 takes 'q' with the type "
                                          "'QkPipe', not a written-out TPipe") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:6:9: error:")


TWO_IR_INITS_FLAG0 = """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>, %loc: i32) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p0 = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : !pto.ptr<f32>, %loc : i32) -> !pto.pipe
    %p1 = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4, flag_base = 0}(%gm : !pto.ptr<f32>, %loc : i32) -> !pto.pipe
    return
  }
}
"""


@pytest.mark.parametrize("given", ["ir", "sidecar"])
def test_two_inits_that_give_one_pipe_different_values_are_refused(tmp_path, given):
    """Two IR inits (or two sidecar entries) matched to v5 by flag_base 0 say 2 and 4: refused, never
    the last one silently."""
    if given == "ir":
        options = {"ir": _write(tmp_path, "k.pto", TWO_IR_INITS_FLAG0)}
        message, where = r"two PTO IR inits give pipe 'v5' different local_slot_num \(2 and 4\)", "k.pto:4:5: error:"
    else:
        options = {"sidecar": _write(tmp_path, "k.slots.json", _sidecar(
            _entry(local_slot_num=2), _entry(id=1, local_slot_num=4, line=4), arch="a3"))}
        message, where = r"two sidecar entries give pipe 'v5' different local_slot_num \(2: .*; 4: ", "t.cpp:3:13: error:"
    with pytest.raises(PtofixError, match=message) as caught:
        run(ONE_C2V, **options)
    assert where in caught.value.format()


def test_a_sidecar_entry_placed_by_flag_base_must_have_the_pipes_slot_size(tmp_path):
    """flag_base 0 names v5, but the entry's slot_size 2048 is not v5's 1024: a sidecar of other IR."""
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(op="pto.initialize_l2g2l_pipe", id=None, slot_size=2048), arch="a3"))
    with pytest.raises(PtofixError, match=r"pipe #0 \(cube_kernel, IR line 3\): no TPipe in 'cube_kernel' matches it "
                                          r"by flag_base 0 \(dir_mask 1, slot_size 2048, slot_num 8\)"):
        run(ONE_C2V, sidecar=sidecar)
    assert "1024, 8, 2, false>" in run(ONE_C2V, sidecar=_write(tmp_path, "ok.slots.json", _sidecar(
        _entry(op="pto.initialize_l2g2l_pipe", id=None), arch="a3")))[0]


A5_ONE_LOCAL_ONE_GM_IR = """module attributes {pto.target_arch = "a5"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>, %gm2: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %p = "pto.initialize_l2g2l_pipe"(%gm2) <{dir_mask = 2 : i8, slot_size = 512 : i32, slot_num = 8 : i32, flag_base = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
"""


def test_an_a5_function_with_more_gm_pipes_than_the_ir_is_refused(tmp_path):
    """The A5 IR has one GM-staged init in cube_kernel; the C++ has two DIR_*_GM pipes: other IR or
    arch. Exactly that many, not at least that many."""
    ir = _write(tmp_path, "k.pto", A5_ONE_LOCAL_ONE_GM_IR)
    body = (f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
            "  auto v6 = TPipe<2, Direction::DIR_V2C_GM, 512, 8, 8, false>(v1, v4, v4);\n")
    extra = "  auto v7 = TPipe<4, Direction::DIR_C2V_GM, 512, 8, 8, false>(v1, v4, v4);\n"
    with pytest.raises(PtofixError, match=r"is for A5 and gives 'cube_kernel' 1 DIR_\*_GM pipe\(s\), but t.cpp has 2 "
                                          "there") as caught:
        run(cube(body + extra), ir=ir)
    assert caught.value.format().startswith("t.cpp:3:3: error:")
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>" in run(cube(body), ir=ir)[0]


def test_a_define_naming_only_a_pipe_op_blocks_every_rewrite():
    """A macro that expands to a TPUSH (with a pipe type from elsewhere) is not inventoried: it may
    use a pipe the run changes, even though it names no TPipe."""
    text = ("#define PUSH_QK(pipe, entry) TPUSH<QkPipe, QkEntry, TileSplitAxis::TILE_NO_SPLIT>(pipe, entry)\n"
            + ONE_C2V)
    with pytest.raises(PtofixError, match=r"cannot change LocalSlotNum consistently: a #define names TPipe or "
                                          "TALLOC/TPUSH/TPOP/TFREE") as caught:
        run(text, map="4")
    assert caught.value.format().startswith("t.cpp:1:1: error:")


def test_peer_inits_with_conflicting_explicit_flag_bases_are_refused(tmp_path):
    """The cube and vector inits of one pipe (joined by the buffer c2v_fifo0) say flag_base 0 and 2:
    ptoas v0.45 rejects that IR, so ptofix does not predict FlagIDs from it."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %buf = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : !pto.ptr<f32>, %buf : i32) -> !pto.pipe
    return
  }
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %buf = pto.reserve_buffer {name = "c2v_fifo0", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    %p = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 2}(%gm : !pto.ptr<f32>, %buf : i32) -> !pto.pipe
    return
  }
}
""")
    with pytest.raises(PtofixError, match=r"ptoas newest would reject the pipe inits of this PTO IR: conflicting "
                                          r"explicit flag_base across peer pipe inits: \[0, 2\]"):
        run(ONE_C2V, ir=ir)


def test_a_default_local_slot_num_of_zero_is_a_usage_error(capsys):
    """0 would mean no default: the request would be ignored silently."""
    parser = argparse.ArgumentParser()
    add_local_slot_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--default-local-slot-num", "0"])
    assert "argument --default-local-slot-num: a LocalSlotNum is at least 1, got '0'" in capsys.readouterr().err
    assert pass_of(parser.parse_args(["--default-local-slot-num", "1"])).default == 1


def test_an_a5_gm_staged_both_direction_pipe_prints_dir_both(tmp_path):
    """On A5 an l2g2l init with dir_mask 3 prints Direction::DIR_BOTH (there is no DIR_BOTH_GM for it
    in ptoas's output): it is that pipe, not a missing GM pipe."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a5"} {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p = "pto.initialize_l2g2l_pipe"(%arg0) <{dir_mask = 3 : i8, slot_size = 1024 : i32, slot_num = 4 : i32, flag_base = 0 : i32, local_slot_num = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
""")
    text = cube("  auto v3 = TPipe<0, Direction::DIR_BOTH, 1024, 4, 4, false>(v1, v4, v4);\n")
    assert run(text, ir=ir)[0] == text.replace("1024, 4, 4, false>", "1024, 4, 2, false>")


def test_a_flag_map_may_separate_its_entries_with_spaces():
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v1, v4, v4);\n")
    out, _, _ = run(text, map="0=2 2=4")
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>" in out
    assert "TPipe<2, Direction::DIR_C2V, 512, 8, 4, false>" in out


@pytest.mark.parametrize("where", ["checkout", "include", "header"])
def test_pto_lib_may_be_the_checkout_its_include_dir_or_the_header(where):
    lib = {"checkout": os.path.join(INPUTS, "pto-isa-new"),
           "include": os.path.join(INPUTS, "pto-isa-new", "include"),
           "header": os.path.join(INPUTS, "pto-isa-new", "include", "pto", "npu", "a2a3", "TPush.hpp")}[where]
    old = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>(v1, v4, v4);\n")
    assert run(old, pto_lib=lib)[0] == old.replace("1024, 8, true, 8>", "1024, 8, 8, true>")


def test_an_init_alone_of_its_shape_needs_no_arch_to_be_matched(tmp_path):
    """No pto.target_arch: the frontend init's FlagID is 2 on a3 and 0 on A5, but it is the only init
    of its shape (C2V, 1024) and v6/v5 the only pipes of it: paired by shape, the FlagID is not needed."""
    ir = _write(tmp_path, "k.pto", """module {
  func.func @cube_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %c0_i32 = arith.constant 0 : i32
    %xa = pto.import_reserved_buffer {name = "x_c2v", peer_func = @vector_kernel} -> i32
    %c2v0 = pto.import_reserved_buffer {name = "c2v_fifo0", peer_func = @vector_kernel} -> i32
    pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 3}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %xp = pto.initialize_l2l_pipe {dir_mask = 1, slot_size = 2048, slot_num = 8}(%xa : i32) -> !pto.pipe
    return
  }
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %c0_i32 = arith.constant 0 : i32
    %xa = pto.reserve_buffer {name = "x_c2v", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    %c2v0 = pto.reserve_buffer {name = "c2v_fifo0", size = 8192, location = #pto.address_space<vec>, auto = true} -> i32
    pto.aiv_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 3}
      (gm_slot_buffer = %gm : !pto.ptr<f32>, c2v_consumer_buf = %c2v0 : i32, v2c_consumer_buf = %c0_i32 : i32)
    %xp = pto.initialize_l2l_pipe {dir_mask = 1, slot_size = 2048, slot_num = 8}(%xa : i32) -> !pto.pipe
    return
  }
}
""")
    pipes = ("  auto v{a} = TPipe<2, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
             "  auto v{b} = TPipe<0, Direction::DIR_C2V, 2048, 8, 2, false>(v1, v4, v4);\n")
    text = cube(pipes.format(a=6, b=7)) + cube(pipes.format(a=5, b=6)).replace("cube_kernel", "vector_kernel")
    out, _, _ = run(text, ir=ir, target_ptoas="v0.45")
    assert out == text.replace("1024, 8, 8, true>", "1024, 8, 3, true>")


@pytest.mark.parametrize("arch", ["a3", "a5"])
def test_a_dir_mask_no_direction_has_is_refused_with_the_arch_stated(tmp_path, arch):
    """With pto.target_arch given the refusal is the same input error (exit 2), not a crash later."""
    ir = _write(tmp_path, "k.pto", f"""module attributes {{pto.target_arch = "{arch}"}} {{
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>) attributes {{pto.kernel_kind = #pto.kernel_kind<cube>}} {{
    pto.aic_initialize_pipe{{id = 0, dir_mask = 4, slot_size = 1024, slot_num = 8, local_slot_num = 4}} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    return
  }}
}}
""")
    with pytest.raises(PtofixError, match=r"pto.aic_initialize_pipe has dir_mask 4: only 1 \(C2V\), 2 \(V2C\) and 3 "
                                          r"\(both\) name a TPipe direction") as caught:
        run(ONE_C2V, ir=ir)
    assert "k.pto:3:5: error:" in caught.value.format()


def test_a_v045_sidecar_keeps_the_slot_num_of_a_frontend_entry(tmp_path):
    """ptoas v0.45 honours an explicit slot_num on frontend inits (the default only before v0.45):
    the two SlotNum-4 entries pair with the two SlotNum-4 pipes by shape."""
    text = cube("".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 4, 4, false>(v1, v4, v4);\n"
                        for i in range(2)))
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        *(_entry(id=i, flag_base=None, flag_base_explicit=None, slot_num=4, line=3 + i) for i in range(2)),
        arch="a3"))
    assert run(text, sidecar=sidecar)[0] == text.replace("1024, 4, 4, false>", "1024, 4, 2, false>")


def test_a_sidecar_frontend_entry_matches_the_a5_gm_variant_of_its_direction(tmp_path):
    """A frontend entry does not record whether it is GM-staged; on A5 a GM-staged C2V pipe prints
    DIR_C2V_GM, which the entry's plain C2V direction names."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V_GM, 1024, 8, 8, false>(v1, v4, v4);\n")
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(_entry(), target_ptoas="newest", arch="a5",
                                                        gm_pipes={"cube_kernel": 1}))
    assert run(text, sidecar=sidecar)[0] == text.replace("1024, 8, 8, false>", "1024, 8, 2, false>")


def test_two_pipes_of_one_type_and_flag_id_are_set_together_with_a_warning():
    """They share cross-core flags, but a FlagID map gives both the same value: nothing is ambiguous."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  auto v6 = {C2V_1024}(v1, v4, v4);\n")
    out, _, warnings = run(text, map="0=4")
    assert out == text.replace(C2V_1024, "TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>")
    assert warnings == ["t.cpp:4:13: warning: pipes 'v5' and 'v6' in 'cube_kernel' have the same type and FlagID 0 "
                        "(they share cross-core flags)"]


def test_tied_sidecar_entries_whose_flag_bases_no_pipe_has_are_paired_by_order(tmp_path):
    """flag_base 6 and 8 are distinct but are not the pipes' FlagIDs (0, 2): the flag rule cannot
    pair them, so shape and order do, each with a warning. (A guess the pass says; pinned so that
    it never becomes an internal error.)"""
    text = cube("".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 4, 4, false>(v1, v4, v4);\n"
                        for i in range(2)))
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(flag_base=6, slot_num=4, local_slot_num=2), _entry(id=1, flag_base=8, slot_num=4, local_slot_num=3,
                                                                  line=4), arch="a3"))
    out, _, warnings = run(text, sidecar=sidecar)
    assert "TPipe<0, Direction::DIR_C2V, 1024, 4, 2, false>" in out
    assert "TPipe<2, Direction::DIR_C2V, 1024, 4, 3, false>" in out
    assert [w.split(" is pipe ", 1)[1] for w in warnings] == [
        "'v5' with FlagID 0 in t.cpp, but flag_base 6; matched by shape and order",
        "'v6' with FlagID 2 in t.cpp, but flag_base 8; matched by shape and order"]


def test_a_pipe_component_may_end_exactly_at_flag_16(tmp_path):
    """The verifier needs flag_base + width <= 16: eight one-direction pipes take FlagIDs 0..14."""
    inits = "".join(f"    pto.aic_initialize_pipe{{id = {i}, dir_mask = 1, slot_size = {1024 * (i + 1)}"
                    f"{', local_slot_num = 2' if i == 7 else ''}}} (gm_slot_tensor = %arg0 : "
                    "!pto.tensor_view<16x16xf32>)\n" for i in range(8))
    ir = _write(tmp_path, "k.pto", 'module attributes {pto.target_arch = "a3"} {\n  func.func @cube_kernel(%arg0: '
                "!pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\n"
                + inits + "    return\n  }\n}\n")
    text = cube("".join(f"  auto v{10 + i} = TPipe<{2 * i}, Direction::DIR_C2V, {1024 * (i + 1)}, 8, 8, false>"
                        "(v1, v4, v4);\n" for i in range(8)))
    assert run(text, ir=ir)[0] == text.replace("TPipe<14, Direction::DIR_C2V, 8192, 8, 8, false>",
                                               "TPipe<14, Direction::DIR_C2V, 8192, 8, 2, false>")


def test_a_dir_both_gm_pipe_uses_four_flags():
    """DIR_BOTH_GM (A5) uses FlagID..FlagID+3 like DIR_BOTH: a C2V pipe at FlagID 2 overlaps it."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_BOTH_GM, 1024, 4, 4, false>(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 512, 8, 8, false>(v2, v4, v4);\n",
                params="__gm__ float* v1, __gm__ float* v2")
    _, _, warnings = run(text, default=2)
    assert warnings == ["t.cpp:4:13: warning: pipes 'v5' (FlagID 0, DIR_BOTH_GM) and 'v6' (FlagID 2, DIR_C2V) in "
                        "'cube_kernel' use overlapping cross-core flag ranges"]


def test_setting_the_ring_a_tile_form_pop_already_has_is_no_raise():
    """Init 2, Tile-form TPOP 4, set to 2: the lowest ring an occurrence writes is already 2, so no
    raising warning (only the one about the occurrences that differ in LocalSlotNum)."""
    tile = "Tile<TileType::Vec, half, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>"
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>(v1, v4, v4);\n"
                f"  {tile} v10;\n"
                f"  TPOP<TPipe<0, Direction::DIR_C2V, 1024, 8, 4, false>, {tile}, TileSplitAxis::TILE_UP_DOWN>(v5, v10);\n")
    out, _, warnings = run(text, map="2")
    assert out.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>") == 2
    assert len(warnings) == 1 and warnings[0].endswith("(only LocalSlotNum differs)")
    assert not any("raising" in w for w in warnings)


def test_a_short_form_pipe_given_a_local_slot_num_is_reported_in_the_new_order():
    """TPipe<F, Dir, Size, Num> gets ", 4" appended: the new order, as the report says."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8>(v1, v4, v4);\n")
    out, report, _ = run(text, map="4")
    assert out == text.replace("1024, 8>", "1024, 8, 4>")
    (row,) = report["pipes"]
    assert (row["order_before"], row["order_after"]) == ("short", "new")
    assert report["lines"][0].endswith("; order short -> new [1 edits at init and every use]")


def test_a_comment_inside_a_uses_tpipe_arguments_is_refused_as_such():
    """The run gives a LocalSlotNum, so the refusal must name the comment, not a missing value."""
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n  {GTX} v8(nullptr);\n"
                f"  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, /* local */ 8, false>, {GTX}, "
                "TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"cannot rewrite pipe 'v5': its type is written 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, /\* local \*/ 8, false>' here but .* at the init t.cpp:3:13; "
                                          r"comments or parentheses inside the TPipe<...> arguments are not "
                                          "supported") as caught:
        run(text, map="0=4")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_use_in_the_other_argument_order_is_a_type_mismatch_not_a_local_only_one():
    """Init new order, TPUSH old order (same values): the types differ beyond LocalSlotNum."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
                f"  {GTX} v8(nullptr);\n"
                f"  TPUSH<TPipe<0, Direction::DIR_C2V, 1024, 8, true, 8>, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);\n")
    with pytest.raises(PtofixError, match=r"^cannot rewrite pipe 'v5': TPUSH type 'TPipe<0, Direction::DIR_C2V, 1024, "
                                          r"8, true, 8>' differs from the type of pipe 'v5' 'TPipe<0, Direction::DIR_C2V, "
                                          r"1024, 8, 8, true>' declared at t.cpp:3:13$") as caught:
        run(text, map="4")
    assert caught.value.format().startswith("t.cpp:5:9: error:")


def test_a_sidecar_entry_placed_by_the_predicted_flag_rule_is_reported_so(tmp_path):
    """flag_base_explicit false: the FlagID came from the ptoas rule, not from an IR flag_base."""
    sidecar = _write(tmp_path, "k.slots.json", _sidecar(
        _entry(flag_base_explicit=False), _entry(id=1, flag_base_explicit=False, line=4), arch="a3"))
    out, report, _ = run(ONE_C2V, sidecar=sidecar)
    assert "TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>" in out
    assert report["pipes"][0]["matched_by"] == "flag rule"


def test_a_tie_with_any_init_without_flag_base_needs_the_ptoas_version(tmp_path):
    """One tied init has flag_base 2, the other none: which is which still depends on the rule of the
    ptoas that made the C++ (docs/reference/pto-facts.md §4.2), so it is refused without --target-ptoas."""
    ir = _write(tmp_path, "k.pto", """module attributes {pto.target_arch = "a3"} {
  func.func @cube_kernel(%a: !pto.tensor_view<16x16xf32>, %b: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %p0 = "pto.initialize_l2g2l_pipe"(%a) <{dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32, local_slot_num = 2 : i32, flag_base = 2 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    %p1 = "pto.initialize_l2g2l_pipe"(%b) <{dir_mask = 1 : i8, slot_size = 1024 : i32, slot_num = 8 : i32, local_slot_num = 4 : i32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (!pto.tensor_view<16x16xf32>) -> !pto.pipe
    return
  }
}
""")
    text = cube(f"  auto v5 = {C2V_1024}(v1, v4, v4);\n"
                "  auto v6 = TPipe<2, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v4, v4);\n")
    with pytest.raises(PtofixError, match=r"2 pipe inits and 2 TPipes of shape \(DIR_C2V, SlotSize 1024, SlotNum 8\) "
                                          "in 'cube_kernel' .*pass --target-ptoas VERSION") as caught:
        run(text, ir=ir)
    assert "k.pto:3:5: error:" in caught.value.format()


def test_an_order_run_leaves_a_short_form_pipe_alone():
    """TPipe<F, Dir, Size, Num> reads the same in either order: --tpipe-order new does not change it,
    so a use the pass could not rewrite (through a reference, type QkPipe) does not stop the run."""
    text = cube("  auto v5 = TPipe<0, Direction::DIR_C2V, 1024, 8>(v1, v4, v4);\n  auto& q = v5;\n"
                f"  {GTX} v8(nullptr);\n  TPUSH<QkPipe, {GTX}, TileSplitAxis::TILE_NO_SPLIT>(q, v8);\n")
    out, report, _ = run(text, tpipe_order="new")
    assert out == text
    assert report["changed_pipes"] == 0 and report["edits"] == 0
