"""The two lines of defence must agree: every barrier the static proof removes from a random
kernel leaves the simulated result unchanged.

Kernels are generated from a fixed seed: full tiles that partly overlap in UB (4 KiB steps for
8 KiB tiles), per-row tiles with TRESHAPE aliases, and a random mix of elementwise, scalar,
reduction (trailing drain), row-expand (hidden scratch) and move ops, with a `pipe_barrier(PIPE_V)`
after every op as a conservative ptoas would print. `pipe-v-barrier{pattern=auto}` then removes
what it can prove, and `ptofix simulate` compares original and rewrite on several schedules.
"""
from __future__ import annotations

import random

import pytest
from sim_kernels import gt, kernel, src, tile

from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.sim.runner import SimOptions, simulate

FULL = tile("float", 16, 128)                 # 8 KiB, 32 repeats of 256 B
ROW = tile("float", 16, 1, "ColMajor")        # 64 B per-row operand
ROW_R = tile("float", 1, 16)                  # its TRESHAPE view


def random_kernel(rng: random.Random, n_ops: int = 8, loop: bool = False) -> str:
    """``loop``: the ops run 3 times in a `for` (back-edges) and one tile's address is chosen by
    an `if/else` on a kernel argument (a value set)."""
    full_addrs = rng.sample([0, 4096, 8192, 16384, 20480, 32768], 4)
    row_addrs = [65536, 65536 + 64, 65536 + 128]
    lines = []
    for i, addr in enumerate(full_addrs):
        if loop and i == 0:
            other = rng.choice([a for a in (0, 4096, 8192, 16384, 20480, 32768) if a != addr])
            lines += ["  int64_t pick;", "  if (n) {", f"    pick = {addr};", "  } else {", f"    pick = {other};",
                      "  };", f"  {FULL} f0;", "  TASSIGN(f0, pick);"]
            continue
        lines += [f"  {FULL} f{i};", f"  TASSIGN(f{i}, {addr});"]
    for i, addr in enumerate(row_addrs):
        lines += [f"  {ROW} c{i};", f"  TASSIGN(c{i}, {addr});", f"  {ROW_R} r{i};", f"  TRESHAPE(r{i}, c{i});"]
    for i in range(len(full_addrs)):
        lines.append(f"  {gt('float', 16, 128)} g{i} = {gt('float', 16, 128)}(x + {i * 2048});")
        lines.append(f"  {gt('float', 16, 128)} o{i} = {gt('float', 16, 128)}(y + {i * 2048});")
    for i in range(len(full_addrs)):
        lines.append(f"  TLOAD(f{i}, g{i});")
    lines += ["  set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);", "  wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);"]
    for i in range(len(row_addrs)):
        lines += [f"  TEXPANDS(c{i}, {0.5 + i}f);", "  pipe_barrier(PIPE_V);"]
    def f():
        return f"f{rng.randrange(len(full_addrs))}"
    def c():
        return f"c{rng.randrange(len(row_addrs))}"
    def r():
        return f"r{rng.randrange(len(row_addrs))}"
    body_start = len(lines)
    for _ in range(n_ops):
        kind = rng.choice(["bin", "bin", "scalar", "scalar", "rowsum", "rowmax", "rowexpand", "mov", "rowbin"])
        if kind == "bin":
            op = f"{rng.choice(['TADD', 'TSUB', 'TMAX', 'TMIN'])}({f()}, {f()}, {f()});"
        elif kind == "scalar":
            op = f"{rng.choice(['TADDS', 'TMULS'])}({f()}, {f()}, 0.5f);"
        elif kind in ("rowsum", "rowmax"):
            src_, tmp = rng.sample(range(len(full_addrs)), 2)
            op = f"{'TROWSUM' if kind == 'rowsum' else 'TROWMAX'}({c()}, f{src_}, f{tmp});"
        elif kind == "rowexpand":
            op = f"{rng.choice(['TROWEXPANDMUL', 'TROWEXPANDSUB'])}({f()}, {f()}, {c()});"
        elif kind == "mov":
            op = f"TMOV({f()}, {f()});"
        else:
            op = f"{rng.choice(['TADD', 'TMAX'])}({r()}, {r()}, {r()});"
        lines += [f"  {op}", "  pipe_barrier(PIPE_V);"]
    if loop:
        lines[body_start:] = (["  for (int32_t i = 0; i < 3; i += 1) {"] + ["  " + x for x in lines[body_start:]]
                              + ["  }"])
    lines += ["  set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);", "  wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);"]
    for i in range(len(full_addrs)):
        lines.append(f"  TSTORE(o{i}, f{i});")
    return kernel("__gm__ float* x, __gm__ float* y, int32_t n", "\n".join(lines) + "\n")


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
@pytest.mark.parametrize("block, loop", [(0, False), (1, False), (2, True), (3, True)])
def test_every_proven_removal_is_confirmed_by_simulation(block, loop):
    removed_total = 0
    for case in range(25):
        rng = random.Random(1000 * block + case)
        text = random_kernel(rng, loop=loop)
        out = run_pipeline(src(text, "orig.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
        removed = out.reports[0]["removed"]
        if not removed:
            continue
        removed_total += removed
        report = simulate(src(text, "orig.cpp"), src(out.text, "rewritten.cpp"), 4, SimOptions())
        assert report.difference is None, (f"seed {1000 * block + case}: removal of {removed} barrier(s) "
                                           f"changed the result: {report.difference}\n{text}")
    assert removed_total > 0   # the generator does produce removable barriers


def test_removing_everything_is_caught_somewhere():
    # The same generator with every barrier removed: the simulator must see a difference on at
    # least one kernel, or the agreement above would mean nothing.
    caught = 0
    for case in range(10):
        text = random_kernel(random.Random(7000 + case))
        stripped = text.replace("pipe_barrier(PIPE_V);", "/* removed */")
        report = simulate(src(text, "orig.cpp"), src(stripped, "stripped.cpp"), 4, SimOptions())
        caught += report.difference is not None
    assert caught >= 3
