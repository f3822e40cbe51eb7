"""Run a kernel's vector side on the model and compare two kernels (``ptofix simulate``).

For every seed s (1..N):

* inputs: GM buffers of every pointer argument, uninitialised UB and the cube side's FIFO slots
  are random and depend only on s;
* reference: ORIGINAL executed in program order (no overlap at all);
* candidate: REWRITTEN executed with the overlapped schedule of seed s (``schedule.py``).

The outputs compared byte for byte are: every GM buffer, every FIFO push (flag, index, subblock)
and the final UB of every simulated vector core. The first difference is reported with the
statements that last wrote the bytes in each kernel and the out-of-order pairs (hazards) the
schedule produced.

When the bytes agree, the *data flow* is compared too wherever both runs issued the same steps
(memory.py: the value identities every step read, and the last write of every UB byte): a step
that reads another write than in program order is a race whose values merely coincide on these
inputs (for instance two per-row tiles that both hold 1.0 after a normalisation).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..compile_env import NO_COMMAND_LINE, CompileEnvironment
from ..cpp.header_policy import unmodelled_file
from ..cpp.model import CppFile, Function
from ..cpp.parser import parse_cpp
from ..input_kind import require
from ..pto.race_model import DEFAULT_RACE_MODEL, RaceModel
from ..source import PtofixError, SourceText, read_source
from .c_values import CTYPE, CVal
from .fifo import FifoState
from .interp import Interpreter, KernelConfig, StatementTable, parse_params
from .memory import HIDDEN_SCRATCH, UB_SIZE, GMPtr, GMRegion, Memory, SimError, bf16_to_f32, dtype_of
from .ops_numpy import new_struct_value
from .schedule import ScheduleHazard, Scheduler

DEFAULT_INT = 16
WIDE_WINDOW = 32
DEFAULT_FLOAT = 1.0


@dataclass
class SimOptions:
    function: str | None = None
    args: dict = field(default_factory=dict)       # scalar argument name -> text value
    block_num: int = 1
    blocks: list | None = None                   # block ids to run (default: all of block_num)
    subblock_num: int = 1
    ub_size: int = UB_SIZE
    provider: Callable | None = None             # FIFO cube-side provider (see fifo.py)
    provider_context: Callable | None = None     # seed -> dict, stored in FifoState.context
    gm_fill: dict = field(default_factory=dict)     # pointer argument -> "random" | "zero" | "ints:LO:HI"
    # Which orders the schedule keeps besides drains and flags (ptofix/pto/race_model.py): the
    # opt-in keeps same-access chains in repeat order.
    race_model: RaceModel = DEFAULT_RACE_MODEL


@dataclass
class CoreState:
    block: int
    subblock: int
    mem: Memory
    tiles: dict
    flow: dict = field(default_factory=dict)     # issue number -> (digest, statement, label)
    flush_of: dict = field(default_factory=dict)  # issue number -> the flush (between two drains) that ran it
    hazards: list = field(default_factory=list)  # this core's out-of-order pairs


@dataclass
class RunResult:
    cpp: CppFile
    function: Function
    regions: dict                     # name -> GMRegion (parameter order)
    fifo: FifoState
    cores: list
    table: StatementTable
    hazards: list
    steps: int
    statements: int = 0               # statements the interpreters executed (all cores)
    vector_steps: int = 0             # of ``steps``, those of vector ops
    # Per core, the flags with a pipe other than V and S it issued, in order (PtoCalls.trusted_flags)
    trusted_flags: list = field(default_factory=list)

    def stmt(self, sid: int) -> str:
        if sid == -2:
            return "the cube side (FIFO slot filled by TPOP)"
        if sid < 0:
            return "nothing (initial random contents)"
        return self.table.info[sid].describe()


def load(path_or_source, environment: CompileEnvironment = NO_COMMAND_LINE) -> CppFile:
    """The C++ model of a file (or source), read with ``environment``'s command line: PTO IR, or
    other plainly not-C++ input, is refused
    with the error naming the command that reads it, as every C++ command does."""
    if isinstance(path_or_source, CppFile):
        return path_or_source
    if isinstance(path_or_source, SourceText):
        source = path_or_source
    else:
        source = read_source(path_or_source)
    require(source, "cpp")
    return parse_cpp(source, environment)


def pick_function(cpp: CppFile, name: str | None) -> Function:
    if not cpp.functions:
        raise PtofixError("no function definition to simulate (expected a ptoas kernel)", cpp.source, 0)
    if name:
        named = [fn for fn in cpp.functions if fn.name == name]
        if not named:
            known = ", ".join(sorted({f.name for f in cpp.functions}))
            raise PtofixError(f"no function named '{name}' (functions: {known})", cpp.source, 0)
        if len(named) > 1:
            raise PtofixError(f"several functions are named '{name}' (overloads, or in different namespaces): "
                              "cannot tell which to simulate", cpp.source, named[1].span.start)
        return named[0]
    entries = [fn for fn in cpp.functions if fn.is_entry]
    if len(entries) == 1:
        return entries[0]
    candidates = entries or cpp.functions
    # Prefer the one function whose body mentions the vector side or tile ops.
    vec = [fn for fn in candidates if "__DAV_VEC__" in cpp.source.text[fn.span.start:fn.span.end]]
    if len(vec) == 1:
        return vec[0]
    users = [fn for fn in candidates if not fn.name.startswith(("ptoas_", "PTOAS__"))]
    if len(users) == 1:
        return users[0]
    names = ", ".join(fn.name for fn in candidates)
    raise PtofixError(f"several kernel functions ({names}); choose one with --function", cpp.source,
                      candidates[0].span.start)


def scalar_arg(text: str, ctype: str) -> CVal:
    try:
        if ctype[0] == "f":
            return CVal(float(text), ctype)
        if text.lower() in ("true", "false"):
            return CVal(int(text.lower() == "true"), ctype)
        value = int(text, 0)
    except ValueError:
        raise PtofixError(f"--arg value '{text}' is not a {ctype} number") from None
    # A value the parameter's type cannot hold would be wrapped silently: the kernel would run
    # with another value than the one asked for.
    if ctype != "bool":
        bits = int(ctype[1:])
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if ctype[0] == "i" else (0, (1 << bits) - 1)
        if not low <= value <= high:
            raise PtofixError(f"--arg value '{text}' is out of range for {ctype} ({low}..{high})")
    return CVal(value, ctype)


def run_kernel(cpp, seed: int, schedule_seed: int | None, options: SimOptions) -> RunResult:
    cpp = load(cpp)
    fn = pick_function(cpp, options.function)
    # What leaves the proof without a model of the file leaves the simulator without one too (it
    # reads pto's names by their spelling as well), but for an unread header: the simulator runs
    # what the file shows, the answer to "is this rewrite equivalent as written".
    unmodelled = unmodelled_file(cpp, unread_headers=False)
    if unmodelled:
        raise PtofixError(f"cannot simulate: {unmodelled}", cpp.source, fn.span.start)
    try:
        params = parse_params(fn)
    except SimError as exc:
        raise PtofixError(f"cannot simulate: {exc}", cpp.source, fn.span.start) from None
    regions: dict[str, GMRegion] = {}
    args: list = []
    known = {p.name for p in params}
    for name in options.args:
        if name not in known:
            raise PtofixError(f"--arg {name}: '{fn.name}' has no parameter named '{name}' "
                              f"(parameters: {', '.join(sorted(known)) or 'none'})", cpp.source, fn.span.start)
    pointers = {p.name for p in params if p.is_pointer}
    for name in options.gm_fill:
        if name not in pointers:
            raise PtofixError(f"--gm-fill {name}: '{fn.name}' has no pointer parameter named '{name}' "
                              f"(pointer parameters: {', '.join(sorted(pointers)) or 'none'})", cpp.source,
                              fn.span.start)
    gm_budget = [0, 0]
    for index, p in enumerate(params):
        if p.is_pointer:
            region = GMRegion(p.name, p.elem, seed, index, options.gm_fill.get(p.name, "random"), gm_budget)
            regions[p.name] = region
            args.append(GMPtr(region, 0, p.elem))
        else:
            ctype = CTYPE.get(p.elem)
            struct = new_struct_value(p.elem) if p.type.template is None else None
            if struct is not None:
                args.append(struct)
                continue
            if ctype is None:
                raise PtofixError(f"cannot simulate: parameter '{p.text}' has a type the simulator "
                                  "cannot supply", cpp.source, fn.span.start)
            default = str(DEFAULT_FLOAT) if ctype[0] == "f" else str(DEFAULT_INT)
            args.append(scalar_arg(options.args.get(p.name, default), ctype))
    blocks = options.blocks if options.blocks is not None else list(range(options.block_num))
    cores_run = len(blocks) * options.subblock_num
    if cores_run * options.ub_size * UB_MODEL_BYTES_PER_BYTE > MAX_UB_MODEL_BYTES:
        # (Up front: the UB of every core is modelled, and kept for the comparison, before any runs.)
        raise PtofixError(f"cannot simulate: {cores_run} vector cores ({len(blocks)} block(s) x "
                          f"{options.subblock_num} subblock(s)) of {options.ub_size} bytes of UB each would take "
                          f"{cores_run * options.ub_size * UB_MODEL_BYTES_PER_BYTE >> 20} MiB of model, more "
                          f"than the {MAX_UB_MODEL_BYTES >> 20} MiB the simulator allows a run; choose blocks "
                          "with --block-idx", cpp.source, fn.span.start)
    fifo = FifoState(seed, options.provider)
    if options.provider_context is not None:
        fifo.context = options.provider_context(seed)
    table = StatementTable()
    cores = []
    hazards: list[ScheduleHazard] = []
    steps = statements = vector_steps = 0
    trusted_flags: list[tuple[tuple[bool, str, str, int], ...]] = []
    for block in blocks:
        for sub in range(options.subblock_num):
            core = block * options.subblock_num + sub
            mem = Memory(seed, options.ub_size, core=core)
            rng = None
            window, p_in, latest_first = 4, 0.5, False
            if schedule_seed is not None:
                rng = np.random.default_rng([schedule_seed, 0x5CED, core])
                window = 2 + schedule_seed % 4
                p_in = (0.25, 0.5, 0.75)[(schedule_seed // 4) % 3]
                # Every fourth seed runs the most reordered schedule its window allows (no draw),
                # and every eighth with a window of WIDE_WINDOW steps: pairs further apart than
                # the narrow windows reach (a race across a few other pipes' steps) and pairs the
                # draws happen to leave in order run out of order too.
                if schedule_seed % 4 == 0:
                    latest_first = True
                    window = WIDE_WINDOW if schedule_seed % 8 == 0 else 4
            sched = Scheduler(mem, rng, window, p_in, latest_first, options.race_model)
            config = KernelConfig(block, options.block_num, sub, options.subblock_num)
            interp = Interpreter(cpp, mem, sched, fifo, config, table)
            interp.run_function(fn, list(args))
            hazards.extend(sched.hazards)
            steps += sched.steps_run
            statements += interp.count
            vector_steps += sched.vector_steps_run
            trusted_flags.append(tuple(interp.pto.trusted_flags))
            cores.append(CoreState(block, sub, mem, {n: (t.addr, t.type.nbytes) for n, t in interp.tiles_seen.items()
                                                      if t.addr is not None}, sched.flow, sched.flush_of,
                                   list(sched.hazards)))
    return RunResult(cpp, fn, regions, fifo, cores, table, hazards, steps, statements, vector_steps, trusted_flags)


def flags_differ(ref: RunResult, cand: RunResult) -> PtofixError | None:
    """The error when the rewrite changes the original's flags with a pipe other than V and S: the
    schedule keeps TLOAD, TSTORE and FIFO copies in program order, trusting those flags
    (schedule.py), so a race a change of them opens would not show; None when the rewrite issues
    each of them as the original does. Flags the rewrite adds on (source, destination, event)
    triples the original never uses (a V -> MTE2 -> MTE3 -> V chain in place of a barrier) pair
    only among themselves and leave the original's pairs as they were: they compare."""
    where = "" if len(ref.trusted_flags) == len(cand.trusted_flags) else " (another number of cores)"

    def spelled(flag: tuple[bool, str, str, int] | None) -> str:
        if flag is None:
            return "none"
        return f"{'set_flag' if flag[0] else 'wait_flag'}({flag[1]}, {flag[2]}, EVENT_ID{flag[3]})"

    for core, (ours, all_theirs) in enumerate(zip(ref.trusted_flags, cand.trusted_flags, strict=False)):
        keys = {flag[1:] for flag in ours}
        theirs = [flag for flag in all_theirs if flag[1:] in keys]
        for index in range(max(len(ours), len(theirs))):
            a = ours[index] if index < len(ours) else None
            b = theirs[index] if index < len(theirs) else None
            if a != b:
                where = (f" (core {core}, the original's flag {index + 1} of these pipes and events: {spelled(a)}, "
                         f"the rewrite's: {spelled(b)})")
                break
        if where:
            break
    if not where:
        return None
    return PtofixError(f"cannot simulate: the rewrite issues other flags between the vector pipe and the MTE or "
                       f"cube pipes than the original{where}; the simulator keeps TLOAD, TSTORE and FIFO copies in "
                       f"program order, trusting those flags, so a race a change of them opens would not show",
                       cand.cpp.source, cand.function.span.start)


# ---- comparison ---------------------------------------------------------------------------------
@dataclass
class Difference:
    where: str                 # "GM v2", "FIFO flag 4 push #0 (subblock 0)", "UB of core 0"
    offset: int                # byte offset inside that buffer
    detail: str                # values
    expected_writer: str
    actual_writer: str
    expected_origin: str = ""
    actual_origin: str = ""
    tiles: str = ""
    hazards: list = field(default_factory=list)
    seed: int = 0
    original_also_differs: bool | None = None
    flow: bool = False          # the bytes agree; a step read (or a byte kept) another write
    # The rewrite's difference, but every out-of-order pair of its run is one the original's own
    # drains allow too: the original can give the same bytes, so this is the original's race.
    original_pairs_only: bool = False

    def format(self, orig_name: str, rew_name: str) -> str:
        lines = [f"difference on seed {self.seed}: {self.where}, byte offset {self.offset}: {self.detail}"]
        if self.flow:
            lines.append(f"  {orig_name} (in order): {self.expected_writer}")
            lines.append(f"  {rew_name} (overlapped schedule): {self.actual_writer}")
            if self.hazards:
                lines.append("  out-of-order pairs in the overlapped run (first issued / executed first):")
                lines.extend(f"    {h}" for h in self.hazards)
            return "\n".join(lines)
        if self.tiles:
            lines.append(f"  tile(s) at that UB address: {self.tiles}")
        lines.append(f"  {orig_name} (in order): last written by {self.expected_writer}")
        if self.expected_origin:
            lines.append(f"      stored from UB bytes written by {self.expected_origin}")
        lines.append(f"  {rew_name} (overlapped schedule): last written by {self.actual_writer}")
        if self.actual_origin:
            lines.append(f"      stored from UB bytes written by {self.actual_origin}")
        if self.hazards:
            lines.append("  out-of-order pairs in the overlapped run (first issued / executed first):")
            lines.extend(f"    {h}" for h in self.hazards)
        if self.original_also_differs:
            lines.append(f"  note: {orig_name} also differs under this schedule (the model sees a race there too)")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def _values(elem: str, data_a: bytes, data_b: bytes, offset: int) -> str:
    try:
        dt, kind = dtype_of(elem)
    except SimError:
        return f"expected byte 0x{data_a[offset]:02x}, got 0x{data_b[offset]:02x}"
    size = dt.itemsize
    start = offset - offset % size
    if start + size > min(len(data_a), len(data_b)):
        return f"expected byte 0x{data_a[offset]:02x}, got 0x{data_b[offset]:02x}"
    a = np.frombuffer(bytes(data_a[start:start + size]), dt)[0]
    b = np.frombuffer(bytes(data_b[start:start + size]), dt)[0]
    if kind == "b":
        a = bf16_to_f32(np.array([a], np.uint16))[0]
        b = bf16_to_f32(np.array([b], np.uint16))[0]
    return f"element [{start // size}] ({elem}) expected {a.item()!r}, got {b.item()!r}"


def _first_diff(a: np.ndarray, b: np.ndarray) -> int | None:
    n = min(a.size, b.size)
    neq = np.flatnonzero(a[:n] != b[:n])
    if neq.size:
        return int(neq[0])
    if a.size != b.size:
        return n
    return None


def _hazard_lines(run: RunResult, sids: set, limit: int = 4) -> list[str]:
    out: list[str] = []
    ranked = sorted(run.hazards, key=lambda h: (h.first.stmt not in sids and h.second.stmt not in sids))
    seen = set()
    for h in ranked:
        key = (h.kind, h.first.stmt, h.second.stmt, h.first.label, h.second.label)
        if key in seen:
            continue
        seen.add(key)
        if len(out) >= limit:
            break
        scratch = " (hidden scratch)" if HIDDEN_SCRATCH[0] <= h.lo < HIDDEN_SCRATCH[1] else ""
        out.append(f"{h.kind} on UB [{h.lo}, {h.hi}){scratch}: {run.stmt(h.first.stmt)} ({h.first.label})  <->  "
                   f"{run.stmt(h.second.stmt)} ({h.second.label})")
    return out


def compare(ref: RunResult, cand: RunResult) -> Difference | None:
    # 1. GM buffers
    for name, ra in ref.regions.items():
        rb = cand.regions.get(name)
        if rb is None:
            continue
        ra.model_like(rb)
        rb.model_like(ra)
        off = _first_diff(ra.data, rb.data)
        if off is None:
            continue
        if off >= min(ra.data.size, rb.data.size):
            return Difference(f"GM argument {name}", off, f"sizes differ ({ra.data.size} vs {rb.data.size} bytes)",
                              "-", "-")
        wa, wb = int(ra.writer[off]), int(rb.writer[off])
        oa, ob = int(ra.origin[off]), int(rb.origin[off])
        diff = Difference(f"GM argument {name} ({ra.elem}*)", off, _values(ra.elem, ra.data, rb.data, off),
                          ref.stmt(wa), cand.stmt(wb),
                          ref.stmt(oa) if wa >= 0 else "", cand.stmt(ob) if wb >= 0 else "")
        diff.hazards = _hazard_lines(cand, {wb, ob})
        return diff
    # 2. FIFO pushes
    pa = {(p.flag, p.index, p.subblock): p for p in ref.fifo.pushes}
    pb = {(p.flag, p.index, p.subblock): p for p in cand.fifo.pushes}
    for key in sorted(set(pa) | set(pb)):
        a, b = pa.get(key), pb.get(key)
        where = f"FIFO flag {key[0]} push #{key[1]} (subblock {key[2]})"
        if a is None or b is None:
            return Difference(where, 0, "pushed by only one of the kernels", ref.stmt(a.stmt) if a else "-",
                              cand.stmt(b.stmt) if b else "-")
        off = _first_diff(np.frombuffer(a.data, np.uint8), np.frombuffer(b.data, np.uint8))
        if off is not None:
            diff = Difference(where, off, f"byte 0x{a.data[off]:02x} vs 0x{b.data[off]:02x}",
                              ref.stmt(a.stmt), cand.stmt(b.stmt))
            diff.hazards = _hazard_lines(cand, {b.stmt})
            return diff
    # 3. UB of every core
    for ca, cb in zip(ref.cores, cand.cores, strict=False):
        off = _first_diff(ca.mem.ub, cb.mem.ub)
        if off is None:
            continue
        wa, wb = int(ca.mem.ub_writer[off]), int(cb.mem.ub_writer[off])
        tiles = sorted({n for n, (addr, size) in list(ca.tiles.items()) + list(cb.tiles.items())
                        if addr <= off < addr + size})
        diff = Difference(f"UB of vector core block {ca.block} subblock {ca.subblock}", off,
                          f"byte 0x{ca.mem.ub[off]:02x} vs 0x{cb.mem.ub[off]:02x}",
                          ref.stmt(wa), cand.stmt(wb), tiles=", ".join(tiles))
        diff.hazards = _hazard_lines(cand, {wb})
        return diff
    return None


def compare_flow(ref: RunResult, cand: RunResult) -> Difference | None:
    """The first step that read other writes than in ``ref`` (or the first UB byte whose last
    write differs), where the two runs issued the same steps; None if they agree or cannot be
    compared (different steps issued)."""
    if len(ref.cores) != len(cand.cores):
        return None
    for ca, cb in zip(ref.cores, cand.cores, strict=True):
        fa, fb = ca.flow, cb.flow
        if len(fa) != len(fb) or any(fb.get(seq, (0, 0, None))[2] != entry[2] for seq, entry in fa.items()):
            return None
    for ca, cb in zip(ref.cores, cand.cores, strict=True):
        where = f"vector core block {ca.block} subblock {ca.subblock}"
        for seq in sorted(ca.flow):
            a, b = ca.flow[seq], cb.flow[seq]
            if a[0] != b[0]:
                diff = Difference(f"data flow of {where}: step #{seq} ({a[2]})", 0,
                                  "the bytes agree on this input, but the step reads what other writes left",
                                  f"{ref.stmt(a[1])} reads the writes program order leaves",
                                  f"{cand.stmt(b[1])} reads bytes of other writes", flow=True)
                diff.hazards = _hazard_lines(cand, {b[1]})
                return diff
        off = _first_diff(ca.mem.ub_vid, cb.mem.ub_vid)
        if off is not None:
            wa, wb = int(ca.mem.ub_writer[off]), int(cb.mem.ub_writer[off])
            diff = Difference(f"data flow of {where}: final UB", off,
                              "the bytes agree on this input, but another write lands last",
                              f"last written by {ref.stmt(wa)}", f"last written by {cand.stmt(wb)}", flow=True)
            diff.hazards = _hazard_lines(cand, {wb})
            return diff
    return None


def only_pairs_the_original_allows(ref: RunResult, cand: RunResult) -> bool:
    """True when ``cand`` (the rewrite, overlapped) issued the steps ``ref`` (the original, in
    order) issued and every pair it ran out of order was issued between the same two drains in
    the original. The bytes and data flow of a run depend only on the order of its conflicting
    pairs; ordering each of the original's flushes as ``cand`` ran those steps keeps that order
    and is a schedule of the original (the orders the hardware guarantees depend on the steps
    alone), so whatever ``cand`` shows, the original can show too."""
    if len(ref.cores) != len(cand.cores):
        return False
    for ca, cb in zip(ref.cores, cand.cores, strict=True):
        if len(ca.flow) != len(cb.flow) or any(cb.flow.get(seq, (0, 0, None))[2] != entry[2]
                                               for seq, entry in ca.flow.items()):
            return False
        for hazard in cb.hazards:
            flush = ca.flush_of.get(hazard.first.seq)
            if flush is None or flush != ca.flush_of.get(hazard.second.seq):
                return False
    return True


# Bounds of a comparison (docs/commands/simulate.md "Bounds"): the statements all its runs may
# execute before no further seed starts (each run has its own bound, interp.MAX_STATEMENTS), and
# the UB model of the cores of one run (the UB bytes, their writers and value identities, int32
# each: 9 bytes a byte), checked before it starts.
MAX_TOTAL_STATEMENTS = 1_000_000
MAX_UB_MODEL_BYTES = 64 << 20
UB_MODEL_BYTES_PER_BYTE = 9


@dataclass
class SimReport:
    """``difference``: the rewrite differs from the in-order original on some seed where the
    original itself does not race (exit 1). ``racy_original``: the original alone differs between
    in-order and overlapped execution, or the rewrite differs only through pairs the original
    overlaps too (then its ``original_pairs_only`` is set); exit 4. A difference of the rewrite on
    such a seed says nothing about the rewrite, so it is not reported as one."""

    seeds: int
    difference: Difference | None
    runs: int
    steps: int
    original_hazards: int = 0
    rewritten_hazards: int = 0
    gm_sizes: dict = field(default_factory=dict)
    racy_original: Difference | None = None
    seeds_asked: int = 0          # when a time budget stopped the run before ``seeds``: how many were asked
    budget_spent: str = ""        # what stopped it: "time" or "statements"

    @property
    def status(self) -> str:
        if self.difference is not None:
            return "different"
        if self.racy_original is not None:
            return "original races"
        return "equal"


def simulate(original, rewritten, seeds: int, options: SimOptions,
             rewritten_options: SimOptions | None = None, progress: Callable | None = None,
             deadline: float | None = None) -> SimReport:
    """``progress(seeds_done, seeds, runs, steps)`` is called after every seed; with ``deadline``
    (a ``time.monotonic()`` value) no seed starts after it, and the report's ``seeds_run`` says how
    many ran."""
    orig = load(original)
    rew = load(rewritten)
    ropts = rewritten_options or options
    runs = steps = statements = 0
    haz_o = haz_r = 0
    same = ropts is options and orig.source.text == rew.source.text
    sizes: dict[str, int] = {}
    racy: Difference | None = None
    vector_steps = 0
    ref: RunResult | None = None
    for seed in range(1, seeds + 1):
        if progress is not None and seed > 1:
            progress(seed - 1, seeds, runs, steps)
        spent = "time" if deadline is not None and time.monotonic() >= deadline else \
            "statements" if statements > MAX_TOTAL_STATEMENTS else ""
        if spent and seed > 1:
            if not vector_steps and racy is None and ref is not None:
                raise nothing_compared(ref, seed - 1, options)
            report = SimReport(seed - 1, None, runs, steps, haz_o, haz_r, sizes, racy)
            report.seeds_asked = seeds
            report.budget_spent = spent
            return report
        ref = cand = None      # (the last seed's runs are not kept alive while this one runs)
        ref = run_kernel(orig, seed, None, options)
        cand = run_kernel(rew, seed, seed, ropts)
        differ = flags_differ(ref, cand)
        if differ is not None:
            raise differ
        runs += 2
        steps += ref.steps + cand.steps
        statements += ref.statements + cand.statements
        vector_steps += ref.vector_steps + cand.vector_steps
        haz_r += len(cand.hazards)
        sizes = {n: r.touched for n, r in ref.regions.items()}
        diff = compare(ref, cand)
        if diff is None:
            diff = compare_flow(ref, cand)
        if diff is None:
            continue
        diff.seed = seed
        # Does the original itself differ under this schedule? Then the model sees a race in the
        # original and this seed says nothing about the rewrite.
        if same:
            orig_sched = cand      # the rewrite is the original: its overlapped run is this one
        else:
            orig_sched = run_kernel(orig, seed, seed, options)
            runs += 1
            steps += orig_sched.steps
        haz_o += len(orig_sched.hazards)
        own = compare(ref, orig_sched) or compare_flow(ref, orig_sched)
        if own is None and not same:
            # The original's own run on this seed may happen to stay in order (with a drain gone the
            # schedule draws fall otherwise) although every pair the rewrite ran out of order is one
            # the original overlaps too. That is the original's race, if the rewrite in program
            # order is the original in program order.
            in_order = run_kernel(rew, seed, None, ropts)
            runs += 1
            steps += in_order.steps
            if compare(ref, in_order) is None and compare_flow(ref, in_order) is None \
                    and only_pairs_the_original_allows(ref, cand):
                diff.original_pairs_only = True
                own = diff
        if own is None:
            diff.original_also_differs = False
            return SimReport(seed, diff, runs, steps, haz_o, haz_r, sizes, racy)
        if racy is None:
            own.seed = seed
            racy = own
    if not vector_steps and racy is None and ref is not None:
        raise nothing_compared(ref, seeds, options)
    return SimReport(seeds, None, runs, steps, haz_o, haz_r, sizes, racy)


def nothing_compared(run: RunResult, seeds: int, options: SimOptions) -> PtofixError:
    """The error for a comparison in which neither kernel ran a vector op on any seed: equal bytes
    then say nothing about the barriers (issue #58). It names the inputs that decide what runs."""
    fn = run.function
    scalars = [p.name for p in parse_params(fn) if not p.is_pointer]
    pointers = [p.name for p in parse_params(fn) if p.is_pointer]
    given = ", ".join(f"{name}={value}" for name, value in sorted(options.args.items()))
    hints = []
    if scalars:
        example = scalars[0]
        hints.append(f"the scalar parameters' values with --arg NAME=VALUE (e.g. --arg {example}=VALUE; "
                     f"scalar parameters: {', '.join(scalars)}; "
                     + (f"given: {given}; " if given else "")
                     + f"the others are {DEFAULT_INT} for integers and {DEFAULT_FLOAT} for floats)")
    hints.append(f"the block count with --block-num N (now {options.block_num}; get_block_num() and "
                 "get_block_idx() pick each core's work)")
    if pointers:
        hints.append(f"GM contents a loop reads its bounds from with --gm-fill NAME=ints:LO:HI "
                     f"(pointer parameters: {', '.join(pointers)})")
    return PtofixError(f"nothing to compare: no vector op ran in either kernel on {seeds} seed(s) "
                       f"(the scalar code took no path to one), so equal bytes would say nothing about the "
                       f"barriers; give the inputs the kernel runs with: {'; '.join(hints)}",
                       run.cpp.source, fn.span.start)
