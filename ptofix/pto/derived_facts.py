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
from typing import Any, Final

from ..records import Value
from .tiles import BLOCK_BYTES, ELEMENT_BYTES, REPEAT_BYTES, REPEAT_MAX

LINEAR: Final = "linear"
COLUMN_CHUNKS: Final = "column_chunks"
ROW_BY_ROW: Final = "row_by_row"
OTHER: Final = "other"
WALK_KINDS = (LINEAR, COLUMN_CHUNKS, ROW_BY_ROW, OTHER)

TABLE_PATH = os.path.join(os.path.dirname(__file__), "derived_facts.json")
# Where the parts of TABLE_PATH lie in it (``table_index``), written beside it by scripts/derive_facts.py.
INDEX_PATH = os.path.join(os.path.dirname(__file__), "derived_facts.index.json")
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
    parsing every op's cost a one-kernel run ~25 ms of CPU for the few ops its kernel calls.

    With the shipped table's index (INDEX_PATH, ``table_index``) a run reads neither the ~1.2 MB
    of the ops: the head without them, then each op's text the first time it is asked about, from
    where the index says it lies (``op_spans``). Touching those 1.2 MB cost every run ~3 ms of CPU
    (most of it the pages' first touch). An index that does not fit the file (its size, the lines
    at its offsets, an op's first and last lines) is not used: the file is then read as without
    one. And a class asked about (``class_facts``) is read from its own line of the op's text
    (``_class_line``), not by parsing the op whole: the FA kernel's 6 classes are ~3 KB of its
    5 ops' 200 KB (~1 ms of CPU a run). (issue #70 item 7)"""

    def __init__(self, table: dict[str, Any], points_at: tuple[str, int] | None = None,
                 raw_ops: dict[str, bytes] | None = None,
                 op_spans: tuple[str, dict[str, tuple[int, int]]] | None = None) -> None:
        if table.get("schema") != SCHEMA:
            raise ValueError(f"derived facts: schema {table.get('schema')!r}, expected {SCHEMA}")
        self._table = table
        self._points_at = points_at           # (path, byte offset of the "points" object), read when needed
        self._ops: dict[str, Any] = table["ops"]
        self._raw_ops: dict[str, bytes] = dict(raw_ops or {})     # op -> its classes' JSON, not parsed yet
        # (path, op -> [start, end) of its text in that file): read on first use (_op_text)
        self._spans_in, spans = op_spans if op_spans is not None else ("", {})
        self._op_spans: dict[str, tuple[int, int]] = dict(spans)
        self._op_order: tuple[str, ...] = (*self._ops, *self._raw_ops, *self._op_spans) if raw_ops or spans else ()
        self._lined: dict[str, bool] = {}       # op -> _a_class_a_line of its text
        self.commit: str = table["pto_isa"]["commit"]
        # The headers each op's facts come from, with their SHA-256 (pto/op_sources.py
        # recorded_sources; {} in a table written before they were recorded).
        self.sources: dict[str, Any] = table.get("sources") or {}

    def _op_text(self, op: str) -> bytes | None:
        """``op``'s classes' JSON text while the op is not parsed (read from the file on first use,
        where the index put it), else None."""
        span = self._op_spans.pop(op, None)
        if span is not None:
            raw = _op_at(self._spans_in, op, span)
            if raw is None:
                # The file is not as its index says: read it as without one (every answer is then
                # the file's, as if the index had been refused at load).
                self._adopt(DerivedFacts.load(self._spans_in, index_path=""))
                return self._op_text(op)
            self._raw_ops[op] = raw
        return self._raw_ops.get(op)

    def _adopt(self, other: DerivedFacts) -> None:
        """Take ``other``'s reading of the same file (an index found not to fit it)."""
        self._table, self._points_at, self._ops = other._table, other._points_at, other._ops
        self._raw_ops, self._op_spans, self._op_order = other._raw_ops, other._op_spans, other._op_order
        self._lined = {}

    def _op_classes(self, op: str) -> dict[str, Any]:
        """``op``'s classes ({} for an op the table has not), parsed on first use."""
        raw = self._op_text(op)
        if raw is not None:
            del self._raw_ops[op]
            self._ops[op] = json.loads(raw)
        return self._ops.get(op, {})

    def _class_entry(self, op: str, key: str) -> Any:
        """``op``'s class ``key`` (None when the table has no such class): from its line of the op's
        text while the op is not parsed whole (and its text is laid out a class a line), else from
        the parsed op."""
        raw = self._op_text(op)
        if raw is not None and self._spans_in:
            # (The shipped table, read with its index: tests/pto/test_derived_facts_index.py reads
            # each of its classes this way and compares them with the file's.)
            lined = self._lined.get(op)
            if lined is None:
                lined = self._lined[op] = _a_class_a_line(raw)
            if lined:
                try:
                    value = _class_line(raw, key)
                    return None if value is None else json.loads(value)
                except (ValueError, LookupError):      # (not one class a line after all: parsed whole)
                    pass
        return self._op_classes(op).get(key)

    @property
    def table(self) -> dict[str, Any]:
        """The whole table, the grid points included."""
        if self._raw_ops or self._op_spans or self._op_order:
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
    def load(cls, path: str = TABLE_PATH, index_path: str | None = None) -> DerivedFacts:
        """The table in ``path``, read with its index (``index_path``: by default INDEX_PATH for
        the shipped table, none for another; "" for none) when the index fits the file."""
        if index_path is None:
            index_path = INDEX_PATH if path == TABLE_PATH else ""
        if index_path:
            indexed = cls._load_indexed(path, index_path)
            if indexed is not None:
                return indexed
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

    @classmethod
    def _load_indexed(cls, path: str, index_path: str) -> DerivedFacts | None:
        """The table read with the index in ``index_path``; None when there is none or it does not
        fit the file (its size, the "ops" line, the line ending "ops", the "points" line, the op
        spans one after the other from the first line of "ops" to its end line)."""
        try:
            with open(index_path, "rb") as handle:
                index = json.loads(handle.read())
            fd = os.open(path, os.O_RDONLY)
        except (OSError, ValueError):
            return None
        try:
            size, ops_at, ops_end, points_at = index["size"], index["ops"], index["ops_end"], index["points"]
            spans = {op: (start, end) for op, (start, end) in index["spans"].items()}
            offsets = [size, ops_at, ops_end, points_at, *(at for span in spans.values() for at in span)]
            if (not all(type(at) is int for at in offsets) or os.fstat(fd).st_size != size
                    or not 0 < ops_at < ops_end < points_at < size):
                return None
            head = os.pread(fd, ops_at + len(_OPS_LINE), 0)
            tail = os.pread(fd, points_at + len(_POINTS_LINE) - ops_end, ops_end)
        except (OSError, ValueError, TypeError, LookupError, AttributeError):
            return None         # (an index not as table_index writes it)
        finally:
            os.close(fd)
        end_line = tail[:tail.find(b"\n") + 1]
        if not (head.endswith(b"\n" + _OPS_LINE) and tail.endswith(b"\n" + _POINTS_LINE)
                and end_line in _OPS_END_LINES):
            return None
        at = ops_at + len(_OPS_LINE)
        for start, end in spans.values():
            if start != at or end <= start:
                return None
            at = end
        if at != ops_end:
            return None
        text = (head[:-len(_OPS_LINE)] + (b' "ops": {},\n' if end_line.endswith(b",\n") else b' "ops": {}\n')
                + tail[len(end_line):-len(_POINTS_LINE)]).rstrip()
        if not text.endswith(b","):
            return None
        return cls(json.loads(text[:-1] + b"\n}\n"), (path, points_at + len(_POINTS_LINE)),
                   op_spans=(path, spans))

    def ops(self) -> frozenset[str]:
        return frozenset(self._ops) | frozenset(self._raw_ops) | frozenset(self._op_spans)

    def class_facts(self, op: str, dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int,
                    valid_rows: int, valid_cols: int, form: str = "") -> OpClassFacts | None:
        """The facts of ``op``'s class for this type (of its operands' form ``form``), or None when
        the table has no such class."""
        key = type_class(dtype, layout, valid_static_in_type, rows, cols, valid_rows, valid_cols)
        entry = self._class_entry(op, with_form(key, form)) if key is not None else None
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


def _op_at(path: str, op: str, span: tuple[int, int]) -> bytes | None:
    """The JSON text of ``op``'s classes, read from its lines [start, end) of ``path`` (as
    _ops_apart sets them apart); None when those lines are not ``op``'s (the index does not fit)."""
    start, end = span
    fd = os.open(path, os.O_RDONLY)
    try:
        lines = os.pread(fd, end - start + 1, start - 1)
    finally:
        os.close(fd)
    first = b"\n  " + json.dumps(op).encode() + b": {\n"
    last = lines.rfind(b"\n", 0, len(lines) - 1) + 1
    body = lines[len(first):last]
    if (len(lines) != end - start + 1 or not lines.startswith(first) or lines[last:] not in _OP_END_LINES
            or last < len(first)
            or (body and not (body.startswith(b"   ") and body.count(b"\n   ") == body.count(b"\n") - 1))):
        return None
    return b"{" + body + b"}"


def _a_class_a_line(raw: bytes) -> bool:
    """Whether an op's text as _ops_apart sets it apart is laid out as scripts/derive_facts.py
    ``dumps`` writes it: its lines each `   "KEY": {...},` (the last without the comma), and no
    escape anywhere (every string is written as it reads)."""
    return raw == b"{}" or (raw.startswith(b'{   "') and raw.endswith(b"}\n}") and b"\\" not in raw
                            and raw.count(b'},\n   "') == raw.count(b"\n") - 1)


def _class_line(raw: bytes, key: str) -> bytes | None:
    """The JSON value of class ``key`` in an op's text laid out a class a line (_a_class_a_line), or
    None when the op has no such class: its key appears nowhere in the text (with no escape in it,
    a key is spelled as it reads). Raises LookupError when it appears but not at a line's start."""
    if '"' in key or "\\" in key or min(key, default=" ") < " ":
        return None                     # (JSON writes it with an escape)
    name = b'   "' + key.encode() + b'": '
    if name[3:-2] not in raw:
        return None
    # (Of two equal keys JSON keeps the last.)
    at = raw.rfind(b"\n" + name) + 1
    if at == 0:
        if not raw.startswith(name, 1):
            raise LookupError(key)
        at = 1
    end = raw.index(b"\n", at)
    return raw[at + len(name):end - 1 if raw[end - 1] == 0x2c else end]      # (0x2c: the comma)


def table_index(path: str = TABLE_PATH) -> dict[str, Any]:
    """Where the parts of the table in ``path`` lie in it, as ``load`` reads them: the file's size,
    the offsets of the "ops" line, of the line ending "ops" and of the "points" line, and each op's
    lines [start, end) (from its `  "OP": {` line to past its `  },` line). scripts/derive_facts.py
    writes it to INDEX_PATH beside the table; tests/pto/test_derived_facts_index.py checks that the
    shipped one is current."""
    with open(path, "rb") as handle:
        data = handle.read()
    points = data.index(b"\n" + _POINTS_LINE) + 1
    head = data[:points].splitlines(keepends=True)
    _, raw_ops = _ops_apart(head)
    if not raw_ops:
        raise ValueError(f"derived facts: {path} is not laid out as scripts/derive_facts.py writes it")
    ops_at = data.index(b"\n" + _OPS_LINE) + 1
    spans: dict[str, list[int]] = {}
    at = ops_at + len(_OPS_LINE)
    for op, raw in raw_ops.items():
        end = at + len(b"  " + json.dumps(op).encode() + b": {\n") + len(raw) - 2
        end = data.index(b"\n", end) + 1
        spans[op] = [at, end]
        at = end
    return {"size": len(data), "ops": ops_at, "ops_end": at, "points": points, "spans": spans}


@functools.lru_cache(maxsize=1)
def default_facts() -> DerivedFacts:
    """The table shipped beside this module (read-only data, read once)."""
    return DerivedFacts.load()


def walk_kind(op: str, dtype: str, layout: str, valid_static_in_type: bool, rows: int, cols: int,
              valid_rows: int, valid_cols: int, operand: str | None = None, form: str = "") -> str | None:
    """``DerivedFacts.walk_kind`` over the shipped table."""
    return default_facts().walk_kind(op, dtype, layout, valid_static_in_type, rows, cols, valid_rows, valid_cols,
                                     operand, form)
