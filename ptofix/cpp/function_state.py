"""What the readers of one function's statements share while they read it (FunctionState): the
symbols declared so far, the names the function may declare otherwise, why control or any variable may
change other than as written, and what a caller reads of the function once it is read (its
parameters). semantics.FunctionSemantics walks the statements and hands each to its readers
(declarations.DeclarationReader, expressions.ExpressionEvaluator, call_statements.CallStatementReader),
which are built with this state and read and grow it; value_model.ValueModel reads it afterwards.
"""
from __future__ import annotations

from . import stmt_parser as A
from .count_mode import FEW_MACROS
from .file_facts import FileFacts
from .keywords import strip_pto
from .lexical import identifiers
from .model import Function
from .statement_forms import PTO_CALL_NAMES, QUALIFIER_MACRO_WORDS, has_splice, join_splices
from .symbols import Kind, Scope, StmtInfo, Symbol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .integers import IntType


class FunctionState:
    """The facts of one function that its statement readers share, grown while its body is read."""

    def __init__(self, fn: Function, ctx: FileFacts, binding: tuple) -> None:
        self.fn = fn
        self.ctx = ctx
        # The instantiation analysed ((name, value) per template parameter: templates.py), or ()
        # for the template with its parameters unknown (or no template).
        self.binding = binding
        # uid of a symbol -> (type, value) of an integer constant known while the body is read:
        # a bound non-type template parameter, a constexpr local initialized from constants. Tile
        # types (template arguments) read them (DeclarationReader.read_tile_type).
        self.constants: dict[int, tuple[IntType, int]] = {}
        # The innermost expression whose reason made the statement being read Unknown (None until
        # one does): where a diagnostic puts its caret (FileContext.construct_at).
        self.reason_node: Any = None
        self.symbols: list[Symbol] = []
        self.params: list[Symbol] = []
        self.param_refs: list[bool] = []             # parameter passed by reference or pointer
        self.param_defaults: list[str] = []          # per parameter: why its default may run code
        self.class_params = ""                       # why a parameter may be an object passed by value
        # Per parameter, (definitions, bindings) once declared: what param_written compares with.
        self.param_baseline: list[tuple[int, int]] = []
        # Parameters of a template-parameter type whose .data() the function reads (a caller must
        # pass a tile or a GlobalTensor: ExpressionEvaluator.local_call).
        self.generic_params_used: set[int] = set()
        self.writes_everything: str | None = None  # a macro-like statement may write any variable
        # Names a statement the model cannot read mentions: it may declare them (`auto TADD = [&]
        # ...;`), so from there on none of them reads as a pto op or enumerator (not_pto_name).
        self.maybe_declared: set[str] = set()
        # Names of the type aliases declared in the body: a cast, read after the walk without its
        # statement's scope, cannot tell which alias of such a name it meant.
        self.local_alias_names: set[str] = set()
        # Every name the template heads declare (bound or not), and those the instantiation leaves
        # unbound (set by FunctionSemantics before the body is read).
        self.declared_template_params: set[str] = set()
        self.template_params: set[str] = set()
        # Why control flow may leave a statement other than as written: a macro or an included
        # file may expand to `break`, `continue`, `return`, `goto` or a `case` label.
        self.hidden_jump: str | None = None
        self.jump_located = False
        # The statement being read when may_jump first said so (-1: none): where the reason is
        # (a loop's header, not the first statement of its body that is read after it).
        self.jump_at = -1
        # The header not found whose `#include` is that reason, by name ('' if another reason).
        self.missing_header = ""
        # Set while a statement is read when it may leave code to run at the end of its block (a
        # destructor, a cleanup attribute); FunctionSemantics stores it per statement.
        self.scope_exit_code = ""
        # The calls of the file's functions the statement being read makes (name, args, env).
        self.pending_calls: list = []
        # The source offset of the statement being read (-1: none), which an Unknown statement's
        # names carry with their unknown binding (unknown_names): where a diagnostic says it was.
        self.reading = -1

    def new_symbol(self, scope: Scope, name: str, kind: str) -> Symbol:
        # An alias visible here that names ``name`` (`using T = Tile<..., K, ...>;` before a local
        # `constexpr int K`) meant the name declared where the alias was: the model, which reads an
        # alias's words where it is used, would read the new one (tile shapes read constants now).
        shadow_dependent_aliases(scope, name)
        sym = Symbol(name, len(self.symbols), kind)
        self.symbols.append(sym)
        scope.names[name] = sym
        return sym

    def param_written(self, index: int) -> bool:
        """The function changes its parameter ``index`` (visible to the caller if by reference)."""
        sym = self.params[index]
        defs, bindings = self.param_baseline[index]
        return len(sym.defs) > defs or len(sym.bindings) > bindings

    def may_jump(self, why: str) -> None:
        """Control may leave the statement being read other than as written (the first reason
        stays; FunctionSemantics adds where: the statement being read now)."""
        if not self.hidden_jump:
            self.jump_at = self.reading
        self.hidden_jump = self.hidden_jump or why

    def uses_macro(self, macro: str) -> None:
        """A statement uses a macro of the file: its expansion may write any variable, and jump."""
        origin = self.ctx.macro_origin(macro)
        self.writes_everything = f"macro '{macro}' may write any variable{origin}"
        self.may_jump(f"macro '{macro}' may hide a jump{origin}")

    def macro_in(self, text: str) -> str:
        """The first identifier of ``text`` that the file #defines ('' if none): every word of the
        statement counts (a type, a template name or a qualifier may be a macro too)."""
        macros = self.ctx.macros
        if macros:
            if len(macros) <= FEW_MACROS and "\\" not in text and not any(name in text for name in macros):
                return ""       # (no splice that could hide one: a few substring searches decide)
            empty = self.ctx.model.empty_macros
            # raw-text scan: a statement's text, splices joined (the model keeps a statement's text), only
            # when a macro may be in it
            for name in identifiers(join_splices(text) if has_splice(text) else text):
                if name in macros and not (name in QUALIFIER_MACRO_WORDS and name in empty):
                    return name
        return ""

    def env(self, node: Any, scope: Scope) -> dict:
        return env_of_names(A.name_ids(node), scope, {})

    def not_pto_name(self, name: str, env: dict) -> str:
        """Why ``name`` as written may not denote pto's op or enumerator of that name ('' if it
        does): it names a local variable or parameter, something declared at file scope or a
        function of the file (which competes in overload resolution), or something a statement
        the model could not read may have declared. ``pto::X`` is pto's unless the file itself
        opens namespace pto; ``::X`` may be any global of the file."""
        ctx = self.ctx
        base = strip_pto(name)
        declared = base in ctx.file_scope_names or (base in PTO_CALL_NAMES and ctx.is_local_name(base))
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

    def resolve_in_file_scope(self, type_: A.TypeRef) -> A.TypeRef:
        """resolve_type where no local alias is visible (c_types.TypeScope)."""
        return self.resolve_type(type_, self.ctx.scope)

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        """FileFacts.file_constant for a name no local declaration gives a value (the caller
        looked its environment up first), unless the function may declare it otherwise: a
        statement or parameter the model cannot read, a template parameter, or a member of the
        class scope of a member function (not read)."""
        if name in self.maybe_declared or name in self.template_params or self.fn.declaration.owner:
            return None
        return self.ctx.file_constant(name)

    def type_named(self, name: str) -> bool:
        """``name`` may name a type here (then an expression using it may be a declaration)."""
        base = name.rsplit("::", 1)[-1]
        return base in self.ctx.file_scope_types or base in self.ctx.file_scope_classes \
            or name in self.template_params or name in self.local_alias_names


def unknown_names(env: dict, reason: str, at: int = -1) -> StmtInfo:
    """Every variable of ``env`` becomes unknown-valued: the statement (at source offset ``at``,
    FunctionState.reading) is Unknown for ``reason``."""
    for sym in env.values():
        sym.make_unknown(reason, at)
    return StmtInfo(Kind.UNKNOWN, reason=reason, env=env)


def env_of_names(names: tuple[str, ...], scope: Scope, env: dict) -> dict:
    """``env`` with the symbol each of ``names`` denotes in ``scope`` added."""
    for name in names:
        # A qualified name (`TileType::Vec`) is never a variable of this function: a declarator
        # is one identifier (the grammar's `decl`), so the scopes hold no such key.
        if ":" in name:
            continue
        sym = scope.lookup(name)      # (on scope: a bound method kept in a local is a Python-level call)
        if sym is not None:
            env[name] = sym
    return env


def shadow_dependent_aliases(scope: Scope, name: str) -> None:
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
