"""The AST of one C++ statement: what the statement parser (``fast_expr``, with the regex fast
paths of ``stmt_parser`` in front of it) builds and every analysis reads.

Every node carries ``start``/``end`` offsets relative to the statement text. ASTs are shared by
the statements that spell the same text and never mutated.
"""
from __future__ import annotations

import functools

from ..structs import Struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import ClassVar

# A statement nested deeper than this, in brackets or in the levels of its AST (`a + b + c` is two
# levels, `- - a` two, `f(g(a))` three), is not understood (Unknown). It bounds the recursion of
# the parsers and of every walk over an AST whatever the input: compiled, a recursion has no
# interpreter limit to stop it. (clang's default bracket limit, -fbracket-depth, is 256; ptoas
# writes a few levels.)
MAX_EXPRESSION_NESTING = 64

# The longest statement (or header part) the statement parser reads: its tokens take memory in
# proportion, and ptoas's longest statements are ~1,700 characters (a comment block included). A
# longer one the regex fast paths did not read is not understood (Unknown, with this reason:
# stmt_parser.too_long_for_the_grammar); the regex fast paths read any length in linear time.
MAX_GRAMMAR_CHARS = 16384


class Node(Struct):
    __slots__ = ("start", "end", "_name_ids")
    start: int
    end: int
    # Not a field (out of repr and _fields): the identifiers under this node (see name_ids),
    # computed on first use: ASTs are shared and never mutated, and the analysis asks for the
    # names of the same statements many times. None until then.
    _name_ids: tuple[str, ...] | None
    _fields: ClassVar[tuple[str, ...]] = ("start", "end")
    _children: ClassVar[tuple[str, ...]] = ()

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self._name_ids = None

    def push_children(self, stack: list[Node]) -> None:
        """Push the nodes of ``_children`` (a list field's nodes in order) onto ``stack``: what
        walk and name_ids visit. The classes the analysis reads most spell it out (no attribute
        read by name)."""
        for name in self._children:
            value = getattr(self, name)
            if isinstance(value, Node):
                stack.append(value)
            elif type(value) is list:
                for item in value:
                    if isinstance(item, Node):
                        stack.append(item)


def walk(node: Node) -> Iterator[Node]:
    """Every AST node under ``node`` (itself included), depth first."""
    stack = [node]
    pop = stack.pop
    while stack:
        cur = pop()
        yield cur
        cur.push_children(stack)


def name_ids(node: Node) -> tuple[str, ...]:
    """The ``Name`` identifiers under ``node`` in first-occurrence order of ``walk``, no repeats."""
    if type(node) is Name:
        return (node.id,)
    if type(node) in _LEAVES:
        return ()
    known = node._name_ids
    if known is not None:
        return known
    # walk() inlined (same visiting order), the hottest loop of the analysis.
    found: dict[str, None] = {}
    stack: list[Node] = [node]
    pop = stack.pop
    while stack:
        cur = pop()
        if type(cur) is Name:
            found[cur.id] = None
            continue
        if type(cur) is TemplateId and cur is not node:
            # A template's nodes are shared by the statements that spell it (the regex fast path's
            # templates): its names,
            # kept on it, stand for its subtree, which the walk would visit in one piece in that
            # order (a depth-first walk finishes a subtree before it goes on).
            found.update(dict.fromkeys(name_ids(cur)))
            continue
        cur.push_children(stack)
    ids = node._name_ids = tuple(found)
    return ids


def argument_name_ids(tmpl: TemplateId) -> tuple[str, ...]:
    """The ``name_ids`` of a template's arguments one after the other, no repeats; cached on the
    template (a kernel declares the same few tile types many times and they share one node)."""
    known = tmpl._argument_name_ids
    if known is not None:
        return known
    found: dict[str, None] = {}
    for arg in tmpl.args:
        found.update(dict.fromkeys(name_ids(arg)))
    ids = tmpl._argument_name_ids = tuple(found)
    return ids


class Name(Node):
    __slots__ = ("id",)
    id: str
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "id")
    _children: ClassVar[tuple[str, ...]] = ()

    def __init__(self, start: int, end: int, id: str = "") -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.id = id


class Number(Node):
    __slots__ = ("text",)
    text: str
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "text")
    _children: ClassVar[tuple[str, ...]] = ()

    def __init__(self, start: int, end: int, text: str = "") -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.text = text

    @property
    def value(self) -> int | float:
        return _number_value(self.text)


_MAX_INTEGER_DIGITS = 64        # more than any 128-bit value spells in decimal or octal


@functools.lru_cache(maxsize=4096)
def _number_value(text: str) -> int | float:
    """A number literal's value (kept by text: the analysis reads the same few literals, tile
    shapes and addresses, tens of thousands of times)."""
    if text[:2] in ("0x", "0X"):
        return int(text[2:].rstrip("uUlL"), 16)
    raw = text.rstrip("uUlLfF")
    if any(c in raw for c in ".eE"):
        return float(raw)
    if len(raw) > _MAX_INTEGER_DIGITS:
        # No C++ integer type holds it (the literal is ill-formed): NaN, which no reader takes for
        # an integer (Python's int() refuses a decimal string of over 4300 digits).
        return float("nan")
    if raw[:1] == "0" and len(raw) > 1:
        # [lex.icon]: a leading 0 makes the literal octal (`010` is 8); an 8 or 9 in it is
        # ill-formed: NaN, which no reader takes for an integer.
        return int(raw, 8) if raw.isdigit() and "8" not in raw and "9" not in raw else float("nan")
    return int(raw)


class Literal(Node):
    __slots__ = ("value",)
    value: object   # True / False / None (nullptr)
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "value")
    _children: ClassVar[tuple[str, ...]] = ()

    def __init__(self, start: int, end: int, value: object = None) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.value = value


class String(Node):
    __slots__ = ("text",)
    text: str
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "text")
    _children: ClassVar[tuple[str, ...]] = ()

    def __init__(self, start: int, end: int, text: str = "") -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.text = text


_LEAVES = (Number, Literal, String)     # nodes without child nodes (exact types, see name_ids)


class TypeRef(Node):
    __slots__ = ("name", "template", "pointer", "quals", "ref")
    name: str                       # "float", "Tile", "pto::Shape", "auto"
    template: TemplateId | None
    pointer: int
    quals: tuple
    ref: bool                    # declared as a reference (`T&`, `T&&`)
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "name", "template", "pointer", "quals", "ref")
    _children: ClassVar[tuple[str, ...]] = ("template",)

    def __init__(
            self,
            start: int,
            end: int,
            name: str = "",
            template: TemplateId | None = None,
            pointer: int = 0,
            quals: tuple = (),
            ref: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.name = name
        self.template = template
        self.pointer = pointer
        self.quals = quals
        self.ref = ref

    def push_children(self, stack: list[Node]) -> None:
        if self.template is not None:
            stack.append(self.template)


class TemplateId(Node):
    __slots__ = ("name", "args", "_argument_name_ids")
    name: str
    args: list   # Node (expr) or TypeRef
    _argument_name_ids: tuple[str, ...] | None     # not a field: see argument_name_ids (None until then)
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "name", "args")
    _children: ClassVar[tuple[str, ...]] = ("args",)

    def __init__(self, start: int, end: int, name: str = "", args: list | None = None) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.name = name
        self.args = [] if args is None else args
        self._argument_name_ids = None

    def push_children(self, stack: list[Node]) -> None:
        for item in self.args:
            if isinstance(item, Node):
                stack.append(item)


class Call(Node):
    __slots__ = ("func", "args")
    func: Node
    args: list
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "func", "args")
    _children: ClassVar[tuple[str, ...]] = ("func", "args")

    def __init__(self, start: int, end: int, func: Node, args: list | None = None) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.func = func
        self.args = [] if args is None else args

    @property
    def callee(self) -> str:
        if isinstance(self.func, Name):
            return self.func.id
        if isinstance(self.func, TemplateId):
            return self.func.name
        if isinstance(self.func, Member):
            return self.func.field
        return ""

    @property
    def template(self) -> TemplateId | None:
        return self.func if isinstance(self.func, TemplateId) else None

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.func)
        for item in self.args:
            if isinstance(item, Node):
                stack.append(item)


class Index(Node):
    __slots__ = ("obj", "index")
    obj: Node
    index: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "obj", "index")
    _children: ClassVar[tuple[str, ...]] = ("obj", "index")

    def __init__(self, start: int, end: int, obj: Node, index: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.obj = obj
        self.index = index

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.obj)
        stack.append(self.index)


class Member(Node):
    __slots__ = ("obj", "field", "arrow")
    obj: Node
    field: str
    arrow: bool
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "obj", "field", "arrow")
    _children: ClassVar[tuple[str, ...]] = ("obj",)

    def __init__(self, start: int, end: int, obj: Node, field: str = "", arrow: bool = False) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.obj = obj
        self.field = field
        self.arrow = arrow

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.obj)


class Unary(Node):
    __slots__ = ("op", "operand")
    op: str
    operand: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "op", "operand")
    _children: ClassVar[tuple[str, ...]] = ("operand",)

    def __init__(self, start: int, end: int, op: str, operand: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.op = op
        self.operand = operand

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.operand)


class Binary(Node):
    __slots__ = ("op", "left", "right")
    op: str
    left: Node
    right: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "op", "left", "right")
    _children: ClassVar[tuple[str, ...]] = ("left", "right")

    def __init__(self, start: int, end: int, op: str, left: Node, right: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.op = op
        self.left = left
        self.right = right

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.left)
        stack.append(self.right)


class Assign(Node):
    """An assignment used as an expression (`a = b = 5`, `if ((x = f()))`, `g(a += 1)`)."""
    __slots__ = ("target", "op", "value")
    target: Node
    op: str
    value: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "target", "op", "value")
    _children: ClassVar[tuple[str, ...]] = ("target", "value")

    def __init__(self, start: int, end: int, target: Node, op: str, value: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.target = target
        self.op = op
        self.value = value


class IncDec(Node):
    __slots__ = ("op", "operand", "prefix")
    op: str
    operand: Node
    prefix: bool
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "op", "operand", "prefix")
    _children: ClassVar[tuple[str, ...]] = ("operand",)

    def __init__(self, start: int, end: int, op: str, operand: Node, prefix: bool = True) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.op = op
        self.operand = operand
        self.prefix = prefix


class Comma(Node):
    __slots__ = ("items",)
    items: list
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "items")
    _children: ClassVar[tuple[str, ...]] = ("items",)

    def __init__(self, start: int, end: int, items: list | None = None) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.items = [] if items is None else items


class Ternary(Node):
    __slots__ = ("cond", "then", "orelse")
    cond: Node
    then: Node
    orelse: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "cond", "then", "orelse")
    _children: ClassVar[tuple[str, ...]] = ("cond", "then", "orelse")

    def __init__(self, start: int, end: int, cond: Node, then: Node, orelse: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.cond = cond
        self.then = then
        self.orelse = orelse


class Cast(Node):
    __slots__ = ("type", "operand")
    type: TypeRef
    operand: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "type", "operand")
    _children: ClassVar[tuple[str, ...]] = ("type", "operand")

    def __init__(self, start: int, end: int, type: TypeRef, operand: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.type = type
        self.operand = operand

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.type)
        stack.append(self.operand)


class SizeOf(Node):
    __slots__ = ("arg",)
    arg: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "arg")
    _children: ClassVar[tuple[str, ...]] = ("arg",)

    def __init__(self, start: int, end: int, arg: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.arg = arg


class Decl(Node):
    __slots__ = ("type", "name", "init", "ctor_args", "array")
    type: TypeRef
    name: str
    init: Node | None
    ctor_args: list | None     # `T v(a, b);`
    array: bool                  # `T v[N]...;`
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "type", "name", "init", "ctor_args", "array")
    _children: ClassVar[tuple[str, ...]] = ("type", "init", "ctor_args")

    def __init__(
            self,
            start: int,
            end: int,
            type: TypeRef,
            name: str = "",
            init: Node | None = None,
            ctor_args: list | None = None,
            array: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.type = type
        self.name = name
        self.init = init
        self.ctor_args = ctor_args
        self.array = array


class TypeAlias(Node):
    """`using NAME = type;` or `typedef type NAME;`."""
    __slots__ = ("name", "type")
    name: str
    type: TypeRef
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "name", "type")
    _children: ClassVar[tuple[str, ...]] = ("type",)

    def __init__(self, start: int, end: int, name: str, type: TypeRef) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.name = name
        self.type = type


class ExprStmt(Node):
    __slots__ = ("expr",)
    expr: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "expr")
    _children: ClassVar[tuple[str, ...]] = ("expr",)

    def __init__(self, start: int, end: int, expr: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.expr = expr

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.expr)


class AssignStmt(Node):
    __slots__ = ("target", "op", "value")
    target: Node
    op: str
    value: Node
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "target", "op", "value")
    _children: ClassVar[tuple[str, ...]] = ("target", "value")

    def __init__(self, start: int, end: int, target: Node, op: str, value: Node) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.target = target
        self.op = op
        self.value = value

    def push_children(self, stack: list[Node]) -> None:
        stack.append(self.target)
        stack.append(self.value)


class ReturnStmt(Node):
    __slots__ = ("value",)
    value: Node | None
    _fields: ClassVar[tuple[str, ...]] = ("start", "end", "value")
    _children: ClassVar[tuple[str, ...]] = ("value",)

    def __init__(self, start: int, end: int, value: Node | None = None) -> None:
        self.start = start
        self.end = end
        self._name_ids = None
        self.value = value


class Fallback(Node):
    """The fast parsers' answer "not mine": the statement goes to the next parser. One instance,
    _FALLBACK (a node, so that a fast parser's result is typed as one); never part of an AST."""

    __slots__ = ()


_FALLBACK: Node = Fallback(-1, -1)
