"""Passes are frozen dataclasses whose fields are exactly their options (class constants such as
``name`` are not options), and results are plain dataclasses with a fresh list per instance."""
import dataclasses

import pytest

from ptofix.pass_manager import PassResult, available_passes, build_pass, get_pass_class, pass_options

CLASS_CONSTANTS = {"name", "kind", "summary", "reads_slot_numbers", "sets_slot_numbers"}


@pytest.mark.parametrize("name", available_passes())
def test_a_pass_is_a_frozen_dataclass_of_its_options(name):
    cls = get_pass_class(name)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    options = pass_options(cls)
    assert not set(options) & CLASS_CONSTANTS
    assert all(isinstance(annotation, str) for annotation in options.values())
    built = cls()
    if options:
        first = next(iter(options))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(built, first, getattr(built, first))


def test_the_options_are_the_declared_fields_in_order():
    assert list(pass_options(get_pass_class("pipe-v-barrier"))) == ["pattern", "force", "weight", "translation_unit", "pto_isa"]
    assert dataclasses.replace(build_pass("pipe-v-barrier", {"pattern": "gu"}), force=True).force is True


def test_a_result_has_its_own_lists():
    first, second = PassResult(), PassResult()
    first.edits.append("x")
    first.warnings.append("w")
    assert second.edits == [] and second.warnings == [] and second.report == {}
