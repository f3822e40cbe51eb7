"""The UB bytes an op's tile operands touch (TileAccesses, which a FunctionCFG holds): their dims and
valid shapes, the walk the op makes over them, bounded to the window the op reads or writes."""
from __future__ import annotations

from ..located import Located
from ..pto.ops import (
    COL,
    FULL,
    MASK,
    MODE_ENUMS,
    REPEAT_BYTES,
    ROW,
    SHAPED_ELSEWHERE,
    SOURCES_READ_AS_DST_TYPE,
    STRUCT_OUTPUT_TYPES,
    VALUE_ARGUMENTS,
    WALKED_AT_DST_ROW_PITCH,
    WINDOW_OPS,
    concat_row_bytes,
    mask_row_bytes,
    operand_walks,
    unmasked_reach,
    unmasked_repeat_bytes,
    window_column_on_grid,
)
from ..pto.ordering import COL_EXPAND_WALKED_BY_CHUNKS, WALKED_IN_REPEAT_ORDER
from ..pto.tiles import UB_ALIGN_BYTES, TileType, bytes_in_space, dtype_size, on_ub_grid, walked_in_address_order
from . import stmt_parser as A
from .c_types import expr_type
from .cfg_events import Access, outside_space, rebuilt, unknown_bytes
from .integers import IntType
from .symbols import PtrType, Symbol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ..pto.ops import OpSpec
    from .semantics import FunctionSemantics


_EXPAND_FULL_OPERANDS = (0, 1)   # TROWEXPAND*/TCOLEXPAND*: dst and src0 (when it is the full-shape one)


def elementwise_operand(op: str, index: int, spec: OpSpec) -> bool:
    if index in spec.tmp:
        return False
    if op in WALKED_IN_REPEAT_ORDER:
        return True
    # TROWEXPAND* (refined by OpEvents._row_expand: only on the vbrcb path) and TCOLEXPAND* other
    # than EXPDIF walk dst and the full source by column chunks (barriers.chain_gap models that order).
    return (spec.row_expand or op in COL_EXPAND_WALKED_BY_CHUNKS) and index in _EXPAND_FULL_OPERANDS


def tile_operand(node: Any, env: dict) -> Symbol | None:
    """The tile an op's argument names in ``env`` (a statement's scope), None for anything else (a
    scalar, an expression)."""
    if isinstance(node, A.Name):
        sym = env.get(node.id)
        if sym is not None and sym.kind == "tile":
            return sym
    return None


class TileAccesses:
    """The bytes of one function's tile operands, as its semantic model (``sem``: the types of
    expressions) and value model (``values``: addresses and valid shapes) know them."""

    def __init__(self, sem: FunctionSemantics) -> None:
        self.sem = sem
        self.values = sem.values

    def accesses(self, op: str, spec: OpSpec, args: Sequence[Any], env: dict) -> tuple[list, str]:
        out: list[Access] = []
        operands: list[tuple[int, Symbol, int]] = []     # (argument index, tile, index in out)
        value_indices = VALUE_ARGUMENTS.get(op, ())
        for index, arg in enumerate(args):
            write = index in spec.writes
            if isinstance(arg, A.Name):
                sym = env.get(arg.id)
                if sym is not None and sym.kind == "tile":
                    access = self.tile_access(sym, write, index in spec.tmp)
                    access.elementwise = elementwise_operand(op, index, spec)
                    operands.append((index, sym, len(out)))
                    out.append(access)
                    continue
                if index in spec.struct_outputs and sym is not None and sym.kind == "object" \
                        and STRUCT_OUTPUT_TYPES.get(sym.object_type) == op:
                    continue    # stored into by the scalar unit: no UB byte (OpSpec.struct_outputs)
                if sym is None:
                    scope, _, _ = arg.id.rpartition("::")
                    if scope.removeprefix("::").removeprefix("pto::") not in MODE_ENUMS:
                        return [], f"{op}: operand '{arg.id}' is not declared in this function"
                    # (else a mode constant such as RoundMode::CAST_RINT)
                elif not (sym.kind == "scalar" and not write and not isinstance(sym.ctype, PtrType)
                          or sym.kind == "object" and sym.object_type in ("RoundMode", "SaturationMode", "CmpMode")):
                    return [], f"{op}: operand '{arg.id}' is neither a tile nor a scalar ptofix knows"
            elif not isinstance(arg, (A.Number, A.Literal)):
                # Any other operand must be an arithmetic expression of scalars (not a pointer, not
                # a dereference, nothing naming a tile).
                ctype = expr_type(arg, env, self.sem)
                if write or not (isinstance(ctype, IntType) or ctype == "float"):
                    return [], f"{op}: operand {index} is an expression ptofix cannot resolve"
            # A value (literal, scalar, mode, scalar expression) is no access, but only where an
            # overload takes one: anywhere else the call is no overload ptofix knows.
            if index not in value_indices:
                return [], f"{op}: operand {index} is a value where every overload ptofix knows takes a tile"
        if op.startswith("TCOLEXPAND"):
            # src0 is the operand walked in full only when its valid shape is dst's: pto-isa swaps
            # the roles at run time otherwise (TColExpandBinOp.hpp, `src0eqdst`), and src0 is then
            # the broadcast row, read once a column chunk (no same-access chain through it).
            tiles = {index: (sym, at) for index, sym, at in operands}
            if 0 in tiles and 1 in tiles and not self._shaped_like(tiles[1][0], tiles[0][0]):
                out[tiles[1][1]].elementwise = False
        if op in WINDOW_OPS:
            self._bound_window(op, args, env, operands, out)
        elif op == "TCONCAT":
            self._bound_concat(operands, out)
        elif op not in SHAPED_ELSEWHERE:
            self._bound_walks(op, spec, len(args), operands, out)
        if op in ("TPARTARGMAX", "TPARTARGMIN") and (
                len({dtype_size(sym.tile.dtype) if sym.tile else None for _, sym, _ in operands}) != 1
                or any(sym.tile is None or sym.tile.blayout != "RowMajor" for _, sym, _ in operands)):
            # The index vsel steps by the values' repeat in other units, and a column-major tile's
            # rows are one element apart while its copies take whole blocks (TPartArgOp.hpp): not read.
            out = [unknown_bytes(a, f"{op}: values and indices of different element sizes, or a tile that is "
                                     "not row-major") for a in out]
        return out, ""

    def dims(self, sym: Symbol) -> tuple[int, int, int, int] | None:
        """(rows, cols, largest valid rows, largest valid cols) of a tile, or None."""
        tt = sym.tile
        if tt is None or tt.rows is None or tt.cols is None:
            return None
        bounds = []
        for dim, size in ((0, tt.rows), (1, tt.cols)):
            values = self.values.valid_dim_values(sym, dim)
            if self.values.shape_may_pass_tile(sym):
                return None
            # (Unknown values are taken to fit the tile; a known one past it still counts.)
            bounds.append(max(values) if values else max(self.values.known_valid_dim_values(sym, dim) | {size}))
        return tt.rows, tt.cols, bounds[0], bounds[1]

    def _bound_walks(self, op: str, spec: OpSpec, nargs: int, operands: list, out: list) -> None:
        """Make unknown the bytes of an operand the op walks past its own tile (ops.operand_walks)."""
        dims = {index: self.dims(sym) for index, sym, _ in operands if index not in spec.tmp or spec.tmp_iterated}
        syms = {index: sym for index, sym, _ in operands}
        dst_sym = syms.get(0)
        roles = operand_walks(op, nargs, {index: dst_sym is not None and self._shaped_like(sym, dst_sym)
                                          for index, sym in syms.items()})
        full = [d for index, d in dims.items() if roles.get(index, FULL) == FULL]
        if not full or any(d is None for d in dims.values()):
            return      # an operand of unknown shape already has unknown bytes
        rows = max(d[2] for d in full)       # type: ignore[index]
        cols = max(d[3] for d in full)       # type: ignore[index]
        widest = max((dtype_size(sym.tile.dtype) or 0 for index, sym, _ in operands
                      if sym.tile is not None and roles.get(index, FULL) == FULL and index not in spec.tmp), default=0)
        for index, sym, at in operands:
            d = dims.get(index)
            if d is None:
                continue
            role = roles.get(index, FULL)
            size = dtype_size(sym.tile.dtype) if sym.tile else None
            if role == MASK:
                short = d[0] < rows or size is None or d[1] * size < -(-cols // 8)
                if not short and size is not None:
                    # (a compare's mask rows reach by its sources' element size, a select's by dst's)
                    sized = syms.get(1) if op in ("TCMP", "TCMPS") else dst_sym
                    reach = self._mask_reach(op, sym, sized, rows, cols, size)
                    if reach is None or reach > d[0] * d[1] * size:
                        out[at] = self._mask_past_tile(op, out[at], sym, reach)
                    continue
            elif op in ("TCMP", "TCMPS") and role == FULL:
                # A compare reads its sources with every lane on (set_vector_mask(-1, -1)): whole
                # 256-byte repeats a row at the source's own row pitch (TCmp.hpp, TCmps.hpp).
                short = (sym.tile is None or sym.tile.blayout != "RowMajor" or size is None or d[0] < rows
                         or (rows - 1) * d[1] * size + -(-cols * size // REPEAT_BYTES) * REPEAT_BYTES
                         > d[0] * d[1] * size)
            elif role == ROW:
                short = d[0] < rows
            elif role == COL:
                short = d[1] < cols
            else:
                short = d[0] < rows or d[1] < cols
            if short:
                out[at] = unknown_bytes(out[at], f"{op} walks {rows} x {cols} elements over '{sym.name}', "
                                                  f"a {d[0]} x {d[1]} tile: past its end")
            elif op in SOURCES_READ_AS_DST_TYPE and index != 0 and not self._same_element_size(sym, dst_sym):
                out[at] = unknown_bytes(out[at], f"{op} reads '{sym.name}' as elements of its dst's type, "
                                                  "whose size differs from its own (or is unknown)")
            elif op in WALKED_AT_DST_ROW_PITCH and index != 0 and role == FULL \
                    and not self._same_row_pitch(sym, dst_sym):
                out[at] = unknown_bytes(out[at], f"{op} may walk '{sym.name}' at the row pitch of its dst "
                                                  f"(pto-isa before 9b6f43c9), not its own")
            elif role == FULL and op not in ("TCMP", "TCMPS") and index not in spec.tmp and size is not None:
                out[at] = self._unmasked(op, out[at], sym, d, rows, cols, size, widest)

    @staticmethod
    def _mask_reach(op: str, sym: Symbol, sized: Symbol | None, rows: int, cols: int, size: int) -> int | None:
        """How many bytes from its start a mask tile is touched over ``rows`` x ``cols`` iterated
        elements: ops.mask_row_bytes at each row (by the element size of ``sized``: a select's dst,
        a compare's first source), rows ``MaskTile::RowStride`` elements apart (Cols for a RowMajor
        tile, 1 for a ColMajor one: pto_tile.hpp). None: not known."""
        tt = sym.tile
        sized_tile = sized.tile if sized is not None else None
        per_row = mask_row_bytes(op, cols, dtype_size(sized_tile.dtype) if sized_tile is not None else None)
        if tt is None or tt.cols is None or per_row is None or tt.blayout not in ("RowMajor", "ColMajor"):
            return None
        pitch = tt.cols * size if tt.blayout == "RowMajor" else size
        return (rows - 1) * pitch + per_row if rows > 0 else 0

    @staticmethod
    def _unmasked(op: str, access: Access, sym: Symbol, d: tuple[int, int, int, int], rows: int, cols: int,
                  size: int, widest: int) -> Access:
        """``access`` over the bytes msSanitizer reads of an operand it does not mask (ops.
        unmasked_repeat_bytes: 1-byte elements, TCVT's narrower side) when they pass the tile's end;
        unknown bytes for a tile that is not row-major (how far then is not read)."""
        repeat_bytes = unmasked_repeat_bytes(op, size, widest)
        if repeat_bytes is None or access.intervals is None:
            return access
        tt = sym.tile
        if tt is None or tt.blayout != "RowMajor":
            return unknown_bytes(access, f"msSanitizer reads {op}'s '{sym.name}' with no mask, whole repeats of "
                                         f"{repeat_bytes} bytes, and the tile is not row-major")
        reach = unmasked_reach(rows, cols, d[1] * size, size, repeat_bytes)
        if reach <= d[0] * d[1] * size:
            return access
        return TileAccesses._past_tile(access, reach)

    @staticmethod
    def _past_tile(access: Access, reach: int) -> Access:
        """``access`` over the bytes up to ``reach`` from each of its addresses, or unknown bytes
        when they leave the tile's memory space."""
        assert access.intervals is not None
        intervals = [(lo, lo + reach) for lo, _ in access.intervals]
        if not bytes_in_space(access.space, intervals[0][0], intervals[-1][1]):
            return unknown_bytes(access, outside_space(access.space, intervals))
        return rebuilt(access, intervals, access.shape)

    @staticmethod
    def _mask_past_tile(op: str, access: Access, sym: Symbol, reach: int | None) -> Access:
        """The mask's access over the bytes up to ``reach`` from each of its addresses when that
        passes the tile's end (msSanitizer's TSELS block: ops.SANITIZER_SELECT_MASK_BLOCK), unknown
        bytes when the reach is not known or leaves the tile's memory space."""
        if access.intervals is None:
            return access
        if reach is None:
            return unknown_bytes(access, f"{op}: how far '{sym.name}' is read as its mask is not known "
                                         "(its layout or dst's element size)")
        return TileAccesses._past_tile(access, reach)

    def _shaped_like(self, sym: Symbol, dst: Symbol) -> bool:
        """``sym`` has dst's rows, cols and valid shape, provably: pto-isa's broadcast ops pick the
        full source by comparing valid shapes at run time (TRowExpandBinOp.hpp, TColExpandBinOp.hpp)."""
        if sym is dst:
            return True
        a, b = sym.tile, dst.tile
        if a is None or b is None or (a.rows, a.cols) != (b.rows, b.cols):
            return False
        mine = self._one_valid_shape(sym)
        return mine is not None and mine == self._one_valid_shape(dst)

    def _one_valid_shape(self, sym: Symbol) -> tuple[int, int] | None:
        """The valid (rows, cols) of a tile where the model knows one value for each (a static
        shape, or every construction, SetValidShape and copy giving the same), else None."""
        rows, cols = self.values.valid_dim_values(sym, 0), self.values.valid_dim_values(sym, 1)
        if rows is None or cols is None or len(rows) != 1 or len(cols) != 1:
            return None
        return next(iter(rows)), next(iter(cols))

    def _bound_window(self, op: str, args: Sequence[Any], env: dict, operands: list, out: list) -> None:
        """TINSERT(dst, src, row, col) writes src's valid shape into dst from (row, col) on, and
        TEXTRACT(dst[, dst1], src, row, col, ...) reads dst's valid shape from src there
        (TInsert.hpp, TExtract.hpp; the bounds are only PTO_ASSERTed): the walked tile's bytes
        are known only when every offset has values the model knows (a literal, or a variable
        whose every definition it evaluates) and the window at the largest of them fits in it.
        An offset is a uint16_t parameter (pto_instr.hpp): a value past its range wraps, and is
        not read. A form with more values than two per window (a pre-quantization scalar) is not
        read either."""
        tiles = list(operands)
        offsets = [arg for index, arg in enumerate(args) if index not in {i for i, _, _ in tiles}]
        if op == "TINSERT":
            walked, windows = tiles[:1], tiles[1:2]
        else:
            walked, windows = tiles[-1:], tiles[:-1]
        largest: list[int] | None = []
        for arg in offsets:
            values = self.values.eval(arg, env)
            if largest is None or not values or min(values) < 0 or max(values) > 0xFFFF:
                largest = None
                break
            largest.append(max(values))
        if largest is not None and len(largest) > 2 * len(windows):
            largest = None
        for _, sym, at in walked:
            d = self.dims(sym)
            fits = largest is not None and d is not None
            for k, (_, window, _) in enumerate(windows):
                w = self.dims(window)
                row = largest[2 * k] if largest is not None and 2 * k < len(largest) else 0
                col = largest[2 * k + 1] if largest is not None and 2 * k + 1 < len(largest) else 0
                fits = fits and w is not None and d is not None and row + w[2] <= d[0] and col + w[3] <= d[1]
            if not fits:
                out[at] = unknown_bytes(out[at], f"{op}: the window at its offsets may lie past '{sym.name}'")
        if len(offsets) <= 2 * len(windows):
            why = self.window_column_problem(op, args, env)
            if why:
                for _, _, at in tiles:
                    out[at] = unknown_bytes(out[at], why)

    def window_column_problem(self, op: str, args: Sequence[Any], env: dict) -> str:
        """Why the copies of a TEXTRACT or TINSERT between UB tiles may start off the UB's 32-byte
        block grid (a column offset not provably whole blocks: ops.window_column_on_grid), or "" when
        every one is on it: the scalar path (the window's type has a 1 x 1 valid shape) and NZ tiles
        (offsets rounded down to whole stripes) take any offset. The two-destination TEXTRACT, whose
        code ptofix has not read, is held to whole blocks as well."""
        found = [tile_operand(arg, env) for arg in args]
        syms = [sym for sym in found if sym is not None]
        offsets = [(index, arg) for index, arg in enumerate(args) if found[index] is None]
        if len(syms) < 2:
            return ""
        walked = syms[0] if op == "TINSERT" else syms[-1]
        windows = syms[1:2] if op == "TINSERT" else syms[:-1]
        types = [sym.tile for sym in syms]
        if len(syms) == 2 and all(t is not None for t in types):
            window = windows[0].tile
            assert window is not None
            if (window.valid_row, window.valid_col) == (1, 1) or all(t.blayout != "RowMajor" for t in types if t):
                return ""
        size = dtype_size(walked.tile.dtype) if walked.tile is not None else None
        # (pto.ops.window_column_on_grid)
        why = (f"pto-isa a2a3 {'TInsert' if op == 'TINSERT' else 'TExtract'}.hpp asserts it only in debug builds, "
               "and its copy then starts off the UB's 32-byte block grid: which bytes the hardware touches is "
               "not modelled")
        for k in range(len(windows)):
            if 2 * k + 1 >= len(offsets):
                break       # (a defaulted offset: 0)
            index, arg = offsets[2 * k + 1]
            name = arg.id if isinstance(arg, A.Name) else f"(argument {index + 1})"
            values = self.values.eval(arg, env) or frozenset()
            unknown = "its values are" if not values else "the element size is" if size is None and any(
                v % 0x10000 for v in values) else ""
            if unknown:
                return (f"{op} column offset {name}: ptofix cannot tell that it is a whole number of 32-byte "
                        f"blocks ({unknown} not known): {why}")
            off = sorted(v for v in values if size is not None and not window_column_on_grid(v, size))
            if off:
                return f"{op} column offset {off[0]} ({off[0] * size} bytes) is not a whole 32-byte block: {why}"
        return ""

    def _bound_concat(self, operands: list, out: list) -> None:
        """TCONCAT(dst, src0, src1) walks dst's valid rows of all three, each row as far as
        ops.concat_row_bytes says: an operand walked past its tile's rows or row has unknown bytes."""
        syms = {index: sym for index, sym, _ in operands}
        dims = {index: self.dims(sym) for index, sym in syms.items()}
        sizes = {dtype_size(sym.tile.dtype) if sym.tile is not None else None for sym in syms.values()}
        row_major = all(sym.tile is not None and sym.tile.blayout == "RowMajor" for sym in syms.values())
        dst, src0, src1 = dims.get(0), dims.get(1), dims.get(2)
        elem = next(iter(sizes)) if len(sizes) == 1 else None
        if dst is None or src0 is None or src1 is None or elem is None or not row_major:
            for _, sym, at in operands:
                out[at] = unknown_bytes(out[at], f"TCONCAT: '{sym.name}' is not a row-major tile of the other "
                                                  "operands' element size and known shape")
            return
        rows = dst[2]
        src0_bytes, src1_bytes, dst_bytes = concat_row_bytes(elem, src0[3], src1[3])
        reach = {0: dst_bytes, 1: src0_bytes, 2: src1_bytes}
        for index, sym, at in operands:
            d = dims[index]
            assert d is not None        # all three checked above
            if d[0] < rows or d[1] * elem < reach[index]:
                out[at] = unknown_bytes(out[at], f"TCONCAT walks {rows} rows of {reach[index]} bytes over "
                                                  f"'{sym.name}', a {d[0]} x {d[1]} tile: past its end")

    def tile_access(self, sym: Symbol, write: bool, tmp: bool) -> Access:
        """The UB bytes an op's whole-tile operand ``sym`` touches (every address the tile may have),
        or an Access of unknown bytes (with the reason where one is known). Part of the hazards API
        (races.py)."""
        tt = sym.tile
        addrs = self.values.tile_addresses(sym)
        if tt is None:
            return Access(sym.name, write, None, None, None, tmp)
        size = tt.nbytes
        contiguous = tt.rows == 1 or (tt.valid_col is not None and tt.valid_col == tt.cols)
        in_type = tt.valid_col is not None
        # How the op walks this operand depends on its shape only (the same-access chain's check).
        shape = (tt.rows, tt.cols, tt.dtype, tt.blayout, tt.valid_row, tt.valid_col) if tt.static_valid else None
        if addrs is None or size is None:
            why = self.no_address(sym) if addrs is None else f"the size of '{sym.name}' is not known"
            return Access(sym.name, write, tt.space, None, None, tmp, shape=shape, unknown_why=why,
                          type_contiguous=contiguous, valid_col_in_type=in_type,
                          valid_in_type=tt.static_valid)
        if not tt.static_valid:
            # A run-time valid shape is not checked against the tile's shape when constructed
            # (only SetValidShape asserts, in debug builds): one known to exceed it is walked past
            # the tile's bytes, as far as the op's loops go.
            for dim, bound in ((0, tt.rows), (1, tt.cols)):
                # (A negative value is converted to unsigned: far past the tile. Run-time values
                # the model cannot compute are taken to fit; one it can that does not fit is
                # walked, and so may a value the file fixes but the model does not evaluate, and a
                # shape computed from itself: ValueModel.shape_may_pass_tile.)
                values = self.values.known_valid_dim_values(sym, dim)
                if bound is None or any(v < 0 or v > bound for v in values) or self.values.shape_may_pass_tile(sym):
                    return Access(sym.name, write, tt.space, None, None, tmp, type_contiguous=contiguous,
                                  valid_col_in_type=in_type, valid_in_type=tt.static_valid,
                                  unknown_why=f"'{sym.name}' may have a valid shape past its {bound} "
                                              f"{('rows', 'cols')[dim]}")
        intervals = sorted((a, a + size) for a in addrs)
        if not bytes_in_space(tt.space, intervals[0][0], intervals[-1][1]):
            # Bytes past the tile's memory space (or a negative address) alias what the model
            # cannot tell (pto/tiles.py bytes_in_space).
            return Access(sym.name, write, tt.space, None, None, tmp, unknown_why=outside_space(tt.space, intervals),
                          type_contiguous=contiguous, valid_col_in_type=in_type,
                          valid_in_type=tt.static_valid)
        off_grid = sorted(a for a in addrs if not on_ub_grid(tt.space, a))
        if off_grid:
            return Access(sym.name, write, tt.space, None, None, tmp, type_contiguous=contiguous,
                          valid_col_in_type=in_type, valid_in_type=tt.static_valid,
                          unknown_why=f"address {off_grid[0]} is not on the UB's {UB_ALIGN_BYTES}-byte block grid")
        walked = tt if tt.static_valid else self.known_valid_shape(sym, tt)
        if walked is not tt:
            shape = (walked.rows, walked.cols, walked.dtype, walked.blayout, walked.valid_row, walked.valid_col)
        exact = None
        repeats = 0
        if len(addrs) == 1 and walked.static_valid and tt.space is not None and tt.blayout in ("RowMajor", "ColMajor"):
            exact = (tt.space, next(iter(addrs)), tt.rows, tt.cols, tt.dtype, tt.blayout, walked.valid_row,
                     walked.valid_col)
            if walked_in_address_order(tt.rows, tt.cols, tt.blayout, walked.valid_row, walked.valid_col):
                repeats = walked.repeats
        return Access(sym.name, write, tt.space, intervals, exact, tmp, repeats, shape=shape,
                      type_contiguous=contiguous, valid_col_in_type=in_type,
                      valid_in_type=tt.static_valid, buffer=one_buffer(sym) if exact is not None else None)

    def no_address(self, sym: Symbol) -> str:
        """Why no address of tile ``sym`` is known, and where when a statement says (ValueModel.
        unknown_address): ``no address of 'c' is known: 19:3: 'do' is not modelled (a statement
        ptofix cannot read names 'c')``, its place kept as data (located.Located)."""
        head = f"no address of '{sym.name}' is known"
        unknown = self.values.unknown_address(sym)
        if unknown is None:
            return head
        why, at = unknown
        return Located(f"{head}: ", self.sem.ctx.model.source.located(at, why)) if at >= 0 else f"{head}: {why}"

    def known_valid_shape(self, sym: Symbol, tt: TileType) -> TileType:
        """``tt`` with the valid shape its run-time valid rows and cols always have, where the model
        knows one value for each (every construction, SetValidShape and copy gives the same, within
        the tile): the op then walks the tile exactly as one of that static valid shape (pto-isa
        reads the counts only as loop bounds). ``tt`` itself otherwise."""
        shape = self._one_valid_shape(sym)
        if shape is None or self.values.shape_may_pass_tile(sym):
            return tt
        row, col = shape
        if tt.rows is None or tt.cols is None or not (0 <= row <= tt.rows and 0 <= col <= tt.cols):
            return tt
        return TileType(tt.space, tt.dtype, tt.rows, tt.cols, tt.blayout, row, col)

    @staticmethod
    def _same_element_size(sym: Symbol, dst: Symbol | None) -> bool:
        """The element types of ``sym`` and ``dst`` have one known size."""
        a, b = sym.tile, dst.tile if dst is not None else None
        size = dtype_size(a.dtype) if a is not None else None
        return size is not None and b is not None and dtype_size(b.dtype) == size

    @staticmethod
    def _same_row_pitch(sym: Symbol, dst: Symbol | None) -> bool:
        """Rows of ``sym`` and ``dst`` lie the same number of bytes apart, provably."""
        a, b = sym.tile, dst.tile if dst is not None else None
        if a is None or b is None or a.cols is None or a.blayout != "RowMajor" or b.blayout != "RowMajor":
            return False
        size_a, size_b = dtype_size(a.dtype), dtype_size(b.dtype)
        return size_a is not None and size_a * a.cols == (size_b or 0) * (b.cols or 0)


# The bindings that make a tile variable one buffer value of its own: a TASSIGN (ptoas's
# alloc_tile), a TPOP and a TRESHAPE or copy (a view or alias: a value of its own, though on its
# source's bytes).
_ONE_BUFFER_BINDINGS = frozenset({"addr", "alias", "tpop"})


def one_buffer(sym: Symbol) -> Symbol | None:
    """The one buffer value tile ``sym`` provably is, as ptoas's sync analysis tells buffers apart
    (Access.buffer): its declared symbol (``sym`` or its Symbol.origin), when that declaration is bound exactly
    once in its function (one TASSIGN, TPOP, TRESHAPE or copy); None otherwise (fail closed).

    PTOAS's exact same access is ``BaseMemInfo::operator==`` (hw-native-sys/PTOAS
    include/PTO/Transforms/InsertSync/SyncCommon.h:111-119, read by InsertSyncAnalysis.cpp
    ``isSameExactAccess``, which ``CanPrunePipeVBarrier`` asks of every dependency pair): equal
    addresses, scope and size, and the same ``rootBuffer`` (the alloc_tile) and ``baseBuffer`` (the
    value the op uses: a view or an alias is another one). In the C++ ptoas writes, one tile
    variable is one such value: another declaration TASSIGNed to the same bytes, a TRESHAPE result,
    a copy (`T b = a;`) or a TPOP'd tile is another. A declaration bound twice (a second TASSIGN,
    TPOP or assignment) is not ptoas's form: which binding made the value an op uses is not
    told apart here, so it is none."""
    root = sym.origin if sym.origin is not None else sym
    bindings = root.bindings
    if len(bindings) != 1 or bindings[0][0] not in _ONE_BUFFER_BINDINGS:
        return None
    return root
