"""Op semantics of the simulator against plain numpy (in-order runs of tiny kernels)."""
from __future__ import annotations

import numpy as np
import pytest
from sim_kernels import gm, src, tile, unary_kernel

from ptofix.sim.memory import bf16_to_f32, f32_to_bf16
from ptofix.sim.runner import SimOptions, run_kernel

R, C = 8, 64


def run(text: str):
    return run_kernel(src(text), seed=3, schedule_seed=None, options=SimOptions())


def inout(result, elem=np.float32, out=np.float32, shape=(R, C), out_shape=None):
    return gm(result, "x", elem, shape), gm(result, "y", out, out_shape or shape)


@pytest.mark.parametrize("op,ref", [
    ("TADD(d, a, a);", lambda x: x + x),
    ("TSUB(d, a, a);", lambda x: x - x),
    ("TMUL(d, a, a);", lambda x: x * x),
    ("TMAX(d, a, a);", lambda x: x),
    ("TEXP(d, a);", np.exp),
    ("TABS(d, a);", np.abs),
    ("TNEG(d, a);", np.negative),
    ("TRELU(d, a);", lambda x: np.maximum(x, 0)),
    ("TMULS(d, a, 2.5f);", lambda x: x * np.float32(2.5)),
    ("TADDS(d, a, 1.0f);", lambda x: x + np.float32(1)),
    ("TMAXS(d, a, 0.25f);", lambda x: np.maximum(x, np.float32(0.25))),
    ("TDIVS(d, a, 4.0f);", lambda x: x / np.float32(4)),
    ("TDIVS(d, 2.0f, a);", lambda x: np.float32(2) / x),
    ("TEXPANDS(d, 3.0f);", lambda x: np.full_like(x, 3)),
    ("TMOV(d, a);", lambda x: x),
])
def test_elementwise_f32(op, ref):
    x, y = inout(run(unary_kernel("  " + op)))
    np.testing.assert_array_equal(y, ref(x).astype(np.float32))


def test_f16_add_and_cvt_f32_to_f16_rounds_to_nearest_even():
    x, y = inout(run(unary_kernel("  TADD(d, a, a);", elem="half")), np.float16, np.float16)
    np.testing.assert_array_equal(y, (x + x).astype(np.float16))
    x, y = inout(run(unary_kernel("  TCVT(d, a, RoundMode::CAST_RINT);", out_elem="half")), np.float32, np.float16)
    np.testing.assert_array_equal(y, x.astype(np.float16))


@pytest.mark.parametrize("mode,ref", [("CAST_ROUND", lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5)),
                                      ("CAST_FLOOR", np.floor), ("CAST_TRUNC", np.trunc), ("CAST_RINT", np.rint)])
def test_cvt_float_to_int32_rounding(mode, ref):
    text = unary_kernel(f"  TMULS(a, a, 10.0f);\n  pipe_barrier(PIPE_V);\n  TCVT(d, a, RoundMode::{mode});",
                        out_elem="int32_t")
    x, y = inout(run(text), np.float32, np.int32)
    np.testing.assert_array_equal(y, ref((x * np.float32(10)).astype(np.float64)).astype(np.int32))


def test_bf16_is_stored_as_bits_and_computed_in_f32():
    x, y = inout(run(unary_kernel("  TMUL(d, a, a);", elem="bfloat16_t")), np.uint16, np.uint16)
    xf = bf16_to_f32(x)
    np.testing.assert_array_equal(y, f32_to_bf16(xf * xf))
    assert f32_to_bf16(np.array([1.00390625], np.float32))[0] == 0x3F80   # tie -> even


def test_row_reductions_and_row_expand():
    extra = f"  {tile('float', R, 1, 'ColMajor')} m;\n  TASSIGN(m, 131072);\n" \
            f"  {tile('float', R, C)} t;\n  TASSIGN(t, 98304);\n"
    ops = "  TROWMAX(m, a, t);\n  TROWEXPANDSUB(d, a, m);\n  pipe_barrier(PIPE_V);\n  TEXP(d, d);\n" \
          "  pipe_barrier(PIPE_V);\n  TROWSUM(m, d, t);\n  TROWEXPANDDIV(d, d, m);"
    x, y = inout(run(unary_kernel(ops, extra_tiles=extra)))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-6)


def test_col_reduction_and_col_expand():
    extra = f"  {tile('float', 1, C)} s;\n  TASSIGN(s, 131072);\n"
    ops = "  TCOLSUM(s, a);\n  TCOLEXPANDMUL(d, a, s);"
    x, y = inout(run(unary_kernel(ops, extra_tiles=extra)))
    np.testing.assert_allclose(y, x * x.sum(axis=0, keepdims=True), rtol=1e-6)
    extra = f"  {tile('float', 1, C)} s;\n  TASSIGN(s, 131072);\n"
    x, y = inout(run(unary_kernel("  TCOLMAX(s, a);\n  TCOLEXPAND(d, s);", extra_tiles=extra)))
    np.testing.assert_array_equal(y, np.broadcast_to(x.max(axis=0), (R, C)))


def test_compare_and_select():
    extra = f"  {tile('uint8_t', R, 32)} k;\n  TASSIGN(k, 131072);\n  {tile('float', R, C)} t;\n  TASSIGN(t, 98304);\n"
    ops = "  TCMPS(k, a, 0.0f, CmpMode::GT);\n  pipe_barrier(PIPE_V);\n  TMULS(t, a, -1.0f);\n" \
          "  pipe_barrier(PIPE_V);\n  TSEL(d, k, a, t, t);"
    # TSEL's tmp aliases t only after t was read: use a separate tmp
    extra += f"  {tile('float', R, C)} u;\n  TASSIGN(u, 147456);\n"
    ops = ops.replace("TSEL(d, k, a, t, t)", "TSEL(d, k, a, t, u)")
    x, y = inout(run(unary_kernel(ops, extra_tiles=extra)))
    np.testing.assert_array_equal(y, np.abs(x))


def test_treshape_aliases_bytes():
    extra = f"  {tile('float', R, 1, 'ColMajor')} m;\n  TASSIGN(m, 131072);\n  {tile('float', R, C)} t;\n" \
            f"  TASSIGN(t, 98304);\n  {tile('float', 1, R)} mr;\n"
    ops = "  TROWMAX(m, a, t);\n  TRESHAPE(mr, m);\n  TMULS(mr, mr, 2.0f);\n  pipe_barrier(PIPE_V);\n" \
          "  TROWEXPAND(d, m);"
    x, y = inout(run(unary_kernel(ops, extra_tiles=extra)))
    np.testing.assert_array_equal(y, np.broadcast_to(2 * x.max(axis=1, keepdims=True), (R, C)))


def test_hidden_scratch_is_written_by_rowexpand_without_tmp():
    extra = f"  {tile('float', R, 1, 'ColMajor')} m;\n  TASSIGN(m, 131072);\n"
    result = run(unary_kernel("  TEXPANDS(m, 7.0f);\n  pipe_barrier(PIPE_V);\n  TROWEXPANDMUL(d, a, m);",
                              extra_tiles=extra))
    ub = result.cores[0].mem.ub
    scratch = ub[184 * 1024:184 * 1024 + R * 32].view(np.float32)
    np.testing.assert_array_equal(scratch, np.full(R * 8, 7.0, np.float32))


def test_scalar_c_semantics_wrap_and_truncating_division():
    from ptofix.sim.c_values import common_type, number, wrap
    assert wrap(2**31, "i32") == -2**31
    assert wrap(-1, "u32") == 2**32 - 1
    assert common_type("i32", "u32") == "u32" and common_type("i64", "u32") == "i64"
    assert number("16").t == "i32" and number("1.0f").t == "f32" and number("4096u").t == "u32"


def test_a_byte_mask_wider_than_the_compare_holds_packed_bits():
    # uint8 [R, 2C] mask for an R x C compare: still one bit an element, read back by TSEL.
    extra = (f"  {tile('uint8_t', R, 2 * C)} k;\n  TASSIGN(k, 131072);\n  {tile('float', R, C)} t;\n"
             f"  TASSIGN(t, 98304);\n  {tile('float', R, C)} u;\n  TASSIGN(u, 147456);\n")
    ops = "  TCMPS(k, a, 0.0f, CmpMode::GT);\n  pipe_barrier(PIPE_V);\n  TMULS(t, a, -1.0f);\n" \
          "  pipe_barrier(PIPE_V);\n  TSEL(d, k, a, t, u);"
    x, y = inout(run(unary_kernel(ops, extra_tiles=extra)))
    np.testing.assert_array_equal(y, np.abs(x))


def test_tconcat_copies_src0_then_src1_into_each_row():
    extra = f"  {tile('float', R, C)} b;\n  TASSIGN(b, 131072);\n"
    ops = "  TMULS(b, a, 2.0f);\n  pipe_barrier(PIPE_V);\n  TCONCAT(d, a, b);"
    x, y = inout(run(unary_kernel(ops, out_cols=2 * C, extra_tiles=extra)), out_shape=(R, 2 * C))
    np.testing.assert_array_equal(y, np.concatenate([x, 2 * x], axis=1))


@pytest.mark.parametrize("ops, message", [
    # src1 narrower than src0: older pto-isa copies src0's 256 bytes a row from it (concat_row_bytes).
    ("  TCONCAT(d, a, n);", "past its end"),
    ("  TCONCAT(d, a, a, n, n);", "(index) form is not modelled"),
])
def test_tconcat_forms_the_simulator_refuses(ops, message):
    extra = f"  {tile('float', R, 8)} n;\n  TASSIGN(n, 131072);\n"
    with pytest.raises(Exception, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(unary_kernel(ops, out_cols=C + 8, extra_tiles=extra))


def _hazards(ops: str) -> list:
    text = unary_kernel(ops)
    return run_kernel(src(text), seed=3, schedule_seed=4, options=SimOptions()).hazards   # most reordered


def test_tprint_drains_the_vector_pipe_first():
    # TPRINT begins with pipe_barrier(PIPE_ALL): TEXP's write of d completes before TMULS reads it.
    assert _hazards("  TEXP(d, a);\n  TMULS(d, d, 2.0f);")
    assert not _hazards("  TEXP(d, a);\n  TPRINT(d);\n  TMULS(d, d, 2.0f);")
    with pytest.raises(Exception, match="TPRINT with 2 operands is not modelled"):
        run(unary_kernel("  TPRINT(d, x);"))
