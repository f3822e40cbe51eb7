"""scripts/reach_oracle.py where the vector unit may be in count mode (issue 57).

In count mode (CTRL bit 56: `set_mask_count()`, a `set_ctrl` write, or inline assembly) an
element-wise op walks as many elements as the mask register says, not its tile's valid shape, so the
bytes the oracle computes for an op are not the bytes it touches. A file that names such a write,
or a header it reads that does (pto-isa's own headers aside: their ops restore the mode themselves),
gets no byte-overlap proof; a barrier with no vector op on one side up to its drain is still
redundant whatever the op's bytes. Each control shows the same geometry proved without the write.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("reach_oracle_count_mode", REPO / "scripts" / "reach_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reach_oracle_count_mode"] = module
    spec.loader.exec_module(module)
    return module


oracle_module = _load()

HEAD = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
T16 = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)'
# `a` at UB 0 and `b` at 65536 (8192 bytes each in norm mode): disjoint unless count mode stretches
# an op's walk.
BODY = f"""  {T16} a;
  TASSIGN(a, 0x0);
  {T16} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  pipe_barrier(PIPE_V);  // MARK
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
"""

WRITERS = {
    "set_mask_count in a helper of the file": "static AICORE void enter_count() { set_mask_count(); }\n",
    "a set_ctrl write in the file": "static AICORE void write_ctrl(uint64_t v) { set_ctrl(v); }\n",
    "inline asm in the file": 'static AICORE void raw() { asm volatile("" ::: "memory"); }\n',
}


def _marked(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if "// MARK" in line]


def _proven(path: Path, includes: list[str] | None = None) -> list[int]:
    found = oracle_module.oracle(str(path), includes=includes or [])
    return [line for line in _marked(path.read_text()) if found.get(line)]


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_no_byte_proof_where_count_mode_may_be_set(tmp_path, name):
    path = tmp_path / "k.cpp"
    path.write_text(HEAD + WRITERS[name] + f"{ENTRY} {{\n{BODY}}}\n")
    why: dict[int, str] = {}
    found = oracle_module.oracle(str(path), why=why)
    [line] = _marked(path.read_text())
    assert not found.get(line)
    assert "count mode" in why[line]


def test_no_byte_proof_when_a_header_it_reads_writes_ctrl(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "cvt.hpp").write_text(
        "#pragma once\nstatic AICORE void sat_off() { uint64_t c = get_ctrl(); set_ctrl(c); }\n")
    path = tmp_path / "k.cpp"
    path.write_text(HEAD + '#include "cvt.hpp"\n' + f"{ENTRY} {{\n{BODY}}}\n")
    assert _proven(path, [str(tmp_path / "inc")]) == []


def test_the_same_geometry_is_proved_without_a_count_mode_write(tmp_path):
    path = tmp_path / "k.cpp"
    path.write_text(HEAD + "static AICORE void quiet() { }\n" + f"{ENTRY} {{\n{BODY}}}\n")
    assert _proven(path) == _marked(path.read_text())


def test_a_drain_still_proves_where_count_mode_may_be_set(tmp_path):
    # No vector op between the barrier and the PIPE_ALL after it: redundant whatever the bytes.
    body = BODY.replace("  TMUL(b, b, b);\n", "")
    path = tmp_path / "k.cpp"
    path.write_text(HEAD + WRITERS["set_mask_count in a helper of the file"] + f"{ENTRY} {{\n{body}}}\n")
    assert _proven(path) == _marked(path.read_text())
