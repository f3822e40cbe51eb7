"""``ptofix simulate``: a numpy model of the vector side of ptoas kernels (second line of defence).

Modules: ``memory`` (UB/GM and tile views), ``ops_numpy`` (op semantics), ``schedule`` (hazard
model), ``fifo`` (TPipe GM FIFOs), ``interp`` (C++ interpreter), ``runner`` (run/compare/report).
"""
