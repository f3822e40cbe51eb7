"""The shipped op-facts table is parsed an op at a time (issue #70: a one-kernel run parsed every
op's classes, ~25 ms of CPU, for the few ops its kernel calls): what is read is what parsing the
whole file gives, and a table laid out otherwise is parsed whole."""
from __future__ import annotations

import json

from ptofix.pto.derived_facts import TABLE_PATH, DerivedFacts


def test_an_op_is_parsed_when_asked_and_the_table_is_the_file():
    facts = DerivedFacts.load()
    whole = json.loads(open(TABLE_PATH, "rb").read())
    assert facts.ops() == frozenset(whole["ops"])
    assert facts._ops == {} and facts._raw_ops == {}        # (nothing read yet: the index says where)
    kind = facts.walk_kind("TADD", "half", "RowMajor", True, 64, 128, 64, 128)
    # TADD's text is read, and the class from its line: no op is parsed whole.
    assert set(facts._raw_ops) == {"TADD"} and facts._ops == {}
    assert kind == DerivedFacts(whole).walk_kind("TADD", "half", "RowMajor", True, 64, 128, 64, 128)
    assert facts.walk_kind("NO_SUCH_OP", "half", "RowMajor", True, 64, 128, 64, 128) is None
    table = facts.table
    assert table == whole and list(table["ops"]) == list(whole["ops"]) and list(table) == list(whole)


def test_a_table_laid_out_otherwise_is_parsed_whole(tmp_path):
    whole = json.loads(open(TABLE_PATH, "rb").read())
    small = {key: value for key, value in whole.items() if key != "points"}
    small["ops"] = {op: whole["ops"][op] for op in list(whole["ops"])[:3]}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(small), encoding="utf-8")        # (one line: no op apart)
    facts = DerivedFacts.load(str(path))
    assert set(facts._ops) == set(small["ops"]) and facts.ops() == frozenset(small["ops"])
    assert facts.table == small


def test_an_op_laid_out_otherwise_leaves_every_op_to_the_head(tmp_path):
    # An op's class line indented by two spaces instead of three: no op is set apart (the ops are
    # parsed with the head), and what is read is still the file's content.
    text = open(TABLE_PATH, "rb").read()
    ops_at = text.index(b'\n "ops": {\n') + len(b'\n "ops": {\n')
    first_class = text.index(b"\n   ", ops_at) + 1
    changed = text[:first_class] + text[first_class + 1:]
    path = tmp_path / "facts.json"
    path.write_bytes(changed)
    facts = DerivedFacts.load(str(path))
    whole = json.loads(changed)
    assert facts._raw_ops == {} and facts.ops() == frozenset(whole["ops"])
    assert facts.table == whole
