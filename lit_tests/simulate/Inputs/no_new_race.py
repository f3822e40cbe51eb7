"""no_new_race.py SELF.json REWRITE.json: the out-of-order pairs `ptofix simulate --report json`
reports for a rewrite are among those it reports for the original against itself.

Prints "no new race" (equal, or every pair of the rewrite also occurs in the original), else the new pairs.
"""
import json
import re
import sys


def pairs(path):
    [comparison] = json.load(open(path, encoding="utf-8"))["files"]
    diff = comparison["difference"]
    if diff is None:
        return None, set()
    # the file name differs between the two runs; line, statement and op name do not
    return diff, {re.sub(r"\S+\.cpp:", "", h) for h in diff.get("hazards", [])}


self_diff, self_pairs = pairs(sys.argv[1])
diff, new = pairs(sys.argv[2])
if diff is None or (diff.get("original_also_differs") and new <= self_pairs):
    print("no new race")
else:
    print("new race:", sorted(new - self_pairs) or diff)
