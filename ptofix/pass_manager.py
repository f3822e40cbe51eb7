"""Pass registry and pipelines (modelled on xDSL: one pass a file, `-p a,b{k=v}` pipelines).

A pass is a frozen dataclass whose fields are its options (each pass class is decorated with
``@dataclass(frozen=True)`` too: its options cannot change once it is built). It declares which artefact it works on
(``kind = "cpp"`` for ptoas C++ or ``"mlir"`` for PTO IR), reads the parsed model and returns a
:class:`PassResult` with edits; it never touches text. :func:`run_pipeline` parses, runs each pass,
applies edits in one place and re-parses before the next pass.

Passes live in ``passes/`` (installed as ``ptofix.passes``); the module ``foo_bar.py`` defines
``PASS = FooBarPass`` whose ``name`` is ``foo-bar``, and :data:`PASSES` registers it by name with a
lazy loader, so listing passes imports nothing heavy.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar  # at run time: dataclasses reads ClassVar to tell options from class constants

from .interpreter import gc_paused, recursion_headroom
from .source import Edit, PtofixError, SourceText, apply_edits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Parser = Callable[[SourceText], Any]


@dataclass
class PassResult:
    edits: list[Edit] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pass:
    """Base class. Subclasses are ``@dataclass(frozen=True)`` classes that declare their options as
    annotated fields with defaults (keyword or positional arguments), a class-level ``name``, and
    check option values in ``__post_init__`` (raising ValueError)."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = ""
    # A Tile-form TPOP binds its tile to base + (i % LocalSlotNum) * SlotSize: a pass whose result
    # reads the TPipes' LocalSlotNum must not run before one that sets it (_check_order).
    reads_slot_numbers: ClassVar[bool] = False
    sets_slot_numbers: ClassVar[bool] = False

    def __post_init__(self) -> None:
        pass

    def apply(self, model: Any, source: SourceText) -> PassResult:  # pragma: no cover - interface
        raise NotImplementedError


def _loader(module: str) -> Callable[[], type[Pass]]:
    return lambda: importlib.import_module(f"ptofix.passes.{module}").PASS


# Every pass, by name, with a lazy loader (as xDSL's get_all_passes): listing passes imports nothing.
PASSES: dict[str, Callable[[], type[Pass]]] = {
    "canonicalize": _loader("canonicalize"),
    "local-slot-num": _loader("local_slot_num"),
    "pipe-v-barrier": _loader("pipe_v_barrier"),
    "pipe-v-barrier-insert": _loader("pipe_v_barrier_insert"),
}


def available_passes() -> list[str]:
    return sorted(PASSES)


def get_pass_class(name: str) -> type[Pass]:
    loader = PASSES.get(name)
    if loader is None:
        raise PtofixError(f"unknown pass '{name}' (available: {', '.join(available_passes())})")
    return loader()


_PIPELINE_ITEM = r"\s*([A-Za-z0-9_-]+)\s*(\{[^{}]*\})?\s*(,|$)"     # compiled when a pipeline is read


def parse_pipeline(spec: str) -> list[tuple[str, dict[str, str]]]:
    """``"a,b{k=v,x=1 2}"`` -> ``[("a", {}), ("b", {"k": "v", "x": "1 2"})]``."""
    items: list[tuple[str, dict[str, str]]] = []
    pos = 0
    while pos < len(spec):
        match = re.compile(_PIPELINE_ITEM).match(spec, pos)
        if not match or match.end() == pos:
            # Where it goes wrong: after the longest well-formed start of an item.
            start = re.compile(r"\s*(?:[A-Za-z0-9_-]+\s*(?:\{[^{}]*\}\s*)?)?").match(spec, pos)
            at = start.end() if start is not None else pos
            raise PtofixError(f"bad pipeline syntax at character {at + 1} of '{spec}'")
        options: dict[str, str] = {}
        if match.group(2):
            body = match.group(2)[1:-1].strip()
            for part in _split_options(body):
                key, sep, value = part.partition("=")
                if not sep:
                    raise PtofixError(f"pass option '{part}' must be key=value")
                if key.strip() in options:
                    raise PtofixError(f"pass option '{key.strip()}' given twice in '{match.group(0).strip()}'")
                options[key.strip()] = value.strip()
        items.append((match.group(1), options))
        pos = match.end()
    return items


def _split_options(body: str) -> list[str]:
    # Options are separated by spaces or commas, but a value may itself be a comma list
    # (`local-slot-num{map=0=2,4=2}`): a comma starts a new option only if `key=` follows.
    if not body:
        return []
    parts = re.split(r"[\s,]+(?=[A-Za-z_][\w-]*=)", body)
    return [p.strip().strip(",") for p in parts if p.strip()]


def pass_options(cls: type[Pass]) -> dict[str, Any]:
    """A pass's options in declaration order: field name -> annotation (a string, as written)."""
    return {option.name: option.type for option in fields(cls)}


def build_pass(name: str, options: dict[str, str]) -> Pass:
    cls = get_pass_class(name)
    fields = {field.replace("_", "-"): (field, annotation) for field, annotation in pass_options(cls).items()}
    kwargs: dict[str, Any] = {}
    for key, raw in options.items():
        f = fields.get(key) or fields.get(key.replace("_", "-"))
        if f is None:
            raise PtofixError(f"pass '{name}' has no option '{key}' (options: {', '.join(sorted(fields)) or 'none'})")
        kwargs[f[0]] = _convert(raw, f[1], name, key)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise PtofixError(f"pass '{name}': {exc}") from None


def _convert(raw: str, annotation: Any, pass_name: str, key: str) -> Any:
    text = str(annotation)
    if text in ("bool", "<class 'bool'>"):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise PtofixError(f"pass '{pass_name}': option '{key}' expects true/false, got '{raw}'")
    if text in ("int", "<class 'int'>"):
        from .source import parse_integer
        value = parse_integer(raw)
        if value is None:
            raise PtofixError(f"pass '{pass_name}': option '{key}' expects an integer, got '{raw}'")
        return value
    return raw


@dataclass(frozen=True)
class PipelineOutcome:
    text: str
    reports: list[dict[str, Any]]
    warnings: list[str]




def run_pipeline(source: SourceText, passes: list[Pass], parsers: dict[str, Parser],
                 models: dict[str, Any] | None = None) -> PipelineOutcome:
    """Run passes in order. Each pass sees a fresh model of the previous pass's output.

    ``models`` may hold already-parsed models of ``source`` by kind, to avoid parsing twice.
    """
    _check_order(passes)
    with gc_paused(), recursion_headroom():
        return _run_pipeline(source, passes, parsers, models)


def _check_order(passes: list[Pass]) -> None:
    """Refuse a pipeline in which a pass that reads LocalSlotNum (the barrier proof, the race
    search) runs before the one that sets it: its removals or insertions would be for the old
    values, and the output might race."""
    for i, pass_ in enumerate(passes):
        early = [p.name for p in passes[:i] if p.reads_slot_numbers] if pass_.sets_slot_numbers else []
        if early:
            raise PtofixError(f"pass '{early[0]}' reads the LocalSlotNum that '{pass_.name}' sets after it: put "
                              f"'{pass_.name}' first in the pipeline")


_KIND_NAMES = {"cpp": "C++", "mlir": "PTO IR"}
_EXTENSIONS = {".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".h": "cpp", ".mlir": "mlir", ".pto": "mlir"}


def _looks_like(path: str) -> str | None:
    """The input kind a file's name says (None: it says nothing, e.g. stdin)."""
    import os
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower())


def _run_pipeline(source: SourceText, passes: list[Pass], parsers: dict[str, Parser],
                  models: dict[str, Any] | None) -> PipelineOutcome:
    text = source.text
    reports: list[dict[str, Any]] = []
    warnings: list[str] = []
    current = source
    cached = dict(models or {})
    kinds = {pass_.kind for pass_ in passes}
    if len(kinds) > 1:
        names = ", ".join(f"{p.name} ({_KIND_NAMES.get(p.kind, p.kind)})" for p in passes)
        raise PtofixError(f"the pipeline mixes C++ and PTO IR passes ({names}): a file is one or the other")
    for pass_ in passes:
        parse = parsers.get(pass_.kind)
        if parse is None:
            raise PtofixError(f"pass '{pass_.name}' works on {pass_.kind} input, which this command does not handle")
        model = cached.pop(pass_.kind, None) if current is source else None
        if model is None:
            other = _looks_like(source.path)
            if other is not None and other != pass_.kind:
                raise PtofixError(f"pass '{pass_.name}' works on {_KIND_NAMES[pass_.kind]}, and this file's name says "
                                  f"{_KIND_NAMES[other]}", source, 0)
            model = parse(current)
        result = pass_.apply(model, current)
        # The model is not needed to apply the edits: freed first, it does not stay alive next
        # to the output text being built (peak memory of a large file).
        del model
        reports.append({"pass": pass_.name, **result.report})
        warnings.extend(result.warnings)
        if result.edits:
            text = apply_edits(current.text, result.edits)
            current = SourceText(text, source.path)
    return PipelineOutcome(text, reports, warnings)
