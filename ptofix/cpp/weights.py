"""How often a statement runs: the weight used to choose between barrier removals that conflict.

A statement's weight is the product of the trip counts of the loops around it: a constant trip
count when the `for` header is `i = A; i < B; i += S` (or `<=`, `++`) with constant values, else
``UNKNOWN_TRIPS``. `if` branches and `#if` sections count like straight code (an estimate, not
a bound); the user can override any barrier's weight by line (`--weight LINE=N`).
"""
from __future__ import annotations

from . import stmt_parser as A
from .model import Compound, ForStmt, Function, IfStmt, PPIfStmt, SimpleStmt, Stmt, SwitchStmt
from .semantics import FunctionSemantics

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

UNKNOWN_TRIPS: Final = 16


def trip_count(sem: FunctionSemantics, loop: ForStmt) -> int | None:
    parts = sem.header_parts.get(id(loop), (None, None, None))
    if any(part is None for part in parts):
        return None
    init, cond, step = sem.header_ast(loop.init, True), sem.header_ast(loop.cond, False), \
        sem.header_ast(loop.step, False)
    env = {}
    for part in parts:
        env.update(part.env)
    if isinstance(init, A.Decl) and init.init is not None:
        var, start = init.name, init.init
    elif isinstance(init, A.Assign) and isinstance(init.target, A.Name) and init.op == "=":
        var, start = init.target.id, init.value
    else:
        return None
    if not (isinstance(cond, A.Binary) and cond.op in ("<", "<=") and isinstance(cond.left, A.Name)
            and cond.left.id == var):
        return None
    if isinstance(step, A.Assign) and step.op == "+=" and isinstance(step.target, A.Name) and step.target.id == var:
        stride = sem.values.eval(step.value, env)
    elif isinstance(step, A.IncDec) and step.op == "++" and isinstance(step.operand, A.Name) \
            and step.operand.id == var:
        stride = frozenset({1})
    else:
        return None
    lo, hi = sem.values.eval(start, env), sem.values.eval(cond.right, env)
    if not lo or not hi or not stride or len(lo) != 1 or len(hi) != 1 or len(stride) != 1:
        return None
    a, b, s = next(iter(lo)), next(iter(hi)), next(iter(stride))
    if s <= 0:
        return None
    end = b + 1 if cond.op == "<=" else b
    return max(0, -(-(end - a) // s))


def statement_weights(fn: Function, sem: FunctionSemantics) -> dict[int, int]:
    """id(SimpleStmt) -> how many times it runs per call of ``fn`` (estimated)."""
    weights: dict[int, int] = {}
    # A module-level walk, not a nested function: a nested recursive one refers to itself (and
    # so to `weights` and `sem`), a cycle that outlives the call while the collector is paused.
    _visit(fn.body, 1, sem, weights)
    return weights


def _visit(stmt: Stmt | None, factor: int, sem: FunctionSemantics, weights: dict[int, int]) -> None:
    if stmt is None:
        return
    if isinstance(stmt, SimpleStmt):
        weights[id(stmt)] = factor
    elif isinstance(stmt, Compound):
        for item in stmt.body:
            _visit(item, factor, sem, weights)
    elif isinstance(stmt, ForStmt):
        trips = trip_count(sem, stmt)
        _visit(stmt.body, factor * (UNKNOWN_TRIPS if trips is None else max(trips, 0)), sem, weights)
    elif isinstance(stmt, IfStmt):
        _visit(stmt.then, factor, sem, weights)
        _visit(stmt.orelse, factor, sem, weights)
    elif isinstance(stmt, SwitchStmt):
        for item in stmt.body:
            _visit(item, factor, sem, weights)
    elif isinstance(stmt, PPIfStmt):
        for branch in stmt.branches:
            for item in branch.body:
                _visit(item, factor, sem, weights)
