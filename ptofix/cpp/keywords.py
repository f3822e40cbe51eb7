"""C++ reserved words, shared by the structural parser, the statement parser and the semantics (the
language's keyword list, CPP_KEYWORDS, lives in ptofix/cxx_lexicon.py, below the facts too)."""
from __future__ import annotations

from ..cxx_lexicon import CPP_KEYWORDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# Words the statement parser reads as qualifiers (its QUAL terminal, fast_expr.py): the C++ cv and storage
# keywords and the CCE address-space attributes. None of them can be a declarator's name.
QUALIFIER_WORDS: Final = frozenset("""
    const constexpr static volatile inline __restrict__
    __gm__ __ubuf__ __cbuf__ __cc__ __ca__ __cb__ __fbuf__ __ssbuf__
""".split())

# Words that cannot name a declared entity: `TN const (t);` declares `t` (a const TN), never an
# object named `const` constructed from `t`.
NOT_DECLARATOR_NAMES: Final = CPP_KEYWORDS | QUALIFIER_WORDS

# The keywords that may spell a declaration's type. Any other keyword read as a type is a
# specifier the grammars took for one: in `extern TN (t);` the type is TN and the name t, not an
# object TN of type `extern`.
TYPE_KEYWORDS: Final = frozenset("""
    auto bool char char8_t char16_t char32_t double float int long short signed unsigned void wchar_t
""".split())
NOT_TYPE_NAMES: Final = CPP_KEYWORDS - TYPE_KEYWORDS


# The implementation's own keywords a kernel may spell ([lex.name] reserves the names; clang's
# clang/include/clang/Basic/TokenKinds.def, https://github.com/llvm/llvm-project/blob/main/clang/include/clang/Basic/TokenKinds.def,
# lists them): GNU spellings of C++ keywords (`__const` is const), calling conventions, extended
# types, OpenCL and Microsoft qualifiers. Names of the forms is_compiler_word() matches by shape
# (`_Atomic`, `__const__`, `__builtin_*`, `__is_*`, `__has_*`) are left out.
COMPILER_KEYWORDS: Final = frozenset("""
    __const __volatile __restrict __inline __signed __typeof __decltype __alignof __asm __attribute
    __complex __imag __real __null __nullptr __thread __int128 __int64 __int32 __int16 __int8 __float128
    __fp16 __bf16 __auto_type __underlying_type __declspec __cdecl __stdcall __fastcall __thiscall __regcall
    __vectorcall __pascal __forceinline __unaligned __super __ptr32 __ptr64 __sptr __uptr __w64 __uuidof
    __try __finally __leave __interface __wchar_t __char16_t __char32_t __global __local __constant
    __private __generic __kernel __read_only __write_only __read_write __vector __pixel __bool __bridge
    __bridge_transfer __bridge_retained __bridge_retain __covariant __contravariant __kindof __if_exists
    __if_not_exists __single_inheritance __multiple_inheritance __virtual_inheritance __unknown_anytype
    _int8 _int16 _int32 _int64 _asm _alignof _cdecl _fastcall _stdcall _thiscall _vectorcall _uuidof
    _inline _declspec _pascal
""".split())


def strip_pto(name: str) -> str:
    """``name`` without a `::pto::`, `pto::` or `::` qualifier: `pto::TPipe` names pto's TPipe as
    the unqualified name does (through `using namespace pto`)."""
    if ":" not in name:
        return name         # (most names: decided without the loop)
    for prefix in ("::pto::", "pto::", "::"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def is_compiler_word(name: str) -> bool:
    """``name`` may be a keyword or predefined macro of the compiler rather than a name the
    kernel declares: one of COMPILER_KEYWORDS, an underscore and a capital first (C's `_Atomic`,
    `_Alignas`, `_Nonnull`), a name wrapped in double underscores (`__const__`, `__volatile__`,
    `__extension__`, the compiler's `__DAV_VEC__`), or a builtin or trait (`__builtin_*`,
    `__is_*`, `__has_*`). Other reserved names stay names: generated kernels declare
    `__pypto_spmd_block_idx`."""
    if name in COMPILER_KEYWORDS:
        return True
    if len(name) > 1 and name[0] == "_" and name[1].isupper():
        return True
    if len(name) > 4 and name.startswith("__") and name.endswith("__"):
        return True
    return name.startswith(("__builtin_", "__is_", "__has_"))


def is_reserved_identifier(name: str) -> bool:
    """A name [lex.name] reserves to the implementation (a double underscore anywhere, or an
    underscore and a capital first): the compiler's and the system headers' names, macros
    included."""
    return "__" in name or (len(name) > 1 and name[0] == "_" and name[1].isupper())
