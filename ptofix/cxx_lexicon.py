"""The C++ language's own words, read by both the C++ model (``ptofix/cpp/``) and the hardware facts
(``ptofix/pto/``, the words of a pto-isa checkout's headers). It sits below both: the facts import
nothing of the C++ model (tests/test_import_layers.py)."""
from __future__ import annotations

# C++ keywords and alternative tokens ([lex.key], [lex.digraph]): a macro named like one changes the
# structure itself (`#define else else if (0)`), which the structural parser reads as written; none
# of them is a name a header declares.
CPP_KEYWORDS = frozenset("""
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
    char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
    co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
    extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
    nullptr operator or or_eq private protected public register reinterpret_cast requires return
    short signed sizeof static static_assert static_cast struct switch template this thread_local
    throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
    xor xor_eq
""".split())
