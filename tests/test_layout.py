"""The README's layout table matches the tree: every path it names exists, every source file is covered.
And tests/ mirrors the package (README, Layout: `tests/`):

- tests/<sub>/ holds the tests of ptofix/<sub>/ (and tests/passes/ of passes/, tests/scripts/ of
  scripts/); tests/ itself the tests of ptofix's top-level modules and of the package as a whole.
  A test file at tests/ belongs in tests/<sub>/ when its name starts with ``test_<sub>`` or when
  every ptofix module it imports (ptofix.source aside, which every analysis takes) is one of
  ptofix/<sub>/ for a <sub> tests/ has a folder for.
- No test file has more than 1,000 lines; no test module's name says "round" (a file is named
  by its subject, not by the review round that added it).
- Basenames are unique across the folders, and pyproject's pytest ``pythonpath`` lists every folder
  (a test imports another's helpers by basename).
"""
from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def layout_paths() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    paths = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            paths.extend(re.findall(r"`([^`]+)`", first_cell))
    return paths


def tracked_files() -> list[str]:
    proc = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:      # not a git checkout (e.g. an unpacked sdist): list the tree
        return [str(p.relative_to(REPO)) for p in REPO.rglob("*") if p.is_file() and ".venv" not in p.parts]
    return proc.stdout.split()


def test_every_layout_path_exists():
    paths = layout_paths()
    assert len(paths) > 10
    for path in paths:
        assert (REPO / path).exists(), f"README layout names {path}, which is not in the tree"


def test_every_source_file_is_in_the_layout():
    listed = layout_paths()
    covered = [p for p in listed if p.endswith("/")]
    for path in tracked_files():
        if not re.match(r"(ptofix|passes|scripts)/.*\.(py|lark)$", path) or path.endswith("__init__.py"):
            continue
        assert path in listed or any(path.startswith(d) for d in covered), f"{path} is missing from the README layout"


TESTS = REPO / "tests"
MAX_TEST_LINES = 1000
NOT_TEST_FOLDERS = {"fixtures", "standins", "__pycache__"}
SHARED_MODULES = {"ptofix.source"}       # imported by tests of every subject


def subject_folders() -> list[Path]:
    return sorted(p for p in TESTS.iterdir() if p.is_dir() and p.name not in NOT_TEST_FOLDERS
                  and not p.name.startswith("."))


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if not set(p.relative_to(TESTS).parts) & NOT_TEST_FOLDERS)


def test_each_test_folder_mirrors_a_subpackage_or_a_top_level_directory():
    folders = subject_folders()
    assert len(folders) >= 8
    for folder in folders:
        mirrored = REPO / "ptofix" / folder.name
        assert mirrored.is_dir() or folder.name in ("passes", "scripts"), \
            f"tests/{folder.name}/ mirrors no ptofix/{folder.name}/ (nor passes/ or scripts/)"


def test_no_test_file_is_over_the_line_limit():
    long = {str(p.relative_to(REPO)): n for p in python_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_TEST_LINES}
    assert not long, f"test files over {MAX_TEST_LINES} lines (split them by subject): {long}"


def test_no_file_is_named_after_a_round():
    named = [str(p.relative_to(REPO)) for p in python_files() if "round" in p.name.lower()]
    assert not named, f"name these by their subject, not by a review round: {named}"


def ptofix_imports(path: Path) -> set[str]:
    """The ptofix modules ``path`` imports (``from ptofix import x`` as ptofix.x), at any depth."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "ptofix"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "ptofix":
            found |= ({f"{node.module}.{a.name}" for a in node.names} if node.module == "ptofix" else {node.module})
    return found


def folder_of(path: Path, folders: set[str]) -> str | None:
    """The folder a top-level test file belongs in, or None when tests/ is its place."""
    stem = path.stem.removeprefix("test_")
    for name in folders:
        if stem == name or stem.startswith(name + "_"):
            return name
    subpackages = set()
    for module in ptofix_imports(path) - SHARED_MODULES:
        parts = module.split(".")
        is_package = len(parts) > 1 and (REPO / "ptofix" / parts[1]).is_dir()
        subpackages.add(parts[1] if is_package else None)
    if len(subpackages) == 1 and (only := subpackages.pop()) in folders:
        return only
    return None


def test_a_top_level_test_file_has_no_subject_folder():
    folders = {p.name for p in subject_folders()}
    misplaced = {p.name: f"tests/{where}/" for p in TESTS.glob("test_*.py") if (where := folder_of(p, folders))}
    assert not misplaced, f"move these test files into their subject's folder: {misplaced}"


def test_the_layout_rule_finds_a_misplaced_file(tmp_path):
    """folder_of can fail: by name, and by the modules a file imports."""
    folders = {"cpp", "sim", "perf"}
    cases = {"test_sim_new.py": ("", "sim"), "test_perf.py": ("", "perf"),
             "test_kept_causes.py": ("from ptofix.cpp.barriers import BarrierAnalysis\nfrom ptofix.source import SourceText\n", "cpp"),
             "test_api_causes.py": ("from ptofix import api\nfrom ptofix.cpp.parser import parse_cpp\n", None),
             "test_whole.py": ("import subprocess\n", None)}
    for name, (text, where) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert folder_of(tmp_path / name, folders) == where, name


def test_basenames_are_unique_and_every_folder_is_on_the_path():
    names = [p.name for p in python_files() if p.name != "__init__.py"]
    assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert set(config["pythonpath"]) == {"tests", *(f"tests/{p.name}" for p in subject_folders())}


TEST_PATH = re.compile(r"(?<![/\w.])tests/(?:[a-z_]+/)*test_\w+\.py\b")     # (not inside a URL)


def named_test_paths(text: str) -> set[str]:
    """The repository test files ``text`` names (a link's text whose target is another repository's
    file is that file, not ours)."""
    return {m[0] for m in TEST_PATH.finditer(text) if not re.match(r"`?\]\(https?:", text[m.end():])}


def test_every_test_file_the_sources_and_docs_name_exists():
    """A comment, a doc or a script that points at a test names a file that is there (the tests
    moved into folders: a stale path sends the reader nowhere)."""
    assert named_test_paths("see tests/cpp/test_x.py and tests/test_y.py, not tests/fixtures/a.cpp or "
                            "https://github.com/o/r/blob/c0/tests/test_z.py, [`tests/test_w.py`](https://x/tests/test_w.py)") == {"tests/cpp/test_x.py", "tests/test_y.py"}
    tracked = subprocess.run(["git", "ls-files", "ptofix", "passes", "scripts", "docs", "kernels", "lit_tests",
                              "README.md", "pyproject.toml"], cwd=REPO, capture_output=True, text=True, check=True)
    missing = {}
    for name in tracked.stdout.split():
        path = REPO / name
        if path.suffix not in (".py", ".md", ".toml", ".cfg", ".sh", ".cpp", ".mlir", ".txt") or not path.is_file():
            continue
        gone = sorted(p for p in named_test_paths(path.read_text(encoding="utf-8", errors="replace"))
                      if not (REPO / p).is_file())
        if gone:
            missing[name] = gone
    assert missing == {}
