"""scripts/reach_oracle.py on files that define a struct or class at file scope (issue 57).

pto-isa's dispatch_mega_combine headers define `struct FrontUbStack { ... member functions ... };`
at file scope. The oracle reads such a file function by function: a function that does not use the
struct is judged as any other (its redundant barrier is proved), while whatever the struct may
change stays unknown: a value a member function returns (`stack.Push(n)`), a member call's work, a
member another member function writes, an alias declared in the class's scope. Each needed case
below guards a real overlap (`a` at UB 0 and a tile placed at 4096, float 16 x 128 = 8192 bytes) the
oracle must not prove; each control shows it does prove the disjoint one, so the refusals can fail.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("reach_oracle_structs", REPO / "scripts" / "reach_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reach_oracle_structs"] = module
    spec.loader.exec_module(module)
    return module


oracle_module = _load()

HEAD = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
T16 = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
T32 = "Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128>"
GUARD = "pipe_barrier(PIPE_V);  // GUARD"
FREE = "pipe_barrier(PIPE_V);  // FREE"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)'
TILES = f"  {T16} a;\n  TASSIGN(a, 0x0);\n  {T16} b;\n  TASSIGN(b, 65536);\n"

STACK = """struct UbStack {
  uint64_t cursor = 0;

  AICORE inline uint64_t Push(uint64_t bytes)
  {
    const uint64_t base = cursor;
    cursor += bytes;
    return base;
  }

  AICORE inline uint64_t End() const { return cursor; }
};
"""

# A free function the struct does not reach: its barrier between disjoint tiles is redundant.
CONTROL = f"""static AICORE void unrelated()
{{
  pipe_barrier(PIPE_ALL);
{TILES}  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {FREE}
  TMUL(b, b, b);
  pipe_barrier(PIPE_ALL);
}}
"""

NEEDED = {
    "a tile placed at a member function's result": HEAD + STACK + CONTROL + f"""{ENTRY} {{
{TILES}  UbStack stack;
  stack.Push(4096);
  {T16} d;
  TASSIGN(d, stack.Push(8192));
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(d, d, d);
}}
""",
    "a tile placed at a local the member function's result initializes": HEAD + STACK + CONTROL + f"""{ENTRY} {{
{TILES}  UbStack stack;
  stack.Push(4096);
  const uint64_t at = stack.Push(8192);
  {T16} d;
  TASSIGN(d, at);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(d, d, d);
}}
""",
    "a member call issuing vector work after the guard": HEAD + f"static {T16} g_tile;\n" + """struct Worker {
  AICORE inline void Touch() { TMUL(g_tile, g_tile, g_tile); }
};
""" + CONTROL + f"""{ENTRY} {{
{TILES}  TASSIGN(g_tile, 4096);
  Worker worker;
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  worker.Touch();
}}
""",
    "a member another member function writes": HEAD + f"""struct Placer {{
  int64_t base = 65536;

  AICORE inline void Rebase() {{ base = 4096; }}

  AICORE inline void Run()
  {{
    {T16} a;
    TASSIGN(a, 0x0);
    {T16} d;
    TASSIGN(d, base);
    pipe_barrier(PIPE_ALL);
    TADD(a, a, a);
    {GUARD}
    TMUL(d, d, d);
    pipe_barrier(PIPE_ALL);
  }}
}};
""" + CONTROL + f"""{ENTRY} {{
  Placer p;
  p.Rebase();
  p.Run();
}}
""",
    "a class-scope alias a template's type parameter shadows": HEAD + f"""struct Holder {{
  using TT = {T16};
}};
""" + CONTROL + f"""template <typename TT>
static AICORE void place()
{{
  TT a;
  TASSIGN(a, 0x0);
  TT d;
  TASSIGN(d, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(d, d, d);
  pipe_barrier(PIPE_ALL);
}}
{ENTRY} {{
  place<{T32}>();
}}
""",
    "a class-scope alias read by a free function's own alias of the name": HEAD + f"""struct Holder {{
  using TT = {T16};
}};
""" + CONTROL + f"""namespace wide {{
using TT = {T32};
}}
{ENTRY} {{
  using wide::TT;
  TT a;
  TASSIGN(a, 0x0);
  TT d;
  TASSIGN(d, 8192);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(d, d, d);
}}
""",
}


def _lines(text: str, mark: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if mark in line]


@pytest.mark.parametrize("name", sorted(NEEDED))
def test_oracle_never_proves_a_guard_behind_a_struct(tmp_path, name):
    text = NEEDED[name]
    path = tmp_path / "k.cpp"
    path.write_text(text)
    found = oracle_module.oracle(str(path))
    guards, free = _lines(text, "// GUARD"), _lines(text, "// FREE")
    assert guards and free
    assert [line for line in guards if found.get(line)] == [], text
    # (The control in the same file: the struct does not make the whole file unknown.)
    assert [line for line in free if found.get(line)] == free, text


def test_oracle_proves_a_redundant_barrier_in_a_function_that_uses_the_struct(tmp_path):
    # The struct's values are used only before the window's drain: the disjoint pair is proved.
    text = HEAD + STACK + CONTROL + f"""{ENTRY} {{
{TILES}  UbStack stack;
  const uint64_t top = stack.Push(4096);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {FREE}
  TMUL(b, b, b);
}}
"""
    path = tmp_path / "k.cpp"
    path.write_text(text)
    found = oracle_module.oracle(str(path))
    assert [line for line in _lines(text, "// FREE") if found.get(line)] == _lines(text, "// FREE")


def test_oracle_reads_a_header_with_a_struct_function_by_function(tmp_path):
    # A header (no kernel entry) in the style of front_reorder.h: the struct's user keeps its
    # guard, the function beside it is proved.
    text = HEAD + "#pragma once\n" + STACK + CONTROL + f"""static AICORE void user(UbStack& stack)
{{
  pipe_barrier(PIPE_ALL);
  {T16} a;
  TASSIGN(a, 0x0);
  {T16} d;
  TASSIGN(d, stack.Push(4096));
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  TMUL(d, d, d);
  pipe_barrier(PIPE_ALL);
}}
"""
    path = tmp_path / "front.h"
    path.write_text(text)
    found = oracle_module.oracle(str(path))
    assert [line for line in _lines(text, "// GUARD") if found.get(line)] == []
    assert [line for line in _lines(text, "// FREE") if found.get(line)] == _lines(text, "// FREE")


def _guards_proven(tmp_path: Path, files: dict[str, str], includes: list[str]) -> list[int]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = oracle_module.oracle(str(tmp_path / "k.cpp"), includes=includes)
    guards = _lines(files["k.cpp"], "// GUARD")
    assert guards
    return [line for line in guards if found.get(line)]


WORK_AFTER_GUARD = f"""{ENTRY} {{
{TILES}  TASSIGN(g_tile, 4096);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {GUARD}
  Work w;
}}
"""
WORK = "#pragma once\nstruct Work {\n  AICORE Work() {\n    TMUL(g_tile, g_tile, g_tile);\n  }\n};\n"


def test_oracle_reads_a_class_from_a_header_included_with_angle_brackets(tmp_path):
    # `#include <work.h>` found in a -I directory: its class is read as one.
    files = {"k.cpp": HEAD + f"static {T16} g_tile;\n#include <work.h>\n" + WORK_AFTER_GUARD, "inc/work.h": WORK}
    assert _guards_proven(tmp_path, files, [str(tmp_path / "inc")]) == []


def test_oracle_refuses_a_variable_of_a_type_it_cannot_read(tmp_path):
    # The header is not found: `Work` may be a class whose constructor issues vector work.
    files = {"k.cpp": HEAD + f"static {T16} g_tile;\n#include <missing/work.h>\n" + WORK_AFTER_GUARD}
    assert _guards_proven(tmp_path, files, []) == []


def test_oracle_proves_past_a_scalar_typed_declaration(tmp_path):
    # The control: a scalar (and a scalar alias) declared after the guard adds no work.
    text = HEAD + "using Count = uint32_t;\n" + f"""{ENTRY} {{
{TILES}  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
  {FREE}
  Count k = 3;
  int64_t m = n;
  TMUL(b, b, b);
}}
"""
    path = tmp_path / "k.cpp"
    path.write_text(text)
    found = oracle_module.oracle(str(path))
    assert [line for line in _lines(text, "// FREE") if found.get(line)] == _lines(text, "// FREE")
