"""The shipped op-facts table is read with its index (ptofix/pto/derived_facts.index.json, issue #70
item 7: touching the table's ~1.2 MB of ops cost every run ~3 ms of CPU): the index is current,
what is read with it is what reading the file without it gives, and an index that does not fit the
file is not used."""
from __future__ import annotations

import json
import shutil

import pytest

from ptofix.pto.derived_facts import INDEX_PATH, TABLE_PATH, DerivedFacts, table_index


@pytest.fixture(scope="module")
def whole():
    with open(TABLE_PATH, "rb") as handle:
        return json.loads(handle.read())


def test_the_shipped_index_is_current():
    # (scripts/derive_facts.py writes it with the table.)
    with open(INDEX_PATH, "rb") as handle:
        assert json.loads(handle.read()) == table_index(TABLE_PATH)


def test_the_index_reads_no_op_at_load_and_every_class_as_the_file_has_it(whole):
    facts = DerivedFacts.load()
    plain = DerivedFacts.load(index_path="")
    assert set(facts._op_spans) == set(whole["ops"]) and facts._raw_ops == {} and facts._ops == {}
    assert plain._op_spans == {} and set(plain._raw_ops) == set(whole["ops"])
    assert facts.ops() == plain.ops() == frozenset(whole["ops"])
    assert facts._table == plain._table and facts._points_at == plain._points_at
    assert facts.commit == whole["pto_isa"]["commit"] and facts.sources == whole["sources"]
    for op, classes in whole["ops"].items():
        for key, value in classes.items():
            assert facts._class_entry(op, key) == value, (op, key)
        assert facts._class_entry(op, "half|RowMajor|no-such-class") is None
    assert facts._ops == {}                 # (every class read from its line)
    assert facts._class_entry("NO_SUCH_OP", "half") is None
    table = facts.table
    assert table == whole and list(table) == list(whole) and list(table["ops"]) == list(whole["ops"])


def _copy(tmp_path, edit=None, index=None):
    path = tmp_path / "facts.json"
    shutil.copyfile(TABLE_PATH, path)
    if edit is not None:
        path.write_bytes(edit(path.read_bytes()))
    index_path = tmp_path / "facts.index.json"
    index_path.write_text(json.dumps(index if index is not None else table_index(TABLE_PATH)))
    return str(path), str(index_path)


def test_an_index_of_another_size_or_offsets_is_not_used(tmp_path, whole):
    path, index = _copy(tmp_path, edit=lambda data: data + b"\n")
    facts = DerivedFacts.load(path, index)
    assert facts._op_spans == {} and set(facts._raw_ops) == set(whole["ops"])      # (read as without one)
    shifted = table_index(TABLE_PATH)
    shifted["points"] += 1
    path, index = _copy(tmp_path, index=shifted)
    assert DerivedFacts.load(path, index)._op_spans == {}
    gap = table_index(TABLE_PATH)
    first = next(iter(gap["spans"]))
    gap["spans"][first][1] -= 1
    path, index = _copy(tmp_path, index=gap)
    assert DerivedFacts.load(path, index)._op_spans == {}


@pytest.mark.parametrize("index", [[], {"size": 1}, {**table_index(TABLE_PATH), "spans": []},
                                   {**table_index(TABLE_PATH), "spans": {"TADD": [1.0, 2.0]}}, "not json"])
def test_an_index_not_as_table_index_writes_it_is_not_used(tmp_path, index):
    path = tmp_path / "facts.json"
    shutil.copyfile(TABLE_PATH, path)
    index_path = tmp_path / "facts.index.json"
    index_path.write_text(index if isinstance(index, str) else json.dumps(index))
    facts = DerivedFacts.load(str(path), str(index_path))
    assert facts._op_spans == {} and facts._raw_ops        # (read as without one)


def test_an_op_not_where_the_index_says_is_read_without_the_index(tmp_path, whole):
    # Two ops' names swapped in the index (the spans still tile the ops): the first use of one
    # finds another op's lines there, and the file is read again as without an index.
    index = table_index(TABLE_PATH)
    names = list(index["spans"])
    spans = list(index["spans"].values())
    index["spans"] = {names[1]: spans[0], names[0]: spans[1], **dict(zip(names[2:], spans[2:], strict=True))}
    path, index_path = _copy(tmp_path, index=index)
    facts = DerivedFacts.load(path, index_path)
    assert facts._op_spans                  # (it fits the file's size and lines: used at load)
    key, value = next(iter(whole["ops"][names[1]].items()))
    assert facts._class_entry(names[1], key) == value
    assert facts._op_spans == {}            # (read again without it)
    assert facts.table == whole


def test_an_op_laid_out_otherwise_is_parsed_whole(tmp_path, whole):
    # TADD's first two classes on one line (still JSON, the same size): its classes are read by
    # parsing the op, and they are the file's.
    data = open(TABLE_PATH, "rb").read()
    start, end = table_index(TABLE_PATH)["spans"]["TADD"]
    second = data.index(b",\n   ", data.index(b"\n   ", start)) + 1
    changed = data[:second] + b" " + data[second + 1:]
    path, index_path = _copy(tmp_path, edit=lambda _: changed)
    facts = DerivedFacts.load(path, index_path)
    expected = json.loads(changed)["ops"]["TADD"]
    assert expected == whole["ops"]["TADD"]
    for key, value in expected.items():
        assert facts._class_entry("TADD", key) == value
    assert set(facts._ops) == {"TADD"}      # (parsed whole, not read a line at a time)
