"""canonicalize against the spellings a binding may print (red team, 2026-11-28): each generic op
comes out in one custom and one exact generic form whatever its attribute widths, literals, trailing
location, comment or discardable attributes; the two forms convert into each other and a second run
changes nothing. Values no ptoas takes are located errors.
"""
from __future__ import annotations

import pytest
from test_ir_canonicalize import run

from ptofix.source import PtofixError

TV = "!pto.tensor_view<16x16xf32>"
# (@ marks where the attributes of a case go.)
INIT = '"pto.aic_initialize_pipe"(%t) {@} : (' + TV + ') -> ()'
INIT_CUSTOM = "pto.aic_initialize_pipe {id = 0, dir_mask = 1, slot_size = 1024@}(gm_slot_tensor = %t : " + TV + ")"
INIT_GENERIC = ('"pto.aic_initialize_pipe"(%t) <{dir_mask = 1 : i8, id = 0 : i32@, operandSegmentSizes = '
                'array<i32: 0, 1, 0, 0>, slot_size = 1024 : i32}> : (' + TV + ') -> ()')
TILE = ("!pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=?, v_col=?, blayout=row_major, "
        "slayout=none_box, fractal=512, pad=0>")


def _init(attrs: str, tail: str = "") -> str:
    return INIT.replace("@", attrs) + tail


CASES = {
    # name: (input line, target, custom line, generic line)
    "unsigned width": (_init("dir_mask = 1 : ui8, id = 0 : i64, slot_size = 1024 : i64"), "v0.45",
                       INIT_CUSTOM.replace("@", ""), INIT_GENERIC.replace("@", "")),
    "signed width": (_init("dir_mask = 1 : si8, id = 0 : i64, slot_size = 1024 : i64"), "v0.45",
                     INIT_CUSTOM.replace("@", ""), INIT_GENERIC.replace("@", "")),
    "index width": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = 1024 : index"), "v0.45",
                    INIT_CUSTOM.replace("@", ""), INIT_GENERIC.replace("@", "")),
    "hex literal": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = 0x400 : i64"), "v0.45",
                    INIT_CUSTOM.replace("@", ""), INIT_GENERIC.replace("@", "")),
    "i1 bool": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = 1024 : i64, nosplit = 1 : i1"), "v0.45",
                INIT_CUSTOM.replace("@", ", nosplit = true"), INIT_GENERIC.replace("@", ", nosplit = true")),
    "location": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = 1024 : i64", " loc(#loc3)"), "newest",
                 INIT_CUSTOM.replace("@", "") + " loc(#loc3)", INIT_GENERIC.replace("@", "") + " loc(#loc3)"),
    "trailing comment": ('"pto.tfree"(%p) {split = 1 : i64} : (!pto.pipe) -> () // why', "v0.45",
                         "pto.tfree(%p : !pto.pipe) {split = 1} // why",
                         '"pto.tfree"(%p) <{split = 1 : i8}> : (!pto.pipe) -> () // why'),
    "discardable attributes": ('"pto.tfree"(%p) <{split = 0 : i8}> {foo = 1 : i64} : (!pto.pipe) -> ()', "v0.45",
                               "pto.tfree(%p : !pto.pipe) {split = 0} {foo = 1 : i64}",
                               '"pto.tfree"(%p) <{split = 0 : i8}> {foo = 1 : i64} : (!pto.pipe) -> ()'),
    "two-segment pop to newest": (
        f'%t = "pto.tpop_from_aic"(%vr, %vc) <{{id = 0 : i32, operandSegmentSizes = array<i32: 1, 1>, '
        f'split = 0 : i8}}> : (index, index) -> {TILE}', "newest",
        f"%t = pto.tpop_from_aic(%vr, %vc) {{id = 0, split = 0}} -> {TILE}",
        f'%t = "pto.tpop_from_aic"(%vr, %vc) <{{id = 0 : i32, operandSegmentSizes = array<i32: 1, 1, 0>, '
        f'split = 0 : i8}}> : (index, index) -> {TILE}'),
    "subblock only": (
        f'%t = "pto.tpop_from_aic"(%sb) <{{id = 0 : i32, operandSegmentSizes = array<i32: 0, 0, 1>, '
        f'split = 0 : i8}}> : (i64) -> {TILE}', "newest",
        f"%t = pto.tpop_from_aic {{id = 0, split = 0}} aiv_subblockid(%sb) -> {TILE}",
        f'%t = "pto.tpop_from_aic"(%sb) <{{id = 0 : i32, operandSegmentSizes = array<i32: 0, 0, 1>, '
        f'split = 0 : i8}}> : (i64) -> {TILE}'),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_spelling_has_one_custom_and_one_generic_form(name):
    text, target, custom, generic = (part + "\n" if i != 1 else part for i, part in enumerate(CASES[name]))
    assert run(text, target).text == custom
    assert run(text, target, "generic").text == generic
    assert run(custom, target).text == custom                  # idempotent
    assert run(generic, target, "generic").text == generic
    assert run(custom, target, "generic").text == generic      # the forms convert into each other
    assert run(generic, target).text == custom


ERRORS = {
    "split beyond i8": ('"pto.tfree"(%p) {split = 256 : i64} : (!pto.pipe) -> ()', "does not fit i8"),
    "negative split": ('"pto.tfree"(%p) {split = -1 : i64} : (!pto.pipe) -> ()', "takes 0 to 2"),
    "split in both dictionaries": ('"pto.tfree"(%p) <{split = 0 : i8}> {split = 1 : i64} : (!pto.pipe) -> ()',
                                   "duplicate attribute 'split'"),
    "float slot_size": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = 1024.0 : f32"), "must be an integer"),
    "negative slot_size": (_init("dir_mask = 1 : i8, id = 0 : i64, slot_size = -1024 : i64"), "greater than 0"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
@pytest.mark.parametrize("to", ["custom", "generic"])
def test_a_value_no_ptoas_takes_is_a_located_error(name, to):
    text, says = ERRORS[name]
    with pytest.raises(PtofixError) as info:
        run(text + "\n", "v0.45", to)
    message = info.value.format()
    assert says in message and message.startswith("in.mlir:1:")


def test_a_pop_with_valid_col_alone_has_no_custom_form_and_keeps_its_generic_one():
    """The custom form writes the valid dims as one `(row, col)` pair: a lone valid_col cannot be
    written there (`(%vc)` would read as valid_row) and is refused; the generic form keeps it."""
    text = (f'%t = "pto.tpop_from_aic"(%vc) <{{id = 0 : i32, operandSegmentSizes = array<i32: 0, 1, 0>, '
            f'split = 0 : i8}}> : (index) -> {TILE}\n')
    with pytest.raises(PtofixError, match="valid_row and valid_col must be given together"):
        run(text, "newest")
    assert run(text, "newest", "generic").text == text
