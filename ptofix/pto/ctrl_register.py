"""The vector unit's CTRL register (A2/A3): which bit is the mask mode, which bits only change values.

`set_ctrl(v)` writes the whole 64-bit CTRL register, `get_ctrl()` reads it, `sbitset0(v, i)` /
`sbitset1(v, i)` return ``v`` with bit ``i`` cleared / set (pto-isa's CPU stubs declare them
`uint64_t sbitset0(uint64_t, int)` and return the value unchanged, pto/common/cpu_stub.hpp:136-149
at f35e7f60; the host cost model records set_ctrl's argument only, cce_costmodel_sync.hpp:79-83, and
flips a trace flag, not a CTRL bit, on set_mask_count / set_mask_norm, cce_costmodel_sync.hpp:115-126
and trace.hpp:146-154: no recorded trace shows CTRL's bits). See docs/reference/pto-facts.md,
"The CTRL register".
"""
from __future__ import annotations

# The bit set_mask_count() sets and set_mask_norm() clears: CTRL[56] = 1 is count mode, in which
# an element-wise instruction walks as many elements as the vector mask says. CANN's TIK
# simulator (tik constants: MASK_COUNTER_MODE_ENABLE_SHIFT_POS = 56, MASK_MODE_MASK =
# 0xfeffffffffffffff; `_set_mask_counter_mode`: "set CTRL[56] as 1"). pto-isa names no constant
# for it.
COUNT_MODE_CTRL_BIT = 56

# Bits whose only documented effect on A2/A3 is on the values a conversion produces (saturation),
# never on which UB bytes an instruction reads or writes: CTRL[59], float -> int saturation
# (pto-isa f35e7f60 include/pto/npu/a2a3/TCvt.hpp:73-76, the only CTRL bit a2a3's vector headers
# write). pto-isa's register-based targets (A5, Kirin: common/arch/register/tcvt_common.hpp:36-59)
# also use CTRL[60] and CTRL[48] for saturation, but on A2/A3 TIK numbers bits 60-61 the atomic-add
# mode (ATOMIC_ADD_MODE_SHIFT_POS = 60): not known here, so a write of them, like any bit not
# listed, stays Unknown.
VALUE_ONLY_CTRL_BITS = frozenset({59})

# pto-isa's own names for those bits, as f35e7f60 defines them (a kernel's `using namespace pto;`
# makes them visible; a header's own constant of the same name must agree): a2a3/TCvt.hpp:76,
# common/arch/register/tcvt_common.hpp:51.
PTO_CTRL_BIT_CONSTANTS = {"SAT_MODE_BIT": 59, "SAT_MODE_BIT_59": 59}

# The CCE intrinsics a save/restore of CTRL is written with.
SET_CTRL = "set_ctrl"
GET_CTRL = "get_ctrl"
BIT_CLEAR = "sbitset0"
BIT_SET = "sbitset1"
CTRL_BIT_FUNCTIONS = (BIT_CLEAR, BIT_SET)

# Types a saved CTRL value may be declared with (64 bits unsigned, or deduced from get_ctrl()'s
# uint64_t): a narrower or signed type would truncate or sign-extend bit 56 on the way back.
CTRL_VALUE_TYPES = frozenset({"uint64_t", "unsigned long long", "unsigned long", "auto", "std::uint64_t"})


def value_only_bit(bit: int) -> bool:
    """Whether writing CTRL bit ``bit`` changes only converted values, never the mask mode."""
    return bit != COUNT_MODE_CTRL_BIT and bit in VALUE_ONLY_CTRL_BITS
