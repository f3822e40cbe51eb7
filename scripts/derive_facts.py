"""Derive ptofix/pto/derived_facts.json from pto-isa's own recorded trace.

    python3 scripts/derive_facts.py --pto-isa ../shared/pto-isa/f35e7f60            # writes the table
    python3 scripts/derive_facts.py --pto-isa ../shared/pto-isa/f35e7f60 --check    # exit 1 on a difference
    python3 scripts/derive_facts.py --trace trace.json ...                          # from a recorded trace

scripts/trace_facts/record.py records every CCE intrinsic pto-isa's a2a3 implementation issues for
each case of its grid. This decodes each vector intrinsic into the bytes every repeat reads and
writes (its operands' addresses, block and repeat strides, the vector mask in norm or count
mode), attributes them to the case's operands (or pto's hidden scratch at 0x2e000), and derives
per case: each operand's walk (ptofix/pto/derived_facts.py WALK_KINDS), its footprint, the
internal pipe_barriers and count-mode use; then groups the cases by op and type class. The table's
schema is in ptofix/pto/derived_facts.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts" / "trace_facts"))

import record  # noqa: E402

from ptofix.pto.derived_facts import (  # noqa: E402
    COLUMN_CHUNKS,
    INDEX_PATH,
    LINEAR,
    OTHER,
    ROW_BY_ROW,
    SCHEMA,
    TABLE_PATH,
    DerivedFacts,
    table_index,
    type_class,
    with_form,
)
from ptofix.pto.op_sources import checkout_reader, op_sources, recorded_sources  # noqa: E402
from ptofix.pto.ops import OPS  # noqa: E402
from ptofix.pto.tiles import REPEAT_BYTES  # noqa: E402

BLOCK = 32
SORT32_BLOCK = 32                   # source elements one vbitsort repeat sorts
SCRATCH = (0x2E000, 0x30000)        # pto-isa constants.hpp TMP_UB_OFFSET, TMP_UB_SIZE

# Intrinsics that set state or synchronise: no UB access of their own.
# What scripts/trace_facts/harness.hpp records before a vector instruction: its data's element
# size (sizeof of the pointer's type), which the mask counts in.
ELEMENT_RECORD = "ptofix_element"
CONTROL = {"set_vector_mask", "set_mask_count", "set_mask_norm", "pipe_barrier", "set_flag", "wait_flag",
           "set_ctrl", "get_ctrl", "set_atomic_none", "dsb", "set_deqscale", "set_va_reg_sb", "set_cmpmask",
           "set_padding", "set_mov_pad_val", "set_nd_para", "set_fpc", "set_quant_pre", ELEMENT_RECORD}
# (dst, src, repeat, dstBlockStride, srcBlockStride, dstRepeatStride, srcRepeatStride)
UNARY = re.compile(r"^(vabs|vexp|vln|vsqrt|vrsqrt|vrelu|vnot|vcopy|vrec|vconv_\w+)$")
# (dst, src0, src1, repeat, dstBS, src0BS, src1BS, dstRS, src0RS, src1RS[, mode])
BINARY = re.compile(r"^(vadd|vsub|vmul|vdiv|vmax|vmin|vand|vor|vsel|vmla|vmadd|vmaddrelu|vaddrelu|vsubrelu)$")
# (dst, src0, scalar, repeat, dstBS, src0BS, dstRS, src0RS)
SCALAR = re.compile(r"^(vadds|vmuls|vmaxs|vmins|vlrelu|vshl|vshr|vaxpy)$")
# Compares: the sources as BINARY / SCALAR; the bit-mask destination is not decoded.
COMPARE = re.compile(r"^vcmpv_(eq|ne|gt|ge|lt|le)$")
COMPARE_SCALAR = re.compile(r"^vcmpvs_(eq|ne|gt|ge|lt|le)$")
READS_DST = {"vaxpy", "vmla", "vmadd", "vmaddrelu"}
CONV_SIZES = {"f32": 4, "f16": 2, "bf16": 2, "s32": 4, "s16": 2, "s8": 1, "u8": 1, "s64": 8, "s4": 1}


class Access:
    """Byte ranges one instruction touches, per repeat: [(repeat, lo, hi, is_write)]."""


def _active_elements(state: dict, per_repeat: int) -> list[int] | None:
    """The element positions of a norm-mode repeat the mask enables."""
    mask = (state["hi"] << 64) | state["lo"]
    return [i for i in range(per_repeat) if mask >> i & 1]


def _ranges(base: int, elements: list[int], size: int, block_stride: int) -> list[tuple[int, int]]:
    """The byte ranges of ``elements`` of one repeat of an operand of ``size``-byte elements."""
    out: list[tuple[int, int]] = []
    per_block = BLOCK // size
    for element in elements:
        block, within = divmod(element, per_block)
        lo = base + block * block_stride * BLOCK + within * size
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], lo + size)
        else:
            out.append((lo, lo + size))
    return out


def _operand_repeats(state: dict, repeat: int, base: int, block_stride: int, repeat_stride: int, size: int,
                     inst_size: int) -> list[list[tuple[int, int]]]:
    """Per repeat, the byte ranges one strided operand of a vector instruction touches."""
    per_repeat = REPEAT_BYTES // inst_size
    out = []
    if state["count"]:
        remaining = state["lo"]
        r = 0
        while remaining > 0:
            elements = list(range(min(per_repeat, remaining)))
            out.append(_ranges(base + r * repeat_stride * BLOCK, elements, size, block_stride))
            remaining -= len(elements)
            r += 1
        return out
    elements = _active_elements(state, per_repeat)
    for r in range(repeat):
        out.append(_ranges(base + r * repeat_stride * BLOCK, elements, size, block_stride))
    return out


def decode(name: str, args: list[int], state: dict, size: int) -> list[tuple[str, list[list[tuple[int, int]]]]] | None:
    """The operands one intrinsic touches: [("r"|"w", per-repeat byte ranges)] (("w?", []): a
    destination not decoded), or None when its operands are not decoded here. ``size``: the
    element size of its data (as the harness recorded it, else the case's)."""
    if UNARY.match(name):
        dst, src, repeat, dbs, sbs, drs, srs = args[:7]
        dsize = ssize = size
        if name.startswith("vconv_"):
            match = re.match(r"vconv_([a-z]+\d+)2([a-z]+\d+)", name)
            if not match or match.group(1) not in CONV_SIZES or match.group(2) not in CONV_SIZES:
                return None
            ssize, dsize = CONV_SIZES[match.group(1)], CONV_SIZES[match.group(2)]
        inst = max(dsize, ssize)
        return [("r", _operand_repeats(state, repeat, src, sbs, srs, ssize, inst)),
                ("w", _operand_repeats(state, repeat, dst, dbs, drs, dsize, inst))]
    if name == "vector_dup":
        dst, _scalar, repeat, dbs, _sbs, drs, _srs = args[:7]
        return [("w", _operand_repeats(state, repeat, dst, dbs, drs, size, size))]
    if BINARY.match(name):
        dst, s0, s1, repeat, dbs, s0bs, s1bs, drs, s0rs, s1rs = args[:10]
        out = [("r", _operand_repeats(state, repeat, s0, s0bs, s0rs, size, size)),
               ("r", _operand_repeats(state, repeat, s1, s1bs, s1rs, size, size))]
        if name in READS_DST:
            out.append(("r", _operand_repeats(state, repeat, dst, dbs, drs, size, size)))
        out.append(("w", _operand_repeats(state, repeat, dst, dbs, drs, size, size)))
        return out
    if SCALAR.match(name):
        dst, s0, _scalar, repeat, dbs, s0bs, drs, s0rs = args[:8]
        out = [("r", _operand_repeats(state, repeat, s0, s0bs, s0rs, size, size))]
        if name in READS_DST:
            out.append(("r", _operand_repeats(state, repeat, dst, dbs, drs, size, size)))
        out.append(("w", _operand_repeats(state, repeat, dst, dbs, drs, size, size)))
        return out
    if COMPARE.match(name):
        _dst, s0, s1, repeat, _dbs, s0bs, s1bs, _drs, s0rs, s1rs = args[:10]
        return [("r", _operand_repeats(state, repeat, s0, s0bs, s0rs, size, size)),
                ("r", _operand_repeats(state, repeat, s1, s1bs, s1rs, size, size)), ("w?", [])]
    if COMPARE_SCALAR.match(name):
        _dst, s0, _scalar, repeat, _dbs, s0bs, _drs, s0rs = args[:8]
        return [("r", _operand_repeats(state, repeat, s0, s0bs, s0rs, size, size)), ("w?", [])]
    if name == "vbrcb":
        # One 32-byte block of dst per source element, 8 elements a repeat (mask ignored).
        dst, src, dbs, drs, repeat = args[:5]
        reads = [[(src + r * 8 * size, src + (r + 1) * 8 * size)] for r in range(repeat)]
        writes = [[(dst + r * drs * BLOCK + b * dbs * BLOCK, dst + r * drs * BLOCK + b * dbs * BLOCK + BLOCK)
                   for b in range(8)] for r in range(repeat)]
        return [("r", reads), ("w", writes)]
    if name == "vbitsort":
        # (dst, src, idx, repeat): each repeat sorts 32 source elements with their 32 uint32
        # indices into 32 (value, index) pairs of 8 bytes (pto-isa TSort32.hpp steps the three
        # pointers by 32, 32 and 32 * 8 / sizeof(T) elements a repeat; docs/reference/pto-facts.md
        # §8 "TSORT32"); the mask does not apply.
        dst, src, idx, repeat = args[:4]
        per = SORT32_BLOCK
        return [("r", [[(src + r * per * size, src + (r + 1) * per * size)] for r in range(repeat)]),
                ("r", [[(idx + r * per * 4, idx + (r + 1) * per * 4)] for r in range(repeat)]),
                ("w", [[(dst + r * per * 8, dst + (r + 1) * per * 8)] for r in range(repeat)])]
    if name == "copy_ubuf_to_ubuf":
        dst, src, _sid, bursts, length, src_gap, dst_gap = args[:7]
        reads = [[(src + i * (length + src_gap) * BLOCK, src + (i * (length + src_gap) + length) * BLOCK)]
                 for i in range(bursts)]
        writes = [[(dst + i * (length + dst_gap) * BLOCK, dst + (i * (length + dst_gap) + length) * BLOCK)]
                  for i in range(bursts)]
        return [("r", reads), ("w", writes)]
    return None


def repeat_argument(name: str, args: list[int]) -> int | None:
    """The repeat count an intrinsic was given (bursts for a UB-to-UB copy); None when its
    operands are not decoded here."""
    if UNARY.match(name) or name == "vector_dup":
        return args[2]
    if BINARY.match(name) or SCALAR.match(name) or COMPARE.match(name) or COMPARE_SCALAR.match(name) \
            or name == "copy_ubuf_to_ubuf":
        return args[3]
    if name == "vbrcb":
        return args[4]
    if name == "vbitsort":
        return args[3]
    return None


def _merge(ranges: list[tuple[int, int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def _segments(repeats: list[tuple[int, int, int]]) -> list[list[int]]:
    """Repeats [(instruction, lo, hi)] as arithmetic runs [instruction, lo, count, step, width]."""
    out: list[list[int]] = []
    for instruction, lo, hi in repeats:
        if out:
            last = out[-1]
            if last[0] == instruction and last[4] == hi - lo:
                if last[2] == 1:
                    last[2], last[3] = 2, lo - last[1]
                    continue
                if lo == last[1] + last[2] * last[3]:
                    last[2] += 1
                    continue
        out.append([instruction, lo, 1, 0, hi - lo])
    return out


def classify(repeats: list[tuple[int, int, int]], lines: int, line_bytes: int, pitch: int) -> str:
    """The walk kind of one operand's repeats [(instruction, lo, hi)] in issue order, for
    ``lines`` valid rows (columns, ColMajor) of ``line_bytes`` valid bytes ``pitch`` apart."""
    if not repeats:
        return OTHER
    spans = [(lo, hi) for _instruction, lo, hi in repeats]
    if all(lo == k * REPEAT_BYTES for k, (lo, _hi) in enumerate(spans)) and \
            all(hi - lo == REPEAT_BYTES for lo, hi in spans[:-1]) and 0 < spans[-1][1] - spans[-1][0] <= REPEAT_BYTES:
        return LINEAR
    chunks = [(c * REPEAT_BYTES, min(line_bytes, (c + 1) * REPEAT_BYTES))
              for c in range(-(-line_bytes // REPEAT_BYTES))]
    # (Rows of one chunk walk alike both ways: named row_by_row, as ptofix/pto/walks.py does.)
    by_rows = [(r * pitch + lo, r * pitch + hi) for r in range(lines) for lo, hi in chunks]
    if spans == by_rows:
        return ROW_BY_ROW
    by_chunks = [(r * pitch + lo, r * pitch + hi) for lo, hi in chunks for r in range(lines)]
    if spans == by_chunks:
        return COLUMN_CHUNKS
    return OTHER


def derive_case(case: dict, pipes: dict[str, int]) -> dict:
    """The facts of one recorded case."""
    size = record.ELEMENT_BYTES[case["dtype"]]
    operands = case["operands"]
    owners = []
    for operand in operands:
        owners.append((operand["addr"], operand["addr"] + record.OPERAND_SPACING, operand["role"]))
    state = {"count": False, "hi": (1 << 64) - 1, "lo": (1 << 64) - 1}
    instructions: list[list] = []
    undecoded: list[str] = []
    touched: dict[str, dict[str, list[tuple[int, int]]]] = {o["role"]: {"r": [], "w": []} for o in operands}
    touched["scratch"] = {"r": [], "w": []}
    outside: list[tuple[int, int]] = []
    walks: dict[str, list[tuple[int, int, int]]] = {o["role"]: [] for o in operands}
    barrier_positions: list[int] = []     # how many vector instructions precede each barrier
    count_uses = ends_in_count = False
    flags: list[list] = []
    element = 0         # the next instruction's element size, when the harness recorded it
    for _pto_name, calls in case["trace"]:
        for name, args in calls:
            if name == "set_vector_mask":
                state["hi"], state["lo"] = args[0], args[1]
            elif name == "set_mask_count":
                state["count"] = True
                count_uses = ends_in_count = True
            elif name == "set_mask_norm":
                state["count"] = False
                ends_in_count = False
            elif name == "pipe_barrier":
                if args and args[0] in (pipes["PIPE_V"], pipes["PIPE_ALL"]):
                    barrier_positions.append(len(instructions))
            elif name in ("set_flag", "wait_flag"):
                flags.append([name, len(instructions), *args])
            elif name == ELEMENT_RECORD:
                element = args[0]
            if name in CONTROL:
                continue
            index = len(instructions)
            accesses = decode(name, args, state, element or size)
            element = 0
            instructions.append([name, repeat_argument(name, args)])
            if accesses is None:
                undecoded.append(name)
                continue
            per_role_repeat: dict[str, dict[int, list[tuple[int, int]]]] = {}
            for kind, per_repeat in accesses:
                if kind == "w?":        # a destination whose bytes are not decoded
                    undecoded.append(f"{name}:dst")
                    continue
                for r, ranges in enumerate(per_repeat):
                    for lo, hi in ranges:
                        owner = next((o for o in owners if o[0] <= lo < o[1]), None)
                        if owner is not None:
                            touched[owner[2]][kind].append((lo - owner[0], hi - owner[0]))
                            per_role_repeat.setdefault(owner[2], {}).setdefault(r, []).append((lo - owner[0],
                                                                                               hi - owner[0]))
                        elif SCRATCH[0] <= lo < SCRATCH[1]:
                            touched["scratch"][kind].append((lo - SCRATCH[0], hi - SCRATCH[0]))
                        else:
                            outside.append((lo, hi))
            for role, by_repeat in per_role_repeat.items():
                for r in sorted(by_repeat):
                    merged = _merge(by_repeat[r])
                    if len(merged) == 1:
                        walks[role].append((index, merged[0][0], merged[0][1]))
                    else:   # a repeat that is not one contiguous range: no kind of ours
                        walks[role].append((index, -1, -1))
    total = len(instructions)
    barriers = {"leading": bool(barrier_positions) and barrier_positions[0] == 0 and total > 0,
                "between": sum(1 for p in barrier_positions if 0 < p < total),
                "trailing": bool(barrier_positions) and barrier_positions[-1] == total and total > 0}
    walk: dict[str, str] = {}
    for operand in operands:
        role = operand["role"]
        rows, cols, (valid_rows, valid_cols) = operand["rows"], operand["cols"], operand["valid"]
        osize = record.ELEMENT_BYTES[operand["dtype"]]
        if operand["layout"] == "ColMajor":
            rows, cols, valid_rows, valid_cols = cols, rows, valid_cols, valid_rows
        repeats = walks[role]
        if undecoded or any(lo < 0 for _i, lo, _hi in repeats):
            walk[role] = OTHER
        else:
            walk[role] = classify(repeats, valid_rows, valid_cols * osize, cols * osize)
    dst = operands[0]
    full = [o["role"] for o in operands if (o["rows"], o["cols"], o["valid"], o["dtype"], o["layout"]) ==
            (dst["rows"], dst["cols"], dst["valid"], dst["dtype"], dst["layout"])]
    kinds = {walk[role] for role in full}
    footprint = {role: {"read": _merge(t["r"]), "write": _merge(t["w"])} for role, t in touched.items()}
    return {"operand_bytes": {o["role"]: o["bytes"] for o in operands},
            "instructions": instructions, "walk": walk, "kind": kinds.pop() if len(kinds) == 1 else None,
            "repeats": {role: _segments(walks[role]) for role in walks},
            "footprint": footprint, "outside": _merge(outside), "undecoded": sorted(set(undecoded)),
            "barriers": barriers, "flags": flags,
            "count_mode": {"uses": count_uses, "ends_in": ends_in_count}}


POINT_FIELDS = ("op", "dtype", "layout", "valid_static", "rows", "cols", "valid_rows", "valid_cols", "call")


def _agree(values: list):
    first = values[0]
    return first if all(value == first for value in values) else None


def sources(checkout: Path, commit: str, ops: list[str]) -> dict:
    """The table's ``sources``: the headers of ``checkout`` each op's facts come from, with their
    SHA-256 (ptofix/pto/op_sources.py), for the ops of the table and of the effects table."""
    found = op_sources(checkout_reader(str(checkout)), sorted(set(ops) | set(OPS)))
    if found is None:
        raise SystemExit(f"{checkout}: no include/pto/pto-inst.hpp: not a pto-isa checkout")
    return recorded_sources(*found, commit)


def derive(trace: dict, commit: str) -> dict:
    """The table (schema: ptofix/pto/derived_facts.py) from a recorded trace."""
    pipes = trace["constants"]
    points: dict[str, dict] = {}
    classes: dict[str, dict[str, list[str]]] = {}
    for case in trace["cases"]:
        entry = {field: case[field] for field in POINT_FIELDS}
        if case.get("form"):
            entry["form"] = case["form"]
        if "compile_error" in case or "run_error" in case:
            entry["compile_error" if "compile_error" in case else "run_error"] = \
                case.get("compile_error", case.get("run_error"))
            points[case["id"]] = entry
            continue
        entry.update(derive_case(case, pipes))
        points[case["id"]] = entry
        key = type_class(case["dtype"], case["layout"], case["valid_static"], case["rows"], case["cols"],
                         case["valid_rows"], case["valid_cols"])
        if key is not None:
            key = with_form(key, case.get("form", ""))
            classes.setdefault(case["op"], {}).setdefault(key, []).append(case["id"])
    ops: dict[str, dict] = {}
    for op in sorted(classes):
        ops[op] = {}
        for key in sorted(classes[op]):
            ids = classes[op][key]
            members = [points[i] for i in ids]
            roles = sorted({role for m in members for role in m["walk"]})
            ops[op][key] = {
                "walk": {role: _agree([m["walk"].get(role) for m in members]) for role in roles},
                "kind": _agree([m["kind"] for m in members]),
                "barriers": _agree([m["barriers"] for m in members]),
                "count_mode": _agree([m["count_mode"] for m in members]),
                "scratch": _agree([bool(m["footprint"]["scratch"]["read"] or m["footprint"]["scratch"]["write"])
                                   for m in members]),
                "points": ids,
            }
    return {"schema": SCHEMA, "pto_isa": {"commit": commit, "arch": "a2a3", "npu_arch": "2201"},
            "generator": "scripts/derive_facts.py from scripts/trace_facts/record.py",
            "sources": sources(Path(trace["checkout"]), commit, list(ops)),
            "ops": ops, "points": dict(sorted(points.items(), key=lambda item: int(item[0])))}


def dumps(table: dict) -> str:
    """The table's text: one line per point and per class, so a difference reads line by line."""
    lines = ["{", f' "schema": {json.dumps(table["schema"])},', f' "pto_isa": {json.dumps(table["pto_isa"])},',
             f' "generator": {json.dumps(table["generator"])},']
    if "sources" in table:
        lines.append(f' "sources": {json.dumps(table["sources"], sort_keys=True)},')
    lines.append(' "ops": {')
    op_names = list(table["ops"])
    for i, op in enumerate(op_names):
        lines.append(f"  {json.dumps(op)}: {{")
        keys = list(table["ops"][op])
        for j, key in enumerate(keys):
            comma = "," if j + 1 < len(keys) else ""
            lines.append(f"   {json.dumps(key)}: {json.dumps(table['ops'][op][key], sort_keys=True)}{comma}")
        lines.append("  }" + ("," if i + 1 < len(op_names) else ""))
    lines.append(" },")
    lines.append(' "points": {')
    ids = list(table["points"])
    for i, point_id in enumerate(ids):
        comma = "," if i + 1 < len(ids) else ""
        lines.append(f"  {json.dumps(point_id)}: {json.dumps(table['points'][point_id], sort_keys=True)}{comma}")
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def checkout_commit(checkout: Path) -> str:
    """The pto-isa commit of a checkout: its git HEAD, else the folder's name (../shared/pto-isa/
    f35e7f60 holds include/ and LICENSE only, named by its commit)."""
    try:
        result = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short=8", "HEAD"],
                                capture_output=True, text=True, check=True)
        if (checkout / ".git").exists():
            return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return checkout.resolve().name


def write_table(out: Path, text: str) -> None:
    """The table's text to ``out``; for the shipped table, its index beside it (INDEX_PATH: where
    a run finds its parts, ptofix/pto/derived_facts.py table_index)."""
    out.write_text(text)
    if os.path.realpath(out) == os.path.realpath(TABLE_PATH):
        Path(INDEX_PATH).write_text(json.dumps(table_index(TABLE_PATH)) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pto-isa", type=Path, help="a pto-isa checkout to record from")
    parser.add_argument("--trace", type=Path, help="a trace recorded by scripts/trace_facts/record.py")
    parser.add_argument("--out", type=Path, default=Path(TABLE_PATH))
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ptofix-trace")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--commit", help="the commit to stamp (default: from the checkout)")
    parser.add_argument("--sources-only", action="store_true",
                        help="keep --out's facts and record only the headers they come from (their SHA-256), "
                             "from --pto-isa, which must be the checkout the facts were recorded from")
    args = parser.parse_args(argv)
    if args.sources_only:
        if not args.pto_isa:
            parser.error("--sources-only needs --pto-isa")
        table = DerivedFacts.load(str(args.out)).table
        commit = args.commit or table["pto_isa"]["commit"]
        if commit != table["pto_isa"]["commit"]:
            parser.error(f"{args.out} was recorded from pto-isa {table['pto_isa']['commit']}, not {commit}")
        table = {key: value for key, value in table.items() if key not in ("ops", "points", "sources")} | {
            "sources": sources(args.pto_isa, commit, list(table["ops"])), "ops": table["ops"],
            "points": table["points"]}
        text = dumps(table)
        if args.check:
            return 0 if args.out.read_text() == text else 1
        write_table(args.out, text)
        return 0
    if args.trace:
        trace = json.loads(args.trace.read_text())
        checkout = Path(trace["checkout"])
    elif args.pto_isa:
        checkout = args.pto_isa
        trace = record.record(args.pto_isa.resolve(), args.cache, args.jobs, os.environ.get("CXX", "g++"))
        print(json.dumps(trace["stats"]), file=sys.stderr)
    else:
        parser.error("give --pto-isa or --trace")
    text = dumps(derive(trace, args.commit or checkout_commit(checkout)))
    if args.check:
        old = args.out.read_text() if args.out.exists() else ""
        if old != text:
            old_lines, new_lines = old.splitlines(), text.splitlines()
            changed = [line for line in new_lines if line not in set(old_lines)]
            print(f"{args.out}: differs from the trace: {len(changed)} line(s), e.g.", file=sys.stderr)
            for line in changed[:5]:
                print("  " + line[:300], file=sys.stderr)
            return 1
        return 0
    write_table(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
