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

from ..pto.ops import (
    EVERY_VERSION,
    FIFO_OPS,
    HARMLESS_CALLS,
    MODE_ENUMS,
    OPS,
    PIPE_NAMES,
    PTO_INSTRUCTIONS,
    PTO_PASTING_MACROS,
    PTO_SPELLED_NAMES,
    PURE_FUNCTIONS,
    IsaFacts,
    pto_function_names,
    pto_macro_names,
)
from ..pto.tiles import TILE_DEFAULTS, TILE_SPACES, TileType, dtype_size, tile_arg
from ..signals import CHECKPOINT_EVERY, checkpoint
from . import stmt_parser as A
from .c_types import (
    _BUILTIN_ARITHMETIC_TYPES,
    _FLOAT_TYPES,
    _INT_TYPES,
    _TILE_TYPES,
    _VALUE_OBJECT_TYPES,
    _cast_type,
    expr_type,
    pointer_type,
)
from .command_line import command_line_macros
from .count_mode import (
    _FEW_MACROS,
    _MAX_COUNT_MODE_PLACES,
    MASK_NORM_CALL,
    _count_mode_name,
    _count_mode_name_of,
    _count_mode_offsets,
    _header_count_mode,
    _spells,
    scalar_tci_call,
)
from .header_policy import _INERT_QUALIFIER, _only_names_the_enumeration, trusted_header, unmodelled_file
from .headers import (
    QUALIFIER_MACROS,
    include_search_path,
    may_be_command_line_macro,
    may_be_standard_macro,
    read_includes,
    toolchain_may_declare,
)
from .integers import INT32, IntType
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import strip_pto as _strip_pto
from .lexical import (
    code_only,
    count_identifiers,
    directive_word,
    identifiers,
    identifiers_among,
)
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
from .statement_forms import (
    _EMPTY,
    _GRAMMAR_TYPE_WORDS,
    _INERT_DIRECTIVES,
    _JUMP_WORDS,
    _PLAIN_FREE_NAMES,
    _PLAIN_VALUE_NODES,
    _PTO_CALL_NAMES,
    _QUALIFIER_WORDS,
    HARMLESS_METHODS,
    _declared_names,
    _has_splice,
    _is_pto_enumerator,
    _leftmost_name,
    _merge_header,
    _names,
    _one_call_at_most,
    _return_reason,
    _rightmost_name,
    _template_params,
    _template_value_params,
    _variable_bound,
    join_splices,
)
from .symbols import (
    COPIED_SHAPE,
    UNKNOWN_DEF,
    UNKNOWN_SHAPE,
    Kind,
    PtrType,
    Scope,
    StmtInfo,
    Symbol,
    _entry_count,
    _same_fingerprint,
    _static_storage,
    _tile_fingerprint,
    _with_unknown_shape,
)
from .tile_flow import TileFlow, TileRecord
from .value_model import ValueModel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_FEW_WAITING = 8         # names a block's statements are searched for one at a time (lexical._FEW_NAMES)
# Callee models built inside a caller's (to read what a call does to its arguments): a callee past
# this many nested calls is unknown to its caller (its model is built when asked for directly).
MAX_CALLEE_NESTING = 4


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
        self.headers = read_includes(model, include_search_path())
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
        self.command_line_macros = frozenset(command_line_macros()[0])
        self.macros = model.macros | frozenset(header_macros) | self.command_line_macros
        # The pto-isa facts of the headers the kernel compiles with (the union of every version
        # when not known).
        self.isa = isa
        self.unmodelled = unmodelled_file(model, headers=self.headers, header_words=isa.header_words,
                                          count_mode=False, checkout=isa.checkout)
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
        global_words = [list(decl.words) for decl in model.globals]
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
            if stmt.body is not None:
                flow = self._flow
                flow.loops.append(tuple(flow.path))
                flow.path.append((id(stmt), -1))
                self._stmt(stmt.body, Scope(inner))
                flow.path.pop()
                flow.loops.pop()
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
        if ast is None or isinstance(ast, A.Decl):
            # It may declare an object (`Guard g{...};`, `int x __attribute__((cleanup(f)));`)
            # whose destructor or cleanup runs when the enclosing block is left.
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


def analyse_function(model: CppFile, index: int = 0) -> FunctionSemantics:
    """The semantic model of ``model.functions[index]`` (a fresh file context)."""
    sem = FileContext(model).semantics(model.functions[index])
    assert sem is not None
    return sem
