"""Op specs per ptoas version range: attribute names and widths, operand segments, custom syntax.

Facts are from docs/reference/pto-ir.md (cited per op as "§1.x") and the PTOAS
ODS (``include/PTO/IR/PTOOps.td``) at the release commits listed in :mod:`ptofix.ir.versions`.

Conventions (§4 "General custom-assembly conventions"):

* generic form needs exact widths: ``dir_mask``/``split`` **i8**; ``id``, ``slot_size``,
  ``slot_num``, ``local_slot_num``, ``flag_base``, ``size``, ``base`` **i32**; ``nosplit``,
  ``autoAlloc`` bool.
* custom form writes ODS-typed attributes bare (``{split = 1}``); a ``: iN`` suffix is a parse
  error there.
* registered ops print inherent attributes in ``<{...}>`` sorted by name; ``{...}`` is accepted
  on input (moved into properties), ``operandSegmentSizes`` must have the exact length (§1
  "General MLIR facts").

``since``/``until`` are version names (``until`` = first version *without* the feature).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .versions import VERSIONS, Version, resolve

V0426 = "2026-04-17"
V031 = "v0.31"
V035 = "v0.35"
V036 = "v0.36"
V045 = "v0.45"
VNEW = "newest"

#: Exact generic widths (docs/reference/pto-ir.md §4).
ATTR_WIDTHS = {"dir_mask": "i8", "split": "i8", "id": "i32", "slot_size": "i32", "slot_num": "i32",
               "local_slot_num": "i32", "flag_base": "i32", "size": "i32", "base": "i32"}


@dataclass(frozen=True)
class AttrSpec:
    name: str                    # property name (generic form)
    type: str                    # i8 | i32 | bool | str | symbol | enum
    since: str = V0426
    until: str | None = None
    required: bool = False
    keyword: str | None = None   # custom-syntax keyword when it differs (reserve_buffer `auto`)
    default: Any = None          # DefaultValuedOptionalAttr value (printed only when different)

    @property
    def kw(self) -> str:
        return self.keyword or self.name

    def available(self, v: Version) -> bool:
        return v >= resolve(self.since) and (self.until is None or v < resolve(self.until))


@dataclass(frozen=True)
class OperandSpec:
    name: str
    hint: str = "any"            # ptr | tensor_view | i32 | index | i64 | pipe | entry | any
    optional: bool = False
    optional_since: str | None = None   # required before this version, optional from it
    since: str = V0426
    until: str | None = None
    variadic: bool = False

    def available(self, v: Version) -> bool:
        return v >= resolve(self.since) and (self.until is None or v < resolve(self.until))

    def is_optional(self, v: Version) -> bool:
        return self.optional or (self.optional_since is not None and v >= resolve(self.optional_since))


@dataclass(frozen=True)
class CommaChainRule:
    """Custom-form printability: optional keyword clauses that each open with a literal ``,``.

    For an ODS format such as ``slot_num = $n (`,` `local_slot_num` = $l^)? (`,` `flag_base` = $f^)?
    (`,` `nosplit` = $s^)? `}` ``, MLIR's generated parser tries the groups in order and commits to
    the first one as soon as its leading ``,`` parses; it then demands that group's keyword. A
    later clause without the earlier ones is therefore a parse error ("expected 'local_slot_num'"),
    although the printer happily writes it. The clauses present must form a *prefix* of ``attrs``;
    anything else only round-trips in generic form.

    Established by running the real ``ptoas`` v0.45 (tonibohnlein/PTOAS 393929e9, built locally)
    with ``ptoas --pto-arch=a3 --enable-insert-sync k.pto`` on a one-function cube kernel holding one
    init over a ``!pto.tensor_view<16x16xf32>`` GM slot (``make_tensor_view`` of a ``!pto.ptr<f32>``
    argument), ``%c0_i32 : i32`` as local_addr where noted:

    ====================================================================== ====================================
    ``initialize_l2g2l_pipe {dir_mask, slot_size, slot_num ...}(...)``     v0.45 result
    ====================================================================== ====================================
    ``slot_num = 8`` (nothing after it), GM-only                           accepted
    ``slot_num = 8, flag_base = 0``, GM-only or with local_addr            parse error: expected 'local_slot_num'
    ``slot_num = 8, nosplit = true``, GM-only                              parse error: expected 'local_slot_num'
    ``slot_num = 8, local_slot_num = 2, flag_base = 0``, GM-only           verifier: 'local_slot_num' is only
                                                                           allowed when 'local_addr' is present
    ``slot_num = 8, local_slot_num = 2, flag_base = 0``, with local_addr   accepted
    ``slot_num = 8, local_slot_num = 2, nosplit = true``, with local_addr  parse error: expected 'flag_base'
    ``slot_num = 8}(...) {flag_base = 0 : i32}`` (trailing attr-dict)      accepted
    generic ``<{dir_mask = 1 : i8, flag_base = 0 : i32,                    accepted
    operandSegmentSizes = array<i32: 1, 0, 0>, ...}>``, GM-only
    ``initialize_l2l_pipe {..., slot_num = 8, nosplit = true}``            parse error: expected 'flag_base'
    ``initialize_l2l_pipe {..., slot_num = 8, flag_base = 0, nosplit}``    accepted
    ====================================================================== ====================================

    So a GM-only ``initialize_l2g2l_pipe`` with ``flag_base`` (its ``local_slot_num`` must go: the
    verifier rejects it) has no custom form v0.45 accepts; canonicalize prints it generic. The
    assembly format is the same at every listed release (PTOAS ``include/PTO/IR/PTOOps.td``,
    ``InitializeL2G2LPipeOp``/``InitializeL2LPipeOp`` at v0.31, v0.35, v0.36, v0.45 and main), so
    the rule is listed for all of them; only v0.45 was run.
    """
    attrs: tuple[str, ...]
    since: str = V0426
    until: str | None = None

    def available(self, v: Version) -> bool:
        return v >= resolve(self.since) and (self.until is None or v < resolve(self.until))

    def blocker(self, present, v: Version) -> str | None:
        """Why the custom form with attributes ``present`` does not parse in ``v`` (None: it does)."""
        if not self.available(v):
            return None
        have = [a for a in self.attrs if a in present]
        prefix = list(self.attrs[:len(have)])
        if have == prefix:
            return None
        missing = next(a for a in self.attrs if a not in present)
        after = next(a for a in self.attrs[self.attrs.index(missing):] if a in present)
        return (f"ptoas {v.name}'s parser commits to the optional ', {missing} = ...' clause after the"
                f" preceding keyword, so '{after}' without '{missing}' only parses in generic form")


@dataclass(frozen=True)
class OpSyntax:
    name: str
    family: str                  # frontend-init | frontend-data | lowered-init | lowered-data | buffer | tile
    since: str
    attrs: tuple[AttrSpec, ...]
    operands: tuple[OperandSpec, ...]
    segments_since: str | None   # AttrSizedOperandSegments from this version (None: never)
    result: str | None           # result type hint, None for no result
    custom: str | None           # custom printer id in ptofix.ir.printer (None: keep generic)
    syntax: str                  # custom syntax, for --help/docs
    ref: str = ""                # where the facts come from
    until: str | None = None
    custom_rules: tuple[CommaChainRule, ...] = ()   # when the custom form does not round-trip

    def custom_blocker(self, present, v: Version | str) -> str | None:
        """Why the target cannot parse this op's custom form with attributes ``present`` (None: it can)."""
        v = resolve(v)
        for rule in self.custom_rules:
            why = rule.blocker(present, v)
            if why is not None:
                return why
        return None

    def available(self, v: Version | str) -> bool:
        v = resolve(v)
        return v >= resolve(self.since) and (self.until is None or v < resolve(self.until))

    def attrs_at(self, v: Version | str) -> list[AttrSpec]:
        v = resolve(v)
        return [a for a in self.attrs if a.available(v)]

    def attr(self, name: str) -> AttrSpec | None:
        for a in self.attrs:
            if a.name == name or a.kw == name:
                return a
        return None

    def operands_at(self, v: Version | str) -> list[OperandSpec]:
        v = resolve(v)
        return [o for o in self.operands if o.available(v)]

    def operand(self, name: str) -> OperandSpec | None:
        for o in self.operands:
            if o.name == name:
                return o
        return None

    def has_segments(self, v: Version | str) -> bool:
        return self.segments_since is not None and resolve(v) >= resolve(self.segments_since)

    def segment_layouts(self) -> dict[int, list[str]]:
        """Segment count -> operand names, over all versions that use segments (newest wins)."""
        out: dict[int, list[str]] = {}
        for v in VERSIONS:
            if self.available(v) and self.has_segments(v):
                names = [o.name for o in self.operands_at(v)]
                out[len(names)] = names
        return out


def _fe_init(name: str) -> OpSyntax:
    # §1.1: HW-HEAD ODS format; v0.31 adds `id`; v0.35 (23447a4d) custom parser with
    # local_slot_num, gm_slot_tensor and 4 operand segments; v0.45 slot_num; newest acc_push_epilogue.
    return OpSyntax(
        name, "frontend-init", V0426,
        attrs=(AttrSpec("id", "i32", since=V031, default=0),
               AttrSpec("dir_mask", "i8", required=True),
               AttrSpec("slot_size", "i32", required=True),
               AttrSpec("slot_num", "i32", since=V045),
               AttrSpec("local_slot_num", "i32", since=V035),
               AttrSpec("nosplit", "bool"),
               AttrSpec("acc_push_epilogue", "enum", since=VNEW)),
        operands=(OperandSpec("gm_slot_buffer", "ptr", optional=True),
                  OperandSpec("gm_slot_tensor", "tensor_view", optional=True, since=V035),
                  OperandSpec("c2v_consumer_buf", "i32", optional_since=V035),
                  OperandSpec("v2c_consumer_buf", "i32", optional_since=V035)),
        segments_since=V035, result=None, custom="frontend_init",
        syntax=f"{name} {{[id = N, ]dir_mask = D, slot_size = S[, slot_num = N][, local_slot_num = L]"
               "[, nosplit = B]}(kw = %v : T, ...)"
               "  kw in gm_slot_buffer|gm_slot_tensor|c2v_consumer_buf|v2c_consumer_buf",
        ref="docs/reference/pto-ir.md §1.1")


def _fe_data(name: str, *, operands: tuple[OperandSpec, ...], segments_since: str | None, result: str | None,
             custom: str, syntax: str, since: str = V0426, ref: str = "") -> OpSyntax:
    return OpSyntax(name, "frontend-data", since,
                  attrs=(AttrSpec("id", "i32", since=V031, default=0), AttrSpec("split", "i8", required=True)),
                  operands=operands, segments_since=segments_since, result=result, custom=custom, syntax=syntax,
                  ref=ref)


_SUBBLOCK = OperandSpec("aiv_subblockid", "i64", optional=True, since=VNEW)

SPECS: dict[str, OpSyntax] = {}


def _add(spec: OpSyntax) -> None:
    SPECS[spec.name] = spec


for _n in ("pto.aic_initialize_pipe", "pto.aiv_initialize_pipe"):
    _add(_fe_init(_n))

# §1.2 talloc_to_*: PR606+ only, no operands (the pipe is selected by `id`).
for _n in ("pto.talloc_to_aiv", "pto.talloc_to_aic"):
    _add(_fe_data(_n, operands=(), segments_since=None, result="tensor_view", custom="braces_arrow", since=V035,
                  syntax=f"%e = {_n} {{[id = N, ]split = S}} -> !pto.tensor_view<...>",
                  ref="docs/reference/pto-ir.md §1.2"))

# §1.3 tpush_to_*: newest adds aiv_subblockid on tpush_to_aic only.
_add(_fe_data("pto.tpush_to_aiv", operands=(OperandSpec("tile", "entry"),), segments_since=None, result=None,
              custom="paren_typed_braces", syntax="pto.tpush_to_aiv(%t : T) {[id = N, ]split = S}",
              ref="docs/reference/pto-ir.md §1.3"))
_add(_fe_data("pto.tpush_to_aic", operands=(OperandSpec("tile", "entry"), _SUBBLOCK), segments_since=None, result=None,
              custom="paren_typed_braces",
              syntax="pto.tpush_to_aic(%t : T) {[id = N, ]split = S}[ aiv_subblockid(%x)]",
              ref="docs/reference/pto-ir.md §1.3"))

# §1.4 tpop_from_*: AttrSizedOperandSegments in every version; newest tpop_from_aic has 3.
_add(_fe_data("pto.tpop_from_aic", operands=(OperandSpec("valid_row", "index", optional=True),
                                            OperandSpec("valid_col", "index", optional=True), _SUBBLOCK),
              segments_since=V0426, result="entry", custom="tpop_from",
              syntax="%t = pto.tpop_from_aic[(%vr, %vc)] {[id = N, ]split = S}[ aiv_subblockid(%x)] -> T",
              ref="docs/reference/pto-ir.md §1.4"))
_add(_fe_data("pto.tpop_from_aiv", operands=(OperandSpec("valid_row", "index", optional=True),
                                            OperandSpec("valid_col", "index", optional=True)),
              segments_since=V0426, result="entry", custom="tpop_from",
              syntax="%t = pto.tpop_from_aiv[(%vr, %vc)] {[id = N, ]split = S} -> T",
              ref="docs/reference/pto-ir.md §1.4"))

# §1.5 tfree_from_*: optional entry operand from PR606 (v0.35).
for _n in ("pto.tfree_from_aic", "pto.tfree_from_aiv"):
    _add(_fe_data(_n, operands=(OperandSpec("entry", "entry", optional=True, since=V035),), segments_since=None,
                  result=None, custom="tfree_from", syntax=f"{_n}[(%e : T)] {{[id = N, ]split = S}}",
                  ref="docs/reference/pto-ir.md §1.5"))

# §1.7 lowered pipe ops.
_add(OpSyntax("pto.initialize_l2g2l_pipe", "lowered-init", V0426,
            attrs=(AttrSpec("dir_mask", "i8", required=True), AttrSpec("slot_size", "i32", required=True),
                   AttrSpec("slot_num", "i32", required=True), AttrSpec("local_slot_num", "i32"),
                   AttrSpec("flag_base", "i32"), AttrSpec("nosplit", "bool"),
                   AttrSpec("acc_push_epilogue", "enum", since=VNEW)),
            operands=(OperandSpec("gm_addr"), OperandSpec("local_addr", optional_since=V035),
                      OperandSpec("peer_local_addr", optional=True)),
            segments_since=V035, result="pipe", custom="l2g2l",
            syntax="%p = pto.initialize_l2g2l_pipe {dir_mask = D, slot_size = S, slot_num = N[, local_slot_num = L]"
                   "[, flag_base = F][, nosplit = B]}(%gm : T[, %local : T][, %peer : T]) -> !pto.pipe"
                   "  (fixed key order)",
            ref="docs/reference/pto-ir.md §1.7",
            custom_rules=(CommaChainRule(("local_slot_num", "flag_base", "nosplit")),)))
_add(OpSyntax("pto.initialize_l2l_pipe", "lowered-init", V0426,
            attrs=(AttrSpec("dir_mask", "i8", required=True), AttrSpec("slot_size", "i32", required=True),
                   AttrSpec("slot_num", "i32", required=True), AttrSpec("flag_base", "i32"),
                   AttrSpec("nosplit", "bool"), AttrSpec("acc_push_epilogue", "enum", since=VNEW)),
            operands=(OperandSpec("local_addr"), OperandSpec("peer_local_addr", optional=True)),
            segments_since=None, result="pipe", custom="l2l",
            syntax="%p = pto.initialize_l2l_pipe {dir_mask = D, slot_size = S, slot_num = N[, flag_base = F]"
                   "[, nosplit = B]}(%local : T[, %peer : T]) -> !pto.pipe", ref="docs/reference/pto-ir.md §1.7",
            custom_rules=(CommaChainRule(("flag_base", "nosplit")),)))
_SPLIT = (AttrSpec("split", "i8", required=True),)
_add(OpSyntax("pto.tpush", "lowered-data", V0426, _SPLIT,
            (OperandSpec("tile", "entry"), OperandSpec("pipe_handle", "pipe"), _SUBBLOCK), None, None, "paren_pair",
            "pto.tpush(%tile, %pipe : T, !pto.pipe) {split = S}[ aiv_subblockid(%x)]", "docs/reference/pto-ir.md §1.7"))
_add(OpSyntax("pto.tpop", "lowered-data", V0426, _SPLIT,
            (OperandSpec("tile", "entry"), OperandSpec("pipe_handle", "pipe"), _SUBBLOCK), None, None, "paren_pair",
            "pto.tpop(%tile, %pipe : T, !pto.pipe) {split = S}[ aiv_subblockid(%x)]", "docs/reference/pto-ir.md §1.7"))
_add(OpSyntax("pto.tfree", "lowered-data", V0426, _SPLIT,
            (OperandSpec("entry", "entry", optional=True, since=V035), OperandSpec("pipe_handle", "pipe")), None, None,
            "paren_pair", "pto.tfree([%entry, ]%pipe : [T, ]!pto.pipe) {split = S}", "docs/reference/pto-ir.md §1.7"))
_add(OpSyntax("pto.talloc", "lowered-data", V035, _SPLIT,
            (OperandSpec("entry", "entry"), OperandSpec("pipe_handle", "pipe")), None, None, "paren_pair",
            "pto.talloc(%entry, %pipe : T, !pto.pipe) {split = S}", "docs/reference/pto-ir.md §1.7"))
_add(OpSyntax("pto.declare_global", "lowered-data", V035, (), (), None, "tensor_view", "attr_arrow",
            "%e = pto.declare_global -> !pto.tensor_view<...>", "docs/reference/pto-ir.md §1.7"))
_add(OpSyntax("pto.declare_tile", "lowered-data", V0426, (), (), None, "entry", "attr_arrow",
            "%t = pto.declare_tile -> !pto.tile_buf<...>", "docs/reference/pto-ir.md §1.7"))

# §1.6 consumer-buffer helpers.
_add(OpSyntax("pto.reserve_buffer", "buffer", V0426,
            attrs=(AttrSpec("name", "str", required=True), AttrSpec("size", "i32", required=True),
                   AttrSpec("location", "enum", required=True),
                   AttrSpec("autoAlloc", "bool", required=True, keyword="auto"),
                   AttrSpec("base", "i32")),
            operands=(), segments_since=None, result="i32", custom="braces_arrow",
            syntax=('%b = pto.reserve_buffer {name = "n", size = S, location = #pto.address_space<mat>, '
                    'auto = B[, base = X]} -> i32'),
            ref="docs/reference/pto-ir.md §1.6"))
_add(OpSyntax("pto.import_reserved_buffer", "buffer", V0426,
            attrs=(AttrSpec("name", "str", required=True), AttrSpec("peer_func", "symbol", required=True)),
            operands=(), segments_since=None, result="i32", custom="braces_arrow",
            syntax='%b = pto.import_reserved_buffer {name = "n", peer_func = @f} -> i32',
            ref="docs/reference/pto-ir.md §1.6"))

#: ops whose custom syntax the parser reads fully (keyword and operand clauses)
PIPE_OPS = frozenset(SPECS)


# Common tile ops (docs/reference/pto-ir.md §4 "Ops"; ODS at newest). Custom syntax is documented but
# canonicalize keeps these in generic form when it meets them generic (ptoas parses generic form
# of every registered op, §1): it only normalises widths/properties and checks segment lengths.
def _tile(name: str, operands: tuple[OperandSpec, ...], syntax: str, segments: bool = False,
          result: str | None = None, attrs: tuple[AttrSpec, ...] = ()) -> None:
    _add(OpSyntax(name, "tile", V0426, attrs, operands, V0426 if segments else None, result, None, syntax,
                "docs/reference/pto-ir.md §4"))


_tile("pto.tload", (OperandSpec("src"), OperandSpec("dst"), OperandSpec("pad_value", optional=True),
                    OperandSpec("left_padding_num", "index", optional=True),
                    OperandSpec("right_padding_num", optional=True), OperandSpec("init_condition", optional=True)),
      "pto.tload ins(%pv : !pto.partition_tensor_view<...>) outs(%t : !pto.tile_buf<...>)", segments=True)
_tile("pto.tstore", (OperandSpec("src"), OperandSpec("dst")), "pto.tstore ins(%t : T) outs(%pv : T)")
_tile("pto.tmov", (OperandSpec("src"), OperandSpec("dst"), OperandSpec("fp", optional=True),
                   OperandSpec("preQuantScalar", "i64", optional=True)),
      "pto.tmov ins(%src : T[, %fp : T][, %q : T]) outs(%dst : T)", segments=True)
_tile("pto.tadd", (OperandSpec("src0"), OperandSpec("src1"), OperandSpec("dst")),
      "pto.tadd ins(%a, %b : Ta, Tb) outs(%d : Td)")
_tile("pto.tmatmul", (OperandSpec("lhs"), OperandSpec("rhs"), OperandSpec("dst")),
      "pto.tmatmul ins(%l, %r : Tl, Tr) outs(%acc : Tacc)")
_tile("pto.alloc_tile", (OperandSpec("addr", "i64", optional=True), OperandSpec("valid_row", "index", optional=True),
                         OperandSpec("valid_col", "index", optional=True)),
      "%t = pto.alloc_tile [addr = %a] [valid_row = %r] [valid_col = %c] : !pto.tile_buf<...>", segments=True,
      result="entry")
_tile("pto.make_tensor_view", (OperandSpec("ptr", "ptr"), OperandSpec("shape", "index", variadic=True),
                               OperandSpec("strides", "index", variadic=True)),
      "%tv = pto.make_tensor_view %ptr, shape = [...], strides = [...] : !pto.tensor_view<...>", segments=True,
      result="tensor_view")
_tile("pto.partition_view", (OperandSpec("source", "tensor_view"), OperandSpec("offsets", "index", variadic=True),
                             OperandSpec("sizes", "index", variadic=True)),
      "%pv = pto.partition_view %tv, offsets = [...], sizes = [...] : T -> !pto.partition_tensor_view<...>",
      segments=True, result="any")
_tile("pto.addptr", (OperandSpec("ptr", "ptr"), OperandSpec("offset", "index")),
      "%p = pto.addptr %p0, %off : !pto.ptr<T> -> !pto.ptr<T>", result="ptr")
_tile("pto.get_block_idx", (), "%i = pto.get_block_idx", result="i64")
_tile("pto.get_block_num", (), "%n = pto.get_block_num", result="i64")


def spec(name: str) -> OpSyntax | None:
    return SPECS.get(name)


def first_version(spec_: OpSyntax, *, attr: str | None = None, operand: str | None = None) -> Version | None:
    """First listed version that has the op (or one of its attributes/operands)."""
    for v in VERSIONS:
        if not spec_.available(v):
            continue
        if attr is not None:
            a = spec_.attr(attr)
            if a is None or not a.available(v):
                continue
        if operand is not None:
            o = spec_.operand(operand)
            if o is None or not o.available(v):
                continue
        return v
    return None
