"""Pass ``local-slot-num``: set TPipe LocalSlotNum per pipe from an explicit intent.

Facts: docs/reference/pto-facts.md §4 and docs/reference/pto-ir.md §2-3.

Why: for GM-only FIFO inits (``gm_slot_tensor``, l2g2l without ``local_addr``) ptoas cannot carry
``local_slot_num`` (docs/reference/pto-ir.md §3), so EmitC falls back to ``LocalSlotNum = SlotNum`` while
the hand-written FA kernel and the header default use 2 (docs/reference/pto-facts.md §4.4). The only place to
change it is the C++ text, and there the type ``TPipe<...>`` is written at the ``auto vN = ...``
init *and* repeated as the first template argument of every TALLOC/TPUSH/TPOP/TFREE of that pipe
(§4.2): all of them must be rewritten identically.

Intent per pipe, first match wins:

1. ``map``: ``"2"`` for every pipe, or per FlagID ``"0=2,4=2"`` (CLI ``--local-slot-num``);
2. ``ir``: ``local_slot_num`` on the pipe's init op in the PTO IR, matched to the C++ pipe by
   shape: (function, direction, SlotSize, SlotNum) whenever inits and pipes of a shape pair up one
   to one, whichever ptoas made the C++; the flag_base rule of ``target_ptoas``
   (docs/reference/pto-facts.md §4.3) decides only ties (order within the function when it cannot),
   and places inits the shapes cannot, checked against their shape;
3. ``sidecar``: the JSON ``canonicalize`` writes when it strips a ``local_slot_num`` the target
   ptoas rejects (matched the same way);
4. ``default``: a policy value (e.g. the header default 2) for pipes without any intent.

A value that overrides a different one of a later source (the command line over the IR or a
sidecar, the IR over a sidecar) is said in a warning.

Edits touch only the LocalSlotNum argument (inserted when absent), plus, when asked, the argument
order (``tpipe_order`` / ``pto_lib``) and EN_UNIT_FLAG (``unit_flag``). Nothing else changes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Literal  # (at run time: the options' types, read by pass_manager)

from ptofix.cpp.barriers import REMOVED_MARKER
from ptofix.cpp.keywords import strip_pto
from ptofix.cpp.pipes import (
    AMBIGUOUS_ORDER,
    DEFAULT_LOCAL_SLOT_NUM,
    NEW,
    NO_NOSPLIT,
    OLD,
    SHORT,
    PipeInventory,
    PipeObject,
    TPipeType,
    build_inventory,
)
from ptofix.cpp.races import inserted_barrier_at
from ptofix.ir.versions import resolve
from ptofix.located import DiagnosticLine
from ptofix.pass_manager import Pass, PassResult
from ptofix.pto.tpipe import (
    GM_SUFFIX,
    HEADER_RELPATH,
    MASK_DIRECTIONS,
    TAIL_ORDER,
    UNIT_FLAG_DIRECTIONS,
    base_direction,
    pto_lib_headers,
)
from ptofix.records import field
from ptofix.sidecar import sidecar_problem
from ptofix.source import Diagnostic, Edit, PtofixError, SourceText, apply_edits, parse_integer, read_source, too_deep

# The PTO IR parser and pipe inventory (~60 ms interpreted) are imported where --ir or a sidecar is
# read: a `run --local-slot-num` needs neither.

# Issues that may concern a pipe they do not name (_check_editable reads them for every pipe).
_MAY_CONCERN_ANY_PIPE = frozenset({"unlinked", "opaque-use", "unparsed"})
# A use tied to one pipe object whose written type is another's (_check_editable reads them for every pipe).
_MISMATCHED_USE = frozenset({"use-mismatch"})


@dataclass
class Intent:
    value: int
    source: str                 # cli | ir | sidecar | default
    detail: str
    note: Diagnostic | None = None   # where the intent was written (IR line), for error notes
    by: str = ""                # how an IR/sidecar intent was matched to its pipe (see match_by_shape)


# ---- option parsing -----------------------------------------------------------------------------
def parse_map(text: str) -> tuple[int | None, dict[int, int]]:
    """``"2"`` -> (2, {}); ``"0=2,4=2"`` -> (None, {0: 2, 4: 2}); ``""`` -> (None, {})."""
    text = text.strip()
    if not text:
        return None, {}
    if "=" not in text:
        every = parse_integer(text)
        if every is None:
            raise PtofixError(f"local-slot-num: bad value '{text}' (expected N for every pipe or "
                              f"FLAGID=N[,FLAGID=N...]){_leading_zero_hint(text)}")
        return every, {}
    per_flag: dict[int, int] = {}
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        key, sep, value = part.partition("=")
        flag, num = parse_integer(key), parse_integer(value)
        if not sep or flag is None or num is None:
            raise PtofixError(f"local-slot-num: bad entry '{part}' in '{text}' (expected FLAGID=N, "
                              f"e.g. 0=2,4=2){_leading_zero_hint(key, value)}")
        if flag in per_flag and per_flag[flag] != num:
            raise PtofixError(f"local-slot-num: FlagID {flag} given twice ({per_flag[flag]} and {num})")
        per_flag[flag] = num
    return None, per_flag


def _leading_zero_hint(*numbers: str) -> str:
    """Why a number like ``010`` is refused: C reads it as octal 8, Python refuses it; which was
    meant cannot be told."""
    if any(len(n) > 1 and n[0] == "0" and n.isdigit() for n in map(str.strip, numbers)):
        return "; a number with a leading zero is not accepted (C reads 010 as octal 8): write 8 or 0o10"
    return ""


def read_flag_list(text: str) -> tuple[int, ...]:
    """A list of FlagIDs separated by commas or blanks."""
    flags: list[int] = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        flag = parse_integer(part)
        if flag is None:
            raise PtofixError(f"local-slot-num: bad FlagID '{part}' in unit-flag list '{text}'")
        flags.append(flag)
    return tuple(flags)


# ---- the pass -----------------------------------------------------------------------------------
class LocalSlotNumPass(Pass):
    name: ClassVar[str] = "local-slot-num"
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = "set TPipe LocalSlotNum per pipe (CLI map, PTO IR, sidecar, default policy)"
    sets_slot_numbers: ClassVar[bool] = True

    map: str = ""               # "2" (all pipes) or "0=2,4=2" (per FlagID)
    ir: str = ""                # PTO IR file whose init ops carry local_slot_num
    sidecar: str = ""           # JSON written by `canonicalize` for stripped local_slot_num
    # ptoas version whose flag_base assignment rule matches IR to C++ ("": not said; newest for all
    # but ties between pipes of one shape, which then are an error: the rule changed after v0.45)
    target_ptoas: str = ""
    default: int = 0            # LocalSlotNum for pipes without intent (0: leave them alone)
    tpipe_order: Literal["", "old", "new"] = ""     # normalise the argument order to the old or new one
    pto_lib: str = ""           # pto-isa checkout: read the order from include/pto/npu/a2a3/TPush.hpp
    # FlagIDs whose EN_UNIT_FLAG becomes true, e.g. "0,4"
    unit_flag: tuple[int, ...] = field(default=(), metadata={"read": read_flag_list})
    # The arch ptoas compiled the C++ for (its --pto-arch); "": the IR module's pto.target_arch
    # (a3 when unsaid).
    pto_arch: Literal["", "a3", "a5"] = ""

    def input_files(self) -> tuple[str, ...]:
        return tuple(path for path in (self.ir, self.sidecar, *(pto_lib_headers(self.pto_lib)
                                                                if self.pto_lib else ())) if path)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.default < 0:
            raise ValueError(f"default must be a positive LocalSlotNum (or 0 for none), not {self.default}")
        # Every option is checked here, when the pass is built: `build` builds its passes before any
        # stage runs (and in --dry-run), so a bad value stops it before it touches anything.
        parse_map(self.map)
        resolve(self.target_ptoas or "newest")

    # -- entry point ------------------------------------------------------------------------------
    @staticmethod
    def _check_no_removed_barrier(rows: list[dict[str, Any]], source: SourceText) -> None:
        """Refuse to change a pipe's LocalSlotNum or argument order in a file whose PIPE_V barriers
        pipe-v-barrier already removed, or pipe-v-barrier-insert (`check --fix`) already added: a
        Tile-form TPOP binds its tile to base + (i % LocalSlotNum) * SlotSize, so neither the proof
        that let a barrier go nor the race search that placed the inserted ones holds for the new
        value. In one run (`ptofix run --pattern P --local-slot-num M`, or a pipeline with
        local-slot-num first) the slot numbers are set first and both read them."""

        changed = [r for r in rows if r["local_after"] != r["local_before"] or r["order_after"] != r["order_before"]]
        if not changed:
            return
        what = f"cannot change the TPipe of pipe '{changed[0]['var']}' here: ptofix"
        marker = source.text.find(REMOVED_MARKER)
        if marker != -1:
            raise PtofixError(f"{what} removed PIPE_V barriers in this file, and their proof read the LocalSlotNum "
                              "it has now; set it first, in the same run: ptofix run --pattern P --local-slot-num "
                              "MAP (or opt -p 'local-slot-num{...},pipe-v-barrier{...}')", source, marker)
        marker = inserted_barrier_at(source.text)
        if marker != -1:
            raise PtofixError(f"{what} inserted PIPE_V barriers in this file for the races the LocalSlotNum it has "
                              "now gives; set it first: opt -p 'local-slot-num{...},pipe-v-barrier-insert' (or "
                              "run --local-slot-num MAP, then check --fix)", source, marker)

    def apply(self, model: Any, source: SourceText) -> PassResult:
        inv = build_inventory(model, source)
        # (Its warnings are written as plain `path:line:col: warning: ...` lines: they go to stderr and
        # the API only, which write every place in full, and reach no report line that names the file
        # once (the text report lists the pipes' rows, the JSON report the issues). An issue's message
        # keeps its places as data (located.Located, cpp/pipes.py): its line is a DiagnosticLine.)
        warnings: list[str] = []
        target_order, order_source = self.target_order()
        all_value, per_flag = parse_map(self.map)
        unit_flags = list(self.unit_flag)
        present = set(inv.flag_ids())
        unmatched: list[str] = []
        unnamed = [pipe for pipe in inv.pipes if pipe.type.flag_id is None]
        for what, flags in (("local-slot-num", list(per_flag)), ("unit-flag", unit_flags)):
            for flag in flags:
                if flag not in present and unnamed:
                    # A FlagID written as a name (`QK_READY`, an enumerator, a macro) may be this one.
                    pipe = unnamed[0]
                    raise PtofixError(f"{what} names FlagID {flag}, and pipe '{pipe.var}' in '{pipe.function}' "
                                      f"writes its FlagID as '{pipe.type.args[0].text}', which ptofix cannot read: "
                                      "it may be that pipe", source, pipe.type.span.start)
                if flag not in present:
                    # One map may serve several kernels (e.g. the cube and vector files of one FA
                    # kernel): a FlagID this file lacks is reported, not an error.
                    unmatched.append(f"{what} {flag}")
                    warnings.append(f"{source.path}: warning: {what} names FlagID {flag}, but no TPipe in this "
                                    f"file has it (FlagIDs present: {', '.join(map(str, sorted(present))) or 'none'}"
                                    "); ignored")

        if all_value is not None and not inv.pipes:
            warnings.append(f"{source.path}: warning: local-slot-num {all_value} (every pipe), but this file has "
                            "no TPipe; nothing changed")
        ir_intents, ir_matches = self._ir_intents(inv, source, warnings) if self.ir else ({}, {})
        sidecar_intents = self._sidecar_intents(inv, source, warnings) if self.sidecar else {}

        intents: dict[int, Intent] = {}
        for pipe in inv.pipes:
            key = id(pipe)
            given = all_value if all_value is not None else per_flag.get(pipe.flag_id) \
                if pipe.flag_id is not None else None
            from_ir = ir_intents.get(key) or sidecar_intents.get(key)
            if given is not None and from_ir is not None and from_ir.value != given:
                # The command line wins (highest priority), but an IR value it overrides is said.
                warnings.append(f"{source.location(pipe.stmt_span.start)}: warning: local-slot-num {given} for "
                                f"'{pipe.var}' overrides local_slot_num = {from_ir.value} from the "
                                f"{from_ir.source}")
            in_ir, in_sidecar = ir_intents.get(key), sidecar_intents.get(key)
            if given is None and in_ir is not None and in_sidecar is not None and in_ir.value != in_sidecar.value:
                # The IR wins over the sidecar; a sidecar value it overrides is said.
                warnings.append(f"{source.location(pipe.stmt_span.start)}: warning: local_slot_num = {in_ir.value} "
                                f"for '{pipe.var}' from the PTO IR ({in_ir.detail}) overrides local_slot_num = "
                                f"{in_sidecar.value} from the sidecar ({in_sidecar.detail})")
            if all_value is not None:
                intents[key] = Intent(all_value, "cli", f"local-slot-num {all_value} (every pipe)")
            elif pipe.flag_id in per_flag:
                intents[key] = Intent(per_flag[pipe.flag_id], "cli",
                                      f"local-slot-num {pipe.flag_id}={per_flag[pipe.flag_id]}")
            elif key in ir_intents:
                intents[key] = ir_intents[key]
            elif key in sidecar_intents:
                intents[key] = sidecar_intents[key]
            elif self.default:
                intents[key] = Intent(self.default, "default", f"default-local-slot-num {self.default}")

        if intents or all_value is not None or per_flag or self.ir or self.sidecar or unit_flags \
                or target_order is not None:
            self._check_all_tied(inv, source)
        self._check_shared_flags_agree(inv, source, intents)
        file_order = self._file_order(inv)
        edits: list[Edit] = []
        rows: list[dict[str, Any]] = []
        lines: list[str] = []
        for pipe in inv.pipes:
            intent = intents.get(id(pipe))
            row, pipe_edits = self._plan_pipe(inv, source, pipe, intent, target_order, file_order,
                                              pipe.flag_id in unit_flags, warnings)
            ir_match, ir_by = ir_matches.get(id(pipe), ("", ""))
            row["ir_match"] = ir_match
            # how the pipe was tied to the IR: shape | shape, flag rule | shape, order | flag_base | flag rule
            row["matched_by"] = intent.by if intent is not None and intent.by else ir_by
            rows.append(row)
            edits.extend(pipe_edits)
            lines.append(_row_line(row))

        self._check_no_removed_barrier(rows, source)
        warnings.extend(_split_peers(rows, source))
        if edits:
            for spelled, offset in inv.unread_headers:
                warnings.append(f"{source.location(offset)}: warning: '#include {spelled}': ptofix does not read that "
                                "header; a TPipe or pipe use there (the other side of a pipe this run changes) keeps "
                                "its LocalSlotNum, as one in another file would")
        if target_order is None and OLD in inv.orders():
            first = next(t for p in inv.pipes for t in p.occurrences() if t.order == OLD)
            warnings.append(
                f"{source.location(first.span.start)}: warning: old TPipe argument order <F, Dir, Size, Num, "
                "bool[, Local]> (ptoas before 2026-04-14); with pto-isa headers from 2026-04-10 on the bool binds "
                "to LocalSlotNum: pass --tpipe-order new or --pto-lib PATH (docs/reference/pto-facts.md §4.1)")
        said = set(warnings)
        for issue in inv.issues:
            text = DiagnosticLine(source.place(issue.offset), "warning", issue.message)
            if text not in said:
                said.add(text)
                warnings.append(text)
        report = {
            "file": source.path,
            "orders_found": inv.orders(),
            "target_order": target_order,
            "target_order_source": order_source,
            "pipes": rows,
            "changed_pipes": sum(1 for r in rows if r["changed"]),
            "unmatched_flag_ids": unmatched,
            "edits": len(edits),
            "issues": [{"kind": i.kind, "location": source.location(i.offset), "message": i.message}
                       for i in inv.issues],
            "lines": lines,
        }
        return PassResult(edits, report, warnings)

    # -- order --------------------------------------------------------------------------------------
    def requested_map(self) -> tuple[int | None, dict[int, int]]:
        """The ``map`` option: (LocalSlotNum for every pipe or None, LocalSlotNum by FlagID)."""
        return parse_map(self.map)

    def requested_values(self) -> list[int]:
        """The LocalSlotNums the ``map`` option asks for (every pipe's, then the per-FlagID ones)."""
        every, per_flag = self.requested_map()
        return ([every] if every is not None else []) + list(per_flag.values())

    def target_order(self) -> tuple[str | None, str]:
        """The TPipe argument order to write and where it comes from (``tpipe-order``, or the
        pto-lib header's, as isa_version reads it, checked here: a build calls this before any
        stage runs)."""
        order: str | None = self.tpipe_order or None
        origin = "tpipe-order" if self.tpipe_order else ""
        if self.pto_lib:
            # (The one reader of a checkout's TPipe order, ~12 ms of imports: only with a pto-lib.)
            from ptofix.isa_version import pto_lib_tpipe_order
            header, found = pto_lib_tpipe_order(self.pto_lib)
            if not header:
                raise PtofixError(f"local-slot-num: pto-lib '{self.pto_lib}' has no {HEADER_RELPATH}")
            if found is None:
                raise PtofixError(f"local-slot-num: cannot find the 'struct TPipe' template in {header}")
            if found == AMBIGUOUS_ORDER:
                raise PtofixError(f"local-slot-num: {header} declares 'struct TPipe' templates in more than one "
                                  "argument order (in #if branches?): which one is compiled cannot be told")
            if found == NO_NOSPLIT:
                # Its sixth argument is EN_UNIT_FLAG: an old-order file's IsNoSplit there would turn
                # into the unit flag. Neither order ptofix writes fits it.
                raise PtofixError(f"local-slot-num: {header} declares TPipe<F, Dir, Size, Num, LocalSlotNum, "
                                  "EN_UNIT_FLAG> without IsNoSplit (pto-isa 2026-03-26 to 04-09); ptofix writes only "
                                  "the old and new orders, which have IsNoSplit")
            if order is not None and order != found:
                raise PtofixError(f"local-slot-num: tpipe-order {order} contradicts {header}, which declares "
                                  f"TPipe in the {found} order")
            order, origin = found, header
        return order, origin

    @staticmethod
    def _file_order(inv: PipeInventory) -> str:
        orders = [o for o in inv.orders() if o in (NEW, OLD)]
        return orders[0] if len(orders) == 1 else NEW

    # -- one pipe -----------------------------------------------------------------------------------
    def _plan_pipe(self, inv: PipeInventory, source: SourceText, pipe: PipeObject, intent: Intent | None,
                   target_order: str | None, file_order: str, unit: bool,
                   warnings: list[str]) -> tuple[dict[str, Any], list[Edit]]:
        t = pipe.type
        before = t.local_slot_num
        row: dict[str, Any] = {
            "function": pipe.function, "var": pipe.var, "flag_id": t.flag_id, "direction": t.direction,
            "slot_size": t.slot_size, "slot_num": t.slot_num,
            "local_before": before, "local_written": t.local_written,
            "nosplit": t.nosplit, "unit_flag_before": t.unit_flag,
            "order_before": t.order,
            "intent": {"source": intent.source if intent else "none",
                       "value": intent.value if intent else None,
                       "detail": intent.detail if intent else ""},
            "init": source.location(t.span.start),
            "uses": [f"{source.location(u.type.span.start)} {u.op}" for u in pipe.uses],
            "tile_form_pop": pipe.tile_form_pop,
        }
        want_local = intent.value if intent else None
        if intent is not None and want_local is not None and t.slot_num is not None \
                and not 0 < want_local <= t.slot_num:
            raise PtofixError(
                f"LocalSlotNum {want_local} for pipe '{pipe.var}' (FlagID {t.flag_id}) in '{pipe.function}' is "
                f"out of range: 0 < LocalSlotNum <= SlotNum ({t.slot_num}) (intent from {intent.detail})",
                source, t.span.start, [intent.note] if intent.note else None)
        occurrences = pipe.occurrences()
        wants_order = target_order is not None and any(o.order in (NEW, OLD) and o.order != target_order
                                                       for o in occurrences)
        needs_local = want_local is not None and any(o.local_slot_num != want_local for o in occurrences)
        needs_unit = unit and any(o.unit_flag is not True for o in occurrences)
        if unit and t.direction not in UNIT_FLAG_DIRECTIONS:
            warnings.append(f"{source.location(t.span.start)}: warning: EN_UNIT_FLAG only affects the Acc "
                            f"TPUSH of a C2V pipe; pipe '{pipe.var}' is {t.direction}")
        changing = needs_local or needs_unit or wants_order
        edits: list[Edit] = []
        if changing:
            self._check_editable(inv, source, pipe, intent)
            for occ in occurrences:
                fifth = occ.args[4] if len(occ.args) == 5 else None
                if target_order == OLD and occ.order == NEW and fifth is not None and fifth.value in (0, 1):
                    # Under the old header the fifth argument is the bool IsNoSplit, which may be
                    # spelled 0 or 1: read as a LocalSlotNum it would be rewritten as one. (With a
                    # sixth, bool argument the old reading would make LocalSlotNum 0 or 1 a bool.)
                    raise PtofixError(f"cannot rewrite pipe '{pipe.var}': its fifth TPipe argument "
                                      f"'{fifth.text}' may be IsNoSplit (the old order's bool) or LocalSlotNum "
                                      "(the new order's); write the bool as true/false", source, fifth.span.start)
            order = target_order or (t.order if t.order in (NEW, OLD) else file_order)
            if needs_local and want_local == 1 and target_order is None and t.order == SHORT \
                    and not any(o in (NEW, OLD) for o in inv.orders()):
                # `TPipe<F, Dir, Size, Num, 1>`: pto-isa c2d8efbe (2026-04-09) reads a fifth 1 as its
                # bool IsNoSplit and keeps LocalSlotNum 2 (docs/reference/pto-facts.md §4.1); 2 and up
                # do not convert to bool and fail to compile there. Nothing in the file says which.
                raise PtofixError(f"cannot write LocalSlotNum 1 into pipe '{pipe.var}': 'TPipe<F, Dir, Size, "
                                  "Num, 1>' means IsNoSplit = true under the pto-isa headers of 2026-04-09 and "
                                  "LocalSlotNum 1 under later ones, and no TPipe of this file shows the argument "
                                  "order: pass --tpipe-order new|old or --pto-lib PATH", source, t.span.start)
            reason = self._reason(pipe, intent, needs_local, needs_unit, wants_order, order)
            new_texts = set()
            for occ in occurrences:
                occ_edits = _retemplate(occ, order, want_local, True if unit else None, reason)
                edits.extend(occ_edits)
                new_texts.add(_normalized_after(source, occ, occ_edits))
            if len(new_texts) != 1:
                # Occurrences that differ in LocalSlotNum only, and a change that does not set it
                # (an order or the unit flag): each would keep its own value.
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': its init and uses write different "
                                  "LocalSlotNum values and this run does not set one (give --local-slot-num to "
                                  "make them agree)", source, t.span.start)
            # (The TPOP's own TPipe type holds the ring it uses: any occurrence may be the lowest.)
            lowest = min((o.local_slot_num for o in occurrences if o.local_slot_num is not None), default=before)
            if needs_local and want_local is not None and want_local > (lowest or 0) and pipe.tile_form_pop:
                warnings.append(
                    f"{source.location(t.span.start)}: warning: raising LocalSlotNum of pipe '{pipe.var}' "
                    f"from {lowest} to {want_local}: its Tile-form TPOP uses a local ring of LocalSlotNum "
                    "slots, the consumer buffer must hold that many (docs/reference/pto-facts.md §4.1)")
        row["local_after"] = want_local if needs_local else before
        row["unit_flag_after"] = True if needs_unit else t.unit_flag
        row["order_after"] = (target_order or t.order) if (wants_order or changing) and t.order != SHORT \
            else t.order
        if changing and t.order == SHORT and (needs_local or needs_unit):
            row["order_after"] = target_order or file_order
        row["changed"] = bool(edits)
        row["edits"] = len(edits)
        return row, edits

    def _reason(self, pipe: PipeObject, intent: Intent | None, needs_local: bool, needs_unit: bool,
                wants_order: bool, order: str) -> str:
        parts = []
        if needs_local and intent:
            parts.append(f"LocalSlotNum {intent.value} ({intent.source}: {intent.detail})")
        if needs_unit:
            parts.append("EN_UNIT_FLAG true (unit-flag)")
        if wants_order:
            parts.append(f"{order} TPipe argument order")
        return f"pipe {pipe.function}/{pipe.var} FlagID {pipe.flag_id}: " + "; ".join(parts)

    @staticmethod
    def _check_shared_flags_agree(inv: PipeInventory, source: SourceText, intents: dict[int, Intent]) -> None:
        """Two pipes of one function with one type and FlagID share its cross-core flags. Given
        different LocalSlotNums they would be two types on one FlagID, which is ambiguous (the
        inventory's 'same-flag', refused on input): refuse to make them so."""
        def after(pipe: PipeObject) -> int | None:
            intent = intents.get(id(pipe))
            return intent.value if intent is not None else pipe.type.local_slot_num

        for issue in inv.issues_of_kinds(frozenset({"same-flag-same-type"})):
            first, second = issue.pipes
            if after(first) != after(second):
                raise PtofixError(f"cannot give pipes '{first.var}' and '{second.var}' in '{first.function}' "
                                  f"different LocalSlotNum ({after(first)} and {after(second)}): they have one type "
                                  f"and FlagID {first.flag_id}, so they share its cross-core flags", source,
                                  second.type.span.start)

    @staticmethod
    def _check_all_tied(inv: PipeInventory, source: SourceText) -> None:
        """Refuse a run that may change a pipe while a TPipe type or a pipe use anywhere in the file
        is not tied to a pipe object the inventory understands (another declaration form, a use
        through a reference, parameter or pointer, a type spelled otherwise): it may name a pipe the
        run changes and would be left as it is."""
        loose = [(t.span.start, "a TPipe<...> type not tied to a pipe object ptofix recognises "
                  "(declare pipes as `auto v = TPipe<...>(...)` or `TPipe<...> v(...)`)") for t in inv.unlinked]
        loose += [(i.offset, i.message) for i in inv.issues if i.kind == "unlinked"]
        # A statement the grammar cannot read may declare a pipe (the other side of a pipe this run
        # changes, used only through deduced TPOP(v, t) calls), in any function.
        loose += [(i.offset, "a " + i.message.split(";")[0]) for i in inv.issues if i.kind == "unparsed"]
        if loose:
            offset, why = min(loose)
            raise PtofixError(f"cannot change LocalSlotNum consistently: {why}; it may name a pipe this run "
                              "changes", source, offset)

    def _check_editable(self, inv: PipeInventory, source: SourceText, pipe: PipeObject,
                        intent: Intent | None) -> None:
        """Refuse to rewrite a pipe whose occurrences we do not fully understand (never guess)."""
        for occ in pipe.occurrences():
            if occ.problem:
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {occ.problem}", source, occ.span.start)
        for issue in inv.issues_for(pipe):
            if issue.kind == "redeclared":
                # (First: a use tied to the pipe by a name declared again may not be the pipe at all,
                # which makes any mismatch reported for it beside the point.)
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message}", source, issue.offset)
        for issue in inv.issues_for(pipe):
            if issue.kind == "use-mismatch" and not issue.local_only:
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message}", source, issue.offset)
            if issue.kind == "same-flag":
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message}; FlagID-based intent "
                                  "is ambiguous", source, issue.offset)
            if issue.kind == "opaque-use":
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message}; its type would stay "
                                  "unchanged while the init changes (write the TPipe<...> type out)",
                                  source, issue.offset)
        for issue in inv.issues_of_kinds(_MAY_CONCERN_ANY_PIPE):
            if issue.kind == "unlinked" and not issue.function:
                # A TPipe or use outside every function (alias, macro): we cannot tell which pipe it names.
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message} "
                                  f"({source.location(issue.offset)}); it is not tied to a pipe object (outside "
                                  "any function) and could name this pipe", source, pipe.type.span.start)
            if issue.kind == "opaque-use" and not issue.pipes:
                # A use through a name that is not a pipe object (a reference, a parameter): it may be this pipe.
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': {issue.message}", source, issue.offset)
            if issue.kind == "unparsed" and issue.function == pipe.function:
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': a statement in '{pipe.function}' that "
                                  "mentions TPipe or a TALLOC/TPUSH/TPOP/TFREE could not be parsed", source,
                                  issue.offset)
        for other in inv.unlinked:
            if other.key_without_local() == pipe.type.key_without_local() or other.key == pipe.type.key:
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': the same TPipe type is written at "
                                  f"{source.location(other.span.start)} where it is not tied to a pipe "
                                  "object, and would be left inconsistent", source, pipe.type.span.start)
        for issue in inv.issues_of_kinds(_MISMATCHED_USE):
            # A use whose written type is this pipe's but whose object is another pipe (e.g.
            # `TPUSH<TPipe<0, ...>, ...>(v6, t)` with v6 a FlagID-2 pipe): it is rewritten with
            # its object, if at all, never with this pipe, and would keep the old LocalSlotNum.
            owners = [p for p in issue.pipes if p is not pipe]
            for use in (u for owner in owners for u in owner.uses if u.type.span.start == issue.offset):
                if use.type.key_without_local() == pipe.type.key_without_local() or use.type.key == pipe.type.key:
                    raise PtofixError(f"cannot rewrite pipe '{pipe.var}': its TPipe type is written at "
                                      f"{source.location(issue.offset)} as the type of a {use.op} of pipe "
                                      f"'{use.var}', which has another type; that use would keep the old "
                                      "arguments", source, pipe.type.span.start)
        # The edits replace argument spans only: whatever lies between the arguments (a comment,
        # parentheses around a literal) stays, so every occurrence must be spelled alike outside
        # its LocalSlotNum for all of them to come out as one type.
        init_text = _spelling_without_local(source, pipe.type)
        for occ in (use.type for use in pipe.uses):
            if _spelling_without_local(source, occ) != init_text:
                raise PtofixError(f"cannot rewrite pipe '{pipe.var}': its type is written "
                                  f"'{occ.text(source)}' here but '{pipe.type.text(source)}' at the init "
                                  f"{source.location(pipe.type.span.start)}; comments or parentheses inside "
                                  "the TPipe<...> arguments are not supported", source, occ.span.start)

    # -- IR intent ----------------------------------------------------------------------------------
    def _ir_intents(self, inv: PipeInventory, source: SourceText, warnings: list[str] | None = None
                    ) -> tuple[dict[int, Intent], dict[int, tuple[str, str]]]:
        """Match each IR pipe init to its C++ pipe(s), then take the init's local_slot_num.

        By shape first (:func:`match_by_shape`): whatever ptoas version made the C++, an init's
        (function, direction, SlotSize, SlotNum) names its C++ pipe whenever inits and pipes of
        that shape pair up one to one; the target version's flag_base rule decides only ties
        (several pipes of one shape), and order within the function breaks a tie the rule cannot.
        Where shape and rule disagree, the shape wins with a warning naming both. Inits the shapes
        cannot place are matched by flag_base / the rule and checked against their shape.
        """
        try:
            from ptofix.ir.parser import parse_ir
            from ptofix.ir.pipes import (
                FlagBaseConflict,
                assign_flag_bases,
                cpp_direction,
                effective_slot_num,
                pipe_inits,
                pipes_per_function,
            )
        except ImportError as exc:  # pragma: no cover - depends on the IR model being present
            raise PtofixError(f"local-slot-num: the PTO IR pipe model is not available ({exc})") from None
        version = resolve(self.target_ptoas or "newest")
        ir_source = read_source(self.ir)
        module = parse_ir(ir_source)
        inits = pipe_inits(module)
        intents: dict[int, Intent] = {}
        matches: dict[int, tuple[str, str]] = {}
        if not any(init.local_slot_num is not None for init in inits):
            # No intent in the IR: nothing depends on matching, so do not fail on it.
            return intents, matches
        arch = self.pto_arch or module.target_arch()
        functions = {p.function for p in inv.pipes}
        for init in inits:
            # Before anything reads an init's direction (the arch checks below do).
            if init.func in functions and init.dir_mask not in MASK_DIRECTIONS:
                raise PtofixError(f"{init.op} has dir_mask {init.dir_mask}: only 1 (C2V), 2 (V2C) and 3 (both) "
                                  "name a TPipe direction", ir_source, init.span.start)
        # Every function of this file the IR has inits for, also those with no GM-staged one (0).
        gm_staged = pipes_per_function(inits, gm_staged=True)
        expected_gm = {f: gm_staged.get(f, 0) for f in pipes_per_function(inits) if f in functions}
        check_cpp_arch(inv, arch, expected_gm, f"the PTO IR {ir_source.path}", source)
        try:
            bases = assign_flag_bases(inits, version, arch)
        except FlagBaseConflict as exc:
            raise PtofixError(f"ptoas {version} would reject the pipe inits of this PTO IR: {exc}", ir_source,
                              inits[exc.index].span.start) from None
        if not any(expected_gm.values()) and module.declared_target_arch() is None and not self.pto_arch:
            # The module states no arch (ptoas compiles it for its --pto-arch, a3 by default), and
            # no DIR_*_GM pipe could show A5: where the arch changes a predicted FlagID (a frontend
            # init lowers to l2l on A5, to l2g2l on a3), which pipe is which is not known.
            try:
                other = assign_flag_bases(inits, version, "a5")
            except ValueError:
                other = {}
            def shape(init) -> tuple:
                # (An init of another function may have a dir_mask no direction has: ptoas refuses
                # that IR, and this file's pipes cannot be it.)
                direction = cpp_direction(init, arch) if init.dir_mask in MASK_DIRECTIONS else None
                return (init.func, direction, init.slot_size, effective_slot_num(init, version))

            for i, init in enumerate(inits):
                # (Only a tie needs the FlagID: one init and one pipe of a shape pair by shape.)
                alone = sum(1 for x in inits if shape(x) == shape(init)) == 1 and sum(
                    1 for p in inv.pipes if (p.function, p.type.direction, p.type.slot_size, p.type.slot_num)
                    == shape(init)) == 1
                if init.func in functions and init.local_slot_num is not None and init.flag_base is None \
                        and not alone and other.get(i) != bases.get(i):
                    raise PtofixError(f"this pipe init's FlagID is {bases.get(i)} if the C++ was compiled for a3 "
                                      f"and {other.get(i)} for a5, and neither the module (no pto.target_arch) nor "
                                      f"{source.path} tells which: state pto.target_arch (or the pass "
                                      "option pto-arch)", ir_source,
                                      init.span.start)
        functions = {p.function for p in inv.pipes}
        refs: list[InitRef] = []
        ref_inits: list[int] = []
        carrying = [init for init in inits if init.local_slot_num is not None]
        if carrying and inv.pipes and not any(init.func in functions for init in carrying):
            # (One IR may serve a cube and a vector file: a file none of its functions reaches is
            # worth saying, not an error.)
            if warnings is not None:
                warnings.append(f"{source.path}: warning: {ir_source.path} gives local_slot_num in "
                                f"{', '.join(sorted({str(i.func) for i in carrying}))}, none of which is a function "
                                "of this file with a TPipe; nothing taken from it")
        for index, init in enumerate(inits):
            if init.func is None or init.func not in functions:
                continue    # function not emitted into this C++ file, or it has no TPipe
            explicit = init.flag_base is not None
            flag = init.flag_base if explicit else bases.get(index)
            rule = f"flag_base = {flag}" if explicit else f"ptoas {version} flag assignment -> {flag}"
            refs.append(InitRef(init.func, cpp_direction(init, arch), init.slot_size,
                                effective_slot_num(init, version), flag, rule,
                                ir_source.location(init.span.start), f"this {init.op}", explicit))
            ref_inits.append(index)
        by_shape = match_by_shape(refs, inv, source.path, warnings, rule_known=bool(self.target_ptoas))
        for r, index in enumerate(ref_inits):
            init, ref = inits[index], refs[r]
            if r in by_shape:
                found = by_shape[r]
                note = Diagnostic("note", f"PTO IR pipe init ({init.op}, matched by {found.how})", ir_source,
                                  init.span.start)
                self._record_ir_match(init, [found.pipe], found.how, found.by, note, ir_source, intents, matches)
                continue
            explicit = init.flag_base is not None
            flag, how = ref.flag, ref.rule
            note = Diagnostic("note", f"PTO IR pipe init ({init.op}, {how})", ir_source, init.span.start)
            if not explicit and not self.target_ptoas:
                alike = [p for p in inv.pipes if p.function == init.func and p.type.direction == ref.direction
                         and p.type.slot_size == init.slot_size and p.type.slot_num == ref.slot_num]
                if len(alike) > 1:
                    # Which of them this init is depends on the flag assignment of the ptoas that
                    # made the C++, which differs between versions (as match_by_shape refuses).
                    raise PtofixError(f"PTO IR pipe init in '{init.func}' matches {len(alike)} TPipes of one shape "
                                      f"(FlagIDs {', '.join(str(p.flag_id) for p in alike)}) and has no flag_base: "
                                      "which is which depends on the flag_base rule of the ptoas that made the "
                                      "C++; pass --target-ptoas", ir_source, init.span.start)
            if flag is None:
                raise PtofixError(f"ptoas {version} assigns no flag_base to this pipe init; cannot match it to "
                                  "the C++", ir_source, init.span.start)
            direction, slot_num = ref.direction, ref.slot_num
            same_flag = [p for p in inv.pipes if p.function == init.func and p.flag_id == flag]
            if not same_flag:
                present = sorted({f for p in inv.pipes if p.function == init.func and (f := p.flag_id) is not None})
                raise PtofixError(f"PTO IR pipe init in '{init.func}' ({how}) has no TPipe with FlagID {flag} in "
                                  f"{source.path} (FlagIDs there: {', '.join(map(str, present))}); wrong "
                                  "--target-ptoas or IR?", ir_source, init.span.start)
            # A5 l2g2l pipes print DIR_C2V_GM / DIR_V2C_GM (docs/reference/pto-ir.md §2 EmitC).
            matching = [p for p in same_flag if p.type.direction == direction
                        and p.type.slot_size == init.slot_size and p.type.slot_num == slot_num]
            if not matching:
                p = same_flag[0]
                hint = ""
                if not explicit:
                    hint = (" (the C++ looks produced by a ptoas with another flag assignment, and the pipe "
                            "shapes do not pair up one to one: pass its version with --target-ptoas, give the "
                            "init an explicit flag_base, or use --local-slot-num FLAGID=N)")
                raise PtofixError(
                    f"pipe '{p.var}' (FlagID {flag}) in '{init.func}' is TPipe<{p.type.flag_id}, {p.type.direction}, "
                    f"{p.type.slot_size}, {p.type.slot_num}, ...> but the PTO IR init matched to it ({how}) "
                    f"gives {direction}, SlotSize {init.slot_size}, SlotNum {slot_num}{hint}",
                    source, p.type.span.start, [note])
            self._record_ir_match(init, matching, how, "flag_base" if explicit else "flag rule", note, ir_source,
                                  intents, matches)
        return intents, matches

    @staticmethod
    def _record_ir_match(init, pipes: list, how: str, by: str, note: Diagnostic, ir_source: SourceText,
                         intents: dict[int, Intent], matches: dict[int, tuple[str, str]]) -> None:
        """Remember how ``init`` matched ``pipes`` and, if it carries one, its local_slot_num."""
        where = f"{ir_source.path}:{ir_source.line_col(init.span.start)[0]}"
        for pipe in pipes:
            matches[id(pipe)] = (f"{where} {init.op} ({how})", by)
            if init.local_slot_num is None:
                continue
            intent = Intent(init.local_slot_num, "ir",
                            f"{where}: local_slot_num = {init.local_slot_num} on {init.op}, matched by {how}", note,
                            by)
            previous = intents.get(id(pipe))
            if previous is not None and previous.value != intent.value:
                raise PtofixError(f"two PTO IR inits give pipe '{pipe.var}' different local_slot_num "
                                  f"({previous.value} and {intent.value})", ir_source, init.span.start,
                                  [previous.note] if previous.note else None)
            intents[id(pipe)] = intent

    # -- sidecar intent -----------------------------------------------------------------------------
    def _sidecar_intents(self, inv: PipeInventory, source: SourceText,
                         warnings: list[str] | None = None) -> dict[int, Intent]:
        """The sidecar's entries, matched like the IR's inits: by shape first, flag_base for the rest."""
        from ptofix.ir.pipes import (
            BIDIRECTIONAL_SLOT_NUM,
            FRONTEND_INIT_OPS,
            SINGLE_DIRECTION_SLOT_NUM,
        )
        side = read_source(self.sidecar)
        try:
            data = json.loads(side.text)
        except json.JSONDecodeError as exc:
            raise PtofixError(f"sidecar is not JSON: {exc.msg}", side, exc.pos) from None
        except ValueError as exc:       # e.g. an integer longer than int() accepts
            # (Located, as a config file's is: prebuild/config.toml_loads. Not Python's advice to
            # raise sys.set_int_max_str_digits.)
            import re
            import sys
            limit = sys.get_int_max_str_digits()
            long_integer = re.search(rf"(?<![\w.])-?[0-9]{{{limit + 1},}}", side.text) if limit else None
            if long_integer is None:
                raise PtofixError(f"sidecar is not usable JSON: {exc}", side) from None
            raise PtofixError(f"sidecar is not usable JSON: an integer of more than {limit} digits, more than "
                              "ptofix reads", side, long_integer.start()) from None
        except RecursionError:
            raise too_deep(side, "sidecar") from None
        problem = sidecar_problem(data)
        if problem is not None:
            raise PtofixError(f"not a sidecar as canonicalize writes it: {problem}", side)
        target = resolve(data.get("target_ptoas") or "newest")
        intents: dict[int, Intent] = {}
        functions = {p.function for p in inv.pipes}
        if data["pipes"] and not any(entry.get("func") in functions for entry in data["pipes"]) \
                and inv.pipes and warnings is not None:
            warnings.append(f"{source.path}: warning: the sidecar {side.path} records local_slot_num for "
                            f"{', '.join(sorted({str(e.get('func')) for e in data['pipes']}))}, none of which is a "
                            "function of this file with a TPipe; nothing taken from it")
        for func, init_count in sorted((data.get("init_counts") or {}).items()):
            declared = sum(1 for p in inv.pipes if p.function == func)
            if func in functions and declared != init_count:
                # ptoas declares one TPipe per pipe init: this C++ is not from the IR the sidecar
                # was written for (edited since), and its FlagID predictions would not hold.
                first = next(p for p in inv.pipes if p.function == func)
                raise PtofixError(f"the sidecar {side.path} was written for IR with {init_count} pipe init(s) in "
                                  f"'{func}', but {source.path} has {declared} TPipe(s) there: canonicalize the IR "
                                  "this C++ was compiled from again", source, first.stmt_span.start)
        if any(entry.get("func") in functions for entry in data["pipes"]):
            # Its entries were read for the arch canonicalize read from the module: FlagIDs
            # predicted, and directions (a GM-staged pipe prints _GM on A5).
            gm_pipes = data.get("gm_pipes")
            if gm_pipes is None:
                # (A sidecar from before `gm_pipes`: its stripped l2g2l entries are all it says.)
                gm_pipes = {}
                for entry in data["pipes"]:
                    if entry.get("op") == "pto.initialize_l2g2l_pipe" and entry.get("dir_mask") in (1, 2):
                        gm_pipes[entry["func"]] = gm_pipes.get(entry["func"], 0) + 1
            # Every function of this file the sidecar knows inits of, also those with no GM-staged one.
            known = set(data.get("init_counts") or {}) | {entry.get("func") for entry in data["pipes"]} | set(gm_pipes)
            check_cpp_arch(inv, data.get("arch") or "a3", {f: gm_pipes.get(f, 0) for f in known if f in functions},
                        f"the sidecar {side.path}", source)
        refs: list[InitRef] = []
        entries: list[tuple[int, dict[str, Any], int, str]] = []
        for n, entry in enumerate(data["pipes"]):
            func, value = entry["func"], entry["local_slot_num"]
            if func not in functions:
                continue
            label = f"{side.path} pipe #{n} ({func}, IR line {entry.get('line', '?')})"
            flag = entry.get("flag_base")
            if flag is not None:
                rule = f"flag_base {flag}"
                if entry.get("flag_base_explicit") is False:
                    rule += f" (ptoas {data.get('target_ptoas', '?')} flag assignment)"
            else:
                rule = ""
            dir_mask = entry.get("dir_mask")
            slot_num = entry.get("slot_num")
            if slot_num is None or (entry.get("op") in FRONTEND_INIT_OPS and target < resolve("v0.45")):
                slot_num = BIDIRECTIONAL_SLOT_NUM if dir_mask == 3 else SINGLE_DIRECTION_SLOT_NUM
            # An l2g2l entry of an A5 module is a DIR_*_GM pipe; a frontend entry's GM-ness is not
            # recorded, so it matches either token.
            gm = data.get("arch") == "a5" and entry.get("op") == "pto.initialize_l2g2l_pipe" and dir_mask in (1, 2)
            token = MASK_DIRECTIONS.get(dir_mask)
            refs.append(InitRef(func, token + GM_SUFFIX if gm and token else token, entry.get("slot_size"), slot_num,
                                None if flag is None else int(flag), rule, side.path,
                                f"sidecar pipe #{n} ({func}, IR line {entry.get('line', '?')})"))
            entries.append((n, entry, value, label))
        by_shape = match_by_shape(refs, inv, source.path, warnings)
        for r, (_n, entry, value, label) in enumerate(entries):
            if r in by_shape:
                found = by_shape[r]
                _set_sidecar_intent(intents, found.pipe, Intent(
                    value, "sidecar", f"{label}: local_slot_num = {value} stripped by canonicalize, matched by "
                    f"{found.how}", None, found.by), source)
                continue
            func = entry["func"]
            candidates = [p for p in inv.pipes if p.function == func]
            if entry.get("flag_base") is not None:
                candidates = [p for p in candidates if p.flag_id == int(entry["flag_base"])]
                how, by = refs[r].rule, "flag_base" if entry.get("flag_base_explicit") is not False else "flag rule"
            else:
                how, by = "direction, SlotSize and SlotNum", "shape"
            direction = refs[r].direction
            checked = [p for p in candidates
                       if (direction is None or _same_direction(p, direction))
                       and (entry.get("slot_size") is None or p.type.slot_size == entry["slot_size"])
                       and (entry.get("slot_num") is None or p.type.slot_num == entry["slot_num"])]
            if not checked:
                raise PtofixError(f"{label}: no TPipe in '{func}' matches it by {how} (dir_mask "
                                  f"{entry.get('dir_mask')}, slot_size {entry.get('slot_size')}, slot_num "
                                  f"{entry.get('slot_num')})", source)
            if entry.get("flag_base") is None and len({p.flag_id for p in checked}) > 1:
                raise PtofixError(f"{label}: without flag_base it matches several pipes in '{func}' (FlagIDs "
                                  f"{', '.join(str(p.flag_id) for p in checked)}); cannot choose", source)
            for pipe in checked:
                _set_sidecar_intent(intents, pipe, Intent(value, "sidecar", f"{label}: local_slot_num = {value} "
                                                          f"stripped by canonicalize, matched by {how}", None, by),
                                    source)
        return intents


# ---- matching IR pipe inits to C++ pipes ----------------------------------------------------------
@dataclass
class InitRef:
    """One pipe init of the PTO IR (from --ir or a sidecar entry) as the matcher sees it."""

    func: str
    direction: str | None       # DIR_C2V | DIR_V2C | DIR_BOTH
    slot_size: int | None
    slot_num: int | None        # the SlotNum ptoas emits for it
    flag: int | None            # explicit flag_base, or what the version's rule assigns
    rule: str                   # how ``flag`` was found: "flag_base = 0", "ptoas v0.45 flag assignment -> 0"
    where: str                  # location for warnings ("fa.pto:41:5")
    what: str                   # "this pto.initialize_l2g2l_pipe", "sidecar pipe #0 (...)"
    explicit: bool = False      # ``flag`` is the init's own flag_base, not a version's rule

    @property
    def shape(self) -> tuple[str | None, int | None, int | None]:
        return (self.direction, self.slot_size, self.slot_num)


@dataclass
class ShapeMatch:
    pipe: PipeObject
    how: str                    # for the report and intent details
    by: str                     # "shape" | "shape, flag rule" | "shape, order"


def match_by_shape(refs: list[InitRef], inv: PipeInventory, cpp_path: str,
                   warnings: list[str] | None, rule_known: bool = True) -> dict[int, ShapeMatch]:
    """Index in ``refs`` -> its C++ pipe, for every init that its shape places.

    Per function (the kernel's side) inits and pipes are grouped by (direction, SlotSize,
    SlotNum). One init and one pipe of a shape: they match, whatever the flag rule says (a
    disagreement is a warning naming both). n inits and n pipes of a shape (a tie): the flag
    rule decides when it gives those inits exactly those pipes' FlagIDs, else order within the
    function does (k-th init of the shape <-> k-th pipe of the shape). Other inits are left to the
    caller (matched by flag).
    """
    out: dict[int, ShapeMatch] = {}
    for func in dict.fromkeys(r.func for r in refs):
        ref_groups: dict[tuple, list[int]] = {}
        for i, ref in enumerate(refs):
            if ref.func == func and None not in ref.shape:
                ref_groups.setdefault(ref.shape, []).append(i)
        pipe_groups: dict[tuple, list[PipeObject]] = {}
        for p in inv.pipes:
            if p.function == func:
                pipe_groups.setdefault((p.type.direction, p.type.slot_size, p.type.slot_num), []).append(p)
        for key, indices in ref_groups.items():
            pipes = pipe_groups.get(key, [])
            desc = f"shape ({key[0]}, SlotSize {key[1]}, SlotNum {key[2]})"
            if len(pipes) != len(indices):
                continue
            if len(pipes) == 1:
                pairs, by = [(indices[0], pipes[0])], "shape"
            elif not rule_known and any(not refs[i].explicit for i in indices):
                # Which init is which pipe then follows the flag_base rule of the ptoas that made
                # the C++ (creation order up to v0.45, frontend ids after): not guessed.
                first = refs[indices[0]]
                raise PtofixError(f"{first.where}: error: {len(pipes)} pipe inits and {len(pipes)} TPipes of {desc} "
                                  f"in '{func}' ({cpp_path}): which is which depends on the flag_base rule of the "
                                  "ptoas that made the C++; pass --target-ptoas VERSION (or give the inits "
                                  "explicit flag_base values)", plain=True)
            else:
                flags = [refs[i].flag for i in indices]
                ids = [p.flag_id for p in pipes]
                if None not in flags and len(set(flags)) == len(flags) and set(flags) == set(ids):
                    pairs = [(i, pipes[ids.index(refs[i].flag)]) for i in indices]
                    by = "shape, flag rule"
                else:
                    pairs, by = list(zip(indices, pipes, strict=True)), "shape, order"
            for k, (i, pipe) in enumerate(pairs):
                ref = refs[i]
                agrees = ref.flag is not None and pipe.flag_id == ref.flag
                if by == "shape":
                    how = desc + (f", as {ref.rule}" if agrees else "")
                elif by == "shape, flag rule":
                    how = f"{desc} (one of {len(pipes)} in '{func}'), {ref.rule}"
                else:
                    how = (f"{desc} (the {_ordinal(k + 1)} of {len(pipes)} in '{func}', by order)"
                           + (f", as {ref.rule}" if agrees else ""))
                if ref.flag is not None and not agrees and warnings is not None:
                    words = by.replace(", ", " and ").replace("flag rule", "flag")
                    warnings.append(f"{ref.where}: warning: by {words} {ref.what} is pipe '{pipe.var}' with "
                                    f"FlagID {pipe.flag_id} in {cpp_path}, but {ref.rule}; matched by {words}")
                out[i] = ShapeMatch(pipe, how, by)
    return out


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 < 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# ---- edit construction ----------------------------------------------------------------------------
_DEFAULT_TEXT = {"local": str(DEFAULT_LOCAL_SLOT_NUM), "nosplit": "false", "unit": "false"}


def _split_peers(rows: list[dict[str, Any]], source: SourceText) -> list[str]:
    """Warnings for pipes of different functions with one FlagID, direction and slot shape (the
    producer and consumer sides of one cross-core pipe, as ptoas writes both into one file) that
    this run leaves with different LocalSlotNums: the newest ptoas requires the two sides of a
    pipe to agree (docs/reference/pto-ir.md §3), and the value that counts is the consumer's."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        if row["flag_id"] is not None:
            key = (row["flag_id"], row["direction"], row["slot_size"], row["slot_num"])
            groups.setdefault(key, []).append(row)
    warnings = []
    for (flag, direction, _, _), group in groups.items():
        values = {row["local_after"] for row in group}
        changed = any(row["local_after"] != row["local_before"] for row in group)
        if len({row["function"] for row in group}) > 1 and len(values) > 1 and changed:
            sides = ", ".join(f"'{row['var']}' in '{row['function']}' {row['local_after']}" for row in group)
            warnings.append(f"{source.path}: warning: the pipes with FlagID {flag} and {direction} look like the two "
                            f"sides of one cross-core pipe but end with different LocalSlotNum ({sides})")
    return warnings


def _set_sidecar_intent(intents: dict[int, Intent], pipe: PipeObject, intent: Intent, source: SourceText) -> None:
    """Two sidecar entries that reach one pipe must agree (as two IR inits must)."""
    previous = intents.get(id(pipe))
    if previous is not None and previous.value != intent.value:
        raise PtofixError(f"two sidecar entries give pipe '{pipe.var}' different local_slot_num ({previous.value}: "
                          f"{previous.detail}; {intent.value}: {intent.detail})", source, pipe.type.span.start)
    intents[id(pipe)] = intent


def _retemplate(t: TPipeType, order: str, local: int | None, unit: bool | None, reason: str) -> list[Edit]:
    """Minimal edits turning ``t``'s arguments after SlotNum into ``order`` with the new values."""
    slots: dict[str, str | None] = {
        "local": t.args[t.local_arg].text if t.local_arg is not None else None,
        "nosplit": t.args[t.nosplit_arg].text if t.nosplit_arg is not None else None,
        "unit": t.args[t.unit_arg].text if t.unit_arg is not None else None,
    }
    if local is not None and t.local_slot_num != local:
        slots["local"] = str(local)
    if unit is not None and t.unit_flag is not unit:
        slots["unit"] = "true" if unit else "false"
    layout = TAIL_ORDER[order]
    last = max((i for i, name in enumerate(layout) if slots[name] is not None), default=-1)
    want = [slots[name] or _DEFAULT_TEXT[name] for name in layout[:last + 1]]
    tail = t.args[4:]
    edits: list[Edit] = []
    for arg, text in zip(tail, want, strict=False):
        if arg.key != "".join(text.split()):
            edits.append(Edit(arg.span.start, arg.span.end, text, reason))
    if len(want) > len(tail):
        anchor = t.args[-1].span.end
        edits.append(Edit(anchor, anchor, ", " + ", ".join(want[len(tail):]), reason))
    return edits


def _normalized_after(source: SourceText, t: TPipeType, edits: list[Edit]) -> str:
    local = [Edit(e.start - t.span.start, e.end - t.span.start, e.replacement) for e in edits]
    spelled = "".join(apply_edits(source.text[t.span.start:t.span.end], local).split())
    return strip_pto(spelled)     # (one type: see _spelling_without_local)


def _spelling_without_local(source: SourceText, t: TPipeType) -> str:
    """``t`` as written, whitespace dropped, its LocalSlotNum argument (if written) blanked and a
    `pto::` qualifier dropped (`pto::TPipe<...>` and `TPipe<...>` name one type)."""
    text = source.text[t.span.start:t.span.end]
    if t.local_arg is not None:
        arg = t.args[t.local_arg].span
        text = text[:arg.start - t.span.start] + "#" + text[arg.end - t.span.start:]
    spelled = "".join(text.split())
    return strip_pto(spelled)


def check_cpp_arch(inv: PipeInventory, arch: str | None, expected_gm: dict[str, int], what: str,
                   source: SourceText) -> None:
    """The C++ must be for the arch the FlagID model assumes: ptoas allocates an A5 module's local
    (l2l) pipes before its GM-staged ones, and prints the single-direction GM-staged ones
    DIR_C2V_GM / DIR_V2C_GM (docs/reference/pto-ir.md §2; DIR_BOTH has no such variant).
    ``expected_gm``: per function, how many pipes of the IR would print `_GM` on A5. A `_GM` pipe
    is A5 C++; on A5 each function must hold exactly the expected number of them."""
    gm = next((p for p in inv.pipes if _gm_staged(p)), None)
    if gm is not None and arch != "a5":
        raise PtofixError(f"{source.path} holds the A5 pipe '{gm.var}' ({gm.type.direction}) but {what} is for "
                          f"{arch or 'a3'} (no pto.target_arch = \"a5\"): its FlagIDs would be predicted for "
                          "another arch; state the arch in the module and canonicalize again", source,
                          gm.stmt_span.start)
    if arch != "a5":
        return
    for func, expected in sorted(expected_gm.items()):
        found = sum(1 for p in inv.pipes if p.function == func and _gm_staged(p))
        if found != expected:
            first = next((p for p in inv.pipes if p.function == func), None)
            raise PtofixError(f"{what} is for A5 and gives '{func}' {expected} DIR_*_GM pipe(s), but {source.path} "
                              f"has {found} there: the C++ looks compiled for another arch (--pto-arch) or from "
                              "other IR", source, first.stmt_span.start if first is not None else None)


def _gm_staged(pipe: PipeObject) -> bool:
    return bool(pipe.type.direction and pipe.type.direction.endswith(GM_SUFFIX))


def _same_direction(pipe: PipeObject, direction: str) -> bool:
    """The pipe prints ``direction``; a plain token also matches the pipe's A5 `_GM` variant only
    where the reference cannot tell (a frontend sidecar entry)."""
    return pipe.type.direction == direction or _base_direction(pipe) == direction


def _base_direction(pipe: PipeObject) -> str | None:
    return base_direction(pipe.type.direction)


def _row_line(row: dict[str, Any]) -> str:
    before = row["local_before"] if row["local_written"] else f"{row['local_before']} (header default)"
    head = (f"{row['init']}: {row['function']}/{row['var']} TPipe<{row['flag_id']}, {row['direction']}, "
            f"{row['slot_size']}, {row['slot_num']}> ({row['order_before']} order, {len(row['uses'])} uses): ")
    intent = row["intent"]
    if not row["changed"]:
        if intent["source"] == "none":
            ir = f" (PTO IR init {row['ir_match']} has no local_slot_num)" if row.get("ir_match") else ""
            return head + f"LocalSlotNum {before}, no intent{ir}, unchanged"
        return head + f"LocalSlotNum {before}, already {intent['value']} ({intent['source']}: {intent['detail']})"
    parts = []
    if row["local_after"] != row["local_before"] or not row["local_written"] and intent["source"] != "none":
        parts.append(f"LocalSlotNum {before} -> {row['local_after']} ({intent['source']}: {intent['detail']})")
    if row["unit_flag_after"] != row["unit_flag_before"]:
        parts.append(f"EN_UNIT_FLAG {str(row['unit_flag_before']).lower()} -> true")
    if row["order_after"] != row["order_before"]:
        parts.append(f"order {row['order_before']} -> {row['order_after']}")
    return head + "; ".join(parts) + f" [{row['edits']} edits at init and every use]"


PASS = LocalSlotNumPass
