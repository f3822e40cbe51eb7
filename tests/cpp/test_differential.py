"""Differential test of the barrier proof against the generator's own ground truth.

Random straight-line kernels in ptoas style: tiles at addresses the generator chooses (partial
overlaps included), each address computed through one of the constructs a model can get wrong
(compound and chained assignments, increments, integer wrap-around, typed pointer arithmetic,
if/else and switch definitions, writes through pointers and references, helper functions,
tile copies, every TASSIGN spelling, type aliases), a random mix of elementwise, scalar,
reduction (trailing drain), row-expand (hidden scratch, internal barrier), TCONCAT (block copies
past dst's row) and TPRINT (a leading PIPE_ALL) ops on full tiles and TRESHAPE views, `pipe_barrier(PIPE_V)` after every op, and now and then a statement ptofix cannot
know (a call of an unknown function, a macro).

`pipe-v-barrier{pattern=auto}` rewrites each kernel. The oracle then replays the *rewritten*
op sequence with the real addresses: any two ops with no drain between them must not conflict in
UB bytes (RAW/WAR/WAW), except the hardware-safe exact same-access chain; an unknown statement
conflicts with everything. Seeded and reproducible; a failure prints a minimised kernel.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.pto.tiles import HIDDEN_SCRATCH
from ptofix.source import SourceText

FULL = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128, SLayout::NoneBox, 512, PadValue::Null>"
FULL_BYTES = 16 * 128 * 4
COL = "Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1, SLayout::NoneBox, 512, PadValue::Null>"
ROW = "Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Null>"
COL_BYTES = 64
SCRATCH = HIDDEN_SCRATCH
FULL_ADDRS = [0, 4096, 8192, 16384, 20480, 32768]

HELPERS = """static AICORE void set_addr(int64_t& v, int64_t a) {
  v = a;
}
static AICORE int64_t same(int64_t a) {
  return a;
}
"""


def address_statements(rng: random.Random, var: str, value: int) -> tuple[list[str], str]:
    """Statements that leave ``value`` in a variable through a randomly chosen construct.

    Each construct starts from a decoy address in free UB (overlapping no tile) and only the
    construct itself moves the value to ``value``: a model that misreads it as "no effect" places
    the tile at the decoy and misses real overlaps. Returns (statements, expression to TASSIGN).
    """
    family = rng.randrange(16)
    decoy = 99840
    if family == 0:
        return [f"const int64_t {var} = {value};"], var
    if family == 1:
        return [f"int64_t {var} = {decoy};", f"{var} -= {decoy - value};"], var
    if family == 2:
        return [f"int64_t {var} = {decoy};", f"int64_t {var}b = {decoy};", f"{var} = {var}b = {value};"], \
            rng.choice([var, var + "b"])
    if family == 3:
        return [f"int64_t {var}s = 0;", f"{var}s++;", f"int64_t {var} = {decoy} + ({value - decoy}) * {var}s;"], var
    if family == 4:
        return [f"uint16_t {var} = {value + 65536};"], var
    if family == 5:
        return [f"__ubuf__ float* {var}p = (__ubuf__ float*) {value + 4 * 24576};",
                f"uint64_t {var} = reinterpret_cast<uint64_t>({var}p - 24576);"], var
    if family == 6:
        return [f"__ubuf__ half* {var}p = (__ubuf__ half*) {value + 2 * 40960};",
                f"uint64_t {var} = reinterpret_cast<uint64_t>({var}p - 40960);"], var
    if family == 7:
        return [f"int64_t {var} = {decoy};", "if (n > 0) {", f"  {var} = {value};", "} else {", f"  {var} = {value};",
                "};"], var
    if family == 8:
        return [f"int64_t {var} = {decoy};", f"set_addr({var}, {value});"], var
    if family == 9:
        return [f"int64_t {var} = {decoy};", f"int64_t* {var}q = &{var};", f"*{var}q = {value};"], var
    if family == 10:
        return [f"int64_t {var} = {decoy};", f"{var} = 1, {var} = {value};"], var
    if family == 11:
        return [f"int64_t {var} = {decoy};", "switch (n) {", "default:", f"  {var} = {value};", "  break;", "}"], var
    if family == 12:
        return [f"int64_t {var} = {decoy};", f"while ({var} != {value}) {{", f"  {var} = {value};", "}"], var
    if family == 13:
        product = (value + 65536) * 65537          # overflows int32: the C++ value wraps
        wrapped = (product + (1 << 31)) % (1 << 32) - (1 << 31)
        return [f"int32_t {var} = {value + 65536} * 65537;"], f"(uint64_t) ({var} - {wrapped - value})"
    if family == 14:
        return [f"int64_t {var} = {decoy};", f"{var} = same({value});"], var
    return [f"int64_t {var} = {decoy};", f"int64_t& {var}r = {var};", f"{var}r = {value};"], var


def bind(rng: random.Random, tile: str, type_: str, value: int, k: int) -> list[str]:
    lines, expr = address_statements(rng, f"a{k}", value)
    spelling = rng.randrange(4)
    if spelling == 0:
        return lines + [f"{type_} {tile};", f"TASSIGN({tile}, {expr});"]
    if spelling == 1:
        return lines + [f"{type_} {tile};", f"pto::TASSIGN({tile}, {expr});"]
    if spelling == 2:
        return [f"{type_} {tile};", f"TASSIGN<{value}>({tile});"]
    # a tile copy: bind another tile, then copy it
    return lines + [f"{type_} {tile}x;", f"TASSIGN({tile}x, {expr});", f"auto {tile} = {tile}x;"]


@dataclass
class Op:
    name: str
    writes: list            # [(lo, hi, exact key or None)]
    reads: list
    elementwise: bool
    phase_drain_after: bool = False   # a drain follows this phase inside the same op
    unknown: bool = False
    tmp: bool = False
    lines: list = field(default_factory=list)


def interval(addr: int, size: int, key) -> tuple:
    return (addr, addr + size, key)


def random_kernel(rng: random.Random, n_ops: int = 10):
    full = rng.sample(FULL_ADDRS, 4)
    cols = [65536 + 64 * i for i in range(3)]
    lines: list[str] = []
    k = 0
    for i, addr in enumerate(full):
        lines += bind(rng, f"f{i}", FULL, addr, k)
        k += 1
    for i, addr in enumerate(cols):
        lines += bind(rng, f"c{i}", COL, addr, k)
        lines += [f"{ROW} r{i};", f"TRESHAPE(r{i}, c{i});"]
        k += 1
    lines += ["pipe_barrier(PIPE_ALL);"]
    fkey = {f"f{i}": ("full", a) for i, a in enumerate(full)}
    ops: list[Op] = []
    for _ in range(n_ops):
        kind = rng.choice(["bin", "bin", "scalar", "rowsum", "rowexpand", "mov", "rowbin", "unknown", "concat",
                           "print"])
        def f():
            return f"f{rng.randrange(4)}"
        if kind == "bin":
            d, a, b = f(), f(), f()
            text = f"{rng.choice(['TADD', 'TSUB', 'TMAX'])}({d}, {a}, {b});"
            op = Op(text, [interval(full[int(d[1])], FULL_BYTES, fkey[d])],
                    [interval(full[int(x[1])], FULL_BYTES, fkey[x]) for x in (a, b)], True)
        elif kind == "scalar":
            d, a = f(), f()
            text = f"TMULS({d}, {a}, 0.5f);"
            op = Op(text, [interval(full[int(d[1])], FULL_BYTES, fkey[d])],
                    [interval(full[int(a[1])], FULL_BYTES, fkey[a])], True)
        elif kind == "mov":
            d, a = f(), f()
            text = f"TMOV({d}, {a});"
            op = Op(text, [interval(full[int(d[1])], FULL_BYTES, fkey[d])],
                    [interval(full[int(a[1])], FULL_BYTES, fkey[a])], True)
        elif kind == "rowsum":
            src_, tmp = rng.sample(range(4), 2)
            c = rng.randrange(3)
            text = f"TROWSUM(c{c}, f{src_}, f{tmp});"
            op = Op(text, [interval(cols[c], COL_BYTES, None), interval(full[tmp], FULL_BYTES, None)],
                    [interval(full[src_], FULL_BYTES, None)], False, phase_drain_after=True, tmp=True)
        elif kind == "rowexpand":
            d, a = f(), f()
            c = rng.randrange(3)
            name = rng.choice(["TROWEXPANDMUL", "TROWEXPANDSUB"])
            text = f"{name}({d}, {a}, c{c});"
            # vbrcb(scratch <- c); internal barrier; op(d <- a, scratch)
            vbrcb = Op(text, [interval(SCRATCH[0], SCRATCH[1] - SCRATCH[0], None)],
                       [interval(cols[c], COL_BYTES, None)], False, phase_drain_after=True)
            ops.append(vbrcb)
            op = Op(text, [interval(full[int(d[1])], FULL_BYTES, fkey[d])],
                    [interval(full[int(a[1])], FULL_BYTES, fkey[a]),
                     interval(SCRATCH[0], SCRATCH[1] - SCRATCH[0], None)], True)
            op.lines = [text, "pipe_barrier(PIPE_V);"]
            ops.append(op)
            continue
        elif kind == "rowbin":
            d, a, b = (rng.randrange(3) for _ in range(3))
            text = f"TADD(r{d}, r{a}, r{b});"
            op = Op(text, [interval(cols[d], COL_BYTES, ("row", cols[d]))],
                    [interval(cols[x], COL_BYTES, ("row", cols[x])) for x in (a, b)], True)
        elif kind == "concat":
            # Two 16-float rows into a 16-float row: 64 bytes each, the second at column 16, past
            # dst's 64 bytes into the next row tile (pto-isa TConcat.hpp block copies).
            d, a, b = (rng.randrange(3) for _ in range(3))
            text = f"TCONCAT(r{d}, r{a}, r{b});"
            op = Op(text, [interval(cols[d], 2 * COL_BYTES, None)],
                    [interval(cols[a], COL_BYTES, None), interval(cols[b], COL_BYTES, None)], False)
        elif kind == "print":
            # pipe_barrier(PIPE_ALL) first, then scalar reads (pto-isa TPrint.hpp): a drain.
            text = f"TPRINT(f{rng.randrange(4)});"
            op = Op(text, [], [], False, phase_drain_after=True)
        else:
            text = rng.choice(["trace_point(n);", "VECTOR_HOOK;", "f0.Refresh();"])
            op = Op(text, [], [], False, unknown=True)
        op.lines = [text, "pipe_barrier(PIPE_V);"]
        ops.append(op)
    return lines, ops


def render(setup: list[str], ops: list[Op]) -> str:
    body = setup + [line for op in ops for line in op.lines]
    return (HELPERS + '#define VECTOR_HOOK do_vector_work()\n'
            'extern "C" __global__ AICORE void k(__gm__ float* x, int64_t n) {\n'
            + "".join(f"  {line}\n" for line in body) + "  pipe_barrier(PIPE_ALL);\n}\n")


def conflicts(p: Op, c: Op) -> bool:
    if p.unknown or c.unknown:
        return True
    for pw in p.writes:
        for cc in c.reads + c.writes:
            if pw[0] < cc[1] and cc[0] < pw[1] and not same_access(p, pw, c, cc):
                return True
    for pr in p.reads:
        for cw in c.writes:
            if pr[0] < cw[1] and cw[0] < pr[1] and not same_access(p, pr, c, cw):
                return True
    return False


def same_access(p: Op, a: tuple, c: Op, b: tuple) -> bool:
    """PTOAS #674: exact same access, producer writes it, both elementwise, >= 16 repeats, no tmp."""
    if a[2] is None or a[2] != b[2] or not (p.elementwise and c.elementwise) or p.tmp or c.tmp:
        return False
    if not any(w[2] == a[2] for w in p.writes):
        return False
    return (a[1] - a[0]) // 256 >= 16


def violations(ops: list[Op], output: str) -> list[tuple]:
    """Replay the rewritten kernel: pairs of ops with no drain between them that conflict."""
    kept = iter(line.strip() == "pipe_barrier(PIPE_V);" for line in output.splitlines()
                if "pipe_barrier(PIPE_V)" in line)
    segment: list[Op] = []
    found = []
    for op in ops:
        for earlier in segment:
            if conflicts(earlier, op):
                found.append((earlier.name, op.name))
        segment.append(op)
        if op.phase_drain_after:
            segment = []
        if op.lines and "pipe_barrier(PIPE_V);" in op.lines and next(kept, False):
            segment = []
    return found


def check(seed: int) -> tuple[int, int, list]:
    rng = random.Random(seed)
    setup, ops = random_kernel(rng)
    text = render(setup, ops)
    out = run_pipeline(SourceText(text, f"seed{seed}.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})],
                       PARSERS)
    report = out.reports[0]
    return report["barriers"], report["removed"], violations(ops, out.text)


def minimise(seed: int) -> str:
    """Drop ops one at a time while a violation remains: the smallest failing kernel."""
    rng = random.Random(seed)
    setup, ops = random_kernel(rng)

    def fails(candidate: list[Op]) -> bool:
        text = render(setup, candidate)
        out = run_pipeline(SourceText(text, "min.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
        return bool(violations(candidate, out.text))

    changed = True
    while changed:
        changed = False
        for i in range(len(ops)):
            trial = ops[:i] + ops[i + 1:]
            if trial and fails(trial):
                ops, changed = trial, True
                break
    return render(setup, ops)


def test_every_removal_is_safe_under_the_generators_ground_truth():
    barriers = removed = 0
    for seed in range(300):
        total, gone, bad = check(seed)
        barriers += total
        removed += gone
        assert not bad, f"seed {seed}: {bad[:3]}\nminimal kernel:\n{minimise(seed)}"
    # The run is only worth something if it checks many barriers and the proof removes some.
    assert barriers >= 3000 and removed >= 200, (barriers, removed)


def test_oracle_catches_a_wrong_removal():
    """Stripping every barrier must produce violations on most kernels (the oracle can fail)."""
    caught = 0
    for seed in range(20):
        setup, ops = random_kernel(random.Random(seed))
        stripped = render(setup, ops).replace("pipe_barrier(PIPE_V);", "/* gone */")
        caught += bool(violations(ops, stripped))
    assert caught >= 15
