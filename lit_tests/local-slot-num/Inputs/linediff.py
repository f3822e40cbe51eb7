"""Print the lines that differ between two files of equal line count, then a count.

Used by the local-slot-num lit tests to prove that nothing but the intended lines changed:
`L<n>-` is the old line, `L<n>+` the new one (leading whitespace stripped).
"""
import sys

if sys.argv[1] == "--empty":
    # `linediff.py --empty FILE`: fail unless FILE is empty (an error must not write output).
    with open(sys.argv[2], encoding="utf-8") as f:
        data = f.read()
    print(f"{len(data)} bytes")
    sys.exit(1 if data else 0)

with open(sys.argv[1], encoding="utf-8", newline="") as f:
    old = f.read().split("\n")
with open(sys.argv[2], encoding="utf-8", newline="") as f:
    new = f.read().split("\n")
if len(old) != len(new):
    print(f"line count differs: {len(old)} -> {len(new)}")
    sys.exit(0)
changed = 0
for n, (a, b) in enumerate(zip(old, new, strict=True), 1):
    if a != b:
        changed += 1
        print(f"L{n}- {a.strip()}")
        print(f"L{n}+ {b.strip()}")
print(f"changed lines: {changed}")
