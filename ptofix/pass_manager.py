"""Pass registry and pipelines (modelled on xDSL: one pass a file, `-p a,b{k=v}` pipelines).

A pass is a frozen value class (ptofix/records.py's ``Value``, not a dataclass: a one-file run
imports no ``dataclasses``) whose fields are its options: they cannot change once it is built.
It declares which artefact it works on (``kind = "cpp"`` for ptoas C++ or ``"mlir"`` for PTO IR),
reads the parsed model and returns a :class:`PassResult` with edits; it never touches text.
:func:`run_pipeline` parses, runs each pass, applies edits in one place and re-parses before the
next pass.

Passes live in ``passes/`` (installed as ``ptofix.passes``); the module ``foo_bar.py`` defines
``PASS = FooBarPass`` whose ``name`` is ``foo-bar``, and :data:`PASSES` registers it by name with a
lazy loader, so listing passes imports nothing heavy.

Options are typed fields (``bool``, ``int``, ``str``, ``Literal[...]`` for a closed set of
words, ``tuple[T, ...]`` for a comma list, ``tuple[int, int]`` for ``A=B``). :func:`option_fields`
reads a pass's annotations once and derives from each field how its text (a ``-p name{k=v}``
value, a config key, a command-line value) is read and written back (:class:`PassOption`); the
base class checks every value against its field's type when a pass is built, from text or not.
A field's ``metadata`` (``records.field(metadata=...)``) may give a ``metavar`` and ``help`` (for error messages and the
command-line options generated from it, commands/arguments.py's ``add_pass_argument``) and a ``read`` function for
a text form richer than the type (aliases of a pattern).
"""
from __future__ import annotations

import functools
import importlib
import os
import re

# (ClassVar at run time: the pass modules' class constants are annotated with it.)
from typing import Any, ClassVar, Literal, get_args, get_origin

from .interpreter import gc_paused, recursion_headroom
from .records import Frozen, Value, field
from .source import Edit, PtofixError, SourceText, apply_edits, parse_integer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    Parser = Callable[[SourceText], Any]


class PassResult(Frozen):
    """What one pass made of one file: its edits, its report and its warnings (each result its
    own lists and dicts, made new when not given)."""

    edits: list[Edit] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What the pass gives beside its report, for renderings that read more than the report's
    # documented keys (pipe-v-barrier: "causes", every field of each decision's cause, for the
    # HTML page and the API). Not part of the report: JSON reports stay as documented.
    details: dict[str, Any] = field(default_factory=dict)


class Pass(Value):
    """Base class. Subclasses declare their options as annotated fields with defaults (keyword or
    positional arguments; ``records.field`` for metadata), a class-level ``name``, and check option
    values in ``__post_init__`` (raising ValueError)."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "cpp"
    summary: ClassVar[str] = ""
    # A Tile-form TPOP binds its tile to base + (i % LocalSlotNum) * SlotSize: a pass whose result
    # reads the TPipes' LocalSlotNum must not run before one that sets it (_check_order).
    reads_slot_numbers: ClassVar[bool] = False
    sets_slot_numbers: ClassVar[bool] = False

    def __post_init__(self) -> None:
        # Subclasses that check more call this first.
        for option in option_fields(type(self)):
            check_option_value(option, getattr(self, option.name))

    def apply(self, model: Any, source: SourceText) -> PassResult:  # pragma: no cover - interface
        raise NotImplementedError

    def input_files(self) -> tuple[str, ...]:
        """The files its options name for reading: known before any file is processed (also in
        -j workers), no output of the run may replace one (output.OutputOptions.option_inputs)."""
        return ()


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


class PassOption(Value):
    """One option of a pass: its field, and how its text is read and written."""
    name: str                   # the field's name
    key: str                    # as pipelines, config keys and messages spell it: `k_l` -> `k-l`
    type: Any                   # the resolved annotation
    default: Any
    read: Callable[[str], Any]  # text -> value (ValueError: why not)
    metavar: str                # the text form, for messages and --help ("" if plain)
    help: str

    def text(self, value: Any) -> str:
        """``value`` as ``read`` takes it back (the ``ptofix opt -p`` form)."""
        return _value_text(value)


_OPTION_FIELDS: dict[type, tuple[PassOption, ...]] = {}


def option_fields(cls: type[Pass]) -> tuple[PassOption, ...]:
    """The options of a pass class in declaration order (read once per class)."""
    known = _OPTION_FIELDS.get(cls)
    if known is not None:
        return known
    options = []
    for f in cls.field_specs.values():
        try:
            hint = f.resolved_type()
        except NameError as exc:     # (a class's own mistake: its annotation names nothing)
            raise TypeError(f"pass '{cls.name}': an option's type cannot be resolved: {exc}") from None
        key = f.name.replace("_", "-")
        metavar = str(f.metadata.get("metavar", ""))
        read = f.metadata.get("read") or _reader(hint, key)
        default = f.default if f.has_default else None
        options.append(PassOption(f.name, key, hint, default, _with_metavar(read, metavar), metavar,
                                  str(f.metadata.get("help", ""))))
    known = _OPTION_FIELDS[cls] = tuple(options)
    return known


def pass_options(cls: type[Pass]) -> dict[str, PassOption]:
    """A pass's options in declaration order, by field name."""
    return {option.name: option for option in option_fields(cls)}


def find_option(cls: type[Pass], key: str) -> PassOption:
    """The option ``key`` (``k-l`` or ``k_l``) of ``cls``, or the error listing its options."""
    options = {option.key: option for option in option_fields(cls)}
    option = options.get(key.replace("_", "-"))
    if option is None:
        raise PtofixError(f"pass '{cls.name}' has no option '{key}' (options: {', '.join(sorted(options)) or 'none'})")
    return option


def build_pass(name: str, options: Mapping[str, str], **values: Any) -> Pass:
    """The pass ``name`` with ``options`` given as text (a pipeline's ``{k=v}``, config values,
    command-line values) and ``values`` as typed field values."""
    cls = get_pass_class(name)
    kwargs: dict[str, Any] = dict(values)
    for key, raw in options.items():
        option = find_option(cls, key)
        try:
            kwargs[option.name] = option.read(raw)
        except ValueError as exc:
            raise PtofixError(f"pass '{name}': option '{option.key}': {exc}") from None
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise PtofixError(f"pass '{name}': {exc}") from None


def pipeline_text(passes: list[Pass]) -> str:
    """The passes as a ``ptofix opt -p`` pipeline: every option with a non-empty text or tuple
    value, every other one that differs from its default (`translation-unit=false`)."""
    items = []
    for pass_ in passes:
        given = []
        for option in option_fields(type(pass_)):
            value = getattr(pass_, option.name)
            if isinstance(value, (str, tuple)) and value or not isinstance(value, (str, tuple)) \
                    and value != option.default:
                given.append(f"{option.key}={option.text(value)}")
        items.append(pass_.name + ("{" + " ".join(given) + "}" if given else ""))
    return ",".join(items)


def check_option_value(option: PassOption, value: Any) -> None:
    """Raise ValueError (TypeError for a value of another Python type) unless ``value`` is one of
    ``option``'s type."""
    _check(option.type, value, option.key)


def _check(tp: Any, value: Any, key: str) -> None:
    origin = get_origin(tp)
    if origin is Literal:
        words = get_args(tp)
        if value not in words:
            shown = [f"'{word}'" for word in words if word != ""]     # ("": not set)
            listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
            raise ValueError(f"{key} must be {listed}, not '{value}'")
        return
    if origin is tuple:
        if not isinstance(value, tuple):
            raise TypeError(f"{key} must be a tuple, not {type(value).__name__}")
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            for item in value:
                _check(args[0], item, key)
        elif len(args) != len(value):
            raise ValueError(f"{key} must have {len(args)} parts, not {len(value)}")
        else:
            for item_type, item in zip(args, value, strict=True):
                _check(item_type, item, key)
        return
    if tp in (bool, int, str) and (type(value) is not tp):
        raise TypeError(f"{key} must be {tp.__name__}, not {type(value).__name__}")
    if tp not in (bool, int, str):
        raise TypeError(f"{key}: option type {tp} is not one a pass option may have")


def _reader(tp: Any, key: str) -> Callable[[str], Any]:
    """How the text of an option of type ``tp`` is read (ValueError: why not)."""
    if tp is bool:
        return _read_bool
    if tp is int:
        return _read_int
    if tp is str or get_origin(tp) is Literal:
        return str          # (a Literal's words are checked when the pass is built)
    if get_origin(tp) is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return functools.partial(_read_list, _reader(args[0], key))
        return functools.partial(_read_parts, tuple(_reader(arg, key) for arg in args))
    raise TypeError(f"option '{key}': type {tp} has no text form (bool, int, str, Literal, tuple)")


def _read_bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expects true/false, got '{text}'")


def _read_int(text: str) -> int:
    value = parse_integer(text)
    if value is None:
        raise ValueError(f"expects an integer, got '{text}'")
    return value


def _read_list(item: Callable[[str], Any], text: str) -> tuple[Any, ...]:
    """A comma list (blanks around items allowed, empty items skipped)."""
    values = []
    for part in text.split(","):
        if part.strip():
            try:
                values.append(item(part.strip()))
            except ValueError as exc:
                raise ValueError(f"item '{part.strip()}': {exc}") from None
    return tuple(values)


def _read_parts(parts: tuple[Callable[[str], Any], ...], text: str) -> tuple[Any, ...]:
    """``A=B`` (as many parts as the tuple type has)."""
    pieces = text.split("=")
    if len(pieces) != len(parts):
        raise ValueError(f"expects {len(parts)} parts joined by '=', got '{text}'")
    return tuple(read(piece.strip()) for read, piece in zip(parts, pieces, strict=True))


def _with_metavar(read: Callable[[str], Any], metavar: str) -> Callable[[str], Any]:
    """``read``, whose errors name the expected form when the field gives one."""
    if not metavar:
        return read
    return functools.partial(_read_as, read, metavar)


def _read_as(read: Callable[[str], Any], metavar: str, text: str) -> Any:
    try:
        return read(text)
    except ValueError as exc:
        raise ValueError(f"{exc} (expected {metavar})") from None


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join("=".join(map(_value_text, item)) if isinstance(item, tuple) else _value_text(item)
                        for item in value)
    return str(value)


class PipelineOutcome(Frozen):
    """What a pipeline made of one file: the text after every pass, and each pass's report."""

    text: str
    reports: list[dict[str, Any]]
    warnings: list[str]
    details: list[dict[str, Any]] = field(default_factory=list)    # each pass's PassResult.details




def run_pipeline(source: SourceText, passes: list[Pass], parsers: Mapping[str, Parser],
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
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower())


def _run_pipeline(source: SourceText, passes: list[Pass], parsers: Mapping[str, Parser],
                  models: dict[str, Any] | None) -> PipelineOutcome:
    text = source.text
    reports: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
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
        details.append(result.details)
        warnings.extend(result.warnings)
        if result.edits:
            text = apply_edits(current.text, result.edits)
            current = SourceText(text, source.path)
    return PipelineOutcome(text, reports, warnings, details)
