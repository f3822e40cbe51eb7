"""Interpreter for the vector (``__DAV_VEC__`` / AIV) side of a ptoas C++ kernel.

It walks the statement tree of ``ptofix.cpp.model`` (``for``, ``if/else``, ``#if`` sections
evaluated with ``__DAV_VEC__`` defined and ``__DAV_CUBE__`` undefined, calls of functions defined
in the file) and evaluates statements from their lark AST: scalar declarations and assignments
with C integer semantics (wrap-around, usual arithmetic conversions, truncating division), tile
declarations, TASSIGN/TRESHAPE, GlobalTensor/Shape/Stride views on GM pointers, TPipe objects and
the tile ops. Vector ops become steps of the hazard scheduler (``schedule.py``); TLOAD/TSTORE and
FIFO copies are steps of other pipes. Anything it cannot run is a :class:`SimError`, reported with
the statement (``file:line:col: error: cannot simulate ...``, exit status 2).

The interpreter fails closed: statements are dispatched on the exact class of their AST node
(``stmt_parser``), and any node class, call, method, declaration type or control construct not
handled below stops the run. Calls with effects (tile ops, TASSIGN, flags, barriers, the no-op
scalar calls listed by name) run only as a whole call statement ``f(...);``; inside a larger
expression (a cast, a return value, an initialiser, a condition) they are refused. A bug in the
interpreter itself surfaces as :class:`InternalError` (exit status 3), never as a user error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from .. import regex_cache
from ..cpp import integers
from ..cpp import stmt_parser as sp
from ..cpp.command_line import command_line_definitions
from ..cpp.lexical import directive_word
from ..cpp.model import (
    COMMAND_LINE,
    Comment,
    Compound,
    CppFile,
    DeclaratorStmt,
    Directive,
    ForStmt,
    Function,
    IfStmt,
    MacroDefinition,
    OpaqueStmt,
    PPIfStmt,
    SimpleStmt,
    Stmt,
)
from ..cpp.preprocessor import MacroState, group_outcomes
from ..pto.ops import (
    OPS,
    PIPE_FIFO_OPS,
    PIPE_NAMES,
    SCALAR_TCI,
)
from ..pto.ordering import (
    SCALAR_GM_ACCESS_WAITS_FOR_VECTOR,
)
from ..pto.tiles import TILE_ARG, TILE_DEFAULTS
from ..source import PtofixError
from .c_values import (
    CTYPE,
    INT_TYPES,
    CVal,
    InternalError,
    ShapeVal,
    UBPtr,
    as_int,
    common_type,
    conv,
    describe,
    number,
    to_scalar_type,
    type_code,
    wrap,
)
from .fifo import FifoState, Pipe
from .memory import (
    DTYPES,
    GlobalTensor,
    GMPtr,
    Memory,
    SimError,
    SimTileType,
    TileVar,
    bf16_to_f32,
    dtype_of,
    f32_to_bf16,
)
from .ops_numpy import VECTOR_OPS, Sym, new_struct_value
from .pto_calls import PtoCalls
from .schedule import Scheduler, StepError

# Statements one run of a kernel executes (loop trips count as statements): past it the run stops
# with a located error (docs/commands/simulate.md "Bounds"). At ~60,000 scalar statements a
# second, a runaway loop is stopped within seconds, not after a minute.
MAX_STATEMENTS = 400_000

# ---- scalar values --------------------------------------------------------------------------------
# A scalar's type is a code: i8..i64, u8..u64, bool, f16, f32, f64. The integer rules are C++'s
# on the target, from ptofix/cpp/integers.py (the proof's too); floats are the simulator's own.


# The exceptions that carry a return, break or continue out of the statements that run it.
class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    def __init__(self, stmt=None):
        super().__init__("break")
        self.stmt = stmt


class _Continue(Exception):
    def __init__(self, stmt=None):
        super().__init__("continue")
        self.stmt = stmt


CTYPE.update({"float": "f32", "double": "f64", "half": "f16", "bfloat16_t": "f32"})


@dataclass
class KernelConfig:
    block_idx: int = 0
    block_num: int = 1
    subblock_id: int = 0
    subblock_num: int = 1


@dataclass
class SimStatement:
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
        self.info: list[SimStatement] = []

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
            self.info.append(SimStatement(source.path, line, text, function, stmt.span.start))
        return sid


_PP_DEFINED_VEC = {"__DAV_VEC__", "__DAV_C220_VEC__", "__CCE_AICORE__", "__CCE_KT_TEST__"}


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
    for param in fn.parameters:
        if not param.name:
            why = param.unread or "an unnamed parameter"
            raise SimError(f"cannot parse parameter '{param.text}' of {fn.name} ({why})")
        if param.reference and "const" not in param.qualifiers:
            # Arguments are passed as copies (_convert_to): a write through the reference would
            # not reach the caller.
            raise SimError(f"reference parameter '{param.text}' of {fn.name} is not modelled")
        out.append(Param(param.name, param.declarator.type, param.text))
    return out


# ---- interpreter ----------------------------------------------------------------------------------
_SIMPLE_REPLACEMENT = regex_cache.compile(r"[A-Za-z_]\w*(::[A-Za-z_]\w*)*|\d+[uUlL]*")


class Interpreter:
    HELPERS_DRAIN = {"ptoas_auto_sync_tail"}
    # Scalar-unit calls with no effect on UB, GM or the order of the pipes the model runs. Only
    # these names are skipped; any other unknown call stops the run.
    NOOP_CALLS = {"set_mask_norm", "set_vector_mask", "set_ffts_base_addr", "dcci", "set_atomic_none",
                  "static_assert", "PTOAS__DCCI_SINGLE_CACHE_LINE", "ffts_cross_core_sync",
                  "wait_flag_dev", "TSYNC", "SYNCALL", "TPREFETCH"}
    # Calls that only compute a value: allowed anywhere in an expression.
    VALUE_CALLS = {"get_block_idx", "get_block_num", "get_subblockid", "get_sub_block_id", "get_subblockdim",
                   "reinterpret_cast", "static_cast", "PTOAS__GLOBAL_TENSOR_DATA"}
    VALUE_CTORS = {"Tile", "GlobalTensor", "Shape", "Stride", "TPipe"}
    KNOWN_PIPES = PIPE_NAMES
    MAX_CALL_DEPTH = 64
    MODELLED_CALLS = NOOP_CALLS | VALUE_CALLS | {"pipe_barrier", "set_flag", "wait_flag", "TASSIGN", "TRESHAPE",
                                                 "TLOAD", "TSTORE"}

    def __init__(self, cpp: CppFile, mem: Memory, sched: Scheduler, fifo: FifoState, config: KernelConfig,
                 table: StatementTable, defined: set | None = None):
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
        self.back_edges = 0          # loop back-edges taken so far (no in-order repeats across one)
        self.count = 0
        self.depth = 0
        self.cur_stmt: Stmt | None = None
        self.cur_fn = ""
        self._for_cache: dict[int, tuple] = {}
        self._cond_cache: dict[int, object] = {}
        self.functions: dict[str, Function] = {}
        self.overloaded: set[str] = set()
        for fn in cpp.functions:
            if fn.qualified or fn.conditional:
                self.overloaded.add(fn.name)      # `Owner::name`: which one a call reaches is not modelled
            if fn.name in self.functions:
                self.overloaded.add(fn.name)
            self.functions[fn.name] = fn
        # The macros: the compiler's command line (`-D`) defines its own before the file's first
        # line; the file's #defines follow (a statement naming one stops the run, unless it is an
        # object-like macro of one name or number, read as that token: name_value).
        command_line = command_line_definitions(cpp.environment)
        self.macros: dict[str, MacroDefinition] = {}
        for definition in (*command_line, *cpp.macro_table):
            if definition.defines:
                self.macros[definition.name] = definition
        # Which #if groups the vector side compiles (preprocessor.group_outcomes; None: not known).
        initial: dict[str, MacroDefinition | None] = {
            name: MacroDefinition(name, True, None, ("1",), "1", COMMAND_LINE) for name in sorted(self.defined)}
        for definition in command_line:
            initial[definition.name] = definition if definition.defines else None
        self.group_taken = group_outcomes(cpp.macro_table, cpp.conditional_sections, cpp.conditional_groups,
                                          MacroState(initial, True), True)
        self.group_at = {group.span.start: group.index for group in cpp.conditional_groups}
        self.tiles_seen: dict[str, TileVar] = {}
        # The pto calls (flags, TASSIGN, ops, TLOAD/TSTORE, FIFOs): they read operands through this
        # interpreter (pto_calls.Evaluator).
        self.pto = PtoCalls(self, mem, sched, fifo, config.subblock_id)

    # ------------------------------------------------------------------ entry
    def _located(self, message: str, fn: Function) -> PtofixError:
        stmt = self.cur_stmt
        if stmt is not None:
            text = self.source.text[stmt.span.start:stmt.span.end].strip()
            if len(text) > 200:
                text = text[:197] + "..."
            return PtofixError(f"cannot simulate: {message} (in `{text}`)", self.source, stmt.span.start)
        return PtofixError(f"cannot simulate {fn.name}: {message}", self.source, fn.span.start)

    def _where(self, fn: Function) -> str:
        stmt = self.cur_stmt
        offset = stmt.span.start if stmt is not None else fn.span.start
        return self.source.location(offset)

    def run_function(self, fn: Function, args: list) -> None:
        try:
            self.call_function(fn, args)
            self.sched.drain()
        except StepError as exc:
            info = self.table.info[exc.record.stmt]
            if not isinstance(exc.original, SimError):
                raise InternalError(exc.original, self.source.location(info.offset)) from exc.original
            raise PtofixError(f"cannot simulate: {exc.error} (in `{info.text.strip()}`)", self.source,
                              info.offset) from None
        except SimError as exc:
            raise self._located(str(exc), fn) from None
        except (PtofixError, InternalError):
            raise
        except (_Return, _Break, _Continue) as exc:   # pragma: no cover - call_function handles them
            raise InternalError(exc, self._where(fn)) from exc
        except RecursionError as exc:
            raise self._located("recursion too deep", fn) from exc
        except Exception as exc:    # noqa: BLE001 - a bug in the simulator, not bad input
            raise InternalError(exc, self._where(fn)) from exc

    def call_function(self, fn: Function, args: list):
        if fn.name in self.overloaded:
            raise SimError(f"'{fn.name}' has several definitions or a member one (overloads, templates and "
                           "member functions are not modelled)")
        if not isinstance(fn.body, Compound):
            self.cur_stmt = fn.body
            raise SimError(f"the body of '{fn.name}' could not be structured")
        if self.depth >= self.MAX_CALL_DEPTH:
            raise SimError(f"calls nested more than {self.MAX_CALL_DEPTH} deep (recursion?)")
        params = parse_params(fn)
        if len(params) != len(args):
            raise SimError(f"'{fn.name}' takes {len(params)} arguments, got {len(args)}")
        frame = {}
        for p, a in zip(params, args, strict=False):
            frame[p.name] = self._convert_to(p.type, a)
        saved = self.scopes, self.cur_fn, self.cur_stmt, self.loop_stack
        self.scopes = [frame]
        self.cur_fn = fn.name
        self.loop_stack = list(self.loop_stack)
        self.depth += 1
        try:
            self.exec_block(fn.body.body)
        except _Return as ret:
            self.scopes, self.cur_fn, self.cur_stmt, self.loop_stack = saved
            self.depth -= 1
            return ret.value
        except (_Break, _Continue) as exc:
            self.scopes, self.cur_fn, _, self.loop_stack = saved
            self.depth -= 1
            self.cur_stmt = exc.stmt
            raise SimError(f"'{exc}' outside a loop") from None
        except BaseException:
            # An error unwinds through the caller's blocks, which pop their own scopes: the scopes
            # are the caller's again (cur_stmt stays where the error is, for its location).
            self.scopes, self.cur_fn, _, self.loop_stack = saved
            self.depth -= 1
            raise
        self.scopes, self.cur_fn, self.cur_stmt, self.loop_stack = saved
        self.depth -= 1
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
        kind = type(stmt)
        # Dispatch on the exact class (a subclass this interpreter does not know is refused); the
        # casts tell the type checker what the class test established.
        if kind is SimpleStmt or kind is DeclaratorStmt:
            self.cur_stmt = stmt
            self.exec_simple(cast(SimpleStmt, stmt))
        elif kind is Comment:
            return
        elif kind is Directive:
            self.cur_stmt = stmt
            word = directive_word(cast(Directive, stmt).text)
            if word != "#pragma":
                raise SimError(f"preprocessor directive '{word}' inside a function body")
        elif kind is Compound:
            self.exec_block(cast(Compound, stmt).body)
        elif kind is ForStmt:
            self.exec_for(cast(ForStmt, stmt))
        elif kind is IfStmt:
            branch_stmt = cast(IfStmt, stmt)
            self.cur_stmt = stmt
            cond = self._cond_cache.get(id(stmt))
            if cond is None:
                cond = sp.parse_condition(branch_stmt.cond)
                if cond is None:
                    raise SimError("cannot parse the if condition")
                self._cond_cache[id(stmt)] = cond
            if self.truth(self.eval(cond)):
                if branch_stmt.then is not None:
                    self.exec_sub(branch_stmt.then)
            elif branch_stmt.orelse is not None:
                self.exec_sub(branch_stmt.orelse)
        elif kind is PPIfStmt:
            self.cur_stmt = stmt
            for branch in cast(PPIfStmt, stmt).branches:
                self.cur_stmt = branch.directive
                group = self.group_at.get(branch.directive.span.start, -1)
                taken = self.group_taken[group] if group >= 0 else None
                if taken is None:
                    raise SimError(f"cannot evaluate preprocessor condition '{branch.directive.text.strip()}'")
                if taken:
                    self.exec_block(branch.body, new_scope=False)
                    break
        elif kind is OpaqueStmt:
            self.cur_stmt = stmt
            raise SimError(f"statement not modelled ({cast(OpaqueStmt, stmt).reason})")
        else:
            self.cur_stmt = stmt
            # (A goto or a label: an OpaqueStmt the simulator does not run, with its reason.)
            what = stmt.reason if isinstance(stmt, OpaqueStmt) else type(stmt).__name__
            raise SimError(f"statement not modelled ({what})")

    def exec_sub(self, stmt: Stmt) -> None:
        if isinstance(stmt, Compound):
            self.exec_block(stmt.body)
        else:
            self.scopes.append({})
            try:
                self.exec_stmt(stmt)
            finally:
                self.scopes.pop()

    def exec_for(self, stmt: ForStmt) -> None:
        self.cur_stmt = stmt
        parsed = self._for_cache.get(id(stmt))
        if parsed is None:
            init = sp.parse_for_init(stmt.init) if stmt.init.strip() else None
            cond = sp.parse_condition(stmt.cond) if stmt.cond.strip() else None
            step = sp.parse_condition(stmt.step) if stmt.step.strip() else None
            if (stmt.init.strip() and init is None) or (stmt.cond.strip() and cond is None) \
                    or (stmt.step.strip() and step is None):
                raise SimError("cannot parse the for header")
            init, step = _as_statement(init), _as_statement(step)
            if init is not None and type(init) not in (sp.Decl, sp.AssignStmt):
                raise SimError("for-loop initialiser is not a declaration or an assignment")
            if step is not None and type(step) is not sp.AssignStmt:
                raise SimError(f"for-loop step '{stmt.step.strip()}' is not an assignment or an increment")
            parsed = (init, cond, step)
            self._for_cache[id(stmt)] = parsed
        init, cond, step = parsed
        uid = self.table.id_of(stmt, self.source, self.cur_fn)
        self.scopes.append({})
        try:
            if init is not None:
                self.exec_ast(init)
            it = 0
            self.loop_stack.append((uid, it))
            try:
                while True:
                    self.cur_stmt = stmt
                    if cond is not None and not self.truth(self.eval(cond)):
                        break
                    self.loop_stack[-1] = (uid, it)
                    try:
                        if stmt.body is not None:
                            self.exec_sub(stmt.body)
                    except _Continue:
                        pass
                    except _Break:
                        break
                    self.cur_stmt = stmt
                    if step is not None:
                        self.exec_ast(step)
                    it += 1
                    self.back_edges += 1
                    self.count += 1
                    if self.count > MAX_STATEMENTS:
                        raise SimError(f"more than {MAX_STATEMENTS} statements executed (runaway loop?)")
            finally:
                self.loop_stack.pop()
        finally:
            self.scopes.pop()

    def exec_simple(self, stmt: SimpleStmt) -> None:
        ast = stmt.ast
        if ast is None:
            if stmt.text.strip() == ";":
                return                      # empty statement
            raise SimError("the statement grammar cannot parse this statement")
        self.exec_ast(ast)

    def exec_ast(self, ast) -> None:
        kind = type(ast)
        if kind is sp.Decl:
            self.declare(ast)
        elif kind is sp.TypeAlias:
            self.alias(ast)
        elif kind is sp.ExprStmt:
            self.expr_stmt(ast.expr)
        elif kind is sp.AssignStmt:
            self.assign(ast)
        elif kind is sp.ReturnStmt:
            raise _Return(self.eval(ast.value) if ast.value is not None else None)
        else:
            raise SimError(f"statement kind {kind.__name__} not modelled")

    def expr_stmt(self, expr) -> None:
        kind = type(expr)
        if kind is sp.Call:
            self.call(expr, statement=True)
            return
        if kind is sp.Name and expr.id in ("break", "continue"):
            # The statement grammar reads `break;` / `continue;` as a bare name.
            raise (_Break if expr.id == "break" else _Continue)(self.cur_stmt)
        if kind is sp.Name:
            if expr.id in self.macros:
                raise SimError(f"macro '{expr.id}' used without parentheses (macros are not expanded)")
            raise SimError(f"expression statement '{expr.id}' does nothing the simulator can run "
                           "(a macro invocation without parentheses?)")
        if kind is sp.IncDec:
            raise SimError(f"increment/decrement statement '{expr.op}' not modelled")
        calls = [n.callee for n in sp.walk(expr) if type(n) is sp.Call]
        if calls:
            raise SimError(f"call of '{calls[0]}' inside a {kind.__name__.lower()} expression statement")
        raise SimError(f"expression statement ({kind.__name__}) not modelled")

    def alias(self, d: sp.TypeAlias) -> None:
        """``using NAME = TYPE;`` / ``typedef TYPE NAME;``."""
        if type(d.type) is not sp.TypeRef or d.type.ref:
            raise SimError("alias declaration not modelled")
        self.types[d.name] = d.type

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
                if isinstance(v, Sym):
                    return v      # e.g. `constexpr pto::Layout L = pto::Layout::ND;` used as GlobalTensor<..., L>
            except KeyError:
                pass
            return Sym(node.id)
        v = self.eval(node)
        if isinstance(v, CVal):
            return v.v
        return v

    def tile_type(self, tid: sp.TemplateId) -> SimTileType:
        a = [self.targ_value(x) for x in tid.args]
        if len(a) < 4:
            raise SimError("Tile<> needs at least <Loc, T, Rows, Cols>")

        def leaf(x, default):
            return x.leaf if isinstance(x, Sym) else default
        def arg(name: str, default):
            index = TILE_ARG[name]
            return a[index] if index < len(a) else default

        def valid(name: str, default: int, what: str) -> int:
            value = arg(name, Sym("default"))
            return default if isinstance(value, Sym) else as_int(value, what)
        loc = leaf(arg("loc", None), "Vec")
        elem = arg("dtype", None)
        if not isinstance(elem, str):
            raise SimError("cannot resolve the element type of Tile<>")
        rows, cols = as_int(arg("rows", None), "Tile rows"), as_int(arg("cols", None), "Tile cols")
        if rows <= 0 or cols <= 0:
            raise SimError(f"Tile<> of {rows}x{cols} elements: rows and columns must be positive")
        blayout = leaf(arg("blayout", None), TILE_DEFAULTS["blayout"])
        vr, vc = valid("valid_row", rows, "Tile valid rows"), valid("valid_col", cols, "Tile valid cols")
        # -1 is pto's DYNAMIC (the constructor gives the value); anything else must fit the storage.
        if not (vr == -1 or 0 <= vr <= rows) or not (vc == -1 or 0 <= vc <= cols):
            raise SimError(f"Tile<> valid shape {vr}x{vc} does not fit its {rows}x{cols} storage")
        slayout = leaf(arg("slayout", None), TILE_DEFAULTS["slayout"])
        pad = leaf(arg("pad", None), TILE_DEFAULTS["pad"])
        return SimTileType(loc, elem, rows, cols, blayout, vr, vc, slayout, pad)

    def _convert_to(self, t: sp.TypeRef, value):
        t = self.resolve_type(t)
        if t.pointer > 1 and value is not None:
            raise SimError("a pointer to a pointer is not modelled (its step is a pointer's width)")
        if t.pointer:
            if isinstance(value, GMPtr):
                return value.retype(t.name) if t.name not in ("void",) else value
            if isinstance(value, UBPtr):
                return UBPtr(value.addr, t.name) if t.name in DTYPES else value
            if isinstance(value, CVal) and "__ubuf__" in t.quals:
                return UBPtr(as_int(value, "UB address"), t.name)
            if value is None or (isinstance(value, CVal) and value.v == 0):
                return None
            raise SimError(f"cannot convert {describe(value)} to a pointer")
        if t.name in CTYPE:
            if isinstance(value, GMPtr) and CTYPE[t.name] in ("i64", "u64"):
                return value          # a GM address held in a 64-bit integer: kept as the pointer
            if not isinstance(value, CVal):
                raise SimError(f"cannot convert {describe(value)} to '{t.name}'")
            return to_scalar_type(value, t.name)
        if isinstance(value, TileVar):           # a tile passed by value: the callee's copy
            copy = TileVar(value.name, value.type, value.valid_rows, value.valid_cols)
            copy.addr = value.addr
            return copy
        if isinstance(value, GlobalTensor):
            return GlobalTensor(value.elem, value.shape, value.stride, value.layout, value.ptr)
        return value

    # ------------------------------------------------------------------ declarations
    def declare(self, d: sp.Decl) -> None:
        if type(d.type) is not sp.TypeRef:
            raise SimError("declaration type not modelled")
        if d.type.ref:
            raise SimError("reference declaration not modelled")
        if d.array:
            raise SimError("array declaration not modelled")
        t = self.resolve_type(d.type)
        name = d.name
        if name in self.macros:
            raise SimError(f"declared name '{name}' is a macro (macros are not expanded)")
        tmpl = t.template
        base = t.name.rsplit("::", 1)[-1]
        if "static" in t.quals and "const" not in t.quals and "constexpr" not in t.quals:
            raise SimError(f"static local variable '{name}' not modelled (it keeps its value across calls)")
        if t.pointer:
            value = self.eval(d.init) if d.init is not None else None
            if d.ctor_args is not None:
                raise SimError("pointer declared with constructor arguments")
            self.bind(name, self._convert_to(t, value))
            return
        if tmpl is not None and base in ("Tile", "GlobalTensor", "Shape", "Stride", "TPipe"):
            self.bind(name, self._declared_object(d, name, base, tmpl))
            return
        if d.ctor_args is not None:
            if t.name in CTYPE and len(d.ctor_args) == 1:       # `int32_t v(expr);`
                self.bind(name, self._convert_to(t, self.eval(d.ctor_args[0])))
                return
            raise SimError(f"constructor of '{t.name}' not modelled")
        if t.name == "auto":
            if d.init is None:
                raise SimError("'auto' declaration without an initialiser")
            value = self.eval(d.init)
            if value is None:
                raise SimError("'auto' variable initialised from a call without a value")
            if isinstance(value, (TileVar, GlobalTensor, Pipe)) and type(d.init) is not sp.Call:
                raise SimError(f"copy of a {type(value).__name__} object is not modelled")
            self.bind(name, value)
            return
        if t.name in CTYPE:
            value = self.eval(d.init) if d.init is not None else CVal(0, CTYPE[t.name])
            self.bind(name, self._convert_to(t, value))
            return
        if tmpl is None and d.init is not None:
            # enum-typed constant: `RoundMode v = RoundMode::CAST_RINT;`
            value = self.eval(d.init)
            if isinstance(value, Sym):
                self.bind(name, value)
                return
        struct = new_struct_value(t.name)
        if struct is not None and d.init is None and tmpl is None:
            self.bind(name, struct)
            return
        raise SimError(f"declaration of type '{t.name}' not modelled")

    def _declared_object(self, d: sp.Decl, name: str, base: str, tmpl: sp.TemplateId):
        """The value a declaration of a pto object (a Tile, GlobalTensor, Shape, Stride or TPipe)
        binds ``name`` to (``declare``'s object half)."""
        if base == "Tile":
            args = d.ctor_args
            if d.init is not None:
                if not (type(d.init) is sp.Call and d.init.template is not None
                        and d.init.template.name.rsplit("::", 1)[-1] == "Tile"):
                    raise SimError(f"tile '{name}' initialised from something other than a Tile<...>(...) "
                                   "constructor (tile copies are not modelled)")
                args = d.init.args
            return self._new_tile(name, self.tile_type(tmpl), args or [])
        if base == "GlobalTensor":
            if d.init is not None:
                value = self.eval(d.init)
                if not isinstance(value, GlobalTensor):
                    raise SimError(f"GlobalTensor '{name}' initialised from a non-GlobalTensor value")
                value = GlobalTensor(value.elem, value.shape, value.stride, value.layout, value.ptr)
            else:
                value = self._new_global_tensor(tmpl, d.ctor_args or [])
            return value
        if base in ("Shape", "Stride"):
            value = self.eval(d.init) if d.init is not None else self._new_shape(tmpl, d.ctor_args or [])
            if not isinstance(value, ShapeVal):
                raise SimError(f"{base} '{name}' initialised from a non-{base} value")
            return value
        if base == "TPipe":
            if d.init is not None:
                if not (type(d.init) is sp.Call and d.init.template is not None
                        and d.init.template.name.rsplit("::", 1)[-1] == "TPipe"):
                    raise SimError("TPipe copies are not modelled")
                value = self.eval(d.init)
            else:
                value = self.pto.new_pipe(tmpl, d.ctor_args or [])
            return value
        raise SimError(f"declaration of type '{base}' not modelled")

    def _new_tile(self, name: str, ttype: SimTileType, args: list) -> TileVar:
        vals = [as_int(self.eval(a), "Tile valid shape") for a in args]
        vr, vc = None, None
        dyn = [i for i, v in enumerate((ttype.valid_rows, ttype.valid_cols)) if v < 0]
        for i, v in zip(dyn, vals, strict=False):
            if i == 0:
                vr = v
            else:
                vc = v
        if len(vals) == 2 and not dyn:
            vr, vc = vals
        var = TileVar(name, ttype, vr, vc)
        var.check_valid_shape()
        return var

    def _new_shape(self, tid: sp.TemplateId, args: list) -> ShapeVal:
        dims = [as_int(self.targ_value(x), f"{tid.name} dimension") for x in tid.args]
        vals = [as_int(self.eval(a), f"{tid.name} dimension") for a in args]
        k = 0
        for i, d in enumerate(dims):
            if d < 0:
                if k >= len(vals):
                    raise SimError(f"dynamic {tid.name} dimension without a value")
                dims[i] = vals[k]
                k += 1
        if len(dims) != 5:
            raise SimError(f"{tid.name} with {len(dims)} dimensions (pto's are 5-D)")
        if any(d < 0 for d in dims):
            # (A negative stride or dimension walks GM backwards or nowhere: not a view pto builds.)
            raise SimError(f"{tid.name} with a negative value {tuple(dims)}")
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
            gt.ptr.region.ensure_view(gt)
        return gt

    def _static_dims(self, node, kind: str) -> tuple:
        if not isinstance(node, sp.TemplateId):
            raise SimError(f"GlobalTensor {kind} must be a template")
        dims = [as_int(self.targ_value(x), f"GlobalTensor {kind} dimension") for x in node.args]
        if len(dims) != 5:
            raise SimError(f"GlobalTensor {kind} with {len(dims)} dimensions (pto's are 5-D)")
        if any(d < 0 for d in dims):
            raise SimError(f"dynamic GlobalTensor {kind} without a {kind} value")
        return tuple(dims)

    # ------------------------------------------------------------------ assignment
    def _gm_element(self, node: sp.Index):
        """Scalar access to GM. It waits for no vector work (ptofix.pto.ordering); the steps of the
        other pipes, whose flags the model trusts, complete first (with what they wait for)."""
        base = self.eval(node.obj)
        if not isinstance(base, GMPtr):
            raise SimError("indexing is only modelled on __gm__ pointers")
        ptr = base.add(as_int(self.eval(node.index), "pointer index"))
        if ptr.offset < 0:
            raise SimError("pointer index before the start of the GM buffer")
        if SCALAR_GM_ACCESS_WAITS_FOR_VECTOR:
            self.sched.drain()
        else:
            self.sched.complete_other_pipes()
        size = dtype_of(ptr.elem)[0].itemsize
        ptr.region.ensure(ptr.offset + size, ptr.offset)
        return ptr, None

    def assign(self, a: sp.AssignStmt) -> None:
        target = a.target
        kind = type(target)
        if kind is sp.Index:
            if a.op != "=":
                raise SimError(f"compound assignment '{a.op}' through a pointer not modelled")
            ptr, _ = self._gm_element(cast(sp.Index, target))
            value = self.eval(a.value)
            dt, dkind = dtype_of(ptr.elem)
            if not isinstance(value, CVal):
                raise SimError("only scalars can be stored through a pointer")
            if ptr.elem in CTYPE and dkind != "b":
                value = conv(value, CTYPE[ptr.elem])      # as C converts on the store (bool: 0 or 1)
            if dkind == "b":
                with np.errstate(all="ignore"):
                    arr = f32_to_bf16(np.array([value.v], np.float32))
            else:
                with np.errstate(all="ignore"):
                    arr = np.array([value.v]).astype(dt)
            ptr.region.data[ptr.offset:ptr.offset + dt.itemsize] = arr.view(np.uint8)
            ptr.region.writer[ptr.offset:ptr.offset + dt.itemsize] = self.statement_id()
            return
        if kind is sp.Unary and cast(sp.Unary, target).op == "*":
            raise SimError("assignment through a pointer dereference not modelled")
        if kind is sp.Member:
            raise SimError(f"assignment to member '{cast(sp.Member, target).field}' not modelled")
        if kind is not sp.Name:
            raise SimError(f"assignment target ({kind.__name__}) not modelled (only plain variables)")
        name = cast(sp.Name, target).id
        if name in self.macros:
            raise SimError(f"assignment to macro '{name}' (macros are not expanded)")
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
        elif isinstance(cur, UBPtr) and isinstance(value, UBPtr):
            value = UBPtr(value.addr, cur.elem)
        elif cur is None and (value is None or isinstance(value, (GMPtr, UBPtr))):
            pass                                   # pointer declared without a value
        elif isinstance(cur, (GMPtr, UBPtr)) and value is None:
            pass                                   # = nullptr
        elif isinstance(cur, Sym) and isinstance(value, Sym):
            pass                                   # enum variable
        else:
            raise SimError(f"assignment of {describe(value)} to '{name}' ({describe(cur)}) not modelled")
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
        kind = type(node)
        if kind is sp.Number:
            return number(node.text)
        if kind is sp.Name:
            return self.name_value(node.id)
        if kind is sp.Literal:
            if node.value is None:
                return None
            return CVal(1 if node.value else 0, "bool")
        if kind is sp.Binary:
            op = node.op
            if op in ("&&", "||"):   # short-circuit, as in C
                left = self.truth(self.eval(node.left))
                if op == "&&" and not left:
                    return CVal(0, "bool")
                if op == "||" and left:
                    return CVal(1, "bool")
                return CVal(int(self.truth(self.eval(node.right))), "bool")
            return self.binary(op, self.eval(node.left), self.eval(node.right))
        if kind is sp.Unary:
            return self.unary(node.op, node.operand)
        if kind is sp.Ternary:
            c = self.truth(self.eval(node.cond))
            return self.eval(node.then) if c else self.eval(node.orelse)
        if kind is sp.Cast:
            return self.cast(node.type, self.eval(node.operand))
        if kind is sp.Call:
            return self.call(node, statement=False)
        if kind is sp.TemplateId:
            if node.name in self.macros:
                raise SimError(f"macro '{node.name}' (macros are not expanded)")
            return Sym(node.name)
        if kind is sp.SizeOf:
            arg = node.arg
            name = self.type_name(arg) if type(arg) in (sp.TypeRef, sp.Name) else None
            if name and name in DTYPES:
                return CVal(dtype_of(name)[0].itemsize, "u64")
            raise SimError("sizeof operand not modelled")
        if kind is sp.Index:
            ptr, idx = self._gm_element(node)
            dt = dtype_of(ptr.elem)[0]
            raw = ptr.region.data[ptr.offset:ptr.offset + dt.itemsize].view(dt)[0]
            t = CTYPE.get(ptr.elem, "f32")
            if ptr.elem == "bfloat16_t":
                raw = bf16_to_f32(np.array([raw], np.uint16))[0]
            return CVal(float(raw) if t[0] == "f" else int(raw), t)
        if kind is sp.Member:
            raise SimError(f"member access '{'->' if node.arrow else '.'}{node.field}' not modelled")
        raise SimError(f"expression {kind.__name__} not modelled")

    def _macro_origin(self, macro: MacroDefinition) -> str:
        if macro.from_command_line:
            return f"-D{macro.name} on the command line"
        return f"#define at line {self.source.line_col(macro.span.start)[0]}"

    def name_value(self, name: str, depth: int = 0):
        macro = self.macros.get(name)
        if macro is not None:
            if macro.function_like or not _SIMPLE_REPLACEMENT.fullmatch(macro.text) or depth > 8:
                raise SimError(f"'{name}' is a macro ({self._macro_origin(macro)}); macros are not expanded")
            if macro.text[0].isdigit():
                return number(macro.text)
            return self.name_value(macro.text, depth + 1)
        try:
            return self.lookup(name)
        except KeyError:
            pass
        if name in self.types:
            return self.types[name]
        if "::" in name or name.isupper() or name.startswith(("PIPE_", "EVENT_ID")):
            return Sym(name)
        raise SimError(f"unknown name '{name}'")

    def unary(self, op: str, operand_node):
        v = self.eval(operand_node)
        if op == "!":
            return CVal(0 if self.truth(v) else 1, "bool")
        if not isinstance(v, CVal):
            if op == "-" and isinstance(v, Sym):
                raise SimError(f"cannot negate '{v.name}'")
            raise SimError(f"unary '{op}' on a non-scalar")
        if v.t[0] == "f":
            if op == "-":
                return CVal(wrap(-v.v, v.t), v.t)
            if op == "+":
                return v
            if op == "~":
                as_int(v, "operand of '~'")
            raise SimError(f"unary '{op}' not modelled")
        result = integers.unary_value(op, int(v.v), INT_TYPES[v.t])
        if result is None:
            raise SimError(f"unary '{op}' not modelled")
        return CVal(result, type_code(integers.unary_type(op, INT_TYPES[v.t])))

    def binary(self, op: str, a, b):
        if isinstance(a, (GMPtr, UBPtr)) or isinstance(b, (GMPtr, UBPtr)):
            return self._ptr_arith(op, a, b)
        if not isinstance(a, CVal) or not isinstance(b, CVal):
            if op in ("==", "!=") and isinstance(a, Sym) and isinstance(b, Sym):
                return CVal(int((a == b) == (op == "==")), "bool")
            raise SimError(f"operator '{op}' on non-scalar operands")
        if a.t[0] != "f" and b.t[0] != "f":
            return self._integer_binary(op, a, b)
        if op in integers.SHIFTS:
            if a.t[0] == "f":
                raise SimError(f"'{op}' on a {a.t} operand")
            as_int(b, "shift count")
        if op in ("%", "&", "|", "^"):
            raise SimError(f"'{op}' on floating point")
        t = common_type(a.t, b.t)
        x, y = conv(a, t).v, conv(b, t).v
        if op in integers.COMPARISONS:
            r = {"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
            return CVal(int(r), "bool")
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        elif op == "/":
            r = x / y if y != 0 else (float("inf") if x > 0 else float("-inf") if x < 0 else float("nan"))
        else:
            raise SimError(f"operator '{op}' not modelled")
        return CVal(wrap(r, t), t)

    @staticmethod
    def _integer_binary(op: str, a: CVal, b: CVal) -> CVal:
        """``a op b`` on integers, by C++'s rules (integers.py); what C++ leaves undefined stops the run."""
        left, right = INT_TYPES[a.t], INT_TYPES[b.t]
        result = integers.binary_value(op, int(a.v), int(b.v), left, right)
        if result is None:
            if op in integers.SHIFTS:
                # C leaves a shift by a negative count or by the width or more undefined.
                width = integers.promote(left).bits
                raise SimError(f"shift by {int(b.v)} of a {width}-bit value (undefined in C)")
            if op in ("/", "%"):
                raise SimError("integer division by zero")
            raise SimError(f"operator '{op}' not modelled")
        return CVal(result, type_code(integers.binary_type(op, left, right)))

    def _ptr_arith(self, op, a, b):
        if isinstance(a, UBPtr) and isinstance(b, CVal) and op in ("+", "-"):
            return a.add(as_int(b, "pointer offset") if op == "+" else -as_int(b, "pointer offset"))
        if isinstance(a, GMPtr) and isinstance(b, CVal) and op in ("+", "-"):
            return a.add(as_int(b, "pointer offset") if op == "+" else -as_int(b, "pointer offset"))
        if isinstance(b, GMPtr) and isinstance(a, CVal) and op == "+":
            return b.add(as_int(a, "pointer offset"))
        if isinstance(a, GMPtr) and isinstance(b, GMPtr) and op == "-":
            size = dtype_of(a.elem)[0].itemsize
            return CVal((a.offset - b.offset) // size, "i64")
        if op in ("==", "!=") and isinstance(a, GMPtr) and isinstance(b, GMPtr):
            eq = a.region is b.region and a.offset == b.offset
            return CVal(int(eq == (op == "==")), "bool")
        raise SimError(f"pointer arithmetic '{op}' not modelled")

    def cast(self, t: sp.TypeRef, v):
        t = self.resolve_type(t)
        if t.pointer > 1:
            raise SimError("a pointer to a pointer is not modelled (its step is a pointer's width)")
        if t.pointer:
            if isinstance(v, GMPtr):
                return v.retype(t.name) if t.name != "void" else v
            if isinstance(v, UBPtr):
                return UBPtr(v.addr, t.name) if t.name in DTYPES else v
            if isinstance(v, CVal) and "__ubuf__" in t.quals:
                return UBPtr(as_int(v, "UB address"), t.name)
            raise SimError("cast of an integer to a pointer is not modelled")
        if isinstance(v, UBPtr):
            return CVal(wrap(v.addr, CTYPE.get(t.name, "u64")), CTYPE.get(t.name, "u64"))
        if isinstance(v, GMPtr):
            # (uint64_t) ptr: kept opaque, but as an integer it counts bytes: `+ 4` is 4 bytes on.
            return v.retype("<address>")
        if isinstance(v, CVal):
            if t.name not in CTYPE:
                raise SimError(f"cast to '{t.name}' not modelled")
            return to_scalar_type(v, t.name)
        if isinstance(v, Sym):
            return v
        raise SimError(f"cast of {type(v).__name__} to '{t.name}' not modelled")

    # ------------------------------------------------------------------ calls
    def _arity(self, name: str, node: sp.Call, lo: int, hi: int | None = None) -> None:
        n = len(node.args)
        hi = lo if hi is None else hi
        if not lo <= n <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise SimError(f"{name} takes {want} argument(s), got {n}")

    def _vector_template_ok(self, name: str, tmpl: sp.TemplateId | None) -> None:
        """Template arguments of a vector op: only the precision choice (``*Algorithm::*``, the
        numpy model computes in the tile's dtype either way) and TFILLPAD's InPlace mode."""
        if tmpl is None:
            return
        if name == "TMRGSORT" and tmpl.args and type(tmpl.args[-1]) is sp.Literal \
                and all(self._names_tile_type(x) for x in tmpl.args[:-1]):
            # The multi-list forms' tile types (the C++ call binds each operand to its own: they
            # are the operands' types) and `exhausted`, which the op builder reads.
            return
        for x in tmpl.args:
            v = self.targ_value(x) if type(x) is sp.Name else None
            if isinstance(v, Sym) and "Algorithm::" in v.name:
                continue
            if isinstance(v, Sym) and name == "TFILLPAD" and v.leaf == "InPlace":
                continue
            raise SimError(f"template argument of {name} not modelled")

    def _names_tile_type(self, node) -> bool:
        """Whether a template argument spells a Tile type (`Tile<...>`, or an alias of one)."""
        if type(node) is sp.TemplateId:
            return node.name.rsplit("::", 1)[-1] == "Tile"
        name = self.targ_value(node) if type(node) in (sp.TypeRef, sp.Name) else None
        return isinstance(name, str) and name.rsplit("::", 1)[-1] == "Tile"

    def call(self, node: sp.Call, statement: bool = False):
        """A call. ``statement``: the call is the whole statement (``f(...);``); calls with effects
        are refused anywhere else (inside casts, conditions, initialisers, return values)."""
        func = node.func
        if type(func) is sp.Member:
            return self.pto.method(func, node.args, statement)
        if type(func) not in (sp.Name, sp.TemplateId):
            raise SimError("call of a computed function not modelled")
        name = node.callee
        tmpl = node.template
        if name in self.macros:
            raise SimError(f"'{name}' is a macro ({self._macro_origin(self.macros[name])}); macros are not expanded")
        if name in ("reinterpret_cast", "static_cast") and tmpl is not None and len(node.args) == 1 \
                and len(tmpl.args) == 1:
            return self.cast(tmpl.args[0] if type(tmpl.args[0]) is sp.TypeRef
                             else sp.TypeRef(0, 0, self.type_name(tmpl.args[0])), self.eval(node.args[0]))
        if tmpl is None and name in self.types:
            alias = self.resolve_type(sp.TypeRef(0, 0, name))
            if isinstance(alias, sp.TypeRef) and alias.template is not None:
                tmpl = alias.template
                name = alias.name
        short = name.rsplit("::", 1)[-1]
        if short in self.VALUE_CTORS and tmpl is not None and (short == name or name.startswith("pto::")):
            if short == "Tile":
                return self._new_tile("<temp>", self.tile_type(tmpl), node.args)
            if short == "GlobalTensor":
                return self._new_global_tensor(tmpl, node.args)
            if short in ("Shape", "Stride"):
                return self._new_shape(tmpl, node.args)
            return self.pto.new_pipe(tmpl, node.args)
        if name == "PTOAS__GLOBAL_TENSOR_DATA":
            self._arity(name, node, 1)
            gt = self.eval(node.args[0])
            if not isinstance(gt, GlobalTensor):
                raise SimError("PTOAS__GLOBAL_TENSOR_DATA of a non-GlobalTensor")
            return gt.ptr
        if name in ("get_block_idx", "get_block_num", "get_subblockid", "get_sub_block_id", "get_subblockdim"):
            # `get_block_idx(args)`: the pypto runtime form reads the same id from its argument array.
            self._arity(name, node, 0, 0 if name in ("get_subblockdim", "get_subblockid") else 1)
            if node.args and not isinstance(self.eval(node.args[0]), GMPtr):
                raise SimError(f"{name}(...) of something other than the runtime argument array")
            value = {"get_block_idx": self.config.block_idx, "get_block_num": self.config.block_num,
                     "get_subblockid": self.config.subblock_id, "get_sub_block_id": self.config.subblock_id,
                     "get_subblockdim": self.config.subblock_num}[name]
            return CVal(value, "i64")
        fn = self.functions.get(name)
        if fn is not None and name not in self.HELPERS_DRAIN:
            if name in self.MODELLED_CALLS or name in VECTOR_OPS or name in PIPE_FIFO_OPS:
                raise SimError(f"the file defines its own '{name}'; the simulator models the PTO one")
            if tmpl is None:
                args = [self.eval(a) for a in node.args]
                return self.call_function(fn, args)
        # ---- calls with effects: only as a whole statement
        if not statement:
            raise SimError(f"call of '{name}' inside an expression (only a call statement `{name}(...);` is run)")
        return self._statement_call(name, node, tmpl, fn)

    def _statement_call(self, name: str, node: sp.Call, tmpl: sp.TemplateId | None, fn: object):
        """A call with effects, the whole statement (``call``'s second half): a barrier, a flag,
        TASSIGN, TRESHAPE, TLOAD/TSTORE, a FIFO or vector op, TCI's scalar form, a drain."""
        if name == SCALAR_TCI and fn is None:
            return self.pto.scalar_tci(node, tmpl)
        if tmpl is not None and name not in VECTOR_OPS and name not in PIPE_FIFO_OPS \
                and name not in ("TLOAD", "TSTORE"):
            raise SimError(f"template arguments of '{name}' not modelled")
        if name == "pipe_barrier":
            self._arity(name, node, 1)
            pipe = self.eval(node.args[0])
            if not isinstance(pipe, Sym) or pipe.leaf not in self.KNOWN_PIPES:
                raise SimError(f"pipe_barrier on {describe(pipe)} not modelled")
            if pipe.leaf in ("PIPE_V", "PIPE_ALL"):
                self.sched.drain()
            # Other pipes: the model keeps their steps in program order already.
            return None
        if name in ("set_flag", "wait_flag"):
            self._arity(name, node, 3)
            return self.pto.flag(name, [self.eval(x) for x in node.args])
        if name in self.NOOP_CALLS:
            return None
        spec = OPS.get(name)
        if spec is not None and spec.drains_all_first:
            # TPRINT: pipe_barrier(PIPE_ALL), then scalar reads and printf, no vector work (ops.OPS).
            if spec.nargs and len(node.args) not in spec.nargs:
                raise SimError(f"{name} with {len(node.args)} operands is not modelled")
            self.sched.drain()
            return None
        if name in self.HELPERS_DRAIN:
            # ptoas's tail helper: pipe_barrier(PIPE_ALL) in its default mode; its other mode is an
            # MTE3 -> S flag pair, which waits for no vector work.
            mode = self.eval(node.args[0]) if node.args else None
            leaf = mode.leaf if isinstance(mode, Sym) else None
            if mode is None or leaf == "kBarrierAll":
                self.sched.drain()
            elif leaf != "kSetWaitMte3ToSEvent0":
                raise SimError(f"{name} mode {describe(mode)} not modelled")
            return None
        if name == "TASSIGN":
            self._arity(name, node, 2)
            return self.pto.tassign(node.args)
        if name == "TRESHAPE":
            self._arity(name, node, 2)
            dst, src = self.eval(node.args[0]), self.eval(node.args[1])
            if not isinstance(dst, TileVar) or not isinstance(src, TileVar):
                raise SimError("TRESHAPE needs two tiles")
            if dst.type.nbytes > src.type.nbytes:
                raise SimError(f"TRESHAPE: {dst.name} is larger than {src.name}")
            dst.addr = src.addr
            return None
        if name in ("TLOAD", "TSTORE"):
            if tmpl is not None:
                raise SimError(f"template arguments of {name} (atomic or phase modes) not modelled")
            self._arity(name, node, 2)
            return self.pto.load_store(name, node)
        if name in PIPE_FIFO_OPS:
            return self.pto.fifo_op(name, node)
        if name in VECTOR_OPS:
            self._vector_template_ok(name, tmpl)
            return self.pto.vector_op(name, node)
        if fn is not None:
            raise SimError(f"template arguments of '{name}' not modelled")
        raise SimError(f"unknown op or function '{name}'")

    def statement_id(self) -> int:
        """The id of the statement running (pto_calls.Evaluator)."""
        assert self.cur_stmt is not None
        return self.table.id_of(self.cur_stmt, self.source, self.cur_fn)

    def stamp(self) -> tuple:
        """The loop iterations around the statement running (pto_calls.Evaluator)."""
        return tuple(self.loop_stack)


def _as_statement(node):
    """A for-header clause as a statement: `i++`/`--i` -> `i += 1`/`i -= 1`, `i = e` -> AssignStmt."""
    if type(node) is sp.IncDec and type(node.operand) is sp.Name:
        one = sp.Number(node.end, node.end, "1")
        return sp.AssignStmt(node.start, node.end, node.operand, "+=" if node.op == "++" else "-=", one)
    if type(node) is sp.Assign:
        return sp.AssignStmt(node.start, node.end, node.target, node.op, node.value)
    return node
