"""The record of each tile's valid shape and address of a function, statement by statement
(TileHistory, over tile_flow.TileFlow), and the view of each tile each vector op is given."""
from __future__ import annotations

from . import stmt_parser as A
from .keywords import strip_pto as _strip_pto
from .model import SimpleStmt, Stmt
from .symbols import (
    COPIED_SHAPE,
    UNKNOWN_DEF,
    UNKNOWN_SHAPE,
    Kind,
    Scope,
    StmtInfo,
    Symbol,
    entry_count,
    same_fingerprint,
    static_storage,
    tile_fingerprint,
)
from .tile_flow import TileFlow, TileRecord


class TileHistory:
    """Where each tile's valid shape and address come from, statement by statement (tile_flow), for
    the statements of one function as they are read: ``info`` and ``symbols`` are the function's
    (FunctionSemantics.info, FunctionState.symbols)."""

    def __init__(self, info: dict[int, StmtInfo], symbols: list[Symbol]) -> None:
        self.info = info
        self.symbols = symbols
        self.flow = TileFlow()
        self.shadows: list[Symbol] = []      # the symbols of the views flow_views gives the ops

    def note_tiles(self, stmt: Stmt, scope: Scope, symbols_before: int) -> None:
        """After a statement that holds no other statement: what it did to each tile it names
        (its environment: every variable a statement changes is one it names, or one it declares),
        and where a vector op is. (A change missed here shows at the tile's next record, where it
        matches no form, or in the sweep at the end: the tile is then blind.)"""
        flow = self.flow
        info = self.info.get(id(stmt))
        if info is None:
            return
        for sym in info.env.values():
            if sym.kind == "tile" and sym.uid not in flow.blind:
                self.note_tile(stmt, sym, symbols_before)
        ast = stmt.ast if isinstance(stmt, SimpleStmt) and stmt.is_parsed() else None
        if isinstance(ast, A.Decl) and ast.name:
            declared = scope.lookup(ast.name)
            if declared is not None and declared.kind == "tile" and declared.uid >= symbols_before:
                self.note_tile(stmt, declared, symbols_before)
        if info.kind is Kind.VECTOR_OP:
            flow.ops[id(stmt)] = (stmt.start_offset(), tuple(flow.path), flow.loops[-1] if flow.loops else None)

    def note_tile(self, stmt: Stmt, sym: Symbol, symbols_before: int, first_use: bool = False) -> None:
        """``first_use``: the tile's unbound first state may be what ``stmt`` uses (_block)."""
        flow = self.flow
        if not flow.enabled or sym.uid in flow.blind:
            return
        now = tile_fingerprint(sym)
        then = flow.seen.get(sym.uid)
        if then is None:
            record = self._tile_declared(stmt, sym) if sym.uid >= symbols_before and not first_use else None
        elif same_fingerprint(now, then):
            return
        elif first_use:
            # The one binding _block added, and nothing else: one possibility more, from here on.
            added = now[1] - then[1] == 1 and now[0] == then[0] and now[2] is then[2] and now[3] == then[3] \
                and now[4] is then[4]
            record = TileRecord(stmt.start_offset(), tuple(flow.path), False, None, False, sym.bindings[-1:]) \
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
                or sym.type_ref.ref or sym.type_ref.pointer or static_storage(sym):
            return None
        if sym.valid_ctor is not None:
            shape = list(sym.valid_ctor)
        elif tt.valid_row is not None and tt.valid_col is not None:
            shape = [(tt.valid_row, tt.valid_col, None)]
        else:
            shape = [UNKNOWN_SHAPE]
        path = tuple(self.flow.path)
        return TileRecord(stmt.start_offset(), path, True, shape, True, list(sym.bindings))

    def _tile_changed(self, stmt: Stmt, sym: Symbol, then: tuple) -> TileRecord | None:
        """The record of what ``stmt`` did to a tile it names, from the change it made to the
        tile's entries (``then``: their fingerprint before) and the statement's form; None for
        a change of any other kind (the tile is then blind)."""
        defs_added = len(sym.defs) - then[0]
        bindings_added = sym.bindings[then[1]:]
        shape_kept = sym.valid_ctor is then[2] and entry_count(sym.valid_ctor) == then[3]
        path = tuple(self.flow.path)
        offset = stmt.start_offset()
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

    def flow_views(self, blocked: bool) -> None:
        """Give each vector op a view of each tile operand with only the entries that reach it
        (tile_flow): a symbol of its own in the op's environment, read by the value model as any
        tile. Nothing where a jump, a macro or an unread statement may change control flow or
        any variable (the flow-insensitive union then stays)."""
        flow = self.flow
        if not flow.enabled or blocked:
            flow.disable()
            return
        for uid, seen in flow.seen.items():
            # A change no statement naming the tile showed (a `for` or `if` header's): blind.
            if not same_fingerprint(tile_fingerprint(self.symbols[uid]), seen):
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
                view = Symbol(sym.name, len(self.symbols) + len(self.shadows), "tile")
                view.origin = sym.origin if sym.origin is not None else sym
                view.tile = sym.tile
                view.type_ref = sym.type_ref
                view.defs = sym.defs
                view.valid_ctor = shape if shape is not None else sym.valid_ctor
                view.bindings = address if address is not None else sym.bindings
                self.shadows.append(view)
                if env is None:
                    env = dict(info.env)
                env[name] = view
            if env is not None:
                info.env = env
        flow.disable()
