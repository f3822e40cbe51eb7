"""``check --trace`` over ../shared/corpus (scripts/trace_corpus.py): the numbers of
tests/trace_corpus.tsv are kept. Which kernels build and run under pto-isa's host cost model, the
trace races each has as shipped, the races ``run --pattern auto`` adds (none: under the default race
model, msSanitizer's a2/a3 rule, it credits no PTOAS #674 same-access chain; only
``--same-access-chains`` does, and those are the races it adds), and the reach gap (the kernel
barriers auto keeps that the run shows separating no conflicting pair).

Slow (one cost-model build or two per kernel): by default the ``real`` folder is measured again;
$PTOFIX_TRACE_CORPUS names others (comma-separated, ``all`` for every folder)."""
from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PTOFIX_CORPUS") or ROOT.parent / "shared" / "corpus")
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
STORED = ROOT / "tests" / "trace_corpus.tsv"
KEPT = ("status", "races", "auto_added", "kept", "unneeded")


def stored_rows() -> dict[tuple[str, str], dict[str, str]]:
    with open(STORED, encoding="utf-8", newline="") as stream:
        return {(row["corpus"], row["file"]): row for row in csv.DictReader(stream, delimiter="\t")}


def test_the_stored_numbers_add_up():
    """The stored table is whole: every row has a status, and a built kernel its numbers."""
    rows = stored_rows()
    assert len(rows) >= 100
    for key, row in rows.items():
        assert row["status"] in ("built", "build-error", "run-error", "cannot-judge"), key
        if row["status"] == "built":
            assert all(row[column].isdigit() for column in ("races", "kept", "unneeded")), key
            assert int(row["unneeded"]) <= int(row["kept"]), key


@pytest.mark.slow
@pytest.mark.perfsim
@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.skipif(not (PTO_ISA / "include").is_dir(), reason="../shared/pto-isa/f35e7f60 is not present")
@pytest.mark.skipif(shutil.which(os.environ.get("CXX") or "g++") is None, reason="no C++ compiler")
def test_the_corpus_numbers_are_kept(tmp_path):
    chosen = os.environ.get("PTOFIX_TRACE_CORPUS", "real")
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if chosen == "all" else chosen.split(",")
    stored = stored_rows()
    for folder in folders:
        out = tmp_path / f"{folder}.tsv"
        with open(out, "w", encoding="utf-8") as stream:
            subprocess.run([sys.executable, str(ROOT / "scripts" / "trace_corpus.py"), "--pto-isa", str(PTO_ISA),
                            str(CORPUS / folder)], stdout=stream, check=True, cwd=ROOT)
        with open(out, encoding="utf-8", newline="") as stream:
            measured = list(csv.DictReader(stream, delimiter="\t"))
        assert measured
        for row in measured:
            key = (folder, row["file"])
            assert key in stored, f"{key} is not in tests/trace_corpus.tsv"
            assert [row[c] for c in KEPT] == [stored[key][c] for c in KEPT], (key, row["note"])


def _added(rows: dict[tuple[str, str], dict[str, str]]) -> list[tuple[tuple[str, str], int, int]]:
    """(kernel, races auto adds, of them same-access chains) of each kernel auto adds races to."""
    out = []
    for key, row in rows.items():
        if row["status"] == "built" and row["auto_added"] not in ("", "0"):
            found = re.search(r"same-access chains: (\d+) of (\d+)", row["note"])
            out.append((key, int(row["auto_added"]), int(found.group(1)) if found else -1))
    return out


def test_auto_adds_no_trace_race():
    """Under the default race model `run --pattern auto` opens no race the trace finds, in any
    kernel of the corpus that builds and is judged."""
    assert _added(stored_rows()) == []


def _script():
    spec = importlib.util.spec_from_file_location("trace_corpus", ROOT / "scripts" / "trace_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHAIN_KERNEL = CORPUS / "ptoas-2026-04-17" / "samples" / "SCF" / "scf_while_break.cpp"


@pytest.mark.slow
@pytest.mark.perfsim
@pytest.mark.corpus
@pytest.mark.skipif(not CHAIN_KERNEL.is_file(), reason="../shared/corpus is not present")
@pytest.mark.skipif(not (PTO_ISA / "include").is_dir(), reason="../shared/pto-isa/f35e7f60 is not present")
@pytest.mark.skipif(shutil.which(os.environ.get("CXX") or "g++") is None, reason="no C++ compiler")
def test_the_races_auto_adds_under_the_opt_in_are_same_access_chains():
    """`--same-access-chains` credits PTOAS #674's chains, which the vendor's rule does not: auto
    under it removes a barrier of scf_while_break.cpp the default keeps (the table's row: 0 added),
    and every race that opens in the trace is such a chain (a RAW pair whose later instruction
    reads exactly the bytes the earlier wrote)."""
    script = _script()
    options = script.TraceOptions(script.environment_of(pto_isa=str(PTO_ISA)), timeout=120.0)
    text = CHAIN_KERNEL.read_text(encoding="utf-8")
    default, _ = script.auto_output(CHAIN_KERNEL)
    opted, why = script.auto_output(CHAIN_KERNEL, ("--same-access-chains",))
    assert opted is not None, why
    assert default != opted
    name = str(CHAIN_KERNEL)
    traced = script.trace_texts({name: text, name + " (auto)": opted}, options)
    found = script.new_races(traced[name], traced[name + " (auto)"])
    assert isinstance(found, list) and found, found
    assert all(script.same_access_chain(race) for race, _count in found), found
