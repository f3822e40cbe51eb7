"""ptofix.ntuple.NamedTuple (the run path's NamedTuple without importing typing) builds the class
typing.NamedTuple builds: fields, defaults, methods, tuple behaviour, pickling, errors."""
from __future__ import annotations

import pickle
import typing

import pytest

from ptofix import ntuple
from ptofix.batch import Failure, Processed
from ptofix.pto.ops import OpSpec
from ptofix.pto.tpipe import Layout
from ptofix.source import Edit, SourceText, Span


def _classes(base):
    class Point(base):
        """A doc."""

        x: int
        y: int = 2
        label: str = "p"

        def norm(self) -> int:
            return self.x * self.x + self.y * self.y

        @property
        def twice(self) -> int:
            return 2 * self.x

    return Point


def test_same_class_as_typing_builds():
    ours, theirs = _classes(ntuple.NamedTuple), _classes(typing.NamedTuple)
    assert ours._fields == theirs._fields == ("x", "y", "label")
    assert ours._field_defaults == theirs._field_defaults == {"y": 2, "label": "p"}
    assert ours.__bases__ == theirs.__bases__ == (tuple,)
    assert ours.__doc__ == theirs.__doc__ == "A doc."
    assert list(ours.__annotations__) == list(theirs.__annotations__) == ["x", "y", "label"]
    a, b = ours(3), theirs(3)
    assert tuple(a) == tuple(b) == (3, 2, "p")
    assert repr(a) == repr(b) == "Point(x=3, y=2, label='p')"
    assert a.norm() == b.norm() == 13 and a.twice == b.twice == 6
    assert a._replace(y=5) == b._replace(y=5) == (3, 5, "p")
    assert a._asdict() == b._asdict()
    assert ours._make([1, 2, 3]) == (1, 2, 3)
    assert hash(a) == hash(b) and a == b
    with pytest.raises(AttributeError):
        a.x = 1   # type: ignore[misc]


def test_errors_match_typing():
    for base in (ntuple.NamedTuple, typing.NamedTuple):
        with pytest.raises(TypeError, match="Non-default namedtuple field b cannot follow default field a"):
            class Bad(base):
                a: int = 1
                b: int
        with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
            class Worse(base):
                a: int

                def _replace(self):
                    pass


def test_run_path_tuples_pickle_and_keep_their_module():
    span, edit = Span(1, 4), Edit(0, 2, "x", "why")
    assert pickle.loads(pickle.dumps(edit)) == edit and type(pickle.loads(pickle.dumps(span))) is Span
    assert span.text(SourceText("abcdef", "f")) == "bcd"
    assert Edit(0, 1, "y").reason == ""
    assert Span.__module__ == "ptofix.source" and Processed.__module__ == "ptofix.batch"
    failure = Failure("m", 2)
    assert pickle.loads(pickle.dumps(failure)) == failure
    for cls in (OpSpec, Layout, Processed, Failure, Span, Edit):
        assert issubclass(cls, tuple) and cls._fields
