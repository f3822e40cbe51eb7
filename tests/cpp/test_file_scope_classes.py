"""Fail closed on file-scope classes, structs, unions and enums ptofix does not read member by member.

Such a definition (`struct FrontUbStack { uint64_t cursor = 0; AICORE uint64_t Push(...) {...} };`,
pto-isa's dispatch_mega_combine) used to make every function of its file Unknown. Now, when the
names it declares outside its braces are known exactly (ptofix/cpp/file_scope_classes.py), only the
functions that may depend on them are Unknown: those that name them, or name a declaration, a macro
or a function that does, or a template such a function may instantiate with the class. A friend,
an elaborated type specifier, a macro in the body, a declared name ptofix reads as pto's, or
namespace pto keeps the whole file Unknown as before.

Each kernel below is valid C++ (checked with g++ -fsyntax-only against pto-isa's host cost-model
build when g++ and the checkout are there) and hides a real conflict across one
`pipe_barrier(PIPE_V); // GUARD` behind one such construct: the guard must stay, with a reason.
The controls (`// FREE`) are barriers between disjoint tiles in functions that do not depend on
the class: the proof now runs there and removes them, so the tests can fail both ways.

Geometry: float tiles of 16 x 128 take 8192 bytes; `a` at UB 0, `b` at UB 65536 (disjoint).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from ptofix.cli import main

PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or Path(ROOT).parent / "shared" / "pto-isa" / "f35e7f60")
HEAD = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
ALIAS = f"using T16 = {TILE};\n"
GUARD = "pipe_barrier(PIPE_V);  // GUARD"
FREE = "pipe_barrier(PIPE_V);  // FREE"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)'
# A function that depends on nothing the file's classes declare: its barrier separates disjoint
# tiles, so the proof removes it once the classes no longer make the whole file Unknown.
INDEPENDENT = f"""AICORE inline void independent()
{{
  T16 a;
  TASSIGN(a, 0x0);
  T16 b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  pto::TADD(b, b, b);
  {FREE}
  pto::TMUL(a, a, a);
  pipe_barrier(PIPE_ALL);
}}
"""
# A member body writing UB [0, 8192), the bytes of `a`.
WRITES_A = "T16 w; TASSIGN(w, 0x0); pto::TMUL(w, w, w);"


def marked_lines(text: str, mark: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if mark in line]


@pytest.fixture(scope="session")
def host_include(tmp_path_factory) -> list[str] | None:
    """The -I list that compiles a kernel against pto-isa's host cost model (its generated formula
    headers written to a temporary directory first), or None without g++ or the checkout."""
    if shutil.which("g++") is None or not (PTO_ISA / "include" / "pto" / "pto-inst.hpp").is_file():
        return None
    generated = tmp_path_factory.mktemp("pto_generated")
    for arch in ("a2a3", "a5"):
        source = PTO_ISA / "include" / "pto" / "costmodel" / arch / "formula_costmodel"
        if not (source / "gen_formula_params_header.py").is_file():
            continue
        target = generated / "pto" / "costmodel" / arch / "formula_costmodel"
        target.mkdir(parents=True)
        for name in os.listdir(source):
            if name.endswith((".py", ".csv")):
                shutil.copy(source / name, target / name)
        subprocess.run([sys.executable, "gen_formula_params_header.py"], cwd=target, check=True, capture_output=True)
    return ["-I", str(generated), "-I", str(PTO_ISA / "include")]


def assert_valid_cpp(path: Path, include: list[str] | None) -> None:
    """g++ accepts the kernel as pto-isa's host build compiles it (skipped without g++/checkout)."""
    if include is None:
        return
    result = subprocess.run(["g++", "-std=c++2b", "-fsyntax-only", "-w", "-include", "cstdint", "-D__COSTMODEL",
                             "-D__NPU_ARCH__=2201", "-DPTO_COMM_NOT_SUPPORTED", *include, str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def run_auto(tmp_path: Path, text: str, include: list[str] | None) -> tuple[dict[int, dict], str]:
    """`ptofix run --pattern auto` on the kernel: its decisions by line, and the output."""
    kernel = tmp_path / "k.cpp"
    kernel.write_text(text)
    assert_valid_cpp(kernel, include)
    out, report = tmp_path / "out.cpp", tmp_path / "report.json"
    status = main(["run", "--pattern", "auto", "-q", "--report", "json", "--report-file", str(report),
                   str(kernel), "-o", str(out)])
    assert status == 0
    [entry] = json.loads(report.read_text())["files"]
    decisions = [d for p in entry.get("passes", []) if p["pass"] == "pipe-v-barrier" for d in p["decisions"]]
    return {d["line"]: d for d in decisions}, out.read_text()


def check_kernel(tmp_path: Path, text: str, include: list[str] | None, freed: bool = False) -> dict[int, dict]:
    """Every GUARD is kept with a reason; every FREE removed when ``freed`` (kept otherwise: the
    construct keeps the whole file Unknown)."""
    by_line, output = run_auto(tmp_path, text, include)
    out_lines = output.splitlines()
    guards = marked_lines(text, "// GUARD")
    assert guards, "the kernel marks no guard"
    for line in guards:
        assert out_lines[line - 1].lstrip().startswith("pipe_barrier(PIPE_V);"), (line, output)
        decision = by_line.get(line)
        assert decision is not None and decision["decision"] == "kept", (line, by_line)
        assert decision["reason"] and not decision["reason"].startswith("proved"), decision
    for line in marked_lines(text, "// FREE"):
        expected = "removed" if freed else "kept"
        assert by_line[line]["decision"] == expected, (line, by_line[line])
    return by_line


# Each case: (the file-scope definitions, the entry's body between its tiles' setup and the end,
# whether the independent function's FREE barrier is removed: the class is read per function).
SETUP = """  T16 a;
  TASSIGN(a, 0x0);
  T16 b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
"""

CASES: dict[str, tuple[str, str, bool]] = {
    # A member named TADD is scoped to its class: `TADD(b, b, b)` in the entry is pto's, but the
    # entry makes a Helper whose run() writes a's bytes.
    "a member named TADD, the class used by the entry":
        (f"struct Helper {{\n  AICORE void TADD(T16& d) {{ {WRITES_A} }}\n  AICORE void run() {{ T16 t; TADD(t); }}\n}};\n",
         f"  Helper h;\n  TADD(b, b, b);\n  {GUARD}\n  h.run();\n", True),
    # A class with code and default member initializers, as pto-isa's FrontUbStack: an address
    # from one of its calls is a value ptofix does not know.
    "an address from a member function (FrontUbStack)":
        ("struct UbStack {\n  uint64_t cursor = 0;\n  AICORE inline uint64_t Push(uint64_t bytes) {\n"
         "    const uint64_t base = cursor;\n    cursor += bytes;\n    return base;\n  }\n"
         "  AICORE inline uint64_t End() const { return cursor; }\n};\n",
         f"  UbStack stack;\n  T16 c;\n  TASSIGN(c, stack.Push(8192));\n  TADD(b, b, b);\n  {GUARD}\n"
         "  TMUL(c, c, c);\n", True),
    # A conversion operator run by a helper that returns a plain scalar: the helper is Unknown, and
    # its result an unknown address in the entry, which never names the class.
    "a conversion operator used by a helper":
        ("struct Addr {\n  AICORE operator uint64_t() const { return 0; }\n};\n"
         "AICORE inline uint64_t offset_of() { Addr where; return where; }\n",
         f"  T16 c;\n  TASSIGN(c, offset_of());\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", True),
    # A helper that returns an object of the class: its caller holds one (`auto`), never naming it.
    "an object of the class returned by a helper":
        ("struct Cursor {\n  uint64_t at = 0;\n  AICORE uint64_t get() const { return at; }\n};\n"
         "AICORE inline Cursor make_cursor() { return Cursor{}; }\n",
         f"  auto cursor = make_cursor();\n  T16 c;\n  TASSIGN(c, cursor.get());\n  TADD(c, c, c);\n  {GUARD}\n"
         "  TMUL(a, a, a);\n", True),
    # A class template's static member as the address.
    "a class template's member as an address":
        ("template <int OFF>\nstruct At {\n  static constexpr uint64_t value = OFF;\n"
         "  AICORE static uint64_t get() { return value; }\n};\n",
         f"  T16 c;\n  TASSIGN(c, At<0>::get());\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", True),
    # An unscoped enumeration declares its enumerators at file scope.
    "an enumerator as a TASSIGN address":
        ("enum Slot { SLOT_A = 0, SLOT_B = 0 };\n",
         f"  T16 c;\n  TASSIGN(c, static_cast<uint64_t>(SLOT_B));\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", True),
    # A union's member read back as an address.
    "a union":
        ("union Bits {\n  uint64_t addr;\n  float value;\n};\n",
         f"  Bits bits;\n  bits.addr = 0;\n  T16 c;\n  TASSIGN(c, bits.addr);\n  TADD(c, c, c);\n  {GUARD}\n"
         "  TMUL(a, a, a);\n", True),
    # Nested classes, reached through a file-scope object of the outer one: the entry names only
    # the object.
    "nested classes behind a file-scope object":
        (f"struct Outer {{\n  struct Inner {{\n    AICORE void run() {{ {WRITES_A} }}\n  }};\n  Inner inner;\n}};\n"
         "Outer g_outer;\n",
         f"  TADD(a, a, a);\n  {GUARD}\n  g_outer.inner.run();\n", True),
    # `typedef struct {...} Name;` declares Name.
    "typedef struct":
        ("typedef struct {\n  uint64_t off = 0;\n} Place;\n",
         f"  Place place;\n  T16 c;\n  TASSIGN(c, place.off);\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", True),
    # A macro of the file that names the class's object: the entry names only the macro.
    "a macro naming the class's object":
        ("struct Stack {\n  uint64_t cursor = 0;\n  AICORE uint64_t Push(uint64_t n) { uint64_t b = cursor; cursor += n; "
         "return b; }\n};\nStack g_stack;\n#define STACK_PUSH(n) g_stack.Push(n)\n",
         f"  T16 c;\n  TASSIGN(c, STACK_PUSH(0));\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", True),
    # A template the entry instantiates with the class: its call operator writes a's bytes.
    "a template instantiated with the class":
        (f"struct Runner {{\n  AICORE void operator()() const {{ {WRITES_A} }}\n}};\n"
         f"template <class F>\nAICORE void apply(F f, T16& a, T16& b) {{\n  TADD(b, b, b);\n  {GUARD}\n  f();\n}}\n",
         "  apply(Runner{}, a, b);\n", True),
    # A struct whose name shadows a tile alias in the kernel's namespace: there `T16` is 32 rows
    # (16384 bytes), so `c` at 8192 overlaps `d` at 0.
    "a struct shadowing a tile alias":
        ("namespace app {\nstruct T16 {\n  pto::Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128> tile;\n};\n"
         f"AICORE inline void shadowed() {{\n  T16 d;\n  TASSIGN(d.tile, 0x0);\n  T16 c;\n  TASSIGN(c.tile, 8192);\n"
         f"  pipe_barrier(PIPE_ALL);\n  TADD(d.tile, d.tile, d.tile);\n  {GUARD}\n  TMUL(c.tile, c.tile, c.tile);\n}}\n"
         "}  // namespace app\n",
         "  app::shadowed();\n", True),
    # A file-scope alias of the class: the entry names only the alias.
    "an alias of the class":
        (f"struct Stage {{\n  AICORE void run() {{ {WRITES_A} }}\n}};\nusing StageAlias = Stage;\n",
         f"  StageAlias s;\n  TADD(a, a, a);\n  {GUARD}\n  s.run();\n", True),
    # A helper returning `auto`: its caller holds an object of the class without naming it.
    "an auto-returning helper":
        (f"struct Stage {{\n  AICORE void run() {{ {WRITES_A} }}\n}};\nAICORE inline auto make_stage() {{ return Stage{{}}; }}\n",
         f"  auto s = make_stage();\n  TADD(a, a, a);\n  {GUARD}\n  s.run();\n", True),
    # A template a template instantiates with the class, two calls away from the entry.
    "a template reached through another template":
        (f"struct Stage {{\n  AICORE void run() const {{ {WRITES_A} }}\n}};\n"
         f"template <class F>\nAICORE void inner(const F& f, T16& a) {{\n  TADD(a, a, a);\n  {GUARD}\n  f.run();\n}}\n"
         "template <class F>\nAICORE void outer(const F& f, T16& a) {\n  inner(f, a);\n}\n",
         "  outer(Stage{}, a);\n", True),
    # Unnamed member classes and enumerations are the class's own: only the entry depends on it.
    "unnamed members of a class":
        ("struct RowLayout {\n  enum { kRows = 16 };\n  enum : int { kOff = 0 };\n  union {\n    uint64_t addr;\n"
         "    float value;\n  };\n};\n",
         f"  RowLayout l;\n  l.addr = RowLayout::kOff;\n  T16 c;\n  TASSIGN(c, l.addr);\n  TADD(c, c, c);\n  {GUARD}\n"
         "  TMUL(a, a, a);\n", True),
    # An elaborated type specifier in a member function's parameter declares its name outside.
    "an elaborated type specifier in a parameter":
        (f"struct Holder {{\n  AICORE void run(struct Scratch* p) {{ {WRITES_A} }}\n}};\n",
         f"  Holder h;\n  TADD(b, b, b);\n  {GUARD}\n  h.run(nullptr);\n", False),
    # A variable named TADD after the brace: `TADD(b, b, b)` calls its operator(), which writes a's
    # bytes. ptofix reads TADD as pto's: the whole file stays Unknown.
    "a declarator named TADD after the brace":
        (f"struct Hook {{\n  AICORE void operator()(T16&, T16&, T16&) {{ {WRITES_A} }}\n}} TADD;\n",
         f"  ::TADD(b, b, b);\n  {GUARD}\n  TMUL(a, a, a);\n", False),
    "an unnamed struct's declarator named TADD":
        (f"struct {{\n  AICORE void operator()(T16&, T16&, T16&) {{ {WRITES_A} }}\n}} TADD;\n",
         f"  ::TADD(b, b, b);\n  {GUARD}\n  TMUL(a, a, a);\n", False),
    # A friend function named like a PTO op, found by argument-dependent lookup: the whole file
    # stays Unknown.
    "a friend function named like a PTO op":
        (f"struct Tag {{\n  friend AICORE void TADD(Tag, T16& d, T16&, T16&) {{ {WRITES_A} }}\n}};\n",
         f"  TADD(Tag{{}}, b, b, b);\n  {GUARD}\n  TMUL(a, a, a);\n", False),
    # An elaborated type specifier in a member declares its name in the enclosing namespace.
    "an elaborated type specifier in a member":
        (f"struct Holder {{\n  struct Scratch* next;\n  AICORE void run() {{ {WRITES_A} }}\n}};\n",
         f"  Holder h;\n  TADD(b, b, b);\n  {GUARD}\n  h.run();\n", False),
    # A macro of the file inside the body may declare anything.
    "a macro inside the struct":
        (f"#define MEMBER_RUN AICORE void run() {{ {WRITES_A} }}\nstruct Runner {{\n  MEMBER_RUN\n}};\n",
         f"  Runner r;\n  TADD(b, b, b);\n  {GUARD}\n  r.run();\n", False),
    # A struct in namespace pto may hide or specialize one of pto's: the whole file stays Unknown.
    "a struct in namespace pto":
        (f"namespace pto {{\nstruct LocalHelper {{\n  AICORE void run() {{ {WRITES_A} }}\n}};\n}}  // namespace pto\n",
         f"  pto::LocalHelper h;\n  TADD(b, b, b);\n  {GUARD}\n  h.run();\n", False),
    # An anonymous union declares its members in the enclosing scope.
    "an anonymous union":
        ("static union {\n  uint64_t g_off;\n  float g_value;\n};\n",
         f"  g_off = 0;\n  T16 c;\n  TASSIGN(c, g_off);\n  TADD(c, c, c);\n  {GUARD}\n  TMUL(a, a, a);\n", False),
}


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.parametrize("name", sorted(CASES))
def test_guard_is_kept_and_independent_functions_are_analysed(tmp_path, host_include, name):
    definitions, body, freed = CASES[name]
    text = HEAD + ALIAS + definitions + INDEPENDENT + f"{ENTRY}\n{{\n{SETUP}{body}  pipe_barrier(PIPE_ALL);\n}}\n"
    check_kernel(tmp_path, text, host_include, freed)


def test_control_without_classes_is_removed(tmp_path, host_include):
    """The independent function alone: its barrier is removed (the geometry is read as meant)."""
    text = HEAD + ALIAS + INDEPENDENT + f"{ENTRY}\n{{\n  independent();\n}}\n"
    by_line, _ = run_auto(tmp_path, text, host_include)
    [line] = marked_lines(text, "// FREE")
    assert by_line[line]["decision"] == "removed", by_line


def test_a_member_named_like_an_op_leaves_the_op_pto_s(tmp_path, host_include):
    """A member function TADD whose body calls pto's TMUL: neither name leaves the class, so in a
    function that does not use the class TADD and TMUL are pto's and the barrier between disjoint
    tiles goes."""
    text = (HEAD + ALIAS + f"struct Helper {{\n  AICORE void TADD(T16& d) {{ {WRITES_A} }}\n}};\n"
            + INDEPENDENT.replace("pto::", "") + f"{ENTRY}\n{{\n  independent();\n}}\n")
    by_line, _ = run_auto(tmp_path, text, host_include)
    [line] = marked_lines(text, "// FREE")
    assert by_line[line]["decision"] == "removed", by_line


def test_the_class_s_own_barriers_are_kept_and_reported(tmp_path, host_include):
    """A barrier inside a member function's body is never analysed: kept, and reported."""
    text = (HEAD + ALIAS + f"struct Stage {{\n  AICORE void run() {{\n    {WRITES_A}\n    {GUARD}\n"
            f"    pto::TADD(w, w, w);\n  }}\n}};\n" + INDEPENDENT + f"{ENTRY}\n{{\n  independent();\n  Stage s;\n  s.run();\n}}\n")
    check_kernel(tmp_path, text, host_include, freed=True)


def test_a_caller_of_a_helper_depending_on_the_class_keeps_its_barrier(tmp_path, host_include):
    """A helper that names the class and issues vector work on a's bytes, returning void: the entry
    does not name the class, but its call runs the helper, Unknown, which keeps the guard."""
    text = (HEAD + ALIAS + f"struct Stage {{\n  AICORE void run() {{ {WRITES_A} }}\n}};\n"
            "AICORE inline void helper() { Stage s; s.run(); }\n" + INDEPENDENT
            + f"{ENTRY}\n{{\n{SETUP}  TADD(b, b, b);\n  {GUARD}\n  helper();\n  pipe_barrier(PIPE_ALL);\n}}\n")
    check_kernel(tmp_path, text, host_include, freed=True)


def test_vector_work_a_depending_helper_leaves_in_flight_keeps_a_later_barrier(tmp_path, host_include):
    """The helper (Unknown: it names the class) runs before the window and may return with its
    write of a's bytes still in flight: the guard between TADD(b) and TMUL(a) is all that orders
    that write before TMUL(a)."""
    text = (HEAD + ALIAS + f"struct Stage {{\n  AICORE void run() {{ {WRITES_A} }}\n}};\n"
            "AICORE inline void helper() { Stage s; s.run(); }\n" + INDEPENDENT
            + f"{ENTRY}\n{{\n{SETUP}  helper();\n  TADD(b, b, b);\n  {GUARD}\n  TMUL(a, a, a);\n"
            "  pipe_barrier(PIPE_ALL);\n}\n")
    check_kernel(tmp_path, text, host_include, freed=True)


def unknown_functions(text: str) -> set[str]:
    """The functions FileContext makes Unknown, by name ('*' when the whole file is)."""
    from ptofix.cpp.parser import parse_cpp
    from ptofix.cpp.semantics import FileContext
    from ptofix.source import SourceText
    model = parse_cpp(SourceText(text, "k.cpp"))
    ctx = FileContext(model)
    if ctx.unmodelled:
        return {"*"}
    return {fn.name for fn in model.functions if id(fn) in ctx.unknown_functions}


def test_exactly_the_functions_that_may_depend_on_the_class_are_unknown():
    """The dependency rule itself (functions_depending_on), apart from the model's own unknowns:
    each way of reaching the class makes its function Unknown, and nothing else does."""
    text = HEAD + ALIAS + (
        "struct Stage {\n  uint64_t at = 0;\n  AICORE void run() {}\n};\n"
        "using StageAlias = Stage;\n"
        "Stage g_stage;\n"
        "#define STAGE_AT() g_stage.at\n"
        "AICORE inline void names_alias() { StageAlias s; s.run(); }\n"
        "AICORE inline void names_macro() { uint64_t x = STAGE_AT(); (void)x; }\n"
        "AICORE inline uint64_t scalar_helper() { Stage s; return s.at; }\n"
        "AICORE inline void calls_scalar_helper() { uint64_t x = scalar_helper(); (void)x; }\n"
        "AICORE inline auto object_helper() { return Stage{}; }\n"
        "AICORE inline void calls_object_helper() { auto s = object_helper(); s.run(); }\n"
        "template <class F>\nAICORE void generic(F f) { f.run(); }\n"
        "template <class F>\nAICORE void unused_generic(F f) { f.run(); }\n"
        "AICORE inline void instantiates() { generic(g_stage); }\n"
        "AICORE inline void plain() { int x = 0; (void)x; }\n")
    assert unknown_functions(text) == {"names_alias", "names_macro", "scalar_helper", "object_helper",
                                       "calls_object_helper", "generic", "instantiates"}


@pytest.mark.parametrize("definition", [
    "struct W {\n  friend AICORE void helper(W) {}\n};\n",
    "struct W {\n  struct Scratch* next;\n};\n",
    "struct W {\n  int x;\n} TADD;\n",
    "enum Pipes { PIPE_V_COPY = 1, PIPE_V };\n",
    "static union {\n  int g_a;\n};\n",
    "#define MEMBER int m;\nstruct W {\n  MEMBER\n};\n",
    "namespace pto {\nstruct W {\n  AICORE void run() {}\n};\n}\n",
    "struct W {\n  int x;\n} g_w = {1};\n",
])
def test_a_class_whose_declared_names_are_not_known_keeps_the_file_unknown(definition):
    assert unknown_functions(HEAD + ALIAS + definition + "AICORE inline void plain() { int x = 0; (void)x; }\n") \
        == {"*"}
