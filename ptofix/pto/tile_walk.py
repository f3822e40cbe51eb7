"""TileWalk, what decides an op's walk over one tile (pto/walks.py reads it).

A module of its own, not compiled: walks.py is (ptofix.COMPILED_MODULES), and a ``Value`` (records.py)
reads its fields from the class's annotations when the class is created, which a class mypyc
compiles does not keep (the compiled class took no arguments). Interpreted here, it is the frozen
value class it was; walks.py and its readers import it from walks.py as before.
"""
from __future__ import annotations

from ..records import Value


class TileWalk(Value):
    """What decides an op's walk over one tile: its static rows and columns, element size and
    layout, the valid shape it runs with, and whether every walked operand's *type* is contiguous
    (``Cols == ValidCol`` with a static ValidCol, or one static row: pto-isa's compile-time test)."""
    rows: int
    cols: int
    elem_bytes: int
    layout: str
    valid_rows: int
    valid_cols: int
    type_contiguous: bool
    valid_col_in_type: bool = False     # the type spells ValidCol (not -1)
    dtype: str = ""                     # the element type's spelling (the derived table's key)
    valid_in_type: bool = False         # the type spells both ValidRow and ValidCol

    @property
    def row_bytes(self) -> int:
        return self.cols * self.elem_bytes

    @property
    def full_rows(self) -> bool:
        """The run-time valid shape is one run from the start (pto-isa's run-time test)."""
        return self.valid_cols == self.cols or self.valid_rows == 1
