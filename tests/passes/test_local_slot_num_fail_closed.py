"""LocalSlotNum: pipes the inventory cannot see or tell apart make the run refuse, never half-rewrite.

Each kernel below has one pipe the inventory understands (the cube side, written as ptoas writes
it) and a peer it must not lose track of: a run that rewrote the cube side and left the peer would
leave the consumer's ring at its old depth with exit 0.
"""
from __future__ import annotations

import pytest

from ptofix.cli import main
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText

PIPE = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, false>"
TILE = ("Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16, SLayout::NoneBox, 512, PadValue::Null, "
        "CompactMode::Null>")
ACC = ("Tile<TileType::Acc, float, 16, 16, BLayout::ColMajor, 16, 16, SLayout::RowMajor, 1024, PadValue::Null, "
       "CompactMode::Null>")

CUBE = f"""AICORE void cube(__gm__ float* v1, int32_t v2) {{
  auto v5 = {PIPE}(v1, v2, 0);
  {ACC} v6;
  TPUSH<{PIPE}, {ACC}, TileSplitAxis::TILE_NO_SPLIT>(v5, v6);
}}
"""


def _kernel(prologue: str, vec_body: str) -> str:
    return (f'#include "pto/pto-inst.hpp"\nusing namespace pto;\n{prologue}{CUBE}'
            f"AICORE void vec(__gm__ float* v1, int32_t v2) {{\n  {TILE} v5;\n{vec_body}}}\n")


# (name, file-scope text, body of `vec`, what the error says)
HIDDEN_PEERS = [
    ("qualified alias at file scope", f"using P = pto::{PIPE};\n",
     "  auto v4 = P(v1, v2, 0);\n  TPOP(v5, v4);\n  TFREE(v4);\n", "'pto::TPipe' in a form the pipe inventory"),
    ("qualified TPipe in a #define", f"#define PIPE_T pto::{PIPE}\n",
     "  auto v4 = PIPE_T(v1, v2, 0);\n  TPOP(v5, v4);\n", "a #define names TPipe"),
    ("qualified global", f"static pto::{PIPE} g(nullptr, 0, 0);\n",
     "  TPOP(v5, g);\n", "'pto::TPipe' in a form the pipe inventory"),
    ("namespace alias", "namespace q = pto;\n",
     f"  auto v4 = q::{PIPE}(v1, v2, 0);\n  TPOP(v5, v4);\n", "'q::TPipe' in a form the pipe inventory"),
    ("qualified for-init", "",
     f"  for (auto v4 = pto::{PIPE}(v1, v2, 0); v2 > 0; --v2) {{\n    TPOP(v5, v4);\n  }}\n",
     "'pto::TPipe' in a form the pipe inventory"),
    ("type from a header", '#include "my_pipes.h"\n',
     "  QKPipe v4(v1, v2, 0);\n  TPOP(v5, v4);\n  TFREE(v4);\n", "names no pipe object declared earlier"),
    ("pasted name", "#define CAT(a, b) a##b\n",
     "  auto v4 = CAT(TP, ipe)<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, 0);\n  TPOP(v5, v4);\n",
     "the macro 'CAT' pastes tokens"),
    ("pasted type and uses", "#define CAT(a, b) a##b\n",
     "  auto v4 = CAT(TP, ipe)<0, Direction::DIR_C2V, 1024, 8, 8, false>(v1, v2, 0);\n  CAT(TP, OP)(v5, v4);\n"
     "  CAT(TF, REE)(v4);\n", "the macro 'CAT' pastes tokens"),
    ("struct member", "",
     "  S s;\n  TPOP(v5, s.p);\n", "names no pipe object declared earlier"),
]


@pytest.mark.parametrize("prologue, body, says", [case[1:] for case in HIDDEN_PEERS],
                         ids=[case[0] for case in HIDDEN_PEERS])
def test_a_peer_the_inventory_cannot_see_refuses_the_run(tmp_path, capsys, prologue, body, says):
    path = tmp_path / "k.cpp"
    text = _kernel(prologue, body)
    path.write_text(text)
    assert main(["run", "--local-slot-num", "2", str(path), "-i"]) == 2
    err = capsys.readouterr().err
    assert says in err and f"{path}:" in err
    assert path.read_text() == text


def test_the_same_kernel_with_the_peer_written_out_is_rewritten_on_both_sides():
    # The control for the cases above: the vector side as ptoas writes it.
    body = (f"  auto v4 = {PIPE}(v1, v2, 0);\n"
            f"  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n  TPOP(v5, v4);\n  TFREE(v4);\n")
    source = SourceText(_kernel("", body), "k.cpp")
    out = run_pipeline(source, [build_pass("local-slot-num", {"map": "2"})], PARSERS).text
    assert out.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>") == 4
    assert "8, 8, false" not in out


@pytest.mark.parametrize("body, says", [
    # A reference in an inner block shadows the pipe: the TPOP's `v4` is `w`, not the pipe.
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  TPOP(v5, v4);\n  {{\n    auto &v4 = w;\n    TPOP(v5, v4);\n  }}\n",
     "may declare another 'v4'"),
    # A lambda's parameter of the pipe's name: the deduced TPOP inside takes whatever it is given.
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  auto f = [&](auto &v4) {{ TPOP(v5, v4); }};\n  f(w);\n",
     "TPOP in a form the pipe inventory does not read"),
    # A for-init of the pipe's name (a header the model keeps as text: any name in it may be declared).
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  for (auto v4 = w; ; ) {{\n    TPOP(v5, v4);\n  }}\n",
     "may declare another 'v4'"),
    # A type alias of the pipe's name in an inner block (a declaration the statement model reads).
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  {{\n    using v4 = int;\n    v4 n = 0;\n  }}\n",
     "may declare another 'v4'"),
    # A declarator in parentheses reads as an expression ([stmt.ambig]: `T(v4) = w;`, `T(v4);`
    # declare v4 when T is a type, which the inventory cannot tell).
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  {{\n    Other (v4) = w;\n    TPOP(v5, v4);\n  }}\n",
     "may declare another 'v4'"),
    (f"  auto v4 = {PIPE}(v1, v2, 0);\n  {{\n    Other (v4);\n    TFREE(v4);\n  }}\n",
     "may declare another 'v4'"),
], ids=["shadowing reference", "lambda parameter", "for-init", "type alias", "parenthesized declarator and init",
        "parenthesized declarator"])
def test_a_pipe_name_that_may_name_another_object_refuses_the_pipe(body, says):
    source = SourceText(_kernel("", body), "k.cpp")
    with pytest.raises(PtofixError, match=says):
        run_pipeline(source, [build_pass("local-slot-num", {"map": "2"})], PARSERS)


def test_a_pipe_name_a_header_only_reads_is_no_declaration():
    body = (f"  auto v4 = {PIPE}(v1, v2, 0);\n  int32_t k = 0;\n  if (&v4 != nullptr) {{\n    k = 1;\n  }}\n"
            f"  for (int32_t i = 0; i < 2 && &v4 != nullptr; ++i) {{\n    k = 2;\n  }}\n"
            f"  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n  TFREE(v4);\n")
    out = run_pipeline(SourceText(_kernel("", body), "k.cpp"), [build_pass("local-slot-num", {"map": "2"})],
                       PARSERS).text
    assert out.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 2, false>") == 4 and "8, 8, false" not in out


IR_TWO_INITS = """module {
  func.func @vec(%gm: memref<256xf32, #pto.address_space<gm>>, %buf: i32)
      attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : memref<256xf32, #pto.address_space<gm>>, %buf : i32) -> !pto.pipe
    %b = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4, flag_base = 0}(%gm : memref<256xf32, #pto.address_space<gm>>, %buf : i32) -> !pto.pipe
    return
  }
}
"""


def test_two_pipes_of_one_type_and_flag_are_not_given_different_local_slot_nums(tmp_path, capsys):
    ir = tmp_path / "k.pto"
    ir.write_text(IR_TWO_INITS)
    cpp = tmp_path / "k.cpp"
    text = (f'#include "pto/pto-inst.hpp"\nusing namespace pto;\nAICORE void vec(__gm__ float* v1, int32_t v2) {{\n'
            f"  auto v4 = {PIPE}(v1, v2, 0);\n  auto v9 = {PIPE}(v1, v2, 0);\n  {TILE} v5;\n"
            f"  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n"
            f"  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v9, v5);\n}}\n")
    cpp.write_text(text)
    assert main(["run", "--ir", str(ir), str(cpp), "-i"]) == 2
    err = capsys.readouterr().err
    assert "cannot give pipes 'v4' and 'v9' in 'vec' different LocalSlotNum (2 and 4)" in err
    assert cpp.read_text() == text


def test_both_sides_of_a_pipe_given_one_value_are_not_warned_about():
    body = f"  auto v4 = {PIPE}(v1, v2, 0);\n  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n"
    source = SourceText(_kernel("", body), "k.cpp")
    for options in ({"map": "0=4"}, {"default": "2"}):
        result = run_pipeline(source, [build_pass("local-slot-num", options)], PARSERS)
        assert not any("two sides of one cross-core pipe" in w for w in result.warnings)
        assert result.text.count(f"1024, 8, {options.get('default', '4')}, false") == 4


def test_peers_given_different_values_by_the_ir_are_warned_about(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text("""module {
  func.func @cube(%gm: memref<256xf32, #pto.address_space<gm>>, %buf: i32)
      attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 4, flag_base = 0}(%gm : memref<256xf32, #pto.address_space<gm>>, %buf : i32) -> !pto.pipe
    return
  }
  func.func @vec(%gm: memref<256xf32, #pto.address_space<gm>>, %buf: i32)
      attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %a = pto.initialize_l2g2l_pipe {dir_mask = 1, slot_size = 1024, slot_num = 8, local_slot_num = 2, flag_base = 0}(%gm : memref<256xf32, #pto.address_space<gm>>, %buf : i32) -> !pto.pipe
    return
  }
}
""")
    body = f"  auto v4 = {PIPE}(v1, v2, 0);\n  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n"
    source = SourceText(_kernel("", body), "k.cpp")
    result = run_pipeline(source, [build_pass("local-slot-num", {"ir": str(ir)})], PARSERS)
    assert any("two sides of one cross-core pipe" in w and "'v5' in 'cube' 4" in w and "'v4' in 'vec' 2" in w
               for w in result.warnings), result.warnings


SHORT = "TPipe<0, Direction::DIR_C2V, 1024, 8>"


def test_local_slot_num_1_into_a_short_tpipe_needs_the_argument_order():
    text = (f'#include "pto/pto-inst.hpp"\nusing namespace pto;\nAICORE void vec(__gm__ float* v1, int32_t v2) {{\n'
            f"  auto v4 = {SHORT}(v1, v2, 0);\n  {TILE} v5;\n"
            f"  TPOP<{SHORT}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n}}\n")
    source = SourceText(text, "k.cpp")
    with pytest.raises(PtofixError, match="means IsNoSplit = true under the pto-isa headers of 2026-04-09"):
        run_pipeline(source, [build_pass("local-slot-num", {"map": "1"})], PARSERS)
    new = run_pipeline(source, [build_pass("local-slot-num", {"map": "1", "tpipe-order": "new"})], PARSERS).text
    assert new.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 1>") == 2
    old = run_pipeline(source, [build_pass("local-slot-num", {"map": "1", "tpipe-order": "old"})], PARSERS).text
    assert old.count("TPipe<0, Direction::DIR_C2V, 1024, 8, false, 1>") == 2
    # 2 and up cannot be read as a bool (no build under the 04-09 headers): written as asked.
    two = run_pipeline(source, [build_pass("local-slot-num", {"map": "4"})], PARSERS).text
    assert two.count("TPipe<0, Direction::DIR_C2V, 1024, 8, 4>") == 2


@pytest.mark.parametrize("value", ["010", "0=010", "010=2"])
def test_a_leading_zero_in_local_slot_num_says_why_it_is_refused(tmp_path, capsys, value):
    path = tmp_path / "k.cpp"
    path.write_text(_kernel("", ""))
    assert main(["run", "--local-slot-num", value, str(path)]) == 2
    assert "a number with a leading zero is not accepted" in capsys.readouterr().err


def test_an_unread_header_is_warned_about_when_pipes_change():
    # A header is out of sight like another file of the kernel: its pipes keep their value, said.
    body = f"  auto v4 = {PIPE}(v1, v2, 0);\n  TPOP<{PIPE}, {TILE}, TileSplitAxis::TILE_UP_DOWN>(v4, v5);\n"
    source = SourceText(_kernel('#include "my_consumer.h"\n', body), "k.cpp")
    changed = run_pipeline(source, [build_pass("local-slot-num", {"map": "2"})], PARSERS)
    assert changed.text != source.text
    assert any("'#include \"my_consumer.h\"': ptofix does not read that header" in w for w in changed.warnings)
    unchanged = run_pipeline(source, [build_pass("local-slot-num", {"map": "8"})], PARSERS)
    assert unchanged.text == source.text and not any("does not read that header" in w for w in unchanged.warnings)
