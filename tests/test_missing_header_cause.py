"""The name of a header not found travels as data (issue #70: no code parses a reason string): from
where it is found missing (cpp/headers.py, HeaderSummary.missing) through the header policy
(header_policy.MissingHeaders, the file context's record) and a function's semantic model and CFG
to the decision's Cause (``missing_header``), which the per-file note that asks for -I reads
(cpp_fixes.kept_notes). The note names what the reason says: each case below is checked against
the reasons' words, as the note used to read them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ptofix.compile_env import CompileEnvironment
from ptofix.cpp.barriers import BarrierAnalysis
from ptofix.cpp.header_policy import MissingHeaders, unmodelled_file
from ptofix.cpp.headers import read_includes
from ptofix.cpp.parser import parse_cpp
from ptofix.cpp_fixes import CppFixOptions, cpp_passes, kept_notes
from ptofix.file_passes import FilePasses
from ptofix.source import SourceText

TILE = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64, SLayout::NoneBox, 512, PadValue::Null>"
PTO = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"


def _function(name: str, body: str = "") -> str:
    return (f"__global__ AICORE void {name}() {{\n  {TILE} a;\n  TASSIGN(a, 0);\n  {TILE} b;\n"
            f"  TASSIGN(b, 4096);\n  pipe_barrier(PIPE_ALL);\n{body}  TADD(b, a, a);\n  pipe_barrier(PIPE_V);\n"
            "  TADD(a, a, a);\n  pipe_barrier(PIPE_ALL);\n}\n")


# (name, files beside the kernel, kernel text, -I directories under tmp_path, the headers the note names)
CASES = [
    # At file scope before every function: each function after it is unknown (per function).
    ("per-function", {}, '#include "missing_helper.h"\n' + PTO + _function("k"), (), ["missing_helper.h"]),
    # After a first function: that one is compiled before the header's text and stays known.
    ("after-a-function", {}, PTO + _function("k1") + '#include "late.h"\n' + _function("k2"), (), ["late.h"]),
    # Found, but it includes one that is not: the nested one is named.
    ("nested", {"inc/outer.h": '#pragma once\n#include "inner_missing.h"\n'},
     '#include "outer.h"\n' + PTO + _function("k"), ("inc",), ["inner_missing.h"]),
    # `<...>` only in the include directories.
    ("angled", {}, "#include <rt_tensor.h>\n" + PTO + _function("k"), (), ["rt_tensor.h"]),
    # A name read as no header's (an absolute one, headers._find): unknown, but no header to find.
    ("names-no-header", {}, '#include "/nonexistent/ptofix/abs.h"\n' + PTO + _function("k"), (), []),
    # Inside a function body: the whole file is unknown (header_policy's file-wide reason).
    ("in-a-body", {}, PTO + _function("k", '  #include "body_missing.h"\n'), (), ["body_missing.h"]),
    # Two headers missing: each function takes the first whose #include reaches it.
    ("two", {}, '#include "first.h"\n' + PTO + _function("k1") + '#include "second.h"\n' + _function("k2"), (),
     ["first.h"]),
    # Unknown for another reason than not found (it declares in namespace pto): no header to name.
    ("unknown-not-missing", {"inc/bad.h": "#pragma once\nnamespace pto { int x; }\n"},
     '#include "bad.h"\n' + PTO + _function("k"), ("inc",), []),
    # The function's own reason comes first (a goto): the header is not what keeps its barriers.
    ("own-reason-first", {}, '#include "missing_helper.h"\n' + PTO + _function("k", "  void *p = 0;\n  goto *p;\n"),
     (), []),
    # Found: nothing to name.
    ("found", {"inc/ok.h": "#pragma once\n#define RT_READY 1\n"}, '#include "ok.h"\n' + PTO + _function("k"),
     ("inc",), []),
]


def _run(tmp_path: Path, files: dict[str, str], text: str, includes: tuple[str, ...]) -> tuple[dict, list[str]]:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    kernel = tmp_path / "k.cpp"
    kernel.write_text(text, encoding="utf-8")
    environment = CompileEnvironment(include_dirs=tuple(str(tmp_path / d) for d in includes))
    job = FilePasses(tuple(cpp_passes(CppFixOptions(pattern="auto"))), cpp_input=True, functions=True,
                     environment=environment, notes=True)
    processed = job.process(str(kernel))
    return processed.report["passes"][0], list(processed.warnings)


def _named_in_reasons(rep: dict) -> list[str]:
    """The headers the kept reasons name as not found, by their words (what kept_notes read before the
    name travelled as data): the oracle of the typed field."""
    names: list[str] = []
    for d in rep["decisions"]:
        if d["decision"] == "kept" and d["pattern"] is not None:
            for name in re.findall(r"header '([^']+)' not found", str(d["reason"])):
                if name not in names:
                    names.append(name)
    return names


@pytest.mark.parametrize(("files", "text", "includes", "named"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_the_note_names_the_header_the_cause_carries(tmp_path, files, text, includes, named):
    rep, notes = _run(tmp_path, files, text, includes)
    carried = []
    for d in rep["decisions"]:
        fields = d["cause_fields"]
        if fields.get("missing_header"):
            # Only an unmodelled function's cause carries one, and its reason names that header.
            assert fields["kind"] == "unmodelled" and f"header '{fields['missing_header']}' not found" in str(d["reason"])
            if fields["missing_header"] not in carried:
                carried.append(fields["missing_header"])
    assert carried == named == _named_in_reasons(rep)
    kernel = str(tmp_path / "k.cpp")
    header_notes = [note for note in notes if "not found, so" in note]
    assert header_notes == [f"{kernel}: note: header '{name}' not found, so "
                            f"{sum(d['cause_fields'].get('missing_header') == name for d in rep['decisions'])} "
                            "barrier(s) are kept: give its directory with -I DIR (the directories bisheng searches, "
                            "e.g. the CANN toolkit's include directory for its runtime headers)" for name in named]


def test_the_policy_records_the_file_and_each_function(tmp_path):
    text = PTO + _function("k1") + '#include "late.h"\n' + _function("k2") + _function("k3")
    model = parse_cpp(SourceText(text, str(tmp_path / "k.cpp")))
    headers = read_includes(model, ())
    assert [summary.missing for summary in headers.values()] == ["late.h"]
    per_function: dict[int, str] = {}
    missing = MissingHeaders()
    assert unmodelled_file(model, headers=headers, per_function=per_function, missing=missing) == ""
    k1, k2, k3 = model.functions
    assert missing.file == "" and missing.functions == {id(k2): "late.h", id(k3): "late.h"}
    assert set(per_function) == {id(k2), id(k3)}
    # Inside a body: the file's reason.
    text = PTO + _function("k", '  #include "body_missing.h"\n')
    model = parse_cpp(SourceText(text, str(tmp_path / "k.cpp")))
    missing = MissingHeaders()
    why = unmodelled_file(model, headers=read_includes(model, ()), per_function={}, missing=missing)
    assert "header 'body_missing.h' not found" in why and missing.file == "body_missing.h" and not missing.functions


def test_the_cause_takes_it_from_the_cfg(tmp_path):
    text = '#include "missing_helper.h"\n' + PTO + _function("k")
    analysis = BarrierAnalysis(parse_cpp(SourceText(text, str(tmp_path / "k.cpp"))))
    fn = analysis.model.functions[0]
    cfg = analysis.cfg(fn)
    assert cfg.missing_header == "missing_helper.h" and cfg.sem.missing_header == "missing_helper.h"
    assert analysis.ctx.missing_headers.functions == {id(fn): "missing_helper.h"}


def test_the_note_reads_the_field_not_the_words(tmp_path):
    # A report whose reason says a header is not found but whose cause carries none names none, and
    # the other way round: the words are not read.
    entry = {"pattern": "auto", "decision": "kept", "reason": "header 'words.h' not found", "line": 1,
             "column": 1, "cause": {"kind": "unmodelled", "names": ["k"]}}
    report = {"pass": "pipe-v-barrier", "patterns": ["auto"], "decisions": [entry]}
    assert not [n for n in kept_notes("k.cpp", [report], [{"causes": [{"kind": "unmodelled"}]}]) if "not found" in n]
    notes = kept_notes("k.cpp", [report], [{"causes": [{"kind": "unmodelled", "missing_header": "typed.h"}]}])
    assert [n for n in notes if "not found" in n] == [
        "k.cpp: note: header 'typed.h' not found, so 1 barrier(s) are kept: give its directory with -I DIR (the "
        "directories bisheng searches, e.g. the CANN toolkit's include directory for its runtime headers)"]
