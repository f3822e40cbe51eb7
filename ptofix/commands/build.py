"""`ptofix build`: the whole kernel pre-build step, IR in, fixed C++ (and optionally the .so) out."""
from __future__ import annotations

import argparse
import os
import shlex
import sys

HELP = "canonicalize -> ptoas -> C++ fixes -> bisheng, one step of a kernel build"

DESCRIPTION = """\
Run the kernel pre-build pipeline that a compile.sh does with shell steps, plus the ptofix fixes:

  1. canonicalize  IR.mlir -> OUT/STEM.canon.mlir (+ OUT/STEM.slots.json)  (in process)
  2. ptoas         $PTOAS PTOAS-FLAGS OUT/STEM.canon.mlir > OUT/STEM.cpp
  3. C++ passes    OUT/STEM.cpp -> OUT/STEM.fixed.cpp  (--pattern, LocalSlotNum; in process)
  4. bisheng       $BISHENG -I$PTO_LIB_PATH/include BISHENG-FLAGS -DKERNEL_CPP="OUT/STEM.fixed.cpp"
                   CALLER -o OUT/STEM.so, or without a caller -c OUT/STEM.fixed.cpp -o OUT/STEM.o
                   (whenever a compiler is set: --bisheng, $BISHENG or the config; --no-compile
                   stops before it)

Without --target-ptoas (flag or config) the version comes from `$PTOAS --version`, mapped to the
newest version ptofix knows that is not after it (a note says which). --depfile FILE writes a
Make-style dependency file (the IR, the config file, the caller) for Make/Ninja/CMake.

Every artefact stays in OUT_DIR, plus OUT/STEM.report.json (settings and where each came from,
commands, exit statuses, pass reports). --dry-run prints the commands and writes nothing. The
LocalSlotNum pass reads the canonicalized IR (--ir) and its sidecar (--sidecar) by default, so a
local_slot_num the target ptoas rejects still reaches the C++ TPipe types; --ir= (empty) turns
the IR matching off.

precedence (highest first), for every option:
  1. command-line flag
  2. environment variable (an empty one counts as unset, like ${VAR:-default} in compile.sh):
       PTOAS -> --ptoas, BISHENG -> --bisheng, PTO_LIB_PATH -> --pto-lib,
       FA_REMOVE_VEC_BARRIER_PATTERNS -> --pattern
  3. config file: --config FILE, else the nearest ptofix.toml (top-level keys), or pyproject.toml
     with a [tool.ptofix] table, in the IR file's directory or above (--no-config: none). Keys are
     the long option names: target-ptoas, to, ptoas, ptoas-flags, pattern, force, local-slot-num
     (and the other LocalSlotNum options), bisheng, bisheng-flags, pto-lib, caller, compile,
     output-dir. *-flags take a string or a list of strings; relative paths are relative to the
     config file. An unknown key or a wrong type is an error (file:line:col, exit 2).
  4. defaults: ptoas "ptoas" on PATH, ptoas-flags "--pto-arch=a3 --enable-insert-sync", no
     barrier pattern, no compile stage, bisheng "bisheng" on PATH.

Flags whose value starts with '-' need '=': --ptoas-flags='--pto-arch=a3 --enable-insert-sync'.

example (the FA workload, kernels/flash_attention/ptofix.toml sets the rest):
  PTOAS=/opt/ptoas/bin/ptoas ptofix build kernels/flash_attention/fa.mlir -o build --dry-run

Writing: every artefact path is checked before the first write (OUT_DIR, or its nearest existing
parent, is a writable directory; an existing artefact is a regular file), and the input is
canonicalized before OUT_DIR is touched, so bad IR or an unwritable OUT_DIR leave a previous
build's artefacts as they were. Then the previous artefacts are removed and this build's are
written stage by stage (STEM.canon.mlir and STEM.slots.json together).

exit status: 0 ok; 2 bad input, bad config, unwritable output or missing tool (the message names
the variable to set); 3 internal error (--debug); a failing ptoas/bisheng stops the build with its
stderr and its own exit status (OUT/STEM.report.json says which stage failed)."""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("build", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="IR.mlir", help="PTO IR as the DSL printed it")

    def have(option: str) -> bool:
        return option in p._option_string_actions

    # LocalSlotNum options of `ptofix run` (helper module), so build accepts the same C++ options.
    from ..local_slot_options import add_local_slot_arguments
    cpp = p.add_argument_group("C++ passes (as `ptofix run`)")
    cpp.add_argument("--pattern", "-P", metavar="P[,P...]",
                     help="PIPE_V barrier candidates: gu, softmax-exp-sum, softmax-sum-add, auto, none "
                          "(env FA_REMOVE_VEC_BARRIER_PATTERNS)")
    cpp.add_argument("--force", action="store_true",
                     help="also remove selected barriers the proof rejects (warns)")
    add_local_slot_arguments(p)
    if not have("--local-slot-num"):
        cpp.add_argument("--local-slot-num", metavar="N|F=N[,F=N]",
                         help="TPipe LocalSlotNum for every pipe (N) or per FlagID; without it the "
                              "intent comes from the IR's local_slot_num (via the sidecar)")

    ir = p.add_argument_group("IR / ptoas")
    if not have("--target-ptoas"):
        ir.add_argument("--target-ptoas", metavar="VERSION",
                        help="ptoas version that compiles the IR (e.g. v0.45); default: what `$PTOAS --version` says")
    ir.add_argument("--to", choices=["custom", "generic"], default="custom",
                    help="form canonicalize prints pipe/FIFO ops in (default: custom)")
    ir.add_argument("--ptoas", metavar="PATH", help="ptoas executable (env PTOAS; default: ptoas on PATH)")
    ir.add_argument("--ptoas-flags", metavar="FLAGS", default=None,
                    help=f"ptoas flags, one shell-quoted string (default: '{DEFAULT_FLAGS}')")

    cc = p.add_argument_group("C++ compiler")
    cc.add_argument("--bisheng", metavar="PATH", help="bisheng executable (env BISHENG; default: bisheng on PATH)")
    cc.add_argument("--bisheng-flags", metavar="FLAGS", default=None,
                    help="bisheng flags, one shell-quoted string (compile.sh's -fPIC -shared ... -std=gnu++17)")
    if not have("--pto-lib"):
        cc.add_argument("--pto-lib", metavar="DIR", help="pto-isa checkout: adds -IDIR/include (env PTO_LIB_PATH)")
    cc.add_argument("--caller", metavar="FILE",
                    help="host/caller .cpp that #includes KERNEL_CPP; enables the compile stage")
    cc.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                    help="run bisheng (default: when a caller is set)")

    out = p.add_argument_group("build")
    out.add_argument("-o", "--output-dir", metavar="OUT_DIR", help="directory for every artefact (created)")
    out.add_argument("--dry-run", action="store_true", help="print the commands, run and write nothing")
    out.add_argument("--config", metavar="FILE", help="config file (default: nearest ptofix.toml / pyproject.toml)")
    out.add_argument("--depfile", metavar="FILE",
                     help="write a Make-style dependency file: the fixed C++ depends on the IR, config, caller")
    out.add_argument("--no-config", action="store_true", help="ignore config files")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")

    from ..build import option_table
    table = option_table(p)
    # Parse with SUPPRESS defaults so that "flag given" is visible; defaults are filled in by
    # precedence in run() (ptofix.build.resolve_settings).
    for action in p._actions:
        if action.dest != "help" and action.default is not argparse.SUPPRESS and action.option_strings \
                and action.dest not in ("dry_run", "config", "no_config", "quiet"):
            action.default = argparse.SUPPRESS
    p.set_defaults(handler=run, _build_options=table)


DEFAULT_FLAGS = "--pto-arch=a3 --enable-insert-sync"


def run(args: argparse.Namespace) -> int:
    from .. import build as B
    from ..source import PtofixError

    table = args._build_options
    settings = B.resolve_settings(args, table)
    if not args.output_dir:
        raise PtofixError("build needs an output directory: -o OUT_DIR (or output-dir in the config file)")
    version_note = None
    if not getattr(args, "target_ptoas", None):
        # Ask the ptoas the build will run, as compile.sh's user never had to say it.
        tool, tool_err = B.resolve_tool("ptoas", settings, required=True)
        detected, printed = (None, "") if tool_err else B.ptoas_version(tool)
        if detected is None:
            raise PtofixError("build needs the ptoas version to canonicalize for, and "
                              + (f"{tool_err}" if tool_err else f"'{tool} --version' does not say it"
                                 + (f" (it printed: {printed[:80]!r})" if printed else ""))
                              + ": pass --target-ptoas VERSION (or target-ptoas = \"v0.45\" in ptofix.toml)")
        args.target_ptoas = detected
        settings.values["target-ptoas"] = B.Setting(detected, f"'{tool} --version' printed {printed!r}")
        version_note = f"note: target ptoas {detected} (from '{tool} --version': {printed!r})"
    from ..ir.versions import resolve
    resolve(args.target_ptoas)
    if not os.path.isfile(args.input):
        raise PtofixError(f"no such file: {args.input}" if not os.path.exists(args.input)
                          else f"cannot read {args.input}: not a regular file")
    say = (lambda msg: None) if args.quiet else (lambda msg: sys.stderr.write(f"ptofix build: {msg}\n"))
    if os.environ.get("FA_REMOVE_VEC_BARRIERS"):
        sys.stderr.write("ptofix build: warning: FA_REMOVE_VEC_BARRIERS (line numbers) is ignored; ptofix "
                         "selects barriers by --pattern and removes only what its proof allows\n")

    art = B.Artefacts(args.output_dir, B.stem_of(args.input))
    ptoas_flags = B.argv_of(args.ptoas_flags if args.ptoas_flags is not None else DEFAULT_FLAGS)
    bisheng_flags = B.argv_of(args.bisheng_flags)
    pto_lib = getattr(args, "pto_lib", None) or None
    caller = args.caller or None
    # A build that has a compiler compiles: with a caller as compile.sh does, else the fixed kernel
    # on its own (`-c`, an object next to the other artefacts).
    has_compiler = bool(settings.get("bisheng"))
    compile_ = args.compile if args.compile is not None else (caller is not None or has_compiler)

    passes = _cpp_passes(args, art, table, settings)

    ptoas, ptoas_err = B.resolve_tool("ptoas", settings, required=True)
    bisheng, bisheng_err = B.resolve_tool("bisheng", settings, required=compile_) if compile_ else (None, None)
    ptoas_cmd = B.ptoas_argv(args.ptoas or "ptoas", ptoas_flags, art.canon)
    bisheng_cmd = (B.bisheng_argv(args.bisheng or "bisheng", pto_lib, bisheng_flags, art.fixed, caller,
                                  art.lib if caller is not None else art.obj)
                   if compile_ else None)
    if version_note:
        say(version_note)

    if args.dry_run:
        for err in (ptoas_err, bisheng_err):
            if err:
                sys.stderr.write(f"ptofix build: warning: {err}\n")
        _print_plan(args, settings, table, art, ptoas_cmd, passes, bisheng_cmd)
        return 0
    for err in (ptoas_err, bisheng_err):
        if err:
            raise PtofixError(err)

    report: dict = {"input": args.input, "output_dir": art.out_dir, "stem": art.stem,
                    "settings": {k: {"value": s.value, "from": s.origin} for k, s in settings.values.items()},
                    "config": settings.config.path if settings.config else None,
                    "artefacts": {}, "stages": [], "status": "running"}
    _check_output_dir(art)
    try:
        status = _execute(args, art, passes, ptoas_cmd, bisheng_cmd, report, say)
    except B.StageFailedWithRecord as failed:
        report["stages"].append(failed.record)
        report["status"] = f"failed at {failed.stage}"
        B.write_report(art.report, report)
        return failed.status
    except PtofixError as exc:
        if report["artefacts"]:
            # OUT_DIR already holds this build's first artefacts: say in the report why it stopped.
            # (Before that, e.g. on bad IR, a previous build's artefacts are left as they were.)
            report["status"] = "error"
            report["error"] = exc.format()
            try:
                B.write_report(art.report, report)
            except PtofixError:
                pass
        raise
    report["status"] = "ok"
    B.write_report(art.report, report)
    depfile = getattr(args, "depfile", None)
    if depfile:
        deps = [args.input] + ([settings.config.path] if settings.config else []) + ([caller] if caller else [])
        from ..output import write_atomically
        write_atomically(depfile, B.depfile_text([art.fixed], deps))
    say(f"report {art.report}")
    return status


def _check_output_dir(art) -> None:
    """OUT_DIR is (or can be created as) a writable directory, and no artefact path in it is
    anything but a regular file. Creates nothing."""
    from ..output import check_output_path
    from ..source import PtofixError
    directory = art.out_dir
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            raise PtofixError(f"output directory {directory} exists and is not a directory")
        for path in art.all():
            check_output_path(path, "build artefact")
        return
    parent = os.path.dirname(os.path.abspath(directory))
    while not os.path.exists(parent):
        up = os.path.dirname(parent)
        if up == parent:
            break
        parent = up
    if not os.path.isdir(parent):
        raise PtofixError(f"cannot create output directory {directory}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PtofixError(f"cannot create output directory {directory}: {parent} is not writable")


def _prepare_output_dir(art) -> None:
    """Create OUT_DIR and remove the previous build's artefacts (after the input was accepted)."""
    from ..source import PtofixError
    try:
        os.makedirs(art.out_dir, exist_ok=True)
        for stale in art.all():
            if os.path.lexists(stale):
                os.unlink(stale)
    except OSError as exc:
        raise PtofixError(f"cannot prepare output directory {art.out_dir}: {exc.strerror or exc}") from None


def _cpp_passes(args, art, table, settings) -> list:
    """The C++ passes, as `ptofix run` builds them, with the LocalSlotNum intent defaulting to the
    canonicalized IR and its sidecar."""
    from ..cpp_fixes import cpp_passes_from_args
    from ..pass_manager import available_passes, build_pass
    helper = _has_local_slot_options()
    if helper:
        # `ptofix run` options from ptofix.local_slot_options: point unset IR/sidecar at the build's.
        # Only when neither the command line nor the config set them: `--ir=` (empty) turns the
        # IR intent off and leaves the sidecar alone.
        for key, path in (("ir", art.canon), ("sidecar", art.sidecar)):
            info = table.get(key)
            if info is not None and settings.origin(key) == "default":
                setattr(args, info.dest, path)
        # --pto-lib / PTO_LIB_PATH is the include path for bisheng; the LocalSlotNum pass also
        # reads the TPipe argument order from its headers, but only if they are there.
        pto_lib = getattr(args, "pto_lib", None)
        header = os.path.join(pto_lib or "", "include", "pto", "npu", "a2a3", "TPush.hpp")
        if pto_lib and not os.path.isfile(header):
            args.pto_lib = None
            try:
                return cpp_passes_from_args(args)
            finally:
                args.pto_lib = pto_lib
        return cpp_passes_from_args(args)
    passes = cpp_passes_from_args(args)
    if "local-slot-num" in available_passes():
        options = {"ir": art.canon, "sidecar": art.sidecar, "target-ptoas": args.target_ptoas}
        if args.local_slot_num:
            options["map"] = str(args.local_slot_num)
        passes.append(build_pass("local-slot-num", options))
    elif args.local_slot_num:
        from ..source import PtofixError
        raise PtofixError("--local-slot-num needs the local-slot-num pass, which is not installed")
    return passes


def _has_local_slot_options() -> bool:
    try:
        from ..local_slot_options import add_local_slot_arguments  # noqa: F401
    except ImportError:
        return False
    return True


def _print_plan(args, settings, table, art, ptoas_cmd, passes, bisheng_cmd) -> None:
    from ..build import pipeline_spec
    lines = [f"# ptofix build --dry-run: {args.input} -> {art.out_dir}/"]
    if settings.config is not None:
        lines.append(f"# config: {settings.config.path}")
    for key in table:
        s = settings.values[key]
        if s.value in (None, False, "", []) or (s.origin == "default" and key == "to"):
            continue
        value = s.value if not isinstance(s.value, list) else shlex.join(s.value)
        lines.append(f"#   {key} = {value}  [{s.origin}]")
    q = shlex.quote
    lines.append(f"mkdir -p {q(art.out_dir)}")
    lines.append(shlex.join(["ptofix", "canonicalize", "--target-ptoas", args.target_ptoas, "--to", args.to,
                             args.input, "-o", art.canon, "--sidecar", art.sidecar]))
    lines.append(f"{shlex.join(ptoas_cmd)} > {q(art.cpp)}")
    if passes:
        lines.append(shlex.join(["ptofix", "opt", "-p", pipeline_spec(passes), art.cpp, "-o", art.fixed]))
    else:
        lines.append(shlex.join(["cp", art.cpp, art.fixed]) + "   # no C++ pass selected")
    if bisheng_cmd:
        lines.append(shlex.join(bisheng_cmd))
    else:
        lines.append("# bisheng: skipped (no --caller / --no-compile)")
    lines.append(f"# report: {art.report}")
    sys.stdout.write("\n".join(lines) + "\n")


def _execute(args, art, passes, ptoas_cmd, bisheng_cmd, report, say) -> int:
    import json

    from .. import build as B
    from ..cpp_fixes import fix_cpp, text_report
    from ..frontends import PARSERS
    from ..output import Outputs, write_atomically
    from ..pass_manager import build_pass, run_pipeline
    from ..source import read_source

    total = 4 if bisheng_cmd else 3
    # 1. canonicalize
    say(f"[1/{total}] canonicalize for ptoas {args.target_ptoas}: {args.input} -> {art.canon}")
    source = read_source(args.input)
    canon_pass = build_pass("canonicalize", {"target-ptoas": args.target_ptoas, "to": args.to})
    outcome = run_pipeline(source, [canon_pass], PARSERS)
    for warning in outcome.warnings:
        sys.stderr.write(warning + "\n")
    canon_report = outcome.reports[0]
    sidecar = canon_report.get("sidecar", {"version": 1, "pipes": []})
    # The input is accepted: only now is OUT_DIR touched.
    _prepare_output_dir(art)
    first = Outputs(inputs=[args.input])
    first.add(art.canon, outcome.text, "build artefact")
    first.add(art.sidecar, json.dumps(sidecar, indent=2) + "\n", "build artefact")
    first.commit()
    report["artefacts"].update(canon=art.canon, sidecar=art.sidecar)
    report["stages"].append({"stage": "canonicalize", "output": art.canon, "changed": outcome.text != source.text,
                             "report": canon_report})
    # 2. ptoas
    say(f"[2/{total}] {shlex.join(ptoas_cmd)} > {art.cpp}")
    report["stages"].append(B.run_tool("ptoas", ptoas_cmd, art.cpp))
    report["artefacts"]["cpp"] = art.cpp
    # 3. C++ passes
    say(f"[3/{total}] C++ passes ({', '.join(p.name for p in passes) or 'none'}): {art.cpp} -> {art.fixed}")
    cpp = read_source(art.cpp)
    fixed = fix_cpp(cpp, passes)
    for warning in fixed.warnings:
        sys.stderr.write(warning + "\n")
    write_atomically(art.fixed, fixed.text, "build artefact")
    report["artefacts"]["fixed"] = art.fixed
    report["stages"].append({"stage": "fix", "input": art.cpp, "output": art.fixed,
                             "pipeline": B.pipeline_spec(passes), "changed": fixed.text != cpp.text,
                             "passes": fixed.reports})
    for line in text_report(fixed.reports):
        say("  " + line)
    # 4. bisheng
    if bisheng_cmd:
        say(f"[4/{total}] {shlex.join(bisheng_cmd)}")
        report["stages"].append(B.run_tool("bisheng", bisheng_cmd, None))
        report["artefacts"]["lib" if "-c" not in bisheng_cmd else "obj"] = bisheng_cmd[-1]
    return 0
