"""ptofix: structured, provably safe rewrites of PTO IR and ptoas-generated C++."""
__version__ = "0.1.0"
