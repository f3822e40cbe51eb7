"""Digest of every pass's output over a kernel corpus, to show that a refactor changes no behaviour.

For each corpus file and job, one line ``relpath<TAB>job<TAB>sha256`` of the output text, the pass
reports and the warnings (``--text-only``: text and warnings), or of the error message when the input
is rejected. Run it on two checkouts and compare the files with ``diff``:

    python scripts/corpus_digest.py ../shared/corpus > after.tsv
    (cd OLD_CHECKOUT && python scripts/corpus_digest.py ../shared/corpus) > before.tsv
    diff before.tsv after.tsv && echo byte-identical

``tests/corpus_digest.tsv`` pins the digest of ``../shared/corpus`` (tests/scripts/test_corpus_digest.py); after
an intended change of behaviour, regenerate it with the first command and say why in the commit.

Jobs: C++ files through ``pipe-v-barrier`` (patterns gu and auto), ``pipe-v-barrier-insert``
(``check --fix``) and ``local-slot-num{map=2,tpipe-order=new}``; PTO IR files (.pto, .mlir) through
``canonicalize`` (to v0.45 custom form, and to generic form).
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import sys
from collections.abc import Iterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ptofix.frontends import PARSERS  # noqa: E402
from ptofix.pass_manager import build_pass, run_pipeline  # noqa: E402
from ptofix.source import PtofixError, SourceText  # noqa: E402

JOBS = {
    ".cpp": [("pipe-v-barrier", {"pattern": "gu"}), ("pipe-v-barrier", {"pattern": "auto"}),
             ("pipe-v-barrier-insert", {}), ("local-slot-num", {"map": "2", "tpipe-order": "new"})],
    ".mlir": [("canonicalize", {"target-ptoas": "v0.45"}), ("canonicalize", {"to": "generic"})],
    ".pto": [("canonicalize", {"target-ptoas": "v0.45"}), ("canonicalize", {"to": "generic"})],
}


def digest(text: str, path: str, name: str, options: dict[str, str], text_only: bool) -> str:
    try:
        outcome = run_pipeline(SourceText(text, path), [build_pass(name, options)], PARSERS)
        parts = [outcome.text, outcome.warnings] if text_only else [outcome.text, outcome.reports, outcome.warnings]
        payload = json.dumps(parts, sort_keys=True, default=str)
    except PtofixError as exc:
        payload = "error: " + str(exc)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def digest_lines(corpus: str, text_only: bool = False) -> Iterator[str]:
    """``relpath<TAB>job<TAB>digest`` for every file and job, in path order."""
    for path in sorted(glob.glob(os.path.join(corpus, "**", "*"), recursive=True)):
        jobs = JOBS.get(os.path.splitext(path)[1])
        if not jobs:
            continue
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read()
        rel = os.path.relpath(path, corpus)
        for name, options in jobs:
            job = name + ("{" + ",".join(f"{k}={v}" for k, v in options.items()) + "}" if options else "")
            yield f"{rel}\t{job}\t{digest(text, rel, name, options, text_only)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="directory searched recursively for .cpp, .pto and .mlir files")
    parser.add_argument("--text-only", action="store_true",
                        help="digest output text and warnings only (reports may gain fields between versions)")
    args = parser.parse_args()
    for line in digest_lines(args.corpus, args.text_only):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
