"""The derived-facts table (ptofix/pto/derived_facts.json): what pto-isa's own host cost model
recorded for each op, the loader that reads it, and a fresh derivation from the checkout that must
reproduce it byte for byte (scripts/derive_facts.py --check)."""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

from ptofix.pto.derived_facts import (
    COLUMN_CHUNKS,
    LINEAR,
    OTHER,
    ROW_BY_ROW,
    SCHEMA,
    TABLE_PATH,
    DerivedFacts,
    default_facts,
    type_class,
    walk_kind,
    with_form,
)

REPO = Path(__file__).resolve().parents[2]
CHECKOUT = REPO.parent / "shared" / "pto-isa" / "f35e7f60"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_facts", REPO / "scripts" / "derive_facts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("derive_facts", module)
    spec.loader.exec_module(module)
    return module


def test_the_table_names_the_commit_it_came_from():
    facts = default_facts()
    assert facts.table["schema"] == SCHEMA
    assert facts.commit == "f35e7f60"
    assert facts.table["pto_isa"]["arch"] == "a2a3"


def test_issue_55_walks_as_recorded():
    """The walks issue #55 measured: TADDS on a 16x256 float tile with a dynamic valid shape
    issues 4 vadds of 16 repeats, repeat stride one row (32 blocks), 256 bytes apart; with the
    valid shape in the type, one vadds of 64 repeats; TEXP and TADD on the dynamic type, one
    instruction of 64 repeats."""
    facts = default_facts()
    shape = ("float", "RowMajor")
    assert facts.walk_kind("TADDS", *shape, False, 16, 256, 16, 256) == COLUMN_CHUNKS
    assert facts.walk_kind("TADDS", *shape, True, 16, 256, 16, 256) == LINEAR
    assert facts.walk_kind("TEXP", *shape, False, 16, 256, 16, 256) == LINEAR
    assert facts.walk_kind("TADD", *shape, False, 16, 256, 16, 256) == LINEAR
    [dynamic] = [facts.point(i) for i in facts.class_facts("TADDS", *shape, False, 16, 256, 16, 256).points]
    assert dynamic["instructions"] == [["vadds", 16]] * 4
    # [instruction, first byte, repeats, step, bytes a repeat]: chunk c of every row, a row apart.
    assert dynamic["repeats"]["dst"] == [[c, 256 * c, 16, 1024, 256] for c in range(4)]
    assert dynamic["repeats"]["src0"] == dynamic["repeats"]["dst"]
    [static] = [facts.point(i) for i in facts.class_facts("TADDS", *shape, True, 16, 256, 16, 256).points]
    assert static["instructions"] == [["vadds", 64]]
    for op in ("TEXP", "TADD"):
        [point] = [facts.point(i) for i in facts.class_facts(op, *shape, False, 16, 256, 16, 256).points]
        assert [repeats for _name, repeats in point["instructions"]] == [64]
        assert point["footprint"]["dst"]["write"] == [[0, 16 * 1024]]


def test_walk_kind_over_the_shipped_table_is_the_loaded_one():
    assert walk_kind("TADDS", "float", "RowMajor", False, 16, 256, 16, 256) == \
        DerivedFacts.load().walk_kind("TADDS", "float", "RowMajor", False, 16, 256, 16, 256)


def _table(points: dict[str, str]) -> DerivedFacts:
    """A table with one op whose single class holds points of the given walks."""
    key = type_class("float", "RowMajor", False, 16, 256, 16, 256)
    kinds = set(points.values())
    entry = {"walk": {"dst": kinds.pop() if len(kinds) == 1 else None}, "barriers": None, "count_mode": None,
             "scratch": None, "points": list(points)}
    entry["kind"] = entry["walk"]["dst"]
    return DerivedFacts({"schema": SCHEMA, "pto_isa": {"commit": "x"}, "ops": {"TOP": {key: entry}},
                         "points": {i: {"walk": {"dst": k}} for i, k in points.items()}})


def test_walk_kind_is_none_for_an_absent_class_or_op_and_for_disagreeing_points():
    agreed = _table({"1": LINEAR, "2": LINEAR})
    assert agreed.walk_kind("TOP", "float", "RowMajor", False, 16, 256, 16, 256) == LINEAR
    assert agreed.walk_kind("TOP", "float", "RowMajor", False, 16, 256, 16, 256, operand="dst") == LINEAR
    assert agreed.walk_kind("TOP", "float", "RowMajor", True, 16, 256, 16, 256) is None     # another class
    assert agreed.walk_kind("TOTHER", "float", "RowMajor", False, 16, 256, 16, 256) is None
    assert agreed.walk_kind("TOP", "float", "RowMajor", False, 16, 256, 16, 256, form="tmp") is None
    assert agreed.walk_kind("TOP", "float8", "RowMajor", False, 16, 256, 16, 256) is None     # unknown size
    split = _table({"1": LINEAR, "2": COLUMN_CHUNKS})
    assert split.walk_kind("TOP", "float", "RowMajor", False, 16, 256, 16, 256) is None


def test_a_table_of_another_schema_is_refused():
    with pytest.raises(ValueError):
        DerivedFacts({"schema": SCHEMA + 1, "pto_isa": {"commit": "x"}, "ops": {}, "points": {}})


def test_type_classes_split_where_pto_isa_branches():
    base = type_class("float", "RowMajor", True, 16, 256, 16, 256)
    assert base is not None
    others = [type_class("float", "RowMajor", False, 16, 256, 16, 256),      # dynamic valid shape
              type_class("half", "RowMajor", True, 16, 256, 16, 256),       # element type
              type_class("float", "RowMajor", True, 16, 64, 16, 64),        # 256-byte rows
              type_class("float", "RowMajor", True, 16, 32, 16, 32),        # narrower rows
              type_class("float", "RowMajor", True, 16, 80, 16, 80),        # not whole repeats
              type_class("float", "RowMajor", True, 16, 256, 16, 200),      # partial columns
              type_class("float", "RowMajor", True, 16, 256, 16, 128),      # partial, whole repeats
              type_class("float", "RowMajor", True, 16, 256, 10, 256),      # partial rows
              type_class("float", "RowMajor", True, 16, 256, 1, 256),       # one row
              type_class("float", "RowMajor", True, 300, 256, 300, 256),    # more than 255 repeats
              type_class("float", "ColMajor", True, 16, 256, 16, 256)]
    assert len({base, *others}) == len(others) + 1
    assert type_class("float", "RowMajor", True, 8, 256, 8, 256) == base     # rows alone: same class
    # ... unless they no longer outnumber a row's repeats (the two-level paths go row by row), or
    # a row passes an 8-bit repeat stride.
    assert type_class("float", "RowMajor", True, 4, 256, 4, 256) != base
    assert type_class("float", "RowMajor", True, 16, 2048, 16, 2048) != \
        type_class("float", "RowMajor", True, 16, 1024, 16, 1024)
    assert with_form(base, "") == base and with_form(base, "tmp") != base
    assert type_class("float", "RowMajor", True, 16, 256, 17, 256) is None   # valid past the tile


def test_a_type_of_a_class_no_grid_point_sampled_has_no_walk():
    """Rows of 16 KiB (past an 8-bit repeat stride of blocks) take another path than the sampled
    1 KiB rows: their class is not in the table, so the loader does not answer."""
    facts = default_facts()
    assert facts.walk_kind("TADDS", "float", "RowMajor", False, 16, 256, 16, 256) == COLUMN_CHUNKS
    assert facts.walk_kind("TADDS", "float", "RowMajor", False, 16, 4096, 16, 4096) is None


def test_few_rows_walk_row_by_row_which_over_whole_rows_is_linear():
    """Two rows of 1 KiB with a dynamic valid shape: TADDS's row-by-row path over whole rows
    touches the bytes a linear walk does, in its order (recorded as linear)."""
    facts = default_facts()
    assert facts.walk_kind("TADDS", "float", "RowMajor", False, 2, 256, 2, 256) == LINEAR


# ---- the generator's walk classification, on hand-made repeat sequences


@pytest.mark.parametrize(("spans", "lines", "line_bytes", "pitch", "kind"), [
    ([(0, 256), (256, 512), (512, 640)], 2, 320, 320, LINEAR),             # one run from the start
    ([(0, 256), (1024, 1280), (256, 512), (1280, 1536)], 2, 512, 1024, COLUMN_CHUNKS),
    ([(0, 256), (256, 512), (1024, 1280), (1280, 1536)], 2, 512, 1024, ROW_BY_ROW),
    ([(0, 256), (256, 512), (1024, 1280)], 2, 512, 1024, OTHER),            # a repeat missing
    ([(256, 512), (0, 256)], 1, 512, 512, OTHER),                           # backwards
    ([(0, 128), (256, 384)], 2, 128, 256, ROW_BY_ROW),                      # one chunk a row
    ([(0, 128), (256, 384), (128, 256), (384, 512)], 2, 256, 256, OTHER),  # halves out of order
    ([(0, 256), (256, 512)], 2, 256, 256, LINEAR),                          # 256-byte rows: linear first
])
def test_walk_classification(spans, lines, line_bytes, pitch, kind):
    derive = _derive_module()
    repeats = [(0, lo, hi) for lo, hi in spans]
    assert derive.classify(repeats, lines, line_bytes, pitch) == kind


def test_the_generator_decodes_a_count_mode_instruction():
    """In count mode the vector mask's low word is an element count and the repeat argument is
    ignored: 100 floats are one 256-byte repeat and one of 144 bytes, at the repeat stride."""
    derive = _derive_module()
    state = {"count": True, "hi": 0, "lo": 100}
    accesses = derive.decode("vadds", [0x1000, 0x2000, 0, 1, 1, 1, 8, 8], state, 4)
    assert accesses == [("r", [[(0x2000, 0x2100)], [(0x2100, 0x2190)]]),
                        ("w", [[(0x1000, 0x1100)], [(0x1100, 0x1190)]])]
    norm = {"count": False, "hi": 0, "lo": (1 << 8) - 1}      # the first 8 floats of each repeat
    assert derive.decode("vexp", [0x1000, 0x2000, 2, 1, 1, 8, 8], norm, 4) == \
        [("r", [[(0x2000, 0x2020)], [(0x2100, 0x2120)]]), ("w", [[(0x1000, 0x1020)], [(0x1100, 0x1120)]])]


@pytest.mark.slow
@pytest.mark.skipif(not CHECKOUT.is_dir(), reason="../shared/pto-isa/f35e7f60 (a pto-isa checkout) is not present")
@pytest.mark.skipif(shutil.which("g++") is None, reason="no g++ to build pto-isa's host cost model")
def test_a_fresh_derivation_from_the_checkout_reproduces_the_table(tmp_path):
    """Record every case again with pto-isa's cost model and derive the table: it must be the
    committed one, byte for byte. (The built binaries are cached by content under
    $PTOFIX_TRACE_CACHE, default ~/.cache/ptofix-trace: a second run compiles nothing.)"""
    derive = _derive_module()
    cache = Path(os.environ.get("PTOFIX_TRACE_CACHE", Path.home() / ".cache" / "ptofix-trace"))
    out = tmp_path / "derived_facts.json"
    assert derive.main(["--pto-isa", str(CHECKOUT), "--out", str(out), "--cache", str(cache)]) == 0
    fresh, committed = out.read_text().splitlines(), Path(TABLE_PATH).read_text().splitlines()
    differing = [line for line in set(fresh) ^ set(committed)]
    assert fresh == committed, f"{len(differing)} line(s) differ, e.g. {sorted(differing)[:3]}"


def test_the_recorder_blames_the_case_a_diagnostic_points_at():
    """scripts/trace_facts/record.py drops the cases g++ rejects: the instantiation chain g++
    prints before an error names the line of the case that asked for it."""
    spec = importlib.util.spec_from_file_location("trace_record", REPO / "scripts" / "trace_facts" / "record.py")
    assert spec is not None and spec.loader is not None
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    source = "\n".join(["#include \"harness.hpp\"", "static void case_7() {", "    pto::TADD(a, b, c);", "}",
                        "static void case_8() {", "    pto::TEXP(a, b);", "}"])
    stderr = "\n".join([
        "In file included from x.hpp:1:",
        "/w/unit.cpp:6:5:   required from here",
        "/inc/pto/npu/a2a3/TUnaryOp.hpp:235:5: error: static assertion failed: TUnaryOp: Not supported Layout type",
    ])
    assert record.failing_cases(source, stderr, "/w/unit.cpp") == \
        {"8": "static assertion failed: TUnaryOp: Not supported Layout type"}
