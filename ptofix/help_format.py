"""The parser class and help formatter of every ``ptofix`` parser (argparse is imported only when a
parser is built)."""
from __future__ import annotations

import argparse
import os
import sys

from .output import write_stdout


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
    """argparse's parser whose stdout output (``--help``, ``--version``) is checked.

    argparse writes help and version text and ignores an OSError (``ptofix --help > /dev/full``
    would print nothing and exit 0). Here a stdout that cannot take it is an output that cannot be
    written: :class:`~ptofix.source.PtofixError`, exit status 2, as for every other command output.
    Messages for stderr (usage errors) are written as argparse does.
    """

    def _print_message(self, message: str, file=None) -> None:  # type: ignore[override]
        if message and file is sys.stdout:
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
