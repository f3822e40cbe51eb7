"""Parsed declarators of the C++ model: function parameters and file-scope declarations, each
with its exact span, typed parts, or the reason it is not read."""
import glob
import os

import pytest

from ptofix.cpp import stmt_parser as A
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

KERNEL = """\
template <typename T>
__global__ AICORE void k(__gm__ half* x, const Tile<TileType::Vec, float, 16, 64>& t /* the tile, t */,
                         int /* n */ n = 3, ...)
{
}
void none(void) {}
void unnamed(int, float*) {}
"""


def _model(text: str):
    return parse_cpp(SourceText(text, "k.cpp"))


def _spelled(text: str, span) -> str:
    return text[span.start:span.end]


def test_parameters_are_typed_declarations_with_spans():
    params = _model(KERNEL).function("k").parameters
    assert [_spelled(KERNEL, p.span) for p in params] == [
        "__gm__ half* x", "const Tile<TileType::Vec, float, 16, 64>& t", "int /* n */ n = 3", "..."]
    x, t, n, rest = params
    assert (x.name, x.type_words, x.pointer, x.reference, x.qualifiers, x.template_args) == \
        ("x", "half", 1, False, ("__gm__",), ())
    assert (t.name, t.type_words, t.pointer, t.reference, t.qualifiers) == ("t", "Tile", 0, True, ("const",))
    assert [type(arg).__name__ for arg in t.template_args] == ["Name", "TypeRef", "Number", "Number"]
    assert t.template_args[0].id == "TileType::Vec" and t.template_args[2].text == "16"
    # A comment inside a parameter is one space of its text; spans still point into the file.
    assert n.text == "int   n = 3" and n.words == ("int", "n")
    assert isinstance(n.default, A.Number) and n.default.text == "3"
    for param in (x, t, n):
        assert param.unread == ""
        assert _spelled(KERNEL, param.name_span()) == param.name
    assert n.name_span().start == KERNEL.index("n = 3")
    assert rest.declarator is None and rest.unread == "a C variadic parameter" and rest.name_span() is None


def test_void_and_unnamed_parameters():
    model = _model(KERNEL)
    assert model.function("none").parameters == ()
    first, second = model.function("unnamed").parameters
    assert (first.name, first.type_words, second.type_words, second.pointer) == ("", "int", "float", 1)
    assert first.unread == "" and first.name_span() is None


@pytest.mark.parametrize(("params", "texts", "unread"), [
    # A comma inside a comment separates nothing.
    ("int a /* x, y */, int b", ["int a  ", "int b"], ["", ""]),
    # `1 << 4` counts as brackets: the two parameters are one text, which no declaration reads.
    ("int a = 1 << 4, int PIPE_V = 2", ["int a = 1 << 4, int PIPE_V = 2"],
     ["a declaration the statement grammar does not read"]),
    # A function-pointer parameter is not read by the grammar: unread, never guessed.
    ("void (*f)(int), int b", ["void (*f)(int)", "int b"],
     ["a declaration the statement grammar does not read", ""]),
    ("int a,", ["int a"], [""]),
    ("int a, , int b", ["int a", "", "int b"], ["", "an empty parameter", ""]),
])
def test_parameters_split_and_unread_with_reason(params, texts, unread):
    text = f"void f({params}) {{}}\n"
    parsed = _model(text).function("f").parameters
    assert [p.text.rstrip() for p in parsed] == [t.rstrip() for t in texts]
    assert [p.unread for p in parsed] == unread
    for param in parsed:
        assert text.index(params) <= param.span.start <= param.span.end <= text.index(params) + len(params)
        spelled = _spelled(text, param.span)
        assert spelled == spelled.strip()
        if param.unread:
            assert param.name == "" and param.type_words == "" and param.qualifiers == ()


def test_every_corpus_parameter_span_spells_its_text(corpus_dir):
    """Over the corpus: each parameter's span spells its text (comments aside), and ptoas's
    kernel parameters are all read."""
    read = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        for fn in parse_cpp(SourceText(text, path)).functions:
            for param in fn.parameters:
                if "/" not in _spelled(text, param.span):
                    assert _spelled(text, param.span) == param.text, (path, fn.name)
                if fn.is_entry:
                    assert param.unread == "", (path, fn.name, param.text)
                read += 1
    assert read > 1000



GLOBALS = """\
using namespace pto;
using namespace ::a :: b;
enum class PTOAutoSyncTailMode : int { kAll = 0, kHalf = 1 };
using T /* element */ = float;
constexpr int32_t N = 4;
struct Pair { int a; int b; };
static const int M[2] = {1, 2};
typedef float F, *P;
void g(int);
void f() {}
"""


def test_globals_are_typed_declarations_or_unread_with_reason():
    model = _model(GLOBALS)
    decls = model.globals
    assert [_spelled(GLOBALS, d.span) for d in decls] == [line for line in GLOBALS.splitlines()[:-1]]
    assert [(d.kind, d.name) for d in decls] == [
        ("using-namespace", "pto"), ("using-namespace", "a::b"), ("scoped-enum", "PTOAutoSyncTailMode"),
        ("alias", "T"), ("variable", "N"), ("plain-struct", "Pair"),
        ("unread", ""), ("unread", ""), ("unread", "")]
    assert decls[1].path == ("a", "b")
    # Comments are no words of a declaration.
    assert decls[3].text == "using T   = float;" and decls[3].words == ("using", "T", "float")
    alias, variable = decls[3].declarator, decls[4].declarator
    assert isinstance(alias, A.TypeAlias) and alias.type.name == "float"
    assert isinstance(variable, A.Decl) and variable.type.name == "int32_t" and variable.type.quals == ("constexpr",)
    bracketed = "a brace, parenthesis or bracket (a class, an initializer, a prototype, an attribute)"
    assert [d.reason for d in decls] == [""] * 6 + [bracketed,
                                                    "a declaration the statement grammar does not read as an "
                                                    "alias or a variable",
                                                    "parentheses outside one declarator's copy-initializer (a "
                                                    "prototype, a direct-initializer, a parenthesized declarator, "
                                                    "a second declarator)"]
    assert all(d.declarator is None for d in decls if d.kind != "alias" and d.kind != "variable")


HEADS = """\
template <typename T, int N>
template <pipe_t P> AICORE inline void Owner<T>::run(int n) const {}
auto data(Tile& t) noexcept -> decltype(t.data()) { return t.data(); }
template <int N, std::enable_if_t<N == 1, pipe_t> P> void guarded() {}
__global__ AICORE void kernel(__gm__ float* /* out */ x) {}
"""


def test_function_heads_are_read_into_their_parts():
    run, data, guarded, kernel = _model(HEADS).functions
    head = run.declaration
    assert head.template_params == (("typename", "T"), ("int", "N"), ("pipe_t", "P"))
    assert head.after_templates == "AICORE inline void Owner<T>::"
    assert head.before_name == "template <typename T, int N>\ntemplate <pipe_t P> AICORE inline void Owner<T>::"
    assert head.owner == "Owner" and head.trailing_return == ""
    assert head.return_words == ("AICORE", "inline", "void", "Owner", "T")
    assert head.before_name_words[:4] == ("template", "typename", "T", "int")
    assert head.words[:3] == ("template", "typename", "T")
    assert data.declaration.trailing_return == "decltype(t.data())" and data.declaration.owner == ""
    assert data.declaration.template_params == () and data.declaration.after_templates == "auto "
    # Template heads that are not plain `type name` parameters are not split: None, never a guess.
    assert guarded.declaration.template_params is None and guarded.declaration.after_templates == ""
    assert guarded.declaration.return_words == () and "P" in guarded.declaration.before_name_words
    # Comments are no words of the head.
    assert kernel.declaration.words == ("__global__", "AICORE", "void", "kernel", "__gm__", "float", "x")
    assert kernel.declaration.text == "__global__ AICORE void kernel(__gm__ float*   x) "


def test_corpus_declarations_and_heads_are_read_or_say_why(corpus_dir):
    """Over the corpus: each file-scope declaration spans its statement and is read or says why
    not; each head's parts are pieces of the head."""
    kinds: set[str] = set()
    heads = 0
    for path in sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        model = parse_cpp(SourceText(text, path))
        for decl in model.globals:
            assert _spelled(text, decl.span) == decl.stmt.text
            assert (decl.kind == "unread") == bool(decl.reason), (path, decl.stmt.text)
            assert (decl.declarator is not None) == (decl.kind in ("alias", "variable"))
            kinds.add(decl.kind)
        for fn in model.functions:
            head = fn.declaration
            # (before_name blanks the insides of literals: `extern "C"` reads `extern " "`.)
            assert fn.name in head.words and len(head.before_name) <= fn.params_at
            assert set(head.before_name_words) <= set(head.words)
            if head.template_params is not None:
                assert head.before_name.endswith(head.after_templates)
                assert set(head.return_words) <= set(head.before_name_words)
            heads += 1
    assert {"using-namespace", "scoped-enum"} <= kinds and heads > 1000
