"""Pipe inventory of a PTO IR module, and ptoas's own FlagID (``flag_base``) assignment rule.

Used by the LocalSlotNum pass on the C++ side to tie ``TPipe<FlagID, Direction, SlotSize,
SlotNum, LocalSlotNum, NoSplit>`` tokens back to the IR's pipe init ops.

Public API::

    pipe_inits(module) -> list[PipeInit]
    effective_slot_num(init, version) -> int
    assign_flag_bases(inits, version) -> dict[int, int]      # index in `inits` -> flag_base

The TPipe template itself (direction tokens, flag width, argument orders) is ``ptofix.pto.tpipe``.

Facts: docs/reference/pto-ir.md §2 (lowering, flag_base) and docs/reference/pto-facts.md §4.3; the allocation rule
follows PTOAS ``lib/PTO/Transforms/PTOResolveReservedBuffersPass.cpp`` (newest): peer init ops
(the cube and vector side of one logical pipe, joined through ``reserve_buffer`` /
``import_reserved_buffer`` names, or through the frontend id for global-only pipes) form a
component; since PTOAS dfee92e1 (after v0.45) components are sorted by (frontend id, dir_mask,
creation order), lowered inits without frontend id after them in creation order (older versions:
creation order only); creation order walks all ``l2l`` inits, then
all ``l2g2l`` inits. Each component takes its explicit flag_base, or else the first free even
base of width 2 (single direction) or 4 (DIR_BOTH) that overlaps nothing already used in any of
its functions; all ids must fit in 16. A lowered init whose local buffer is no reserve/import
buffer joins no component: it keeps its explicit flag_base and reserves nothing (ptoas does not
record it). The id-less era (<= 2026-04-17) uses ``value_or(0)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import regex_cache
from ..pto.tpipe import GM_SUFFIX, MASK_DIRECTIONS, direction_token, flag_width, render
from ..source import PtofixError, SourceText, Span
from .model import Module, Operation, mlir_string
from .versions import Version, resolve

# opspecs and printer (~4 ms interpreted) are imported where pipe init ops are read: `ptofix --help`
# loads this module (build's plan) without reading any.

INIT_OPS = ("pto.aic_initialize_pipe", "pto.aiv_initialize_pipe", "pto.initialize_l2g2l_pipe",
            "pto.initialize_l2l_pipe")
FRONTEND_INIT_OPS = INIT_OPS[:2]

#: frontend defaults (PTOLowerFrontendPipeOpsPass: kSingleDirectionSlotNum / kBidirectionalSlotNum)
SINGLE_DIRECTION_SLOT_NUM = 8
BIDIRECTIONAL_SLOT_NUM = 4
MAX_FLAG_IDS = 16
FLAG_ALIGNMENT = 2

_KIND_RE = regex_cache.compile(r"pto\.kernel_kind\s*=\s*#pto\.kernel_kind<\s*(cube|vector)\s*>")


@dataclass
class PipeInit:
    op: str                          # full op name, e.g. "pto.initialize_l2g2l_pipe"
    func: str | None                 # enclosing func.func symbol
    kernel_kind: str | None          # "cube" | "vector" | None
    dir_mask: int
    slot_size: int
    slot_num: int | None             # explicit slot_num, else None
    local_slot_num: int | None
    flag_base: int | None            # explicit flag_base, else None
    id: int | None                   # frontend `id` attribute (explicit), else None
    nosplit: bool | None
    has_local_addr: bool
    global_only: bool
    span: Span
    line: int
    frontend_id: int | None = None   # `id` (default 0) for frontend inits, `__pto.frontend_id` for lowered ones
    peer_keys: list[tuple[str, str, int]] = field(default_factory=list)   # (owner func, buffer name, dir)
    result: str | None = None        # the result SSA name (`%p0`; frontend inits have none)
    operands: dict[str, str] = field(default_factory=dict)               # role -> SSA name

    @property
    def is_frontend(self) -> bool:
        return self.op in FRONTEND_INIT_OPS

    @property
    def direction(self) -> str:
        return direction_token(self.dir_mask)


def kernel_kind_of(op: Operation) -> str | None:
    """``cube``/``vector`` from the nearest ``pto.section.*`` or the function's ``pto.kernel_kind``."""
    for anc in op.ancestors():
        if anc.name in ("pto.section.cube", "pto.section.vector"):
            return anc.name.rsplit(".", 1)[1]
        if anc.name == "func.func":
            if anc.is_generic:
                a = anc.attr("pto.kernel_kind")
                m = _KIND_RE.search(f"pto.kernel_kind = {a.value_text}") if a is not None else None
                return m.group(1) if m else None
            m = _KIND_RE.search(anc.header_text)
            return m.group(1) if m else None
    return None


def _definitions(func: Operation | None, module: Module) -> dict[str, Operation]:
    scope = func.walk() if func is not None else module.walk()
    out: dict[str, Operation] = {}
    for op in scope:
        for r in op.results:
            out.setdefault(r.name, op)
    return out


def _symbol_name(ref: object, source: SourceText, offset: int) -> str:
    """A flat symbol reference's name as MLIR reads it: `@cube_a` and `@"cube\\5fa"` are one symbol
    (a quoted name is unescaped). A nested reference (`@a::@b`) names no function of the module."""
    text = str(ref).strip().removeprefix("@")
    if "::" in text.replace('"', "") and not text.startswith('"') or "::@" in text:
        raise PtofixError(f"a nested symbol reference (@{text}) names no function of the module", source, offset)
    if text.startswith('"'):
        name = mlir_string(text) if len(text) >= 2 and text.endswith('"') else None
        if name is None:
            raise PtofixError(f"cannot read the symbol reference @{text}", source, offset)
        return name
    return text


def _buffer_key(defn: Operation | None, func: str | None, source: SourceText) -> tuple[str, str] | None:
    if defn is None:
        return None
    name = defn.attr("name")
    if name is None or name.kind != "string":
        return None
    if defn.name == "pto.reserve_buffer":
        return (func or "", name.value)
    if defn.name == "pto.import_reserved_buffer":
        peer = defn.attr("peer_func")
        return (_symbol_name(peer.value, source, peer.span.start) if peer is not None else "", name.value)
    return None


def pipe_inits(module: Module) -> list[PipeInit]:
    """Every pipe init op of the module in textual order, custom or generic form."""
    from .opspecs import SPECS
    from .printer import read_op

    source = module.source
    defs_cache: dict[int, dict[str, Operation]] = {}
    out: list[PipeInit] = []
    aliases = module.type_aliases()
    for op in module.walk():
        if op.name not in INIT_OPS or not (op.is_generic or op.parsed_custom):
            continue
        spec = SPECS[op.name]
        canon = read_op(op, spec, source, aliases=aliases)
        func_op = op.enclosing_func()
        func = func_op.symbol if func_op is not None else None
        key = id(func_op)
        if key not in defs_cache:
            defs_cache[key] = _definitions(func_op, module)
        defs = defs_cache[key]
        roles = {name: (v.name if not isinstance(v, list) else ",".join(x.name for x in v))
                 for name, (v, _t) in canon.operands.items()}
        dir_mask = canon.int("dir_mask") or 0
        explicit_id = canon.int("id")
        if op.name in FRONTEND_INIT_OPS:
            if dir_mask == 1:
                local = [("c2v_consumer_buf", 1)]
            elif dir_mask == 2:
                local = [("v2c_consumer_buf", 2)]
            else:
                local = [("c2v_consumer_buf", 1), ("v2c_consumer_buf", 2)]
            has_local = any(r in roles for r, _ in local)
            global_only = "gm_slot_tensor" in roles and not ("c2v_consumer_buf" in roles or "v2c_consumer_buf" in roles)
            frontend_id: int | None = explicit_id if explicit_id is not None else 0
        else:
            if dir_mask == 3:
                local = [("local_addr", 1), ("peer_local_addr", 2)]
            else:
                local = [("local_addr", dir_mask)]
            has_local = "local_addr" in roles
            global_only = op.name == "pto.initialize_l2g2l_pipe" and not has_local
            fid = op.attr("__pto.frontend_id")
            frontend_id = int(fid.value) if fid is not None and fid.kind == "int" else None
        peer_keys = []
        if not global_only:
            for role, d in local:
                if role in roles:
                    bk = _buffer_key(defs.get(roles[role]), func, source)
                    if bk is not None:
                        peer_keys.append((bk[0], bk[1], d))
        ns = canon.attrs.get("nosplit")
        out.append(PipeInit(
            op=op.name, func=func, kernel_kind=kernel_kind_of(op), dir_mask=dir_mask,
            slot_size=canon.int("slot_size") or 0, slot_num=canon.int("slot_num"),
            local_slot_num=canon.int("local_slot_num"), flag_base=canon.int("flag_base"), id=explicit_id,
            nosplit=bool(ns[1]) if ns is not None else None, has_local_addr=has_local, global_only=global_only,
            span=op.span, line=source.line_col(op.span.start)[0], frontend_id=frontend_id,
            peer_keys=peer_keys, operands=roles, result=op.results[0].name if op.results else None))
    return out


def effective_slot_num(init: PipeInit, version: Version | str = "newest") -> int:
    """SlotNum ptoas uses: explicit slot_num (frontend ops honour it from v0.45), else 8 / 4 (DIR_BOTH)."""
    v = resolve(version)
    default = BIDIRECTIONAL_SLOT_NUM if init.dir_mask == 3 else SINGLE_DIRECTION_SLOT_NUM
    if init.slot_num is None:
        return default
    if init.is_frontend and v < resolve("v0.45"):
        return default
    return init.slot_num


def effective_local_slot_num(init: PipeInit, version: Version | str = "newest", arch: str | None = None) -> int:
    """LocalSlotNum EmitC emits: explicit local_slot_num, else SlotNum; l2l is always 2 (§2), a
    frontend init lowered to l2l on A5 too."""
    if _lowered_to_l2l(init, arch):
        return 2
    v = resolve(version)
    if init.local_slot_num is not None and not (init.is_frontend and v < resolve("v0.35")) and not init.global_only:
        return init.local_slot_num
    return effective_slot_num(init, v)


@dataclass
class _Component:
    members: list[int]
    funcs: set[str]
    width: int
    explicit: int | None
    sort_key: tuple[Any, ...]


def _unkeyed(p: PipeInit) -> bool:
    """A lowered init with a local buffer that is no reserve/import buffer and an explicit
    flag_base (PTOResolveReservedBuffersPass.cpp collectPeerAwareInit, v0.45 393929e9 and newest
    e32488c9: such an init is not recorded)."""
    return not p.is_frontend and not p.global_only and not p.peer_keys and p.flag_base is not None


def _lowered_to_l2l(p: PipeInit, arch: str | None) -> bool:
    """An l2l pipe: written so, or a frontend init of a local pipe on A5 (§2)."""
    return p.op == "pto.initialize_l2l_pipe" or (p.is_frontend and arch == "a5" and not p.global_only
                                                 and "gm_slot_tensor" not in p.operands)


def _components(inits: list[PipeInit], arch: str | None = None, sort_by_frontend_id: bool = True,
                skip: set[int] | None = None) -> list[_Component]:
    # creation order: all l2l inits first, then l2g2l (frontend inits lower to l2l on A5 for local pipes)
    skip = skip or set()
    order = [i for i, p in enumerate(inits) if _lowered_to_l2l(p, arch) and i not in skip] + \
            [i for i, p in enumerate(inits) if not _lowered_to_l2l(p, arch) and i not in skip]
    parent = {i: i for i in order}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i in order:
        p = inits[i]
        keys: list[tuple] = []
        if p.global_only:
            fid = p.frontend_id if p.frontend_id is not None else f"op{i}"
            keys.append(("__pto_globaltensor_pipe", fid, p.dir_mask))
        else:
            keys.extend(p.peer_keys)
        for k in keys:
            if k in owner:
                a, b = find(owner[k]), find(i)
                if a != b:
                    parent[b] = a
            else:
                owner[k] = i
    comps: dict[int, list[int]] = {}
    roots: list[int] = []
    for i in order:
        r = find(i)
        if r not in comps:
            comps[r] = []
            roots.append(r)
        comps[r].append(i)
    out: list[_Component] = []
    for creation, r in enumerate(roots):
        members = comps[r]
        dm = inits[members[0]].dir_mask
        explicit = None
        for m in members:
            if inits[m].flag_base is not None:
                explicit = inits[m].flag_base if explicit is None else explicit
        fids = [front for m in members if (front := inits[m].frontend_id) is not None]
        key = (0, min(fids), dm, creation) if fids else (1, 0, 0, creation)
        out.append(_Component(members, {inits[m].func or "" for m in members}, flag_width(MASK_DIRECTIONS.get(dm)),
                              explicit, key))
    if sort_by_frontend_id:
        out.sort(key=lambda c: c.sort_key)
    return out


class FlagBaseConflict(ValueError):
    """Why ptoas would reject the module's pipe inits, and ``index``: the init (in ``inits``) it is
    about, which an error points at."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def assign_flag_bases(inits: list[PipeInit], version: Version | str = "newest",
                      arch: str | None = None) -> dict[int, int]:
    """flag_base ptoas gives each init (index in ``inits`` -> flag_base), per the version's rule.

    Raises FlagBaseConflict (a ValueError) when ptoas would reject the module (conflicting explicit flag_base in one
    component, overlapping explicit ranges, more than 16 flag ids)."""
    v = resolve(version)
    # The (frontend id, dir_mask, creation) sort arrived with PTOAS dfee92e1 (2026-06-14), after
    # v0.45 (2026-06-08); before it components were allocated in creation order (all l2l, then
    # all l2g2l, in module walk order). Checked with `git log -S` on PTOResolveReservedBuffersPass.cpp.
    result: dict[int, int] = {}
    if v > resolve("2026-04-17"):
        # An init whose local buffer is not a reserve_buffer/import_reserved_buffer joins no
        # component: ptoas takes its explicit flag_base as it is and reserves nothing for it
        # (collectPeerAwareInit records only inits it can key; without flag_base it is an error).
        for i, p in enumerate(inits):
            if _unkeyed(p):
                result[i] = p.flag_base      # type: ignore[assignment]
            elif not p.is_frontend and not p.global_only and not p.peer_keys:
                raise FlagBaseConflict(f"{p.op} without flag_base needs its local buffer to come from "
                                       "pto.reserve_buffer or pto.import_reserved_buffer", i)
    comps = _components(inits, arch, sort_by_frontend_id=v > resolve("v0.45"),
                        skip=set(result))
    for comp in comps:
        # (Every era: an explicit value in the peer group wins, two different ones are an error.)
        explicit_values = {flag for m in comp.members if (flag := inits[m].flag_base) is not None}
        if len(explicit_values) > 1:
            raise FlagBaseConflict(f"conflicting explicit flag_base across peer pipe inits: {sorted(explicit_values)}",
                                   comp.members[0])
    if v <= resolve("2026-04-17"):
        # HW-HEAD: explicit flag_base in the peer group wins, otherwise value_or(0).
        for comp in comps:
            base = comp.explicit if comp.explicit is not None else 0
            for m in comp.members:
                result[m] = base
        return result
    used: dict[str, list[tuple[int, int]]] = {}
    for comp in comps:
        if comp.explicit is not None:
            base = comp.explicit
            for f in comp.funcs:
                for lo, hi in used.get(f, []):
                    if base < hi and lo < base + comp.width:
                        # (At the init that states the explicit flag_base.)
                        stated = [m for m in comp.members if inits[m].flag_base is not None]
                        raise FlagBaseConflict(f"conflicting flag_base {base} across peer pipe init components "
                                               f"in @{f}", (stated or comp.members)[0])
        else:
            base = 0
            while True:
                base = base + (base % FLAG_ALIGNMENT)
                nxt = base + FLAG_ALIGNMENT
                conflict = False
                for f in comp.funcs:
                    for lo, hi in used.get(f, []):
                        if base < hi and lo < base + comp.width:
                            conflict = True
                            nxt = max(nxt, hi + (hi % FLAG_ALIGNMENT))
                if not conflict:
                    break
                base = nxt
        if base + comp.width > MAX_FLAG_IDS:
            raise FlagBaseConflict(f"pipe components need more than {MAX_FLAG_IDS} hardware flag ids",
                                   comp.members[0])
        for f in comp.funcs:
            used.setdefault(f, []).append((base, base + comp.width))
        for m in comp.members:
            result[m] = base
    return result


def cpp_direction(init: PipeInit, arch: str | None) -> str:
    """The ``Direction::`` token ptoas prints for an init: on A5 a pipe lowered to
    ``initialize_l2g2l_pipe`` (a GM-staged one: written so, or a frontend init on a GM tensor or
    with no local buffer) prints DIR_C2V_GM / DIR_V2C_GM; a local one (l2l) and every a3 pipe the
    plain token (docs/reference/pto-ir.md §2)."""
    staged = init.op == "pto.initialize_l2g2l_pipe" or (init.is_frontend and (init.global_only
                                                                             or "gm_slot_tensor" in init.operands))
    return direction_token(init.dir_mask, gm=arch == "a5" and staged)


def pipes_per_function(inits: list[PipeInit], gm_staged: bool = False) -> dict[str, int]:
    """Per function, how many TPipes ptoas declares for ``inits`` (one per init); ``gm_staged``:
    only those that print DIR_C2V_GM / DIR_V2C_GM when compiled for A5 (cpp_direction). The C++
    side checks a sidecar's or an IR's inits against its own TPipes with these counts."""
    counts: dict[str, int] = {}
    for init in inits:
        if init.func and (not gm_staged or (init.dir_mask in MASK_DIRECTIONS
                                            and cpp_direction(init, "a5").endswith(GM_SUFFIX))):
            counts[init.func] = counts.get(init.func, 0) + 1
    return counts


def tpipe_token(init: PipeInit, flag_base: int, version: Version | str = "newest", nosplit: bool | None = None,
                arch: str | None = None) -> str:
    """The ``TPipe<...>`` token EmitC prints for an init (docs/reference/pto-ir.md §2); nosplit defaults to
    the explicit value or False (ptoas infers it from users when absent)."""
    direction = cpp_direction(init, arch)
    ns = nosplit if nosplit is not None else bool(init.nosplit)
    return render(flag_base, direction, init.slot_size, effective_slot_num(init, version),
                  effective_local_slot_num(init, version, arch), ns)


__all__ = ["FlagBaseConflict", "PipeInit", "pipe_inits", "effective_slot_num", "effective_local_slot_num",
           "assign_flag_bases", "kernel_kind_of", "tpipe_token", "PtofixError"]
