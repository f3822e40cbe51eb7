"""Check fa.fixed.cpp against figures derived from fa.cpp (no numbers pinned in the test).

    fa_figures.py FA.cpp FIXED.cpp BUILD_LOG

* the build log's "pipe-v-barrier: R of T PIPE_V barriers removed": T = the barriers of fa.cpp,
  R = the in-place GU barriers of fa.cpp (TROWEXPANDMUL(o, o, e); barrier; TADD(o, o, pv)), R >= 1;
* fa.fixed.cpp has T - R barriers;
* every TPipe<...> of fa.cpp has LocalSlotNum 8 and every one of fa.fixed.cpp LocalSlotNum 2.
Prints "figures ok: T barriers, R removed, P TPipe types" or exits 1 naming the mismatch.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests"))
from conftest import in_place_gu_barriers  # noqa: E402


def main(cpp, fixed, log):
    before, after, text = (open(p, encoding="utf-8").read() for p in (cpp, fixed, log))
    total = before.count("pipe_barrier(PIPE_V);")
    gu = len(in_place_gu_barriers(before))
    # None of them is proven: TROWEXPANDMUL writes fa.cpp's 32 x 128 float tile column chunk by
    # column chunk and TADD reads it linearly, running ahead (ptofix/pto/walks.py, issue 55).
    removed = 0
    m = re.search(r"pipe-v-barrier: (\d+) of (\d+) PIPE_V barriers removed", text)
    pipe = r"TPipe<\d+, Direction::DIR_\w+, \d+, 8, {}, (?:true|false)>"
    tpipes = before.count("TPipe<")
    checks = [
        (m is not None, "no pipe-v-barrier summary in the build log"),
        (m is not None and (int(m.group(1)), int(m.group(2))) == (removed, total),
         f"summary {m.group(0) if m else None!r}, expected {removed} of {total}"),
        (gu >= 1, "fa.cpp has no in-place GU barrier left"),
        (after.count("pipe_barrier(PIPE_V);") == total - removed, "fa.fixed.cpp barrier count"),
        (tpipes > 0 and len(re.findall(pipe.format(8), before)) == tpipes, "fa.cpp TPipe LocalSlotNum 8"),
        (after.count("TPipe<") == tpipes and len(re.findall(pipe.format(2), after)) == tpipes,
         "fa.fixed.cpp TPipe LocalSlotNum 2"),
    ]
    for ok, what in checks:
        if not ok:
            print(f"figures mismatch: {what}")
            return 1
    print(f"figures ok: {total} barriers, {removed} removed of {gu} GU, {tpipes} TPipe types")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
