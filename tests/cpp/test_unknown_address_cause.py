"""Why a tile's address is unknown, and where: a kept barrier's reason (``run``) and an unverified
function's note (``check``) name the cause the model recorded with the tile's unknown binding
(Symbol.make_unknown: the reason of the statement it could not read, and that statement's place),
not only that no address is known. Only the words change: the decisions are the same."""
from __future__ import annotations

import json

from ptofix.cli import main

HEAD = ('#include "pto/pto-inst.hpp"\nusing namespace pto;\n'
        "using F = Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, "
        "PadValue::Null, CompactMode::Null>;\n")

# The `do` statement (19:3) is not modelled and names c: c may be rebound anywhere in the function,
# so TMULS(c, ...) at 13:5 has no known address, and barrier 15:5 is kept for it.
UNREAD_DO = HEAD + """extern "C" __global__ AICORE void ctl(int32_t n, int32_t m, int32_t which) {
#if defined(__DAV_VEC__)
  F a; TASSIGN(a, 0x0);
  F b; TASSIGN(b, 0x4000);
  F c; TASSIGN(c, 0x8000);
  F d; TASSIGN(d, 0xc000);
  for (int i = 0; i < n; ++i) {
    TADD(d, c, b);
    pipe_barrier(PIPE_V);
    TMULS(c, a, 2.0f);
    if (i == which) continue;
    pipe_barrier(PIPE_V);
  }
  pipe_barrier(PIPE_V);
  int j = 0;
  do {
    TMULS(b, c, 3.0f);
    pipe_barrier(PIPE_V);
    TADD(c, b, a);
    ++j;
  } while (j < m);
#endif
}
"""

CAUSE = "'do' is not modelled (a statement ptofix cannot read names 'c')"


def _run(tmp_path, capsys, text: str, report: str) -> str:
    kernel = tmp_path / "k.cpp"
    kernel.write_text(text)
    assert main(["run", "--pattern", "auto", str(kernel), "-o", str(tmp_path / "out.cpp"),
                 "--report", report]) == 0
    captured = capsys.readouterr()
    return captured.out if report == "json" else captured.err     # (the text report: stderr)


def test_run_s_reason_names_the_unread_statement(tmp_path, capsys):
    out = _run(tmp_path, capsys, UNREAD_DO, "text")
    assert f"k.cpp:15:5: kept (auto, [no op on straight-line code] -> [no op on straight-line code]): WAW: TMULS " \
           f"write c (no address of 'c' is known: 19:3: {CAUSE}) at 13:5 -> TADD write d [49152,53248) at " \
           "11:5 (across loop back-edge)" in out, out
    # The decisions themselves are unchanged: every barrier kept.
    assert "0 of 4 PIPE_V barriers removed" in out, out


def test_the_json_report_writes_the_place_in_full(tmp_path, capsys):
    report = json.loads(_run(tmp_path, capsys, UNREAD_DO, "json"))
    decision = next(d for d in report["files"][0]["passes"][0]["decisions"] if d["line"] == 15)
    assert decision["decision"] == "kept" and decision["cause"] == {"kind": "unknown-bytes", "names": ["c"]}
    assert decision["hazard"]["earlier"]["bytes_unknown"] == f"no address of 'c' is known: {tmp_path}/k.cpp:19:3: " \
                                                             f"{CAUSE}"


def test_check_s_note_names_the_unread_statement(tmp_path, capsys):
    kernel = tmp_path / "k.cpp"
    kernel.write_text(UNREAD_DO)
    assert main(["check", "--color", "never", str(kernel)]) == 4
    err = capsys.readouterr().err
    assert f"k.cpp:11:5: note: 'ctl' is unverified: TADD: the bytes TMULS and it touch are not known, so a " \
           f"conflict can be neither shown nor ruled out; no address of 'c' is known: {kernel}:19:3: {CAUSE}" in err, err


def test_an_initialiser_the_model_cannot_evaluate_is_named_with_its_place(tmp_path, capsys):
    """`F e = n ? a : c;`: the declaration's own binding is unknown, for a reason of no other
    statement: the declaration is where (it used to have no place)."""
    text = HEAD + """extern "C" __global__ AICORE void ref(int32_t n) {
  F a; TASSIGN(a, 0x0);
  F c; TASSIGN(c, 0x8000);
  F e = n ? a : c;
  TADD(e, a, a);
  pipe_barrier(PIPE_V);
  TADD(c, c, c);
}
"""
    out = _run(tmp_path, capsys, text, "text")
    assert "WAW: TADD write e (no address of 'e' is known: 7:3: initialised from an expression) at 8:3" in out, out


def test_a_tassign_to_an_address_not_known_is_named(tmp_path, capsys):
    """`TASSIGN(e, base)` of a kernel argument: the TASSIGN is where the address comes from."""
    text = HEAD + """extern "C" __global__ AICORE void arg(int32_t base) {
  F a; TASSIGN(a, 0x0);
  F e; TASSIGN(e, base);
  TADD(e, a, a);
  pipe_barrier(PIPE_V);
  TADD(a, a, a);
}
"""
    out = _run(tmp_path, capsys, text, "text")
    assert "TADD write e (no address of 'e' is known: 6:8: TASSIGN of 'e' to an address the model cannot " \
           "evaluate) at 7:3" in out, out


PARAMETER = HEAD + """extern "C" __global__ AICORE void par(int32_t n, F %s) {
  F a; TASSIGN(a, 0x0);
  TADD(p, a, a);
  pipe_barrier(PIPE_V);
  TADD(a, a, a);
}
"""


def test_a_parameter_is_named_with_its_place(tmp_path, capsys):
    """A tile passed in: the parameter is where the address comes from (it used to have no place)."""
    out = _run(tmp_path, capsys, PARAMETER % "p", "text")
    assert "WAW: TADD write p (no address of 'p' is known: 4:50: function parameter) at 6:3" in out, out


def test_a_reference_parameter_is_named_with_its_place(tmp_path, capsys):
    out = _run(tmp_path, capsys, PARAMETER % "&p", "text")
    assert "WAW: TADD write p (no address of 'p' is known: 4:50: declared as a reference) at 6:3" in out, out
    report = json.loads(_run(tmp_path, capsys, PARAMETER % "&p", "json"))
    decision = report["files"][0]["passes"][0]["decisions"][0]
    assert decision["hazard"]["earlier"]["bytes_unknown"] == \
        f"no address of 'p' is known: {tmp_path}/k.cpp:4:50: declared as a reference"
