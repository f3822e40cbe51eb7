"""Passes are frozen value classes (ptofix/records.py's Value) whose fields are exactly their options
(class constants such as ``name`` are not options), and results are plain objects with a fresh list
per instance."""
import dataclasses

import pytest

from ptofix.pass_manager import (
    PassResult,
    available_passes,
    build_pass,
    check_option_value,
    get_pass_class,
    pass_options,
    pipeline_text,
)
from ptofix.records import Value
from ptofix.source import PtofixError

CLASS_CONSTANTS = {"name", "kind", "summary", "reads_slot_numbers", "sets_slot_numbers"}


@pytest.mark.parametrize("name", available_passes())
def test_a_pass_is_a_frozen_value_of_its_options(name):
    cls = get_pass_class(name)
    assert issubclass(cls, Value)
    options = pass_options(cls)
    assert not set(options) & CLASS_CONSTANTS
    assert list(options) == list(cls.field_names)
    # Every option's type resolves to one with a text form, and its default is of that type.
    for option in options.values():
        check_option_value(option, option.default)
    built = cls()
    if options:
        first = next(iter(options))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(built, first, getattr(built, first))


def test_the_options_are_the_declared_fields_in_order():
    assert list(pass_options(get_pass_class("pipe-v-barrier"))) == ["pattern", "force", "weight", "translation_unit",
                                                                       "same_access_chains"]
    built = build_pass("pipe-v-barrier", {"pattern": "gu"})
    assert built.replace(force=True).force is True and built.replace(force=True).pattern == ("gu",)
    with pytest.raises(ValueError, match="weight -1=3"):        # (replace checks the values, as the constructor)
        built.replace(weight=((-1, 3),))


def test_a_result_has_its_own_lists():
    first, second = PassResult(), PassResult()
    first.edits.append("x")
    first.warnings.append("w")
    assert second.edits == [] and second.warnings == [] and second.report == {}


# ---- typed options: one reader from text, generated from the field types ---------------------------
def test_text_options_are_read_into_their_fields_types():
    barrier = build_pass("pipe-v-barrier", {"pattern": "trowsum-tadd, GU,none,gu", "weight": "12=3, 40=0x10",
                                            "force": "yes", "translation-unit": "off"})
    assert barrier.pattern == ("softmax-sum-add", "gu")      # aliases and case read, order kept, none dropped
    assert barrier.weight == ((12, 3), (40, 16)) and barrier.force is True and barrier.translation_unit is False
    slots = build_pass("local-slot-num", {"unit_flag": "0 4,6", "default": "2", "tpipe-order": "old"})
    assert slots.unit_flag == (0, 4, 6) and slots.default == 2 and slots.tpipe_order == "old"


@pytest.mark.parametrize("name,options,message", [
    ("pipe-v-barrier", {"weight": "12=3,x=1"}, r"option 'weight': item 'x=1': expects an integer, got 'x' "
                                               r"\(expected LINE=N\[,...\]\)"),
    ("pipe-v-barrier", {"weight": "12"}, r"item '12': expects 2 parts joined by '='"),
    ("pipe-v-barrier", {"weight": "-1=3"}, r"weight -1=3: a line and a count are not negative"),
    ("pipe-v-barrier", {"force": "maybe"}, r"option 'force': expects true/false, got 'maybe'"),
    ("pipe-v-barrier", {"pattern": "gu,nosuch"}, r"unknown barrier pattern 'nosuch'"),
    ("local-slot-num", {"default": "two"}, r"option 'default': expects an integer, got 'two'"),
    ("local-slot-num", {"pto-arch": "a4"}, r"pto-arch must be 'a3' or 'a5', not 'a4'"),
    ("local-slot-num", {"unit-flag": "0,x"}, r"bad FlagID 'x'"),
    ("canonicalize", {"to": "custom,generic"}, r"to must be 'custom' or 'generic', not 'custom,generic'"),
    ("canonicalize", {"from": "x"}, r"pass 'canonicalize' has no option 'from' \(options: target-ptoas, to\)"),
])
def test_a_bad_text_option_is_an_error_naming_it(name, options, message):
    with pytest.raises(PtofixError, match=message):
        build_pass(name, options)


def test_a_pass_built_in_python_is_checked_against_its_types():
    cls = get_pass_class("pipe-v-barrier")
    with pytest.raises(ValueError, match="pattern must be 'gu', 'softmax-exp-sum', 'softmax-sum-add' or 'auto'"):
        cls(pattern=("bogus",))
    with pytest.raises(TypeError, match="pattern must be a tuple, not str"):
        cls(pattern="gu")        # type: ignore[arg-type]
    with pytest.raises(TypeError, match="force must be bool, not int"):
        cls(force=1)             # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight must have 2 parts"):
        cls(weight=((1, 2, 3),))  # type: ignore[arg-type]


def test_the_pipeline_text_reads_back_as_the_same_passes():
    passes = [build_pass("local-slot-num", {"map": "0=2,4=2", "unit-flag": "0,4", "pto-arch": "a5"}),
              build_pass("pipe-v-barrier", {"pattern": "gu,softmax-exp-sum", "weight": "3=10,7=2",
                                            "translation-unit": "false"})]
    text = pipeline_text(passes)
    assert text == ("local-slot-num{map=0=2,4=2 unit-flag=0,4 pto-arch=a5},"
                    "pipe-v-barrier{pattern=gu,softmax-exp-sum weight=3=10,7=2 translation-unit=false}")
    from ptofix.pass_manager import parse_pipeline
    assert [build_pass(name, options) for name, options in parse_pipeline(text)] == passes


def test_the_tpipe_orders_are_the_facts_ones():
    from typing import get_args

    from ptofix.pto.tpipe import NEW, OLD
    assert set(get_args(pass_options(get_pass_class("local-slot-num"))["tpipe_order"].type)) == {"", OLD, NEW}


def test_the_barrier_patterns_are_the_proofs_ones():
    from typing import get_args

    from ptofix.cpp.barrier_decisions import PATTERNS
    assert set(get_args(get_args(pass_options(get_pass_class("pipe-v-barrier"))["pattern"].type)[0])) == \
        set(PATTERNS) | {"auto"}


def test_runs_barrier_options_are_generated_from_the_pass_fields():
    from ptofix.cli import build_parser
    from ptofix.commands.help_format import CommaListAction
    parser = build_parser("run")
    run_parser = next(a for a in parser._actions if a.dest == "command").choices["run"]
    actions = {a.dest: a for a in run_parser._actions}
    fields = pass_options(get_pass_class("pipe-v-barrier"))
    for name, flags in (("pattern", ["--pattern", "-P"]), ("weight", ["--weight"]), ("force", ["--force"])):
        assert actions[name].option_strings == flags and actions[name].help == fields[name].help
    assert isinstance(actions["weight"], CommaListAction) and actions["weight"].metavar == "LINE=N[,...]"
    assert actions["force"].nargs == 0 and actions["force"].default is False
    args = parser.parse_args(["run", "--weight", "3=10", "--weight", "7=2", "-P", "gu", "x.cpp"])
    assert (args.weight, args.pattern) == ("3=10,7=2", "gu")      # text, read once where the pass is built


def test_a_bad_run_option_is_an_error_before_any_file_is_read(tmp_path, capsys):
    from ptofix.cli import main
    missing = tmp_path / "missing.cpp"
    assert main(["run", "--pattern", "gu", "--weight", "3=x", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "option 'weight': item '3=x'" in err and "missing.cpp" not in err
