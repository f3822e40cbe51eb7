"""Where a file may switch the vector unit into count mode (TCI's scalar form, set_mask_count, a macro
or assembly that may): the file-wide facts FileContext reads before any function is modelled."""
from __future__ import annotations

from ..located import Located
from ..pto.ctrl_register import PTO_CTRL_BIT_CONSTANTS, SET_CTRL
from ..pto.ops import COUNT_MODE_NAMES, SCALAR_TCI, SCALAR_TCI_NARGS
from ..source import SourceText
from . import stmt_parser as A
from .ctrl_preservation import CTRL_NAMES
from .model import Compound, CppFile, SimpleStmt, Stmt
from .statement_forms import has_splice, join_splices

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final
    pass


def source_spells(source: SourceText, name: str) -> bool:
    """Whether ``name``, made of word characters, occurs in the source's text (in a word: found in
    its word index, ~12% of its size, when it has one)."""
    word_text = source.word_text()
    if word_text is None or not (name.isascii() and name.isidentifier()):
        return name in source.text
    return name.encode("ascii") in word_text


def count_mode_name_of(source: SourceText) -> str:
    """count_mode_name(source.text), from the text's word index when it has one and nothing else
    bounds a word there (no '$', which count_mode_name takes as a word character, and no line
    splice, which joins two words)."""
    text = source.text
    word_text = source.word_text()
    if word_text is None or "$" in text or has_splice(text):
        return count_mode_name(text)
    for name, needle in _COUNT_MODE_NEEDLES:
        if needle in word_text:
            return name
    for word, whole in _ASSEMBLY_WORD_BYTES:
        if whole in word_text:
            return word
    return ""


def scalar_tci_call(stmt: Stmt, offset: int = -1) -> bool:
    """Whether ``stmt`` is a call statement of pto's scalar TCI as written (ops.SCALAR_TCI_NARGS):
    `TCI(d, s);`, `pto::TCI<...>(d, s);`, exactly two arguments, and no other count-mode name in
    the statement's text (comments, template arguments and arguments included), the callee being
    the one at ``offset`` when given. Whether TCI names pto's function, and whether its operands are
    a tile and a value, the semantic model decides (an Unknown event where they are not)."""
    if not isinstance(stmt, SimpleStmt):
        return False
    ast = stmt.ast
    if not isinstance(ast, A.ExprStmt) or not isinstance(ast.expr, A.Call):
        return False
    call = ast.expr
    func = call.func
    if not isinstance(func, (A.Name, A.TemplateId)) or call.callee not in (SCALAR_TCI, "pto::" + SCALAR_TCI) \
            or len(call.args) != SCALAR_TCI_NARGS:
        return False
    text = stmt.text
    if has_splice(text):
        return False
    places = count_mode_offsets(text)
    callee = stmt.span.start + func.start
    return len(places) == 1 and (offset < 0 or offset == stmt.span.start + places[0][0]) \
        and callee <= stmt.span.start + places[0][0] < callee + len(call.callee)


def names_count_mode_outside_scalar_tci(model: CppFile) -> bool:
    """Whether some place that names a count-mode name (count_mode_offsets) is not the callee of
    a scalar TCI statement (scalar_tci_call) in a function body."""
    text = model.source.text
    if "$" in text or has_splice(text):
        return True
    # (The raw text, re-scanned: a count-mode name in a comment, a string or a macro's body counts,
    # where no statement's tokens show it. Only for a file whose word index names one:
    # count_mode_name_of.)
    offsets = count_mode_offsets(text)
    if len(offsets) > MAX_COUNT_MODE_PLACES:
        return True
    bodies = [fn.body for fn in model.functions if isinstance(fn.body, Compound)]
    for offset, _name in offsets:
        body = next((body for body in bodies if body.span.start < offset < body.span.end), None)
        if body is None:
            return True
        stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                   key=lambda s: s.span.end - s.span.start, default=None)
        if stmt is None or not scalar_tci_call(stmt, offset):
            return True
    return False


def header_count_mode(headers: dict, file_macros: frozenset[str] = frozenset(),
                       file_names: frozenset[str] = frozenset()) -> str:
    """Why a header the file includes (read_includes' summaries) may leave the vector unit in count
    mode ('' if none may): its code names a count-mode name (count_mode_name); a function of it the
    kernel calls may return in count mode, which no statement of the file shows. `set_ctrl` written
    only where ctrl_preservation proves the mask mode kept (header_ctrl_unproven) does not count.
    ``file_macros``: every macro of the run (the file's, the headers', the command line's);
    ``file_names``: the words of the file's own file-scope declarations."""
    ctrl_why = header_ctrl_unproven(headers, file_macros, file_names)
    for summary in headers.values():
        for word in sorted(summary.used):
            mode = count_mode_name(word)
            if mode == SET_CTRL and word == SET_CTRL and not ctrl_why:
                continue
            if mode:
                # (The proof's place, in a header, kept as data: located.Located.)
                unproven = Located(" (", ctrl_why, ")") if mode == SET_CTRL and ctrl_why else ""
                return Located(f"the header {summary.used[word]}, which the file includes, names '{word}', which "
                               "may leave the vector unit in count mode: element-wise ops then walk as many elements "
                               "as the vector mask says, in any function the file runs after it", unproven)
    return ""


def header_ctrl_unproven(headers: dict, macros: frozenset[str], file_names: frozenset[str]) -> str:
    """Why the headers' writes of CTRL are not all proven to keep the mask mode ('' if they are,
    or if none writes it): a header's own proof failed (HeaderSummary.ctrl_unproven); a name a
    proof took at its meaning is a macro of the run; a bit constant a proof read is declared by
    the file, or by a header other than those the proofs read it from with one value (pto's own
    headers aside, for pto's names with pto's value)."""
    for summary in headers.values():
        for path, why in sorted(summary.ctrl_unproven.items()):
            return Located(f"{path}: ", why)
    all_macros = set(macros).union(*(summary.macros.keys() for summary in headers.values()))
    relied = set().union(*(summary.ctrl_relied for summary in headers.values()))
    for name in sorted(relied & all_macros):
        return f"'{name}', which the proof that CTRL is restored reads, is a macro"
    declarers: dict[str, set[str]] = {}
    for summary in headers.values():
        for name, paths in summary.declarers.items():
            declarers.setdefault(name, set()).update(paths)
    for name in sorted(relied & CTRL_NAMES):
        # (`namespace h { uint64_t get_ctrl(); }` in another header: the helper's call may name it.)
        others = [path for path in declarers.get(name, ()) if "/pto/" not in path.replace("\\", "/")]
        if others or name in file_names:
            where = min(others) if others else "the file"
            return f"'{name}', which the proof that CTRL is restored reads, is declared in {where}"
    read: dict[str, dict[str, int]] = {}
    for summary in headers.values():
        for name, by_header in summary.ctrl_bits.items():
            read.setdefault(name, {}).update(by_header)
    for name, by_header in sorted(read.items()):
        values = set(by_header.values())
        if name in file_names or len(values) != 1:
            return f"the bit constant '{name}' is declared by the file or with several values"
        for path in sorted(declarers.get(name, set()) - by_header.keys()):
            if not (PTO_CTRL_BIT_CONSTANTS.get(name) in values and "/pto/" in path.replace("\\", "/")):
                return f"the bit constant '{name}' is declared again in {path}"
    return ""


# How many count-mode names a file may hold and still have its mask mode tracked per statement.
MAX_COUNT_MODE_PLACES: Final = 64
# The CCE intrinsic that puts the vector unit in norm mode (pto.ops.HARMLESS_CALLS).
MASK_NORM_CALL: Final = "set_mask_norm"


def count_mode_offsets(text: str, word_text: bytes | None = None) -> list[tuple[int, str]]:
    """Every place where count_mode_name finds a name in ``text`` (without line splices), with
    the name. ``word_text``: the text's word index (SourceText.word_text: an ASCII text), when
    the text holds no '$' (count_mode_name's word character): a name it does not hold as
    count_mode_name_of looks for it is not searched for in the text (each search reads the whole
    text: ~1% of a 5 MB run; tests/cpp/test_count_mode_offsets.py compares both)."""
    found: list[tuple[int, str]] = []
    for name, needle in _COUNT_MODE_NEEDLES:
        if word_text is not None and needle not in word_text:
            continue
        pos = text.find(name)
        while pos != -1:
            if name != "TCI" or pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$"):
                found.append((pos, name))
            pos = text.find(name, pos + len(name))
    for word, whole in _ASSEMBLY_WORD_BYTES:
        if word_text is not None and whole not in word_text:
            continue
        pos = text.find(word)
        while pos != -1:
            end = pos + len(word)
            if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$")) \
                    and (end == len(text) or not (text[end].isalnum() or text[end] in "_$")):
                found.append((pos, word))
            pos = text.find(word, end)
    return sorted(found)


def count_mode_name(text: str) -> str:
    """The first of ops.COUNT_MODE_NAMES that ``text`` holds ('' if none): `TCI` as the start of a
    word (pto's `TCI_IMPL`, `TCI_b32_normal` leave count mode too), the others anywhere in a word
    (`__builtin_cce_set_mask_count`, `RemOp<...>::RemF32Instr`), and inline assembly (`asm`,
    `__asm__`), which may write the control register. Comments count too (cheaper than telling
    them apart: a find per name). Line splices go first: a macro may spell
    `set_mask_\\<newline>count`."""
    if has_splice(text):
        text = join_splices(text)
    for name in COUNT_MODE_NAMES:
        pos = text.find(name)
        while pos != -1:
            if name != "TCI" or pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$"):
                return name
            pos = text.find(name, pos + len(name))
    for word in _ASSEMBLY_WORDS:
        pos = text.find(word)
        while pos != -1:
            end = pos + len(word)
            if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_$")) \
                    and (end == len(text) or not (text[end].isalnum() or text[end] in "_$")):
                return word
            pos = text.find(word, end)
    return ""


_ASSEMBLY_WORDS = ("asm", "__asm__", "__asm")
FEW_MACROS: Final = 8
# count_mode_name's searches in a word index: TCI as the start of a word, the others anywhere in
# one; the assembly keywords as whole words.
_COUNT_MODE_NEEDLES: Final = tuple((name, (b" " if name == "TCI" else b"") + name.encode("ascii"))
                            for name in COUNT_MODE_NAMES)
_ASSEMBLY_WORD_BYTES: Final = tuple((word, b" " + word.encode("ascii") + b" ") for word in _ASSEMBLY_WORDS)
