"""Inputs shaped to find quadratic or exponential paths: each test asserts the behaviour and a
size the work depends on (what reached the slow part), never the time."""
from __future__ import annotations

from ptofix.cpp import fast_expr
from ptofix.cpp import stmt_parser as A
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.parser import parse_cpp
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"


def kernel(between: str = "", helpers: str = "") -> str:
    """A barrier the proof removes (a and b never overlap), with ``between`` in its window."""
    return f"""{helpers}
__global__ AICORE void k(__gm__ float* x, int64_t n) {{
  {TILE} a;
  TASSIGN(a, 0);
  {TILE} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
  TADD(a, a, a);
{between}
  pipe_barrier(PIPE_V);
  TMUL(b, b, b);
}}
"""


def decisions(src: str) -> list:
    model = parse_cpp(SourceText(src, "pathological.cpp"))
    return [d for d in BarrierAnalysis(model).run({"auto"}) if not d.unread]


def decisions_by_groups(src: str) -> list:
    """As the pass decides them (decide_by_groups: the order it asks in differs from run()'s)."""
    from ptofix.cpp.barriers import decide_by_groups
    found: list = []
    decide_by_groups(parse_cpp(SourceText(src, "pathological.cpp")), {"auto"}, found.append)
    return sorted((d for d in found if not d.unread), key=lambda d: d.stmt.span.start)


def test_a_statement_too_long_for_the_grammar_is_unknown_without_reaching_it(monkeypatch):
    assert [d.removed for d in decisions(kernel("  int64_t zz = (n, n);"))] == [True]
    lengths: list[int] = []
    parse = fast_expr.parse_statement

    def measured(text: str):
        lengths.append(len(text))
        return parse(text)
    monkeypatch.setattr(fast_expr, "parse_statement", measured)
    items = A.MAX_GRAMMAR_CHARS // 3 + 100
    [decision] = decisions(kernel("  int64_t zz = (" + ", ".join(["n"] * items) + ");"))
    assert not decision.removed
    assert f"more than {A.MAX_GRAMMAR_CHARS} characters" in decision.reason
    assert max(lengths, default=0) <= A.MAX_GRAMMAR_CHARS


def test_a_long_comma_expression_is_built_in_one_list():
    node = fast_expr.parse_statement("zz = (" + ", ".join(f"v{i}" for i in range(2000)) + ");")
    comma = node.value if hasattr(node, "value") else node.expr.value
    assert [item.id for item in comma.items] == [f"v{i}" for i in range(2000)]
    assert comma.end == comma.items[-1].end


IR_HEAD = 'module {\n  "pto.x"() : () -> ()\n}\n'


def _ir_error(text: str) -> tuple[str, int, int]:
    from ptofix.ir.parser import parse_ir_text
    from ptofix.source import PtofixError
    try:
        parse_ir_text(text, "p.mlir")
    except PtofixError as error:
        diagnostic = error.diagnostic
        line, col = diagnostic.source.line_col(diagnostic.offset)
        return str(error), line, col
    raise AssertionError("parsed")


def test_an_unterminated_ir_string_of_escaped_quotes_is_one_token_and_a_located_error():
    from ptofix.ir import parser as P
    tail = '  "pto.y"() {s = "' + '\\"' * 5000 + "\n"
    # One token from the open quote on (each escaped quote once started a string scan to the line's end).
    kinds = [kind for kind, _, _ in P._tokens(tail)]
    assert kinds.count("ustr") == 1 and kinds[-2:] == ["ustr", "nl"]
    assert len(list(P._STRING_OR_COMMENT.finditer(tail))) == 2
    message, line, col = _ir_error(IR_HEAD.replace("}\n", tail + "}\n"))
    assert "unterminated string" in message and (line, col) == (3, len(tail.split("\\")[0]))


def test_an_unterminated_resource_block_is_one_token_and_a_located_error():
    from ptofix.ir import parser as P
    tail = "{-# x\n" * 5000
    assert [kind for kind, _, _ in P._tokens(tail)] == ["ures"]
    message, line, col = _ir_error(IR_HEAD + tail)
    assert "unterminated '{-#' resource block" in message and (line, col) == (4, 1)
    # (A terminated block stays one token, up to its first `#-}`.)
    assert [kind for kind, _, _ in P._tokens("{-# a # -} #-} #-}")] == ["res", "br"]


def test_a_chain_of_local_aliases_reads_each_target_a_bounded_number_of_times(monkeypatch):
    from ptofix.cpp import symbols
    calls = []
    words = symbols.type_words

    def counted(node):
        calls.append(node)
        return words(node)
    monkeypatch.setattr(symbols, "type_words", counted)
    chain = 400
    aliases = "  using A0 = int64_t;\n" + "".join(f"  using A{i + 1} = A{i};\n" for i in range(chain))
    # The last alias is still int64_t, so `q` has a value and b's address is 65536: removed.
    assert [d.removed for d in decisions(kernel(aliases + f"  A{chain} q = 65536;\n  TASSIGN(b, q);"))] == [True]
    assert len(calls) <= 4 * chain


def test_a_hiding_alias_still_makes_the_aliases_spelling_the_hidden_name_unknown():
    from ptofix.cpp.function_state import shadow_dependent_aliases
    from ptofix.cpp.symbols import Scope
    outer = Scope(None)
    outer.set_alias("B", A.TypeRef(0, 0, "E"))
    outer.set_alias("C", A.TypeRef(0, 0, "float"))
    outer.set_alias("D", A.TypeRef(0, 0, "E"))
    middle = Scope(outer)
    middle.set_alias("D", A.TypeRef(0, 0, "int"))     # hides the outer D: stays
    inner = Scope(middle)
    shadow_dependent_aliases(inner, "E")
    assert inner.alias("B").name.startswith("<type 'B' names 'E'")
    assert inner.alias("C").name == "float" and inner.alias("D").name == "int"
    assert outer.alias("B").name == "E"


def _helper_chain(length: int, last_body: str, each: str = "") -> str:
    helpers = f"static AICORE inline void h{length}({TILE} &t) {{ {last_body} }}\n"
    for i in range(length - 1, -1, -1):    # (callee first, as C++ needs without prototypes)
        helpers += f"static AICORE inline void h{i}({TILE} &t) {{ {each}h{i + 1}(t); }}\n"
    return helpers


def test_a_chain_of_helpers_is_decided_once_per_helper(monkeypatch):
    from ptofix.cpp import barriers
    reached: list[int] = []
    vector_free = barriers._vector_free

    def counted(cfgs, *args):
        reached.append(len(cfgs))
        return vector_free(cfgs, *args)
    monkeypatch.setattr(barriers, "_vector_free", counted)
    chain = 300
    # Each helper's barrier is decided in file order, the last helper first, and each asks whether
    # its callee issues vector work: the answer for the helpers below it is not sought again.
    found = decisions_by_groups(kernel("  h0(a);", _helper_chain(chain, "", "TADD(t, t, t); pipe_barrier(PIPE_V); ")))
    assert len(found) == chain + 1 and not found[-1].removed and "h0()" in found[-1].reason
    assert sum(reached) <= 2 * (chain + 2), (len(reached), sum(reached))
    # Helpers that only call the next, down to an empty one: the call issues no vector work.
    reached.clear()
    assert decisions(kernel("  h0(a);", _helper_chain(chain, "", "pipe_barrier(PIPE_V); ")))[-1].removed
    # The last one's vector op reaches the kernel through every helper: the barrier stays.
    decision = decisions(kernel("  h0(a);", _helper_chain(chain, "TADD(t, t, t);", "pipe_barrier(PIPE_V); ")))[-1]
    assert not decision.removed and "h0()" in decision.reason


def test_the_expression_parser_leaves_a_statement_too_long_for_the_grammar_unread():
    import pytest

    long_sum = " + ".join(["n"] * (A.MAX_GRAMMAR_CHARS // 4 + 10))
    with pytest.raises(fast_expr._Fail):       # before reading a token
        fast_expr._Parser(long_sum)
    assert A.parse_statement(f"q = {long_sum};") is None
    assert A.parse_statement("q = n + n;") is not None
