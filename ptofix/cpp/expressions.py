"""What an expression of a function means to the model (ExpressionEvaluator): why it is Unknown ("" when
the model knows what it does), the names it may not know, the writes and the calls it makes, and what
a call of a function of the file does to its arguments."""
from __future__ import annotations

from ..pto.ops import PTO_INSTRUCTIONS, PURE_FUNCTIONS, pto_function_names, pto_header_words
from . import stmt_parser as A
from .aggregate_init import LOCAL_AGGREGATE_TYPE
from .c_types import BUILTIN_ARITHMETIC_TYPES, TILE_TYPE_NAMES, VALUE_OBJECT_TYPES, cast_type_of
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import strip_pto as _strip_pto
from .lexical import identifiers
from .model import Function
from .statement_forms import PLAIN_FREE_NAMES, PTO_CALL_NAMES, is_pto_enumerator, name_set, rightmost_name
from .symbols import UNKNOWN_DEF, PtrType, Scope, unknown_binding
from .templates import template_call_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Final

    from .function_state import FunctionState

# Callee models built inside a caller's (to read what a call does to its arguments): a callee past
# this many nested calls is unknown to its caller (its model is built when asked for directly).
MAX_CALLEE_NESTING: Final = 4


def _class_operand_reason(node: A.Unary | A.Binary | A.Index, env: dict) -> str:
    """An operator applied to a class-type value may be an overloaded operator (a call): why, or ""."""
    operands = [node.operand] if isinstance(node, A.Unary) else \
        [node.left, node.right] if isinstance(node, A.Binary) else [node.obj]
    for operand in operands:
        class_typed = isinstance(operand, A.Name) and operand.id in env \
            and env[operand.id].kind in ("tile", "object", "unknown")
        if class_typed and not (isinstance(node, A.Unary) and node.op == "&"):
            name = operand.id if isinstance(operand, A.Name) else "?"
            return f"operator '{getattr(node, 'op', '[]')}' on '{name}' (a class-type value)"
    return ""


class ExpressionEvaluator:
    """Why an expression of the function being read is Unknown ("" when the model knows what it
    does), the writes it makes to the function's variables and the calls of the file's functions
    it makes (recorded in the state's pending_calls). ``callee`` gives the model of a function of
    the file a call reaches (None while it is being built: FileContext.callee_state)."""

    def __init__(self, state: FunctionState, callee: Callable[[Function], FunctionState | None]) -> None:
        self.state = state
        self.ctx = state.ctx
        self.callee = callee
        self._leaf: bool | None = None               # _is_leaf(), read on first use

    def expr(self, node: Any, env: dict) -> str:
        reason = self._reason(node, env)
        if reason and self.state.reason_node is None:
            self.state.reason_node = node       # (the innermost: an inner call records first)
        return reason

    def expression(self, node: Any, scope: Scope, env: dict) -> str:
        """Record the writes of an expression; return why it is not understood ('' if it is).

        Understood: arithmetic on names and literals, casts, ``sizeof``, reads through pointers,
        assignments to scalars and tiles, ``++``/``--``, calls of pure functions (casts,
        ``t.data()``, block ids, pto value-type constructors) and of functions of this file (their
        effects are decided from their bodies). Everything else makes the statement Unknown.
        """
        try:
            return self.expr(node, env)
        except RecursionError:
            return "expression nested too deeply"

    def _reason(self, node: Any, env: dict) -> str:
        if isinstance(node, A.SizeOf) and not isinstance(node.arg, A.TypeRef) \
                and any(isinstance(sub, (A.Call, A.Assign, A.IncDec)) for sub in A.walk(node.arg)):
            # (Unevaluated, unless its type is a variable-length array: then C evaluates it, and
            # clang does so in C++ too.)
            return "sizeof of an expression with a call or a write (evaluated for a run-time sized array)"
        if isinstance(node, (A.Number, A.Literal, A.String, A.TypeRef, A.SizeOf)):
            return ""
        if isinstance(node, A.Name):
            return self._name_reason(node, env)
        if isinstance(node, A.TemplateId):
            return "" if node.name in env else self.free_name(node.name)
        if isinstance(node, (A.Unary, A.Binary, A.Index)):
            overloaded = _class_operand_reason(node, env)
            if overloaded:
                return overloaded
        if isinstance(node, A.Unary):
            if node.op == "&":
                # Address taken: the variable may change through the pointer from now on.
                for name in name_set(node.operand):
                    if name in env:
                        env[name].make_unknown("its address is taken", self.state.reading, read=True)
                return self.expr(node.operand, env)
            return self.expr(node.operand, env)
        if isinstance(node, A.Binary):
            before = rightmost_name(node.left) if node.op == "<" else None
            if before is not None and (before in self.state.maybe_declared
                                       or (before not in env and not self.plain_value_name(before))):
                # (A name an unread statement may declare, `using app::f;`, may hide the variable.)
                # [temp.names]: after a template's name `<` opens its arguments, spaces or not:
                # `TEXP < ExpAlgorithm::DEFAULT > (a, b);` is a call, and so is `(void) TEXP < ...`
                # (the name right before the '<' counts, whatever the grammar groups it with).
                return f"'{before}' may name a template: its '<' may open template arguments"
            return self.expr(node.left, env) or self.expr(node.right, env)
        if isinstance(node, A.Ternary):
            return self.expr(node.cond, env) or self.expr(node.then, env) or self.expr(node.orelse, env)
        if isinstance(node, A.Cast):
            return self.cast_reason(node.type) or self.expr(node.operand, env)
        if isinstance(node, A.Index):
            return self.expr(node.obj, env) or self.expr(node.index, env)
        if isinstance(node, A.Member):
            return self.expr(node.obj, env)
        if isinstance(node, A.Comma):
            for item in node.items:
                reason = self.expr(item, env)
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
            reason = self.expr(node.value, env)
            if reason:
                return reason
            return self._write(node, env)
        if isinstance(node, A.Call):
            return self.call_expr(node, env)
        return f"{type(node).__name__} expression not modelled"

    def _name_reason(self, node: A.Name, env: dict) -> str:
        """Why reading the name ``node`` is Unknown ("" when the model knows what it reads)."""
        sym = env.get(node.id)
        if sym is not None and (sym.generic or (sym.kind == "unknown" and sym.object_type)):
            # A value of a class type read as a value: a conversion operator (`int64_t q = c;`,
            # `if (c)`) or `operator->` may run.
            return f"'{node.id}' has a class type: reading it may call a conversion operator"
        if sym is None:
            return self.free_name(node.id) or self._header_object_reason(node.id)
        return ""

    def _header_object_reason(self, name: str) -> str:
        """A name a header the file includes declares (`stage`), or a qualified name whose first
        qualifier neither pto's headers nor the file spell (`hx::stage`, a header's namespace), may
        name a header's object of a class: reading it may call a conversion operator. Why, or ''."""
        if "::" not in name:
            if name in self.ctx.header_names:
                where = next((summary.names[name] for summary in self.ctx.headers.values()
                              if name in summary.names), "")
                return f"'{name}' is declared by a header the file includes ({where}): reading an object of a class " \
                       "may call a conversion operator"
            return ""
        qualifier = name.lstrip(":").split("::")[0]
        if qualifier in ("pto", "std") or qualifier in pto_header_words() or qualifier in self.ctx.file_scope_names:
            return ""
        return f"'{name}' may be an object of a class a header declares: reading it may call a conversion operator"

    def cast_reason(self, type_: A.TypeRef) -> str:
        """Why a cast to ``type_`` may run code ('' if it cannot): a conversion to a class type
        calls a constructor or conversion operator. Casts to arithmetic types, pointers and void
        only convert a value; a name that a local alias or a template parameter may make a class
        (`using uint64_t = Foo;`) does not count as arithmetic."""
        if cast_type_of(type_, self.state, {}) is not None:
            return ""
        resolved = self.state.resolve_type(type_, self.ctx.scope)
        if resolved.name in ("void", "mem_dsb_t") and type_.name not in self.state.local_alias_names \
                and type_.name not in self.state.template_params and resolved.template is None:
            return ""
        return f"cast to '{type_.name}', which may be a class type (a constructor call)"

    def _may_reach_another(self, fn: Function, args: list, env: dict) -> str:
        """Why an unqualified call may reach a function other than the file's ``fn`` ('' if it
        cannot). Lookup sees only what is declared before the call and in the enclosing namespaces
        (`helpers::vrec` is not `vrec` from the global namespace); and the compiler's built-in
        functions (CCE intrinsics such as `vrec`, most of which pto-isa never calls) are global
        candidates of any name, which overload resolution may prefer, unless an argument is one of
        pto's class objects, which no built-in takes."""
        if fn.span.start >= self.state.fn.span.start:
            return "defined after the caller: the call sees only what is declared before it"
        if fn.namespace != self.state.fn.namespace[:len(fn.namespace)]:
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
            or type_ref.name not in BUILTIN_ARITHMETIC_TYPES

    def _is_leaf(self) -> bool:
        """The function holds no barrier and names no function of the file (itself included): a
        proof's walk reaches its statements only through a call to it, never from a barrier in
        it or from a callee's return into it."""
        if self._leaf is None:
            span = self.state.fn.body.span
            body = self.ctx.model.source.text[span.start:span.end]
            # raw-text scan: a function body's text, every word of it, unread statements included (once per
            # function)
            self._leaf = "pipe_barrier" not in body and not any(
                self.ctx.is_local_name(name) for name in identifiers(body))
        return self._leaf

    def plain_value_name(self, name: str) -> bool:
        """``name`` (no local variable) is a value, not a template: a plain constant, one of pto's
        enumerators or a variable the file declares (a file-scope template is never read)."""
        base = _strip_pto(name)
        if name in PLAIN_FREE_NAMES:
            return True
        if base in self.state.maybe_declared or self.ctx.is_local_name(base) or self.state.type_named(name):
            return False      # (`template <int N> void PIPE_V_scale(...)` is spelled like an enumerator)
        if is_pto_enumerator(base) and base not in self.ctx.file_scope_names:
            return True
        return name == base and self.ctx.declares_variable(base)

    def may_name_type(self, name: str, scope: Scope) -> bool:
        """``name``, leading an expression statement, may name a type (then the statement may be a
        declaration): unless it is a local variable, a function of the file, a file-scope variable
        or one of pto's functions the model reads. A name declared nowhere may be a header's type
        (pto's `Tile`, `GlobalTensor`)."""
        base = _strip_pto(name)
        if name == "decltype" or self.state.type_named(name) or base in self.state.maybe_declared:
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
        return base not in PTO_CALL_NAMES and base not in PTO_INSTRUCTIONS

    def free_name(self, name: str) -> str:
        """A name no local declaration gives a value: why it is not understood ('' if it is a plain
        value). A type of the file makes the statement a declaration the grammar misread (`Guard
        *p, g;` declares g, `Guard (g);` too): its object's destructor runs at scope exit. A name
        neither the file nor pto declares may be a header's macro, which may expand to a jump."""
        if self.state.type_named(name):
            self.state.scope_exit_code = f"'{name}' names a type: the statement may declare an object whose " \
                                   "destructor runs at scope exit"
            return f"'{name}' names a type here: the statement may be a declaration"
        if name in self.state.maybe_declared:
            # `G guard{};` unread: guard may be an object of any class, whose copy or conversion
            # runs code (`auto h = guard;`), whatever a file-scope `guard` holds.
            return f"'{name}' may be declared by a statement or parameter ptofix cannot read"
        if "::" not in name and name not in PLAIN_FREE_NAMES and name not in self.ctx.file_scope_names \
                and not self.ctx.is_local_name(name) and not is_pto_enumerator(name) \
                and name not in PTO_INSTRUCTIONS and self.ctx.may_be_macro(name):
            self.state.may_jump(f"'{name}' is declared nowhere in the file: it may be a header's macro that hides a "
                           f"jump{self.ctx.macro_origin(name)}")
        return ""

    def _write(self, node: A.Assign, env: dict) -> str:
        target = node.target
        if isinstance(target, A.Name):
            sym = env.get(target.id)
            if sym is None:
                if node.op == "=" and target.id not in self.state.maybe_declared \
                        and self.ctx.plain_integer_global(target.id) and not self.state.type_named(target.id):
                    return ""     # a store to the file's own integer variable (not UB)
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
                sym.bindings.append(unknown_binding("assigned from an expression", self.state.reading, True))
                return "tile assigned from an expression ptofix does not model"
            if sym.generic:
                sym.make_unknown("assigned", self.state.reading, read=True)
                return f"assignment to '{target.id}', whose type is a template parameter (a reference or a class)"
            if sym.kind == "object" and node.op == "=" and isinstance(node.value, A.Name):
                # (Plain data copied over: a TPipe's ring moves too.)
                sym.make_unknown("assigned", self.state.reading, read=True)
                return ""
            sym.make_unknown("assigned", self.state.reading, read=True)
            return f"assignment to '{target.id}' ({sym.kind}) not modelled"
        if isinstance(target, A.Index) and isinstance(target.obj, A.Name):
            # The subscript is evaluated too (`status[scale_rows()] = 1;` calls scale_rows).
            reason = self.expr(target.index, env)
            if reason:
                return reason
            sym = env.get(target.obj.id)
            if sym is not None and sym.kind == "array" and not isinstance(sym.ctype, PtrType):
                sym.defs.append(UNKNOWN_DEF)
                return ""          # a local array element: not UB
            if sym is not None and sym.kind == "scalar" and isinstance(sym.ctype, PtrType) \
                    and sym.ctype.space == "gm":
                return ""          # a store to global memory through a __gm__ pointer
        if isinstance(target, A.Member) and not target.arrow and isinstance(target.obj, A.Name):
            sym = env.get(target.obj.id)
            if sym is not None and sym.kind == "object" and sym.object_type == LOCAL_AGGREGATE_TYPE:
                # A member of a local object of plain scalar members (declarations.py): a scalar of the
                # function's own frame, not UB; the assignment runs no operator.
                sym.make_unknown("a member assigned")
                return ""
        return "store through a pointer, reference or member (may write UB)"

    def call_expr(self, call: A.Call, env: dict) -> str:
        for arg in call.args:
            reason = self.expr(arg, env)
            if reason:
                return reason
        func = call.func
        if isinstance(func, A.Member):
            # (A method of a named object is judged below by the method, not as a value read.)
            reason = "" if isinstance(func.obj, A.Name) else self.expr(func.obj, env)
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
                    self.state.generic_params_used.add(self.state.params.index(sym))
                    return ""
            return f"method call '.{func.field}()' not modelled"
        name = call.callee
        if isinstance(func, A.TemplateId):
            base = _strip_pto(func.name)
            if base in ("reinterpret_cast", "static_cast", "const_cast") and len(call.args) == 1:
                if len(func.args) != 1 or not isinstance(func.args[0], A.TypeRef):
                    return f"{base} to a type ptofix cannot read"
                return self.cast_reason(func.args[0])
            if base.split("::")[0] in VALUE_OBJECT_TYPES or func.name in TILE_TYPE_NAMES:
                return ""
        if not isinstance(func, (A.Name, A.TemplateId)):
            return "call through an expression not modelled"
        if isinstance(func, A.Name) and func.id in self.ctx.expression_macros:
            return self._expression_macro_reason(func.id, call.args)
        if self._constructs_pto_value(func, env):
            return ""
        shadowed = self.state.not_pto_name(name, env)
        if shadowed:
            return f"call to '{name}': {shadowed}"
        if self.ctx.is_local_name(name):
            return self.local_call(name, call.args, env, isinstance(func, A.TemplateId))
        base = _strip_pto(name)
        if base.split("::")[0] in VALUE_OBJECT_TYPES:
            return ""
        if base in PURE_FUNCTIONS and name == base:
            # The compiler's topology queries read a core register; a header's function of that name
            # (`get_block_idx(args)`, simpler's intrinsic.h) only when proven a scalar read too.
            why = self.ctx.header_scalar_why(base) if base in self.ctx.header_names else ""
            if not why:
                return ""
            return f"call to '{name}': {why}"
        if base not in PTO_INSTRUCTIONS:
            # As for a call statement: a header's macro may expand to a jump (`(void)BREAK_IF(c)`).
            if self.ctx.may_be_macro(name):
                self.state.may_jump(f"'{name}(...)' may be a macro that hides a jump{self.ctx.macro_origin(name)}")
        return f"call to '{name}' inside an expression is not modelled"

    def _expression_macro_reason(self, name: str, args: list) -> str:
        """Why a use of the expression macro ``name`` (expression_macros.py) is not read ('' when it
        is: a parenthesized expression of its arguments, of unknown value). Its arguments are the
        preprocessor's when the parse splits them as it does: one per parameter, none holding template
        arguments (whose commas the preprocessor splits at); and each may be evaluated any number of
        times, so none may have an effect."""
        params = self.ctx.expression_macros[name].params or ()
        if len(args) != len(params):
            return f"a use of the macro '{name}' with {len(args)} arguments for its {len(params)} parameters"
        for arg in args:
            for node in A.walk(arg):
                if isinstance(node, (A.Call, A.Assign, A.IncDec, A.TemplateId, A.Comma)):
                    return f"an argument of the macro '{name}' that may have an effect or hold commas (the expansion " \
                           "may evaluate it several times, or not at all)"
        return ""

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
        return base in VALUE_OBJECT_TYPES and base not in self.ctx.file_scope_types \
            and not self.state.not_pto_name(target.name, {})

    def local_call(self, name: str, args: list, env: dict, explicit: bool = False) -> str:
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
            # Read only for a template whose instantiations are known exactly and whose function
            # parameters name no template parameter: then no argument changes what a parameter is.
            why = template_call_reason(self.ctx, fn)
            if why:
                return f"call to the template {name}() with explicit template arguments: {why}"
        if return_reason:
            return f"call to {name}(): {return_reason}"
        callee = self.callee(fn)
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
                    for sub in name_set(arg):
                        if sub in env:
                            env[sub].make_unknown(f"written by {name}() through a reference", self.state.reading,
                                                  read=True)
        self.state.pending_calls.append((name, args, env))
        return ""
