"""A file that spells no alternative token (`and`, `xor_eq`, ...) as a word: its statements are
parsed without a search for one each (stmt_parser.spells_no_alternative_token, SimpleStmt.ast_of's
``plain_file``). The test a file gives must hold for every statement sliced from it, and the
parse must be the same either way."""
from __future__ import annotations

from pathlib import Path

from ptofix.cpp import stmt_parser as A
from ptofix.cpp.model import SimpleStmt
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp.semantics import FileContext
from ptofix.source import SourceText

ROOT = Path(__file__).resolve().parents[2]


def _model(text: str, name: str = "k.cpp"):
    return parse_cpp(SourceText(text, name))


def test_the_file_test_reads_the_identifiers_of_every_word():
    assert not A.spells_no_alternative_token(None)                      # (not known: search each)
    assert A.spells_no_alternative_token({b"v1", b"TADD", b"RowMajor", b"android", b"notes"})
    for word in A.ALTERNATIVE_TOKEN_WORDS:
        assert not A.spells_no_alternative_token({b"v1", word.encode()})
    # A word's identifier starts at its first letter (`1and` holds `and`): refused, as a scan reads it.
    source = SourceText("int x = 1and;\n", "k.cpp")
    assert not A.spells_no_alternative_token(source.identifier_words())
    # In a comment or a string too (the per-statement search reads those words as well).
    for text in ("void f() { int a = 1; /* and */ }\n", 'void f() { const char* s = "x or y"; }\n'):
        assert not A.spells_no_alternative_token(SourceText(text, "k.cpp").identifier_words())


def _kernel_texts() -> list[tuple[str, str]]:
    texts = [(str(path), path.read_text(encoding="utf-8")) for path in sorted((ROOT / "kernels").rglob("*.cpp"))]
    texts.append(("alt.cpp", "void f(int v) {\n  v xor_eq(4096);\n  int w = v bitand 3;\n  int u = v;\n}\n"))
    texts.append(("plain.cpp", "void f(int v) {\n  int w = v & 3; // RowMajor, android\n  v ^= w;\n}\n"))
    return texts


def test_a_file_that_passes_holds_no_statement_that_spells_one_and_parses_alike():
    plain_files = 0
    for name, text in _kernel_texts():
        model = _model(text, name)
        passes = A.spells_no_alternative_token(model.source.identifier_words())
        plain_files += passes
        for fn in model.functions:
            for stmt in fn.statements():
                if stmt.__class__ is not SimpleStmt:
                    continue
                stmt_text = stmt.text
                if passes:
                    assert not A._may_spell_alternative_token(stmt_text), (name, stmt_text)
                A.forget_all_statements()
                want = A.parse_statement(stmt_text)
                A.forget_all_statements()
                got = SimpleStmt(stmt.packed_span, stmt.file_text).ast_of(stmt_text, text if passes else None)
                assert (got is None) == (want is None) and repr(got) == repr(want), (name, stmt_text)
    assert plain_files >= 2


def test_a_statement_spelling_one_stays_unread_in_the_model():
    text = "void f(int v) {\n  v xor_eq(4096);\n  int u = v;\n}\n"
    model = _model(text)
    assert not A.spells_no_alternative_token(model.source.identifier_words())
    ctx = FileContext(model)
    sem = ctx.semantics(model.functions[0])
    assert sem is not None
    stmt = next(s for s in model.functions[0].statements() if isinstance(s, SimpleStmt) and "xor_eq" in s.text)
    assert stmt.ast is None
