"""The command-line side of ``check --trace`` and ``run --verify-trace``."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from ..exit_status import ExitStatus, worse
from ..output import write_stderr, write_stdout
from ..source import PtofixError

# The trace machinery (trace/check.py: the host cost model's build, the recording, the judge) is
# imported only when --trace or --verify-trace asks for it: run's and check's parsers add these
# options on every command line.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..trace.check import TraceOptions, TraceResult


def add_trace_arguments(parser: argparse.ArgumentParser, verify: bool) -> None:
    """The options a traced run takes (``perf``'s, for the same build)."""
    from .option_types import name_value, positive, seconds
    group = parser.add_argument_group("trace (pto-isa's host cost model: docs/commands/trace.md)")
    if verify:
        group.add_argument("--verify-trace", action="store_true",
                           help="trace the input and the output in pto-isa's host cost model (needs --pto-isa); "
                                "refuse (exit 1, nothing written) when the output has a race the input has not")
    else:
        group.add_argument("--trace", action="store_true",
                           help="judge what pto-isa's host cost model issues for one run of the vector half "
                                "(needs --pto-isa), not the static model")
    group.add_argument("--arg", type=name_value, action="append", default=[], metavar="NAME=VALUE",
                       help="with the trace: a scalar parameter of the entry (repeatable; default 16, with a note)")
    group.add_argument("--function", metavar="NAME",
                       help="with the trace: the entry to run (default: the __global__ one)")
    group.add_argument("--cxx", metavar="PATH", help="with the trace: the C++ compiler (default: $CXX, else g++)")
    group.add_argument("--cache-dir", metavar="DIR", help="with the trace: the build cache (as perf's)")
    group.add_argument("--trace-timeout", type=seconds, default=600.0, metavar="SECONDS",
                       help="with the trace: stop a traced run after this long, an error (default: 600)")
    group.add_argument("--trace-jobs", type=positive, default=2, metavar="N",
                       help="with the trace: compilers run at once (default: 2)")


def trace_options(args: argparse.Namespace) -> TraceOptions:
    """The trace's options from the command line; its build reads the one CompileEnvironment
    (``args.environment``, commands/arguments.compile_environment: its flags and its pto-isa
    checkout), not a copy of its fields."""
    from ..compile_env import NO_COMMAND_LINE
    environment = getattr(args, "environment", None) or NO_COMMAND_LINE
    if not environment.pto_isa:
        raise PtofixError("--trace and --verify-trace need --pto-isa DIR (a pto-isa checkout whose host cost model "
                          "builds, e.g. a clone of hw-native-sys/pto-isa at commit f35e7f60)")
    from pathlib import Path  # (here: pathlib, urllib.parse and ipaddress are ~2.5 ms of a `run` start)

    from ..trace.check import TraceOptions
    return TraceOptions(environment, args=tuple(getattr(args, "arg", None) or ()),
                        function=getattr(args, "function", None), cxx=getattr(args, "cxx", None),
                        cache_dir=Path(args.cache_dir) if getattr(args, "cache_dir", None) else None,
                        timeout=getattr(args, "trace_timeout", 600.0), jobs=getattr(args, "trace_jobs", 2))


def run_check(args: argparse.Namespace, tally: Any) -> int:
    """``check --trace FILE...``: diagnostics on stderr, the summary line (``tally``: check's
    ``Tally``), ``--report sarif|json``."""
    from ..diagnostic_view import use_color, with_source_lines
    from ..source import read_source
    from ..trace.check import trace_texts
    if args.fix:
        raise PtofixError("--trace reports what one run issues; --fix inserts from the static proof: run them apart")
    if getattr(args, "output", None) or getattr(args, "in_place", False) or getattr(args, "diff", False) \
            or getattr(args, "check", False):
        raise PtofixError("-o, -i, --diff and --check deliver a fixed kernel: --trace writes none")
    if getattr(args, "report", None) == "html":
        raise PtofixError("--report html is not written for --trace (text, json or sarif)")
    options = trace_options(args)
    if len(set(args.files)) != len(args.files):
        raise PtofixError("a file is named twice")
    sources = {path: read_source(path) for path in args.files}
    results = trace_texts({path: source.text for path, source in sources.items()}, options)
    statuses: list[int] = []
    color = use_color(getattr(args, "color", "auto"))
    reports = []
    for path in args.files:
        result = results[path]
        if result.notes:
            write_stderr("".join(note + "\n" for note in result.notes))
        if result.error is not None:
            write_stderr(_error_line(result.error) + "\n")
            statuses.append(ExitStatus.ERROR)
            continue
        tally.add(result.report)
        reports.append(result.report)
        if result.lines:
            write_stderr("".join(line + "\n" for line in with_source_lines(list(result.lines), sources[path], color)))
        statuses.append(_status(result, bool(getattr(args, "allow_unverified", False))))
    report = getattr(args, "report", None)
    if report == "sarif" or report == "json":
        from ..reports import document, json_text
        from ..sarif import sarif_log
        body = json.dumps(sarif_log(reports), indent=2) + "\n" if report == "sarif" else \
            json_text(document(reports, pto_isa=options.environment.pto_isa, trace=True))
        target = getattr(args, "report_file", None)
        if target and target != "-":
            from pathlib import Path
            Path(target).write_text(body, encoding="utf-8")
        else:
            write_stdout(body)
    if tally.files:
        write_stderr(tally.summary(False) + " (trace)\n")
    status: int = ExitStatus.OK
    for each in statuses:
        status = worse(status, each)
    return status


def _error_line(error: PtofixError) -> str:
    """A build or run failure as one located line (perf's errors are plain ``file:line:col: error:``)."""
    return error.format().rstrip("\n")


def _status(result: TraceResult, allow_unverified: bool) -> int:
    if result.report["races"]:
        return ExitStatus.CHANGED
    if result.report["unverified"] and not allow_unverified:
        return ExitStatus.UNVERIFIED
    return ExitStatus.OK


def verify(path: str, before: str, after: str, options: TraceOptions) -> tuple[bool, list[str]]:
    """Whether ``after`` (the rewrite of ``before``) may be written, and what to say on stderr: a
    race the trace of ``after`` shows and that of ``before`` does not refuses it; a kernel that
    cannot be traced is said, and not refused."""
    if before == after:
        return True, []
    from ..trace.check import describe, new_races, trace_texts
    output_name = f"{path} (output)"
    results = trace_texts({path: before, output_name: after}, options)
    first, second = results[path], results[output_name]
    lines = list(first.notes)
    for result in (first, second):
        if result.error is not None:
            return True, lines + [f"ptofix: note: {path}: cannot trace ({'input' if result is first else 'output'}): "
                                  f"{result.error.format().strip()}"]
    from ..trace.check import unjudged_scalar
    for result, side in ((first, "input"), (second, "output")):
        scalar = unjudged_scalar(result.recording) if result.recording is not None else None
        if scalar is not None:
            lines.append(f"ptofix: note: {path}: the {side}'s trace: {scalar['location']}: {scalar['why']}")
    found = new_races(first, second)
    if isinstance(found, str):
        return True, lines + [f"ptofix: note: {path}: cannot compare the traces: {found}"]
    if not found:
        return True, lines
    assert second.recording is not None
    for race, count in found:
        warning, note = describe(second.recording, race, count)
        lines += [warning, note]
    lines.append(f"ptofix: error: {path}: the output has {len(found)} race{'' if len(found) == 1 else 's'} in the "
                 f"trace that the input has not: nothing written")
    return False, lines


def verifying_deliver(options: Any, result: Any, trace: TraceOptions, deliver: Callable[..., int],
                      collected: Any = None) -> int:
    """``run --verify-trace``'s delivery of one file: ``deliver`` it unless its trace has a race its
    input's has not (then exit 1 and nothing written)."""
    allowed, lines = verify(result.source.path, result.source.text, result.text, trace)
    if lines:
        write_stderr("".join(line + "\n" for line in lines))
    if not allowed:
        return ExitStatus.CHANGED
    return deliver(options, result, collected=collected)
