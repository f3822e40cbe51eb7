"""How close `auto`'s set of removals comes to the best set the proof allows, on random kernels.

    python scripts/selection_gap.py [--kernels N] [--seed S]

Each kernel is a run of up to ten TADDS over six 1 KiB tiles with a PIPE_V barrier after most,
sometimes inside a counted loop, each barrier given a random weight (executions per call). The best
set is found by trying every subset of the barriers removable one at a time, each subset proved as
a whole (every removal decided with all the others made), and is compared with the greedy pass
alone (heaviest first, ``selection_proofs=0``) and with `auto` (the greedy pass and its swaps), by
the barrier executions saved. Numbers only: nothing is written.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ptofix.cpp.barrier_decisions import Decision  # noqa: E402
from ptofix.cpp.barriers import BarrierAnalysis  # noqa: E402
from ptofix.cpp.parser import parse_cpp  # noqa: E402
from ptofix.source import SourceText  # noqa: E402

TILE = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16, SLayout::NoneBox, 512, PadValue::Null> {name};"
NAMES = "abxyzw"


def random_kernel(rng: random.Random) -> tuple[str, dict[int, int]]:
    lines = ["__global__ AICORE void k() {"]
    for i, name in enumerate(NAMES):
        lines += [f"  {TILE.format(name=name)}", f"  TASSIGN({name}, {1024 * i});"]
    lines.append("  pipe_barrier(PIPE_ALL);")
    weights: dict[int, int] = {}
    loop = rng.random() < 0.3
    if loop:
        lines.append("  for (int32_t i = 0; i < 4; i += 1) {")
    for n in range(rng.randint(3, 10)):
        lines.append(f"  TADDS({rng.choice(NAMES)}, {rng.choice(NAMES)}, 1.0f);")
        if n and rng.random() < 0.9:
            lines.append("  pipe_barrier(PIPE_V);")
            weights[len(lines)] = rng.randint(1, 5)
    if loop:
        lines.append("  }")
    return "\n".join(lines + ["}", ""]), weights


def saved(decisions: list[Decision]) -> int:
    return sum(d.weight for d in decisions if d.removed)


def best(text: str, weights: dict[int, int]) -> int:
    """The most executions any jointly proved set of removals saves."""
    analysis = BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp")))
    alone = [d for d in analysis.run({"auto"}, weights=weights, independent=True) if d.removed]
    events = [id(analysis.cfg(d.fn).barrier_events[id(d.stmt)]) for d in alone]
    top = 0
    for size in range(len(alone), 0, -1):
        for subset in itertools.combinations(range(len(alone)), size):
            weight = sum(alone[i].weight for i in subset)
            if weight <= top:
                continue
            chosen = {events[i] for i in subset}
            analysis.removed = set()
            if all(analysis.selection.decide_with(alone[i], chosen - {events[i]}).removable for i in subset):
                top = weight
    return top


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=300)
    parser.add_argument("--seed", type=int, default=45)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals = {"best": 0, "greedy": 0, "auto": 0}
    at_best = {"greedy": 0, "auto": 0}
    for _ in range(args.kernels):
        text, weights = random_kernel(rng)
        top = best(text, weights)
        greedy = saved(BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run(
            {"auto"}, weights=weights, selection_proofs=0))
        chosen = saved(BarrierAnalysis(parse_cpp(SourceText(text, "k.cpp"))).run({"auto"}, weights=weights))
        for name, value in (("best", top), ("greedy", greedy), ("auto", chosen)):
            totals[name] += value
        at_best["greedy"] += greedy == top
        at_best["auto"] += chosen == top
    print(f"{args.kernels} random kernels (seed {args.seed}): barrier executions saved per call, summed")
    print(f"  best jointly proved set: {totals['best']}")
    for name in ("greedy", "auto"):
        print(f"  {name:6}: {totals[name]} ({100 * totals[name] / max(totals['best'], 1):.1f}%), "
              f"the best on {at_best[name]} of {args.kernels} kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
