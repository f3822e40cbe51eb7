"""``ptofix perf``: kernels built against a pto-isa checkout's Perf-Sim and run there, for cycles.

``build`` (the checkout copy, the compile, the content-keyed cache), ``measure`` (one run and its
numbers), ``timeline`` (the vector pipe's swimlane as an HTML fragment)."""
