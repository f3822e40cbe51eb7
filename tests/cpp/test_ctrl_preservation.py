"""Fail closed on writes of the CTRL register: a `set_ctrl` is harmless only when proven so.

`set_ctrl` writes the whole CTRL register, whose bit 56 selects count mode (in which every
element-wise op walks as many elements as the vector mask says, past its tiles). A header or
kernel that names it used to keep every barrier of the kernel; now a function that saves CTRL
with `get_ctrl()` first, changes only value-only bits (A2/A3 saturation: 59) with sbitset0 /
sbitset1 of a known constant, and writes the saved value back last no longer counts
(ptofix/cpp/ctrl_preservation.py, ptofix/pto/ctrl_register.py). Every kernel below includes such
a helper broken in exactly one way (the count-mode bit, a reassigned or addressed saved value, a
bit from a variable, a macro or a template parameter, a way out before the restore, a restore on
one branch only, a macro or lambda hiding set_ctrl, set_mask_count in the header or in a second
header, a macro of the kernel that redefines sbitset0, ...): the barrier between two disjoint
tiles, removed when the helper is the proven pattern, must then stay, with a count-mode reason.

Each fixture is valid C++: the compile test runs g++ -fsyntax-only against pto-isa's host build
(../shared/pto-isa/f35e7f60, the cost model; skipped without g++ or the checkout).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptofix.cli import main

REPO = Path(__file__).resolve().parents[2]
CHECKOUT = REPO.parent / "shared" / "pto-isa" / "f35e7f60"

T16 = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
GUARD = "pipe_barrier(PIPE_V);  // GUARD"

# The int4_cvt.hpp shape (pto-kernels fast_hadamard): save CTRL, clear the saturation bit, do the
# vector work, write the saved value back.
SAVE = "  uint64_t originalCtrl = get_ctrl();\n"
FLIP = "  set_ctrl(sbitset0(originalCtrl, SAT_MODE_BIT));\n"
WORK = "  vadd(dst, src, src, 1, 1, 1, 1, 8, 8, 8);\n"
RESTORE = "  set_ctrl(originalCtrl);\n"


def helper(body: str, before: str = "", params: str = "", template: str = "template <typename T>") -> str:
    """A helper header whose function `Convert` has ``body``; ``before`` goes at namespace scope."""
    return f"""#ifndef CTRL_HELPER_HPP
#define CTRL_HELPER_HPP
#include <pto/pto-inst.hpp>

namespace helper {{
inline namespace internal {{
constexpr const int SAT_MODE_BIT = 59;
}}  // namespace internal
{before}
{template}
AICORE void Convert(__ubuf__ T *dst, __ubuf__ T *src{params}) {{
{body}}}
}}  // namespace helper
#endif
"""


PROVEN = helper(SAVE + FLIP + WORK + RESTORE)


def kernel(prefix: str = "", includes: str = '#include "h.hpp"\n', own: str = "", call: str = "") -> str:
    """A kernel including the helper; a barrier separates two disjoint tiles (a at 0, b at
    65536), which the proof removes when nothing else is in doubt."""
    return f"""{prefix}#include <pto/pto-inst.hpp>
{includes}using namespace pto;
{own}
extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n) {{
{call}  {T16} a;
  TASSIGN(a, 0x0);
  {T16} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""


def guard_line(text: str) -> int:
    [line] = [i for i, line in enumerate(text.splitlines(), 1) if "// GUARD" in line]
    return line


def run_auto(tmp_path: Path, files: dict[str, str]) -> tuple[dict, str]:
    """`ptofix run --pattern auto -I <dir> k.cpp`: the guard's decision and the output text."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out, report = tmp_path / "out.cpp", tmp_path / "report.json"
    status = main(["run", "--pattern", "auto", "-q", "-I", str(tmp_path), "--report", "json",
                   "--report-file", str(report), str(tmp_path / "k.cpp"), "-o", str(out)])
    assert status == 0
    [entry] = json.loads(report.read_text())["files"]
    line = guard_line(files["k.cpp"])
    [decision] = [d for p in entry.get("passes", []) if p["pass"] == "pipe-v-barrier" for d in p["decisions"]
                  if d["line"] == line]
    return decision, out.read_text()


def guard_kept(tmp_path: Path, files: dict[str, str]) -> str:
    """Assert the guard stays code in the output; its reason."""
    decision, output = run_auto(tmp_path, files)
    line = guard_line(files["k.cpp"])
    assert output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), output
    assert decision["decision"] == "kept", decision
    return str(decision["reason"])


def guard_removed(tmp_path: Path, files: dict[str, str]) -> None:
    decision, output = run_auto(tmp_path, files)
    line = guard_line(files["k.cpp"])
    assert decision["decision"] == "removed", decision
    assert not output.splitlines()[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), output


CALL = "  helper::Convert<float>((__ubuf__ float *)0, (__ubuf__ float *)0);\n"

# Fixtures whose helper provably keeps the mask mode.
POSITIVE = {
    "int4_cvt_shape": {"h.hpp": PROVEN, "k.cpp": kernel()},
    "literal_bits_and_inline_get_ctrl": {
        "h.hpp": helper(SAVE + "  set_ctrl(sbitset1(sbitset0(get_ctrl(), 59), 59ULL));\n" + WORK
                        + "  set_ctrl(sbitset1(originalCtrl, 0x3b));\n" + RESTORE),
        "k.cpp": kernel()},
    "comments_around": {
        "h.hpp": helper("  // save CTRL, saturation on\n" + SAVE + FLIP + WORK + "  // restore\n" + RESTORE
                        + "  // done\n"),
        "k.cpp": kernel()},
    "in_the_kernel_file": {
        "h.hpp": "#include <pto/pto-inst.hpp>\n",
        "k.cpp": kernel(own="AICORE void Saturate() {\n  uint64_t saved = get_ctrl();\n"
                            "  set_ctrl(sbitset0(saved, 59));\n  set_ctrl(saved);\n}\n")},
}

# Fixtures whose helper may leave count mode (or is not read well enough to tell).
NEGATIVE = {
    "count_bit_set": {"h.hpp": helper(SAVE + "  set_ctrl(sbitset1(originalCtrl, 56));\n" + WORK + RESTORE)},
    "count_bit_cleared_then_restored_to_a_flipped_save": {
        "h.hpp": helper(SAVE + "  set_ctrl(sbitset0(originalCtrl, 56));\n" + WORK + RESTORE)},
    "unlisted_bit": {"h.hpp": helper(SAVE + "  set_ctrl(sbitset1(originalCtrl, 61));\n" + WORK + RESTORE)},
    "a5_saturation_bit_60": {"h.hpp": helper(SAVE + "  set_ctrl(sbitset1(originalCtrl, 60));\n" + WORK + RESTORE)},
    "saved_value_reassigned": {
        "h.hpp": helper(SAVE + FLIP + "  originalCtrl = sbitset1(originalCtrl, 56);\n" + WORK + RESTORE)},
    "saved_value_addressed": {
        "h.hpp": helper(SAVE + "  uint64_t *alias = &originalCtrl;\n  *alias |= 1ULL << 56;\n" + FLIP + WORK
                        + RESTORE)},
    "saved_value_or_count_bit": {"h.hpp": helper(SAVE + "  set_ctrl(get_ctrl() | (1ULL << 56));\n" + WORK
                                                 + RESTORE)},
    "saved_value_narrowed": {
        "h.hpp": helper("  int originalCtrl = get_ctrl();\n" + FLIP + WORK + RESTORE)},
    "bit_from_a_variable": {
        "h.hpp": helper(SAVE + "  int bit = 56;\n  set_ctrl(sbitset0(originalCtrl, bit));\n" + WORK + RESTORE)},
    "bit_from_a_local_shadowing_the_constant": {
        "h.hpp": helper(SAVE + "  const int SAT_MODE_BIT = 56;\n" + FLIP + WORK + RESTORE)},
    "bit_from_a_macro": {
        "h.hpp": helper(SAVE + "  set_ctrl(sbitset1(originalCtrl, MODE_BIT));\n" + WORK + RESTORE,
                        before="#define MODE_BIT 56")},
    "bit_from_a_template_parameter": {
        "h.hpp": helper(SAVE + "  set_ctrl(sbitset1(originalCtrl, B));\n" + WORK + RESTORE,
                        template="template <typename T, int B = 56>")},
    "bit_constant_declared_again_elsewhere": {
        "h.hpp": PROVEN,
        "k.cpp": kernel(includes='#include "h.hpp"\n#include "h2.hpp"\n'),
        "h2.hpp": "#pragma once\nnamespace other {\nconstexpr const int SAT_MODE_BIT = 56;\n}\n"},
    "early_return_between_save_and_restore": {
        "h.hpp": helper(SAVE + FLIP + "  if (n == 0) {\n    return;\n  }\n" + WORK + RESTORE, params=", int n = 0")},
    "restore_missing_on_one_branch": {
        "h.hpp": helper(SAVE + FLIP + WORK + "  if (n != 0) {\n  " + RESTORE + "  }\n", params=", int n = 0")},
    "restore_not_last": {"h.hpp": helper(SAVE + FLIP + RESTORE + "  set_ctrl(sbitset0(get_ctrl(), 56));\n")},
    "set_mask_count_in_the_same_header": {
        "h.hpp": helper(SAVE + FLIP + WORK + RESTORE,
                        before="AICORE inline void EnterCount() {\n  set_mask_count();\n}")},
    "set_mask_count_in_the_same_function": {
        "h.hpp": helper(SAVE + FLIP + "  set_mask_count();\n" + WORK + RESTORE)},
    "second_header_sets_count_mode": {
        "h.hpp": PROVEN,
        "k.cpp": kernel(includes='#include "h.hpp"\n#include "h2.hpp"\n'),
        "h2.hpp": "#pragma once\n#include <pto/pto-inst.hpp>\nAICORE inline void EnterCount() {\n"
                  "  set_mask_count();\n}\n"},
    "second_header_with_an_unproven_set_ctrl": {
        "h.hpp": PROVEN,
        "k.cpp": kernel(includes='#include "h.hpp"\n#include "h2.hpp"\n'),
        "h2.hpp": "#pragma once\n#include <pto/pto-inst.hpp>\nAICORE inline void Raw(uint64_t v) {\n"
                  "  set_ctrl(v);\n}\n"},
    "get_ctrl_declared_by_an_earlier_header": {
        "h.hpp": PROVEN,
        "k.cpp": kernel(includes='#include "h0.hpp"\n#include "h.hpp"\n'),
        "h0.hpp": "#pragma once\n#include <pto/pto-inst.hpp>\nnamespace helper {\n"
                  "inline uint64_t get_ctrl() { return 1ULL << 56; }\n}\n"},
    "get_ctrl_declared_by_the_header_itself": {
        "h.hpp": helper(SAVE + FLIP + WORK + RESTORE, before="inline uint64_t get_ctrl();")},
    "in_the_kernel_file_get_ctrl_of_a_header": {
        "h.hpp": "#pragma once\n#include <pto/pto-inst.hpp>\nnamespace mine {\n"
                 "inline uint64_t get_ctrl() { return 1ULL << 56; }\n}\nusing namespace mine;\n",
        "k.cpp": kernel(own="AICORE void Saturate() {\n  uint64_t saved = mine::get_ctrl();\n"
                            "  set_ctrl(sbitset0(saved, 59));\n  set_ctrl(saved);\n}\n", call="  Saturate();\n")},
    "macro_hides_set_ctrl": {
        "h.hpp": helper(SAVE + FLIP + WORK + "  RESTORE_CTRL(originalCtrl);\n",
                        before="#define RESTORE_CTRL(v) set_ctrl(sbitset1(v, 56))")},
    "macro_of_the_kernel_redefines_sbitset0": {
        "h.hpp": PROVEN,
        "k.cpp": kernel(prefix="#include <pto/pto-inst.hpp>\n#define sbitset0(v, b) ((v) | (1ULL << 56))\n")},
    "lambda_writes_ctrl": {
        "h.hpp": helper(SAVE + "  auto enter = [&]() { set_ctrl(sbitset1(originalCtrl, 56)); };\n" + FLIP
                        + "  enter();\n" + WORK + RESTORE)},
    "lambda_restores_ctrl": {
        "h.hpp": helper(SAVE + FLIP + "  auto restore = [&]() { set_ctrl(originalCtrl); };\n" + WORK
                        + "  restore();\n")},
    "inline_assembly": {"h.hpp": helper(SAVE + FLIP + '  asm volatile("" ::: "memory");\n' + WORK + RESTORE)},
    "in_the_kernel_file_count_bit": {
        "h.hpp": "#include <pto/pto-inst.hpp>\n",
        "k.cpp": kernel(own="AICORE void Enter() {\n  uint64_t saved = get_ctrl();\n"
                            "  set_ctrl(sbitset1(saved, 56));\n}\n", call="  Enter();\n")},
}


def files_of(case: dict[str, str]) -> dict[str, str]:
    return {"k.cpp": kernel(), **case}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_proven_save_and_restore_lets_the_proof_run(tmp_path, name):
    guard_removed(tmp_path, files_of(POSITIVE[name]))


# Kept before the count-mode reading is reached, by the rules for what headers and macros may
# change (unmodelled_file): a macro defined before pto's header that pto's code reads; a header
# declaring a name the kernel writes and ptofix reads as pto's. The proof's own check of those
# names is test_relied_names_are_the_ones_a_macro_could_change. (Fixture -> a word of the reason.)
KEPT_BEFORE_THE_PROOF = {"macro_of_the_kernel_redefines_sbitset0": "macro",
                         "in_the_kernel_file_get_ctrl_of_a_header": "get_ctrl"}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_ctrl_write_not_proven_keeps_the_barrier(tmp_path, name):
    reason = guard_kept(tmp_path, files_of(NEGATIVE[name]))
    assert KEPT_BEFORE_THE_PROOF.get(name, "count mode") in reason, reason


def test_a_call_of_the_proven_helper_is_no_count_mode_point(tmp_path):
    """The helper's own work stays unknown (a call with pointers into UB), but not for count mode."""
    reason = guard_kept(tmp_path, {"h.hpp": PROVEN, "k.cpp": kernel(call=CALL)})
    assert "count mode" not in reason, reason


def test_relied_names_are_the_ones_a_macro_could_change():
    """The names the proof takes at their meaning (header_ctrl_unproven then rejects a macro of
    any of them, wherever the run defines it) and the bit constants it read."""
    from ptofix.cpp.count_mode import header_ctrl_unproven
    from ptofix.cpp.ctrl_preservation import prove_ctrl_preserved
    from ptofix.cpp.headers import HeaderSummary
    from ptofix.cpp.parser import parse_cpp
    from ptofix.source import SourceText

    proof = prove_ctrl_preserved(parse_cpp(SourceText(PROVEN, "h.hpp")))
    assert proof.why == ""
    assert {"set_ctrl", "get_ctrl", "sbitset0", "sbitset1", "originalCtrl", "uint64_t", "SAT_MODE_BIT"} \
        <= proof.relied_names
    assert proof.bit_names == {"SAT_MODE_BIT": 59}
    summary = HeaderSummary()
    summary.ctrl_relied.update(proof.relied_names)
    summary.ctrl_bits["SAT_MODE_BIT"] = {"h.hpp": 59}
    summary.declarers["SAT_MODE_BIT"] = {"h.hpp"}
    headers = {"h.hpp": summary}
    assert header_ctrl_unproven(headers, frozenset(), frozenset()) == ""
    for macro in ("sbitset0", "SAT_MODE_BIT", "uint64_t", "originalCtrl", "get_ctrl"):
        assert macro in header_ctrl_unproven(headers, frozenset({macro}), frozenset())
    assert "declared by the file" in header_ctrl_unproven(headers, frozenset(), frozenset({"SAT_MODE_BIT"}))
    summary.declarers["SAT_MODE_BIT"].add("other.hpp")
    assert "declared again in other.hpp" in header_ctrl_unproven(headers, frozenset(), frozenset())
    # pto's own declaration of its name, with pto's value, is the same constant.
    summary.declarers["SAT_MODE_BIT"] = {"h.hpp", "/x/include/pto/npu/a2a3/TCvt.hpp"}
    assert header_ctrl_unproven(headers, frozenset(), frozenset()) == ""


def test_the_unproven_header_is_named_with_why(tmp_path):
    reason = guard_kept(tmp_path, files_of(NEGATIVE["early_return_between_save_and_restore"]))
    assert "set_ctrl" in reason and "return" in reason, reason


def _gxx_prefix(tmp_path: Path) -> list[str] | None:
    """g++ and the flags of pto-isa's host build (its formula headers generated into
    ``tmp_path``, the checkout being read-only); None when either is missing."""
    gxx = shutil.which("g++")
    if gxx is None or not (CHECKOUT / "include" / "pto" / "pto-inst.hpp").is_file():
        return None
    generated = tmp_path / "generated"
    for arch in ("a2a3", "a5"):
        source = CHECKOUT / "include" / "pto" / "costmodel" / arch / "formula_costmodel"
        target = generated / "pto" / "costmodel" / arch / "formula_costmodel"
        target.mkdir(parents=True)
        for name in ("gen_formula_params_header.py", "formula_params.csv"):
            shutil.copy(source / name, target / name)
        subprocess.run([sys.executable, str(target / "gen_formula_params_header.py")], check=True,
                       capture_output=True, cwd=target)
    prelude = tmp_path / "prelude.h"
    prelude.write_text("#include <cstdint>\n")        # (pto's type.hpp uses uint8_t before including it)
    return [gxx, "-std=c++2b", "-fsyntax-only", "-D__COSTMODEL", "-D__NPU_ARCH__=2201", "-DPTO_COMM_NOT_SUPPORTED",
            "-include", str(prelude), "-I", str(generated), "-I", str(CHECKOUT / "include")]


@pytest.mark.slow
def test_every_fixture_is_valid_cpp(tmp_path):
    prefix = _gxx_prefix(tmp_path)
    if prefix is None:
        pytest.skip("g++ or ../shared/pto-isa/f35e7f60 (a pto-isa checkout) is not present")
    for name, case in {**POSITIVE, **NEGATIVE}.items():
        folder = tmp_path / name
        folder.mkdir()
        files = files_of(case)
        for file_name, text in files.items():
            (folder / file_name).write_text(text)
        # (The helper's template instantiated too, so its body is checked against its arguments.)
        use = CALL.replace("  ", "void instantiate() {", 1) + "}\n" if "Convert" in files["h.hpp"] else ""
        (folder / "use.cpp").write_text('#include "k.cpp"\n' + use)
        done = subprocess.run([*prefix, "-I", str(folder), str(folder / "use.cpp")], capture_output=True, text=True)
        assert done.returncode == 0, (name, done.stderr[-3000:])
