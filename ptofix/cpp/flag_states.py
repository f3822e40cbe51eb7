"""Flag states across the file's own calls: the possible 'set pending' states (0/1) of one
set_flag/wait_flag flag where a function starts and where a call of one of the file's functions
returns, and whether the flag's sets and waits strictly alternate in a function.

A function starts with none pending when it is the kernel (a `__global__` entry, or simpler's task
entry: simpler_task_entry), the file holds no other kernel, and the kernel cannot return with one
pending (the premise every launch rests on: the work that ran on the core before it returned with
none). A helper starts in the states its callers are in at its calls, when those calls are all
there are (BarrierAnalysis.only_called_there). Any other function's caller may leave a set
pending.

A call of one of the file's functions leaves the flag in the states the callee's own dataflow
gives at its return, started from the caller's states at the call (the callee's events are those
its CFG reads: an event it does not understand may set or consume any flag); a callee the
model cannot follow (recursion, unstructured, a template, past MAX_CALL_DEPTH, never returning)
leaves it in any state, as before.
"""
from __future__ import annotations

from typing import Final, Protocol

from .. import regex_cache
from .analysis_part import AnalysisPart
from .barrier_flags import MAYBE_PENDING, NONE_PENDING, flag_dataflow
from .cfg_events import Event
from .model import Function
from .semantics import FileContext
from .vector_cfg import FunctionCFG


class FlagCallGraph(Protocol):
    """What FlagStates reads of the analysis it serves (barriers.BarrierAnalysis): the file, its
    functions' CFGs and the calls between them."""

    ctx: FileContext

    def is_entry(self, fn: Function) -> bool: ...

    def cfg(self, fn: Function) -> FunctionCFG: ...

    def callers(self, fn: Function) -> list: ...

    def only_called_there(self, fn: Function, sites: list) -> bool: ...


# How many calls deep a call's effect or a helper's callers are followed (then: any state).
MAX_FLAG_CALL_DEPTH: Final = 64

# simpler's task entry (hw-native-sys/simpler): every AICore kernel of its tensormap_and_ringbuffer
# runtime is `extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args)`
# (docs/aicore-kernel-programming.md "What a kernel sees"; pypto's kernel wrapper writes it so, and
# makes the ptoas function it calls `static`). The runtime's AICore executor
# (src/a2a3/runtime/tensormap_and_ringbuffer/aicore/aicore_executor.cpp, execute_task) calls it
# through a function pointer, the ELF's entry (simpler_setup/elf_parser.py: `kernel_entry` first in
# .text; the simulator dlsym()s "kernel_entry"), task after task on one core; the executor and the
# platform's AICore code it runs (src/a2a3/platform/onboard/aicore/kernel.cpp, the PMU and swimlane
# collectors) issue no set_flag or wait_flag (none in src/ outside the kernels, at the commits of
# the corpus's simpler kernels: 23dbb86f, 6ebaf771, 512641b9, ede9ded9). So the flags at its start
# are those the task run before it on that core left: none pending when every task returns with
# none, the premise a `__global__` kernel's launch rests on too, and checked for this one.
SIMPLER_TASK_ENTRY: Final = "kernel_entry"
_EXTERN_C: Final = regex_cache.compile(r'\s*extern\s*"C"\s')


def simpler_task_entry(ctx: FileContext, fn: Function) -> bool:
    """``fn`` is simpler's task entry: spelled exactly as simpler declares it (`extern "C"` in its
    own declaration, `__aicore__`, void, the one parameter `__gm__ int64_t *`), a free function
    defined once in a whole translation unit, named nowhere else in the file's code (no caller in
    the file: comments name nothing), its name no macro (simpler's core-swimlane tool renames it
    by `#define kernel_entry ...`), every header read (a header could call it), no token pasting
    (`p##q` may spell its name)."""
    head = fn.declaration
    if fn.name != SIMPLER_TASK_ENTRY or fn.qualified or head.owner or fn.conditional or fn.namespace:
        return False
    if _EXTERN_C.match(head.text) is None:
        return False
    if "__aicore__" not in head.before_name_words or "void" not in head.return_words \
            or head.template_params != ():
        return False
    if len(fn.parameters) != 1 or fn.parameters[0].words[:2] != ("__gm__", "int64_t") \
            or len(fn.parameters[0].words) != 3 or fn.parameters[0].text.count("*") != 1:
        return False
    if SIMPLER_TASK_ENTRY in ctx.macros or ctx.pastes_tokens or not ctx.translation_unit \
            or any(summary.unknown for summary in ctx.headers.values()):
        return False
    return ctx.local_function(fn.name) is fn and ctx.code_name_count(fn.name) == 1


def _may_be_kernel(ctx: FileContext, fn: Function) -> bool:
    """``fn`` may be a kernel some launch runs: declared `__global__` (or the parser took it as
    an entry), or its declaration names a macro that may expand to more than nothing (the file's
    `__aicore__`, `[aicore]` or nothing, expands to no `__global__`; one a header or the command
    line defines may)."""
    words = fn.declaration.words
    if fn.is_entry or "__global__" in words:
        return True
    empty = ctx.model.empty_macros
    return any(word in ctx.macros and (word not in empty or word in ctx.header_macros
                                       or word in ctx.command_line_macros) for word in words)


class FlagStates(AnalysisPart[FlagCallGraph]):
    """The flag states of one analysis's functions, remembered per (function, flag)."""

    def __init__(self, analysis: FlagCallGraph) -> None:
        super().__init__(analysis)
        self._entry: dict[tuple, frozenset] = {}                # (id(fn), flag) -> states at its start
        self._dataflows: dict[tuple, tuple[dict, bool]] = {}    # (id(fn), flag, entry) -> flag_dataflow
        self._alternation: dict[tuple, bool] = {}               # (id(fn), flag) -> alternates
        self._open: set[tuple] = set()          # (id(fn), flag) of dataflows under way (recursion)
        self._depth = 0

    def alternates(self, cfg: FunctionCFG, flag: tuple[str, str, str]) -> bool:
        """The sets and waits of ``flag`` (src, dst, event) strictly alternate on every path of
        ``cfg``'s function from the states it may start in, and a kernel returns with none pending."""
        key = (id(cfg.fn), flag)
        known = self._alternation.get(key)
        if known is None:
            entry = self.at_entry(cfg.fn, flag, frozenset())
            states, ok = self.dataflow(cfg, flag, entry)
            known = self._alternation[key] = not cfg.unstructured and ok \
                and not (self.is_kernel(cfg.fn) and self._may_return_pending(cfg, states))
        return known

    def is_kernel(self, fn: Function) -> bool:
        """A launch or a simpler task starts at ``fn``."""
        return self.analysis.is_entry(fn) or simpler_task_entry(self.analysis.ctx, fn)

    def dataflow(self, cfg: FunctionCFG, flag: tuple[str, str, str], entry: frozenset) -> tuple[dict, bool]:
        """flag_dataflow of ``flag`` in ``cfg`` from ``entry``, a call of one of the file's
        functions leaving the states the callee returns in; remembered."""
        key = (id(cfg.fn), flag, entry)
        found = self._dataflows.get(key)
        if found is None:
            src, dst, tag = flag
            opened = (id(cfg.fn), flag)
            self._open.add(opened)
            try:
                found = flag_dataflow(cfg, tag, entry, src, dst,
                                       lambda event, state: self._after_call(event, flag, state))
            finally:
                self._open.discard(opened)
            self._dataflows[key] = found
        return found

    def _after_call(self, event: Event, flag: tuple[str, str, str], before: frozenset) -> tuple[frozenset, bool] | None:
        """The states ``flag`` may be in when the call ``event`` returns, started in ``before``,
        and whether the callee's sets and waits alternate from there; None when the callee is not
        one the model follows (then the call may leave any state)."""
        ctx = self.analysis.ctx
        callee = ctx.local_function(event.callee) if event.callee else None
        if callee is None or id(callee) in ctx.bound or "template" in callee.declaration.words \
                or self._depth >= MAX_FLAG_CALL_DEPTH:
            return None
        if (id(callee), flag) in self._open:
            return None        # recursion
        cfg = self.analysis.cfg(callee)
        if cfg.unstructured:
            return None
        self._depth += 1
        try:
            states, ok = self.dataflow(cfg, flag, before)
        finally:
            self._depth -= 1
        after = states.get(cfg.exit.order, frozenset())
        if not after:
            return None        # (no path returns: nothing is known of what the call leaves)
        return after, ok

    def at_entry(self, fn: Function, flag: tuple[str, str, str], stack: frozenset) -> frozenset:
        """The states ``flag`` may be in where ``fn`` starts (the module's doc)."""
        key = (id(fn), flag)
        known = self._entry.get(key)
        if known is not None:
            return known
        analysis = self.analysis
        if self.is_kernel(fn):
            entry = self._kernel_entry_state(fn, flag)
            self._entry[key] = entry
            return entry
        if id(fn) in stack or len(stack) >= MAX_FLAG_CALL_DEPTH:
            return MAYBE_PENDING
        sites = analysis.callers(fn)
        if not sites or not analysis.only_called_there(fn, sites):
            return MAYBE_PENDING
        result: frozenset = frozenset()
        for caller, event in sites:
            cfg = analysis.cfg(caller)
            if cfg.unstructured:
                return MAYBE_PENDING
            states, alternates = self.dataflow(cfg, flag, self.at_entry(caller, flag, stack | {id(fn)}))
            if not alternates:
                return MAYBE_PENDING      # (a double set before the call: what it leaves is not known)
            result = result | states.get(event.order, MAYBE_PENDING)
        self._entry[key] = result
        return result

    def _kernel_entry_state(self, fn: Function, flag: tuple[str, str, str]) -> frozenset:
        """None pending at a kernel's start, given that what ran before it on the core returned
        with none: only if no other function of the file may be a kernel (its return is not
        checked here: it may set a flag in ways no text spells, pto's Event API, a macro, a helper
        reached by reference) and this one cannot return with one pending, its callees' sets
        included, its sets and waits alternating (what `set; set; wait;` leaves is not documented)."""
        ctx = self.analysis.ctx
        if not ctx.translation_unit:
            # Other files include this one (a header, build's caller): their kernels, which the
            # file does not show, may run just before it (red-team red4, tests/cpp/test_header_inputs.py).
            return MAYBE_PENDING
        if self.analysis.is_entry(fn):
            another = bool(ctx.possible_kernels() - {id(fn)})
        else:
            another = any(other is not fn and _may_be_kernel(ctx, other) for other in ctx.model.functions)
        if another:
            return MAYBE_PENDING
        cfg = self.analysis.cfg(fn)
        states, alternates = self.dataflow(cfg, flag, NONE_PENDING)
        if cfg.unstructured or not alternates or self._may_return_pending(cfg, states):
            return MAYBE_PENDING
        return NONE_PENDING

    @staticmethod
    def _may_return_pending(cfg: FunctionCFG, states: dict) -> bool:
        return 1 in states.get(cfg.exit.order, frozenset())
