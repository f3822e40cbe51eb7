"""``ptofix perf``: kernels built against a pto-isa checkout's Perf-Sim and run there, for cycles.

``build`` (the checkout copy, the compile, the content-keyed cache), ``measure`` (one run and its
numbers), ``timeline`` (the vector pipe's swimlane as an HTML fragment)."""

# Physical cores LAUNCH_KERNEL may simulate (--block-dim): Perf-Sim keeps about 140 KB a core and runs
# the kernel once per sub-block of each (A2/A3 have 24 AI cores; std::bad_alloc at 20,000).
MAX_BLOCK_DIM = 256
