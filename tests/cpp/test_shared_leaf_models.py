"""A shared leaf (barriers.independent_groups: a helper that joins each group naming it) is
modelled once for the file: FileContext.keep_models parks its model when a group's analysis
forgets its functions, and the next group that asks for it gets that model back (a model reads
only the file and its function). A parked model is not among the functions a group built (the
group-leak check reads those), and release_kept frees it."""
from __future__ import annotations

from test_fail_closed import TILE
from test_shared_leaves import HELPER_BODIES, helper, kernel_calling

from ptofix.cpp.barriers import decide_by_groups
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import FileContext
from ptofix.source import SourceText


def test_a_kept_model_is_parked_by_forget_and_given_back():
    model = parse_cpp(SourceText(helper("pipe_barrier(PIPE_ALL);") + kernel_calling("k0", "tail(n);"), "x.cpp"))
    tail, kernel = model.functions
    ctx = FileContext(model)
    ctx.keep_models([tail])
    assert ctx.keeps(tail) and not ctx.keeps(kernel)
    first = ctx.semantics(tail)
    kernel_model = ctx.semantics(kernel)
    assert first is not None and kernel_model is not None
    ctx.forget([tail, kernel])
    assert ctx.built() == set()                 # (parked: no group has asked for it yet)
    assert ctx.semantics(tail) is first         # the same model, not one built again
    assert ctx.semantics(kernel) is not kernel_model
    assert ctx.built() == {id(tail), id(kernel)}
    ctx.forget([tail])
    ctx.release_kept()
    again = ctx.semantics(tail)
    assert again is not None and again is not first     # freed: built anew
    ctx.forget([tail])
    assert ctx.built() == {id(kernel)}


def test_grouped_decisions_with_a_modelled_once_helper_are_the_whole_files():
    for body in HELPER_BODIES.values():
        src = helper(body) + "".join(kernel_calling(f"k{i}", "tail(n);") for i in range(4)) \
            + f"__global__ AICORE void solo(__gm__ float* x) {{\n  {TILE} a;\n  TASSIGN(a, 0);\n" \
              "  TADD(a, a, a);\n  pipe_barrier(PIPE_V);\n  TADD(a, a, a);\n}\n"
        model = parse_cpp(SourceText(src, "x.cpp"))
        modelled: list = []
        grouped, _ = decide_by_groups(model, {"auto"}, lambda d: (d.fn.name, d.removable, d.reason),
                                      modelled=modelled)
        whole, _ = decide_by_groups(model, {"auto"}, lambda d: (d.fn.name, d.removable, d.reason),
                                    grouping=lambda m, mentions: [list(m.functions)])
        assert grouped == whole, body
        assert [fn.name for fn in modelled].count("tail") <= 1
