"""The words of pto's headers read from the checkout a kernel compiles with (--pto-isa, build's
PTO_LIB_PATH) rather than the shipped union of the documented pto-isa commits
(ptofix/pto/header_words.py, ops.macro_may_change_pto_code)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_headers import kernel, reasons, run_auto, write

from ptofix.isa_version import identify
from ptofix.pto.header_words import checkout_words, words_reached
from ptofix.pto.ops import macro_may_change_pto_code, pto_header_words

# A fake checkout: the umbrella header, one header beside it (quoted), one under include/ (angle
# brackets), one the umbrella never reaches, and a standard header that is not in the tree.
FAKE_CHECKOUT = {
    "include/pto/pto-inst.hpp": '#include "common/near.hpp"  // near_comment_word\n'
                                "#include <pto/far.hpp>\n#include <cstdint>\n"
                                '/* block_comment_word */ const char* s = "string_word";\n',
    "include/pto/common/near.hpp": "#ifdef kernel_tuning_knob\nint near_word;\n#endif\n#include <pto/far.hpp>\n",
    "include/pto/far.hpp": "template <int N> struct far_word {};\n",
    "include/pto/unreached.hpp": "int unreached_word;\n",
}


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    """Each test with a cache of its own, and no words kept in the process from another test."""
    monkeypatch.setenv("PTOFIX_CACHE_DIR", str(tmp_path / "cache"))
    checkout_words.cache_clear()
    identify.cache_clear()
    yield
    checkout_words.cache_clear()
    identify.cache_clear()


def fake_checkout(root: Path, files: dict[str, str] = FAKE_CHECKOUT) -> Path:
    for path, text in files.items():
        write(root / path, text)
    return root


def test_the_words_of_the_headers_the_umbrella_header_reaches(tmp_path):
    words = checkout_words(str(fake_checkout(tmp_path / "pto-isa")))
    assert words is not None
    assert {"near_word", "far_word", "kernel_tuning_knob", "string_word", "N", "s"} <= words
    # Comments, a header nothing includes, C++ keywords: not words pto's code writes.
    assert not {"near_comment_word", "block_comment_word", "unreached_word", "template", "int"} & words


def test_a_tree_without_the_umbrella_header_has_no_words():
    assert words_reached({}.get) is None
    assert words_reached({"include/pto/pto-inst.hpp": "int x;"}.get) == frozenset({"x"})


def test_the_checkout_words_decide_instead_of_the_shipped_union(tmp_path):
    checkout = fake_checkout(tmp_path / "pto-isa")
    facts, notes = identify(str(checkout))
    assert facts.header_words == checkout_words(str(checkout)) and not any("pto-inst" in n for n in notes)
    # A word only this checkout writes, one only the shipped union holds (a local name of pto-isa's
    # TColSum.hpp).
    assert "kernel_tuning_knob" not in pto_header_words() and "lenBurst" in pto_header_words()
    assert not macro_may_change_pto_code("kernel_tuning_knob")
    assert macro_may_change_pto_code("kernel_tuning_knob", facts.header_words)
    assert not macro_may_change_pto_code("lenBurst", facts.header_words)


def test_a_macro_before_pto_header_is_judged_by_the_checkout(tmp_path, capsys):
    # A copy of pto-isa f35e7f60 whose TSort32.hpp includes one more header, which tests a knob.
    # absLhsHigh: a word of the shipped union that f35e7f60's headers do not write.
    # (A checkout whose a2a3 build differs from f35e7f60 keeps every op's barriers, pto/op_sources.py:
    # what the checkout's words decide shows in the reasons.)
    checkout = _checkout_with_header(tmp_path / "pto-isa", "#ifdef kernel_tuning_knob\nint near_word;\n#endif\n")
    for macro, removed_by_default, named_with_checkout in (("kernel_tuning_knob", 1, True), ("absLhsHigh", 0, False)):
        source = write(tmp_path / f"{macro}.cpp", kernel(before=f"#define {macro}\n"))
        assert run_auto(source, capsys=capsys)[1]["removed"] == removed_by_default
        status, report, _ = run_auto(source, "--pto-isa", str(checkout), capsys=capsys)
        assert status == 0 and report["removed"] == 0, reasons(report)
        said = f"the macro '{macro}' is defined or undefined before pto's header" in reasons(report)
        assert said == named_with_checkout, reasons(report)
        if not named_with_checkout:
            assert "its facts were read from other pto-isa code" in reasons(report)


def test_a_fake_checkout_keeps_every_barrier_of_its_ops(tmp_path, capsys):
    """A checkout that does not hold the code the op facts were read from (this fake one holds no
    op header at all): the ops are Unknown, the barrier is kept, and stderr names the op."""
    checkout = fake_checkout(tmp_path / "pto-isa")
    source = write(tmp_path / "k.cpp", kernel())
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1
    status, report, err = run_auto(source, "--pto-isa", str(checkout), capsys=capsys)
    assert status == 0 and report["removed"] == 0
    assert "its facts were read from other pto-isa code" in reasons(report)
    assert "TADD is read as unknown, its barriers kept" in err


def test_a_checkout_without_the_umbrella_header_keeps_the_union_and_says_so(tmp_path):
    files = {path: text for path, text in FAKE_CHECKOUT.items() if not path.endswith("pto-inst.hpp")}
    facts, notes = identify(str(fake_checkout(tmp_path / "pto-isa", files)))
    assert facts.header_words is None
    assert any("include/pto/pto-inst.hpp" in note and "every documented pto-isa version" in note for note in notes)


def test_the_words_are_kept_on_disk_while_every_header_read_stays_the_same(tmp_path):
    files = dict(FAKE_CHECKOUT)
    files["include/pto/pto-inst.hpp"] += '#include "later.hpp"\n'      # found nowhere (yet)
    root = str(fake_checkout(tmp_path / "pto-isa", files))
    first = checkout_words(root)
    [cache] = list((tmp_path / "cache").iterdir())
    assert first is not None and set(json.loads(cache.read_text())["words"]) == first
    # A cache the headers still match is what the next run reads (here: an edited copy of it).
    data = json.loads(cache.read_text())
    cache.write_text(json.dumps({**data, "words": [*data["words"], "from_the_cache"]}))
    checkout_words.cache_clear()
    assert checkout_words(root) == first | {"from_the_cache"}
    # A header changed, or one found where none was: read again.
    write(tmp_path / "pto-isa" / "include" / "pto" / "far.hpp", "struct far_word_renamed {};\n")
    checkout_words.cache_clear()
    second = checkout_words(root)
    assert second is not None and "far_word_renamed" in second and "from_the_cache" not in second
    write(tmp_path / "pto-isa" / "include" / "later.hpp", "int later_word;\n")
    checkout_words.cache_clear()
    assert "later_word" in (checkout_words(root) or ())
    # A cache that does not parse is no cache.
    cache.write_text("{not json")
    checkout_words.cache_clear()
    assert "later_word" in (checkout_words(root) or ())


def test_a_header_overload_is_judged_by_how_the_checkout_calls_the_name(tmp_path, capsys):
    """With --pto-isa, how pto's code calls a name is read from that checkout: the runtime's
    `get_block_idx(args)` is no candidate for its `get_block_idx()` calls, but is for a checkout
    that passes an argument (or uses the name otherwise)."""
    from ptofix.pto.header_words import checkout_call_arities
    write(tmp_path / "early.h", "static inline int32_t get_block_idx(__gm__ int64_t* args) { return 0; }\n")
    source = write(tmp_path / "k.cpp", kernel(before='#include "early.h"\n'))
    for call, removed in (("get_block_idx()", 1), ("get_block_idx(7)", 0), ("&get_block_idx", 0)):
        checkout_call_arities.cache_clear()
        identify.cache_clear()
        checkout = _checkout_with_header(tmp_path / f"pto-isa-{removed}-{len(call)}",
                                         f"inline int far_word() {{ return (int) {call}; }}\n")
        # (The checkout's a2a3 build differs from f35e7f60: every barrier stays, pto/op_sources.py;
        # whether the header's overload is a candidate shows in the reasons.)
        status, report, _ = run_auto(source, "--pto-isa", str(checkout), capsys=capsys)
        assert status == 0 and report["removed"] == 0, (call, reasons(report))
        assert ("which then sees its 'get_block_idx'" in reasons(report)) == (not removed), (call, reasons(report))
    checkout_call_arities.cache_clear()


PTO_ISA_F35 = Path(__file__).resolve().parents[2].parent / "shared" / "pto-isa" / "f35e7f60"
LANE_BRIDGE = "[[block_local]] static int32_t pypto_lane;\n#define get_subblockid() pypto_lane\n"


def _copy_checkout(root: Path) -> Path:
    """A copy of pto-isa f35e7f60's include/ (the headers pto-inst.hpp reaches), to change."""
    if not (PTO_ISA_F35 / "include" / "pto" / "pto-inst.hpp").is_file():
        pytest.skip("no pto-isa checkout at ../shared/pto-isa/f35e7f60")
    shutil.copytree(PTO_ISA_F35 / "include", root / "include")
    return root


def _checkout_with_header(root: Path, text: str) -> Path:
    """A copy of f35e7f60 whose TSort32.hpp also includes a header of ``text``."""
    checkout = _copy_checkout(root)
    write(checkout / "include/pto/npu/a2a3/Extra.hpp", text)
    sort32 = checkout / "include/pto/npu/a2a3/TSort32.hpp"
    sort32.chmod(0o644)
    sort32.write_text(sort32.read_text(encoding="utf-8") + '\n#include "Extra.hpp"\n', encoding="utf-8")
    return checkout


def test_the_lane_id_bridge_holds_with_a_checkout_whose_uses_were_reviewed(tmp_path, capsys):
    """`#define get_subblockid() V` before pto's header, with `--pto-isa` a checkout whose headers
    writing the name are byte for byte the reviewed f35e7f60 ones (pto-facts.md §8.3.1): modelled."""
    checkout = _copy_checkout(tmp_path / "pto-isa")
    source = write(tmp_path / "k.cpp", kernel(before=LANE_BRIDGE))
    assert run_auto(source, capsys=capsys)[1]["removed"] == 1
    report = run_auto(source, "--pto-isa", str(checkout), capsys=capsys)[1]
    assert report["removed"] == 1, reasons(report)


@pytest.mark.parametrize(("path", "edit"), [
    # a new use of the lane id for a UB address, in a header pto-inst.hpp reaches
    ("include/pto/npu/a2a3/TPush.hpp", lambda text: text + "\ninline __ubuf__ float *lane_tile() "
                                                          "{ return (__ubuf__ float *)(get_subblockid() * 64); }\n"),
    # one byte of a reviewed header changed (a comment)
    ("include/pto/npu/a2a3/TAlloc.hpp", lambda text: text + "// changed\n"),
    # a header that did not write the name now does
    ("include/pto/npu/a2a3/TAdd.hpp", lambda text: text + "\n#define PTO_LANE get_subblockid()\n"),
    # the checkout's code now writes the kernel's variable's name (a local of its own would be read)
    ("include/pto/npu/a2a3/TAdd.hpp", lambda text: text + "\nstatic int pypto_lane;\n"),
])
def test_the_lane_id_bridge_is_unknown_when_the_checkout_uses_it_otherwise(tmp_path, capsys, path, edit):
    checkout = _copy_checkout(tmp_path / "pto-isa")
    header = checkout / path
    assert header.is_file()
    header.write_text(edit(header.read_text(encoding="utf-8")), encoding="utf-8")
    source = write(tmp_path / "k.cpp", kernel(before=LANE_BRIDGE))
    report = run_auto(source, "--pto-isa", str(checkout), capsys=capsys)[1]
    assert report["removed"] == 0
    assert "the macro 'get_subblockid' is defined or undefined before pto's header" in reasons(report), reasons(report)


def test_the_lane_id_bridge_is_unknown_with_a_checkout_that_does_not_read(tmp_path, capsys):
    """A reviewed header the checkout cannot read now (a directory in its place) keeps it unknown."""
    checkout = _copy_checkout(tmp_path / "pto-isa")
    source = write(tmp_path / "k.cpp", kernel(before=LANE_BRIDGE))
    assert run_auto(source, "--pto-isa", str(checkout), capsys=capsys)[1]["removed"] == 1
    from ptofix.pto.header_words import checkout_headers_writing
    (checkout / "include/pto/npu/a2a3/SyncAll.hpp").unlink()
    (checkout / "include/pto/npu/a2a3/SyncAll.hpp").mkdir()
    assert checkout_headers_writing(str(checkout), "get_subblockid") is None


# ---- linear on long quoted lines (issue 69, item 8) ------------------------------------------------
def _old_without_comments(text, literal):
    """The reading before issue 69, kept as the oracle of what the linear one must give: a regex
    search of a comment or a closing literal from each position (quadratic on `"\\"\\"...`)."""
    import re
    pattern = re.compile(r"""//[^\n]*|/\*|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')""", re.S)
    out, copied, pos, terminated = [], 0, 0, True
    while True:
        match = pattern.search(text, pos)
        if match is None:
            break
        end = match.end()
        if match.group(1) is not None:
            replacement = literal(match.group(1))
        elif match.group() == "/*":
            close = text.find("*/", end) if terminated else -1
            if close < 0:
                terminated = False
                pos = match.start() + 1
                continue
            end, replacement = close + 2, " "
        else:
            replacement = " "
        out.append(text[copied:match.start()])
        out.append(replacement)
        copied = pos = end
    out.append(text[copied:])
    return "".join(out)


def test_comments_and_literals_are_read_as_before_on_random_text():
    import random

    from ptofix.pto.header_words import without_comments
    rng = random.Random(69)
    for _ in range(4000):
        text = "".join(rng.choice("\"'\\\n/*ab ") for _ in range(rng.randrange(0, 40)))
        assert without_comments(text, lambda lit: f"<{lit}>") == _old_without_comments(text, lambda lit: f"<{lit}>"), \
            repr(text)


class _CountingBody:
    """A literal-body pattern that adds up the characters each match reads."""

    def __init__(self, pattern, read):
        self.pattern, self.read = pattern, read

    def match(self, text, pos):
        found = self.pattern.match(text, pos)
        self.read[0] += found.end() - pos + 1
        return found


ADVERSARIAL_LINES = ['"' + '\\"' * 50_000, '"\\' * 50_000, "'" + "\\'" * 50_000, ("\"'\\" * 40_000),
                     '"' + "a" * 1000 + '"\\"' * 30_000, "'\"\\\"'" * 20_000]


@pytest.mark.parametrize("line", ADVERSARIAL_LINES, ids=range(len(ADVERSARIAL_LINES)))
def test_a_long_quoted_line_is_read_once(monkeypatch, line):
    # The work done, counted: every literal body read adds up to at most the text's length per
    # kind of quote (the old reading read the rest of the line from each quote: ~n^2/4 here).
    from ptofix.pto import header_words
    read = [0]
    for quote, pattern in list(header_words._LITERAL_BODY.items()):
        monkeypatch.setitem(header_words._LITERAL_BODY, quote, _CountingBody(pattern, read))
    text = f"int before_word;\n#define X {line}\nint after_word;\n"
    result = header_words.without_comments(text, lambda lit: lit)
    assert read[0] <= 2 * (len(text) + text.count('"') + text.count("'")), read[0]
    assert "before_word" in result and "after_word" in result


@pytest.mark.slow
def test_a_checkout_header_with_a_megabyte_quoted_line_is_read_in_seconds(tmp_path):
    # A generous bound (the old reading: ~90 s for 120 KB, hours for 1 MB; now about 2 s).
    import time

    from ptofix.pto.header_words import checkout_call_arities
    checkout = fake_checkout(tmp_path / "pto-isa", {
        "include/pto/pto-inst.hpp": 'int before_word;\n#define X "' + '\\"' * 500_000 + "\nint after_word;\n"})
    started = time.process_time()
    words = checkout_words(str(checkout))
    assert checkout_call_arities(str(checkout)) is not None
    assert words is not None and {"before_word", "after_word"} <= words
    assert time.process_time() - started < 30
