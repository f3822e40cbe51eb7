"""Each fact is defined in one module: no UPPER_CASE name is assigned the same value at the top level
of two modules of the package (issue #70: ``REPEAT_BYTES`` was assigned in three, ``BLOCK_BYTES`` in
five, the walk kinds in two). A module that needs a fact imports it from its one home: the
hardware's from ptofix/pto/tiles.py, the walk kinds from ptofix/pto/derived_facts.py."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Names several modules may assign alike, and why.
SHARED_ON_PURPOSE = {
    "TYPE_CHECKING": "each module's own `TYPE_CHECKING = False` (no import of typing at run time)",
    "MAX_NESTING": "two limits of ptofix's own reading, the same number by choice: an #if condition's "
                   "depth (cpp/preprocessor.py) and the parser's bracket depth (cpp/tokens.py)",
}

# The facts of the hardware and of the derived table, and the module each is defined in.
HOMES = {
    "REPEAT_BYTES": "ptofix/pto/tiles.py",
    "BLOCK_BYTES": "ptofix/pto/tiles.py",
    "REPEAT_MAX": "ptofix/pto/tiles.py",
    "REPEAT_STRIDE_MAX": "ptofix/pto/tiles.py",
    "UB_BYTES": "ptofix/pto/tiles.py",
    "LINEAR": "ptofix/pto/derived_facts.py",
    "COLUMN_CHUNKS": "ptofix/pto/derived_facts.py",
    "ROW_BY_ROW": "ptofix/pto/derived_facts.py",
    "OTHER": "ptofix/pto/derived_facts.py",
    "WALK_KINDS": "ptofix/pto/derived_facts.py",
    "HEADER_RELPATH": "ptofix/pto/tpipe.py",
}


def constant_assignments(source: str) -> list[tuple[str, str | None]]:
    """(name, repr of its value or None when it is no literal) of each top-level assignment of an
    UPPER_CASE name in ``source`` (a leading underscore is not part of the name: ``_BLOCK_BYTES``
    is ``BLOCK_BYTES`` defined again)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = [t for t in node.targets if isinstance(t, ast.Name)], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            name = target.id.lstrip("_")
            if len(name) < 2 or not name.isupper():
                continue
            try:
                literal: str | None = repr(ast.literal_eval(value))
            except ValueError:
                literal = None
            found.append((name, literal))
    return found


def package_sources() -> dict[str, str]:
    return {str(path.relative_to(REPO)): path.read_text(encoding="utf-8")
            for root in ("ptofix", "passes") for path in sorted((REPO / root).rglob("*.py"))}


def defined_twice(sources: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """(name, value) -> the modules that assign that name that literal value, where more than one does."""
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path, source in sources.items():
        for name, literal in constant_assignments(source):
            if literal is not None and name not in SHARED_ON_PURPOSE:
                where[(name, literal)].append(path)
    return {key: paths for key, paths in where.items() if len(set(paths)) > 1}


def test_no_constant_is_assigned_alike_in_two_modules():
    assert defined_twice(package_sources()) == {}


def test_each_listed_fact_is_assigned_in_its_home_only():
    sources = package_sources()
    for name, home in HOMES.items():
        assigned = sorted(path for path, source in sources.items()
                          if any(found == name for found, _ in constant_assignments(source)))
        assert assigned == [home], (name, assigned)


@pytest.mark.parametrize("module,expected", [
    ("REPEAT_BYTES = 256\n", {("REPEAT_BYTES", "256"): ["a.py", "b.py"]}),
    ("_REPEAT_BYTES = 256\n", {("REPEAT_BYTES", "256"): ["a.py", "b.py"]}),     # private: the same fact
    ("REPEAT_BYTES: int = 256\n", {("REPEAT_BYTES", "256"): ["a.py", "b.py"]}),
    ("REPEAT_BYTES = 512\n", {}),                   # another value: another fact of the same name
    ("repeat_bytes = 256\n", {}),                   # not a constant's name
    ("TYPE_CHECKING = False\n", {}),                # shared on purpose
    ("def f():\n    REPEAT_BYTES = 256\n", {}),     # not at the top level
])
def test_the_scan_finds_a_fact_defined_again(module, expected):
    """The check can fail: a second module that assigns the same literal to the same name is found."""
    assert defined_twice({"a.py": "REPEAT_BYTES = 256\nTYPE_CHECKING = False\n", "b.py": module}) == expected


def _calls(name: str, sources: dict[str, str]) -> list[str]:
    """The modules of ``sources`` that call a function named ``name``."""
    found = []
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and name in (getattr(node.func, "id", None), getattr(node.func, "attr", None)):
                found.append(path)
                break
    return sorted(found)


def test_the_tpipe_order_of_a_header_is_read_in_one_module():
    # Which order a pto-isa header's TPipe template has (which argument binds LocalSlotNum): read
    # from its text by isa_version only, for a --pto-isa checkout and for local-slot-num's pto-lib
    # alike (cpp/pipes.header_order parses it; the pass asks isa_version.pto_lib_tpipe_order). Where
    # the header lies in a checkout: pto/tpipe.py (HEADER_RELPATH, pto_lib_headers).
    sources = package_sources()
    assert _calls("header_order", sources) == ["ptofix/isa_version.py"]
    assert _calls("pto_lib_tpipe_order", sources) == ["passes/local_slot_num.py"]
    assert _calls("pto_lib_headers", sources) == ["passes/local_slot_num.py", "ptofix/isa_version.py"]
    # (The scan can fail: a pass that parses the header itself is found.)
    probe = {"passes/p.py": "order = header_order(read_source(header).text)\n"}
    assert _calls("header_order", probe) == ["passes/p.py"]
