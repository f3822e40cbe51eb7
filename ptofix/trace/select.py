"""The select family on a recorded stream: ``set_cmpmask``, ``vsel`` and the CMPMASK register
between them (pto-isa's a2a3 TSEL, TSELS, TPRELU through TSEL, TREM, TREMS, and the vsel of other
ops).

What msSanitizer records (Ascend/mssanitizer csrc/plugin/ccec/calc_instructions/vsel.cpp,
RecordCmpMaskLoad and RecordVselOpFunc; csrc/plugin/.../set_cmpmask: RecordRegister only;
csrc/core/framework/record_parse_ctrl ParseRecordCmpMask):

- ``set_cmpmask(src)`` touches no memory in msSanitizer's model: it keeps ``src`` in the register
  ``cmpMaskAddr`` (a ``vcmp_*`` writing CMPMASK itself clears it; pto-isa's cost model has none);
- each ``vsel`` first reads, on PIPE_V and as an instruction of its own (a record with its own serial
  number: it races with the vsel's own write when they overlap), the bytes at ``cmpMaskAddr``: in
  mode 0 (the register holds the compare mask) ``32 / sizeof(T)``, in mode 1 (it holds the scalar)
  ``sizeof(T)``, in mode 2 (it holds the UB address of the mask) ``sizeof(__ubuf__ void *)``, 8;
  none when no ``set_cmpmask`` set the register;
- then the vsel's operands: modes 0 and 2 as a binary op (dst, src0, src1: 8 blocks of 32 bytes a
  repeat); mode 1 (src1 is the mask) dst and src0 so, src1 one block of ``32 / sizeof(T)`` bytes (16
  for half, 8 for float) a repeat, repeat stride one block.

What this adds, as the hardware does it and msSanitizer does not record (more bytes, never fewer):

- ``set_cmpmask`` reads its 16 bytes (the register's 128 bits) on PIPE_V when it runs: pto-isa orders
  it as a vector instruction (TSEL's ``pipe_barrier(PIPE_V)`` after the vector_dup that fills it,
  TSELS's PIPE_S -> PIPE_V flag after the scalar store that does);
- a mode-1 mask is read for every element the vsel runs (one bit each, packed from src1 on) as well as
  msSanitizer's block a repeat;
- a mode-2 vsel reads its mask (one bit an element it runs, packed) at the address the register
  holds: known only when the bytes ``set_cmpmask`` loaded were last written by a ``vector_dup`` of
  a few 4-byte elements in this run (pto-isa's TSEL: ``vector_dup(tmp, (uint32_t)mask_row_address)``,
  2 or 4 of them), its value read as a UB offset. Otherwise (written by anything else since, by the
  scalar unit, by a copy, of another element size, no UB offset, or no set_cmpmask in the run) the
  vsel cannot be judged;
- a mode other than 0, 1 and 2 cannot be judged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .footprint import (
    BLOCK,
    REPEAT_BYTES,
    UB_ANYWHERE,
    UB_BIAS,
    Access,
    CannotJudge,
    MaskState,
    access,
    count_of,
    decode_copy,
    strided,
    ub,
)

SELECT = frozenset({"set_cmpmask", "vsel"})
CMPMASK_BYTES = 16          # set_cmpmask's load: the CMPMASK register's 128 bits
ADDRESS_BYTES = 8           # sizeof(__ubuf__ void *): msSanitizer's mode-2 load
CONSTANT_BYTES = 64         # the longest vector_dup whose value is followed (TSEL's: 8 or 16 bytes)
# The name of msSanitizer's CMPMASK load as a judged instruction (what a race says it is).
CMPMASK_LOAD = "vsel (CMPMASK load)"


@dataclass
class Constants:
    """UB bytes a ``vector_dup`` filled with one known value: (lo, hi, value, element size), until
    anything else writes one of them."""
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)

    def clobber(self, ranges: tuple[tuple[int, int], ...]) -> None:
        if self.spans and ranges:
            self.spans = [span for span in self.spans if not any(lo < span[1] and span[0] < hi for lo, hi in ranges)]

    def fill(self, lo: int, hi: int, value: int, size: int) -> None:
        if hi > lo:
            self.spans.append((lo, hi, value & ((1 << (8 * size)) - 1), size))

    def value_at(self, lo: int, nbytes: int) -> tuple[int, int] | None:
        """(value, element size) of the one fill covering [lo, lo + nbytes), None when none does."""
        for span_lo, span_hi, value, size in reversed(self.spans):
            if span_lo <= lo and lo + nbytes <= span_hi:
                return value, size
        return None


@dataclass
class SelectState:
    """The CMPMASK register as the run set it, and the UB constants that may fill it."""
    address: int | None = None     # the UB offset the last set_cmpmask loaded (msSanitizer's cmpMaskAddr)
    held: int | None = None        # the UB offset the register holds (mode 2), when the run shows it
    why_not_held: str = "no set_cmpmask ran before it in this run"
    constants: Constants = field(default_factory=Constants)

    def observe(self, name: str, args: tuple[int, ...], state: MaskState, element: int,
                accesses: list[Access]) -> None:
        """What a decoded vector instruction (``accesses``) leaves in UB: its writes end the
        constants there; a vector_dup's exactly known elements become one."""
        for each in accesses:
            if each.write:
                self.constants.clobber(each.ranges)
        # (Only what can fill the register with an address: a few 4-byte elements, as TSEL's 2 or 4;
        # the list stays short however many vector_dups a run issues.)
        if name == "vector_dup" and len(args) >= 4 and element == 4 and args[3] == 1:
            per_repeat = REPEAT_BYTES // element
            if state.count_mode:
                elements = min(per_repeat, count_of(name, state))
            else:
                mask = (state.high << 64 | state.low) if state.known else (1 << 128) - 1
                elements = 0
                while elements < min(per_repeat, 128) and mask >> elements & 1:
                    elements += 1
            if args[2] >= 1 and elements * element <= CONSTANT_BYTES:
                base = ub(args[0], name)
                self.constants.fill(base, base + elements * element, args[1], element)

    def observe_other(self, name: str, args: tuple[int, ...]) -> None:
        """A recorded call that is no vector instruction: a copy into UB or the scalar unit's store
        ends the constants it writes (one of unknown size, all of them)."""
        if name == "ptofix_scalar" and len(args) >= 3 and args[0]:
            if args[2] > 0:
                self.constants.clobber(((args[1] - UB_BIAS, args[1] - UB_BIAS + args[2]),))
            else:
                self.constants.spans = []
            return
        try:
            copied = decode_copy(name, args)
        except CannotJudge:
            copied = None      # (cross_pipe.py reports the copy)
            self.constants.spans = []
        if copied is not None and copied[0]:
            for each in copied[1]:
                self.constants.clobber(each.ranges)

    def decode(self, name: str, args: tuple[int, ...], state: MaskState,
               element: int) -> list[tuple[str, list[Access]]]:
        """The judged instructions (name, accesses) of one set_cmpmask or vsel, in issue order."""
        if name == "set_cmpmask":
            return [(name, self._set(args))]
        return self._vsel(args, state, element)

    def _set(self, args: tuple[int, ...]) -> list[Access]:
        if not args:
            raise CannotJudge("set_cmpmask recorded no operand")
        base = ub(args[0], "set_cmpmask")
        self.address = base
        self.held = None
        found = self.constants.value_at(base, ADDRESS_BYTES)
        if found is None:
            self.why_not_held = (f"the bytes set_cmpmask loaded at UB 0x{base:x} were not filled by a vector_dup "
                                 f"of at most {CONSTANT_BYTES // 4} 4-byte elements in this run (or were written "
                                 f"since)")
        elif found[0] >= UB_ANYWHERE:
            self.why_not_held = f"the value set_cmpmask loaded at UB 0x{base:x}, 0x{found[0]:x}, is no UB offset"
        else:
            self.held = found[0]
        return [access([(base, base + CMPMASK_BYTES)], False)]

    def _vsel(self, args: tuple[int, ...], state: MaskState, element: int) -> list[tuple[str, list[Access]]]:
        name = "vsel"
        if len(args) < 11:
            raise CannotJudge(f"vsel recorded {len(args)} arguments, 11 expected")
        if element <= 0:
            raise CannotJudge("vsel: the element size of its data was not recorded")
        dst, s0, s1, repeat, dbs, s0bs, s1bs, drs, s0rs, s1rs, mode = args[:11]
        s = element
        if mode not in (0, 1, 2):
            raise CannotJudge(f"vsel in select mode {mode}: its operands are not known here")
        out: list[tuple[str, list[Access]]] = []
        if self.address is not None:
            load = {0: BLOCK // s, 1: s, 2: ADDRESS_BYTES}[mode]
            out.append((CMPMASK_LOAD, [access([(self.address, self.address + load)], False)]))
        accesses = [access(strided(name, state, s0, repeat, s0bs, s0rs, s, s), False)]
        elements = self._elements(state, repeat, s)
        mask_bytes = -(-elements // 8)
        if mode == 1:
            base = ub(s1, name)
            block = BLOCK // s      # (msSanitizer's src1BlockSize: a repeat's mask bits)
            accesses.append(access([(base, base + max(repeat * block, mask_bytes))], False))
        else:
            accesses.append(access(strided(name, state, s1, repeat, s1bs, s1rs, s, s), False))
        if mode == 2:
            if self.held is None:
                raise CannotJudge(f"vsel in mode 2 reads its mask at the UB address the CMPMASK register holds, "
                                  f"which the trace cannot tell: {self.why_not_held}")
            accesses.append(access([(self.held, self.held + max(mask_bytes, 1))], False))
        accesses.append(access(strided(name, state, dst, repeat, dbs, drs, s, s), True))
        out.append((name, accesses))
        return out

    @staticmethod
    def _elements(state: MaskState, repeat: int, size: int) -> int:
        """How many elements a vsel runs, one mask bit each, from the first: count mode's count;
        norm mode's repeats up to the last one's highest enabled element."""
        per_repeat = REPEAT_BYTES // size
        if state.count_mode:
            return count_of("vsel", state)
        if repeat <= 0:
            return 0
        mask = (state.high << 64 | state.low) if state.known else (1 << 128) - 1
        enabled = [i for i in range(per_repeat) if i >= 128 or mask >> i & 1]
        return (repeat - 1) * per_repeat + (enabled[-1] + 1 if enabled else 0)
