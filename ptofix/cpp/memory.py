"""Memory model: which bytes each tile variable may occupy.

Every tile resolves to its memory space (from ``TileType``) and a set of possible base addresses;
its footprint is ``[addr, addr + Rows*Cols*sizeof(T))`` (pto_isa_facts.md §3). Addresses come
from constant propagation through scalar definitions, casts, arithmetic, ``.data()``,
``reinterpret_cast<uint64_t>``, ``TRESHAPE`` aliases, and value *sets* for variables assigned in
several places (``if/else`` ping-pong, loops). The propagation is flow-insensitive: a variable's
possible values are the union over all its definitions, which over-approximates every program
point. Anything not provable is ``None`` = unknown = may alias anything in the same space.
Different spaces never alias.
"""
from __future__ import annotations

import re
from typing import NamedTuple, Optional

from . import stmt_parser as A
from .model import Function, SimpleStmt
from .ops import dtype_size

MAX_VALUES = 64          # larger value sets are treated as unknown
_UNSET = object()

_SPACE_CAPACITY = {"Vec": 192 * 1024, "Mat": 512 * 1024, "Left": 64 * 1024, "Right": 64 * 1024,
                   "Acc": 128 * 1024, "Bias": 1024, "Scaling": 2048}


class TileType(NamedTuple):
    space: str            # Vec, Mat, Left, Right, Acc, ...
    dtype: str
    rows: int
    cols: int
    blayout: str          # RowMajor / ColMajor
    valid_row: Optional[int]   # None = dynamic (-1)
    valid_col: Optional[int]

    @property
    def elem_size(self) -> int:
        return dtype_size(self.dtype) or 0

    @property
    def nbytes(self) -> int:
        return self.rows * self.cols * self.elem_size


def tile_type_from_template(tmpl: A.TemplateId) -> Optional[TileType]:
    if tmpl is None or tmpl.name not in ("Tile", "pto::Tile") or len(tmpl.args) < 4:
        return None
    args = tmpl.args

    def word(node) -> str:
        if isinstance(node, A.Name):
            return node.id.split("::")[-1]
        if isinstance(node, A.TypeRef):
            return node.name
        return ""

    def num(node) -> Optional[int]:
        if isinstance(node, A.Number):
            value = node.value
            return int(value) if isinstance(value, (int, float)) else None
        if isinstance(node, A.Unary) and node.op == "-" and isinstance(node.operand, A.Number):
            return -int(node.operand.value)
        return None

    space, dtype = word(args[0]), word(args[1])
    rows, cols = num(args[2]), num(args[3])
    if not space or not dtype or rows is None or cols is None or dtype_size(dtype) is None:
        return None
    blayout = word(args[4]) if len(args) > 4 else "RowMajor"
    vr = num(args[5]) if len(args) > 5 else rows
    vc = num(args[6]) if len(args) > 6 else cols
    return TileType(space, dtype, rows, cols, blayout or "RowMajor",
                    vr if vr is not None and vr >= 0 else None, vc if vc is not None and vc >= 0 else None)


def _wrap(value: int, type_name: str) -> int:
    bits = {"int8_t": 8, "uint8_t": 8, "int16_t": 16, "uint16_t": 16, "int32_t": 32, "uint32_t": 32,
            "int": 32, "unsigned": 32, "unsigned int": 32, "int64_t": 64, "uint64_t": 64, "size_t": 64,
            "long": 64, "unsigned long": 64, "long long": 64, "uintptr_t": 64}.get(type_name)
    if bits is None:
        return value
    value &= (1 << bits) - 1
    if not type_name.startswith(("u", "size")) and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


class FunctionMemory:
    """Scalar values and tile bindings of one function, computed on demand."""

    def __init__(self, fn: Function):
        self.fn = fn
        self.defs: dict[str, list] = {}          # scalar name -> list of (kind, node) definitions
        self.ptr_elem: dict[str, int] = {}       # pointer variable -> element size
        self.tile_types: dict[str, TileType] = {}
        self.tile_decl_unknown: set[str] = set() # declared with a type we could not read
        self.bindings: dict[str, list] = {}      # tile -> list of ("addr", expr) | ("alias", name) | ("unknown", why)
        self._values: dict[str, object] = {}
        self.decl_types: dict[str, list] = {}      # name -> declared TypeRefs (after materialize)
        self._addr_cache: dict[str, object] = {}
        self._collect()

    # -- collection ---------------------------------------------------------------------------
    def _collect(self) -> None:
        """Index statements by the name they define; parse them only when a value is asked for.

        Most declarations (GlobalTensor views, shapes) never feed an address, so the lark parse
        of a statement happens lazily in ``_materialize`` (speed: see scripts/bench.py).
        """
        from .model import ForStmt
        self._pending: dict[str, list] = {}
        for stmt in self.fn.statements():
            if isinstance(stmt, ForStmt):
                # Induction variables and anything the header assigns are unknown.
                for part in (stmt.init, stmt.step):
                    for name in _assigned_names(part):
                        self.defs.setdefault(name, []).append(("unknown", None))
                continue
            if not isinstance(stmt, SimpleStmt):
                continue
            if "&" in stmt.text:
                # A scalar whose address is taken may change through the pointer: unknown.
                for name in _ADDRESS_TAKEN.findall(stmt.text):
                    self.defs.setdefault(name, []).append(("unknown", None))
            kind = stmt.kind
            if kind == "call":
                if stmt.head in ("TASSIGN", "TRESHAPE"):
                    target = _call_target(stmt)
                    if target:
                        self._pending.setdefault(target, []).append(stmt)
                elif stmt.head == "TPOP" and _TPOP_TILE_FORM.match(stmt.text):
                    # Tile-form TPOP re-TASSIGNs the tile into the consumer ring at run time
                    # (pto_isa_facts.md §4.1, §7): resolved from the pipe object in tpop_addresses.
                    target = _call_target(stmt)
                    if target:
                        self.bindings.setdefault(target, []).append(("tpop", stmt))
                continue
            if kind in ("decl", "assign"):
                name = _declared_name(stmt.text, kind)
                if name:
                    self._pending.setdefault(name, []).append(stmt)
                    if kind == "decl" and stmt.head in ("Tile", "pto::Tile"):
                        self.tile_decl_unknown.add(name)   # refined when the type is read

    def _materialize(self, name: str) -> None:
        stmts = self._pending.pop(name, None)
        if not stmts:
            return
        for stmt in stmts:
            ast = stmt.ast
            if ast is None:
                if stmt.kind in ("decl", "assign"):
                    self.defs.setdefault(name, []).append(("unknown", None))
                continue
            self._record(ast)

    def _record(self, ast) -> None:
        if isinstance(ast, A.Decl):
            type_ = ast.type
            self.decl_types.setdefault(ast.name, []).append(type_)
            if type_.template is not None and type_.name in ("Tile", "pto::Tile"):
                tt = tile_type_from_template(type_.template)
                if tt is not None:
                    self.tile_types[ast.name] = tt
                    self.tile_decl_unknown.discard(ast.name)
                return
            if type_.pointer:
                size = dtype_size(type_.name)
                if size:
                    self.ptr_elem[ast.name] = size
            # An uninitialised declaration adds no definition: the assignments are the defs
            # (`int64_t v; if (c) { v = A; } else { v = B; };` -> {A, B}); none at all = unknown.
            defs = self.defs.setdefault(ast.name, [])
            if ast.init is not None:
                defs.append(("expr", ast.init))
            elif ast.ctor_args is not None:
                defs.append(("unknown", None))
        elif isinstance(ast, A.AssignStmt):
            if isinstance(ast.target, A.Name):
                kind = ("expr", ast.value) if ast.op == "=" else ("unknown", None)
                self.defs.setdefault(ast.target.id, []).append(kind)
        elif isinstance(ast, A.ExprStmt) and isinstance(ast.expr, A.Call):
            call = ast.expr
            callee = call.callee
            if callee == "TASSIGN" and len(call.args) == 2 and isinstance(call.args[0], A.Name):
                self.bindings.setdefault(call.args[0].id, []).append(("addr", call.args[1]))
            elif callee == "TRESHAPE" and len(call.args) == 2 and all(isinstance(a, A.Name) for a in call.args):
                self.bindings.setdefault(call.args[0].id, []).append(("alias", call.args[1].id))

    def global_tensor_shape(self, name: str) -> Optional[tuple]:
        """(rows, cols) of a GlobalTensor variable from its pto::Shape<1, 1, 1, R, C>, if static."""
        self._materialize(name)
        types = self.decl_types.get(name) or []
        if len(types) != 1 or types[0].template is None or types[0].name not in ("GlobalTensor", "pto::GlobalTensor"):
            return None
        args = types[0].template.args
        shape = args[1] if len(args) > 1 else None
        if not isinstance(shape, A.TemplateId) or not shape.name.endswith("Shape"):
            return None
        dims = [a.value for a in shape.args if isinstance(a, A.Number)]
        if len(dims) != len(shape.args) or any(d != 1 for d in dims[:-2]):
            return None
        return int(dims[-2]), int(dims[-1])

    def has_scalar(self, name: str) -> bool:
        self._materialize(name)
        return name in self.defs

    # -- scalar evaluation ---------------------------------------------------------------------
    def value_set(self, name: str) -> Optional[frozenset]:
        cached = self._values.get(name, _UNSET)
        if cached is not _UNSET:
            return cached  # type: ignore[return-value]
        self._values[name] = None   # recursion guard: cyclic definitions are unknown
        self._materialize(name)
        defs = self.defs.get(name)
        result: Optional[set] = set() if defs else None
        for kind, node in defs or ():
            if kind != "expr":
                result = None
                break
            values = self.eval(node)
            if values is None:
                result = None
                break
            result |= values
            if len(result) > MAX_VALUES:
                result = None
                break
        final = frozenset(result) if result is not None else None
        self._values[name] = final
        return final

    def eval(self, node) -> Optional[frozenset]:
        if isinstance(node, A.Number):
            value = node.value
            return frozenset([int(value)]) if isinstance(value, int) else None
        if isinstance(node, A.Literal):
            if node.value is None:
                return frozenset([0])
            return frozenset([int(bool(node.value))])
        if isinstance(node, A.Name):
            return self.value_set(node.id)
        if isinstance(node, A.Cast):
            inner = self.eval(node.operand)
            if inner is None:
                return None
            if node.type.pointer:
                return inner
            return frozenset(_wrap(v, node.type.name) for v in inner)
        if isinstance(node, A.Unary):
            inner = self.eval(node.operand)
            if inner is None:
                return None
            if node.op == "-":
                return frozenset(-v for v in inner)
            if node.op == "+":
                return inner
            if node.op == "!":
                return frozenset(int(not v) for v in inner)
            if node.op == "~":
                return frozenset(~v for v in inner)
            return None
        if isinstance(node, A.Ternary):
            cond = self.eval(node.cond)
            a, b = self.eval(node.then), self.eval(node.orelse)
            if cond is not None and len(cond) == 1:
                return a if next(iter(cond)) else b
            if a is None or b is None:
                return None
            return _cap(a | b)
        if isinstance(node, A.Binary):
            return self._binary(node)
        if isinstance(node, A.Call):
            tmpl = node.template
            if tmpl is not None and tmpl.name in ("reinterpret_cast", "static_cast") and len(node.args) == 1:
                return self.eval(node.args[0])
            if isinstance(node.func, A.Member) and node.func.field == "data" and not node.args \
                    and isinstance(node.func.obj, A.Name):
                return self.tile_addresses(node.func.obj.id)
            return None
        return None

    def _binary(self, node: A.Binary) -> Optional[frozenset]:
        left, right = self.eval(node.left), self.eval(node.right)
        if left is None or right is None:
            return None
        op = node.op
        # Pointer arithmetic scales by the pointee size (`__ubuf__ float* p = t.data(); p + 64`).
        scale_left = self._ptr_scale(node.left) if op in "+-" else 1
        scale_right = self._ptr_scale(node.right) if op == "+" else 1
        out = set()
        for a in left:
            for b in right:
                try:
                    if op == "+":
                        out.add(a + b * scale_left if scale_left != 1 else a * scale_right + b)
                    elif op == "-":
                        out.add(a - b * scale_left)
                    elif op == "*":
                        out.add(a * b)
                    elif op == "/":
                        if b == 0:
                            return None
                        out.add(int(a / b))
                    elif op == "%":
                        if b == 0:
                            return None
                        out.add(a - int(a / b) * b)
                    elif op == "<<":
                        out.add(a << b)
                    elif op == ">>":
                        out.add(a >> b)
                    elif op in ("&", "|", "^"):
                        out.add(a & b if op == "&" else a | b if op == "|" else a ^ b)
                    elif op in ("&&", "||"):
                        out.add(int(bool(a) and bool(b)) if op == "&&" else int(bool(a) or bool(b)))
                    elif op in ("<", ">", "<=", ">=", "==", "!="):
                        out.add(int({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,
                                     "==": a == b, "!=": a != b}[op]))
                    else:
                        return None
                except (ValueError, OverflowError):
                    return None
                if len(out) > MAX_VALUES:
                    return None
        return frozenset(out)

    def _ptr_scale(self, node) -> int:
        if isinstance(node, A.Name) and node.id in self.ptr_elem:
            return self.ptr_elem[node.id]
        if isinstance(node, A.Cast) and node.type.pointer:
            return dtype_size(node.type.name) or 1
        return 1

    # -- tiles ---------------------------------------------------------------------------------
    def tile_type(self, name: str) -> Optional[TileType]:
        self._materialize(name)
        return self.tile_types.get(name)

    def is_tile(self, name: str) -> bool:
        self._materialize(name)
        return name in self.tile_types or name in self.tile_decl_unknown

    def tile_addresses(self, name: str, _seen: frozenset = frozenset()) -> Optional[frozenset]:
        """Possible base addresses of tile ``name`` (None = unknown)."""
        if name in self._addr_cache:
            return self._addr_cache[name]  # type: ignore[return-value]
        if name in _seen:
            return None
        result: Optional[set] = set()
        self._materialize(name)
        bindings = self.bindings.get(name)
        if not bindings:
            result = None
        for kind, what in bindings or ():
            if kind == "addr":
                values = self.eval(what)
            elif kind == "alias":
                values = self.tile_addresses(what, _seen | {name})
            elif kind == "tpop":
                values = self.tpop_addresses(what, name)
            else:
                values = None
            if values is None:
                result = None
                break
            result |= values
        final = _cap(frozenset(result)) if result is not None else None
        self._addr_cache[name] = final
        return final

    def tpop_addresses(self, stmt: SimpleStmt, tile: str) -> Optional[frozenset]:
        """Where a Tile-form TPOP puts ``tile``: ``CONSUMER_BUF + (i % LocalSlotNum) * stride``.

        pto_isa_facts.md §4.1: the consumer buffer is the pipe constructor's C2V (vector side) or
        V2C (cube side) argument; stride is the consumer tile size (pto-isa b9122ec5) or SlotSize
        (HEAD), so both are included. Old argument order, DIR_BOTH or anything not constant: unknown.
        """
        ast = stmt.ast
        if not (isinstance(ast, A.ExprStmt) and isinstance(ast.expr, A.Call) and len(ast.expr.args) == 2
                and isinstance(ast.expr.args[0], A.Name)):
            return None
        pipe_type = ast.expr.template.args[0] if ast.expr.template and ast.expr.template.args else None
        ctor = self._pipe_constructor(ast.expr.args[0].id)
        tt = self.tile_type(tile)
        if ctor is None or tt is None or not isinstance(pipe_type, A.TemplateId) or len(pipe_type.args) < 6:
            return None
        targs = pipe_type.args
        direction = targs[1].id.split("::")[-1] if isinstance(targs[1], A.Name) else ""
        consumer_arg = {"DIR_C2V": 1, "DIR_V2C": 2}.get(direction)
        if consumer_arg is None or not all(isinstance(a, A.Number) for a in (targs[2], targs[4])) \
                or len(ctor.args) < 3:
            return None   # DIR_BOTH / old order (bool in the LocalSlotNum position)
        slot_size, local = int(targs[2].value), int(targs[4].value)
        bases = self.eval(ctor.args[consumer_arg])
        if bases is None or not 0 < local <= MAX_VALUES:
            return None
        strides = {tt.nbytes, slot_size}
        return _cap(frozenset(b + k * s for b in bases for k in range(local) for s in strides))

    def _pipe_constructor(self, name: str) -> Optional["A.Call"]:
        self._materialize(name)
        inits = [d for kind, d in self.defs.get(name, []) if kind == "expr"]
        if len(inits) != 1 or len(self.defs.get(name, [])) != 1:
            return None
        init = inits[0]
        if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId) and init.func.name == "TPipe":
            return init
        return None

    def binding_summary(self, name: str) -> str:
        addrs = self.tile_addresses(name)
        if addrs is None:
            return "unknown address"
        return "{" + ", ".join(str(a) for a in sorted(addrs)) + "}"


def _cap(values: frozenset) -> Optional[frozenset]:
    return values if len(values) <= MAX_VALUES else None


_ADDRESS_TAKEN = re.compile(r"(?:^|[=(,?:{]|\breturn)\s*&\s*([A-Za-z_]\w*)(?!\s*[(\w])")
_TPOP_TILE_FORM = re.compile(r"\s*TPOP<\s*TPipe<[^<>]*>\s*,\s*(?:pto::)?Tile<")
_SIMPLE_DECL = re.compile(r"\s*(?:const\s+)?(?:__\w+__\s+)?[A-Za-z_][\w:]*\s*\**\s+([A-Za-z_]\w*)\s*(?:=(?!=)|;|\()")
_INNER_TEMPLATE = re.compile(r"<[^<>]*>")
_DECLARED = re.compile(r"(?<![\w:])([A-Za-z_]\w*)\s*(?:=(?!=)|\(|;|\[)")
_CALL_TARGET = re.compile(r"\(\s*([A-Za-z_]\w*)\s*[,)]")


def _declared_name(text: str, kind: str) -> str:
    """Cheap: the variable a declaration or assignment defines (no grammar needed)."""
    if kind == "assign":
        match = re.match(r"\s*([A-Za-z_]\w*)", text)
        return match.group(1) if match else ""
    simple = _SIMPLE_DECL.match(text)
    if simple:
        return simple.group(1)
    # Skip template argument lists so `Tile<..., CompactMode::Null> v5;` finds v5.
    head = text.split("=", 1)[0] if "=" in text else text
    previous = None
    while previous != head:
        previous, head = head, _INNER_TEMPLATE.sub(" ", head)
    match = _DECLARED.search(head + ("=" if "=" in text else ""))
    return match.group(1) if match else ""


def _call_target(stmt: SimpleStmt) -> str:
    """The tile a TASSIGN/TRESHAPE binds (first argument) or a TPOP fills (second argument)."""
    text = stmt.text
    if stmt.head == "TPOP":
        depth = 0
        for i, ch in enumerate(text):
            if ch == "<":
                depth += 1
            elif ch == ">":
                depth -= 1
            elif ch == "(" and depth == 0:
                args = text[i + 1:text.rfind(")")].split(",")
                return args[1].strip() if len(args) == 2 else ""
        return ""
    match = _CALL_TARGET.search(text)
    return match.group(1) if match else ""


_ASSIGNED = re.compile(r"\b([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)")
_INCREMENTED = re.compile(r"(?:\+\+|--)\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*(?:\+\+|--)")


def _assigned_names(text: str) -> list[str]:
    """Variables a `for` header assigns or increments (they are not constants)."""
    return _ASSIGNED.findall(text) + [a or b for a, b in _INCREMENTED.findall(text)]
