"""Several input files in one call: ``ptofix run|opt FILE... (-i | -o DIR | --check | --diff) [-j N]``.

Each file is processed on its own (in a worker process with ``-j N``), then delivered in the
order given, each through the same all-or-none writer as a single file. A file with bad input is
reported (``file:line:col: error: ...``) without stopping the others; the exit status is the
worst one: 3 internal error, 2 bad input, 1 ``--check`` found changes, 0 ok.
"""
from __future__ import annotations

import os

from .exit_status import ExitStatus, internal_error, worse
from .output import (
    Collected,
    OutputOptions,
    Outputs,
    StreamError,
    check_html_report,
    check_output_path,
    deliver,
    json_report_on_stderr,
    read_by_this_run,
    write_stderr,
    write_stdout,
)
from .records import Value
from .reports import json_document, text_lines_for_file
from .signals import die_with_parent, hold_interrupts, terminate_as_interrupt
from .source import Diagnostic, OptionValueError, PtofixError, SourceText

# Imported where used, for a one-file run's start-up (tests/test_startup.py): traceback (only to
# print one), progress (threading, ~1 ms, several files), html_report (~3 ms, --report html) and
# multiprocessing (the workers, -j N only).

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Processed(Value):
    """What a command computed for one file (picklable, for worker processes). (Processed and
    Failure are records.Value classes, not typing.NamedTuples, which compile each string annotation
    into a ForwardRef at import: ~0.3 ms of every run; issue #70 item 7.)"""

    source: SourceText
    text: str
    report: dict
    text_lines: list
    warnings: list
    extra: list          # [(path, data, what)] more files to write with this one
    # The files read to make it besides the inputs (headers, pto-isa files: the job's ReadRecord; in
    # a worker process its parent did not see them): no output may be one.
    depends: tuple = ()


class Failure(Value):
    message: str
    status: int          # ExitStatus.ERROR or INTERNAL
    lost: str = ""       # how the worker running the file died ('killed by SIGKILL'), if it did


if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    # One file's work: its typed job bound in (functools.partial), picklable for the workers.
    Process = Callable[[str], Processed]
    # One file's delivery: (options, result, collected=...) -> exit status.
    Deliver = Callable[..., int]


def read_count(text: str) -> int:
    """A count as an option gives it: ASCII digits only (int() also takes other scripts' digits), and
    few enough of them for int()."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise OptionValueError(f"expected a non-negative number (digits 0-9), got '{text}'")
    return int(text)


def check_batch_options(options: OutputOptions, files: Sequence[str] | None = None) -> None:
    """The options' errors about several files (``files``: ``options.files`` unless given)."""
    files = options.files if files is None else files
    check_html_report(options)
    if options.jobs < 1:
        raise PtofixError("-j needs a positive number of jobs")
    if len(files) < 2:
        return
    if "-" in files:
        raise PtofixError("stdin ('-') can only be the one input file")
    output = options.output
    if output == "-" or not (options.in_place or options.check or options.diff or output):
        raise PtofixError("several input files need -i, -o DIR, --check or --diff (stdout takes one file)")
    identities = _file_identities(files)
    if options.in_place:
        # (Refused rather than processed once: which of the names was meant, and whether the
        # user knew they are one file, cannot be told; -i of one file twice would lose a result.)
        seen: dict[tuple[int, int], str] = {}
        for path, key in identities:
            if key in seen:
                raise PtofixError(f"{seen[key]} and {path} are the same file: -i would rewrite it twice; "
                                  "give it once (nothing was written)")
            seen[key] = path
    if output and os.path.realpath(output) != os.devnull:
        if not os.path.isdir(output):
            raise PtofixError(f"-o {output}: with several input files -o names an existing directory")
        names = [os.path.basename(path) for path in files]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise PtofixError(f"two input files are named '{duplicate}': they would both be written to {output}")
    report_file = options.report_file
    if report_file and options.report:
        if report_file == "-":
            if options.diff:
                raise PtofixError("--report-file -: stdout already carries the diffs; give the report a file "
                                  "name, or leave out --report-file for stderr")
        else:
            target = check_output_path(report_file, "report")
            if target.st is not None:
                onto = next((path for path, key in identities if key == (target.st.st_dev, target.st.st_ino)), None)
                if onto is not None:
                    raise PtofixError(f"refusing to write the report to {report_file}: it is the input {onto}; "
                                      "nothing was written")


def _file_identities(files: Sequence[str]) -> list[tuple[str, tuple[int, int]]]:
    """(path, (device, inode)) of each of ``files`` that exists (symlinks followed)."""
    found = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        found.append((path, (st.st_dev, st.st_ino)))
    return found


def _job(process: Process, path: str, debug: bool) -> Processed | Failure:
    """One file of several: its failure is reported, the others go on."""
    try:
        return process(path)
    except PtofixError as exc:
        return Failure(exc.format(), ExitStatus.ERROR)
    except RecursionError:
        return Failure(Diagnostic("error", "input nested too deeply", SourceText("", path)).format(), ExitStatus.ERROR)
    except Exception as exc:  # noqa: BLE001 - reported as an internal error, the others go on
        import traceback
        detail = traceback.format_exc() if debug else ""
        return Failure(f"{internal_error(f'{type(exc).__name__}: {exc}', path)}\n{detail}", ExitStatus.INTERNAL)


def run_files(options: OutputOptions, process: Process, deliver: Deliver,
              closing: Callable[[], None] | None = None) -> int:
    """Process ``options.files`` and deliver each; returns the worst exit status.

    Every output of the call is written before any file is renamed into place (output.Outputs.commit):
    each file's lines on stderr, the report (to its file, stdout or stderr) and ``closing`` (what the
    command says last, a summary line), so that a report or a stream that cannot be written leaves
    every input as it was: exit 2, nothing written."""
    files = options.files
    jobs = min(options.jobs, len(files))
    # (One file: its report is written as it is delivered; of several, each joins the call's one report.)
    reports: list[tuple[dict, list[str]]] = []
    collected = Collected(reports=None if len(files) == 1 else reports)
    pending = collected.outputs
    if len(files) == 1:
        # One file: errors propagate to the command line's own handling (exit 2 / 3).
        result = process(files[0])
        if isinstance(result, Processed) and result.depends:
            options = options.replace(dependencies=(*options.dependencies, *result.depends))
        status = deliver(options, result, collected=collected)
        _commit_together(options, pending, None, (), closing)
        return status
    from .progress import Progress  # (~1 ms of imports with threading, only for several files)
    with Progress(len(files), not options.quiet) as progress:
        if jobs > 1:
            results: list[Any] = _on_workers(jobs, process, files, options.debug, progress.advance)
        else:
            results = []
            for path in files:
                results.append(_job(process, path, options.debug))
                progress.advance(len(results))
    worst: int = ExitStatus.OK
    would_change = 0
    # Every file read besides the inputs, by any file's work (a header one kernel includes may be
    # another input of the call): no output may replace one.
    depends = sorted({name for result in results if isinstance(result, Processed) for name in result.depends})
    try:
        for path, result in zip(files, results, strict=True):
            if isinstance(result, Failure):
                _report_failure(result.message)
                worst = worse(worst, result.status)
                continue
            try:
                one = per_file_options(options, path).replace(dependencies=(*options.dependencies, *depends))
                status = deliver(one, result, collected=collected)
            except StreamError:
                raise
            except PtofixError as exc:
                _report_failure(exc.format())
                status = ExitStatus.ERROR
            if options.check and isinstance(result, Processed) and result.text != result.source.text:
                would_change += 1
            worst = worse(worst, status)
    except StreamError as unwritten:
        # (A file's diagnostics, or another file's error, did not reach stderr: no file is written.)
        _last_word(f"{unwritten.format()}; nothing was written")
        return worse(worst, ExitStatus.ERROR)
    body = _report_body(options, reports)
    lost = [f"{path} (its worker {result.lost})" for path, result in zip(files, results, strict=True)
            if isinstance(result, Failure) and result.lost]

    def last() -> None:
        if lost:
            write_stderr(f"ptofix: {len(lost)} of {len(files)} files failed with the worker process running them: "
                         f"{', '.join(lost)}; the others ran on the other workers\n")
        if options.check and not json_report_on_stderr(options):
            write_stderr(f"{would_change} of {len(files)} files would change\n")
        if body is not None:
            if options.report_file == "-":
                write_stdout(body, "report")
            elif not options.report_file and body:
                write_stderr(body)
        if closing is not None:
            closing()
    try:
        _commit_together(options, pending, body, depends, last)
    except PtofixError as exc:
        # (All or none: the files of every input, the report and the streams.)
        _last_word(exc.format())
        return worse(worst, ExitStatus.ERROR)
    return worst


def _commit_together(options: OutputOptions, pending: list[tuple[Outputs, Callable[[], None]]], body: str | None,
                     depends: Sequence[str], closing: Callable[[], None] | None = None) -> None:
    """Write the files of every input delivered and the report file as one all-or-none commit
    (output.Outputs), with every stream's part (each file's, then ``closing``) written after the files
    are staged and before any is renamed into place: a report or a stream that cannot be written
    leaves every input as it was."""
    report_file = options.report_file if body is not None and options.report_file not in (None, "-") else None
    together = Outputs(options.files, others=read_by_this_run(options), dependencies=(*options.dependencies, *depends))
    for outputs, _streams in pending:
        together.absorb(outputs)
    if report_file is not None:
        together.add(report_file, body or "", "report")

    def streams() -> None:
        for _outputs, each in pending:
            each()
        if closing is not None:
            closing()
    together.commit(streams)


def _report_body(options: OutputOptions, reports: list[tuple[dict, list[str]]]) -> str | None:
    """The call's one report over the files delivered, in the order given (reports.py); None
    without --report."""
    if not options.report:
        return None
    if options.report == "json":
        body = json_document([report for report, _lines in reports])
    elif options.report == "sarif":
        from .sarif import sarif_document  # (check's findings as a SARIF log)
        body = sarif_document([report for report, _lines in reports])
    elif options.report == "html":
        from .html_report import page  # (~3 ms of imports, only for --report html)
        body = page([report for report, _lines in reports])
    else:
        body = "".join(line + "\n" for report, lines in reports
                       for line in text_lines_for_file(lines, str(report.get("file", ""))))
    return body


def _report_failure(message: str) -> None:
    """One file's error on stderr (a StreamError when stderr cannot take it: run_files then writes
    no file, the error being an output of the call too)."""
    write_stderr(message.rstrip("\n") + "\n")


def _last_word(message: str) -> None:
    """The call's closing error on stderr, if stderr can still take it (the exit status says it anyway)."""
    try:
        write_stderr(message.rstrip("\n") + "\n")
    except PtofixError:
        pass


def _on_workers(jobs: int, process: Process, files: Sequence[str], debug: bool,
                advance: Callable[[int], None] = lambda done: None) -> list:
    """``_job`` of every file on ``jobs`` worker processes, in the order given.

    Each worker is given one file at a time over a pipe of its own, and the next when it returns
    the result: a worker that dies (killed, out of memory) fails only the file it was running
    (reported, with how it ended), and a fresh worker takes its place for the files not yet run.
    Ctrl-C, SIGTERM or SIGHUP stops every worker before the command ends (the workers ignore SIGINT
    and leave it to this process; and die with it if it is killed)."""
    # Imported here: the process machinery costs a one-file run ~10 ms of start-up.
    import multiprocessing
    from collections import deque
    from multiprocessing.connection import wait

    results: list[Any] = [None] * len(files)
    todo = deque(range(len(files)))
    running: dict[Any, _Worker] = {}         # connection -> its worker
    finished = 0

    def start() -> _Worker:
        ours, theirs = multiprocessing.Pipe()
        worker = multiprocessing.Process(target=_work, args=(theirs, process, debug), daemon=True)
        worker.start()
        theirs.close()          # (this end is the worker's: its death is then the pipe's end)
        running[ours] = state = _Worker(worker, ours)
        return state

    def give(state: _Worker) -> None:
        state.index = None
        try:
            if not todo:
                state.connection.send(None)         # (no more work: the worker ends)
                return
            state.connection.send((todo[0], files[todo[0]]))
        except OSError:
            return      # (it died meanwhile: its sentinel says so next, and the file waits for another)
        state.index = todo.popleft()

    with terminate_as_interrupt():
        try:
            for _ in range(min(jobs, len(files))):
                give(start())
            while finished < len(files):
                ready = set(wait([*running, *(state.process.sentinel for state in running.values())]))
                for connection, state in list(running.items()):
                    if connection not in ready and state.process.sentinel not in ready:
                        continue
                    received = _receive(state)
                    if received is not None and state.index is not None:
                        results[state.index] = received
                        finished += 1
                        advance(finished)
                        give(state)
                        continue
                    if received is None and state.process.is_alive() and connection not in ready:
                        continue
                    # The worker ended: the file it was running (none if it was idle) fails, alone.
                    del running[connection]
                    _close(state)
                    if state.index is not None:
                        results[state.index] = _lost(files[state.index], state.process.exitcode)
                        finished += 1
                        advance(finished)
                    if todo:
                        give(start())
        except BaseException:
            # (A second Ctrl-C or SIGTERM here would leave the workers running and the exit waiting.)
            hold_interrupts()
            _stop([state.process for state in running.values()])
            raise
    for state in running.values():
        state.process.join(5)
    _stop([state.process for state in running.values() if state.process.is_alive()])
    return results


class _Worker:
    """A worker process of _on_workers, its end of the pipe and the file it is running."""

    __slots__ = ("process", "connection", "index")

    def __init__(self, process: Any, connection: Any):
        self.process = process
        self.connection = connection
        self.index: int | None = None       # the position in the files of the one it runs


def _receive(state: _Worker) -> Any:
    """The result the worker sent, or None when it sent none (it died: nothing, or a part)."""
    try:
        if state.connection.poll():
            return state.connection.recv()
    except (EOFError, OSError):
        return None
    except Exception:  # noqa: BLE001 - a result cut short by the worker's death does not unpickle
        return None
    return None


def _close(state: _Worker) -> None:
    """Close the pipe of a worker that ended (or sent what cannot be read: it is ended) and reap it."""
    try:
        state.connection.close()
    except OSError:
        pass
    state.process.join(5)
    if state.process.is_alive():
        state.process.kill()
        state.process.join()


def _lost(path: str, exitcode: int | None) -> Failure:
    """The failure of a file whose worker died while running it."""
    import signal  # (its enums: only for a worker that died)
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"ended abruptly (exit status {exitcode})"
    hint = " (out of memory?)" if exitcode == -signal.SIGKILL else ""
    message = Diagnostic("error", f"the worker process running it {how}{hint}: nothing was written for it; the "
                         "other files are run by the other workers", SourceText("", path)).format()
    return Failure(message, ExitStatus.INTERNAL, how)


def _work(connection: Any, process: Process, debug: bool) -> None:
    """A worker process: the files the parent sends, one at a time, until it sends None."""
    _start_worker()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        _index, path = task
        result = _job(process, path, debug)
        try:
            connection.send(result)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle: this file's internal error
            connection.send(Failure(internal_error(f"{type(exc).__name__}: {exc}", path), ExitStatus.INTERNAL))


def _start_worker() -> None:
    import signal  # (a worker's: the run imports the C module, ptofix/signals.py)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # (A worker is forked while the parent turns SIGTERM/SIGHUP into an exception: here they end
    # the worker, as _stop expects.)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent()


def _stop(workers: list) -> None:
    """End every worker now (SIGTERM, then SIGKILL)."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(5)
        if worker.is_alive():
            worker.kill()
            worker.join()


def deliver_processed(options: OutputOptions, result: Processed, extra: list | None = None,
                      collected: Collected | None = None) -> int:
    """Warnings first, then the file(s) and the report, through the one writer (joining the call's
    ``collected`` outputs)."""
    if result.warnings:
        write_stderr("".join(warning + "\n" for warning in result.warnings))
    return deliver(options, result.source, result.text, result.report, result.text_lines,
                   result.extra if extra is None else extra, collected)


def per_file_options(options: OutputOptions, path: str) -> OutputOptions:
    """``-o DIR`` becomes ``-o DIR/<file name>`` for one of several files; the call's other input
    files are ones its outputs may not be."""
    output = options.output
    if output and output != "-" and os.path.realpath(output) != os.devnull:
        output = os.path.join(output, os.path.basename(path))
    return options.replace(output=output, other_inputs=tuple(other for other in options.files if other != path))
