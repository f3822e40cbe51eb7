"""The function model's symbols and scopes: what a name stands for at a statement (Symbol: its kind,
definitions, tile binding), the scopes that hold them, and StmtInfo, what one statement does (its
Kind)."""
from __future__ import annotations

import enum

from ..pto.tiles import TileType
from ..structs import Struct
from . import stmt_parser as A
from .lexical import identifiers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, ClassVar, Final


class Kind(enum.Enum):
    """The closed set of statement forms the analyses understand."""

    NOP = "nop"                  # declarations, scalar/tile bookkeeping, calls known to be harmless
    UNKNOWN = "unknown"          # anything else: touches all UB, drains nothing
    VECTOR_OP = "vector-op"      # a tile op from the effects table (pipe decided later from types)
    BARRIER = "barrier"          # pipe_barrier(PIPE_V)
    DRAIN_ALL = "drain"          # pipe_barrier(PIPE_ALL)
    SET_FLAG = "set_flag"
    WAIT_FLAG = "wait_flag"
    LOCAL_CALL = "local-call"    # call of a function defined in this file (purity decided later)
    RETURN = "return"
    BREAK = "break"
    CONTINUE = "continue"


class StmtInfo(Struct):
    __slots__ = ("kind", "reason", "op", "args", "env", "flag", "callee", "local_calls", "then_unknown")
    kind: Kind
    reason: str             # why UNKNOWN
    op: str                 # VECTOR_OP: op name (qualifier stripped)
    args: Sequence[Any]     # VECTOR_OP: argument AST nodes
    env: dict               # name -> Symbol, as visible at this statement (never changed once made)
    flag: tuple             # SET_FLAG/WAIT_FLAG: (src pipe, dst pipe, event) names
    callee: str             # LOCAL_CALL
    local_calls: Sequence[tuple]   # LOCAL_CALL: [(callee name, arg nodes)] (also inside expressions)
    then_unknown: bool   # RETURN whose value was not understood
    _fields: ClassVar[tuple[str, ...]] = ("kind", "reason", "op", "args", "env", "flag", "callee", "local_calls",
                                          "then_unknown")

    def __init__(
            self,
            kind: Kind,
            reason: str = "",
            op: str = "",
            args: Sequence[Any] = (),
            env: dict | None = None,
            flag: tuple = (),
            callee: str = "",
            local_calls: Sequence[tuple] = (),
            then_unknown: bool = False,
    ) -> None:
        self.kind = kind
        self.reason = reason
        self.op = op
        self.args = args
        # (Most statements name nothing: one shared empty environment, ~80 bytes a statement.)
        self.env = _NO_NAMES if env is None else env
        self.flag = flag
        self.callee = callee
        self.local_calls = local_calls
        self.then_unknown = then_unknown


_NO_NAMES: Final[dict] = {}       # StmtInfo's default env: read, never written (tests/cpp/test_memory.py checks)


class PtrType(Struct):
    __slots__ = ("elem", "space")
    elem: int | None          # pointee size in bytes (None: unknown)
    space: str              # "gm" (__gm__), "ub" (__ubuf__), "" (not said)
    _fields: ClassVar[tuple[str, ...]] = ("elem", "space")

    def __init__(self, elem: int | None, space: str = "") -> None:
        self.elem = elem
        self.space = space



# The first item of a valid-shape entry that stands for every shape of another tile (a copy).
COPIED_SHAPE = "copy of"
# A valid-shape entry that stands for a shape the model does not know (a default-constructed tile,
# one changed behind the model's back): it joins the tile's other entries instead of erasing them,
# so a known shape past the tile is still walked (the union is flow-insensitive).
# (Typed `tuple`: compiled, a value of a fixed-length tuple type is unboxed and loses its identity.)
UNKNOWN_SHAPE: tuple = (None, None, None)


def with_unknown_shape(entries: list | None) -> list:
    """``entries`` (None: no known entry) with an UNKNOWN_SHAPE entry, added once."""
    if not entries:
        return [UNKNOWN_SHAPE]
    return entries if any(entry is UNKNOWN_SHAPE for entry in entries) else entries + [UNKNOWN_SHAPE]


# The mark of an unknown binding whose place is a statement or parameter the model read (a
# declaration, an assignment, a call), not one it could not read (ValueModel.unknown_address words
# the two apart).
READ_HERE: Final = "read"


def unknown_binding(why: str, at: int = -1, read: bool = False) -> tuple:
    """An unknown binding of a tile: ``("unknown", why)``, with ``at`` (a source offset) when there
    is a place, and READ_HERE when that place is a statement or parameter read, not one unread."""
    if at < 0:
        return ("unknown", why)
    return ("unknown", why, at, READ_HERE) if read else ("unknown", why, at)


class Symbol:
    """One declared entity. ``defs``: scalar definitions; ``bindings``: tile address bindings."""

    __slots__ = ("name", "uid", "kind", "ctype", "tile", "defs", "bindings", "is_param", "pipe_ctor",
                 "object_type", "generic", "type_ref", "valid_ctor", "induction", "origin")

    def __init__(self, name: str, uid: int, kind: str):
        self.name = name
        self.uid = uid
        # The declared symbol when this one is a view of it that an op is given (tile_history.flow_views,
        # with the entries that reach the op), None for the declared symbol itself. The same-access
        # chain tells one tile variable from another by it (tile_accesses.one_buffer: by identity,
        # as ``uid`` numbers the symbols of one function only and a pair of ops may lie in two).
        self.origin: Symbol | None = None
        self.kind = kind                  # scalar | tile | array | object | type | unknown
        self.ctype: object = None         # IntType | PtrType | "float" | None
        self.tile: TileType | None = None
        self.defs: list = []              # (node, env) or UNKNOWN_DEF
        # ("addr", node, env, at) | ("alias", Symbol) | ("tpop", pipe, template, Symbol, at) |
        # ("unknown", why[, at[, READ_HERE]]): ``at``, the source offset of the TASSIGN, the TPOP,
        # the statement the model could not read that names the tile (make_unknown), or the
        # statement or parameter read that makes it unknown; a diagnostic says where.
        self.bindings: list = []
        self.is_param = False
        self.pipe_ctor: tuple | None = None   # (TPipe ctor Call, env) for `auto p = TPipe<...>(...)`
        self.object_type = ""             # GlobalTensor, TPipe, ... for objects
        self.generic = False              # parameter of a template type parameter
        self.type_ref: A.TypeRef | None = None   # declared type after alias resolution
        # Every valid shape a tile with a dynamic one may have: [(rows, cols, env)], rows and cols
        # an int or a node evaluated in env (its constructor, each SetValidShape), UNKNOWN_SHAPE,
        # or a copy's (COPIED_SHAPE, source, None); None: no entry known (any shape).
        self.valid_ctor: list | None = None
        # A for loop's counter that only its header writes: (condition, step, env) of that header
        # (FunctionSemantics._note_induction; ValueModel._induction_values walks them).
        self.induction: tuple | None = None

    def make_unknown(self, why: str, at: int = -1, read: bool = False) -> None:
        """Anything may have happened to the entity: its value, its binding, the ring of a TPipe
        (copy-assignable plain data) and a tile's dynamic valid shape (``SetValidShape`` through a
        reference, a copy assigned over it). ``at``: the source offset of the statement, not read,
        that names it (-1: none), which a diagnostic names (ValueModel.unknown_address); with
        ``read``, of the statement or parameter, read, that makes it unknown (a parameter, a
        reference, an initialiser, an assignment: unknown_binding)."""
        self.defs.append(UNKNOWN_DEF)
        self.bindings.append(unknown_binding(why, at, read))
        self.pipe_ctor = None
        self.forget_valid_shape()

    def forget_valid_shape(self) -> None:
        """A dynamic valid shape may now be any (an UNKNOWN_SHAPE entry joins the known ones, which
        it had at other times). A static one stays: GetValidRow/GetValidCol return the template
        constants and SetValidShape does not compile for them (pto-facts.md, "Valid shapes")."""
        if self.valid_ctor is not None:
            self.valid_ctor = with_unknown_shape(self.valid_ctor)

    def copy_valid_shape(self, source: Symbol, declared: bool) -> None:
        """A copy of ``source`` (`Tile<...> d = s;`, `auto d = s;` when ``declared``, `d = s;`
        otherwise) may take any valid shape source has at any point (the implicit copy copies the
        counts, pto-isa pto_tile.hpp): like addresses, shapes are a flow-insensitive union, and a
        copy adds source's whole set, read when asked (ValueModel.shape_entries), to its own."""
        if self.tile is None or self.tile.static_valid:
            return
        entry = (COPIED_SHAPE, source, None)
        if declared:
            self.valid_ctor = [entry]
        else:
            self.valid_ctor = (self.valid_ctor if self.valid_ctor is not None else [UNKNOWN_SHAPE]) + [entry]

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Symbol({self.name}#{self.uid}, {self.kind})"


UNKNOWN_DEF: tuple = ("unknown", None)     # (`tuple`: see UNKNOWN_SHAPE)


class Scope:
    __slots__ = ("parent", "names", "aliases", "alias_users")

    def __init__(self, parent: Scope | None):
        self.parent = parent
        self.names: dict[str, Symbol] = {}
        self.aliases: dict[str, A.TypeRef] = {}     # (written through set_alias only)
        # word -> the aliases of this scope whose target spells it: an alias that hides a word
        # finds the aliases it makes unknown without reading every visible alias's target.
        self.alias_users: dict[str, dict[str, None]] = {}

    def set_alias(self, name: str, target: A.TypeRef) -> None:
        old = self.aliases.get(name)
        if old is not None:
            for word in type_words(old):
                users = self.alias_users.get(word)
                if users is not None:
                    users.pop(name, None)
        self.aliases[name] = target
        for word in type_words(target):
            self.alias_users.setdefault(word, {})[name] = None

    def lookup(self, name: str) -> Symbol | None:
        scope: Scope | None = self
        while scope is not None:
            sym = scope.names.get(name)
            if sym is not None:
                return sym
            scope = scope.parent
        return None

    def alias(self, name: str) -> A.TypeRef | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.aliases.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None


def entry_count(entries: list | None) -> int:
    return -1 if entries is None else len(entries)


def tile_fingerprint(sym: Symbol) -> tuple:
    """What a change to a tile's entries changes: (definitions, bindings, valid-shape list, its
    length, tile type), the lists by count (they only grow), the others by identity."""
    return len(sym.defs), len(sym.bindings), sym.valid_ctor, entry_count(sym.valid_ctor), sym.tile


def same_fingerprint(one: tuple, other: tuple) -> bool:
    return one[0] == other[0] and one[1] == other[1] and one[2] is other[2] and one[3] == other[3] \
        and one[4] is other[4]


def static_storage(sym: Symbol) -> bool:
    """Declared `static` or `thread_local`: initialised once, not each time its declaration runs."""
    quals = sym.type_ref.quals if sym.type_ref is not None else ()
    return "static" in quals or "thread_local" in quals


def type_words(node: Any) -> set[str]:
    """Every identifier a type (or any AST node) spells: names, type names and their qualifiers,
    template names and arguments."""
    words: set[str] = set()
    for sub in A.walk(node):
        if isinstance(sub, A.Name):
            words.add(sub.id)
        elif isinstance(sub, (A.TypeRef, A.TemplateId)):
            # raw-text scan: a type's name as the statement grammar keeps it (text: `pto::Tile`)
            words.update(identifiers(sub.name))
    return words
