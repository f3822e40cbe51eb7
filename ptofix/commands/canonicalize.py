"""``ptofix canonicalize``: put PTO IR into the form a given ptoas version accepts."""
from __future__ import annotations

import argparse
import json

from ..output import add_output_arguments
from ..source import PtofixError, SourceText

HELP = "generic/mixed PTO IR -> the target ptoas version's custom (or exact generic) form"

DESCRIPTION = """\
Rewrite the PTO pipe/FIFO ops of an MLIR module into the form TARGET's ptoas accepts.

MLIR Python bindings print ops they do not know in generic form ("pto.talloc_to_aiv"() {...}),
often with integer widths, {} vs <{}> or operandSegmentSizes of another version. With
--to custom (default) each generic pipe/FIFO op becomes the target's custom syntax; with
--to generic every pipe/FIFO op is printed in exact generic form (i8/i32 widths, sorted <{}>,
the target's segments). Every other byte is left unchanged; a second run changes nothing.

Ops, attributes or operands the target does not have are errors (file:line:col, exit 2) that
name the first version that has them. A local_slot_num the target rejects (GM-only pipe init)
is removed, reported as a warning and recorded in a sidecar JSON for the C++-side
LocalSlotNum pass: --sidecar PATH, default OUT.slots.json with -o OUT (FILE.slots.json with -i).
An existing sidecar is merged, never overwritten with less: its entries for pipes that still
lack local_slot_num are kept (a second run on canonical IR keeps them); if it records a pipe
the output no longer has, or is not a sidecar at all, that is an error and nothing is written.
Input that is not MLIR (no module/func.func/pto op) is an error.

versions: 2026-04-17 (hw-head), v0.31, v0.35, v0.36, v0.45, newest (v0.60, 2026-08-21);
other vX.Y / YYYY-MM-DD map to the newest listed version not after them.

Without --target-ptoas the target is what `$PTOAS --version` says (a note names it), as in
`ptofix build`. Several files need -i, -o DIR, --check or --diff (and -j N runs them on N
worker processes); a version ptofix does not list is a note naming the one it is treated as.

examples:
  ptofix canonicalize --target-ptoas v0.36 fa.mlir -o fa.pto
  PTOAS=/opt/ptoas/bin/ptoas ptofix canonicalize -i kernels/*.mlir
  ptofix canonicalize --target-ptoas hw-head --to generic fa.mlir
  ptofix canonicalize --target-ptoas v0.31 --check fa.mlir

exit status: 0 ok, 1 --check found changes, 2 bad input, version or output (nothing is
written for that file: with several files the others are still written, and the status is the
worst of them), 3 internal error (--debug shows the traceback)."""


def add_parser(subparsers) -> None:
    from ..batch import add_batch_arguments
    from ..help_format import HelpFormatter
    p = subparsers.add_parser("canonicalize", help=HELP, description=DESCRIPTION,
                              formatter_class=HelpFormatter)
    p.add_argument("files", nargs="+", metavar="IN.mlir",
                   help="PTO IR input ('-' for stdin); several need -i, -o DIR, --check or --diff")
    p.add_argument("--target-ptoas", metavar="VERSION",
                   help="ptoas version that will compile the output (e.g. v0.36, hw-head, newest); default: "
                        "what '$PTOAS --version' says (ptoas on PATH without $PTOAS), as build does")
    p.add_argument("--to", choices=["custom", "generic"], default="custom",
                   help="form to print pipe/FIFO ops in (default: custom)")
    p.add_argument("--sidecar", metavar="PATH",
                   help="write removed local_slot_num values here as JSON (default: OUT.slots.json with -o); "
                        "one input file only")
    add_output_arguments(p)
    add_batch_arguments(p)
    p.set_defaults(handler=run)


def _target_from_ptoas() -> str:
    """The version of the ptoas that will compile the output, from its ``--version``, as build reads
    it; an error naming --target-ptoas when there is none or it cannot tell."""
    import os
    import shutil

    from ..build import ptoas_version
    from ..output import write_stderr
    ptoas = os.environ.get("PTOAS") or shutil.which("ptoas")
    if not ptoas:
        raise PtofixError("canonicalize needs the ptoas version to canonicalize for: pass --target-ptoas VERSION, "
                          "or set PTOAS to the ptoas that will compile the output (its --version is read)")
    detected = ptoas_version(ptoas)
    if detected.name is None:
        raise PtofixError(f"canonicalize needs the ptoas version to canonicalize for, and {detected.problem}: "
                          "pass --target-ptoas VERSION")
    write_stderr(f"ptofix: note: {detected.note(ptoas)}\n")
    return detected.name


def run(args: argparse.Namespace) -> int:
    from ..batch import check_batch_options, run_files
    from ..ir.versions import mapping_note, resolve
    from ..output import check_output_options, write_stderr

    if args.target_ptoas is None:
        args.target_ptoas = _target_from_ptoas()
    else:
        resolve(args.target_ptoas)                  # option errors before input errors
        note = mapping_note(args.target_ptoas)
        if note:
            write_stderr(note + "\n")
    check_batch_options(args, args.files)
    if len(args.files) > 1 and args.sidecar:
        raise PtofixError("--sidecar names one file: with several inputs each gets OUT.slots.json (-o DIR) or "
                          "FILE.slots.json (-i)")
    if len(args.files) == 1:
        check_output_options(args, [(args.sidecar, "sidecar")] if not args.check else [])
    return run_files(args, args.files, process_file, deliver_file)


def process_file(path: str, args: argparse.Namespace):
    """Canonicalize one file (in a worker process with -j)."""
    from ..batch import Processed
    from ..frontends import PARSERS
    from ..input_kind import require
    from ..pass_manager import build_pass, run_pipeline
    from ..source import read_source
    source = read_source(path)
    require(source, "mlir")             # (before the pass manager's check of the file's name)
    pass_ = build_pass("canonicalize", {"target-ptoas": args.target_ptoas, "to": args.to})
    outcome = run_pipeline(source, [pass_], PARSERS)
    return Processed(source, outcome.text, outcome.reports[0], [], list(outcome.warnings), [])


def deliver_file(args: argparse.Namespace, result) -> int:
    """The sidecar, the warnings, the report lines, then the file through the one writer."""
    import os

    from ..output import deliver, write_stderr
    source: SourceText = result.source
    report = {"file": source.path, **result.report}
    sidecar = report["sidecar"]
    sidecar_path = args.sidecar
    discarded = bool(args.output) and os.path.realpath(args.output) == os.devnull
    if sidecar_path is None and not (args.check or args.diff or discarded):
        if args.output and args.output != "-":
            sidecar_path = args.output + ".slots.json"
        elif args.in_place and source.path != "<stdin>":
            sidecar_path = source.path + ".slots.json"
    extra = []
    kept_ids: set[int] = set()
    if sidecar_path and not args.check:
        replaces = bool(args.in_place) or (bool(args.output) and args.output != "-" and os.path.exists(args.output)
                                           and os.path.exists(source.path) and os.path.samefile(args.output,
                                                                                                source.path))
        output = source.path if args.in_place else args.output if args.output and args.output != "-" else None
        if not replaces:
            sidecar = with_input_sidecar(sidecar, result.text, source.path)
        sidecar, kept = merge_sidecar(sidecar_path, sidecar, result.text, source.path, replaces, output)
        report["sidecar"] = sidecar
        report["sidecar_kept"] = len(kept)
        kept_ids = {id(e) for e in kept}
        report["sidecar_path"] = sidecar_path
        extra.append((sidecar_path, json.dumps(sidecar, indent=2) + "\n", "sidecar"))
    warnings = list(result.warnings)
    if sidecar["pipes"] and not sidecar_path and not args.check:
        warnings = unrecorded_warnings(warnings, "give --sidecar PATH")
    if warnings:
        write_stderr("".join(warning + "\n" for warning in warnings))
    where = source.path
    lines = [f"{where}: canonicalize for ptoas {report['target_ptoas']} (--to {report['to']}):"]
    for item in report["rewritten"]:
        lines.append(f"{where}:{item['line']}: {item['op']} {item['from']} -> {item['to']}"
                     + (f" ({'; '.join(item['changes'])})" if item["changes"] else ""))
    for item in report["kept_generic"]:
        lines.append(f"{where}:{item['line']}: {item['op']} kept generic")
    for item in report["unknown_generic_ops"]:
        lines.append(f"{where}:{item['line']}: {item['op']} unknown to ptofix, kept as written")
    for entry in report["sidecar"]["pipes"]:
        if id(entry) in kept_ids:
            lines.append(f"{where}:{entry['line']}: local_slot_num = {entry['local_slot_num']} kept from the sidecar")
        else:
            lines.append(f"{where}:{entry['line']}: local_slot_num = {entry['local_slot_num']} moved to the sidecar")
    return deliver(args, source, result.text, report, lines, extra)


# ---- the sidecar: merged, never overwritten with less --------------------------------------------
RECORDED = "recorded in the sidecar for the C++ side"


def unrecorded_warnings(warnings: list[str], how_to_keep: str) -> list[str]:
    """The pass's warnings for an output that has no sidecar: the pass says the stripped value was
    recorded, but with no sidecar file it went nowhere; say so, and how to keep it."""
    return [w.replace(RECORDED, f"NOT recorded: no sidecar is written for this output ({how_to_keep})")
            for w in warnings]


_KEY_FIELDS = ("func", "op", "id", "flag_base", "dir_mask", "slot_size", "slot_num", "result")


def _pipe_key(entry: dict) -> tuple:
    """A pipe init's identity across runs. An init with a result is named by it (`%p0` stays
    `%p0` when lines move or an init is inserted; a predicted flag_base does not), with its shape;
    a frontend init, which has none, by its id and flag_base. An entry from before `result` was
    recorded keys without it (and without slot_num)."""
    if "result" not in entry:
        return ("legacy",) + tuple(entry.get(k) for k in _KEY_FIELDS[:6])
    if entry.get("result"):
        return ("result",) + tuple(entry.get(k) for k in ("func", "op", "result", "dir_mask", "slot_size", "slot_num"))
    # (A frontend init's id names its pipe within the function; its FlagID is a prediction that an
    # inserted or reordered init moves.)
    return ("frontend",) + tuple(entry.get(k) for k in ("func", "op", "id", "dir_mask", "slot_size", "slot_num"))


def _same_path(recorded: object, path: str, sidecar: str) -> bool:
    """Whether a path a sidecar recorded names ``path``. An older sidecar recorded paths as given,
    relative to the directory that run was in: they are tried from here and from the sidecar's
    directory."""
    import os
    if not isinstance(recorded, str):
        return False
    candidates = [recorded] if os.path.isabs(recorded) else [recorded, os.path.join(os.path.dirname(sidecar), recorded)]
    for candidate in candidates:
        if os.path.abspath(candidate) == os.path.abspath(path):
            return True
        try:
            if os.path.exists(candidate) and os.path.exists(path) and os.path.samefile(candidate, path):
                return True
        except OSError:
            continue
    return False


def _legacy(entry: dict) -> dict:
    """``entry`` as a sidecar from before `result` and the slot_num key recorded it."""
    return {k: v for k, v in entry.items() if k not in ("slot_num", "result")}


def _load_sidecar(path: str) -> dict | None:
    """The existing sidecar at ``path``, None if there is none (or it is empty)."""
    import os
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PtofixError(f"cannot read the existing sidecar {path}: {exc.strerror or exc}") from None
    if not data.strip():
        return None
    from ..ir.pipes import sidecar_problem
    why = None
    try:
        old = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        old, why = None, f"not JSON: {exc}"
    except RecursionError:
        old, why = None, "not JSON ptofix can read: nested too deeply"
    if why is None and not (isinstance(old, dict) and isinstance(old.get("pipes"), list)
                            and all(isinstance(e, dict) and "local_slot_num" in e for e in old["pipes"])):
        why = "no 'pipes' list of local_slot_num entries"
    if why is None:
        # Every field the merge reads (the pipe key, the value) must have the type canonicalize writes.
        why = sidecar_problem(old)
    if why is not None:
        raise PtofixError(f"{path} exists and is not a ptofix sidecar ({why}); refusing to overwrite it "
                          f"(remove it, or write the sidecar elsewhere with --sidecar PATH)")
    return old


def input_sidecar_candidates(source_path: str) -> list[str]:
    """Where the sidecar of an IR file that was itself canonicalized may be: `canonicalize -o X`
    writes X.slots.json, `build` writes STEM.slots.json beside STEM.canon.mlir."""
    candidates = [source_path + ".slots.json"]
    if source_path.endswith(".canon.mlir"):
        candidates.append(source_path[:-len(".canon.mlir")] + ".slots.json")
    return candidates


def with_input_sidecar(new: dict, out_text: str, source_path: str, used: list[str] | None = None) -> dict:
    """``new`` plus the values the input's own sidecar (``IN.slots.json``, written when the input
    itself was canonicalized: its ``output`` is the input) holds for pipes that still carry none:
    canonicalizing canonical IR to another file must not drop them (merge_sidecar's rules)."""
    import os
    if source_path == "<stdin>":
        return new
    claiming = []
    for beside in input_sidecar_candidates(source_path):
        if not os.path.isfile(beside):
            continue
        old = _load_sidecar(beside)
        # Its IR is the input: by path, or by name when the two were moved together (a copied
        # build directory, a CI artefact).
        if old is not None and (_same_path(old.get("output"), source_path, beside)
                                or os.path.basename(str(old.get("output"))) == os.path.basename(source_path)):
            claiming.append((beside, old))
    if not claiming:
        return new
    if len(claiming) > 1 and _pipe_values(claiming[0][1]) != _pipe_values(claiming[1][1]):
        # (One of them is stale, e.g. a build rewrote STEM.canon.mlir after `canonicalize -o`
        # wrote STEM.canon.mlir.slots.json, and the stripped IR cannot tell which.)
        raise PtofixError(f"two sidecars hold values for {source_path} and disagree: {claiming[0][0]} and "
                          f"{claiming[1][0]}; remove the stale one")
    beside = claiming[0][0]
    merged, _kept = merge_sidecar(beside, new, out_text, source_path, True, owner_known=True)
    if used is not None:
        used.append(beside)
    return merged


def _pipe_values(sidecar: dict) -> list:
    """A sidecar's values, comparable between two sidecars of one IR."""
    keys = ("func", "op", "id", "flag_base", "dir_mask", "slot_size", "slot_num", "result", "local_slot_num")
    return sorted(json.dumps([pipe.get(k) for k in keys]) for pipe in sidecar.get("pipes", [])
                  if isinstance(pipe, dict))


def merge_sidecar(path: str, new: dict, out_text: str, source_path: str, replaces_input: bool = True,
                  output_path: str | None = None, owner_known: bool = False) -> tuple[dict, list[dict]]:
    """(``new`` plus every entry of the existing sidecar at ``path`` that still applies to the output,
    the entries kept).

    An old entry is kept when its pipe is still in the output without a local_slot_num (it was
    stripped by an earlier run: the sidecar is the only place the value lives); it is dropped
    when this run recorded the same pipe again, or when the output IR carries local_slot_num on
    that pipe itself. An entry for a pipe the output does not have would be lost: error."""
    import os
    if output_path is not None:
        # Absolute: a later run from another directory must recognise them.
        new = {**new, "output": os.path.abspath(output_path)}
    if source_path != "<stdin>":
        new = {**new, "source": os.path.abspath(source_path)}
    old = _load_sidecar(path)
    if old is None or not old["pipes"]:
        return new, []
    if not replaces_input and output_path is not None and _same_path(old.get("output"), output_path, path):
        # The same output written again from an input that is not it (the original): the input
        # holds every value, so its sidecar alone is the truth.
        return new, []
    if not owner_known and old.get("output") is not None and not _same_path(old["output"], source_path, path) \
            and not _same_path(old.get("source"), source_path, path):
        # Its values belong to another module's pipes: merged by key, they would land on this one's.
        raise PtofixError(f"refusing to merge into sidecar {path}: it belongs to {old['output']} (canonicalized "
                          f"from {old.get('source')}), not to {source_path}; give this module its own --sidecar PATH")
    if not replaces_input and _same_path(old.get("source"), source_path, path):
        # The same original canonicalized again to another file: it still holds every value the
        # last run stripped (or the author removed one since), so it alone is the truth.
        return new, []
    # (An entry from before `result` was recorded is the same pipe as a fresh one with its old key.)
    fresh = {_pipe_key(e) for e in new["pipes"]} | {_pipe_key(_legacy(e)) for e in new["pipes"]}
    pending = [e for e in old["pipes"] if _pipe_key(e) not in fresh]
    if not pending:
        return new, []
    current = _current_pipes(out_text, source_path, new.get("target_ptoas") or "newest")
    kept, lost = [], []
    for entry in pending:
        init = current.get(_pipe_key(entry))
        if init is None:
            lost.append(entry)
        elif init["local_slot_num"] is None:
            # Its place and predicted FlagID as they are now (an edit may have moved both).
            kept.append({**entry, "line": init["line"], "flag_base": init["flag_base"]})
    if lost:
        first = lost[0]
        where = f"func {first.get('func')}, flag_base {first.get('flag_base')}"
        raise PtofixError(f"refusing to overwrite sidecar {path}: it records local_slot_num = "
                          f"{first.get('local_slot_num')} for '{first.get('op')}' ({where}), a pipe "
                          f"{source_path} does not have{f' (and {len(lost) - 1} more)' if len(lost) > 1 else ''}; "
                          f"remove the sidecar, or write this one elsewhere with --sidecar PATH")
    if kept and new["pipes"]:
        # This input carries local_slot_num of its own (regenerated IR, not the canonical output the
        # sidecar was written for), yet old values would be kept for pipes that carry none: their
        # names and places may now be other pipes'. Neither keeping nor dropping them is safe.
        first = kept[0]
        raise PtofixError(f"refusing to merge into sidecar {path}: {source_path} carries local_slot_num of its "
                          f"own, and the sidecar keeps local_slot_num = {first.get('local_slot_num')} for "
                          f"{first.get('result') or first.get('op')} in '{first.get('func')}', which carries none "
                          "here; if the IR was regenerated, remove the sidecar; if it is the canonical output, "
                          "write the new values into it by hand")
    merged = dict(new)
    merged["pipes"] = sorted(new["pipes"] + kept, key=lambda e: (e.get("line") or 0))
    return merged, kept


def _current_pipes(text: str, path: str, target: str) -> dict[tuple, dict]:
    """Pipe inits of the output IR by sidecar key (flag_base as ptoas assigns it when not explicit)."""
    from ..frontends import parse_mlir
    from ..ir.pipes import assign_flag_bases, pipe_inits
    model = parse_mlir(SourceText(text, path))
    inits = pipe_inits(model)
    try:
        bases = assign_flag_bases(inits, target, model.target_arch())
    except ValueError:
        bases = {}
    out = {}
    for idx, init in enumerate(inits):
        entry = {"func": init.func, "op": init.op, "id": init.id,
                 "flag_base": init.flag_base if init.flag_base is not None else bases.get(idx),
                 "dir_mask": init.dir_mask, "slot_size": init.slot_size, "slot_num": init.slot_num,
                 "result": init.result}
        found = {"local_slot_num": init.local_slot_num, "line": init.line, "flag_base": entry["flag_base"]}
        out[_pipe_key(entry)] = found
        out.setdefault(_pipe_key(_legacy(entry)), found)
    return out
