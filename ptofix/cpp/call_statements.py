"""FunctionSemantics's call statements: a pto op, a barrier, a flag, TASSIGN, a FIFO op or a call of a
function of the file, read into one StmtInfo. Module functions taking the model as `self`; the class
delegates to them."""
from __future__ import annotations

from ..pto.ops import FIFO_OPS, HARMLESS_CALLS, OPS, PIPE_NAMES, PTO_INSTRUCTIONS, pto_function_names
from ..pto.tiles import TileType
from . import stmt_parser as A
from .count_mode import MASK_NORM_CALL
from .keywords import strip_pto as _strip_pto
from .statement_forms import HARMLESS_METHODS, name_set
from .symbols import UNKNOWN_DEF, UNKNOWN_SHAPE, Kind, Scope, StmtInfo, with_unknown_shape
from .templates import template_call_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .semantics import FunctionSemantics

# Callee models built inside a caller's (to read what a call does to its arguments): a callee past
# this many nested calls is unknown to its caller (its model is built when asked for directly).
MAX_CALLEE_NESTING = 4


def _local_call(self: FunctionSemantics, name: str, args: list, env: dict, explicit: bool = False) -> str:
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
                for sub in name_set(arg):
                    if sub in env:
                        env[sub].make_unknown(f"written by {name}() through a reference")
    self._pending_calls.append((name, args, env))
    return ""


def _call_statement(self: FunctionSemantics, call: A.Call, scope: Scope, env: dict) -> StmtInfo:
    func = call.func
    name = call.callee
    if isinstance(func, (A.Name, A.TemplateId)) and self._type_named(name):
        # `Guard (g);` declares g; `Guard(1);` makes a temporary: constructors, destructors.
        return self._unknown_names(env, self._free_name(name))
    if isinstance(func, A.Member):
        return _method_call(self, call, func, scope, env)
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
        return _pipe_call(self, base, call, env)
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


def _method_call(self: FunctionSemantics, call: A.Call, func: A.Member, scope: Scope, env: dict) -> StmtInfo:
    """A call statement of a method (`t.SetValidShape(r, c);`): harmless tile methods are read
    (SetValidShape records the tile's new valid shape), anything else is Unknown."""
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
                else with_unknown_shape(known)
            owner.tile = TileType(tt.space, tt.dtype, tt.rows, tt.cols, tt.blayout, None, None)
            # Written: a caller that passed the tile by reference sees the change
            # (param_written counts definitions).
            owner.defs.append(UNKNOWN_DEF)
        return StmtInfo(Kind.NOP, env=env)
    return self._unknown_names(env, reason)


def _pipe_call(self: FunctionSemantics, base: str, call: A.Call, env: dict) -> StmtInfo:
    """`pipe_barrier(p)`, `set_flag(src, dst, e)` or `wait_flag(src, dst, e)` as a barrier, a drain
    or a flag, when its pipes are pto's enumerators; Unknown otherwise."""
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


def _event_id(self: FunctionSemantics, node: Any, env: dict) -> str:
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


def event_value(self: FunctionSemantics, tag: str) -> str:
    """The constant a symbolic flag tag stands for ('' when it is not one constant)."""
    if not tag.startswith("<"):
        return tag
    sym = self.symbols[int(tag[1:-1])]
    values = self.values.value_set(sym)
    return str(next(iter(values))) if values is not None and len(values) == 1 else ""


def _tassign(self: FunctionSemantics, call: A.Call, env: dict) -> StmtInfo:
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


def _fifo(self: FunctionSemantics, op: str, call: A.Call, env: dict) -> StmtInfo:
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
