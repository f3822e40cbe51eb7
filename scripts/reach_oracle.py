"""An independent, conservative oracle of redundant `pipe_barrier(PIPE_V);`, and the reach of
`run --pattern auto` measured against it over a set of kernels (issue 57).

Re-measure (one command; the sets are laid out under /tmp/reach_eval2 by --fetch-list):

    .venv/bin/python scripts/reach_oracle.py /tmp/reach_eval2/list.tsv \
        --pto-isa /work/shared/pto-isa/f35e7f60 --cache /tmp/reach_eval2/cache --jobs 2 --unproven
    python scripts/reach_oracle.py scripts/reach_eval_sets.tsv --fetch-list /tmp/reach_eval2   # lay out

LIST.tsv: one kernel a line, `path<TAB>-I dir<TAB>-I dir...` relative to the list's directory, or
the manifest scripts/reach_eval_sets.tsv (set, repository, commit, path, include directories)
read from checkouts under --root as SET/REPO_NAME/. `--ptofix REPO` measures that checkout's
ptofix; `--cache DIR` keeps its reports keyed by the file, -I, --pto-isa and a digest of its
code. Prints per set (the first path component): barriers, those the oracle proves removable,
those `run --pattern auto` removes, those it removes that the oracle also proves, the kept
reasons counted, and each removal beyond the oracle with ptofix's reason and the oracle's cause.

The oracle imports none of ptofix and reads pto-isa's recorded cost-model trace only as data
(ptofix/pto/derived_facts.json "points"). A barrier B is removable when, in B's function, the ops
from B back to the nearest drain and from B on to the nearest drain are all known and no op before B
writes bytes an op after reads or writes, nor reads bytes it writes (each tile operand its whole
static R x C x sizeof(T) extent at its one constant TASSIGN address), or when one side holds no
vector op. Constants: a scalar defined once and never written again (`constexpr`, `const` or plain),
literals, casts, `sizeof` of an element type, + - * / % with C++'s integer arithmetic (/ and % over
non-negative operands only); a name a function's head or any `template <...>` declares is no
constant; tile shapes in a `Tile<...>` or a tile alias (the function's own first) take these values;
a loop counter is never one. An op operand that is not a tile the oracle reads is a scalar only when
declared with a scalar type, else the op is unknown. Drains: pipe_barrier(PIPE_V/PIPE_ALL); ptoas's
kBarrierAll tail; a `__global__` kernel's start or end; an op every trace point of which ends with
its own barrier (TCOLMAX, TCOLMIN; valid shape known and not empty); a float/half TROWSUM/MAX/MIN
whose source's possible valid columns (the static ones, or any up to the static Cols for a run-time
shape) avoid (E, 2E), or whose source and tmp rows are at least 8 blocks, or that takes
TryOptimizeFP32Reduce (TRowReduceOps.hpp); a TSORT32 whose dst has a known valid row (TSort32.hpp); a row
expansion's barrier after its vbrcb (TRowExpandBinOp.hpp). Leaving B's `#if` group keeps a window;
another directive, an unknown call or an unlisted op leaves B unproven. Blocks: every path is walked
and the windows are the union of its ops: both arms of an `if`/`else`/`else if` (`if constexpr` too;
no `else`: the fall-through), a `for` loop entered or skipped, and at the end (start) of its body the
next (previous) iteration once a path; a path back to B itself or round a loop twice, a `while`,
`do`, `switch`, unbraced arm, `return`/`break`/`continue`/`goto` leaves B unproven; a non-`__global__`
function's start or end too. A tile's address: every TASSIGN or TRESHAPE (which aliases dst onto src's
bytes and issues no vector instruction, TReshape.hpp) gives one and the same constant, one of them in
the declaration's own block before the op. A function template a source file (not a header) defines
once, with integer parameters only, every other mention of whose name is a call `f<c, ...>(` with
constant arguments, is judged per instantiation: a barrier counts only if removable in each. A call
`h();` to a helper defined once, here or in a directly included header, with no parameters and a body
of set_flag/wait_flag between pipes other than PIPE_V and preprocessor lines, is inert. The hidden scratch
(184..192 KiB) is written by tmp-less row expansions and TCVT. A memory move after B that no V ->
MTE flag orders counts as an access; a scalar access of UB (a `__ubuf__` pointer) leaves B unproven.
Same-access chains (off with --strict): a single-cycle producer's result read by the consumer over
the identical bytes of full-valid RowMajor tiles of one element size, at least 16 repeats of 256
bytes, where the trace walks both in address order for that class of tile (256-byte repeats for the
producer), or both alike repeat for repeat; element-wise ops over tiles all of whose valid part is
the same first r rows in full (a constant run-time shape (r, Cols)) count as full r-row tiles
(TBinOp.hpp's continuous branch). Column-chunk chains: a TADDS/TSUBS/TMULS/TMAXS/TMINS/TNEG (TBinSOp.hpp)
of a run-time ValidCol, or a TROWEXPANDSUB/MUL/ADD body on the vbrcb path (TRowExpandBinOp.hpp),
producing what such an op consumes, both walking the shared bytes one instruction per 256-byte column
chunk, validRow repeats each, the same repeats in the same order (known valid shape, no tail chunk,
at least 16 repeats; the model checked against every trace point it covers). What the file may
change where the oracle does not look is unknown: a tile named anywhere but its declaration, a whole
argument of a pto op or a read of its value or valid shape (bound to a reference or pointer,
assigned, copied, returned); a constant a macro of the file or of a header it reaches through
`#include "..."` (or `<...>` found in a -I directory) redefines, a file-scope variable that is not
const, a name a reference binds; a statement in a window that spells a class, struct or union the
file or such a header declares (or an alias, typedef or macro of one), a variable of such a type, or
declares a variable by value of a type that is not a scalar, `auto` or pto object (its constructor, destructor or
operator may issue vector work; pto's Tile, GlobalTensor, Shape and Stride are read as objects); a
call of an op the file or its own headers define a function or macro of (a shadow); every tile when
they define their own `Tile`; an alias a class body declares or one named like a template
parameter. A file-scope struct or class is read so, function by function: a function that spells
none of it is judged as any other, and a member function's result (`stack.Push(n)`) is no constant.
Kernels that include
a CANN SDK header (kernel_operator.h, acl/...) are counted apart ("needs the CANN SDK"). Each
barrier is judged with every other in place (an upper bound of what removals together reach).
"""
from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DTYPE_BYTES = {"float": 4, "float32_t": 4, "half": 2, "float16_t": 2, "bfloat16_t": 2, "int32_t": 4, "uint32_t": 4,
               "int16_t": 2, "uint16_t": 2, "int8_t": 1, "uint8_t": 1, "int64_t": 8, "uint64_t": 8}
# The names the trace grid (ptofix/pto/derived_facts.json, read as data) spells each type with.
TRACE_DTYPE = {"float": "float", "float32_t": "float", "half": "half", "float16_t": "half", "bfloat16_t": "bfloat16_t",
               "int32_t": "int32_t", "int16_t": "int16_t"}
# Element-wise ops: the first operand written, the others read.
ELEMENTWISE = frozenset("""TADD TSUB TMUL TDIV TMAX TMIN TADDS TSUBS TMULS TDIVS TMAXS TMINS TEXP TLOG TSQRT
TRSQRT TABS TNEG TRELU TRECIP TNOT TAND TOR TXOR TMOV TCVT TEXPANDS TLRELU TPRELU TFILLPAD""".split())
# Reductions and expansions: every operand taken as written (their tmp operands).
REDUCTIONS = frozenset("""TROWSUM TROWMAX TROWMIN TCOLSUM TCOLMAX TCOLMIN TROWEXPAND TCOLEXPAND TROWEXPANDSUB
TROWEXPANDMUL TROWEXPANDDIV TROWEXPANDADD TROWEXPANDMAX TROWEXPANDMIN TCOLEXPANDMUL TCOLEXPANDDIV TCOLEXPANDADD
TCOLEXPANDSUB TCOLEXPANDMAX TCOLEXPANDMIN""".split())
# pto-isa's hidden scratch: `TMP_UB_OFFSET = 184 * 1024` (include/pto/common/constants.hpp), 8 KiB up to
# the end of the 192 KiB UB. At 3186c381 and f35e7f60 only a2a3 TRowExpandBinOp.hpp (the row
# expansions without a tmp), TCvt.hpp (older overloads, per its comments) and TExtract.hpp name it;
# the oracle takes those ops, without a tmp operand, to write all of it.
SCRATCH = (184 * 1024, 192 * 1024)
# (op -> the tile operands of its form with a tmp: a call with fewer has none.)
SCRATCH_WITHOUT_TMP = {"TROWEXPANDSUB": 4, "TROWEXPANDMUL": 4, "TROWEXPANDDIV": 4, "TROWEXPANDADD": 4,
                       "TROWEXPANDMAX": 4, "TROWEXPANDMIN": 4, "TCVT": 3}
# Producers of a same-access chain: one single-cycle vector instruction per repeat (no vdiv, vln,
# vsqrt, vrec, no vaxpy/vmla pair: PTOAS PR 674 keeps those; TEXP: pto-isa's own FA softmax chains it).
SINGLE_CYCLE = frozenset("""TADD TSUB TMUL TMAX TMIN TAND TOR TADDS TSUBS TMULS TMAXS TMINS TNEG TABS TRELU TNOT
TEXP""".split())
# Statements with no PIPE_V work of their own (memory moves are other pipes', ordered by flags).
# TRESHAPE: an address taken (TASSIGN_IMPL) on PIPE_S, no vector instruction (pto-isa a2a3 TReshape.hpp,
# common/event.hpp `PTO_DEFINE_OP_PIPE(Op::TRESHAPE, PIPE_S)`, f35e7f60).
INERT_CALLS = frozenset("TASSIGN TRESHAPE TLOAD TSTORE set_flag wait_flag".split())
CONTROL = re.compile(r"\b(?:if|else|for|while|do|switch|case|default|goto|return|break|continue)\b")
BARRIER = re.compile(r"pipe_barrier\s*\(\s*PIPE_(V|ALL)\s*\)\s*;")
# Another pipe's barrier: it orders that pipe's work only (no PIPE_V work, no drain of it).
OTHER_BARRIER = re.compile(r"pipe_barrier\s*\(\s*PIPE_(?:MTE[123]|S|M|FIX)\s*\)")
TILE_TYPE = re.compile(r"Tile\s*<\s*TileType::Vec\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*(\d+)\s*"
                       r"(?:,\s*BLayout::(\w+)\s*(?:,\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*SLayout::(\w+)\s*)?)?)?[,>]")
OP_CALL = re.compile(r"^\s*(?:pto::)?([A-Z][A-Z0-9_]*|set_flag|wait_flag)\s*(?:<[^;{}]*>)?\s*\((.*)\)\s*$", re.S)
CALLEE = re.compile(r"(\w+)\s*(?:<[^;{}()]*>)?\s*\(")
SCALAR_CALLEES = frozenset("""Tile GlobalTensor Shape Stride static_cast reinterpret_cast get_block_idx get_block_num
get_subblockid sizeof data SetValidShape PTOAS__GLOBAL_TENSOR_DATA""".split())
INTEGER = re.compile(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*")
# ptoas's kernel tail: `ptoas_auto_sync_tail(PTOAutoSyncTailMode::kBarrierAll)` (or no argument,
# the default) is a pipe_barrier(PIPE_ALL) when the file defines it so.
AUTO_SYNC_TAIL = re.compile(r"ptoas_auto_sync_tail\s*\(\s*(?:PTOAutoSyncTailMode::kBarrierAll\s*)?\)")
AUTO_SYNC_TAIL_DEFINITION = re.compile(
    r"ptoas_auto_sync_tail\s*\([^)]*=\s*PTOAutoSyncTailMode::kBarrierAll\s*\)\s*\{\s*switch\s*\(\s*mode\s*\)\s*\{"
    r"[^{}]*?case\s+PTOAutoSyncTailMode::kBarrierAll\s*:\s*default\s*:\s*pipe_barrier\s*\(\s*PIPE_ALL\s*\)\s*;"
    r"\s*break\s*;\s*\}\s*\}", re.S)
TRACE_FACTS = os.path.join(ROOT, "ptofix", "pto", "derived_facts.json")


def _walk_order(point: dict) -> str | None:
    """How the point's op walks each operand, from the recorded repeats ([instruction, first byte,
    repeats, repeat stride, bytes a repeat]): "256" when every operand is walked in address order,
    each repeat starting where the one before ended, each 256 bytes but the last; "ordered" when in
    address order and contiguous with repeats of at most 256 bytes; None otherwise."""
    kinds = set()
    for records in point.get("repeats", {}).values():
        ranges = [(lo + j * stride, lo + j * stride + size) for _, lo, count, stride, size in records
                  for j in range(count)]
        if not ranges or ranges[0][0] != 0:
            return None
        if any(b[0] != a[1] for a, b in zip(ranges, ranges[1:], strict=False)) \
                or any(hi - lo > 256 for lo, hi in ranges):
            return None
        kinds.add("256" if all(hi - lo == 256 for lo, hi in ranges[:-1]) else "ordered")
    if not kinds:
        return None
    return "ordered" if "ordered" in kinds else "256"


def _walk_class(dtype: str, static_valid: bool, rows: int, row_bytes: int) -> tuple:
    """The class of tile a grid point stands for: element type, valid shape static in the type,
    one row, rows narrower than, exactly, or wider than one 256-byte repeat."""
    return (dtype, static_valid, rows == 1, "<256" if row_bytes < 256 else "=256" if row_bytes == 256 else ">256")


def trace_tables(path: str = TRACE_FACTS) -> tuple[frozenset[str], dict[tuple, dict[str, str]]]:
    """Two tables read from the raw points of pto-isa's recorded cost-model trace (the JSON's
    "points" records, as data; none of ptofix's code): the ops every recorded point of which
    compiled and ends with an internal pipe_barrier(PIPE_V) after its last vector instruction, and,
    per class of tile (_walk_class), the ops every RowMajor full-valid point of which walks every
    operand in address order
    ("256": whole 256-byte repeats; "ordered": repeats of at most 256 bytes; _walk_order)."""
    try:
        with open(path, encoding="utf-8") as handle:
            points = json.load(handle)["points"].values()
    except (OSError, ValueError, KeyError):
        print(f"warning: {path} not read: no internal drain and no same-access chain is credited", file=sys.stderr)
        return frozenset(), {}
    by_op: dict[str, list[dict]] = {}
    for point in points:
        by_op.setdefault(point["op"], []).append(point)
    drains = frozenset(op for op, ps in by_op.items()
                       if all("barriers" in p and not p.get("compile_error") and not p.get("run_error")
                              and p["barriers"].get("trailing") is True and not p.get("undecoded") for p in ps))
    walks: dict[tuple, dict[str, str]] = {}
    refused: set[tuple] = set()
    signatures: dict[tuple, dict[str, dict[tuple, str]]] = {}
    for op, ps in by_op.items():
        for p in ps:
            if "walk" not in p or p.get("layout") != "RowMajor" or p.get("form") \
                    or p["valid_rows"] != p["rows"] or p["valid_cols"] != p["cols"]:
                continue
            size = DTYPE_BYTES.get(p["dtype"], 0)
            key = _walk_class(p["dtype"], bool(p["valid_static"]), p["rows"], p["cols"] * size)
            order = None if p.get("compile_error") or p.get("run_error") or p.get("undecoded") else _walk_order(p)
            records = {json.dumps(r) for r in p.get("repeats", {}).values()}
            shape = (p["rows"], p["cols"], p["valid_static"])
            signatures.setdefault(key, {}).setdefault(op, {})[shape] = \
                records.pop() if len(records) == 1 and not p.get("compile_error") \
                and not p.get("run_error") and not p.get("undecoded") else "?"
            if order is None:
                refused.add((key, op))
            elif walks.setdefault(key, {}).get(op) != "ordered":
                walks[key][op] = order
    tables = {key: {op: order for op, order in ops.items() if (key, op) not in refused} for key, ops in walks.items()}
    SAME_WALK.update({key: {op: tuple(sorted(shapes.items())) for op, shapes in ops.items()
                            if "?" not in shapes.values()} for key, ops in signatures.items()})
    return drains, tables


# Per tile class, the ops that walk every operand of every grid shape of the class with one and the
# same repeat sequence, as the recorded repeats (not in address order): two ops whose sequences
# coincide shape by shape walk a tile of the class alike (both TBinSOp column chunks, say).
SAME_WALK: dict[tuple, dict[str, tuple]] = {}
DRAIN_AFTER, WALK_ORDER = trace_tables()


def masked(text: str) -> str:
    """``text`` with comments and string literals blanked (offsets kept)."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())
    return re.sub(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", blank, text, flags=re.S)


def split_arguments(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def functions(code: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level-ish function body `{...}` after a `)`."""
    bodies = []
    i = 0
    while True:
        match = re.compile(r"\)\s*(?:const\s*)?(?:noexcept\s*)?\{").search(code, i)
        if match is None:
            return bodies
        open_at = match.end() - 1
        depth, j = 0, open_at
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        head = code[max(0, match.start() - 200):match.start()]
        if not re.search(r"\b(?:if|for|while|switch)\s*\([^;{}]*$", head):
            bodies.append((open_at, j))
            i = j + 1
        else:
            i = match.end()


def statements(code: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, kind) pieces of a body: 'stmt' up to a ';' at bracket depth 0, '{', '}', '#'."""
    out = []
    i, piece = start + 1, start + 1
    depth = 0
    while i < end:
        ch = code[i]
        if ch == "#" and code[:i].rstrip(" \t").endswith("\n"):
            line_end = code.find("\n", i)
            out.append((i, line_end, "#"))
            i = piece = line_end
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in "{}":
            if code[piece:i].strip():
                out.append((piece, i, "stmt?"))      # a head (`for (...)`) or an initializer
            out.append((i, i + 1, ch))
            piece = i + 1
        elif depth == 0 and ch == ";":
            out.append((piece, i + 1, "stmt"))
            piece = i + 1
        i += 1
    return out


ALIAS = re.compile(r"using\s+(\w+)\s*=\s*(Tile\s*<[^;]*>)\s*;")


def _constant_dims(spelled: str, scalars: dict[str, str]) -> str:
    """A `Tile<...>` spelling with each argument that is a constant integer expression (a named
    constexpr, `sizeof`, arithmetic) replaced by its value; other arguments as they are."""
    opened = re.match(r"Tile\s*<(.*)>\s*$", spelled, re.S)
    if opened is None:
        return spelled
    args = split_arguments(opened.group(1))
    resolved = []
    for arg in args:
        value = None if "::" in arg or arg in DTYPE_BYTES or re.fullmatch(r"-?\d+", arg) else _value(arg, scalars, 0)
        resolved.append(str(value) if value is not None else arg)
    return "Tile<" + ", ".join(resolved) + ">"


class TileInfo:
    """One `Tile<TileType::Vec, ...>` of a function: its bytes, and what a same-access chain needs
    (element size, layout, whether every element is valid: static in the type, or a run-time
    shape constructed from constants equal to the static one and never changed)."""

    def __init__(self, dtype: str, rows: int, cols: int, address: int, full: bool, static_valid: bool,
                 layout: str = "RowMajor", valid: tuple[int, int] = (-1, -1)) -> None:
        self.dtype, self.rows, self.cols, self.layout, self.valid = dtype, rows, cols, layout, valid
        self.size = DTYPE_BYTES[dtype]
        self.span = (address, address + rows * cols * self.size)
        self.full, self.static_valid = full, static_valid
        self.ctor_full, self.name, self.declared_at, self.assigned_at = False, "", -1, -1
        # (The valid rows of a RowMajor tile whose valid part is its first rows, every column: the
        # static rows when full; from a run-time shape constructed from constants (r, Cols) and
        # never changed; 0 otherwise.)
        self.prefix_rows = rows if self.full else 0
        # (The valid shape at every op: the static one in the type, or a run-time one constructed
        # from constants and never changed; None when not known. And the type as spelled.)
        self.shape: tuple[int, int] | None = valid if -1 not in valid else None
        self.slayout, self.type_text = "NoneBox", ""


def oracle(path: str, chains: bool = True, why: dict[int, str] | None = None,
           includes: list[str] | tuple[str, ...] = ()) -> dict[int, bool]:
    """line of each `pipe_barrier(PIPE_V);` -> whether the oracle proves it removable (``why``: each
    unproven one's cause, filled when given). ``includes``: the -I directories a `#include "..."`
    of the file is looked up in (after the file's own directory), for helpers' bodies."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    code = masked(text)
    # (Aliases at file scope, each defined once; a function's own override them in it: _tiles.)
    spelled = Counter(m.group(1) for m in ALIAS.finditer(code))
    aliases = {m.group(1): m.group(2) for m in ALIAS.finditer(code) if spelled[m.group(1)] == 1}
    tail_drains = AUTO_SYNC_TAIL_DEFINITION.search(code) is not None
    # (An alias a class body declares names a member only its member functions see; one named like
    # a template parameter may be that parameter where it is spelled: neither is read as the file's.)
    in_classes = class_bodies(code)
    parameters = {name for params in re.findall(r"\btemplate\s*<([^{};]*?)>", code)
                  for name in re.findall(r"\b[A-Za-z_]\w*\b", params)}
    for m in ALIAS.finditer(code):
        if m.group(1) in parameters or any(open_at < m.start() < close for open_at, close in in_classes):
            aliases.pop(m.group(1), None)
    result: dict[int, bool] = {}
    TEMPLATE_PARAMETERS.clear()
    TEMPLATE_PARAMETERS[id(code)] = {name for params in re.findall(r"\btemplate\s*<([^{};]*?)>\s*(?:struct|class|"
                                                                   r"\w+\s)", code)
                                     for name in re.findall(r"\b[A-Za-z_]\w*\b", params)}
    bodies = functions(code)
    # (File-scope text: every function body blanked; a function sees it and its own body.)
    file_scope = code
    for start, end in bodies:
        file_scope = file_scope[:start] + re.sub(r"[^\n]", " ", file_scope[start:end + 1]) + file_scope[end + 1:]
    FILE_SCOPE[:] = [file_scope]
    helpers = inert_helpers(path, text, includes)
    instances = template_instances(path, code, bodies, file_scope, includes)
    reached = _reachable_headers(path, text, includes)
    seen_texts = [code, *(t for where, t in reached if not PTO_HEADER.search(where))]
    all_texts = [code, *(t for _, t in reached)]
    macros = {m for t in all_texts for m in re.findall(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", t, re.M)}
    # (The file, or a header it reads, defines its own `Tile` (an alias template, say): a
    # `Tile<...>` spelled here is not read as pto's. A function or macro it defines with a pto op's
    # name shadows the op: the op is not known.)
    own_tile = any(re.search(r"\b(?:using|struct|class|union|define)\s+Tile\b|\btypedef\b[^;]*\bTile\s*;", t)
                   for t in seen_texts)
    shadowed = frozenset(name for t in seen_texts for name in re.findall(
        r"\b([A-Z][A-Z0-9_]*)\s*(?:<[^;{}()]*>)?\s*\([^;{}]*\)\s*(?:const\s*)?(?:noexcept\s*)?\{", t)) \
        | frozenset(name for t in seen_texts for name in re.findall(r"^[ \t]*#[ \t]*define[ \t]+([A-Z][A-Z0-9_]*)\b",
                                                                   t, re.M))
    classy = class_names(all_texts, seen_texts)
    # (Count mode: the file or a header it reads, pto's own aside (its ops set and leave count mode
    # inside themselves), naming `set_mask_count`, `set_ctrl` or inline asm may leave the vector
    # unit in count mode, where an element-wise op walks as many elements as the mask register
    # says: no op's bytes are known then, and only an empty side (a drain) proves a barrier.)
    count_mode = any(COUNT_MODE_WORDS.search(t) for t in seen_texts)
    for start, end in bodies:
        body = code[start:end]
        base = _constants(file_scope + body)
        # (Not a constant: a name a macro of the file or a header it reads defines (the macro
        # wins), a file-scope variable that is not const (any function, a header's too, may write
        # it), a name a reference binds (written through it where the oracle does not look).)
        for name in list(base):
            if name in macros or re.search(r"(?<!const )(?<!constexpr )\b" + SCALAR_TYPES + r"\s+" + name
                                           + r"\s*=", file_scope) and not re.search(
                    r"\bconst(?:expr)?\s+(?:\w+\s+)*?" + SCALAR_TYPES + r"\s+" + name + r"\s*=", file_scope) \
                    or re.search(r"&\s*\w+\s*(?:=|\{|\()\s*" + name + r"\b", file_scope + body):
                base.pop(name)
        # (A name the function's head declares, a parameter or a template parameter, hides any
        # constant of that name: it is not one; an instantiation binds its template parameters.)
        head = code[:start]
        head = head[max(head.rfind(";"), head.rfind("}")) + 1:]
        for hidden in set(re.findall(r"\b[A-Za-z_]\w*\b", head)) | TEMPLATE_PARAMETERS.get(id(code), set()):
            base.pop(hidden, None)
        passed = _passed_to_calls(body, {m.group(1) for m in ALIAS.finditer(code)})
        for name in passed:
            base.pop(name, None)
        pieces = statements(code, start, end)
        tree, leaves = body_tree(code, pieces)
        entry = "__global__" in code[max(0, start - 600):start].rsplit(";", 1)[-1].rsplit("}", 1)[-1]
        verdicts: dict[int, bool] = {}
        for bindings in instances.get(start, [{}]):
            tiles = _tiles(body, aliases, {**base, **bindings}, start)
            if own_tile or shadowed & {"TASSIGN", "TRESHAPE"}:
                tiles = {name: None for name in tiles}
            _escaped_tiles(body, tiles)
            # (A name passed to a function that is not a pto op may be written or rebound through
            # a reference: its tile is not known.)
            for name in passed:
                if name in tiles:
                    tiles[name] = None
            walk = Walk(code, pieces, tiles, entry, tail_drains, helpers)
            walk.shadowed = shadowed
            walk.classy = classy | class_variables(file_scope + body, classy)
            for leaf in leaves.values():
                assert leaf.piece is not None
                p_start, p_end, kind = leaf.piece
                found = BARRIER.search(code, p_start, p_end) if kind == "stmt" else None
                if found is None or found.group(1) != "V" or code[p_start:p_end].strip() != found.group().strip():
                    continue
                line = text.count("\n", 0, found.start()) + 1
                LAST_UNDECIDED.clear()
                before = _window(walk, leaf, -1)
                why_before = LAST_UNDECIDED[:]
                after = _window(walk, leaf, 1)
                # (No PIPE_V work on one side up to its drain: nothing B orders, whatever the other.)
                removable = before == [] or after == [] \
                    or (not count_mode and before is not None and after is not None
                        and _disjoint(before, after, chains))
                # (A template's barrier: removable in every instantiation the file makes.)
                verdicts[line] = verdicts.get(line, True) and removable
                if why is not None and not removable and line not in why:
                    where = f" (in {bindings})" if bindings else ""
                    if count_mode and before is not None and after is not None:
                        why[line] = "count mode: the file or a header it reads may set it" + where
                    elif before is None or after is None:
                        why[line] = "undecided " + ("before: " + why_before[0] if before is None
                                                    else "after: " + LAST_UNDECIDED[-1]) + where
                    else:
                        why[line] = ("hazard: " + HAZARD[0] if HAZARD else "hazard") + where
        result.update(verdicts)
    return result


# (What may switch the vector unit to count mode outside a pto op: CTRL bit 56, set by
# `set_mask_count()` or by writing CTRL (`set_ctrl`), or by inline assembly.)
COUNT_MODE_WORDS = re.compile(r"\b(?:set_mask_count|set_ctrl|asm|__asm__|__asm)\b")

# (A header of pto-isa itself: it defines the pto ops and `Tile`, which the oracle reads as pto's.)
PTO_HEADER = re.compile(r"(?:^|/)include/pto/")


def _reachable_headers(path: str, text: str, includes: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, masked text) of every header ``text`` reaches through `#include "..."` found beside
    the including file or in ``includes``, or `#include <...>` found in ``includes`` (transitively,
    each once)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    todo = [(path, text)]
    while todo and len(seen) < 2000:
        at, raw = todo.pop()
        for line in re.finditer(r"^[ \t]*#[ \t]*include\b", masked(raw), re.M):
            named = re.compile(r'[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)').match(raw, line.end())
            if named is None:
                continue
            # (`<...>` is looked up in the -I directories only, `"..."` beside the includer first.)
            quoted = named.group(1) is not None
            for directory in [os.path.dirname(os.path.abspath(at))] * quoted + list(includes):
                candidate = os.path.realpath(os.path.join(directory, named.group(1) or named.group(2)))
                if os.path.isfile(candidate):
                    if candidate not in seen:
                        seen.add(candidate)
                        with open(candidate, encoding="utf-8", errors="replace") as handle:
                            header = handle.read()
                        out.append((candidate, masked(header)))
                        todo.append((candidate, header))
                    break
    return out


def class_bodies(code: str) -> list[tuple[int, int]]:
    """(open, close) brace offsets of each struct, class or union body the code defines."""
    out = []
    for m in re.finditer(r"(?<!enum )\b(?:struct|class|union)\s+\w+[^;{}()]*\{", code):
        if re.search(r"[<,]\s*$", code[:m.start()]):
            continue        # (a template's type parameter)
        depth, j = 0, m.end() - 1
        while j < len(code):
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            if depth == 0:
                break
            j += 1
        out.append((m.end() - 1, j))
    return out


PTO_OBJECT_TYPES = frozenset({"Tile", "GlobalTensor", "Shape", "Stride"})


def class_names(texts: list[str], alias_texts: list[str] | None = None) -> frozenset[str]:
    """Every name the texts declare a class, struct or union (an `enum class` is none), and every
    alias, typedef or macro whose definition spells one: a variable of such a type may run its
    constructor, destructor or an operator (vector work the oracle does not read) where a plain
    statement stands."""
    # (A definition or declaration: the name followed by a body, a base clause or `;`; a template's
    # type parameter `class T` is followed by `,`, `>` or `=`.)
    names = {m.group(1) for t in texts for m in re.finditer(
        r"(?<!enum )\b(?:struct|class|union)\s+(?:alignas\s*\([^()]*\)\s*)?(\w+)\s*(?:final\s*)?(?:\{|:(?!:)|;)", t)}
    # (pto's tile, tensor, shape and stride types: constructed from scalars, no vector work
    # (pto-isa include/pto/common/pto_tile.hpp, global_tensor.hpp); read as objects.)
    names -= PTO_OBJECT_TYPES
    # (Aliases, typedefs and macros: those of ``alias_texts`` (all when None); pto's own are
    # scoped in its templates and name no class a kernel's statement spells by them.)
    alias_texts = texts if alias_texts is None else alias_texts
    definitions = [(m.group(1), m.group(2)) for t in alias_texts
                   for m in re.finditer(r"\busing\s+(\w+)\s*=([^;]*);", t)]
    definitions += [(m.group(2), m.group(1)) for t in alias_texts
                    for m in re.finditer(r"\btypedef\b([^;]*?)(\w+)\s*;", t)]
    definitions += [(m.group(1), m.group(2)) for t in alias_texts
                    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(?![(\w])([^\n]*)", t, re.M)]
    changed = True
    while changed:
        changed = False
        for name, spelled in definitions:
            if name not in names and names & set(re.findall(r"\w+", spelled)):
                names.add(name)
                changed = True
    return frozenset(names)


def class_variables(code: str, classy: frozenset[str]) -> frozenset[str]:
    """Names ``code`` declares with a type that spells a class name (``classy``)."""
    if not classy:
        return frozenset()
    types = "|".join(sorted(classy))
    return frozenset(m.group(1) for m in re.finditer(
        r"\b(?:" + types + r")\b(?:\s*<[^;{}()]*>)?[\s*&]*(?:const\s+)?(\w+)\s*(?:;|=|\(|\{|\[|,|\))", code))


def _escaped_tiles(body: str, tiles: dict[str, TileInfo | None]) -> None:
    """Make unknown each tile of ``body`` named anywhere but its declaration, a whole argument of a
    pto op call (an all-capitals callee: TASSIGN, TADD, ...) or a read of its value or valid shape
    (`.GetValue(`, `.SetValue(`, `.GetValidRow(`, `.GetValidCol(`, `.SetValidShape(`): bound to a
    reference or pointer, assigned (`b = make();`), copied or returned, it may be rebound or written
    where the oracle does not look."""
    for name, tile in list(tiles.items()):
        if tile is None:
            continue
        for m in re.finditer(r"(?<![\w.>:])" + re.escape(name) + r"\b", body):
            before, after = body[:m.start()], body[m.end():]
            if re.match(r"\s*\.\s*(?:GetValue|SetValue|GetValidRow|GetValidCol|SetValidShape)\s*\(", after):
                continue
            if re.match(r"\s*(?:,|\))", after) and re.search(r"(?:\(|,)\s*$", before):
                depth, i = 0, len(before) - 1
                while i >= 0 and not (before[i] == "(" and depth == 0):
                    depth += {")": 1, "(": -1}.get(before[i], 0)
                    if before[i] in ";{}":
                        break
                    i -= 1
                if i >= 0 and before[i] == "(" and re.search(
                        r"(?<![\w.>:])(?:pto::)?[A-Z][A-Z0-9_]*\s*(?:<[^;{}()]*>)?\s*$", before[:i]):
                    continue
            if re.match(r"\s*(?:;|\(|\{|=(?!=)|,)", after) and re.search(r"(?:>|\b[A-Za-z_]\w*)\s+$", before) \
                    and not re.search(r"\b(?:return|case|goto|else|do|throw|co_return)\s+$", before):
                continue        # (its declaration)
            if re.match(r"\s*(?:;|,)", after) and re.search(r"\w\s*,\s*$", before) and \
                    re.search(r"(?:Tile\s*<[^;{}]*?>|\b\w+\b)\s+\w+(?:\s*,\s*\w+)*\s*,\s*$",
                              before[before.rfind(";") + 1:]):
                continue        # (one of several declarators `T a, b;`)
            tiles[name] = None
            break


def _passed_to_calls(body: str, tile_types: set[str]) -> set[str]:
    """Every name spelled in the arguments of a call in ``body`` to a function that is not a pto
    op (all capitals), a flag, a barrier or a known scalar callee."""
    passed: set[str] = set()
    for call in re.finditer(r"\b(\w+)\s*(?:<[^;{}()]*>)?\s*\(", body):
        callee = call.group(1)
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", callee) or callee in SCALAR_CALLEES or callee in (
                "set_flag", "wait_flag", "pipe_barrier", "sizeof", "if", "for", "while", "switch", "return"):
            continue
        before = body[:call.start()].rstrip()
        if before.endswith(".") and callee in ("GetValue", "SetValue"):
            continue    # (pto's Tile::GetValue/SetValue take the index and value by value)
        declared = re.search(r"(\w+)$", before)
        if declared is not None and declared.group(1) in tile_types or re.search(r"\bTile\s*<[^;{}()]*>$", before):
            continue    # (a tile's declaration `T name(rows, cols)`: judged with the tiles)
        depth, j = 0, call.end() - 1
        while j < len(body):
            depth += {"(": 1, ")": -1}.get(body[j], 0)
            if depth == 0:
                break
            j += 1
        passed.update(re.findall(r"\b[A-Za-z_]\w*\b", body[call.end():j]))
    return passed


HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".hxx", ".inc", ".inl")


def _function_name(code: str, start: int) -> tuple[str, bool, int]:
    """(name, whether spelled with template arguments (a specialization), offset of the name) of
    the function whose body opens at ``start``; ("", False, -1) when not read."""
    close = code.rfind(")", 0, start)
    depth, i = 0, close
    while i >= 0:
        if code[i] == ")":
            depth += 1
        elif code[i] == "(":
            depth -= 1
            if depth == 0:
                break
        i -= 1
    named = re.search(r"(\w+)\s*(<[^(){};]*>)?\s*$", code[max(0, i - 300):i]) if i > 0 else None
    if named is None:
        return "", False, -1
    return named.group(1), named.group(2) is not None, max(0, i - 300) + named.start(1)


def template_instances(path: str, code: str, bodies: list[tuple[int, int]], file_scope: str,
                       includes: list[str] | tuple[str, ...] = ()) -> dict[int, list[dict[str, str]]]:
    """Body start -> the template parameter bindings of every instantiation the file makes of a
    function template it defines, when all are known: the file is a source (a header's templates
    are instantiated by whoever includes it: none), the template's parameters are all of integer
    types (no typename, no default), it is the one function of its name (no overload, no
    specialization) and every other mention of its name is a call `name<c, ...>(` whose arguments
    are constants of the file (no declaration, no address taken, no call deducing them)."""
    if path.endswith(HEADER_SUFFIXES):
        return {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        raw = handle.read()
    if "\\\n" in raw or "\\\r\n" in raw:
        return {}       # (a backslash-newline splice can form a name the scan does not see)
    headers, unread = _included_headers(path, raw, includes)
    names = [(_function_name(code, start), start) for start, _ in bodies]
    defined = Counter(name for (name, _, _), _ in names if name)
    found: dict[int, list[dict[str, str]]] = {}
    for (name, specialized, at), start in names:
        if not name or specialized or defined[name] != 1:
            continue
        head = code[:at]
        head = head[max(head.rfind(";"), head.rfind("}")) + 1:]
        declared = re.findall(r"\btemplate\s*<([^<>]*)>", head)
        if len(declared) != 1 or re.search(r"\btemplate\s*<[^<>]*<", head):
            continue
        parameters = []
        for parameter in split_arguments(declared[0]):
            typed = re.fullmatch(r"(?:const\s+)?" + SCALAR_TYPES + r"\s+(\w+)", parameter)
            if typed is None:
                parameters = []
                break
            parameters.append(typed.group(1))
        if not parameters:
            continue
        # (An instantiation a header makes is not seen here: any header not read, or read and
        # mentioning the name or pasting tokens, leaves the template undecided.)
        if unread or any(re.search(r"\b" + name + r"\b", h) or "##" in h for h in headers):
            continue
        bindings: list[dict[str, str]] = []
        for mention in re.finditer(r"\b" + name + r"\b", code):
            if mention.start() == at:
                continue
            call = re.compile(r"\s*<([^<>;{}()]*)>\s*\(").match(code, mention.end())
            # (Only arithmetic over plain decimal literals: a named constant may be shadowed,
            # renamed by a macro or narrow; another literal form (octal, binary, character) is not read.)
            values = [_value(arg, {}, 0) if re.fullmatch(r"(?:\b(?:0|[1-9]\d*)\b|[\s+*/%()-])+", arg) else None
                      for arg in split_arguments(call.group(1))] if call else []
            if call is None or len(values) != len(parameters) or None in values \
                    or code[:mention.start()].rstrip().endswith(("&", "::", ".", "->")):
                bindings = []
                break
            binding = {p: str(v) for p, v in zip(parameters, values, strict=True)}
            if binding not in bindings:
                bindings.append(binding)
        if bindings:
            found[start] = bindings
    return found


def _included_headers(path: str, text: str, includes: list[str] | tuple[str, ...]) -> tuple[list[str], bool]:
    """(the masked text of each `#include "..."` header found beside ``path`` or in ``includes``,
    whether any `#include "..."` (or a computed include) was not found)."""
    texts, unread = [], False
    for line in re.finditer(r"^[ \t]*#[ \t]*include\b", masked(text), re.M):
        named = re.compile(r'[ \t]*"([^"\n]+)"').match(text, line.end())
        if named is None:
            unread = unread or re.compile(r"[ \t]*<").match(text, line.end()) is None
            continue
        found = [os.path.join(d, named.group(1)) for d in [os.path.dirname(os.path.abspath(path)), *includes]
                 if os.path.isfile(os.path.join(d, named.group(1)))]
        library = re.fullmatch(r"pto/[\w/-]+\.h(?:pp)?|(?:kernel_operator\w*|kernel_tiling/\w+|acl/\w+|runtime/\w+"
                               r"|hccl/\w+|tikcfw/\w+|register/\w+)\.h(?:pp)?", named.group(1))
        if not found:
            # (pto-isa's and CANN's own headers instantiate no template of the kernel's.)
            unread = unread or library is None
            continue
        with open(found[0], encoding="utf-8", errors="replace") as handle:
            texts.append(masked(handle.read()))
    return texts, unread


def _included_texts(path: str, text: str, includes: list[str] | tuple[str, ...]) -> list[str]:
    """The masked text of each header ``text`` includes with `#include "..."` (not in a comment)
    that is found beside ``path`` or in ``includes``."""
    texts = []
    code = masked(text)
    for line in re.finditer(r"^[ \t]*#[ \t]*include\b", code, re.M):
        named = re.compile(r'[ \t]*"([^"\n]+)"').match(text, line.end())
        if named is None:
            continue
        header = named.group(1)
        for directory in [os.path.dirname(os.path.abspath(path)), *includes]:
            candidate = os.path.join(directory, header)
            if os.path.isfile(candidate):
                with open(candidate, encoding="utf-8", errors="replace") as handle:
                    texts.append(masked(handle.read()))
                break
    return texts


def inert_helpers(path: str, text: str, includes: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """Functions a call `name();` to which adds nothing to a PIPE_V window: defined once, with no
    parameters, in the file or a header it includes directly (no macro of the name, no other
    definition), whose body is only `set_flag`/`wait_flag` between pipes other than PIPE_V and
    preprocessor lines (every `#if` branch read: simpler's pipe_sync.h, MTE3/FIX -> S flags)."""
    texts = [masked(text), *_included_texts(path, text, includes)]
    definitions: Counter[str] = Counter()
    bodies: dict[str, str] = {}
    macros = {m for text in texts for m in re.findall(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", text, re.M)}
    for text in texts:
        for m in re.finditer(r"\b(\w+)\s*\(([^(){};]*)\)\s*(?:const\s*)?(?:noexcept\s*)?\{", text):
            if m.group(1) in ("if", "for", "while", "switch", "catch"):
                continue
            definitions[m.group(1)] += 1
            depth, j = 0, m.end() - 1
            while j < len(text):
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            bodies[m.group(1)] = text[m.end():j] if m.group(2).strip() in ("", "void") else "?"
    inert = set()
    flag = re.compile(r"(?:set_flag|wait_flag)\s*\(\s*(PIPE_\w+)\s*,\s*(PIPE_\w+)\s*,\s*\w+\s*\)\s*;")
    for name, body in bodies.items():
        if definitions[name] != 1 or name in macros or body == "?":
            continue
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        ok = bool(lines)
        for line in lines:
            if re.match(r"#\s*(?:if|ifdef|ifndef|elif|else|endif|error)\b", line):
                continue
            pair = flag.fullmatch(line)
            if pair is None or "PIPE_V" in pair.groups():
                ok = False
        if ok:
            inert.add(name)
    return frozenset(inert)


def _enclosing_brace(body: str, at: int) -> int:
    """The offset in ``body`` of the innermost `{` open at ``at`` (-1: none)."""
    opened: list[int] = []
    for i, ch in enumerate(body[:at]):
        if ch == "{":
            opened.append(i)
        elif ch == "}" and opened:
            opened.pop()
    return opened[-1] if opened else -1


def _tiles(body: str, aliases: dict[str, str], scalars: dict[str, str], start: int = 0) -> dict[str, TileInfo | None]:
    """Each Vec tile declared in ``body``: known when declared once, with a known element type, and
    every TASSIGN or TRESHAPE of it gives one and the same constant address, one of them in the
    declaration's own block (the tile's `assigned_at`: an op before it does not know the address);
    None otherwise. TRESHAPE(dst, src) gives dst src's address (pto-isa a2a3 TReshape.hpp
    TRESHAPE_IMPL, f35e7f60: `TASSIGN_IMPL(dst, src.data())`, byte sizes static_assert-ed equal, no
    vector instruction; event.hpp runs it on PIPE_S), src's as known where the TRESHAPE is."""
    found: dict[str, tuple[re.Match[str], str]] = {}
    declared_at: dict[str, int] = {}
    declared: Counter[str] = Counter()
    spelled_types: dict[str, str] = {}
    local = Counter(m.group(1) for m in ALIAS.finditer(body))
    aliases = {**aliases, **{m.group(1): m.group(2) for m in ALIAS.finditer(body) if local[m.group(1)] == 1}}
    for name in local:
        if local[name] > 1:
            aliases.pop(name, None)
    declarations = [(m.group(1), m.group(2), m.end() - 1) for m in
                    re.finditer(r"(Tile\s*<[^;{}]*?>|\b\w+\b)\s+(\w+)\s*(?:;|\(|\{|=)", body)]
    # (Several declarators in one: `Type a, b, c;`, each a default-constructed tile of the type.)
    for m in re.finditer(r"(Tile\s*<[^;{}]*?>|\b\w+\b)\s+(\w+(?:\s*,\s*\w+)+)\s*;", body):
        for name in re.findall(r"\w+", m.group(2)):
            declarations.append((m.group(1), name, m.end() - 1))
    for type_name, name, at in declarations:
        spelled = _constant_dims(aliases.get(type_name, type_name), scalars)
        tile = TILE_TYPE.match(spelled)
        if tile is None:
            if "Tile" in spelled or type_name in aliases:
                # (A tile of a type the oracle cannot read: unknown, never a scalar.)
                declared[name] += 2
                found[name] = (None, "")
            continue
        declared[name] += 1
        spelled_types[name] = "".join(spelled.split())
        found[name] = (tile, body[at:body.find(";", at) + 1])
        declared_at[name] = body.find(";", at) + 1
    assigns: dict[str, list[tuple[int, str, str]]] = {}
    for a in re.finditer(r"\b(TASSIGN|TRESHAPE)\s*\(\s*(\w+)\s*,([^;]*)\)\s*;", body):
        assigns.setdefault(a.group(2), []).append((a.start(), a.group(1), a.group(3).strip()))
    addresses: dict[str, int] = {}
    assigned_at: dict[str, int] = {}
    for _ in range(4):          # (TRESHAPE chains: a source's address first)
        for name in found:
            if name in addresses or declared[name] != 1 or found[name][0] is None or not assigns.get(name):
                continue
            values = []
            for at, how, value in assigns[name]:
                if how == "TASSIGN":
                    values.append(_value(value, scalars, 0))
                else:
                    source = value if re.fullmatch(r"\w+", value) else ""
                    known = source in addresses and assigned_at[source] <= at
                    values.append(addresses[source] if known else None)
            home = _enclosing_brace(body, declared_at[name])
            in_block = [at for at, _, _ in assigns[name] if _enclosing_brace(body, at) == home
                        and at >= declared_at[name]]
            if None in values or len(set(values)) != 1 or not in_block:
                continue
            addresses[name] = values[0]
            assigned_at[name] = min(in_block)
    tiles: dict[str, TileInfo | None] = {}
    for name, (tile, initializer) in found.items():
        if tile is None:
            tiles[name] = None
            continue
        dtype, rows, cols = tile.group(1), int(tile.group(2)), int(tile.group(3))
        address = addresses.get(name)
        if address is None or dtype not in DTYPE_BYTES or declared[name] != 1:
            tiles[name] = None
            continue
        layout, slayout = tile.group(4) or "RowMajor", tile.group(7) or "NoneBox"
        valid = (int(tile.group(5)), int(tile.group(6))) if tile.group(5) else (rows, cols)
        static_valid = valid != (-1, -1) and -1 not in valid
        full = valid == (rows, cols)
        ctor_full = False
        prefix_rows = 0
        unchanged_shape: tuple[int, int] | None = None
        if valid == (-1, -1):
            # A run-time valid shape: full only when constructed from constants equal to the
            # static shape and never set again (no SetValidShape, no other assignment).
            ctor = re.search(r"\(([^()]*)\)\s*;$", initializer)
            args = split_arguments(ctor.group(1)) if ctor else []
            ctor_full = len(args) == 2 and [_value(x, scalars, 0) for x in args] == [rows, cols]
            unchanged = not re.search(r"\b" + name + r"\s*\.\s*SetValidShape\b", body) \
                and len(re.findall(r"(?<![\w.])" + name + r"\s*=(?!=)", body)) <= 1
            full = ctor_full and unchanged
            shape = [_value(x, scalars, 0) for x in args] if len(args) == 2 else []
            if unchanged and len(shape) == 2 and None not in shape and 1 <= shape[0] <= rows \
                    and 1 <= shape[1] <= cols:
                unchanged_shape = (shape[0], shape[1])
            if unchanged and len(shape) == 2 and shape[1] == cols and shape[0] is not None \
                    and 1 <= shape[0] <= rows:
                prefix_rows = shape[0]
        full = full and slayout == "NoneBox"
        known_shape = None
        if valid == (-1, -1) and unchanged_shape is not None:
            known_shape = unchanged_shape
        info = TileInfo(dtype, rows, cols, address, full and layout == "RowMajor" and slayout == "NoneBox",
                        static_valid, layout, valid)
        # (Full at an op in the declaration's own straight block with no change between: _at.)
        info.ctor_full = ctor_full and layout == "RowMajor" and slayout == "NoneBox"
        info.name, info.declared_at = name, start + declared_at[name]
        info.assigned_at = start + assigned_at[name]
        if valid == (-1, -1):
            info.shape = known_shape
        info.slayout, info.type_text = slayout, spelled_types.get(name, "")
        if not info.full and layout == "RowMajor" and slayout == "NoneBox":
            info.prefix_rows = prefix_rows
        tiles[name] = info
    return tiles


SCALAR_TYPES = r"(?:u?int(?:8|16|32|64)_t|unsigned(?:\s+int|\s+long)?|int|long|(?:std::)?size_t)"
# (Every name any `template <...>` of the file declares: none is taken as a constant.)
TEMPLATE_PARAMETERS: dict[int, set[str]] = {}
CAST = re.compile(r"\(\s*" + SCALAR_TYPES + r"\s*\)")


# A write of a name: an assignment (compound too; not `==`, `<=`, `>=`, `!=`), an increment or
# decrement, its address taken.
WRITE = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|(?:\+\+|--)\s*([A-Za-z_]\w*)"
                   r"|\b([A-Za-z_]\w*)\s*(?:\+\+|--)|(?<![&\w)\]])&\s*([A-Za-z_]\w*)")


def _constants(code: str) -> dict[str, str]:
    """name -> its initializer, for each scalar defined once (`[const] T name = expr;`) and never
    written again (no other `name =`, compound assignment, increment or address taken)."""
    found: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for m in re.finditer(r"(?:\bconst(?:expr)?\s+)?\b(" + SCALAR_TYPES + r")\s+(\w+)\s*=\s*([^;]*);", code):
        seen[m.group(2)] += 1
        # (A type narrower than 32 bits may wrap its initializer: never a known value.)
        found[m.group(2)] = "narrow_unknown" if re.search(r"8|16", m.group(1)) else m.group(3)
    writes: Counter[str] = Counter()
    for m in WRITE.finditer(code):
        writes[m.group(1) or m.group(2) or m.group(3) or m.group(4)] += 1
    return {name: expr for name, expr in found.items() if seen[name] == 1 and writes[name] == 1}


def _value(expr: str, scalars: dict[str, str], depth: int) -> int | None:
    """The value of an integer expression of literals, casts to integer types, `sizeof` of a known
    element type, + - * / % and parentheses over constant names (C++'s integer arithmetic: / and %
    only over non-negative operands, no division by zero); None otherwise (or outside [0, 2**31))."""
    if depth > 20:
        return None
    text = CAST.sub(" ", expr)
    text = re.sub(r"\bstatic_cast\s*<\s*" + SCALAR_TYPES + r"\s*>", " ", text)
    text = re.sub(r"\bsizeof\s*\(\s*(\w+)\s*\)",
                  lambda m: str(DTYPE_BYTES[m.group(1)]) if m.group(1) in DTYPE_BYTES else "sizeof_unknown", text)
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", text))
    for name in names:
        if name not in scalars:
            return None
        inner = _value(scalars[name], scalars, depth + 1)
        if inner is None:
            return None
        text = re.sub(r"\b" + name + r"\b", str(inner), text)
    text = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", lambda m: str(int(m.group(1), 0)), text)
    if not re.fullmatch(r"[\d\s+*/%()-]*", text) or not text.strip() or "//" in text:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    value = _integer(tree.body)
    return value if value is not None and 0 <= value < 2 ** 31 else None


def _integer(node: ast.AST) -> int | None:
    """C++ integer arithmetic over a parsed expression of literals (+ - * / %), None when unsure."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _integer(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _integer(node.left), _integer(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Div, ast.Mod)):
        # (C++ truncates toward zero; Python floors: they agree on non-negative operands only.)
        if left < 0 or right <= 0:
            return None
        result = left // right if isinstance(node.op, ast.Div) else left % right
    elif isinstance(node.op, ast.Add):
        result = left + right
    elif isinstance(node.op, ast.Sub):
        result = left - right
    elif isinstance(node.op, ast.Mult):
        result = left * right
    else:
        return None
    return result if abs(result) < 2 ** 62 else None


UNDECIDED: Counter[str] = Counter()     # why windows were undecided (--why)


LAST_UNDECIDED: list[str] = []
FILE_SCOPE: list[str] = [""]      # the file's text with every function body blanked (oracle())
HAZARD: list[str] = []


def _undecided(what: str) -> None:
    UNDECIDED[" ".join(what.split())[:60]] += 1
    LAST_UNDECIDED.append(" ".join(what.split())[:60])
    return None


class Op:
    """One vector op of a window: the byte ranges it reads and writes, and its tile operands."""

    def __init__(self, name: str, reads: set, writes: set, operands: list[tuple[int, TileInfo]]) -> None:
        self.name, self.reads, self.writes, self.operands = name, reads, writes, operands
        # (Each byte span it touches with its repeat walk, when modelled: _column_chunk_chain.)
        self.walks: list[tuple[tuple[int, int], list[tuple[int, int]] | None]] = []


class Node:
    """A piece of a function body as the oracle walks it: a statement or directive (``kind`` "stmt",
    "#"), a braced block ("block": ``children``), an `if` ("if": ``head``, ``then``, ``orelse`` a
    block or None, or "opaque" for an else it does not read), a `for` loop ("loop": ``head``,
    ``body``), or a braced construct it does not read ("opaque": crossing it is undecided)."""

    def __init__(self, kind: str, piece: tuple[int, int, str] | None = None) -> None:
        self.kind, self.piece = kind, piece
        self.children: list[Node] = []
        self.head: tuple[int, int, str] | None = None
        self.then: Node | None = None
        self.orelse: Node | str | None = None
        self.body: Node | None = None
        # (Where a node sits: the block holding it and its index there; a block owned by an `if`
        # or a loop names its owner instead.)
        self.parent: Node | None = None
        self.index = -1
        self.owner: Node | None = None

    def add(self, node: Node) -> None:
        node.parent, node.index = self, len(self.children)
        self.children.append(node)


# (`if constexpr`: both arms taken as possible, a superset of the one instantiated.)
IF_HEAD = re.compile(r"if\s*(?:constexpr\s*)?\(.*\)", re.S)
ELSE_IF_HEAD = re.compile(r"else\s+(if\s*(?:constexpr\s*)?\(.*\))", re.S)
FOR_HEAD = re.compile(r"for\s*\(.*\)", re.S)


def body_tree(code: str, pieces: list[tuple[int, int, str]]) -> tuple[Node, dict[int, Node]]:
    """The function body's statements as a tree (Node), and each statement piece's node by its
    index in ``pieces``. Braces the oracle reads: a plain block, `if (...) {...}` with an optional
    `else {...}` or `else if`, and `for (...) {...}`; any other braced construct (`while`, `do`,
    `switch`, an initializer, a lambda) is opaque, as is an unbraced `else`."""
    leaves: dict[int, Node] = {}

    def text(j: int) -> str:
        return code[pieces[j][0]:pieces[j][1]].strip()

    def parse(block: Node, j: int) -> int:
        while j < len(pieces):
            kind = pieces[j][2]
            if kind == "}":
                return j + 1
            if kind == "{":
                inner = Node("block")
                block.add(inner)
                j = parse(inner, j + 1)
            elif kind == "stmt?" and j + 1 < len(pieces) and pieces[j + 1][2] == "{":
                head = text(j)
                if IF_HEAD.fullmatch(head):
                    j = parse_if(block, pieces[j], j + 2)
                elif FOR_HEAD.fullmatch(head):
                    loop = Node("loop")
                    loop.head = pieces[j]
                    loop.body = Node("block")
                    loop.body.owner = loop
                    block.add(loop)
                    j = parse(loop.body, j + 2)
                else:
                    opaque = Node("opaque", pieces[j])
                    block.add(opaque)
                    j = parse(opaque_block(opaque), j + 2)
            else:
                leaf = Node("#" if kind == "#" else "stmt", pieces[j])
                if kind == "stmt?":
                    leaf.kind = "opaque"
                leaves[j] = leaf
                block.add(leaf)
                j += 1
        return j

    def parse_if(block: Node, head: tuple[int, int, str], j: int) -> int:
        node = Node("if")
        node.head = head
        node.then = Node("block")
        node.then.owner = node
        block.add(node)
        j = parse(node.then, j)
        if j < len(pieces) and pieces[j][2] in ("stmt?", "stmt") and re.match(r"else\b", text(j)):
            nested = ELSE_IF_HEAD.fullmatch(text(j))
            braced = pieces[j][2] == "stmt?" and j + 1 < len(pieces) and pieces[j + 1][2] == "{"
            if braced and text(j) == "else":
                node.orelse = Node("block")
                node.orelse.owner = node
                return parse(node.orelse, j + 2)
            if braced and nested:
                # (`else if (...) {...}`: an else block holding one `if`, its head the piece's tail.)
                orelse = Node("block")
                orelse.owner = node
                node.orelse = orelse
                start = code.index(nested.group(1), pieces[j][0])
                return parse_if(orelse, (start, pieces[j][1], "stmt?"), j + 2)
            node.orelse = "opaque"
            if braced:
                return parse(opaque_block(Node("opaque", pieces[j])), j + 2)
            return j + 1
        return j

    def opaque_block(owner: Node) -> Node:
        # (The body of a construct the oracle does not read: a window leaving it is undecided.)
        inner = Node("block")
        inner.owner = owner
        return inner

    root = Node("block")
    parse(root, 0)
    return root, leaves


class Walk:
    """What one function's windows read: its code and pieces, its tiles, whether its start and end
    bound a window (a `__global__` kernel), whether ptoas's kBarrierAll tail drains, and the helper
    functions a call to which is inert (INERT_HELPERS)."""

    def __init__(self, code: str, pieces: list[tuple[int, int, str]], tiles: dict[str, TileInfo | None],
                 entry: bool, tail_drains: bool = False, helpers: frozenset[str] = frozenset()) -> None:
        self.code, self.pieces, self.tiles, self.entry, self.tail_drains = code, pieces, tiles, entry, tail_drains
        self.helpers = helpers
        # (Op names the file shadows, and class names and class-typed variables: oracle().)
        self.shadowed: frozenset[str] = frozenset()
        self.classy: frozenset[str] = frozenset()
        self.scope = code[pieces[0][0]:pieces[-1][1]] if pieces else ""
        self.ub_pointers = sorted(set(re.findall(r"__ubuf__[^;(){}=]*?\*\s*(\w+)", self.scope)))
        # (Names every `using` of which aliases a tile, tensor, shape or stride type, with no other
        # definition: `Name x(args);` constructs one, as `Tile<...> x(args);` does.)
        kinds: dict[str, set[bool]] = {}
        for m in re.finditer(r"\busing\s+(\w+)\s*=\s*(?:pto::)?(\w+)", code):
            kinds.setdefault(m.group(1), set()).add(m.group(2) in ("Tile", "GlobalTensor", "Shape", "Stride"))
        self.object_types = frozenset(name for name, kind in kinds.items() if kind == {True}
                                      and not re.search(r"\b(?:struct|class|union|enum|typedef|define)\s+(?:\w+\s+)*"
                                                        + name + r"\b", code))
        # (Names every `using` of which names a plain type: PLAIN_TYPES.)
        plain: dict[str, set[bool]] = {}
        for m in re.finditer(r"\busing\s+(\w+)\s*=\s*(?:pto::)?(\w+)\s*(?:<[^;]*>)?\s*;", code):
            plain.setdefault(m.group(1), set()).add(m.group(2) in PLAIN_TYPES)
        self.plain_types = PLAIN_TYPES | frozenset(name for name, kind in plain.items() if kind == {True}) \
            | self.object_types


# A declaration of a variable by value (no pointer, no reference): `[const] Type<...> name [= ...]`.
VALUE_DECLARATION = re.compile(r"(?:(?:const|constexpr|static|volatile|__gm__|__ubuf__)\s+)*(?:\w+::)*(\w+)"
                               r"\s*(?:<[^;{}]*>)?\s+\w+\s*(?:=.*|\{.*\}|\(.*\)|\[.*)?", re.S)
NOT_TYPES = frozenset("using typedef namespace delete throw co_return typename template".split())
# Types a variable of which runs no constructor the oracle must read: scalars, `auto` (its
# initializer's calls are read), pto's objects.
PLAIN_TYPES = frozenset("""bool char short int long unsigned signed float double half bfloat16_t float16_t
float32_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t size_t auto RoundMode
SaturationMode""".split()) | PTO_OBJECT_TYPES


def _inert_head(walk: Walk, head: tuple[int, int, str] | None) -> bool:
    """Whether an `if` or `for` head is scalar work only: every call in it a cast or a scalar
    intrinsic (SCALAR_CALLEES), no access of UB."""
    if head is None:
        return False
    text = walk.code[head[0]:head[1]]
    text = re.sub(r"^\s*(?:if\s*(?:constexpr\b)?|for\b)", "", text)
    # (A call's template arguments are words: `n < static_cast<T>(x)` compares n, calls no n.)
    callees = re.findall(r"(\w+)\s*(?:<[\w\s:,*]*>)?\s*\(", text)
    return all(callee in SCALAR_CALLEES for callee in callees) and "__ubuf__" not in text \
        and "__cce_get_tile_ptr" not in text \
        and not (walk.ub_pointers and re.search(r"\b(?:" + "|".join(walk.ub_pointers) + r")\b", text))


def _edge(block: Node, step: int) -> int:
    """The index a walk along ``step`` enters ``block`` at."""
    return 0 if step > 0 else len(block.children) - 1


def _window(walk: Walk, barrier: Node, step: int) -> list[Op] | None:
    """The ops on every path from ``barrier`` along ``step`` to the nearest drain (their union);
    None when undecided. Paths: both arms of an `if` (and its fall-through without an `else`); a
    `for` loop entered or skipped (zero trips), and at the end (start) of its body the next
    (previous) iteration, once a path, or out of the loop: a path that comes back to the barrier
    itself, or round a loop twice, is undecided (the loop holds no drain on it). A kernel entry's
    (``walk.entry``) start and end bound the window (nothing runs before or after it); another
    function's do not. A drain: pipe_barrier(PIPE_V or PIPE_ALL), ptoas's kBarrierAll tail, an op
    whose every recorded trace ends with pipe_barrier(PIPE_V) (DRAIN_AFTER: its own work is in the
    window after B, not before). Preprocessor lines: leaving B's `#if` group (its `#if` going back,
    its `#endif` going forward) keeps the window; entering another group, `#else`, `#elif` or any
    other directive leaves it undecided."""
    out: list[Op] = []
    assert barrier.parent is not None
    paths: list[tuple[Node, int, frozenset, frozenset, frozenset]] = [
        (barrier.parent, barrier.index + step, frozenset(), frozenset(), frozenset())]
    seen: set[tuple] = set()
    budget = 20000
    while paths:
        block, i, flags_set, synced, wrapped = paths.pop()
        while True:
            state = (id(block), i, flags_set, synced, wrapped)
            if state in seen:
                break               # (a path joining one already walked: the same ops from here)
            seen.add(state)
            budget -= 1
            if budget < 0:
                return _undecided("too many paths")
            if not 0 <= i < len(block.children):
                if block.parent is not None:            # leaving a plain block
                    block, i = block.parent, block.index + step
                    continue
                owner = block.owner
                if owner is None:
                    if walk.entry:
                        break
                    return _undecided("the function's start or end")
                if owner.kind == "opaque":
                    piece = owner.piece
                    return _undecided("out of " + (walk.code[piece[0]:piece[1]].strip() if piece else "a block"))
                if not _inert_head(walk, owner.head):
                    return _undecided("head " + walk.code[owner.head[0]:owner.head[1]] if owner.head else "head")
                if owner.kind == "loop":
                    # (The next iteration, or the one before: once a path.)
                    if owner in wrapped:
                        return _undecided("round a loop without a drain")
                    paths.append((block, _edge(block, step), flags_set, synced, wrapped | {owner}))
                assert owner.parent is not None
                block, i = owner.parent, owner.index + step
                continue
            node = block.children[i]
            if node is barrier:
                return _undecided("the loop comes back to the barrier")
            if node.kind == "opaque":
                piece = node.piece
                return _undecided("opaque " + (walk.code[piece[0]:piece[1]].strip() if piece else "block"))
            if node.kind == "block":
                block, i = node, _edge(node, step)
                continue
            if node.kind in ("if", "loop"):
                if not _inert_head(walk, node.head):
                    return _undecided("head " + walk.code[node.head[0]:node.head[1]] if node.head else "head")
                if node.orelse == "opaque":
                    return _undecided("an else the oracle does not read")
                arms = [node.then, node.orelse] if node.kind == "if" else [node.body]
                for arm in arms:
                    if isinstance(arm, Node):
                        paths.append((arm, _edge(arm, step), flags_set, synced, wrapped))
                if node.kind == "loop" or node.orelse is None:
                    paths.append((block, i + step, flags_set, synced, wrapped))   # (not taken / no trip)
                break
            verdict = _statement(walk, node.piece, step, flags_set, synced)
            if verdict is None:
                return None
            ends, ops, flags_set, synced = verdict
            out.extend(ops)
            if ends:
                break
            i += step
    return out


def _statement(walk: Walk, piece: tuple[int, int, str] | None, step: int, flags_set: frozenset,
               synced: frozenset) -> tuple[bool, list[Op], frozenset, frozenset] | None:
    """One statement on a window's path: (whether it ends the path, the ops it adds, the V -> MTE
    flags set and waited after B so far); None when undecided."""
    assert piece is not None
    code, tiles = walk.code, walk.tiles
    p_start, p_end, kind = piece
    text = code[p_start:p_end].strip().rstrip(";").strip()
    if kind == "#":
        directive = re.match(r"#\s*(\w+)", text)
        word = directive.group(1) if directive else ""
        if (step < 0 and word in ("if", "ifdef", "ifndef")) or (step > 0 and word == "endif"):
            return False, [], flags_set, synced
        return _undecided("#" + word)
    if BARRIER.fullmatch(text + ";") or (walk.tail_drains and AUTO_SYNC_TAIL.fullmatch(text)):
        return True, [], flags_set, synced
    if not text or OTHER_BARRIER.fullmatch(text):
        return False, [], flags_set, synced
    if CONTROL.search(text) or re.match(r"^\w+\s*:(?!:)", text):
        return _undecided(text)
    helper = re.fullmatch(r"(\w+)\s*\(\s*\)", text)
    if helper is not None and helper.group(1) in walk.helpers:
        return False, [], flags_set, synced      # (a helper with no PIPE_V work nor barrier: INERT_HELPERS)
    if walk.classy and set(re.findall(r"\b[A-Za-z_]\w*\b", text)) & walk.classy:
        # (A class-typed value or class name: its constructor, destructor or operator may issue
        # vector work.)
        return _undecided(text)
    call = OP_CALL.match(text)
    if call is not None and call.group(1) in walk.shadowed:
        return _undecided(text)
    if call is None:
        # A variable of a type the oracle does not know as a scalar or pto object (a class of a
        # header it cannot read, say) may run a constructor and destructor there: unknown.
        declared = VALUE_DECLARATION.fullmatch(text)
        if declared is not None and declared.group(1) not in walk.plain_types | NOT_TYPES:
            return _undecided(text)
        # A declaration or scalar statement: inert when every call in it is a constructor of
        # a tile, tensor, shape or stride, a cast or a scalar intrinsic.
        constructed = re.match(r"(?:const\s+)?(\w+)\s+\w+\s*\(", text)
        if constructed is not None and constructed.group(1) in walk.object_types:
            text = "Tile(" + text[constructed.end():]
        if any(callee not in SCALAR_CALLEES for callee in CALLEE.findall(text)):
            return _undecided(text)
        # (A scalar access of UB, through a `__ubuf__` pointer, is one B may order.)
        if "__ubuf__" in text or "__cce_get_tile_ptr" in text or (
                walk.ub_pointers and re.search(r"\b(?:" + "|".join(walk.ub_pointers) + r")\b", text)):
            return _undecided(text)
        return False, [], flags_set, synced
    name, args = call.group(1), split_arguments(call.group(2))
    if name in ("set_flag", "wait_flag") and step > 0 and len(args) >= 2 and args[0] == "PIPE_V":
        # (A V -> MTE flag pair after B orders every vector op before it, B's too.)
        if name == "set_flag":
            flags_set = flags_set | {args[1]}
        elif args[1] in flags_set:
            synced = synced | {args[1]}
    if name in ("TLOAD", "TSTORE") and step > 0:
        # A memory move after B that no V -> MTE flag orders: B orders it after the vector
        # work before B (pipe_barrier(PIPE_V) holds back every later instruction), so its
        # tile's bytes count as the move's access.
        pipe, index = ("PIPE_MTE2", 0) if name == "TLOAD" else ("PIPE_MTE3", 1)
        if pipe in synced:
            return False, [], flags_set, synced
        tile = _at(code, p_start, tiles, args).get(args[index]) if len(args) > index else None
        if tile is None:
            return _undecided(text)
        span = {tile.span}
        return False, [Op(name, span if name == "TSTORE" else set(), span if name == "TLOAD" else set(), [])], \
            flags_set, synced
    if name in INERT_CALLS:
        return False, [], flags_set, synced
    if name not in ELEMENTWISE and name not in REDUCTIONS and name != "TSORT32":
        return _undecided(text)
    scalar_names = frozenset(arg for arg in args if re.search(SCALAR_DECLARATION + re.escape(arg) + r"\s*[=;{(),]",
                                                              FILE_SCOPE[0] + walk.scope))
    op = _op(name, args, _at(code, p_start, tiles, args), scalar_names)
    if op is None:
        return _undecided(text)
    split = _broadcast_prologue(op)
    if split is not None:
        # (Its own barrier after the vbrcb drains the prologue and everything before it.)
        return True, [split[0] if step > 0 else split[1]], flags_set, synced
    if _drains_after(op):
        # (Its trailing barrier drains its own work and everything before it.)
        return True, [op] if step > 0 else [], flags_set, synced
    return False, [op], flags_set, synced


# pto-isa a2a3 TRowReduceOps.hpp `TryOptimizeFP32Reduce` (f35e7f60): the source shapes it takes.
FP32_REDUCE_SHAPES = frozenset({(64, 128), (32, 256), (16, 512), (8, 1024)})


def _drains_after(op: Op) -> bool:
    """Whether the op ends with its own pipe_barrier(PIPE_V) after its last vector instruction:
    an op every recorded trace point of which does (DRAIN_AFTER), or a float/half row reduction
    none of whose possible valid column counts takes the one path without it. pto-isa a2a3
    TRowReduceOps.hpp `TRowReduceInstr` (f35e7f60): validCol <= E (E elements a 256-byte repeat;
    `OneRepeatProc`, also for an empty shape: each loop turn ends with a barrier) and validCol >= 2E
    end with one; E < validCol < 2E ends with one unless `srcRptStride` or `tmpRptStride` (the
    source's and tmp's static Cols in 32-byte blocks) is below 8, where it returns having issued
    nothing. Its `TryOptimizeFP32Reduce` (float, a non-RowMajor, non-boxed dst of static ValidCol 1,
    a source of static valid shape 64x128, 32x256, 16x512 or 8x1024 in full: FP32_REDUCE_SHAPES) ends
    with one (ReduceOptFP32_RxC); for any other shape it returns false: the general path. The integer
    forms (TRowSum.hpp) end with scalar work: not credited. The valid columns
    possible: the static ValidCol, or with a run-time valid shape any count up to the static Cols
    (the oracle takes a tile's valid part within its static extent, as its byte model does)."""
    if op.name == "TSORT32":
        # pto-isa a2a3 TSort32.hpp (f35e7f60): every path of TSort32Impl issues each vbitsort,
        # UB copy and vector_dup with a pipe_barrier(PIPE_V) after it, once per valid row of dst;
        # with no valid row it issues nothing, no barrier either: dst's rows must be known, >= 1.
        dst = dict(op.operands).get(0)
        rows = None if dst is None else dst.rows if dst.full else dst.valid[0] if dst.static_valid \
            else dst.shape[0] if dst.shape is not None else None
        return len(op.operands) in (3, 4) and rows is not None and rows >= 1
    if op.name in DRAIN_AFTER:
        # (The grid holds no empty valid shape, and pto-isa's TCOLMAX_IMPL returns at once, with
        # no barrier, on one: every operand's valid shape must be known and not empty.)
        return all(tile.full or (tile.static_valid and min(tile.valid) > 0) for _, tile in op.operands)
    if op.name not in ("TROWSUM", "TROWMAX", "TROWMIN") or len(op.operands) != 3:
        return False
    (_, dst), (_, src), (_, tmp) = op.operands
    if src.dtype not in ("float", "float32_t", "half", "float16_t") or dst.dtype != src.dtype \
            or src.layout != "RowMajor":
        return False
    if src.size == 4 and dst.layout != "RowMajor" and dst.valid[1] == 1:
        # (TryOptimizeFP32Reduce: taken for a non-boxed dst and a source of one of its four static,
        # fully valid shapes; each ReduceOptFP32_RxC ends with pipe_barrier(PIPE_V) after its last
        # instruction. Otherwise it returns false and the general path below runs.)
        if dst.slayout == "NoneBox" and src.static_valid and src.valid == (src.rows, src.cols) \
                and (src.rows, src.cols) in FP32_REDUCE_SHAPES:
            return True
    per_repeat = 256 // src.size
    wide_strides = src.cols * src.size // 32 >= 8 and tmp.cols * src.size // 32 >= 8
    if src.full:
        columns = src.cols
    elif src.static_valid:
        columns = src.valid[1]
    else:
        # (Any count up to the static Cols: the narrow path is out of reach when Cols <= E.)
        return src.cols <= per_repeat or wide_strides
    return columns <= per_repeat or columns >= 2 * per_repeat or wide_strides


def _broadcast_prologue(op: Op) -> tuple[Op, Op] | None:
    """(prologue, body) of a row expansion that broadcasts its per-row operand with `vbrcb` and
    then issues pipe_barrier(PIPE_V) before its vector body: pto-isa a2a3 TRowExpandBinOp.hpp
    `TRowExpandBinaryInstr` (3186c381), the path of a ColMajor src1 (into the hidden scratch) or of
    a tmp (into tmp), when dst has fewer than 256 rows (`if constexpr (row < 256)`); the trace
    records that barrier (`between`) for every such point. The prologue reads the per-row source and
    writes the scratch or tmp; the body reads the full source and the broadcast and writes dst."""
    if op.name not in ("TROWEXPANDMUL", "TROWEXPANDSUB", "TROWEXPANDADD", "TROWEXPANDDIV"):
        return None
    tiles = dict(op.operands)
    if set(tiles) not in ({0, 1, 2}, {0, 1, 2, 3}) or tiles[0].rows >= 256:
        return None
    # (The IMPL takes as the per-row operand whichever source lacks dst's valid shape, src0 or
    # src1: both count as read, by the broadcast and by the body. Without a tmp the broadcast
    # path is the ColMajor per-row one; the full source must be RowMajor: one of each.)
    if 3 not in tiles and sorted(t.layout == "RowMajor" for t in (tiles[1], tiles[2])) != [False, True]:
        return None
    broadcast = tiles[3].span if 3 in tiles else SCRATCH
    sources = {tiles[1].span, tiles[2].span}
    per_row = set(sources)
    dst = tiles[0]
    for full, row in ((tiles[1], tiles[2]), (tiles[2], tiles[1])):
        # (Unambiguous when one source and dst are full of one shape wider than a column and the
        # other is a ColMajor column: only the full one has dst's valid shape.)
        if full.full and dst.full and (full.rows, full.cols) == (dst.rows, dst.cols) and dst.cols > 1 \
                and full.layout == "RowMajor" and row.layout != "RowMajor" and row.cols == 1:
            per_row = {row.span}
    prologue = Op(op.name + ".vbrcb", per_row, {broadcast}, [])
    body = Op(op.name, (sources - per_row or sources) | {broadcast}, {tiles[0].span}, [])
    body.walks = _row_expansion_walks(tiles)
    return prologue, body


# Ops of pto-isa a2a3 TBinSOp.hpp `TBinSInstr` (f35e7f60) with one single-cycle instruction a call:
# TADDS/TSUBS (vadds), TMULS (vmuls), TMAXS (vmaxs), TMINS (vmins), TNEG (TUnaryOp.hpp: TMULS by -1).
TBINS = frozenset("TADDS TSUBS TMULS TMAXS TMINS TNEG".split())
# Row expansions whose body is one single-cycle instruction (vsub, vmul, vadd; TRowExpand{Sub,Mul,Add}.hpp).
ROW_EXPANSION_SINGLE_CYCLE = frozenset("TROWEXPANDSUB TROWEXPANDMUL TROWEXPANDADD".split())


def _chunks(tile: TileInfo, rows: int, cols: int) -> list[tuple[int, int]]:
    """The 256-byte repeats of one instruction a 256-byte column chunk, ``rows`` repeats each at the
    tile's row stride (its static Cols), chunk after chunk: the column-chunk walk."""
    row_bytes = tile.cols * tile.size
    return [(tile.span[0] + r * row_bytes + i * 256, tile.span[0] + r * row_bytes + (i + 1) * 256)
            for i in range(cols * tile.size // 256) for r in range(rows)]


def _plain_row_major(tile: TileInfo) -> bool:
    return tile.layout == "RowMajor" and tile.slayout == "NoneBox" and (tile.cols * tile.size) % 32 == 0


def _tbins_walks(dst: TileInfo, src: TileInfo) -> tuple[list, list] | None:
    """(dst's, src's) repeats of a TBinSInstr op when it takes `BinS2LNormModeRowRpt`'s row-repeat
    branch with no tail, else None. pto-isa a2a3 TBinSOp.hpp `TBinSInstr` (f35e7f60): with a
    run-time ValidCol in both types (-1: `tileDataContinue` is a constexpr false unless both have one
    row) it is not count mode (`normColRepeat = Cols / E > 1 && Rows * normColRepeat < SMALL_RPT(4)`),
    not column repeat (`Rows < normColRepeat + 1`), so `BinS2LNormModeRowRpt`, whose `condRowRpt`
    (Rows <= 255, row strides <= 255 blocks) issues one instruction per E-element column chunk, validRow
    repeats at the row stride each; a tail (validCol % E) is one more masked chunk: refused. validRow
    and validCol are dst's (TMulS.hpp TMULS_IMPL); src's must be the same known shape."""
    if not (_plain_row_major(dst) and _plain_row_major(src)) or dst.size != src.size:
        return None
    if dst.valid[1] != -1 or src.valid[1] != -1 or (dst.rows == 1 and src.rows == 1):
        return None                 # (a static ValidCol or one row: tileDataContinue may hold)
    if dst.shape is None or src.shape != dst.shape:
        return None
    per_repeat, block = 256 // dst.size, 32 // dst.size
    norm_col_repeat = dst.cols // per_repeat
    if norm_col_repeat > 1 and dst.rows * norm_col_repeat < 4 and src.rows * norm_col_repeat < 4:
        return None                 # count mode: BinS2LCountMode, row by row
    if dst.rows < norm_col_repeat + 1 and src.rows < norm_col_repeat + 1:
        return None                 # column repeat: BinS2LNormModeColVLAlign / count mode, row by row
    if dst.rows > 255 or dst.cols // block > 255 or src.cols // block > 255:
        return None                 # not condRowRpt: head row by row, then the tail
    rows, cols = dst.shape
    if cols % per_repeat or cols < per_repeat:
        return None
    return _chunks(dst, rows, cols), _chunks(src, rows, cols)


def _row_expansion_walks(tiles: dict[int, TileInfo]) -> list:
    """The body's (span, repeats) of a row expansion on the vbrcb path, when its dst is walked in
    column chunks: pto-isa a2a3 TRowExpandBinOp.hpp `TRowExpandBinaryInstr` (f35e7f60), dst Rows < 256,
    not `useCountMode` (row strides <= 255 blocks and validCol / E <= validRow), then
    `TRowExpandBinaryNormModeTail` with both row strides >= E: one instruction per E-element column
    chunk, validRow repeats each at the row stride; a tail chunk (masked) is refused. The full source
    is the one with dst's valid shape (TRowExpandSub.hpp TROWEXPANDSUB_IMPL: src0 first; under
    __PTO_AUTO__ the one of dst's very type): here src0, of dst's spelled type and known shape, the
    other a column-major per-row operand. The broadcast it reads and the per-row operand: no walk."""
    dst, full, per_row = tiles[0], tiles[1], tiles[2]
    if not (_plain_row_major(dst) and _plain_row_major(full)) or per_row.layout == "RowMajor" \
            or full.type_text != dst.type_text or not dst.type_text or dst.shape is None \
            or full.shape != dst.shape or dst.rows >= 256 or full.size != dst.size:
        return []
    per_repeat, block = 256 // dst.size, 32 // dst.size
    rows, cols = dst.shape
    if dst.cols // block > 255 or full.cols // block > 255 or cols // per_repeat > rows:
        return []                   # useCountMode: row by row
    if dst.cols < per_repeat or full.cols < per_repeat or cols % per_repeat or cols < per_repeat:
        return []
    return [(dst.span, _chunks(dst, rows, cols)), (full.span, _chunks(full, rows, cols))]


def _column_chunk_chain(producer: Op, consumer: Op) -> bool:
    """A same-access chain walked in column chunks: the producer a TBinSInstr op or a single-cycle
    row expansion's body, the consumer a TBinSInstr op, each with its modelled walks (_tbins_walks,
    _row_expansion_walks) checked against pto-isa's recorded trace (CHUNK_MODEL_AGREES). Every span
    the two share has one walk on both sides, the same repeats in the same order, at least 16
    repeats of 256 bytes, and is the producer's result the consumer reads (a plain overwrite keeps
    its barrier): then the consumer's k-th repeat touches only what the producer's k-th touched."""
    producing = producer.name in TBINS or (producer.name in ROW_EXPANSION_SINGLE_CYCLE and not producer.operands)
    if not producing or consumer.name not in TBINS or not producer.walks or not consumer.walks \
            or not {producer.name, consumer.name} <= CHUNK_MODEL_AGREES:
        return False
    if SCRATCH in producer.writes | consumer.writes:
        return False
    walks_of = {}
    for op in (producer, consumer):
        mine: dict[tuple[int, int], list | None] = {}
        for span, walk in op.walks:
            mine[span] = walk if mine.get(span, walk) == walk else None
        walks_of[id(op)] = mine
    shared = False
    for x in producer.reads | producer.writes:
        for y in consumer.reads | consumer.writes:
            if not (x[0] < y[1] and y[0] < x[1]) or (x not in producer.writes and y not in consumer.writes):
                continue
            walk = walks_of[id(producer)].get(x)
            if x != y or x not in producer.writes or y not in consumer.reads or walk is None \
                    or walks_of[id(consumer)].get(y) != walk or len(walk) < 16 \
                    or any(hi - lo != 256 for lo, hi in walk):
                return False
            shared = True
    return shared


def _trace_agrees(path: str = TRACE_FACTS) -> frozenset[str]:
    """The ops whose modelled column-chunk walk (_tbins_walks, _row_expansion_walks) equals, repeat
    for repeat, the walk pto-isa's recorded cost-model trace holds for every RowMajor grid point the
    model covers (the raw "points" of ptofix/pto/derived_facts.json, read as data), with at least
    one such point: an op the trace contradicts, or does not cover, is credited no chunk chain."""
    try:
        with open(path, encoding="utf-8") as handle:
            points = json.load(handle)["points"].values()
    except (OSError, ValueError, KeyError):
        return frozenset()
    covered: Counter[str] = Counter()
    contradicted: set[str] = set()
    for p in points:
        op = p["op"]
        if op not in TBINS | ROW_EXPANSION_SINGLE_CYCLE or p.get("layout") != "RowMajor" \
                or p.get("dtype") not in DTYPE_BYTES:
            continue
        if p.get("compile_error"):
            continue                # (a grid shape no kernel that builds holds: a ColMajor column of 1 row)
        if p.get("run_error") or p.get("undecoded"):
            contradicted.add(op)
            continue
        walks = _trace_point_walks(p)
        if walks is None:
            continue
        for operand, modelled in walks.items():
            recorded = [(lo + j * stride, lo + j * stride + size) for _, lo, count, stride, size
                        in p.get("repeats", {}).get(operand, []) for j in range(count)]
            if recorded != modelled:
                contradicted.add(op)
        covered[op] += 1
    return frozenset(op for op in covered if op not in contradicted)


def _trace_point_walks(point: dict) -> dict[str, list] | None:
    """The modelled walk of each operand of one trace grid point (tiles at byte 0, as recorded), or
    None when the model does not cover the point."""
    valid = (-1, -1) if not point["valid_static"] else (point["valid_rows"], point["valid_cols"])
    def grid_tile(rows: int, cols: int) -> TileInfo:
        tile = TileInfo(point["dtype"], rows, cols, 0, False, bool(point["valid_static"]), "RowMajor", valid)
        tile.shape, tile.type_text = (point["valid_rows"], point["valid_cols"]), "grid"
        return tile
    dst = grid_tile(point["rows"], point["cols"])
    if point["op"] in TBINS:
        if point.get("form"):
            return None
        chunks = _tbins_walks(dst, grid_tile(point["rows"], point["cols"]))
        return None if chunks is None else {"dst": chunks[0], "src0": chunks[1]}
    if point.get("form") not in ("src1_colmajor", "src1_colmajor_tmp"):
        return None
    column = TileInfo(point["dtype"], point["rows"], 1, 0, False, True, "ColMajor", (point["valid_rows"], 1))
    walks = _row_expansion_walks({0: dst, 1: grid_tile(point["rows"], point["cols"]), 2: column})
    return dict(zip(("dst", "src0"), (walk for _, walk in walks), strict=True)) if walks else None


def _at(code: str, where: int, tiles: dict[str, TileInfo | None], args: list[str]) -> dict[str, TileInfo | None]:
    """``tiles`` as an op at ``where`` sees them: a tile whose run-time valid shape its
    construction gives in full is full there when the op follows its declaration in the same
    straight block (no brace between: every path to the op runs the declaration last) and nothing
    between sets its valid shape or assigns it. A tile whose address is given (its first TASSIGN or
    TRESHAPE in its declaration's block) only after ``where`` is unknown there."""
    seen = dict(tiles)
    for arg in args:
        tile = tiles.get(arg)
        if tile is not None and tile.assigned_at > where:
            seen[arg] = None
            continue
        if tile is None or tile.full or not tile.ctor_full or not 0 <= tile.declared_at <= where:
            continue
        between = code[tile.declared_at:where]
        if "{" in between or "}" in between or re.search(r"\b" + tile.name + r"\s*\.\s*SetValidShape\b", between) \
                or re.search(r"(?<![\w.])" + tile.name + r"\s*=(?!=)", between):
            continue
        here = copy.copy(tile)
        here.full = True
        here.prefix_rows = here.rows
        seen[arg] = here
    return seen


# A name that may stand as an op's scalar operand: one the function or file declares with a
# scalar type (an operand named otherwise, a tile of a type the oracle cannot read, say, is unknown).
SCALAR_DECLARATION = (r"\b(?:float|half|bfloat16_t|float16_t|float32_t|double|bool|RoundMode|SaturationMode|"
                      r"u?int(?:8|16|32|64)_t|int|unsigned|long|(?:std::)?size_t)\s+")


def _op(name: str, args: list[str], tiles, scalar_names: frozenset[str] | None = None) -> Op | None:
    reads, writes, operands = set(), set(), []
    for index, arg in enumerate(args):
        if re.fullmatch(r"[-+]?[\d.]+[fFuUlL]*|\(\w+\)\s*[-+]?[\d.]+[fFuUlL]*|\w+::\w+", arg):
            continue                  # a literal or an enumerator (TCVT's RoundMode)
        if not re.fullmatch(r"\w+", arg):
            return None
        if arg not in tiles:
            if index == 0 or (scalar_names is not None and arg not in scalar_names):
                return None
            continue                  # a scalar operand (TADDS's)
        tile = tiles[arg]
        if tile is None:
            return None
        # (A fourth tile operand, or TCVT's third, is a tmp: written.)
        written = index == 0 or name in REDUCTIONS or index >= 3 or (name == "TCVT" and index == 2)
        (writes if written else reads).add(tile.span)
        operands.append((index, tile))
    if len(operands) < SCRATCH_WITHOUT_TMP.get(name, 0):
        writes.add(SCRATCH)
    op = Op(name, reads, writes, operands)
    if name in TBINS and [i for i, _ in operands] == [0, 1]:
        chunks = _tbins_walks(operands[0][1], operands[1][1])
        if chunks is not None:
            op.walks = [(operands[0][1].span, chunks[0]), (operands[1][1].span, chunks[1])]
    return op


def _overlap(a: set, b: set) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def _disjoint(before: list[Op], after: list[Op], chains: bool) -> bool:
    """No op before writes bytes an op after reads or writes, nor reads bytes it writes; with
    ``chains``, but where the pair is a same-access chain (_chain)."""
    for early in before:
        for late in after:
            hazard = _overlap(early.writes, late.reads | late.writes) or _overlap(early.reads, late.writes)
            if hazard and not (chains and (_chain(early, late) or _column_chunk_chain(early, late))):
                HAZARD[:] = [f"{early.name} -> {late.name}"]
                return False
    return True


def _chain(producer: Op, consumer: Op) -> bool:
    """Whether the consumer provably trails the producer over every byte both touch (PTOAS's
    hardware-safe same-access chain, https://github.com/hw-native-sys/PTOAS/pull/674, judged on
    pto-isa's recorded walks): both ops walk every operand linearly for its type in the trace
    grid (LINEAR_WALK); the producer is a single-cycle one (SINGLE_CYCLE); every tile of either
    has one element size, is RowMajor with every element valid, or every tile of both has the
    same first r rows valid in full (a run-time shape (r, Cols) from constants; `prefix_rows`); the
    bytes they share are whole tiles at one address, which the consumer reads (a plain overwrite
    keeps its barrier), and the producer's pass over the valid part is at least 16 repeats of
    256 bytes. Then both walk those bytes 256 bytes a repeat in address order, so the consumer's
    k-th repeat touches only what the producer touched in its k-th. The partly valid case: pto-isa
    a2a3 TBinOp.hpp `BinaryInstrGeneralPath` (f35e7f60), a run-time valid shape whose validCol
    equals the static Cols takes the "continuous" branch, one pass over validRow * validCol
    elements from the tile's start (Bin1LNormMode / Bin1LCountMode), the code a fully valid
    run-time tile of r rows runs; its walk is judged by the trace's class for r rows."""
    if producer.name not in SINGLE_CYCLE or not producer.operands or not consumer.operands:
        return False
    everything = [tile for _, tile in producer.operands + consumer.operands]
    first = everything[0]
    if any(not t.prefix_rows or t.size != first.size or TRACE_DTYPE.get(t.dtype) != TRACE_DTYPE.get(first.dtype)
           for t in everything):
        return False
    partial = any(not t.full for t in everything)
    if partial and (len({t.prefix_rows for t in everything}) != 1
                    or producer.name not in ELEMENTWISE or consumer.name not in ELEMENTWISE):
        return False
    valid_bytes: dict[tuple, int] = {}
    for t in everything:
        valid_bytes[t.span] = min(valid_bytes.get(t.span, 1 << 40), t.prefix_rows * t.cols * t.size)
    for op, needed in ((producer, ("256",)), (consumer, ("256", "ordered"))):
        for _, tile in op.operands:
            key = _walk_class(TRACE_DTYPE.get(tile.dtype, "?"), all(t.static_valid for _, t in op.operands),
                              tile.prefix_rows, tile.cols * tile.size)
            if WALK_ORDER.get(key, {}).get(op.name) in needed:
                continue
            # (Or both ops walk this class of tile repeat for repeat alike, in the trace.)
            same = SAME_WALK.get(key, {})
            if not partial and producer.name in same and same.get(producer.name) == same.get(consumer.name) \
                    and all(t.rows == tile.rows and t.cols == tile.cols
                            for _, t in producer.operands + consumer.operands):
                continue
            return False
    if SCRATCH in producer.writes | consumer.writes:
        return False
    producer_spans = producer.reads | producer.writes
    consumer_spans = consumer.reads | consumer.writes
    shared = [(x, y) for x in producer_spans for y in consumer_spans if x[0] < y[1] and y[0] < x[1]
              and (x in producer.writes or y in consumer.writes)]
    for x, y in shared:
        # (From the producer's result to the consumer's source, as PTOAS requires: a WAR or a
        # plain WAW pair is not credited.)
        if x != y or x not in producer.writes or y not in consumer.reads \
                or valid_bytes[y] // 256 < 16 or valid_bytes[y] % 256:
            return False
    return True


CHUNK_MODEL_AGREES = _trace_agrees()


def ptofix_version(root: str = ROOT) -> str:
    """The commit of the ptofix code measured, with a digest of any uncommitted change to it (the
    cache key's part that moves when the proof does)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, check=False)
        return done.stdout
    head = git("rev-parse", "--short=12", "HEAD").strip()
    trees = git("rev-parse", "HEAD:ptofix", "HEAD:passes", "HEAD:pyproject.toml").split()
    dirty = git("diff", "HEAD", "--", "ptofix", "passes", "pyproject.toml")
    code = hashlib.sha256(("".join(trees) + dirty).encode()).hexdigest()[:12]
    return f"{head} (code {code}{', uncommitted changes' if dirty else ''})"


def run_auto(path: str, includes: list[str], pto_isa: str | None, cache: str | None = None,
             version: str = "", root: str = ROOT) -> dict:
    """The pipe-v-barrier pass's report of `run --pattern auto` on ``path`` (cached under ``cache``
    by the file's bytes, the include directories, the pto-isa checkout and ptofix's version)."""
    command = [sys.executable, "-m", "ptofix", "run", "--pattern", "auto", "--report", "json",
               "--report-file", "-", "-o", os.devnull, path]
    for directory in includes:
        command += ["-I", directory]
    if pto_isa:
        command += ["--pto-isa", pto_isa]
    key_file = None
    if cache:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read())
        digest.update("\0".join([version.split("code ")[-1], *includes, pto_isa or ""]).encode())
        key_file = os.path.join(cache, digest.hexdigest() + ".json")
        if os.path.exists(key_file):
            with open(key_file, encoding="utf-8") as handle:
                return json.load(handle)
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, check=False)
    if done.returncode not in (0, 1):
        result = {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    else:
        document = json.loads(done.stdout)
        # (one report shape for one file or many since ux's merge: {"version", "files": [...]};
        # a --ptofix checkout from before it prints the file's report itself)
        report = document["files"][0] if "files" in document else document
        result = next((p for p in report["passes"] if p["pass"] == "pipe-v-barrier"), {"decisions": []})
    if key_file:
        os.makedirs(cache, exist_ok=True)
        with open(key_file + ".part", "w", encoding="utf-8") as handle:
            json.dump(result, handle)
        os.replace(key_file + ".part", key_file)
    return result


# Headers of the CANN SDK (Ascend C, the ACL runtime), which no public kernel repository holds:
# a kernel that includes one is counted apart as "needs the CANN SDK".
CANN_HEADER = re.compile(r"header '((?:kernel_operator\w*|kernel_tiling/\w+|acl/\w+|runtime/\w+|hccl/\w+"
                         r"|tikcfw/\w+|register/\w+)\.h(?:pp)?)' not found")


CANN_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]((?:kernel_operator\w*|kernel_tiling/\w+|acl/\w+|runtime/\w+'
                          r'|hccl/\w+|tikcfw/\w+|register/\w+)\.h(?:pp)?)[>"]', re.M)


def cann_includes(path: str) -> set[str]:
    """The CANN SDK headers ``path`` itself includes (however ptofix reports it)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return set(CANN_INCLUDE.findall(handle.read()))
    except OSError:
        return set()


def cause_of(decision: dict) -> str:
    kind = decision.get("cause", {}).get("kind", "?")
    if kind == "unread":
        inner = re.sub(r"\(\d+:\d+: ", "(", decision["reason"])
        return "unread: " + " ".join(re.sub(r"'[^']*'", "'X'", inner).split()[:12])
    if kind == "unmodelled":
        reason = decision["reason"]
        inner = reason.split("is not modelled (", 1)[-1]
        inner = re.sub(r"^(?:\S+:)?\d+:\d+: ", "", inner)
        return "unmodelled: " + " ".join(re.sub(r"'[^']*'", "'X'", inner).split()[:12])
    return kind


def manifest_rows(rows: list[list[str]]) -> list[tuple[str, str, str, str, list[str]]]:
    """(set, repo, commit, path, include dirs) of each manifest row (the header row dropped)."""
    return [(r[0], r[1], r[2], r[3], r[4].split() if len(r) > 4 else []) for r in rows[1:]]


def checkout_dir(set_name: str, repo: str) -> str:
    return f"{set_name}/{repo.split('/')[1]}"


def include_dirs(set_name: str, repo: str, includes: list[str]) -> list[str]:
    """A manifest row's include directories relative to the sets' root (`pto-isa:DIR`: DIR of the
    set's own hw-native-sys/pto-isa checkout)."""
    return [f"{set_name}/pto-isa/{d.removeprefix('pto-isa:')}" if d.startswith("pto-isa:")
            else f"{checkout_dir(set_name, repo)}/{d}" for d in includes]


def fetch_list(rows: list[list[str]], into: str, mirrors: str) -> int:
    """Lay out each (set, repository, commit) of the manifest as INTO/SET/REPO_NAME/ from the git
    mirror MIRRORS/OWNER+NAME/repo (`git archive`), and write INTO/list.tsv."""
    entries = manifest_rows(rows)
    wanted: dict[str, tuple[str, str]] = {}
    for set_name, repo, commit, _, _ in entries:
        if wanted.setdefault(checkout_dir(set_name, repo), (repo, commit)) != (repo, commit):
            print(f"error: {checkout_dir(set_name, repo)} is listed at two commits", file=sys.stderr)
            return 2
    for here, (repo, commit) in sorted(wanted.items()):
        target = os.path.join(into, here)
        stamp = os.path.join(target, ".reach_eval_commit")
        if os.path.exists(stamp):
            with open(stamp, encoding="utf-8") as handle:
                if handle.read().strip() == commit:
                    continue
        mirror = os.path.join(mirrors, repo.replace("/", "+"), "repo")
        if not os.path.isdir(mirror):
            print(f"error: no git mirror of {repo} at {mirror} (fetch it first)", file=sys.stderr)
            return 2
        os.makedirs(target, exist_ok=True)
        archive = subprocess.run(["git", "-C", mirror, "archive", "--format=tar", commit],
                                 capture_output=True, check=False)
        if archive.returncode != 0:
            print(f"error: {repo}@{commit}: {archive.stderr.decode(errors='replace').strip()}", file=sys.stderr)
            return 2
        subprocess.run(["tar", "-x", "-C", target], input=archive.stdout, check=True)
        with open(stamp, "w", encoding="utf-8") as handle:
            handle.write(commit + "\n")
        print(f"laid out {repo}@{commit} as {target}", file=sys.stderr)
    sources = sorted({f"{repo}@{commit}" for _, repo, commit, _, _ in entries})
    # (Written aside and renamed: others may be reading the list while it is rewritten.)
    with open(os.path.join(into, "list.tsv.part"), "w", encoding="utf-8") as handle:
        handle.write("# set/path<TAB>-I dir...; sources: " + ", ".join(sources) + "\n")
        for set_name, repo, _, path, includes in entries:
            dirs = include_dirs(set_name, repo, includes)
            handle.write("\t".join([f"{checkout_dir(set_name, repo)}/{path}"] + [f"-I {d}" for d in dirs]) + "\n")
    os.replace(os.path.join(into, "list.tsv.part"), os.path.join(into, "list.tsv"))
    print(f"wrote {os.path.join(into, 'list.tsv')} ({len(entries)} files)", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list")
    parser.add_argument("--pto-isa")
    parser.add_argument("--root", default="/tmp/reach_eval2", help="the checkouts a manifest's paths are under")
    parser.add_argument("--fetch-list", metavar="DIR",
                        help="with the manifest: lay out its checkouts under DIR from --mirrors, write DIR/list.tsv")
    parser.add_argument("--mirrors", default="/work/.mirror", help="git mirrors as OWNER+NAME/repo")
    parser.add_argument("--cache", metavar="DIR", help="keep ptofix's reports here (keyed by file, -I and ptofix)")
    parser.add_argument("--ptofix", default=ROOT, metavar="REPO",
                        help="the checkout whose ptofix is measured (run from there; default: this script's)")
    parser.add_argument("--jobs", type=int, default=1, help="ptofix runs at once")
    parser.add_argument("--markdown", metavar="FILE", help="also write the per-set table and lists as Markdown")
    parser.add_argument("--per-file", action="store_true")
    parser.add_argument("--unproven", action="store_true", help="list removals the oracle cannot prove")
    parser.add_argument("--why", action="store_true", help="count what left the oracle undecided")
    parser.add_argument("--all-causes", action="store_true", help="count the causes of every kept barrier too")
    parser.add_argument("--strict", action="store_true",
                        help="credit no same-access chain (only disjoint bytes and drains)")
    options = parser.parse_args()
    base = os.path.dirname(os.path.abspath(options.list))
    with open(options.list, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip() and not line.startswith("#")]
    is_manifest = bool(rows) and rows[0][:2] == ["set", "repo"]
    if options.fetch_list:
        if not is_manifest:
            print("error: --fetch-list takes the manifest (scripts/reach_eval_sets.tsv)", file=sys.stderr)
            return 2
        return fetch_list(rows, os.path.abspath(options.fetch_list), options.mirrors)
    if is_manifest:
        # The manifest (scripts/reach_eval_sets.tsv): checkouts under --root as SET/REPO_NAME/.
        base = os.path.abspath(options.root)
        rows = [[f"{checkout_dir(s, r)}/{path}"] + [f"-I {d}" for d in include_dirs(s, r, inc)]
                for s, r, _, path, inc in manifest_rows(rows)]
    version = ptofix_version(options.ptofix)
    jobs = []
    for row in rows:
        path = os.path.join(base, row[0])
        includes = [os.path.join(base, part[3:]) for part in row[1:] if part.startswith("-I ")]
        jobs.append((row[0], path, includes))
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        reports = list(pool.map(
            lambda job: run_auto(job[1], job[2], options.pto_isa, options.cache, version, options.ptofix), jobs))
    tally = Tally()
    for (name, path, includes), report in zip(jobs, reports, strict=True):
        why: dict[int, str] = {}
        truth = oracle(path, chains=not options.strict, why=why, includes=includes)
        tally.add(name, truth, report, options, why, cann_includes(path))
    lines = tally.summary(options)
    print("\n".join(lines))
    if options.markdown:
        with open(options.markdown, "w", encoding="utf-8") as handle:
            handle.write(tally.markdown(version, " ".join(sys.argv[1:])))
    return 0


class Tally:
    """Per-set counts of one measurement."""

    def __init__(self) -> None:
        self.sets: dict[str, Counter[str]] = {}
        self.kept: dict[str, Counter[str]] = {}
        self.unproven: dict[str, Counter[str]] = {}
        self.unproven_list: dict[str, list[str]] = {}
        self.every_kept: dict[str, Counter[str]] = {}
        self.per_file: list[str] = []
        self.cann: dict[str, Counter[str]] = {}

    def add(self, relative: str, truth: dict[int, bool], report: dict, options: argparse.Namespace,
            why: dict[int, str] | None = None, included: set[str] | frozenset[str] = frozenset()) -> None:
        name = relative.split("/")[0]
        counts = self.sets.setdefault(name, Counter())
        causes = self.kept.setdefault(name, Counter())
        if "error" in report:
            causes["refused: " + report["error"][:80]] += sum(truth.values())
        removed = {d["line"] for d in report.get("decisions", []) if d["decision"] == "removed"}
        for d in report.get("decisions", []):
            if d["decision"] == "kept" and truth.get(d["line"]):
                causes[cause_of(d)] += 1
            if d["decision"] == "kept":
                self.every_kept.setdefault(name, Counter())[cause_of(d)] += 1
        file_counts = Counter(barriers=len(truth), oracle=sum(truth.values()), removed=len(removed),
                              proven=sum(1 for line in removed if truth.get(line)))
        counts.update(file_counts)
        counts["files"] += 1
        cann = set(included) | {m.group(1) for d in report.get("decisions", [])
                                for m in [CANN_HEADER.search(d.get("reason", ""))] if m}
        if cann:
            counts["cann_files"] += 1
            counts["cann_barriers"] += len(truth)
            self.cann.setdefault(name, Counter()).update(cann)
        self.per_file.append(f"{relative}: " + ", ".join(f"{k} {v}" for k, v in file_counts.items()))
        for d in report.get("decisions", []):
            if d["decision"] == "removed" and not truth.get(d["line"]):
                beyond = "the oracle cannot prove it" if d["line"] in truth else "not a barrier the oracle reads"
                reason = re.sub(r"\d+", "N", d["reason"].split(";")[0])
                self.unproven.setdefault(name, Counter())[f"{beyond}: {reason[:110]}"] += 1
                oracle_says = (why or {}).get(d["line"], "not read")
                self.unproven_list.setdefault(name, []).append(
                    f"{relative}:{d['line']}: ptofix: {d['reason'][:200]} | oracle: {oracle_says}")

    def summary(self, options: argparse.Namespace) -> list[str]:
        out = list(self.per_file) if options.per_file else []
        if options.why:
            out += [f"    oracle undecided: {n:4d}  {what}" for what, n in UNDECIDED.most_common(25)]
        for name, counts in self.sets.items():
            share = f"{100 * counts['proven'] / counts['oracle']:.0f}%" if counts["oracle"] else "-"
            out.append(f"{name}: {counts['files']} files, {counts['barriers']} barriers, oracle-removable "
                       f"{counts['oracle']}, removed {counts['removed']}, removed and oracle-proven "
                       f"{counts['proven']} ({share} of oracle-removable), removed beyond the oracle "
                       f"{counts['removed'] - counts['proven']}")
            if counts["cann_files"]:
                out.append(f"    needs the CANN SDK (a header not found): {counts['cann_files']} files, "
                           f"{counts['cann_barriers']} barriers ({', '.join(sorted(self.cann[name]))})")
            out += [f"    kept where the oracle removes: {n:4d}  {c}" for c, n in self.kept[name].most_common()]
            out += [f"    removed beyond the oracle: {n:4d}  {c}"
                    for c, n in self.unproven.get(name, Counter()).most_common()]
            if options.unproven:
                out += [f"      {line}" for line in self.unproven_list.get(name, [])]
            if options.all_causes:
                out += [f"    kept (any barrier): {n:4d}  {c}"
                        for c, n in self.every_kept.get(name, Counter()).most_common(15)]
        return out

    def markdown(self, version: str, arguments: str) -> str:
        out = ["# Reach of `run --pattern auto` against scripts/reach_oracle.py\n",
               f"ptofix {version}; `python scripts/reach_oracle.py {arguments}`\n",
               "| set | files | barriers | oracle-removable | removed | removed and proven "
               "| removed beyond the oracle | needs the CANN SDK (files / barriers) |",
               "|---|---|---|---|---|---|---|---|"]
        for name, c in self.sets.items():
            share = f" ({100 * c['proven'] / c['oracle']:.0f}%)" if c["oracle"] else ""
            out.append(f"| {name} | {c['files']} | {c['barriers']} | {c['oracle']} | {c['removed']} | "
                       f"{c['proven']}{share} | {c['removed'] - c['proven']} | "
                       f"{c['cann_files']} / {c['cann_barriers']} |")
        for name in self.sets:
            out.append(f"\n## {name}\n\nKept where the oracle proves removable, by ptofix's cause:\n")
            out += [f"- {n} {c}" for c, n in self.kept[name].most_common()] or ["- none"]
            out.append("\nEvery kept barrier, by ptofix's cause (top 25):\n")
            out += [f"- {n} {c}" for c, n in self.every_kept.get(name, Counter()).most_common(25)] or ["- none"]
            out.append("\nRemoved beyond the oracle (file:line: ptofix's reason):\n")
            out += [f"- {line}" for line in self.unproven_list.get(name, [])] or ["- none"]
        return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
