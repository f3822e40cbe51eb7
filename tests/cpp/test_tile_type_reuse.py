"""A tile type kept by template node (DeclarationReader.template_tile_type) is the type a fresh
reading gives at that declaration.

The reference: the same function with every tile declaration's template spelled with its own
blanks (the same C++, a template node of its own, never kept). Both must give every tile symbol
the same type, whatever comes between the declarations: local aliases of the element type word
(in the block, in an inner block left again), file aliases, template parameters, constexpr and
const locals hiding a file constant used as a dimension, statements ptofix cannot read."""
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ptofix.cpp import stmt_parser
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import FileContext
from ptofix.source import SourceText

TEMPLATES = [
    "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64>",
    "Tile<TileType::Vec, T, 16, 64, BLayout::RowMajor, -1, -1>",
    "Tile<TileType::Vec, half, 8, 32, BLayout::ColMajor, 8, 32>",
    "Tile<TileType::Vec, E, 8, 32>",
    "Tile<TileType::Vec, float, kRows, 64, BLayout::RowMajor, kRows, 64>",
    "Tile<TileType::Vec, float, N * 2, 64>",
    "Tile<TileType::Mat, int32_t, 1, 8, BLayout::RowMajor, 1, 8>",
]
OTHERS = ["using T = float;", "using half = float;", "using T = int8_t;", "using E = float;", "{", "}",
          "constexpr int32_t kRows = 8;", "const int32_t kRows = 4;", "int32_t N = 3;",
          "constexpr int32_t N = 2;", "typedef float T, *P;", "f(x);"]
HEADS = ["", "template <typename T>\n", "template <int kRows>\n"]
FILE_SCOPES = ["", "using E = half;\n", "constexpr int32_t kRows = 16;\nconstexpr int32_t N = 4;\n",
               "using T = half;\n"]


def _tile_types(file_scope, head, lines):
    text = f"{file_scope}{head}__global__ AICORE void k() {{\n" + "\n".join(lines) + "\n}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    sem = FileContext(model).semantics(model.functions[0])
    return [(sym.name, repr(sym.tile)) for sym in sem.symbols if sym.kind == "tile"]


def _own_blanks(template, index):
    # One more blank after the first comma per declaration: the same C++, another node.
    return template.replace(", ", "," + " " * (index + 1), 1)


@st.composite
def bodies(draw):
    steps = draw(st.lists(st.one_of(st.sampled_from(OTHERS), st.sampled_from(TEMPLATES)), min_size=1, max_size=14))
    depth, lines, tiles = 0, [], []
    for step in steps:
        if step == "}" and depth == 0:
            continue
        depth += {"{": 1, "}": -1}.get(step, 0)
        if step.startswith("Tile<"):
            tiles.append((len(lines), step))
            lines.append(f"{step} t{len(tiles)};")
        else:
            lines.append(step)
    lines += ["}"] * depth
    return lines, tiles


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FILE_SCOPES), st.sampled_from(HEADS), bodies())
@example("", "", (["using T = float;", f"{TEMPLATES[1]} t1;", "{", "using T = int8_t;", f"{TEMPLATES[1]} t2;",
                   "}", f"{TEMPLATES[1]} t3;"], [(1, TEMPLATES[1]), (4, TEMPLATES[1]), (6, TEMPLATES[1])]))
@example("constexpr int32_t kRows = 16;\n", "", ([f"{TEMPLATES[4]} t1;", "{", "const int32_t kRows = 4;",
                                                  f"{TEMPLATES[4]} t2;", "}"], [(0, TEMPLATES[4]), (3, TEMPLATES[4])]))
def test_a_kept_tile_type_is_the_fresh_one(file_scope, head, body):
    lines, tiles = body
    stmt_parser.forget_all_statements()
    shared = _tile_types(file_scope, head, lines)
    fresh_lines = list(lines)
    for index, (at, template) in enumerate(tiles):
        fresh_lines[at] = fresh_lines[at].replace(template, _own_blanks(template, index), 1)
    stmt_parser.forget_all_statements()
    assert shared == _tile_types(file_scope, head, fresh_lines)


def test_the_repeated_type_is_kept_and_read_once():
    """(The reuse happens: a ptoas-like function of repeated declarations reads each type once.)"""
    lines = ["using T = float;"] + [f"{TEMPLATES[0]} t{i};" for i in range(5)] + [f"{TEMPLATES[2]} u;"]
    text = "__global__ AICORE void k() {\n" + "\n".join(lines) + "\n}\n"
    model = parse_cpp(SourceText(text, "k.cpp"))
    stmt_parser.forget_all_statements()
    sem = FileContext(model).semantics(model.functions[0])
    kept = sem.declarations._tile_types
    assert len(kept) == 2 and all(entry[2] is not None for entry in kept.values())
    assert {entry[2] for entry in kept.values()} == {("float",), ("half",)}
