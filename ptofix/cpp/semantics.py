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

The walk is FunctionSemantics's; it hands what a statement holds to readers built with the
function's FunctionState (function_state.py), each in a module of its own that imports none above
it: DeclarationReader (declarations.py), ExpressionEvaluator (expressions.py), CallStatementReader
(call_statements.py) and TileHistory (tile_history.py). What the file's functions share is
FileFacts (file_facts.py); FileContext adds the model of each function.

Statements are read from the typed AST of ``stmt_parser`` only, never from their text.
The hardware facts (op effects, pipes, tile footprints, TPipe layout) come from ``ptofix.pto``;
they are documented in ``docs/reference/pto-facts.md``.
"""
from __future__ import annotations

import re

from ..pto.ops import (
    EVERY_VERSION,
    PTO_SPELLED_NAMES,
    IsaFacts,
)
from ..pto.tiles import TileType
from ..signals import CHECKPOINT_EVERY, checkpoint
from . import stmt_parser as A
from .call_statements import CallStatementReader
from .declarations import DeclarationReader
from .expression_macros import used_only_as_calls
from .expressions import MAX_CALLEE_NESTING, ExpressionEvaluator
from .file_facts import FileFacts
from .function_state import FunctionState, shadow_dependent_aliases, unknown_names
from .integers import IntType
from .keywords import strip_pto as _strip_pto
from .lexical import (
    directive_word,
    identifiers,
    identifiers_among,
    qualified_only_names,
    strip_comments,
)
from .model import (
    CaseLabel,
    Comment,
    Compound,
    CppFile,
    DeclaratorStmt,
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
    BLOCK_ALIAS,
    EMPTY_STATEMENT,
    GRAMMAR_TYPE_WORDS,
    INERT_DIRECTIVES,
    JUMP_WORDS,
    QUALIFIER_MACRO_WORDS,
    has_splice,
    head_template_params,
    join_splices,
    leftmost_name,
    maybe_declared_names,
    merge_header,
    one_call_at_most,
    only_sets_valid_shape,
    template_value_params,
    variable_bound,
)
from .symbols import (
    UNKNOWN_DEF,
    Kind,
    Scope,
    StmtInfo,
    Symbol,
)
from .tile_history import TileHistory
from .value_model import ValueModel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Final

_FEW_WAITING: Final = 8         # names a block's statements are searched for one at a time (lexical._FEW_NAMES)


class FileContext(FileFacts):
    """FileFacts and the semantic model of each of the file's functions, built when first asked for."""

    def __init__(self, model: CppFile, translation_unit: bool = True, isa: IsaFacts = EVERY_VERSION):
        super().__init__(model, translation_unit, isa)
        self._semantics: dict[tuple, FunctionSemantics | None] = {}    # (id(fn), its binding) -> model
        self._building = 0                  # FunctionSemantics being built, one inside another
        # ids of the functions whose models forget() parks instead of freeing (keep_models), and
        # those parked models: asked for again, a parked model is the one built before.
        self._keep: set[int] = set()
        self._parked: dict[tuple, FunctionSemantics] = {}

    def semantics(self, fn: Function) -> FunctionSemantics | None:
        """The semantic model of ``fn`` (None while it is being built: recursion), as the
        instantiation ``bound`` names for it (its template parameters unknown when none)."""
        binding = self.bound.get(id(fn), ())
        key = (id(fn), binding)
        if key in self._semantics:
            return self._semantics[key]
        parked = self._parked.pop(key, None) if self._parked else None
        if parked is not None:
            self._semantics[key] = parked
            return parked
        if self._building >= MAX_CALLEE_NESTING:
            return None                 # (not kept: built when asked for from a shallower call)
        self._semantics[key] = None
        self._building += 1
        try:
            sem = FunctionSemantics(fn, self, binding)
        finally:
            self._building -= 1
        self._semantics[key] = sem
        return sem

    def callee_state(self, fn: Function) -> FunctionState | None:
        """What a caller reads of ``fn``'s model (semantics, None while it is not available)."""
        sem = self.semantics(fn)
        return None if sem is None else sem.state

    def built(self) -> set[int]:
        """ids of the functions whose semantic model has been asked for."""
        return {key[0] for key in self._semantics}

    def keep_models(self, functions: Iterable[Function]) -> None:
        """From now on forget() parks the models of ``functions`` (each group's shared leaves:
        barriers.independent_groups) instead of freeing them, until release_kept(). A model reads
        only the file and its function (and binding): the one built for an earlier group is the
        one a later group would build again, and it is built once."""
        self._keep.update(id(fn) for fn in functions)

    def keeps(self, fn: Function) -> bool:
        """Whether forget() parks ``fn``'s models (keep_models)."""
        return id(fn) in self._keep

    def release_kept(self) -> None:
        """Free the parked models (and stop keeping any)."""
        self._keep.clear()
        parked = list(self._parked.values())
        self._parked.clear()
        for sem in parked:
            sem.release()

    def forget(self, functions: list[Function]) -> None:
        """Drop the semantic models of ``functions`` once their analysis is done (memory). Their
        cycles are broken too (a model and its ValueModel point at each other, a definition's env
        holds its own symbol), as the cyclic collector is paused while a pass runs."""
        # (The keys of each function, in one pass over the table: a file's group may hold most of
        # its functions, and a scan of the table for each would be quadratic in their number.)
        keys_of: dict[int, list[tuple]] = {}
        for key in self._semantics:
            keys_of.setdefault(key[0], []).append(key)
        for fn in functions:
            for key in keys_of.pop(id(fn), ()):
                sem = self._semantics.pop(key, None)
                if sem is not None:
                    if key[0] in self._keep:
                        self._parked[key] = sem
                    else:
                        sem.release()


class FunctionSemantics:
    """Symbols, value definitions and one StmtInfo per statement of one function.

    The statement walk is here. It hands what a statement holds to the readers it is built with,
    which share the function's FunctionState (``state``): ``declarations`` (DeclarationReader),
    ``expressions`` (ExpressionEvaluator), ``calls`` (CallStatementReader); ``tiles`` (TileHistory)
    records each tile's history as the walk goes, and ``values`` (ValueModel) computes values on
    demand once it is done."""

    __deletable__ = ("values",)      # mypyc: release() deletes it

    def __init__(self, fn: Function, ctx: FileContext, binding: tuple = ()):
        self.fn = fn
        self.ctx = ctx
        # The instantiation analysed ((name, value) per template parameter: templates.py), or ()
        # for the template with its parameters unknown (or no template).
        self.binding = binding
        state = self.state = FunctionState(fn, ctx, binding)
        self.info: dict[int, StmtInfo] = {}          # id(stmt) -> info (headers: id of the For/If/Switch)
        self.expressions = ExpressionEvaluator(state, ctx.callee_state)
        self.declarations = DeclarationReader(state, self.expressions)
        self.calls = CallStatementReader(state, self.expressions)
        # Where each tile's valid shape and address come from, statement by statement (tile_flow).
        self.tiles = TileHistory(self.info, state.symbols)
        self._statements_read = 0                    # (signals.checkpoint)
        # The file's text if it spells no alternative token: its statements are parsed without a
        # search for one each (stmt_parser.spells_no_alternative_token).
        source = ctx.model.source
        self._plain_file = source.text if A.spells_no_alternative_token(source.identifier_words()) else None
        self._first_namers: dict[int, dict[str, Stmt]] = {}     # _first_naming by id(Compound)
        # id(ForStmt) -> StmtInfo of its init, condition and step (None for an empty part)
        self.header_parts: dict[int, tuple] = {}
        # (text, whether a for init) -> its AST: header_ast.
        self._header_asts: dict[tuple[str, bool], Any] = {}
        self.unparsed: list[SimpleStmt] = []
        self._switch_scopes: set[Scope] = set()      # the body scope of each switch (case labels' reach)
        self.scope_exit: dict[int, str] = {}         # id(stmt) -> why code may run at its block's end
        # Every template parameter may name a type (`template <Concept T>` has no `typename`),
        # and a non-type one also a value (declared below).
        declared_types = head_template_params(fn.declaration.words)
        value_params = template_value_params(fn)
        # Every name the template heads declare (bound or not): a name the statement grammar or
        # the model reads by its spelling is checked against these (_read_whole_body).
        state.declared_template_params = declared_types | value_params
        bound_names = {name for name, _ in binding}
        state.template_params = state.declared_template_params - bound_names
        scope = Scope(ctx.scope)
        head_macro = state.macro_in(fn.declaration.text)
        owner = fn.declaration.owner
        if ctx.unmodelled:
            state.hidden_jump = ctx.unmodelled
            state.missing_header = ctx.missing_headers.file
            state.jump_located = True
        elif id(fn) in ctx.unknown_functions:
            state.hidden_jump = ctx.unknown_functions[id(fn)]
            state.missing_header = ctx.missing_headers.functions.get(id(fn), "")
            state.jump_located = True
        elif owner:
            # `void K::run() {...}`: in the body a name is looked up in K first, whose member
            # aliases and variables (`using int64_t = uint16_t;`) the model does not read (and
            # whether K is a class or a namespace rests on declarations it may misread).
            state.hidden_jump = ctx.model.source.located(fn.span.start, f"a member of '{owner}', whose class "
                                                         "scope the model does not read")
            state.jump_located = True
        elif head_macro:
            # `TPL void h()` with `#define TPL template <pipe_t PIPE_ALL>`: its template head,
            # qualifiers or parameters are not what the model reads.
            state.hidden_jump = ctx.model.source.located(fn.span.start, "the function's declaration uses "
                                                         f"the macro '{head_macro}'")
            state.jump_located = True
        for name in value_params - declared_types - bound_names:
            # `template <pipe_t PIPE_ALL>`: in the body the name is the instantiation's value, not
            # pto's enumerator; as a local symbol it is unknown-valued and never reads as pto's.
            state.new_symbol(scope, name, "scalar").make_unknown("non-type template parameter")
        self.declarations.bind_template_params(scope, binding)
        self.declarations.declare_params(scope)
        state.param_baseline = [(len(p.defs), len(p.bindings)) for p in state.params]
        body = fn.body
        # Where each label of the body is and each goto with its label, by offset: a jump over
        # the statement that binds a variable first leaves it in its unbound first state (_block).
        self._label_offsets: dict[str, int] = {}
        self._gotos: list[tuple[int, str]] = []
        # Whether the body's text spells `goto` (a block body: FunctionCFG reads it too).
        self.spells_goto = isinstance(body, Compound) \
            and ctx.model.source.text.find("goto", body.span.start, body.span.end) >= 0
        if self.spells_goto:
            for stmt in body.walk():
                if isinstance(stmt, LabelStmt):
                    self._label_offsets.setdefault(stmt.name, stmt.span.start)
                elif isinstance(stmt, GotoStmt):
                    self._gotos.append((stmt.span.start, stmt.label))
        if isinstance(body, Compound):
            self._block(body.body, Scope(scope))
        self._read_whole_body(ctx, fn)
        self.values = ValueModel(state)

    def _read_whole_body(self, ctx: FileContext, fn: Function) -> None:
        """What the body read as a whole says (a method of its own: compiled, the attributes the
        body's statements set are read with the types they are declared with, not those the
        constructor gave them before reading it)."""
        state = self.state
        # A name the model reads by its spelling (`pto`, `BLayout`, `Shape`...) that the function
        # may declare (a template parameter, a block-scope struct or namespace alias, a statement
        # it cannot read): `pto::TMUL` and `BLayout::RowMajor` there may be the function's own.
        # ((A | B | C) & P as (A & P) | (B & P) | (C & P): no set of every name the function declares.)
        spelled = (state.declared_template_params & PTO_SPELLED_NAMES) | (state.maybe_declared & PTO_SPELLED_NAMES) \
            | {sym.name for sym in state.symbols if sym.name in PTO_SPELLED_NAMES}
        if spelled and not state.hidden_jump:
            state.hidden_jump = ctx.model.source.located(fn.span.start, f"'{min(spelled)}' may be declared in "
                                                         "the function, so a name it qualifies may not be pto's")
            state.jump_located = True
        # The statement grammars read `size_t`, `int64_t`, `half`... as the builtin types by their
        # spelling: a variable, parameter or template parameter so named (`int32_t size_t = -8;`
        # makes `(size_t) + 4096` a sum, not a cast) changes what the statements mean.
        renamed = (state.declared_template_params & GRAMMAR_TYPE_WORDS) \
            | {sym.name for sym in state.symbols if sym.kind != "type" and sym.name in GRAMMAR_TYPE_WORDS}
        if renamed and not state.hidden_jump:
            state.hidden_jump = ctx.model.source.located(fn.span.start, f"'{min(renamed)}' is declared in the "
                                                         "function as another name than the type the statement "
                                                         "grammar reads it as")
            state.jump_located = True
        if state.writes_everything:
            for sym in state.symbols:
                sym.make_unknown(state.writes_everything)
        # (Each tile's history gives the ops their views only where control flow and every
        # variable's changes are as written.)
        self.tiles.flow_views(bool(state.hidden_jump or state.writes_everything or self._gotos or self._label_offsets))

    def release(self) -> None:
        """Break the model's reference cycles once its function's analysis is done (the cyclic
        collector is paused while a pass runs): a definition's environment holds its own symbol,
        the value model and this model point at each other."""
        state = self.state
        for sym in state.symbols + self.tiles.shadows:
            sym.defs = []
            sym.bindings = []
            sym.pipe_ctor = None
            sym.origin = None
        self.tiles.shadows.clear()
        self.values.release()
        del self.values
        self.info.clear()
        self._first_namers.clear()
        self.header_parts.clear()
        self._header_asts.clear()
        state.symbols.clear()
        state.params.clear()
        self._switch_scopes.clear()
        self.declarations.release()

    # -- what the analyses read of the function (its state's) ------------------------------------
    @property
    def hidden_jump(self) -> str | None:
        return self.state.hidden_jump

    @property
    def missing_header(self) -> str:
        return self.state.missing_header

    @property
    def class_params(self) -> str:
        return self.state.class_params

    @property
    def params(self) -> list[Symbol]:
        return self.state.params

    @property
    def symbols(self) -> list[Symbol]:
        return self.state.symbols

    @property
    def local_alias_names(self) -> set[str]:
        return self.state.local_alias_names

    @property
    def template_params(self) -> set[str]:
        return self.state.template_params

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        return self.state.file_constant(name)

    def resolve_in_file_scope(self, type_: A.TypeRef) -> A.TypeRef:
        return self.state.resolve_in_file_scope(type_)

    def event_value(self, tag: str) -> str:
        """The constant a symbolic flag tag stands for ('' when it is not one constant)."""
        if not tag.startswith("<"):
            return tag
        sym = self.state.symbols[int(tag[1:-1])]
        values = self.values.value_set(sym)
        return str(next(iter(values))) if values is not None and len(values) == 1 else ""

    # -- queries by name (reports, tests) -------------------------------------------------------
    def symbol(self, name: str) -> Symbol:
        """The one symbol declared as ``name`` (KeyError if none, ValueError if several)."""
        found = [s for s in self.state.symbols if s.name == name]
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
        flow = self.tiles.flow
        if flow.enabled:
            flow.blocks.add(id(stmts))
        for index, stmt in enumerate(stmts):
            self._statements_read += 1
            if not self._statements_read & (CHECKPOINT_EVERY - 1):
                checkpoint()
            if isinstance(stmt, Comment):
                continue        # (nothing to read, no waiting name bound or used; a third of the statements)
            if isinstance(stmt, CaseLabel):
                self._jump_target(scope)
                flow.disable()      # (a jump into the block past its statements: tile_flow)
            flow.path.append((id(stmts), index))
            self._stmt(stmt, scope)
            if waiting and not isinstance(stmt, Comment):
                stmt_start, stmt_end = stmt.offsets()
                if isinstance(stmt, DeclaratorStmt):
                    # (Its span is the whole declaration's, which names the other declarators too.)
                    named = identifiers_among(stmt.text, set(waiting))
                elif len(waiting) <= _FEW_WAITING:
                    named = identifiers_among(text, set(waiting), stmt_start, stmt_end)
                else:       # (a set of every waiting name for each statement: quadratic in their number)
                    # raw-text scan: a statement's span of the text, every word of it
                    named = {name for name in identifiers(text, stmt_start, stmt_end) if name in waiting}
                for name in named:
                    if only_sets_valid_shape(stmt, name):
                        continue        # (the tile's address is neither read nor bound: still waiting)
                    sym = waiting.pop(name)
                    if not self._binds_first(stmt, name, text) \
                            or self._jumped_over(declared_at.pop(name, stmt_start), stmt):
                        if sym.kind == "tile":
                            sym.bindings.append(("unknown", "may be used before any TASSIGN binds it"))
                            self.tiles.note_tile(stmt, sym, len(self.state.symbols), first_use=True)
                        else:
                            sym.defs.append(UNKNOWN_DEF)
            if isinstance(stmt, SimpleStmt) and (stmt.is_parsed() or stmt.text != ";"):
                ast = stmt.ast
                declared = scope.names.get(ast.name) if isinstance(ast, A.Decl) and ast.name else None
                if declared is not None and ((declared.kind == "tile" and not declared.bindings)
                                             or (declared.kind == "scalar" and not declared.defs)):
                    waiting[declared.name] = declared
                    declared_at[declared.name] = stmt.offsets()[1]
            flow.path.pop()

    def _jumped_over(self, after: int, stmt: Stmt) -> bool:
        """A goto between ``after`` and the end of ``stmt`` may jump past ``stmt`` (to a label at
        or after its start): a path from ``after`` may skip it. A label can be entered from anywhere,
        so one found between says nothing on its own: a goto to it from before ``after`` jumps past
        a declaration, which the control-flow graph refuses (vector_cfg)."""
        if not self._gotos:
            return False        # (no goto: nothing may jump)
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
            # raw-text scan: an if condition's text (IfStmt keeps it as text)
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
                    # raw-text scan: a statement's span of the text, every word of it
                    for name in identifiers(text, inner.span.start, inner.span.end):
                        found.setdefault(name, inner)
            self._first_namers[id(block)] = found
        return found

    def _stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Comment):
            return
        if isinstance(stmt, Directive):
            word = directive_word(stmt.text)
            if word not in INERT_DIRECTIVES:
                # `#include` in a body pastes code the model never sees (any other unknown
                # directive may do anything too): every variable may change, any UB byte.
                self.state.writes_everything = f"'{word}' inside the function may write any variable"
                if not self.state.hidden_jump:
                    self.state.hidden_jump = self.ctx.model.source.located(
                        stmt.span.start, f"'{word}' inside the function may hide a jump")
                    self.state.jump_located = True
                self.info[id(stmt)] = StmtInfo(Kind.UNKNOWN, reason=f"directive '{word}' inside a function body")
            return
        self.state.scope_exit_code = ""
        symbols_before = len(self.state.symbols)
        outer, self.state.reading = self.state.reading, stmt.start_offset()
        self._read_stmt(stmt, scope)
        self.state.reading = outer
        if self.tiles.flow.enabled and not isinstance(stmt, (Compound, ForStmt, IfStmt, SwitchStmt, PPIfStmt)):
            self.tiles.note_tiles(stmt, scope, symbols_before)
        if self.state.hidden_jump and not self.state.jump_located:
            # Say where: the statement being read when it was set (a loop's header: the loop), else
            # the innermost statement that set it, the first to get here.
            at = self.state.jump_at if self.state.jump_at >= 0 else stmt.start_offset()
            self.state.hidden_jump = self.ctx.model.source.located(at, self.state.hidden_jump)
            self.state.jump_located = True
        if self.state.scope_exit_code:
            self.scope_exit[id(stmt)] = self.state.scope_exit_code
            self.state.scope_exit_code = ""

    def _read_stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Compound):
            self._block(stmt.body, Scope(scope))
        elif isinstance(stmt, SimpleStmt):
            self.state.reason_node = None
            info = self.info[id(stmt)] = one_call_at_most(self._simple(stmt, scope))
            node = self.state.reason_node
            if info.reason and node is not None and stmt.ast is not None and isinstance(node.start, int) \
                    and 0 < node.start < stmt.span.end - stmt.span.start:
                # (Offsets of the statement's own AST: not one read from its text with line
                # splices joined.)
                self.ctx.construct_at[id(stmt)] = (info.reason, stmt.span.start + node.start)
        elif isinstance(stmt, ForStmt):
            inner = Scope(scope)
            # Each part runs at its own point of the loop (init once; the condition before every
            # iteration and at exit; the step after every iteration): the CFG needs them apart.
            init, cond, step = (self._header_part(text, inner, what) if text.strip() else None
                                for text, what in ((stmt.init, "for init"), (stmt.cond, "for condition"),
                                                   (stmt.step, "for step")))
            self.header_parts[id(stmt)] = (init, cond, step)
            self.info[id(stmt)] = merge_header([part for part in (init, cond, step) if part is not None])
            self._header_scope_exit(stmt)
            counter = self._loop_counter(stmt, inner, (init, cond, step))
            header_defs = len(counter[0].defs) if counter is not None else 0
            if stmt.body is not None:
                flow = self.tiles.flow
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
                    self.tiles.flow.path.append((id(stmt), -1 - number))
                    self._stmt(part, Scope(scope))
                    self.tiles.flow.path.pop()
        elif isinstance(stmt, SwitchStmt):
            # Case labels enter the body past its statements: no dominance inside (tile_flow).
            self.tiles.flow.disable()
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
                self.state.new_symbol(scope, name, "unknown").make_unknown("declared inside an #if section")
            for name in types:       # a type no declaration can read (its symbols are unknown)
                scope.set_alias(name, A.TypeRef(0, 0, f"<type '{name}' declared inside an #if section>"))
        elif isinstance(stmt, (GotoStmt, LabelStmt)) and not self.state.macro_in(stmt.text):
            return      # a jump or its target: the control-flow graph (vector_cfg) reads them
        elif isinstance(stmt, OpaqueStmt):
            self.info[id(stmt)] = self._unknown_text(stmt.text, scope, stmt.reason)
        elif isinstance(stmt, CaseLabel) and self.state.macro_in(stmt.text):
            # `case ONE:` with `#define ONE 1: TMUL(b, b, b); case 7`.
            self.state.may_jump(f"macro '{self.state.macro_in(stmt.text)}' in a case label")

    def _loop_counter(self, stmt: ForStmt, inner: Scope, parts: tuple) -> tuple | None:
        """(counter, condition, step, env) of `for (T i = a; cond; step)` whose header declares
        one integer variable with one initializer, whose condition is a plain expression (no call,
        no write) and whose step only writes i (`++i`, `i++`, `--i`, `i--`, `i += e`, `i -= e`,
        `i = e`, e plain): the values i takes in the body are the ones that walk from a
        (ValueModel._induction_values). None for any other loop."""
        if any(part is None or part.kind is Kind.UNKNOWN for part in parts):
            return None
        # (The search needs one of the words in the text: a text without them needs no pattern compiled.)
        if any(word in stmt.init for word in ("static", "thread_local", "extern", "volatile", "register")) \
                and re.search(r"\b(?:static|thread_local|extern|volatile|register)\b", stmt.init):
            return None          # (a static counter starts where the last call left it)
        decl = self.header_ast(stmt.init, True)
        cond, step = self.header_ast(stmt.cond, False), self.header_ast(stmt.step, False)
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
        env = self.state.env(cond, inner)
        if value is not None:
            env.update(self.state.env(value, inner))
        if env.get(decl.name) is not sym:
            return None
        return sym, cond, step, env

    def _header_scope_exit(self, stmt: Stmt) -> None:
        """Keep what the header of ``stmt`` leaves for its scope exit apart from its body's."""
        if self.state.scope_exit_code:
            self.scope_exit[id(stmt)] = self.state.scope_exit_code
            self.state.scope_exit_code = ""

    def _statement_macro(self, text: str) -> str:
        """FunctionState.macro_in(text), but an expression macro used only as calls in ``text`` does not count:
        its uses are read as the parenthesized expressions they expand to (expressions.py)."""
        macro = self.state.macro_in(text)
        expression_macros = self.ctx.expression_macros
        if not macro or not expression_macros:
            return macro
        # raw-text scan: a statement's text, splices joined, only when the file has expression macros
        for name in identifiers(join_splices(text) if has_splice(text) else text):
            if name in self.ctx.macros and not (name in QUALIFIER_MACRO_WORDS and name in self.ctx.model.empty_macros) \
                    and not (name in expression_macros and used_only_as_calls(text, name)):
                return name
        return ""

    def _header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        """An if/switch/for condition, for init or for step (Unknown if it calls several of the
        file's functions, as a statement is)."""
        return one_call_at_most(self._read_header_part(text, scope, what))

    def header_ast(self, text: str, for_init: bool) -> Any:
        """``A.parse_for_init(text)`` if ``for_init`` else ``A.parse_condition(text)``, parsed once
        for the function: the walk, the loop counter (_loop_counter) and the trip counts
        (weights.trip_count) each read a for header's parts (keyed by the whole input: the text
        and the parser; tests/cpp/test_header_asts.py). No reader changes an AST."""
        key = (text, for_init)
        if key in self._header_asts:
            return self._header_asts[key]
        ast = self._header_asts[key] = A.parse_for_init(text) if for_init else A.parse_condition(text)
        return ast

    def _read_header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        parse = A.parse_for_init if what == "for init" else A.parse_condition
        ast = self.header_ast(text, what == "for init")
        self.state.pending_calls = []
        if ast is None and has_splice(text):
            ast = parse(join_splices(text))
        if ast is None:
            return self._unknown_text(text, scope, f"{what} not understood")
        macro = self._statement_macro(text)
        if macro:
            self.state.uses_macro(macro)
            return self._unknown_text(text, scope, f"{what} uses the macro '{macro}'", ast)
        if isinstance(ast, A.Decl):
            if ast.array and variable_bound(text):
                return self._unknown_text(text, scope, f"{what}: an array bound that is not a number", ast)
            info = self.declarations.decl(ast, scope)
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
        env = self.state.env(ast, scope)
        reason = self.expressions.expression(ast, scope, env)
        if reason:
            info = unknown_names(env, f"{what}: {reason}", self.state.reading)
        else:
            info = StmtInfo(Kind.NOP, env=env, local_calls=self.state.pending_calls)
        return self._as_declaration(head, text, info, scope) if head else info

    def _unknown_text(self, text: str, scope: Scope, reason: str, ast: Any = None) -> StmtInfo:
        """A statement the model cannot read: every variable it names may be written. What it
        may declare: the name of its declaration when it parsed (``ast``), else any name in it."""
        env = {}
        # raw-text scan: an unread statement's text, splices joined: every name it may write
        names = identifiers(join_splices(text) if has_splice(text) else text)
        declared = maybe_declared_names(text) if ast is None else None
        if ast is None:
            self.state.maybe_declared.update(names if declared is None else declared)
            if "enum" in names and "using" in names:
                # `using enum E;` declares every enumerator of E here, names the statement does
                # not spell: any outer variable may be hidden from here on.
                self.state.hidden_jump = self.state.hidden_jump or "a block-scope 'using enum' may declare any name"
            jumps = JUMP_WORDS.intersection(names)
            if jumps:
                # `({ if (i == 3) break; 0; })`: a jump inside what the model cannot read.
                self.state.may_jump(f"'{min(jumps)}' inside a statement ptofix cannot read")
        elif isinstance(ast, (A.Decl, A.TypeAlias)):
            self.state.maybe_declared.add(ast.name)
        # raw-text scan: an unread statement's text, only when it may declare a name
        alias_only = declared is not None and BLOCK_ALIAS.match(strip_comments(text)) is not None
        if (ast is None and not alias_only) or isinstance(ast, A.Decl):
            # It may declare an object (`Guard g{...};`, `int x __attribute__((cleanup(f)));`)
            # whose destructor or cleanup runs when the enclosing block is left (an
            # alias-declaration declares a type, no object).
            self.state.scope_exit_code = "a statement ptofix cannot read may declare an object whose destructor " \
                                   "runs at scope exit"
        for name in names:
            if name in self.ctx.macros:
                self.state.uses_macro(name)
            sym = scope.lookup(name)
            if sym is not None:
                env[name] = sym
        info = unknown_names(env, reason, self.state.reading)
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
                self.state.new_symbol(scope, name, "unknown").make_unknown(f"'{name}' may be declared anew by {what}")

    def _simple(self, stmt: SimpleStmt, scope: Scope) -> StmtInfo:
        text = stmt.text        # (sliced from the file on each read: read once)
        if text == ";":
            return EMPTY_STATEMENT
        ast = stmt.ast_of(text, self._plain_file)
        if ast is None and has_splice(text):
            # Line splices go before tokenizing (translation phase 2): read the joined text. (The
            # AST the model keeps stays None: offsets into the joined text are not the file's.)
            ast = A.parse_statement(join_splices(text))
        self.state.pending_calls = []
        if ast is None:
            self.unparsed.append(stmt)
            if A.too_long_for_the_grammar(text):
                why = f"statement of more than {A.MAX_GRAMMAR_CHARS} characters the fast paths do not read"
            elif A.nested_too_deep(text):
                why = f"statement nested more than {A.MAX_EXPRESSION_NESTING} levels deep"
            else:
                why = "statement not understood by the grammar"
            return self._unknown_text(text, scope, why)
        macro = self._statement_macro(text) if self.ctx.macros else ""
        if macro:
            self.state.uses_macro(macro)
            return self._unknown_text(text, scope, f"uses the macro '{macro}'", ast)
        self.state.pending_calls = []
        if isinstance(ast, A.TypeAlias):
            shadow_dependent_aliases(scope, ast.name)
            target = self.state.resolve_type(ast.type, scope)
            scope.set_alias(ast.name, target)
            self.state.local_alias_names.add(ast.name)
            # In its scope the name is a type, not an outer variable of that name: `(T) + 4096`
            # is then a cast. A symbol of kind "type" has no value, so such reads are unknown.
            alias = self.state.new_symbol(scope, ast.name, "type")
            alias.make_unknown("a type name")
            alias.type_ref = target       # (what `T(...)` constructs: _constructs_pto_value)
            return StmtInfo(Kind.NOP)
        if isinstance(ast, A.Decl):
            if ast.array and variable_bound(text):
                return self._unknown_text(text, scope, "an array bound that is not a number (evaluated at run "
                                                            "time, calls and writes included)", ast)
            return self.declarations.decl(ast, scope)
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
        if isinstance(expr, A.Call) and not expr.args and isinstance(expr.func, (A.Name, A.TemplateId)):
            # `T();`, `pto::PtoSetWaitFlag<PIPE_V, PIPE_S>();`: `()` alone is no declarator and a
            # template argument declares nothing here ([dcl.decl], [stmt.ambig]), so the statement
            # is an expression (a call, or a temporary destroyed at its end: no scope-exit code).
            return ""
        head = leftmost_name(expr)
        return head if head is not None and self.expressions.may_name_type(head, scope) else ""

    def _as_declaration(self, head: str, text: str, info: StmtInfo, scope: Scope) -> StmtInfo:
        """``info`` of a statement that may be a declaration with the type ``head``: any name in it
        may be the declarator (but not the qualifiers of a qualified head: `pto::comm::TNOTIFY(v15,
        v7, v3);` declares no `pto`), and the object's destructor runs at scope exit."""
        # raw-text scan: a statement's text that may be a declaration
        names = identifiers(text)
        if "::" in head:
            for part in head.split("::")[:-1]:
                if part in names:
                    names.remove(part)
        # Nor a word the statement only spells qualified or after `->` (`RoundMode` in
        # `ns::TCVT_X(dst, src, RoundMode::CAST_NONE);`): no declarator-id of a block is one.
        joined = join_splices(text) if has_splice(text) else text
        self.state.maybe_declared.update(set(names) - qualified_only_names(joined))
        self.state.scope_exit_code = f"'{head}' may name a type: the statement may declare an object whose " \
                                     "destructor runs at scope exit"
        if info.kind is not Kind.UNKNOWN:
            info = unknown_names(info.env, f"'{head}' may name a type: the statement may be a declaration of "
                                                 "any name in it", self.state.reading)
        # `TN(t);` declares a new `t` of type TN: the outer `t` (its tile type, its scalar kind)
        # no longer says what the name denotes.
        self._shadow_as_unknown(scope, names, f"a statement that may be a declaration of type '{head}'")
        return info

    def _statement(self, ast: Any, scope: Scope) -> StmtInfo:
        """A return, assignment or expression statement."""
        env = self.state.env(ast, scope)
        if isinstance(ast, A.ReturnStmt):
            if ast.value is None:
                return StmtInfo(Kind.RETURN, env=env)
            reason = self.expressions.expression(ast.value, scope, env)
            if reason:
                unknown_names(env, reason, self.state.reading)
            return StmtInfo(Kind.RETURN, env=env, reason=reason, then_unknown=bool(reason),
                            local_calls=self.state.pending_calls)
        if isinstance(ast, A.AssignStmt):
            return self.declarations.assignment(A.Assign(ast.start, ast.end, ast.target, ast.op, ast.value), scope, env)
        if isinstance(ast, A.ExprStmt):
            expr = ast.expr
            if isinstance(expr, A.Call):
                return self.calls.call_statement(expr, scope, env)
            if isinstance(expr, A.Name) and expr.id in ("break", "continue"):
                return StmtInfo(Kind.BREAK if expr.id == "break" else Kind.CONTINUE)
            if isinstance(expr, A.Name) and scope.lookup(expr.id) is None:
                # `FOO;`: a macro invocation without parentheses (or an undeclared name).
                self.state.writes_everything = f"'{expr.id}' may be a macro that writes any variable"
                if self.ctx.may_be_macro(expr.id):
                    self.state.may_jump(f"'{expr.id}' may be a macro that hides a jump{self.ctx.macro_origin(expr.id)}")
                return StmtInfo(Kind.UNKNOWN, reason=f"'{expr.id}' is not a declared name (macro?)", env=env)
            reason = self.expressions.expression(expr, scope, env)
            if reason:
                return unknown_names(env, reason, self.state.reading)
            return StmtInfo(Kind.NOP, env=env, local_calls=self.state.pending_calls)
        return unknown_names(env, f"{type(ast).__name__} statement not modelled", self.state.reading)

def analyse_function(model: CppFile, index: int = 0) -> FunctionSemantics:
    """The semantic model of ``model.functions[index]`` (a fresh file context)."""
    sem = FileContext(model).semantics(model.functions[index])
    assert sem is not None
    return sem
