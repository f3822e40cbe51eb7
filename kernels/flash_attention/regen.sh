#!/usr/bin/env bash
# Regenerate fa.cpp from fa.mlir with a real ptoas: canonicalize for ptoas v0.45, then ptoas with
# compile.sh's flags. fa.cpp is never edited by hand.
#
#   PTOAS=/path/to/ptoas bash regen.sh          # tonibohnlein/PTOAS 393929e9 (v0.45)
#   PTOFIX="python -m ptofix" PTOAS=... bash regen.sh   # ptofix from a checkout
#   bash regen.sh --check                        # exit 1 if fa.cpp differs from the regenerated text
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${PTOAS:?set PTOAS to the ptoas v0.45 binary (tonibohnlein/PTOAS 393929e9)}"
PTOFIX="${PTOFIX:-ptofix}"
# An executable path is one word (a venv path may hold spaces); anything else is a command line.
if [[ -x "$PTOFIX" && ! -d "$PTOFIX" ]]; then PTOFIX_CMD=("$PTOFIX"); else read -r -a PTOFIX_CMD <<< "$PTOFIX"; fi
CHECK=0
[[ "${1:-}" == "--check" ]] && CHECK=1
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$HERE"
# The canonicalized IR's path appears in nothing ptoas prints; a fixed name keeps runs comparable.
"${PTOFIX_CMD[@]}" canonicalize --target-ptoas v0.45 --to custom fa.mlir -o "$TMP/fa.canon.mlir" \
  --sidecar "$TMP/fa.slots.json" 2>/dev/null
"$PTOAS" --pto-arch=a3 --enable-insert-sync "$TMP/fa.canon.mlir" > "$TMP/fa.cpp"
if [[ $CHECK == 1 ]]; then
  diff -u fa.cpp "$TMP/fa.cpp"
else
  mv "$TMP/fa.cpp" fa.cpp
  echo "regenerated $HERE/fa.cpp ($(wc -l < fa.cpp) lines) with $("$PTOAS" --version 2>&1 | head -1)"
fi
