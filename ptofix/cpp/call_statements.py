"""What a call statement of a function does (CallStatementReader): a pto op, a barrier, a flag, TASSIGN,
a FIFO op or a call of a function of the file, read into one StmtInfo."""
from __future__ import annotations

from ..pto.ops import FIFO_OPS, HARMLESS_CALLS, OPS, PIPE_NAMES, PTO_INSTRUCTIONS
from ..pto.tiles import TileType
from . import stmt_parser as A
from .count_mode import MASK_NORM_CALL
from .function_state import unknown_names
from .keywords import strip_pto as _strip_pto
from .statement_forms import HARMLESS_METHODS
from .symbols import UNKNOWN_DEF, UNKNOWN_SHAPE, Kind, Scope, StmtInfo, with_unknown_shape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .expressions import ExpressionEvaluator
    from .function_state import FunctionState


class CallStatementReader:
    """What a call statement of the function being read does: a pto op, a barrier, a flag,
    TASSIGN, TRESHAPE, a FIFO op, a tile method or a call of a function of the file, read into one
    StmtInfo (its arguments and local calls are read by ``expressions``)."""

    def __init__(self, state: FunctionState, expressions: ExpressionEvaluator) -> None:
        self.state = state
        self.ctx = state.ctx
        self.expressions = expressions

    def call_statement(self, call: A.Call, scope: Scope, env: dict) -> StmtInfo:
        func = call.func
        name = call.callee
        if isinstance(func, (A.Name, A.TemplateId)) and self.state.type_named(name):
            # `Guard (g);` declares g; `Guard(1);` makes a temporary: constructors, destructors.
            return unknown_names(env, self.expressions.free_name(name), self.state.reading)
        if isinstance(func, A.Member):
            return self._method_call(call, func, scope, env)
        if not isinstance(func, (A.Name, A.TemplateId)):
            return unknown_names(env, "call through an expression not modelled", self.state.reading)
        shadowed = self.state.not_pto_name(name, env)
        if shadowed:
            return unknown_names(env, f"call to '{name}': {shadowed}", self.state.reading)
        if self.ctx.is_local_name(name):
            for arg in call.args:
                reason = self.expressions.expression(arg, scope, env)
                if reason:
                    return unknown_names(env, reason, self.state.reading)
            reason = self.expressions.local_call(name, call.args, env, isinstance(func, A.TemplateId))
            if reason:
                return unknown_names(env, reason, self.state.reading)
            return StmtInfo(Kind.LOCAL_CALL, env=env, callee=name, local_calls=self.state.pending_calls)
        base = _strip_pto(name)
        for arg in call.args:
            reason = self.expressions.expression(arg, scope, env)
            if reason:
                return unknown_names(env, reason, self.state.reading)
        if self.state.pending_calls:
            return unknown_names(env, "local function called inside the arguments of a call", self.state.reading)
        if base in ("pipe_barrier", "set_flag", "wait_flag"):
            return self._pipe_call(base, call, env)
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
            return unknown_names(env, "TRESHAPE of operands that are not declared tiles", self.state.reading)
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
            self.state.may_jump(f"'{name}(...)' may be a macro that hides a jump{self.ctx.macro_origin(name)}")
        return unknown_names(env, f"call to '{name}' is not modelled", self.state.reading)

    def _method_call(self, call: A.Call, func: A.Member, scope: Scope, env: dict) -> StmtInfo:
        """A call statement of a method (`t.SetValidShape(r, c);`): harmless tile methods are read
        (SetValidShape records the tile's new valid shape), anything else is Unknown."""
        reason = self.expressions.call_expr(call, env)
        if not reason or (func.field in HARMLESS_METHODS and isinstance(func.obj, A.Name)
                          and env.get(func.obj.id) is not None and env[func.obj.id].kind == "tile"):
            for arg in call.args:
                reason2 = self.expressions.expression(arg, scope, env)
                if reason2:
                    return unknown_names(env, reason2, self.state.reading)
            if self.state.pending_calls:
                # `a.GetValue(work())`: the argument's call runs first and is no event here.
                return unknown_names(env, "local function called inside the arguments of a method call",
                                     self.state.reading)
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
        return unknown_names(env, reason, self.state.reading)

    def _pipe_call(self, base: str, call: A.Call, env: dict) -> StmtInfo:
        """`pipe_barrier(p)`, `set_flag(src, dst, e)` or `wait_flag(src, dst, e)` as a barrier, a drain
        or a flag, when its pipes are pto's enumerators; Unknown otherwise."""
        # A pipe is read only from pto's enumerator names (`PIPE_V`, not a variable so named).
        for arg in call.args[:2]:
            shadowed = self.state.not_pto_name(arg.id, env) if isinstance(arg, A.Name) else ""
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

    def _event_id(self, node: Any, env: dict) -> str:
        """A flag's event id as a constant ('' if it may vary: then it pairs with nothing)."""
        if isinstance(node, A.Number):
            return str(node.value)
        if isinstance(node, A.Name):
            sym = env.get(node.id)
            if sym is None:
                if self.state.not_pto_name(node.id, env):
                    return ""
                return _strip_pto(node.id)           # an enumerator such as EVENT_ID0
            if sym.kind == "scalar":
                return f"<{sym.uid}>"                 # resolved to its value once defs are known
        return ""

    def _tassign(self, call: A.Call, env: dict) -> StmtInfo:
        tmpl = call.template
        if tmpl is None and len(call.args) == 2 and isinstance(call.args[0], A.Name):
            tile, addr = env.get(call.args[0].id), call.args[1]
        elif tmpl is not None and len(tmpl.args) == 1 and len(call.args) == 1 and isinstance(call.args[0], A.Name):
            tile, addr = env.get(call.args[0].id), tmpl.args[0]      # TASSIGN<ADDR>(tile)
        else:
            return unknown_names(env, "TASSIGN form not modelled", self.state.reading)
        if tile is None or tile.kind != "tile":
            return unknown_names(env, "TASSIGN to something that is not a declared tile", self.state.reading)
        tile.bindings.append(("addr", addr, env, self.state.reading))
        return StmtInfo(Kind.NOP, env=env)

    def _fifo(self, op: str, call: A.Call, env: dict) -> StmtInfo:
        """TPUSH/TPOP/TALLOC/TFREE: never PIPE_V (pto-isa TPush.hpp); Tile-form TPOP rebinds its tile."""
        tmpl = call.template
        if tmpl is None or not call.args or not isinstance(call.args[0], A.Name):
            return unknown_names(env, f"{op} form not modelled", self.state.reading)
        pipe = env.get(call.args[0].id)
        if pipe is None or pipe.kind != "object" or pipe.object_type != "TPipe":
            # pto-isa has other forms, e.g. `TPOP(tile, pipe)` on a TMPipe, which moves the tile
            # into its local FIFO (pto_instr.hpp, a2a3/TPop.hpp): only TPipe's are modelled.
            return unknown_names(env, f"{op} whose first argument is not a TPipe", self.state.reading)
        for arg in call.args[1:]:
            if not isinstance(arg, A.Name):
                return unknown_names(env, f"{op} with an argument that is not a name", self.state.reading)
            sym = env.get(arg.id)
            if sym is None:
                return unknown_names(env, f"{op} of an undeclared name '{arg.id}'", self.state.reading)
            if sym.kind == "tile":
                if op == "TPOP":
                    sym.bindings.append(("tpop", pipe, tmpl, sym, self.state.reading))
            elif sym.kind != "object":
                sym.make_unknown(f"passed to {op}", self.state.reading, read=True)
        return StmtInfo(Kind.NOP, env=env)
