"""Measuring the vector pipe's timeline before and after a rewrite with Perf-Sim (its swimlane's
VEC tracks), the data ``timeline.fragment`` draws on the HTML report of ``run --report html
--pto-isa DIR``."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..source import PtofixError, SourceText
from .timeline import VECTOR_TRACK


def timeline_report(source: SourceText, rewritten: str, pto_isa: str) -> dict[str, Any]:
    """Perf-Sim's VEC events of ``source`` and of ``rewritten`` (scalars 16, one core), or the
    reason there are none (``error``)."""
    from .measure import PerfOptions, measure
    options = PerfOptions(pto_isa=pto_isa, keep_swimlane=True)
    with tempfile.TemporaryDirectory(prefix="ptofix-timeline-") as scratch:
        name = Path(source.path).name or "kernel.cpp"
        before = Path(scratch) / "before" / name
        after = Path(scratch) / "after" / name
        for path, text in ((before, source.text), (after, rewritten)):
            os.makedirs(path.parent)
            path.write_text(text, encoding="utf-8")
        try:
            results = measure([str(before), str(after)], options)
        except PtofixError as exc:
            return {"error": exc.format().replace(scratch + os.sep, "")}
    out: dict[str, Any] = {"pto_isa": pto_isa}
    for label, result in zip(("before", "after"), results, strict=True):
        lanes: dict[str, list[tuple[int, int, str]]] = {}
        for event in result.swimlane:
            tid = str(event.get("tid", ""))
            if tid.endswith(VECTOR_TRACK):
                lanes.setdefault(tid, []).append((int(event["ts"]), int(event["dur"]), str(event.get("name", ""))))
        out[label] = {"total_cycles": result.total_cycles, "vec_busy": result.vec_busy,
                      "arguments": result.arguments, "lanes": {k: sorted(v) for k, v in sorted(lanes.items())}}
    return out
