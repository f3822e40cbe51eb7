"""C++ front end: spans, round trip, statement grammar, memory model."""
import glob
import os

import pytest
from conftest import CORPUS
from conftest import ast_shape as _shape
from hypothesis import given, settings
from hypothesis import strategies as st
from lark_spec import assert_agrees
from lark_spec import parse as grammar_parse

from ptofix.cpp import stmt_parser as A
from ptofix.cpp.lexical import directive_text
from ptofix.cpp.model import ForStmt, IfStmt, OpaqueStmt, PPIfStmt, SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import analyse_function
from ptofix.source import PtofixError, SourceText, apply_edits


def _check_spans(model):
    text = model.source.text
    for fn in model.functions:
        assert text[fn.span.start:fn.span.end].rstrip().endswith("}")
        last = fn.span.start
        for stmt in fn.statements():
            assert fn.span.start <= stmt.span.start <= stmt.span.end <= fn.span.end
            if isinstance(stmt, SimpleStmt):
                assert text[stmt.span.start:stmt.span.end] == stmt.text
                assert stmt.text.endswith(";")
                assert stmt.span.start >= last   # statements in source order, no overlap
                last = stmt.span.end


def corpus_cpp_files():
    return sorted(glob.glob(os.path.join(CORPUS, "**", "*.cpp"), recursive=True))


def test_corpus_parses_and_round_trips(corpus_dir):
    files = corpus_cpp_files()
    assert len(files) > 400
    for path in files:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        model = parse_cpp(SourceText(text, path))
        assert model.print() == text
        assert apply_edits(text, []) == text
        _check_spans(model)


def test_real_corpus_statement_grammar_coverage(corpus_dir):
    total = failed = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "real", "*.cpp"))):
        model = parse_cpp(SourceText(open(path, encoding="utf-8").read(), path))
        for _, stmt in model.simple_statements():
            if stmt.text == ";":
                continue
            total += 1
            failed += stmt.ast is None
    assert total > 5000
    assert failed / total < 0.01, f"{failed} of {total} statements not understood"


def test_structure_if_else_for_and_pp_sections():
    src = """extern "C" __global__ AICORE void k(int32_t v1) {
  #if defined(__DAV_VEC__)
  for (int32_t v2 = 0; v2 < v1; v2 += 1) {
    if (v1) {
      TADD(v3, v3, v3);
    } else {
      TSUB(v3, v3, v3);
    };
  }
  #endif // __DAV_VEC__
  return;
}
"""
    model = parse_cpp(SourceText(src, "k.cpp"))
    fn = model.functions[0]
    assert fn.is_entry and fn.name == "k"
    kinds = [type(s).__name__ for s in fn.body.body]
    assert kinds == ["PPIfStmt", "SimpleStmt"]
    pp = fn.body.body[0]
    assert isinstance(pp, PPIfStmt) and not pp.has_else
    loop = pp.branches[0].body[0]
    assert isinstance(loop, ForStmt) and loop.cond == "v2 < v1" and loop.step == "v2 += 1"
    branch = loop.body.body[0]
    assert isinstance(branch, IfStmt) and branch.orelse is not None
    assert loop.body.body[1].text == ";"   # the trailing `};` ptoas prints


def test_clang_formatted_multiline_statement():
    src = """static AICORE void k() {
    Tile<
        TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null,
        CompactMode::Null>
        v81 = Tile<
            TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512,
            PadValue::Null, CompactMode::Null>(v20, v22);
    uint64_t v82 = (uint64_t)v24;
    TASSIGN(v81, v82);
}
"""
    model = parse_cpp(SourceText(src, "k.cpp"))
    stmts = [s for _, s in model.simple_statements()]
    decl = stmts[0].ast
    assert isinstance(decl, A.Decl) and decl.name == "v81"
    assert decl.type.template.name == "Tile" and len(decl.type.template.args) == 11
    mem = analyse_function(model)
    tt = mem.tile_type("v81")
    assert (tt.rows, tt.cols, tt.valid_row, tt.valid_col) == (16, 128, None, None)


def test_template_arg_spans_are_exact():
    text = "TPUSH<TPipe<4, Direction::DIR_V2C, 65536, 8, 8, false>, Tile<TileType::Vec, half, 8, 16>, TileSplitAxis::TILE_UP_DOWN>(v47, v52);"
    ast = A.parse_statement(text)
    pipe = ast.expr.template.args[0]
    assert text[pipe.start:pipe.end] == "TPipe<4, Direction::DIR_V2C, 65536, 8, 8, false>"
    local = pipe.args[4]
    assert text[local.start:local.end] == "8" and local.start == text.index("8, false")


def test_nested_template_closing_and_comparisons():
    assert isinstance(A.parse_statement("GlobalTensor<float, pto::Shape<1,2>> v(a);"), A.Decl)
    ast = A.parse_statement("bool v65 = v54 == v19;")
    assert isinstance(ast.init, A.Binary) and ast.init.op == "=="
    ast = A.parse_statement("bool v = a < b;")
    assert ast.init.op == "<"
    assert A.parse_statement("this is not C++;") is None


def test_memory_value_sets_and_aliases():
    src = """extern "C" __global__ AICORE void k(int32_t v1, int64_t v99) {
  const int64_t v2 = 4096;
  int64_t v3;
  if (v1) { v3 = v2; } else { v3 = v2 * 2; };
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v4;
  TASSIGN(v4, v3);
  Tile<TileType::Vec, float, 32, 128, BLayout::RowMajor, 32, 128, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v5;
  TRESHAPE(v5, v4);
  __ubuf__ float* v6 = v4.data();
  __ubuf__ float* v7 = v6 + 16;
  uint64_t v8 = reinterpret_cast<uint64_t>(v7);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v9;
  TASSIGN(v9, v8);
  int32_t v10 = (int32_t) ((uint32_t) v2 + (uint32_t) 4294967295u);
  Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v11;
  TASSIGN(v11, v99);
}
"""
    mem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert mem.tile_addresses("v4") == frozenset({4096, 8192})
    assert mem.tile_addresses("v5") == frozenset({4096, 8192})
    assert mem.tile_addresses("v9") == frozenset({4096 + 64, 8192 + 64})
    assert mem.value_set("v10") == frozenset({4095})
    assert mem.tile_addresses("v11") is None   # from a kernel argument: unknown
    assert mem.tile_type("v4").nbytes == 32 * 128 * 4


def test_bad_input_is_a_located_error():
    with pytest.raises(PtofixError) as info:
        parse_cpp(SourceText('void k() {\n  TADD(v1, "abc);\n}\n', "bad.cpp"))
    assert info.value.format().startswith("bad.cpp:2:")
    with pytest.raises(PtofixError) as info:
        parse_cpp(SourceText("void k() {\n  TADD(v1);\n", "bad.cpp"))
    assert "never closed" in info.value.format()


def test_goto_makes_function_unstructured():
    src = """extern "C" __global__ AICORE void k() {
  label1:
  pipe_barrier(PIPE_V);
  goto label1;
}
"""
    model = parse_cpp(SourceText(src, "k.cpp"))
    assert any(isinstance(s, OpaqueStmt) for s in model.functions[0].statements())


@pytest.mark.parametrize("text", [
    "TADD(v5, v5, v6);",
    "TMULS(v61, v61, v24);",
    "TEXPANDS(v9, -3.40282347e+38f);",
    "pipe_barrier(PIPE_V);",
    "set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);",
    "TASSIGN(v45, v18);",
    "set_mask_norm();",
    "Tile<TileType::Vec, float, 64, 1, BLayout::ColMajor, 64, 1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v54;",
    "Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v7;",
    "const int64_t v14 = 196608;",
    "const float v24 = 0.0883883461f;",
    "unsigned v5 = 3840;",
    "int32_t v3 = v2;",
    "uint64_t v82 = (uint64_t)v24;",
    "TASSIGN(v60, v47 + 128);",
    "TEXPANDS(v40, -3.40282347e+38f);",
    "v47 = v23;",
    "int64_t v47;",
    "const int64_t v2 = 1e5;",
    "__ubuf__ half* v105 = v33.data();",
    "__ubuf__ half* v106 = v105 + 4096;",
    "__ubuf__ float *v62 = v50.data();",
    "__gm__ float* v39 = v1;",
    "uint64_t v107 = reinterpret_cast<uint64_t>(v106);",
    "uint64_t v66 = (uint64_t) v63;",
    "auto v5 = TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>(v1, v4, v9);",
    "TPOP<TPipe<2, Direction::DIR_C2V, 16384, 8, 2, false>, Tile<TileType::Vec, float, 16, 1>, TileSplitAxis::TILE_UP_DOWN>(v5, v8);",
    "TFREE<TPipe<0, Direction::DIR_C2V, 131072, 8, 8, true>, TileSplitAxis::TILE_NO_SPLIT>(v43);",
    "TPUSH<TPipe<4, Direction::DIR_V2C, 65536, 8, 8, false>, GlobalTensor<float, pto::Shape<1, 1, 1, 128, 256>, pto::Stride<32768, 32768, 32768, 256, 1>, pto::Layout::ND>, TileSplitAxis::TILE_NO_SPLIT>(v40, v75);",
    "TSTORE<STPhase::Final>(v5, v6);",
    "uint64_t v82 = (uint64_t) v24;",
    "RoundMode v4 = RoundMode::CAST_RINT;",
    "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v81 = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>(v20, v22);",
    "Tile<\n    TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null,\n    CompactMode::Null>\n    v81 = Tile<\n        TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512,\n        PadValue::Null, CompactMode::Null>(v20, v22);",
    # `?:` as ptoas writes it for a loop bound (and the nestings the grammar allows).
    "int32_t v35 = v34 ? (int32_t) ((uint32_t) v30 * (uint32_t) v33) : (int32_t) ((uint32_t) v32 * (uint32_t) v33);",
    "x = a ? b : c ? d : e;",
    "x = a ? b ? c : d : e;",
    "x = a || b ? c : d;",
    "x = a?b:c;",
    "x = a ? ns::b : c;",
    "int32_t y = (a ? b : c) + 1;",
    "f(a ? b : c, (uint32_t) (d ? e : g));",
    "return a < b ? a : b;",
    # A qualifier and a (qualified) named type: the grammar's qual_named_type.
    "constexpr pto::Layout GT_94178561266080_layout = pto::Layout::ND;",
    "const T x = v;",
    "static ::ns::T* x = v + 1;",
    # Subscripts, and a qualified named type without a qualifier.
    "v30[v31] = v17;",
    "(v4)[v90] = v89;",
    "int32_t v19 = (v5)[v18];",
    "float v59 = (v4)[(int64_t) ((uint64_t) v58 + (uint64_t) v29)];",
    "pto::comm::ReduceOp v79 = pto::comm::ReduceOp::Sum;",
])
def test_fast_path_matches_grammar(text):
    fast = A.parse_statement(text)
    slow = A.parse_statement(text, fast=False)
    assert slow is not None
    assert _shape(fast) == _shape(slow)


def assert_reads_like_the_grammar(text: str, fast_path=A.fast_parse) -> None:
    """``fast_path`` understands ``text`` and builds exactly the AST of the grammar that specifies
    the statement parser (tests/cpp_stmt.lark; spans included)."""
    fast = fast_path(text)
    assert fast is not A.FALLBACK
    assert repr(A._real_declarator(fast)) == repr(A._real_declarator(grammar_parse(text, "start")))


@pytest.mark.parametrize("text", [
    "GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v40 = GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND>(v39, v37, v38);",
    "GlobalTensor<half, pto::Shape<-1, -1, -1, -1, -1>, pto::Stride<1, 1, 1, 1, 1>, pto::Layout::DN> v25 = GlobalTensor<half, pto::Shape<-1, -1, -1, -1, -1>, pto::Stride<1, 1, 1, 1, 1>, pto::Layout::DN>(v1 + (((v13 + (unsigned) v3 * (unsigned) v14) + (unsigned) v4 * (unsigned) v14)), v23, v24);",
    "GlobalTensor<float, pto::Shape<1, 1, 1, 64, 128>, pto::Stride<8192, 8192, 8192, 128, 1>, pto::Layout::ND> v41(nullptr);",
    "pto::Shape<1, 1, 1, 64, 128> v37 = pto::Shape<1, 1, 1, 64, 128>();",
    "pto::Stride<-1, -1, -1, -1, -1> v5 = pto::Stride<-1, -1, -1, -1, -1>(v3 * v4, v3, v3, v3, v3);",
    "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null> v81;",
    "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null> v81 = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, -1, -1, SLayout::NoneBox, 512, PadValue::Null, CompactMode::Null>(v20, v22);",
    "Tile<\n    TileType::Vec, float, 16, 128>\n    v81 = Tile<\n        TileType::Vec, float, 16, 128>(v20, v22);",
])
def test_template_declarations_take_the_regex_fast_path_and_build_the_grammars_ast(text):
    """The declarations of GM views and tiles (most of a kernel's setup) are read by the regex fast
    path, shared template types included, and give exactly the grammar's AST."""
    assert_reads_like_the_grammar(text, A._fast_parse)


@pytest.mark.parametrize("text", [
    "x = a - b - c * d / e % f << 1 | g & h ^ i || j && k == l;",
    "x = a + b * c - d << e >> f <= g == h != i & j | k && l || m;",
    "x = a * (b + c) - -d * ~e + !f;",
])
def test_expression_precedence_matches_the_grammar(text):
    from ptofix.cpp import fast_expr
    assert fast_expr.FALLBACK is A.FALLBACK
    assert_reads_like_the_grammar(text, fast_expr.parse_statement)


@pytest.mark.parametrize("text", [
    "using T = float;", "typedef int mem_dsb_t;", "f(\n    a, b\n  );", "v2[v3] = v4;", "x = y[ 2 ];",
    # Near misses of the template-declaration shapes:
    "A<b> c = d<e>(f)(g);",       # a call of a call: not a plain initializer
    "A<b> c = d<e>(f));",          # unbalanced
    "A<b> return(x);",             # a keyword where the name goes
    "A<b> > c = d<e>(f);",         # not one template
    "A<b> c = d<e> (f);",          # a blank before the arguments: the general parser's business
])
def test_fast_path_leaves_other_forms_to_the_grammar_or_agrees(text):
    fast = A._fast_parse(text)
    assert fast is A.FALLBACK or repr(fast) == repr(A.parse_statement(text, fast=False))


@pytest.mark.parametrize("text", ["x = a ? b, c : d;", "x = a ? b : c = d;", "x = a ? b = c : d;", "x = a ? b :: c : d;",
                                  "x = a ? b;", "x = a ? : b;", "f(a ? b);"])
def test_ternary_forms_read_as_the_grammar(text):
    # Never a guess and never "no effect": the statement gets whatever the grammar makes of it (an
    # AST, or None: an opaque statement).
    assert assert_agrees(text) in ("same", "refused")
    assert repr(A.parse_statement(text)) == repr(A.parse_statement(text, fast=False))


def test_empty_statement_is_opaque_on_both_paths():
    # `;` (ptoas prints it for an empty loop body): no grammar rule, so no AST on either path.
    assert A._fast_parse(";") is None
    assert A.parse_statement(";") is None and A.parse_statement(";", fast=False) is None


@pytest.mark.parametrize("text", ["const auto x = 1;", "const pto::int x = 1;", "const const x = 1;",
                                  "volatile ns::T * * x = 0;"])
def test_qualified_declarations_read_as_the_grammar(text):
    assert assert_agrees(text) in ("same", "refused")
    assert repr(A.parse_statement(text)) == repr(A.parse_statement(text, fast=False))


@pytest.mark.parametrize("text", ["v55 < ((size_t) ((int32_t) (uint32_t) v35 + (uint32_t) (v34 ? v33 : v31)))",
                                  "i < (a ? b : c)", "v = a ? b : c"])
def test_ternary_in_a_loop_header_matches_the_grammar(text):
    assert assert_agrees(text, "cond_start") == "same"


@pytest.mark.parametrize("text", ["x = --y;", "x = a++ + b;", "x = a+++b;", "x = a--b;", "long long;", "unsigned int;",
                                  "signed char;", "const unsigned int;"])
def test_increments_and_multi_word_builtins_are_never_misread_by_the_fast_paths(text):
    # `--y` is one INCDEC token to the grammar, not two minus signs; `unsigned int` one builtin
    # type, not a type and a declared name.
    assert assert_agrees(text) in ("same", "refused")
    assert repr(A.parse_statement(text)) == repr(A._real_declarator(grammar_parse(text, "start")))


@pytest.mark.parametrize("text", [
    "__gm__ Tensor *t = reinterpret_cast<__gm__ Tensor *>(args[0]);",
    "__gm__ int32_t *p =\n    reinterpret_cast<__gm__ int32_t *>(t->buffer.addr) +\n    t->start_offset + n;",
    "__gm__ float* v5 = reinterpret_cast<__gm__ float*>(v1);",
    "v6 = reinterpret_cast<__gm__ ns::T **>(v1);",
    "x = reinterpret_cast<const int>(a);",
    "int64_t n = static_cast<int64_t>(t->shapes[0]) * m;",
    "v36.cons.setEntryOffset(static_cast<int>(id) * 8 * static_cast<int>(sizeof(float)));",
    "x = sizeof(__gm__ float *);",
    "x = sizeof(float) + 1;",
    "x = -sizeof(int*);",
    "x = 1->y;",
    "x = static_cast<int>(a).y;",
    "x = a->b.c->d[0];",
    "f(&a[i], & b, -&c);",
    "x = a & &b;",
])
def test_casts_members_sizeof_and_address_of_are_read_without_the_grammar(text):
    """ptoas's argument unpacking and buffer setup: read by the expression parser exactly as lark reads it."""
    assert_reads_like_the_grammar(text)


@pytest.mark.parametrize("text", [
    "conv.u64 = args[11];",
    "a.b.c = d[1];",
    "(v4)[v90] = v89;",
    "(a).b = c;",
    "auto v7 = TPipe<0, Direction::DIR_C2V, 8, false>(v1 + (int64_t) ((uint64_t) v5 * (uint64_t) v4), v3);",
    "auto v = a->b;",
    "__gm__ float *v29;",
    "__ubuf__ float* v27;",
    "volatile int x;",
    "unsigned x;",
    "static Foo x[4];",
    "const Foo *x;",
    "int x [ ] ;",
    "int32_t v4[16];",
    "float v4[8][ 8 ];",
    "const int x[];",
    "__gm__ T *x[2];",
    "PTOAS_EventIdArray<4> v4;",
    "pto::comm::AsyncSession v9;",
    "Tile<TileType::Vec, float, 16>* v12 = &v8;",
    "Tile<a, b> ** v = c;",
    "typedef int mem_dsb_t;",
    "typedef  float  x ;",
])
def test_declarations_and_assignments_are_read_without_the_grammar(text):
    """Declarations without initializer, arrays, `auto`, member targets, typedefs: read as lark reads them
    (a template pointer declaration, which lark rejects, is rejected without lark)."""
    assert_reads_like_the_grammar(text)


@pytest.mark.parametrize("text", [
    "int x = a-->b;", "x = &&a;",
    "x = static_cast<Foo>(a);", "x = static_cast<__gm__ Foo>(a);", "x = reinterpret_cast<unsigned int>(a);",
    "x = reinterpret_cast<__gm__ T<4> *>(a);", "x = reinterpret_cast<__gm__ true *>(a);", "x = sizeof(x);",
    "x = static_cast<int>(a)(b);", "int x[3] = 4;", "int float;", "typedef int long;", "Tensor *x;", "Tile<a, b>* v == c;",
    "auto auto = 1;", "auto x == 1;", "a.b == c;", "(a) = b;", "(a)[1] == b;", "ns::T<3> v[2];",
    "typedef unsigned int x;", "typedef Foo x;", "typedef int x y;", "typedef int const;", "x = sizeof(float)[0];",
    "x = sizeof(float).a;", "x = sizeof(float)(b);", "x = sizeof float;", "x = sizeof(__gm__ Foo *);", "int x[0x10];",
])
def test_statements_beyond_the_fast_shapes_read_as_the_grammar(text):
    assert assert_agrees(text) in ("same", "refused", "stricter")
    fast = A._fast_parse(text)
    assert fast is A.FALLBACK or repr(A._real_declarator(fast)) == repr(A.parse_statement(text, fast=False))
    assert repr(A.parse_statement(text)) == repr(A.parse_statement(text, fast=False))


@pytest.mark.parametrize("text", ["mem_dsb_t", "int", "unsigned", "long", "Foo", "...", "auto", "const", "sizeof",
                                  "true", "x..."])
def test_unnamed_and_variadic_parameters_match_the_grammar(text):
    assert assert_agrees(text, "param_start") in ("same", "refused", "stricter")
    assert repr(A.parse_parameter(text)) == repr(A._real_declarator(grammar_parse(text, "param_start")))
    if text in ("mem_dsb_t", "Foo"):
        assert A.parse_parameter(text) is not None
    if text == "...":
        assert A.parse_parameter(text) is None


_CORPUS_RUN_IMPORTS_LARK = r"""
import glob, os, sys
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.cpp"), recursive=True)):
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    try:
        run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    except PtofixError:
        pass
    if "lark" in sys.modules:
        print(path)
        break
"""


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_a_corpus_run_never_loads_the_grammar(corpus_dir):
    """Every statement, header and parameter of the corpus kernels is read by the fast paths: lark
    (its import and parser tables, ~9 MiB) would dominate the peak memory of a small run."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-c", _CORPUS_RUN_IMPORTS_LARK, corpus_dir], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "", f"lark imported while running {run.stdout.strip()}"


def test_logical_and_bitwise_operators_keep_their_operator():
    for text, op in [("bool v = a && b;", "&&"), ("bool v = a || b;", "||"), ("int32_t v = a & b;", "&"),
                     ("int32_t v = a | b;", "|"), ("int32_t v = a ^ b;", "^")]:
        assert A.parse_statement(text).init.op == op
    src = """extern "C" __global__ AICORE void k() {
  const int32_t v1 = 6;
  int32_t v2 = v1 & 3;
  int32_t v3 = (v1 | 1) ^ 2;
  bool v4 = v1 > 5 && v1 < 7;
}
"""
    mem = analyse_function(parse_cpp(SourceText(src, "k.cpp")))
    assert mem.value_set("v2") == frozenset({2})
    assert mem.value_set("v3") == frozenset({5})
    assert mem.value_set("v4") == frozenset({1})


def test_function_name_skips_attribute_groups():
    src = """extern "C" __aicore__ __attribute__((always_inline)) void kernel_entry(__gm__ int64_t *args) {
  k(args);
}
static __aicore__ void k(__gm__ int64_t *a) {
  return;
}
"""
    model = parse_cpp(SourceText(src, "k.cpp"))
    # `extern "C"` only gives C linkage: anything may call it, so it is not a kernel entry.
    assert [(f.name, f.is_entry, [p.text for p in f.parameters]) for f in model.functions] == [
        ("kernel_entry", False, ["__gm__ int64_t *args"]), ("k", False, ["__gm__ int64_t *a"])]
    entry = parse_cpp(SourceText(src.replace('extern "C"', 'extern "C" __global__'), "k.cpp")).functions[0]
    assert entry.is_entry


def test_kernel_entry_is_read_from_the_declaration_not_from_comments():
    src = """/* __global__ */ AICORE void k(__gm__ float *a) // __global__
{
  return;
}
"""
    assert not parse_cpp(SourceText(src, "k.cpp")).functions[0].is_entry


def test_apply_edits_orders_same_offset_inserts_by_emission_and_rejects_overlaps():
    from ptofix.source import Edit, EditConflict
    text = "abcdef"
    edits = [Edit(3, 3, "X"), Edit(1, 2, "B"), Edit(3, 3, "Y"), Edit(1, 2, "B")]
    assert apply_edits(text, edits) == "aBcXYdef"
    assert apply_edits(text, [edits[2], edits[0]]) == "abcYXdef"
    with pytest.raises(EditConflict):
        apply_edits(text, [Edit(1, 3, "Q"), Edit(2, 4, "R")])
    with pytest.raises(EditConflict):
        apply_edits(text, [Edit(1, 3, "Q"), Edit(1, 3, "R")])


def test_mlir_and_other_non_cpp_input_has_no_functions():
    mlir = 'module {\n  func.func @k(%a: i32) {\n    return\n  }\n}\n'
    assert parse_cpp(SourceText(mlir, "k.mlir")).functions == []
    from ptofix.frontends import parse_cpp as parse_for_passes
    # The passes' front end names the input kind and the command that reads it.
    with pytest.raises(PtofixError, match=r"this is PTO IR \(MLIR\).*use `ptofix canonicalize`"):
        parse_for_passes(SourceText(mlir, "k.mlir"))
    with pytest.raises(PtofixError, match="no function definition"):
        parse_for_passes(SourceText("int x = 1;\n", "k.cpp"))


def test_block_boundary_error_at_end_of_file_is_located():
    src = "__global__ AICORE void k() {\n#if A\n  x = {1;\n#endif\n}\n"
    with pytest.raises(PtofixError):
        parse_cpp(SourceText(src, "k.cpp"))


def test_pass_registry_lists_every_pass_module_once():
    import pkgutil

    import ptofix.passes as package

    from ptofix.pass_manager import PASSES, get_pass_class
    modules = sorted(i.name.replace("_", "-") for i in pkgutil.iter_modules(package.__path__) if not i.name.startswith("_"))
    assert sorted(PASSES) == modules
    for name in PASSES:
        assert get_pass_class(name).name == name


def test_cr_only_line_ends_and_a_bom_with_a_namespace_still_find_the_kernel():
    text = "// header comment\r__global__ AICORE void k() {\r  pipe_barrier(PIPE_V);\r}\r"
    source = SourceText(text, "k.cpp")
    model = parse_cpp(source)
    assert [f.name for f in model.functions] == ["k"]
    barrier = text.index("pipe_barrier")
    assert source.line_col(barrier) == (3, 3)
    bom = "\ufeffnamespace x {\n__global__ AICORE void k() {\n  pipe_barrier(PIPE_V);\n}\n}\n"
    assert [f.name for f in parse_cpp(SourceText(bom, "k.cpp")).functions] == ["k"]


def _atom_by_regexes(text, start):
    """_atom without its shortcuts: the regexes alone decide (the reference the shortcuts must meet)."""
    end = start + len(text)
    binary = A._BINARY_ATOMS.match(text)
    if binary:
        left = _atom_by_regexes(binary.group(1), start)
        right = _atom_by_regexes(binary.group(5), start + binary.start(5))
        if left is A.FALLBACK or right is A.FALLBACK or isinstance(left, A.Unary) or isinstance(right, A.Unary):
            return A.FALLBACK
        return A.Binary(start, end, binary.group(3), left, right)
    if A._NUMBER_RE.match(text):
        if text.startswith("-"):
            return A.Unary(start, end, "-", A.Number(start + 1, end, text[1:]))
        return A.Number(start, end, text)
    if text in A._LITERALS:
        return A.Literal(start, end, A._LITERALS[text])
    if A._NAME_RE.match(text):
        return A.Name(start, end, text)
    return A.FALLBACK


ATOMS = ["v1", "true", "nullptr", "0", "128", "007", "0x1F", "1e5", "-3.40282347e+38f", "3u", "\u0663", "\u00b2", "12a",
         "TileType::Vec", "::pto::Layout::ND", "pto::", "a::::b", ":::a", "::", "a::1b", "a::b c", "x\u00e9::y", "v1 + 128",
         "a * -1", "v1 +128", "a::b + 2", "-x", "_", "__gm__", "a.b", "1.5.2"]


@pytest.mark.parametrize("text", ATOMS)
def test_atom_shortcuts_agree_with_the_regexes(text):
    assert repr(A._atom(text, 3)) == repr(_atom_by_regexes(text, 3))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab_1:0x. +-*e\u0663\u00e9", max_size=12))
def test_atom_shortcuts_agree_with_the_regexes_on_random_text(text):
    assert repr(A._atom(text, 0)) == repr(_atom_by_regexes(text, 0))


def test_template_arguments_are_shared_per_file_by_text_and_offset():
    a = "TPUSH<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, TileSplitAxis::TILE_NO_SPLIT>(v5, v8);"
    b = "TPUSH<TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>, TileSplitAxis::TILE_NO_SPLIT>(v5, v9);"
    c = "auto v7 = TPipe<0, Direction::DIR_C2V, 32768, 8, 8, true>(v1, v2, v3);"
    A.forget_statements()
    fa, fb, fc = (A.fast_parse(t) for t in (a, b, c))
    for text, fast in ((a, fa), (b, fb), (c, fc)):
        assert repr(fast) == repr(A.parse_statement(text, fast=False))
    assert fa.expr.func is fb.expr.func                      # same text at the same offset: one AST
    assert fc.init.func is not fa.expr.func.args[0]          # the same text elsewhere: its own spans
    A.forget_statements()
    assert A.fast_parse(b).expr.func is not fb.expr.func     # a new file starts afresh


@given(st.text(alphabet="ab\r\n", max_size=30), st.integers(min_value=0, max_value=30))
def test_line_start_is_after_the_last_line_break(text, offset):
    from ptofix.source import line_start
    offset = min(offset, len(text))
    assert line_start(text, offset) == max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


@pytest.mark.parametrize("directive, expected", [
    ('#define Q (void)"//"; }', '#define Q (void)"//"; }'),        # a string is no comment
    ('#define Q "/*" x "*/"', '#define Q "/*" x "*/"'),
    ("#define N 1  // note /* open", "#define N 1   "),                  # a // comment ends the line
    ("#define N it's /* x", "#define N it's /* x"),                    # an open quote ends at the line's end
    ("#define A 1 /* c */ + 2", "#define A 1   + 2"),
    ("#  \\\ndefine B 3", "#  define B 3"),
])
def test_directive_text_reads_comments_and_strings_as_the_preprocessor(directive, expected):
    assert directive_text(directive) == expected


@pytest.mark.parametrize("line", ["#define N 1  // TMUL below kept in /*", "#define NOTE \"it /* a note"])
def test_a_directive_ends_at_its_line_whatever_its_comment_or_quote_opens(line):
    model = parse_cpp(SourceText(line + "\nvoid f() {\n  TMUL(a, c, c);\n  // */\n}\n", "x.cpp"))
    assert [fn.name for fn in model.functions] == ["f"]
    assert "TMUL" in model.source.text[model.functions[0].span.start:model.functions[0].span.end]
    assert [s.text for s in model.functions[0].body.body if getattr(s, "text", "").startswith("TMUL")]


def test_raw_string_in_a_directive_is_rejected():
    with pytest.raises(PtofixError, match="raw string"):
        parse_cpp(SourceText('#define NOTE R"x(\n/*)x"\nvoid f() {}\n// */\n', "x.cpp"))


def test_a_brace_or_semicolon_inside_parentheses_is_found_but_a_for_headers():
    text = ("#define SWAP(x, y) y x\nvoid h() {\n  SWAP({ w(); } void g() {, });\n}\n"
            "void k() {\n  SWAP(a, b);\n}\n")
    assert parse_cpp(SourceText(text, "x.cpp")).structure_in_parentheses == text.index("{ w()")
    plain = ("void k() {\n  for (int i = 0; i < 4; i++) {\n    SWAP(a, (b));\n  }\n"
             "  /* SWAP({ */\n  f(\"{;}\");\n}\n")
    assert parse_cpp(SourceText(plain, "x.cpp")).structure_in_parentheses == -1
    nested = "void k() {\n  for (f({1}); ; ) {}\n}\n"
    assert parse_cpp(SourceText(nested, "x.cpp")).structure_in_parentheses == nested.index("{1}")


@pytest.mark.parametrize("text, message", [
    ("void k() {}\x00\n", "NUL"),
    ("void k\u00e9() {}\n", "outside a comment or string"),
    ("void k() {\n  int a$b = 0;\n}\n", "outside a comment or string"),
    ("void k() {}\n\ufeff#if 0\n#endif\n", "outside a comment or string"),
    ("#\u00a0else\n", "in a directive"),
    ("#define N 8'192 /* x\nvoid k() {}\n// */\n", "digit separator"),
    ("#define N /\\\n* x\nvoid k() {}\n// */\n", "line splice"),
    ("#define N R\\\n\"x(a)x\"\nvoid k() {}\n", "raw string"),
    ("#define off\\u00e9 0\n", "in a directive"),
])
def test_characters_and_directives_read_otherwise_by_the_compiler_are_rejected(text, message):
    with pytest.raises(PtofixError, match=message):
        parse_cpp(SourceText(text, "x.cpp"))


@pytest.mark.parametrize("text, message", [
    ("void k() {}\x00\n", "x.cpp:1:12: error: a NUL character outside a comment or string is not supported"),
    ("using namespace pto; // a\x00b\n", "x.cpp:1:26: error: a NUL character in a comment is not supported"),
    ("void k() {\n  /* \x00 */\n}\n", "x.cpp:2:6: error: a NUL character in a comment is not supported"),
    ("void k() {\n  f(\"a\x00\");\n}\n",
     "x.cpp:2:7: error: a NUL character in a string or character literal is not supported"),
    ("#define N \x00\n", "x.cpp:1:11: error: a NUL character in a preprocessor directive is not supported"),
])
def test_a_nul_character_is_rejected_with_where_it_is(text, message):
    with pytest.raises(PtofixError) as caught:
        parse_cpp(SourceText(text, "x.cpp"))
    assert caught.value.format() == message


def test_comments_and_strings_may_hold_any_character():
    text = "\ufeff// \u6ce8\u91ca $\n#define X 1 // \u00e9 $ \\u00e9\nvoid k() {\n  f(\"\u00e9$\");\n}\n"
    assert [fn.name for fn in parse_cpp(SourceText(text, "x.cpp")).functions] == ["k"]


_NS_TILE = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"


def test_a_function_defined_twice_in_one_scope_is_refused():
    text = f"namespace a {{\nvoid h({_NS_TILE} &x) {{}}\n}}\nnamespace a {{\nvoid h({_NS_TILE} &x) {{}}\n}}\n"
    with pytest.raises(PtofixError) as info:
        parse_cpp(SourceText(text, "k.cpp"))
    assert "redefinition of 'h' (first defined at k.cpp:2:1)" in str(info.value)


def test_a_redefinition_is_told_by_its_parsed_parameters_not_their_spacing_or_comments():
    text = "void h(int a,int b) {}\nvoid h(int a, /* again */ int   b) {}\n"
    with pytest.raises(PtofixError, match=r"redefinition of 'h' \(first defined at k.cpp:1:1\)"):
        parse_cpp(SourceText(text, "k.cpp"))
    overloads = parse_cpp(SourceText("void h(int a) {}\nvoid h(long a) {}\n", "k.cpp"))
    assert [fn.name for fn in overloads.functions] == ["h", "h"]


def test_same_named_functions_in_different_namespaces_are_two_functions():
    """Valid C++ (`a::h` and `b::h`): both are read, neither is a local function a call resolves
    to by name, so a call of either is Unknown and the barrier before it stays."""
    from ptofix.cpp_fixes import fix_cpp
    from ptofix.pass_manager import build_pass
    text = (f"namespace a {{\nAICORE void h({_NS_TILE} &x) {{ TADD(x, x, x); }}\n}}\n"
            f"namespace b {{\nAICORE void h({_NS_TILE} &x) {{ TMUL(x, x, x); }}\n}}\n"
            f"__global__ AICORE void k() {{\n  {_NS_TILE} t;\n  TASSIGN(t, 0);\n  {_NS_TILE} u;\n  TASSIGN(u, 64);\n"
            "  TADD(t, t, t);\n  pipe_barrier(PIPE_V);\n  a::h(u);\n}\n")
    model = parse_cpp(SourceText(text, "k.cpp"))
    assert [(fn.namespace, fn.name) for fn in model.functions] == [(("a",), "h"), (("b",), "h"), ((), "k")]
    outcome = fix_cpp(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})])
    assert outcome.text == text
    [decision] = outcome.reports[0]["decisions"]
    assert decision["decision"] == "kept" and "a::h(...)" in str(decision["reason"])
    # Barrier counts per function: each h listed apart, under its namespace and line.
    with_barriers = text.replace("TMUL(x, x, x); }", "TMUL(x, x, x); pipe_barrier(PIPE_V); TMUL(x, x, x); }")
    with_barriers = with_barriers.replace("TADD(x, x, x); }", "TADD(x, x, x); pipe_barrier(PIPE_V); TADD(x, x, x); }")
    report = fix_cpp(SourceText(with_barriers, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})]).reports[0]
    assert report["dynamic_barriers"] == {"a::h (line 2)": {"before": 1, "after": 1},
                                          "b::h (line 5)": {"before": 1, "after": 1}, "k": {"before": 1, "after": 1}}


@pytest.mark.parametrize("offset", [65536 - 8, 65536 - 3, 65536, 65536 + 1, 2 * 65536 - 5])
def test_identifiers_among_finds_a_name_across_a_chunk_boundary(offset):
    from ptofix.cpp.lexical import identifiers, identifiers_among
    names = frozenset({"PTO_DETAIL_CONCAT", "FOR_ROWS", "x"})
    text = "a" * offset + " PTO_DETAIL_CONCAT(v, 9) " + "b" * 70000 + " xFOR_ROWS x;"
    assert identifiers_among(text, names) == names.intersection(identifiers(text)) == {"PTO_DETAIL_CONCAT", "x"}


# The plain spelling of "one of the alternative tokens as a whole word" the parser's fast regex must
# agree with: a lookbehind at every position, then the words, then no word character after.
_PLAIN_ALTERNATIVE_TOKEN = __import__("re").compile(
    r"(?<![\w$])(?:" + "|".join(A.ALTERNATIVE_TOKEN_WORDS) + r")(?![\w$])")


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*A.ALTERNATIVE_TOKEN_WORDS, "a", "b", "n", "o", "x", "c", "_", "$", "e", "q",
                                 "1", " ", "(", ":", "é", "nd", "it", "r", "_eq", "ompl", "\n"]), max_size=8))
def test_alternative_token_search_agrees_with_its_plain_spelling(pieces):
    text = "".join(pieces)
    assert bool(A._ALTERNATIVE_TOKEN.search(text)) == bool(_PLAIN_ALTERNATIVE_TOKEN.search(text)), text


def corpus_statements(step: int):
    """Every statement of every ``step``-th corpus file that parses."""
    for path in corpus_cpp_files()[::step]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            try:
                model = parse_cpp(SourceText(handle.read(), path))
            except PtofixError:
                continue
        for fn in model.functions:
            yield from fn.statements()


def test_alternative_token_search_agrees_on_the_corpus_statements(corpus_dir):
    for stmt in corpus_statements(7):
        text = getattr(stmt, "text", "")
        assert bool(A._ALTERNATIVE_TOKEN.search(text)) == bool(_PLAIN_ALTERNATIVE_TOKEN.search(text))


def test_name_ids_is_the_walks_first_occurrence_order_with_shared_templates(corpus_dir):
    """name_ids takes a nested template's names from the template (shared between statements):
    the result is still the plain walk's, whether the template's names were kept before or not."""
    def plain(node):
        return tuple(dict.fromkeys(n.id for n in A.walk(node) if type(n) is A.Name))

    checked = 0
    for stmt in corpus_statements(5):
        node = stmt.ast if isinstance(stmt, SimpleStmt) else None
        if node is not None and any(isinstance(n, A.TemplateId) for n in A.walk(node)):
            assert A.name_ids(node) == plain(node), stmt.text
            checked += 1
    assert checked > 1000
