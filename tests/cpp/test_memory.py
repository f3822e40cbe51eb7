"""Memory-saving representations behave like the plain ones they replace."""
import glob
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptofix.cpp.model import SPAN_SHIFT, Compound, SimpleStmt, SourceSliceStmt, pack_span
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.tokens import _KIND_OF_GROUP, _TOKEN_RE, Tokens, scan_tokens, tokenize
from ptofix.source import PtofixError, SourceText, Span


def reference_tokens(text):
    """The tokenizer's tuples (kind, text, start, end) built one tuple a token, as it once did."""
    out = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        group = match.lastindex
        out.append((chr(_KIND_OF_GROUP[group]), match.group(group), match.start(group), pos))
    return out


def scanned(text):
    try:
        return scan_tokens(SourceText(text, "x"))
    except PtofixError:
        return None


_PIECES = list("ab1_(){}[];:/*#\"'\\\n\t =<>,.&") + [
    "for", "if", "else", "//c\n", "/* d */", "/*", "#if X\n", "#endif\n", "#define Y 1 \\\n 2\n",
    "\"s;\"", "'c'", "a/b", "x//y\n", "\r\n", "\r", "\ufeff", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_compact_tokens_equal_the_tuples_on_random_text(pieces):
    text = "".join(pieces)
    tokens = scanned(text)
    if tokens is None:
        return
    assert isinstance(tokens, Tokens)
    assert tokens.tuples() == reference_tokens(text)
    assert len(tokens) == len(tokens.kinds) == len(tokens.starts) == len(tokens.ends)
    for i, tok in enumerate(tokens.tuples()):
        assert tokens.text_of(i) == tok[1]
        # An 'o' token's mark is its character; another's, its kind letter.
        assert tokens.marks[i] == (tok[1] if tok[0] == "o" else tok[0])
    assert [(t.kind, t.text, t.start, t.end) for t in tokenize(SourceText(text))] == tokens.tuples()


def test_compact_tokens_equal_the_tuples_on_the_corpus(corpus_dir):
    files = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))
    rnd = random.Random(7)
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
        tokens = scanned(text)
        if tokens is not None:
            assert tokens.tuples() == reference_tokens(text), path
    for _ in range(50):       # cut corpus files: unbalanced brackets, split comments and strings
        with open(rnd.choice(files), encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
        i = rnd.randrange(len(text) + 1)
        text = text[:i] + text[i + rnd.randint(0, 300):]
        tokens = scanned(text)
        if tokens is not None:
            assert tokens.tuples() == reference_tokens(text)


def test_bracket_table_and_scans_agree_on_unbalanced_text():
    # Unbalanced files are parsed by scanning from each bracket instead of the table: the errors
    # and models must be those of a balanced prefix either way.
    for text in ("void f() { a(; }", "void f() { g(x]; }", "void f() { x; ", "void f() { if (a) b; else }",
                 "void f() { switch (x) { case 1: a; } }", "void f() { do { a; } while (b); }"):
        try:
            model = parse_cpp(SourceText(text, "x"))
        except PtofixError as exc:
            assert exc.args
        else:
            assert model.print() == text


# -- the barrier proof, one independent group of functions at a time ---------------------------

def _decision_key(d):
    return (d.fn.name, d.stmt.span, d.pattern, d.removable, d.removed, d.reason, d.weight, d.pairs_checked,
            d.same_access_pairs, d.context, [e.op or e.kind.value for e in d.before_ops],
            [e.op or e.kind.value for e in d.after_ops])


def _whole_file(model, patterns, force=False):
    """The whole-file analysis; its unparsed statements of the functions decide_by_groups models."""
    from ptofix.cpp.barriers import BarrierAnalysis, decide_by_groups
    functions: list = []
    decide_by_groups(model, patterns, _decision_key, force=force, modelled=functions)
    modelled = [(fn.span.start, fn.span.end) for fn in functions]
    analysis = BarrierAnalysis(model)
    decisions = analysis.run(patterns, force=force)
    return [_decision_key(d) for d in decisions], [s.span for s in analysis.unparsed_statements()
                                                   if any(lo <= s.span.start < hi for lo, hi in modelled)]


def _by_groups(model, patterns, force=False):
    from ptofix.cpp.barriers import decide_by_groups
    kept, unparsed = decide_by_groups(model, patterns, _decision_key, force=force)
    return kept, [s.span for s in unparsed]


def _corpus_models(corpus_dir, limit=None):
    files = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))
    out = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if "pipe_barrier" not in text:
            continue
        try:
            out.append((path, text, parse_cpp(SourceText(text, path))))
        except PtofixError:
            continue
    return out[:limit]


def _concatenation(models, rename):
    import re
    parts = []
    for copy, (_, text, model) in enumerate(models):
        if rename:
            for name in sorted({fn.name for fn in model.functions}, key=len, reverse=True):
                text = re.sub(rf"\b{re.escape(name)}\b", f"{name}_{copy}", text)
        parts.append(text)
    return "".join(parts)


@pytest.mark.slow
def test_groups_decide_as_the_whole_file_on_the_corpus(corpus_dir):
    for path, _, model in _corpus_models(corpus_dir):
        assert _by_groups(model, {"auto"}) == _whole_file(model, {"auto"}), path


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
def test_groups_decide_as_the_whole_file_on_concatenations(corpus_dir):
    from ptofix.cpp.barriers import independent_groups
    models = _corpus_models(corpus_dir, 60)
    for rename in (True, False):
        text = _concatenation(models, rename)
        try:
            model = parse_cpp(SourceText(text, "cat.cpp"))
        except PtofixError:      # duplicate definitions without renaming
            continue
        assert len(independent_groups(model)) > 10
        for patterns, force in (({"auto"}, False), ({"gu", "softmax-sum-add"}, False), ({"auto"}, True)):
            assert _by_groups(model, patterns, force) == _whole_file(model, patterns, force)


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_a_call_the_grouping_missed_falls_back_to_the_whole_file(corpus_dir):
    from ptofix.cpp import barriers
    calls = [(path, model) for path, _, model in _corpus_models(corpus_dir)
             if any(len(g) > 1 for g in barriers.independent_groups(model))]
    assert calls
    fell_back = 0
    for path, model in calls[:40]:
        whole = _whole_file(model, {"auto"})
        # Every function alone: a caller's analysis reads its callee's model, outside its group.
        singles = [[fn] for fn in model.functions]
        candidates = barriers.candidate_groups(model, singles)
        try:
            barriers._decide_groups(model, candidates, {"auto"}, _decision_key, False, None, len(singles))
        except barriers._GroupLeak:
            fell_back += 1        # the leak is seen ...
        kept, unparsed = barriers.decide_by_groups(model, {"auto"}, _decision_key,
                                                   grouping=lambda model, mentions, singles=singles: singles)
        # ... and the whole file decided again, as the full analysis (and its functions that decision reads).
        assert (kept, [s.span for s in unparsed]) == whole, path
    assert fell_back >= 5


@pytest.mark.slow   # (2 s of CPU or more, measured: CI's full tier runs it)
def test_release_leaves_no_cycles(corpus_dir):
    import gc

    from ptofix.cpp.barriers import decide_by_groups
    models = _corpus_models(corpus_dir, 30)
    model = parse_cpp(SourceText(_concatenation(models, True), "cat.cpp"))
    gc.collect()
    gc.disable()
    try:
        decide_by_groups(model, {"auto"}, _decision_key)
        assert gc.collect() < 200     # a few objects of lazily built caches, not the models
    finally:
        gc.enable()


def test_run_pipeline_frees_the_model_before_building_the_output(monkeypatch):
    # The output text of a large file is built after the pass: the model must not still be alive.
    import weakref

    import ptofix.pass_manager as pm
    from ptofix.source import Edit

    class Model:
        pass

    class Rewrite(pm.Pass):
        name = "rewrite"

        def apply(self, model, source):
            return pm.PassResult([Edit(0, 1, "y")], {}, [])

    built: list = []

    def parse(source):
        model = Model()
        built.append(weakref.ref(model))
        return model

    alive_at_edits: list[bool] = []
    apply_edits = pm.apply_edits

    def spy(text, edits):
        alive_at_edits.append(built[-1]() is not None)
        return apply_edits(text, edits)

    monkeypatch.setattr(pm, "apply_edits", spy)
    outcome = pm.run_pipeline(SourceText("x;", "m.cpp"), [Rewrite(), Rewrite()], {"cpp": parse})
    assert outcome.text == "y;"
    assert alive_at_edits == [False, False]


# Statement forms of the corpus's first megabyte that once loaded lark (several MiB of modules and
# tables): the statement parser gives the grammar's result, None included, with or without the
# regex fast paths in front.
_FORMS_WITHOUT_GRAMMAR = [
    ("start", "v30[v31] = v17;"),
    ("start", "int32_t v19 = (v5)[v18];"),
    ("start", "pto::comm::ReduceOp v79 = pto::comm::ReduceOp::Sum;"),
    ("start", "pto::comm::ParallelGroup<GlobalTensor<float, pto::Shape<1, 1, 1, 1, 128>, pto::Stride<128, 128, 128, "
              "128, 1>, pto::Layout::ND>> v36 = pto::comm::ParallelGroup<GlobalTensor<float, pto::Shape<1, 1, 1, 1, "
              "128>, pto::Stride<128, 128, 128, 128, 1>, pto::Layout::ND>>::Create(v30, v34, v35);"),
    ("param", "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null, "
              "CompactMode::Null> v1"),
    ("param", "GlobalTensor<half, pto::Shape<1, 1, 1, 16, 16>, pto::Stride<-1, -1, -1, -1, -1>, pto::Layout::ND> v1"),
]


def test_common_forms_read_as_the_grammar():
    from lark_spec import parse as grammar_parse

    from ptofix.cpp import stmt_parser as A
    grammar = {text: A._real_declarator(grammar_parse(text, "start" if kind == "start" else "param_start"))
               for kind, text in _FORMS_WITHOUT_GRAMMAR}
    A.forget_all_statements()
    for kind, text in _FORMS_WITHOUT_GRAMMAR:
        fast = A.parse_statement(text) if kind == "start" else A.parse_parameter(text)
        assert repr(fast) == repr(grammar[text]), text
    assert grammar[_FORMS_WITHOUT_GRAMMAR[3][1]] is None      # the grammar rejects `Templ<...>::Create`
    A.forget_all_statements()


def test_statements_slice_their_text_from_the_file_instead_of_copying_it():
    text = ("// lead\nusing T = float;\nvoid f(int n) {\n  // c\n  int a = 1;\n#if X\n  a = 2;\n#endif\n"
            "  switch (n) { case 1: a = 3; break; default: ; }\n  while (n) { n--; }\n  do { n--; } while (n);\n"
            "  lbl:\n  ;\n}\n")
    model = parse_cpp(SourceText(text, "x"))
    sliced = [stmt for fn in model.functions for stmt in fn.statements() if isinstance(stmt, SourceSliceStmt)]
    sliced += [decl.stmt for decl in model.globals]
    # (A label is a LabelStmt, an OpaqueStmt the proof's control-flow graph reads; `do` stays opaque.)
    assert {type(stmt).__name__ for stmt in sliced} >= {"SimpleStmt", "Comment", "Directive", "CaseLabel",
                                                         "OpaqueStmt", "LabelStmt"}
    for stmt in sliced:
        assert stmt.file_text is text                       # one shared reference, no copy
        assert "text" not in stmt._fields
        assert stmt.text == text[stmt.span.start:stmt.span.end]
        assert f"text={stmt.text!r}" in repr(stmt) and "file_text" not in repr(stmt)


def test_statements_pack_their_span_in_one_int():
    text = "void f(int n) {\n  // c\n  for (int i = 0; i < n; i++) { if (i) { a(i); } }\n#if X\n  b();\n#endif\n}\n"
    model = parse_cpp(SourceText(text, "x"))
    stmts = list(model.functions[0].statements())
    assert len(stmts) > 6
    for stmt in stmts:
        assert type(stmt.packed_span) is int                 # no Span object (and its two ints) kept
        assert stmt.span == Span(stmt.packed_span >> SPAN_SHIFT, stmt.packed_span & ((1 << SPAN_SHIFT) - 1))
        assert repr(stmt).startswith(f"{type(stmt).__name__}(span={stmt.span!r}") and "packed" not in repr(stmt)
    # An end too large for SPAN_SHIFT bits packs as a negative int; a Span given to a constructor is packed.
    far = pack_span(1, 1 << SPAN_SHIFT)
    assert type(far) is int and far < 0 and SimpleStmt(far, "x").span == Span(1, 1 << SPAN_SHIFT)
    assert SimpleStmt(pack_span(2**40, 2**41), "").span == Span(2**40, 2**41)
    assert Compound(Span(3, 9)).span == Span(3, 9) and type(Compound(Span(3, 9)).packed_span) is int
    assert SimpleStmt(Span(1, 1 << SPAN_SHIFT), "x").packed_span == far
    assert SimpleStmt(Span(1, 3), "abcd;").text == SimpleStmt(pack_span(1, 3), "abcd;").text == "bc"


def test_the_shared_empty_environment_stays_empty(corpus_dir):
    """StmtInfo's default env is one shared dict (most statements name nothing): nothing may write
    to it, or every statement without names would see what was written."""
    from ptofix.cpp import symbols
    from ptofix.cpp.barriers import decide_by_groups
    for _path, _text, model in _corpus_models(corpus_dir, 60):
        decide_by_groups(model, {"auto"}, _decision_key)
    assert symbols._NO_NAMES == {}
