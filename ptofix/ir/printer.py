"""Normalise a pipe/FIFO op against its spec and print it in a target version's custom or generic form.

:func:`normalize` reads one parsed op (generic or custom) into a :class:`Canon`: inherent
attributes by spec name with typed values, discardable attributes kept verbatim, operands by
segment name. It checks everything against the target version and raises
:class:`~ptofix.source.PtofixError` at the op for what the target cannot take (an op or
attribute it does not have, a wrong segment count, a talloc with a pipe operand, ...).
``local_slot_num`` that the target rejects is not an error: it is moved to ``Canon.stripped``
so that the caller can record it in the sidecar (docs/reference/pto-ir.md §3).

:func:`print_custom` / :func:`print_generic` print the op text from the op name to its end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..pto.tpipe import MASK_DIRECTIONS
from ..source import PtofixError, SourceText
from .model import Attr, Operation, Value, compiled_arch, declared_arch
from .opspecs import ATTR_WIDTHS, AttrSpec, OpSyntax, first_version
from .versions import NEWEST, Version, resolve

_INT_RANGE = {"i8": (-128, 255), "i32": (-(2 ** 31), 2 ** 32 - 1)}


@dataclass
class Canon:
    op: Operation
    spec: OpSyntax
    target: Version
    attrs: dict[str, tuple[str, Any, Attr]] = field(default_factory=dict)   # name -> (kind, value, attr)
    discardable: list[Attr] = field(default_factory=list)
    operands: dict[str, tuple[Value, str | None]] = field(default_factory=dict)
    segments_in: list[int] | None = None
    result: Value | None = None
    result_type: str | None = None
    loc_text: str | None = None
    changes: list[str] = field(default_factory=list)
    stripped: dict[str, tuple[int, str]] = field(default_factory=dict)   # attr -> (value, reason)
    aliases: dict[str, str] = field(default_factory=dict)   # the module's type aliases (`!tv` -> its type)

    def int(self, name: str) -> int | None:
        got = self.attrs.get(name)
        return got[1] if got is not None and got[0] in ("int", "bool") else None


def _err(source: SourceText, offset: int, message: str) -> PtofixError:
    return PtofixError(message, source, offset)


_HINTS = {
    "ptr": lambda t: t.startswith("!pto.ptr"),
    "tensor_view": lambda t: t.startswith("!pto.tensor_view"),
    "i32": lambda t: t == "i32",
    "i64": lambda t: t == "i64",
    "index": lambda t: t == "index",
    "pipe": lambda t: t == "!pto.pipe",
    "entry": lambda t: t.startswith(("!pto.tile_buf", "!pto.tensor_view", "tensor<", "memref<")),
    "any": lambda t: True,
}


def _matches(hint: str, type_text: str | None, aliases: dict[str, str] | None = None) -> bool:
    if type_text is None:
        return True
    type_text = type_text.strip()
    return _HINTS.get(hint, _HINTS["any"])((aliases or {}).get(type_text, type_text))


def normalize(op: Operation, spec: OpSyntax, target: Version, source: SourceText,
              aliases: dict[str, str] | None = None) -> Canon:
    """Read the op (:func:`read_op`) and check it against ``target``. ``aliases``: the module's
    type aliases (Module.type_aliases), which an op's types may name."""
    if not spec.available(target):
        first = first_version(spec)
        raise _err(source, op.span.start, f"'{op.name}' is not available in ptoas {target.name}"
                                          f" (first version that has it: {first.name if first else 'none'})")
    c = read_op(op, spec, source, target, aliases)
    _check_dir_mask(c, source)
    _check_target(c, source)
    return c


def _check_dir_mask(c: Canon, source: SourceText) -> None:
    """A pipe init's direction is 1, 2 or 3 (pto/tpipe.py), the rule of every reader of the sidecar
    and of the IR's pipe inits (the LocalSlotNum pass): canonicalize must not write what they refuse."""
    dir_mask = c.attrs.get("dir_mask")
    if dir_mask is not None and dir_mask[1] not in MASK_DIRECTIONS:
        raise _err(source, dir_mask[2].span.start, f"'{c.op.name}' has dir_mask {dir_mask[1]}: only 1 (C2V), 2 (V2C) "
                                                   "and 3 (both) name a pipe direction")


def read_op(op: Operation, spec: OpSyntax, source: SourceText, target: Version | None = None,
            aliases: dict[str, str] | None = None) -> Canon:
    """Attributes by spec name with typed values and operands by segment name; no version checks."""
    c = Canon(op, spec, target or NEWEST, aliases=aliases or {})
    name = op.name
    at = op.span.start
    if op.results:
        c.result = op.results[0]
    if op.loc_span is not None:
        c.loc_text = source.text[op.loc_span.start:op.loc_span.end]

    # ---- attributes
    for attr in op.all_attrs():
        alias = attr.value_text.strip() if attr.value_text else ""
        if alias.startswith("#") and alias in c.aliases:
            raise _err(source, attr.span.start, f"'{name}': attribute '{attr.name}' is the alias '{alias}' "
                                                f"(= {c.aliases[alias]}): ptofix does not read attribute aliases; "
                                                "write the value")
        if attr.name == "operandSegmentSizes":
            c.segments_in = list(attr.value) if attr.kind == "array" and attr.value is not None else None
            if c.segments_in is None:
                raise _err(source, attr.span.start, f"'{name}': operandSegmentSizes must be array<i32: ...>")
            if attr.array_elem_type not in (None, "i32"):
                c.changes.append(f"operandSegmentSizes array<{attr.array_elem_type}> -> array<i32>")
            continue
        a_spec = spec.attr(attr.name)
        if a_spec is None:
            # Beside a `<{...}>` properties dictionary (or the custom form's keyword clause, which
            # holds the inherent attributes) the trailing `{...}` holds discardable attributes
            # only: ptoas ignores them, and the printers carry them over.
            beside_properties = (op.properties is not None or op.keyword_attrs is not None) \
                and op.attributes is not None and any(attr is a for a in op.attributes.attrs)
            if attr.name.startswith("__") or "." in attr.name or beside_properties:
                c.discardable.append(attr)
                continue
            known = ", ".join(a.name for a in spec.attrs) or "none"
            raise _err(source, attr.span.start, f"'{name}' has no attribute '{attr.name}' in any ptoas version"
                                                f" (known: {known})")
        if a_spec.name in c.attrs:
            raise _err(source, attr.span.start, f"'{name}': duplicate attribute '{a_spec.name}'")
        kind, value = _typed_attribute(c, a_spec, attr, source)
        c.attrs[a_spec.name] = (kind, value, attr)
    if op.is_generic and op.attributes is not None and op.properties is None and c.attrs:
        c.changes.append("inherent attributes {} -> <{}>")

    # ---- operands
    _assign_operands(c, source)

    # ---- result
    if spec.result is not None:
        if op.is_generic:
            types = op.result_types or []
            if len(types) != 1 or c.result is None:
                raise _err(source, at, f"'{name}' must have exactly one result ({spec.result}), got {len(types)}")
            c.result_type = types[0]
        else:
            c.result_type = op.result_type
        if c.result_type is not None and not _matches(spec.result, c.result_type, aliases):
            raise _err(source, at, f"'{name}' result must be {spec.result}, got '{c.result_type}'")
    elif op.is_generic and op.result_types:
        raise _err(source, at, f"'{name}' has no results, got {len(op.result_types)}")
    return c


def _typed_attribute(c: Canon, a_spec: AttrSpec, attr: Attr, source: SourceText) -> tuple[str, Any]:
    """The kind and value of an attribute checked against its spec's type (an integer in range, a
    bool, a string, a symbol); an integer 0/1 given for a bool is read as one (a change)."""
    name = c.op.name
    kind, value = attr.kind, attr.value
    if a_spec.type in ("i8", "i32"):
        # (`split = true` is an i1: every ptoas rejects it for an integer attribute, so it is not
        # read as 1.)
        if kind != "int":
            raise _err(source, attr.span.start, f"'{name}': attribute '{a_spec.name}' must be an integer"
                                                f" ({a_spec.type}), got '{attr.value_text}'")
        lo, hi = _INT_RANGE[a_spec.type]
        if not lo <= value <= hi:
            raise _err(source, attr.span.start, f"'{name}': {a_spec.name} = {value} does not fit {a_spec.type}")
        if attr.type_text is not None and attr.type_text != a_spec.type:
            c.changes.append(f"{a_spec.name}: {attr.type_text} -> {a_spec.type}")
    elif a_spec.type == "bool":
        if kind == "int" and value in (0, 1):
            kind, value = "bool", bool(value)
            c.changes.append(f"{a_spec.name}: integer -> bool")
        if kind != "bool":
            raise _err(source, attr.span.start, f"'{name}': attribute '{a_spec.name}' must be true/false")
    elif a_spec.type == "str" and kind != "string":
        raise _err(source, attr.span.start, f"'{name}': attribute '{a_spec.name}' must be a string")
    elif a_spec.type == "symbol" and kind != "symbol":
        raise _err(source, attr.span.start, f"'{name}': attribute '{a_spec.name}' must be a symbol (@name)")
    return kind, value


def _assign_operands(c: Canon, source: SourceText) -> None:
    op, spec = c.op, c.spec
    name = op.name
    at = op.span.start
    if not op.is_generic:
        # custom form: keyword clauses map directly; positional ones by the op's syntax
        pos: list[tuple[Value, str | None]] = []
        for clause in op.operand_clauses:
            if clause.keyword is not None:
                if spec.operand(clause.keyword) is None:
                    raise _err(source, clause.span.start, f"'{name}' has no operand '{clause.keyword}'")
                c.operands[clause.keyword] = (clause.value, clause.type_text)
            else:
                pos.append((clause.value, clause.type_text))
        for call, values in op.calls.items():
            if spec.operand(call) is None:
                raise _err(source, values[0].span.start if values else at, f"'{name}' has no '{call}(...)' clause")
            c.operands[call] = (values[0], "i64" if call == "aiv_subblockid" else None)
        if pos:
            names = [o.name for o in spec.operands if o.name not in c.operands and o.name != "aiv_subblockid"]
            if spec.name in ("pto.tfree",) and len(pos) == 1:
                names = ["pipe_handle"]
            if len(pos) > len(names):
                raise _err(source, pos[len(names)][0].span.start, f"'{name}': too many operands")
            for (value, type_text), oname in zip(pos, names, strict=False):
                if type_text is None:
                    o = spec.operand(oname)
                    hint_types = {"index": "index", "i32": "i32", "i64": "i64", "pipe": "!pto.pipe"}
                    type_text = hint_types.get(o.hint) if o else None
                c.operands[oname] = (value, type_text)
        return

    values = op.operands
    types = op.operand_types or []
    if len(types) != len(values):
        raise _err(source, op.type_span.start if op.type_span else at,
                   f"'{name}': {len(values)} operands but {len(types)} operand types")
    if not spec.operands and values:
        if spec.name in ("pto.talloc_to_aiv", "pto.talloc_to_aic"):
            raise _err(source, values[0].span.start,
                       f"'{name}' takes no operands in any ptoas version: the pipe is selected by the 'id' "
                       f"attribute (the id of the matching aic/aiv_initialize_pipe), not by a "
                       f"'{types[0]}' operand; write {name} {{id = N, split = S}} -> !pto.tensor_view<...>")
        raise _err(source, values[0].span.start, f"'{name}' takes no operands, got {len(values)}")
    layouts = spec.segment_layouts()
    if c.segments_in is not None and len(c.segments_in) in layouts:
        names = layouts[len(c.segments_in)]
        if sum(c.segments_in) != len(values):
            raise _err(source, at, f"'{name}': operandSegmentSizes sums to {sum(c.segments_in)} but the op has"
                                   f" {len(values)} operands")
        i = 0
        for oname, size in zip(names, c.segments_in, strict=False):
            o = spec.operand(oname)
            if size > 1 and not (o and o.variadic):
                raise _err(source, at, f"'{name}': segment '{oname}' has size {size}")
            if o is not None and o.variadic:
                c.operands[oname] = (values[i:i + size], types[i:i + size])   # type: ignore[assignment]
            elif size == 1:
                c.operands[oname] = (values[i], types[i])
            i += size
        return
    if c.segments_in is not None:
        expected = sorted(layouts) or [0]
        c.changes.append(f"operandSegmentSizes had {len(c.segments_in)} entries (no ptoas version uses that for "
                         f"'{name}'; expected {' or '.join(map(str, expected))}); operands matched by type")
    if any(o.variadic for o in spec.operands):
        raise _err(source, at, f"'{name}': cannot match operands without a valid operandSegmentSizes")
    _assign_by_type(c, values, types, source)


def _assign_by_type(c: Canon, values: list[Value], types: list[str], source: SourceText) -> None:
    op, spec = c.op, c.spec
    name = op.name
    specs = list(spec.operands)
    if spec.family == "frontend-init":
        # c2v/v2c are both i32: with one i32, the direction picks it (docs/reference/pto-ir.md §2).
        n_i32 = sum(1 for t in types if c.aliases.get(t.strip(), t.strip()) == "i32")
        if n_i32 == 1:
            dm = c.int("dir_mask")
            if dm not in (1, 2):
                # Both directions (or none known): the one i32 may be either buffer.
                raise _err(source, op.span.start, f"'{name}': one i32 operand with dir_mask {dm}: cannot tell "
                           "whether it is c2v_consumer_buf or v2c_consumer_buf (give operandSegmentSizes)")
            drop = "c2v_consumer_buf" if dm == 2 else "v2c_consumer_buf"
            specs = [o for o in specs if o.name != drop]
    i = 0
    for o in specs:
        if i < len(values) and _matches(o.hint, types[i], c.aliases):
            c.operands[o.name] = (values[i], types[i])
            i += 1
        elif not o.optional and o.optional_since is None and o.name not in ("entry",):
            got = f"'{types[i]}'" if i < len(values) else "nothing"
            raise _err(source, values[i].span.start if i < len(values) else op.span.start,
                       f"'{name}': expected operand '{o.name}' ({o.hint}), got {got}")
    if i < len(values):
        raise _err(source, values[i].span.start, f"'{name}': unexpected operand {values[i].name} of type '{types[i]}'")


def _check_target(c: Canon, source: SourceText) -> None:
    spec, v, op = c.spec, c.target, c.op
    name = op.name
    for aname in list(c.attrs):
        a_spec = spec.attr(aname)
        kind, value, attr = c.attrs[aname]
        if a_spec is None:
            raise _err(source, attr.span.start, f"attribute '{aname}' of '{name}' is not known to ptofix")
        if a_spec.available(v):
            continue
        if aname == "local_slot_num":
            introduced = first_version(spec, attr=aname)
            c.stripped[aname] = (value, f"ptoas {v.name} has no 'local_slot_num' on '{name}'"
                                         f" (first version: {introduced.name if introduced else 'none'})")
            del c.attrs[aname]
            continue
        if a_spec.default is not None and value == a_spec.default:
            c.changes.append(f"dropped {aname} = {value} (its default; not accepted by ptoas {v.name})")
            del c.attrs[aname]
            continue
        first = first_version(spec, attr=aname)
        raise _err(source, attr.span.start, f"attribute '{aname}' of '{name}' is not accepted by ptoas {v.name}"
                                            f" (first version that has it: {first.name if first else 'none'})")
    for a_spec in spec.attrs_at(v):
        if a_spec.required and a_spec.name not in c.attrs:
            raise _err(source, op.span.start, f"'{name}' is missing required attribute '{a_spec.kw}'")
    for oname in c.operands:
        o = spec.operand(oname)
        if o is None or not o.available(v):
            first = first_version(spec, operand=oname)
            used = c.operands[oname][0]
            raise _err(source, used.span.start if isinstance(used, Value) else op.span.start,
                       f"operand '{oname}' of '{name}' is not accepted by ptoas {v.name}"
                       f" (first version that has it: {first.name if first else 'none'})")
    for o in spec.operands_at(v):
        if not o.is_optional(v) and o.name not in c.operands:
            hint = ""
            if o.optional_since:
                hint = f" (optional from ptoas {o.optional_since})"
            raise _err(source, op.span.start, f"'{name}' needs operand '{o.name}' for ptoas {v.name}{hint}")
    for attr_name, (lowest, expected) in _I32_VERIFIER_RANGES.items():
        got = c.attrs.get(attr_name)
        # An I32Attr is signed: 4294967295 (0xFFFFFFFF) is -1 to the verifier.
        if got is not None and got[0] == "int" and not lowest <= got[1] < 2 ** 31:
            raise _err(source, got[2].span.start, f"'{name}' has {attr_name} = {got[1]}: every ptoas expects "
                                                  f"{expected} (a signed 32-bit value)")
    local = c.attrs.get("local_slot_num")
    if local is not None and local[0] == "int" and spec.family in ("frontend-init", "lowered-init"):
        # The verifier (and the C++ side, which takes a stripped value from the sidecar) wants
        # local_slot_num <= slot_num: the explicit one, else 8 (one direction) or 4 (DIR_BOTH).
        slots = c.int("slot_num") or (4 if c.int("dir_mask") == 3 else 8)
        if local[1] > slots:
            raise _err(source, local[2].span.start, f"'{name}' has local_slot_num = {local[1]} but slot_num "
                                                    f"{slots}: every ptoas expects local_slot_num <= slot_num")
    split = c.attrs.get("split")
    if split is not None and split[0] == "int":
        # Every version's verifier takes split 0, 1 or 2 (`verifySplitAttr`); newest (e32488c9) also
        # 3 and 4 (up/down and left/right halves of a split).
        highest = 4 if v >= resolve("newest") else 2
        if not 0 <= split[1] <= highest:
            raise _err(source, split[2].span.start, f"'{name}' has split = {split[1]}: ptoas {v.name} takes 0 to "
                       f"{highest}" + ("" if highest == 4 else f" ({split[1]} is accepted from ptoas newest)"
                                       if 0 <= split[1] <= 4 else ""))
    if spec.family == "frontend-init" and "gm_slot_tensor" in c.operands:
        _check_gm_slot_tensor(c, source)
    if spec.name == "pto.initialize_l2g2l_pipe" and "peer_local_addr" in c.operands and "local_addr" not in c.operands:
        raise _err(source, op.span.start, f"'{name}': peer_local_addr without local_addr")
    if spec.family == "frontend-init" and "gm_slot_tensor" not in c.operands \
            and resolve("v0.35") <= v < resolve("newest") \
            and not ("c2v_consumer_buf" in c.operands and "v2c_consumer_buf" in c.operands):
        # v0.35-v0.45 verify a local pipe init with both `c2v_consumer_buf` and `v2c_consumer_buf`
        # (PTO.cpp of those versions: "to be provided together", "expects local pipe init to provide
        # ..."); only newest takes the one its direction uses.
        raise _err(source, op.span.start, f"'{name}' needs both 'c2v_consumer_buf' and 'v2c_consumer_buf' for "
                                          f"ptoas {v.name} (or 'gm_slot_tensor')")
    _local_slot_rules(c, source)


# Every version's verifier: (lowest value, what it says it expects) of these I32 attributes.
_I32_VERIFIER_RANGES = {
    "id": (0, "a non-negative pipe id"),
    "slot_size": (1, "a slot_size greater than 0"),
    "flag_base": (0, "a non-negative flag_base"),
    "slot_num": (1, "it greater than 0"),
    "local_slot_num": (1, "it greater than 0"),
}


def _check_gm_slot_tensor(c: Canon, source: SourceText) -> None:
    """A frontend init on a GM tensor (`gm_slot_tensor`): never with `gm_slot_buffer`; v0.35-v0.45
    take it on a2/a3 only and with no consumer buffer beside it ("globaltensor pipe init expects only 'gm_slot_tensor'",
    PTO.cpp at 393929e9); newest takes exactly `c2v_consumer_buf` with dir_mask 1 (a GM-backed
    tile pipe, PTO.cpp at e32488c9)."""
    op, v = c.op, c.target
    name = op.name
    if "gm_slot_buffer" in c.operands:
        raise _err(source, op.span.start, f"'{name}': 'gm_slot_tensor' cannot be combined with 'gm_slot_buffer'")
    if v < resolve("newest") and _module_arch(op, source) == "a5":
        # v0.35-v0.45 verify "globaltensor pipe entries are supported for a2/a3 l2g2l pipes".
        raise _err(source, op.span.start, f"'{name}': ptoas {v.name} takes 'gm_slot_tensor' only for a2/a3, and "
                                          "the module is for a5")
    c2v, v2c = "c2v_consumer_buf" in c.operands, "v2c_consumer_buf" in c.operands
    if not (c2v or v2c):
        return
    supported = c2v and not v2c and c.int("dir_mask") == 1
    if v < resolve("newest"):
        raise _err(source, op.span.start, f"'{name}': ptoas {v.name} takes 'gm_slot_tensor' with no consumer buffer"
                   + (" (with 'c2v_consumer_buf' and dir_mask 1 from ptoas newest)" if supported else ""))
    if not supported:
        raise _err(source, op.span.start, f"'{name}': with 'gm_slot_tensor', ptoas {v.name} takes only "
                   "'c2v_consumer_buf' and dir_mask 1 (a GM-backed tile pipe)")


def _local_slot_rules(c: Canon, source: SourceText) -> None:
    """Strip a local_slot_num the target's verifier rejects (docs/reference/pto-ir.md §3)."""
    if "local_slot_num" not in c.attrs:
        return
    spec, v = c.spec, c.target
    value = c.attrs["local_slot_num"][1]
    reason = None
    if spec.name == "pto.initialize_l2g2l_pipe":
        if "local_addr" not in c.operands and v >= resolve("v0.35"):
            reason = "'local_slot_num' is only allowed when 'local_addr' is present (GM-only pipe)"
    elif spec.family == "frontend-init":
        has_tensor = "gm_slot_tensor" in c.operands
        has_local = "c2v_consumer_buf" in c.operands or "v2c_consumer_buf" in c.operands
        if has_tensor:
            # v0.35/v0.36: any gm_slot_tensor init; newest: only the global-only form (§3 table).
            newest_ok = v >= resolve("newest") and has_local and c.int("dir_mask") == 1
            if not newest_ok:
                reason = "globaltensor pipe init does not use 'local_slot_num'"
        arch = _module_arch(c.op, source)
        if reason is None and arch == "a5" and v >= resolve("v0.45"):
            reason = "'local_slot_num' is only supported for a2/a3 frontend pipe lowering"
    if reason is not None:
        c.stripped["local_slot_num"] = (value, reason)
        del c.attrs["local_slot_num"]


def _module_arch(op: Operation, source: SourceText) -> str:
    top = op
    while top.parent is not None:
        top = top.parent
    return compiled_arch(declared_arch(top, source), source.text)


# ---------------------------------------------------------------------------------------------
# printing

def _custom_value(c: Canon, aname: str) -> str:
    kind, value, attr = c.attrs[aname]
    if kind == "int":
        return str(value)
    if kind == "bool":
        return "true" if value else "false"
    return attr.value_text


def _generic_value(c: Canon, aname: str) -> str:
    kind, value, attr = c.attrs[aname]
    a_spec = c.spec.attr(aname)
    assert a_spec is not None       # every kept attribute was checked against the spec
    if kind == "int":
        return f"{value} : {ATTR_WIDTHS.get(aname, a_spec.type)}"
    if kind == "bool":
        return "true" if value else "false"
    text = attr.value_text
    if aname == "location" and text.startswith("<"):
        return "#pto.address_space" + text
    if attr.type_text and a_spec.type not in ("str", "symbol", "enum"):
        text += " : " + attr.type_text
    return text


def _kw_clause(c: Canon, order: list[str]) -> str:
    parts = []
    for aname in order:
        if aname in c.attrs:
            a_spec = c.spec.attr(aname)
            assert a_spec is not None
            parts.append(f"{a_spec.kw} = {_custom_value(c, aname)}")
    return "{" + ", ".join(parts) + "}"


def _discardable_text(c: Canon, extra: list[str] | None = None) -> str:
    parts = list(extra or [])
    for attr in c.discardable:
        parts.append(c.op_source_text(attr.span) if hasattr(c, "op_source_text") else _attr_text(c, attr))
    return (" {" + ", ".join(parts) + "}") if parts else ""


def _attr_text(c: Canon, attr: Attr) -> str:
    return c._text[attr.span.start:attr.span.end]  # type: ignore[attr-defined]


def _need_type(c: Canon, oname: str) -> str:
    value, type_text = c.operands[oname]
    if type_text is None:
        raise PtofixError(f"'{c.op.name}': type of operand '{oname}' is unknown", c._source, value.span.start)  # type: ignore[attr-defined]
    return type_text


def print_custom(c: Canon, source: SourceText) -> str:
    """Custom form of the op from its name to its end (results prefix not included)."""
    c._text = source.text  # type: ignore[attr-defined]
    c._source = source     # type: ignore[attr-defined]
    spec, name = c.spec, c.spec.name
    order = [a.name for a in spec.attrs]
    loc = f" {c.loc_text}" if c.loc_text else ""
    sub = ""
    if "aiv_subblockid" in c.operands:
        sub = f" aiv_subblockid({c.operands['aiv_subblockid'][0].name})"
    form = spec.custom
    if form == "frontend_init":
        # §1.1: `{...}` then `(kw = %v : T, ...)` with no space between `}` and `(`.
        kw_attrs = [a for a in order if a != "acc_push_epilogue"]
        extra = [f"acc_push_epilogue = {_custom_value(c, 'acc_push_epilogue')}"] \
            if "acc_push_epilogue" in c.attrs and not c.target >= resolve("v0.35") else []
        if "acc_push_epilogue" in c.attrs and not extra:
            kw_attrs.append("acc_push_epilogue")
        ops = [f"{o.name} = {c.operands[o.name][0].name} : {_need_type(c, o.name)}"
               for o in spec.operands if o.name in c.operands]
        return f"{name} {_kw_clause(c, kw_attrs)}({', '.join(ops)}){_discardable_text(c, extra)}{loc}"
    if form == "braces_arrow":
        return f"{name} {_kw_clause(c, order)}{_discardable_text(c)} -> {c.result_type}{loc}"
    if form == "paren_typed_braces":
        return f"{name}({c.operands['tile'][0].name} : {_need_type(c, 'tile')}) {_kw_clause(c, order)}{sub}" \
               f"{_discardable_text(c)}{loc}"
    if form == "tpop_from":
        dims = ""
        if "valid_row" in c.operands or "valid_col" in c.operands:
            if not ("valid_row" in c.operands and "valid_col" in c.operands):
                raise PtofixError(f"'{name}': valid_row and valid_col must be given together", source, c.op.span.start)
            dims = f"({c.operands['valid_row'][0].name}, {c.operands['valid_col'][0].name})"
        return f"{name}{dims} {_kw_clause(c, order)}{sub}{_discardable_text(c)} -> {c.result_type}{loc}"
    if form == "tfree_from":
        entry = ""
        if "entry" in c.operands:
            entry = f"({c.operands['entry'][0].name} : {_need_type(c, 'entry')})"
        return f"{name}{entry} {_kw_clause(c, order)}{_discardable_text(c)}{loc}"
    if form in ("l2g2l", "l2l"):
        kw_attrs = [a for a in order if a != "acc_push_epilogue"]
        extra = []
        if "acc_push_epilogue" in c.attrs:
            extra = [f"acc_push_epilogue = {_custom_value(c, 'acc_push_epilogue')}"]
        ops = [f"{c.operands[o.name][0].name} : {_need_type(c, o.name)}"
               for o in spec.operands if o.name in c.operands]
        discardable = _discardable_text(c, extra)
        return f"{name} {_kw_clause(c, kw_attrs)}({', '.join(ops)}){discardable} -> {c.result_type}{loc}"
    if form == "paren_pair":
        names = [o.name for o in spec.operands if o.name in c.operands and o.name != "aiv_subblockid"]
        vals = ", ".join(c.operands[n][0].name for n in names)
        tys = ", ".join(_need_type(c, n) for n in names)
        return f"{name}({vals} : {tys}) {_kw_clause(c, order)}{sub}{_discardable_text(c)}{loc}"
    if form == "attr_arrow":
        return f"{name}{_discardable_text(c)} -> {c.result_type}{loc}"
    raise PtofixError(f"'{name}' has no custom printer", source, c.op.span.start)


def print_generic(c: Canon, source: SourceText) -> str:
    """Generic form with exact widths, sorted ``<{}>`` properties and the target's segments."""
    c._text = source.text  # type: ignore[attr-defined]
    c._source = source     # type: ignore[attr-defined]
    spec = c.spec
    props = []
    for aname in sorted(c.attrs):
        props.append((aname, f"{aname} = {_generic_value(c, aname)}"))
    operand_names: list[str] = []
    values: list[str] = []
    types: list[str] = []
    segs: list[int] = []
    for o in spec.operands_at(c.target):
        got = c.operands.get(o.name)
        if got is None:
            segs.append(0)
            continue
        value, type_text = got
        if isinstance(value, list):
            values.extend(v.name for v in value)
            types.extend(type_text)   # type: ignore[arg-type]
            segs.append(len(value))
        else:
            values.append(value.name)
            types.append(_need_type(c, o.name))
            segs.append(1)
        operand_names.append(o.name)
    if spec.has_segments(c.target):
        props.append(("operandSegmentSizes", f"operandSegmentSizes = array<i32: {', '.join(map(str, segs))}>"))
    props.sort()
    prop_text = f" <{{{', '.join(p for _, p in props)}}}>" if props else ""
    disc = ""
    if c.discardable:
        disc = " {" + ", ".join(source.text[a.span.start:a.span.end] for a in c.discardable) + "}"
    results = c.result_type if c.result_type is not None else "()"
    loc = f" {c.loc_text}" if c.loc_text else ""
    return f'"{spec.name}"({", ".join(values)}){prop_text}{disc} : ({", ".join(types)}) -> {results}{loc}'
