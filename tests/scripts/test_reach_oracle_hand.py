"""scripts/reach_oracle.py refuses what hides a real conflict in hand-written C++.

The oracle is the yardstick ptofix's removals on hand-written kernels are measured against: a
barrier it wrongly proves removable would make an unsound removal look backed. It is taught
templates, helper calls and aliases independently of ptofix, so it is held to the same kernels as
ptofix (tests/cpp/test_fail_closed_hand.py): every `// GUARD` barrier there guards a real conflict, and
the oracle must never prove one removable. The control shows it does prove the disjoint pair.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from test_fail_closed_hand import ENTRY, GUARD, HEAD, T16, TEMPLATE, TILES, guard_lines, one_file, write
from test_fail_closed_hand_calls import CALL_CASES
from test_fail_closed_hand_declarations import DECL_CASES, DECL_HEADERS
from test_fail_closed_hand_templates import CALL_SITE_CASES, CALLER_GUARD_CASES, TEMPLATE_CASES, TEMPLATE_HEADERS

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("reach_oracle_hand", REPO / "scripts" / "reach_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reach_oracle_hand"] = module
    spec.loader.exec_module(module)
    return module


oracle_module = _load()


def proven_guards(tmp_path: Path, files: dict[str, str], target: str = "k.cpp") -> list[int]:
    """The GUARD lines of ``target`` the oracle proves removable (none, for a sound oracle)."""
    write(tmp_path, files)
    found = oracle_module.oracle(str(tmp_path / target))
    lines = guard_lines(files[target])
    assert lines
    return [line for line in lines if found.get(line)]


def all_cases() -> dict[str, dict[str, str]]:
    cases: dict[str, dict[str, str]] = {}
    for name, text in TEMPLATE_CASES.items():
        files = one_file(text)
        files.update(TEMPLATE_HEADERS.get(name, {}))
        cases["template: " + name] = files
    for name, (helpers, body, headers) in CALL_CASES.items():
        files = one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n")
        files.update(headers)
        cases["call: " + name] = files
    for name, text in CALL_SITE_CASES.items():
        cases["template call site: " + name] = one_file(text)
    for name, text in CALLER_GUARD_CASES.items():
        cases["caller of a template: " + name] = one_file(text)
    for name, (helpers, body) in DECL_CASES.items():
        files = one_file(f"{helpers}{ENTRY} {{\n{TILES}{body}}}\n")
        files.update(DECL_HEADERS.get(name, {}))
        cases["declaration: " + name] = files
    return cases


CASES = all_cases()

# Guards main's oracle used to prove removable although they guard a real conflict (each an
# unsoundness of the yardstick, now refused): a rebinding or write made outside the barrier's window
# (a helper's TASSIGN or copy through a reference, a file-scope variable another function writes, a
# tile a helper returns), a declaration or assignment whose constructor or operator issues vector
# work, a file-scope function that shadows a pto op, a header's macro over a kernel constant.
@pytest.mark.parametrize("name", sorted(CASES))
def test_oracle_never_proves_a_guard_removable(tmp_path, name):
    assert proven_guards(tmp_path, CASES[name]) == [], CASES[name]["k.cpp"]


def test_oracle_never_proves_a_header_templates_guard_removable(tmp_path):
    header = HEAD + "#pragma once\n" + TEMPLATE + "static AICORE void safe_user(__gm__ float* x) {\n  impl<16, 128>(x);\n}\n"
    assert proven_guards(tmp_path, {"impl.h": header}, target="impl.h") == []


def test_oracle_proves_the_disjoint_control(tmp_path):
    # The kernels' geometry as the oracle reads it: the same file with the overlapping tile c
    # replaced by the disjoint b is proved, so the refusals above can fail.
    text = HEAD + f"{ENTRY} {{\n{TILES}  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n"
    assert proven_guards(tmp_path, {"k.cpp": text}) == guard_lines(text)


def test_oracle_never_proves_a_guard_behind_a_tile_alias_template(tmp_path):
    # `Tile` is the file's alias template with twice the rows (test_fail_closed_hand's case).
    text = ("#include <pto/pto-inst.hpp>\nusing pto::TADD;\nusing pto::TMUL;\nusing pto::TASSIGN;\n"
            "using pto::TileType;\nusing pto::BLayout;\n"
            "template <TileType L, typename D, int R, int C, BLayout B, int VR, int VC>\n"
            "using Tile = pto::Tile<L, D, 2 * R, C, B, 2 * VR, VC>;\n"
            f"{ENTRY} {{\n  {T16} a;\n  {T16} b;\n  TASSIGN(a, 0x0);\n  TASSIGN(b, 8192);\n  pipe_barrier(PIPE_ALL);\n"
            f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n")
    assert proven_guards(tmp_path, {"k.cpp": text}) == []


# The oracle's own fail-closed readings, each with a guard it must keep (the cases above are
# ptofix's; these reach the same constructs another way).
OWN_CASES = {
    "tile bound to a pointer a header helper rebinds": {
        "k.cpp": HEAD + '#include "helper.h"\n' + f"{ENTRY} {{\n{TILES}  {T16}* pb = &b;\n  place(pb);\n"
        f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n",
        "helper.h": f"#pragma once\nstatic AICORE void place({T16}* t) {{\n  TASSIGN(*t, 4096);\n}}\n"},
    "class from a header two includes deep, constructed after the guard": {
        "k.cpp": HEAD + f"static {T16} g_tile;\n" + '#include "outer.h"\n' + f"{ENTRY} {{\n{TILES}"
        f"  TASSIGN(g_tile, 4096);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  Work w;\n}}\n",
        "outer.h": '#pragma once\n#include "inner.h"\n',
        "inner.h": "#pragma once\nstruct Work {\n  AICORE Work() {\n    TMUL(g_tile, g_tile, g_tile);\n  }\n};\n"},
    "macro from a header two includes deep over a kernel constant": {
        "k.cpp": HEAD + "constexpr int64_t OFF = 65536;\n" + '#include "outer.h"\n' + f"{ENTRY} {{\n{TILES}"
        f"  {T16} d;\n  TASSIGN(d, OFF);\n  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n}}\n",
        "outer.h": '#pragma once\n#include "inner.h"\n',
        "inner.h": "#pragma once\n#define OFF 4096\n"},
    "tile copied into another the oracle reads": {
        "k.cpp": HEAD + f"{ENTRY} {{\n{TILES}  {T16} d;\n  TASSIGN(d, 65536);\n  d = c;\n"
        f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(d, d, d);\n}}\n"},
    "a tile passed by reference to a lambda": {
        "k.cpp": HEAD + f"{ENTRY} {{\n{TILES}  auto move = [&]() {{ TASSIGN(b, 4096); }};\n  move();\n"
        f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n"},
}


@pytest.mark.parametrize("name", sorted(OWN_CASES))
def test_oracle_keeps_its_own_fail_closed_guards(tmp_path, name):
    assert proven_guards(tmp_path, OWN_CASES[name]) == [], OWN_CASES[name]["k.cpp"]


def test_oracle_reads_a_kernels_own_template_type_parameter_as_no_class(tmp_path):
    # `template <class D>` names a type parameter, not a class the file defines: a window's
    # statements that spell `D` elsewhere are not refused for it (the control of class_names).
    text = HEAD + "template <class D> static AICORE void unused(D d) {}\n" + \
        f"{ENTRY} {{\n{TILES}  int64_t D = 1;\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(b, b, b);\n}}\n"
    assert proven_guards(tmp_path, {"k.cpp": text}) == guard_lines(text)
