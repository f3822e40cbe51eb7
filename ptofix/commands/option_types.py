"""The argparse types of the numeric and NAME=VALUE options several commands take (simulate, perf and
the trace options of check and run): each reads the text of one option or refuses it with the
reason argparse shows at the option."""
from __future__ import annotations

import argparse

from .. import regex_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_DECIMAL = regex_cache.compile(r"[0-9]{1,12}")           # ASCII digits only (str.isdigit takes any script's)
_HEX = regex_cache.compile(r"0[xX][0-9a-fA-F]{1,12}")


def read_number(text: str) -> int | None:
    """``text`` as a decimal or 0x hexadecimal number of ASCII digits, None if it is not one."""
    if _DECIMAL.fullmatch(text):
        return int(text, 10)
    if _HEX.fullmatch(text):
        return int(text, 16)
    return None


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got '{text}'")
    return value


def count_between(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer of ASCII digits, at least ``least`` (and at most ``most``)."""
    def convert(text: str) -> int:
        value = read_number(text.strip())
        if value is None:
            raise argparse.ArgumentTypeError(f"expected a number, got '{text}'")
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most}, got {value}")
        return value
    convert.__name__ = "number"     # argparse names the type in its messages
    return convert


def name_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    name, value = text.split("=", 1)
    return name.strip(), value.strip()


def positive(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return int(text)
