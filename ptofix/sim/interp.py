"""Interpreter for the vector (``__DAV_VEC__`` / AIV) side of a ptoas C++ kernel.

It walks the statement tree of ``ptofix.cpp.model`` (``for``, ``if/else``, ``#if`` sections
evaluated with ``__DAV_VEC__`` defined and ``__DAV_CUBE__`` undefined, calls of functions defined
in the file) and evaluates statements from their lark AST: scalar declarations and assignments
with C integer semantics (wrap-around, usual arithmetic conversions, truncating division), tile
declarations, TASSIGN/TRESHAPE, GlobalTensor/Shape/Stride views on GM pointers, TPipe objects and
the tile ops. Vector ops become steps of the hazard scheduler (``schedule.py``); TLOAD/TSTORE and
FIFO copies are steps of other pipes. Anything it cannot run is a :class:`SimError`, reported with
the statement (``file:line:col: error: cannot simulate ...``, exit status 2).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..cpp import stmt_parser as sp
from ..cpp.model import (Comment, Compound, CppFile, Directive, ForStmt, Function, IfStmt, OpaqueStmt,
                         PPIfStmt, SimpleStmt, Stmt)
from ..cpp.ops import PIPE_FIFO_OPS
from ..source import PtofixError
from .fifo import FifoState, Pipe, PushRecord
from .memory import (DTYPES, GlobalTensor, GMPtr, GMRegion, Memory, SimError, TileType, TileVar, TileView,
                     dtype_of)
from .ops_numpy import VECTOR_OPS, Sym, build_steps
from .schedule import Scheduler, StepError

MAX_STATEMENTS = 5_000_000

# ---- scalar values --------------------------------------------------------------------------------
INT_TYPES = {
    "bool": (1, False), "i8": (8, True), "u8": (8, False), "i16": (16, True), "u16": (16, False),
    "i32": (32, True), "u32": (32, False), "i64": (64, True), "u64": (64, False),
}
CTYPE = {
    "bool": "bool", "char": "i8", "int8_t": "i8", "uint8_t": "u8", "int16_t": "i16", "uint16_t": "u16",
    "short": "i16", "int": "i32", "int32_t": "i32", "uint32_t": "u32", "unsigned": "u32", "unsigned int": "u32",
    "signed": "i32", "signed int": "i32", "long": "i64", "long long": "i64", "int64_t": "i64",
    "uint64_t": "u64", "unsigned long": "u64", "unsigned long long": "u64", "size_t": "u64", "ssize_t": "i64",
    "uintptr_t": "u64", "intptr_t": "i64", "float": "f32", "double": "f64", "half": "f16",
    "bfloat16_t": "f32", "event_t": "i32", "pipe_t": "i32", "unsigned char": "u8", "unsigned short": "u16",
}
RANK = {"bool": 0, "i8": 1, "u8": 1, "i16": 2, "u16": 2, "i32": 3, "u32": 3, "i64": 4, "u64": 4}


@dataclass(frozen=True)
class CVal:
    """A C scalar: Python int/float plus its type code (i32, u64, f32, ...)."""

    v: object
    t: str

    def __int__(self) -> int:
        return int(self.v)

    def __float__(self) -> float:
        return float(self.v)

    def __index__(self) -> int:
        return int(self.v)


def wrap(value, t: str):
    if t in ("f32", "f16"):
        return float(np.float32(value)) if t == "f32" else float(np.float16(value))
    if t == "f64":
        return float(value)
    if t == "bool":
        return 1 if value else 0
    bits, signed = INT_TYPES[t]
    if isinstance(value, float):
        if value != value:
            value = 0
        value = int(value)
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def conv(x: CVal, t: str) -> CVal:
    return CVal(wrap(x.v, t), t)


def promote(t: str) -> str:
    return "i32" if t in ("bool", "i8", "u8", "i16", "u16") else t


def common_type(a: str, b: str) -> str:
    if a[0] == "f" or b[0] == "f":
        if "f64" in (a, b):
            return "f64"
        return "f32"
    a, b = promote(a), promote(b)
    if a == b:
        return a
    sa, sb = INT_TYPES[a][1], INT_TYPES[b][1]
    if sa == sb:
        return a if RANK[a] >= RANK[b] else b
    u, s = (a, b) if not sa else (b, a)
    if RANK[u] >= RANK[s]:
        return u
    return s   # signed type of higher rank holds every value of the unsigned one (i64 vs u32)


def number(text: str) -> CVal:
    raw = text
    low = raw.lower()
    if low.startswith("0x"):
        digits = low.rstrip("ul")
        suffix = low[len(digits):]
        v = int(digits, 16)
        return CVal(v, "u64" if "u" in suffix and "l" in suffix else "u32" if "u" in suffix
                    else "i64" if ("l" in suffix or v > 0x7FFFFFFF) else "i32")
    if any(c in low for c in ".e") or (low.endswith("f") and not low.startswith("0x")):
        is_f = low.endswith("f")
        v = float(low.rstrip("fl"))
        return CVal(wrap(v, "f32") if is_f else v, "f32" if is_f else "f64")
    digits = low.rstrip("ul")
    suffix = low[len(digits):]
    v = int(digits, 10)
    if "u" in suffix:
        return CVal(v, "u64" if "l" in suffix or v > 0xFFFFFFFF else "u32")
    return CVal(v, "i64" if "l" in suffix or v > 0x7FFFFFFF else "i32")


@dataclass(frozen=True)
class UBPtr:
    """A ``__ubuf__ T*`` value (``tile.data()``): a UB byte address."""

    addr: int
    elem: str

    def add(self, count: int) -> "UBPtr":
        return UBPtr(self.addr + int(count) * dtype_of(self.elem)[0].itemsize, self.elem)


@dataclass
class ShapeVal:
    kind: str          # Shape / Stride
    dims: tuple


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass
class KernelConfig:
    block_idx: int = 0
    block_num: int = 1
    subblock_id: int = 0
    subblock_num: int = 1


@dataclass
class StmtInfo:
    path: str
    line: int
    text: str
    function: str
    offset: int = 0

    def describe(self) -> str:
        return f"{self.path}:{self.line}: {self.text.strip()}"


class StatementTable:
    """Dense ids for statements (writer tracking and reports)."""

    def __init__(self):
        self.ids: dict[int, int] = {}
        self.info: list[StmtInfo] = []

    def id_of(self, stmt: Stmt, source, function: str) -> int:
        key = id(stmt)
        sid = self.ids.get(key)
        if sid is None:
            sid = len(self.info)
            self.ids[key] = sid
            line, _ = source.line_col(stmt.span.start)
            text = source.text[stmt.span.start:stmt.span.end]
            if len(text) > 160:
                text = text[:157] + "..."
            self.info.append(StmtInfo(source.path, line, text, function, stmt.span.start))
        return sid


_PP_DEFINED_VEC = {"__DAV_VEC__", "__DAV_C220_VEC__", "__CCE_AICORE__", "__CCE_KT_TEST__"}


def pp_condition(text: str, defined: set[str]) -> bool:
    m = re.match(r"\s*#\s*(\w+)\s*(.*)", text, re.S)
    if not m:
        return False
    word, rest = m.group(1), m.group(2).split("//")[0].strip()
    if word == "ifdef":
        return rest.split()[0] in defined if rest else False
    if word == "ifndef":
        return rest.split()[0] not in defined if rest else True
    if word == "else":
        return True
    expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                  lambda mm: "1" if (mm.group(1) or mm.group(2)) in defined else "0", rest)
    expr = re.sub(r"\b[A-Za-z_]\w*\b", "0", expr)
    expr = expr.replace("&&", " and ").replace("||", " or ")
    expr = re.sub(r"!(?!=)", " not ", expr)
    try:
        return bool(eval(expr, {"__builtins__": {}}, {}))   # only digits/operators remain
    except Exception:
        raise SimError(f"cannot evaluate preprocessor condition '{text.strip()}'") from None


def _param_list(params: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out if p.strip() and p.strip() != "void"]


@dataclass
class Param:
    name: str
    type: sp.TypeRef
    text: str

    @property
    def is_pointer(self) -> bool:
        return self.type.pointer > 0

    @property
    def elem(self) -> str:
        return self.type.name


def parse_params(fn: Function) -> list[Param]:
    out = []
    for text in _param_list(fn.params):
        ast = sp.parse_statement(re.sub(r"\s*=.*$", "", text) + ";")
        if not isinstance(ast, sp.Decl):
            raise SimError(f"cannot parse parameter '{text}' of {fn.name}")
        out.append(Param(ast.name, ast.type, text))
    return out


# ---- interpreter ----------------------------------------------------------------------------------
class Interpreter:
    HELPERS_DRAIN = {"ptoas_auto_sync_tail"}
    NOOP_CALLS = {"set_mask_norm", "set_vector_mask", "set_ffts_base_addr", "dcci", "set_atomic_none",
                  "set_atomic_add", "set_atomic_f32", "set_atomic_f16", "set_atomic_bf16",
                  "static_assert", "PTOAS__DCCI_SINGLE_CACHE_LINE", "TPRINT", "ffts_cross_core_sync",
                  "wait_flag_dev", "TSYNC", "SYNCALL", "TPREFETCH"}

    def __init__(self, cpp: CppFile, mem: Memory, sched: Scheduler, fifo: FifoState, config: KernelConfig,
                 table: StatementTable, defined: Optional[set] = None):
        self.cpp = cpp
        self.source = cpp.source
        self.mem = mem
        self.sched = sched
        self.fifo = fifo
        self.config = config
        self.table = table
        self.defined = set(_PP_DEFINED_VEC if defined is None else defined)
        self.scopes: list[dict] = []
        self.types: dict[str, object] = {}     # using-aliases
        self.loop_stack: list[tuple[int, int]] = []
        self.count = 0
        self.cur_stmt: Optional[Stmt] = None
        self.cur_fn = ""
        self.cur_text = ""
        self._for_cache: dict[int, tuple] = {}
        self._cond_cache: dict[int, object] = {}
        self.functions = {fn.name: fn for fn in cpp.functions}
        self.tiles_seen: dict[str, TileVar] = {}
        self.flag_seq: dict[tuple, int] = {}     # (src pipe, dst pipe, event) -> V horizon
        self.horizon: dict[str, int] = {}        # pipe -> V steps it has waited for

    # ------------------------------------------------------------------ entry
    def run_function(self, fn: Function, args: list) -> None:
        try:
            self.call_function(fn, args)
            self.sched.drain()
        except StepError as exc:
            info = self.table.info[exc.record.stmt]
            raise PtofixError(f"cannot simulate: {exc.error} (in `{info.text.strip()}`)", self.source,
                              info.offset) from None
        except (SimError, ValueError, IndexError, TypeError, KeyError, ZeroDivisionError) as exc:
            if not isinstance(exc, SimError):
                exc = SimError(f"{type(exc).__name__}: {exc}")
            stmt = self.cur_stmt
            if stmt is not None:
                text = self.source.text[stmt.span.start:stmt.span.end].strip()
                if len(text) > 200:
                    text = text[:197] + "..."
                raise PtofixError(f"cannot simulate: {exc} (in `{text}`)", self.source, stmt.span.start) from None
            raise PtofixError(f"cannot simulate {fn.name}: {exc}", self.source, fn.span.start) from None

    def call_function(self, fn: Function, args: list):
        if not isinstance(fn.body, Compound):
            self.cur_stmt = fn.body
            raise SimError(f"the body of '{fn.name}' could not be structured")
        params = parse_params(fn)
        if len(params) != len(args):
            raise SimError(f"'{fn.name}' takes {len(params)} arguments, got {len(args)}")
        frame = {}
        for p, a in zip(params, args):
            frame[p.name] = self._convert_to(p.type, a)
        saved = self.scopes, self.cur_fn, self.cur_text, self.cur_stmt
        self.scopes = [frame]
        self.cur_fn = fn.name
        try:
            self.exec_block(fn.body.body)
        except _Return as ret:
            self.scopes, self.cur_fn, self.cur_text, self.cur_stmt = saved
            return ret.value
        self.scopes, self.cur_fn, self.cur_text, self.cur_stmt = saved
        return None

    # ------------------------------------------------------------------ statements
    def exec_block(self, body: list[Stmt], new_scope: bool = True) -> None:
        if new_scope:
            self.scopes.append({})
        try:
            for stmt in body:
                self.exec_stmt(stmt)
        finally:
            if new_scope:
                self.scopes.pop()

    def exec_stmt(self, stmt: Stmt) -> None:
        self.count += 1
        if self.count > MAX_STATEMENTS:
            raise SimError(f"more than {MAX_STATEMENTS} statements executed (runaway loop?)")
        if isinstance(stmt, SimpleStmt):
            self.cur_stmt = stmt
            self.exec_simple(stmt)
        elif isinstance(stmt, (Comment, Directive)):
            return
        elif isinstance(stmt, Compound):
            self.exec_block(stmt.body)
        elif isinstance(stmt, ForStmt):
            self.exec_for(stmt)
        elif isinstance(stmt, IfStmt):
            self.cur_stmt = stmt
            cond = self._cond_cache.get(id(stmt))
            if cond is None:
                cond = self._parse_expr(stmt.cond, stmt)
                self._cond_cache[id(stmt)] = cond
            self.cur_text = stmt.cond + ";"
            if self.truth(self.eval(cond)):
                self.exec_sub(stmt.then)
            elif stmt.orelse is not None:
                self.exec_sub(stmt.orelse)
        elif isinstance(stmt, PPIfStmt):
            self.cur_stmt = stmt
            for branch in stmt.branches:
                if pp_condition(branch.directive.text, self.defined):
                    self.exec_block(branch.body, new_scope=False)
                    break
        elif isinstance(stmt, OpaqueStmt):
            self.cur_stmt = stmt
            raise SimError(f"statement not modelled ({stmt.reason})")
        else:
            self.cur_stmt = stmt
            raise SimError(f"statement not modelled ({type(stmt).__name__})")

    def exec_sub(self, stmt: Stmt) -> None:
        if isinstance(stmt, Compound):
            self.exec_block(stmt.body)
        else:
            self.scopes.append({})
            try:
                self.exec_stmt(stmt)
            finally:
                self.scopes.pop()

    def _parse_expr(self, text: str, stmt: Stmt):
        ast = sp.parse_statement(text + ";")
        if isinstance(ast, sp.ExprStmt):
            return ast.expr
        raise SimError(f"cannot parse expression '{text}'")

    def exec_for(self, stmt: ForStmt) -> None:
        self.cur_stmt = stmt
        parsed = self._for_cache.get(id(stmt))
        if parsed is None:
            init = sp.parse_statement(stmt.init + ";") if stmt.init.strip() else None
            cond = self._parse_expr(stmt.cond, stmt) if stmt.cond.strip() else None
            step_text = stmt.step.strip()
            m = re.fullmatch(r"(\+\+|--)?\s*(\w+)\s*(\+\+|--)?", step_text)
            if m and (m.group(1) or m.group(3)):
                op = "+=" if "++" in (m.group(1) or m.group(3)) else "-="
                step = sp.parse_statement(f"{m.group(2)} {op} 1;")
            else:
                step = sp.parse_statement(step_text + ";") if step_text else None
            if (stmt.init.strip() and init is None) or (step_text and step is None):
                raise SimError("cannot parse the for header")
            if step is not None and m and (m.group(1) or m.group(3)):
                step_text = f"{m.group(2)} {op} 1"
            parsed = (init, cond, step, stmt.init + ";", stmt.cond + ";", step_text + ";")
            self._for_cache[id(stmt)] = parsed
        init, cond, step, init_text, cond_text, step_text = parsed
        uid = self.table.id_of(stmt, self.source, self.cur_fn)
        self.scopes.append({})
        try:
            if init is not None:
                self.cur_text = init_text
                self.exec_ast(init)
            it = 0
            self.loop_stack.append((uid, it))
            try:
                while True:
                    self.cur_stmt = stmt
                    self.cur_text = cond_text
                    if cond is not None and not self.truth(self.eval(cond)):
                        break
                    self.loop_stack[-1] = (uid, it)
                    try:
                        self.exec_sub(stmt.body)
                    except _Continue:
                        pass
                    except _Break:
                        break
                    self.cur_stmt = stmt
                    if step is not None:
                        self.cur_text = step_text
                        self.exec_ast(step)
                    it += 1
                    self.count += 1
                    if self.count > MAX_STATEMENTS:
                        raise SimError(f"more than {MAX_STATEMENTS} statements executed (runaway loop?)")
            finally:
                self.loop_stack.pop()
        finally:
            self.scopes.pop()

    def exec_simple(self, stmt: SimpleStmt) -> None:
        kind = stmt.kind
        if kind == "empty":
            return
        if kind == "alias":
            m = re.match(r"\s*using\s+(\w+)\s*=\s*(.+?)\s*;\s*$", stmt.text, re.S)
            if m:
                ast = sp.parse_statement(f"{m.group(2)} __alias;")
                self.types[m.group(1)] = ast.type if isinstance(ast, sp.Decl) else m.group(2)
                return
            if re.match(r"\s*using\s+namespace\b", stmt.text):
                return
            raise SimError("alias not modelled")
        if kind == "jump":
            word = stmt.head
            if word == "break":
                raise _Break()
            if word == "continue":
                raise _Continue()
        if kind == "scalar" and stmt.head == "static_assert":
            return
        ast = stmt.ast
        if ast is None:
            raise SimError("the statement grammar cannot parse this statement")
        self.cur_text = stmt.text
        self.exec_ast(ast)

    def exec_ast(self, ast) -> None:
        if isinstance(ast, sp.Decl):
            self.declare(ast)
        elif isinstance(ast, sp.ExprStmt):
            self.eval(ast.expr)
        elif isinstance(ast, sp.AssignStmt):
            self.assign(ast)
        elif isinstance(ast, sp.ReturnStmt):
            raise _Return(self.eval(ast.value) if ast.value is not None else None)
        else:
            raise SimError(f"statement kind {type(ast).__name__} not modelled")

    # ------------------------------------------------------------------ variables
    def lookup(self, name: str):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise KeyError(name)

    def bind(self, name: str, value) -> None:
        self.scopes[-1][name] = value
        if isinstance(value, TileVar):
            self.tiles_seen[name] = value

    def set_var(self, name: str, value) -> None:
        for scope in reversed(self.scopes):
            if name in scope:
                scope[name] = value
                return
        raise SimError(f"assignment to undeclared variable '{name}'")

    # ------------------------------------------------------------------ types
    def resolve_type(self, t):
        """TypeRef -> TypeRef with aliases expanded."""
        seen = 0
        while isinstance(t, sp.TypeRef) and t.template is None and t.name in self.types and seen < 10:
            target = self.types[t.name]
            if not isinstance(target, sp.TypeRef):
                break
            t = sp.TypeRef(t.start, t.end, target.name, target.template, t.pointer + target.pointer,
                           t.quals + target.quals)
            seen += 1
        return t

    def type_name(self, node) -> str:
        """Template argument that names an element type -> C++ type name."""
        if isinstance(node, sp.TypeRef):
            node = self.resolve_type(node)
            return node.name
        if isinstance(node, sp.Name):
            alias = self.types.get(node.id)
            if isinstance(alias, sp.TypeRef):
                return self.resolve_type(alias).name
            return node.id
        raise SimError("expected a type as template argument")

    def targ_value(self, node):
        """Template argument value: int, Sym or type name."""
        if isinstance(node, sp.TypeRef):
            return self.type_name(node)
        if isinstance(node, sp.Name):
            if node.id in self.types:
                return self.type_name(node)
            try:
                v = self.lookup(node.id)
                if isinstance(v, CVal):
                    return int(v.v)
            except KeyError:
                pass
            return Sym(node.id)
        v = self.eval(node)
        if isinstance(v, CVal):
            return v.v
        return v

    def tile_type(self, tid: sp.TemplateId) -> TileType:
        a = [self.targ_value(x) for x in tid.args]
        if len(a) < 4:
            raise SimError("Tile<> needs at least <Loc, T, Rows, Cols>")

        def leaf(x, default):
            return x.leaf if isinstance(x, Sym) else default
        loc = leaf(a[0], "Vec")
        elem = a[1] if isinstance(a[1], str) else None
        if elem is None:
            raise SimError("cannot resolve the element type of Tile<>")
        rows, cols = int(a[2]), int(a[3])
        blayout = leaf(a[4], "RowMajor") if len(a) > 4 else "RowMajor"
        vr = int(a[5]) if len(a) > 5 and not isinstance(a[5], Sym) else rows
        vc = int(a[6]) if len(a) > 6 and not isinstance(a[6], Sym) else cols
        slayout = leaf(a[7], "NoneBox") if len(a) > 7 else "NoneBox"
        pad = leaf(a[9], "Null") if len(a) > 9 else "Null"
        return TileType(loc, elem, rows, cols, blayout, vr, vc, slayout, pad)

    def _convert_to(self, t: sp.TypeRef, value):
        t = self.resolve_type(t)
        if t.pointer:
            if isinstance(value, GMPtr):
                return value.retype(t.name) if t.name not in ("void",) else value
            if isinstance(value, UBPtr):
                return UBPtr(value.addr, t.name) if t.name in DTYPES else value
            if isinstance(value, CVal) and "__ubuf__" in t.quals:
                return UBPtr(int(value.v), t.name)
            if value is None or (isinstance(value, CVal) and value.v == 0):
                return None
            raise SimError(f"cannot convert {value!r} to a pointer")
        if isinstance(value, CVal) and t.name in CTYPE:
            return conv(value, CTYPE[t.name])
        return value

    # ------------------------------------------------------------------ declarations
    def declare(self, d: sp.Decl) -> None:
        t = self.resolve_type(d.type)
        name = d.name
        tmpl = t.template
        base = t.name.rsplit("::", 1)[-1]
        if tmpl is not None and base == "Tile":
            ttype = self.tile_type(tmpl)
            args = d.ctor_args
            if args is None and isinstance(d.init, sp.Call):
                args = d.init.args
            self.bind(name, self._new_tile(name, ttype, args or []))
            return
        if tmpl is not None and base == "GlobalTensor":
            if d.init is not None:
                value = self.eval(d.init)
            else:
                value = self._new_global_tensor(tmpl, d.ctor_args or [])
            self.bind(name, value)
            return
        if tmpl is not None and base in ("Shape", "Stride"):
            value = self.eval(d.init) if d.init is not None else self._new_shape(tmpl, d.ctor_args or [])
            self.bind(name, value)
            return
        if d.ctor_args is not None:
            value = self.eval(sp.Call(d.start, d.end, sp.TemplateId(0, 0, t.name, tmpl.args if tmpl else []),
                                      d.ctor_args)) if tmpl else None
            if value is None:
                raise SimError(f"constructor of '{t.name}' not modelled")
            self.bind(name, value)
            return
        value = self.eval(d.init) if d.init is not None else None
        if t.name == "auto":
            self.bind(name, value)
            return
        if value is None and not t.pointer:
            value = CVal(0, CTYPE.get(t.name, "i64")) if t.name in CTYPE else None
        self.bind(name, self._convert_to(t, value) if value is not None else None)

    def _new_tile(self, name: str, ttype: TileType, args: list) -> TileVar:
        vals = [int(self.eval(a)) for a in args]
        vr, vc = None, None
        dyn = [i for i, v in enumerate((ttype.valid_rows, ttype.valid_cols)) if v < 0]
        for i, v in zip(dyn, vals):
            if i == 0:
                vr = v
            else:
                vc = v
        if len(vals) == 2 and not dyn:
            vr, vc = vals
        return TileVar(name, ttype, vr, vc)

    def _new_shape(self, tid: sp.TemplateId, args: list) -> ShapeVal:
        dims = [int(self.targ_value(x)) for x in tid.args]
        vals = [int(self.eval(a)) for a in args]
        k = 0
        for i, d in enumerate(dims):
            if d < 0:
                if k >= len(vals):
                    raise SimError(f"dynamic {tid.name} dimension without a value")
                dims[i] = vals[k]
                k += 1
        return ShapeVal(tid.name.rsplit("::", 1)[-1], tuple(dims))

    def _new_global_tensor(self, tid: sp.TemplateId, args: list) -> GlobalTensor:
        if len(tid.args) < 3:
            raise SimError("GlobalTensor<> needs <T, Shape, Stride[, Layout]>")
        elem = self.type_name(tid.args[0])
        shape_t, stride_t = tid.args[1], tid.args[2]
        layout = self.targ_value(tid.args[3]).leaf if len(tid.args) > 3 else "ND"
        shape = stride = None
        vals = [self.eval(a) for a in args]
        ptr = vals[0] if vals else None
        for v in vals[1:]:
            if isinstance(v, ShapeVal) and v.kind == "Shape":
                shape = v.dims
            elif isinstance(v, ShapeVal) and v.kind == "Stride":
                stride = v.dims
        if shape is None:
            shape = self._static_dims(shape_t, "Shape")
        if stride is None:
            stride = self._static_dims(stride_t, "Stride")
        if ptr is not None and not isinstance(ptr, GMPtr):
            if isinstance(ptr, CVal) and ptr.v == 0:
                ptr = None
            else:
                raise SimError("GlobalTensor must be built on a __gm__ pointer")
        gt = GlobalTensor(elem, tuple(shape), tuple(stride), layout, ptr.retype(elem) if ptr else None)
        if gt.ptr is not None:
            gt.ptr.region.ensure(gt.byte_range()[1])
        return gt

    def _static_dims(self, node, kind: str) -> tuple:
        if not isinstance(node, sp.TemplateId):
            raise SimError(f"GlobalTensor {kind} must be a template")
        dims = [int(self.targ_value(x)) for x in node.args]
        if any(d < 0 for d in dims):
            raise SimError(f"dynamic GlobalTensor {kind} without a {kind} value")
        return tuple(dims)

    # ------------------------------------------------------------------ assignment
    def _gm_element(self, node: sp.Index):
        """Scalar access to GM: every pending pipe step completes first (the scalar unit waits)."""
        base = self.eval(node.obj)
        if not isinstance(base, GMPtr):
            raise SimError("indexing is only modelled on __gm__ pointers")
        ptr = base.add(int(self.eval(node.index)))
        self.sched.drain()
        size = dtype_of(ptr.elem)[0].itemsize
        ptr.region.ensure(ptr.offset + size)
        return ptr, None

    def assign(self, a: sp.AssignStmt) -> None:
        if isinstance(a.target, sp.Index) and a.op == "=":
            ptr, _ = self._gm_element(a.target)
            value = self.eval(a.value)
            dt, kind = dtype_of(ptr.elem)
            if not isinstance(value, CVal):
                raise SimError("only scalars can be stored through a pointer")
            if kind == "b":
                from .memory import f32_to_bf16
                arr = f32_to_bf16(np.array([value.v], np.float32))
            else:
                arr = np.array([value.v]).astype(dt)
            ptr.region.data[ptr.offset:ptr.offset + dt.itemsize] = arr.view(np.uint8)
            ptr.region.writer[ptr.offset:ptr.offset + dt.itemsize] = self._sid()
            return
        if not isinstance(a.target, sp.Name):
            raise SimError("assignment target not modelled (only plain variables)")
        name = a.target.id
        try:
            cur = self.lookup(name)
        except KeyError:
            raise SimError(f"assignment to undeclared variable '{name}'") from None
        value = self.eval(a.value)
        if a.op != "=":
            value = self.binary(a.op[:-1], cur, value)
        if isinstance(cur, CVal) and isinstance(value, CVal):
            value = conv(value, cur.t)
        elif isinstance(cur, GMPtr) and isinstance(value, GMPtr):
            value = value.retype(cur.elem)
        self.set_var(name, value)

    # ------------------------------------------------------------------ expressions
    @staticmethod
    def truth(v) -> bool:
        if isinstance(v, CVal):
            return bool(v.v)
        if isinstance(v, GMPtr):
            return True
        if v is None:
            return False
        raise SimError(f"cannot use {v!r} as a condition")

    def eval(self, node):
        if isinstance(node, sp.Number):
            return number(node.text)
        if isinstance(node, sp.Name):
            try:
                return self.lookup(node.id)
            except KeyError:
                if node.id in self.types:
                    return self.types[node.id]
                if "::" in node.id or node.id.isupper() or node.id.startswith(("PIPE_", "EVENT_ID")):
                    return Sym(node.id)
                raise SimError(f"unknown name '{node.id}'") from None
        if isinstance(node, sp.Literal):
            if node.value is None:
                return None
            return CVal(1 if node.value else 0, "bool")
        if isinstance(node, sp.Binary):
            op = node.op
            if op in ("&&", "||"):   # short-circuit, as in C
                left = self.truth(self.eval(node.left))
                if op == "&&" and not left:
                    return CVal(0, "bool")
                if op == "||" and left:
                    return CVal(1, "bool")
                return CVal(int(self.truth(self.eval(node.right))), "bool")
            return self.binary(op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, sp.Unary):
            return self.unary(node.op, node.operand)
        if isinstance(node, sp.Ternary):
            c = self.truth(self.eval(node.cond))
            a = self.eval(node.then) if c else self.eval(node.orelse)
            return a
        if isinstance(node, sp.Cast):
            return self.cast(node.type, self.eval(node.operand))
        if isinstance(node, sp.Call):
            return self.call(node)
        if isinstance(node, sp.TemplateId):
            return Sym(node.name)
        if isinstance(node, sp.SizeOf):
            arg = node.arg
            name = self.type_name(arg) if isinstance(arg, (sp.TypeRef, sp.Name)) else None
            if name and name in DTYPES:
                return CVal(dtype_of(name)[0].itemsize, "u64")
            raise SimError("sizeof operand not modelled")
        if isinstance(node, sp.Index):
            ptr, idx = self._gm_element(node)
            dt = dtype_of(ptr.elem)[0]
            raw = ptr.region.data[ptr.offset:ptr.offset + dt.itemsize].view(dt)[0]
            t = CTYPE.get(ptr.elem, "f32")
            if ptr.elem == "bfloat16_t":
                from .memory import bf16_to_f32
                raw = bf16_to_f32(np.array([raw], np.uint16))[0]
            return CVal(float(raw) if t[0] == "f" else int(raw), t)
        if isinstance(node, sp.Member):
            raise SimError(f"member access '.{node.field}' not modelled")
        raise SimError(f"expression {type(node).__name__} not modelled")

    def unary(self, op: str, operand_node):
        v = self.eval(operand_node)
        if op == "!":
            return CVal(0 if self.truth(v) else 1, "bool")
        if not isinstance(v, CVal):
            if op == "-" and isinstance(v, Sym):
                raise SimError(f"cannot negate '{v.name}'")
            raise SimError(f"unary '{op}' on a non-scalar")
        t = promote(v.t) if v.t[0] != "f" else v.t
        if op == "-":
            return CVal(wrap(-v.v, t), t)
        if op == "+":
            return CVal(v.v, t)
        if op == "~":
            return CVal(wrap(~int(v.v), t), t)
        raise SimError(f"unary '{op}' not modelled")

    def binary(self, op: str, a, b):
        if isinstance(a, (GMPtr, UBPtr)) or isinstance(b, (GMPtr, UBPtr)):
            return self._ptr_arith(op, a, b)
        if not isinstance(a, CVal) or not isinstance(b, CVal):
            if op in ("==", "!=") and isinstance(a, Sym) and isinstance(b, Sym):
                return CVal(int((a == b) == (op == "==")), "bool")
            raise SimError(f"operator '{op}' on non-scalar operands")
        if op in ("<<", ">>"):
            t = promote(a.t)
            x, s = int(a.v), int(b.v)
            return CVal(wrap(x << s if op == "<<" else x >> s, t), t)
        t = common_type(a.t, b.t)
        x, y = conv(a, t).v, conv(b, t).v
        if op in ("==", "!=", "<", ">", "<=", ">="):
            r = {"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
            return CVal(int(r), "bool")
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        elif op == "/":
            if t[0] == "f":
                r = x / y if y != 0 else (float("inf") if x > 0 else float("-inf") if x < 0 else float("nan"))
            else:
                if y == 0:
                    raise SimError("integer division by zero")
                q = abs(x) // abs(y)
                r = q if (x >= 0) == (y >= 0) else -q
        elif op == "%":
            if t[0] == "f":
                raise SimError("'%' on floating point")
            if y == 0:
                raise SimError("integer division by zero")
            r = abs(x) % abs(y)
            r = r if x >= 0 else -r
        elif op in ("&", "|", "^"):
            r = {"&": x & y, "|": x | y, "^": x ^ y}[op]
        else:
            raise SimError(f"operator '{op}' not modelled")
        return CVal(wrap(r, t), t)

    def _ptr_arith(self, op, a, b):
        if isinstance(a, UBPtr) and isinstance(b, CVal) and op in ("+", "-"):
            return a.add(int(b.v) if op == "+" else -int(b.v))
        if isinstance(a, GMPtr) and isinstance(b, CVal) and op in ("+", "-"):
            return a.add(int(b.v) if op == "+" else -int(b.v))
        if isinstance(b, GMPtr) and isinstance(a, CVal) and op == "+":
            return b.add(int(a.v))
        if isinstance(a, GMPtr) and isinstance(b, GMPtr) and op == "-":
            size = dtype_of(a.elem)[0].itemsize
            return CVal((a.offset - b.offset) // size, "i64")
        if op in ("==", "!=") and isinstance(a, GMPtr) and isinstance(b, GMPtr):
            eq = a.region is b.region and a.offset == b.offset
            return CVal(int(eq == (op == "==")), "bool")
        raise SimError(f"pointer arithmetic '{op}' not modelled")

    def cast(self, t: sp.TypeRef, v):
        t = self.resolve_type(t)
        if t.pointer:
            if isinstance(v, GMPtr):
                return v.retype(t.name) if t.name != "void" else v
            if isinstance(v, UBPtr):
                return UBPtr(v.addr, t.name) if t.name in DTYPES else v
            if isinstance(v, CVal) and "__ubuf__" in t.quals:
                return UBPtr(int(v.v), t.name)
            raise SimError("cast of an integer to a pointer is not modelled")
        if isinstance(v, UBPtr):
            return CVal(wrap(v.addr, CTYPE.get(t.name, "u64")), CTYPE.get(t.name, "u64"))
        if isinstance(v, GMPtr):
            return v          # (uint64_t) ptr: kept opaque
        if isinstance(v, CVal):
            if t.name not in CTYPE:
                raise SimError(f"cast to '{t.name}' not modelled")
            return conv(v, CTYPE[t.name])
        if isinstance(v, Sym):
            return v
        raise SimError(f"cast of {type(v).__name__} to '{t.name}' not modelled")

    # ------------------------------------------------------------------ calls
    def call(self, node: sp.Call):
        func = node.func
        if isinstance(func, sp.Member):
            return self.method(func, node.args)
        name = node.callee
        tmpl = node.template
        if name in ("reinterpret_cast", "static_cast") and tmpl is not None and len(node.args) == 1:
            return self.cast(tmpl.args[0] if isinstance(tmpl.args[0], sp.TypeRef)
                             else sp.TypeRef(0, 0, self.type_name(tmpl.args[0])), self.eval(node.args[0]))
        if tmpl is None and name in self.types:
            alias = self.resolve_type(sp.TypeRef(0, 0, name))
            if isinstance(alias, sp.TypeRef) and alias.template is not None:
                tmpl = alias.template
                name = alias.name
        short = name.rsplit("::", 1)[-1]
        if short in ("Tile",) and tmpl is not None:
            return self._new_tile("<temp>", self.tile_type(tmpl), node.args)
        if short == "GlobalTensor" and tmpl is not None:
            return self._new_global_tensor(tmpl, node.args)
        if short in ("Shape", "Stride") and tmpl is not None:
            return self._new_shape(tmpl, node.args)
        if short == "TPipe" and tmpl is not None:
            return self._new_pipe(tmpl, node.args)
        if name == "pipe_barrier":
            pipe = self.eval(node.args[0]) if node.args else None
            if isinstance(pipe, Sym) and pipe.leaf in ("PIPE_V", "PIPE_ALL"):
                self.sched.drain()
            return None
        if name in ("set_flag", "wait_flag"):
            return self._flag(name, [self.eval(x) for x in node.args])
        if name in self.NOOP_CALLS:
            return None
        if name in self.HELPERS_DRAIN:
            self.sched.drain()
            return None
        if name == "PTOAS__GLOBAL_TENSOR_DATA":
            gt = self.eval(node.args[0])
            if not isinstance(gt, GlobalTensor):
                raise SimError("PTOAS__GLOBAL_TENSOR_DATA of a non-GlobalTensor")
            return gt.ptr
        if name == "get_block_idx":
            return CVal(self.config.block_idx, "i64")
        if name == "get_block_num":
            return CVal(self.config.block_num, "i64")
        if name in ("get_subblockid", "get_sub_block_id"):
            return CVal(self.config.subblock_id, "i64")
        if name == "get_subblockdim":
            return CVal(self.config.subblock_num, "i64")
        if name == "TASSIGN":
            return self._tassign(node.args)
        if name == "TRESHAPE":
            dst, src = self.eval(node.args[0]), self.eval(node.args[1])
            if not isinstance(dst, TileVar) or not isinstance(src, TileVar):
                raise SimError("TRESHAPE needs two tiles")
            if dst.type.nbytes > src.type.nbytes:
                raise SimError(f"TRESHAPE: {dst.name} is larger than {src.name}")
            dst.addr = src.addr
            return None
        if name in ("TLOAD", "TSTORE"):
            return self._load_store(name, node)
        if name in PIPE_FIFO_OPS:
            return self._fifo_op(name, node)
        if name in VECTOR_OPS:
            return self._vector_op(name, node)
        fn = self.functions.get(name)
        if fn is not None:
            args = [self.eval(a) for a in node.args]
            return self.call_function(fn, args)
        raise SimError(f"unknown op or function '{name}'")

    def _flag(self, name: str, a: list):
        """Cross-pipe flags. ``wait_flag(PIPE_V, PIPE_S)`` drains V (the scalar unit waits for it).
        A round trip V -> X -> V orders the V steps issued before ``set_flag(PIPE_V, X)`` before
        the V steps after ``wait_flag(X, PIPE_V)``."""
        if len(a) < 2 or not isinstance(a[0], Sym) or not isinstance(a[1], Sym):
            return None
        src, dst = a[0].leaf, a[1].leaf
        ev = repr(a[2]) if len(a) > 2 else ""
        if name == "set_flag":
            if src == "PIPE_V":
                self.flag_seq[(src, dst, ev)] = self.sched.seq
            elif dst == "PIPE_V":
                self.flag_seq[(src, dst, ev)] = self.horizon.get(src, 0)
            return None
        if src == "PIPE_V" and dst == "PIPE_S":
            self.sched.drain()
        elif src == "PIPE_V":
            h = self.flag_seq.get((src, dst, ev), 0)
            self.horizon[dst] = max(self.horizon.get(dst, 0), h)
        elif dst == "PIPE_V":
            self.sched.drain_before(self.flag_seq.get((src, dst, ev), 0))
        return None

    def method(self, member: sp.Member, args: list):
        obj = self.eval(member.obj)
        f = member.field
        if f == "data":
            if isinstance(obj, TileVar):
                if obj.addr is None:
                    raise SimError(f"{obj.name}.data() before TASSIGN")
                return UBPtr(obj.addr, obj.type.elem)
            if isinstance(obj, GlobalTensor):
                return obj.ptr
        if f == "SetValidShape" and isinstance(obj, TileVar):
            vals = [int(self.eval(a)) for a in args]
            obj.valid_rows, obj.valid_cols = vals[0], vals[1]
            return None
        if f in ("GetValidRow", "GetValidCol") and isinstance(obj, TileVar):
            return CVal(obj.valid_rows if f == "GetValidRow" else obj.valid_cols, "i32")
        raise SimError(f"method '.{f}()' not modelled")

    def _tassign(self, args: list):
        target = self.eval(args[0])
        value = self.eval(args[1])
        if isinstance(target, TileVar):
            if isinstance(value, GMPtr):
                raise SimError("TASSIGN of a GM address to a tile")
            if isinstance(value, UBPtr):
                value = CVal(value.addr, "u64")
            if not isinstance(value, CVal):
                raise SimError("TASSIGN address must be an integer")
            target.addr = int(value.v)
            return None
        if isinstance(target, GlobalTensor):
            if not isinstance(value, GMPtr):
                raise SimError("TASSIGN of a GlobalTensor needs a __gm__ pointer")
            target.ptr = value.retype(target.elem)
            target.ptr.region.ensure(target.byte_range()[1])
            return None
        raise SimError("TASSIGN target is not a tile or GlobalTensor")

    def _op_args(self, node: sp.Call) -> list:
        out = []
        for a in node.args:
            v = self.eval(a)
            if isinstance(v, TileVar):
                view = v.snapshot()
                self.mem.check_tile(view)
                out.append(view)
            elif isinstance(v, CVal):
                out.append(v.v)
            else:
                out.append(v)
        return out

    def _stamp(self) -> tuple:
        return tuple(self.loop_stack)

    def _sid(self) -> int:
        return self.table.id_of(self.cur_stmt, self.source, self.cur_fn)

    def _vector_op(self, name: str, node: sp.Call):
        targs = node.template.args if node.template is not None else []
        if name == "TMOV":
            raw = [self.eval(a) for a in node.args[:2]]
            if any(isinstance(r, TileVar) and r.type.loc != "Vec" for r in raw):
                locs = [r.type.loc for r in raw if isinstance(r, TileVar)]
                raise SimError(f"TMOV between {' and '.join(locs)} is not on the vector pipe")
        args = self._op_args(node)
        steps = build_steps(name, args, targs)
        sid = self._sid()
        stamp = self._stamp()
        for step in steps:
            self.sched.issue(sid, step.label, True, step.reads, step.writes, step.fn, stamp, step.tmp)
            if step.drain_after:
                self.sched.drain()
        return None

    # ------------------------------------------------------------------ GM <-> UB
    def _load_store(self, name: str, node: sp.Call):
        if len(node.args) < 2:
            raise SimError(f"{name} needs two operands")
        if name == "TLOAD":
            tile_v, gt = self.eval(node.args[0]), self.eval(node.args[1])
        else:
            gt, tile_v = self.eval(node.args[0]), self.eval(node.args[1])
        if not isinstance(tile_v, TileVar) or not isinstance(gt, GlobalTensor):
            raise SimError(f"{name} operands must be a tile and a GlobalTensor")
        view = tile_v.snapshot()
        if view.type.loc != "Vec":
            raise SimError(f"{name} of a {view.type.loc} tile is not on the vector side")
        self.mem.check_tile(view)
        if gt.ptr is None:
            raise SimError(f"{name} through a GlobalTensor with no address (nullptr)")
        gt = GlobalTensor(gt.elem, gt.shape, gt.stride, gt.layout, gt.ptr)
        rows, cols = gt.rows_cols()
        if rows > view.type.rows or cols > view.type.cols:
            raise SimError(f"{name}: GlobalTensor [{rows}x{cols}] does not fit tile {view.name} "
                           f"[{view.type.rows}x{view.type.cols}]")
        if dtype_of(gt.elem)[0].itemsize != view.type.size:
            raise SimError(f"{name}: element types differ ({gt.elem} vs {view.type.elem})")
        region = gt.ptr.region
        if rows * cols == 0:
            return None            # empty view: nothing moves
        lo, hi = gt.byte_range()
        region.ensure(hi)
        offsets = gt.element_offsets()
        storage_dt = dtype_of(view.type.elem)[0]
        base = gt.ptr.offset

        if name == "TLOAD":
            def run(mem: Memory, stmt: int) -> None:
                flat = region.data[base:base + (int(offsets.max()) + 1) * storage_dt.itemsize].view(storage_dt)
                block = flat[offsets]
                st = mem.storage(view)
                st[:rows, :cols] = block
                mem.ub_writer[view.lo:view.hi] = stmt
            self.sched.issue(self._sid(), "TLOAD", False, [], [view], run, self._stamp())
        else:
            def run(mem: Memory, stmt: int) -> None:
                st = mem.storage(view)[:rows, :cols]
                nbytes = (int(offsets.max()) + 1) * storage_dt.itemsize
                flat = region.data[base:base + nbytes].view(storage_dt)
                flat[offsets] = st
                size = storage_dt.itemsize
                byte_idx = (base + offsets.reshape(-1, 1) * size + np.arange(size)).reshape(-1)
                region.writer[byte_idx] = stmt
                # origin: the statement that last wrote the UB bytes being stored
                ub_idx = self._ub_byte_index(view, rows, cols).reshape(-1)
                region.origin[byte_idx] = mem.ub_writer[ub_idx]
            self.sched.issue(self._sid(), "TSTORE", False, [view], [], run, self._stamp())
        return None

    @staticmethod
    def _ub_byte_index(view: TileView, rows: int, cols: int) -> np.ndarray:
        t = view.type
        r = np.arange(rows)[:, None]
        c = np.arange(cols)[None, :]
        elem = r * t.cols + c if t.blayout == "RowMajor" else c * t.rows + r
        return (view.lo + elem[..., None] * t.size + np.arange(t.size)).reshape(rows, cols * t.size)

    # ------------------------------------------------------------------ FIFO
    def _new_pipe(self, tid: sp.TemplateId, args: list) -> Pipe:
        a = [self.targ_value(x) for x in tid.args]
        if len(a) < 4:
            raise SimError("TPipe<> needs <FlagID, Dir, SlotSize, SlotNum, ...>")
        direction = a[1].leaf.replace("DIR_", "") if isinstance(a[1], Sym) else {1: "C2V", 2: "V2C", 3: "BOTH"}.get(a[1])
        local = int(a[4]) if len(a) > 4 and not isinstance(a[4], Sym) else 2
        vals = [self.eval(x) for x in args]
        gm = vals[0] if vals and isinstance(vals[0], GMPtr) else None
        c2v = int(vals[1]) if len(vals) > 1 and isinstance(vals[1], CVal) else 0
        v2c = int(vals[2]) if len(vals) > 2 and isinstance(vals[2], CVal) else 0
        return Pipe(int(a[0]), direction, int(a[2]), int(a[3]), local, gm, c2v, v2c)

    def _fifo_op(self, name: str, node: sp.Call):
        tmpl = node.template
        split = "TILE_NO_SPLIT"
        if tmpl is not None:
            for x in tmpl.args:
                v = self.targ_value(x) if isinstance(x, sp.Name) else None
                if isinstance(v, Sym) and "TILE_" in v.name:
                    split = v.leaf
        vals = [self.eval(a) for a in node.args]
        if not vals or not isinstance(vals[0], Pipe):
            raise SimError(f"{name}: first operand must be a TPipe object")
        pipe = vals[0]
        obj = vals[1] if len(vals) > 1 else None
        sid = self._sid()
        sub = self.config.subblock_id
        if name == "TFREE":
            pipe.frees += 1
            return None
        if name == "TALLOC":
            if not isinstance(obj, GlobalTensor):
                raise SimError("TALLOC of a tile is not modelled")
            obj.ptr = pipe.slot(pipe.allocs).retype(obj.elem)
            obj.ptr.region.ensure(obj.byte_range()[1])
            pipe.allocs += 1
            return None
        if name == "TPOP":
            index = pipe.pops
            pipe.pops += 1
            slot = pipe.slot(index)
            elem = obj.elem if isinstance(obj, GlobalTensor) else obj.type.elem if isinstance(obj, TileVar) else "float"
            if isinstance(obj, GlobalTensor):
                shape = obj.rows_cols()
            elif isinstance(obj, TileVar):
                shape = (obj.type.rows * (2 if split == "TILE_UP_DOWN" else 1), obj.type.cols)
            else:
                shape = ()
            fifo = self.fifo

            region = slot.region
            region.ensure(slot.offset + pipe.slot_size)

            def fill(mem: Memory, stmt: int, slot=slot, index=index, elem=elem, shape=shape) -> None:
                data = fifo.slot_bytes(pipe, index, elem, shape)
                region.data[slot.offset:slot.offset + data.size] = data
                region.writer[slot.offset:slot.offset + data.size] = -2   # written by the cube side
            self.sched.issue(sid, "TPOP.fill", False, [], [], fill, self._stamp())
            if isinstance(obj, GlobalTensor):
                obj.ptr = slot.retype(obj.elem)
                return None
            if isinstance(obj, TileVar):
                if obj.type.loc != "Vec":
                    raise SimError(f"TPOP into a {obj.type.loc} tile is not on the vector side")
                obj.addr = pipe.c2v_buf + (index % max(1, pipe.local_slot_num)) * pipe.slot_size
                view = obj.snapshot()
                self.mem.check_tile(view)
                offset = self._split_offset(split, view, sub)
                self._copy_slot_tile(slot, offset, view, to_ub=True, sid=sid)
                return None
            raise SimError("TPOP operand must be a tile or GlobalTensor")
        if name == "TPUSH":
            index = pipe.pushes
            pipe.pushes += 1
            slot = pipe.slot(index)
            fifo = self.fifo
            if isinstance(obj, TileVar):
                view = obj.snapshot()
                if view.type.loc != "Vec":
                    raise SimError(f"TPUSH of a {view.type.loc} tile is not on the vector side")
                self.mem.check_tile(view)
                offset = self._split_offset(split, view, sub)
                slot.region.ensure(slot.offset + pipe.slot_size)
                self._copy_slot_tile(slot, offset, view, to_ub=False, sid=sid)
                lo, hi = slot.offset + offset, slot.offset + offset + view.type.nbytes
                reads = [view]
            elif isinstance(obj, GlobalTensor) or obj is None:
                lo, hi = slot.offset, slot.offset + pipe.slot_size
                slot.region.ensure(hi)
                reads = []
            else:
                raise SimError("TPUSH operand must be a tile or GlobalTensor")
            region = slot.region

            def record(mem: Memory, stmt: int, lo=lo, hi=hi, index=index) -> None:
                fifo.pushes.append(PushRecord(pipe.flag, index, sub, bytes(region.data[lo:hi]), stmt))
            self.sched.issue(sid, "TPUSH", False, reads, [], record, self._stamp())
            return None
        raise SimError(f"{name} not modelled")

    @staticmethod
    def _split_offset(split: str, view: TileView, sub: int) -> int:
        if split == "TILE_UP_DOWN":
            return sub * view.type.nbytes
        if split == "TILE_LEFT_RIGHT":
            raise SimError("TILE_LEFT_RIGHT FIFO split is not modelled")
        return 0

    def _copy_slot_tile(self, slot: GMPtr, offset: int, view: TileView, to_ub: bool, sid: int) -> None:
        region = slot.region
        base = slot.offset + offset
        n = view.type.nbytes

        if to_ub:
            def run(mem: Memory, stmt: int) -> None:
                mem.write_bytes(view.lo, region.data[base:base + n].copy(), stmt)
            self.sched.issue(sid, "TPOP.load", False, [], [view], run, self._stamp())
        else:
            def run(mem: Memory, stmt: int) -> None:
                region.data[base:base + n] = mem.ub[view.lo:view.hi]
                region.writer[base:base + n] = stmt
                region.origin[base:base + n] = mem.ub_writer[view.lo:view.hi]
            self.sched.issue(sid, "TPUSH.store", False, [view], [], run, self._stamp())
