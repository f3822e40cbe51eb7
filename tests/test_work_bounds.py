"""Work that must grow linearly with the input (issue #60): each test builds its input with a
generator, then asserts a bound on work done, as a deterministic count where one exists, else as
the CPU time of the input doubled against the input (median of runs, slow tier): at most 2.5x."""
from __future__ import annotations

import gc
import statistics
import time

import pytest

from ptofix.cpp import barrier_selection, barriers
from ptofix.cpp.parser import parse_cpp
from ptofix.pto.race_model import RaceModel
from ptofix.side_files import ReadRecord
from ptofix.source import SourceText, Span

TILE = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
MAX_GROWTH = 2.5


def cpu_growth(work, small, large, runs: int = 3) -> float:
    """Median CPU time of ``work(large)`` over that of ``work(small)``, each after a run that fills
    the caches, with the cyclic GC off while timed: a full collection walks every object of the
    process (the whole suite's), a pause that does not scale with ``work`` and weighs most in the
    compiled build, where the work itself is fastest."""
    def median(arg) -> float:
        work(arg)
        times = []
        for _ in range(runs):
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                work(arg)
                times.append(time.process_time() - start)
            finally:
                gc.enable()
        return statistics.median(times)
    return median(large) / max(median(small), 1e-3)


def barrier_chain(pairs: int, alternating: bool = False) -> str:
    """A straight-line kernel of ``pairs`` x ``TADD; pipe_barrier(PIPE_V); TMUL; pipe_barrier(PIPE_V);``
    on one tile (every barrier removable as a same-access chain, so the proofs' windows reach the
    work bound), or alternating two tiles (every other pair needs its barriers)."""
    body = [f"  {TILE} a;", "  TASSIGN(a, 0);", f"  {TILE} b;", "  TASSIGN(b, 65536);"]
    for i in range(pairs):
        if alternating and i % 2:
            body += ["  TADD(b, a, b);", "  pipe_barrier(PIPE_V);", "  TMUL(a, b, a);", "  pipe_barrier(PIPE_V);"]
        else:
            body += ["  TADD(a, a, a);", "  pipe_barrier(PIPE_V);", "  TMUL(a, a, a);", "  pipe_barrier(PIPE_V);"]
    return "__global__ AICORE void k(__gm__ float* x) {\n" + "\n".join(body) + "\n}\n"


def decide(src: str) -> list:
    """Every decision of ``src`` under the opt-in race model (--same-access-chains), which removes the
    chain barriers these workloads are built of (msSanitizer's rule, the default, keeps them all)."""
    found: list = []
    barriers.decide_by_groups(parse_cpp(SourceText(src, "chain.cpp")), {"auto"}, found.append,
                              race_model=RaceModel.SAME_ACCESS_CHAINS)
    return found


def test_the_selection_search_reads_each_blocked_barrier_through_its_blockers(monkeypatch):
    """_better_swap looked at every blocked barrier for every option (quadratic): now only at those
    the option's blockers block."""
    calls = [0]
    frees = barrier_selection._frees

    def counted(need, given):
        calls[0] += 1
        return frees(need, given)
    monkeypatch.setattr(barrier_selection, "_frees", counted)
    counts = []
    for pairs in (200, 400):
        calls[0] = 0
        found = decide(barrier_chain(pairs, alternating=True))
        assert sum(d.removed for d in found) == pairs + 1        # (what the search settles on)
        counts.append(calls[0])
    assert counts[1] <= MAX_GROWTH * max(counts[0], 1), counts


def test_the_joint_proof_does_not_copy_the_removals_per_barrier(monkeypatch):
    """prove_jointly and _blocked decided each removal against a copy of all removals (quadratic
    in the barriers): now against the set itself, changed and restored. Counted: the removals a
    proof is given in a set other than the analysis's own."""
    copied = [0]
    decide_with = barrier_selection.BarrierSelection.decide_with

    def counted(self, d, removed):
        if removed is not self.analysis.removed:
            copied[0] += len(removed)
        return decide_with(self, d, removed)
    monkeypatch.setattr(barrier_selection.BarrierSelection, "decide_with", counted)
    counts = []
    for pairs in (150, 300):
        copied[0] = 0
        found = decide(barrier_chain(pairs))
        assert sum(d.removed for d in found) > pairs
        counts.append(copied[0])
    assert counts[1] <= MAX_GROWTH * counts[0] + 1000, counts


def count_proofs(monkeypatch) -> list[int]:
    """Counts every proof (BarrierAnalysis._decide) made from now on."""
    proofs = [0]
    original = barriers.BarrierAnalysis._decide

    def counted(self, fn, stmt, pattern):
        proofs[0] += 1
        return original(self, fn, stmt, pattern)
    monkeypatch.setattr(barriers.BarrierAnalysis, "_decide", counted)
    return proofs


def test_the_selection_search_proves_each_barrier_a_few_times(monkeypatch):
    """One tile's chain: every barrier is removable alone, so the greedy pass keeps one in 65 for
    the walk's work bound, and each kept one is blocked by the 130 removals its walks cross. The
    search proved it again with each of them given back alone (130 proofs), the joint proof went
    over every removal twice, the search's steps proved the same barriers again: about 7 proofs a
    barrier (111,000 for 16,000 barriers: 15 to 20 s). Now a run that does not free it rules out
    its removals with one proof, and a proof whose walks meet the same removals is read back."""
    proofs = count_proofs(monkeypatch)
    found = decide(barrier_chain(1000))
    assert len(found) == 2000
    assert sum(d.removed for d in found) == 1970      # (the outcome the search had before)
    assert proofs[0] <= 3 * len(found), proofs[0]       # (13,700 before, 4,300 now)


def test_a_needed_barrier_is_not_proved_again_by_each_step_of_the_search(monkeypatch):
    """Alternating tiles: every other pair needs its barriers, the others are removable alone
    but not together. The swap search proved each blocked barrier again for every option it
    tried; the proofs it had made at the same removals are now read back."""
    proofs = count_proofs(monkeypatch)
    found = decide(barrier_chain(1000, alternating=True))
    assert sum(d.removed for d in found) == 1001
    assert proofs[0] <= 2.5 * len(found), proofs[0]      # (6,000 before, 4,500 now)


@pytest.mark.slow
@pytest.mark.parametrize("alternating", [False, True])
def test_deciding_a_barrier_chain_is_linear_in_its_barriers(alternating):
    # (Four times the pairs against 8x, as below: a CPU-time doubling against 2.5x is too close on a
    # loaded machine.)
    small, large = (barrier_chain(n, alternating) for n in (250, 1000))
    assert cpu_growth(decide, small, large) <= 8.0


def test_an_include_is_looked_for_only_in_the_directories_that_list_its_name(tmp_path, monkeypatch):
    """Missing includes x many -I directories: a `stat` per pair before (ten million for 2,000
    x 5,000), now one listing per directory and a `stat` only where the name is listed."""
    import os

    from ptofix.cpp import headers
    directories = []
    for i in range(300):
        directory = tmp_path / f"d{i}"
        directory.mkdir()
        directories.append(str(directory))
    (tmp_path / "d250" / "found.h").write_text("#define FOUND 1\n")
    src = "".join(f'#include "missing{i}.h"\n' for i in range(200)) + '#include "found.h"\n' + barrier_chain(1)
    model = parse_cpp(SourceText(src, str(tmp_path / "k.cpp")))
    stats = [0]
    isfile = os.path.isfile

    def counted(path):
        stats[0] += 1
        return isfile(path)
    monkeypatch.setattr(os.path, "isfile", counted)
    summaries = headers.read_includes(model, tuple(directories))
    assert len(summaries) == 201
    assert sum("not found" in s.unknown for s in summaries.values()) == 200
    [found] = [s for s in summaries.values() if not s.unknown]
    assert found.paths == [str(tmp_path / "d250" / "found.h")] and "FOUND" in found.macros
    assert stats[0] <= 2 * 201, stats       # (beside the kernel, then where listed)


def doubling_macros(steps: int, tests: int, defines_between: bool = True) -> str:
    """``A_k`` = ``(A_{k-1} + A_{k-1})``: its expansion doubles at each step; then ``tests``
    `#if`s on the last one (a #define of another name between them when ``defines_between``)."""
    lines = ["#define A0 1"] + [f"#define A{i} (A{i - 1}+A{i - 1})" for i in range(1, steps)]
    for i in range(tests):
        lines += [f"#if A{steps - 1} > {i}", f"#define X{i} 1" if defines_between else "", "#endif"]
    return "\n".join(lines) + "\n"


def _state_reads(monkeypatch, text: str) -> tuple[int, list]:
    from ptofix.cpp import preprocessor
    from ptofix.cpp.parser import directive_tables
    reads = [0]
    state = preprocessor.MacroState.state

    def counted(self, name):
        reads[0] += 1
        return state(self, name)
    monkeypatch.setattr(preprocessor.MacroState, "state", counted)
    table, sections, groups = directive_tables(SourceText(text, "if.cpp"))
    outcomes = preprocessor.group_outcomes(table, sections, groups, preprocessor.MacroState({}, True), True)
    return reads[0], outcomes


@pytest.mark.parametrize("steps", [8, 40])
def test_an_if_on_doubling_macros_expands_each_macro_once(monkeypatch, steps):
    """Each `#if A39` ran the expansion to MAX_EXPANDED_TOKENS (400 of them: 28 s in simulate):
    now a macro's expansion is memoised until a #define or #undef of a name it read."""
    reads, outcomes = _state_reads(monkeypatch, doubling_macros(steps, 400))
    value = 2 ** (steps - 1)
    if steps == 8:   # (128: the #ifs above it are not taken, those below are)
        assert outcomes[:130] == [True] * 128 + [False] * 2
    else:            # (past the bound: not known)
        assert set(outcomes) == {None} and value > 4096
    assert reads <= 4 * (steps + 400), reads


def test_a_define_of_a_name_the_expansion_read_is_seen():
    from ptofix.cpp import preprocessor
    from ptofix.cpp.parser import directive_tables
    text = "#define B 1\n#define A (B+B)\n#if A == 2\n#endif\n#undef B\n#define B 2\n#if A == 4\n#endif\n" \
           "#define A 7\n#if A == 7\n#endif\n#if A == 4\n#endif\n"
    table, sections, groups = directive_tables(SourceText(text, "if.cpp"))
    outcomes = preprocessor.group_outcomes(table, sections, groups, preprocessor.MacroState({}, True), True)
    assert outcomes == [True, True, True, False]


def test_the_memo_evaluates_as_the_expansion_in_place():
    """Random macro tables (recursion, `defined` in a replacement, function-like macros, unknown
    names, deep chains): every condition has the same value with the memo as without."""
    import random

    from ptofix.cpp import preprocessor
    rng = random.Random(60)
    names = [f"M{i}" for i in range(12)]
    pieces = names + ["1", "2", "+", "*", "-", "(", ")", "defined", "U", "F", "0"]
    for _ in range(400):
        known: dict = {}
        for name in names:
            if rng.random() < 0.15:
                continue
            body = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
            directive = f"#define {name} {body}"
            known[name] = preprocessor.read_macro_directive(directive, Span(0, len(directive)))
        known["F"] = preprocessor.read_macro_directive("#define F(x) x", Span(0, 14))
        closed = rng.random() < 0.5
        memo = preprocessor.ExpansionMemo()
        for _ in range(6):
            condition = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
            plain = preprocessor.evaluate_condition("#if", condition, preprocessor.MacroState(known, closed))
            memoised = preprocessor.evaluate_condition("#if", condition,
                                                       preprocessor.MacroState(known, closed, memo=memo))
            assert plain == memoised, (condition, {k: v.text for k, v in known.items() if v})


# -- simulate: bounds checked up front, or at a documented step budget ---------------------------
def _simulate_cli(tmp_path, text: str, *options: str):
    import subprocess
    import sys
    path = tmp_path / "k.cpp"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "ptofix", "simulate", *options, str(path), str(path)],
                          capture_output=True, text=True, timeout=300)


def scalar_loop(trips: int) -> str:
    return ("__global__ AICORE void k(__gm__ float* x, int64_t n) {\n  int64_t acc = 0;\n"
            f"  for (int64_t i = 0; i < {trips}; i += 1) {{\n    acc = acc + i;\n  }}\n"
            # (A vector op after the loop: simulate refuses a comparison in which none ran.)
            "  Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, 4, 64> a;\n  TASSIGN(a, 0);\n"
            "  TEXPANDS(a, 1.0f);\n  pipe_barrier(PIPE_V);\n}\n")


def test_many_blocks_are_refused_before_any_run(tmp_path):
    """--block-num 256 modelled 256 UBs per run (1.5 GB): now refused up front, at the kernel."""
    proc = _simulate_cli(tmp_path, scalar_loop(4), "--block-num", "256")
    assert proc.returncode == 2 and proc.stderr.startswith(f"{tmp_path / 'k.cpp'}:1:1: error: cannot simulate: "
                                                           "256 vector cores"), proc.stderr
    assert "choose blocks with --block-idx" in proc.stderr
    # Two of them run (a kernel with a vector op: a run of none is refused as comparing nothing).
    vector = ("#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
              "__global__ AICORE void k(__gm__ float* x, int64_t n) {\n"
              "  using T = Tile<TileType::Vec, float, 4, 64, BLayout::RowMajor, 4, 64>;\n"
              "  T a;\n  TASSIGN(a, 0);\n  TEXPANDS(a, 1.0f);\n  pipe_barrier(PIPE_V);\n}\n")
    proc = _simulate_cli(tmp_path, vector, "--block-num", "256", "--block-idx", "0,255")
    assert proc.returncode == 0, proc.stderr


def test_gm_views_past_the_documented_bound_are_refused_where_built(tmp_path):
    """Two 64 MiB views (within the 128 MiB documented before) peaked at 3.9 GB: the bound is
    now 48 MiB (9 bytes of model a byte, two runs alive), and the view past it is refused."""
    from ptofix.sim.memory import GM_MAX_BYTES
    assert GM_MAX_BYTES <= 48 << 20
    shape = "pto::Shape<1, 1, 1, 1, 64>"
    stride = "pto::Stride<64, 64, 64, 64, 1>"

    def view(name: str, elements: int) -> str:
        return (f"  GlobalTensor<float, {shape}, {stride}, pto::Layout::ND> g_{name} = "
                f"GlobalTensor<float, {shape}, {stride}, pto::Layout::ND>({name} + {elements - 64}, {shape}(), "
                f"{stride}());\n  TLOAD(t, g_{name});\n")
    tile = "Tile<TileType::Vec, float, 1, 64, BLayout::RowMajor, 1, 64, SLayout::NoneBox, 512, PadValue::Null>"
    text = ("__global__ AICORE void k(__gm__ float* a, __gm__ float* b) {\n"
            f"  {tile} t;\n  TASSIGN(t, 0);\n" + view("a", 16 << 20) + view("b", 16 << 20) + "}\n")
    proc = _simulate_cli(tmp_path, text)
    assert proc.returncode == 2 and "k.cpp:4:3: error: cannot simulate: GM buffer 'a'" in proc.stderr, proc.stderr
    assert f"more than the {GM_MAX_BYTES} bytes of GM" in proc.stderr


def test_the_statements_of_all_runs_are_bounded(monkeypatch):
    """No seed starts once the runs have executed the comparison's statement budget."""
    from ptofix.sim import runner
    monkeypatch.setattr(runner, "MAX_TOTAL_STATEMENTS", 1000)
    text = SourceText(scalar_loop(200), "k.cpp")
    report = runner.simulate(text, text, 8, runner.SimOptions())
    # (about 400 statements a run: past 1000 after the second seed's two runs)
    assert (report.seeds, report.seeds_asked, report.budget_spent) == (2, 8, "statements"), report


@pytest.mark.slow
def test_a_runaway_loop_stops_at_the_documented_statement_budget(tmp_path):
    """A billion-trip loop ran 86 s to 5,000,000 statements: the budget is now 400,000."""
    from ptofix.sim import interp
    assert interp.MAX_STATEMENTS <= 400_000
    proc = _simulate_cli(tmp_path, scalar_loop(10 ** 9))
    assert proc.returncode == 2, proc.stderr
    assert f"k.cpp:3:3: error: cannot simulate: more than {interp.MAX_STATEMENTS} statements executed" in proc.stderr


# -- header reading: linear in the header ---------------------------------------------------------
HEADER_SHAPES = {
    # (80 KB: 23 s) the removal of innermost brackets, once per level
    "parentheses before a union brace": lambda n: "union " + "(" * n + ")" * n + " { int x; };\n",
    # (24 KB: 26 s) a scan of each parenthesised group per `(`, and of the parameters per comma
    "nested calls in a declaration": lambda n: "g" + "(a, f" * n + ")" * n + ";\n",
    "nested parentheses after a declarator": lambda n: "int x" + "(f" * n + ")" * n + ";\n",
    # (26,000: 11.7 s) a copy of the lexemes after each directive
    "using-directives": lambda n: "".join(f"using namespace ns{i % 7};\n" for i in range(n)) + "namespace ns0 {}\n",
    "declarators of many functions": lambda n: "void " + ", ".join(f"a{i}()" for i in range(n)) + ";\n",
    "a header of `a;`": lambda n: "a;" * n,
}


def _header_work(monkeypatch, text: str) -> int:
    """The lexemes _read_header reads (an element or each element of a slice, one each) plus
    the bracket removals it makes."""
    from ptofix.cpp import headers
    work = [0]

    class CountedLexemes(list):
        def __getitem__(self, index):
            found = list.__getitem__(self, index)
            work[0] += len(found) if isinstance(index, slice) else 1
            return found
    lexemes = headers._lexemes
    monkeypatch.setattr(headers, "_lexemes", lambda code: CountedLexemes(lexemes(code)))

    class CountedBrackets:
        def sub(self, replacement, text):
            work[0] += len(text)
            return headers.re.sub(r"\([^()]*\)|\[[^\[\]]*\]", replacement, text)
    monkeypatch.setattr(headers, "_BRACKETED", CountedBrackets())
    headers._read_header(text, "h.h")
    return work[0]


@pytest.mark.parametrize("shape", sorted(HEADER_SHAPES))
def test_reading_a_header_is_linear_in_its_size(monkeypatch, shape):
    small, large = (_header_work(monkeypatch, HEADER_SHAPES[shape](n)) for n in (1000, 2000))
    assert large <= MAX_GROWTH * max(small, 1), (small, large)


def test_nested_parentheses_still_hide_a_union_name():
    from ptofix.cpp import headers
    assert headers._anonymous_class_head("union alignas((8)) ")
    assert not headers._anonymous_class_head("union __attribute__((aligned(8))) U ")
    assert headers._anonymous_class_head("union [[gnu::aligned(((8)))]] ")
    assert not headers._anonymous_class_head("union ( [ ) ] U ")         # (crossed: removed innermost first)


def test_the_headers_of_a_kernel_are_read_up_to_a_total(tmp_path, monkeypatch):
    from ptofix.cpp import headers
    assert headers.MAX_HEADER_BYTES <= 1 << 20 and headers.MAX_TOTAL_HEADER_BYTES <= 2 << 20
    monkeypatch.setattr(headers, "MAX_TOTAL_HEADER_BYTES", 100)
    for name in ("one", "two"):
        (tmp_path / f"{name}.h").write_text(f"int {name}_value;\n" + "// padding\n" * 5)
    src = '#include "one.h"\n#include "two.h"\n' + barrier_chain(1)
    model = parse_cpp(SourceText(src, str(tmp_path / "k.cpp")))
    first, second = headers.read_includes(model, ()).values()
    assert not first.unknown and "one_value" in first.names
    assert "the kernel's headers hold more than 100 bytes (not read further)" in second.unknown


# -- the readers of a pto-isa checkout: linear in its headers ------------------------------------
def _tpipe_order(text: str):
    from ptofix.cpp.pipes import header_order
    return header_order(text)


def _row_reduction_body(text: str):
    from ptofix import isa_version
    return isa_version._function_body(text, "TROWSUM_IMPL")


def _words(text: str):
    from ptofix.pto import header_words
    return header_words.words_reached(lambda path: text if path == header_words.INST_HEADER else None)


def _arities(text: str):
    from ptofix.pto import header_words
    return header_words.call_arities([text], frozenset())


def _ring_stride(text: str):
    import tempfile

    from ptofix import isa_version
    with tempfile.TemporaryDirectory() as root:
        import os

        from ptofix.pto.tpipe import HEADER_RELPATH
        os.makedirs(os.path.dirname(os.path.join(root, HEADER_RELPATH)))
        with open(os.path.join(root, HEADER_RELPATH), "w") as handle:
            handle.write(text)
        return isa_version._tpop_stride(root, [], ReadRecord())


CHECKOUT_SHAPES = {
    # (8,000 lines: 22 s) a scan from each `template <` to its `>`
    "TPush.hpp of unclosed templates": (lambda n: "template <\n" * n, _tpipe_order),
    "TPush.hpp of nested #if 0": (lambda n: "#if 0\n" * n + "#endif\n" * n, _tpipe_order),
    # (8,000: 60 s) a scan from each use to its `)`, and a copy of the rest of the text
    "TROWSUM_IMPL( unclosed": (lambda n: "TROWSUM_IMPL(\n" * n, _row_reduction_body),
    # an unterminated comment: the regex read each `/*` to the end
    "an unterminated comment": (lambda n: "int a; /* b\n" * n, _words),
    "nested calls": (lambda n: "f(" * n + "\n", _arities),
    "consumer rings with no `;`": (lambda n: "C2V_CONSUMER_BUF + x\n" * n, _ring_stride),
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(CHECKOUT_SHAPES))
def test_reading_a_checkout_is_linear_in_its_headers(shape):
    """Adversarial pto-isa headers: 16,000 lines read in well under a second of CPU (before: 5 to
    60 s at 8,000 lines, four times that at 16,000)."""
    generate, read = CHECKOUT_SHAPES[shape]
    text = generate(16000)
    start = time.process_time()
    read(text)
    assert time.process_time() - start < 2.0


def test_comments_are_removed_as_the_regex_did():
    import random
    import re

    from ptofix.pto import header_words
    old = re.compile(r"""//[^\n]*|/\*.*?\*/|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')""", re.S)
    rng = random.Random(60)
    pieces = ["/*", "*/", "//", "/", "*", '"', "'", "\\", "\n", "a", " ", "b1"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert header_words.without_comments(text, lambda literal: literal) == \
            old.sub(lambda m: m.group(1) or " ", text), text
        assert header_words.without_comments(text, lambda literal: '""') == \
            old.sub(lambda m: '""' if m.group(1) else " ", text), text


def test_call_arities_read_as_before():
    from ptofix.pto import header_words
    calls, other = header_words.call_arities(
        ["f(a, g(b, c), {d, e});\nh();\nk(x...);\nm(N);\nq(a[1, 2], (3, 4));\nr(s(", "t.u(1);"],
        frozenset({"M"}))
    assert calls["f"] == {3} and calls["g"] == {2} and calls["h"] == {0} and calls["q"] == {2}
    assert {"k", "m", "r", "s"} <= other and "u" not in calls and "u" not in other


def _unknown_per_function(n: int) -> str:
    """n functions, each with a macro that may declare anything (confined to it, a chain of n
    macros naming the one before), a brace inside a call's parentheses and `#if` groups that cut
    across its braces: macro_reach and the parser's per-function readings of them."""
    lines = ["#define STEP0 case 0: break;"]
    lines += [f"#define STEP{k} STEP{k - 1}" for k in range(1, n)]
    for k in range(n):
        lines.append(f"AICORE void f{k}(int n) {{\n  switch (n) {{ STEP{k} default: break; }}\n  g(n, {{1, 2}});\n"
                     "#if defined(A)\n  if (n) {\n#else\n  {\n#endif\n    n += 1;\n  }\n}")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_reading_what_reaches_one_function_is_linear_in_the_functions():
    from ptofix.cpp.semantics import FileContext

    def work(text: str) -> None:
        context = FileContext(parse_cpp(SourceText(text, "k.cpp")))
        assert not context.unmodelled and len(context.unknown_functions) == text.count("AICORE void")

    # (Four times the functions: linear is 4x, quadratic 16x. A doubling against MAX_GROWTH left too
    # little room on a loaded machine: 1.88-2.33 measured at load 4, and a CI-style run here failed it.)
    small, large = (_unknown_per_function(n) for n in (150, 600))
    assert cpu_growth(work, small, large) <= 8.0


def _strided_rows_kernel(row_stride: int, rows: int = 2) -> str:
    shape = f"pto::Shape<1, 1, 1, {rows}, 64>"
    stride = f"pto::Stride<{rows * row_stride}, {rows * row_stride}, {rows * row_stride}, {row_stride}, 1>"
    view = f"GlobalTensor<float, {shape}, {stride}, pto::Layout::ND>"
    tile = (f"Tile<TileType::Vec, float, {rows}, 64, BLayout::RowMajor, {rows}, 64, SLayout::NoneBox, 512, "
            "PadValue::Null>")
    return ("__global__ AICORE void k(__gm__ float* a) {\n"
            f"  {tile} t;\n  TASSIGN(t, 0);\n  {view} g = {view}(a, {shape}(), {stride}());\n"
            "  TLOAD(t, g);\n  pipe_barrier(PIPE_V);\n  TADD(t, t, t);\n  pipe_barrier(PIPE_V);\n  TSTORE(g, t);\n}\n")


def test_gm_models_the_chunks_a_view_reaches_not_its_span():
    """06_online_softmax spans 39.5 MB of GM and reads little of it: modelled densely (9 bytes a
    byte, two runs alive), `simulate` peaked at 1.06 GB. Now only the 64 KiB chunks a view's
    elements fall in are modelled: two rows 32 MiB apart are two chunks."""
    from ptofix.sim.memory import GM_CHUNK
    from ptofix.sim.runner import SimOptions, run_kernel
    text = _strided_rows_kernel(8 << 20)          # (floats: rows 32 MiB apart)
    run = run_kernel(SourceText(text, "k.cpp"), 0, None, SimOptions())
    region = run.regions["a"]
    assert region.data.size > 32 << 20
    assert sorted(region.filled) == [0, (32 << 20) // GM_CHUNK]
    assert region.budget[1] == 2 * GM_CHUNK


def test_gm_modelled_past_its_bound_is_refused_where_the_view_is_built(tmp_path):
    """Within the 48 MiB span, a view whose rows fall in more chunks than the modelled bound is
    `cannot simulate` at its line, not a run that grows past 500 MB."""
    from ptofix.sim.memory import GM_CHUNK, GM_MAX_MODELLED_BYTES
    rows = GM_MAX_MODELLED_BYTES // GM_CHUNK + 1
    proc = _simulate_cli(tmp_path, _strided_rows_kernel(GM_CHUNK // 4, rows))
    assert proc.returncode == 2, proc.stderr
    assert "k.cpp:4:3:" in proc.stderr and f"more than the {GM_MAX_MODELLED_BYTES} bytes the simulator models" \
        in proc.stderr, proc.stderr
