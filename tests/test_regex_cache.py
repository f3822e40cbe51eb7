"""ptofix's own patterns are compiled with ``re``'s public API only (no CPython private regex
internals, issue #70), are the patterns ``re.compile`` builds, and a run leaves no compiled
pattern behind in the user's cache directory or the installed package."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from ptofix import regex_cache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# CPython's regex engine and compiler steps behind `re` (private, version-specific).
PRIVATE_REGEX = ("sre_parse", "sre_compile", "sre_constants", "_sre", "re._parser", "re._compiler",
                 "re._constants", "re._casefix")


def private_regex_uses(source: str) -> list[str]:
    """The private regex modules ``source`` imports or whose attributes it reads (``re._x``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name in PRIVATE_REGEX]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [name for name in [node.module, *names] if name in PRIVATE_REGEX]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re" \
                and node.attr.startswith("_"):
            found.append(f"re.{node.attr}")
    return found


def test_the_checker_sees_each_way_of_reaching_the_internals():
    assert private_regex_uses("import _sre\nfrom re import _parser, _compiler\nimport sre_compile\n") == \
        ["_sre", "re._parser", "re._compiler", "sre_compile"]
    assert private_regex_uses("import re\nre._compiler.compile('a', 0)\n") == ["re._compiler"]
    assert private_regex_uses("import re\nre.compile('a')\nfrom re import Pattern\n") == []


def test_no_module_uses_cpython_s_private_regex_internals():
    offenders = {}
    for package in ("ptofix", "passes"):
        for directory, _, names in os.walk(os.path.join(ROOT, package)):
            for name in names:
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    with open(path, encoding="utf-8") as handle:
                        uses = private_regex_uses(handle.read())
                    if uses:
                        offenders[os.path.relpath(path, ROOT)] = uses
    assert offenders == {}


@pytest.mark.parametrize("pattern,flags", [(r"x(?P<y>\d+)", re.I), (r"\s*(?:template\s*<[^>]*>\s*)+", 0),
                                           (r"^#\s*include\b", re.M)])
def test_compile_is_re_compile(pattern, flags):
    compiled, plain = regex_cache.compile(pattern, flags), re.compile(pattern, flags)
    assert (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex) == \
        (plain.pattern, plain.flags, plain.groups, plain.groupindex)


def test_a_bad_pattern_raises_as_re_does_at_its_first_use():
    bad = regex_cache.compile(r"(unclosed")
    with pytest.raises(re.error):
        bad.match("x")


def _package_files() -> dict[str, int]:
    """Every file of the installed package (sources and data; Python's own .pyc files aside), with
    its modification time."""
    found = {}
    for package in (os.path.join(ROOT, "ptofix"), os.path.join(ROOT, "passes")):
        for directory, _, names in os.walk(package):
            for name in names:
                if not name.endswith(".pyc"):
                    path = os.path.join(directory, name)
                    found[path] = os.stat(path).st_mtime_ns
    return found


def test_a_run_writes_no_pattern_into_the_cache_directory_or_the_package(tmp_path):
    """A run without PYTHONDONTWRITEBYTECODE (as a user's) leaves nothing in $PTOFIX_CACHE_DIR
    (without --pto-isa it has no header words to keep) and nothing in the installed package."""
    in_package = _package_files()
    assert len(in_package) > 50
    kernel = tmp_path / "k.cpp"
    kernel.write_text("AICORE void f() {\n  pipe_barrier(PIPE_V);\n}\n")
    cache = tmp_path / "user" / "cache"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PTOFIX_CACHE_DIR"] = str(cache)
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o",
                    str(tmp_path / "out.cpp")], check=True, env=env, cwd=tmp_path)
    assert not cache.exists() or list(cache.iterdir()) == []
    assert _package_files() == in_package


def test_a_pattern_compiles_on_first_use_and_then_reads_as_the_compiled_one():
    lazy = regex_cache.compile(r"a(?P<n>\d+)", re.I)
    assert "_compiled" not in vars(lazy) and lazy.pattern == r"a(?P<n>\d+)"   # reading .pattern compiles nothing
    match = lazy.match("A12")
    assert match is not None and match.group("n") == "12"
    compiled = vars(lazy)["_compiled"]
    assert match.re is compiled and compiled is re.compile(r"a(?P<n>\d+)", re.I)
    assert vars(lazy)["match"] == compiled.match                    # later calls go straight to re
    assert [m.group(0) for m in lazy.finditer("a1 A2")] == ["a1", "A2"] and lazy.sub("x", "a1b") == "xb"
    with pytest.raises(AttributeError):
        lazy.no_such_attribute    # noqa: B018


def _package_modules() -> list[str]:
    names = []
    for package in ("ptofix", "passes"):
        for directory, _, files in os.walk(os.path.join(ROOT, package)):
            for name in sorted(files):
                if name.endswith(".py") and name != "__main__.py":
                    module = os.path.relpath(os.path.join(directory, name[:-3]), ROOT).replace(os.sep, ".")
                    names.append(module.removesuffix(".__init__"))
    return names


def test_every_module_level_pattern_compiles():
    """Patterns compile on first use (a bad one would raise only then): compile every one that a
    module of the package holds."""
    import importlib
    checked = 0
    for name in _package_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, regex_cache.LazyPattern):
                value.compiled()
                checked += 1
    assert checked > 100
