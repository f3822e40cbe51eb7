"""Facts about the PTO hardware, pto-isa and ptoas output: one home for each.

* ``ops``    -- what every tile op ptoas emits does: pipe, written operands, tmp operands,
               internal barriers, hidden UB scratch (docs/reference/pto-facts.md §1, §2, §8).
* ``tiles``  -- tile memory: element sizes, footprint, memory spaces and their sizes, the hidden
               scratch window (§3, §2.3).
* ``tpipe``  -- the ``TPipe<...>`` template: argument orders, defaults, directions, flag width (§4).
* ``ordering`` -- which orders the hardware gives the vector pipe: what a scalar GM access and a
               flag wait order, the same-access chain's operand rule, path-dependent drains (§5.3,
               §8.2.1); read by the barrier proof and the simulator's schedule.

The C++ model, the IR side, the LocalSlotNum pass and the simulator import these; the simulator
keeps its own numpy *semantics* of each op, so it stays a second opinion.
"""
