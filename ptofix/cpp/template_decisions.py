"""The barriers of a function template, decided once per instantiation its file makes (templates.py).

The file's analysis decides every barrier with the template's parameters unknown. Then, for each
template of the group whose instantiations are known exactly, each instantiation is analysed on
its own (FileContext.bound) with the other functions' removals in place, its barriers tried
greedily and proved jointly. A barrier of the template goes only if every instantiation's joint
proof removes it, and the intersection is proved jointly again in every instantiation (a subset
of a proved set is proved once more, not assumed). A kept barrier's reason names the
instantiation that kept it. A template whose instantiations are not known keeps the decisions of
its generic analysis, its kept reasons saying why no instantiation was analysed; one never
instantiated keeps every barrier.

The template's removals must not change another function's proof: a proof walks into its
callers (entry and exit cleanliness), so a template that names a function of the group holding a
removed barrier keeps its generic decisions.
"""
from __future__ import annotations

from .barrier_decisions import Decision
from .barrier_selection import BarrierSelection
from .model import Function
from .semantics import FileContext
from .templates import binding_label, instantiations, is_function_template

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_JOINT_ROUNDS = 4     # rounds of the joint proof over every instantiation before giving up removals


def decide_instantiations(ctx: FileContext, group: list[Function], decisions: list[Decision],
                          mentions: dict[int, set[str]] | None,
                          new_selection: Callable[[], BarrierSelection],
                          ) -> tuple[list[Decision], list[BarrierSelection]]:
    """``decisions`` (the group's generic ones) with those of each template's barriers replaced by
    the per-instantiation ones. ``new_selection``: the selection of a new lazy analysis of the
    group sharing ``ctx`` (which reads ``ctx.bound`` as it builds models). Returns the decisions and
    the selections built (the caller releases their analyses)."""
    by_stmt = {id(d.stmt): i for i, d in enumerate(decisions)}
    # Each function's decisions that a template's instantiations may decide again, by id(function),
    # read once (a scan of every decision for each function of the group is quadratic in the file:
    # a group may hold most of its functions). Only a template's own entries are replaced below,
    # in its own turn, by decisions of the same function and statement: for each function this is
    # what a scan of ``out`` at its turn would find.
    decided: dict[int, list[int]] = {}
    for i, d in enumerate(decisions):
        if not d.unread and d.pattern is not None:
            decided.setdefault(id(d.fn), []).append(i)
    out = list(decisions)
    selections: list[BarrierSelection] = []
    names = {fn.name for fn in group}
    source = ctx.model.source
    for template in group:
        mine = decided.get(id(template), [])
        if not mine or not is_function_template(template):
            continue
        bindings, why = instantiations(ctx, template)
        if why or not bindings:
            note = why or f"the template {template.name}() is never instantiated in this file"
            for i in mine:
                d = out[i]
                if not bindings and not why:
                    d.removed = d.removable = False
                if not d.removed:
                    d.explain(d.cause.with_note(note), source)
            continue
        callees = (mentions or {}).get(id(template), set()) & names - {template.name}
        if any(d.removed and d.fn.name in callees for d in out):
            for i in mine:
                if not out[i].removed:
                    out[i].explain(out[i].cause.with_note(f"{template.name}() calls a function with removed barriers, "
                                                          "so its instantiations are not analysed"), source)
            continue
        others = [d for d in out if d.removed and d.fn is not template]
        per_binding: list[tuple[tuple, BarrierSelection, dict[int, Decision]]] = []
        for binding in bindings:
            ctx.bound[id(template)] = binding
            selection = new_selection()
            selections.append(selection)
            analysis = selection.analysis
            base = {id(analysis.cfg(d.fn).barrier_events[id(d.stmt)]) for d in others}
            analysis.removed = set(base)
            tried: dict[int, Decision] = {}
            for i in sorted(mine, key=lambda i: (-out[i].weight, i)):
                d = analysis.decide(template, out[i].stmt, out[i].pattern)   # type: ignore[arg-type]
                d.weight = out[i].weight
                tried[id(d.stmt)] = d
                if d.removable:
                    d.removed = True
                    analysis.removed.add(id(analysis.cfg(template).barrier_events[id(d.stmt)]))
            _prove_jointly(selection, template, tried, base)
            per_binding.append((binding, selection, tried))
        # Each instantiation's own joint proof, by barrier: the first that keeps one names it.
        # (The flag as that proof left it: a decision kept there is not replaced afterwards.)
        first = [(binding, {key: (d.removed, d) for key, d in tried.items()}) for binding, _, tried in per_binding]
        chosen = {key for key in per_binding[0][2] if all(tried[key].removed for _, _, tried in per_binding)}
        dropped: dict[int, tuple[tuple, Decision]] = {}
        for _round in range(MAX_JOINT_ROUNDS):
            held = True
            for binding, selection, tried in per_binding:
                ctx.bound[id(template)] = binding
                analysis = selection.analysis
                for key in list(tried):
                    if key not in chosen:
                        tried[key].removed = False
                base = {id(analysis.cfg(d.fn).barrier_events[id(d.stmt)]) for d in others}
                if not _prove_jointly(selection, template, tried, base):
                    held = False
                    for key in chosen:
                        if not tried[key].removed:
                            dropped.setdefault(key, (binding, tried[key]))
                    chosen = {key for key in chosen if tried[key].removed}
            if held:
                break
        else:
            chosen = set()
        ctx.bound.pop(id(template), None)
        for key in [id(out[i].stmt) for i in mine]:
            index = by_stmt[key]
            if key in chosen:
                d = per_binding[0][2][key]
                d.removed = True
            else:
                binding, d = next(((b, proofs[key][1]) for b, proofs in first if not proofs[key][0]),
                                  dropped.get(key, (per_binding[0][0], per_binding[0][2][key])))
                d.removed = False
                d.explain(d.cause.with_instantiation(binding_label(template.name, binding)), source)
            out[index] = d
    return out, selections


def _prove_jointly(selection: BarrierSelection, template: Function, tried: dict[int, Decision], base: set[int]) -> bool:
    """Prove the removals of ``tried`` (the template's decisions) together, with the events of
    ``base`` (the other functions' removals) gone too; a removal that fails is given up (the
    lightest first) and the rest proved again. Returns whether every removal held."""
    analysis = selection.analysis
    events = analysis.cfg(template).barrier_events
    members = sorted((key for key, d in tried.items() if d.removed), key=lambda key: tried[key].weight)
    held = True
    while True:
        analysis.removed = base | {id(events[key]) for key in members}
        analysis.forget_boundaries()
        failed = None
        for key in members:
            d = tried[key]
            fresh = selection.decide_without(d, {id(events[key])})
            fresh.removed = fresh.removable
            tried[key] = fresh
            if not fresh.removable:
                failed = key
                break
        if failed is None:
            return held
        held = False
        members.remove(failed)
