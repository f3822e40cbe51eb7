"""The baseline ptofix is measured against: a line-regex PIPE_V barrier patcher doing the whole job
of pto-isa's `kernels/python/flash_atten/scripts/patch_vec_barriers.py` (as described in
docs/reference/pto-facts.md §5.4; written here from that description): read the file, find the
pattern's barrier line by line, check the name-based dependency where the pattern asks for it,
replace the barrier line with a comment, write the file.

    python scripts/regex_patcher.py FILE.cpp OUT.cpp [PATTERN ...]      (default pattern: gu)
"""
from __future__ import annotations

import re
import sys

CALL_RE = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(?:<[^;]*)?\((.*)\);\s*$")
VAR_RE = re.compile(r"\bv\d+\b")
BARRIER = "pipe_barrier(PIPE_V);"
PATTERNS = {"gu": ("TROWEXPANDMUL", "TADD", False),
            "softmax-exp-sum": ("TEXP", "TROWSUM", True),
            "softmax-sum-add": ("TROWSUM", "TADD", True)}


def call(line: str):
    match = CALL_RE.match(line)
    return (match.group(1), match.group(2)) if match else (None, None)


def depends(producer_args: str, consumer_args: str) -> bool:
    """Name-based: first variable written, the rest read; RAW, WAW or WAR."""
    p, c = VAR_RE.findall(producer_args), VAR_RE.findall(consumer_args)
    if not p or not c:
        return True
    pw, pr, cw, cr = {p[0]}, set(p[1:]), {c[0]}, set(c[1:])
    return bool(pw & cr or pw & cw or pr & cw)


def patch(lines: list[str], pattern: str) -> int:
    first, second, check = PATTERNS[pattern]
    removed = 0
    for i, line in enumerate(lines):
        name, args = call(line)
        if name != first:
            continue
        j = i + 1
        if j >= len(lines) or lines[j].strip() != BARRIER:
            continue
        k = j + 1
        if not check:
            while k < len(lines) and call(lines[k])[0] == "wait_flag" and "PIPE_MTE2, PIPE_V" in lines[k]:
                k += 1
        if k >= len(lines):
            continue
        nxt, nargs = call(lines[k])
        if nxt != second or (check and depends(args, nargs)):
            continue
        indent = lines[j][:len(lines[j]) - len(lines[j].lstrip())]
        lines[j] = f"{indent}/* removed PIPE_V barrier via {pattern} */\n"
        removed += 1
    return removed


def main(argv: list[str]) -> int:
    source, target, *patterns = argv
    with open(source, encoding="utf-8") as handle:
        lines = handle.readlines()
    for pattern in patterns or ["gu"]:
        patch(lines, pattern)
    with open(target, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
