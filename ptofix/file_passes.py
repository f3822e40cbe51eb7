"""A pass pipeline run on one file, as ``run`` and ``opt`` do for each of theirs (in a worker process
with ``-j``): the file read, its passes run, the report, the text report lines and the notes for
stderr. The passes are built once by the command, checked there, and handed to every file (they
pickle for the workers).
"""
from __future__ import annotations

from typing import Any

from .batch import Processed
from .compile_env import NO_COMMAND_LINE, CompileEnvironment
from .cpp_fixes import fix_cpp, kept_notes, text_report, unread_outcome
from .frontends import parse_cpp, parsers
from .pass_manager import PipelineOutcome, run_pipeline
from .pto.race_model import DEFAULT_RACE_MODEL, RaceModel
from .records import Value
from .side_files import ReadRecord
from .source import SourceText, UnreadableInput, read_source


class FilePasses(Value):
    """What a command does to each of its files."""

    passes: tuple[Any, ...]
    # The input is C++ and parsed even when no pass is selected, so that bad input is an error
    # (``run``); otherwise each pass says what it reads (``opt``: C++ or PTO IR).
    cpp_input: bool = False
    functions: bool = False     # the report draws the input's functions (--report html)
    notes: bool = True          # kept-barrier notes on stderr (not with -q, nor beside a report on stderr)
    # The page also shows Perf-Sim's vector timeline, built against the environment's pto-isa
    # checkout (ptofix/perf/timeline_measure.py; --report html with --pto-isa).
    perf_timeline: bool = False
    # The report also holds the races of the input as `check` finds them (``run`` with --report):
    # check's "races", "by_kind" and "unverified", and one text line with their count.
    input_races: bool = False
    # The race model those input races are found under: the run's own (``--same-access-chains``).
    race_model: RaceModel = DEFAULT_RACE_MODEL
    environment: CompileEnvironment = NO_COMMAND_LINE   # the compiler's command line every file is read with
    # The text report's lines are made (--report text): without it no line, and no barrier's reason
    # in words (barrier_decisions.Reason), is written for them.
    text_lines: bool = True

    def process(self, path: str) -> Processed:
        """Read ``path`` and run the passes on it."""
        source = read_source(path)
        models: dict[str, Any] = {}
        functions = None
        # The files this file's job reads besides it (headers; the pto-isa checkout's, which the
        # environment was identified from): returned with the result (Processed.depends), so that
        # no output replaces one. The job's own, never the shared environment's.
        reads = ReadRecord(self.environment.isa_files)
        try:
            if self.cpp_input:
                models["cpp"] = parse_cpp(source, self.environment, reads)
            elif self.functions and self.passes and all(pass_.kind == "cpp" for pass_ in self.passes):
                # (The page draws the input's functions: the model the first pass reads, read first.)
                models["cpp"] = parse_cpp(source, self.environment, reads)
            if self.functions and "cpp" in models:
                from .html_report import strips  # (1.6 ms of imports, only for --report html)
                functions = strips(models["cpp"])
            outcome = self._run(source, models, reads)
        except UnreadableInput as unread:
            return self._unread(source, unread).replace(depends=reads.sorted())
        report: dict[str, Any] = {"file": source.path, "changed": outcome.text != source.text,
                                  "passes": outcome.reports}
        if functions is not None:
            report["functions"] = functions
        if self.functions:
            _with_cause_fields(outcome.reports, outcome.details)
        notes = kept_notes(source.path, outcome.reports, outcome.details) if self.notes else []
        lines = text_report(outcome.reports) if self.text_lines else []
        if self.input_races:
            races_line = self._add_input_races(source, report, reads)
            if self.text_lines:
                _before_summary(lines, races_line)
        if self.perf_timeline and self.environment.pto_isa:
            from .perf.timeline_measure import timeline_report  # (only for --report html with --pto-isa)
            timeline = report["perf_timeline"] = timeline_report(source, outcome.text, self.environment.pto_isa)
            if "error" in timeline:
                notes.append(f"{source.path}: note: no Perf-Sim timeline on the page: {timeline['error']}")
        return Processed(source, outcome.text, report, lines, list(outcome.warnings) + notes, [], reads.sorted())

    def _add_input_races(self, source: SourceText, report: dict[str, Any], reads: ReadRecord) -> str:
        """Put the races of the input, as ``check`` finds them (its own job, on the input as read),
        into ``report``; the text report's line that counts them and says where they are shown."""
        from .race_check import RaceCheck
        found = RaceCheck(environment=self.environment, race_model=self.race_model,
                          barrier_cycles=False, page=self.functions).process_source(source)
        reads.update(found.depends)
        for key in ("races", "by_kind", "unverified"):
            report[key] = found.report[key]
        return input_races_line(source.path, found.report)

    def _unread(self, source: SourceText, unread: UnreadableInput) -> Processed:
        """The file left as it is: valid C++ the model cannot read (UnreadableInput) is Unknown as
        a whole, every barrier kept, never refused; the note says why on stderr."""
        reports, note = unread_outcome(source, unread, list(self.passes))
        report: dict[str, Any] = {"file": source.path, "changed": False, "passes": reports,
                                  "unread": unread.diagnostic.message}
        notes = kept_notes(source.path, reports) if self.notes else []
        lines = text_report(reports) if self.text_lines else []
        if self.input_races:
            races_line = self._add_input_races(source, report, ReadRecord())
            if self.text_lines:
                _before_summary(lines, races_line)
        return Processed(source, source.text, report, lines, [note] + notes, [])

    def _run(self, source: SourceText, models: dict[str, Any], reads: ReadRecord) -> PipelineOutcome:
        if self.cpp_input:
            return fix_cpp(source, list(self.passes), models["cpp"])      # (read with the environment)
        return run_pipeline(source, list(self.passes), parsers(self.environment, reads), models)


def _before_summary(lines: list[str], line: str) -> None:
    """Add ``line`` to a file's text report lines before its closing "pipe-v-barrier: N of M PIPE_V
    barriers removed" line, which stays last (at the end when there is none)."""
    at = len(lines) - 1 if lines and lines[-1].startswith("pipe-v-barrier: ") else len(lines)
    lines.insert(at, line)


def input_races_line(path: str, check_report: dict[str, Any]) -> str:
    """The text report's line for the races of a file as ``check`` reports them (its report's
    "races", "by_kind", "unverified"): how many, of which kinds, and the command that shows them
    (the line names its file once, at its start, as every line of a text report does)."""
    races = len(check_report["races"])
    unverified = len(check_report["unverified"])
    if races:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(check_report["by_kind"].items()))
        chains = int(check_report.get("by_category", {}).get("same-access-chain", 0))
        if chains:
            what = "a PTOAS #674 same-access chain" if chains == 1 else "PTOAS #674 same-access chains"
            kinds += f"; {chains} {what}"
        rebroadcasts = int(check_report.get("by_category", {}).get("same-rebroadcast", 0))
        if rebroadcasts:
            kinds += f"; {rebroadcasts} same per-row broadcast{'' if rebroadcasts == 1 else 's'}"
        flag_chains = int(check_report.get("by_category", {}).get("multi-pipe-chain", 0))
        if flag_chains:
            kinds += f"; {flag_chains} multi-pipe flag chain{'' if flag_chains == 1 else 's'}"
        line = (f"{path}: note: the input has {races} PIPE_V race{'' if races == 1 else 's'} ({kinds}): "
                "`ptofix check` on this file shows each, `--fix` inserts the barriers they need")
    else:
        line = f"{path}: note: the input has no PIPE_V race that `ptofix check` shows"
    if unverified:
        line += (f"; {unverified} function{' is' if unverified == 1 else 's are'} unverified (races in "
                 f"{'it' if unverified == 1 else 'them'} neither shown nor ruled out)")
    return line


def notes_wanted(quiet: bool, report: str | None, report_file: str | None) -> bool:
    """Whether kept-barrier notes go to stderr: not with -q, nor beside a report on stderr (which
    lists every kept barrier with its reason)."""
    return not quiet and not (bool(report) and not report_file)


def _with_cause_fields(reports: list[dict[str, Any]], details: list[dict[str, Any]]) -> None:
    """Give each barrier decision of ``reports`` every field of its cause (``cause_fields``, from
    the pass's details), for the HTML page: its rows are written from them (html_report.py)."""
    for report, detail in zip(reports, details, strict=False):
        causes = detail.get("causes")
        if causes is not None:
            for entry, fields in zip(report["decisions"], causes, strict=True):
                entry["cause_fields"] = fields
