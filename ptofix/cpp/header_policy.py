"""The header and macro policy: what the model reads of a file and of the headers it includes, and what
it leaves Unknown and why (unmodelled_file, a header's reason, a declaration before pto's headers, a
command-line macro, a name pto code may call)."""
from __future__ import annotations

import re

from .. import regex_cache
from ..located import Located
from ..pto.ops import (
    BUILD_SCRIPT_MACROS,
    PTO_FUNCTION_SPECIFIER_MACROS,
    PTO_INSTRUCTIONS,
    PTO_MACROS_READ_AS_NPU_NAMES,
    PTO_PARAMETER_QUALIFIERS,
    PTO_SPELLED_NAMES,
    PURE_FUNCTIONS,
    SUBBLOCK_ID_REVIEWED_HEADERS,
    macro_may_change_pto_code,
    pto_call_arities,
    pto_function_names,
    pto_macro_names,
)
from ..source import SourceText
from ..structs import Struct
from . import stmt_parser as A
from .c_types import FLOATING_TYPES, VALUE_OBJECT_TYPES
from .command_line import command_line_macros
from .count_mode import count_mode_name_of, names_count_mode_outside_scalar_tci
from .headers import (
    INERT_QUALIFIER,
    QUALIFIER_MACROS,
    STANDARD_HEADERS,
    HeaderSummary,
    may_be_command_line_macro,
    may_be_standard_macro,
    pragma_may_change_code,
    pragma_operator_used,
    standard_headers_may_see,
    toolchain_may_declare,
)
from .integers import INTEGER_TYPES
from .integers import literal_type as integer_literal_type
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import is_compiler_word, is_reserved_identifier
from .lexical import code_only, identifiers, names_macro_stack_pragma, strip_comments
from .macro_reach import confined_macro_functions, structure_in_macro_arguments
from .model import CppFile, Function, GlobalDecl, OpaqueStmt
from .parser import CERTAIN_EXTENT, decides_groups
from .statement_forms import PTO_CALL_NAMES, QUALIFIER_MACRO_WORDS, is_pto_enumerator, name_word_before
from .word_index import code_source, masked_source

# Imported where used: header_words' checkout readers (only with a pto-isa checkout) and
# file_scope_classes (only for a file that defines a class at file scope): ~0.5 ms of the start of a
# run that needs neither (issue #70 item 7).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Final


# Macros ptoas defines before pto's header whose effect there is the one ptoas means: the
# qualifiers, defined empty where the compiler lacks them (pto-isa 3186c381 tests `__gm__` only to
# define it when missing), and `PIPE_FIX`, the fixpipe's pipe on targets without one (only the
# cube's TSTORE path names it). Any other may switch pto-isa code (`#ifndef __PTO_AUTO__`) or skip
# a header (its include guard, `TCVT_HPP`).
_MACROS_PTO_HEADERS_IGNORE: Final = frozenset(["__gm__", "__aicore__", "PIPE_FIX"])


def trusted_header(spelled: str) -> bool:
    """Whether ``#include spelled`` names a header the proof may assume without reading it:
    pto-isa's own (its instruction functions and enumerators are what the model knows) or one of the
    C and C++ standard libraries' (headers.STANDARD_HEADERS), which define no macro or declaration
    over a name the model relies on. Any other header (a runtime's "tensor.h") may `#define
    PIPE_ALL PIPE_MTE2` or declare a closer overload of an op: it is read (headers.py) or unknown."""
    if len(spelled) < 2 or (spelled[0], spelled[-1]) not in (('"', '"'), ("<", ">")):
        return False          # `#include HEADER`: a macro names it
    name = spelled[1:-1].strip()
    parts = name.split("/")
    if parts[0] == "pto" and len(parts) > 1 and not {"", ".", ".."} & set(parts):
        return True
    # `#include "cstdint"` looks beside the kernel first: only the <...> form is the library's.
    return spelled[0] == "<" and name in STANDARD_HEADERS


def only_names_the_enumeration(code: str, name: str) -> bool:
    """Whether every use of ``name`` in ``code`` (comments and strings blanked) is its `enum class`
    definition, a qualifier (`name::`) or the type of a declared entity (`name mode`): then no
    alias, typedef, namespace or variable of that name hides the enumeration anywhere, so
    `name::X` is an enumerator of it wherever it is written (`using Mode = pipe_t;` in a block
    would make `Mode::PIPE_V` CCE's PIPE_V)."""
    # (Uses followed by `::`, the most of them, need no look; the others are read one by one.
    # The pattern starts with the name, so the regex engine scans for it as a literal; the
    # look-behind, which would make it try every position, is checked per match instead.)
    for match in re.finditer(re.escape(name) + r"(?![\w$])(?!\s*::)", code):
        if match.start() and _WORD_OR_DOLLAR.match(code, match.start() - 1):
            continue          # the tail of a longer name
        follow = _NEXT_TOKEN.match(code, match.end())
        after = follow.group(1) if follow is not None else ""
        before = code[max(0, match.start() - 64):match.start()].rstrip()
        if after == "::" or (after[:1].isidentifier() and not before.endswith(("namespace", "using"))):
            continue
        if _ENUM_HEAD.search(before):
            continue
        return False
    return True


_WORD_OR_DOLLAR: Final = regex_cache.compile(r"[\w$]")
# The end of `enum class` / `enum struct` with any blanks between the words.
_ENUM_HEAD: Final = regex_cache.compile(r"(?<![\w$])enum\s+(?:class|struct)\Z")
_NEXT_TOKEN: Final = regex_cache.compile(r"\s*(::|[A-Za-z_]|.?)", re.S)


_CLASS_KEY: Final = regex_cache.compile(r"(?<![\w$])(?:struct|class|union)(?![\w$])")
_ENUM_BEFORE: Final = regex_cache.compile(r"(?<![\w$])enum\s*\Z")
# After the class key: a definition with at most a name before its body, or a use of a declared
# class (`struct G *p`, `(struct G)`, `<class T>`) that defines nothing.
_PLAIN_CLASS_HEAD: Final = regex_cache.compile(r"\s*(?:[A-Za-z_]\w*\s*)?\{")
_CLASS_USE: Final = regex_cache.compile(r"\s*[A-Za-z_]\w*(?!\w)\s*(?:::\s*[A-Za-z_]\w*(?!\w)\s*)*"
                                 r"(?:[*&;,)>=]|(?!final(?!\w))[A-Za-z_])")
# A body of plain data members only (`uint64_t u64; int64_t val;`): no function, initializer,
# nested body or static_assert, so creating, copying or leaving an object runs no code.
_DATA_MEMBERS: Final = regex_cache.compile(r"[\w\s*,;\[\]]*")


def _class_with_code(text: str) -> bool:
    """``text`` defines a class that may have code of its own, or may define one the model cannot
    tell apart (a class key it cannot place): constructors, a destructor, operators, conversions,
    default member initializers or bases. ptoas's block-scope unions of plain members are none."""
    for key in _CLASS_KEY.finditer(text):
        if _ENUM_BEFORE.search(text, 0, key.start()):
            continue          # `enum class E {...}`: plain enumerators
        head = _PLAIN_CLASS_HEAD.match(text, key.end())
        if head is None:
            if _CLASS_USE.match(text, key.end()):
                continue
            return True       # a base, `final`, an attribute, `alignas`: not read
        depth, pos = 1, head.end()
        while depth and pos < len(text):
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            pos += 1
        if depth or not _DATA_MEMBERS.fullmatch(text, head.end(), pos - 1):
            return True
    return False


def model_reads(name: str) -> bool:
    """Whether the model gives ``name`` a meaning by its spelling: pto's namespace, types, ops,
    functions and enumerators, the scalar types and qualifiers."""
    return name in PTO_SPELLED_NAMES or name in PTO_CALL_NAMES or name in PTO_INSTRUCTIONS \
        or name in INTEGER_TYPES or name in FLOATING_TYPES or name in VALUE_OBJECT_TYPES \
        or name in QUALIFIER_MACRO_WORDS or is_pto_enumerator(name) or name in pto_function_names()


# Attributes a file-scope variable may carry and still be read as the plain variable it declares:
# bisheng's `block_local` gives each AI core its own object, as `thread_local` gives each thread
# one (docs/reference/pto-facts.md §8.3.1), and `maybe_unused` ([dcl.attr.unused]) only silences
# a warning. Neither changes what reading or writing it does.
_VARIABLE_ATTRIBUTES: Final = frozenset(["block_local", "maybe_unused"])


def _known_variable_attributes(attributes: str) -> bool:
    """Whether every attribute of the attribute-specifier-seq ``attributes`` (`[[a, b]] [[c]]`) is
    one of _VARIABLE_ATTRIBUTES, unqualified."""
    inside = attributes.replace("[[", " ").replace("]]", " ")
    return all(part.strip() in _VARIABLE_ATTRIBUTES for part in inside.replace(" ", ",").split(",") if part.strip())


def _unread_declaration(model: CppFile, headers: dict | None = None, per_function: dict[int, str] | None = None,
                        class_definitions: dict[int, tuple[str, ...]] | None = None) -> str:
    """Why a file-scope declaration is not one the model reads exactly ('' if every one is).

    The model resolves names against what the file declares, so it must know every name a
    file-scope declaration introduces. It reads exactly: function definitions (the parser's
    declarator check), plain namespace heads, a using-directive, a scoped enumeration of plain
    enumerators, a type alias or variable the statement grammar reads (parentheses only in its
    copy-initializer), a static assertion, an explicit instantiation, and an alias template of
    plain parameters whose name the model does not read, naming no macro. Any
    other (a class, an attribute, `typedef struct {...} pto;`, a declarator in parentheses, a
    prototype, a macro invocation) may declare any of its words, `pto`, an op or `int64_t` among
    them, anywhere in the file's namespaces: its file is not modelled. ptoas writes no such
    declaration in the files it gives barriers. A class definition whose declared names are known
    (file_scope_classes.class_definition_names) is the exception when ``per_function`` is given
    (and ``headers``, whose macros it may use): only the functions that may depend on those names
    are put there, Unknown."""
    macros = model.macros - model.empty_macros
    classes: dict[str, str] = {}        # a name a class definition declares -> where
    declaring: dict[int, tuple[str, ...]] = {}      # id(class definition) -> the names it declares
    first_class = ""                    # the file-wide reason when classes cannot be per function
    for decl in model.globals:
        if macros.intersection(decl.words):
            return model.source.located(decl.span.start, f"a file-scope declaration uses the macro "
                    f"'{min(macros.intersection(decl.words))}': it may declare any name")
        kind = decl.kind
        if decl.attributes:
            # raw-text scan: a declaration's attribute text (GlobalDecl keeps it as text)
            names = set(identifiers(decl.attributes))
            if names & model.macros or not _known_variable_attributes(decl.attributes) or kind != "variable":
                return model.source.located(decl.span.start, f"the attributes '{decl.attributes}' of a file-scope "
                        "declaration: ptofix reads only `block_local` and `maybe_unused` on a variable (another may "
                        "place it where the kernel's tiles are, or give it another meaning)")
        if kind == "using-namespace":
            path = decl.path
            # pto's nested namespaces declare functions spelled like its ops (`pto::comm::TGATHER`,
            # a ping-pong overload more specialized than pto's own): only pto, std and the file's
            # own namespaces have the names the model reads by spelling.
            if path in (("pto",), ("std",)) or set(path) <= model.namespaces:
                continue
            return model.source.located(decl.span.start, f"a using-directive for the namespace "
                    f"'{decl.name}' may make other functions of pto's op names visible")
        # (ptoas's own enumeration is the plain-data type the model expects under that name.)
        if kind == "scoped-enum" and (decl.name == "PTOAutoSyncTailMode" or not model_reads(decl.name)):
            continue
        if kind == "alias" or (kind == "variable" and not model_reads(decl.name)):
            continue
        if kind in ("static-assert", "explicit-instantiation", "using-pto-name"):
            continue          # declares nothing new ([dcl.pre], [temp.explicit], [namespace.udecl])
        if kind in ("alias-template", "plain-struct") and not model_reads(decl.name) \
                and decl.name not in PTO_SPELLED_NAMES:
            # A type of the file's own: a declaration naming it is of a type the model does not
            # read, so its tiles are unknown (FileContext.file_scope_types).
            continue
        unread = model.source.located(decl.span.start, "ptofix does not read this file-scope declaration "
                  "exactly; it may declare any of its words (pto, an op, a type the model reads)")
        declared = _class_names(model, decl, headers) if kind == "unread" and not decl.attributes else None
        if declared is None:
            return unread
        first_class = first_class or unread
        classes.update((name, model.source.place(decl.span.start)) for name in declared)
        declaring[id(decl)] = declared
    for fn in model.functions:
        if fn.name in macros:
            return model.source.located(fn.span.start, f"the function's name '{fn.name}' is a macro")
        if fn.name in model.empty_macros or is_compiler_word(fn.name) or fn.name in pto_macro_names() \
                or (is_reserved_identifier(fn.name) and name_word_before(fn)):
            # `void body PTO_INST_HPP (TT& x)` defines `body`: the word before the parameters may be a
            # macro that expands to nothing (an include guard, the file's own), and the function's
            # real name another word of its declaration.
            return model.source.located(fn.span.start, f"the word before the function's parameters, "
                    f"'{fn.name}', may be a macro: the function's name may be another word")
        for stmt in fn.body.walk():
            # raw-text scan: an unread statement's text (OpaqueStmt keeps it as text)
            if isinstance(stmt, OpaqueStmt) and stmt is not fn.body and _class_with_code(strip_comments(stmt.text)):
                # Its constructors, copies, conversions and destructor run wherever its objects
                # are made, copied, converted or left (`auto h = g;`, `const G& r = 16;`), in
                # this function or in any template it passes one to.
                return model.source.located(stmt.span.start, "a block-scope class that may have code of its "
                        "own (member functions, initializers, bases): its objects may run it implicitly")
        if isinstance(fn.body, OpaqueStmt) and fn.body.reason not in CERTAIN_EXTENT:
            # (A body whose extent every reading keeps is unknown on its own: FileContext.)
            # Braces paired across `#if` branches: the compiled body may end early, and what
            # follows it be file-scope definitions (of TMUL, say) the parser took for its body.
            return model.source.located(fn.span.start, f"the body of '{fn.name}' is not structured "
                    f"({fn.body.reason}): it may end elsewhere and hide file-scope definitions")
    spelled = sorted(model.namespaces & macros)
    if spelled:
        return f"the namespace name '{spelled[0]}' is a macro"
    if "std" in model.namespaces:
        # (The model reads `std::atomic_thread_fence` and the like by spelling: a nearer `std`
        # of the file's own would be looked up first.)
        return "the file declares a namespace 'std' of its own"
    if classes:
        if per_function is None or "pto" in model.namespaces:
            # (In namespace pto a class may specialize or hide one of pto's: the file stays Unknown.)
            return first_class
        from .file_scope_classes import functions_depending_on
        for key, why in functions_depending_on(model, classes).items():
            per_function.setdefault(key, why)
        if class_definitions is not None:
            class_definitions.update(declaring)
    return ""


def _class_names(model: CppFile, decl: GlobalDecl, headers: dict | None) -> tuple[str, ...] | None:
    """The names a file-scope class definition ``decl`` declares (class_definition_names), None
    when they are not known exactly or one of them is a name the model reads, pto spells, a
    header declares, or a keyword: the file then stays Unknown. ``headers``: read_includes'
    summaries (None: not read, so no word is known not to be a macro)."""
    if headers is None:
        return None
    from .file_scope_classes import class_definition_names, macro_declares_nothing
    # A header the model cannot read may define any macro; unmodelled_file has put every function
    # after its #include, and every template, in per_function (_unknown_after): a class after it
    # reaches no other function, so its words need not be known not to be that header's macros.
    if any(summary.unknown and decl.span.start < offset for offset, summary in headers.items()):
        return None
    pto_macros = pto_macro_names()
    # (`__gm__`, `__aicore__`: what a header defines them to where the compiler lacks them, if inert.)
    # pto's macros the model reads as the NPU's names in every function body (PTO_MACROS_READ_AS_NPU_NAMES:
    # `pipe_barrier`, `set_flag`, the qualifiers) are read so in a member function's body too.
    inert = _PTO_DECLARING_NOTHING | PTO_MACROS_READ_AS_NPU_NAMES | frozenset(
        name for name in QUALIFIER_MACROS if all(_INERT_QUALIFIER.fullmatch(body) for summary in headers.values()
                                                 for body in summary.macro_bodies.get(name, [])))
    names = class_definition_names(
        decl.text, lambda word: not macro_declares_nothing(word, headers, pto_macros, inert))
    if names is None:
        return None
    header_names = {name for summary in headers.values() for name in summary.names}
    if any(model_reads(name) or name in PTO_SPELLED_NAMES or name in _KEYWORDS or name in header_names
           or is_compiler_word(name) or name in ("pto", "std") or name in model.macros
           # (A name the toolchain or the standard headers pto includes may declare: pto's code may
           # call or name it, and meet the file's instead.)
           or toolchain_may_declare(name) or standard_headers_may_see(name) or is_reserved_identifier(name)
           for name in names):
        return None
    return names


class MissingHeaders(Struct):
    """The headers not found behind unmodelled_file's reasons, by name: ``file``, the one whose
    `#include` is the file's reason ('' if none), and ``functions``, id(function) -> the one whose
    `#include` is that function's reason in ``per_function``. The name travels as data from where
    the header is found missing (headers.HeaderSummary.missing) to the decision's Cause: the note
    that asks for its -I (cpp_fixes.kept_notes) reads it there."""
    __slots__ = ("file", "functions")
    file: str
    functions: dict[int, str]
    _fields: ClassVar[tuple[str, ...]] = ("file", "functions")

    def __init__(self, file: str = "", functions: dict[int, str] | None = None) -> None:
        self.file = file
        self.functions = {} if functions is None else functions


def _unknown_after(model: CppFile, offset: int, reason: str, per_function: dict[int, str], missing_header: str = "",
                   missing: MissingHeaders | None = None) -> bool:
    """Put the functions a header the model cannot read (not found, not summarised) may change in
    ``per_function`` (and ``missing_header``, the header not found if that is why, in ``missing``
    for each function given this reason), when it is included at file scope at ``offset``: every
    function that ends after it, and every template (a dependent call of one is looked up again
    where it is instantiated, after the header). A function defined before it, no template, was
    compiled before the header's text: none of its macros, declarations or pragmas reach it. The
    header may still call such a function (barriers.py: a static function's callers are then not
    all in the file). False when the include is inside a function body."""
    if any(fn.body.span.start < offset < fn.body.span.end for fn in model.functions):
        return False
    for fn in model.functions:
        if (fn.span.end > offset or "template" in fn.declaration.words) and id(fn) not in per_function:
            per_function[id(fn)] = reason
            if missing_header and missing is not None:
                missing.functions[id(fn)] = missing_header
    return True


def _may_change_pto_code(name: str, header_words: frozenset[str] | None) -> bool:
    """Whether a macro ``name`` defined (or undefined) before pto/pto-inst.hpp, or a name declared
    there, may change the code it compiles: pto's code sees it (ops.macro_may_change_pto_code,
    ``header_words``: IsaFacts'), it is a name the toolchain may declare (what one of pto's macros
    may expand to, or a call of pto's may find), or the standard headers pto includes see it
    (headers.standard_headers_may_see: the words they write, the macros they may define, reserved
    names). Unqualified calls, overloads and argument-dependent lookup all find a function by its
    name, so a name no such code writes is not seen."""
    return macro_may_change_pto_code(name, header_words) or toolchain_may_declare(name) \
        or standard_headers_may_see(name)


def unmodelled_file(model: CppFile, unread_headers: bool = True, headers: dict | None = None,
                    header_words: frozenset[str] | None = None, count_mode: bool = True, checkout: str = "",
                    per_function: dict[int, str] | None = None,
                    class_definitions: dict[int, tuple[str, ...]] | None = None,
                    missing: MissingHeaders | None = None) -> str:
    """Why no function of the file can be modelled, or '': a header the model cannot read (unless
    not ``unread_headers``; ``headers``: read_includes' summaries, none read when None), a macro that
    may change pto's header, redefines a keyword or may declare names, a declaration of a name
    the model reads as pto's, or (unless not ``count_mode``: the caller then tracks the mode, see
    FileContext.count_mode_points) a name that may leave the vector unit in count mode.
    ``header_words`` and ``checkout``: IsaFacts' (the documented versions' when None and '').
    ``per_function``: when given, what reaches only some functions' bodies (macro_reach) is put
    there instead, id(function) -> why it is unknown, and the file is not unmodelled for it.
    ``class_definitions``: filled, when given, with id(declaration) -> the names it declares for
    each file-scope class definition made Unknown per function (_unread_declaration). ``missing``:
    filled, when given, with the headers not found behind the reason returned and those put in
    ``per_function``, by name (MissingHeaders)."""
    # (A header that includes pto's header itself counts as one: what comes before it, and what
    # it defines around its own include, comes before pto's code.)
    again = _pto_inst_included_again(model, headers) if unread_headers and headers else set()
    pto_headers = [offset for spelled, offset in model.includes if (trusted_header(spelled)
                   and spelled[1:].lstrip().startswith("pto/"))
                   or (unread_headers and headers is not None and offset in headers and headers[offset].pto_include
                       and offset not in again)]
    reason = _command_line_reason(model, bool(pto_headers), header_words)
    if reason:
        return reason
    if unread_headers and model.environment.headers_unread:
        return model.environment.headers_unread
    reason = _includes_reason(model, headers, header_words, checkout, per_function, pto_headers, again, missing) \
        if unread_headers else ""
    if reason:
        return reason
    if pto_headers:
        only_inst = _only_pto_inst(model, pto_headers, headers, checkout)
        early = [name for name, offset in model.defines if offset < max(pto_headers)
                 and name not in _MACROS_PTO_HEADERS_IGNORE and _seen_by_pto_code(name, only_inst, header_words)
                 and not (only_inst and _bridges_subblock_id(model, name, headers or {}, header_words, checkout))]
        if early:
            return (f"the macro '{early[0]}' is defined or undefined before pto's header, whose code it may "
                    f"change ({_how_pto_sees(early[0], only_inst, header_words)}; pto-isa's headers test "
                    "macros: `__PTO_AUTO__` turns TASSIGN and the ops' own barriers off)")
        reason = _early_declaration_reason(model, max(pto_headers), only_inst, header_words)
        if reason:
            return reason
        for pragma in model.pragmas:
            if pragma.span.start < max(pto_headers) and pragma.tokens is not None \
                    and pragma_may_change_code(" ".join(pragma.tokens)):
                return model.source.located(pragma.span.start, f"the pragma '{' '.join(pragma.tokens)}' comes "
                        "before pto's header and may change how its code compiles (`pack` lays out its "
                        "structures, `GCC optimize` or `STDC FP_CONTRACT` how it computes)")
    keywords = sorted(model.macros & _KEYWORDS)
    if keywords:
        return f"the file defines a macro named like the C++ keyword '{keywords[0]}'"
    # (A function counts too: `template <int N> int64_t Stride(...)` in the kernel's namespace is
    # found before pto's class, and `Stride<2>(a, b)` calls it.)
    functions = {fn.name.rpartition("::")[2] for fn in model.functions} & (PTO_SPELLED_NAMES | VALUE_OBJECT_TYPES)
    shadowed = sorted(((model.declared_names | model.macros) & PTO_SPELLED_NAMES) | functions)
    if shadowed:
        return (f"the file declares its own '{shadowed[0]}' (a namespace, type or macro), so '{shadowed[0]}' "
                "as written may not be pto's")
    reason = _declaring_macros_reason(model, headers, per_function) if model.declaring_macros else ""
    if reason:
        return reason
    if model.pto_code_macros:
        return (f"the file uses pto's macro '{min(model.pto_code_macros)}', whose expansion ptofix does not "
                "model: pto-isa's headers define it, and it may paste a name the file never spells, hide a loop "
                "or a jump, or declare anything")
    reason = _pto_namespace_reason(model, header_words) if "pto" in model.namespaces else ""
    if reason or any(_qualified_into_pto(fn.qualified) or _qualified_by_macro(fn, model.macros)
                     for fn in model.functions):
        return reason or ("the file declares something in namespace pto: an overload or a specialization there "
                          "(of TMUL_IMPL, say) may change what pto's own ops run")
    for pragma in model.pragmas:
        if pragma.tokens is None:
            return model.source.located(pragma.span.start, "a pragma operator whose pragma ptofix does not "
                    "read (its argument is not one string literal): it may save or restore a macro "
                    "(`push_macro`/`pop_macro`), and a name may then be a macro where no #define shows it")
        if _MACRO_STACK_PRAGMAS.intersection(pragma.tokens):
            return ("the file saves or restores a macro (`#pragma push_macro`/`pop_macro`): a name may be a macro "
                    "where no #define shows it")
    if _may_spell_macro_stack_pragma(model.source) and names_macro_stack_pragma(model.source.text):
        # (Spelled outside any pragma the model read: as the argument of a header's macro that
        # makes it a pragma, `PTO_PRAGMA(push_macro("X"))`, or in a string such a macro takes.
        # Read on the raw text, comments told apart, only when the word index holds the word:
        # the tokens do not split a string or a directive into its words.)
        return ("the file spells `push_macro`/`pop_macro` outside a pragma ptofix reads: a macro of a header may "
                "make it one, and a name may then be a macro where no #define shows it")
    mode = count_mode_name_of(model.source) if count_mode else ""
    if mode and not names_count_mode_outside_scalar_tci(model):
        mode = ""
    if mode:
        return (f"the file names '{mode}', which may leave the vector unit in count mode: element-wise ops "
                "then walk as many elements as the vector mask says, in any function the file runs after it")
    if _may_name_template(model.source) and _has_specialization(model.source.text, model.macros):
        return "an explicit specialization (`template <>`) may replace the body of any template, pto's included"
    structure = _structure_in_parentheses(model, headers, unread_headers)
    if structure >= 0:
        return model.source.located(structure, "a brace or ';' inside parentheses: "
                "if they are a macro's arguments, its expansion may close a block and define any function "
                "(`SWAP({ w(); } void TMUL(...) {, })`)")
    return _unread_declaration(model, headers, per_function, class_definitions)


def _includes_reason(model: CppFile, headers: dict | None, header_words: frozenset[str] | None, checkout: str,
                     per_function: dict[int, str] | None, pto_headers: list[int], again: set[int],
                     missing: MissingHeaders | None = None) -> str:
    """unmodelled_file's reason for the headers the file includes ('' if none): one the model does
    not read, or one whose summary may change what the model relies on (_header_reason); one it
    cannot read that reaches only some functions is put in ``per_function`` (_unknown_after). The
    header not found behind the reason returned or put, by name, goes in ``missing``."""
    for spelled, offset in model.includes:
        summary = (headers or {}).get(offset)
        if summary is None:
            if trusted_header(spelled):
                continue
            return model.source.located(offset, f"'#include {spelled}': ptofix does not read that header, and "
                    "its macros or declarations may redefine what the model relies on (pto's ops, PIPE_*, keywords)")
        # (A name another include or the kernel declares too may be redeclared there with a
        # default argument.)
        elsewhere = frozenset([name for other in (headers or {}).values() if other is not summary
                               for name in other.names] + [fn.name.rpartition("::")[2] for fn in model.functions])
        reason = _header_reason(model, spelled, offset, summary,
                                (bool(pto_headers) and offset < max(pto_headers))
                                or (bool(summary.pto_include) and offset not in again),
                                _only_pto_inst(model, pto_headers, headers, checkout), header_words, checkout,
                                elsewhere)
        if reason and summary.unknown and per_function is not None \
                and _unknown_after(model, offset, reason, per_function, summary.missing, missing):
            continue
        if reason:
            if summary.unknown and missing is not None:
                missing.file = summary.missing
            return reason
    return ""


def _declaring_macros_reason(model: CppFile, headers: dict | None, per_function: dict[int, str] | None) -> str:
    """unmodelled_file's reason for the file's macros that may declare names (model.declaring_macros),
    '' when each reaches only function bodies and is put in ``per_function`` (macro_reach)."""
    name = min(model.declaring_macros)
    why = (f"the macro '{name}' pastes tokens, holds a declaration keyword, a brace or a ';', or leaves a "
           "bracket open: its uses may declare any name (pto's ops, PIPE_*, namespaces)")
    expansions: dict[str, set[str]] = {}
    for summary in (headers or {}).values():
        for macro, words in summary.expansion_words.items():
            expansions.setdefault(macro, set()).update(words)
    reached = confined_macro_functions(model, model.declaring_macros, expansions) \
        if per_function is not None and (headers is not None or not model.includes) else why
    if isinstance(reached, str):
        return why if reached == why else f"{why}; {reached}"
    assert per_function is not None
    for macro in sorted(reached):
        for fn in reached[macro]:
            per_function.setdefault(id(fn), (
                f"the function uses the macro '{macro}', which pastes tokens, holds a declaration keyword, a "
                "brace or a ';': its expansion may declare or jump to anything inside the function (every use "
                "of it is inside function bodies)"))
    return ""


def _structure_in_parentheses(model: CppFile, headers: dict | None, unread_headers: bool) -> int:
    """Where a brace or ';' inside parentheses may be a macro's argument (-1: nowhere)."""
    structure = model.structure_in_parentheses
    if structure >= 0 and headers is not None and unread_headers:
        # Only a function-like macro's arguments may carry a block out of its parentheses: none
        # when no macro may open them (macro_reach.structure_in_macro_arguments).
        known_macros = model.macros | frozenset(command_line_macros(model.environment)[0]) \
            | {name for summary in headers.values() for name in summary.macro_bodies}
        structure = structure_in_macro_arguments(
            model, lambda name: name in known_macros or name in pto_macro_names() or may_be_standard_macro(name)
            or may_be_command_line_macro(name))
    return structure


def _pto_namespace_reason(model: CppFile, header_words: frozenset[str] | None) -> str:
    """Why the file's `namespace pto {...}` may change what a name the model reads means ('' if it
    cannot): pto-isa's own manual kernels define their helpers inside pto. A function there
    overloads any of pto's functions of its name, and pto's templates find it by argument-dependent
    lookup at instantiation; a type or variable there hides one of pto's. So each name the file
    declares there (every function and file-scope declaration) must be one the model does not read
    by spelling and pto's code does not write (_may_change_pto_code), each
    `namespace pto` head plain and at file scope, with no namespace nested in it (`pto::comm` holds
    functions spelled like pto's ops), and every file-scope declaration read exactly
    (_unread_declaration, checked after this)."""
    # (The text with literals masked, rebuilt from the tokens: where each `namespace pto {` opens and
    # closes, braces in directives and macro bodies included, which no statement of the model spans.
    # Only for a file that opens namespace pto.)
    text = masked_source(model)
    if "#" in text and any("{" in line or "}" in line for line in text.splitlines() if line.lstrip().startswith("#")):
        return "a directive holds a brace: where the file's namespace pto ends is not known"
    depth, pto_depth = 0, -1
    regions: list[tuple[int, int]] = []       # [start, end) of each `namespace pto {...}`
    for match in _BRACE_OR_NAMESPACE.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth <= pto_depth:
                pto_depth = -1
                regions[-1] = (regions[-1][0], match.end())
        elif pto_depth >= 0:
            # (A using-directive there too: pto's own unqualified lookups would see its names.)
            return "a namespace nested in namespace pto, or a using-directive there, may declare functions " \
                   "spelled like pto's ops"
        elif _USING_BEFORE_NAMESPACE.search(text, max(0, match.start() - 64), match.start()):
            continue      # `using namespace pto;` at file scope: declares nothing
        else:
            if match.group(1) == "pto":
                if depth or match.group(2) or match.group(3) != "{":
                    return "a namespace pto that is not plain and at file scope may hide or overload pto's names"
                pto_depth = depth
                regions.append((match.start(), len(text)))
            if match.group(3) == "{":
                depth += 1    # (the head's own '{', consumed by the match)
    inside = [(fn.name.rpartition("::")[2], fn.span.start) for fn in model.functions] \
        + [(decl.name, decl.span.start) for decl in model.globals]
    for name, at in inside:
        if name and any(start <= at < end for start, end in regions) \
                and (model_reads(name) or name in PTO_SPELLED_NAMES or _may_change_pto_code(name, header_words)):
            return model.source.located(at, f"the file declares '{name}' in namespace pto, a name ptofix reads "
                    "as pto's or pto's code writes: an overload there may change what pto's own ops run")
    return ""


# A brace, or a namespace head up to its '{' (group 1: its first name, group 2: more after it).
_BRACE_OR_NAMESPACE: Final = regex_cache.compile(
    r"[{}]|(?<![\w$])namespace(?![\w$])\s*([A-Za-z_]\w*)?((?:\s*::\s*(?:inline\s+)?[A-Za-z_]\w*)*)\s*(\{|=)?")
_USING_BEFORE_NAMESPACE: Final = regex_cache.compile(r"(?<![\w$])using\s*\Z")


_INERT_QUALIFIER: Final = INERT_QUALIFIER
# pto's macros a header may write at namespace scope and declare nothing by: the NPU attribute,
# pto's function specifiers, bisheng's parameter and address-space qualifiers, which pto defines
# only where the compiler lacks them (pto-facts.md, the macros read as NPU names).
_PTO_DECLARING_NOTHING: Final = PTO_FUNCTION_SPECIFIER_MACROS | PTO_PARAMETER_QUALIFIERS | {
    "AICORE", "__aicore__", "__ubuf__", "__cbuf__", "__cc__", "__ca__", "__cb__", "__fbuf__", "__biasbuf__"}
# The pragmas that save or restore a macro's definition (gcc, clang, MSVC).
_MACRO_STACK_PRAGMAS: Final = frozenset(["push_macro", "pop_macro"])


def _command_line_reason(model: CppFile, includes_pto: bool, header_words: frozenset[str] | None) -> str:
    """Why the macros of the compiler's command line (`-D`, `-U`: headers.command_line_macros) make
    the file unknown ('' if they do not): one defined or undefined before pto's header, which its
    code may read (as a `#define` there, unmodelled_file), one named like a keyword or a name the
    model reads as pto's, one whose body may declare or restructure anything."""
    defined, undefined = command_line_macros(model.environment)
    for name in sorted(set(defined) | undefined):
        flag = f"-D{name}" if name in defined else f"-U{name}"
        if includes_pto and name not in _MACROS_PTO_HEADERS_IGNORE and name not in BUILD_SCRIPT_MACROS \
                and _may_change_pto_code(name, header_words):
            return (f"the command line's {flag} {'defines' if name in defined else 'undefines'} a macro pto's "
                    "header may read, whose code it may change (pto-isa's headers test macros: `__PTO_AUTO__` "
                    "turns TASSIGN and the ops' own barriers off)")
        if name in _KEYWORDS or name in PTO_SPELLED_NAMES or name in VALUE_OBJECT_TYPES:
            return f"the command line's {flag} names a macro like '{name}', which ptofix reads as C++'s or pto's"
    for name in sorted(_deciding_command_line_macros(model)):
        if _may_change_pto_code(name, header_words):
            return (f"the command line's -D{name} or -U{name} decides an #if of the file, and a header the file "
                    f"includes may define or undefine '{name}': which group is compiled is not known")
    for name in sorted(defined):
        body = defined[name][1]
        # raw-text scan: a macro's replacement text (the model keeps it as text)
        if "##" in body or _DECLARING_BODY_WORDS.intersection(identifiers(body)) or any(ch in body for ch in "{};") \
                or body.count("(") != body.count(")") or body.count("[") != body.count("]"):
            return (f"the command line's -D{name} pastes tokens, holds a declaration keyword, a brace or a ';', or "
                    "leaves a bracket open: its uses may declare any name (pto's ops, PIPE_*, namespaces)")
    return ""


_DECLARING_BODY_WORDS = frozenset(["namespace", "struct", "class", "union", "enum", "typedef", "using", "typename",
                                   "template", "concept"])


def _deciding_command_line_macros(model: CppFile) -> set[str]:
    """The command line's macros whose -D/-U decides which groups of the file's #if sections the
    parser reads (parser.without_decided_groups): those of them the sections' conditions name."""
    defined, undefined = command_line_macros(model.environment)
    names = {name for name in set(defined) | undefined if decides_groups(name)}
    if not names:
        return names
    # raw-text scan: an #if group's condition text (ConditionalGroup keeps it as text)
    return {name for group in model.conditional_groups for name in identifiers(group.condition)} & names


# The one macro over a name pto's code calls that a kernel may define before pto's header: PyPTO's
# mixed A2/A3 kernels bridge the runtime's lane id into pto's TPUSH/TPOP (pto-facts.md §8.3.1).
_SUBBLOCK_ID: Final = "get_subblockid"
_ASSIGNED: Final = regex_cache.compile(r"\s*=(?!=)")


def _constant_lane_id(model: CppFile, token: str, headers: dict[int, HeaderSummary],
                      defined: dict[str, tuple[bool, str]], undefined: frozenset[str]) -> bool:
    """Whether the body ``token`` of `#define get_subblockid() token` is an integer constant: an
    integer literal (`0`, `1u`), or an object-like macro of the kernel's, defined once (no
    `#undef`, no `-D`/`-U`, no header's, not pto's nor one its code or the standard headers may
    read, no reserved name) to one integer literal. PyPTO's split-specialized AIV wrappers write
    `#define PYPTO_FIXED_SUBBLOCK_ID 1` then `#define get_subblockid() PYPTO_FIXED_SUBBLOCK_ID`:
    pto's code then reads a constant where it read the intrinsic, no call, no side effect, and
    no UB address, vector operand or drain depends on its value (pto-facts.md §8.3.1)."""
    if integer_literal_type(token) is not None:
        return True
    if not (token[:1].isalpha() or token[:1] == "_") or not token.replace("_", "a").isalnum() \
            or token in defined or token in undefined or is_reserved_identifier(token) or token in _KEYWORDS \
            or token in pto_macro_names() or macro_may_change_pto_code(token) or standard_headers_may_see(token) \
            or toolchain_may_declare(token) or model_reads(token) \
            or any(token in summary.macros or token in summary.names for summary in headers.values()):
        return False
    # (Nor a name the kernel declares: where pto's code expands the call before the macro's
    # definition, the name would be that declaration.)
    if any(token in decl.words for decl in model.globals) \
            or any(fn.name.rpartition("::")[2] == token for fn in model.functions):
        return False
    entries = [entry for entry in model.macro_table if entry.name == token]
    return len(entries) == 1 and entries[0].defines and entries[0].params is None \
        and len(entries[0].replacement) == 1 and integer_literal_type(entries[0].replacement[0]) is not None


def _bridges_subblock_id(model: CppFile, name: str, headers: dict[int, HeaderSummary],
                         header_words: frozenset[str] | None, checkout: str = "") -> bool:
    """Whether the kernel's macro ``name`` is `#define get_subblockid() V`, V a file-scope integer
    variable of the kernel the model reads (not a macro, not a header's name, nor one pto's code
    writes, where a local of pto's of that name would be read instead) that the
    kernel's own code only assigns (`V = ...;`): pto's code then reads V where it read the
    intrinsic, with no side effect, and at the documented pto-isa commits (not a checkout of
    ``header_words``, whose code may use the lane id otherwise) only for GM offsets, a SyncAll
    slot index and a printf: no UB address, vector operand or drain the proof reads depends on
    it. Every use of the name in pto's code is a call with no argument (pto_call_arities). With a
    checkout (``header_words`` and ``checkout``: IsaFacts'), only when its headers that write the
    name are reviewed ones (_checkout_lane_id_reviewed), and V no name its headers write."""
    if name != _SUBBLOCK_ID or (header_words is not None and not _checkout_lane_id_reviewed(checkout)):
        return False
    arities: dict[str, tuple[int, ...]] | None
    if header_words is None:
        arities = pto_call_arities()
    else:
        from ..pto.header_words import checkout_call_arities
        arities = checkout_call_arities(checkout)
    if arities is None or arities.get(name) != (0,):
        return False
    defined, undefined = command_line_macros(model.environment)
    entries = [entry for entry in model.macro_table if entry.name == name]
    if name in defined or name in undefined or len(entries) != 1 or not entries[0].defines \
            or entries[0].params != () or len(entries[0].replacement) != 1:
        return False
    variable = entries[0].replacement[0]
    if header_words is not None and macro_may_change_pto_code(variable, header_words):
        return False                # (the checkout's code writes V: a macro or local of its own)
    if _constant_lane_id(model, variable, headers, defined, undefined):
        return True
    if not (variable[0].isalpha() or variable[0] == "_") or not variable.replace("_", "a").isalnum() \
            or variable in _KEYWORDS or variable in model.macros or variable in defined or variable in undefined \
            or macro_may_change_pto_code(variable) or variable in pto_macro_names() \
            or standard_headers_may_see(variable) or model_reads(variable) \
            or toolchain_may_declare(variable) or is_reserved_identifier(variable) \
            or any(variable in summary.macros or variable in summary.names for summary in headers.values()):
        return False
    declarations = [(index, decl) for index, decl in enumerate(model.globals) if variable in decl.words]
    if len(declarations) != 1 or any(fn.name.rpartition("::")[2] == variable for fn in model.functions):
        return False
    # (Under an #if, in a namespace or after pto's header, it is that variable or pto's code does
    # not compile: no other declaration of the name is in sight.)
    decl = declarations[0][1]
    ast = decl.declarator
    if decl.kind != "variable" or not isinstance(ast, A.Decl) \
            or ast.name != variable or ast.type.name not in INTEGER_TYPES or ast.type.pointer or ast.type.ref \
            or ast.array or ast.ctor_args is not None:
        return False
    # The kernel's own code only stores to it (what the stores compute is the kernel's business:
    # the proof reads the kernel's statements as they are).
    # (The text with literals masked, rebuilt from the tokens: every use of the variable, in
    # directives and macro bodies too.)
    code = masked_source(model)
    for match in re.finditer(r"(?<![\w$])" + re.escape(variable) + r"(?![\w$])", code):
        at = match.start()
        if decl.span.start <= at < decl.span.end or entries[0].span.start <= at < entries[0].span.end:
            continue
        before = at - 1
        while before >= 0:
            while before >= 0 and code[before].isspace():
                before -= 1
            line = code.rfind("\n", 0, before + 1) + 1
            if before < 0 or not code[line:before + 1].lstrip().startswith("#"):
                break
            before = line - 1             # (a directive's line: `#if`, `#endif` between statements)
        if _ASSIGNED.match(code, match.end()) is None or (before >= 0 and code[before] not in ";{}"):
            return False
    return True


def _checkout_lane_id_reviewed(checkout: str) -> bool:
    """Whether every header pto-inst.hpp reaches in the pto-isa checkout at ``checkout`` that
    writes `get_subblockid` is byte for byte one pto-facts.md §8.3.1 reviewed
    (ops.SUBBLOCK_ID_REVIEWED_HEADERS): its code then uses the lane id only as reviewed."""
    if not checkout:
        return False
    from ..pto.header_words import checkout_headers_writing
    found = checkout_headers_writing(checkout, _SUBBLOCK_ID)
    return found is not None and SUBBLOCK_ID_REVIEWED_HEADERS.issuperset(found)


def _early_declaration_reason(model: CppFile, pto_header: int, only_inst: bool,
                              header_words: frozenset[str] | None) -> str:
    """Why a declaration of the kernel's own before pto's header (at ``pto_header``) may change
    pto's code ('' if none may): the rule a header's declarations there get (_header_reason). A
    function, variable, alias or enumeration of a name pto's code may see is a candidate of its
    unqualified calls or hides what it names (`template <typename... T> void vadd(T... a)`, an
    exact match for every call pto's TADD makes of the intrinsic); a using-directive for `std`
    makes every name of the standard library visible where pto's code looks a global name up."""
    for fn in model.functions:
        name = fn.name.rpartition("::")[2]
        if fn.span.start < pto_header and _seen_by_pto_code(name, only_inst, header_words):
            return model.source.located(fn.span.start, f"the function '{name}' is defined before pto's "
                    f"header, whose code may then call it ({_how_pto_sees(name, only_inst, header_words)})")
    for decl in model.globals:
        if decl.span.start >= pto_header:
            continue
        if decl.kind == "using-namespace" and decl.path == ("std",):
            return model.source.located(decl.span.start, "a using-directive for namespace std before pto's "
                    "header makes the standard library's names candidates of pto's calls of global names")
        name = decl.name.rpartition("::")[2]
        if decl.kind != "using-namespace" and name and _seen_by_pto_code(name, only_inst, header_words):
            return model.source.located(decl.span.start, f"'{name}' is declared before pto's header, whose "
                    f"code may then see it ({_how_pto_sees(name, only_inst, header_words)})")
    return ""


_PTO_INST: Final = "pto/pto-inst.hpp"
# pto-inst.hpp's include guard (`#ifndef PTO_INST_HPP` / `#define PTO_INST_HPP` around the whole
# file: https://github.com/hw-native-sys/pto-isa/blob/3186c381/include/pto/pto-inst.hpp, and in
# the f35e7f60 checkout): a second `#include <pto/pto-inst.hpp>` compiles nothing.
_PTO_INST_GUARD: Final = "PTO_INST_HPP"


def _pto_inst_included_again(model: CppFile, headers: dict[int, HeaderSummary]) -> set[int]:
    """The offsets of the kernel's includes of a header whose only pto header is pto-inst.hpp,
    included after the kernel's own `#include <pto/pto-inst.hpp>` wherever it is compiled (each
    `#if` group around the earlier include is around the later one too): that header's include of
    pto-inst.hpp compiles nothing (its include guard), so what the header defines comes after
    pto's code, not before it. Not when a macro named like the guard is defined or undefined
    anywhere the model sees (the kernel, its headers, the command line)."""
    defined, undefined = command_line_macros(model.environment)
    if _PTO_INST_GUARD in model.macros or _PTO_INST_GUARD in defined or _PTO_INST_GUARD in undefined \
            or any(_PTO_INST_GUARD in summary.macros for summary in headers.values()):
        return set()
    direct = [offset for spelled, offset in model.includes
              if trusted_header(spelled) and spelled[1:-1].strip() == _PTO_INST]
    if not direct:
        return set()

    def groups_around(offset: int) -> set[int]:
        return {group.index for group in model.conditional_groups if group.body.start <= offset < group.body.end}

    first = min(direct, key=lambda offset: (len(groups_around(offset)), offset))
    around_first = groups_around(first)
    return {offset for offset, summary in headers.items()
            if offset > first and summary.pto_include and summary.pto_headers == {_PTO_INST}
            and around_first <= groups_around(offset)}


def _only_pto_inst(model: CppFile, pto_headers: list[int], headers: dict | None = None, checkout: str = "") -> bool:
    """Whether the pto code the file includes (at ``pto_headers``: its own pto includes and the
    headers that include one, ``headers``' summaries) writes only words pto/pto-inst.hpp's headers
    write: each pto header is pto-inst.hpp, or with the pto-isa ``checkout`` one pto-inst.hpp
    reaches there (header_words.checkout_headers_reached: its words are among those)."""
    reached: frozenset[str] | None = None
    if checkout:
        from ..pto.header_words import checkout_headers_reached
        reached = checkout_headers_reached(checkout, model.reads)

    def covered(name: str) -> bool:
        return name == _PTO_INST or (reached is not None and name in reached)

    for spelled, offset in model.includes:
        if offset not in pto_headers:
            continue
        summary = (headers or {}).get(offset)
        if trusted_header(spelled) and spelled[1:].lstrip().startswith("pto/"):
            if not covered(spelled[1:-1].strip()):
                return False
        elif summary is None or not summary.pto_headers or not all(covered(name) for name in summary.pto_headers):
            return False
    return True


def _seen_by_pto_code(name: str, only_inst: bool, header_words: frozenset[str] | None) -> bool:
    """Whether a macro ``name`` defined (or undefined) before pto's header, or a name declared
    there, may change the code pto's headers compile: any name, and when pto/pto-inst.hpp is the
    only pto header (``only_inst``), only one _may_change_pto_code says its code (or the standard
    headers', the toolchain's) sees. (Only pto-inst.hpp's words are listed: another pto header may
    write any name.) The kernel's own macros there but ptoas's (_MACROS_PTO_HEADERS_IGNORE) and a
    header's macros there but the qualifiers defined alike are judged so."""
    return not only_inst or _may_change_pto_code(name, header_words)


def _how_pto_sees(name: str, only_inst: bool, header_words: frozenset[str] | None) -> str:
    """Why pto's header, or a header it includes, may see a macro or declaration ``name`` that
    comes before it (one _seen_by_pto_code says it does)."""
    if not only_inst:
        return ("a pto header other than pto-inst.hpp is included, whose words ptofix does not list: give the "
                "pto-isa checkout the kernel compiles with, `--pto-isa DIR`, to read them")
    if macro_may_change_pto_code(name, header_words):
        return "pto's headers write that name or may form it"
    if toolchain_may_declare(name):
        return "the toolchain may declare that name, and pto's code call it"
    return "the standard headers pto's header includes write that name or may define it as a macro"


def _pto_cannot_call(name: str, summary: HeaderSummary, model: CppFile, header_words: frozenset[str] | None,
                     checkout: str) -> bool:
    """Whether the header's declarations of ``name``, which come before pto/pto-inst.hpp, are
    functions none of pto's calls of ``name`` can choose: every one is a plain function
    (headers.plain_function_params: no default argument, no `...`, no template) requiring more
    arguments than any call pto's headers make (ops.pto_call_arities for the documented commits,
    header_words.checkout_call_arities for the ``checkout`` whose ``header_words`` decide), written
    with no macro, and nothing else may see the name (the standard headers, a name pto may form by
    a paste). Overload resolution drops a candidate that is not viable for the call
    ([over.match.viable]): pto's code compiles as if the declarations were not there.
    docs/reference/pto-facts.md §8.4."""
    fewest = summary.function_params.get(name, -1)
    if fewest < 0:
        return False
    table: dict[str, tuple[int, ...]] | None
    if header_words is None:
        table = pto_call_arities()
    else:
        from ..pto.header_words import checkout_call_arities
        table = checkout_call_arities(checkout, model.reads) if checkout else None
    counts = table.get(name) if table is not None else None
    if counts is None or fewest <= max(counts) \
            or name in summary.not_functions or name in summary.macro_bodies or standard_headers_may_see(name) \
            or name.endswith("_IMPL") or name.startswith(("g_pto_", "OP_")):
        return False
    kernel_macros = model.macros | frozenset(command_line_macros(model.environment)[0])
    for word in summary.function_words.get(name, set()):
        if word in QUALIFIER_MACROS:
            if not all(_INERT_QUALIFIER.fullmatch(body) for body in summary.macro_bodies.get(word, [])):
                return False
        elif word in summary.macro_bodies or word in kernel_macros or word in pto_macro_names() \
                or may_be_standard_macro(word):
            return False
    return True


def _header_reason(model: CppFile, spelled: str, offset: int, summary: HeaderSummary, before_pto: bool,
                   only_inst: bool, header_words: frozenset[str] | None, checkout: str = "",
                   elsewhere: frozenset[str] = frozenset()) -> str:
    """Why what the header ``#include spelled`` reads makes the file unknown ('' if it does not): it
    cannot be read or summarised, it comes before pto's header and defines, undefines or declares
    a name pto's code may see (_seen_by_pto_code, the rule the kernel's own macros there get), or
    it declares a name the model reads by its spelling, or defines a keyword, that the kernel
    writes."""
    where = model.source.place(offset)
    if summary.unknown:
        return Located(where, f": '#include {spelled}': ", summary.unknown)
    # (The text without comments and literals, rebuilt from the tokens: every word the kernel writes,
    # in directives and macro bodies too. Only for a file that includes a header ptofix reads.)
    # raw-text scan: the words of that code text (literals emptied, splices not joined: not the word
    # index's counts)
    kernel_words = set(identifiers(code_source(model)))
    deciding = _deciding_command_line_macros(model) & summary.macro_bodies.keys()
    if deciding:
        name = min(deciding)
        return Located(where, f": '#include {spelled}' defines or undefines the macro '{name}' "
                       f"({summary.macros[name]}), whose -D/-U on the command line decides an #if of the file: "
                       "which group is compiled is not known")
    if before_pto:
        defined = sorted(name for name, bodies in summary.macro_bodies.items()
                         if _seen_by_pto_code(name, only_inst, header_words)
                         and not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(b) for b in bodies)))
        declared = sorted(name for name in summary.names if _seen_by_pto_code(name, only_inst, header_words)
                          and not (only_inst and name not in elsewhere
                                   and _pto_cannot_call(name, summary, model, header_words, checkout)))
        if defined or declared:
            name = defined[0] if defined else declared[0]
            at = summary.macros[name] if defined else summary.names[name]
            return Located(where, f": '#include {spelled}' comes before pto's header, which then sees its '{name}' "
                    f"({at}; {_how_pto_sees(name, only_inst, header_words)}): it may change pto's code")
        # What acts on pto's code without a name: a pragma (`pack` lays out its structures), a
        # brace left open (pto's code would be inside the header's namespace or block).
        if summary.pragmas:
            pragma = min(summary.pragmas)
            return Located(where, f": '#include {spelled}' comes before pto's header, and its '#pragma {pragma}' "
                    f"({summary.pragmas[pragma]}) may change how pto's code compiles")
        operator = pragma_operator_used(summary)
        if operator:
            return Located(where, f": '#include {spelled}' comes before pto's header, and {operator}: its pragma may "
                    "change how pto's code compiles")
        if summary.open_braces:
            return Located(where, f": '#include {spelled}' comes before pto's header, and the braces of "
                    f"'{summary.open_braces}' do not pair up within it: pto's code may be inside its namespace "
                    "or block")
    # A header's macro the kernel writes outside its function bodies (a declaration, a function's
    # head) may declare or rename anything there, as the file's own would.
    text = model.source.text
    outside: list[str] = []
    start = 0
    for body_span in sorted(fn.body.span for fn in model.functions):
        outside.append(text[start:max(start, body_span.start)])
        start = max(start, body_span.end)
    outside.append(text[start:])
    # raw-text scan: the text outside function bodies, pieced from the model's spans
    heads = set(identifiers(code_only(" ".join(outside))))
    macros_outside = sorted(name for name, bodies in summary.macro_bodies.items() if name in heads
                            and not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(b) for b in bodies)))
    if macros_outside:
        name = macros_outside[0]
        return Located(where, f": '#include {spelled}' defines the macro '{name}' ({summary.macros[name]}), which the "
                "kernel writes outside its function bodies: its expansion may declare or rename anything there")
    for name in sorted(set(summary.macro_bodies) & kernel_words):
        for body in summary.macro_bodies[name]:
            if "##" in body or any(body.count(a) != body.count(b) for a, b in ("()", "[]", "{}")):
                return Located(where, f": '#include {spelled}' defines the macro '{name}' "
                               f"({summary.macros[name]}), which pastes tokens or leaves a bracket open, and the "
                               "kernel writes it: it may call or declare any name")
    # A macro the header's namespace scope writes that pto-isa, the kernel or the command line
    # defines may expand to declarations the summary does not see, and a kernel macro named like a
    # header's declaration renames it.
    kernel_macros = model.macros | set(command_line_macros(model.environment)[0])
    foreign = sorted(((set(summary.namespace_words) & ((pto_macro_names() - _PTO_DECLARING_NOTHING) | kernel_macros))
                      | (set(summary.names) & kernel_macros)) - QUALIFIER_MACROS)
    if foreign:
        name = foreign[0]
        at = summary.namespace_words.get(name) or summary.names[name]
        return Located(where, f": '#include {spelled}' writes '{name}' at namespace scope ({at}), a macro pto-isa, "
                "the kernel or the command line defines: its declarations there are not known")
    keywords = sorted(set(summary.macros) & _KEYWORDS)
    if keywords:
        return Located(where, f": '#include {spelled}' defines a macro named like the C++ keyword '{keywords[0]}'")
    # (A header's function named like a builtin the model reads as a pure value, `get_block_idx`,
    # makes each call of that name an unknown call instead: FileContext.header_names.)
    spelled_names = sorted(name for name in (set(summary.names) | set(summary.macros)) & kernel_words
                           if model_reads(name) and name not in QUALIFIER_MACROS
                           and not (name in PURE_FUNCTIONS and name not in summary.macros))
    if spelled_names:
        name = spelled_names[0]
        at = summary.names.get(name) or summary.macros[name]
        return Located(where, f": '#include {spelled}' declares or defines '{name}' ({at}), which the kernel "
                       "writes and ptofix reads as pto's or a builtin type")
    return ""



def _may_spell_macro_stack_pragma(source: SourceText) -> bool:
    """Whether the text may spell `push_macro` or `pop_macro` (names_macro_stack_pragma): from the
    word index the file's words were read into once (SourceText.word_text; a word made of word
    characters occurs in the text only inside one of its words), the text itself for a text
    without one."""
    words = source.word_text()
    return words is None or b"push_macro" in words or b"pop_macro" in words


def _may_name_template(source: SourceText) -> bool:
    """Whether `template` is a word of the text (_has_specialization finds none otherwise), from
    its word index when it has one."""
    words = source.word_text()
    return words is None or b" template " in words


def _has_specialization(text: str, macros: frozenset = frozenset()) -> bool:
    """`template <>` (an explicit specialization) somewhere in ``text``, strings included (a
    comment is a blank: `template </* */>` is one too), or a `template <...>` whose list holds only
    ``macros`` of the file (`template <NO_ARGS>` may expand to `template <>`). (A find per
    occurrence of the word: a `\b` search tries every offset of the file.)"""
    pos = text.find("template")
    while pos != -1:
        if pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_"):
            match = _TEMPLATE_OF_WORDS.match(text, pos)
            # raw-text scan: a `template <...>` list matched on the text (comments as blanks), only where
            # `template` is a word of it
            if match is not None and all(word in macros for word in identifiers(strip_comments(match.group(1)))):
                return True
        pos = text.find("template", pos + 8)
    return False


# `template <` words only `>`, comments being blanks: an explicit specialization when the words are
# macros expanding to nothing. (Read on the raw text: a `template <>` a comment holds counts too.)
# (Each alternative unambiguous: a comment ends at its first `*/`, so a failing match backtracks
# linearly, not through every way to split the text into comments.)
_BLANK_OR_COMMENT: Final = r"(?:\s|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*(?:\n|\Z))"
_TEMPLATE_OF_WORDS: Final = regex_cache.compile(
    r"template" + _BLANK_OR_COMMENT + r"*<((?:" + _BLANK_OR_COMMENT + r"|[A-Za-z_]\w*(?!\w))*)>", re.S)


def _qualified_by_macro(fn: Function, macros: frozenset) -> bool:
    """Whether a qualified definition (`X::name(`) spells its qualifiers with a macro of the file
    (`PTO_NS::TMUL_IMPL` may be `pto::TMUL_IMPL`)."""
    if not fn.qualified or not macros:
        return False
    return any(word in macros for word in fn.declaration.before_name_words)


def _qualified_into_pto(qualified: str) -> bool:
    """Whether a definition's qualified head (``Function.qualified``: its blanks removed, so
    `void pto::` reads `voidpto::`) may name namespace pto. Any `pto::` counts, one ending a
    longer name too (`crypto::`): cheaper than re-reading the words, and fail-closed."""
    # raw-text scan: a definition's qualified head (Function.qualified keeps it as text)
    return "pto" in qualified and "pto::" in "".join(strip_comments(qualified).split())
