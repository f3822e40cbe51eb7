"""pto-isa version facts: what a checkout given as --pto-isa (or build's PTO_LIB_PATH) tells, and
how the facts that changed across versions read with it (ptofix/isa_version.py)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import ROOT

from ptofix.isa_version import identify
from ptofix.pto import tpipe
from ptofix.pto.ops import row_reduce_drains
from ptofix.source import PtofixError

# Stand-in checkouts written for the tests (the shapes ptofix reads, not pto-isa's code).
INPUTS = os.path.join(ROOT, "lit_tests", "pipe-v-barrier", "Inputs")


def _copy(name: str, tmp_path):
    target = tmp_path / name
    shutil.copytree(os.path.join(INPUTS, name), target)
    return target


def test_a_checkout_of_the_later_versions_and_one_of_the_earlier(tmp_path):
    new, new_notes = identify(str(_copy("pto-isa-new", tmp_path)))
    old, old_notes = identify(str(_copy("pto-isa-old", tmp_path)))
    assert (new.empty_row_reduce_drains, new.tpipe_order, new.tpop_stride, new_notes) == \
        (True, tpipe.NEW, tpipe.STRIDE_SLOT, ())
    assert (old.empty_row_reduce_drains, old.tpipe_order, old.tpop_stride, old_notes) == \
        (False, tpipe.OLD, tpipe.STRIDE_TILE, ())


def test_its_include_directory_names_it_too_and_anything_else_is_refused(tmp_path):
    checkout = _copy("pto-isa-new", tmp_path)
    assert identify(str(checkout / "include"))[0].empty_row_reduce_drains
    with pytest.raises(PtofixError, match="not a pto-isa checkout"):
        identify(str(tmp_path))


def test_headers_it_cannot_read_keep_the_union_and_say_so(tmp_path):
    checkout = _copy("pto-isa-new", tmp_path)
    (checkout / "include" / "pto" / "npu" / "a2a3" / "TRowMin.hpp").unlink()
    (checkout / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp").write_text("// no TPipe here\n")
    facts, notes = identify(str(checkout))
    assert (facts.empty_row_reduce_drains, facts.tpipe_order, facts.tpop_stride) == (False, "", "")
    assert len(notes) == 3 and "TROWMIN_IMPL" in notes[0] and "TPipe" in notes[1] and "stride" in notes[2]


def test_the_ring_stride_must_be_one_in_every_consumer_ring_expression(tmp_path):
    checkout = _copy("pto-isa-new", tmp_path)
    header = checkout / "include" / "pto" / "npu" / "a2a3" / "TPush.hpp"
    text = header.read_text()
    # A second expression for the Mat tiles' ring that strides otherwise: no one stride.
    header.write_text(text.replace("}  // namespace pto", "uint64_t MatSlot(F &fifo, uint32_t i) { return "
                                   "fifo.V2C_CONSUMER_BUF + (i % RingFiFo::LOCAL_SLOT_NUM) * 512; }\n"
                                   "}  // namespace pto"))
    facts, notes = identify(str(checkout))
    assert facts.tpop_stride == "" and "stride" in notes[0]


def test_a_return_anywhere_in_an_impl_body_is_the_early_return(tmp_path):
    checkout = _copy("pto-isa-new", tmp_path)
    header = checkout / "include" / "pto" / "npu" / "a2a3" / "TRowMax.hpp"
    text = header.read_text()
    # A comment or a declaration mentioning it changes nothing; a return in the body does.
    header.write_text("// return early? TROWMAX_IMPL(x) { return; }\n"
                      "template <typename A, typename B, typename C> void TROWMAX_IMPL(A &, B &, C &);\n" + text)
    assert identify(str(checkout))[0].empty_row_reduce_drains
    header.write_text(text.replace("RowReduceMax(dst, src, tmp);", "if (tmp.GetValidRow() < 1) return;\n"
                                   "    RowReduceMax(dst, src, tmp);"))
    identify.cache_clear()
    assert not identify(str(checkout))[0].empty_row_reduce_drains


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_checkout_is_named_by_its_commit(tmp_path):
    checkout = _copy("pto-isa-new", tmp_path)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "stand-in"]):
        subprocess.run(["git", "-C", str(checkout), *argv], check=True, env=env)
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    facts, notes = identify(str(checkout))
    # (Its history lacks 5a2e8553, so git cannot place it: the headers decide.)
    assert f"commit {head[:12]}" in facts.described and facts.empty_row_reduce_drains and notes == ()


def test_row_reductions_drain_on_an_empty_or_unknown_shape_only_with_the_later_headers():
    # float, tmp and src a whole 256-byte repeat wide (64 floats).
    for valid in ((0, 64), (8, 0), None):
        assert not row_reduce_drains("float", valid, 64, "float", 64)
        assert row_reduce_drains("float", valid, 64, "float", 64, empty_drains=True)
    # The one path that issues nothing stays whatever the version: E < validCol < 2E, a narrow tmp.
    assert not row_reduce_drains("float", (8, 100), 32, "float", 128, empty_drains=True)
    assert not row_reduce_drains("float", None, 32, "float", 128, empty_drains=True)
    assert row_reduce_drains("float", (8, 0), 32, "float", 128, empty_drains=True)


def test_ring_depths_by_the_headers_tpipe_order():
    short_local = [2, "DIR_C2V", 16384, 8, 1]          # TPipe<..., 8, 1>: the 1 and a default
    assert tpipe.ring_depths(short_local) == {1, 2}
    assert tpipe.ring_depths(short_local, tpipe.NEW) == {1}
    assert tpipe.ring_depths(short_local, tpipe.NO_NOSPLIT) == {1}
    assert tpipe.ring_depths(short_local, tpipe.OLD) == {2}
    assert tpipe.ring_depths([2, "DIR_C2V", 16384, 8, 1, False], tpipe.OLD) is None    # depth 0: no ring
    assert tpipe.ring_depths([2, "DIR_C2V", 16384, 8, 4, False], tpipe.OLD) == {4}
