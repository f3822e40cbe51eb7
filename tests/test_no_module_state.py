"""No module of the package keeps state across calls in a module-level variable.

What the compiler is told (include directories, macros, the pto-isa checkout, the arch) travels as
one value, ``ptofix.compile_env.CompileEnvironment``, kept on the model; a library caller, a test or
a ``-j`` worker sets nothing first, and two kernels with different settings can be analysed side by
side in one process (the second test).

The scan reads the sources with ``ast`` and finds, outside the allowed list below:
- a ``global`` statement (a function rebinding a module variable);
- a module-level list, dict or set that a function of any module of the package changes (item or
  slice assignment, ``del``, ``+=``, or a call of a mutating method on it): a table built while
  its module is imported and only read after is a constant;
- a module-level function memoised with ``functools.lru_cache`` / ``functools.cache``.

Each allowed entry is a pure memo of a pure function (what it returns depends on its arguments
and files that do not change during a run, never on a setting of the run) or a record a single
command keeps of what it did, each with its reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

from ptofix.cli import build_parser
from ptofix.commands.arguments import compile_environment
from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

REPO = Path(__file__).resolve().parent.parent

_MUTATING_METHODS = frozenset(["append", "add", "update", "clear", "pop", "popitem", "setdefault", "extend", "insert",
                               "remove", "discard", "sort", "reverse", "__setitem__", "__delitem__",
                               "difference_update", "intersection_update", "symmetric_difference_update",
                               "move_to_end", "appendleft", "popleft"])
_MUTABLE_CALLS = frozenset(["list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray",
                            "array", "WeakValueDictionary", "WeakKeyDictionary", "WeakSet", "local", "SimpleNamespace"])

# "module:name" -> why the state is allowed. Keep it short: every entry is a reason to explain.
ALLOWED = {
    # Pure memos: what they hold depends only on their key and the package's own data.
    "ptofix.cpp.model:_parse_statement": "the statement parser, imported on first use (start-up); never rebound",
    "ptofix.cpp.model:_parse_parameter": "the parameter parser, imported on first use (start-up); never rebound",
    "ptofix.cpp.model:_declarations": "the declaration reader, imported on first use (start-up); never rebound",
    "ptofix.cpp.parser:_FILE_SCAN_NAMES": "pto's names from the package's tables, read once",
    "ptofix.cpp.headers:_LISTS": "the package's word lists (standard_words.txt ...), read once",
    # The statement parser's tables: an entry's value is its text's parse, whichever file or run
    # asked first. parse_cpp empties them per file to bound memory (+46 MiB over the corpus kept),
    # not because an entry could go stale; per-parse tables would be threaded through
    # cpp/model.py and cpp/parser.py for no change of any answer.
    "ptofix.cpp.stmt_parser:_STATEMENTS": "statement ASTs by statement text: parsing a statement reads its "
                                          "text only (no macro, no setting); emptied per file for memory only",
    "ptofix.cpp.stmt_parser:_RECENT": "statement ASTs by text, as _STATEMENTS, of earlier files (bounded)",
    "ptofix.cpp.stmt_parser:_TEMPLATES": "template-id readings by (text, offset): pure; emptied for memory only",
    "ptofix.cpp.stmt_parser:_TEMPLATE_TEXTS": "each template text's first reading, moved to others: pure; for speed",
    "ptofix.cpp.stmt_parser:_STRINGS": "one string object per equal text (interning): no meaning",
    "ptofix.cpp.stmt_parser:_REFUSED_TYPE_NAMES": "_real_declarator's verdict by type name: pure (constant word sets "
                                                  "and pto's macro list); bounded; tests/cpp/test_refused_type_names.py",
    "ptofix.cpp.stmt_ast:_number_value": "a literal's value from its spelling",
    "ptofix.ir.parser:_LARK": "the PTO IR grammar, built on first use",
    "ptofix.ir.model:_textual_arch": "ptoas's arch scan of a module's text, by that text",
    "ptofix.ir.opspecs:SPECS": "the op syntax table, filled (by _add) while the module is imported",
    "ptofix.pass_manager:_OPTION_FIELDS": "a pass class's options, read from its annotations once",
    "ptofix.pto.ops:_PTO_FUNCTIONS": "pto's function names from the package's tables, read once",
    "ptofix.pto.ops:_PTO_MACROS": "pto's macro names from the package's tables, read once",
    "ptofix.pto.ops:_PTO_WORDS": "pto's words from the package's tables, read once",
    "ptofix.pto.ops:_PTO_CALL_ARITIES": "pto's call arities from the package's tables, read once",
    "ptofix.pto.ops:_PTO_CODE_MACROS": "pto's code macros from the package's tables, read once",
    "ptofix.pto.derived_facts:default_facts": "the package's derived-facts table, read once",
    "ptofix.isa_version:_identified": "a pto-isa checkout's facts and the files read for them by its path (the "
                                      "checkout does not change during a run; the environment names the "
                                      "checkout, so it is the key)",
    "ptofix.pto.header_words:_checkout_reading": "a checkout's header words and files read by its path (as identify)",
    "ptofix.pto.header_words:_call_arities_reading": "a checkout's call arities and files read by its path "
                                                     "(as identify)",
    "ptofix.side_files:_real_directory": "a directory's real path, by path",
    "ptofix.side_files:_pseudo_devices": "the device numbers of /proc, /sys and /dev, read once",
    # The regex cache (issue 59 item 5's subject): compiled patterns by their source text.
}


def _modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for root, package in ((REPO / "ptofix", "ptofix"), (REPO / "passes", "ptofix.passes")):
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def _top_level(statements: list[ast.stmt]):
    for statement in statements:
        yield statement
        if isinstance(statement, ast.If | ast.Try):
            for block in (statement.body, statement.orelse, getattr(statement, "finalbody", [])):
                yield from _top_level(block)
            for handler in getattr(statement, "handlers", []):
                yield from _top_level(handler.body)


def _is_mutable(value: ast.expr | None) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _MUTABLE_CALLS
    return False


def _mutated_names(tree: ast.AST) -> set[str]:
    """The plain names the functions (and classes) of ``tree`` change in place (a table a module
    fills while it is imported, at its top level, is a constant after)."""
    found: set[str] = set()
    functions = [node for node in (_top_level(tree.body) if isinstance(tree, ast.Module) else ast.walk(tree))
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]

    def base(node: ast.expr) -> str | None:
        while isinstance(node, ast.Subscript | ast.Attribute) and not isinstance(node, ast.Name):
            if isinstance(node, ast.Attribute):
                return None         # (an attribute of the object: its own state, not the name's)
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    for node in (inner for function in functions for inner in ast.walk(function)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [t for t in node.targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target] if isinstance(node.target, ast.Subscript | ast.Name) and \
                isinstance(node, ast.AugAssign) or isinstance(node.target, ast.Subscript) else []
        elif isinstance(node, ast.Delete):
            targets = [t for t in node.targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _MUTATING_METHODS and isinstance(node.func.value, ast.Name):
            found.add(node.func.value.id)
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else base(target)
            if name:
                found.add(name)
    return found


def module_state() -> list[str]:
    """Every module-level state the scan finds, as "module:name" (line)."""
    trees = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in _modules().items()}
    mutated: set[str] = set()
    for tree in trees.values():
        mutated |= _mutated_names(tree)
    found: list[str] = []
    for module, tree in trees.items():
        for statement in _top_level(tree.body):
            names: list[str] = []
            if isinstance(statement, ast.Assign) and _is_mutable(statement.value):
                names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            elif isinstance(statement, ast.AnnAssign) and _is_mutable(statement.value) \
                    and isinstance(statement.target, ast.Name):
                names = [statement.target.id]
            elif isinstance(statement, ast.FunctionDef) and any(
                    "cache" in ast.unparse(decorator) for decorator in statement.decorator_list):
                found.append(f"{module}:{statement.name}")
            found += [f"{module}:{name}" for name in names if name in mutated]
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                found += [f"{module}:{name}" for name in node.names]
    return sorted(set(found))


def test_no_module_level_mutable_state():
    state = module_state()
    assert [entry for entry in state if entry not in ALLOWED] == [], \
        "module-level state: pass it as a value (a CompileEnvironment field, a parameter) or, for a " \
        "pure memo, add it to ALLOWED with the reason"
    # An entry whose state is gone goes from the list too (no reason kept for nothing).
    assert [entry for entry in ALLOWED if entry not in state] == []


def test_the_scan_finds_each_kind_of_state():
    tree = ast.parse("A = {}\nB = []\nC = {}\nD = (1,)\n"
                     "def f():\n    global D\n    A['k'] = 1\n    B.append(2)\n    return C.get(3)\n")
    assert _mutated_names(tree) >= {"A", "B"} and "C" not in _mutated_names(tree)
    assert any(isinstance(node, ast.Global) for node in ast.walk(tree))


def _kernel() -> str:
    from test_mask_mode import PAIR, kernel
    return '#include "mode.h"\n' + kernel(f"  {PAIR}")


def _removed(path: Path, environment: CompileEnvironment) -> list[bool]:
    model = parse_cpp(SourceText(_kernel(), str(path)), environment)
    return [d.removed for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def test_two_kernels_with_different_include_directories_side_by_side(tmp_path):
    """The same kernel text whose `mode.h` (found through -I) is, in one directory, a header whose
    function sets the normal mask mode (the barrier goes) and, in the other, one that names
    count mode (the file is unmodelled: it stays). Both models are read first and analysed after,
    in the other order, in one process: each has its own answer."""
    normal, counting = tmp_path / "normal", tmp_path / "counting"
    for directory, call in ((normal, "set_mask_norm"), (counting, "set_mask_count")):
        directory.mkdir()
        (directory / "mode.h").write_text(f"#pragma once\nstatic inline void counted() {{ {call}(); }}\n",
                                          encoding="utf-8")
    kernel = tmp_path / "src" / "k.cpp"
    kernel.parent.mkdir()
    first = CompileEnvironment(include_dirs=(str(normal),))
    second = CompileEnvironment(include_dirs=(str(counting),))
    # Both parsed before either is analysed (an analysis that read a process setting would see
    # the last one for both).
    model_a = parse_cpp(SourceText(_kernel(), str(kernel)), first)
    model_b = parse_cpp(SourceText(_kernel(), str(kernel)), second)
    decided_b = [d.removed for d in BarrierAnalysis(model_b).run({"auto"}) if not d.unread]
    decided_a = [d.removed for d in BarrierAnalysis(model_a).run({"auto"}) if not d.unread]
    assert (decided_a, decided_b) == ([True], [False])
    # And with no include directory the header is not found: the barrier stays.
    assert _removed(kernel, CompileEnvironment()) == [False]
    assert _removed(kernel, first) == [True]


def test_the_environment_is_built_once_from_the_command_line_and_pickles(tmp_path):
    import pickle
    args = build_parser("run").parse_args(["run", "-I", str(tmp_path), "-D", "A=1", "-U", "B", "k.cpp"])
    environment = compile_environment(args)
    assert environment == CompileEnvironment((str(tmp_path),), ("-DA=1", "-UB"))
    assert pickle.loads(pickle.dumps(environment)) == environment
    assert hash(environment) == hash(CompileEnvironment((str(tmp_path),), ("-DA=1", "-UB")))


def test_jobs_read_each_file_with_the_command_line_s_environment(tmp_path, capsys):
    """-j workers get the environment with their job (FilePasses pickles it): two kernels whose
    `mode.h` only -I finds each lose their barrier, as one file alone does."""
    from ptofix.cli import main
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "mode.h").write_text("#pragma once\nstatic inline void counted() { set_mask_norm(); }\n",
                                             encoding="utf-8")
    files = []
    for name in ("a.cpp", "b.cpp"):
        (tmp_path / name).write_text(_kernel(), encoding="utf-8")
        files.append(str(tmp_path / name))
    assert main(["run", "--pattern", "auto", "-q", "--check", "-j", "2", *files]) == 0     # mode.h not found
    assert main(["run", "--pattern", "auto", "-q", "--check", "-j", "2", "-I", str(tmp_path / "inc"), *files]) == 1
    capsys.readouterr()
