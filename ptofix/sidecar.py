"""The sidecar: the ``local_slot_num`` values ``canonicalize`` strips from pipe inits, kept in a JSON
file beside the canonical IR for the C++ side (the ``local-slot-num`` pass's ``sidecar`` option,
``ptofix build``).

Its format, where it is found, how a new one is merged with an existing one (never overwritten
with less) and how a hand-edited one is refused all live here::

    {"version": 1, "target_ptoas": "v0.45", "arch": "a3", "source": ..., "output": ...,
     "pipes": [{"func": ..., "op": ..., "result": "%p0", "flag_base": 0, "local_slot_num": 2, ...}]}
"""
from __future__ import annotations

import json
import os

from .frontends import parse_mlir
from .ir.pipes import assign_flag_bases, pipe_inits
from .ir.versions import resolve
from .pto.tpipe import MASK_DIRECTIONS
from .side_files import Unreadable, read_side_file
from .source import PtofixError, SourceText

SUFFIX = ".slots.json"      # OUT.slots.json beside OUT (canonicalize -o OUT, opt -o OUT, -i FILE)
VERSION = 1


def sidecar_text(sidecar: dict) -> str:
    """The sidecar file's text (the JSON every writer of it writes)."""
    return json.dumps(sidecar, indent=2) + "\n"


def sidecar_path_for(output_path: str) -> str:
    """The sidecar canonicalize (and opt) write beside ``output_path``."""
    return output_path + SUFFIX


# field -> (the JSON type it holds: "int" is never a boolean, whether it may be null or absent).
ENTRY_FIELDS: dict[str, tuple[str, bool]] = {
    "func": ("string", True),
    "kernel_kind": ("string", True),
    "op": ("string", True),
    "id": ("int", True),
    "flag_base": ("int", True),
    "flag_base_explicit": ("bool", True),
    "dir_mask": ("int", True),
    "slot_size": ("int", True),
    "slot_num": ("int", True),
    "local_slot_num": ("int", False),
    "line": ("int", True),
    "reason": ("string", True),
    "result": ("string", True),      # the init's result SSA name (`%p0`): its identity when lines move
}


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction or exponent" if value == value and abs(value) != float("inf") \
            else "a non-finite number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def sidecar_problem(data: object) -> str | None:
    """Why ``data`` (parsed JSON) is not a sidecar as ``canonicalize`` writes it, or None. Every
    field read is checked for its type, so that a hand-edited sidecar is an error, not a crash."""
    if not isinstance(data, dict) or type(data.get("version")) is not int or data.get("version") != VERSION \
            or not isinstance(data.get("pipes"), list):
        return "it must be {\"version\": 1, \"pipes\": [...]} as written by canonicalize"
    target = data.get("target_ptoas")
    if target is not None:
        if not isinstance(target, str):
            return f"'target_ptoas' must be a ptoas version string, not {_json_kind(target)}"
        try:
            resolve(target)
        except PtofixError:
            shown = target if len(target) <= 60 else target[:60] + "..."
            return f"'target_ptoas' names no known ptoas version ('{shown}')"
    if data.get("arch") not in (None, "a3", "a5"):
        return "'arch' must be \"a3\" or \"a5\" (the arch its flag_base predictions assume)"
    for field_name in ("source", "output"):
        if data.get(field_name) is not None and not isinstance(data[field_name], str):
            return f"'{field_name}' must be a path string"
    for counts_name in ("gm_pipes", "init_counts"):
        counts = data.get(counts_name)
        if counts is not None and not (isinstance(counts, dict) and all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
                for k, v in counts.items())):
            return f"'{counts_name}' must map function names to counts"
    for n, entry in enumerate(data["pipes"]):
        if not isinstance(entry, dict):
            return f"pipe #{n} must be an object, not {_json_kind(entry)}"
        if "func" not in entry:
            return f"pipe #{n} needs 'func' (the function of its pipe init, or null)"
        for name, (kind, optional) in ENTRY_FIELDS.items():
            value = entry.get(name)
            if value is None:
                if not optional:
                    return f"pipe #{n} needs '{name}' ({'an integer' if kind == 'int' else kind})"
                continue
            ok = (isinstance(value, str) if kind == "string" else isinstance(value, bool) if kind == "bool"
                  else isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                want = {"string": "a string", "bool": "true or false", "int": "an integer"}[kind]
                return f"pipe #{n}: '{name}' must be {want}{' or null' if optional else ''}, not {_json_kind(value)}"
        if isinstance(entry.get("flag_base"), int) and entry["flag_base"] < 0:
            return f"pipe #{n}: 'flag_base' must not be negative"
        if entry.get("dir_mask") is not None and entry["dir_mask"] not in MASK_DIRECTIONS:
            return f"pipe #{n}: 'dir_mask' must be 1, 2 or 3, not {entry['dir_mask']}"
    return None


# ---- merged, never overwritten with less ------------------------------------------------------------
RECORDED = "recorded in the sidecar for the C++ side"     # the canonicalize pass's warning says so


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


def _load_sidecar(path: str, read: dict[str, bytes | None] | None = None) -> dict | None:
    """The existing sidecar at ``path``, None if there is none (or it is empty); ``read`` records
    the bytes it held (None: no file), which a replacement of it is compared with."""
    if not os.path.exists(path):
        if read is not None:
            read[path] = None
        return None
    try:
        # (The one reader of side files: a FIFO or a device there is refused, never waited on.)
        data = read_side_file(path)
    except Unreadable as exc:
        raise PtofixError(f"cannot read the existing sidecar {path}: {exc.reason}") from None
    if read is not None:
        read[path] = data
    if not data.strip():
        return None
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
    candidates = [sidecar_path_for(source_path)]
    if source_path.endswith(".canon.mlir"):
        candidates.append(source_path[:-len(".canon.mlir")] + SUFFIX)
    return candidates


def with_input_sidecar(new: dict, out_text: str, source_path: str, used: list[str] | None = None) -> dict:
    """``new`` plus the values the input's own sidecar (``IN.slots.json``, written when the input
    itself was canonicalized: its ``output`` is the input) holds for pipes that still carry none:
    canonicalizing canonical IR to another file must not drop them (merge_sidecar's rules)."""
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
                  output_path: str | None = None, owner_known: bool = False,
                  read: dict[str, bytes | None] | None = None) -> tuple[dict, list[dict]]:
    """(``new`` plus every entry of the existing sidecar at ``path`` that still applies to the output,
    the entries kept); ``read`` records what the file at ``path`` held (see _load_sidecar).

    An old entry is kept when its pipe is still in the output without a local_slot_num (it was
    stripped by an earlier run: the sidecar is the only place the value lives); it is dropped
    when this run recorded the same pipe again, or when the output IR carries local_slot_num on
    that pipe itself. An entry for a pipe the output does not have would be lost: error."""
    if output_path is not None:
        # Absolute: a later run from another directory must recognise them.
        new = {**new, "output": os.path.abspath(output_path)}
    if source_path != "<stdin>":
        new = {**new, "source": os.path.abspath(source_path)}
    old = _load_sidecar(path, read)
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


def default_sidecar_path(source_path: str, in_place: bool, output: str | None) -> str | None:
    """Where ``canonicalize`` writes the sidecar without ``--sidecar``: beside the output file
    (OUT.slots.json with -o OUT, FILE.slots.json with -i); None for stdout or -o /dev/null."""
    if output is not None:
        return None if os.path.realpath(output) == os.devnull else sidecar_path_for(output)
    if in_place and source_path != "<stdin>":
        return sidecar_path_for(source_path)
    return None


def sidecar_for_output(path: str, new: dict, out_text: str, source_path: str, in_place: bool,
                       output: str | None, read: dict[str, bytes | None] | None = None) -> tuple[dict, list[dict]]:
    """(``new`` merged into the sidecar at ``path`` for the output ``canonicalize`` writes (the input
    with ``in_place``, the file ``output``, or stdout), the old entries kept): an output that is
    not the input also takes the values of the input's own sidecar (with_input_sidecar); ``read``
    records what the file at ``path`` held, for its replacement to be compared with."""
    replaces = in_place or (output is not None and os.path.exists(output) and os.path.exists(source_path)
                            and os.path.samefile(output, source_path))
    if not replaces:
        new = with_input_sidecar(new, out_text, source_path)
    return merge_sidecar(path, new, out_text, source_path, replaces, source_path if in_place else output,
                         read=read)


def stripped_pipes(pass_reports: list[dict]) -> list[dict]:
    """The sidecar entries of every canonicalize pass of a pipeline: the local_slot_num values it stripped."""
    return [entry for rep in pass_reports if rep.get("pass") == "canonicalize"
            for entry in rep.get("sidecar", {}).get("pipes", [])]


def pipeline_sidecar(source: SourceText, out_text: str, pass_reports: list[dict], in_place: bool,
                     output: str | None, written: bool) -> list[tuple[str, str, str, bytes | None]]:
    """The sidecar file (path, JSON, what, the bytes the file held when it was merged with: None
    when there was none) for the values a pipeline's canonicalize passes stripped, merged with
    what the file at its place holds; none when nothing was stripped, nothing is ``written``
    (--check, --diff), or the input is not replaced and no ``output`` file is named or it is
    discarded (its values stay in the input)."""
    sidecar = None
    canonical = [rep for rep in pass_reports if rep.get("pass") == "canonicalize"]
    for rep in canonical:
        if rep.get("sidecar", {}).get("pipes"):
            sidecar = sidecar or dict(rep["sidecar"])
    if sidecar is not None and len({(rep.get("sidecar", {}).get("target_ptoas"), rep.get("sidecar", {}).get("arch"))
                                    for rep in canonical}) > 1:
        # Each pass predicted the stripped pipes' FlagIDs for its own target; the C++ side would
        # read them for the IR's final one.
        raise PtofixError("the pipeline's canonicalize passes name different targets and one of them stripped "
                          "local_slot_num into the sidecar: its FlagIDs would be another ptoas's; canonicalize "
                          "for one target", source)
    if sidecar is None or not written:
        return []
    path = default_sidecar_path(source.path, in_place, output)
    if path is None:
        return []
    sidecar["pipes"] = stripped_pipes(pass_reports)
    read: dict[str, bytes | None] = {}
    merged, _kept = merge_sidecar(path, sidecar, out_text, source.path, in_place, source.path if in_place else output,
                                  read=read)
    return [(path, sidecar_text(merged), "sidecar", read.get(path))]


def _current_pipes(text: str, path: str, target: str) -> dict[tuple, dict]:
    """Pipe inits of the output IR by sidecar key (flag_base as ptoas assigns it when not explicit)."""
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
