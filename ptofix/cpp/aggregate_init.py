"""The one braced initializer the statement parser reads: TMRGSORT's executed-number list."""
from __future__ import annotations

from .. import regex_cache

# TMRGSORT's MrgSortExecutedNumList (pto-isa include/pto/npu/a2a3/TMrgSort.hpp at f35e7f60: four
# uint16_t, no constructor) initialized by a braced list of 1..4 integer literals, as ptoas prints it:
# `pto::MrgSortExecutedNumList v = pto::MrgSortExecutedNumList{0, 0, 0, 0};` or `... v{0, 0};`.
# Aggregate initialization by braces or (C++20) by parentheses sets the same members to the same
# values when every initializer is an integer literal, so the statement with its two braces as
# parentheses (same offsets) reads the same. Not `v = {...}` (a comma expression in parentheses),
# nor `v{}` (`v()` declares a function).
_AGGREGATE_TYPE = r"(?:(?:::)?pto::)?MrgSortExecutedNumList"
_BRACED_AGGREGATE = regex_cache.compile(
    r"\s*" + _AGGREGATE_TYPE + r"\s+[A-Za-z_]\w*\s*(?:=\s*" + _AGGREGATE_TYPE + r"\s*)?"
    r"(\{)\s*\d+[uU]?\s*(?:,\s*\d+[uU]?\s*){0,3}(\})\s*;\s*")


def braced_aggregate_as_parentheses(text: str) -> str | None:
    """``text``, one statement, with the braces of its MrgSortExecutedNumList aggregate
    initializer (see above) as parentheses, or None when it is not one."""
    match = _BRACED_AGGREGATE.fullmatch(text)
    if match is None:
        return None
    return f"{text[:match.start(1)]}({text[match.end(1):match.start(2)]}){text[match.end(2):]}"
