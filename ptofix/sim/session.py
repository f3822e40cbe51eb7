"""One ``ptofix simulate`` comparison as a library: both kernels on the same seeds, again against
``check --fix`` of the original when it races on its own, and the outcome as text or as the JSON
report (what ``simulate`` prints on stdout)."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from ..compile_env import NO_COMMAND_LINE, CompileEnvironment
from ..output import write_stderr
from ..reports import document, json_text
from .race_fix import fix_both
from .runner import MAX_TOTAL_STATEMENTS, SimOptions, SimReport, load, simulate

# A run shorter than this prints no progress line.
PROGRESS_AFTER_SECONDS = 2.0


class Progress:
    """``seed k/N, R runs, S pipe steps`` on one stderr line, rewritten in place, for a run past
    PROGRESS_AFTER_SECONDS, only when stderr is a terminal; ``done`` clears it."""

    def __init__(self, label: str = ""):
        self.start = time.monotonic()
        self.label = label
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, seeds: int, runs: int, steps: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < PROGRESS_AFTER_SECONDS:
            return
        sys.stderr.write(f"\r\033[Ksimulate: {self.label}{done}/{seeds} seeds done ({runs} runs, {steps} pipe steps, "
                         f"{elapsed:.0f} s)")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


@dataclass(frozen=True)
class Comparison:
    """What one ``simulate`` compares, and how."""

    original: str               # the kernel as ptoas wrote it (a path)
    rewritten: str
    seeds: int
    options: SimOptions
    time_budget: float | None = None    # seconds; seeds not started by then are not run
    fix_original: bool = True   # an original that races on its own: compare against `check --fix` of it
    environment: CompileEnvironment = NO_COMMAND_LINE   # the compiler's command line both are read with


@dataclass
class Outcome:
    comparison: Comparison
    report: SimReport
    check_fix: dict[str, Any] | None    # the `check --fix` comparison, when the original raced

    @property
    def status(self) -> str:
        """``equal``, ``different`` (the rewrite differs) or ``original races``."""
        return self.report.status


def compare(comparison: Comparison) -> Outcome:
    """Run the comparison; its notes (the `check --fix` fallback, a spent time budget) go to stderr."""
    original, rewritten = (load(comparison.original, comparison.environment),
                           load(comparison.rewritten, comparison.environment))
    deadline = time.monotonic() + comparison.time_budget if comparison.time_budget else None
    report = _simulate(original, rewritten, comparison, deadline, Progress())
    check_fix: dict[str, Any] | None = None
    if report.status == "original races" and comparison.fix_original:
        # The comparison says nothing about the rewrite: compare it against check --fix of the
        # original instead (the same barriers added to both).
        fixed = fix_both(original, rewritten, comparison.options.race_model)
        if isinstance(fixed, str):
            write_stderr(f"simulate: {comparison.original} races on its own, and the rewrite cannot be compared "
                         f"against `ptofix check --fix` of it: {fixed}\n")
            check_fix = {"applied": False, "why": fixed}
        else:
            where = ", ".join(fixed.inserted)
            write_stderr(f"simulate: {comparison.original} races on its own; simulating the rewrite against "
                         f"`ptofix check --fix` of it instead: the {len(fixed.inserted)} pipe_barrier(PIPE_V) check "
                         f"inserts ({where}) added to both kernels\n")
            first = report
            report = _simulate(load(fixed.original, comparison.environment),
                               load(fixed.rewritten, comparison.environment), comparison, deadline,
                               Progress("against check --fix: "))
            report.runs += first.runs
            report.steps += first.steps
            check_fix = {"applied": True, **fixed.as_dict()}
    if report.seeds_asked:
        budget = f"the time budget ({comparison.time_budget:g} s)" if report.budget_spent == "time" else \
            f"the statement budget ({MAX_TOTAL_STATEMENTS} statements over all runs)"
        write_stderr(f"simulate: {budget} ran out after {report.seeds} of "
                     f"{report.seeds_asked} seed(s); the others were not run\n")
    return Outcome(comparison, report, check_fix)


def _simulate(original: Any, rewritten: Any, comparison: Comparison, deadline: float | None,
              progress: Progress) -> SimReport:
    try:
        return simulate(original, rewritten, comparison.seeds, comparison.options, progress=progress,
                        deadline=deadline)
    finally:
        progress.done()


def outcome_json(outcome: Outcome) -> str:
    """The ``--report json`` document."""
    report, diff, racy = outcome.report, outcome.report.difference, outcome.report.racy_original
    out = {"file": outcome.comparison.rewritten, "original": outcome.comparison.original,
           "equal": report.status == "equal", "status": report.status, "seeds": report.seeds,
           "runs": report.runs, "steps": report.steps, "gm_bytes": report.gm_sizes,
           "difference": diff.as_dict() if diff else None,
           "racy_original": racy.as_dict() if racy else None,
           "check_fix": outcome.check_fix, "seeds_asked": report.seeds_asked or report.seeds}
    return json_text(document([out]), default=str)


def outcome_text(outcome: Outcome) -> str:
    """What ``simulate`` prints without ``--report json``."""
    report, diff, racy = outcome.report, outcome.report.difference, outcome.report.racy_original
    original, rewritten = outcome.comparison.original, outcome.comparison.rewritten
    if diff is not None:
        text = diff.format(original, rewritten) + "\n"
    elif racy is not None and racy.original_pairs_only:
        text = (f"simulate: the original already races: {rewritten} differs on seed {racy.seed} "
                f"({racy.where}, byte offset {racy.offset}), but every pair its overlapped run executed out "
                f"of order is between the same two drains in {original}, which may overlap them too; "
                f"the comparison says nothing about the rewrite there\n" + racy.format(original, rewritten) + "\n")
    elif racy is not None:
        text = (f"simulate: the original already races: {original} alone differs between "
                f"in-order and overlapped execution on seed {racy.seed} ({racy.where}, byte offset "
                f"{racy.offset}); the comparison says nothing about the rewrite there\n"
                + racy.format(original, original) + "\n")
    else:
        text = f"simulate: equal on {report.seeds} seed(s) ({report.runs} runs, {report.steps} pipe steps)\n"
    check_fix = outcome.check_fix
    if check_fix and check_fix["applied"]:
        text += (f"simulate: compared with `ptofix check --fix` of {original} (the original races on its "
                 f"own; {len(check_fix['inserted'])} barrier(s) inserted in both kernels: "
                 f"{', '.join(check_fix['inserted'])}); line numbers above are those of the fixed files\n")
    return text
