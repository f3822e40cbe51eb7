"""ptofix.record.Record: the light dataclass-like base of model nodes and passes."""
from __future__ import annotations

from typing import ClassVar

import pytest

from ptofix.pass_manager import PASSES, get_pass_class
from ptofix.record import Record, fields


class Point(Record):
    x: int
    y: int = 0
    tags: list = []


class Point3(Point):
    z: int = 0


class Checked(Record):
    value: int = 1
    checks: ClassVar[list] = []

    def __post_init__(self) -> None:
        Checked.checks.append(self.value)
        if self.value < 0:
            raise ValueError("negative")


class CheckedChild(Checked):
    extra: str = ""


class HandWritten(Record):
    a: int = 0

    def __init__(self, a: int) -> None:
        super().__init__(a * 10)


class HandWrittenChild(HandWritten):
    pass


def test_fields_defaults_and_copied_mutables():
    p, q = Point(1), Point(2, 3)
    p.tags.append("x")
    assert (p.x, p.y, q.x, q.y, q.tags) == (1, 0, 2, 3, [])
    assert repr(Point3(1, z=4)) == "Point3(x=1, y=0, tags=[], z=4)"
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_post_init_runs_for_every_instance_and_subclass():
    Checked.checks.clear()
    Checked(2)
    Checked(3)
    CheckedChild(4, "e")
    assert Checked.checks == [2, 3, 4]
    with pytest.raises(ValueError):
        CheckedChild(-1)


def test_a_hand_written_init_is_kept_for_every_instance():
    # The first instance must not swap in the generated constructor for later ones.
    assert [HandWritten(1).a, HandWritten(2).a] == [10, 20]
    assert [HandWrittenChild(3).a, HandWrittenChild(4).a] == [30, 40]


@pytest.mark.parametrize("name, options", [("local-slot-num", {"tpipe_order": "middle"}),
                                           ("local-slot-num", {"default": -1}),
                                           ("canonicalize", {"to": "sideways"})])
def test_pass_options_are_checked_at_construction(name, options):
    cls = get_pass_class(name)
    cls()                       # the defaults are valid ...
    with pytest.raises(ValueError):
        cls(**options)          # ... and a bad value is refused every time, not only the first
    with pytest.raises(ValueError):
        cls(**options)


def test_every_registered_pass_builds_with_its_defaults():
    for name in PASSES:
        assert get_pass_class(name)().name == name


class Pair(Record):
    left: int
    right: str = "r"


class Other(Record):          # the same shape as Pair: one compiled constructor, two sets of names
    first: int
    second: str = "s"


class Gap(Record):
    a: int = 1
    b: int = 2

    __annotations__["c"] = "int"   # a required field after defaulted ones (as a subclass adds one)


def test_classes_of_one_shape_keep_their_own_field_names_and_defaults():
    p, o = Pair(1), Other(2)
    assert (vars(p), vars(o)) == ({"left": 1, "right": "r"}, {"first": 2, "second": "s"})
    assert vars(Pair(right="x", left=3)) == {"left": 3, "right": "x"}
    assert vars(Other(second="y", first=4)) == {"first": 4, "second": "y"}
    assert Pair.__init__.__qualname__ == "Pair.__init__" and Pair.__init__ is not Other.__init__
    with pytest.raises(TypeError, match="unexpected keyword argument 'first'"):
        Pair(first=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'first'"):
        Other()  # type: ignore[call-arg]


def test_required_field_after_defaults_is_still_required():
    assert Gap._fields == ("a", "b", "c")
    assert vars(Gap(c=3)) == {"a": 1, "b": 2, "c": 3}
    with pytest.raises(TypeError, match="Gap\\(\\) missing argument 'c'"):
        Gap()


def test_model_statements_are_slotted():
    from ptofix.cpp.model import Compound, SimpleStmt
    from ptofix.cpp.parser import parse_cpp
    from ptofix.source import SourceText
    model = parse_cpp(SourceText("void k() { a = 1; { b(); } }", "k.cpp"))
    for stmt in model.functions[0].statements():
        assert not hasattr(stmt, "__dict__")
        assert isinstance(stmt, (Compound, SimpleStmt))
    stmt = [s for s in model.functions[0].statements() if isinstance(s, SimpleStmt)][0]
    assert stmt.text == "a = 1;" and fields(stmt)["file_text"] is model.source.text and stmt.ast is not None
    stmt.forget_ast()
    assert fields(stmt)["_ast"] is None and stmt.ast is not None
