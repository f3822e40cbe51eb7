"""What a PIPE_V barrier costs under a drain-and-refill model, by pto-isa's own calibration.

pto-isa's host cost model (include/pto/costmodel/a2a3/cce_costmodel/cce_costmodel_core.hpp,
``EstimateLinearCycles(repeat, head, slope, tail)``) charges a vector intrinsic ``head + tail``
start-up cycles when the vector stream starts (a pipe queue that is empty), ``slope`` per repeat
otherwise; each intrinsic's numbers are in cce_costmodel_vector_compute.hpp and its siblings (the
910B3 calibration notes beside them). A barrier between two vector ops drains the pipe and refills
it: it costs at most the tail of the last intrinsic of the op before plus the head of the first
intrinsic of the op after (less any gap the pipe was already idle across it, which is not known
statically, so every number here is an upper bound).

The numbers are read from the checkout's headers on every use, never from a copied table: the
functions of each header that record a ``PipeKey::VECTOR`` call and take their cycles from
``EstimateLinearCycles`` (or from a one-line wrapper of it such as ``EstimateVconvCycles``), with
literal or ``constexpr`` arguments, or the defaults of ``EstimateLinearCycles``' own declaration.
An intrinsic costed another way (``copy_ubuf_to_ubuf``: the UB_TO_UB pipe's bandwidth) has no
head or tail here, and a barrier next to it has no cost given. Which intrinsics an op issues, first
and last, comes from pto-isa's recorded trace (pto/derived_facts.py).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .derived_facts import default_facts

COST_MODEL_DIR = os.path.join("include", "pto", "costmodel", "a2a3", "cce_costmodel")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_CONSTANT = re.compile(r"\bconstexpr\s+(?:const\s+)?(?:uint64_t|uint32_t|int|unsigned)\s+(\w+)\s*=\s*(\d+)\s*;")
_FUNCTION = re.compile(r"\binline\s+(void|uint64_t)\s+(\w+)\s*\(([^()]*)\)\s*\{")
_DEFAULT = re.compile(r"\buint64_t\s+(head|slope|tail)\s*=\s*(\d+)")
_CALL = re.compile(r"\b(\w+)\s*\(")
_RECORD = re.compile(r"RecordCceCall\s*\(\s*::pto::mocker::evaluator::PipeKey::(\w+)\s*,\s*\"(\w+)\"")
_ESTIMATE = "EstimateLinearCycles"


@dataclass(frozen=True)
class Latency:
    """One intrinsic's start-up cycles in the checkout's model, and where they are written."""
    head: int
    tail: int
    where: str          # header file name and line of the intrinsic's definition


@dataclass(frozen=True)
class BarrierCost:
    """The drain-and-refill cost of one barrier: ``cycles`` per execution (an upper bound), the
    intrinsics it comes from, or ``why`` no number is given."""
    cycles: int | None
    tail: tuple[str, str, int] | None = None     # (op, intrinsic, its tail)
    head: tuple[str, str, int] | None = None     # (op, intrinsic, its head)
    why: str = ""


def _strip_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _body(text: str, brace: int) -> str:
    depth = 0
    for i in range(brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1:i]
    return text[brace + 1:]


def _arguments(text: str, open_paren: int) -> list[str]:
    """The top-level comma-separated arguments of the call whose ``(`` is at ``open_paren``."""
    args: list[str] = []
    depth = 0
    start = open_paren + 1
    for i in range(open_paren, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append(text[start:i].strip())
                return [a for a in args if a]
        elif c == "," and depth == 1:
            args.append(text[start:i].strip())
            start = i + 1
    return []


class LatencyTable:
    """The vector intrinsics' head and tail of one checkout (``read`` it)."""

    def __init__(self, latencies: dict[str, Latency], source: str) -> None:
        self.latencies = latencies
        self.source = source            # the directory read
        self._index: dict[str, tuple[list[str], list[str]]] | None = None

    @classmethod
    def read(cls, checkout: str) -> LatencyTable:
        """Read ``checkout``'s cost-model headers; an unreadable or unrecognised directory gives an
        empty table (every barrier's cost then says why it is not given)."""
        directory = os.path.join(checkout, COST_MODEL_DIR)
        try:
            names = sorted(n for n in os.listdir(directory) if n.startswith("cce_costmodel") and n.endswith(".hpp"))
        except OSError:
            return cls({}, directory)
        texts: dict[str, str] = {}
        for name in names:
            try:
                with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as stream:
                    texts[name] = stream.read()
            except OSError:
                continue
        return cls(parse_latencies(texts), directory)

    def of(self, intrinsic: str) -> Latency | None:
        return self.latencies.get(intrinsic)

    def barrier_cost(self, before: list[str], after: list[str]) -> BarrierCost:
        """The cost of a barrier with the ops ``before`` it (the candidates for the last op in
        flight) and ``after`` it: the largest tail plus the largest head over the candidates."""
        if not before or not after:
            side = "before" if not before else "after"
            return BarrierCost(None, why=f"no vector op {side} it is known")
        tail = self._extreme(before, last=True)
        if isinstance(tail, str):
            return BarrierCost(None, why=tail)
        head = self._extreme(after, last=False)
        if isinstance(head, str):
            return BarrierCost(None, why=head)
        return BarrierCost(tail[2] + head[2], tail, head)

    def cycles_entry(self, before: list[str], after: list[str], weight: int) -> dict:
        """A report's ``cycles`` of a barrier executed ``weight`` times per call: per execution and
        per call (upper bounds), the tail and head they come from, or why there is no number."""
        cost = self.barrier_cost(before, after)
        if cost.cycles is None or cost.tail is None or cost.head is None:
            return {"per_execution": None, "per_call": None, "why": cost.why}
        return {"per_execution": cost.cycles, "per_call": cost.cycles * weight, "bound": "upper",
                "tail": self._side(cost.tail), "head": self._side(cost.head)}

    def _side(self, side: tuple[str, str, int]) -> dict:
        latency = self.of(side[1])
        return {"op": side[0], "intrinsic": side[1], "cycles": side[2], "where": latency.where if latency else ""}

    def _extreme(self, ops: list[str], last: bool) -> tuple[str, str, int] | str:
        best: tuple[str, str, int] | None = None
        for op in dict.fromkeys(ops):
            if self._index is None:
                self._index = trace_index()
            for intrinsic in op_intrinsics(op, last, self._index):
                latency = self.of(intrinsic) if intrinsic else None
                if latency is None:
                    what = f"{op}'s {intrinsic}" if intrinsic else op
                    return f"{what} has no calibrated vector head and tail in the checkout"
                value = latency.tail if last else latency.head
                if best is None or value > best[2]:
                    best = (op, intrinsic, value)
        if best is None:
            return "no vector op known"
        return best


MODEL = ("drain-and-refill: the calibrated tail of the vector op before plus the head of the op after, an "
         "upper bound (the vector pipe's idle gap across a barrier is not known)")


def cost_words(cost: dict) -> str:
    """``~24 cycles/execution, ~384/call at most: vmax tail 14 + vsub head 10`` of a ``cycles``
    entry (cycles_entry), or ``cycles not given: WHY``."""
    if cost["per_execution"] is None:
        return f"cycles not given: {cost['why']}"
    return (f"~{cost['per_execution']:,} cycles/execution, ~{cost['per_call']:,}/call at most: "
            f"{cost['tail']['intrinsic']} tail {cost['tail']['cycles']} + {cost['head']['intrinsic']} head "
            f"{cost['head']['cycles']}")


def op_intrinsics(op: str, last: bool, index: dict[str, tuple[list[str], list[str]]]) -> list[str]:
    """The intrinsics op ``op`` may issue first (``last``: last), by pto-isa's recorded trace
    (``index``: trace_index()); an op step ``OP.intrinsic`` is that intrinsic; [""] when the trace
    does not know the op."""
    if "." in op:
        return [op.split(".", 1)[1]]
    firsts, lasts = index.get(op, ([], []))
    return sorted(lasts if last else firsts) or [""]


def trace_index() -> dict[str, tuple[list[str], list[str]]]:
    """op -> (the intrinsics it issues first, those it issues last) over pto-isa's recorded grid."""
    index: dict[str, tuple[list[str], list[str]]] = {}
    for point in default_facts().table.get("points", {}).values():
        if not point.get("instructions"):
            continue
        firsts, lasts = index.setdefault(point.get("op", ""), ([], []))
        for names, at in ((firsts, 0), (lasts, -1)):
            name = point["instructions"][at][0]
            if name not in names:
                names.append(name)
    return index


def _constants(texts: dict[str, str]) -> dict[str, int | None]:
    """Every ``constexpr`` integer by name (None: two that disagree)."""
    constants: dict[str, int | None] = {}
    for text in texts.values():
        for m in _CONSTANT.finditer(text):
            value = int(m.group(2))
            constants[m.group(1)] = value if constants.get(m.group(1), value) == value else None
    return constants


def _definitions(texts: dict[str, str]) -> tuple[list[tuple[str, str, str, str, int]], dict[str, int] | None]:
    """The functions defined, (kind, name, body, file, line), and the defaults of
    EstimateLinearCycles' declarations (None when they disagree or are not all there)."""
    defaults: dict[str, int] = {}
    functions: list[tuple[str, str, str, str, int]] = []
    for file, text in texts.items():
        for m in _FUNCTION.finditer(text):
            body = _body(text, m.end() - 1)
            if m.group(2) != _ESTIMATE:
                functions.append((m.group(1), m.group(2), body, file, text.count("\n", 0, m.start()) + 1))
                continue
            for d in _DEFAULT.finditer(m.group(3)):
                if defaults.setdefault(d.group(1), int(d.group(2))) != int(d.group(2)):
                    return functions, None
    return functions, defaults if set(defaults) == {"head", "slope", "tail"} else None


def _estimate(body: str, constants: dict[str, int | None], defaults: dict[str, int]) -> tuple[int, int] | None:
    """(head, tail) of the one EstimateLinearCycles call in ``body``, on the vector pipe, with
    constant arguments; else None."""
    def value(text: str, name: str) -> int | None:
        if not text:
            return defaults[name]
        return int(text) if text.isdigit() else constants.get(text)

    found: list[tuple[int, int]] = []
    for m in _CALL.finditer(body):
        if m.group(1) != _ESTIMATE:
            continue
        args = _arguments(body, m.end() - 1)
        if args and "PipeKey::" in args[0]:
            if not args[0].endswith("PipeKey::VECTOR"):
                return None
            args = args[1:]
        if not 1 <= len(args) <= 4:
            return None
        args = args + [""] * (4 - len(args))
        head, tail = value(args[1], "head"), value(args[3], "tail")
        if head is None or tail is None:
            return None
        found.append((head, tail))
    return found[0] if len(found) == 1 else None


def parse_latencies(texts: dict[str, str]) -> dict[str, Latency]:
    """Each vector intrinsic's head and tail from the headers' texts, by name."""
    # raw-text scan: the CCE toolchain's intrinsic headers (not C++ the parser reads into a model)
    texts = {name: _strip_comments(text) for name, text in texts.items()}
    constants = _constants(texts)
    functions, defaults = _definitions(texts)
    if defaults is None:
        return {}
    wrappers: dict[str, tuple[int, int] | None] = {}
    for kind, name, body, _file, _line in functions:
        if kind == "uint64_t" and _ESTIMATE in body:
            wrappers[name] = _estimate(body, constants, defaults) if name not in wrappers else None
    latencies: dict[str, Latency] = {}
    refused: set[str] = set()
    for kind, name, body, file, line in functions:
        records = _RECORD.findall(body)
        if kind != "void" or not records:
            continue            # (a helper, or a stub with an empty body)
        used = [c for c in (m.group(1) for m in _CALL.finditer(body)) if c == _ESTIMATE or c in wrappers]
        got = None
        if all(pipe == "VECTOR" for pipe, _ in records) and len(used) == 1:
            got = _estimate(body, constants, defaults) if used[0] == _ESTIMATE else wrappers[used[0]]
        if got is None or (name in latencies and (latencies[name].head, latencies[name].tail) != got):
            refused.add(name)
            continue
        latencies.setdefault(name, Latency(got[0], got[1], f"{file}:{line}"))
    return {name: latency for name, latency in latencies.items() if name not in refused}
