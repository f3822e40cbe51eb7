"""The parser class and help formatter of every ``ptofix`` parser (argparse is imported only when a
parser is built)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, NoReturn

from .. import regex_cache


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's RawDescriptionHelpFormatter, sized without importing shutil.

    argparse builds a formatter for every add_argument (to check the metavar) and sizes it with
    shutil.get_terminal_size; importing shutil (with zlib, bz2 and lzma) costs every run ~2 ms.
    The width is the one shutil gives: $COLUMNS when positive, else the terminal's, else 80.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """The description refilled to the terminal's width, paragraph by paragraph; a paragraph
        whose lines are indented (examples, a table of statuses) or that starts with a heading
        (``exit status:``) keeps its lines as written."""
        import textwrap
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if not lines or any(line.startswith(" ") for line in lines) or lines[0].rstrip().endswith(":"):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(textwrap.fill(" ".join(line.strip() for line in lines), max(width, 20),
                                                initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(paragraphs)

    def _expand_help(self, action: argparse.Action) -> str:
        """An option's help as ``--help`` shows it: its first clause, one line on a wide enough
        terminal (the rest of the text, and why, is on the command's page, docs/commands/*.md)."""
        return first_clause(super()._expand_help(action))


# Where an option's help says more than what the option does: a new sentence, a clause after ';',
# an aside in parentheses, an example after ", e.g.".
_CLAUSE_END = regex_cache.compile(r"\. |; | \(|, e\.g\. | -- ")


def first_clause(text: str) -> str:
    """``text`` up to its first clause's end (see _CLAUSE_END), brackets balanced."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            if depth == 0 and char == "(" and _CLAUSE_END.match(text, index - 1):
                return text[:index - 1]
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0 and _CLAUSE_END.match(text, index) and index > 0:
            return text[:index]
    return text


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose stdout output (``--help``, ``--version``) is checked, and whose
    usage errors are those of a compiler driver.

    argparse writes help and version text and ignores an OSError (``ptofix --help > /dev/full``
    would print nothing and exit 0). Here a stdout that cannot take it is an output that cannot be
    written: :class:`~ptofix.source.PtofixError`, exit status 2, as for every other command output.
    Messages for stderr (usage errors) are written as argparse does.

    Usage errors: no option is taken by a prefix of its name (``--pat`` is not ``--pattern``: a
    later option starting the same would change what an old command line means); an unknown
    option or command gets "did you mean" with the closest known spelling; and a command's
    unknown option is reported with that command's usage (``subcommand``), not the top level's.
    """

    def __init__(self, *args: Any, subcommand: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.subcommand = subcommand

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        namespace, extras = super().parse_known_args(args, namespace)
        if self.subcommand and extras:
            # (argparse hands a command's unknown words to the top-level parser, whose usage would
            # say nothing of the command's options.)
            self.error("unrecognized arguments: " + " ".join(extras))
        return namespace, extras

    # A word like "-D X=1 -O2" (one word, with a space) is a value, not a short option with an
    # attached value: `build --bisheng-flags "-D X -O2"` passes compiler flags to a flags option,
    # and build also has -D (set True on its parser).
    spaced_words_are_values = False

    def _parse_optional(self, arg_string: str) -> Any:
        if (self.spaced_words_are_values and " " in arg_string and arg_string[:1] in self.prefix_chars
                and not arg_string.startswith("--") and arg_string not in self._option_string_actions):
            return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> NoReturn:
        super().error(message + did_you_mean(message, list(self._option_string_actions)))

    def _print_message(self, message: str, file=None) -> None:  # type: ignore[override]
        if message and file is sys.stdout:
            from ..streams import write_stdout
            write_stdout(message)
            return
        super()._print_message(message, file)


class CommaListAction(argparse.Action):
    """A comma-list option given more than once means all of its values, in order:
    ``--local-slot-num 0=2 --local-slot-num 4=2`` is ``--local-slot-num 0=2,4=2`` (a plain store
    would silently keep the last one)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        earlier = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, f"{earlier},{values}" if earlier else values)


def did_you_mean(message: str, options: list[str]) -> str:
    """A "did you mean" for an argparse error ``message``: the known option closest to each
    unknown one (``options``), or the closest choice of a misspelled command or value."""
    from difflib import get_close_matches
    unknown = re.match(r"unrecognized arguments: (.*)$", message)
    if unknown:
        hints = []
        for word in unknown.group(1).split():
            if word.startswith("-"):
                name = word.split("=", 1)[0]
                longer = [option for option in options if option.startswith(name) and len(name) > 2]
                close = longer[:1] if len(longer) == 1 else get_close_matches(name, options, n=1, cutoff=0.6)
                if close:
                    hints.append(f"'{close[0]}' for '{word}'")
        return f" (did you mean {', '.join(hints)}?)" if hints else ""
    choice = re.match(r"argument \S+: invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if choice:
        close = get_close_matches(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)), n=1, cutoff=0.5)
        return f"; did you mean '{close[0]}'?" if close else ""
    return ""
