"""canonicalize: generic PTO pipe/FIFO ops -> the target ptoas version's custom (or exact generic) form.

DSL builders print PTO IR through an MLIR Python binding that is often older or newer than the
``ptoas`` that compiles it; ops the binding does not know come out generic, with the wrong integer
widths, ``{}`` instead of ``<{}>``, or ``operandSegmentSizes`` of another version
(docs/reference/pto-ir.md §1). This pass rewrites each such op into the target's form and leaves every
other byte alone:

* ``to=custom`` (default): every generic pipe/FIFO op (``opspecs.PIPE_OPS``) is printed in the
  target's custom syntax (keyword based, so it survives segment changes); custom pipe ops are
  re-printed only when the target cannot parse them (``: iN`` suffix in the keyword clause, a key
  order the target's fixed ODS format rejects).
* ``to=generic``: every pipe/FIFO op (custom or generic) is printed in exact generic form: i8/i32
  widths, sorted ``<{...}>`` properties, the target's ``operandSegmentSizes``.
* A custom form the target's own parser rejects (the op spec's ``custom_rules``, e.g. a GM-only
  ``initialize_l2g2l_pipe`` with ``flag_base`` but no ``local_slot_num`` for ptoas v0.45) is not
  printed: such an op is printed in exact generic form instead, in both directions of input.
* Ops, attributes or operands the target does not have are errors at ``file:line:col`` naming the
  first version that has them. A ``local_slot_num`` the target rejects (GM-only pipe init,
  docs/reference/pto-ir.md §3) is removed and reported in ``report["sidecar"]["pipes"]`` (the
  ``canonicalize`` command writes it to the ``.slots.json`` sidecar) and as a warning.
* Generic PTO tile ops are kept generic (ptoas parses generic form of every op it registers);
  they are only checked for existence in the target.
"""
from __future__ import annotations

import re
from typing import Any, ClassVar, Literal  # (at run time: the options' types, read by pass_manager)

from ptofix.ir.opspecs import SPECS, first_version
from ptofix.ir.pipes import assign_flag_bases, pipe_inits, pipes_per_function
from ptofix.ir.printer import normalize, print_custom, print_generic
from ptofix.ir.versions import resolve
from ptofix.located import DiagnosticLine
from ptofix.pass_manager import Pass, PassResult
from ptofix.sidecar import RECORDED
from ptofix.sidecar import VERSION as SIDECAR_VERSION
from ptofix.source import Edit, PtofixError, SourceText


class CanonicalizePass(Pass):
    name: ClassVar[str] = "canonicalize"
    kind: ClassVar[str] = "mlir"
    summary: ClassVar[str] = "generic PTO pipe/FIFO ops -> the target ptoas version's custom or exact generic form"

    target_ptoas: str = ""
    to: Literal["custom", "generic"] = "custom"

    def apply(self, model: Any, source: SourceText) -> PassResult:

        if not self.target_ptoas:
            raise PtofixError("canonicalize needs a target ptoas version (target-ptoas=VERSION)")
        target = resolve(self.target_ptoas)
        _check_is_mlir(model, source)
        text = source.text
        edits: list[Edit] = []
        rewritten: list[dict[str, Any]] = []
        stripped: list[tuple[Any, Any]] = []
        kept_generic: list[dict[str, Any]] = []
        unknown: list[dict[str, Any]] = []
        warnings: list[str] = []
        aliases = model.type_aliases()
        for op in model.walk():
            if not op.name.startswith("pto."):
                continue
            spec = SPECS.get(op.name)
            line = source.line_col(op.span.start)[0]
            if spec is None:
                if op.is_generic:
                    unknown.append({"op": op.name, "line": line})
                    # The pto ops' own integer attributes are 8- or 32-bit: an older binding's
                    # 64-bit/index widths on an op ptofix has no spec for stay as written, and
                    # ptoas likely refuses them. (Dotted names are discardable, e.g. the i64
                    # pto.fusion.group_id, and are kept by ptoas as they are.)
                    wide = next((a for a in op.all_attrs() if a.kind == "int" and "." not in a.name
                                 and (a.int_width == 64 or a.type_text == "index")), None)
                    if wide is not None:
                        warnings.append(DiagnosticLine(
                            source.place(wide.span.start), "warning",
                            f"'{op.name}' is not an op ptofix knows; its '{wide.name} = {wide.value_text} : "
                            f"{wide.type_text}' is kept as written, and ptoas may refuse it (pto ops take 8- or "
                            "32-bit integer attributes)"))
                continue
            if spec.custom is None:
                if not spec.available(target):
                    first = first_version(spec)
                    raise PtofixError(f"'{op.name}' is not available in ptoas {target.name} (first version that"
                                      f" has it: {first.name if first else 'none'})", source, op.span.start)
                if op.is_generic:
                    kept_generic.append({"op": op.name, "line": line})
                continue
            if not (op.is_generic or op.parsed_custom):
                continue
            if op.regions:
                # The printers write operands, attributes and types only: a region would be lost.
                raise PtofixError(f"'{op.name}' with a region is not an op ptoas defines (it takes none); "
                                  "ptofix will not rewrite it", source, op.span.start)
            canon = normalize(op, spec, target, source, aliases)
            start, end = op.name_span.start, op.span.end
            old = text[start:end]
            # The op spec says when the target's parser cannot read the custom form (opspecs.CommaChainRule).
            blocker = spec.custom_blocker(canon.attrs, target) if self.to == "custom" else None
            if blocker is not None and not op.is_generic and not canon.stripped \
                    and not _needs_reprint(op, canon, target):
                # Written custom with the clauses in braces the target reads, the rest in the trailing
                # attribute dictionary (which the target also reads): nothing to change.
                kw = op.keyword_attrs
                written = [spec.attr(a.name) for a in kw.attrs] if kw is not None else []
                in_braces = {a.name for a in written if a is not None and a.name in canon.attrs}
                if spec.custom_blocker(in_braces, target) is None:
                    blocker = None
            to = self.to
            if self.to == "generic":
                new = print_generic(canon, source)
            elif blocker is not None:
                to = "generic"
                new = print_generic(canon, source)
                if not op.is_generic or new != old:
                    canon.changes.append(f"printed generic: {blocker}")
            elif op.is_generic or _needs_reprint(op, canon, target):
                new = print_custom(canon, source)
            elif canon.stripped:
                new = None
                edits.extend(_delete_attr_edits(op, list(canon.stripped), text))
            else:
                new = old
            if new is not None and op.is_generic and _generic_key(new) == _generic_key(old):
                new = old        # the same op, spaced or ordered otherwise: left byte for byte
            if new is not None and new != old:
                new = _keep_comments(old, new, text, end, source)
                edits.append(Edit(start, end, new, f"canonicalize {op.name} for ptoas {target.name}"))
            if new is None or new != old:
                rewritten.append({"op": op.name, "line": line, "from": op.form, "to": to,
                                  "changes": canon.changes + [f"removed local_slot_num = {v} ({why})"
                                                              for v, why in canon.stripped.values()]})
            if canon.stripped:
                stripped.append((op, canon))
        inits = pipe_inits(model)
        sidecar = _sidecar_entries(model, inits, stripped, target)
        # Same order as the entries: one per stripped attribute, located at the attribute.
        where = [(op.attr(name) or op).span.start for op, canon in stripped for name in canon.stripped]
        for entry, offset in zip(sidecar, where, strict=False):
            warnings.append(DiagnosticLine(source.place(offset), "warning",
                                           f"removed local_slot_num = {entry['local_slot_num']} from "
                                           f"'{entry['op']}' ({entry['reason']}); {RECORDED}"))
        report = {"target_ptoas": target.name, "to": self.to, "rewritten": rewritten,
                  "kept_generic": kept_generic, "unknown_generic_ops": unknown,
                  "sidecar": {"version": SIDECAR_VERSION, "source": source.path, "target_ptoas": target.name,
                              # (Counts the C++ side checks its TPipes against: one per init.)
                              "arch": model.target_arch(), "gm_pipes": pipes_per_function(inits, gm_staged=True),
                              "init_counts": pipes_per_function(inits), "pipes": sidecar}}
        return PassResult(edits=edits, report=report, warnings=warnings)


# A string's characters up to its closing quote, or up to where it cannot go on (the text's end,
# a backslash before a line break): the closing quote is there or nowhere.
_STRING_BODY = re.compile(r'"(?:\\.|[^"\\])*+')
_SPACE_OR_RUN = re.compile(r'\s+|[^"\s]+')
_OTHER_PIECE = re.compile(r'->|[<>(){}\[\],]|[^"<>(){}\[\],-]+|-')


def _pieces(text: str, other: re.Pattern[str]) -> list[tuple[bool, str]]:
    """``text`` read as strings (closed ones, ``(True, string)``), ``other``'s matches
    (``(False, piece)``) and single characters neither matches (``(False, char)``), left to right.
    A quote whose string is never closed is such a character; a quote after it up to where its
    string stopped is escaped in it, so its own string stops there too and is not read again
    (read again, a comment's ``"\\"\\"...`` took time quadratic in its length)."""
    out: list[tuple[bool, str]] = []
    pos, unclosed_until, size = 0, -1, len(text)
    while pos < size:
        if text[pos] == '"':
            if pos >= unclosed_until:
                body = _STRING_BODY.match(text, pos)
                stop = body.end() if body is not None else pos + 1
                if stop < size and text[stop] == '"':
                    out.append((True, text[pos:stop + 1]))
                    pos = stop + 1
                    continue
                unclosed_until = stop
            out.append((False, '"'))
            pos += 1
            continue
        match = other.match(text, pos)
        end = match.end() if match is not None else pos + 1
        out.append((False, text[pos:end]))
        pos = end
    return out


def _compact(text: str) -> str:
    """``text`` without its white space outside strings, in time linear in the text whatever its
    quotes (a quote never closed is kept, as a character)."""
    return "".join(piece for is_string, piece in _pieces(text, _SPACE_OR_RUN) if is_string or not piece.isspace())


def _generic_pieces(compact: str) -> list[str]:
    """``compact`` cut into strings, ``->``, brackets and commas, and runs of anything else (a quote
    never closed is in no piece)."""
    return [piece for is_string, piece in _pieces(compact, _OTHER_PIECE) if is_string or piece != '"']


def _generic_key(text: str) -> tuple:
    """A generic op's text with the freedom MLIR's generic syntax leaves taken out: white space
    outside strings, and the order of the entries of its attribute dictionaries (`<{...}>` and
    `{...}`). Two texts with one key are the same op."""
    compact = _compact(text)
    out: list = []
    stack: list[list] = []
    for piece in _generic_pieces(compact):
        if piece == "{":
            stack.append([[]])
        elif piece == "}" and stack:
            entries = stack.pop()
            item = ("{", tuple(sorted(tuple(entry) for entry in entries if entry)))
            (stack[-1][-1] if stack else out).append(item)
        elif piece == "," and stack and not _open_depth(stack[-1][-1]):
            stack[-1].append([])
        else:
            (stack[-1][-1] if stack else out).append(piece)
    return tuple(out) + tuple(("unclosed", tuple(map(tuple, s))) for s in stack)


# (A comment ends before its line ending: a CRLF file's '\r' stays with the line, not the comment.)
_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\])*"|//[^\r\n]*')


def _keep_comments(old: str, new: str, text: str, end: int, source: SourceText) -> str:
    """``new`` with the ``//`` comments written inside the op it replaces (``old``) put back at its
    end, where a rewrite onto one line would otherwise drop them; an error where that would comment
    out what follows the op on its line."""
    comments = [m.group(0) for m in _STRING_OR_COMMENT.finditer(old) if m.group(0).startswith("//")]
    if not comments:
        return new
    rest = text[end:text.find("\n", end) if "\n" in text[end:] else len(text)]
    if rest.strip() and not rest.strip().startswith("//"):
        raise PtofixError("the comment inside this op would be lost in the rewrite (code follows the op on "
                          "its last line)", source, end)
    return new + "  " + " ".join(comments)


def _open_depth(entry: list) -> int:
    """Brackets opened and not closed in ``entry`` (a comma inside them separates no entries)."""
    depth = 0
    for piece in entry:
        if piece in ("<", "(", "["):
            depth += 1
        elif piece in (">", ")", "]"):
            depth -= 1
    return depth


def _check_is_mlir(model, source: SourceText) -> None:
    """Refuse input that is not MLIR, rather than pass it through unchanged."""
    ops = list(model.ops)
    if not ops:
        raise PtofixError("not MLIR: no operation found (expected 'module', 'func.func' or a pto op)", source,
                          len(source.text) - len(source.text.lstrip()) if source.text.strip() else 0)
    for op in ops:
        if not (op.name in ("module", "builtin.module") or "." in op.name or op.is_generic):
            raise PtofixError(f"not MLIR: expected an operation such as 'module', 'func.func' or a pto op at"
                              f" top level, found '{op.name}'", source, op.span.start)


_FIXED_ORDER_FORMS = {"l2g2l", "l2l", "braces_arrow", "paren_typed_braces", "tpop_from", "tfree_from", "paren_pair"}


def _needs_reprint(op, canon, target) -> bool:
    """Custom op the target cannot parse as written (docs/reference/pto-ir.md §4: no `: iN` in custom form)."""
    kw = op.keyword_attrs
    if kw is not None and any(a.type_text is not None for a in kw.attrs):
        return True
    if any(c.startswith("dropped ") for c in canon.changes):
        return True
    # An op attribute in the trailing dictionary with another integer width than the op defines
    # (`{flag_base = 0 : i64}` for an i32): the verifier rejects it; the custom print fixes it.
    for attr in (op.attributes.attrs if op.attributes is not None else []):
        spec_attr = canon.spec.attr(attr.name)
        if spec_attr is not None and attr.type_text is not None and spec_attr.type.startswith("i") \
                and attr.type_text != spec_attr.type:
            return True
    fixed = canon.spec.custom in _FIXED_ORDER_FORMS or \
        (canon.spec.custom == "frontend_init" and target < resolve("v0.35"))
    if fixed and kw is not None:
        spec_order = [a.name for a in canon.spec.attrs]
        written = [canon.spec.attr(a.name).name for a in kw.attrs if canon.spec.attr(a.name) is not None]
        written = [n for n in written if n in canon.attrs]
        if written != sorted(written, key=spec_order.index):
            return True
        if canon.spec.custom == "frontend_init":
            kws = [c.keyword for c in op.operand_clauses if c.keyword]
            order = [o.name for o in canon.spec.operands]
            if kws != sorted(kws, key=order.index):
                return True
    return False


def _delete_attr_edits(op, names: list[str], text: str) -> list[Edit]:
    edits = []
    for d in (op.keyword_attrs, op.attributes):
        if d is None:
            continue
        for i, attr in enumerate(d.attrs):
            if attr.name not in names:
                continue
            if i > 0:
                start, end = d.attrs[i - 1].span.end, attr.span.end
            elif len(d.attrs) > 1:
                start, end = attr.span.start, d.attrs[1].span.start
            else:
                start, end = d.span.start, d.span.end
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
            edits.append(Edit(start, end, "", f"remove {attr.name}"))
    return edits


def _sidecar_entries(model, inits, stripped, target) -> list[dict[str, Any]]:
    if not stripped:
        return []
    by_start = {p.span.start: i for i, p in enumerate(inits)}
    try:
        bases = assign_flag_bases(inits, target, model.target_arch())
    except ValueError:
        bases = {}
    out = []
    for op, canon in stripped:
        idx = by_start.get(op.span.start)
        init = inits[idx] if idx is not None else None
        for _attr, (value, reason) in canon.stripped.items():
            out.append({
                "func": init.func if init else None,
                "kernel_kind": init.kernel_kind if init else None,
                "op": op.name,
                "id": init.id if init else None,
                "flag_base": (init.flag_base if init.flag_base is not None
                              else bases.get(idx) if idx is not None else None) if init else None,
                "flag_base_explicit": bool(init and init.flag_base is not None),
                "dir_mask": canon.int("dir_mask"),
                "slot_size": canon.int("slot_size"),
                "slot_num": canon.int("slot_num"),
                "local_slot_num": value,
                "line": model.source.line_col(op.span.start)[0],
                "reason": reason,
                "result": init.result if init else None,
            })
    return out


PASS = CanonicalizePass
