"""C++ reserved words, shared by the structural parser, the statement parser and the semantics."""
from __future__ import annotations

# C++ keywords and alternative tokens: a macro named like one changes the structure itself
# (`#define else else if (0)`), which the structural parser reads as written.
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

# Words the statement grammars read as qualifiers (cpp_stmt.lark's QUAL): the C++ cv and storage
# keywords and the CCE address-space attributes. None of them can be a declarator's name.
QUALIFIER_WORDS = frozenset("""
    const constexpr static volatile inline __restrict__
    __gm__ __ubuf__ __cbuf__ __cc__ __ca__ __cb__ __fbuf__ __ssbuf__
""".split())

# Words that cannot name a declared entity: `TN const (t);` declares `t` (a const TN), never an
# object named `const` constructed from `t`.
NOT_DECLARATOR_NAMES = CPP_KEYWORDS | QUALIFIER_WORDS
