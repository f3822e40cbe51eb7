"""The value model of one function: the value sets of its scalars, the UB addresses of its tiles and
their valid shapes, computed on demand from the definitions FunctionSemantics recorded (None:
unknown)."""
from __future__ import annotations

from ..pto import tpipe
from ..pto.ops import PURE_FUNCTIONS
from . import stmt_parser as A
from .c_types import (
    VALID_DIM_GETTERS,
    VALID_DIM_TYPE,
    cast_type_of,
    expr_type,
    literal_type,
    pointer_values,
    template_key,
    wrap_if_integer,
)
from .integers import IntType, binary_value, unary_value, wrap
from .keywords import strip_pto as _strip_pto
from .statement_forms import holds_dims
from .symbols import COPIED_SHAPE, UNKNOWN_DEF, UNKNOWN_SHAPE, PtrType, Symbol, static_storage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

    from .function_state import FunctionState


MAX_VALUES: Final = 64          # larger value sets are treated as unknown



# Definitions, tile bindings and valid-shape copies the value model follows through one another
# (`a2 = a1 + 1` reads a1, whose value reads a0...): a value past this many is unknown. It bounds
# the recursion depth whatever the kernel (compiled, a recursion has no interpreter limit to stop
# it); ptoas output follows a few.
MAX_VALUE_NESTING: Final = 32



# Values, tile addresses and valid shapes the value model of one function computes at most (each
# once: answers are kept, but not one a cycle or the nesting bound cut short, which a tile read
# along many paths might compute again and again): past this, everything more it is asked is
# unknown. It bounds the work whatever the kernel; the corpus's largest function needs ~1200.
MAX_VALUE_STEPS: Final = 100_000



class ValueModel:
    """Value sets of scalar symbols and address sets of tile symbols (None = unknown)."""

    def __init__(self, state: FunctionState):
        self.state = state
        self._values: dict[int, frozenset | None] = {}
        self._addrs: dict[int, frozenset | None] = {}
        # uid of a tile -> the binding that left its addresses unknown when they were last computed
        # (for unknown_address, a diagnostic: no decision reads it).
        self._unknown_by: dict[int, tuple] = {}
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
        if not self.state.ctx.values_exhausted:
            self.state.ctx.values_exhausted = (f"{self.state.fn.name}(): its value model reached its bound of "
                                             f"{MAX_VALUE_STEPS} computations")
        return True

    def release(self) -> None:
        """See FunctionSemantics.release."""
        self._values.clear()
        self._addrs.clear()
        self._unknown_by.clear()
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
                dims.append(wrap_if_integer(next(iter(values)), VALID_DIM_TYPE))
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
                    known[dim] |= {wrap_if_integer(v, VALID_DIM_TYPE) for v in values}
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
                return self.state.fn.is_entry and len(sym.defs) == 1 and sym in self.state.params
            if len(sym.defs) != 1 or sym.defs[0] is UNKNOWN_DEF or sym.defs[0][0] is None \
                    or not holds_dims(sym.ctype, bound):
                return False
            node, env = sym.defs[0]
            return self._input_expr(node, env, bound, depth + 1)
        if isinstance(node, A.Cast):
            return holds_dims(cast_type_of(node.type, self.state, env), bound) \
                and self._input_expr(node.operand, env, bound, depth + 1)
        if isinstance(node, A.Ternary):
            return holds_dims(expr_type(node, env, self.state), bound) \
                and all(self._input_expr(part, env, bound, depth + 1) for part in (node.then, node.orelse))
        if isinstance(node, A.Call):
            tmpl = node.template
            if tmpl is not None and _strip_pto(tmpl.name) == "static_cast" and len(node.args) == 1:
                return holds_dims(expr_type(node, env, self.state), bound) \
                    and self._input_expr(node.args[0], env, bound, depth + 1)
            return isinstance(node.func, A.Name) and node.func.id in PURE_FUNCTIONS and not node.args \
                and env.get(node.func.id) is None and node.func.id not in self.state.ctx.header_names
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
            out |= {wrap_if_integer(v, VALID_DIM_TYPE) for v in values}
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
                or len(theirs) != 1 or static_storage(one) or static_storage(other):
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
            pending = [wrap_if_integer(v, sym.ctype) for v in starts]
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
        computed = binary_value(step.op[0], current, value, ctype, expr_type(step.value, env, self.state))
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
            result = result | {wrap_if_integer(v, sym.ctype) for v in values}
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

    def _name_values(self, name: str, env: dict) -> frozenset | None:
        """The values of a name: its symbol's, else a file-scope constant's (FileContext.file_constant)."""
        sym = env.get(name)
        if sym is None:
            constant = self.state.file_constant(name)
            return None if constant is None else frozenset([constant[1]])
        return self.value_set(sym)

    def _eval(self, node: Any, env: dict) -> frozenset | None:
        if isinstance(node, A.Number):
            value = node.value
            ctype: object = literal_type(node)
            return frozenset([wrap_if_integer(value, ctype)]) if isinstance(value, int) and ctype is not None else None
        if isinstance(node, A.Literal):
            return frozenset([0]) if node.value is None else frozenset([int(bool(node.value))])
        if isinstance(node, A.Name):
            return self._name_values(node.id, env)
        if isinstance(node, A.Cast):
            inner = self._eval(node.operand, env)
            ctype = cast_type_of(node.type, self.state, env)
            if inner is None or ctype is None or ctype == "float":
                return None
            if isinstance(ctype, PtrType):
                return pointer_values(inner)
            return frozenset(wrap_if_integer(v, ctype) for v in inner)
        if isinstance(node, A.Unary):
            inner = self._eval(node.operand, env)
            ctype = expr_type(node, env, self.state)
            if inner is None or not isinstance(ctype, IntType):
                return None
            if node.op not in ("-", "+", "!", "~"):
                return None
            return frozenset(unary_value(node.op, v, ctype) or 0 for v in inner)   # (None: no such op)
        if isinstance(node, A.Ternary):
            # Both branches are converted to their common type (`c ? m : 0u` is unsigned).
            common = expr_type(node, env, self.state)
            if not isinstance(common, IntType):
                return None
            cond = self._eval(node.cond, env)
            a, b = self._eval(node.then, env), self._eval(node.orelse, env)
            if cond is not None and len(cond) == 1:
                chosen = a if next(iter(cond)) else b
                return None if chosen is None else frozenset(wrap_if_integer(v, common) for v in chosen)
            if a is None or b is None:
                return None
            return _cap(frozenset(wrap_if_integer(v, common) for v in a | b))
        if isinstance(node, (A.Binary, A.SizeOf)):
            return self._binary(node, env) if isinstance(node, A.Binary) else self._size_of(node)
        if isinstance(node, A.Call):
            tmpl = node.template
            if tmpl is not None and _strip_pto(tmpl.name) in ("reinterpret_cast", "static_cast") \
                    and len(node.args) == 1:
                inner = self._eval(node.args[0], env)
                ctype = expr_type(node, env, self.state)
                if inner is None or ctype is None or ctype == "float":
                    return None
                if isinstance(ctype, PtrType):
                    return pointer_values(inner)
                return frozenset(wrap_if_integer(v, ctype) for v in inner)
            func = node.func
            if isinstance(func, A.Member) and func.field == "data" and not node.args and isinstance(func.obj, A.Name):
                sym = env.get(func.obj.id)
                if sym is not None and sym.kind == "tile":
                    return pointer_values(self.tile_addresses(sym))
            if isinstance(func, A.Member) and func.field in VALID_DIM_GETTERS and not node.args \
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
                    return self._valid_dims(sym, VALID_DIM_GETTERS[func.field])
                finally:
                    self._nesting -= 1
                    self._reading_shapes.discard(sym.uid)
            return None
        return None

    def _size_of(self, node: A.SizeOf) -> frozenset | None:
        """`sizeof(float)`: a builtin type's size (FileFacts.constant_value's rule), unless the
        function may give the name another meaning (a local alias, a template parameter, a
        statement it cannot read)."""
        arg = node.arg
        state = self.state
        if not isinstance(arg, A.TypeRef) or arg.name in state.local_alias_names \
                or arg.name in state.declared_template_params or arg.name in state.maybe_declared:
            return None
        size = state.ctx.constant_value(node, {})
        return None if size is None else frozenset([size[1]])

    def _binary(self, node: A.Binary, env: dict) -> frozenset | None:
        left, right = self._eval(node.left, env), self._eval(node.right, env)
        if left is None or right is None:
            return None
        op = node.op
        ltype, rtype = expr_type(node.left, env, self.state), expr_type(node.right, env, self.state)
        rtype_all = expr_type(node, env, self.state)
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
                    value = wrap_if_integer(a2 + b2 if op == "+" else a2 - b2, rtype_all)
                else:
                    result = binary_value(op, a, b, ltype, rtype)
                    if result is None:
                        return None
                    value = result
                out.add(value)
                if len(out) > MAX_VALUES:
                    return None
        return pointer_values(frozenset(out)) if pointer and op in "+-" else frozenset(out)

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
                self._unknown_by[sym.uid] = binding
                break
            result = result | values
        # No value at all (a `for` whose condition never holds: `for (int i = -4; i < 4u; ++i)`
        # walks nothing): the binding is on no path the model follows, which it cannot tell from
        # unreachable code; unknown, as for any address it does not know (red3: an empty set
        # was an IndexError, exit 3).
        return _cap(frozenset(result)) if result else None

    def unknown_address(self, sym: Symbol) -> tuple[str, int] | None:
        """Why tile_addresses found no address of tile ``sym``, as its binding that made it so says
        (following aliases): (why, the source offset of its statement, or -1); None when no one
        binding did (no binding at all, too many addresses, a bound of the model). Read after
        tile_addresses answered None, for a diagnostic: it computes and decides nothing."""
        seen: set[int] = set()
        holder = sym
        while holder.uid not in seen:
            seen.add(holder.uid)
            binding = self._unknown_by.get(holder.uid)
            if binding is None:
                return None
            kind = binding[0]
            if kind == "alias":
                holder = binding[1]
            elif kind == "unknown":
                at = binding[2] if len(binding) > 2 else -1
                # (With a place: an Unknown statement naming the tile, Symbol.make_unknown, or the
                # statement or parameter read that made it unknown, symbols.unknown_binding.)
                return (f"{binding[1]} (a statement ptofix cannot read names '{holder.name}')"
                        if at >= 0 and len(binding) == 3 else binding[1]), at
            elif kind == "addr":
                return f"TASSIGN of '{holder.name}' to an address the model cannot evaluate", binding[3]
            elif kind == "tpop":
                return f"TPOP of '{holder.name}' into a ring whose addresses the model does not know", binding[4]
            else:
                return None
        return None

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
                or template_key(pipe_type) != template_key(ctor.func):
            return None
        targs = pipe_type.args
        values = [a.value if isinstance(a, (A.Number, A.Literal)) else None for a in targs]
        consumer_arg = tpipe.CONSUMER_BUFFER_ARG.get(tile.tile.space or "")
        depths = tpipe.ring_depths(values, self.state.ctx.isa.tpipe_order)
        slot_size = values[2] if len(values) > 2 else None
        if consumer_arg is None or len(ctor.args) <= consumer_arg or not isinstance(slot_size, int) \
                or isinstance(slot_size, bool) or depths is None:
            return None
        bases = self.eval(ctor.args[consumer_arg], env)
        if bases is None or not all(isinstance(d, int) and 0 < d <= MAX_VALUES for d in depths):
            return None
        stride = self.state.ctx.isa.tpop_stride     # (as the checkout has it; "": either)
        strides = {tile.tile.nbytes} if stride == tpipe.STRIDE_TILE else {slot_size} \
            if stride == tpipe.STRIDE_SLOT else {tile.tile.nbytes, slot_size}
        return _cap(frozenset(b + k * s for b in bases for k in range(max(depths)) for s in strides))



def _cap(values: frozenset) -> frozenset | None:
    return values if len(values) <= MAX_VALUES else None
