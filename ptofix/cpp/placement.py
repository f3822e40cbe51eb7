"""Broken tile placements for `ptofix check`: a Vec tile whose `TASSIGN` puts it past the UB, or
inside the hidden scratch that a row-expand op of the same function overwrites
(docs/reference/pto-facts.md §2.3, §3).

Both are bugs of the kernel, not of its synchronisation: the first faults on the NPU (pto-dsl's FA
reference kernel places Vec tiles at 192..450 KiB and stops on an A3 with an AI-core address-check
exception), the second computes garbage (the op's broadcast overwrites the tile's bytes whatever
barriers surround it). A placement is reported only where the model knows the address: an address
it cannot compute is no finding (the barrier proof takes such a tile's bytes as unknown anyway).
The C++ does not say its architecture: a placement wrong on every architecture ``check`` may assume
(all, or the one ``--arch`` names) is an error, one wrong on some of them a warning naming them.
"""
from __future__ import annotations

from ..located import DiagnosticLine, Located
from ..pto.tiles import HIDDEN_SCRATCH, HIDDEN_SCRATCH_ARCHS, UB_BYTES_BY_ARCH
from . import stmt_parser as A
from .cfg_events import UB_SPACE
from .keywords import strip_pto
from .model import CppFile, Function, SimpleStmt
from .symbols import Kind
from .vector_cfg import FunctionCFG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .barriers import BarrierAnalysis

# Report at most this many addresses of one TASSIGN (a loop may give it many).
_SHOWN_ADDRESSES = 4
PAST_UB = "past-ub"
IN_SCRATCH = "hidden-scratch"


def arch_names(archs: list[str]) -> str:
    """``["a2", "a3"]`` -> ``"A2/A3"``."""
    return "/".join(arch.upper() for arch in archs)


class Placement:
    """One broken placement: where its TASSIGN is, what is wrong, on which archs, and the bytes."""

    __slots__ = ("fn", "stmt", "tile", "kind", "addresses", "nbytes", "wrong_on", "fine_on", "user")

    def __init__(self, fn: Function, stmt: SimpleStmt, tile: str, kind: str, addresses: list[int], nbytes: int,
                 wrong_on: list[str], fine_on: list[str], user: SimpleStmt | None = None) -> None:
        self.fn = fn
        self.stmt = stmt
        self.tile = tile
        self.kind = kind              # PAST_UB | IN_SCRATCH
        self.addresses = addresses    # the bad ones among the addresses the TASSIGN may give
        self.nbytes = nbytes
        self.wrong_on = wrong_on      # the archs (of those assumed) on which it is broken
        self.fine_on = fine_on        # the assumed archs on which it is not
        self.user = user              # IN_SCRATCH: the row-expand op that overwrites it

    @property
    def severity(self) -> str:
        return "warning" if self.fine_on else "error"

    def message(self, location: str, user_location: str | None) -> DiagnosticLine:
        """The diagnostic at ``location`` (a located.Place), its place and text kept (SARIF reads them)."""
        ranges = ", ".join(f"[{a}, {a + self.nbytes})" for a in self.addresses[:_SHOWN_ADDRESSES])
        if len(self.addresses) > _SHOWN_ADDRESSES:
            ranges += f" and {len(self.addresses) - _SHOWN_ADDRESSES} more"
        head = f"Vec tile '{self.tile}' ({self.nbytes} bytes)"
        tail = f" (not on {arch_names(self.fine_on)}; --arch says which)" if self.fine_on else ""
        if self.kind == PAST_UB:
            by_size: dict[int, list[str]] = {}
            for arch in self.wrong_on:
                by_size.setdefault(UB_BYTES_BY_ARCH[arch], []).append(arch)
            if len(by_size) == 1:
                ub = f"the {next(iter(by_size)) // 1024} KiB UB of {arch_names(self.wrong_on)}"
            else:
                ub = "the UB (" + ", ".join(f"{size // 1024} KiB on {arch_names(archs)}"
                                            for size, archs in sorted(by_size.items())) + ")"
            return DiagnosticLine(location, self.severity,
                                  f"{head} is placed past {ub}: bytes {ranges}; the NPU faults or touches other "
                                  f"memory there{tail}")
        lo, hi = HIDDEN_SCRATCH
        # (The op's place kept as data: the text report writes it ``line:col`` in its file.)
        return DiagnosticLine(location, self.severity,
                              Located(f"{head} is placed inside the hidden UB scratch [{lo}, {hi}) of "
                                      f"{arch_names(self.wrong_on)}: bytes {ranges}; the row-expand op at ",
                                      user_location or "None",
                                      f" broadcasts into that scratch and overwrites it{tail}"))

    def to_json(self, location: str, user_location: str | None) -> dict:
        return {"location": location, "function": self.fn.name, "tile": self.tile, "kind": self.kind,
                "severity": self.severity, "bytes": [[a, a + self.nbytes] for a in self.addresses],
                "archs": self.wrong_on, "scratch_user": user_location,
                "message": self.message(location, user_location)}


def find_placements(model: CppFile, analysis: BarrierAnalysis, arch: str | None = None) -> list[Placement]:
    """Every TASSIGN (of a function the model reads) that places a Vec tile past the UB, or inside
    the hidden scratch while a row-expand of that function surely uses the scratch, on ``arch`` (or
    on any architecture when None)."""
    archs = [arch] if arch is not None else sorted(UB_BYTES_BY_ARCH)
    found: list[Placement] = []
    for fn in model.functions:
        cfg = analysis.cfg(fn)
        user = _scratch_user(cfg)
        for stmt in fn.statements():
            if not isinstance(stmt, SimpleStmt):
                continue
            placement = _placement(fn, cfg, stmt, user, archs)
            if placement is not None:
                found.append(placement)
    return found


def _scratch_user(cfg: FunctionCFG) -> SimpleStmt | None:
    """The first op of the function that surely broadcasts into the hidden scratch (a row-expand
    whose per-row operand takes the vbrcb path), or None."""
    for event in cfg.events:
        if event.op.endswith(".vbrcb") and isinstance(event.stmt, SimpleStmt):
            return event.stmt
    return None


def _placement(fn: Function, cfg: FunctionCFG, stmt: SimpleStmt, user: SimpleStmt | None,
               archs: list[str]) -> Placement | None:
    info = cfg.sem.info.get(id(stmt))
    if info is None or info.kind is not Kind.NOP or "TASSIGN" not in stmt.text:
        return None
    ast = stmt.ast
    if not isinstance(ast, A.ExprStmt) or not isinstance(ast.expr, A.Call):
        return None
    call = ast.expr
    func = call.func
    name = func.id if isinstance(func, A.Name) else func.name if isinstance(func, A.TemplateId) else ""
    if strip_pto(name) != "TASSIGN" or not call.args or not isinstance(call.args[0], A.Name):
        return None
    # The two forms the model binds: TASSIGN(tile, addr) and TASSIGN<addr>(tile).
    tmpl = call.template
    addr = call.args[1] if tmpl is None and len(call.args) == 2 else \
        tmpl.args[0] if tmpl is not None and len(tmpl.args) == 1 and len(call.args) == 1 else None
    sym = info.env.get(call.args[0].id)
    if addr is None or sym is None or sym.kind != "tile" or sym.tile is None or sym.tile.space != UB_SPACE:
        return None
    nbytes = sym.tile.nbytes
    values = cfg.values.eval(addr, info.env)
    if nbytes is None or values is None:
        return None
    addresses = sorted(a for a in values if isinstance(a, int))
    wrong = [arch for arch in archs if any(a < 0 or a + nbytes > UB_BYTES_BY_ARCH[arch] for a in addresses)]
    if wrong:
        # (The bytes shown are those past the smallest UB it passes.)
        limit = min(UB_BYTES_BY_ARCH[arch] for arch in wrong)
        past = [a for a in addresses if a < 0 or a + nbytes > limit]
        return Placement(fn, stmt, sym.name, PAST_UB, past, nbytes, wrong, [a for a in archs if a not in wrong])
    lo, hi = HIDDEN_SCRATCH
    inside = [a for a in addresses if a < hi and lo < a + nbytes]
    wrong = [arch for arch in archs if arch in HIDDEN_SCRATCH_ARCHS]
    if inside and user is not None and wrong:
        return Placement(fn, stmt, sym.name, IN_SCRATCH, inside, nbytes, wrong,
                         [a for a in archs if a not in wrong], user)
    return None
