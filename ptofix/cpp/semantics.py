"""What every statement of a ptoas C++ function does: the one semantic model the analyses read.

One walk over a function builds

* a scope-aware symbol table: every declaration (parameters included) is a :class:`Symbol`; every
  name in a statement is resolved to the symbol visible *at that statement* (nested scopes,
  shadowing, ``#if`` branches, ``for`` headers);
* the definitions of every scalar symbol and the bindings of every tile symbol, from which
  :class:`ValueModel` computes value sets (flow-insensitive: the union over every definition is an
  over-approximation of every program point), with C++ integer semantics (values wrap to the
  declared width, pointer arithmetic scales by the pointee size);
* one :class:`StmtInfo` per statement (and per ``if``/``for``/``switch`` header) from a closed set
  of forms. Whatever is not one of them is ``UNKNOWN``: it touches every UB byte, drains nothing,
  and every variable it names (every variable at all, for a macro) becomes unknown-valued.

Statements are read from the typed AST of ``stmt_parser`` only, never from their text.
The hardware facts (op effects, pipes, tile footprints, TPipe layout) come from ``ptofix.pto``;
they are documented in ``docs/reference/pto-facts.md``.
"""
from __future__ import annotations

import enum
import re
from collections import Counter

from .. import regex_cache
from ..pto import tpipe
from ..pto.header_words import checkout_call_arities, checkout_headers_reached, checkout_headers_writing
from ..pto.ops import (
    BUILD_SCRIPT_MACROS,
    COUNT_MODE_NAMES,
    EVERY_VERSION,
    FIFO_OPS,
    HARMLESS_CALLS,
    MODE_ENUMS,
    OPS,
    PIPE_NAMES,
    PTO_FUNCTION_SPECIFIER_MACROS,
    PTO_INSTRUCTIONS,
    PTO_PARAMETER_QUALIFIERS,
    PTO_PASTING_MACROS,
    PTO_SPELLED_NAMES,
    PURE_FUNCTIONS,
    SCALAR_TCI,
    SCALAR_TCI_NARGS,
    SUBBLOCK_ID_REVIEWED_HEADERS,
    IsaFacts,
    macro_may_change_pto_code,
    pto_call_arities,
    pto_function_names,
    pto_macro_names,
)
from ..pto.tiles import (
    ELEMENT_BYTES,
    LOCAL_POINTER_LIMIT,
    TILE_DEFAULTS,
    TILE_SPACES,
    TileType,
    dtype_size,
    tile_arg,
)
from ..signals import CHECKPOINT_EVERY, checkpoint
from ..source import SourceText
from ..structs import Struct
from . import stmt_parser as A
from .command_line import command_line_macros
from .fast_expr import BUILTIN_TYPE_WORDS
from .headers import (
    INERT_QUALIFIER,
    QUALIFIER_MACROS,
    STANDARD_HEADERS,
    HeaderSummary,
    may_be_command_line_macro,
    may_be_standard_macro,
    pragma_may_change_code,
    pragma_operator_used,
    read_includes,
    standard_headers_may_see,
    toolchain_may_declare,
)
from .integers import (
    INT32,
    INTEGER_TYPES,
    IntType,
    binary_type,
    binary_value,
    common_type,
    promote,
    unary_value,
    wrap,
)
from .integers import literal_type as integer_literal_type
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import is_compiler_word, is_reserved_identifier
from .keywords import strip_pto as _strip_pto
from .lexical import (
    SPLICE,
    code_only,
    count_identifiers,
    directive_word,
    identifiers,
    identifiers_among,
    masked_literals,
    names_macro_stack_pragma,
    strip_comments,
)
from .macro_reach import confined_macro_functions, structure_in_macro_arguments
from .model import (
    CaseLabel,
    Comment,
    Compound,
    CppFile,
    Directive,
    ForStmt,
    Function,
    GotoStmt,
    IfStmt,
    LabelStmt,
    OpaqueStmt,
    PPIfStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)
from .parser import CROSSING_GROUPS, decides_groups
from .tile_flow import TileFlow, TileRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, ClassVar

MAX_VALUES = 64          # larger value sets are treated as unknown
_FEW_WAITING = 8         # names a block's statements are searched for one at a time (lexical._FEW_NAMES)
# Definitions, tile bindings and valid-shape copies the value model follows through one another
# (`a2 = a1 + 1` reads a1, whose value reads a0...): a value past this many is unknown. It bounds
# the recursion depth whatever the kernel (compiled, a recursion has no interpreter limit to stop
# it); ptoas output follows a few.
MAX_VALUE_NESTING = 32
# Callee models built inside a caller's (to read what a call does to its arguments): a callee past
# this many nested calls is unknown to its caller (its model is built when asked for directly).
MAX_CALLEE_NESTING = 4
# Values, tile addresses and valid shapes the value model of one function computes at most (each
# once: answers are kept, but not one a cycle or the nesting bound cut short, which a tile read
# along many paths might compute again and again): past this, everything more it is asked is
# unknown. It bounds the work whatever the kernel; the corpus's largest function needs ~1200.
MAX_VALUE_STEPS = 100_000


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


_NO_NAMES: dict = {}       # StmtInfo's default env: read, never written (tests/test_memory.py checks)


class PtrType(Struct):
    __slots__ = ("elem", "space")
    elem: int | None          # pointee size in bytes (None: unknown)
    space: str              # "gm" (__gm__), "ub" (__ubuf__), "" (not said)
    _fields: ClassVar[tuple[str, ...]] = ("elem", "space")

    def __init__(self, elem: int | None, space: str = "") -> None:
        self.elem = elem
        self.space = space


_INT_TYPES = INTEGER_TYPES
_FLOAT_TYPES = {"float", "double", "half", "bfloat16_t", "float16_t", "float32_t"}
# Arithmetic types of no namespace (argument-dependent lookup adds none for them or pointers to
# them); not CCE's `pipe_t`/`event_t`, enumerations of the global namespace.
_BUILTIN_ARITHMETIC_TYPES = frozenset(_INT_TYPES) - {"event_t", "pipe_t"} | {"float", "double", "void"}
_VALID_DIM_TYPE = IntType(32, False)    # a tile's valid rows and columns (pto-isa: `unsigned`)
_VALID_DIM_GETTERS = {"GetValidRow": 0, "GetValidCol": 1}   # tile methods returning them
# Named types whose objects carry no UB binding of their own and whose constructors are plain data
# (pto-isa GlobalTensor/Shape/Stride views, the TPipe object, mode enums, TMRGSORT's
# MrgSortExecutedNumList: an aggregate of four uint16_t, docs/reference/pto-facts.md).
_VALUE_OBJECT_TYPES = {"GlobalTensor", "Shape", "Stride", "TPipe", "RoundMode", "SaturationMode", "CmpMode",
                       "Layout", "TileSplitAxis", "PTOAutoSyncTailMode", "MrgSortExecutedNumList"}
_TILE_TYPES = {"Tile", "pto::Tile", "::pto::Tile"}
# Directives inside a body that change no code: macros are tracked by name (a statement using one
# is Unknown), `#if` sections are structured by the parser, the rest only talk to the compiler.
_INERT_DIRECTIVES = frozenset(["#define", "#undef", "#pragma", "#line", "#error", "#warning", "#"])
# Qualifiers a kernel #defines to nothing where the compiler does not predefine them (`#ifndef
# __gm__` / `#define __gm__`): either way the code reads as it does with the qualifier.
_QUALIFIER_WORDS = frozenset(["__gm__", "__aicore__"])
# The calls the model reads as pto's (or the runtime's): a function of the file with one of these
# names competes with pto's in overload resolution, so an unqualified call of it is Unknown.
_PTO_CALL_NAMES = frozenset([*OPS, *FIFO_OPS, *HARMLESS_CALLS, *PURE_FUNCTIONS,
                             "TASSIGN", "TRESHAPE", "pipe_barrier", "set_flag", "wait_flag"])


def _leftmost_name(node: Any) -> str | None:
    """The name an expression starts with (through calls, subscripts, binary operators, commas and
    assignments), or None: where it is a type, the statement is a declaration."""
    while True:
        if isinstance(node, A.Name):
            return node.id
        if isinstance(node, A.TemplateId):
            return node.name
        if isinstance(node, A.Call):
            node = node.func
        elif isinstance(node, A.Index):
            node = node.obj
        elif isinstance(node, A.Binary):
            node = node.left
        elif isinstance(node, A.Assign):
            node = node.target
        elif isinstance(node, A.Comma):
            node = node.items[0]
        else:
            return None


def _rightmost_name(node: Any) -> str | None:
    """The name ``node``'s text ends with, if it ends with a name: the token right before a
    binary operator that follows ``node`` (`x + (void) TEXP` ends with TEXP). A member's name
    counts too (`o.f < 2 > (a)` may call a member template)."""
    while True:
        if isinstance(node, A.Name):
            return node.id
        if isinstance(node, A.Member):
            return node.field or None
        if isinstance(node, A.Unary):
            node = node.operand
        elif isinstance(node, A.Cast):
            node = node.operand
        elif isinstance(node, A.Binary):
            node = node.right
        elif isinstance(node, A.Ternary):
            node = node.orelse
        elif isinstance(node, A.Assign):
            node = node.value
        elif isinstance(node, A.Comma):
            node = node.items[-1]
        else:
            return None




# Expression nodes that only compute a value (a default argument made of them runs no code).
_PLAIN_VALUE_NODES = (A.Number, A.Literal, A.String, A.Name, A.Unary, A.Binary, A.Ternary)


def _is_pto_enumerator(name: str) -> bool:
    """A pipe or event enumerator of pto (`PIPE_MTE2`, `EVENT_ID0`), by its spelling."""
    return _strip_pto(name).startswith(("PIPE_", "EVENT_ID"))


# Names a statement may use with no declaration in the file: literals spelled as words.
_PLAIN_FREE_NAMES = frozenset(["true", "false", "nullptr", "NULL"])
# Words that leave a statement other than at its end (or are a jump's target).
_JUMP_WORDS = frozenset(["break", "continue", "return", "goto", "case", "default"])


# The first item of a valid-shape entry that stands for every shape of another tile (a copy).
COPIED_SHAPE = "copy of"
# A valid-shape entry that stands for a shape the model does not know (a default-constructed tile,
# one changed behind the model's back): it joins the tile's other entries instead of erasing them,
# so a known shape past the tile is still walked (the union is flow-insensitive).
# (Typed `tuple`: compiled, a value of a fixed-length tuple type is unboxed and loses its identity.)
UNKNOWN_SHAPE: tuple = (None, None, None)


def _with_unknown_shape(entries: list | None) -> list:
    """``entries`` (None: no known entry) with an UNKNOWN_SHAPE entry, added once."""
    if not entries:
        return [UNKNOWN_SHAPE]
    return entries if any(entry is UNKNOWN_SHAPE for entry in entries) else entries + [UNKNOWN_SHAPE]


class Symbol:
    """One declared entity. ``defs``: scalar definitions; ``bindings``: tile address bindings."""

    __slots__ = ("name", "uid", "kind", "ctype", "tile", "defs", "bindings", "is_param", "pipe_ctor",
                 "object_type", "generic", "type_ref", "valid_ctor", "induction")

    def __init__(self, name: str, uid: int, kind: str):
        self.name = name
        self.uid = uid
        self.kind = kind                  # scalar | tile | array | object | type | unknown
        self.ctype: object = None         # IntType | PtrType | "float" | None
        self.tile: TileType | None = None
        self.defs: list = []              # (node, env) or UNKNOWN_DEF
        self.bindings: list = []          # ("addr", node, env) | ("alias", Symbol) | ("tpop", ...) | ("unknown", why)
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

    def make_unknown(self, why: str) -> None:
        """Anything may have happened to the entity: its value, its binding, the ring of a TPipe
        (copy-assignable plain data) and a tile's dynamic valid shape (``SetValidShape`` through a
        reference, a copy assigned over it)."""
        self.defs.append(UNKNOWN_DEF)
        self.bindings.append(("unknown", why))
        self.pipe_ctor = None
        self.forget_valid_shape()

    def forget_valid_shape(self) -> None:
        """A dynamic valid shape may now be any (an UNKNOWN_SHAPE entry joins the known ones, which
        it had at other times). A static one stays: GetValidRow/GetValidCol return the template
        constants and SetValidShape does not compile for them (pto-facts.md, "Valid shapes")."""
        if self.valid_ctor is not None:
            self.valid_ctor = _with_unknown_shape(self.valid_ctor)

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


# The builtin type names the statement grammars read by spelling that C++ lets a program declare
# as something else (the keywords among them it does not).
_GRAMMAR_TYPE_WORDS = BUILTIN_TYPE_WORDS - _KEYWORDS

# Macros ptoas defines before pto's header whose effect there is the one ptoas means: the
# qualifiers, defined empty where the compiler lacks them (pto-isa 3186c381 tests `__gm__` only to
# define it when missing), and `PIPE_FIX`, the fixpipe's pipe on targets without one (only the
# cube's TSTORE path names it). Any other may switch pto-isa code (`#ifndef __PTO_AUTO__`) or skip
# a header (its include guard, `TCVT_HPP`).
_MACROS_PTO_HEADERS_IGNORE = frozenset(["__gm__", "__aicore__", "PIPE_FIX"])


def trusted_header(spelled: str) -> bool:
    """Whether ``#include spelled`` names a header the proof may assume without reading it:
    pto-isa's own (its instruction functions and enumerators are what the model knows) or one of the
    C and C++ standard libraries' (headers.STANDARD_HEADERS), which define no macro or declaration
    over a name the model relies on. Any other header (a runtime's "tensor.h") may `#define
    PIPE_ALL PIPE_MTE2` or declare a closer overload of an op: it is read (headers.py) or unknown."""
    if len(spelled) < 2 or (spelled[0], spelled[-1]) not in (('"', '"'), ("<", ">")):
        return False          # `#include HEADER`: a macro names it
    name = spelled[1:-1].strip()
    parts = name.split("/")
    if parts[0] == "pto" and len(parts) > 1 and not {"", ".", ".."} & set(parts):
        return True
    # `#include "cstdint"` looks beside the kernel first: only the <...> form is the library's.
    return spelled[0] == "<" and name in STANDARD_HEADERS


def _only_names_the_enumeration(code: str, name: str) -> bool:
    """Whether every use of ``name`` in ``code`` (comments and strings blanked) is its `enum class`
    definition, a qualifier (`name::`) or the type of a declared entity (`name mode`): then no
    alias, typedef, namespace or variable of that name hides the enumeration anywhere, so
    `name::X` is an enumerator of it wherever it is written (`using Mode = pipe_t;` in a block
    would make `Mode::PIPE_V` CCE's PIPE_V)."""
    # (Uses followed by `::`, the most of them, need no look; the others are read one by one.
    # The pattern starts with the name, so the regex engine scans for it as a literal; the
    # look-behind, which would make it try every position, is checked per match instead.)
    for match in re.finditer(re.escape(name) + r"(?![\w$])(?!\s*::)", code):
        if match.start() and _WORD_OR_DOLLAR.match(code, match.start() - 1):
            continue          # the tail of a longer name
        follow = _NEXT_TOKEN.match(code, match.end())
        after = follow.group(1) if follow is not None else ""
        before = code[max(0, match.start() - 64):match.start()].rstrip()
        if after == "::" or (after[:1].isidentifier() and not before.endswith(("namespace", "using"))):
            continue
        if _ENUM_HEAD.search(before):
            continue
        return False
    return True


_WORD_OR_DOLLAR = regex_cache.compile(r"[\w$]")
# The end of `enum class` / `enum struct` with any blanks between the words.
_ENUM_HEAD = regex_cache.compile(r"(?<![\w$])enum\s+(?:class|struct)\Z")
_NEXT_TOKEN = regex_cache.compile(r"\s*(::|[A-Za-z_]|.?)", re.S)


_CLASS_KEY = regex_cache.compile(r"(?<![\w$])(?:struct|class|union)(?![\w$])")
_ENUM_BEFORE = regex_cache.compile(r"(?<![\w$])enum\s*\Z")
# After the class key: a definition with at most a name before its body, or a use of a declared
# class (`struct G *p`, `(struct G)`, `<class T>`) that defines nothing.
_PLAIN_CLASS_HEAD = regex_cache.compile(r"\s*(?:[A-Za-z_]\w*\s*)?\{")
_CLASS_USE = regex_cache.compile(r"\s*[A-Za-z_]\w*(?!\w)\s*(?:::\s*[A-Za-z_]\w*(?!\w)\s*)*"
                                 r"(?:[*&;,)>=]|(?!final(?!\w))[A-Za-z_])")
# A body of plain data members only (`uint64_t u64; int64_t val;`): no function, initializer,
# nested body or static_assert, so creating, copying or leaving an object runs no code.
_DATA_MEMBERS = regex_cache.compile(r"[\w\s*,;\[\]]*")


def _class_with_code(text: str) -> bool:
    """``text`` defines a class that may have code of its own, or may define one the model cannot
    tell apart (a class key it cannot place): constructors, a destructor, operators, conversions,
    default member initializers or bases. ptoas's block-scope unions of plain members are none."""
    for key in _CLASS_KEY.finditer(text):
        if _ENUM_BEFORE.search(text, 0, key.start()):
            continue          # `enum class E {...}`: plain enumerators
        head = _PLAIN_CLASS_HEAD.match(text, key.end())
        if head is None:
            if _CLASS_USE.match(text, key.end()):
                continue
            return True       # a base, `final`, an attribute, `alignas`: not read
        depth, pos = 1, head.end()
        while depth and pos < len(text):
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            pos += 1
        if depth or not _DATA_MEMBERS.fullmatch(text, head.end(), pos - 1):
            return True
    return False


def _model_reads(name: str) -> bool:
    """Whether the model gives ``name`` a meaning by its spelling: pto's namespace, types, ops,
    functions and enumerators, the scalar types and qualifiers."""
    return name in PTO_SPELLED_NAMES or name in _PTO_CALL_NAMES or name in PTO_INSTRUCTIONS \
        or name in _INT_TYPES or name in _FLOAT_TYPES or name in _VALUE_OBJECT_TYPES or name in _QUALIFIER_WORDS \
        or _is_pto_enumerator(name) or name in pto_function_names()


# Attributes a file-scope variable may carry and still be read as the plain variable it declares:
# bisheng's `block_local` gives each AI core its own object, as `thread_local` gives each thread
# one (docs/reference/pto-facts.md §8.3.1), and `maybe_unused` ([dcl.attr.unused]) only silences
# a warning. Neither changes what reading or writing it does.
_VARIABLE_ATTRIBUTES = frozenset(["block_local", "maybe_unused"])


def _known_variable_attributes(attributes: str) -> bool:
    """Whether every attribute of the attribute-specifier-seq ``attributes`` (`[[a, b]] [[c]]`) is
    one of _VARIABLE_ATTRIBUTES, unqualified."""
    inside = attributes.replace("[[", " ").replace("]]", " ")
    return all(part.strip() in _VARIABLE_ATTRIBUTES for part in inside.replace(" ", ",").split(",") if part.strip())


def _unread_declaration(model: CppFile) -> str:
    """Why a file-scope declaration is not one the model reads exactly ('' if every one is).

    The model resolves names against what the file declares, so it must know every name a
    file-scope declaration introduces. It reads exactly: function definitions (the parser's
    declarator check), plain namespace heads, a using-directive, a scoped enumeration of plain
    enumerators, a type alias or variable the statement grammar reads (parentheses only in its
    copy-initializer), a static assertion, an explicit instantiation, and an alias template of
    plain parameters whose name the model does not read, naming no macro. Any
    other (a class, an attribute, `typedef struct {...} pto;`, a declarator in parentheses, a
    prototype, a macro invocation) may declare any of its words, `pto`, an op or `int64_t` among
    them, anywhere in the file's namespaces: its file is not modelled. ptoas writes no such
    declaration in the files it gives barriers."""
    macros = model.macros - model.empty_macros
    for decl in model.globals:
        if macros.intersection(decl.words):
            return (f"{model.source.location(decl.span.start)}: a file-scope declaration uses the macro "
                    f"'{min(macros.intersection(decl.words))}': it may declare any name")
        kind = decl.kind
        if decl.attributes:
            names = set(identifiers(decl.attributes))
            if names & model.macros or not _known_variable_attributes(decl.attributes) or kind != "variable":
                return (f"{model.source.location(decl.span.start)}: the attributes '{decl.attributes}' of a file-scope "
                        "declaration: ptofix reads only `block_local` and `maybe_unused` on a variable (another may "
                        "place it where the kernel's tiles are, or give it another meaning)")
        if kind == "using-namespace":
            path = decl.path
            # pto's nested namespaces declare functions spelled like its ops (`pto::comm::TGATHER`,
            # a ping-pong overload more specialized than pto's own): only pto, std and the file's
            # own namespaces have the names the model reads by spelling.
            if path in (("pto",), ("std",)) or set(path) <= model.namespaces:
                continue
            return (f"{model.source.location(decl.span.start)}: a using-directive for the namespace "
                    f"'{decl.name}' may make other functions of pto's op names visible")
        # (ptoas's own enumeration is the plain-data type the model expects under that name.)
        if kind == "scoped-enum" and (decl.name == "PTOAutoSyncTailMode" or not _model_reads(decl.name)):
            continue
        if kind == "alias" or (kind == "variable" and not _model_reads(decl.name)):
            continue
        if kind in ("static-assert", "explicit-instantiation", "using-pto-name"):
            continue          # declares nothing new ([dcl.pre], [temp.explicit], [namespace.udecl])
        if kind in ("alias-template", "plain-struct") and not _model_reads(decl.name) \
                and decl.name not in PTO_SPELLED_NAMES:
            # A type of the file's own: a declaration naming it is of a type the model does not
            # read, so its tiles are unknown (FileContext.file_scope_types).
            continue
        return (f"{model.source.location(decl.span.start)}: ptofix does not read this file-scope declaration "
                "exactly; it may declare any of its words (pto, an op, a type the model reads)")
    for fn in model.functions:
        if fn.name in macros:
            return f"{model.source.location(fn.span.start)}: the function's name '{fn.name}' is a macro"
        if fn.name in model.empty_macros or is_compiler_word(fn.name) or fn.name in pto_macro_names() \
                or (is_reserved_identifier(fn.name) and _name_word_before(fn)):
            # `void body PTO_INST_HPP (TT& x)` defines `body`: the word before the parameters may be a
            # macro that expands to nothing (an include guard, the file's own), and the function's
            # real name another word of its declaration.
            return (f"{model.source.location(fn.span.start)}: the word before the function's parameters, "
                    f"'{fn.name}', may be a macro: the function's name may be another word")
        for stmt in fn.body.walk():
            if isinstance(stmt, OpaqueStmt) and stmt is not fn.body and _class_with_code(strip_comments(stmt.text)):
                # Its constructors, copies, conversions and destructor run wherever its objects
                # are made, copied, converted or left (`auto h = g;`, `const G& r = 16;`), in
                # this function or in any template it passes one to.
                return (f"{model.source.location(stmt.span.start)}: a block-scope class that may have code of its "
                        "own (member functions, initializers, bases): its objects may run it implicitly")
        if isinstance(fn.body, OpaqueStmt) and fn.body.reason != CROSSING_GROUPS:
            # (A body whose extent every group keeps is unknown on its own: FileContext.)
            # Braces paired across `#if` branches: the compiled body may end early, and what
            # follows it be file-scope definitions (of TMUL, say) the parser took for its body.
            return (f"{model.source.location(fn.span.start)}: the body of '{fn.name}' is not structured "
                    f"({fn.body.reason}): it may end elsewhere and hide file-scope definitions")
    spelled = sorted(model.namespaces & macros)
    if spelled:
        return f"the namespace name '{spelled[0]}' is a macro"
    if "std" in model.namespaces:
        # (The model reads `std::atomic_thread_fence` and the like by spelling: a nearer `std`
        # of the file's own would be looked up first.)
        return "the file declares a namespace 'std' of its own"
    return ""


def _unknown_after(model: CppFile, offset: int, reason: str, per_function: dict[int, str]) -> bool:
    """Put the functions a header the model cannot read (not found, not summarised) may change in
    ``per_function``, when it is included at file scope at ``offset``: every function that ends
    after it, and every template (a dependent call of one is looked up again where it is
    instantiated, after the header). A function defined before it, no template, was compiled
    before the header's text: none of its macros, declarations or pragmas reach it. The header
    may still call such a function (barriers.py: a static function's callers are then not all
    in the file). False when the include is inside a function body."""
    if any(fn.body.span.start < offset < fn.body.span.end for fn in model.functions):
        return False
    for fn in model.functions:
        if fn.span.end > offset or "template" in fn.declaration.words:
            per_function.setdefault(id(fn), reason)
    return True


def _may_change_pto_code(name: str, header_words: frozenset[str] | None) -> bool:
    """Whether a macro ``name`` defined (or undefined) before pto/pto-inst.hpp, or a name declared
    there, may change the code it compiles: pto's code sees it (ops.macro_may_change_pto_code,
    ``header_words``: IsaFacts'), it is a name the toolchain may declare (what one of pto's macros
    may expand to, or a call of pto's may find), or the standard headers pto includes see it
    (headers.standard_headers_may_see: the words they write, the macros they may define, reserved
    names). Unqualified calls, overloads and argument-dependent lookup all find a function by its
    name, so a name no such code writes is not seen."""
    return macro_may_change_pto_code(name, header_words) or toolchain_may_declare(name) \
        or standard_headers_may_see(name)


def unmodelled_file(model: CppFile, unread_headers: bool = True, headers: dict | None = None,
                    header_words: frozenset[str] | None = None, count_mode: bool = True, checkout: str = "",
                    per_function: dict[int, str] | None = None) -> str:
    """Why no function of the file can be modelled, or '': a header the model cannot read (unless
    not ``unread_headers``; ``headers``: read_includes' summaries, none read when None), a macro that
    may change pto's header, redefines a keyword or may declare names, a declaration of a name
    the model reads as pto's, or (unless not ``count_mode``: the caller then tracks the mode, see
    FileContext.count_mode_points) a name that may leave the vector unit in count mode.
    ``header_words`` and ``checkout``: IsaFacts' (the documented versions' when None and '').
    ``per_function``: when given, what reaches only some functions' bodies (macro_reach) is put
    there instead, id(function) -> why it is unknown, and the file is not unmodelled for it."""
    # (A header that includes pto's header itself counts as one: what comes before it, and what
    # it defines around its own include, comes before pto's code.)
    again = _pto_inst_included_again(model, headers) if unread_headers and headers else set()
    pto_headers = [offset for spelled, offset in model.includes if (trusted_header(spelled)
                   and spelled[1:].lstrip().startswith("pto/"))
                   or (unread_headers and headers is not None and offset in headers and headers[offset].pto_include
                       and offset not in again)]
    reason = _command_line_reason(model, bool(pto_headers), header_words)
    if reason:
        return reason
    if unread_headers and model.environment.headers_unread:
        return model.environment.headers_unread
    for spelled, offset in model.includes if unread_headers else ():
        summary = (headers or {}).get(offset)
        if summary is None:
            if trusted_header(spelled):
                continue
            return (f"{model.source.location(offset)}: '#include {spelled}': ptofix does not read that header, and "
                    "its macros or declarations may redefine what the model relies on (pto's ops, PIPE_*, keywords)")
        # (A name another include or the kernel declares too may be redeclared there with a
        # default argument.)
        elsewhere = frozenset([name for other in (headers or {}).values() if other is not summary
                               for name in other.names] + [fn.name.rpartition("::")[2] for fn in model.functions])
        reason = _header_reason(model, spelled, offset, summary,
                                (bool(pto_headers) and offset < max(pto_headers))
                                or (bool(summary.pto_include) and offset not in again),
                                _only_pto_inst(model, pto_headers, headers, checkout), header_words, checkout,
                                elsewhere)
        if reason and summary.unknown and per_function is not None \
                and _unknown_after(model, offset, reason, per_function):
            continue
        if reason:
            return reason
    if pto_headers:
        only_inst = _only_pto_inst(model, pto_headers, headers, checkout)
        early = [name for name, offset in model.defines if offset < max(pto_headers)
                 and name not in _MACROS_PTO_HEADERS_IGNORE and _seen_by_pto_code(name, only_inst, header_words)
                 and not (only_inst and _bridges_subblock_id(model, name, headers or {}, header_words, checkout))]
        if early:
            return (f"the macro '{early[0]}' is defined or undefined before pto's header, whose code it may "
                    f"change ({_how_pto_sees(early[0], only_inst, header_words)}; pto-isa's headers test "
                    "macros: `__PTO_AUTO__` turns TASSIGN and the ops' own barriers off)")
        reason = _early_declaration_reason(model, max(pto_headers), only_inst, header_words)
        if reason:
            return reason
        for pragma in model.pragmas:
            if pragma.span.start < max(pto_headers) and pragma.tokens is not None \
                    and pragma_may_change_code(" ".join(pragma.tokens)):
                return (f"{model.source.location(pragma.span.start)}: the pragma '{' '.join(pragma.tokens)}' comes "
                        "before pto's header and may change how its code compiles (`pack` lays out its "
                        "structures, `GCC optimize` or `STDC FP_CONTRACT` how it computes)")
    keywords = sorted(model.macros & _KEYWORDS)
    if keywords:
        return f"the file defines a macro named like the C++ keyword '{keywords[0]}'"
    # (A function counts too: `template <int N> int64_t Stride(...)` in the kernel's namespace is
    # found before pto's class, and `Stride<2>(a, b)` calls it.)
    functions = {fn.name.rpartition("::")[2] for fn in model.functions} & (PTO_SPELLED_NAMES | _VALUE_OBJECT_TYPES)
    shadowed = sorted(((model.declared_names | model.macros) & PTO_SPELLED_NAMES) | functions)
    if shadowed:
        return (f"the file declares its own '{shadowed[0]}' (a namespace, type or macro), so '{shadowed[0]}' "
                "as written may not be pto's")
    if model.declaring_macros:
        name = min(model.declaring_macros)
        why = (f"the macro '{name}' pastes tokens, holds a declaration keyword, a brace or a ';', or leaves a "
               "bracket open: its uses may declare any name (pto's ops, PIPE_*, namespaces)")
        expansions: dict[str, set[str]] = {}
        for summary in (headers or {}).values():
            for macro, words in summary.expansion_words.items():
                expansions.setdefault(macro, set()).update(words)
        reached = confined_macro_functions(model, model.declaring_macros, expansions) \
            if per_function is not None and (headers is not None or not model.includes) else why
        if isinstance(reached, str):
            return why if reached == why else f"{why}; {reached}"
        assert per_function is not None
        for macro in sorted(reached):
            for fn in reached[macro]:
                per_function.setdefault(id(fn), (
                    f"the function uses the macro '{macro}', which pastes tokens, holds a declaration keyword, a "
                    "brace or a ';': its expansion may declare or jump to anything inside the function (every use "
                    "of it is inside function bodies)"))
    if model.pto_code_macros:
        return (f"the file uses pto's macro '{min(model.pto_code_macros)}', whose expansion ptofix does not "
                "model: pto-isa's headers define it, and it may paste a name the file never spells, hide a loop "
                "or a jump, or declare anything")
    reason = _pto_namespace_reason(model, header_words) if "pto" in model.namespaces else ""
    if reason or any(_qualified_into_pto(fn.qualified) or _qualified_by_macro(fn, model.macros)
                     for fn in model.functions):
        return reason or ("the file declares something in namespace pto: an overload or a specialization there "
                          "(of TMUL_IMPL, say) may change what pto's own ops run")
    for pragma in model.pragmas:
        if pragma.tokens is None:
            return (f"{model.source.location(pragma.span.start)}: a pragma operator whose pragma ptofix does not "
                    "read (its argument is not one string literal): it may save or restore a macro "
                    "(`push_macro`/`pop_macro`), and a name may then be a macro where no #define shows it")
        if _MACRO_STACK_PRAGMAS.intersection(pragma.tokens):
            return ("the file saves or restores a macro (`#pragma push_macro`/`pop_macro`): a name may be a macro "
                    "where no #define shows it")
    if names_macro_stack_pragma(model.source.text):
        # (Spelled outside any pragma the model read: as the argument of a header's macro that
        # makes it a pragma, `PTO_PRAGMA(push_macro("X"))`, or in a string such a macro takes.)
        return ("the file spells `push_macro`/`pop_macro` outside a pragma ptofix reads: a macro of a header may "
                "make it one, and a name may then be a macro where no #define shows it")
    mode = _count_mode_name_of(model.source) if count_mode else ""
    if mode and not _names_count_mode_outside_scalar_tci(model):
        mode = ""
    if mode:
        return (f"the file names '{mode}', which may leave the vector unit in count mode: element-wise ops "
                "then walk as many elements as the vector mask says, in any function the file runs after it")
    if _has_specialization(model.source.text, model.macros):
        return "an explicit specialization (`template <>`) may replace the body of any template, pto's included"
    structure = model.structure_in_parentheses
    if structure >= 0 and headers is not None and unread_headers:
        # Only a function-like macro's arguments may carry a block out of its parentheses: none
        # when no macro may open them (macro_reach.structure_in_macro_arguments).
        known_macros = model.macros | frozenset(command_line_macros(model.environment)[0]) \
            | {name for summary in headers.values() for name in summary.macro_bodies}
        structure = structure_in_macro_arguments(
            model, lambda name: name in known_macros or name in pto_macro_names() or may_be_standard_macro(name)
            or may_be_command_line_macro(name))
    if structure >= 0:
        return (f"{model.source.location(structure)}: a brace or ';' inside parentheses: "
                "if they are a macro's arguments, its expansion may close a block and define any function "
                "(`SWAP({ w(); } void TMUL(...) {, })`)")
    return _unread_declaration(model)


def _pto_namespace_reason(model: CppFile, header_words: frozenset[str] | None) -> str:
    """Why the file's `namespace pto {...}` may change what a name the model reads means ('' if it
    cannot): pto-isa's own manual kernels define their helpers inside pto. A function there
    overloads any of pto's functions of its name, and pto's templates find it by argument-dependent
    lookup at instantiation; a type or variable there hides one of pto's. So each name the file
    declares there (every function and file-scope declaration) must be one the model does not read
    by spelling and pto's code does not write (_may_change_pto_code), each
    `namespace pto` head plain and at file scope, with no namespace nested in it (`pto::comm` holds
    functions spelled like pto's ops), and every file-scope declaration read exactly
    (_unread_declaration, checked after this)."""
    text = masked_literals(model.source.text)
    if "#" in text and any("{" in line or "}" in line for line in text.splitlines() if line.lstrip().startswith("#")):
        return "a directive holds a brace: where the file's namespace pto ends is not known"
    depth, pto_depth = 0, -1
    regions: list[tuple[int, int]] = []       # [start, end) of each `namespace pto {...}`
    for match in _BRACE_OR_NAMESPACE.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth <= pto_depth:
                pto_depth = -1
                regions[-1] = (regions[-1][0], match.end())
        elif pto_depth >= 0:
            # (A using-directive there too: pto's own unqualified lookups would see its names.)
            return "a namespace nested in namespace pto, or a using-directive there, may declare functions " \
                   "spelled like pto's ops"
        elif _USING_BEFORE_NAMESPACE.search(text, max(0, match.start() - 64), match.start()):
            continue      # `using namespace pto;` at file scope: declares nothing
        else:
            if match.group(1) == "pto":
                if depth or match.group(2) or match.group(3) != "{":
                    return "a namespace pto that is not plain and at file scope may hide or overload pto's names"
                pto_depth = depth
                regions.append((match.start(), len(text)))
            if match.group(3) == "{":
                depth += 1    # (the head's own '{', consumed by the match)
    inside = [(fn.name.rpartition("::")[2], fn.span.start) for fn in model.functions] \
        + [(decl.name, decl.span.start) for decl in model.globals]
    for name, at in inside:
        if name and any(start <= at < end for start, end in regions) \
                and (_model_reads(name) or name in PTO_SPELLED_NAMES or _may_change_pto_code(name, header_words)):
            return (f"{model.source.location(at)}: the file declares '{name}' in namespace pto, a name ptofix reads "
                    "as pto's or pto's code writes: an overload there may change what pto's own ops run")
    return ""


# A brace, or a namespace head up to its '{' (group 1: its first name, group 2: more after it).
_BRACE_OR_NAMESPACE = regex_cache.compile(
    r"[{}]|(?<![\w$])namespace(?![\w$])\s*([A-Za-z_]\w*)?((?:\s*::\s*(?:inline\s+)?[A-Za-z_]\w*)*)\s*(\{|=)?")
_USING_BEFORE_NAMESPACE = regex_cache.compile(r"(?<![\w$])using\s*\Z")


# What a file-scope constant (FileContext.file_constant) may be declared with.
_CONSTANT_QUALIFIERS = frozenset(["constexpr", "const", "static", "inline"])
# Integer operators a constant's initializer may use (no comparison, no logical operator: their
# result types are not IntType's arithmetic ones).
_CONSTANT_OPERATORS = frozenset(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"])
# sizeof of the builtin types a constant's initializer may take (bytes; size_t is 64-bit unsigned on
# the NPU's LP64 ABI, as INTEGER_TYPES has it).
_BUILTIN_SIZES = {**ELEMENT_BYTES, **{name: max(bits // 8, 1) for name, (bits, _) in INTEGER_TYPES.items()
                                      if name not in ("event_t", "pipe_t")}}
_SIZE_T = IntType(*INTEGER_TYPES["size_t"])


_INERT_QUALIFIER = INERT_QUALIFIER
# pto's macros a header may write at namespace scope and declare nothing by: the NPU attribute,
# pto's function specifiers, bisheng's parameter and address-space qualifiers, which pto defines
# only where the compiler lacks them (pto-facts.md, the macros read as NPU names).
_PTO_DECLARING_NOTHING = PTO_FUNCTION_SPECIFIER_MACROS | PTO_PARAMETER_QUALIFIERS | {
    "AICORE", "__aicore__", "__ubuf__", "__cbuf__", "__cc__", "__ca__", "__cb__", "__fbuf__", "__biasbuf__"}
# The pragmas that save or restore a macro's definition (gcc, clang, MSVC).
_MACRO_STACK_PRAGMAS = frozenset(["push_macro", "pop_macro"])



def _command_line_reason(model: CppFile, includes_pto: bool, header_words: frozenset[str] | None) -> str:
    """Why the macros of the compiler's command line (`-D`, `-U`: headers.command_line_macros) make
    the file unknown ('' if they do not): one defined or undefined before pto's header, which its
    code may read (as a `#define` there, unmodelled_file), one named like a keyword or a name the
    model reads as pto's, one whose body may declare or restructure anything."""
    defined, undefined = command_line_macros(model.environment)
    for name in sorted(set(defined) | undefined):
        flag = f"-D{name}" if name in defined else f"-U{name}"
        if includes_pto and name not in _MACROS_PTO_HEADERS_IGNORE and name not in BUILD_SCRIPT_MACROS \
                and _may_change_pto_code(name, header_words):
            return (f"the command line's {flag} {'defines' if name in defined else 'undefines'} a macro pto's "
                    "header may read, whose code it may change (pto-isa's headers test macros: `__PTO_AUTO__` "
                    "turns TASSIGN and the ops' own barriers off)")
        if name in _KEYWORDS or name in PTO_SPELLED_NAMES or name in _VALUE_OBJECT_TYPES:
            return f"the command line's {flag} names a macro like '{name}', which ptofix reads as C++'s or pto's"
    for name in sorted(_deciding_command_line_macros(model)):
        if _may_change_pto_code(name, header_words):
            return (f"the command line's -D{name} or -U{name} decides an #if of the file, and a header the file "
                    f"includes may define or undefine '{name}': which group is compiled is not known")
    for name in sorted(defined):
        body = defined[name][1]
        if "##" in body or _DECLARING_BODY_WORDS.intersection(identifiers(body)) or any(ch in body for ch in "{};") \
                or body.count("(") != body.count(")") or body.count("[") != body.count("]"):
            return (f"the command line's -D{name} pastes tokens, holds a declaration keyword, a brace or a ';', or "
                    "leaves a bracket open: its uses may declare any name (pto's ops, PIPE_*, namespaces)")
    return ""


_DECLARING_BODY_WORDS = frozenset(["namespace", "struct", "class", "union", "enum", "typedef", "using", "typename",
                                   "template", "concept"])


def _deciding_command_line_macros(model: CppFile) -> set[str]:
    """The command line's macros whose -D/-U decides which groups of the file's #if sections the
    parser reads (parser.without_decided_groups): those of them the sections' conditions name."""
    defined, undefined = command_line_macros(model.environment)
    names = {name for name in set(defined) | undefined if decides_groups(name)}
    if not names:
        return names
    return {name for group in model.conditional_groups for name in identifiers(group.condition)} & names


# The one macro over a name pto's code calls that a kernel may define before pto's header: PyPTO's
# mixed A2/A3 kernels bridge the runtime's lane id into pto's TPUSH/TPOP (pto-facts.md §8.3.1).
_SUBBLOCK_ID = "get_subblockid"
_ASSIGNED = regex_cache.compile(r"\s*=(?!=)")


def _constant_lane_id(model: CppFile, token: str, headers: dict[int, HeaderSummary],
                      defined: dict[str, tuple[bool, str]], undefined: frozenset[str]) -> bool:
    """Whether the body ``token`` of `#define get_subblockid() token` is an integer constant: an
    integer literal (`0`, `1u`), or an object-like macro of the kernel's, defined once (no
    `#undef`, no `-D`/`-U`, no header's, not pto's nor one its code or the standard headers may
    read, no reserved name) to one integer literal. PyPTO's split-specialized AIV wrappers write
    `#define PYPTO_FIXED_SUBBLOCK_ID 1` then `#define get_subblockid() PYPTO_FIXED_SUBBLOCK_ID`:
    pto's code then reads a constant where it read the intrinsic, no call, no side effect, and
    no UB address, vector operand or drain depends on its value (pto-facts.md §8.3.1)."""
    if integer_literal_type(token) is not None:
        return True
    if not (token[:1].isalpha() or token[:1] == "_") or not token.replace("_", "a").isalnum() \
            or token in defined or token in undefined or is_reserved_identifier(token) or token in _KEYWORDS \
            or token in pto_macro_names() or macro_may_change_pto_code(token) or standard_headers_may_see(token) \
            or toolchain_may_declare(token) or _model_reads(token) \
            or any(token in summary.macros or token in summary.names for summary in headers.values()):
        return False
    # (Nor a name the kernel declares: where pto's code expands the call before the macro's
    # definition, the name would be that declaration.)
    if any(token in decl.words for decl in model.globals) \
            or any(fn.name.rpartition("::")[2] == token for fn in model.functions):
        return False
    entries = [entry for entry in model.macro_table if entry.name == token]
    return len(entries) == 1 and entries[0].defines and entries[0].params is None \
        and len(entries[0].replacement) == 1 and integer_literal_type(entries[0].replacement[0]) is not None


def _bridges_subblock_id(model: CppFile, name: str, headers: dict[int, HeaderSummary],
                         header_words: frozenset[str] | None, checkout: str = "") -> bool:
    """Whether the kernel's macro ``name`` is `#define get_subblockid() V`, V a file-scope integer
    variable of the kernel the model reads (not a macro, not a header's name, nor one pto's code
    writes, where a local of pto's of that name would be read instead) that the
    kernel's own code only assigns (`V = ...;`): pto's code then reads V where it read the
    intrinsic, with no side effect, and at the documented pto-isa commits (not a checkout of
    ``header_words``, whose code may use the lane id otherwise) only for GM offsets, a SyncAll
    slot index and a printf: no UB address, vector operand or drain the proof reads depends on
    it. Every use of the name in pto's code is a call with no argument (pto_call_arities). With a
    checkout (``header_words`` and ``checkout``: IsaFacts'), only when its headers that write the
    name are reviewed ones (_checkout_lane_id_reviewed), and V no name its headers write."""
    if name != _SUBBLOCK_ID or (header_words is not None and not _checkout_lane_id_reviewed(checkout)):
        return False
    arities = pto_call_arities() if header_words is None else checkout_call_arities(checkout)
    if arities is None or arities.get(name) != (0,):
        return False
    defined, undefined = command_line_macros(model.environment)
    entries = [entry for entry in model.macro_table if entry.name == name]
    if name in defined or name in undefined or len(entries) != 1 or not entries[0].defines \
            or entries[0].params != () or len(entries[0].replacement) != 1:
        return False
    variable = entries[0].replacement[0]
    if header_words is not None and macro_may_change_pto_code(variable, header_words):
        return False                # (the checkout's code writes V: a macro or local of its own)
    if _constant_lane_id(model, variable, headers, defined, undefined):
        return True
    if not (variable[0].isalpha() or variable[0] == "_") or not variable.replace("_", "a").isalnum() \
            or variable in _KEYWORDS or variable in model.macros or variable in defined or variable in undefined \
            or macro_may_change_pto_code(variable) or variable in pto_macro_names() \
            or standard_headers_may_see(variable) or _model_reads(variable) \
            or toolchain_may_declare(variable) or is_reserved_identifier(variable) \
            or any(variable in summary.macros or variable in summary.names for summary in headers.values()):
        return False
    declarations = [(index, decl) for index, decl in enumerate(model.globals) if variable in decl.words]
    if len(declarations) != 1 or any(fn.name.rpartition("::")[2] == variable for fn in model.functions):
        return False
    # (Under an #if, in a namespace or after pto's header, it is that variable or pto's code does
    # not compile: no other declaration of the name is in sight.)
    decl = declarations[0][1]
    ast = decl.declarator
    if decl.kind != "variable" or not isinstance(ast, A.Decl) \
            or ast.name != variable or ast.type.name not in _INT_TYPES or ast.type.pointer or ast.type.ref \
            or ast.array or ast.ctor_args is not None:
        return False
    # The kernel's own code only stores to it (what the stores compute is the kernel's business:
    # the proof reads the kernel's statements as they are).
    code = masked_literals(model.source.text)
    for match in re.finditer(r"(?<![\w$])" + re.escape(variable) + r"(?![\w$])", code):
        at = match.start()
        if decl.span.start <= at < decl.span.end or entries[0].span.start <= at < entries[0].span.end:
            continue
        before = at - 1
        while before >= 0:
            while before >= 0 and code[before].isspace():
                before -= 1
            line = code.rfind("\n", 0, before + 1) + 1
            if before < 0 or not code[line:before + 1].lstrip().startswith("#"):
                break
            before = line - 1             # (a directive's line: `#if`, `#endif` between statements)
        if _ASSIGNED.match(code, match.end()) is None or (before >= 0 and code[before] not in ";{}"):
            return False
    return True


def _checkout_lane_id_reviewed(checkout: str) -> bool:
    """Whether every header pto-inst.hpp reaches in the pto-isa checkout at ``checkout`` that
    writes `get_subblockid` is byte for byte one pto-facts.md §8.3.1 reviewed
    (ops.SUBBLOCK_ID_REVIEWED_HEADERS): its code then uses the lane id only as reviewed."""
    found = checkout_headers_writing(checkout, _SUBBLOCK_ID) if checkout else None
    return found is not None and SUBBLOCK_ID_REVIEWED_HEADERS.issuperset(found)


def _early_declaration_reason(model: CppFile, pto_header: int, only_inst: bool,
                              header_words: frozenset[str] | None) -> str:
    """Why a declaration of the kernel's own before pto's header (at ``pto_header``) may change
    pto's code ('' if none may): the rule a header's declarations there get (_header_reason). A
    function, variable, alias or enumeration of a name pto's code may see is a candidate of its
    unqualified calls or hides what it names (`template <typename... T> void vadd(T... a)`, an
    exact match for every call pto's TADD makes of the intrinsic); a using-directive for `std`
    makes every name of the standard library visible where pto's code looks a global name up."""
    for fn in model.functions:
        name = fn.name.rpartition("::")[2]
        if fn.span.start < pto_header and _seen_by_pto_code(name, only_inst, header_words):
            return (f"{model.source.location(fn.span.start)}: the function '{name}' is defined before pto's "
                    f"header, whose code may then call it ({_how_pto_sees(name, only_inst, header_words)})")
    for decl in model.globals:
        if decl.span.start >= pto_header:
            continue
        if decl.kind == "using-namespace" and decl.path == ("std",):
            return (f"{model.source.location(decl.span.start)}: a using-directive for namespace std before pto's "
                    "header makes the standard library's names candidates of pto's calls of global names")
        name = decl.name.rpartition("::")[2]
        if decl.kind != "using-namespace" and name and _seen_by_pto_code(name, only_inst, header_words):
            return (f"{model.source.location(decl.span.start)}: '{name}' is declared before pto's header, whose "
                    f"code may then see it ({_how_pto_sees(name, only_inst, header_words)})")
    return ""


_PTO_INST = "pto/pto-inst.hpp"
# pto-inst.hpp's include guard (`#ifndef PTO_INST_HPP` / `#define PTO_INST_HPP` around the whole
# file: https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/pto-inst.hpp, and in
# the f35e7f60 checkout): a second `#include <pto/pto-inst.hpp>` compiles nothing.
_PTO_INST_GUARD = "PTO_INST_HPP"


def _pto_inst_included_again(model: CppFile, headers: dict[int, HeaderSummary]) -> set[int]:
    """The offsets of the kernel's includes of a header whose only pto header is pto-inst.hpp,
    included after the kernel's own `#include <pto/pto-inst.hpp>` wherever it is compiled (each
    `#if` group around the earlier include is around the later one too): that header's include of
    pto-inst.hpp compiles nothing (its include guard), so what the header defines comes after
    pto's code, not before it. Not when a macro named like the guard is defined or undefined
    anywhere the model sees (the kernel, its headers, the command line)."""
    defined, undefined = command_line_macros(model.environment)
    if _PTO_INST_GUARD in model.macros or _PTO_INST_GUARD in defined or _PTO_INST_GUARD in undefined \
            or any(_PTO_INST_GUARD in summary.macros for summary in headers.values()):
        return set()
    direct = [offset for spelled, offset in model.includes
              if trusted_header(spelled) and spelled[1:-1].strip() == _PTO_INST]
    if not direct:
        return set()

    def groups_around(offset: int) -> set[int]:
        return {group.index for group in model.conditional_groups if group.body.start <= offset < group.body.end}

    first = min(direct, key=lambda offset: (len(groups_around(offset)), offset))
    around_first = groups_around(first)
    return {offset for offset, summary in headers.items()
            if offset > first and summary.pto_include and summary.pto_headers == {_PTO_INST}
            and around_first <= groups_around(offset)}


def _only_pto_inst(model: CppFile, pto_headers: list[int], headers: dict | None = None, checkout: str = "") -> bool:
    """Whether the pto code the file includes (at ``pto_headers``: its own pto includes and the
    headers that include one, ``headers``' summaries) writes only words pto/pto-inst.hpp's headers
    write: each pto header is pto-inst.hpp, or with the pto-isa ``checkout`` one pto-inst.hpp
    reaches there (header_words.checkout_headers_reached: its words are among those)."""
    reached = checkout_headers_reached(checkout) if checkout else None

    def covered(name: str) -> bool:
        return name == _PTO_INST or (reached is not None and name in reached)

    for spelled, offset in model.includes:
        if offset not in pto_headers:
            continue
        summary = (headers or {}).get(offset)
        if trusted_header(spelled) and spelled[1:].lstrip().startswith("pto/"):
            if not covered(spelled[1:-1].strip()):
                return False
        elif summary is None or not summary.pto_headers or not all(covered(name) for name in summary.pto_headers):
            return False
    return True


def _seen_by_pto_code(name: str, only_inst: bool, header_words: frozenset[str] | None) -> bool:
    """Whether a macro ``name`` defined (or undefined) before pto's header, or a name declared
    there, may change the code pto's headers compile: any name, and when pto/pto-inst.hpp is the
    only pto header (``only_inst``), only one _may_change_pto_code says its code (or the standard
    headers', the toolchain's) sees. (Only pto-inst.hpp's words are listed: another pto header may
    write any name.) The kernel's own macros there but ptoas's (_MACROS_PTO_HEADERS_IGNORE) and a
    header's macros there but the qualifiers defined alike are judged so."""
    return not only_inst or _may_change_pto_code(name, header_words)


def _how_pto_sees(name: str, only_inst: bool, header_words: frozenset[str] | None) -> str:
    """Why pto's header, or a header it includes, may see a macro or declaration ``name`` that
    comes before it (one _seen_by_pto_code says it does)."""
    if not only_inst:
        return ("a pto header other than pto-inst.hpp is included, whose words ptofix does not list: give the "
                "pto-isa checkout the kernel compiles with, `--pto-isa DIR`, to read them")
    if macro_may_change_pto_code(name, header_words):
        return "pto's headers write that name or may form it"
    if toolchain_may_declare(name):
        return "the toolchain may declare that name, and pto's code call it"
    return "the standard headers pto's header includes write that name or may define it as a macro"


def _pto_cannot_call(name: str, summary: HeaderSummary, model: CppFile, header_words: frozenset[str] | None,
                     checkout: str) -> bool:
    """Whether the header's declarations of ``name``, which come before pto/pto-inst.hpp, are
    functions none of pto's calls of ``name`` can choose: every one is a plain function
    (headers.plain_function_params: no default argument, no `...`, no template) requiring more
    arguments than any call pto's headers make (ops.pto_call_arities for the documented commits,
    header_words.checkout_call_arities for the ``checkout`` whose ``header_words`` decide), written
    with no macro, and nothing else may see the name (the standard headers, a name pto may form by
    a paste). Overload resolution drops a candidate that is not viable for the call
    ([over.match.viable]): pto's code compiles as if the declarations were not there.
    docs/reference/pto-facts.md §8.4."""
    fewest = summary.function_params.get(name, -1)
    if fewest < 0:
        return False
    table = pto_call_arities() if header_words is None else checkout_call_arities(checkout) if checkout else None
    counts = table.get(name) if table is not None else None
    if counts is None or fewest <= max(counts) \
            or name in summary.not_functions or name in summary.macro_bodies or standard_headers_may_see(name) \
            or name.endswith("_IMPL") or name.startswith(("g_pto_", "OP_")):
        return False
    kernel_macros = model.macros | frozenset(command_line_macros(model.environment)[0])
    for word in summary.function_words.get(name, set()):
        if word in QUALIFIER_MACROS:
            if not all(_INERT_QUALIFIER.fullmatch(body) for body in summary.macro_bodies.get(word, [])):
                return False
        elif word in summary.macro_bodies or word in kernel_macros or word in pto_macro_names() \
                or may_be_standard_macro(word):
            return False
    return True


def _header_reason(model: CppFile, spelled: str, offset: int, summary: HeaderSummary, before_pto: bool,
                   only_inst: bool, header_words: frozenset[str] | None, checkout: str = "",
                   elsewhere: frozenset[str] = frozenset()) -> str:
    """Why what the header ``#include spelled`` reads makes the file unknown ('' if it does not): it
    cannot be read or summarised, it comes before pto's header and defines, undefines or declares
    a name pto's code may see (_seen_by_pto_code, the rule the kernel's own macros there get), or
    it declares a name the model reads by its spelling, or defines a keyword, that the kernel
    writes."""
    where = model.source.location(offset)
    if summary.unknown:
        return f"{where}: '#include {spelled}': {summary.unknown}"
    kernel_words = set(identifiers(code_only(model.source.text)))
    deciding = _deciding_command_line_macros(model) & summary.macro_bodies.keys()
    if deciding:
        name = min(deciding)
        return (f"{where}: '#include {spelled}' defines or undefines the macro '{name}' ({summary.macros[name]}), "
                "whose -D/-U on the command line decides an #if of the file: which group is compiled is not known")
    if before_pto:
        defined = sorted(name for name, bodies in summary.macro_bodies.items()
                         if _seen_by_pto_code(name, only_inst, header_words)
                         and not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(b) for b in bodies)))
        declared = sorted(name for name in summary.names if _seen_by_pto_code(name, only_inst, header_words)
                          and not (only_inst and name not in elsewhere
                                   and _pto_cannot_call(name, summary, model, header_words, checkout)))
        if defined or declared:
            name = defined[0] if defined else declared[0]
            at = summary.macros[name] if defined else summary.names[name]
            return (f"{where}: '#include {spelled}' comes before pto's header, which then sees its '{name}' "
                    f"({at}; {_how_pto_sees(name, only_inst, header_words)}): it may change pto's code")
        # What acts on pto's code without a name: a pragma (`pack` lays out its structures), a
        # brace left open (pto's code would be inside the header's namespace or block).
        if summary.pragmas:
            pragma = min(summary.pragmas)
            return (f"{where}: '#include {spelled}' comes before pto's header, and its '#pragma {pragma}' "
                    f"({summary.pragmas[pragma]}) may change how pto's code compiles")
        operator = pragma_operator_used(summary)
        if operator:
            return (f"{where}: '#include {spelled}' comes before pto's header, and {operator}: its pragma may "
                    "change how pto's code compiles")
        if summary.open_braces:
            return (f"{where}: '#include {spelled}' comes before pto's header, and the braces of "
                    f"'{summary.open_braces}' do not pair up within it: pto's code may be inside its namespace "
                    "or block")
    # A header's macro the kernel writes outside its function bodies (a declaration, a function's
    # head) may declare or rename anything there, as the file's own would.
    text = model.source.text
    outside: list[str] = []
    start = 0
    for body_span in sorted(fn.body.span for fn in model.functions):
        outside.append(text[start:max(start, body_span.start)])
        start = max(start, body_span.end)
    outside.append(text[start:])
    heads = set(identifiers(code_only(" ".join(outside))))
    macros_outside = sorted(name for name, bodies in summary.macro_bodies.items() if name in heads
                            and not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(b) for b in bodies)))
    if macros_outside:
        name = macros_outside[0]
        return (f"{where}: '#include {spelled}' defines the macro '{name}' ({summary.macros[name]}), which the "
                "kernel writes outside its function bodies: its expansion may declare or rename anything there")
    for name in sorted(set(summary.macro_bodies) & kernel_words):
        for body in summary.macro_bodies[name]:
            if "##" in body or any(body.count(a) != body.count(b) for a, b in ("()", "[]", "{}")):
                return (f"{where}: '#include {spelled}' defines the macro '{name}' ({summary.macros[name]}), which "
                        "pastes tokens or leaves a bracket open, and the kernel writes it: it may call or declare "
                        "any name")
    # A macro the header's namespace scope writes that pto-isa, the kernel or the command line
    # defines may expand to declarations the summary does not see, and a kernel macro named like a
    # header's declaration renames it.
    kernel_macros = model.macros | set(command_line_macros(model.environment)[0])
    foreign = sorted(((set(summary.namespace_words) & ((pto_macro_names() - _PTO_DECLARING_NOTHING) | kernel_macros))
                      | (set(summary.names) & kernel_macros)) - QUALIFIER_MACROS)
    if foreign:
        name = foreign[0]
        at = summary.namespace_words.get(name) or summary.names[name]
        return (f"{where}: '#include {spelled}' writes '{name}' at namespace scope ({at}), a macro pto-isa, "
                "the kernel or the command line defines: its declarations there are not known")
    keywords = sorted(set(summary.macros) & _KEYWORDS)
    if keywords:
        return f"{where}: '#include {spelled}' defines a macro named like the C++ keyword '{keywords[0]}'"
    # (A header's function named like a builtin the model reads as a pure value, `get_block_idx`,
    # makes each call of that name an unknown call instead: FileContext.header_names.)
    spelled_names = sorted(name for name in (set(summary.names) | set(summary.macros)) & kernel_words
                           if _model_reads(name) and name not in QUALIFIER_MACROS
                           and not (name in PURE_FUNCTIONS and name not in summary.macros))
    if spelled_names:
        name = spelled_names[0]
        at = summary.names.get(name) or summary.macros[name]
        return (f"{where}: '#include {spelled}' declares or defines '{name}' ({at}), which the kernel writes and "
                "ptofix reads as pto's or a builtin type")
    return ""


class FileContext:
    """What every function of a file shares: file-scope type aliases, macros, local functions."""

    def __init__(self, model: CppFile, translation_unit: bool = True, isa: IsaFacts = EVERY_VERSION):
        self.model = model
        # Whether the file is a whole translation unit: its static functions are called from it
        # only. Not when another file #includes it (ptofix build's caller), which may call them.
        self.translation_unit = translation_unit
        # The headers the kernel includes that ptofix reads (headers.py): their macros are the
        # file's for every statement (but the qualifiers both define alike), and what they declare
        # at namespace scope may compete with the file's functions.
        self.headers = read_includes(model, model.environment.include_dirs)
        # Whether every name the file can see is declared where ptofix reads it: its own text, the
        # headers it includes (read, pto-isa's or the standard library's) and the compiler's
        # reserved names. Not for a file another one #includes (`ptofix build`'s caller, whose own
        # includes come first) or one that does not include pto's header itself (pto's names then
        # come from elsewhere: a forced include, an including file).
        self.headers_known = all(not summary.unknown for summary in self.headers.values()) and translation_unit \
            and any(trusted_header(spelled) and spelled[1:].lstrip().startswith("pto/")
                    for spelled, _ in model.includes)
        header_macros = {name for summary in self.headers.values() for name, bodies in summary.macro_bodies.items()
                         if not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(body)
                                                                  for body in bodies))}
        self.header_names = frozenset(name for summary in self.headers.values() for name in summary.names)
        # A macro of the compiler's command line (`-D`) is the file's own for every statement.
        self.command_line_macros = frozenset(command_line_macros(model.environment)[0])
        self.macros = model.macros | frozenset(header_macros) | self.command_line_macros
        # The pto-isa facts of the headers the kernel compiles with (the union of every version
        # when not known).
        self.isa = isa
        # Why a function is unknown when what the model cannot read reaches only some functions
        # (unmodelled_file's per_function): id(function) -> the reason.
        self.unknown_functions: dict[int, str] = {}
        self.unmodelled = unmodelled_file(model, headers=self.headers, header_words=isa.header_words,
                                          count_mode=False, checkout=isa.checkout,
                                          per_function=self.unknown_functions)
        for fn in model.functions:
            if isinstance(fn.body, OpaqueStmt) and fn.body.reason == CROSSING_GROUPS:
                self.unknown_functions.setdefault(id(fn), f"{model.source.location(fn.span.start)}: {CROSSING_GROUPS}")
        # Where the file may switch the vector unit to count mode, when every such place is a
        # statement of a function body (else the whole file is unmodelled, as before): id of the
        # function -> [(statement, what it names, where)]; and the names of the functions that may
        # return in count mode (they, or a function they call, name one). vector_cfg then takes
        # every op that may run in count mode as unknown (FunctionCFG._mask_mode).
        self.count_mode_points: dict[int, list[tuple[Stmt, str, str]]] = {}
        self.count_mode_functions: frozenset[str] = frozenset()
        self.count_mode_named = ""           # "'TCI' at file:line:col", the first such name
        self.tracks_mask_mode = False
        if not self.unmodelled:
            self.unmodelled = _header_count_mode(self.headers)
        if not self.unmodelled:
            mode = _count_mode_name_of(model.source)
            if mode:
                self.unmodelled = self._locate_count_mode(mode)
        self.scope = Scope(None)
        self.unparsed = 0
        by_name: dict[str, list[Function]] = {}
        for fn in model.functions:
            # A call `name(...)` from a free function never reaches a member `Owner::name`, but from
            # a member of Owner it does: such a name is neither a local function nor pto's (below).
            # Nor is a definition under a file-scope #if (another one may be compiled instead).
            if not fn.qualified and not fn.conditional:
                by_name.setdefault(fn.name, []).append(fn)
        self.functions = by_name
        self._semantics: dict[int, FunctionSemantics | None] = {}
        self._building = 0                  # FunctionSemantics being built, one inside another
        # Why a value model of the file ran out of steps ('' while none did): see ValueModel._out_of_steps.
        self.values_exhausted = ""
        self._declaration_facts: dict[int, tuple[bool, str]] = {}
        self._name_counts: dict[str, int] | None = None
        self._possible_kernels: frozenset[int] | None = None
        self._variables: frozenset[str] | None = None    # declares_variable(), read on first use
        self._constants: dict[str, tuple[IntType, int]] | None = None   # file_constant(), read on first use
        # A macro may paste tokens into any name (`h##x`): then no name count is complete. pto's
        # headers define such macros too (PTO_PASTING_MACROS: `MAP_INSTR_IMPL(TSQUARE, a, b)` calls
        # `TSQUARE_IMPL`), which a file may use.
        self.pastes_tokens = "##" in model.source.text or any(
            _spells(model.source, name) for name in PTO_PASTING_MACROS)
        # Every identifier a file-scope declaration mentions (variables, constants, enumerators,
        # function prototypes, struct members): such a name may shadow a pto enumerator
        # (`PIPE_V`, `EVENT_ID0`) or an op (`TADD`) for the functions of the file, so it never
        # reads as one. A lexical over-approximation: ptoas's file scope names none of them.
        # (Each file-scope declaration's words, read once for the sets below.)
        # (`using pto::BLayout;` names pto's own entity: not the file's.)
        global_words = [list(decl.words) for decl in model.globals if decl.kind != "using-pto-name"]
        self.file_scope_names = frozenset([name for words in global_words for name in words]
                                          + [fn.name for fn in model.functions if fn.qualified or fn.conditional])
        # Type names a file-scope declaration introduces (`using X =`, `struct X`, `template <...>
        # using X = ...`, `typedef ... X;`): an unqualified `Tile<...>` or `GlobalTensor<...>` is
        # then the file's own type, not pto's.
        self.file_scope_types: set[str] = set()
        # Of those, the enumerations (`enum X`, `enum class X`): plain values, no destructor.
        enums: set[str] = set()
        for words in global_words:
            if words and words[0] == "typedef":
                self.file_scope_types.add(words[-1])
            self.file_scope_types.update(words[i + 1] for i, word in enumerate(words[:-1])
                                         if word in ("using", "struct", "class", "union", "enum"))
            enums.update(words[i + 2] if words[i + 1] in ("class", "struct") and i + 2 < len(words) else words[i + 1]
                         for i, word in enumerate(words[:-1]) if word == "enum")
        # A name also declared another way (`struct X` too) is not known to be an enumeration.
        others = {words[i + 1] for words in global_words for i, word in enumerate(words[:-1])
                  if word in ("using", "struct", "class", "union") and not (i and words[i - 1] == "enum")}
        self.file_scope_enums = frozenset(enums - others)
        # Of those, the scoped ones ptofix reads exactly (`enum class E : int {...};`): their
        # enumerators convert to nothing, so no built-in function takes one.
        scoped = {decl.name for decl in model.globals if decl.kind == "scoped-enum"} & self.file_scope_enums
        # (The raw text first: a use that only a comment or string holds is read again on the code.)
        text = model.source.text
        unsure = {name for name in scoped if not _only_names_the_enumeration(text, name)}
        code = code_only(text) if unsure else ""
        self.scoped_enums = frozenset(name for name in scoped
                                      if name not in unsure or _only_names_the_enumeration(code, name))
        # Class types the file declares (`struct X`, not `enum class X`): a name spelled like a
        # builtin (`namespace nn { struct int64_t {...}; }`) is then no scalar.
        self.file_scope_classes = frozenset(
            words[i + 1] for words in global_words
            for i, word in enumerate(words[:-1]) if word in ("struct", "class", "union")
            and not (i and words[i - 1] == "enum"))
        for index, decl in enumerate(model.globals):
            # Only type aliases matter at file scope (a global variable is unknown-valued anyway).
            words = list(decl.words)
            if not ("typedef" in words or (words[:1] == ["using"] and "=" in decl.text)):
                continue
            ast = decl.stmt.ast
            uses_macro = any(name in self.macros and not (name in _QUALIFIER_WORDS and name in model.empty_macros)
                             for name in words)
            if uses_macro or not isinstance(ast, A.TypeAlias) and words[0] not in ("struct", "class", "union", "enum"):
                # `typedef uint16_t offset_t, int64_t;`, `uint16_t typedef int64_t;`, `using int64_t
                # = ::uint16_t;`: an alias the grammar does not read may name any of its words; so
                # may one that names a macro (`#define half float` before `using TH = Tile<..., half,
                # ...>`), which the model would read as written.
                for name in words:
                    if name not in _KEYWORDS:
                        self.scope.set_alias(name, A.TypeRef(0, 0, f"<type '{name}' may be aliased by an "
                                                                   "unreadable declaration>"))
                continue
            if isinstance(ast, A.TypeAlias) and index in model.partial_globals:
                # `namespace h { using uint16_t = unsigned long; }`, an alias under #if or after a
                # function: some function sees the name's other meaning (::uint16_t).
                self.scope.set_alias(ast.name, A.TypeRef(0, 0, f"<type '{ast.name}' aliased where not every "
                                                               "function sees it>"))
            elif isinstance(ast, A.TypeAlias):
                # The same name aliased twice at file scope (in two namespaces, or one of them
                # under #if): which one a function sees is not modelled.
                seen = self.scope.aliases.get(ast.name)
                if seen is None:
                    self.scope.set_alias(ast.name, ast.type)
                elif seen.name != ast.type.name or seen.template is not None or ast.type.template is not None \
                        or seen.pointer != ast.type.pointer or seen.ref != ast.type.ref:
                    self.scope.set_alias(ast.name, A.TypeRef(0, 0, f"<type '{ast.name}' aliased twice>"))

    def _locate_count_mode(self, mode: str) -> str:
        """Fill count_mode_points and count_mode_functions, or say why the file stays unmodelled:
        a count-mode name outside the code of a function body's statement (file scope, a macro, a
        comment, a function's head, a lambda or a braced initializer) or that cannot be located."""
        model = self.model
        whole_file = (f"the file names '{mode}', which may leave the vector unit in count mode: element-wise "
                      "ops then walk as many elements as the vector mask says, in any function the file runs "
                      "after it")
        text = model.source.text
        if "$" in text or _has_splice(text):
            return whole_file
        bodies = [(fn, fn.body) for fn in model.functions if isinstance(fn.body, Compound)]
        points: dict[int, list[tuple[Stmt, str, str]]] = {}
        tainted: set[str] = set()
        offsets = _count_mode_offsets(text)
        if len(offsets) > _MAX_COUNT_MODE_PLACES:
            return whole_file           # (each place walks its function's statements)
        for offset, name in offsets:
            owner = next(((fn, body) for fn, body in bodies if body.span.start < offset < body.span.end), None)
            if owner is None:
                return whole_file
            fn, body = owner
            stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                       key=lambda s: s.span.end - s.span.start, default=None)
            # (A statement's header, for a loop or branch: its events are the count point.)
            if not isinstance(stmt, (SimpleStmt, ForStmt, IfStmt, SwitchStmt)) \
                    or (isinstance(stmt, SimpleStmt) and "{" in stmt.text) \
                    or not _count_mode_name(code_only(text[stmt.span.start:stmt.span.end])):
                return whole_file
            if scalar_tci_call(stmt, offset):
                continue        # the scalar TCI leaves the mask mode alone
            where = model.source.location(offset)
            points.setdefault(id(fn), []).append((stmt, name, where))
            self.count_mode_named = self.count_mode_named or f"'{name}' at {where}"
            tainted.add(fn.name)
        if not points:
            return ""           # only scalar TCIs: as a file that names none
        # The functions that may return in count mode: those naming it and, transitively, their
        # callers (by name: a lexical over-approximation). One more function each round.
        # (Every function: one whose body the model cannot read may call such a function too.)
        words = [(fn.name, set(identifiers(code_only(text[fn.body.span.start:fn.body.span.end]))))
                 for fn in model.functions]
        for _ in range(len(words)):
            grown = {fn_name for fn_name, used in words if fn_name not in tainted and not used.isdisjoint(tainted)}
            if not grown:
                break
            tainted |= grown
        self.count_mode_points = points
        self.count_mode_functions = frozenset(tainted)
        self.tracks_mask_mode = True
        return ""

    def exhausted(self) -> str:
        """values_exhausted, read through a call: a check of it after a call that may have set it
        is then not taken for one the type checker (and mypyc) have narrowed before that call."""
        return self.values_exhausted

    def semantics(self, fn: Function) -> FunctionSemantics | None:
        """The semantic model of ``fn`` (None while it is being built: recursion)."""
        key = id(fn)
        if key in self._semantics:
            return self._semantics[key]
        if self._building >= MAX_CALLEE_NESTING:
            return None                 # (not kept: built when asked for from a shallower call)
        self._semantics[key] = None
        self._building += 1
        try:
            sem = FunctionSemantics(fn, self)
        finally:
            self._building -= 1
        self._semantics[key] = sem
        return sem

    def name_count(self, name: str) -> int:
        """How often the name of one of the file's functions, ``name``, occurs in the file's text
        as an identifier, line splices joined (a lexical count, comments and strings included)."""
        if self._name_counts is None:
            text = self.model.source.text
            self._name_counts = count_identifiers(join_splices(text) if _has_splice(text) else text,
                                                  {fn.name for fn in self.model.functions})
        return self._name_counts.get(name, 0)

    def declaration_facts(self, fn: Function) -> tuple[bool, str]:
        """(whether ``fn`` is a template, why a call may run code for its return value), once."""
        key = id(fn)
        facts = self._declaration_facts.get(key)
        if facts is None:
            facts = self._declaration_facts[key] = ("template" in fn.declaration.words,
                                                    _return_reason(fn))
        return facts

    def possible_kernels(self) -> frozenset[int]:
        """ids of the functions that may be kernel entries: the declaration says `__global__`
        (also where a directive inside it keeps the parser from taking it as an entry), or names
        a macro of the file (`#define KERNEL __global__ AICORE`)."""
        if self._possible_kernels is None:
            self._possible_kernels = frozenset(
                id(fn) for fn in self.model.functions
                if fn.is_entry or "__global__" in (words := fn.declaration.words)
                or not self.macros.isdisjoint(words))
        return self._possible_kernels

    def local_function(self, name: str) -> Function | None:
        fns = self.functions.get(name)
        return fns[0] if fns and len(fns) == 1 else None

    def is_local_name(self, name: str) -> bool:
        return name in self.functions

    def may_be_macro(self, name: str) -> bool:
        """Whether ``name``, which the file does not declare, may be a macro (which may expand to a
        jump): one of the file's or its read headers', pto-isa's, one the standard library may
        define, or any name while a header is not read."""
        return not self.headers_known or name in self.macros or name in pto_macro_names() \
            or may_be_standard_macro(name) or may_be_command_line_macro(name)

    def macro_origin(self, name: str) -> str:
        """' (...)' naming where a macro ``name`` comes from when the model cannot see it: the
        compiler's command line ('' otherwise)."""
        return f" (-D{name} on the command line)" if name in self.command_line_macros else ""

    def may_be_toolchain_function(self, name: str) -> bool:
        """Whether a global function ``name`` other than the file's may be declared: by pto-isa or
        the compiler (toolchain_may_declare), the standard library, or a header the file includes."""
        return not self.headers_known or name in self.header_names or toolchain_may_declare(name)

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        """(type, value) of a file-scope integer constant ``name`` every function sees, or None.
        Read exactly only: `constexpr` (a constant expression, never written), of a builtin integer
        type the file does not alias, declared once in the file (no other declaration of the name:
        no namespace of the file nor header of the kernel's declares it too, so no lookup finds
        another), no macro, no name ptofix reads as pto's, outside any #if group or namespace some
        function is not in and before every function (CppFile.partial_globals), its initializer
        integer literals, earlier such constants, `sizeof` of a builtin type and integer
        arithmetic, computed as C++ does (integers.py). Hand-written kernels lay out their UB this
        way (`constexpr uint32_t kBase = 2 * kRows * sizeof(float);`)."""
        if self._constants is None:
            self._constants = self._read_constants()
        return self._constants.get(name)

    def _read_constants(self) -> dict[str, tuple[IntType, int]]:
        model = self.model
        declared = Counter(word for decl in model.globals
                           for word in ([decl.name] if decl.kind in ("variable", "alias", "alias-template",
                                                                     "scoped-enum") else decl.words))
        declared.update(fn.name.rpartition("::")[2] for fn in model.functions)
        out: dict[str, tuple[IntType, int]] = {}
        for index, decl in enumerate(model.globals):
            ast = decl.declarator
            if index in model.partial_globals or decl.attributes or not isinstance(ast, A.Decl) or ast.init is None:
                continue
            type_ = ast.type
            name = ast.name
            if "constexpr" not in type_.quals or not set(type_.quals) <= _CONSTANT_QUALIFIERS or type_.pointer \
                    or type_.ref or type_.template is not None or type_.name not in INTEGER_TYPES \
                    or type_.name in self.scope.aliases or type_.name in self.file_scope_types:
                continue
            if declared[name] != 1 or name in self.macros or _model_reads(name) \
                    or self.may_be_toolchain_function(name) or name in self.file_scope_types or "::" in name:
                continue
            value = self._constant_value(ast.init, out)
            if value is not None:
                ctype = IntType(*INTEGER_TYPES[type_.name])
                out[name] = (ctype, wrap(value[1], ctype))
        return out

    def _constant_value(self, node: Any, known: dict[str, tuple[IntType, int]]) -> tuple[IntType, int] | None:
        """(type, value) of a file-scope constant's initializer (_read_constants), None when it is
        anything else."""
        if isinstance(node, A.Number):
            ctype = literal_type(node)
            return (ctype, node.value) if isinstance(ctype, IntType) and isinstance(node.value, int) else None
        if isinstance(node, A.Name):
            return known.get(node.id)
        if isinstance(node, A.SizeOf):
            arg = node.arg
            if not isinstance(arg, A.TypeRef) or arg.template is not None or arg.pointer or arg.ref or arg.quals \
                    or arg.name in self.scope.aliases or arg.name in self.file_scope_types or arg.name in self.macros:
                return None
            size = _BUILTIN_SIZES.get(arg.name)
            return None if size is None else (_SIZE_T, size)
        if isinstance(node, A.Unary) and node.op in ("-", "+", "~"):
            inner = self._constant_value(node.operand, known)
            if inner is None:
                return None
            ctype = promote(inner[0])
            value = unary_value(node.op, inner[1], ctype)
            return None if value is None else (ctype, value)
        if isinstance(node, A.Binary) and node.op in _CONSTANT_OPERATORS:
            left, right = self._constant_value(node.left, known), self._constant_value(node.right, known)
            if left is None or right is None:
                return None
            value = binary_value(node.op, left[1], right[1], left[0], right[0])
            return None if value is None else (binary_type(node.op, left[0], right[0]), value)
        return None

    def declares_variable(self, name: str) -> bool:
        """Every function of the file sees a file-scope variable ``name`` (`constexpr int32_t N =
        4;`, `extern float S;`): a declaration the grammar reads as one, outside a namespace or
        #if branch some function does not see. Words of comments, types, prototypes (`void f(T);`
        reads as an object built from T) and initializers are no such proof."""
        if self._variables is None:
            partial = self.model.partial_globals
            self._variables = frozenset(
                ast.name for index, decl in enumerate(self.model.globals)
                if index not in partial and isinstance(ast := decl.stmt.ast, A.Decl) and ast.ctor_args is None)
        return name in self._variables

    def built(self) -> set[int]:
        """ids of the functions whose semantic model has been asked for."""
        return set(self._semantics)

    def forget(self, functions: list[Function]) -> None:
        """Drop the semantic models of ``functions`` once their analysis is done (memory). Their
        cycles are broken too (a model and its ValueModel point at each other, a definition's env
        holds its own symbol), as the cyclic collector is paused while a pass runs."""
        for fn in functions:
            sem = self._semantics.pop(id(fn), None)
            if sem is not None:
                sem.release()


class FunctionSemantics:
    """Symbols, value definitions and one StmtInfo per statement of one function."""

    __deletable__ = ("values",)      # mypyc: release() deletes it

    def __init__(self, fn: Function, ctx: FileContext):
        self.fn = fn
        self.ctx = ctx
        self.info: dict[int, StmtInfo] = {}          # id(stmt) -> info (headers: id of the For/If/Switch)
        self._statements_read = 0                    # (signals.checkpoint)
        self._first_namers: dict[int, dict[str, Stmt]] = {}     # _first_naming by id(Compound)
        # id(ForStmt) -> StmtInfo of its init, condition and step (None for an empty part)
        self.header_parts: dict[int, tuple] = {}
        self.symbols: list[Symbol] = []
        self.params: list[Symbol] = []
        self.param_refs: list[bool] = []             # parameter passed by reference or pointer
        self.unparsed: list[SimpleStmt] = []
        self.writes_everything: str | None = None  # a macro-like statement may write any variable
        # Names a statement the model cannot read mentions: it may declare them (`auto TADD = [&]
        # ...;`), so from there on none of them reads as a pto op or enumerator (_not_pto_name).
        self.maybe_declared: set[str] = set()
        self._switch_scopes: set[Scope] = set()      # the body scope of each switch (case labels' reach)
        # Names of the type aliases declared in the body: a cast, read after the walk without its
        # statement's scope, cannot tell which alias of such a name it meant.
        self.local_alias_names: set[str] = set()
        self._tile_types: dict[int, tuple[A.TemplateId, TileType]] = {}    # template_tile_type
        # Why control flow may leave a statement other than as written: a macro or an included
        # file may expand to `break`, `continue`, `return`, `goto` or a `case` label.
        self.hidden_jump: str | None = None
        self._jump_located = False
        # Set while a statement is read when it may leave code to run at the end of its block (a
        # destructor, a cleanup attribute); stored per statement in scope_exit.
        self.scope_exit_code = ""
        self.scope_exit: dict[int, str] = {}         # id(stmt) -> why code may run at its block's end
        self.class_params = ""                       # why a parameter may be an object passed by value
        self.param_defaults: list[str] = []          # per parameter: why its default may run code
        # Every template parameter may name a type (`template <Concept T>` has no `typename`),
        # and a non-type one also a value (declared below).
        declared_types = _template_params(fn.declaration.words)
        value_params = _template_value_params(fn)
        self.template_params = declared_types | value_params
        scope = Scope(ctx.scope)
        head_macro = self._macro_in(fn.declaration.text)
        owner = fn.declaration.owner
        if ctx.unmodelled:
            self.hidden_jump = ctx.unmodelled
            self._jump_located = True
        elif id(fn) in ctx.unknown_functions:
            self.hidden_jump = ctx.unknown_functions[id(fn)]
            self._jump_located = True
        elif owner:
            # `void K::run() {...}`: in the body a name is looked up in K first, whose member
            # aliases and variables (`using int64_t = uint16_t;`) the model does not read (and
            # whether K is a class or a namespace rests on declarations it may misread).
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: a member of '{owner}', whose " \
                               "class scope the model does not read"
            self._jump_located = True
        elif head_macro:
            # `TPL void h()` with `#define TPL template <pipe_t PIPE_ALL>`: its template head,
            # qualifiers or parameters are not what the model reads.
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: the function's declaration uses " \
                               f"the macro '{head_macro}'"
            self._jump_located = True
        for name in value_params - declared_types:
            # `template <pipe_t PIPE_ALL>`: in the body the name is the instantiation's value, not
            # pto's enumerator; as a local symbol it is unknown-valued and never reads as pto's.
            self._new_symbol(scope, name, "scalar").make_unknown("non-type template parameter")
        self._declare_params(scope)
        self._param_baseline = [(len(p.defs), len(p.bindings)) for p in self.params]
        self.generic_params_used: set[int] = set()
        self._leaf: bool | None = None               # _is_leaf(), read on first use
        self._flag_symbols: list[Symbol] = []
        body = fn.body
        # Where each label of the body is and each goto with its label, by offset: a jump over
        # the statement that binds a variable first leaves it in its unbound first state (_block).
        self._label_offsets: dict[str, int] = {}
        self._gotos: list[tuple[int, str]] = []
        if isinstance(body, Compound) and ctx.model.source.text.find("goto", body.span.start, body.span.end) >= 0:
            for stmt in body.walk():
                if isinstance(stmt, LabelStmt):
                    self._label_offsets.setdefault(stmt.name, stmt.span.start)
                elif isinstance(stmt, GotoStmt):
                    self._gotos.append((stmt.span.start, stmt.label))
        # Where each tile's valid shape and address come from, statement by statement (tile_flow).
        self._flow = TileFlow()
        self._shadows: list[Symbol] = []
        if isinstance(body, Compound):
            self._block(body.body, Scope(scope))
        self._read_whole_body(ctx, fn)
        self._flow_views()
        self.values = ValueModel(self)

    def _read_whole_body(self, ctx: FileContext, fn: Function) -> None:
        """What the body read as a whole says (a method of its own: compiled, the attributes the
        body's statements set are read with the types they are declared with, not those the
        constructor gave them before reading it)."""
        # A name the model reads by its spelling (`pto`, `BLayout`, `Shape`...) that the function
        # may declare (a template parameter, a block-scope struct or namespace alias, a statement
        # it cannot read): `pto::TMUL` and `BLayout::RowMajor` there may be the function's own.
        spelled = (self.template_params | self.maybe_declared | {sym.name for sym in self.symbols}) \
            & PTO_SPELLED_NAMES
        if spelled and not self.hidden_jump:
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: '{min(spelled)}' may be declared in " \
                               "the function, so a name it qualifies may not be pto's"
            self._jump_located = True
        # The statement grammars read `size_t`, `int64_t`, `half`... as the builtin types by their
        # spelling: a variable, parameter or template parameter so named (`int32_t size_t = -8;`
        # makes `(size_t) + 4096` a sum, not a cast) changes what the statements mean.
        renamed = (self.template_params | {sym.name for sym in self.symbols if sym.kind != "type"}) \
            & _GRAMMAR_TYPE_WORDS
        if renamed and not self.hidden_jump:
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: '{min(renamed)}' is declared in the " \
                               "function as another name than the type the statement grammar reads it as"
            self._jump_located = True
        if self.writes_everything:
            for sym in self.symbols:
                sym.make_unknown(self.writes_everything)

    # -- declarations -------------------------------------------------------------------------
    def release(self) -> None:
        """Break the model's reference cycles once its function's analysis is done (the cyclic
        collector is paused while a pass runs): a definition's environment holds its own symbol,
        the value model and this model point at each other."""
        for sym in self.symbols + self._shadows:
            sym.defs = []
            sym.bindings = []
            sym.pipe_ctor = None
        self._shadows.clear()
        self.values.release()
        del self.values
        self.info.clear()
        self._first_namers.clear()
        self.header_parts.clear()
        self.symbols.clear()
        self.params.clear()
        self._switch_scopes.clear()
        self._tile_types.clear()
        self._flag_symbols.clear()

    def _new_symbol(self, scope: Scope, name: str, kind: str) -> Symbol:
        sym = Symbol(name, len(self.symbols), kind)
        self.symbols.append(sym)
        scope.names[name] = sym
        return sym

    def _declare_params(self, scope: Scope) -> None:
        for param in self.fn.parameters:
            text = param.text
            ast = param.declarator if text and not self._macro_in(text) else None
            if isinstance(ast, A.Decl) and ast.name:
                sym = self._declare(scope, ast)
                is_ref = self._may_be_reference(ast.type, scope)
            else:
                # An unnamed, defaulted or unreadable parameter: its name (if any) is unknown-valued,
                # and any word of an unreadable one may be the name it declares (`F TMUL
                # [[maybe_unused]]` declares TMUL, `int (*PIPE_V)(int)` PIPE_V).
                if ast is None:
                    self.maybe_declared.update(param.words)
                name = param.words[-1] if param.words else ""
                sym = self._new_symbol(scope, name or f"<param {len(self.params)}>", "unknown")
                sym.make_unknown("parameter not understood")
                is_ref = True
                if isinstance(ast, A.Decl) and ast.init is not None:
                    sym.name = ast.name
                    scope.names[ast.name] = sym
                    is_ref = self._may_be_reference(ast.type, scope)
            sym.is_param = True
            # The incoming value of every parameter is unknown (it may also be reassigned).
            sym.make_unknown("function parameter")
            self.params.append(sym)
            self.param_refs.append(is_ref)
            self.param_defaults.append(self._default_reason(ast, text))
            if not self.class_params and self._may_be_class_by_value(ast, sym, text, scope):
                self.class_params = f"parameter '{sym.name}' may be an object passed by value " \
                                    "(its destructor runs when the function returns)"

    def _default_reason(self, ast: Any, text: str) -> str:
        """Why the default argument of a parameter may run code ('' if none, or a plain value): it is
        evaluated at each call that omits it, in the caller."""
        init = ast.init if isinstance(ast, A.Decl) else None
        if init is None:
            return "a default argument ptofix cannot read" if ast is None and "=" in text else ""
        enums = self.ctx.file_scope_enums | MODE_ENUMS
        for node in A.walk(init):
            if not isinstance(node, _PLAIN_VALUE_NODES) or getattr(node, "op", "") in ("++", "--") or \
                    (isinstance(node, A.Name) and node.id.rpartition("::")[0].rpartition("::")[2] not in enums):
                # (A name other than an enumerator may be an object whose conversion runs code.)
                return f"default argument '{text.split('=', 1)[1].strip()}'"
        return ""

    def _may_be_class_by_value(self, ast: Any, sym: Symbol, text: str, scope: Scope) -> bool:
        """A parameter whose passing may run code: a class (or template-parameter type) passed by
        value is constructed and destroyed; a reference to a class type may bind a temporary the
        caller constructs and destroys (`h(5)` for `h(const Conv&)`). A reference of a template
        parameter type binds its argument itself (explicit template arguments are refused at the
        call)."""
        if not isinstance(ast, A.Decl):
            return text.strip() not in ("", "void", "...")
        resolved = self.resolve_type(ast.type, scope)
        if resolved.pointer:
            return False
        if resolved.ref:
            return sym.kind == "unknown" and not sym.generic
        if sym.generic:
            return True
        if resolved.template is None and resolved.name in self.ctx.file_scope_enums:
            return False
        return sym.kind == "unknown"

    def _may_be_reference(self, type_: A.TypeRef, scope: Scope) -> bool:
        """A parameter of this type may let the callee write the caller's variable: a reference
        or pointer once aliases are followed, or a type the model cannot see through (a template
        parameter, an alias from a header: either may stand for a reference)."""
        resolved = self.resolve_type(type_, scope)
        if resolved.ref or resolved.pointer > 0 or resolved.name in self.template_params:
            return True
        base = _strip_pto(resolved.name)
        if resolved.template is not None:
            return not (resolved.name in _TILE_TYPES or base.split("::")[0] in _VALUE_OBJECT_TYPES)
        return not (resolved.name in _INT_TYPES or resolved.name in _FLOAT_TYPES
                    or base.split("::")[0] in _VALUE_OBJECT_TYPES)

    def resolve_type(self, type_: A.TypeRef, scope: Scope) -> A.TypeRef:
        """Follow `using`/`typedef` aliases (keeping the outer reference/pointer/qualifiers). A name a
        statement the model cannot read may have declared (`typedef float T, *P;`) is no type it
        knows."""
        if type_.name in self.maybe_declared:
            return A.TypeRef(type_.start, type_.end, f"<'{type_.name}' may be redeclared>", None,
                             type_.pointer, type_.quals, type_.ref)
        seen = 0
        # A template parameter hides any alias of its name (its type is the instantiation's).
        while type_.template is None and seen < 16 and type_.name not in self.template_params:
            target = scope.alias(type_.name)
            if target is None:
                break
            if target.name in self.maybe_declared:
                # `using U2 = U1;` with U1 maybe redeclared here: no longer the U1 the alias named.
                return A.TypeRef(type_.start, type_.end, f"<'{target.name}' may be redeclared>", None,
                                 type_.pointer, type_.quals, type_.ref)
            type_ = A.TypeRef(type_.start, type_.end, target.name, target.template,
                              target.pointer + type_.pointer, tuple(target.quals) + tuple(type_.quals),
                              target.ref or type_.ref)
            seen += 1
        if type_.template is None and type_.name in self.ctx.file_scope_classes:
            return A.TypeRef(type_.start, type_.end, f"<class '{type_.name}' of this file>", None,
                             type_.pointer, type_.quals, type_.ref)
        return type_

    def template_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        """The tile type ``Tile<...>`` names. A kernel declares the same few tile types many times
        and their statements share one template node (stmt_parser._template): its type is kept by
        node while nothing can make the node's words name something else (a local alias, a
        template parameter, a name a statement ptofix cannot read may declare; each of these only
        grows during the walk, so a type kept while there were none is still right)."""
        plain = not (self.local_alias_names or self.maybe_declared or self.template_params)
        if plain:
            kept = self._tile_types.get(id(tmpl))
            if kept is not None and kept[0] is tmpl:
                return kept[1]
        tile = self._read_tile_type(tmpl, scope)
        if plain:
            self._tile_types[id(tmpl)] = (tmpl, tile)
        return tile

    def _read_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        args = tmpl.args

        def word(node: Any) -> str | None:
            if isinstance(node, A.Name):
                return node.id
            if isinstance(node, A.TypeRef):
                resolved = self.resolve_type(node, scope)
                return resolved.name if not resolved.pointer and resolved.template is None else None
            return None

        def num(node: Any) -> int | None:
            if isinstance(node, A.Number) and isinstance(node.value, int):
                return node.value
            if isinstance(node, A.Unary) and node.op == "-" and isinstance(node.operand, A.Number) \
                    and isinstance(node.operand.value, int):
                return -node.operand.value
            return None

        space_word = word(tile_arg(args, "loc"))
        space = None
        if space_word is not None:
            stripped = _strip_pto(space_word)
            if stripped.startswith("TileType::") and stripped[len("TileType::"):] in TILE_SPACES:
                space = stripped[len("TileType::"):]
        dtype = word(tile_arg(args, "dtype"))
        if dtype in self.template_params or dtype in self.maybe_declared:
            dtype = None            # the element type of each instantiation, or maybe redeclared
        if dtype is not None:
            # The whole alias chain (`using E = hifloat8_t;` after `using hifloat8_t = float;` is float).
            resolved = self.resolve_type(A.TypeRef(0, 0, dtype), scope)
            dtype = resolved.name if resolved.template is None and not resolved.pointer else None
            if dtype_size(dtype) is None:
                dtype = None
        rows = num(tile_arg(args, "rows"))
        cols = num(tile_arg(args, "cols"))
        layout_node = tile_arg(args, "blayout")
        layout_word = word(layout_node) if layout_node is not None else "BLayout::" + TILE_DEFAULTS["blayout"]
        blayout = _strip_pto(layout_word or "?").split("::")[-1] if layout_word else "?"
        if layout_word and not _strip_pto(layout_word).startswith("BLayout::"):
            blayout = "?"
        valid_row_node, valid_col_node = tile_arg(args, "valid_row"), tile_arg(args, "valid_col")
        vr = num(valid_row_node) if valid_row_node is not None else rows
        vc = num(valid_col_node) if valid_col_node is not None else cols
        return TileType(space, dtype, rows if rows and rows > 0 else None, cols if cols and cols > 0 else None,
                        blayout, vr if vr is not None and vr >= 0 else None, vc if vc is not None and vc >= 0 else None)

    @staticmethod
    def _shadow_dependent_aliases(scope: Scope, name: str) -> None:
        """A local alias ``name`` is about to hide an outer one. C++ bound the names of every alias
        already visible when that alias was declared (`using TT = Tile<..., E, ...>` keeps the
        outer E), but the model reads an alias's words where it is used: from here on, an alias
        whose target names ``name`` is no type the model knows."""
        outer: Scope | None = scope
        inner: list[Scope] = []      # the scopes seen: their aliases hide an outer one's of that name
        while outer is not None:
            users = outer.alias_users.get(name)
            if users:
                for alias in list(users):
                    if not any(alias in seen.aliases for seen in inner):
                        scope.set_alias(alias, A.TypeRef(0, 0, f"<type '{alias}' names '{name}', which a local "
                                                                "alias hides here>"))
            inner.append(outer)
            outer = outer.parent

    def _declare(self, scope: Scope, decl: A.Decl) -> Symbol:
        sym = self._declare_symbol(scope, decl)
        sym.type_ref = self.resolve_type(decl.type, scope)
        if "volatile" in sym.type_ref.quals:
            sym.make_unknown("volatile: may change outside the program")
        return sym

    def _declare_symbol(self, scope: Scope, decl: A.Decl) -> Symbol:
        type_ = self.resolve_type(decl.type, scope)
        name = decl.name
        base = _strip_pto(type_.name)
        if type_.name in self.template_params and type_.template is None and not type_.pointer:
            # Whatever its spelling (`template <typename int64_t>`, `typename Shape`): the
            # instantiation's type, which may be a class or a reference.
            sym = self._new_symbol(scope, name, "object")
            sym.generic = True
            return sym
        if type_.name in self.ctx.file_scope_types and (type_.name in _TILE_TYPES or type_.name in _VALUE_OBJECT_TYPES):
            sym = self._new_symbol(scope, name, "unknown")
            sym.make_unknown(f"'{type_.name}' is a type this file declares, not pto's")
            return sym
        if type_.template is not None and type_.name in _TILE_TYPES and decl.array:
            sym = self._new_symbol(scope, name, "array")     # elements are not modelled one by one
            sym.make_unknown("array of tiles")
            return sym
        if type_.template is not None and type_.name in _TILE_TYPES and not type_.pointer:
            sym = self._new_symbol(scope, name, "tile")
            sym.tile = self.template_tile_type(type_.template, scope)
            if type_.ref:
                sym.bindings.append(("unknown", "declared as a reference"))
            return sym
        if type_.pointer:
            sym = self._new_symbol(scope, name, "array" if decl.array else "scalar")
            sym.ctype = pointer_type(type_)
            if decl.array:
                sym.make_unknown("array")
            return sym
        if type_.name in _INT_TYPES or type_.name in _FLOAT_TYPES:
            sym = self._new_symbol(scope, name, "array" if decl.array else "scalar")
            if type_.name in _INT_TYPES:
                bits, signed = _INT_TYPES[type_.name]
                sym.ctype = IntType(bits, signed)
            else:
                sym.ctype = "float"
            if decl.array:
                sym.make_unknown("array")
            return sym
        if type_.name == "auto":
            return self._new_symbol(scope, name, "unknown")     # refined by the initializer
        if type_.name == "void":
            return self._new_symbol(scope, name, "unknown")
        if base.split("::")[0] in _VALUE_OBJECT_TYPES or base in _VALUE_OBJECT_TYPES:
            sym = self._new_symbol(scope, name, "object")
            sym.object_type = base.split("::")[0]
            return sym
        if type_.name in self.template_params:
            sym = self._new_symbol(scope, name, "object")
            sym.generic = True
            return sym
        sym = self._new_symbol(scope, name, "unknown")
        sym.object_type = type_.name
        return sym

    # -- queries by name (reports, tests) -------------------------------------------------------
    def symbol(self, name: str) -> Symbol:
        """The one symbol declared as ``name`` (KeyError if none, ValueError if several)."""
        found = [s for s in self.symbols if s.name == name]
        if not found:
            raise KeyError(name)
        if len(found) > 1:
            raise ValueError(f"'{name}' is declared {len(found)} times")
        return found[0]

    def value_set(self, name: str) -> frozenset | None:
        return self.values.value_set(self.symbol(name))

    def tile_addresses(self, name: str) -> frozenset | None:
        return self.values.tile_addresses(self.symbol(name))

    def tile_type(self, name: str) -> TileType | None:
        return self.symbol(name).tile

    def param_written(self, index: int) -> bool:
        """The function changes its parameter ``index`` (visible to the caller if by reference)."""
        sym = self.params[index]
        defs, bindings = self._param_baseline[index]
        return len(sym.defs) > defs or len(sym.bindings) > bindings

    def _local_call(self, name: str, args: list, env: dict, explicit: bool = False) -> str:
        """Record a call of a function of this file; returns why it is not understood ('' if it is).

        Whether it issues vector work is decided once every function is built (vector_cfg); here:
        variables passed to a by-reference/pointer parameter that the callee writes become unknown,
        and a template parameter whose ``.data()`` the callee reads must get a tile or GlobalTensor.
        """
        if name in pto_function_names():
            return (f"call to {name}(): pto-isa declares a function of that name too, which overload resolution "
                    "(using namespace pto, argument-dependent lookup) may pick")
        fn = self.ctx.local_function(name)
        if fn is None:
            return f"call to the overloaded local function '{name}'"
        hidden = self._may_reach_another(fn, args, env)
        if hidden:
            return f"call to {name}(): {hidden}"
        is_template, return_reason = self.ctx.declaration_facts(fn)
        if is_template and explicit:
            # Explicit template arguments may make a parameter a class bound to a temporary. (A
            # file with an explicit specialization, which a call may run, is not modelled at all.)
            return f"call to the template {name}() " + ("with explicit template arguments" if explicit
                                                        else "in a file with explicit specializations")
        if return_reason:
            return f"call to {name}(): {return_reason}"
        callee = self.ctx.semantics(fn)
        if callee is None:
            # Being built (a recursion) or past MAX_CALLEE_NESTING: what the call runs besides the
            # body (a default argument, a parameter's constructor) and what it does to its
            # arguments are not known.
            return (f"call to {name}(): its model is not available here (a recursive call, or one more than "
                    f"{MAX_CALLEE_NESTING} calls deep in the models being built)")
        if len(args) > len(callee.params):
            return f"call to {name}() with more arguments than it declares"
        elif any(callee.param_defaults[len(args):]):
            return f"call to {name}() evaluates its " + next(r for r in callee.param_defaults[len(args):] if r)
        elif callee.class_params:
            return f"call to {name}(): {callee.class_params}"
        else:
            for index, arg in enumerate(args):
                if index in callee.generic_params_used:
                    sym = env.get(arg.id) if isinstance(arg, A.Name) else None
                    if sym is None or not (sym.kind == "tile" or sym.object_type == "GlobalTensor"):
                        return f"{name}() reads .data() of an argument that is not a tile or GlobalTensor"
                if callee.param_refs[index] and callee.param_written(index):
                    for sub in _names(arg):
                        if sub in env:
                            env[sub].make_unknown(f"written by {name}() through a reference")
        self._pending_calls.append((name, args, env))
        return ""

    # -- statement walk -----------------------------------------------------------------------
    def _block(self, stmts: list[Stmt], scope: Scope) -> None:
        # Tiles declared without an address (the default constructor sets none; a static one is at
        # 0) and scalars without a value, each waiting for the next statement of this block that
        # names it: bound on every path only if that statement is a plain one that binds it
        # (`TASSIGN(t, ...)`, `TRESHAPE(t, s)`, `t = s`, `x = ...`). Otherwise (bound in a branch or a
        # loop, or used first) the unbound first state is one more possibility: unknown.
        waiting: dict[str, Symbol] = {}
        declared_at: dict[str, int] = {}     # waiting name -> the end of its declaration
        text = self.ctx.model.source.text
        flow = self._flow
        if flow.enabled:
            flow.blocks.add(id(stmts))
        for index, stmt in enumerate(stmts):
            self._statements_read += 1
            if not self._statements_read & (CHECKPOINT_EVERY - 1):
                checkpoint()
            if isinstance(stmt, CaseLabel):
                self._jump_target(scope)
                flow.disable()      # (a jump into the block past its statements: tile_flow)
            flow.path.append((id(stmts), index))
            self._stmt(stmt, scope)
            if waiting and not isinstance(stmt, Comment):
                span = stmt.span
                if len(waiting) <= _FEW_WAITING:
                    named = identifiers_among(text, set(waiting), span.start, span.end)
                else:       # (a set of every waiting name for each statement: quadratic in their number)
                    named = {name for name in identifiers(text, span.start, span.end) if name in waiting}
                for name in named:
                    if _only_sets_valid_shape(stmt, name):
                        continue        # (the tile's address is neither read nor bound: still waiting)
                    sym = waiting.pop(name)
                    if not self._binds_first(stmt, name, text) \
                            or self._jumped_over(declared_at.pop(name, span.start), stmt):
                        if sym.kind == "tile":
                            sym.bindings.append(("unknown", "may be used before any TASSIGN binds it"))
                            self._note_tile(stmt, sym, len(self.symbols), first_use=True)
                        else:
                            sym.defs.append(UNKNOWN_DEF)
            if isinstance(stmt, SimpleStmt) and (stmt.is_parsed() or stmt.text != ";"):
                ast = stmt.ast
                declared = scope.names.get(ast.name) if isinstance(ast, A.Decl) and ast.name else None
                if declared is not None and ((declared.kind == "tile" and not declared.bindings)
                                             or (declared.kind == "scalar" and not declared.defs)):
                    waiting[declared.name] = declared
                    declared_at[declared.name] = stmt.span.end
            flow.path.pop()

    def _jumped_over(self, after: int, stmt: Stmt) -> bool:
        """A goto between ``after`` and the end of ``stmt`` may jump past ``stmt`` (to a label at
        or after its start): a path from ``after`` may skip it. A label can be entered from anywhere,
        so one found between says nothing on its own: a goto to it from before ``after`` jumps past
        a declaration, which the control-flow graph refuses (vector_cfg)."""
        span = stmt.span
        for at, label in self._gotos:
            target = self._label_offsets.get(label, -1)
            if after <= at < span.end and (target >= span.start or target < 0):
                return True
        return False

    def _jump_target(self, scope: Scope | None) -> None:
        """A case label: a jump from the switch enters here, past the declarations of the blocks
        it enters (C++ allows it for a static local or a variable with no initializer, which then
        has its first, unbound state). Each such variable, up to the switch body, is unknown."""
        while scope is not None:
            for sym in scope.names.values():
                sym.make_unknown("a case label may jump past its declaration and binding")
            if scope in self._switch_scopes:
                break
            scope = scope.parent

    def _binds_first(self, stmt: Stmt, name: str, text: str) -> bool:
        """``stmt`` binds ``name`` before anything in it reads it, on every path through it: a plain
        `TASSIGN(name, ...)`, `TRESHAPE(name, ...)`, Tile-form `TPOP<...>(pipe, name)` or `name = ...`,
        a block whose first statement naming it does, or an if/else whose condition does not name it
        and whose branches both do."""
        if isinstance(stmt, SimpleStmt):
            node = stmt.ast
            if isinstance(node, A.AssignStmt):
                return node.op == "=" and isinstance(node.target, A.Name) and node.target.id == name \
                    and name not in A.name_ids(node.value)
            if isinstance(node, A.ExprStmt) and isinstance(node.expr, A.Call):
                call, base = node.expr, _strip_pto(node.expr.callee)
                if base == "TPOP" and call.template is not None and len(call.args) == 2:
                    # Tile form: the pop binds the tile into the pipe's consumer ring.
                    return isinstance(call.args[1], A.Name) and call.args[1].id == name
                return call.template is None and base in ("TASSIGN", "TRESHAPE") and len(call.args) == 2 \
                    and isinstance(call.args[0], A.Name) and call.args[0].id == name \
                    and name not in A.name_ids(call.args[1])
            return False
        if isinstance(stmt, Compound):
            inner = self._first_naming(stmt, text).get(name)
            return inner is not None and self._binds_first(inner, name, text)
        if isinstance(stmt, IfStmt):
            return stmt.then is not None and stmt.orelse is not None and name not in identifiers(stmt.cond) \
                and self._binds_first(stmt.then, name, text) and self._binds_first(stmt.orelse, name, text)
        return False

    def _first_naming(self, block: Compound, text: str) -> dict[str, Stmt]:
        """Each identifier of a block's statements -> the first statement naming it (comments
        aside), read once a block: every name waiting for its binding asks."""
        found = self._first_namers.get(id(block))
        if found is None:
            found = {}
            for inner in block.body:
                if not isinstance(inner, Comment):
                    for name in identifiers(text, inner.span.start, inner.span.end):
                        found.setdefault(name, inner)
            self._first_namers[id(block)] = found
        return found

    def _stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Comment):
            return
        if isinstance(stmt, Directive):
            word = directive_word(stmt.text)
            if word not in _INERT_DIRECTIVES:
                # `#include` in a body pastes code the model never sees (any other unknown
                # directive may do anything too): every variable may change, any UB byte.
                self.writes_everything = f"'{word}' inside the function may write any variable"
                if not self.hidden_jump:
                    self.hidden_jump = f"{self.ctx.model.source.location(stmt.span.start)}: '{word}' inside the " \
                                       "function may hide a jump"
                    self._jump_located = True
                self.info[id(stmt)] = StmtInfo(Kind.UNKNOWN, reason=f"directive '{word}' inside a function body")
            return
        self.scope_exit_code = ""
        symbols_before = len(self.symbols)
        self._read_stmt(stmt, scope)
        if self._flow.enabled and not isinstance(stmt, (Compound, ForStmt, IfStmt, SwitchStmt, PPIfStmt)):
            self._note_tiles(stmt, scope, symbols_before)
        if self.hidden_jump and not self._jump_located:
            # Say where: the innermost statement that set it is the first to get here.
            self.hidden_jump = f"{self.ctx.model.source.location(stmt.span.start)}: {self.hidden_jump}"
            self._jump_located = True
        if self.scope_exit_code:
            self.scope_exit[id(stmt)] = self.scope_exit_code
            self.scope_exit_code = ""

    def _read_stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Compound):
            self._block(stmt.body, Scope(scope))
        elif isinstance(stmt, SimpleStmt):
            self.info[id(stmt)] = _one_call_at_most(self._simple(stmt, scope))
        elif isinstance(stmt, ForStmt):
            inner = Scope(scope)
            # Each part runs at its own point of the loop (init once; the condition before every
            # iteration and at exit; the step after every iteration): the CFG needs them apart.
            init, cond, step = (self._header_part(text, inner, what) if text.strip() else None
                                for text, what in ((stmt.init, "for init"), (stmt.cond, "for condition"),
                                                   (stmt.step, "for step")))
            self.header_parts[id(stmt)] = (init, cond, step)
            self.info[id(stmt)] = _merge_header([part for part in (init, cond, step) if part is not None])
            self._header_scope_exit(stmt)
            counter = self._loop_counter(stmt, inner, (init, cond, step))
            header_defs = len(counter[0].defs) if counter is not None else 0
            if stmt.body is not None:
                flow = self._flow
                flow.loops.append(tuple(flow.path))
                flow.path.append((id(stmt), -1))
                self._stmt(stmt.body, Scope(inner))
                flow.path.pop()
                flow.loops.pop()
            if counter is not None and len(counter[0].defs) == header_defs:
                # Nothing in the body wrote it (an assignment, `&i`, a reference, an unread
                # statement naming it all add a definition): the header alone steps it.
                counter[0].induction = counter[1:]
        elif isinstance(stmt, IfStmt):
            self.info[id(stmt)] = self._header_part(stmt.cond, scope, "if condition")
            self._header_scope_exit(stmt)
            for number, part in enumerate((stmt.then, stmt.orelse)):
                if part is not None:
                    # (Its own place: a branch's statement dominates nothing after the if.)
                    self._flow.path.append((id(stmt), -1 - number))
                    self._stmt(part, Scope(scope))
                    self._flow.path.pop()
        elif isinstance(stmt, SwitchStmt):
            # Case labels enter the body past its statements: no dominance inside (tile_flow).
            self._flow.disable()
            self.info[id(stmt)] = self._header_part(stmt.cond, scope, "switch condition")
            self._header_scope_exit(stmt)
            inner = Scope(scope)
            self._switch_scopes.add(inner)
            self._block(stmt.body, inner)
        elif isinstance(stmt, PPIfStmt):
            # At most one branch is compiled, and a preprocessor branch is no C++ scope: what it
            # declares stays visible after `#endif`, shadowing any outer name of the same spelling,
            # or not (another branch compiled). Each branch is read in a scope of its own, and each
            # name one declares is, after the section, a symbol of unknown kind and value.
            variables: dict[str, None] = {}
            types: dict[str, None] = {}
            for branch in stmt.branches:
                inner = Scope(scope)
                self._block(branch.body, inner)
                variables.update(dict.fromkeys(inner.names))
                types.update(dict.fromkeys(inner.aliases))
            for name in variables:
                self._new_symbol(scope, name, "unknown").make_unknown("declared inside an #if section")
            for name in types:       # a type no declaration can read (its symbols are unknown)
                scope.set_alias(name, A.TypeRef(0, 0, f"<type '{name}' declared inside an #if section>"))
        elif isinstance(stmt, (GotoStmt, LabelStmt)) and not self._macro_in(stmt.text):
            return      # a jump or its target: the control-flow graph (vector_cfg) reads them
        elif isinstance(stmt, OpaqueStmt):
            self.info[id(stmt)] = self._unknown_text(stmt.text, scope, stmt.reason)
        elif isinstance(stmt, CaseLabel) and self._macro_in(stmt.text):
            # `case ONE:` with `#define ONE 1: TMUL(b, b, b); case 7`.
            self._may_jump(f"macro '{self._macro_in(stmt.text)}' in a case label")

    def _loop_counter(self, stmt: ForStmt, inner: Scope, parts: tuple) -> tuple | None:
        """(counter, condition, step, env) of `for (T i = a; cond; step)` whose header declares
        one integer variable with one initializer, whose condition is a plain expression (no call,
        no write) and whose step only writes i (`++i`, `i++`, `--i`, `i--`, `i += e`, `i -= e`,
        `i = e`, e plain): the values i takes in the body are the ones that walk from a
        (ValueModel._induction_values). None for any other loop."""
        if any(part is None or part.kind is Kind.UNKNOWN for part in parts):
            return None
        if re.search(r"\b(?:static|thread_local|extern|volatile|register)\b", stmt.init):
            return None          # (a static counter starts where the last call left it)
        decl = A.parse_for_init(stmt.init)
        cond, step = A.parse_condition(stmt.cond), A.parse_condition(stmt.step)
        if not isinstance(decl, A.Decl) or decl.init is None or decl.ctor_args is not None or decl.array \
                or cond is None or step is None:
            return None
        sym = inner.names.get(decl.name)
        if sym is None or sym.kind != "scalar" or not isinstance(sym.ctype, IntType) or len(sym.defs) != 2 \
                or sym.defs[0] is UNKNOWN_DEF or sym.defs[0][0] is None:
            return None
        if isinstance(step, A.IncDec):
            target, value = step.operand, None
        elif isinstance(step, A.Assign) and step.op in ("=", "+=", "-="):
            target, value = step.target, step.value
        else:
            return None
        if not isinstance(target, A.Name) or target.id != decl.name:
            return None
        if any(isinstance(node, (A.Call, A.Assign, A.IncDec, A.Comma)) or
               (isinstance(node, A.Unary) and node.op in ("&", "*"))
               for part in (cond, value) if part is not None for node in A.walk(part)):
            return None
        env = self._env(cond, inner)
        if value is not None:
            env.update(self._env(value, inner))
        if env.get(decl.name) is not sym:
            return None
        return sym, cond, step, env

    # -- the history of each tile's valid shape and address (tile_flow) ------------------------
    def _note_tiles(self, stmt: Stmt, scope: Scope, symbols_before: int) -> None:
        """After a statement that holds no other statement: what it did to each tile it names
        (its environment: every variable a statement changes is one it names, or one it declares),
        and where a vector op is. (A change missed here shows at the tile's next record, where it
        matches no form, or in the sweep at the end: the tile is then blind.)"""
        flow = self._flow
        info = self.info.get(id(stmt))
        if info is None:
            return
        for sym in info.env.values():
            if sym.kind == "tile" and sym.uid not in flow.blind:
                self._note_tile(stmt, sym, symbols_before)
        ast = stmt.ast if isinstance(stmt, SimpleStmt) and stmt.is_parsed() else None
        if isinstance(ast, A.Decl) and ast.name:
            declared = scope.lookup(ast.name)
            if declared is not None and declared.kind == "tile" and declared.uid >= symbols_before:
                self._note_tile(stmt, declared, symbols_before)
        if info.kind is Kind.VECTOR_OP:
            flow.ops[id(stmt)] = (stmt.span.start, tuple(flow.path), flow.loops[-1] if flow.loops else None)

    def _note_tile(self, stmt: Stmt, sym: Symbol, symbols_before: int, first_use: bool = False) -> None:
        """``first_use``: the tile's unbound first state may be what ``stmt`` uses (_block)."""
        flow = self._flow
        if not flow.enabled or sym.uid in flow.blind:
            return
        now = _tile_fingerprint(sym)
        then = flow.seen.get(sym.uid)
        if then is None:
            record = self._tile_declared(stmt, sym) if sym.uid >= symbols_before and not first_use else None
        elif _same_fingerprint(now, then):
            return
        elif first_use:
            # The one binding _block added, and nothing else: one possibility more, from here on.
            added = now[1] - then[1] == 1 and now[0] == then[0] and now[2] is then[2] and now[3] == then[3] \
                and now[4] is then[4]
            record = TileRecord(stmt.span.start, tuple(flow.path), False, None, False, sym.bindings[-1:]) \
                if added else None
        else:
            record = self._tile_changed(stmt, sym, then)
        if record is None:
            flow.blind.add(sym.uid)
        else:
            flow.add(sym.uid, record, now)

    def _tile_declared(self, stmt: Stmt, sym: Symbol) -> TileRecord | None:
        """The record of a tile's plain declaration (not a reference, not static: one that
        constructs the tile each time it runs), None for any other first sight of a tile."""
        ast = stmt.ast if isinstance(stmt, SimpleStmt) else None
        tt = sym.tile
        if not isinstance(ast, A.Decl) or ast.name != sym.name or tt is None or sym.defs or sym.type_ref is None \
                or sym.type_ref.ref or sym.type_ref.pointer or _static_storage(sym):
            return None
        if sym.valid_ctor is not None:
            shape = list(sym.valid_ctor)
        elif tt.valid_row is not None and tt.valid_col is not None:
            shape = [(tt.valid_row, tt.valid_col, None)]
        else:
            shape = [UNKNOWN_SHAPE]
        path = tuple(self._flow.path)
        return TileRecord(stmt.span.start, path, True, shape, True, list(sym.bindings))

    def _tile_changed(self, stmt: Stmt, sym: Symbol, then: tuple) -> TileRecord | None:
        """The record of what ``stmt`` did to a tile it names, from the change it made to the
        tile's entries (``then``: their fingerprint before) and the statement's form; None for
        a change of any other kind (the tile is then blind)."""
        defs_added = len(sym.defs) - then[0]
        bindings_added = sym.bindings[then[1]:]
        shape_kept = sym.valid_ctor is then[2] and _entry_count(sym.valid_ctor) == then[3]
        path = tuple(self._flow.path)
        offset = stmt.span.start
        ast = stmt.ast if isinstance(stmt, SimpleStmt) else None
        if isinstance(ast, A.ExprStmt) and isinstance(ast.expr, A.Call):
            call = ast.expr
            func = call.func
            if isinstance(func, A.Member) and func.field == "SetValidShape" and isinstance(func.obj, A.Name) \
                    and func.obj.id == sym.name and len(call.args) == 2 and defs_added == 1 \
                    and sym.defs[-1] is UNKNOWN_DEF and not bindings_added and sym.valid_ctor \
                    and not shape_kept and sym.valid_ctor[-1][0] is call.args[0]:
                return TileRecord(offset, path, True, [sym.valid_ctor[-1]], False, None)
            base = _strip_pto(call.callee)
            target = call.args[0] if call.args else None
            kind = "addr" if base == "TASSIGN" else "alias" if base == "TRESHAPE" else ""
            if kind and isinstance(target, A.Name) and target.id == sym.name and defs_added == 0 and shape_kept \
                    and sym.tile is then[4] and len(bindings_added) == 1 and bindings_added[0][0] == kind:
                return TileRecord(offset, path, False, None, True, bindings_added)
            return None
        if isinstance(ast, A.AssignStmt) and ast.op == "=" and isinstance(ast.target, A.Name) \
                and ast.target.id == sym.name and isinstance(ast.value, A.Name) and defs_added == 0 \
                and sym.tile is then[4] and len(bindings_added) == 1 and bindings_added[0][0] == "alias":
            # A copy assigned over it: the source's address and valid shape (a static one stays).
            if shape_kept:
                return TileRecord(offset, path, False, None, True, bindings_added)
            last = sym.valid_ctor[-1] if sym.valid_ctor else None
            if last is None or last[0] is not COPIED_SHAPE:
                return None
            return TileRecord(offset, path, True, [last], True, bindings_added)
        return None

    def _flow_views(self) -> None:
        """Give each vector op a view of each tile operand with only the entries that reach it
        (tile_flow): a symbol of its own in the op's environment, read by the value model as any
        tile. Nothing where a jump, a macro or an unread statement may change control flow or
        any variable (the flow-insensitive union then stays)."""
        flow = self._flow
        if not flow.enabled or self.hidden_jump or self.writes_everything or self._gotos or self._label_offsets:
            flow.disable()
            return
        for uid, seen in flow.seen.items():
            # A change no statement naming the tile showed (a `for` or `if` header's): blind.
            if not _same_fingerprint(_tile_fingerprint(self.symbols[uid]), seen):
                flow.blind.add(uid)
        for stmt_id, where in flow.ops.items():
            info = self.info.get(stmt_id)
            if info is None or info.kind is not Kind.VECTOR_OP:
                continue
            env: dict | None = None
            for name, sym in info.env.items():
                if sym.kind != "tile" or sym.uid in flow.blind or sym.uid not in flow.records:
                    continue
                shape = flow.reaching(sym.uid, where, True)
                address = flow.reaching(sym.uid, where, False)
                if shape is None and address is None:
                    continue
                view = Symbol(sym.name, len(self.symbols) + len(self._shadows), "tile")
                view.tile = sym.tile
                view.type_ref = sym.type_ref
                view.defs = sym.defs
                view.valid_ctor = shape if shape is not None else sym.valid_ctor
                view.bindings = address if address is not None else sym.bindings
                self._shadows.append(view)
                if env is None:
                    env = dict(info.env)
                env[name] = view
            if env is not None:
                info.env = env
        flow.disable()

    def _header_scope_exit(self, stmt: Stmt) -> None:
        """Keep what the header of ``stmt`` leaves for its scope exit apart from its body's."""
        if self.scope_exit_code:
            self.scope_exit[id(stmt)] = self.scope_exit_code
            self.scope_exit_code = ""

    def _uses_macro(self, macro: str) -> None:
        """A statement uses a macro of the file: its expansion may write any variable, and jump."""
        origin = self.ctx.macro_origin(macro)
        self.writes_everything = f"macro '{macro}' may write any variable{origin}"
        self._may_jump(f"macro '{macro}' may hide a jump{origin}")

    def _may_jump(self, why: str) -> None:
        """Control may leave the statement being read other than as written (the first reason
        stays; _stmt adds where)."""
        self.hidden_jump = self.hidden_jump or why

    def _macro_in(self, text: str) -> str:
        """The first identifier of ``text`` that the file #defines ('' if none): every word of the
        statement counts (a type, a template name or a qualifier may be a macro too)."""
        macros = self.ctx.macros
        if macros:
            if len(macros) <= _FEW_MACROS and "\\" not in text and not any(name in text for name in macros):
                return ""       # (no splice that could hide one: a few substring searches decide)
            empty = self.ctx.model.empty_macros
            for name in identifiers(join_splices(text) if _has_splice(text) else text):
                if name in macros and not (name in _QUALIFIER_WORDS and name in empty):
                    return name
        return ""

    def _header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        """An if/switch/for condition, for init or for step (Unknown if it calls several of the
        file's functions, as a statement is)."""
        return _one_call_at_most(self._read_header_part(text, scope, what))

    def _read_header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        parse = A.parse_for_init if what == "for init" else A.parse_condition
        ast = parse(text)
        self._pending_calls: list = []
        if ast is None and _has_splice(text):
            ast = parse(join_splices(text))
        if ast is None:
            return self._unknown_text(text, scope, f"{what} not understood")
        macro = self._macro_in(text)
        if macro:
            self._uses_macro(macro)
            return self._unknown_text(text, scope, f"{what} uses the macro '{macro}'", ast)
        if isinstance(ast, A.Decl):
            if ast.array and _variable_bound(text):
                return self._unknown_text(text, scope, f"{what}: an array bound that is not a number", ast)
            info = self._decl(ast, scope)
            declared = scope.names.get(ast.name) if ast.name else None
            # Unlike a block's declarations (_block), nothing binds a header's variable before the
            # loop body uses it: without an initializer its first state (a static tile at address
            # 0, a zeroed or indeterminate scalar) is one more possibility.
            if declared is not None and declared.kind == "tile" and not declared.bindings:
                declared.bindings.append(("unknown", f"declared in the {what} without an address"))
            elif declared is not None and declared.kind == "scalar" and not declared.defs:
                declared.defs.append(UNKNOWN_DEF)
            return info
        # A condition (and a for-init) may declare with a parenthesized declarator too: `if
        # (SyncPipe(PIPE_V) = PIPE_MTE2)`. A for step is an expression.
        head = self._declaration_head(ast, scope) if what != "for step" else ""
        env = self._env(ast, scope)
        reason = self._expression(ast, scope, env)
        if reason:
            info = self._unknown_names(env, f"{what}: {reason}")
        else:
            info = StmtInfo(Kind.NOP, env=env, local_calls=self._pending_calls)
        return self._as_declaration(head, text, info, scope) if head else info

    def _unknown_text(self, text: str, scope: Scope, reason: str, ast: Any = None) -> StmtInfo:
        """A statement the model cannot read: every variable it names may be written. What it
        may declare: the name of its declaration when it parsed (``ast``), else any name in it."""
        env = {}
        names = identifiers(join_splices(text) if _has_splice(text) else text)
        declared = _declared_names(text) if ast is None else None
        if ast is None:
            self.maybe_declared.update(names if declared is None else declared)
            if "enum" in names and "using" in names:
                # `using enum E;` declares every enumerator of E here, names the statement does
                # not spell: any outer variable may be hidden from here on.
                self.hidden_jump = self.hidden_jump or "a block-scope 'using enum' may declare any name"
            jumps = _JUMP_WORDS.intersection(names)
            if jumps:
                # `({ if (i == 3) break; 0; })`: a jump inside what the model cannot read.
                self._may_jump(f"'{min(jumps)}' inside a statement ptofix cannot read")
        elif isinstance(ast, (A.Decl, A.TypeAlias)):
            self.maybe_declared.add(ast.name)
        alias_only = declared is not None and _BLOCK_ALIAS.match(strip_comments(text)) is not None
        if (ast is None and not alias_only) or isinstance(ast, A.Decl):
            # It may declare an object (`Guard g{...};`, `int x __attribute__((cleanup(f)));`)
            # whose destructor or cleanup runs when the enclosing block is left (an
            # alias-declaration declares a type, no object).
            self.scope_exit_code = "a statement ptofix cannot read may declare an object whose destructor " \
                                   "runs at scope exit"
        for name in names:
            if name in self.ctx.macros:
                self._uses_macro(name)
            sym = scope.lookup(name)
            if sym is not None:
                env[name] = sym
        info = self._unknown_names(env, reason)
        if ast is None:
            # It may also declare any of those names anew (`using ::x;`, `auto& [x] = arr;`,
            # `extern T x;`).
            shadowed = env if declared is None else [name for name in env if name in declared]
            self._shadow_as_unknown(scope, shadowed, "a statement ptofix cannot read")
        return info

    def _shadow_as_unknown(self, scope: Scope, names: Iterable[str], what: str) -> None:
        """``what`` may declare any of ``names`` anew: from here on each one the scope knows is an
        entity of unknown kind and type, not the outer variable (whose tile type or scalar kind no
        longer says what it is)."""
        for name in names:
            if scope.lookup(name) is not None:
                self._new_symbol(scope, name, "unknown").make_unknown(f"'{name}' may be declared anew by {what}")

    def _not_pto_name(self, name: str, env: dict) -> str:
        """Why ``name`` as written may not denote pto's op or enumerator of that name ('' if it
        does): it names a local variable or parameter, something declared at file scope or a
        function of the file (which competes in overload resolution), or something a statement
        the model could not read may have declared. ``pto::X`` is pto's unless the file itself
        opens namespace pto; ``::X`` may be any global of the file."""
        ctx = self.ctx
        base = _strip_pto(name)
        declared = base in ctx.file_scope_names or (base in _PTO_CALL_NAMES and ctx.is_local_name(base))
        if name == base:
            if name in env:
                what = "a local type" if env[name].kind == "type" else "a local variable"
                return f"'{name}' is {what} here, not pto's '{name}'"
            if declared:
                return f"this file declares its own '{name}'"
            if name in self.maybe_declared:
                return f"'{name}' may be declared by a statement or parameter ptofix cannot read"
            return ""
        if name.startswith("::") and not name.startswith("::pto::"):
            return f"this file declares its own '{name}'" if declared else ""
        if "pto" in ctx.model.namespaces and (declared or ctx.is_local_name(base)):
            return f"this file opens namespace pto and declares its own '{base}'"
        return ""

    def _unknown_names(self, env: dict, reason: str) -> StmtInfo:
        for sym in env.values():
            sym.make_unknown(reason)
        return StmtInfo(Kind.UNKNOWN, reason=reason, env=env)

    def _env(self, node: Any, scope: Scope) -> dict:
        return self._env_of_names(A.name_ids(node), scope, {})

    @staticmethod
    def _env_of_names(names: tuple[str, ...], scope: Scope, env: dict) -> dict:
        lookup = scope.lookup
        for name in names:
            # A qualified name (`TileType::Vec`) is never a variable of this function: a declarator
            # is one identifier (the grammar's `decl`), so the scopes hold no such key.
            if ":" in name:
                continue
            sym = lookup(name)
            if sym is not None:
                env[name] = sym
        return env

    def _simple(self, stmt: SimpleStmt, scope: Scope) -> StmtInfo:
        text = stmt.text        # (sliced from the file on each read: read once)
        if text == ";":
            return _EMPTY
        ast = stmt.ast
        if ast is None and _has_splice(text):
            # Line splices go before tokenizing (translation phase 2): read the joined text. (The
            # AST the model keeps stays None: offsets into the joined text are not the file's.)
            ast = A.parse_statement(join_splices(text))
        self._pending_calls = []
        if ast is None:
            self.unparsed.append(stmt)
            if A.too_long_for_the_grammar(text):
                why = f"statement of more than {A.MAX_GRAMMAR_CHARS} characters the fast paths do not read"
            elif A.nested_too_deep(text):
                why = f"statement nested more than {A.MAX_EXPRESSION_NESTING} levels deep"
            else:
                why = "statement not understood by the grammar"
            return self._unknown_text(text, scope, why)
        macro = self._macro_in(text) if self.ctx.macros else ""
        if macro:
            self._uses_macro(macro)
            return self._unknown_text(text, scope, f"uses the macro '{macro}'", ast)
        self._pending_calls = []
        if isinstance(ast, A.TypeAlias):
            self._shadow_dependent_aliases(scope, ast.name)
            target = self.resolve_type(ast.type, scope)
            scope.set_alias(ast.name, target)
            self.local_alias_names.add(ast.name)
            # In its scope the name is a type, not an outer variable of that name: `(T) + 4096`
            # is then a cast. A symbol of kind "type" has no value, so such reads are unknown.
            alias = self._new_symbol(scope, ast.name, "type")
            alias.make_unknown("a type name")
            alias.type_ref = target       # (what `T(...)` constructs: _constructs_pto_value)
            return StmtInfo(Kind.NOP)
        if isinstance(ast, A.Decl):
            if ast.array and _variable_bound(text):
                return self._unknown_text(text, scope, "an array bound that is not a number (evaluated at run "
                                                            "time, calls and writes included)", ast)
            return self._decl(ast, scope)
        if isinstance(ast, A.AssignStmt) or (isinstance(ast, A.ExprStmt) and not isinstance(ast.expr, A.Name)):
            head = self._declaration_head(ast.target if isinstance(ast, A.AssignStmt) else ast.expr, scope)
            if head:
                return self._as_declaration(head, text, self._statement(ast, scope), scope)
        return self._statement(ast, scope)

    def _declaration_head(self, expr: Any, scope: Scope) -> str:
        """The name ``expr`` starts with if it may name a type ('' if not): then a statement or
        condition reading as ``expr`` is a declaration ([stmt.ambig]: one that can be, is).
        `SyncPipe(PIPE_V) = PIPE_MTE2;` declares PIPE_V, `Mul(TMUL);` an object TMUL."""
        if isinstance(expr, A.Name):
            return ""       # `T;` declares nothing (and `break;` is a jump)
        head = _leftmost_name(expr)
        return head if head is not None and self._may_name_type(head, scope) else ""

    def _as_declaration(self, head: str, text: str, info: StmtInfo, scope: Scope) -> StmtInfo:
        """``info`` of a statement that may be a declaration with the type ``head``: any name in it
        may be the declarator (but not the qualifiers of a qualified head: `pto::comm::TNOTIFY(v15,
        v7, v3);` declares no `pto`), and the object's destructor runs at scope exit."""
        names = identifiers(text)
        if "::" in head:
            for part in head.split("::")[:-1]:
                if part in names:
                    names.remove(part)
        self.maybe_declared.update(names)
        self.scope_exit_code = f"'{head}' may name a type: the statement may declare an object whose destructor " \
                               "runs at scope exit"
        if info.kind is not Kind.UNKNOWN:
            info = self._unknown_names(info.env, f"'{head}' may name a type: the statement may be a declaration of "
                                                 "any name in it")
        # `TN(t);` declares a new `t` of type TN: the outer `t` (its tile type, its scalar kind)
        # no longer says what the name denotes.
        self._shadow_as_unknown(scope, names, f"a statement that may be a declaration of type '{head}'")
        return info

    def _statement(self, ast: Any, scope: Scope) -> StmtInfo:
        """A return, assignment or expression statement."""
        env = self._env(ast, scope)
        if isinstance(ast, A.ReturnStmt):
            if ast.value is None:
                return StmtInfo(Kind.RETURN, env=env)
            reason = self._expression(ast.value, scope, env)
            if reason:
                self._unknown_names(env, reason)
            return StmtInfo(Kind.RETURN, env=env, reason=reason, then_unknown=bool(reason),
                            local_calls=self._pending_calls)
        if isinstance(ast, A.AssignStmt):
            return self._assignment(A.Assign(ast.start, ast.end, ast.target, ast.op, ast.value), scope, env)
        if isinstance(ast, A.ExprStmt):
            expr = ast.expr
            if isinstance(expr, A.Call):
                return self._call_statement(expr, scope, env)
            if isinstance(expr, A.Name) and expr.id in ("break", "continue"):
                return StmtInfo(Kind.BREAK if expr.id == "break" else Kind.CONTINUE)
            if isinstance(expr, A.Name) and scope.lookup(expr.id) is None:
                # `FOO;`: a macro invocation without parentheses (or an undeclared name).
                self.writes_everything = f"'{expr.id}' may be a macro that writes any variable"
                if self.ctx.may_be_macro(expr.id):
                    self._may_jump(f"'{expr.id}' may be a macro that hides a jump{self.ctx.macro_origin(expr.id)}")
                return StmtInfo(Kind.UNKNOWN, reason=f"'{expr.id}' is not a declared name (macro?)", env=env)
            reason = self._expression(expr, scope, env)
            if reason:
                return self._unknown_names(env, reason)
            return StmtInfo(Kind.NOP, env=env, local_calls=self._pending_calls)
        return self._unknown_names(env, f"{type(ast).__name__} statement not modelled")

    # -- declarations and assignments ---------------------------------------------------------
    def _decl(self, decl: A.Decl, scope: Scope) -> StmtInfo:
        # The initializer is evaluated in the scope *before* the new name. C++ already sees the new
        # one there (`static int64_t q = q + 4096;` reads the new, zeroed q; `T b = b;` copies the new
        # b), so a declaration whose initializer names itself leaves it unknown (below).
        init_nodes = [decl.init] if decl.init is not None else list(decl.ctor_args or [])
        env = {}
        for node in init_nodes:
            env.update(self._env(node, scope))
        if decl.type.template is not None:
            self._env_of_names(A.argument_name_ids(decl.type.template), scope, env)
        reason = ""
        for node in init_nodes:
            reason = reason or self._expression(node, scope, env)
        sym = self._declare(scope, decl)
        env_with_self = dict(env)
        if not reason and any(decl.name in _names(node) for node in init_nodes):
            reason = f"the initializer of '{decl.name}' reads '{decl.name}' itself, not the outer one"
        if reason:
            sym.make_unknown(reason)
            for other in env.values():
                other.make_unknown(reason)
            if sym.kind not in ("scalar", "array", "tile"):
                self.scope_exit_code = f"'{decl.name}' may be an object whose destructor runs at scope exit"
            return StmtInfo(Kind.UNKNOWN, reason=reason, env=env_with_self)
        if sym.generic:
            # `T x = y;` with T a template parameter: a reference to y, or a class whose
            # constructor and destructor may do anything.
            self.scope_exit_code = f"'{decl.name}' has a template-parameter type (a destructor may run at scope exit)"
            sym.make_unknown("its type is a template parameter")
            return self._unknown_names(env_with_self,
                                       f"declaration of '{decl.name}', whose type is a template parameter")
        if decl.type.ref or (sym.type_ref is not None and sym.type_ref.ref):
            if decl.init is not None and not isinstance(decl.init, (A.Name, A.Member, A.Index)) \
                    and sym.kind != "scalar":
                # `const Guard& g = mk();`: the temporary lives, and is destroyed, with g.
                self.scope_exit_code = f"'{decl.name}' may bind a temporary destroyed at scope exit"
            # A reference (also behind an alias) makes its target reachable under another name:
            # both are unknown.
            for other in env.values():
                other.make_unknown(f"bound to the reference '{decl.name}'")
            sym.make_unknown("reference")
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self._pending_calls)
        init = decl.init
        if sym.kind == "tile":
            # A tile is constructed from scalars only (its valid rows and columns); any other
            # argument (`Tile<...> b(a)`: a copy of another tile) may carry an address.
            ctor_args = decl.ctor_args or []
            if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId) and init.func.name in _TILE_TYPES:
                ctor_args = ctor_args + list(init.args)
            elif isinstance(init, A.Name) and env.get(init.id) is not None and env[init.id].kind == "tile":
                sym.bindings.append(("alias", env[init.id]))
                sym.copy_valid_shape(env[init.id], declared=True)   # the source's valid shapes at run time
            elif init is not None:
                sym.bindings.append(("unknown", "initialised from an expression"))
            if any(self.values_type(arg, env) is None for arg in ctor_args):
                sym.bindings.append(("unknown", "constructed from something other than scalars"))
            elif len(ctor_args) == 2 and sym.tile is not None and None in (sym.tile.valid_row, sym.tile.valid_col):
                sym.valid_ctor = [(ctor_args[0], ctor_args[1], env)]
            elif len(ctor_args) == 1 and sym.tile is not None \
                    and (sym.tile.valid_row, sym.tile.valid_col).count(None) == 1:
                # `Tile<..., -1, C>(r)` / `Tile<..., R, -1>(c)`: the one dynamic dimension.
                tt = sym.tile
                sym.valid_ctor = [(ctor_args[0], tt.valid_col, env)] if tt.valid_row is None \
                    else [(tt.valid_row, ctor_args[0], env)]
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self._pending_calls)
        if decl.type.name == "auto" and sym.kind == "unknown":
            self._refine_auto(sym, init, env)
            if sym.kind == "unknown":
                self.scope_exit_code = f"'{decl.name}' may be an object whose destructor runs at scope exit"
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self._pending_calls)
        if sym.kind in ("scalar", "array"):
            if decl.ctor_args is not None:
                sym.make_unknown("constructed")
            elif init is not None:
                sym.defs.append((init, env))
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self._pending_calls)
        if sym.kind == "object":
            if sym.object_type == "TPipe" or (decl.type.template is not None and decl.type.template.name == "TPipe"):
                sym.object_type = "TPipe"
                if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId):
                    sym.pipe_ctor = (init, env)
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self._pending_calls)
        # An object of a type ptofix does not know: its constructor may do anything, and so may its
        # destructor when the enclosing block ends (not for one of pto's mode enumerations).
        last = _strip_pto(decl.type.name).split("::")[-1]
        if not (last in MODE_ENUMS and "::" in decl.type.name and last not in self.ctx.file_scope_types):
            self.scope_exit_code = f"'{decl.name}' of type '{decl.type.name}' may have a destructor that runs at " \
                                   "scope exit"
        return self._unknown_names(env_with_self, f"declaration of type '{decl.type.name}' is not modelled")

    def _refine_auto(self, sym: Symbol, init: Any, env: dict) -> None:
        if isinstance(init, A.Name) and init.id not in env and _is_pto_enumerator(init.id) \
                and not self._not_pto_name(init.id, env):
            # `auto p = PIPE_MTE2;`: a copy of pto's pipe or event enumerator (an enum value).
            sym.kind, sym.ctype = "scalar", INT32
            sym.defs.append(UNKNOWN_DEF)
            return
        if isinstance(init, A.Name) and env.get(init.id) is not None:
            src = env[init.id]
            if src.kind == "tile":
                sym.kind, sym.tile = "tile", src.tile
                sym.bindings.append(("alias", src))
                sym.copy_valid_shape(src, declared=True)
                return
            if src.kind == "scalar":
                sym.kind, sym.ctype = "scalar", src.ctype
                sym.defs.append((init, env))
                return
        if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId):
            name = _strip_pto(init.func.name)
            if name == "TPipe":
                sym.kind, sym.object_type, sym.pipe_ctor = "object", "TPipe", (init, env)
                return
            if name in _VALUE_OBJECT_TYPES:
                sym.kind, sym.object_type = "object", name
                return
        ctype = self.values_type(init, env)
        if ctype is not None:
            sym.kind, sym.ctype = "scalar", ctype
            sym.defs.append((init, env))
            return
        sym.make_unknown("auto variable of a type ptofix cannot tell")

    def values_type(self, node: Any, env: dict) -> object:
        return expr_type(node, env, self)

    def _assignment(self, node: A.Assign, scope: Scope, env: dict) -> StmtInfo:
        reason = self._expression(node, scope, env)
        if reason:
            return self._unknown_names(env, reason)
        return StmtInfo(Kind.NOP, env=env, local_calls=self._pending_calls)

    # -- expressions --------------------------------------------------------------------------
    def _expression(self, node: Any, scope: Scope, env: dict) -> str:
        """Record the writes of an expression; return why it is not understood ('' if it is).

        Understood: arithmetic on names and literals, casts, ``sizeof``, reads through pointers,
        assignments to scalars and tiles, ``++``/``--``, calls of pure functions (casts,
        ``t.data()``, block ids, pto value-type constructors) and of functions of this file (their
        effects are decided from their bodies). Everything else makes the statement Unknown.
        """
        try:
            return self._expr(node, env)
        except RecursionError:
            return "expression nested too deeply"

    def _expr(self, node: Any, env: dict) -> str:
        if isinstance(node, A.SizeOf) and not isinstance(node.arg, A.TypeRef) \
                and any(isinstance(sub, (A.Call, A.Assign, A.IncDec)) for sub in A.walk(node.arg)):
            # (Unevaluated, unless its type is a variable-length array: then C evaluates it, and
            # clang does so in C++ too.)
            return "sizeof of an expression with a call or a write (evaluated for a run-time sized array)"
        if isinstance(node, (A.Number, A.Literal, A.String, A.TypeRef, A.SizeOf)):
            return ""
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is not None and (sym.generic or (sym.kind == "unknown" and sym.object_type)):
                # A value of a class type read as a value: a conversion operator (`int64_t q = c;`,
                # `if (c)`) or `operator->` may run.
                return f"'{node.id}' has a class type: reading it may call a conversion operator"
            if sym is None:
                return self._free_name(node.id)
            return ""
        if isinstance(node, A.TemplateId):
            return "" if node.name in env else self._free_name(node.name)
        if isinstance(node, (A.Unary, A.Binary, A.Index)):
            # An operator applied to a class-type value may be an overloaded operator (a call).
            operands = [node.operand] if isinstance(node, A.Unary) else \
                [node.left, node.right] if isinstance(node, A.Binary) else [node.obj]
            for operand in operands:
                class_typed = isinstance(operand, A.Name) and operand.id in env \
                    and env[operand.id].kind in ("tile", "object", "unknown")
                if class_typed and not (isinstance(node, A.Unary) and node.op == "&"):
                    name = operand.id if isinstance(operand, A.Name) else "?"
                    return f"operator '{getattr(node, 'op', '[]')}' on '{name}' (a class-type value)"
        if isinstance(node, A.Unary):
            if node.op == "&":
                # Address taken: the variable may change through the pointer from now on.
                for name in _names(node.operand):
                    if name in env:
                        env[name].make_unknown("its address is taken")
                return self._expr(node.operand, env)
            return self._expr(node.operand, env)
        if isinstance(node, A.Binary):
            before = _rightmost_name(node.left) if node.op == "<" else None
            if before is not None and (before in self.maybe_declared
                                       or (before not in env and not self._plain_value_name(before))):
                # (A name an unread statement may declare, `using app::f;`, may hide the variable.)
                # [temp.names]: after a template's name `<` opens its arguments, spaces or not:
                # `TEXP < ExpAlgorithm::DEFAULT > (a, b);` is a call, and so is `(void) TEXP < ...`
                # (the name right before the '<' counts, whatever the grammar groups it with).
                return f"'{before}' may name a template: its '<' may open template arguments"
            return self._expr(node.left, env) or self._expr(node.right, env)
        if isinstance(node, A.Ternary):
            return self._expr(node.cond, env) or self._expr(node.then, env) or self._expr(node.orelse, env)
        if isinstance(node, A.Cast):
            return self._cast_reason(node.type) or self._expr(node.operand, env)
        if isinstance(node, A.Index):
            return self._expr(node.obj, env) or self._expr(node.index, env)
        if isinstance(node, A.Member):
            return self._expr(node.obj, env)
        if isinstance(node, A.Comma):
            for item in node.items:
                reason = self._expr(item, env)
                if reason:
                    return reason
            return ""
        if isinstance(node, A.IncDec):
            target = node.operand
            if isinstance(target, A.Name) and target.id in env and env[target.id].kind == "scalar":
                env[target.id].defs.append(UNKNOWN_DEF)
                return ""
            return f"'{node.op}' on something other than a scalar variable"
        if isinstance(node, A.Assign):
            reason = self._expr(node.value, env)
            if reason:
                return reason
            return self._write(node, env)
        if isinstance(node, A.Call):
            return self._call_expr(node, env)
        return f"{type(node).__name__} expression not modelled"

    def _cast_reason(self, type_: A.TypeRef) -> str:
        """Why a cast to ``type_`` may run code ('' if it cannot): a conversion to a class type
        calls a constructor or conversion operator. Casts to arithmetic types, pointers and void
        only convert a value; a name that a local alias or a template parameter may make a class
        (`using uint64_t = Foo;`) does not count as arithmetic."""
        if _cast_type(type_, self, {}) is not None:
            return ""
        resolved = self.resolve_type(type_, self.ctx.scope)
        if resolved.name in ("void", "mem_dsb_t") and type_.name not in self.local_alias_names \
                and type_.name not in self.template_params and resolved.template is None:
            return ""
        return f"cast to '{type_.name}', which may be a class type (a constructor call)"

    def _type_named(self, name: str) -> bool:
        """``name`` may name a type here (then an expression using it may be a declaration)."""
        base = name.rsplit("::", 1)[-1]
        return base in self.ctx.file_scope_types or base in self.ctx.file_scope_classes \
            or name in self.template_params or name in self.local_alias_names

    def _may_reach_another(self, fn: Function, args: list, env: dict) -> str:
        """Why an unqualified call may reach a function other than the file's ``fn`` ('' if it
        cannot). Lookup sees only what is declared before the call and in the enclosing namespaces
        (`helpers::vrec` is not `vrec` from the global namespace); and the compiler's built-in
        functions (CCE intrinsics such as `vrec`, most of which pto-isa never calls) are global
        candidates of any name, which overload resolution may prefer, unless an argument is one of
        pto's class objects, which no built-in takes."""
        if fn.span.start >= self.fn.span.start:
            return "defined after the caller: the call sees only what is declared before it"
        if fn.namespace != self.fn.namespace[:len(fn.namespace)]:
            return f"defined in namespace '{'::'.join(fn.namespace)}', which does not enclose the caller"
        if not args:
            # A built-in with no parameters would be this very function, redeclared (or the call
            # ambiguous).
            return ""
        if fn.name.rpartition("::")[2] in self.ctx.header_names:
            # (In any namespace: the summary does not tell them apart. A header not read leaves the
            # file unmodelled.)
            return "a header the file includes may declare a function of that name too, which overload resolution " \
                   "may choose"
        if fn.namespace:
            # A function of the caller's own namespace hides the global ones from unqualified
            # lookup, but argument-dependent lookup brings them back for an argument of a global
            # enumeration or class type (CCE's `pipe_t`, `event_t`: `PIPE_V` as an argument):
            # only a global function of that name, which nothing but a toolchain header declares.
            if not self.ctx.may_be_toolchain_function(fn.name.rpartition("::")[2]):
                return ""
            for arg in args:
                if self._may_be_of_global_class_type(arg, env):
                    return "an argument may be of a global enumeration or class type (pipe_t, event_t...): " \
                           "argument-dependent lookup adds the built-in functions of that name"
            return ""
        for arg in args:
            sym = env.get(arg.id) if isinstance(arg, A.Name) else None
            if sym is not None and (sym.kind == "tile" or sym.object_type in ("GlobalTensor", "TPipe")):
                return ""
            if isinstance(arg, A.Name) and sym is None and arg.id.rpartition("::")[0] in self.ctx.scoped_enums:
                return ""     # `ptoas_auto_sync_tail(PTOAutoSyncTailMode::kBarrierAll)`: no conversion
        if not self.ctx.may_be_toolchain_function(fn.name.rpartition("::")[2]):
            return ""         # no toolchain or read header declares a function of that name
        return "no argument is a pto object or of the file's scoped enumerations, so a built-in function of " \
               "that name may be chosen"

    def _may_be_of_global_class_type(self, arg: Any, env: dict) -> bool:
        """Whether ``arg`` may have a type whose associated namespace is the global one (an
        enumeration or class of the global namespace): anything but literals, scalars declared
        with a built-in arithmetic or pointer type, pto's objects and their `.data()`."""
        if isinstance(arg, (A.Number, A.Literal, A.String)):
            return False
        if isinstance(arg, A.Unary) and arg.op in ("-", "+", "!", "~"):
            return self._may_be_of_global_class_type(arg.operand, env)
        obj = arg
        if isinstance(arg, A.Call) and isinstance(arg.func, A.Member) and arg.func.field == "data" and not arg.args:
            obj = arg.func.obj
        sym = env.get(obj.id) if isinstance(obj, A.Name) else None
        if sym is None:
            return True
        if sym.kind == "tile" or sym.object_type in ("GlobalTensor", "TPipe"):
            return False        # pto's classes: namespace pto, whose names the file may not take
        type_ref = sym.type_ref
        return obj is not arg or sym.kind != "scalar" or type_ref is None \
            or type_ref.name not in _BUILTIN_ARITHMETIC_TYPES

    def _is_leaf(self) -> bool:
        """The function holds no barrier and names no function of the file (itself included): a
        proof's walk reaches its statements only through a call to it, never from a barrier in
        it or from a callee's return into it."""
        if self._leaf is None:
            span = self.fn.body.span
            body = self.ctx.model.source.text[span.start:span.end]
            self._leaf = "pipe_barrier" not in body and not any(
                self.ctx.is_local_name(name) for name in identifiers(body))
        return self._leaf

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        """FileContext.file_constant for a name no local declaration gives a value (the caller
        looked its environment up first), unless the function may declare it otherwise: a
        statement or parameter the model cannot read, a template parameter, or a member of the
        class scope of a member function (not read)."""
        if name in self.maybe_declared or name in self.template_params or self.fn.declaration.owner:
            return None
        return self.ctx.file_constant(name)

    def _plain_value_name(self, name: str) -> bool:
        """``name`` (no local variable) is a value, not a template: a plain constant, one of pto's
        enumerators or a variable the file declares (a file-scope template is never read)."""
        base = _strip_pto(name)
        if name in _PLAIN_FREE_NAMES:
            return True
        if base in self.maybe_declared or self.ctx.is_local_name(base) or self._type_named(name):
            return False      # (`template <int N> void PIPE_V_scale(...)` is spelled like an enumerator)
        if _is_pto_enumerator(base) and base not in self.ctx.file_scope_names:
            return True
        return name == base and self.ctx.declares_variable(base)

    def _may_name_type(self, name: str, scope: Scope) -> bool:
        """``name``, leading an expression statement, may name a type (then the statement may be a
        declaration): unless it is a local variable, a function of the file, a file-scope variable
        or one of pto's functions the model reads. A name declared nowhere may be a header's type
        (pto's `Tile`, `GlobalTensor`)."""
        base = _strip_pto(name)
        if name == "decltype" or self._type_named(name) or base in self.maybe_declared:
            return True
        if name in _KEYWORDS:
            return False
        sym = scope.lookup(name)
        if sym is not None:
            return sym.kind == "type"
        # Only a function the file defines is surely no type. (file_scope_names is every word of
        # the file-scope statements, `Tile` of `using TT = Tile<...>;` included: no proof; and
        # declares_variable, a proof, would load the grammar on the fast path for a rare case.)
        if "::" not in name.lstrip(":") and self.ctx.is_local_name(base):
            return False
        if base in self.ctx.header_names:
            return True       # (a header's name may be a type, whatever builtin it is spelled like)
        return base not in _PTO_CALL_NAMES and base not in PTO_INSTRUCTIONS

    def _free_name(self, name: str) -> str:
        """A name no local declaration gives a value: why it is not understood ('' if it is a plain
        value). A type of the file makes the statement a declaration the grammar misread (`Guard
        *p, g;` declares g, `Guard (g);` too): its object's destructor runs at scope exit. A name
        neither the file nor pto declares may be a header's macro, which may expand to a jump."""
        if self._type_named(name):
            self.scope_exit_code = f"'{name}' names a type: the statement may declare an object whose " \
                                   "destructor runs at scope exit"
            return f"'{name}' names a type here: the statement may be a declaration"
        if name in self.maybe_declared:
            # `G guard{};` unread: guard may be an object of any class, whose copy or conversion
            # runs code (`auto h = guard;`), whatever a file-scope `guard` holds.
            return f"'{name}' may be declared by a statement or parameter ptofix cannot read"
        if "::" not in name and name not in _PLAIN_FREE_NAMES and name not in self.ctx.file_scope_names \
                and not self.ctx.is_local_name(name) and not _is_pto_enumerator(name) \
                and name not in PTO_INSTRUCTIONS and self.ctx.may_be_macro(name):
            self._may_jump(f"'{name}' is declared nowhere in the file: it may be a header's macro that hides a "
                           f"jump{self.ctx.macro_origin(name)}")
        return ""

    def _write(self, node: A.Assign, env: dict) -> str:
        target = node.target
        if isinstance(target, A.Name):
            sym = env.get(target.id)
            if sym is None:
                return f"assignment to '{target.id}', which is not a local variable"
            if sym.kind == "scalar":
                sym.defs.append((node.value, env) if node.op == "=" else UNKNOWN_DEF)
                return ""
            if sym.kind == "tile":
                value = node.value
                if node.op == "=" and isinstance(value, A.Name) and env.get(value.id) is not None \
                        and env[value.id].kind == "tile":
                    sym.bindings.append(("alias", env[value.id]))
                    sym.copy_valid_shape(env[value.id], declared=False)
                    return ""
                sym.bindings.append(("unknown", "assigned from an expression"))
                return "tile assigned from an expression ptofix does not model"
            if sym.generic:
                sym.make_unknown("assigned")
                return f"assignment to '{target.id}', whose type is a template parameter (a reference or a class)"
            if sym.kind == "object" and node.op == "=" and isinstance(node.value, A.Name):
                sym.make_unknown("assigned")     # plain data copied over: a TPipe's ring moves too
                return ""
            sym.make_unknown("assigned")
            return f"assignment to '{target.id}' ({sym.kind}) not modelled"
        if isinstance(target, A.Index) and isinstance(target.obj, A.Name):
            # The subscript is evaluated too (`status[scale_rows()] = 1;` calls scale_rows).
            reason = self._expr(target.index, env)
            if reason:
                return reason
            sym = env.get(target.obj.id)
            if sym is not None and sym.kind == "array" and not isinstance(sym.ctype, PtrType):
                sym.defs.append(UNKNOWN_DEF)
                return ""          # a local array element: not UB
            if sym is not None and sym.kind == "scalar" and isinstance(sym.ctype, PtrType) \
                    and sym.ctype.space == "gm":
                return ""          # a store to global memory through a __gm__ pointer
        return "store through a pointer, reference or member (may write UB)"

    def _call_expr(self, call: A.Call, env: dict) -> str:
        for arg in call.args:
            reason = self._expr(arg, env)
            if reason:
                return reason
        func = call.func
        if isinstance(func, A.Member):
            # (A method of a named object is judged below by the method, not as a value read.)
            reason = "" if isinstance(func.obj, A.Name) else self._expr(func.obj, env)
            if reason:
                return reason
            obj = func.obj
            if func.field in ("data", "GetValue", "GetValidRow", "GetValidCol") and isinstance(obj, A.Name):
                sym = env.get(obj.id)
                if sym is not None and (sym.kind == "tile" or sym.object_type == "GlobalTensor"):
                    return ""
                if sym is not None and sym.generic and sym.is_param and func.field == "data" and self._is_leaf():
                    # Pure for the pto types it is instantiated with; call sites check that. Only a
                    # leaf may count on it: a walk then enters its body only through a call.
                    self.generic_params_used.add(self.params.index(sym))
                    return ""
            return f"method call '.{func.field}()' not modelled"
        name = call.callee
        if isinstance(func, A.TemplateId):
            base = _strip_pto(func.name)
            if base in ("reinterpret_cast", "static_cast", "const_cast") and len(call.args) == 1:
                if len(func.args) != 1 or not isinstance(func.args[0], A.TypeRef):
                    return f"{base} to a type ptofix cannot read"
                return self._cast_reason(func.args[0])
            if base.split("::")[0] in _VALUE_OBJECT_TYPES or func.name in _TILE_TYPES:
                return ""
        if not isinstance(func, (A.Name, A.TemplateId)):
            return "call through an expression not modelled"
        if self._constructs_pto_value(func, env):
            return ""
        shadowed = self._not_pto_name(name, env)
        if shadowed:
            return f"call to '{name}': {shadowed}"
        if self.ctx.is_local_name(name):
            return self._local_call(name, call.args, env, isinstance(func, A.TemplateId))
        base = _strip_pto(name)
        if (base in PURE_FUNCTIONS and base not in self.ctx.header_names) or base.split("::")[0] in _VALUE_OBJECT_TYPES:
            return ""       # (a header's function of that name, `get_block_idx(args)`, is not the builtin)
        if base not in PTO_INSTRUCTIONS:
            # As for a call statement: a header's macro may expand to a jump (`(void)BREAK_IF(c)`).
            if self.ctx.may_be_macro(name):
                self._may_jump(f"'{name}(...)' may be a macro that hides a jump{self.ctx.macro_origin(name)}")
        return f"call to '{name}' inside an expression is not modelled"

    def _constructs_pto_value(self, func: Any, env: dict) -> bool:
        """``func(...)`` constructs a value of one of pto's plain value types (GlobalTensor, Shape,
        Stride...) through a local alias of it: ptoas writes `using GTShape_N = pto::Shape<...>;
        GTShape_N v = GTShape_N();`. The same as constructing it by its own name (whose
        constructors store their arguments and run nothing else), when the alias was resolved to
        pto's type: not a class of this file, nor a name a statement ptofix cannot read may
        declare."""
        if not isinstance(func, A.Name):
            return False
        alias = env.get(func.id)
        target = alias.type_ref if alias is not None and alias.kind == "type" else None
        if target is None or target.pointer or target.ref or target.name.startswith("<"):
            return False
        base = _strip_pto(target.name)
        return base in _VALUE_OBJECT_TYPES and base not in self.ctx.file_scope_types \
            and not self._not_pto_name(target.name, {})

    # -- call statements ----------------------------------------------------------------------
    def _call_statement(self, call: A.Call, scope: Scope, env: dict) -> StmtInfo:
        func = call.func
        name = call.callee
        if isinstance(func, (A.Name, A.TemplateId)) and self._type_named(name):
            # `Guard (g);` declares g; `Guard(1);` makes a temporary: constructors, destructors.
            return self._unknown_names(env, self._free_name(name))
        if isinstance(func, A.Member):
            reason = self._call_expr(call, env)
            if not reason or (func.field in HARMLESS_METHODS and isinstance(func.obj, A.Name)
                              and env.get(func.obj.id) is not None and env[func.obj.id].kind == "tile"):
                for arg in call.args:
                    reason2 = self._expression(arg, scope, env)
                    if reason2:
                        return self._unknown_names(env, reason2)
                if self._pending_calls:
                    # `a.GetValue(work())`: the argument's call runs first and is no event here.
                    return self._unknown_names(env, "local function called inside the arguments of a method call")
                owner = env.get(func.obj.id) if isinstance(func.obj, A.Name) else None
                if func.field == "SetValidShape" and owner is not None and owner.tile is not None:
                    # The valid shape set at run time may be anything (0 included): no longer static,
                    # so no internal barrier that depends on it counts as a drain.
                    tt = owner.tile
                    shapes = owner.valid_ctor
                    if tt.valid_row is not None and tt.valid_col is not None:
                        shapes = [(tt.valid_row, tt.valid_col, None)]
                    # (A tile constructed without a shape had one the model does not know.)
                    known = shapes if shapes is not None else [UNKNOWN_SHAPE]
                    owner.valid_ctor = known + [(call.args[0], call.args[1], env)] if len(call.args) == 2 \
                        else _with_unknown_shape(known)
                    owner.tile = TileType(tt.space, tt.dtype, tt.rows, tt.cols, tt.blayout, None, None)
                    # Written: a caller that passed the tile by reference sees the change
                    # (param_written counts definitions).
                    owner.defs.append(UNKNOWN_DEF)
                return StmtInfo(Kind.NOP, env=env)
            return self._unknown_names(env, reason)
        if not isinstance(func, (A.Name, A.TemplateId)):
            return self._unknown_names(env, "call through an expression not modelled")
        shadowed = self._not_pto_name(name, env)
        if shadowed:
            return self._unknown_names(env, f"call to '{name}': {shadowed}")
        if self.ctx.is_local_name(name):
            for arg in call.args:
                reason = self._expression(arg, scope, env)
                if reason:
                    return self._unknown_names(env, reason)
            reason = self._local_call(name, call.args, env, isinstance(func, A.TemplateId))
            if reason:
                return self._unknown_names(env, reason)
            return StmtInfo(Kind.LOCAL_CALL, env=env, callee=name, local_calls=self._pending_calls)
        base = _strip_pto(name)
        for arg in call.args:
            reason = self._expression(arg, scope, env)
            if reason:
                return self._unknown_names(env, reason)
        if self._pending_calls:
            return self._unknown_names(env, "local function called inside the arguments of a call")
        if base in ("pipe_barrier", "set_flag", "wait_flag"):
            # A pipe is read only from pto's enumerator names (`PIPE_V`, not a variable so named).
            for arg in call.args[:2]:
                shadowed = self._not_pto_name(arg.id, env) if isinstance(arg, A.Name) else ""
                if shadowed:
                    return StmtInfo(Kind.UNKNOWN, reason=f"{base}: {shadowed}", env=env)
            words = [a.id if isinstance(a, A.Name) else None for a in call.args]
            if base == "pipe_barrier" and len(words) == 1 and words[0]:
                pipe = _strip_pto(words[0])
                if pipe == "PIPE_V":
                    return StmtInfo(Kind.BARRIER, env=env)
                if pipe == "PIPE_ALL":
                    return StmtInfo(Kind.DRAIN_ALL, env=env)
                if pipe.startswith("PIPE_"):
                    return StmtInfo(Kind.NOP, env=env)
            pipes = [_strip_pto(word) for word in words[:2] if word]
            if base in ("set_flag", "wait_flag") and len(words) == 3 and len(pipes) == 2 \
                    and all(pipe in PIPE_NAMES for pipe in pipes):
                # (Only the plain pipe names: `pipe_t::PIPE_V` is PIPE_V too, and would read as
                # another pipe; `PIPE_VEC` is none.)
                flag = (pipes[0], pipes[1], self._event_id(call.args[2], env))
                return StmtInfo(Kind.SET_FLAG if base == "set_flag" else Kind.WAIT_FLAG, env=env, flag=flag)
            return StmtInfo(Kind.UNKNOWN, reason=f"{base} with arguments ptofix cannot read", env=env)
        if base == "TASSIGN":
            return self._tassign(call, env)
        if base == "TRESHAPE":
            if len(call.args) == 2 and all(isinstance(a, A.Name) for a in call.args):
                dst, src = (env.get(a.id) for a in call.args)
                if dst is not None and src is not None and dst.kind == "tile" and src.kind == "tile":
                    # Only the address: on A2/A3 TRESHAPE is a TASSIGN of src.data(), and dst
                    # keeps its own valid shape.
                    dst.bindings.append(("alias", src))
                    return StmtInfo(Kind.NOP, env=env)
            return self._unknown_names(env, "TRESHAPE of operands that are not declared tiles")
        if base in FIFO_OPS:
            return self._fifo(base, call, env)
        if base in OPS:
            return StmtInfo(Kind.VECTOR_OP, op=base, args=list(call.args), env=env)
        if base == MASK_NORM_CALL and not call.args and name == base and base not in self.ctx.macros:
            # (Marked: where the file may switch to count mode, it switches back to norm mode.)
            return StmtInfo(Kind.NOP, op=MASK_NORM_CALL, env=env)
        if base in HARMLESS_CALLS:
            return StmtInfo(Kind.NOP, env=env)
        # A name this file does not define may be a header's macro, which may expand to a jump
        # (`BREAK_IF(c);`, `SKIP<1>(i);` with an object-like SKIP), like a bare `FOO;`; pto's
        # instructions are functions.
        if base not in PTO_INSTRUCTIONS and self.ctx.may_be_macro(name):
            self._may_jump(f"'{name}(...)' may be a macro that hides a jump{self.ctx.macro_origin(name)}")
        return self._unknown_names(env, f"call to '{name}' is not modelled")

    def _event_id(self, node: Any, env: dict) -> str:
        """A flag's event id as a constant ('' if it may vary: then it pairs with nothing)."""
        if isinstance(node, A.Number):
            return str(node.value)
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is None:
                if self._not_pto_name(node.id, env):
                    return ""
                return _strip_pto(node.id)           # an enumerator such as EVENT_ID0
            if sym.kind == "scalar":
                self._flag_symbols.append(sym)
                return f"<{sym.uid}>"                 # resolved to its value once defs are known
        return ""

    def event_value(self, tag: str) -> str:
        """The constant a symbolic flag tag stands for ('' when it is not one constant)."""
        if not tag.startswith("<"):
            return tag
        sym = self.symbols[int(tag[1:-1])]
        values = self.values.value_set(sym)
        return str(next(iter(values))) if values is not None and len(values) == 1 else ""

    def _tassign(self, call: A.Call, env: dict) -> StmtInfo:
        tmpl = call.template
        if tmpl is None and len(call.args) == 2 and isinstance(call.args[0], A.Name):
            tile, addr = env.get(call.args[0].id), call.args[1]
        elif tmpl is not None and len(tmpl.args) == 1 and len(call.args) == 1 and isinstance(call.args[0], A.Name):
            tile, addr = env.get(call.args[0].id), tmpl.args[0]      # TASSIGN<ADDR>(tile)
        else:
            return self._unknown_names(env, "TASSIGN form not modelled")
        if tile is None or tile.kind != "tile":
            return self._unknown_names(env, "TASSIGN to something that is not a declared tile")
        tile.bindings.append(("addr", addr, env))
        return StmtInfo(Kind.NOP, env=env)

    def _fifo(self, op: str, call: A.Call, env: dict) -> StmtInfo:
        """TPUSH/TPOP/TALLOC/TFREE: never PIPE_V (pto-isa TPush.hpp); Tile-form TPOP rebinds its tile."""
        tmpl = call.template
        if tmpl is None or not call.args or not isinstance(call.args[0], A.Name):
            return self._unknown_names(env, f"{op} form not modelled")
        pipe = env.get(call.args[0].id)
        if pipe is None or pipe.kind != "object" or pipe.object_type != "TPipe":
            # pto-isa has other forms, e.g. `TPOP(tile, pipe)` on a TMPipe, which moves the tile
            # into its local FIFO (pto_instr.hpp, a2a3/TPop.hpp): only TPipe's are modelled.
            return self._unknown_names(env, f"{op} whose first argument is not a TPipe")
        for arg in call.args[1:]:
            if not isinstance(arg, A.Name):
                return self._unknown_names(env, f"{op} with an argument that is not a name")
            sym = env.get(arg.id)
            if sym is None:
                return self._unknown_names(env, f"{op} of an undeclared name '{arg.id}'")
            if sym.kind == "tile":
                if op == "TPOP":
                    sym.bindings.append(("tpop", pipe, tmpl, sym))
            elif sym.kind != "object":
                sym.make_unknown(f"passed to {op}")
        return StmtInfo(Kind.NOP, env=env)


HARMLESS_METHODS = {"SetValidShape", "SetValue", "GetValue"}


_EMPTY = StmtInfo(Kind.NOP)


def type_words(node: Any) -> set[str]:
    """Every identifier a type (or any AST node) spells: names, type names and their qualifiers,
    template names and arguments."""
    words: set[str] = set()
    for sub in A.walk(node):
        if isinstance(sub, A.Name):
            words.add(sub.id)
        elif isinstance(sub, (A.TypeRef, A.TemplateId)):
            words.update(identifiers(sub.name))
    return words


def _only_sets_valid_shape(stmt: Stmt, name: str) -> bool:
    """``stmt`` is `name.SetValidShape(r, c);`, r and c not naming ``name``: it stores the tile's
    two valid-shape fields and reads nothing else of it, its address included (pto-isa
    include/pto/common/pto_tile.hpp `SetValidShape`; docs/reference/pto-facts.md §8)."""
    if not isinstance(stmt, SimpleStmt):
        return False
    node = stmt.ast
    if not isinstance(node, A.ExprStmt) or not isinstance(node.expr, A.Call):
        return False
    func = node.expr.func
    return isinstance(func, A.Member) and func.field == "SetValidShape" and isinstance(func.obj, A.Name) \
        and func.obj.id == name and len(node.expr.args) == 2 \
        and not any(name in A.name_ids(arg) for arg in node.expr.args)


def _one_call_at_most(info: StmtInfo) -> StmtInfo:
    """``info``, or Unknown when the statement (or header part) calls more than one function of
    the file: `f() + g()`, `h(f(), g())`, `if (rd() + wr() > 0)` leave their order open in C++,
    and the events would chain them left to right."""
    if len(info.local_calls) <= 1:
        return info
    return StmtInfo(Kind.UNKNOWN, reason="several calls of this file's functions in one statement or header part "
                    "(their order is not modelled)", env=info.env, local_calls=info.local_calls)


# A statement the grammar does not read (`pto::MrgSortExecutedNumList v4 =
# pto::MrgSortExecutedNumList{128, 64, 0, 0};`), in tokens: names, numbers, `::` and single marks.
_ROUGH_TOKEN = regex_cache.compile(r"[A-Za-z_]\w*|\d[\w.']*|::|\S")
# A string or character literal: one token (its brackets and commas are no structure).
_QUOTED = regex_cache.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'""")
# Words that let a statement declare something other than its declarators (a class, an
# enumeration and its enumerators, a namespace alias, a type...) or make it no simple declaration.
_DECLARING_WORDS = frozenset(["struct", "class", "union", "enum", "namespace", "using", "typedef", "template",
                              "friend", "concept", "requires", "operator", "asm", "extern", "__attribute__",
                              "decltype", "typeof", "__typeof__", "alignas", "static_assert"])


# A block-scope alias-declaration's head (`using NAME =`; not `using namespace`, no attribute).
_BLOCK_ALIAS = regex_cache.compile(r"\s*using\s+(?!namespace(?![\w$]))([A-Za-z_]\w*)\s*=(?!=)")
# Words that may declare a class or enumeration inside a type-id (an elaborated type specifier).
_ELABORATING_WORDS = frozenset(["struct", "class", "union", "enum", "concept", "requires"])


def _declared_names(text: str) -> set[str] | None:
    """The names a statement the grammar does not read may declare, or None when that cannot be
    told (then it may declare any of its words). Read as a simple declaration `SPECIFIERS NAME =
    INIT;` or `SPECIFIERS NAME{...};`: NAME, the last name before the first `=`, `{` or `[`
    outside brackets, and each name right after a comma outside (), [] and {} (a further declarator, or a
    comma inside template arguments, conservatively), unless `::` follows it (a block-scope
    declarator is never qualified). What the braces or parentheses of the initializer declare (a
    lambda's body, a statement expression) lives in their own scope. None when the statement
    holds a word that declares something else (`struct`, `enum`, `using`...), a `(` or a `[`
    before NAME (a parenthesized declarator, a structured binding, an attribute), or no such NAME.
    (An array declarator `NAME[3]` ends at its `[`.)"""
    code = _QUOTED.sub(" 0 ", strip_comments(join_splices(text) if _has_splice(text) else text))
    alias = _BLOCK_ALIAS.match(code)
    if alias is not None:
        # `using Tile1D = Tile<TileType::Vec, typename T::DType, 1, N>;` declares its name only
        # ([dcl.pre]: one alias-declaration), unless its type-id names a class key or `enum`,
        # which may declare that class in the block (`using P = struct TMUL*;`).
        if _ELABORATING_WORDS.intersection(identifiers(code, alias.end())) or alias.group(1) in _KEYWORDS:
            return None
        return {alias.group(1)}
    tokens = _ROUGH_TOKEN.findall(code)
    declared: set[str] = set()
    depth = 0
    name = ""
    for index, token in enumerate(tokens):
        if token in _DECLARING_WORDS or token == "[" and tokens[index + 1:index + 2] == ["["]:
            return None     # (an attribute may stand before any declarator)
        if token in ("(", "[", "{"):
            if depth == 0 and not name:
                if token == "(":        # (a parenthesized declarator; `T v[3] = {};` ends at its `[`)
                    return None
                name = _last_name(tokens[:index])
                if not name:
                    return None
            depth += 1
        elif token in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and token == "=" and not name:
            name = _last_name(tokens[:index])
            if not name:
                return None
        elif depth == 0 and token == ",":
            following = [t for t in tokens[index + 1:index + 8] if t not in ("*", "&", "(", "const", "volatile")]
            if following and _is_word(following[0]) and (len(following) < 2 or following[1] != "::"):
                declared.add(following[0])
    if not name:
        return None
    declared.add(name)
    return {word for word in declared if word not in _KEYWORDS}


def _last_name(tokens: list[str]) -> str:
    """The name a declaration's specifiers end with: the last token, when it is a name not
    preceded by `::` (a qualified name is no block-scope declarator)."""
    if not tokens:
        return ""
    last = tokens[-1]
    if not _is_word(last) or last in _KEYWORDS:
        return ""
    return "" if len(tokens) > 1 and tokens[-2] == "::" else last


def _is_word(token: str) -> bool:
    return token[0].isalpha() or token[0] == "_"


def _merge_header(parts: list) -> StmtInfo:
    unknown = [p for p in parts if p.kind is Kind.UNKNOWN]
    if unknown:
        return StmtInfo(Kind.UNKNOWN, reason="; ".join(p.reason for p in unknown))
    calls = [c for p in parts for c in p.local_calls]
    return StmtInfo(Kind.NOP, local_calls=calls)


_SPLICE = regex_cache.compile(SPLICE)


def _has_splice(text: str) -> bool:
    return "\\" in text and _SPLICE.search(text) is not None


def join_splices(text: str) -> str:
    """``text`` with its line splices (backslash, blanks, newline) removed, as the compiler reads it."""
    return _SPLICE.sub("", text)


def _names(node: Any) -> set:
    return set(A.name_ids(node))


_ARRAY_BOUND = regex_cache.compile(r"\[([^\[\]]*)\]")
_NUMBER_BOUND = regex_cache.compile(r"\s*(?:0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\s*")


def _variable_bound(text: str) -> bool:
    """A declaration's brackets hold something other than a plain number (`int32_t v[h()];`: a
    run-time bound, evaluated with its calls and writes). Read on the code only: a comment's or a
    string's brackets would hide the real bound's."""
    return any(not _NUMBER_BOUND.fullmatch(bound) for bound in _ARRAY_BOUND.findall(code_only(text)))


def _entry_count(entries: list | None) -> int:
    return -1 if entries is None else len(entries)


def _tile_fingerprint(sym: Symbol) -> tuple:
    """What a change to a tile's entries changes: (definitions, bindings, valid-shape list, its
    length, tile type), the lists by count (they only grow), the others by identity."""
    return len(sym.defs), len(sym.bindings), sym.valid_ctor, _entry_count(sym.valid_ctor), sym.tile


def _same_fingerprint(one: tuple, other: tuple) -> bool:
    return one[0] == other[0] and one[1] == other[1] and one[2] is other[2] and one[3] == other[3] \
        and one[4] is other[4]


def _static_storage(sym: Symbol) -> bool:
    """Declared `static` or `thread_local`: initialised once, not each time its declaration runs."""
    quals = sym.type_ref.quals if sym.type_ref is not None else ()
    return "static" in quals or "thread_local" in quals


def _template_params(names: Sequence[str]) -> set:
    """`template <typename T, class U>` parameter names from a function head's words."""
    out = set()
    for i, word in enumerate(names[:-1]):
        if word in ("typename", "class"):
            out.add(names[i + 1])
    return out


def _spells(source: SourceText, name: str) -> bool:
    """Whether ``name``, made of word characters, occurs in the source's text (in a word: found in
    its word index, ~12% of its size, when it has one)."""
    word_text = source.word_text()
    if word_text is None or not (name.isascii() and name.isidentifier()):
        return name in source.text
    return name.encode("ascii") in word_text


def _count_mode_name_of(source: SourceText) -> str:
    """_count_mode_name(source.text), from the text's word index when it has one and nothing else
    bounds a word there (no '$', which _count_mode_name takes as a word character, and no line
    splice, which joins two words)."""
    text = source.text
    word_text = source.word_text()
    if word_text is None or "$" in text or _has_splice(text):
        return _count_mode_name(text)
    for name, needle in _COUNT_MODE_NEEDLES:
        if needle in word_text:
            return name
    for word, whole in _ASSEMBLY_WORD_BYTES:
        if whole in word_text:
            return word
    return ""


def scalar_tci_call(stmt: Stmt, offset: int = -1) -> bool:
    """Whether ``stmt`` is a call statement of pto's scalar TCI as written (ops.SCALAR_TCI_NARGS):
    `TCI(d, s);`, `pto::TCI<...>(d, s);`, exactly two arguments, and no other count-mode name in
    the statement's text (comments, template arguments and arguments included), the callee being
    the one at ``offset`` when given. Whether TCI names pto's function, and whether its operands are
    a tile and a value, the semantic model decides (an Unknown event where they are not)."""
    if not isinstance(stmt, SimpleStmt):
        return False
    ast = stmt.ast
    if not isinstance(ast, A.ExprStmt) or not isinstance(ast.expr, A.Call):
        return False
    call = ast.expr
    func = call.func
    if not isinstance(func, (A.Name, A.TemplateId)) or call.callee not in (SCALAR_TCI, "pto::" + SCALAR_TCI) \
            or len(call.args) != SCALAR_TCI_NARGS:
        return False
    text = stmt.text
    if _has_splice(text):
        return False
    places = _count_mode_offsets(text)
    callee = stmt.span.start + func.start
    return len(places) == 1 and (offset < 0 or offset == stmt.span.start + places[0][0]) \
        and callee <= stmt.span.start + places[0][0] < callee + len(call.callee)


def _names_count_mode_outside_scalar_tci(model: CppFile) -> bool:
    """Whether some place that names a count-mode name (_count_mode_offsets) is not the callee of
    a scalar TCI statement (scalar_tci_call) in a function body."""
    text = model.source.text
    if "$" in text or _has_splice(text):
        return True
    offsets = _count_mode_offsets(text)
    if len(offsets) > _MAX_COUNT_MODE_PLACES:
        return True
    bodies = [fn.body for fn in model.functions if isinstance(fn.body, Compound)]
    for offset, _name in offsets:
        body = next((body for body in bodies if body.span.start < offset < body.span.end), None)
        if body is None:
            return True
        stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                   key=lambda s: s.span.end - s.span.start, default=None)
        if stmt is None or not scalar_tci_call(stmt, offset):
            return True
    return False


def _header_count_mode(headers: dict) -> str:
    """Why a header the file includes (read_includes' summaries) may leave the vector unit in count
    mode ('' if none may): its code names a count-mode name (_count_mode_name); a function of it the
    kernel calls may return in count mode, which no statement of the file shows."""
    for summary in headers.values():
        for word in sorted(summary.used):
            mode = _count_mode_name(word)
            if mode:
                return (f"the header {summary.used[word]}, which the file includes, names '{word}', which may "
                        "leave the vector unit in count mode: element-wise ops then walk as many elements as the "
                        "vector mask says, in any function the file runs after it")
    return ""


# How many count-mode names a file may hold and still have its mask mode tracked per statement.
_MAX_COUNT_MODE_PLACES = 64
# The CCE intrinsic that puts the vector unit in norm mode (pto.ops.HARMLESS_CALLS).
MASK_NORM_CALL = "set_mask_norm"


def _count_mode_offsets(text: str) -> list[tuple[int, str]]:
    """Every place where _count_mode_name finds a name in ``text`` (without line splices), with
    the name."""
    found: list[tuple[int, str]] = []
    for name in COUNT_MODE_NAMES:
        pos = text.find(name)
        while pos != -1:
            if name != "TCI" or pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$"):
                found.append((pos, name))
            pos = text.find(name, pos + len(name))
    for word in _ASSEMBLY_WORDS:
        pos = text.find(word)
        while pos != -1:
            end = pos + len(word)
            if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$")) \
                    and (end == len(text) or not (text[end].isalnum() or text[end] in "_$")):
                found.append((pos, word))
            pos = text.find(word, end)
    return sorted(found)


def _count_mode_name(text: str) -> str:
    """The first of ops.COUNT_MODE_NAMES that ``text`` holds ('' if none): `TCI` as the start of a
    word (pto's `TCI_IMPL`, `TCI_b32_normal` leave count mode too), the others anywhere in a word
    (`__builtin_cce_set_mask_count`, `RemOp<...>::RemF32Instr`), and inline assembly (`asm`,
    `__asm__`), which may write the control register. Comments count too (cheaper than telling
    them apart: a find per name). Line splices go first: a macro may spell
    `set_mask_\\<newline>count`."""
    if _has_splice(text):
        text = join_splices(text)
    for name in COUNT_MODE_NAMES:
        pos = text.find(name)
        while pos != -1:
            if name != "TCI" or pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$"):
                return name
            pos = text.find(name, pos + len(name))
    for word in _ASSEMBLY_WORDS:
        pos = text.find(word)
        while pos != -1:
            end = pos + len(word)
            if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$")) \
                    and (end == len(text) or not (text[end].isalnum() or text[end] in "_$")):
                return word
            pos = text.find(word, end)
    return ""


_ASSEMBLY_WORDS = ("asm", "__asm__", "__asm")
_FEW_MACROS = 8
# _count_mode_name's searches in a word index: TCI as the start of a word, the others anywhere in
# one; the assembly keywords as whole words.
_COUNT_MODE_NEEDLES = tuple((name, (b" " if name == "TCI" else b"") + name.encode("ascii"))
                            for name in COUNT_MODE_NAMES)
_ASSEMBLY_WORD_BYTES = tuple((word, b" " + word.encode("ascii") + b" ") for word in _ASSEMBLY_WORDS)


def _has_specialization(text: str, macros: frozenset = frozenset()) -> bool:
    """`template <>` (an explicit specialization) somewhere in ``text``, strings included (a
    comment is a blank: `template </* */>` is one too), or a `template <...>` whose list holds only
    ``macros`` of the file (`template <NO_ARGS>` may expand to `template <>`). (A find per
    occurrence of the word: a `\b` search tries every offset of the file.)"""
    pos = text.find("template")
    while pos != -1:
        if pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_"):
            match = _TEMPLATE_OF_WORDS.match(text, pos)
            if match is not None and all(word in macros for word in identifiers(strip_comments(match.group(1)))):
                return True
        pos = text.find("template", pos + 8)
    return False


# `template <` words only `>`, comments being blanks: an explicit specialization when the words are
# macros expanding to nothing. (Read on the raw text: a `template <>` a comment holds counts too.)
# (Each alternative unambiguous: a comment ends at its first `*/`, so a failing match backtracks
# linearly, not through every way to split the text into comments.)
_BLANK_OR_COMMENT = r"(?:\s|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*(?:\n|\Z))"
_TEMPLATE_OF_WORDS = regex_cache.compile(
    r"template" + _BLANK_OR_COMMENT + r"*<((?:" + _BLANK_OR_COMMENT + r"|[A-Za-z_]\w*(?!\w))*)>", re.S)


def _qualified_by_macro(fn: Function, macros: frozenset) -> bool:
    """Whether a qualified definition (`X::name(`) spells its qualifiers with a macro of the file
    (`PTO_NS::TMUL_IMPL` may be `pto::TMUL_IMPL`)."""
    if not fn.qualified or not macros:
        return False
    return any(word in macros for word in fn.declaration.before_name_words)


def _qualified_into_pto(qualified: str) -> bool:
    """Whether a definition's qualified head (``Function.qualified``: its blanks removed, so
    `void pto::` reads `voidpto::`) may name namespace pto. Any `pto::` counts, one ending a
    longer name too (`crypto::`): cheaper than re-reading the words, and fail-closed."""
    return "pto" in qualified and "pto::" in "".join(strip_comments(qualified).split())
# Words of a function's declaration before its name that say nothing of the return type.
_DECL_SPECIFIERS = frozenset(["static", "inline", "extern", "constexpr", "AICORE", "__aicore__", "__global__",
                              "__inline__", "__forceinline__", "friend", "virtual", "C", "const", "volatile",
                              "__attribute__", "always_inline", "noinline", "aicore", *PTO_FUNCTION_SPECIFIER_MACROS])
_ARITHMETIC_WORDS = frozenset(["void", "int", "long", "short", "char", "unsigned", "signed", "bool", *_INT_TYPES,
                               *_FLOAT_TYPES])
_TRAILING_DATA = regex_cache.compile(r"decltype\s*\(\s*[A-Za-z_]\w*\s*\.\s*data\s*\(\s*\)\s*\)")


def _return_reason(fn: Function) -> str:
    """Why a call of ``fn`` may run code for its returned value ('' if it returns void, an
    arithmetic type or a pointer): a class returned by value is constructed in the callee and
    destroyed in the caller. `auto f(T& t) -> decltype(t.data())` (ptoas's helper) returns a
    pointer."""
    read = _template_heads(fn)
    if read is None:
        return "its template head is not one the model reads (only plain `typename T` / `type N` parameters)"
    before = read[1]
    if "*" in before:
        return ""
    words = [w for w in fn.declaration.return_words if w not in _DECL_SPECIFIERS]
    if words == ["auto"] and _TRAILING_DATA.fullmatch(fn.declaration.trailing_return):
        return ""
    if all(w in _ARITHMETIC_WORDS for w in words):
        return ""
    return f"it returns '{' '.join(words)}', which may be a class (constructed and destroyed around the call)"


def _holds_dims(ctype: object, bound: int | None) -> bool:
    """Whether converting any value in [0, bound] to ``ctype`` keeps it in [0, bound]: an unsigned
    type only makes it smaller (modulo), a signed one must hold ``bound`` (`(int8_t) 128` is -128,
    which the Tile's `unsigned` parameters take as 0xFFFFFF80)."""
    if not isinstance(ctype, IntType) or bound is None:
        return False
    return not ctype.signed or bound <= (1 << (ctype.bits - 1)) - 1


def _name_word_before(fn: Function) -> bool:
    """The declaration has a word right before the function's name that may itself be the name
    (not a keyword or specifier): `void body __wur (...)` defines `body` if `__wur` expands to
    nothing, while `void PTOAS__DCCI(...)` could name nothing else."""
    before = fn.declaration.before_name.rstrip()
    words = fn.declaration.before_name_words
    if not before or not (before[-1].isalnum() or before[-1] == "_") or not words:
        return False
    word = words[-1]
    return word not in _KEYWORDS and word not in _DECL_SPECIFIERS and word not in _ARITHMETIC_WORDS


def _template_heads(fn: Function) -> tuple[set, str] | None:
    """(the names of ``fn``'s template parameters, its declaration between the template heads and
    its name): ``(set(), ...)`` when it is no template; None when the parser did not read its
    template heads as plain parameters (FunctionHead.template_params) or a parameter holds a word
    that may be a macro (then its name may be another word)."""
    params = fn.declaration.template_params
    if params is None:
        return None
    names = set()
    for words in params:
        if any(is_compiler_word(w) or is_reserved_identifier(w) or w in pto_macro_names() for w in words):
            return None
        if words:
            names.add(words[-1])
    return names, fn.declaration.after_templates


def _template_value_params(fn: Function) -> set:
    """The names ``fn``'s template heads may declare (type and non-type parameters alike): each
    parameter's name where the heads are plain (_template_heads), else every word of the
    declaration before the name that is not a keyword or arithmetic type."""
    read = _template_heads(fn)
    if read is not None:
        return read[0]
    return {w for w in fn.declaration.before_name_words if w not in _ARITHMETIC_WORDS
            and w not in _KEYWORDS}


# -- value computation ----------------------------------------------------------------------------
def _wrap(value: int, ctype: object) -> int:
    return wrap(value, ctype) if isinstance(ctype, IntType) else value


def _pointer_values(values: frozenset | None) -> frozenset | None:
    """``values`` of a pointer, or None where one of them may not survive a 32-bit pointer
    (pto/tiles.py LOCAL_POINTER_LIMIT)."""
    if values is None or any(not 0 <= v < LOCAL_POINTER_LIMIT for v in values):
        return None
    return values


def _promote(t: object) -> object:
    return promote(t) if isinstance(t, IntType) else t


def _common(a: object, b: object) -> IntType | None:
    return common_type(a, b) if isinstance(a, IntType) and isinstance(b, IntType) else None


def literal_type(node: A.Number) -> IntType | str | None:
    """The C++ type of a number literal: "float" for a floating one, else integers.literal_type
    (None for one no type holds)."""
    if not isinstance(node.value, int):
        return "float"
    return integer_literal_type(node.text)


def expr_type(node: Any, env: dict, sem: FunctionSemantics) -> object:
    """Static C++ type of an expression: IntType, PtrType, "float" or None (unknown)."""
    try:
        return _expr_type(node, env, sem)
    except RecursionError:
        return None


def _expr_type(node: Any, env: dict, sem: FunctionSemantics) -> object:
    if isinstance(node, A.Number):
        return literal_type(node)
    if isinstance(node, A.Literal):
        return IntType(1, False) if isinstance(node.value, bool) else PtrType(None)
    if isinstance(node, A.Name):
        sym = env.get(node.id)
        if sym is None:
            constant = sem.file_constant(node.id)
            return None if constant is None else constant[0]
        return sym.ctype if sym.kind == "scalar" else None
    if isinstance(node, A.Cast):
        return _cast_type(node.type, sem, env)
    if isinstance(node, A.Call):
        tmpl = node.template
        if tmpl is not None and _strip_pto(tmpl.name) in ("reinterpret_cast", "static_cast") and tmpl.args \
                and isinstance(tmpl.args[0], A.TypeRef):
            return _cast_type(tmpl.args[0], sem, env)
        func = node.func
        if isinstance(func, A.Member) and func.field == "data" and isinstance(func.obj, A.Name):
            sym = env.get(func.obj.id)
            if sym is not None and sym.kind == "tile" and sym.tile is not None and sym.tile.dtype:
                return PtrType(dtype_size(sym.tile.dtype))
        if isinstance(func, A.Member) and func.field in _VALID_DIM_GETTERS and isinstance(func.obj, A.Name):
            sym = env.get(func.obj.id)
            if sym is not None and sym.kind == "tile":
                return _VALID_DIM_TYPE
        return None
    if isinstance(node, A.Unary):
        inner = _expr_type(node.operand, env, sem)
        if node.op in ("-", "+", "~"):
            return _promote(inner) if isinstance(inner, IntType) else inner if inner == "float" else None
        if node.op == "!":
            return IntType(1, False)
        return None
    if isinstance(node, A.Binary):
        left, right = _expr_type(node.left, env, sem), _expr_type(node.right, env, sem)
        if node.op in ("<", ">", "<=", ">=", "==", "!=", "&&", "||"):
            return IntType(1, False)
        if node.op in ("<<", ">>"):
            return _promote(left) if isinstance(left, IntType) else None
        if isinstance(left, PtrType) and isinstance(right, IntType) and node.op in "+-":
            return left
        if isinstance(right, PtrType) and isinstance(left, IntType) and node.op == "+":
            return right
        if left == "float" or right == "float":
            return "float"
        return _common(left, right)
    if isinstance(node, A.Ternary):
        a, b = _expr_type(node.then, env, sem), _expr_type(node.orelse, env, sem)
        return a if a == b else _common(a, b)
    return None


def _cast_type(type_: A.TypeRef, sem: FunctionSemantics, env: dict) -> object:
    if type_.name in sem.local_alias_names or type_.name in sem.template_params:
        return None
    resolved = sem.resolve_type(type_, sem.ctx.scope) if type_.template is None else type_
    if resolved.pointer:
        return pointer_type(resolved)
    if resolved.name in _INT_TYPES:
        bits, signed = _INT_TYPES[resolved.name]
        return IntType(bits, signed)
    if resolved.name in _FLOAT_TYPES:
        return "float"
    return None


class ValueModel:
    """Value sets of scalar symbols and address sets of tile symbols (None = unknown)."""

    def __init__(self, sem: FunctionSemantics):
        self.sem = sem
        self._values: dict[int, frozenset | None] = {}
        self._addrs: dict[int, frozenset | None] = {}
        self._reading_shapes: set[int] = set()   # tiles whose GetValidRow/Col is being read (cycles)
        self.self_referential_shapes: set[int] = set()   # tiles whose valid shape reads itself
        self._shape_readings: dict[int, tuple[frozenset, frozenset, bool]] = {}   # _shape_reading by tile
        self._shapes: dict[int, frozenset | None] = {}                           # valid_shapes by tile
        # _valid_dims by (tile, dim), read outside any GetValidRow/Col evaluation: every op
        # asks for its operands' shapes, and a tile's entries grow with each SetValidShape.
        # (dims, whether no cut shaped them)
        self._dims: dict[tuple[int, int], tuple[frozenset | None, bool]] = {}
        self._nesting = 0                        # value_set/tile_addresses/shape_entries calls open
        # Answers cut short by the context they were computed in (a cycle back into a tile being
        # read, the nesting bound): a result computed with none is the same in any context, so it
        # is kept even when computed inside another (without, chains read their shared parts again
        # and again: exponential in their depth).
        self._cuts = 0
        self._steps = 0                          # computations begun (MAX_VALUE_STEPS)

    def _out_of_steps(self) -> bool:
        """The step budget is spent: from now on answers may lack what earlier ones had (a valid
        shape's entry once known, now unknown), so the file's decisions are no longer taken
        (FileContext.values_exhausted; BarrierAnalysis.decide and find_races read it)."""
        if self._steps < MAX_VALUE_STEPS:
            return False
        if not self.sem.ctx.values_exhausted:
            self.sem.ctx.values_exhausted = (f"{self.sem.fn.name}(): its value model reached its bound of "
                                             f"{MAX_VALUE_STEPS} computations")
        return True

    def release(self) -> None:
        """See FunctionSemantics.release."""
        self._values.clear()
        self._addrs.clear()
        self._shape_readings.clear()
        self._shapes.clear()
        self._dims.clear()

    def valid_shapes(self, sym: Symbol) -> frozenset | None:
        """Every valid (rows, cols) a tile may have: static from its type, or those of its
        constructor and SetValidShape calls when each argument has one known value; None when
        one may vary, or when there are more than MAX_VALUES. Kept per tile (each op reads its
        operands' shapes)."""
        if sym.uid in self._shapes:
            return self._shapes[sym.uid]
        shapes = self._valid_shapes(sym)
        if not self._reading_shapes and not self._nesting:
            self._shapes[sym.uid] = shapes
        return shapes

    def _valid_shapes(self, sym: Symbol) -> frozenset | None:
        tt = sym.tile
        if tt is None:
            return None
        if tt.valid_row is not None and tt.valid_col is not None:
            return frozenset([(tt.valid_row, tt.valid_col)])
        entries = self.shape_entries(sym)
        if entries is None:
            return None
        shapes = set()
        for rows, cols, env in entries:
            dims = []
            for static, node in zip((tt.valid_row, tt.valid_col), (rows, cols), strict=True):
                values = frozenset([static if static is not None else node]) if static is not None or \
                    isinstance(node, int) else self.eval(node, env)
                if values is None or len(values) != 1:
                    return None
                dims.append(_wrap(next(iter(values)), _VALID_DIM_TYPE))
            shapes.add((dims[0], dims[1]))
            if len(shapes) > MAX_VALUES:
                return None
        return frozenset(shapes)

    def same_valid_shape(self, one: Symbol, other: Symbol) -> bool | None:
        """Whether two tiles' valid shapes are equal when an op uses them: True, False, or None
        when that may vary. Beyond known values, a dimension both constructors take from the same
        variable that is never reassigned is equal: both are in its scope, where it holds one value."""
        dims = [self._valid_dims(one, k) for k in (0, 1)], [self._valid_dims(other, k) for k in (0, 1)]
        equal = True
        for dim in (0, 1):
            a, b = dims[0][dim], dims[1][dim]
            if a is not None and b is not None and a.isdisjoint(b):
                return False            # no value the two may share in this dimension
            if a is not None and b is not None and len(a) == 1 and a == b:
                continue
            equal = equal and self._same_variable(one, other, dim)
        return True if equal else None

    def valid_dim_values(self, sym: Symbol, dim: int) -> frozenset | None:
        """Every value a tile's valid rows (dim 0) or cols (dim 1) may have; None if unknown."""
        return self._valid_dims(sym, dim)

    def known_valid_dim_values(self, sym: Symbol, dim: int) -> frozenset:
        """The values of valid rows (dim 0) or cols (dim 1) the model can compute, even when others
        it cannot compute are possible too: one past the tile is walked, whatever the others."""
        reading = self._shape_reading(sym)
        return reading[0] if dim == 0 else reading[1]

    def _shape_reading(self, sym: Symbol) -> tuple[frozenset, frozenset, bool]:
        """One evaluation of a tile's valid-shape entries, kept: the rows and cols values the model
        computes (known_valid_dim_values) and whether an entry it cannot compute may lie past the
        tile (shape_may_pass_tile, before the cycles found later). Both answers come from this one
        evaluation: an entry's evaluation may change with what the model has read by then (a part
        another read kept, a bound reached), and an entry unknown to the first answer but known to
        the second would be in neither: neither walked nor taken to pass the tile."""
        kept = self._shape_readings.get(sym.uid)
        if kept is not None:
            return kept
        tt = sym.tile
        known: list[set] = [set(), set()]
        if tt is None:
            return frozenset(), frozenset(), False
        statics, bounds = (tt.valid_row, tt.valid_col), (tt.rows, tt.cols)
        entries = self.shape_entries(sym) if not tt.static_valid else []
        # (No entry at all: constructed with no shape, or changed where the model does not look.)
        may_pass = entries is None
        for dim in (0, 1):
            static = statics[dim]
            if static is not None:
                known[dim].add(static)
                continue
            for entry in entries or ():
                node, env = entry[dim], entry[2]
                values = frozenset([node]) if isinstance(node, int) else self.eval(node, env)
                if values is not None:
                    # The constructor and SetValidShape take `unsigned` (pto-isa pto_tile.hpp).
                    known[dim] |= {_wrap(v, _VALID_DIM_TYPE) for v in values}
                elif node is None:
                    # UNKNOWN_SHAPE: a default constructor's unset counts, or a shape changed where
                    # the model does not look: no input the kernel's precondition bounds.
                    may_pass = True
                elif not self._input_value(node, env, bounds[dim]):
                    may_pass = True
        reading = (frozenset(known[0]), frozenset(known[1]), may_pass or sym.uid in self.self_referential_shapes)
        if not self._reading_shapes and not self._nesting:
            self._shape_readings[sym.uid] = reading
        return reading

    def shape_may_pass_tile(self, sym: Symbol) -> bool:
        """Whether a valid shape of the tile the model cannot compute may still lie past the tile.

        Unknown valid shapes are taken to fit (pto-facts.md, "Valid shapes") only where that is
        the kernel's precondition on its inputs: a dimension that is a run-time input as it came
        in (ValueModel._input_value). Anything else the model cannot evaluate (arithmetic on
        inputs, which may push a fitting input past the tile; a floating literal; a call; a tile's
        GetValidRow; a scalar the model lost track of, however) may lie past the tile and is walked
        as unknown; so is a shape computed from itself, directly or through other tiles. Read after
        the tile's valid dims were asked for (the evaluation finds the cycles)."""
        return sym.uid in self.self_referential_shapes or self._shape_reading(sym)[2]

    def _input_value(self, node: Any, env: dict, bound: int | None) -> bool:
        """Whether the integer expression ``node`` is a run-time input of the kernel as it came in:
        a parameter of the `__global__` entry function never assigned, a block or sub-block query,
        a scalar defined once from one of these, through integer conversions, or a choice
        (`?:`) between such values and literals within ``bound``. Not arithmetic, memory, or
        anything else the model does not follow."""
        try:
            return self._input_expr(node, env, bound, 0)
        except RecursionError:
            return False

    def _input_expr(self, node: Any, env: dict, bound: int | None, depth: int) -> bool:
        if depth > 32:
            return False
        if isinstance(node, A.Number):
            return isinstance(node.value, int) and bound is not None and 0 <= node.value <= bound
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is None or sym.kind != "scalar" or not isinstance(sym.ctype, IntType):
                return False
            if sym.is_param:
                # The incoming value only (one definition: the parameter's), of a kernel entry.
                return self.sem.fn.is_entry and len(sym.defs) == 1 and sym in self.sem.params
            if len(sym.defs) != 1 or sym.defs[0] is UNKNOWN_DEF or sym.defs[0][0] is None \
                    or not _holds_dims(sym.ctype, bound):
                return False
            node, env = sym.defs[0]
            return self._input_expr(node, env, bound, depth + 1)
        if isinstance(node, A.Cast):
            return _holds_dims(_cast_type(node.type, self.sem, env), bound) \
                and self._input_expr(node.operand, env, bound, depth + 1)
        if isinstance(node, A.Ternary):
            return _holds_dims(expr_type(node, env, self.sem), bound) \
                and all(self._input_expr(part, env, bound, depth + 1) for part in (node.then, node.orelse))
        if isinstance(node, A.Call):
            tmpl = node.template
            if tmpl is not None and _strip_pto(tmpl.name) == "static_cast" and len(node.args) == 1:
                return _holds_dims(expr_type(node, env, self.sem), bound) \
                    and self._input_expr(node.args[0], env, bound, depth + 1)
            return isinstance(node.func, A.Name) and node.func.id in PURE_FUNCTIONS and not node.args \
                and env.get(node.func.id) is None and node.func.id not in self.sem.ctx.header_names
        return False

    def _valid_dims(self, sym: Symbol, dim: int) -> frozenset | None:
        """Every value valid rows (dim 0) or cols (dim 1) of a tile may have; None if unknown."""
        key = (sym.uid, dim)
        kept = self._dims.get(key)
        # Inside another tile's shape read only an answer no cut shaped holds (a cycle cut may).
        if kept is not None and (kept[1] or not self._reading_shapes):
            return kept[0]
        canonical, cuts = not self._reading_shapes and self._nesting == 0, self._cuts
        result = self._compute_valid_dims(sym, dim)
        if canonical or self._cuts == cuts:
            self._dims[key] = (result, self._cuts == cuts)
        return result

    def _compute_valid_dims(self, sym: Symbol, dim: int) -> frozenset | None:
        tt = sym.tile
        if tt is None:
            return None
        static = (tt.valid_row, tt.valid_col)[dim]
        if static is not None:
            return frozenset([static])
        entries = self.shape_entries(sym)
        if entries is None:
            return None
        out: set = set()
        for shape in entries:
            node, env = shape[dim], shape[2]
            values = frozenset([node]) if isinstance(node, int) else self.eval(node, env)
            if values is None:
                return None
            # The constructor and SetValidShape take `unsigned` (pto-isa pto_tile.hpp): a wider or
            # negative argument keeps its low 32 bits.
            out |= {_wrap(v, _VALID_DIM_TYPE) for v in values}
        return frozenset(out)

    def shape_entries(self, sym: Symbol, seen: set | None = None) -> list | None:
        """The (rows, cols, env) entries of every valid shape a tile with a run-time valid shape
        may have, copies expanded into their sources' entries (a cycle adds nothing more), a shape
        the model does not know as UNKNOWN_SHAPE; None when the tile has no known entry at all."""
        if sym.valid_ctor is None:
            return None
        seen = seen if seen is not None else set()
        seen.add(sym.uid)
        out: list = []
        for entry in sym.valid_ctor:
            if entry[0] is not COPIED_SHAPE:
                out.append(entry)
                continue
            source = entry[1]
            st = source.tile
            if st is not None and st.valid_row is not None and st.valid_col is not None:
                out.append((st.valid_row, st.valid_col, None))
            elif source.uid not in seen:
                more = None
                if self._nesting < MAX_VALUE_NESTING:
                    self._nesting += 1
                    try:
                        more = self.shape_entries(source, seen)
                    finally:
                        self._nesting -= 1
                # A source of unknown shape adds an unknown entry, not erasing the known ones.
                out.extend(more if more is not None else [UNKNOWN_SHAPE])
        return out

    def _same_variable(self, one: Symbol, other: Symbol, dim: int) -> bool:
        """Both tiles' only valid shapes take this dimension from one variable that is never
        reassigned: both are in its scope, where it holds one value. Not for a static tile: it is
        constructed once, with the value the variable had then (a loop may declare the variable
        anew each iteration)."""
        mine, theirs = self.shape_entries(one), self.shape_entries(other)
        if mine is None or theirs is None or len(mine) != 1 \
                or len(theirs) != 1 or _static_storage(one) or _static_storage(other):
            return False
        if any(entry[0] is COPIED_SHAPE for sym in (one, other) for entry in sym.valid_ctor or ()):
            # A copy's entry is its source's, constructed when and as often as the source is (a
            # static source once, with the variable's first value): not this tile's own.
            return False
        node_a, env_a = mine[0][dim], mine[0][2]
        node_b, env_b = theirs[0][dim], theirs[0][2]
        if env_a is None or env_b is None:
            return False
        if not (isinstance(node_a, A.Name) and isinstance(node_b, A.Name)):
            return False
        sym = env_a.get(node_a.id)
        return sym is not None and sym is env_b.get(node_b.id) and sym.kind == "scalar" \
            and len(sym.defs) == 1 and sym.defs[0] is not UNKNOWN_DEF

    def value_set(self, sym: Symbol) -> frozenset | None:
        if sym.uid in self._values:
            return self._values[sym.uid]
        if self._nesting >= MAX_VALUE_NESTING or self._out_of_steps():
            self._cuts += 1
            return None                     # (not kept: known when asked for from less deep)
        self._steps += 1
        self._values[sym.uid] = None        # recursion guard: cyclic definitions are unknown
        self._nesting += 1
        try:
            final = self._value_set(sym)
        finally:
            self._nesting -= 1
        self._values[sym.uid] = final
        return final

    def _induction_values(self, sym: Symbol) -> frozenset | None:
        """The values a for loop's counter (Symbol.induction) has in the loop's body: from each
        initial value, every value the condition admits, stepped as the header steps it, until the
        condition is false for each value it may take then (any value it may have keeps the walk
        going: a superset); None past MAX_VALUES, or where the condition or step is unknown. The
        condition and step are evaluated with the counter fixed to one value; what that computed
        for other symbols is forgotten after (it held for that value only)."""
        assert sym.induction is not None and isinstance(sym.ctype, IntType)
        cond, step, env = sym.induction
        starts = self.eval(sym.defs[0][0], sym.defs[0][1])
        if starts is None:
            return None
        caches: tuple[dict, ...] = (self._values, self._addrs, self._shapes, self._dims, self._shape_readings)
        known_before = [set(cache) for cache in caches]
        seen: set[int] = set()
        result: set | None = set()
        try:
            pending = [_wrap(v, sym.ctype) for v in starts]
            while pending and result is not None:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                self._values[sym.uid] = frozenset([current])
                admitted = self.eval(cond, env)
                if admitted is None:
                    result = None
                elif any(admitted):
                    result.add(current)
                    following = self._stepped(current, step, env, sym.ctype)
                    if following is None or len(result) > MAX_VALUES:
                        result = None
                    else:
                        pending.append(following)
        finally:
            for cache, before in zip(caches, known_before, strict=True):
                for key in set(cache) - before:
                    del cache[key]          # (also the counter's own: value_set stores the result)
        return frozenset(result) if result is not None else None

    def _stepped(self, current: int, step: Any, env: dict, ctype: IntType) -> int | None:
        """The counter's value after its loop's step, from ``current`` (fixed in the value cache)."""
        if isinstance(step, A.IncDec):
            return wrap(current + (1 if step.op == "++" else -1), ctype)
        values = self.eval(step.value, env)
        if values is None or len(values) != 1:
            return None
        value = next(iter(values))
        if step.op == "=":
            return wrap(value, ctype)
        computed = binary_value(step.op[0], current, value, ctype, expr_type(step.value, env, self.sem))
        return None if computed is None else wrap(computed, ctype)

    def _value_set(self, sym: Symbol) -> frozenset | None:
        if sym.induction is not None:
            return self._induction_values(sym)
        # Only integers and pointers hold the exact values computed here: a floating variable rounds
        # (`float f = 1099511693312;` holds 2**40), and a variable of unknown type may convert.
        result: set | None = set() if sym.defs and sym.kind == "scalar" \
            and isinstance(sym.ctype, (IntType, PtrType)) else None
        for definition in sym.defs if result is not None else ():
            node, env = definition
            if node is None or definition is UNKNOWN_DEF:
                result = None
                break
            values = self.eval(node, env)
            if values is None or result is None:
                result = None
                break
            result = result | {_wrap(v, sym.ctype) for v in values}
            if len(result) > MAX_VALUES:
                result = None
                break
        return frozenset(result) if result is not None else None

    def eval(self, node: Any, env: dict | None) -> frozenset | None:
        """The values ``node`` may have in ``env``; None: unknown (also for an entry that stands
        for an unknown value, a None node or environment, as UNKNOWN_SHAPE and UNKNOWN_DEF)."""
        if node is None or env is None:
            return None
        try:
            return self._eval(node, env)
        except RecursionError:
            return None

    def _eval(self, node: Any, env: dict) -> frozenset | None:
        if isinstance(node, A.Number):
            value = node.value
            ctype: object = literal_type(node)
            return frozenset([_wrap(value, ctype)]) if isinstance(value, int) and ctype is not None else None
        if isinstance(node, A.Literal):
            return frozenset([0]) if node.value is None else frozenset([int(bool(node.value))])
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is None:
                constant = self.sem.file_constant(node.id)
                return None if constant is None else frozenset([constant[1]])
            return self.value_set(sym)
        if isinstance(node, A.Cast):
            inner = self._eval(node.operand, env)
            ctype = _cast_type(node.type, self.sem, env)
            if inner is None or ctype is None or ctype == "float":
                return None
            if isinstance(ctype, PtrType):
                return _pointer_values(inner)
            return frozenset(_wrap(v, ctype) for v in inner)
        if isinstance(node, A.Unary):
            inner = self._eval(node.operand, env)
            ctype = expr_type(node, env, self.sem)
            if inner is None or not isinstance(ctype, IntType):
                return None
            if node.op not in ("-", "+", "!", "~"):
                return None
            return frozenset(unary_value(node.op, v, ctype) or 0 for v in inner)   # (None: no such op)
        if isinstance(node, A.Ternary):
            # Both branches are converted to their common type (`c ? m : 0u` is unsigned).
            common = expr_type(node, env, self.sem)
            if not isinstance(common, IntType):
                return None
            cond = self._eval(node.cond, env)
            a, b = self._eval(node.then, env), self._eval(node.orelse, env)
            if cond is not None and len(cond) == 1:
                chosen = a if next(iter(cond)) else b
                return None if chosen is None else frozenset(_wrap(v, common) for v in chosen)
            if a is None or b is None:
                return None
            return _cap(frozenset(_wrap(v, common) for v in a | b))
        if isinstance(node, A.Binary):
            return self._binary(node, env)
        if isinstance(node, A.Call):
            tmpl = node.template
            if tmpl is not None and _strip_pto(tmpl.name) in ("reinterpret_cast", "static_cast") \
                    and len(node.args) == 1:
                inner = self._eval(node.args[0], env)
                ctype = expr_type(node, env, self.sem)
                if inner is None or ctype is None or ctype == "float":
                    return None
                if isinstance(ctype, PtrType):
                    return _pointer_values(inner)
                return frozenset(_wrap(v, ctype) for v in inner)
            func = node.func
            if isinstance(func, A.Member) and func.field == "data" and not node.args and isinstance(func.obj, A.Name):
                sym = env.get(func.obj.id)
                if sym is not None and sym.kind == "tile":
                    return _pointer_values(self.tile_addresses(sym))
            if isinstance(func, A.Member) and func.field in _VALID_DIM_GETTERS and not node.args \
                    and isinstance(func.obj, A.Name):
                # `s.GetValidRow()`: s's valid rows (an `unsigned`), as known; a tile whose shape
                # reads its own is unknown.
                sym = env.get(func.obj.id)
                if sym is None or sym.kind != "tile":
                    return None
                if sym.uid in self._reading_shapes:
                    # A shape computed from itself (`d.SetValidShape(d.GetValidRow() + 16, ...)`)
                    # may grow past the tile: every tile in the cycle is walked as unknown.
                    self.self_referential_shapes.update(self._reading_shapes)
                    self._cuts += 1
                    return None
                if self._nesting >= MAX_VALUE_NESTING or self._out_of_steps():
                    self._cuts += 1
                    return None
                self._steps += 1
                self._reading_shapes.add(sym.uid)
                self._nesting += 1
                try:
                    return self._valid_dims(sym, _VALID_DIM_GETTERS[func.field])
                finally:
                    self._nesting -= 1
                    self._reading_shapes.discard(sym.uid)
            return None
        return None

    def _binary(self, node: A.Binary, env: dict) -> frozenset | None:
        left, right = self._eval(node.left, env), self._eval(node.right, env)
        if left is None or right is None:
            return None
        op = node.op
        ltype, rtype = expr_type(node.left, env, self.sem), expr_type(node.right, env, self.sem)
        rtype_all = expr_type(node, env, self.sem)
        if rtype_all is None or rtype_all == "float":
            return None
        scale_left = scale_right = 1
        pointer = isinstance(ltype, PtrType) or isinstance(rtype, PtrType)
        if pointer:
            if op not in "+-" or (isinstance(ltype, PtrType) and isinstance(rtype, PtrType)):
                return None
            ptr = ltype if isinstance(ltype, PtrType) else rtype
            if not isinstance(ptr, PtrType) or not ptr.elem:
                return None
            if isinstance(ltype, PtrType):
                scale_right = ptr.elem
            else:
                scale_left = ptr.elem
            rtype_all = IntType(64, False)
        out = set()
        for a in left:
            for b in right:
                if pointer:
                    a2, b2 = a * scale_left, b * scale_right
                    value = _wrap(a2 + b2 if op == "+" else a2 - b2, rtype_all)
                else:
                    result = binary_value(op, a, b, ltype, rtype)
                    if result is None:
                        return None
                    value = result
                out.add(value)
                if len(out) > MAX_VALUES:
                    return None
        return _pointer_values(frozenset(out)) if pointer and op in "+-" else frozenset(out)

    # -- tiles ---------------------------------------------------------------------------------
    def tile_addresses(self, sym: Symbol, _seen: frozenset = frozenset()) -> frozenset | None:
        """Possible base addresses of tile ``sym`` in its memory space (None = unknown)."""
        if sym.uid in self._addrs:
            return self._addrs[sym.uid]
        if not sym.bindings:
            return None
        if sym.uid in _seen or self._nesting >= MAX_VALUE_NESTING or self._out_of_steps():
            self._cuts += 1
            return None
        self._steps += 1
        canonical, cuts = not _seen and self._nesting == 0, self._cuts
        self._nesting += 1
        try:
            final = self._tile_addresses(sym, _seen)
        finally:
            self._nesting -= 1
        if canonical or self._cuts == cuts:
            self._addrs[sym.uid] = final
        return final

    def _tile_addresses(self, sym: Symbol, _seen: frozenset) -> frozenset | None:
        result: set | None = set()
        for binding in sym.bindings:
            kind = binding[0]
            if kind == "addr":
                values = self.eval(binding[1], binding[2])
            elif kind == "alias":
                values = self.tile_addresses(binding[1], _seen | {sym.uid})
            elif kind == "tpop":
                values = self.tpop_addresses(binding[1], binding[2], binding[3])
            else:
                values = None
            if values is None or result is None:
                result = None
                break
            result = result | values
        return _cap(frozenset(result)) if result is not None else None

    def tpop_addresses(self, pipe: Symbol | None, tmpl: A.TemplateId, tile: Symbol) -> frozenset | None:
        """Tile-form TPOP: ``CONSUMER_BUF + (i % LocalSlotNum) * stride`` (pto-isa TPush.hpp).

        The consumer buffer is the pipe constructor's C2V argument for a Vec tile, V2C for a Mat
        tile, whatever the pipe's direction; stride is the consumer tile size (pto-isa b9122ec5) or
        SlotSize (later), so both are included unless the pto-isa checkout says which. Only the
        current template order (or the 4-argument short form, which takes the header default 2) is
        trusted, with every ring depth a header may bind its
        literals to (tpipe.ring_depths); anything else is unknown.
        """
        if pipe is None or pipe.pipe_ctor is None or tile.tile is None or tile.tile.nbytes is None:
            return None
        ctor, env = pipe.pipe_ctor
        pipe_type = tmpl.args[0] if tmpl.args else None
        if not isinstance(pipe_type, A.TemplateId) or not isinstance(ctor.func, A.TemplateId) \
                or _template_key(pipe_type) != _template_key(ctor.func):
            return None
        targs = pipe_type.args
        values = [a.value if isinstance(a, (A.Number, A.Literal)) else None for a in targs]
        consumer_arg = tpipe.CONSUMER_BUFFER_ARG.get(tile.tile.space or "")
        depths = tpipe.ring_depths(values, self.sem.ctx.isa.tpipe_order)
        slot_size = values[2] if len(values) > 2 else None
        if consumer_arg is None or len(ctor.args) <= consumer_arg or not isinstance(slot_size, int) \
                or isinstance(slot_size, bool) or depths is None:
            return None
        bases = self.eval(ctor.args[consumer_arg], env)
        if bases is None or not all(isinstance(d, int) and 0 < d <= MAX_VALUES for d in depths):
            return None
        stride = self.sem.ctx.isa.tpop_stride     # (as the checkout has it; "": either)
        strides = {tile.tile.nbytes} if stride == tpipe.STRIDE_TILE else {slot_size} \
            if stride == tpipe.STRIDE_SLOT else {tile.tile.nbytes, slot_size}
        return _cap(frozenset(b + k * s for b in bases for k in range(max(depths)) for s in strides))


def pointer_type(type_: A.TypeRef) -> PtrType:
    space = "gm" if "__gm__" in type_.quals else "ub" if "__ubuf__" in type_.quals else ""
    # (A pointer to a pointer steps by a pointer's width, 4 or 8 bytes: not known.)
    return PtrType(dtype_size(type_.name) if type_.pointer == 1 else None, space)


def _template_key(node: A.TemplateId) -> tuple:
    out = []
    for arg in node.args:
        if isinstance(arg, A.Number):
            out.append(str(arg.value))
        elif isinstance(arg, A.Name):
            out.append(arg.id.split("::")[-1])
        elif isinstance(arg, A.Literal):
            out.append(str(arg.value))
        else:
            out.append(type(arg).__name__)
    return (node.name, tuple(out))


def _cap(values: frozenset) -> frozenset | None:
    return values if len(values) <= MAX_VALUES else None


def analyse_function(model: CppFile, index: int = 0) -> FunctionSemantics:
    """The semantic model of ``model.functions[index]`` (a fresh file context)."""
    sem = FileContext(model).semantics(model.functions[index])
    assert sem is not None
    return sem
