"""_real_declarator's verdict on a declaration's type, kept by type name (stmt_parser._REFUSED_TYPE_NAMES),
is the one a fresh reading of the name gives, and whether a statement parses is the same with the
table warm, cold, or filled by near-miss names first."""
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp import stmt_parser
from ptofix.cpp.keywords import NOT_TYPE_NAMES, is_compiler_word, is_reserved_identifier
from ptofix.pto.ops import pto_macro_names
from ptofix.pto.tiles import dtype_size

# Names a type may be spelled with, and near misses of each refused kind: keywords that name no
# type, compiler words, reserved names, pto's macros, element types and their look-alikes.
PARTS = ["Tile", "GlobalTensor", "pto", "Shape", "T", "float", "half", "bfloat16_t", "int64_t", "uint8_t",
         "extern", "static", "const", "__const", "__const__", "_Atomic", "_atomic", "__x", "_X", "x__y",
         "PTO_INST_HPP", "PTO_INST_HP", "__builtin_x", "__is_x", "__has_x", "int", "unsigned", "auto",
         "RoundMode", "TileType", "Vec", "", "typename", "decltype"]


def _fresh(type_name: str) -> bool:
    """The rule as _real_declarator wrote it before the table (the reference)."""
    if dtype_size(type_name) is not None:
        return False
    parts = [part for part in type_name.split("::") if part]
    return any(is_compiler_word(part) or part in pto_macro_names() or is_reserved_identifier(part)
               or part in NOT_TYPE_NAMES for part in parts)


type_names = st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map("::".join) \
    | st.sampled_from(PARTS).map(lambda p: "::" + p)


@settings(max_examples=400, deadline=None)
@given(st.lists(type_names, min_size=1, max_size=12))
def test_kept_verdicts_equal_fresh_ones(names):
    stmt_parser._REFUSED_TYPE_NAMES.clear()
    for name in names + names:          # (the second time each is read from the table)
        kept = stmt_parser._REFUSED_TYPE_NAMES.get(name)
        got = stmt_parser._refused_type_name(name) if kept is None else kept
        assert got == _fresh(name), name


@settings(max_examples=150, deadline=None)
@given(st.lists(type_names, min_size=1, max_size=6), st.sampled_from(["t", "v1", "x"]))
def test_statements_parse_alike_with_a_warm_table(names, var):
    statements = [f"{name} {var};" for name in names] + [f"{name} {var} = 3;" for name in names] \
        + [f"{name} {var}(a, b);" for name in names]

    def parse_all():
        stmt_parser.forget_all_statements()
        return [repr(stmt_parser.parse_statement(text)) for text in statements]

    stmt_parser._REFUSED_TYPE_NAMES.clear()
    cold = parse_all()
    warm = parse_all()
    stmt_parser._REFUSED_TYPE_NAMES.clear()
    for name in PARTS:                   # near misses read first
        stmt_parser._refused_type_name(name)
        stmt_parser._refused_type_name(name + "_")
    assert parse_all() == cold == warm


def test_the_table_is_bounded():
    stmt_parser._REFUSED_TYPE_NAMES.clear()
    for i in range(stmt_parser._REFUSED_TYPE_NAMES_MAX + 10):
        stmt_parser._refused_type_name(f"T{i}")
    assert len(stmt_parser._REFUSED_TYPE_NAMES) <= stmt_parser._REFUSED_TYPE_NAMES_MAX
    assert stmt_parser._refused_type_name("__T") is True and stmt_parser._refused_type_name("T") is False
