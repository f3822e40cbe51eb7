"""The documentation matches the tool: every command has its page in docs/commands/ naming every
option its parser defines, every pass option is on the opt page, the README's links and the paths
it names in "where a change goes" exist. (The layout table's paths: tests/test_layout.py.)"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from ptofix.cli import COMMANDS, build_parser
from ptofix.pass_manager import available_passes, get_pass_class

REPO = Path(__file__).resolve().parent.parent
COMMAND_DOCS = REPO / "docs" / "commands"


def subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser(command)
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return choices[command]


def code_words(markdown: str) -> set[str]:
    """The words of every `code span`: an option written `--ir PTO_IR` or `--gm-fill NAME=MODE` counts."""
    words: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", markdown):
        words.update(w for w in re.split(r"[\s=,\[\]]+", span) if w)
    return words


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors: a heading lower-cased, its punctuation but '-' and '_' dropped, spaces as '-'."""
    anchors = set()
    for heading in re.findall(r"^#+ +(.+?) *$", markdown, re.M):
        text = re.sub(r"[^\w\- ]", "", heading.lower())
        anchors.add(text.replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_page_the_readme_links(command):
    page = COMMAND_DOCS / f"{command}.md"
    assert page.is_file(), f"ptofix {command} has no docs/commands/{command}.md"
    assert f"(docs/commands/{command}.md)" in (REPO / "README.md").read_text(encoding="utf-8"), \
        f"the README does not link docs/commands/{command}.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_on_its_command_page(command):
    page = (COMMAND_DOCS / f"{command}.md").read_text(encoding="utf-8")
    words = code_words(page)
    options = [o for action in subparser(command)._actions for o in action.option_strings if o not in ("-h", "--help")]
    assert len(options) > 3
    missing = [o for o in options if o not in words]
    assert not missing, f"docs/commands/{command}.md does not name {missing}"


def test_the_shared_output_options_are_on_the_common_page():
    words = code_words((COMMAND_DOCS / "common-options.md").read_text(encoding="utf-8"))
    shared = set.intersection(*({o for a in subparser(c)._actions for o in a.option_strings}
                                for c in ("run", "opt", "canonicalize", "check")))
    assert {"--diff", "-i", "-j"} <= shared
    assert not sorted(shared - words - {"-h", "--help"})


@pytest.mark.parametrize("pass_name", available_passes())
def test_every_pass_option_is_on_the_opt_page(pass_name):
    page = (COMMAND_DOCS / "opt.md").read_text(encoding="utf-8")
    table = [line for line in page.splitlines() if line.startswith("|")]
    rows: dict[str, set[str]] = {}
    current = ""
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 4:
            current = cells[0].strip("`") or current
            rows.setdefault(current, set()).add(cells[1].strip("`"))
    fields = [name.replace("_", "-") for name in get_pass_class(pass_name).field_names]
    missing = [f for f in fields if f not in rows.get(pass_name, set())]
    assert not missing, f"docs/commands/opt.md's pass options table lacks {pass_name}'s {missing}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_local_link_resolves(path):
    text = re.sub(r"`[^`\n]*`", "", path.read_text(encoding="utf-8"))     # (code may look like a link)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.relative_to(REPO)} links {target}, which does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in heading_anchors(linked.read_text(encoding="utf-8")), \
                f"{path.relative_to(REPO)} links {target}: no such heading"


def test_the_paths_where_a_change_goes_exist():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Where a change goes", 1)[1].split("\n## ", 1)[0]
    named = [w for w in re.findall(r"`([^`\s]+)`", section)
             if "/" in w and "<" not in w and not w.startswith("-")]
    assert len(named) > 10
    bases = [REPO, REPO / "ptofix" / "pto", REPO / "ptofix" / "cpp"]
    for path in named:
        assert any((base / path).exists() for base in bases), f"'where a change goes' names {path}, not in the tree"


def test_the_common_page_states_the_side_file_bounds_and_the_cache():
    """What docs/commands/common-options.md says of files read besides the inputs is what the code does."""
    from ptofix.pto import header_words
    from ptofix.side_files import MAX_SIDE_FILE_BYTES, READ_SECONDS
    page = (COMMAND_DOCS / "common-options.md").read_text(encoding="utf-8")
    assert f"at most {MAX_SIDE_FILE_BYTES >> 20} MiB" in page and f"within {READ_SECONDS:.0f} s" in page
    assert f"deeper than {header_words._CACHE_DEPTH} levels" in page
    assert f"a checkout file {header_words.MAX_CHECKOUT_FILE_BYTES >> 20} MiB" in page
    assert f"a checkout {header_words.MAX_CHECKOUT_BYTES >> 20} MiB in all" in page
    assert {"$PTOFIX_CACHE_DIR", "$XDG_CACHE_HOME/ptofix", "~/.cache/ptofix"} <= code_words(page)


README_PARAGRAPH_WORDS = 150


def prose_paragraphs(markdown: str) -> list[str]:
    """The blank-line-separated blocks of ``markdown`` that are prose: a paragraph, or a list written
    without blank lines between its items (it reads as one); not a table, a heading or fenced code."""
    text = re.sub(r"^```.*?^```[^\n]*$", "", markdown, flags=re.S | re.M)
    blocks = (block.strip() for block in re.split(r"\n[ \t]*\n", text))
    return [block for block in blocks if block and not block.startswith(("|", "#"))]


def test_prose_paragraphs_are_blocks_of_text_not_tables_or_code():
    markdown = ("# Title\n\nOne two three.\nfour five.\n\n- a b\n- c d\n\n| x | y |\n|---|---|\n\n"
                "```\ncode one two\n\nthree four\n```\n\nLast.\n")
    assert prose_paragraphs(markdown) == ["One two three.\nfour five.", "- a b\n- c d", "Last."]


def test_readme_paragraphs_are_short():
    """Each README paragraph reads in one go: under README_PARAGRAPH_WORDS words (the details belong
    in docs/)."""
    paragraphs = prose_paragraphs((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(paragraphs) > 20
    long = [f"{len(p.split())} words: {p[:60]!r}" for p in paragraphs if len(p.split()) >= README_PARAGRAPH_WORDS]
    assert long == [], f"README paragraphs of {README_PARAGRAPH_WORDS} words or more: {long}"


def test_the_product_names_no_development_layout():
    # ../shared (the corpus and the pto-isa checkout beside a developer's clone) is not where a
    # user has anything: no message, help text or comment of the package names it.
    found = [f"{path.relative_to(REPO)}:{number}" for directory in ("ptofix", "passes")
             for path in sorted((REPO / directory).rglob("*")) if path.suffix in (".py", ".hpp", ".md", ".toml")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "../shared" in line]
    assert found == []


# The commands that take the compile options (commands/arguments.add_compile_arguments): each page
# names them and links the one place they are described, docs/commands/common-options.md.
COMPILE_OPTION_PAGES = ("run", "check", "opt", "simulate")


def compile_options_table() -> str:
    """The rows of common-options.md's "Compile options" table, as ptofix/compile_options.py
    declares the options (the page is written from this)."""
    from ptofix.compile_options import COMPILE_OPTIONS
    return "".join(f"| `{o.flag} {o.metavar}` | none | {o.help} |\n" for o in COMPILE_OPTIONS)


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_compile_options_are_described_once_as_declared():
    from ptofix.compile_options import COMPILE_OPTIONS
    common = _section((COMMAND_DOCS / "common-options.md").read_text(encoding="utf-8"), "Compile options")
    rows = "".join(line + "\n" for line in common.splitlines() if line.startswith("| `-"))
    assert rows == compile_options_table(), "common-options.md's compile options differ from compile_options.py"
    for command in COMPILE_OPTION_PAGES:
        page = (COMMAND_DOCS / f"{command}.md").read_text(encoding="utf-8")
        assert "(common-options.md#compile-options)" in page, f"docs/commands/{command}.md does not link them"
        flat = page.replace("`", "")
        described = [o.flag for o in COMPILE_OPTIONS if o.help.split(" (")[0] in flat]
        assert described == [], f"docs/commands/{command}.md describes {described} again"
    assert {o for a in subparser("run")._actions for o in a.option_strings} >= {o.flag for o in COMPILE_OPTIONS}


def test_the_scan_sees_an_option_described_again():
    from ptofix.compile_options import INCLUDE_DIR
    old_row = "| `-I DIR` | none | search DIR for the headers the kernel `#include`s (repeatable) |"
    assert INCLUDE_DIR.help.split(" (")[0] in old_row.replace("`", "")
