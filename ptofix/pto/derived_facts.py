"""Op facts read from pto-isa's own recorded trace (ptofix/pto/derived_facts.json).

scripts/trace_facts/record.py compiles pto-isa's real a2a3 implementation of every op of the
effects table (ops.OPS) with the host cost model (``-D__COSTMODEL``, of a pto-isa checkout given with ``--pto-isa``)
over a grid of tile types, and records every CCE intrinsic each call issues. scripts/derive_facts.py
decodes those intrinsics into the bytes each repeat touches and writes the table this module reads.
tests/pto/test_derived_facts.py re-derives it from the checkout and fails on any difference.

Schema of derived_facts.json (``"schema": 1``)::

    {
      "schema": 1,
      "pto_isa": {"commit": "f35e7f60", "arch": "a2a3", "npu_arch": "2201"},
      "sources": {                      # the headers the facts of each op come from (pto/op_sources.py)
        "commit": "f35e7f60",
        "files": {PATH: SHA256},        # every header of pto-inst.hpp's include graph read, its bytes' hash
        "common": [PATH, ...],          # the headers of every op
        "ops": {OP: [PATH, ...]}        # each op's headers beyond the common ones (every op of
                                        # ops.OPS and of "ops" below)
      },
      "ops": {
        OP: {
          CLASS: {                      # type_class(...) of the grid points below, with_form'ed
            "walk": {ROLE: KIND | null},  # per operand role ("dst", "src0", "src1", "tmp", ...):
                                          # one of WALK_KINDS when every point of the class agrees,
                                          # null when they disagree
            "kind": KIND | null,          # the kind every full-shape operand (dst and the sources of
                                          # dst's shape) shares at every point, else null
            "barriers": {"leading": bool, "between": int, "trailing": bool} | null,
                                          # internal pipe_barrier(PIPE_V / PIPE_ALL): before the first
                                          # vector instruction, between two, after the last; null when
                                          # the points disagree
            "count_mode": {"uses": bool, "ends_in": bool} | null,
                                          # set_mask_count issued; the op returns in count mode
            "scratch": bool | null,       # touches pto's hidden UB scratch [0x2e000, 0x30000)
            "points": [ID, ...]           # the grid points of the class
          }
        }
      },
      "points": {
        ID: {
          "op": OP, "form": str (only for another form than the op's usual operands),
          "dtype": str, "layout": "RowMajor" | "ColMajor", "valid_static": bool,
          "rows": int, "cols": int, "valid_rows": int, "valid_cols": int,
          "call": str,                              # the C++ call the harness made
          "compile_error": str,                     # (only) pto-isa rejects the type; no other field
          "operand_bytes": {ROLE: int},             # each tile operand's Rows * Cols * element size
          "instructions": [[NAME, REPEAT], ...],    # the vector instructions issued, in order
          "walk": {ROLE: KIND},                     # each operand's walk (see below)
          "repeats": {ROLE: [[INSTR, LO, HI], ...]} # each repeat touching the operand, in issue
                                                    # order: instruction index and byte range
                                                    # [LO, HI) from the operand's start
          "footprint": {ROLE: {"read": [[LO, HI], ...], "write": [[LO, HI], ...]},
                        "scratch": {"read": [...], "write": [...]}},   # from 0x2e000
          "outside": [[LO, HI], ...],               # absolute bytes touched outside every operand
                                                    # and the scratch (should stay empty)
          "undecoded": [NAME, ...],                 # intrinsics whose operands the generator does
                                                    # not decode: their bytes are not in the
                                                    # footprint and their walk is "other"
          "barriers": {...}, "count_mode": {...}    # as in a class
        }
      }
    }

The walk kinds (WALK_KINDS): ``linear`` (256-byte repeats from the operand's start in address
order: repeat k covers [256k, 256k + 256), the last one possibly shorter); ``column_chunks``
(per 256-byte column chunk of the valid row, left to right, one repeat per valid row in row order,
the repeat stride one row); ``row_by_row`` (valid rows in order, each row's 256-byte chunks in
address order, not linear); ``other`` (anything else, an undecoded intrinsic included). Where
several apply, the first of linear, row_by_row, column_chunks is recorded: one valid row, or
full rows of exactly 256 bytes, walk linearly; rows of one chunk (at most 256 valid bytes) walk
row by row, as ptofix/pto/walks.py names them. For a ColMajor tile "row" reads "column".

A type class (``type_class``) groups grid points that one branch of pto-isa's code is expected
to treat alike: the element type, layout, whether the valid shape is static in the type, how a
row compares with 256 bytes (and with an 8-bit repeat stride), whether the valid rows and columns
are the whole tile, one row, or whole repeats, whether the op runs more than 255 repeats, and
whether the rows (static, and valid) outnumber the 256-byte repeats of a row. A class tells nothing about a type
no grid point of it sampled: ``walk_kind`` answers only from a class the table holds, and only
when its points agree.
"""
from __future__ import annotations

import functools
import json
import os
from itertools import repeat
from typing import Any

from ..records import Value
from .tiles import BLOCK_BYTES, ELEMENT_BYTES, REPEAT_BYTES, REPEAT_MAX

LINEAR = "linear"
COLUMN_CHUNKS = "column_chunks"
ROW_BY_ROW = "row_by_row"
OTHER = "other"
WALK_KINDS = (LINEAR, COLUMN_CHUNKS, ROW_BY_ROW, OTHER)

TABLE_PATH = os.path.join(os.path.dirname(__file__), "derived_facts.json")
SCHEMA = 1


def type_class(dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int, valid_rows: int,
               valid_cols: int) -> str | None:
    """The class key of a tile type and its valid shape (see the module docstring); None for an
    element type of unknown size or a shape that is not a tile's."""
    size = ELEMENT_BYTES.get(dtype)
    if size is None or min(rows, cols) < 1 or not (0 <= valid_rows <= rows and 0 <= valid_cols <= cols):
        return None
    if layout == "ColMajor":       # a column is the contiguous line
        rows, cols, valid_rows, valid_cols = cols, rows, valid_cols, valid_rows
    line = cols * size
    if line < REPEAT_BYTES:
        line_class = "lt256"
    elif line == REPEAT_BYTES:
        line_class = "eq256"
    else:
        line_class = "gt256x" if line % REPEAT_BYTES == 0 else "gt256r"
    if valid_cols == cols:
        cols_class = "full"
    else:
        cols_class = "part256" if valid_cols * size % REPEAT_BYTES == 0 else "part"
    if valid_rows == 1:
        rows_class = "one"
    elif valid_rows == rows:
        rows_class = "full"
    else:
        rows_class = "part"
    if line > REPEAT_MAX * BLOCK_BYTES:
        line_class += "-wide"       # a row past an 8-bit repeat stride of 32-byte blocks
    repeats = -(-valid_rows * valid_cols * size // REPEAT_BYTES)
    many = "many" if repeats > REPEAT_MAX or valid_rows > REPEAT_MAX else "few"
    static = "static" if valid_static_in_type else "dynamic"
    # Rows against the 256-byte repeats of one row, statically (TBinSOp/TBinOp/TUnaryOp's two-level
    # paths take one instruction a row when Rows <= Cols / elements-a-repeat) and at run time
    # (TRowExpandBinOp's useCountMode: validCol / elements-a-repeat > validRow).
    rows_per_line = "le" if rows <= line // REPEAT_BYTES else "gt"
    valid_per_line = "lt" if valid_rows < valid_cols * size // REPEAT_BYTES else "ge"
    return (f"{dtype}|{layout}|{static}|line={line_class}|vcols={cols_class}|vrows={rows_class}|repeats={many}"
            f"|rows={rows_per_line}|vrows_line={valid_per_line}")


def with_form(key: str, form: str) -> str:
    """The class key of a call of one of an op's forms (``form``: "" for its usual operands; e.g.
    "src1_colmajor" for a TROWEXPANDMUL whose per-row operand is a ColMajor [rows, 1] tile)."""
    return f"{key}|form={form}" if form else key


class OpClassFacts(Value):
    """What the table says of one op over one type class (None: the class's points disagree). (A
    records.Value, not a typing.NamedTuple: that compiled each string annotation into a ForwardRef at
    import, ~0.3 ms of every run; issue #70 item 7.)"""
    walk: dict[str, str | None]
    kind: str | None
    barriers: dict[str, Any] | None
    count_mode: dict[str, bool] | None
    scratch: bool | None
    points: tuple[str, ...]


# The line scripts/derive_facts.py ``dumps`` writes before the grid points, the file's last section.
_POINTS_LINE = b' "points": {\n'
# The lines it writes around "ops": the section's head, each op's head (`  "TADD": {`) and end.
_OPS_LINE = b' "ops": {\n'
_OP_END_LINES = (b"  },\n", b"  }\n")
_OPS_END_LINES = (b" },\n", b" }\n")
_TABLE_END = b"\n}\n"
_READ_BYTES = 1 << 16      # lines read at a time (the head is ~1.2 MB of the file's 7.7)


class DerivedFacts:
    """The derived table, read once from its JSON (``load``).

    A run reads only the head of the file, up to ``"ops"``'s end (about a sixth of it); the grid
    points (``"points"``, which the tests and the generator read) are read and parsed the first time
    ``table`` is used: parsing the whole 7 MB file cost every run some 40 MiB of peak memory. Each
    op's classes are parsed the first time that op is asked about (``raw_ops``: its JSON text):
    parsing every op's cost a one-kernel run ~25 ms of CPU for the few ops its kernel calls."""

    def __init__(self, table: dict[str, Any], points_at: tuple[str, int] | None = None,
                 raw_ops: dict[str, bytes] | None = None) -> None:
        if table.get("schema") != SCHEMA:
            raise ValueError(f"derived facts: schema {table.get('schema')!r}, expected {SCHEMA}")
        self._table = table
        self._points_at = points_at           # (path, byte offset of the "points" object), read when needed
        self._ops: dict[str, Any] = table["ops"]
        self._raw_ops: dict[str, bytes] = dict(raw_ops or {})     # op -> its classes' JSON, not parsed yet
        self._op_order: tuple[str, ...] = (*self._ops, *self._raw_ops) if raw_ops else ()
        self.commit: str = table["pto_isa"]["commit"]
        # The headers each op's facts come from, with their SHA-256 (pto/op_sources.py
        # recorded_sources; {} in a table written before they were recorded).
        self.sources: dict[str, Any] = table.get("sources") or {}

    def _op_classes(self, op: str) -> dict[str, Any]:
        """``op``'s classes ({} for an op the table has not), parsed on first use."""
        raw = self._raw_ops.pop(op, None)
        if raw is not None:
            self._ops[op] = json.loads(raw)
        return self._ops.get(op, {})

    @property
    def table(self) -> dict[str, Any]:
        """The whole table, the grid points included."""
        if self._raw_ops or self._op_order:
            # (Every op parsed, in the file's order.)
            self._ops = {op: self._op_classes(op) for op in self._op_order}
            self._table = {**self._table, "ops": self._ops}
            self._op_order = ()
        if self._points_at is not None:
            path, offset = self._points_at
            with open(path, "rb") as handle:
                handle.seek(offset)
                rest = handle.read()
            if not rest.endswith(_TABLE_END):
                raise ValueError(f"derived facts: {path} ends unlike scripts/derive_facts.py writes it")
            self._table = {**self._table, "points": json.loads(b"{\n" + rest[:-len(_TABLE_END)] + b"\n")}
            self._points_at = None
        return self._table

    @classmethod
    def load(cls, path: str = TABLE_PATH) -> DerivedFacts:
        head: list[bytes] = []
        with open(path, "rb") as handle:
            # The lines up to the first _POINTS_LINE, read a block of lines at a time (readlines
            # and list.index, not a Python loop over the lines: ~1 ms of every run).
            while block := handle.readlines(_READ_BYTES):
                try:
                    at = block.index(_POINTS_LINE)
                except ValueError:
                    head += block
                    continue
                head += block[:at]
                break
            else:
                return cls(json.loads(b"".join(head)))      # (no "points" line: the whole file)
        offset = sum(map(len, head)) + len(_POINTS_LINE)
        head, raw_ops = _ops_apart(head)
        text = b"".join(head).rstrip()
        if not text.endswith(b","):
            raise ValueError(f"derived facts: {path} is not laid out as scripts/derive_facts.py writes it")
        return cls(json.loads(text[:-1] + b"\n}\n"), (path, offset), raw_ops)

    def ops(self) -> frozenset[str]:
        return frozenset(self._ops) | frozenset(self._raw_ops)

    def class_facts(self, op: str, dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int,
                    valid_rows: int, valid_cols: int, form: str = "") -> OpClassFacts | None:
        """The facts of ``op``'s class for this type (of its operands' form ``form``), or None when
        the table has no such class."""
        key = type_class(dtype, layout, valid_static_in_type, rows, cols, valid_rows, valid_cols)
        entry = self._op_classes(op).get(with_form(key, form)) if key is not None else None
        if entry is None:
            return None
        return OpClassFacts(dict(entry["walk"]), entry["kind"], entry["barriers"], entry["count_mode"],
                            entry["scratch"], tuple(entry["points"]))

    def walk_kind(self, op: str, dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int,
                  valid_rows: int, valid_cols: int, operand: str | None = None, form: str = "") -> str | None:
        """How ``op`` walks a tile of this type (one of WALK_KINDS): the kind its full-shape operands
        share (``operand`` None) or operand role ``operand``'s ("dst", "src0", ...). None when the
        table holds no point of the type's class or the class's points disagree. The type is the
        destination's (for the elementwise ops, every operand's)."""
        facts = self.class_facts(op, dtype, layout, valid_static_in_type, rows, cols, valid_rows, valid_cols, form)
        if facts is None:
            return None
        return facts.kind if operand is None else facts.walk.get(operand)

    def point(self, point_id: str) -> dict[str, Any]:
        return dict(self.table["points"][point_id])


def _ops_apart(head: list[bytes]) -> tuple[list[bytes], dict[str, bytes]]:
    """The head's lines with "ops" left empty, and each op's classes as their JSON text, as
    scripts/derive_facts.py lays them out (`  "OP": {`, a line a class, `  },`). A head laid out
    otherwise is returned as it is, with no op apart (every op then parsed with the head)."""
    try:
        start = head.index(_OPS_LINE)
    except ValueError:
        return head, {}
    raw_ops: dict[str, bytes] = {}
    indented = list(map(bytes.startswith, head, repeat(b"   ")))
    at = start + 1
    while at < len(head) and head[at] not in _OPS_END_LINES:
        line = head[at]
        if not (line.startswith(b'  "') and line.endswith(b'": {\n')) or line.startswith(b'   '):
            return head, {}
        # The op's end: its first line after `at` not indented by three spaces, which must be
        # one of _OP_END_LINES (found with list.index over the lines' flags, not line by line).
        try:
            end = indented.index(False, at + 1)
        except ValueError:
            return head, {}
        if head[end] not in _OP_END_LINES:
            return head, {}
        name = json.loads(line[2:-4])
        if not isinstance(name, str) or name in raw_ops:
            return head, {}
        raw_ops[name] = b"{" + b"".join(head[at + 1:end]) + b"}"
        at = end + 1
    if at == len(head):
        return head, {}
    return [*head[:start], b' "ops": {},\n' if head[at].endswith(b",\n") else b' "ops": {}\n', *head[at + 1:]], raw_ops


@functools.lru_cache(maxsize=1)
def default_facts() -> DerivedFacts:
    """The table shipped beside this module (read-only data, read once)."""
    return DerivedFacts.load()


def walk_kind(op: str, dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int,
              valid_rows: int, valid_cols: int, operand: str | None = None, form: str = "") -> str | None:
    """``DerivedFacts.walk_kind`` over the shipped table."""
    return default_facts().walk_kind(op, dtype, layout, valid_static_in_type, rows, cols, valid_rows, valid_cols,
                                     operand, form)
