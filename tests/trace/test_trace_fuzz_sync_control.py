"""Red team red10: the trace fuzz's `--sync` and `--control` modes (scripts/trace_fuzz.py).

`--sync` puts flag snippets after ops: V -> S -> V round trips, misordered ones (the S -> V set before
the V -> S wait), V -> S or S -> V halves alone, V -> MTE2/MTE3 -> V round trips, a V -> S or S -> V set
left open and waited at a later point (in another branch or loop, at the end, or never), events reused
across snippets. `--control` adds loops nested up to 3 deep, run-time trip counts of 0, 1 or 2 (from the
kernel's v3), `break`/`continue`/`return` under an `if`, `if` without `else`, barriers under `#if 1`,
`#if 0` and `#if 0 ... #else`, and ops issued from a lambda called in place. The old modes' kernels are
unchanged (their seeds give the texts red9's campaign judged).

What red10's campaign found (2026-11-28, pto-isa f35e7f60, each kernel traced with v3=0 and v3=1): no
wrong removal. `--sync --control --seeds 3000:3120`: 120 kernels, 1,041 barriers, 233 removed (212
executed in a traced run; the rest under `#if 0` or in an arm or loop no run takes), 0 wrong, 0 cannot
judge, 0 refused; 298 kept barriers the trace shows unneeded one at a time (reach). Of the barriers with
a flag call between them and the next op on either side: 410, 113 removed (102 executed), 0 wrong, 140
kept unneeded (V <-> S 358/103; V <-> MTE3 38/9; V <-> MTE2 15/2); in a loop 3 deep: 30, 4 removed; under
an `#if`: 130, 27 removed (15 executed: the others under `#if 0`). With `--seeds 3120:3220` (100 kernels,
921 barriers, 205 removed, 171 executed), `--sync --seeds 5000:5060` (60, 561, 161, 159) and `--sync
--control --wild --more-ops --seeds 6000:6040` (40, 350, 58, 55): 320 kernels, 2,873 barriers, 657
removed (597 executed), 0 wrong, 0 cannot judge, 803 kept unneeded; next to flags 1,093 barriers, 338
removed (V <-> S 963/309, V <-> MTE3 95/24, V <-> MTE2 37/7), 0 wrong.
"""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from test_trace import PTO_ISA, in_perfsim  # (the perfsim marks every trace test shares)
from test_trace_fuzz import fuzz


def digest(seeds: range, *modes: bool) -> str:
    return hashlib.sha256("".join(fuzz.generate(seed, *modes).text for seed in seeds).encode()).hexdigest()


def test_the_old_modes_give_the_same_kernels():
    """Pinned before `--sync`/`--control` were added: the default, `--wild` and `--wild --more-ops`."""
    assert digest(range(40)) == "93e9601a32f2b994c895983c689e6de42d33d61a2e52402eb5a9d30e1755234d"
    assert digest(range(40), True) == "16d271a0b06dd4017f6c17c0ed3e00777ce56c7dd85af3fc24478fc9ca7905e9"
    assert digest(range(40), True, True) == "a1d7a84bbb841b5d3351251d0ddbfd0f3dc1cf6d8882ad5ba44d11386847ed07"


def test_the_sync_and_control_modes_add_their_constructs():
    features: Counter = Counter()
    for seed in range(3000, 3040):
        kernel = fuzz.generate(seed, sync=True, control=True)
        features.update(kernel.features)
    for feature in ("sync-rt", "sync-rt-misordered", "sync-vs-only", "sync-sv-only", "sync-rt-mte3", "sync-rt-mte2",
                    "sync-set-open", "sync-sv-set-open", "sync-wait-open", "sync-never-waited",
                    "hash-if1", "hash-if0", "hash-if0-else", "jump-break", "jump-continue", "jump-return",
                    "lambda-op", "if-without-else", "loop-depth-2", "loop-depth-3", "loop-trips-1", "loop-trips-v3",
                    "loop-trips-v3 + 1"):
        assert features[feature] > 0, feature
    sync_only = fuzz.generate(3001, sync=True)
    assert "set_flag(" in sync_only.text and "#if" not in sync_only.text and "[&]" not in sync_only.text


# Campaign seeds with removals next to flag round trips, misordered ones and open sets, with return (3024),
# break and continue in loops of run-time trip count (3062), loops 3 deep (3076).
SLOW_SEEDS = [3024, 3062, 3076]


@in_perfsim
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_a_handful_of_sync_control_seeds_has_no_wrong_removal(seed, tmp_path):
    kernel = fuzz.generate(seed, sync=True, control=True)
    outcome = fuzz.judge_kernel(kernel, tmp_path, PTO_ISA, tmp_path / "cache")
    assert outcome.verdict == "accepted", (outcome.verdict, outcome.why, outcome.wrong)
    assert outcome.removed > 0 and outcome.removed_executed > 0
    assert not outcome.wrong
