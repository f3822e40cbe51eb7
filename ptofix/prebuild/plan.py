"""The plan of a build: every decision (target version, tools, passes, commands, the files it
reads and writes) made and checked before anything runs, and the plan as ``--dry-run`` prints it."""
from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..cpp.command_line import compiler_macro_flags
from ..cpp_fixes import CppFixOptions
from ..cpp_fixes import cpp_passes as cpp_fix_passes
from ..input_kind import require
from ..ir.model import ptoas_arch
from ..ir.parser import parse_ir
from ..ir.pipes import INIT_OPS
from ..ir.versions import resolve
from ..local_slot_options import LocalSlotOptions
from ..pass_manager import pipeline_text
from ..pto.tpipe import HEADER_RELPATH
from ..sidecar import input_sidecar_candidates
from ..source import PtofixError, SourceText
from .outdir import Artefacts, depfile_text, directory_entry, refuse_outputs_over_inputs, stem_of
from .settings import DEFAULT_PTOAS_FLAGS, BuildSettings, Origin, argv_of
from .tools import (
    DetectedVersion,
    bisheng_argv,
    defined_macros,
    header_search_flag,
    include_directories,
    ptoas_argv,
    ptoas_version,
    resolve_tool,
    tool_operand,
)

if TYPE_CHECKING:
    from ..ir.model import Module


def _target_against_ptoas(target: str, settings: BuildSettings, ptoas: str) -> list[str]:
    """Notes on a stated target that is not the ptoas the build runs; an error when that ptoas is
    older than the target, because canonicalize then prints ops or operands it cannot parse (ptoas
    2026-04-17, which says 0.27, rejects the ``pto.declare_global`` a v0.45 target keeps)."""
    wanted = resolve(target)
    detected = ptoas_version(ptoas)
    if detected.name is None:
        return []      # a ptoas that cannot tell: the stated target is all there is
    running = resolve(detected.name)
    if running == wanted:
        return []
    said = f"'{ptoas} --version' says {detected.number} (ptoas {running.name})"
    # (A number ptofix does not list reads as the newest version it knows not after it: say so.)
    given = "" if target.strip().lower() in (wanted.name.lower(), *wanted.aliases) else f"'{target}', read as "
    stated = f"the target, {given}ptoas {wanted.name} (target-ptoas from {settings.origin('target_ptoas')})"
    if running < wanted:
        raise PtofixError(f"{said}, older than {stated}: the canonicalized IR would use ops and operands that "
                          f"ptoas does not know; set target-ptoas to {running.name} or run a ptoas {wanted.name}")
    return [f"{said}, newer than {stated}; the IR is canonicalized for the target"]


def pipeline_spec(passes: Sequence[Any]) -> str:
    """The passes as a ``ptofix opt -p`` pipeline (pass_manager.pipeline_text)."""
    return pipeline_text(list(passes))


@dataclass(frozen=True)
class Plan:
    """Every decision of one build, made before anything runs."""

    settings: BuildSettings          # as given, and the target version when ptoas's --version told it
    input: str
    art: Artefacts
    target_ptoas: str
    to: str
    ptoas_cmd: tuple[str, ...]
    passes: tuple[Any, ...]          # the C++ passes (check_arch tells the LocalSlotNum pass its arch)
    bisheng_cmd: tuple[str, ...] | None
    kernel_output: str | None        # OUT/STEM.so (with a caller) or OUT/STEM.o (kernel alone)
    compile_note: str                # why bisheng runs or not
    depfile: str | None
    deps: tuple[str, ...]            # what the depfile names (the stages may add a sidecar they read)
    notes: tuple[str, ...] = ()
    tool_errors: tuple[str, ...] = ()
    default_ptoas_flags: bool = False    # ptoas runs with DEFAULT_PTOAS_FLAGS (no --ptoas-flags, no config key)
    include_dirs: tuple[str, ...] = ()   # where the C++ passes look for headers (bisheng's)
    macro_flags: tuple[str, ...] = ()    # the -D/-U the C++ passes take (bisheng's)
    headers_unread: str = ""             # why bisheng reads headers the C++ passes do not ('' if none)
    # The pto-isa checkout whose version facts the C++ passes apply: --pto-lib / PTO_LIB_PATH when
    # its TPipe header is there ('' if not). Identified where the passes run (stage 3), once, into
    # the environment the one constructor makes (compile_settings.environment_of).
    pto_isa: str = ""


def _target_version(settings: BuildSettings, ptoas: str, ptoas_err: str | None,
                    notes: list[str]) -> tuple[str, BuildSettings]:
    """The ptoas version the build canonicalizes for, and the settings with it: the one set, or the
    one the build's ptoas prints (compile.sh never names the version). Notes go to ``notes``."""
    target = settings.target_ptoas
    if not target:
        # compile.sh never names the version: ask the ptoas this build runs.
        detected = DetectedVersion(None, "", None, False, ptoas_err or "") if ptoas_err else ptoas_version(ptoas)
        if detected.name is None:
            raise PtofixError("build needs the ptoas version to canonicalize for, and " + detected.problem
                              + (f" (it printed: {detected.printed[:80]!r})" if detected.printed
                                 and "prints no version" in detected.problem else "")
                              + ": pass --target-ptoas VERSION (or target-ptoas = \"v0.45\" in ptofix.toml)")
        target = detected.name
        settings = settings.with_value("target_ptoas", detected.name, Origin("tool", detected.origin(ptoas)))
        notes.append(detected.note(ptoas))
    elif not ptoas_err:
        notes += _target_against_ptoas(target, settings, ptoas)
    return target, settings


def _compiles(settings: BuildSettings, caller: str | None) -> tuple[bool, str]:
    """Whether the build compiles, and why: a build that has a compiler compiles."""
    compiler_origin = settings.origin("bisheng") if settings.bisheng else None
    if settings.compile is False:
        return False, "--no-compile"
    if settings.compile:
        return True, f"compile = true ({settings.origin('compile')})"
    if compiler_origin:
        return True, f"compiler set ({compiler_origin})"
    if caller is not None:
        return True, f"caller set ({settings.origin('caller')})"
    return False, "no compiler set: --bisheng, $BISHENG or bisheng in the config"


def make_plan(settings: BuildSettings) -> Plan:
    """Resolve the target version, the tools, the passes and the commands (runs only `ptoas --version`)
    for the IR ``settings.input``."""
    input_path, output_dir = settings.input, settings.output_dir
    if not output_dir:
        raise PtofixError("build needs an output directory: -o OUT_DIR (or output-dir in the config file)")
    notes: list[str] = []
    ptoas, ptoas_err = resolve_tool("ptoas", settings)
    target, settings = _target_version(settings, ptoas, ptoas_err, notes)
    resolve(target)
    if not os.path.isfile(input_path):
        raise PtofixError(f"no such file: {input_path}" if not os.path.exists(input_path)
                          else f"cannot read {input_path}: not a regular file")

    art = Artefacts(output_dir, stem_of(input_path))
    if art.stem.endswith(".fixed"):
        # Its ptoas output STEM.cpp would be the fixed C++ of the stem without '.fixed'.
        raise PtofixError(f"the IR's name gives the artefact stem '{art.stem}', whose ptoas output {art.cpp} is "
                          f"the fixed C++ of a build of '{art.stem[:-6]}' into the same directory; rename the IR")
    def flags_of(name: str, value: str | tuple[str, ...] | None) -> list[str]:
        try:
            return argv_of(value)
        except PtofixError as exc:
            if settings.origin(name).kind == "config":
                raise settings.error(name, exc.diagnostic.message) from None
            raise

    ptoas_flags = flags_of("ptoas_flags", settings.ptoas_flags if settings.ptoas_flags is not None
                           else DEFAULT_PTOAS_FLAGS)
    # (LLVM's option parser takes `-o F`, `--o F`, `-o=F` and `--o=F`.)
    stray = next((w for w in ptoas_flags if w in ("-o", "--o") or w.startswith(("-o=", "--o="))), None)
    if stray is not None:
        raise settings.error("ptoas_flags", f"ptoas-flags hold the output option '{stray}': the build names "
                                            f"ptoas's output itself ({art.cpp})")
    bisheng_flags = flags_of("bisheng_flags", settings.bisheng_flags)
    pto_lib = settings.pto_lib or None
    caller = settings.caller or None
    # A build that has a compiler compiles: with a caller as compile.sh does, else the fixed kernel
    # on its own (`-c`, an object next to the other artefacts).
    compile_, compile_note = _compiles(settings, caller)
    passes = cpp_passes(settings, target, art)
    for pass_ in passes:
        if pass_.name == "local-slot-num":
            pass_.target_order()      # a pto-lib header the pass cannot use stops the build now
            _check_slot_values(pass_, settings)
    if "__PTO_AUTO__" in defined_macros(bisheng_flags) and any(p.name == "pipe-v-barrier" for p in passes):
        # pto-isa's auto mode makes TASSIGN a no-op and compiles library barriers out: the
        # addresses and drains the proof reads are not the ones the kernel runs with.
        raise PtofixError("bisheng flags define __PTO_AUTO__ (pto-isa's auto mode), but the PIPE_V barrier proof "
                          "assumes explicit mode (TASSIGN addresses, the ops' own barriers): drop the flag or the "
                          "barrier pattern")
    bisheng_err = None
    pto_lib_problem = _pto_lib_problem(pto_lib, settings)
    if pto_lib_problem and not compile_:
        notes.append(pto_lib_problem)
        pto_lib_problem = None
    elif pto_lib and not pto_lib_problem and not os.path.isfile(os.path.join(pto_lib, HEADER_RELPATH)):
        notes.append(f"pto-lib {pto_lib} has no {HEADER_RELPATH}: the TPipe argument order stays as ptoas wrote it")
    bisheng_cmd = kernel_output = None
    inputs = named_inputs(settings, ptoas, caller, pto_lib, art)
    if compile_ and caller is not None and not os.path.isfile(caller):
        what = "no such file" if not os.path.exists(caller) else "not a regular file"
        raise PtofixError(f"caller {caller}: {what} ({settings.origin('caller')})")
    if compile_:
        bisheng, bisheng_err = resolve_tool("bisheng", settings)
        kernel_output = art.lib if caller is not None else art.obj
        bisheng_cmd = bisheng_argv(settings.bisheng or "bisheng", pto_lib, bisheng_flags, art.fixed, caller,
                                   kernel_output)
        if not bisheng_err:
            inputs.append(("the bisheng", bisheng))
    ptoas_cmd = ptoas_argv(settings.ptoas or "ptoas", ptoas_flags, art.canon)
    # The C++ passes read the headers the kernel includes where bisheng finds them: its flags' -I
    # directories, then the pto-isa checkout's include directory (`-I$PTO_LIB_PATH/include`).
    include_dirs = list(settings.include_dirs or ()) + include_directories(bisheng_flags) \
        + ([os.path.join(pto_lib, "include")] if pto_lib else [])
    for directory in settings.include_dirs or ():
        if not os.path.isdir(directory):
            raise PtofixError(f"include {directory} ({settings.origin('include_dirs')}): not a directory")
    # The macros bisheng gets on its command line are the kernel's too: --define/--undefine first,
    # then the bisheng flags' own -D/-U, whose last word is what bisheng compiles with.
    try:
        bisheng_macros = compiler_macro_flags(bisheng_flags)
    except PtofixError as exc:
        raise PtofixError(f"bisheng flags ({settings.origin('bisheng_flags')}): {exc.diagnostic.message}") from None
    macro_flags = list(settings.define_flags or ()) + list(settings.undefine_flags or ()) \
        + bisheng_macros
    depfile = settings.depfile or None
    deps = list(dict.fromkeys(os.path.abspath(path) for what, path in inputs if what != "the bisheng"))
    refuse_outputs_over_inputs(art, depfile, inputs)
    if depfile:
        depfile_text([art.fixed], deps)      # every path can be written in it
    return Plan(settings, input_path, art, target, settings.to, tuple(ptoas_cmd), tuple(passes),
                tuple(bisheng_cmd) if bisheng_cmd is not None else None, kernel_output, compile_note, depfile,
                tuple(deps), tuple(notes), tuple(e for e in (ptoas_err, bisheng_err, pto_lib_problem) if e),
                settings.ptoas_flags is None, tuple(include_dirs),
                tuple(macro_flags), header_search_flag(bisheng_flags), _facts_checkout(settings) or "")


def check_slot_values_against_ir(plan: Plan, module: Module) -> None:
    """A LocalSlotNum above the SlotNum of the pipes it would go to fails at stage 3: refused
    before OUT_DIR is touched (every pipe's value against each init's slot_num, a per-FlagID one
    against the largest). ``module``: the input IR, as check_arch read it."""
    passes = [p for p in plan.passes if getattr(p, "name", "") == "local-slot-num" and p.map]
    if not passes:
        return
    slot_nums = [n for op in module.walk() if op.name in INIT_OPS
                 for n in [op.int_attr("slot_num")] if isinstance(n, int)]
    if not slot_nums:
        return
    every, per_flag = passes[0].requested_map()
    bad = every if every is not None and every > min(slot_nums) else \
        next((v for v in per_flag.values() if v > max(slot_nums)), None)
    if bad is not None:
        raise plan.settings.error("local_slot_num", f"local-slot-num {passes[0].map}: LocalSlotNum {bad} is above "
                                  f"the SlotNum ({min(slot_nums) if every is not None else max(slot_nums)}) of the "
                                  "IR's pipes it would go to (0 < LocalSlotNum <= SlotNum)")


def _check_slot_values(pass_: Any, settings: BuildSettings) -> None:
    """A LocalSlotNum below 1 fits no pipe (0 < LocalSlotNum <= SlotNum): refused when the build is
    planned, at the config key that gave it, not at stage 3 after the old artefacts are gone."""
    bad = next((v for v in pass_.requested_values() if v < 1), None)
    if bad is not None:
        raise settings.error("local_slot_num", f"local-slot-num {pass_.map}: LocalSlotNum {bad} fits no pipe "
                             "(0 < LocalSlotNum <= SlotNum)")


def _pto_lib_problem(pto_lib: str | None, settings: BuildSettings) -> str | None:
    """What is wrong with the pto-isa checkout bisheng gets as -I PTO_LIB/include (None if nothing).
    Without TPush.hpp there the LocalSlotNum pass keeps ptoas's TPipe argument order: a note."""
    if not pto_lib:
        return None
    include = os.path.join(pto_lib, "include")
    if not os.path.isdir(include):
        # (A common slip: the include directory itself, which bisheng would get as include/include.)
        hint = (f"; {pto_lib} looks like the include directory itself: give the checkout "
                f"{os.path.dirname(os.path.normpath(pto_lib))}"
                if os.path.isdir(os.path.join(pto_lib, "pto")) else "")
        return (f"pto-lib {pto_lib} (from {settings.origin('pto_lib')}) has no include directory (bisheng would "
                f"get -I{include}){hint}")
    return None


def named_inputs(settings: BuildSettings, ptoas: str, caller: str | None, pto_lib: str | None,
                 art: Artefacts) -> list[tuple[str, str]]:
    """The files the build reads, as (what it is, path): the IR, the config file, the caller, IR/sidecar
    files the user named, the pto-isa TPipe header the pass reads, and the ptoas that runs. The
    depfile names them all: the fixed C++ depends on each."""
    input_path = settings.input
    inputs = [("the IR", input_path)]
    if settings.config is not None:
        inputs.append(("the config file", settings.config.path))
    inputs += [("a pyproject.toml the config search read", path) for path in settings.passed_over]
    # (One that is an artefact path of this build, `kern.slots.json` of `build kern -o .`, is an
    # earlier build's, which check_output_dir tells apart from a file of the user's.)
    artefacts = {directory_entry(path) for path in art.all()}
    inputs += [("the IR's own sidecar", path) for path in input_sidecar_candidates(input_path)
               if os.path.isfile(path) and directory_entry(path) not in artefacts]
    if caller:
        inputs.append(("the caller", caller))
    for name in ("local_slot_ir", "local_slot_sidecar"):
        value = getattr(settings, name)
        if settings.origin(name).kind != "default" and value and os.path.isfile(value):
            inputs.append((f"the --{settings.key_of(name)} file", value))
    if pto_lib:
        header = os.path.join(pto_lib, HEADER_RELPATH)
        if os.path.isfile(header):
            inputs.append(("the pto-isa header", header))
    if os.path.isfile(ptoas):
        inputs.append(("the ptoas", ptoas))
    return inputs


def cpp_passes(settings: BuildSettings, target: str, art: Artefacts) -> list:
    """The C++ passes, as `ptofix run` builds them, for ``settings`` and the ptoas version ``target``,
    with the LocalSlotNum intent defaulting to the canonicalized IR and its sidecar (``--ir=``,
    empty, turns the IR matching off)."""
    files: dict[str, str | None] = {}
    for name, path in (("local_slot_ir", art.canon), ("local_slot_sidecar", art.sidecar)):
        if settings.origin(name).kind == "default":
            files[name] = path
            continue
        # A file the user named is read only at stage 3: check it now, before any stage runs.
        given = files[name] = getattr(settings, name)
        if given and not os.path.isfile(given):
            what = "no such file" if not os.path.exists(given) else "not a regular file"
            raise PtofixError(f"--{settings.key_of(name)} {given}: {what} ({settings.origin(name)})")
    pto_lib = _facts_checkout(settings)
    local_slot = LocalSlotOptions(local_slot_num=settings.local_slot_num, local_slot_ir=files["local_slot_ir"],
                                  local_slot_sidecar=files["local_slot_sidecar"], target_ptoas=target,
                                  default_local_slot_num=settings.default_local_slot_num,
                                  tpipe_order=settings.tpipe_order, pto_lib=pto_lib, unit_flag=settings.unit_flag)
    options = CppFixOptions(pattern=settings.pattern, force=settings.force,
                            same_access_chains=settings.same_access_chains,
                            # The build compiles the fixed kernel #included by the caller: one translation unit.
                            translation_unit=not settings.caller, local_slot=local_slot)
    return cpp_fix_passes(options)


def _facts_checkout(settings: BuildSettings) -> str | None:
    """--pto-lib / PTO_LIB_PATH, the include path for bisheng, when its TPipe header is there: the
    LocalSlotNum pass (its TPipe argument order) and the barrier proof (the pto-isa facts, Plan.pto_isa)
    read its headers only then. None otherwise."""
    pto_lib = settings.pto_lib
    return pto_lib if pto_lib and os.path.isfile(os.path.join(pto_lib, HEADER_RELPATH)) else None


def plan_text(plan: Plan) -> str:
    """The plan as `--dry-run` prints it: settings with their origin, then the commands."""
    art, settings = plan.art, plan.settings
    lines = [f"# ptofix build --dry-run: {plan.input} -> {art.out_dir}/"]
    if settings.config is not None:
        lines.append(f"# config: {settings.config.path}")
    for key, value, origin in settings.items():
        if value in (None, False, "", ()) or (origin.kind == "default" and key == "to"):
            continue
        shown = shlex.join(value) if isinstance(value, tuple) else value
        lines.append(f"#   {key} = {shown}  [{origin.located()}]")
    q = shlex.quote
    o = tool_operand     # (a dash-led relative path would read as an option)
    lines.append(f"mkdir -p {q(o(art.out_dir))}")
    lines.append(shlex.join(["ptofix", "canonicalize", "--target-ptoas", plan.target_ptoas, "--to", plan.to,
                             o(plan.input), "-o", o(art.canon), "--sidecar", o(art.sidecar)]))
    lines.append(f"{shlex.join(plan.ptoas_cmd)} > {q(art.cpp)}")
    if plan.passes:
        # (The checkout stage 3 identifies into the passes' environment, as `opt --pto-isa` does.)
        checkout = ["--pto-isa", o(plan.pto_isa)] if plan.pto_isa else []
        lines.append(shlex.join(["ptofix", "opt", *plan.macro_flags, *checkout, "-p", pipeline_spec(plan.passes),
                                 o(art.cpp), "-o", o(art.fixed)]))
    else:
        lines.append(shlex.join(["cp", o(art.cpp), o(art.fixed)]) + "   # no C++ pass selected")
    if plan.bisheng_cmd:
        lines.append(f"# bisheng runs: {plan.compile_note}")
        lines.append(shlex.join(plan.bisheng_cmd))
    else:
        lines.append(f"# bisheng: skipped ({plan.compile_note})")
    lines.append(f"# report: {art.report}")
    if plan.depfile:
        lines.append(f"# depfile: {plan.depfile}: {' '.join(plan.deps)}")
    return "\n".join(lines) + "\n"


_TARGET_ARCH_ATTR = re.compile(r'"?pto\.target_arch"?\s*=')


def check_arch(plan: Plan, source: SourceText) -> tuple[Module, tuple[Any, ...]]:
    """canonicalize prepares the IR for the arch its module states (a3 when it states none), e.g.
    drops a5's unsupported local_slot_num; a `--pto-arch` for ptoas that says otherwise would
    compile IR prepared for another arch, so the build stops before writing anything.

    ptoas's rule (tools/ptoas/driver.cpp at 393929e9, `hasCLIOption`): an argv word exactly
    `--pto-arch` or `--pto-arch=...` overrides the module's arch; any other spelling (`-pto-arch`,
    a response file) only sets the option's value, which the module's valid `pto.target_arch`
    wins over. Returns the module it read (the other plan checks read it too) and the plan's passes
    with the arch ptoas compiles for told to the LocalSlotNum pass."""
    passes = tuple(plan.passes)
    cli_arch = other_arch = None
    response_file = None
    cmd = plan.ptoas_cmd
    for i, word in enumerate(cmd[1:], start=1):
        value = word.split("=", 1)[1] if word.startswith(("--pto-arch=", "-pto-arch=")) \
            else cmd[i + 1] if word in ("--pto-arch", "-pto-arch") and i + 1 < len(cmd) else None
        if value is not None and word.startswith("--"):
            cli_arch = value
        elif value is not None:
            other_arch = value
        elif word.startswith("@"):
            response_file = word
    require(source, "mlir")
    module = parse_ir(source)
    inits = [op for op in module.walk() if op.name in INIT_OPS]
    if not inits:
        return module, passes     # no pipe init: nothing canonicalize or the C++ passes do depends on the arch
    module_arch = module.declared_target_arch()
    stated_valid = module_arch is not None and module_arch.strip().lower() in ("a3", "a5")
    # The value the option takes when the module's arch does not decide (the last spelling wins).
    flag_arch = cli_arch if cli_arch is not None else (None if stated_valid else other_arch)
    # The arch ptoas compiles for: the LocalSlotNum pass then need not guess it from the C++.
    arch = ptoas_arch(flag_arch) if flag_arch and flag_arch.lower() in ("a3", "a5") else module.target_arch()
    passes = tuple(pass_.replace(pto_arch=arch) if getattr(pass_, "name", "") == "local-slot-num" else pass_
                   for pass_ in passes)
    if response_file is not None and cli_arch is None and not stated_valid:
        raise PtofixError(f"ptoas runs with the response file '{response_file}', which may set --pto-arch for a "
                          "module that states no arch: canonicalize and the LocalSlotNum pass prepare the pipes "
                          "for the module's arch; give the flags themselves, or state pto.target_arch", source,
                          inits[0].span.start)
    if flag_arch is None:
        return module, passes
    if flag_arch.lower() not in ("a3", "a5"):
        return module, passes     # (ptoas refuses the flag itself)
    stated = _TARGET_ARCH_ATTR.search(re.sub(r"//[^\n]*", lambda m: " " * len(m.group()), source.text))
    where = stated.start() if stated is not None and module_arch else inits[0].span.start
    if ptoas_arch(flag_arch) != module.target_arch():
        said = f'pto.target_arch = "{module_arch}"' if module_arch else "no pto.target_arch (a3)"
        if plan.default_ptoas_flags:
            # The user gave no flag: the default's a3 is what disagrees with the module.
            wanted = module_arch or "a3"
            raise PtofixError(f"ptoas runs with the default flags '{DEFAULT_PTOAS_FLAGS}' but the module says {said}:"
                              " canonicalize prepares the IR for the module's arch; pass "
                              f"--ptoas-flags='--pto-arch={wanted} --enable-insert-sync' (or set ptoas-flags in "
                              "the config file)", source, where)
        raise PtofixError(f"ptoas runs with --pto-arch={flag_arch} but the module says {said}: canonicalize "
                          "and the LocalSlotNum pass prepare its pipes for the module's arch; state "
                          f"pto.target_arch = \"{flag_arch}\" in the module, or give --pto-arch="
                          f"{module.target_arch()}", source, where)
    return module, passes

