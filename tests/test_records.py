"""ptofix/records.py: the frozen value classes a run builds once behave as the frozen dataclasses
they replaced (the same constructor, frozen attributes, repr, equality and hash, replace, pickling)."""
import copy
import dataclasses
import pickle
from typing import ClassVar, Literal

import pytest

from ptofix.compile_env import NO_COMMAND_LINE, CompileEnvironment
from ptofix.compile_options import COMPILE_OPTIONS, CompileOption
from ptofix.cpp_fixes import CppFixOptions
from ptofix.file_passes import FilePasses
from ptofix.local_slot_options import LocalSlotOptions
from ptofix.output import Collected, OutputOptions
from ptofix.pass_manager import PassResult, PipelineOutcome
from ptofix.pto.race_model import RaceModel
from ptofix.pto.walks import TileWalk
from ptofix.records import Frozen, Value
from ptofix.records import field as records_field

# One instance of each, its fields all set (not the defaults), and the fields a Value leaves out
# of its comparison and of its repr (as the dataclass's field(compare=False) / field(repr=False)).
SAMPLES = {
    OutputOptions: (OutputOptions(("a.cpp", "b.cpp"), "out", True, True, True, "json", "r.json", 2, True, True,
                                  ("ir",), ("b.cpp",), ("h.hpp",)), (), ()),
    CompileEnvironment: (CompileEnvironment(("inc",), ("-DA=1",), "why", "/pto-isa", NO_COMMAND_LINE.isa, ("note",),
                                            ("f.hpp",), "a3"), ("isa", "isa_notes", "isa_files"), ("isa_files",)),
    CompileOption: (CompileOption("-X", "dest", "V", "help", ("-X", "--x"), "build help", str.strip), (), ()),
    FilePasses: (FilePasses((), True, True, False, True, True, RaceModel.of(True), CompileEnvironment(("inc",)),
                             False),
                 (), ()),
    TileWalk: (TileWalk(16, 128, 4, "RowMajor", 8, 64, True, True, "float", True), (), ()),
}
FROZEN = {
    LocalSlotOptions: LocalSlotOptions("0=2", "ir", "side", "v0.45", 2, "old", "lib", "on"),
    CppFixOptions: CppFixOptions("gu", True, "w", False, LocalSlotOptions("0=2"), True),
    PipelineOutcome: PipelineOutcome("text", [{"a": 1}], ["w"], [{"d": 2}]),
    PassResult: PassResult(["edit"], {"r": 1}, ["w"], {"causes": []}),
    Collected: Collected([({"file": "a.cpp"}, ["line"])], ["outputs"]),
}


def _values(obj):
    return {name: getattr(obj, name) for name in obj.field_names}


def _plain(obj):
    """``obj``'s fields, with those of the Frozen objects it holds, for comparing identity-compared objects."""
    if isinstance(obj, Frozen):
        return {name: _plain(value) for name, value in _values(obj).items()}
    return obj


def _reference(cls, dropped_compare, dropped_repr):
    """The frozen dataclass ``cls`` was: same fields, same compare and repr choices."""
    return dataclasses.make_dataclass(cls.__name__, [
        (name, object, dataclasses.field(compare=name not in dropped_compare, repr=name not in dropped_repr))
        for name in cls.field_names], frozen=True)


@pytest.mark.parametrize("cls", [*SAMPLES, *FROZEN])
def test_the_constructor_takes_the_fields_in_order(cls):
    # The fields are the class's annotations, in order (its ClassVars aside), as a dataclass's.
    annotated = [name for name, annotation in cls.__annotations__.items() if not annotation.startswith("ClassVar")]
    assert list(cls.field_names) == annotated
    obj = SAMPLES[cls][0] if cls in SAMPLES else FROZEN[cls]
    assert list(vars(obj)) == list(cls.field_names)
    # positional and keyword spellings build the same object, its attributes in the fields' order
    again = cls(*_values(obj).values())
    assert _values(again) == _values(obj)
    assert _values(cls(**_values(obj))) == _values(obj)
    backwards = cls(**dict(reversed(list(_values(obj).items()))))
    assert list(vars(backwards)) == list(cls.field_names) and _values(backwards) == _values(obj)


@pytest.mark.parametrize("cls", [*SAMPLES, *FROZEN])
def test_the_constructor_refuses_what_the_dataclass_refused(cls):
    obj = SAMPLES[cls][0] if cls in SAMPLES else FROZEN[cls]
    values = list(_values(obj).values())
    reference = dataclasses.make_dataclass(cls.__name__, [(name, object) for name in cls.field_names], frozen=True)
    for call in (lambda c: c(*values, 1), lambda c: c(*values, nope=1),
                 lambda c: c(*values[:1], **{cls.field_names[0]: values[0]})):
        with pytest.raises(TypeError) as ours:
            call(cls)
        with pytest.raises(TypeError) as theirs:
            call(reference)
        assert str(ours.value).split(".__init__() ")[1] == str(theirs.value).split(".__init__() ")[1]
    missing = [name for name in cls.field_names
               if name not in vars(cls) and cls.field_specs[name].default_factory is None]
    if missing:
        with pytest.raises(TypeError, match=f"missing {len(missing)} required argument"):
            cls()


def test_a_field_without_default_after_one_with_is_refused():
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        class Bad(Frozen):
            a: int = 1
            b: int
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        dataclasses.make_dataclass("Bad", [("a", int, dataclasses.field(default=1)), ("b", int)])


@pytest.mark.parametrize("cls", [*SAMPLES, *FROZEN])
def test_fields_are_frozen(cls):
    obj = SAMPLES[cls][0] if cls in SAMPLES else FROZEN[cls]
    name = cls.field_names[0]
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
        setattr(obj, name, None)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
        obj.other = 1
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{name}'"):
        delattr(obj, name)
    assert isinstance(dataclasses.FrozenInstanceError(), AttributeError)


@pytest.mark.parametrize("cls", list(SAMPLES))
def test_repr_eq_and_hash_are_the_dataclass_s(cls):
    obj, dropped_compare, dropped_repr = SAMPLES[cls]
    reference = _reference(cls, dropped_compare, dropped_repr)
    ref = reference(**_values(obj))
    assert repr(obj) == repr(ref)
    assert hash(obj) == hash(ref)
    same = cls(**_values(obj))
    assert same == obj and hash(same) == hash(obj) and same is not obj
    for name in cls.field_names:
        changed = obj.replace(**{name: "other"})
        ref_changed = dataclasses.replace(ref, **{name: "other"})
        assert (changed == obj) is (ref_changed == ref)
        assert (changed != obj) is (ref_changed != ref)
    assert obj != ref and ref != obj            # (another class: never equal, as two dataclasses)
    assert obj.__eq__(ref) is NotImplemented


@pytest.mark.parametrize("cls", list(FROZEN))
def test_frozen_only_classes_compare_by_identity(cls):
    obj = FROZEN[cls]
    same = cls(**_values(obj))
    assert obj == obj and same != obj and hash(obj) == object.__hash__(obj)
    assert repr(obj) == object.__repr__(obj)


@pytest.mark.parametrize("cls", [*SAMPLES, *FROZEN])
def test_replace_pickle_and_copy(cls):
    obj = SAMPLES[cls][0] if cls in SAMPLES else FROZEN[cls]
    name = cls.field_names[-1]
    changed = obj.replace(**{name: "x"})
    assert type(changed) is cls and getattr(changed, name) == "x"
    assert {k: v for k, v in _values(changed).items() if k != name} == \
           {k: v for k, v in _values(obj).items() if k != name}
    assert _values(obj.replace()) == _values(obj)
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        obj.replace(nope=1)
    back = pickle.loads(pickle.dumps(obj))
    assert type(back) is cls and repr(_plain(back)) == repr(_plain(obj))
    assert _values(copy.copy(obj)) == _values(obj)


def test_defaults_and_fresh_containers():
    assert vars(OutputOptions()) == {"files": (), "output": None, "in_place": False, "diff": False, "check": False,
                                     "report": None, "report_file": None, "jobs": 1, "quiet": False, "debug": False,
                                     "option_inputs": (), "other_inputs": (), "dependencies": ()}
    assert CompileEnvironment() == NO_COMMAND_LINE and CompileEnvironment().isa is NO_COMMAND_LINE.isa
    assert FilePasses(()).notes is True and FilePasses(()).environment is NO_COMMAND_LINE
    options = CppFixOptions()
    assert options.translation_unit is True and not options.local_slot.enabled
    assert CppFixOptions().local_slot is not options.local_slot
    assert PipelineOutcome("t", [], []).details == [] and PipelineOutcome("t", [], []).details is not \
        PipelineOutcome("t", [], []).details
    first, second = Collected(), Collected()
    first.outputs.append(1)
    assert second.outputs == [] and second.reports is None
    result = PassResult()
    assert (result.edits, result.report, result.warnings, result.details) == ([], {}, [], {})
    assert all(isinstance(option, CompileOption) for option in COMPILE_OPTIONS)
    assert issubclass(Value, Frozen)


# ---- what the pass records read (ptofix/pass_manager.py: options from the fields) ---------------
class _Checked(Value):
    size: int = records_field(default=2, metadata={"help": "how many"})
    label: "Literal['a', 'b']" = "a"     # noqa: F821 (resolved in this module, as a pass's option types)
    seen: ClassVar[list[int]] = []

    def __post_init__(self) -> None:
        type(self).seen.append(self.size)
        if self.size < 0:
            raise ValueError("size must not be negative")


def test_post_init_runs_after_the_constructor_and_replace_and_the_declarations_are_read_back():
    _Checked.seen.clear()
    built = _Checked(3)
    assert built.replace(size=4).size == 4 and _Checked.seen == [3, 4]
    with pytest.raises(ValueError, match="size must not be negative"):
        _Checked(size=-1)
    size, label = _Checked.field_specs.values()
    assert (size.name, size.default, size.has_default, dict(size.metadata)) == ("size", 2, True, {"help": "how many"})
    assert (label.name, label.default, dict(label.metadata), label.owner) == ("label", "a", {}, _Checked)
    assert size.resolved_type() is int and label.resolved_type() == Literal["a", "b"]
    assert list(_Checked.field_names) == ["size", "label"]      # (the ClassVar is no field)
