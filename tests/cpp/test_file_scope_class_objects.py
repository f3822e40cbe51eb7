"""Adversarial kernels against file-scope classes read function by function
(ptofix/cpp/file_scope_classes.py): an object of a class whose conversions write b's bytes, got from a
call under a scalar return word, held in an `auto` local or reference, or a header's global read by
name or from the global scope, keeps the guard. (The CTRL proof's adversaries of the same round:
tests/cpp/test_ctrl_header_proof.py.)

Each kernel is valid C++ (g++ -fsyntax-only against pto-isa's host cost-model build; skipped
without g++ or the checkout) and hides a real conflict across `pipe_barrier(PIPE_V); // GUARD`:
the guard must stay. Geometry: float tiles of 16 x 128 (8192 bytes), `a` at UB 0, `b` at 65536.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_ctrl_header_proof import TILE
from test_ctrl_preservation import guard_kept
from test_file_scope_classes import (
    ALIAS,
    ENTRY,
    GUARD,
    HEAD,
    INDEPENDENT,
    assert_valid_cpp,
    check_kernel,
    host_include,  # noqa: F401  (a fixture)
)

# File-scope classes: the class's operator bool writes b's bytes (UB 65536); the entry gets an
# object of it from `make()` before its PIPE_ALL and converts it after the guard (`if (s)`), never
# naming the class. `make` returns the class under a name read as a scalar return word.
WRITES_B = "T16 w; TASSIGN(w, 65536); pto::TMUL(w, w, w);"
CONVERTS = f"  AICORE explicit operator bool() const {{ {WRITES_B} return true; }}\n"


def converting_entry(make: str) -> str:
    return (f"{ENTRY}\n{{\n  T16 a;\n  TASSIGN(a, 0x0);\n  T16 b;\n  TASSIGN(b, 65536);\n  auto s = {make}();\n"
            f"  pipe_barrier(PIPE_ALL);\n  TADD(b, b, b);\n  {GUARD}\n  if (s) {{\n    n = 1;\n  }}\n"
            "  pipe_barrier(PIPE_ALL);\n}\n")


@pytest.mark.parametrize(("definitions", "make"), [
    # The class is named like a specifier of the scalar return words (main removed the guard).
    ("struct always_inline {\n" + CONVERTS + "};\nAICORE always_inline make() { return always_inline{}; }\n", "make"),
    # A namespace's alias of the class named like a scalar type (main removed the guard).
    ("struct Stage {\n" + CONVERTS + "};\nnamespace k {\nusing uint8_t = Stage;\n"
     "AICORE uint8_t make() { return Stage{}; }\n}  // namespace k\n", "k::make"),
])
def test_a_class_returned_under_a_scalar_word_keeps_the_caller_unknown(tmp_path, host_include, definitions,  # noqa: F811
                                                                       make):
    text = HEAD + ALIAS + definitions + INDEPENDENT + converting_entry(make)
    by_line = check_kernel(tmp_path, text, host_include, freed=True)
    [guard] = [d for d in by_line.values() if d["decision"] == "kept"]
    assert "file-scope class" in guard["reason"], guard


# An `auto` local holding a header class's object from a call before the PIPE_ALL: reading it
# after the guard runs the class's operator bool, which writes b's bytes.
STAGE_HEADER = """#include <pto/pto-inst.hpp>
namespace hx {
using T16 = pto::Tile<pto::TileType::Vec, float, 16, 128, pto::BLayout::RowMajor, 16, 128>;
struct Stage {
  AICORE explicit operator bool() const { T16 w; pto::TASSIGN(w, 65536); pto::TMUL(w, w, w); return true; }
};
AICORE inline Stage make() { return Stage{}; }
}  // namespace hx
"""


@pytest.mark.parametrize("read", [
    "if (s) {\n    n = 1;\n  }",        # main removed the guard
    "n = s ? 1 : 2;",                    # main removed the guard
])
def test_reading_an_auto_object_from_a_call_keeps_the_guard(tmp_path, host_include, read):  # noqa: F811
    (tmp_path / "h.hpp").write_text(STAGE_HEADER)
    text = (f'#include <pto/pto-inst.hpp>\n#include "h.hpp"\nusing namespace pto;\n{ENTRY}\n{{\n'
            f"  {TILE} a;\n  TASSIGN(a, 0x0);\n  {TILE} b;\n  TASSIGN(b, 65536);\n  auto s = hx::make();\n"
            f"  pipe_barrier(PIPE_ALL);\n  TADD(b, b, b);\n  {GUARD}\n  {read}\n  pipe_barrier(PIPE_ALL);\n}}\n")
    (tmp_path / "k.cpp").write_text(text)
    assert_valid_cpp(tmp_path / "k.cpp", None if host_include is None else [*host_include, "-I", str(tmp_path)])
    reason = guard_kept(tmp_path, {"h.hpp": STAGE_HEADER, "k.cpp": text})
    assert "conversion operator" in reason, reason


# A header's global object of a class whose conversions write b's bytes.
GLOBAL_HEADER = """#include <pto/pto-inst.hpp>
namespace hx {
using T16 = pto::Tile<pto::TileType::Vec, float, 16, 128, pto::BLayout::RowMajor, 16, 128>;
struct Stage {
  AICORE explicit operator bool() const { T16 w; pto::TASSIGN(w, 65536); pto::TMUL(w, w, w); return true; }
  AICORE operator int() const { T16 w; pto::TASSIGN(w, 65536); pto::TMUL(w, w, w); return 0; }
};
inline Stage gstage;
}  // namespace hx
"""


def global_reading_kernel(tmp_path: Path, include: list[str] | None, before: str, read: str,
                          header: str = GLOBAL_HEADER) -> dict[str, str]:
    (tmp_path / "h.hpp").write_text(header)
    text = (f'#include <pto/pto-inst.hpp>\n#include "h.hpp"\nusing namespace pto;\n{ENTRY}\n{{\n'
            f"  {TILE} a;\n  TASSIGN(a, 0x0);\n  {TILE} b;\n  TASSIGN(b, 65536);\n  {before}\n"
            f"  pipe_barrier(PIPE_ALL);\n  TADD(b, b, b);\n  {GUARD}\n  {read}\n  pipe_barrier(PIPE_ALL);\n}}\n")
    (tmp_path / "k.cpp").write_text(text)
    assert_valid_cpp(tmp_path / "k.cpp", None if include is None else [*include, "-I", str(tmp_path)])
    return {"h.hpp": header, "k.cpp": text}


@pytest.mark.parametrize(("before", "read"), [
    ("auto& s = hx::gstage;", "if (s) {\n    n = 1;\n  }"),      # main removed the guard
    ("const auto& s = hx::gstage;", "n = s ? 1 : 2;"),           # main removed the guard
    ("auto& s = hx::gstage;", "n = s;"),                         # main removed the guard
])
def test_reading_an_auto_reference_to_a_header_object_keeps_the_guard(tmp_path, host_include, before,  # noqa: F811
                                                                      read):
    reason = guard_kept(tmp_path, global_reading_kernel(tmp_path, host_include, before, read))
    assert "conversion operator" in reason, reason


@pytest.mark.parametrize("read", [
    "if (hx::gstage) {\n    n = 1;\n  }",      # main removed the guard
    "n = hx::gstage;",                        # main removed the guard
])
def test_reading_a_header_object_by_name_keeps_the_guard(tmp_path, host_include, read):  # noqa: F811
    reason = guard_kept(tmp_path, global_reading_kernel(tmp_path, host_include, "", read))
    assert "conversion operator" in reason, reason


GLOBAL_SCOPE_HEADER = """#include <pto/pto-inst.hpp>
using HT16 = pto::Tile<pto::TileType::Vec, float, 16, 128, pto::BLayout::RowMajor, 16, 128>;
struct HStage {
  AICORE explicit operator bool() const { HT16 w; pto::TASSIGN(w, 65536); pto::TMUL(w, w, w); return true; }
  AICORE operator int() const { HT16 w; pto::TASSIGN(w, 65536); pto::TMUL(w, w, w); return 0; }
};
inline HStage gstage;
"""


@pytest.mark.parametrize("read", [
    "if (gstage) {\n    n = 1;\n  }",     # main removed the guard
    "n = gstage + 1;",                     # main removed the guard
    "n = ::gstage;",
])
def test_reading_a_header_s_global_scope_object_keeps_the_guard(tmp_path, host_include, read):  # noqa: F811
    reason = guard_kept(tmp_path, global_reading_kernel(tmp_path, host_include, "", read, GLOBAL_SCOPE_HEADER))
    assert "conversion operator" in reason, reason
