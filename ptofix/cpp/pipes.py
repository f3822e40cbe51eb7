"""Inventory of the ``TPipe`` objects and types in ptoas-generated C++.

Facts (docs/reference/pto-facts.md §4, docs/reference/pto-ir.md §2):

* Template (pto-isa ``include/pto/npu/a2a3/TPush.hpp``, since 2dee72c3 2026-04-10)::

      template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum,
                uint32_t LocalSlotNum = 2, bool IsNoSplit = false, bool EN_UNIT_FLAG = false>

  Between c2d8efbe (2026-04-09) and 2dee72c3 the header had ``IsNoSplit`` *before*
  ``LocalSlotNum``. ptoas followed in 0af11f61 (2026-04-14): before it it emitted
  ``TPipe<F, Dir, Size, Num, <nosplit>[, Local]>`` ("old" order), after it
  ``TPipe<F, Dir, Size, Num, Local, <nosplit>>`` ("new" order). Some older emitters print only
  ``TPipe<F, Dir, Size, Num>`` ("short": LocalSlotNum and IsNoSplit take the header defaults).
  The order of one type is decided from the literals: which of positions 5/6 holds the bool.
* ptoas declares each pipe object as ``auto vN = TPipe<...>(gm, c2v_buf, v2c_buf);`` and repeats
  the full ``TPipe<...>`` type as the first template argument of every
  ``TALLOC/TPUSH/TPOP/TFREE<TPipe<...>, ...>(vN, ...)`` of that pipe (§4.2). A use is linked to
  its object through the first call argument ``vN``.
* FlagID: a single-direction pipe uses FlagID and FlagID+1, DIR_BOTH FlagID..FlagID+3 (§4.1).
* A use op whose first template argument is anything but a written-out ``TPipe<...>`` (an alias,
  a macro, ``decltype``, a header's type), or that is not a statement of its own, is recorded as
  ``opaque-use``: the pass cannot rewrite it with the init, so it refuses the pipes it may take.
  pto-isa also declares use ops that deduce the pipe type from an argument (``TPOP(tile, pipe)``,
  ``TFREE(pipe)``, ``include/pto/common/pto_instr.hpp``); such a call is the pipe's own type only
  as a statement of its own naming a pipe object of its function, and ``opaque-use`` otherwise.
* Uses are tied to objects by name: a pipe whose name something else in its function may declare
  (an inner reference, a lambda parameter, a for-init) is ``redeclared``. Every ``TPipe`` token,
  with whatever qualifier, must belong to a statement the inventory read, or it is ``unlinked``.

Nothing here edits text: the inventory records absolute spans of every template argument so that
``passes/local_slot_num.py`` can return exact edits.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import regex_cache
from ..located import Located
from ..pto.ops import FIFO_OPS
from ..pto.tpipe import (  # noqa: F401
    DEFAULT_LOCAL_SLOT_NUM,
    DEFAULT_NOSPLIT,
    DEFAULT_UNIT_FLAG,
    DIRECTIONS,
    NEW,
    NO_NOSPLIT,
    OLD,
    SHORT,
    UNKNOWN,
    flag_width,
    layout,
)
from ..source import PtofixError, SourceText, Span
from .header_policy import trusted_header
from .keywords import strip_pto
from .lexical import identifiers, identifiers_among, masked_literals
from .model import CppFile, ForStmt, Function, IfStmt, OpaqueStmt, SimpleStmt, SwitchStmt
from .parser import directive_tables
from .preprocessor import MacroState, group_outcomes
from .stmt_parser import (
    Assign,
    AssignStmt,
    Call,
    Decl,
    ExprStmt,
    Literal,
    Name,
    Node,
    Number,
    TemplateId,
    TypeAlias,
    TypeRef,
    parse_condition,
    parse_for_init,
    walk,
)
from .tokens import tokenize

USE_OPS = FIFO_OPS



@dataclass
class Arg:
    """One template argument of a ``TPipe<...>``: its text, absolute span and literal value."""

    text: str
    span: Span
    value: object = None        # int for a number, bool for true/false, str for a name, None otherwise

    @property
    def key(self) -> str:
        return "".join(self.text.split())


@dataclass
class TPipeType:
    """One written ``TPipe<...>`` type (at a pipe init or at a use)."""

    span: Span                  # ``TPipe<...>`` including the closing '>'
    args: list[Arg]
    function: str
    stmt_span: Span
    order: str = UNKNOWN
    flag_id: int | None = None
    direction: str | None = None      # "DIR_C2V" (qualifier stripped)
    slot_size: int | None = None
    slot_num: int | None = None
    local_arg: int | None = None      # index into args of LocalSlotNum, None when not written
    nosplit_arg: int | None = None
    unit_arg: int | None = None
    problem: str = ""                    # why the type could not be decoded ("" when fine)

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.args)

    @property
    def local_slot_num(self) -> int | None:
        """Written LocalSlotNum, or the header default 2 when the argument is absent."""
        if self.local_arg is None:
            return DEFAULT_LOCAL_SLOT_NUM if self.order in (NEW, OLD, SHORT) else None
        value = self.args[self.local_arg].value
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def local_written(self) -> bool:
        return self.local_arg is not None

    @property
    def nosplit(self) -> bool | None:
        if self.nosplit_arg is None:
            return DEFAULT_NOSPLIT if self.order in (NEW, OLD, SHORT) else None
        value = self.args[self.nosplit_arg].value
        return value if isinstance(value, bool) else None

    @property
    def unit_flag(self) -> bool | None:
        if self.unit_arg is None:
            return DEFAULT_UNIT_FLAG if self.order in (NEW, OLD, SHORT) else None
        value = self.args[self.unit_arg].value
        return value if isinstance(value, bool) else None

    def key_without_local(self) -> tuple[str, ...]:
        return tuple(a.key for i, a in enumerate(self.args) if i != self.local_arg)

    def text(self, source: SourceText) -> str:
        return source.text[self.span.start:self.span.end]


@dataclass
class PipeUse:
    op: str                     # TALLOC / TPUSH / TPOP / TFREE
    type: TPipeType
    var: str
    stmt_span: Span
    payload: str = ""           # "Tile" / "GlobalTensor" / "" (TFREE without entry)


@dataclass
class PipeObject:
    """One ``auto vN = TPipe<...>(...)`` (or ``TPipe<...> vN(...)``) in a function."""

    function: str
    var: str
    type: TPipeType
    stmt_span: Span
    uses: list[PipeUse] = field(default_factory=list)

    @property
    def flag_id(self) -> int | None:
        return self.type.flag_id

    def occurrences(self) -> list[TPipeType]:
        return [self.type] + [u.type for u in self.uses]

    @property
    def tile_form_pop(self) -> bool:
        """A Tile-form TPOP reads LocalSlotNum (docs/reference/pto-facts.md §4.1); GlobalTensor forms never do."""
        return any(u.op == "TPOP" and u.payload == "Tile" for u in self.uses)


@dataclass
class Issue:
    kind: str                   # same-flag | flag-overlap | use-mismatch | bad-type | unparsed | unlinked | mixed-order
    #                             | opaque-use (a use op whose pipe type is not a written-out TPipe)
    message: str
    offset: int
    pipes: list[PipeObject] = field(default_factory=list)
    local_only: bool = False    # use-mismatch that differs only in LocalSlotNum
    function: str = ""          # function the issue lies in ("" at namespace scope)


@dataclass
class PipeInventory:
    source: SourceText
    pipes: list[PipeObject] = field(default_factory=list)
    unlinked: list[TPipeType] = field(default_factory=list)   # TPipe types not tied to a pipe object
    issues: list[Issue] = field(default_factory=list)
    # issues_for's index: (len(issues) when built, id(pipe) -> its issues in order)
    _by_pipe: tuple[int, dict[int, list[Issue]]] = field(default_factory=lambda: (-1, {}), repr=False,
                                                          compare=False)
    _of_kinds: dict[tuple, list[Issue]] = field(default_factory=dict, repr=False, compare=False)
    # `#include`s the model does not read (spelled, offset): pipes there are out of sight, as in
    # another file of the kernel
    unread_headers: list[tuple[str, int]] = field(default_factory=list)

    def orders(self) -> list[str]:
        seen: list[str] = []
        for pipe in self.pipes:
            for t in pipe.occurrences():
                if t.order not in seen:
                    seen.append(t.order)
        return seen

    def flag_ids(self) -> list[int]:
        return sorted({p.flag_id for p in self.pipes if p.flag_id is not None})

    def issues_for(self, pipe: PipeObject) -> list[Issue]:
        """The issues that name ``pipe``, in order (indexed once: pairwise issues grow as the
        square of the pipes in a function, and every pipe asks)."""
        built, index = self._by_pipe
        if built != len(self.issues):
            index = {}
            for issue in self.issues:
                for key in dict.fromkeys(id(p) for p in issue.pipes):
                    index.setdefault(key, []).append(issue)
            self._by_pipe = (len(self.issues), index)
        return index.get(id(pipe), [])

    def issues_of_kinds(self, kinds: frozenset[str]) -> list[Issue]:
        """The issues of these kinds, in order (kept until an issue is added)."""
        key = (kinds, len(self.issues))
        found = self._of_kinds.get(key)
        if found is None:
            found = self._of_kinds[key] = [i for i in self.issues if i.kind in kinds]
        return found


# ---- decoding ---------------------------------------------------------------------------------
def _arg(node, base: int, text: str) -> Arg:
    start, end = base + node.start, base + node.end
    raw = text[start:end]
    if isinstance(node, Literal) and isinstance(node.value, bool):
        value: object = node.value
    elif isinstance(node, Number):
        value = node.value if isinstance(node.value, int) else None
    elif isinstance(node, Name):
        value = node.id
    else:
        value = None
    return Arg(raw, Span(start, end), value)


def _is_int(arg: Arg) -> bool:
    return isinstance(arg.value, int) and not isinstance(arg.value, bool)


def decode_type(node: TemplateId, base: int, source: SourceText, function: str, stmt_span: Span) -> TPipeType:
    """Decode one ``TPipe<...>`` template id (``base`` = absolute offset of the statement)."""
    args = [_arg(a, base, source.text) for a in node.args]
    t = TPipeType(Span(base + node.start, base + node.end), args, function, stmt_span)
    n = len(args)
    if n < 4 or n > 7:
        t.problem = f"TPipe with {n} template arguments (expected 4 to 7)"
        return t
    values = [a.value for a in args]
    if isinstance(values[0], int) and _is_int(args[0]):
        t.flag_id = values[0]
    if isinstance(values[1], str):
        t.direction = values[1].split("::")[-1]
    if isinstance(values[2], int) and _is_int(args[2]):
        t.slot_size = values[2]
    if isinstance(values[3], int) and _is_int(args[3]):
        t.slot_num = values[3]
    # Order from the literals (docs/reference/pto-facts.md §4.1).
    shape = layout([a.value for a in args])
    t.order, t.local_arg, t.nosplit_arg, t.unit_arg = shape.order, shape.local, shape.nosplit, shape.unit_flag
    if t.order == UNKNOWN:
        shown = ", ".join(a.text for a in args[4:])
        t.problem = (f"cannot tell the TPipe argument order from '{shown}' after SlotNum: expected "
                     "'LocalSlotNum, bool' (new order) or 'bool[, LocalSlotNum]' (old order) as literals")
    elif t.flag_id is None or t.slot_num is None or t.direction is None or t.slot_size is None:
        t.problem = "TPipe FlagID, direction, SlotSize and SlotNum must be literals"
    return t


def _tpipe_in_typeref(node) -> TemplateId | None:
    if isinstance(node, TypeRef) and isinstance(node.template, TemplateId) and strip_pto(node.template.name) == "TPipe":
        return node.template
    return None


def _collect_tpipes(node, out: list[TemplateId]) -> None:
    """Every TemplateId named TPipe anywhere below ``node`` (outermost only)."""
    if isinstance(node, TemplateId) and strip_pto(node.name) == "TPipe":
        out.append(node)
        return
    if isinstance(node, list):
        for item in node:
            _collect_tpipes(item, out)
        return
    if not isinstance(node, Node):
        return
    for name in node._fields:
        if name in ("start", "end"):
            continue
        value = getattr(node, name)
        if isinstance(value, (list, tuple, Node)):
            _collect_tpipes(value, out)


# A use op named in a statement: it may take a pipe object whatever type it spells.
_USE_WORD = regex_cache.compile(r"(?<!\w)(?:TALLOC|TPUSH|TPOP|TFREE)(?!\w)")


def build_inventory(cpp: CppFile, source: SourceText) -> PipeInventory:
    """Find every pipe object, its uses and every other ``TPipe`` occurrence; record inconsistencies."""
    inv = PipeInventory(source)
    covered: set[int] = set()
    for fn in cpp.functions:
        objects: dict[str, PipeObject] = {}
        for stmt in fn.statements():
            if not isinstance(stmt, SimpleStmt):
                continue
            text = stmt.text
            if "TPipe" not in text and _USE_WORD.search(text) is None:
                continue
            covered.update(stmt.span.start + m.start() for m in _USE_WORD.finditer(text))
            _scan_statement(inv, fn, stmt, objects, covered, source)
        if objects:
            _check_names_declared_again(inv, fn, objects)
    _check_uncovered(inv, cpp, covered)
    for name in sorted(cpp.declaring_macros):
        # (A pasted `TP ## ipe` or `TP ## OP` spells no word the checks above look for.)
        offset = next((at for defined, at in cpp.defines if defined == name), 0)
        inv.issues.append(Issue("unlinked", f"the macro '{name}' pastes tokens or declares names: its uses may "
                                "spell a pipe or a pipe use the inventory never sees", offset))
    inv.unread_headers = [(spelled, offset) for spelled, offset in cpp.includes if not trusted_header(spelled)]
    _check_consistency(inv)
    return inv


def _scan_statement(inv: PipeInventory, fn: Function, stmt: SimpleStmt, objects: dict[str, PipeObject],
                    covered: set[int], source: SourceText) -> None:
    base = stmt.span.start
    ast = stmt.ast
    if ast is None:
        # Do not guess: a statement we cannot parse may hold a TPipe, or a use of a pipe, we would miss.
        covered.update(_tpipe_token_offsets(source, stmt.span))
        inv.issues.append(Issue("unparsed", "statement mentioning TPipe or a TALLOC/TPUSH/TPOP/TFREE could not "
                                "be parsed; its TPipe types are neither inventoried nor rewritten", base,
                                function=fn.name))
        return
    found: list[TemplateId] = []
    _collect_tpipes(ast, found)
    handled: set[int] = set()
    # Pipe object: `auto vN = TPipe<...>(...)` or `TPipe<...> vN(...)`.
    if isinstance(ast, Decl):
        node = None
        if isinstance(ast.init, Call) and isinstance(ast.init.func, TemplateId) \
                and strip_pto(ast.init.func.name) == "TPipe" and ast.type is not None and ast.type.name == "auto":
            node = ast.init.func
        elif ast.init is None and _tpipe_in_typeref(ast.type) is not None:
            node = _tpipe_in_typeref(ast.type)
        if node is not None:
            t = decode_type(node, base, source, fn.name, stmt.span)
            obj = PipeObject(fn.name, ast.name, t, stmt.span)
            if ast.name in objects:
                inv.issues.append(Issue("redeclared", f"pipe object '{ast.name}' declared again in '{fn.name}'",
                                        base, [objects[ast.name], obj]))
            objects[ast.name] = obj
            inv.pipes.append(obj)
            handled.add(id(node))
            if t.problem:
                inv.issues.append(Issue("bad-type", t.problem, t.span.start, [obj]))
    # Use: `OP<TPipe<...>, ...>(vN, ...)`.
    if isinstance(ast, ExprStmt) and isinstance(ast.expr, Call) and isinstance(ast.expr.func, TemplateId) \
            and strip_pto(ast.expr.func.name) in USE_OPS and ast.expr.func.args \
            and isinstance(ast.expr.func.args[0], TemplateId) and strip_pto(ast.expr.func.args[0].name) == "TPipe":
        call = ast.expr
        func = call.func
        assert isinstance(func, TemplateId)
        use_type = func.args[0]
        assert isinstance(use_type, TemplateId)
        t = decode_type(use_type, base, source, fn.name, stmt.span)
        payload = ""
        payload_type = func.args[1] if len(func.args) > 2 else None
        if isinstance(payload_type, (TemplateId, TypeRef)):
            payload = payload_type.name
        var = call.args[0].id if call.args and isinstance(call.args[0], Name) else ""
        owner = objects.get(var)
        handled.add(id(use_type))
        if owner is None:
            inv.unlinked.append(t)
            what = f"pipe object '{var}'" if var else "a pipe object (first call argument is not a name)"
            inv.issues.append(Issue("unlinked", f"{func.name} uses {what} that is not declared "
                                    f"earlier in '{fn.name}'", t.span.start, function=fn.name))
        else:
            use = PipeUse(func.name, t, var, stmt.span, payload)
            owner.uses.append(use)
            if t.problem:
                inv.issues.append(Issue("bad-type", t.problem, t.span.start, [owner]))
            if t.key != owner.type.key:
                local_only = (t.order == owner.type.order and t.local_arg is not None
                              and t.key_without_local() == owner.type.key_without_local())
                inv.issues.append(Issue(
                    "use-mismatch",
                    Located(f"{use.op} type '{t.text(source)}' differs from the type of pipe '{var}' "
                            f"'{owner.type.text(source)}' declared at ", source.place(owner.type.span.start),
                            " (only LocalSlotNum differs)" if local_only else ""),
                    t.span.start, [owner], local_only))
    _check_other_uses(inv, fn, ast, base, objects, handled, source)
    for node in found:
        covered.add(base + node.start)
        if id(node) not in handled:
            t = decode_type(node, base, source, fn.name, stmt.span)
            inv.unlinked.append(t)
            inv.issues.append(Issue("unlinked", "TPipe type is not a pipe object or the first template "
                                    "argument of TALLOC/TPUSH/TPOP/TFREE; it is not rewritten", t.span.start,
                                    function=fn.name))


def _callee(call: Call) -> str:
    func = call.func
    return func.name if isinstance(func, TemplateId) else func.id if isinstance(func, Name) else ""


def _check_other_uses(inv: PipeInventory, fn: Function, ast, base: int, objects: dict[str, PipeObject],
                      handled: set[int], source: SourceText) -> None:
    """A use op whose pipe type is not the written-out ``TPipe<...>`` the pass rewrites (an alias, a
    macro, ``decltype``, a type from a header), or one that is not a plain statement, would keep
    the old type while the init changes: record it so that no pipe it may take is rewritten."""
    # Every call of TALLOC/TPUSH/TPOP/TFREE (any qualifier, with or without template arguments),
    # outer before inner, in text order.
    calls = sorted((node for node in walk(ast) if isinstance(node, Call) and _callee(node).rsplit("::", 1)[-1]
                    in USE_OPS), key=lambda call: (call.start, -call.end))
    for call in calls:
        func = call.func
        if not isinstance(func, TemplateId) or not func.args:
            # Template arguments deduced from the call's arguments (pto-isa's `TPOP(tile, pipe)`,
            # `TFREE(pipe)`): the pipe's type is its object's type only when an argument names a
            # pipe object of this function and the call is a statement of its own (in a lambda or
            # a condition the name may be another object). Anything else may take a pipe the
            # inventory never saw, whose type a rewrite of its peer would leave behind.
            statement_call = isinstance(ast, ExprStmt) and ast.expr is call
            if statement_call and any(isinstance(arg, Name) and arg.id in objects for arg in call.args):
                continue
            offset = base + call.start
            what = "is not a statement of its own" if not statement_call else \
                "names no pipe object declared earlier in '" + fn.name + "'"
            inv.issues.append(Issue("opaque-use", Located(f"{_callee(call)} at ", source.place(offset),
                                                          f" deduces its pipe type from its arguments and {what}; "
                                                          "ptofix cannot tell which pipe it takes"),
                                    offset, function=fn.name))
            continue
        first = func.args[0]
        if id(first) in handled:
            continue            # `OP<TPipe<...>, ...>(vN, ...)`: an inventoried use
        if isinstance(first, TemplateId) and strip_pto(first.name) == "TPipe":
            continue            # a TPipe not in the use form: inventoried as unlinked, checked by type
        var = call.args[0].id if call.args and isinstance(call.args[0], Name) else ""
        owner = objects.get(var)
        spelled = source.text[base + first.start:base + first.end]
        offset = base + first.start
        if owner is not None:
            inv.issues.append(Issue("opaque-use", Located(f"{func.name} at ", source.place(offset),
                                                          f" takes pipe '{var}' with the type '{spelled}', not a "
                                                          "written-out TPipe<...> ptofix rewrites"),
                                    offset, [owner], function=fn.name))
        else:
            what = f"'{var}'" if var else "a pipe (its first argument is not a name)"
            inv.issues.append(Issue("opaque-use", Located(f"{func.name} at ", source.place(offset),
                                                          f" takes {what} with the type '{spelled}', not a "
                                                          "written-out TPipe<...>; ptofix cannot tell which pipe "
                                                          "it is"), offset, function=fn.name))


# An identifier `TPipe` with the qualifier written before it (`pto::TPipe`, `::pto::TPipe`,
# `q::TPipe`): a match starts where the statement model's template id starts, so a TPipe the
# inventory read is covered, and one under any other qualifier (a namespace alias) or outside the
# statements it reads (an alias, a global, a #define) is not.
_TPIPE_WORD = regex_cache.compile(r"(?<![\w:])(?:::)?(?:[A-Za-z_]\w*::)*TPipe(?!\w)")
# The words a #define may spell a pipe type or a use with (preprocessing tokens of the table).
_PIPE_WORDS = frozenset({"TPipe"} | USE_OPS)


def _tpipe_token_offsets(source: SourceText, span: Span | None = None) -> list[int]:
    sub = source if span is None else SourceText(source.text[span.start:span.end], source.path)
    base = 0 if span is None else span.start
    # Word tokens are runs of code outside comments and strings; find the identifier inside them.
    return [base + tok.start + m.start() for tok in tokenize(sub) if tok.kind == "w"
            for m in _TPIPE_WORD.finditer(tok.text)]


def _check_names_declared_again(inv: PipeInventory, fn: Function, objects: dict[str, PipeObject]) -> None:
    """Uses are tied to a pipe object by the name they spell. A pipe's name that something else in
    its function may declare too (a reference in an inner block, a lambda's parameter, a for-init,
    a statement the model cannot read) may be another object at a use: such a pipe is refused.
    A statement or a for, if or switch header the statement grammar reads declares what its
    declaration nodes name; what it cannot read (an unparsed statement or header, a declaration
    nested below a statement's top, an opaque statement) may declare anything, so the first pipe
    name among its words is taken as declared there. (A statement or header part that spells no
    pipe name declares none: it is not parsed for this.)"""
    pipe_declarations = {(pipe.stmt_span.start, pipe.var) for pipe in inv.pipes if pipe.function == fn.name}
    names = frozenset(objects)
    for stmt in fn.statements():
        if isinstance(stmt, SimpleStmt):
            if not identifiers_among(stmt.text, names):
                continue
            ast = stmt.ast
            if ast is None or _declares_inside(ast) or _may_declare_in_parentheses(ast):
                # (Declarations below the top, a lambda's or a nested one: their scopes are not modelled.)
                name = _first_word_among(stmt.text, objects)
            else:
                name = _declared_pipe_name(ast, objects, pipe_declarations, stmt.span.start)
        elif isinstance(stmt, OpaqueStmt):
            name = _first_word_among(stmt.text, objects)
        elif isinstance(stmt, ForStmt):
            name = _header_declares(((stmt.init, parse_for_init), (stmt.cond, parse_condition),
                                     (stmt.step, parse_condition)), objects)
        elif isinstance(stmt, (IfStmt, SwitchStmt)):
            name = _header_declares(((stmt.cond, parse_condition),), objects)
        else:
            continue
        if not name:
            continue
        offset = stmt.span.start
        inv.issues.append(Issue("redeclared", Located(f"the name of pipe object '{name}' is written in a "
                                                      "statement at ", inv.source.place(offset),
                                                      f" that may declare another '{name}' in '{fn.name}' (uses "
                                                      "are tied to pipes by name)"), offset, [objects[name]],
                                function=fn.name))


def _header_declares(parts: tuple[tuple[str, Callable[[str], Node | None]], ...],
                     objects: dict[str, PipeObject]) -> str:
    """The first pipe name a header's parts (text, the statement grammar's parser of that part)
    may declare: one its declarations name, or any of its words when the grammar cannot read it
    (a lambda, a C++17 `if (init; cond)`)."""
    for text, parse in parts:
        if not identifiers_among(text, frozenset(objects)):
            continue
        ast = parse(text)
        name = _first_word_among(text, objects) \
            if ast is None or _declares_inside(ast) or _may_declare_in_parentheses(ast) \
            else _declared_pipe_name(ast, objects, set())
        if name:
            return name
    return ""


def _may_declare_in_parentheses(ast: Node) -> bool:
    """Whether a statement (or a for-init, a condition) the grammar reads as an expression may be a
    declaration whose declarator is in parentheses ([stmt.ambig]: one that can be, is): `T(v4) =
    w;`, `T(v4);` when `T` names a type, which the inventory cannot tell (a use op's call is a call)."""
    if isinstance(ast, (AssignStmt, Assign)):
        return True
    expr = ast.expr if isinstance(ast, ExprStmt) else ast
    callee = _callee(expr) if isinstance(expr, Call) and len(expr.args) == 1 else ""
    return callee != "" and callee.rsplit("::", 1)[-1] not in USE_OPS   # (a member's call names no type)


def _declared_pipe_name(ast: Node, objects: dict[str, PipeObject], own: set[tuple[int, str]], at: int = -1) -> str:
    """The first pipe name a declaration of ``ast`` names, but the pipe's own (``own``: (statement
    start, name) of the pipe declarations; ``at`` this statement's start), '' if none."""
    return next((node.name for node in walk(ast) if isinstance(node, (Decl, TypeAlias))
                 and node.name in objects and (at, node.name) not in own), "")


def _first_word_among(text: str, names: dict[str, PipeObject]) -> str:
    """The first of ``names`` among the identifiers of ``text`` ('' if none)."""
    # raw-text scan: a statement's text (the model keeps it as text)
    return next((word for word in identifiers(text) if word in names), "")


def _declares_inside(ast) -> bool:
    """Whether a statement holds a declaration below its top (a lambda, a nested declaration)."""
    return any(isinstance(node, Decl) for node in walk(ast) if node is not ast)


def _check_uncovered(inv: PipeInventory, cpp: CppFile, covered: set[int]) -> None:
    """Every identifier token `TPipe` outside comments/strings must belong to something we looked
    at (e.g. a `using P = TPipe<...>;` at namespace scope is not in any function); so must every
    use op (one in a condition or at namespace scope); and a `#define` naming either can spell a
    pipe's type or a whole use where the inventory never sees it.

    The word scan is a deliberate lexical completeness check over the whole file's tokens, not a
    second reading of the model: it must see every word, wherever the model put (or did not put)
    the statement it belongs to. The `#define`s are read from the model's macro table: the
    definitions of the file as the NPU build compiles it (a group the build skips defines nothing)."""
    source = inv.source
    found: list[tuple[int, Issue]] = []      # (where its token starts, the issue)
    for tok in tokenize(source):
        if tok.kind != "w":
            continue
        for m in _TPIPE_WORD.finditer(tok.text):
            if tok.start + m.start() not in covered:
                found.append((tok.start, Issue("unlinked", f"'{m.group(0)}' in a form the pipe inventory does not "
                                   "read (at namespace scope, in an alias, a macro or a for header, "
                                   "under a qualifier other than pto::, or a brace initializer); it is "
                                   "not rewritten", tok.start + m.start())))
        for m in _USE_WORD.finditer(tok.text):
            if tok.start + m.start() not in covered:
                found.append((tok.start, Issue("unlinked", f"{m.group(0)} in a form the pipe inventory does not "
                                   "read (at namespace scope, in a condition, a lambda or a statement "
                                   "it cannot parse); its pipe type is not rewritten", tok.start + m.start())))
    for definition in cpp.macro_table:
        if definition.defines and _PIPE_WORDS.intersection(
                (definition.name, *(definition.params or ()), *definition.replacement)):
            found.append((definition.span.start, Issue("unlinked", "a #define names TPipe or TALLOC/TPUSH/TPOP/"
                                                       "TFREE; what it expands to is not rewritten",
                                                       definition.span.start)))
    found.sort(key=lambda located: located[0])      # (stable: a token's issues keep their order)
    inv.issues.extend(issue for _, issue in found)


def _check_consistency(inv: PipeInventory) -> None:
    source = inv.source
    by_func: dict[str, list[PipeObject]] = {}
    for pipe in inv.pipes:
        by_func.setdefault(pipe.function, []).append(pipe)
    for func, pipes in by_func.items():
        decoded = [p for p in pipes if not p.type.problem]
        for i, a in enumerate(decoded):
            for b in decoded[i + 1:]:
                if a.flag_id == b.flag_id:
                    if a.type.key != b.type.key:
                        inv.issues.append(Issue(
                            "same-flag",
                            Located(f"FlagID {a.flag_id} is used by two different pipes in '{func}': "
                                    f"'{a.type.text(source)}' ({a.var}, ", source.place(a.type.span.start),
                                    f") and '{b.type.text(source)}' ({b.var})"), b.type.span.start, [a, b]))
                    else:
                        inv.issues.append(Issue(
                            "same-flag-same-type",
                            f"pipes '{a.var}' and '{b.var}' in '{func}' have the same type and FlagID "
                            f"{a.flag_id} (they share cross-core flags)", b.type.span.start, [a, b]))
                elif _flags_overlap(a, b):
                    inv.issues.append(Issue(
                        "flag-overlap",
                        f"pipes '{a.var}' (FlagID {a.flag_id}, {a.type.direction}) and '{b.var}' "
                        f"(FlagID {b.flag_id}, {b.type.direction}) in '{func}' use overlapping "
                        "cross-core flag ranges", b.type.span.start, [a, b]))
    orders = {t.order for p in inv.pipes for t in p.occurrences() if t.order in (NEW, OLD)}
    if len(orders) > 1:
        first_old = next(t for p in inv.pipes for t in p.occurrences() if t.order == OLD)
        inv.issues.append(Issue("mixed-order", "the file mixes old-order and new-order TPipe arguments",
                                first_old.span.start))


def _flag_width(t: TPipeType) -> int:
    return flag_width(t.direction)


def _flags_overlap(a: PipeObject, b: PipeObject) -> bool:
    fa, fb = a.flag_id, b.flag_id
    if fa is None or fb is None:
        return False
    return fa < fb + _flag_width(b.type) and fb < fa + _flag_width(a.type)


def header_order(text: str) -> str | None:
    """Argument order of ``struct TPipe`` in a pto-isa ``TPush.hpp`` (``new``/``old``, or
    ``NO_NOSPLIT`` for a TPipe without IsNoSplit, or ``AMBIGUOUS_ORDER`` when its templates
    disagree), None if not found (or the tokenizer refuses the header). Comments and the `#if`
    groups never compiled whatever the macros are (``#if 0``, the ``#else`` of an ``#if 1``) are
    not read; templates in other ``#if`` branches all are (the one compiled cannot be told here),
    so two orders there are ``AMBIGUOUS_ORDER``, not the first one's.

    docs/reference/pto-facts.md §4.1: 03-26 ``<..., SlotNum, LocalSlotNum, EN_UNIT_FLAG>`` and since 04-10
    ``<..., SlotNum, LocalSlotNum, IsNoSplit, EN_UNIT_FLAG>`` put LocalSlotNum fifth ("new"); the
    04-09 header ``<..., SlotNum, bool IsNoSplit, uint32_t LocalSlotNum, ...>`` is "old".
    """
    code = _compiled_code(text)
    if code is None:
        return None
    found: set[str] = set()
    # (Each `<` paired with its `>` in one pass: a scan from each `template <` to its end is
    # quadratic in an adversarial TPush.hpp, issue #60.)
    closing: dict[int, int] = {}
    open_at: list[int] = []
    for angle in re.finditer(r"[<>]", code):
        if angle.group() == "<":
            open_at.append(angle.start())
        elif open_at:
            closing[open_at.pop()] = angle.end()
    for match in re.finditer(r"template\s*<", code):
        i = closing.get(match.end() - 1, -1)
        if i < 0 or not re.match(r"\s*(struct|class)\s+TPipe\b", code[i:i + 200]):
            continue          # (a `<` never closed reaches the end of the text: no TPipe after it)
        params = code[match.end():i - 1]
        names = [re.sub(r"=.*", "", p, flags=re.S).split()[-1] for p in params.split(",") if p.strip()]
        if "LocalSlotNum" not in names:
            continue
        if "IsNoSplit" not in names:
            # 03-26 to 04-09: `<..., SlotNum, LocalSlotNum, EN_UNIT_FLAG>`, the sixth argument is the
            # unit flag, not IsNoSplit: neither order ptofix writes.
            found.add(NO_NOSPLIT)
        elif names.index("IsNoSplit") < names.index("LocalSlotNum"):
            found.add(OLD)
        else:
            found.add(NEW)
    if len(found) > 1:
        return AMBIGUOUS_ORDER
    return found.pop() if found else None


def _compiled_code(text: str) -> str | None:
    """``text`` with comments and literals' insides blank, and each `#if` group that is never
    compiled blank too (one whose condition is false whatever any macro is, `#if 0`, or one after
    a group that is always taken): the `#if` tree and the evaluator of the C++ model
    (parser.directive_tables, preprocessor.group_outcomes), knowing no macro. None when the
    tokenizer refuses the text."""
    try:
        table, sections, groups = directive_tables(SourceText(text, "TPush.hpp"))
    except PtofixError:
        return None
    # raw-text scan: pto-isa's TPush header (not a file the parser reads into a model)
    code = masked_literals(text)
    outcomes = group_outcomes(table, sections, groups, MacroState({}, False), False)
    skipped = [groups[k].body for k, outcome in enumerate(outcomes) if outcome is False]
    if not skipped:
        return code
    chars = list(code)
    end = 0
    for body in sorted(skipped, key=lambda span: span.start):
        # (A group nested in a skipped one is blank already: each character is blanked once.)
        start = max(body.start, end)
        if start < body.end:
            chars[start:body.end] = [ch if ch == "\n" else " " for ch in chars[start:body.end]]
        end = max(end, body.end)
    return "".join(chars)


AMBIGUOUS_ORDER = "ambiguous"   # header_order: TPipe templates in more than one order
