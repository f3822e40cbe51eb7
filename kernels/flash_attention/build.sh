#!/usr/bin/env bash
# Build the FA workload with the ptofix pre-build hook. This replaces the ptoas, barrier-patch
# and bisheng lines of pto-isa's kernels/python/flash_atten/compile.sh with one call:
#
#   fa.mlir -> canonicalize (v0.45) -> $PTOAS --pto-arch=a3 --enable-insert-sync -> fa.cpp
#           -> PIPE_V barriers (gu, proved) + TPipe LocalSlotNum (from the IR) -> fa.fixed.cpp
#           -> $BISHENG -I$PTO_LIB_PATH/include ... -DKERNEL_CPP="fa.fixed.cpp" caller.cpp -o fa.so
#
# Usage:
#   PTOAS=/path/ptoas BISHENG=/path/bisheng PTO_LIB_PATH=/path/pto-isa bash build.sh
#   bash build.sh --dry-run                     # print the commands only
#   bash build.sh --no-compile                  # stop after fa.fixed.cpp
#   PTOFIX_PATTERN=gu,softmax-sum-add bash build.sh
# Environment: PTOAS, BISHENG, PTO_LIB_PATH, PTOFIX_PATTERN (compile.sh's FA_REMOVE_VEC_BARRIER_PATTERNS warns),
# OUT_DIR (default: ./build_artifacts next to this script), PTOFIX (default: ptofix).
# The rest of the pipeline is in ptofix.toml; extra arguments go to `ptofix build`.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${OUT_DIR:-${SCRIPT_DIR}/build_artifacts}"
# An executable path is one word (a venv path may hold spaces); anything else is a command line
# such as "python -m ptofix".
if [[ -x "${PTOFIX:-}" && ! -d "${PTOFIX:-}" ]]; then PTOFIX_CMD=("$PTOFIX"); else read -r -a PTOFIX_CMD <<< "${PTOFIX:-ptofix}"; fi

exec "${PTOFIX_CMD[@]}" build "${SCRIPT_DIR}/fa.mlir" -o "${OUT_DIR}" "$@"
