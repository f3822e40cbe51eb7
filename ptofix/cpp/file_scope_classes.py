"""File-scope class, struct, union and enum definitions the model does not read member by member,
made Unknown per function instead of per file (issue #57).

A definition such as `struct FrontUbStack { uint64_t cursor = 0; AICORE inline uint64_t
Push(uint64_t bytes) {...} };` declares, at file scope, exactly: its tag name, the declarators after
its closing brace (`} a, *b;`, the names of `typedef struct {...} Name;`) and, for an unscoped
enumeration, its enumerators ([dcl.enum]/11). What its body declares is scoped to it ([class.mem],
[basic.scope.class]) except what may leave it: a friend declaration ([namespace.memdef]/3), an
elaborated type specifier that is no declaration of its own (`struct TMUL* p;` declares `TMUL` in the
enclosing namespace, [basic.scope.pdecl]/7), or a macro whose expansion the model cannot bound.
Those keep the whole file Unknown (class_definition_names returns None).

The class's code (member functions, constructors, conversions, operators, destructors) runs only
on objects of it, which a function reaches only through the names the class declares: directly,
through a file-scope declaration or a macro that names them, through a function that names them
and returns something that is not a plain scalar (a caller then holds an object of the class and
may convert or copy it), or as a template's argument (a template a depending function calls may be
instantiated with the class). A function is Unknown when any of these holds
(functions_depending_on); every other function never names, holds or runs anything of the class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import regex_cache
from ..located import Located
from .lexical import identifiers, masked_literals, strip_comments

if TYPE_CHECKING:
    from .headers import HeaderSummary
    from .model import CppFile, Function

# A definition's head: an optional `typedef`, plain template heads (any text without braces or
# ';' between `<` and the `>` closing them is checked by _skip_template_heads), the class key, an
# optional name, an optional `final` and a base clause (or an enumeration's underlying type).
_HEAD = regex_cache.compile(
    r"\s*(?P<key>struct|class|union|enum(?:\s+(?:class|struct)(?![\w$]))?)(?![\w$])\s*"
    r"(?P<name>[A-Za-z_]\w*)?\s*(?:final(?![\w$])\s*)?(?::(?P<base>[^{};]*))?\{")
# After the closing brace: declarators without initializers (`a, *b, c[4]`), then ';'.
_DECLARATORS = regex_cache.compile(
    r"\s*(?P<list>(?:[*&\s]*[A-Za-z_]\w*\s*(?:\[[^\[\]{};=]*\]\s*)*)"
    r"(?:,(?:[*&\s]*[A-Za-z_]\w*\s*(?:\[[^\[\]{};=]*\]\s*)*))*)?;\s*\Z")
# Words by which a member may declare a name outside its class, or that the model cannot bound.
_LEAKING_WORDS = frozenset(["friend", "namespace", "asm", "__asm__", "extern", "concept", "export", "module",
                            "import"])
# A class key inside the body: a nested class's definition or forward declaration (`struct I {`,
# `struct I : B {`, `struct I;`, `enum class E : int {`, an unnamed one), or a template's type parameter
# (`template <class T>`), stays in the class's scope. Any other use is an elaborated type
# specifier, which may declare its name in the enclosing namespace.
_SCOPED_CLASS_KEY = regex_cache.compile(
    r"(?:enum\s+(?:class|struct)|struct|class|union|enum)\s+[A-Za-z_]\w*\s*(?:final\s*)?(?:[{:;]|(?=[,>=]))"
    # An unnamed member class or enumeration (`union { ... };`, `enum : int { K = 4 };`): its
    # members or enumerators are the class's own ([class.union.anon], [dcl.enum]/11).
    r"|(?:struct|union|enum)\s*(?:\{|:\s*[\w:\s]+\{)")
_CLASS_KEY = regex_cache.compile(r"(?<![\w$])(?:struct|class|union|enum)(?![\w$])")
_ENUMERATOR = regex_cache.compile(r"\s*([A-Za-z_]\w*)\s*(?:=[^,]*)?\Z")
# What a header macro's replacement may hold and still declare nothing outside a class body: no
# brace, ';' (which would end the member and begin another), `#` (a stringized or pasted name).
_MACRO_SAFE = regex_cache.compile(r"[^{};#]*")
# Return types after which a caller holds no object of the class: void and the scalar types, with
# the specifiers ptoas and pto-isa's kernels write before them.
_SCALAR_RETURN_WORDS = frozenset([
    "void", "bool", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "half",
    "bfloat16_t", "size_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t", "inline", "static", "constexpr", "const", "volatile", "AICORE", "__aicore__", "PTO_INTERNAL",
    "PTO_INST", "__attribute__", "always_inline"])


def class_definition_names(text: str, is_macro: Callable[[str], bool]) -> tuple[str, ...] | None:
    """The names a file-scope class/struct/union/enum definition declares outside its braces (tag,
    declarators, an unscoped enumeration's enumerators), or None when ``text`` is no such
    definition read exactly: unbalanced, an initializer after the brace, an anonymous class that
    declares its members outside (`static union { int a; };`), a friend, an elaborated type
    specifier or a word ``is_macro`` says may expand to a declaration of its own."""
    # raw-text scan: a file-scope class definition's text (the model keeps it as text)
    code = masked_literals(strip_comments(text))
    at = _skip_template_heads(code)
    if at < 0:
        return None
    typedef = code.startswith("typedef", at) and not (code[at + 7:at + 8].isalnum() or code[at + 7:at + 8] == "_")
    if typedef:
        at += len("typedef")
    head = _HEAD.match(code, at)
    if head is None:
        return None
    close = _matching_brace(code, head.end() - 1)
    if close < 0:
        return None
    tail = _DECLARATORS.match(code, close + 1)
    if tail is None:
        return None
    body = code[head.end():close]
    # raw-text scan: the words of the definition's code read above
    words = set(identifiers(code))
    if _LEAKING_WORDS & words or any(is_macro(word) for word in words):
        return None
    for key in _CLASS_KEY.finditer(body):
        if not _SCOPED_CLASS_KEY.match(body, key.start()):
            return None
    names = []
    if head.group("name"):
        names.append(head.group("name"))
    # raw-text scan: a piece of the definition's code read above
    names += [word for word in identifiers(tail.group("list") or "") if not _is_array_bound(tail.group("list"), word)]
    key_word = head.group("key")
    if key_word == "enum":
        for part in body.split(","):
            if not part.strip():
                continue
            enumerator = _ENUMERATOR.match(part)
            if enumerator is None:
                return None
            names.append(enumerator.group(1))
    if not names or (not head.group("name") and not tail.group("list")):
        return None         # an anonymous class declares its members in the enclosing scope
    return tuple(dict.fromkeys(names))


def _is_array_bound(declarators: str | None, word: str) -> bool:
    """Whether ``word`` is spelled inside an array bound of ``declarators`` (a constant, not a name
    the declaration introduces)."""
    depth = 0
    for token in regex_cache.compile(r"\[|\]|[A-Za-z_]\w*").finditer(declarators or ""):
        if token.group() == "[":
            depth += 1
        elif token.group() == "]":
            depth -= 1
        elif token.group() == word:
            return depth > 0
    return False


def _skip_template_heads(code: str) -> int:
    """The offset past the template heads `template <...>` at ``code``'s start (blanks skipped), -1
    when one does not close (angle brackets counted outside parentheses)."""
    at = len(code) - len(code.lstrip())
    while code.startswith("template", at):
        rest = code[at + len("template"):].lstrip()
        if not rest.startswith("<"):
            return -1
        at = len(code) - len(rest)
        depth = parens = 0
        for index in range(at, len(code)):
            ch = code[index]
            if ch in "{};":
                return -1
            parens += {"(": 1, ")": -1}.get(ch, 0)
            if parens == 0:
                depth += {"<": 1, ">": -1}.get(ch, 0)
            if depth == 0:
                at = index + 1
                break
        else:
            return -1
        at = len(code) - len(code[at:].lstrip())
    return at


def _matching_brace(code: str, open_at: int) -> int:
    """The offset of the '}' closing the '{' at ``open_at``, -1 when it does not close."""
    depth = 0
    for index in range(open_at, len(code)):
        if code[index] == "{":
            depth += 1
        elif code[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def macro_declares_nothing(word: str, headers: dict[int, HeaderSummary], pto_macros: frozenset[str],
                           inert: frozenset[str]) -> bool:
    """Whether ``word``, if a header's macro, expands to nothing that declares a name outside a
    class body: pto's function specifiers and qualifiers (``inert``), or a replacement with no
    brace, ';' or '#' naming no other macro. A word no header defines is no macro (the file's own
    macros are checked before)."""
    if word in inert:
        return True
    bodies = [body for summary in headers.values() for body in summary.macro_bodies.get(word, [])]
    if not bodies:
        return word not in pto_macros
    for body in bodies:
        if not _MACRO_SAFE.fullmatch(body):
            return False
        # raw-text scan: a macro's replacement text (the model keeps it as text)
        for name in identifiers(body):
            if name != word and name not in inert and (name in pto_macros or any(
                    name in summary.macro_bodies for summary in headers.values())):
                return False
    return True


def _function_words(model: CppFile, fn: Function) -> set[str]:
    """Every identifier of ``fn``'s definition: its head (template heads, owner, parameters,
    default arguments) and its body."""
    text = model.source.text
    # raw-text scan: a function body's text, every word of it, unread statements included
    return set(fn.declaration.words) | set(identifiers(text[fn.body.span.start:fn.body.span.end]))


def _returns_scalar(fn: Function, names: dict[str, str]) -> bool:
    """Whether ``fn`` returns void or a plain scalar (by value, pointer or reference to one): its
    caller then holds no object of a class it names. A return word among ``names`` is the class's
    (`struct always_inline {...}; AICORE always_inline make();` returns an object of it)."""
    head = fn.declaration
    words = set(head.return_words)
    return not head.trailing_return and words <= _SCALAR_RETURN_WORDS and not names.keys() & words


def _is_template(fn: Function) -> bool:
    """Whether ``fn`` may be instantiated with a type its caller chooses: a template, or a function
    with an `auto` parameter (an abbreviated template)."""
    # raw-text scan: a parameter's text (Parameter keeps it as text)
    return "template" in fn.declaration.words or any("auto" in identifiers(p.text) for p in fn.parameters)


def _name_what_names(model: CppFile, names: dict[str, str]) -> bool:
    """Add to ``names`` the name of each file-scope declaration and macro that names one of them;
    whether any was added."""
    added = False
    for decl in model.globals:
        named = names.keys() & set(decl.words)
        if named and decl.name and decl.name not in names:
            names[decl.name] = names[min(named)]
            added = True
    for macro in model.macro_table:
        named = names.keys() & set(macro.replacement)
        if macro.defines and named and macro.name not in names:
            names[macro.name] = names[min(named)]
            added = True
    return added


def functions_depending_on(model: CppFile, declared: dict[str, str]) -> dict[int, str]:
    """id(function) -> why it is Unknown, for each function that may depend on a name in
    ``declared`` (name -> where the class declaring it is): see the module's docstring. The names
    grow to a fixed point with what names them (a file-scope declaration's name, a macro's) and
    with the functions that name them."""
    names = dict(declared)
    words = {id(fn): _function_words(model, fn) for fn in model.functions}
    unknown: dict[int, str] = {}
    changed = True
    while changed:
        changed = _name_what_names(model, names)
        for fn in model.functions:
            named = names.keys() & words[id(fn)]
            if id(fn) in unknown or not named:
                continue
            name = min(named)
            unknown[id(fn)] = Located(names[name], f": '{name}' is declared by or depends on a file-scope class "
                                     "ptofix does not read member by member; this function names it")
            changed = True
        for fn in model.functions:
            if id(fn) not in unknown:
                continue
            # A caller of a function that may return an object of the class holds one; a template
            # it calls may be instantiated with the class.
            if not _returns_scalar(fn, names) and fn.name not in names:
                names[fn.name] = model.source.place(fn.span.start)
                changed = True
            for callee in model.functions:
                if id(callee) not in unknown and _is_template(callee) and callee.name in words[id(fn)]:
                    unknown[id(callee)] = model.source.located(fn.span.start, f"'{fn.name}' depends on a "
                                                               "file-scope class ptofix does not read and may "
                                                               "instantiate this template with it")
                    changed = True
    return unknown
