"""LocalSlotNum on the real FA kernel with three pipes (`ptofix run --ir PTO CPP` and nothing else), and
intents that cannot be applied exactly: errors, never dropped.
"""
from __future__ import annotations

import json
import os
import re

import pytest
from test_local_slot_num import CORPUS, TWO, kernel, run

from ptofix.source import PtofixError

# ---- the real FA kernel with three pipes, `ptofix run --ir PTO CPP` and nothing else ------------------
FA03 = os.path.join(CORPUS, "real", "03_fa_splitpipe_call_both")


def _fa03_as_older_ptoas_printed_it(tmp_path) -> tuple[str, str]:
    """The corpus kernel with every LocalSlotNum back at SlotNum (8), as a ptoas that cannot carry
    local_slot_num prints it; returns (that C++ path, the corpus C++ text)."""
    if not (os.path.isfile(FA03 + ".pto.mlir") and os.path.isfile(FA03 + ".cpp")):
        pytest.skip("../shared/corpus/real/03_fa_splitpipe_call_both.* not present")
    with open(FA03 + ".cpp", encoding="utf-8", newline="") as handle:
        original = handle.read()
    older = re.sub(r"(TPipe<\d, Direction::DIR_\w+, \d+, 8, )1(, false>)", r"\g<1>8\2", original)
    assert older != original
    path = tmp_path / "fa.cpp"
    path.write_text(older, encoding="utf-8", newline="")
    return str(path), original


@pytest.mark.corpus
def test_real_fa_kernel_ir_sets_the_intended_pipes_with_no_other_flag(tmp_path, capsys):
    """The IR carries local_slot_num = 1 on two of the three pipes of each side; the C++ numbers them
    as the ptoas that made it did, not as the newest rule (the default): the shapes pair up one to
    one, so `--ir` alone sets LocalSlotNum 1 at the init and every use of exactly those pipes."""
    from ptofix.cli import main
    cpp, original = _fa03_as_older_ptoas_printed_it(tmp_path)
    out = tmp_path / "fixed.cpp"
    assert main(["run", "--ir", FA03 + ".pto.mlir", cpp, "-o", str(out), "--report", "json",
                 "--report-file", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    fixed = out.read_text(encoding="utf-8")
    # every occurrence (init + TALLOC/TPUSH/TPOP/TFREE) of the C2V pipes 0 and 2 says 1; pipe 4 keeps 8
    occurrences = re.findall(r"TPipe<(\d), Direction::DIR_(\w+), (\d+), 8, (\d+), false>", fixed)
    assert {(f, d, s) for f, d, s, _ in occurrences} == {("0", "C2V", "65536"), ("2", "C2V", "16384"),
                                                          ("4", "V2C", "32768")}
    assert all(local == ("8" if flag == "4" else "1") for flag, _, _, local in occurrences)
    assert sum(1 for f, *_ in occurrences if f in "02") > 20
    assert fixed == original            # exactly what the ptoas that honours local_slot_num prints
    # the newest rule numbers these pipes differently: warnings naming both, not an error
    assert "but ptoas newest flag assignment -> 2; matched by shape" in err
    [report] = json.loads((tmp_path / "r.json").read_text())["files"]
    rows = [r for p in report["passes"] for r in p.get("pipes", [])]
    assert len(rows) == 6 and all(r["matched_by"] == "shape" for r in rows)
    assert sorted(r["local_after"] for r in rows) == [1, 1, 1, 1, 8, 8]


PIPE = "TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>"
GT = "GlobalTensor<float, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<256, 256, 256, 16, 1>, pto::Layout::ND>"
PUSH = f"TPUSH<{{pipe}}, {GT}, TileSplitAxis::TILE_NO_SPLIT>({{obj}}, v50);"
INIT = f"  auto v20 = {PIPE}(v1, v2, v2);\n  {GT} v50(nullptr);\n"


@pytest.mark.parametrize("name, body", [
    # A use the inventory does not read as one, its type spelled otherwise: the same C++ type.
    ("qualified op", INIT + "  pto::" + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"), obj="v20") + "\n"),
    ("void cast", INIT + "  (void)" + PUSH.format(pipe=PIPE.replace("Direction::DIR_C2V", "DIR_C2V"), obj="v20") + "\n"),
    # Uses through another name, spelled otherwise.
    ("reference", INIT + "  auto& r = v20;\n  " + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"), obj="r")
     + "\n"),
    ("pointer", INIT + "  auto* pp = &v20;\n  " + PUSH.format(pipe=PIPE.replace("Direction::", "pto::Direction::"),
                                                             obj="*pp") + "\n"),
    # Pipe objects declared in forms the inventory does not read.
    ("explicit type with =", f"  {PIPE} v20 = {PIPE}(v1, v2, v2);\n  {GT} v50(nullptr);\n  "
     + PUSH.format(pipe=PIPE, obj="v20") + "\n"),
    ("brace init", f"  auto v20 = {PIPE}{{v1, v2, v2}};\n  {GT} v50(nullptr);\n  " + PUSH.format(pipe=PIPE, obj="v20") + "\n"),
    ("local alias", f"  using P = {PIPE};\n  auto v20 = P(v1, v2, v2);\n  {GT} v50(nullptr);\n  "
     + PUSH.format(pipe="P", obj="v20") + "\n"),
])
def test_a_pipe_the_inventory_cannot_tie_stops_every_rewrite(name, body):
    text = kernel(body)
    with pytest.raises(PtofixError, match="LocalSlotNum|cannot rewrite pipe"):
        run(text, map="2")
    with pytest.raises(PtofixError, match="LocalSlotNum|cannot rewrite pipe"):
        run(text, map="0=2")


def test_an_every_pipe_value_on_a_file_without_tpipes_warns():
    text, _report, warnings = run(kernel("  int32_t v1 = 0;\n"), map="2")
    assert text == kernel("  int32_t v1 = 0;\n")
    assert any("no TPipe; nothing changed" in w for w in warnings)


def test_a_run_that_raises_local_slot_num_proves_barriers_on_the_raised_pipes(tmp_path):
    """The proof must read the LocalSlotNum the output has: raised from 1 to 4 in the same run, the
    Tile-form TPOP may bind v4 onto v5, so TMULS(v6, v4) -> TEXPANDS(v5) keeps its barrier (a plain
    run at LocalSlotNum 1 removes it)."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    plain, raised = tmp_path / "plain.cpp", tmp_path / "raised.cpp"
    assert main(["run", "--pattern", "auto", src, "-o", str(plain)]) == 0
    assert main(["run", "--pattern", "auto", "--local-slot-num", "0=4", src, "-o", str(raised)]) == 0
    barriers = [text.count("pipe_barrier(PIPE_V);") for text in (plain.read_text(), raised.read_text())]
    assert barriers[1] == barriers[0] + 1


def test_local_slot_num_refuses_to_change_a_pipe_after_barriers_were_removed(tmp_path):
    """A later run (or a later pass of one pipeline) that raises LocalSlotNum would break the proof
    of a barrier already removed: it is refused (exit 2, nothing written); unchanged values pass."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    removed, out = tmp_path / "removed.cpp", tmp_path / "out.cpp"
    assert main(["run", "--pattern", "auto", src, "-o", str(removed)]) == 0
    assert "ptofix: removed pipe_barrier(PIPE_V)" in removed.read_text()
    before = removed.read_bytes()
    assert main(["run", "--local-slot-num", "0=4", str(removed), "-o", str(out)]) == 2
    assert not out.exists() and removed.read_bytes() == before
    assert main(["opt", "-p", "pipe-v-barrier{pattern=auto},local-slot-num{map=0=4}", src, "-o", str(out)]) == 2
    assert not out.exists()
    # The value it already has is no change; the order that sets it first proves on the new value.
    assert main(["run", "--local-slot-num", "0=1", str(removed), "-o", str(out)]) == 0
    assert main(["opt", "-p", "local-slot-num{map=0=4},pipe-v-barrier{pattern=auto}", src, "-o", str(out)]) == 0


def test_barrier_insertion_reads_the_local_slot_num_set_before_it(tmp_path):
    """The race search reads LocalSlotNum as the proof does: a pipeline that inserts barriers
    before setting it is refused, and so is a later change of a file `check --fix` inserted
    barriers into; set first, the new value's race is separated."""
    from ptofix.cli import main
    src = os.path.join(os.path.dirname(__file__), "..", "fixtures", "local_slot_num_raise_after_proof.cpp")
    # Without its barrier the kernel races only once LocalSlotNum is 4 (TMULS reads v4's slot 2 = v5).
    unbarriered = tmp_path / "k.cpp"
    unbarriered.write_text(open(src).read().replace("TMULS(v6, v4, 2.0f);\n    pipe_barrier(PIPE_V);",
                                                    "TMULS(v6, v4, 2.0f);"))
    out = tmp_path / "out.cpp"
    assert main(["check", str(unbarriered)]) == 0
    assert main(["opt", "-p", "pipe-v-barrier-insert,local-slot-num{map=0=4}", str(unbarriered), "-o", str(out)]) == 2
    assert not out.exists()
    assert main(["opt", "-p", "local-slot-num{map=0=4},pipe-v-barrier-insert", str(unbarriered), "-o", str(out)]) == 0
    assert "ptofix: WAR on v5" in out.read_text() and main(["check", str(out)]) == 0
    # A race at the old value too (TEXPANDS writes v4 while TMULS reads it): --fix inserts, and the file keeps it.
    racy, fixed = tmp_path / "racy.cpp", tmp_path / "fixed.cpp"
    racy.write_text(unbarriered.read_text().replace("TMULS(v6, v4, 2.0f);", "TMULS(v6, v4, 2.0f);\n    TEXPANDS(v4, 1.0f);"))
    assert main(["check", "--fix", str(racy), "-o", str(fixed)]) == 0 and "ptofix: WAR on v4" in fixed.read_text()
    assert main(["run", "--local-slot-num", "0=4", str(fixed), "-o", str(tmp_path / "later.cpp")]) == 2
    assert not (tmp_path / "later.cpp").exists()


# ---- intents that cannot be applied exactly are errors, never dropped ------------------------------
def test_a_header_without_isnosplit_is_refused(tmp_path):
    header = tmp_path / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    header.parent.mkdir(parents=True)
    header.write_text("template <uint8_t FlagID, uint8_t DirType, uint32_t SlotSize, uint32_t SlotNum,\n"
                      "          uint32_t LocalSlotNum = 2, bool EN_UNIT_FLAG = false>\nstruct TPipe {};\n")
    with pytest.raises(PtofixError, match="without IsNoSplit"):
        run(TWO, map="0=2", pto_lib=str(tmp_path))


def test_a_fifth_argument_that_may_be_the_old_orders_bool_is_refused():
    five = TWO.replace("1024, 8, 8, true>", "1024, 8, 1>")
    with pytest.raises(PtofixError, match="may be IsNoSplit"):
        run(five, tpipe_order="old")
    assert "1024, 8, false, 2>" in run(TWO.replace("1024, 8, 8, true>", "1024, 8, 2>"), tpipe_order="old")[0]


def test_init_and_use_that_differ_in_localslotnum_only_need_a_localslotnum():
    differ = TWO.replace("auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>",
                         "auto v3 = TPipe<0, Direction::DIR_C2V, 1024, 8, 4, true>")
    with pytest.raises(PtofixError, match="write different LocalSlotNum values"):
        run(differ, tpipe_order="old")
    assert run(differ, map="0=2")[0].count("1024, 8, 2, true>") == 2


def test_a_flag_map_with_a_pipe_whose_flagid_is_a_name_is_refused():
    named = "  constexpr uint8_t QK = 0;\n" + TWO.split("{\n", 1)[1].replace("TPipe<0,", "TPipe<QK,")
    text = TWO.split("{\n", 1)[0] + "{\n" + named
    with pytest.raises(PtofixError, match="writes its FlagID as 'QK'"):
        run(text, map="0=2,2=2")


def test_a_pipe_statement_the_grammar_cannot_read_blocks_every_rewrite():
    other = kernel("  [[maybe_unused]] auto v6 = TPipe<0, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v2, v2);\n", "vec")
    with pytest.raises(PtofixError, match="could not be parsed; it may name a pipe"):
        run(TWO + other, map="0=2")


FEWER_IR = """module {
  func.func @cube_kernel(%arg0: !pto.tensor_view<16x16xf32>, %arg1: !pto.tensor_view<16x16xf32>) attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {
    pto.aic_initialize_pipe{id = 1, dir_mask = 1, slot_size = 1024, local_slot_num = 2} (gm_slot_tensor = %arg0 : !pto.tensor_view<16x16xf32>)
    pto.aic_initialize_pipe{id = 0, dir_mask = 1, slot_size = 1024, local_slot_num = 4} (gm_slot_tensor = %arg1 : !pto.tensor_view<16x16xf32>)
    return
  }
}
"""
THREE_OF_A_SHAPE = ("AICORE void cube_kernel(__gm__ float* v1) {\n  int32_t v4 = 0;\n"
                    + "".join(f"  auto v{5 + i} = TPipe<{2 * i}, Direction::DIR_C2V, 1024, 8, 8, true>(v1, v4, v4);\n"
                              for i in range(3)) + "}\n")


def test_an_ir_init_without_flag_base_among_pipes_of_its_shape_needs_the_ptoas_version(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(FEWER_IR)
    with pytest.raises(PtofixError, match="pass --target-ptoas"):
        run(THREE_OF_A_SHAPE, ir=str(ir))
    assert run(THREE_OF_A_SHAPE, ir=str(ir), target_ptoas="v0.45")[1]["changed_pipes"] >= 1


def test_an_ir_whose_functions_are_not_in_the_file_is_reported(tmp_path):
    ir = tmp_path / "k.pto"
    ir.write_text(FEWER_IR)
    text, _report, warnings = run(THREE_OF_A_SHAPE.replace("cube_kernel", "cube_kernel_0"), ir=str(ir))
    assert text == THREE_OF_A_SHAPE.replace("cube_kernel", "cube_kernel_0")
    assert any("none of which is a function of this file" in w for w in warnings)
