"""The README's layout table matches the tree: every path it names exists, every source file is covered."""
from __future__ import annotations

import re
import subprocess
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
