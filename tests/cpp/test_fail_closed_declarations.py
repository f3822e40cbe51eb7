"""Fail closed on declarations: template heads, statements that may declare a tile, keywords and reserved
names as declarators, linkage and entry from the specifiers, and functions whose name may be an empty macro.

Kernels and geometry as in tests/cpp/test_fail_closed.py.
"""
from __future__ import annotations

import pytest
from test_fail_closed import TILE, removed

from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText


def test_a_template_list_of_macros_may_be_an_explicit_specialization():
    from ptofix.cpp.header_policy import _has_specialization
    assert _has_specialization("template <NO_ARGS> void pto::TMUL_IMPL(T&);", frozenset({"NO_ARGS"}))
    assert not _has_specialization("template <NO_ARGS> void f();", frozenset())
    assert _has_specialization("template </* */> void f();")
    assert not _has_specialization("template <typename T> void f();", frozenset({"T2"}))


def _template_function(head: str):
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    fn, = PARSERS["cpp"](SourceText(f"{head}(int n) {{}}\n", "t.cpp")).functions
    return fn


@pytest.mark.parametrize("head, params", [
    ("template <typename T, int N> AICORE void f", {"T", "N"}),
    ("template <typename... Args> AICORE void f", {"Args"}),
    ("template <pipe_t P>\ntemplate <std::size_t K> AICORE void Owner::f", {"P", "K"}),
    ("template <> AICORE void f", set()),
    ("template <typename /* a > b */ T> AICORE void f", {"T"}),
    ("AICORE void f", set()),
])
def test_plain_template_heads_declare_their_parameter_names(head, params):
    from ptofix.cpp.statement_forms import template_value_params
    assert template_value_params(_template_function(head)) == params


@pytest.mark.parametrize("head", [
    "template <int N, std::enable_if_t<N >= 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<N >>= 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<bool{N > 0}, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, std::enable_if_t<N == 1, pipe_t> PIPE_ALL> AICORE void f",
    "template <int N, pipe_t PIPE_ALL PTO_INST_HPP> AICORE void f",
    "template <int N, pipe_t PIPE_ALL __wur> AICORE void f",
    "template <pipe_t __attribute__((unused)) PIPE_ALL> AICORE void f",
    'template <int __attribute__((annotate("f(N)"))) N, std::enable_if_t<N >= 1, pipe_t> PIPE_ALL> AICORE void f',
    "template <PTO_NO_ARGS> template <pipe_t PIPE_ALL> AICORE void f",
])
def test_a_template_head_the_model_does_not_read_exactly_may_declare_any_of_its_words(head):
    """Anything but plain `type name` parameters: which `>` ends a list, or which word is the
    name, is not read as the compiler reads it, so every word may be a parameter, and a call may
    run code for the returned value."""
    from ptofix.cpp.statement_forms import return_reason, template_value_params
    fn = _template_function(head)
    assert "PIPE_ALL" in template_value_params(fn)
    assert return_reason(fn)


def test_a_comment_between_qualifier_and_name_still_qualifies_the_definition():
    from ptofix.cpp.header_policy import _qualified_into_pto
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    fn, = PARSERS["cpp"](SourceText("void pto::/* spec */TMUL_IMPL(int& d) {}\n", "t.cpp")).functions
    assert fn.qualified and _qualified_into_pto(fn.qualified)


@pytest.mark.parametrize("use", ["MAP_INSTR_IMPL(TSQUARE, a, b);", "(void)PTO_DETAIL_CONCAT(tile_, square)(a, b);"])
def test_a_file_using_a_pasting_macro_of_pto_counts_no_name_completely(use):
    from ptofix.cpp.semantics import FileContext
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    text = f"static AICORE void h() {{}}\n__global__ AICORE void k() {{ {use} }}\n"
    assert FileContext(PARSERS["cpp"](SourceText(text, "t.cpp"))).pastes_tokens
    assert not FileContext(PARSERS["cpp"](SourceText(text.replace(use, "h();"), "t.cpp"))).pastes_tokens


def test_an_alias_declaration_in_a_for_init_is_not_read_as_a_variable():
    from ptofix.cpp.stmt_parser import parse_for_init
    assert parse_for_init("using Off = std::uint16_t") is None
    assert parse_for_init("typedef std::uint16_t Off") is None
    assert parse_for_init("int64_t using_x = 0") is not None


def test_a_conversion_keeps_an_input_in_the_tile_only_if_its_type_holds_the_tile():
    from ptofix.cpp.integers import IntType
    from ptofix.cpp.statement_forms import holds_dims
    assert holds_dims(IntType(8, False), 256)           # unsigned: modulo, only smaller
    assert not holds_dims(IntType(8, True), 256)        # (int8_t) 128 is -128: 0xFFFFFF80 rows
    assert holds_dims(IntType(8, True), 127)
    assert holds_dims(IntType(32, True), 256)
    assert not holds_dims("float", 16) and not holds_dims(IntType(32, True), None)


BIG = "Tile<TileType::Vec, float, 64, 128, BLayout::RowMajor, 64, 128, SLayout::NoneBox, 512, PadValue::Null>"


@pytest.mark.parametrize("declaration", ["TBig(b);", "TBig(b) = TBig();", "TBig const (b);", "TBig static (b);",
                                         "TBig volatile(b);", "TBig constexpr (b);", "TBig __const (b);",
                                         "TBig __volatile__(b);", "TBig _Atomic (b);", "TBig PTO_INST_HPP (b);",
                                         "PTO_INST_HPP TBig (b);", "__const TBig (b);",
                                         # `Tile` is a word of the file-scope alias, not a variable:
                                         BIG + "(b);", BIG + " (b) = TBig();"])
def test_a_statement_that_may_declare_a_tile_gives_the_name_a_new_unknown_type(declaration):
    # The inner b is a 32 KiB tile at [8192, 40960), over a at [32768, 40960); the outer b's
    # 8 KiB type would put it at [8192, 16384), clear of a.
    src = f"""using TBig = {BIG};
__global__ AICORE void k() {{
  {TILE} a;
  TASSIGN(a, 32768);
  {TILE} b;
  TASSIGN(b, 65536);
  {{
    {declaration}
    TASSIGN(b, 8192);
    pipe_barrier(PIPE_ALL);
    TADD(a, a, a);
    pipe_barrier(PIPE_V);
    TMUL(b, b, b);
  }}
}}
"""
    assert removed(src) == [False]
    assert removed(src.replace(declaration, "")) == [True]      # the outer b: provably clear of a


@pytest.mark.parametrize("text", ["TN const (t);", "TN static(t) = u;", "float volatile = 1;", "TN __ubuf__ (t);",
                                  "TN return (t);"])
def test_a_keyword_is_never_read_as_a_declarators_name(text):
    from ptofix.cpp.stmt_parser import parse_condition, parse_for_init, parse_parameter, parse_statement
    assert parse_statement(text) is None and parse_statement(text, fast=False) is None
    assert parse_for_init(text[:-1]) is None and parse_parameter(text[:-1].split("=")[0]) is None
    assert not isinstance(parse_condition(text[:-1]), type(parse_statement("TN t;")))
    assert parse_statement("const TN t;") is not None and parse_parameter("const TN t") is not None


@pytest.mark.parametrize("text", ["TN __const (t);", "TN PTO_INST_HPP (t);", "PTO_INST_HPP TN (t);", "using T2 = __const TN;",
                                  "typedef TN PTO_INST_HPP;", "TN _Reserved(t);", "TN __restrict (t);", "TN __builtin_x (t);", "TN __wur (t);", "TN __wur;", "__wur TN (t);"])
def test_a_declaration_spelled_with_a_reserved_name_or_a_pto_macro_is_not_read(text):
    from ptofix.cpp.stmt_parser import parse_statement
    assert parse_statement(text) is None and parse_statement(text, fast=False) is None


def test_element_types_pto_defines_as_macros_elsewhere_still_declare():
    from ptofix.cpp.stmt_parser import parse_statement
    from ptofix.pto.ops import pto_macro_names
    assert "bfloat16_t" in pto_macro_names()      # `#define bfloat16_t half` for other targets
    assert parse_statement("bfloat16_t x = 0;") is not None


def test_a_reserved_name_with_an_initializer_is_still_a_declaration():
    from ptofix.cpp.stmt_parser import parse_statement
    # (Generated kernels declare such names; without the name the statement would not compile.)
    assert parse_statement("int64_t __pypto_gm_block_offset = 1;") is not None
    assert parse_statement("int64_t __pypto_gm_block_offset;") is None


def test_an_equals_sign_inside_a_template_parameters_type_is_not_its_default():
    from ptofix.cpp import declaration_forms, statement_forms
    assert declaration_forms.template_heads("template <int N, std::enable_if_t<N == 1, pipe_t> PIPE_ALL> void ") == (None, "")
    assert declaration_forms.template_heads("template <decltype(1 <= 2) P> void ") == (None, "")
    assert declaration_forms.template_heads("template <pipe_t P = PIPE_V, int N = 4> void ") == (None, "")
    assert declaration_forms.template_heads("template <pipe_t P, int N> void ") == ((("pipe_t", "P"), ("int", "N")), "void ")
    assert statement_forms._template_heads(_template_function("template <pipe_t P, int N> void f")) == ({"P", "N"}, "void ")
    # A parameter's word that may be a macro: the name may be another word.
    assert statement_forms._template_heads(_template_function("template <pipe_t P __wur, int N> void f")) is None


@pytest.mark.parametrize("head, static, entry", [
    ("static AICORE void h(int x)", True, False),
    ("__attribute__((static)) AICORE void h(int x)", False, False),
    ("AICORE void h(int static_x)", False, False),
    ("__global__ AICORE void h(int x)", False, True),
    ("__attribute__((__global__)) AICORE void h(int x)", False, False),
])
def test_linkage_and_entry_come_from_the_specifiers_before_the_name(head, static, entry):
    fn = parse_cpp(SourceText(head + " {\n}\n", "t.cpp")).functions[0]
    assert (fn.static, fn.is_entry) == (static, entry)


def test_a_return_value_read_only_in_part_shows_no_call_event():
    from ptofix.cpp.barriers import _build_cfg
    from ptofix.cpp.semantics import FileContext
    src = f"""using TF = {TILE};
static AICORE bool wr(TF &c) {{
  TMUL(c, c, c);
  return true;
}}
static AICORE bool k2(TF &a, TF &c) {{
  return wr(c) && ((void)TADD(a, c, c), true);
}}
"""
    model = parse_cpp(SourceText(src, "t.cpp"))
    ctx = FileContext(model)
    cfg = _build_cfg(ctx, model.functions[1])
    assert cfg.local_calls == []


@pytest.mark.parametrize("specifier", ["extern", "thread_local", "register", "mutable", "static thread_local"])
@pytest.mark.parametrize("fast", [True, False])
def test_a_specifier_is_never_read_as_the_type_of_an_object_named_by_the_type(specifier, fast):
    """`extern TN (t);` declares t (of type TN), not an object TN of type `extern`."""
    from ptofix.cpp.stmt_parser import parse_statement
    assert parse_statement(f"{specifier} TN (t);", fast=fast) is None
    assert parse_statement("TN (t);", fast=fast) is not None


@pytest.mark.parametrize("head, refused", [
    ("AICORE inline void body PTO_INST_HPP", True),      # pto's include guard: empty
    ("AICORE inline void body __wur", True),              # a reserved word may be a system macro
    ("AICORE inline void body __attribute_used__", True),
    ("static AICORE inline void PTOAS__DCCI_SINGLE_CACHE_LINE", False),   # no other word can be the name
    ("AICORE inline void body", False),
])
def test_a_function_whose_name_may_be_an_empty_macro_leaves_the_file_unmodelled(head, refused):
    """`void body PTO_INST_HPP (TT& x)` defines body: the word before the parameters is not
    surely the function's name."""
    from ptofix.cpp.header_policy import _unread_declaration
    from ptofix.frontends import PARSERS
    from ptofix.source import SourceText
    model = PARSERS["cpp"](SourceText(f"{head}(int n) {{}}\n", "t.cpp"))
    assert bool(_unread_declaration(model)) is refused
