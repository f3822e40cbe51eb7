"""Running a build's plan stage by stage (canonicalize, ptoas, the C++ passes, bisheng), writing
the report and the depfile when it ends."""
from __future__ import annotations

import os
import re
import shlex
import signal
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..cpp_fixes import fix_cpp, kept_notes, text_report
from ..exit_status import ExitStatus, stopped_by
from ..frontends import PARSERS
from ..output import Outputs, write_atomically, write_stderr, write_stdout
from ..pass_manager import build_pass, run_pipeline
from ..side_files import ReadRecord
from ..sidecar import VERSION as SIDECAR_VERSION
from ..sidecar import sidecar_text, with_input_sidecar
from ..signals import Terminated, terminate_as_interrupt
from ..source import PtofixError, SourceText, read_source
from .outdir import check_output_dir, depfile_text, lock_stem, prepare_output_dir, report_text, write_report
from .plan import Plan, check_arch, check_slot_values_against_ir, make_plan, pipeline_spec, plan_text
from .settings import BuildSettings
from .tools import StageFailedWithRecord, run_tool

# What prints a line: a progress line, or a diagnostic as it is.
Say = Callable[[str], None]


def _stderr_line(line: str) -> None:
    write_stderr(line + "\n")


def run_build(settings: BuildSettings, *, dry_run: bool = False, quiet: bool = False) -> int:
    """``ptofix build``: plan the build for ``settings``, then print the plan (``dry_run``) or run
    it. Progress lines and kept-barrier notes go to stderr unless ``quiet``. Returns the exit
    status; bad input raises PtofixError before anything is written."""
    plan = make_plan(settings)
    say = _silent if quiet else _progress
    # (A kept-barrier note is a diagnostic of the C++ file, GCC style: no "ptofix build:" before it.)
    note = _silent if quiet else _stderr_line
    if os.environ.get("FA_REMOVE_VEC_BARRIERS"):
        write_stderr("ptofix build: warning: FA_REMOVE_VEC_BARRIERS (line numbers) is ignored; ptofix "
                     "selects barriers by --pattern and removes only what its proof allows\n")
    for line in plan.notes:
        say(f"note: {line}")
    if dry_run:
        # The arch check refuses before anything runs; a dry run says the same.
        module, passes = check_arch(plan, read_source(plan.input))
        plan = replace(plan, passes=passes)
        check_slot_values_against_ir(plan, module)
        check_output_dir(plan.art, plan.depfile)
        for err in plan.tool_errors:
            write_stderr(f"ptofix build: warning: {err}\n")
        write_stdout(plan_text(plan))
        return ExitStatus.OK
    # A CI job cancel or `docker stop` sends SIGTERM (a closed terminal SIGHUP): stop as on Ctrl-C,
    # killing the running tool and removing a half-written library, instead of dying at once.
    try:
        with terminate_as_interrupt():
            return execute(plan, say, note)
    except Terminated as stop:
        write_stderr(f"ptofix build: stopped by {signal.Signals(stop.signum).name}\n")
        return stopped_by(stop.signum)


def _silent(line: str) -> None:
    pass


def _progress(line: str) -> None:
    write_stderr(f"ptofix build: {line}\n")


def execute(plan: Plan, say: Say, note: Say = _stderr_line) -> int:
    """Run the plan; write the report (and the depfile) when it ends. Returns the exit status.
    ``say`` prints a progress line, ``note`` a diagnostic line as it is."""
    for err in plan.tool_errors:
        raise PtofixError(err)
    art, settings = plan.art, plan.settings
    report: dict[str, Any] = {
        "file": plan.input, "output_dir": art.out_dir, "stem": art.stem,
        "target_ptoas": {"value": plan.target_ptoas, "from": str(settings.origin("target_ptoas"))},
        "settings": {key: {"value": value, "from": str(origin)} for key, value, origin in settings.items()},
        "config": settings.config.path if settings.config else None,
        "compile": {"runs": plan.bisheng_cmd is not None, "why": plan.compile_note},
        "artefacts": {}, "stages": [], "status": "running",
        # every path this build may write: the next build of the stem removes only claimed files
        "claims": [os.path.abspath(path) for path in art.all()]}
    check_output_dir(art, plan.depfile)
    held: list[int] = []      # the stem's lock, held until the report and depfile are written
    try:
        return _execute_stages(plan, report, say, held, note)
    finally:
        for fd in held:
            os.close(fd)


def _execute_stages(plan: Plan, report: dict[str, Any], say: Say, held: list[int], note: Say) -> int:
    art = plan.art
    # The headers the C++ passes read (besides plan.deps, the inputs the build names): no file the
    # build writes may be one.
    reads = ReadRecord()
    try:
        plan = _run_stages(plan, report, say, held, note, reads)
    except StageFailedWithRecord as failed:
        report["stages"].append(failed.record)
        report["status"] = f"failed at {failed.stage}"
        write_report(art.report, report, reads.sorted())
        return failed.status
    except KeyboardInterrupt as stop:
        if report["status"] == "running" and held:    # (OUT_DIR holds this build's report, not an older one)
            report["status"] = f"interrupted ({signal.Signals(stop.signum).name})" if isinstance(stop, Terminated) \
                else "interrupted (SIGINT)"
            try:
                write_report(art.report, report, reads.sorted())
            except PtofixError:
                pass
        raise
    except PtofixError as exc:
        if report["artefacts"]:
            # OUT_DIR already holds this build's first artefacts: say in the report why it stopped.
            # (Before that, e.g. on bad IR, a previous build's artefacts are left as they were.)
            report["status"] = "error"
            report["error"] = exc.format()
            try:
                write_report(art.report, report, reads.sorted())
            except PtofixError:
                pass
        raise
    report["status"] = "ok"
    final = Outputs(inputs=list(plan.deps), dependencies=reads.sorted())
    if plan.depfile:
        report["depfile"] = {"path": plan.depfile, "deps": list(plan.deps)}
    final.add(art.report, report_text(report), "build report")
    if plan.depfile:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(plan.depfile)), exist_ok=True)
        except OSError as exc:
            raise PtofixError(f"cannot write depfile {plan.depfile}: {exc.strerror or exc}") from None
        # The target as -o spells it (gcc -MD does the same): Make matches it to its rule's target
        # textually; the dependencies are absolute.
        # With a compile stage the library is a target too (a Make rule for it); the fixed C++
        # stays first, the output CMake's depfile handling for Ninja matches.
        targets = [art.fixed] + ([plan.kernel_output] if plan.kernel_output else [])
        final.add(plan.depfile, depfile_text(targets, list(plan.deps)), "depfile")
    final.commit()
    say(f"report {art.report}")
    return ExitStatus.OK


_LEADING_COMMENTS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


def _check_starts_as_cpp(cpp: SourceText) -> None:
    """ptoas's C++ starts with a directive (`#include "pto/pto-inst.hpp"`) after comments. Log lines
    a ptoas option prints on stdout (`--enable-bufid-sync-debug`: `[bufid_sync] ...`) land in the
    captured C++, where bisheng fails on them and the barrier proof reads an unknown declaration."""
    leading = _LEADING_COMMENTS.match(cpp.text)      # (matches the empty string at least)
    start = leading.end() if leading is not None else 0
    if re.match(r'(?:module\b|"builtin\.module"|func\.func\b)', cpp.text[start:start + 20]):
        raise PtofixError("ptoas printed MLIR, not C++ (an option such as --emit-pto-ir in the ptoas flags?)",
                          cpp, start)
    head = cpp.text[start:start + 2]
    # What may begin a C++ file's first declaration: a directive, a name or keyword, `::`, `[[`, `;`.
    if head and not (head[0] in "#_:;" or head[0].isalpha() or head == "[["):
        raise PtofixError("ptoas printed this before the C++ (a debug option writing to stdout?); the build needs "
                          "ptoas's stdout to be the C++ alone", cpp, start)


def _run_stages(plan: Plan, report: dict[str, Any], say: Say, held: list[int], note: Say, reads: ReadRecord) -> Plan:
    """The four stages; ``say`` prints a progress line, ``note`` a diagnostic line as it is; ``reads``
    gets the headers the C++ passes read. Returns the plan as it ran: the LocalSlotNum pass told
    its arch, the depfile's list with a sidecar read."""
    art = plan.art
    total = 4 if plan.bisheng_cmd else 3
    # 1. canonicalize
    say(f"[1/{total}] canonicalize for ptoas {plan.target_ptoas}: {plan.input} -> {art.canon}")
    source = read_source(plan.input)
    module, passes = check_arch(plan, source)
    plan = replace(plan, passes=passes)
    check_slot_values_against_ir(plan, module)
    canon_pass = build_pass("canonicalize", {"target-ptoas": plan.target_ptoas, "to": plan.to})
    outcome = run_pipeline(source, [canon_pass], PARSERS)
    for warning in outcome.warnings:
        write_stderr(warning + "\n")
    canon_report = outcome.reports[0]
    sidecar = canon_report.get("sidecar", {"version": SIDECAR_VERSION, "pipes": []})
    # Canonical input whose values went to its own sidecar: they come along.
    used: list[str] = []
    sidecar = with_input_sidecar(sidecar, outcome.text, plan.input, used)
    # The values now come from that file too: the depfile names it.
    plan = replace(plan, deps=(*plan.deps, *(os.path.abspath(path) for path in used
                                              if os.path.abspath(path) not in plan.deps)))
    # It names the IR it belongs to, as `canonicalize -o` does: a build from OUT/STEM.canon.mlir
    # (or canonicalize of it) then finds the values it holds.
    sidecar = {**sidecar, "output": os.path.abspath(art.canon)}
    # The input is accepted: only now is OUT_DIR touched, by one build of this stem at a time.
    lock_stem(art, say, held)
    prepare_output_dir(art, plan.depfile, report)
    first = Outputs(inputs=list(plan.deps))
    first.add(art.canon, outcome.text, "build artefact")
    first.add(art.sidecar, sidecar_text(sidecar), "build artefact")
    first.commit()
    report["artefacts"].update(canon=art.canon, sidecar=art.sidecar)
    report["stages"].append({"stage": "canonicalize", "output": art.canon, "changed": outcome.text != source.text,
                             "report": canon_report})
    # 2. ptoas
    say(f"[2/{total}] {shlex.join(plan.ptoas_cmd)} > {art.cpp}")
    report["stages"].append(run_tool("ptoas", list(plan.ptoas_cmd), art.cpp))
    report["artefacts"]["cpp"] = art.cpp
    # 3. C++ passes
    say(f"[3/{total}] C++ passes ({', '.join(p.name for p in plan.passes) or 'none'}): {art.cpp} -> {art.fixed}")
    try:
        cpp = read_source(art.cpp)
    except PtofixError as exc:
        raise PtofixError(f"{exc.format()} (in the C++ ptoas printed)", plain=True) from None
    _check_starts_as_cpp(cpp)
    # What the passes read the kernel with: bisheng's include directories and macros, made by the
    # one constructor (compile_settings.environment_of says why build refuses no directory there),
    # the checkout identified once, here; the files read for it are the fixed artefact's inputs, as
    # the headers the passes read are (the job's record, ``reads``).
    from ..compile_settings import environment_of
    environment = environment_of(plan.include_dirs, plan.macro_flags, plan.pto_isa,
                                 headers_unread=plan.headers_unread, refuse_missing=False)
    reads.update(environment.isa_files)
    fixed = fix_cpp(cpp, list(plan.passes), environment=environment, reads=reads)
    for warning in fixed.warnings:
        write_stderr(warning + "\n")
    write_atomically(art.fixed, fixed.text, "build artefact", reads.sorted())
    report["artefacts"]["fixed"] = art.fixed
    report["stages"].append({"stage": "fix", "input": art.cpp, "output": art.fixed,
                             "pipeline": pipeline_spec(plan.passes), "changed": fixed.text != cpp.text,
                             "passes": fixed.reports})
    for line in text_report(fixed.reports):
        say("  " + line)
    for line in kept_notes(art.cpp, fixed.reports, fixed.details):
        note(line)
    # 4. bisheng
    if plan.bisheng_cmd:
        assert plan.kernel_output is not None
        say(f"[4/{total}] {shlex.join(plan.bisheng_cmd)}")
        compiled = False
        try:
            report["stages"].append(run_tool("bisheng", list(plan.bisheng_cmd), None))
            if not os.path.isfile(plan.kernel_output) or os.path.getsize(plan.kernel_output) == 0:
                # (-fsyntax-only, -### or a wrapper that drops -o: nothing to link against)
                record = {"stage": "bisheng", "command": list(plan.bisheng_cmd), "exit_status": 0, "failed": True,
                          "error": f"bisheng exited 0 but wrote no {plan.kernel_output}"}
                write_stderr(f"ptofix build: error: bisheng exited 0 but wrote no {plan.kernel_output} "
                                 "(a flag such as -fsyntax-only or -### in the bisheng flags?)\n")
                report["stages"].pop()
                raise StageFailedWithRecord("bisheng", 1, record)
            compiled = True
        finally:
            # prepare_output_dir removed the previous library: whatever is there after a failed or
            # interrupted compile is bisheng's partial output, which must not pass for a build.
            if not compiled and os.path.lexists(plan.kernel_output):
                try:
                    os.unlink(plan.kernel_output)
                except OSError:
                    pass
        report["artefacts"]["lib" if plan.kernel_output == art.lib else "obj"] = plan.kernel_output
    return plan

