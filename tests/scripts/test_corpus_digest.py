"""scripts/corpus_digest.py: one deterministic line per file and job, errors digested rather than fatal."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "corpus_digest.py"


def digest(directory: Path) -> list[list[str]]:
    proc = subprocess.run([sys.executable, str(SCRIPT), str(directory)], capture_output=True, text=True, check=True)
    return [line.split("\t") for line in proc.stdout.splitlines()]


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_digest_is_deterministic_and_sees_a_change(tmp_path):
    fa = REPO / "kernels" / "flash_attention"
    shutil.copy(fa / "fa.cpp", tmp_path / "fa.cpp")
    shutil.copy(fa / "fa.mlir", tmp_path / "fa.mlir")
    (tmp_path / "bad.cpp").write_text("this is not C++ {\n", encoding="utf-8")
    first = digest(tmp_path)
    assert [(rel, job.split("{")[0]) for rel, job, _ in first] == [
        ("bad.cpp", "pipe-v-barrier"), ("bad.cpp", "pipe-v-barrier"), ("bad.cpp", "pipe-v-barrier-insert"),
        ("bad.cpp", "local-slot-num"),
        ("fa.cpp", "pipe-v-barrier"), ("fa.cpp", "pipe-v-barrier"), ("fa.cpp", "pipe-v-barrier-insert"),
        ("fa.cpp", "local-slot-num"), ("fa.mlir", "canonicalize"), ("fa.mlir", "canonicalize")]
    assert digest(tmp_path) == first
    # A one-byte change of the input changes the digests of the jobs that read it, and only those.
    text = (tmp_path / "fa.cpp").read_text(encoding="utf-8")
    (tmp_path / "fa.cpp").write_text(text.replace("pipe_barrier(PIPE_V);", "pipe_barrier(PIPE_V); ", 1),
                                     encoding="utf-8")
    changed = {(rel, job) for (rel, job, a), (_, _, b) in zip(first, digest(tmp_path), strict=True) if a != b}
    assert changed and {rel for rel, _ in changed} == {"fa.cpp"}


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_corpus_outputs_are_pinned(corpus_dir):
    """Every pass's output over the corpus is byte-identical to the pinned digest (a refactor changes no
    behaviour); an intended change regenerates tests/corpus_digest.tsv (see scripts/corpus_digest.py)."""
    sys.path.insert(0, str(SCRIPT.parent))
    from corpus_digest import digest_lines
    pinned = (REPO / "tests" / "corpus_digest.tsv").read_text(encoding="utf-8").splitlines()
    now = list(digest_lines(str(corpus_dir)))
    assert [line.rsplit("\t", 1)[0] for line in now] == [line.rsplit("\t", 1)[0] for line in pinned]
    changed = [line.rsplit("\t", 1)[0] for line, old in zip(now, pinned, strict=True) if line != old]
    assert not changed, f"{len(changed)} outputs changed, e.g. {changed[:8]}"
