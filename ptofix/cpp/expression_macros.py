"""The file's expression macros: a function-like `#define` whose replacement list is one
parenthesized arithmetic expression of its parameters and number literals
(`#define DIV_ROUNDUP(x, y) (((x) + (y) - 1) / (y))`, pto-kernels' fast_hadamard, issue 57).

A use `DIV_ROUNDUP(a, b)` expands ([cpp.replace]) to that parenthesized expression with the
arguments in place of the parameters: a primary expression where the call stood, so the statement
groups as written, and it holds no name but the arguments' (no call, no jump, no write, no
declaration: the only tokens are the parameters, numbers, parentheses and operators that neither
assign nor name anything). Its value depends on the arguments' text (`x * 2` with `a + b` as x),
so the model takes it as unknown; and each argument may be evaluated any number of times, so one
with an effect (a call, an assignment, `++`) is refused where the use is read (expressions.py).

Read only when no doubt is left which definition a use sees: the file defines the name once, at
file scope outside any #if group, before its first function, never #undefs it, and neither a
header it includes, pto-isa, the standard library nor the command line (`-D`) defines it.
"""
from __future__ import annotations

from .. import regex_cache
from .lexical import masked_literals
from .model import CppFile, MacroDefinition

# The punctuators an expression macro's replacement list may hold: arithmetic, comparisons,
# logic, the conditional operator and parentheses. No assignment, increment, comma, member
# access, subscript, `#` or `##`.
_SAFE_PUNCTUATORS = frozenset("( ) + - * / % << >> & | ^ ~ ! < > <= >= == != && || ? :".split())
_NUMBER = regex_cache.compile(r"(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFlL]?")
_IDENTIFIER = regex_cache.compile(r"[A-Za-z_]\w*")


def expression_macros(model: CppFile, defined_elsewhere: frozenset[str] | set[str]) -> dict[str, MacroDefinition]:
    """The file's expression macros (see the module's doc), by name. ``defined_elsewhere``: the
    names a header, pto-isa, the standard library or the command line may define as a macro."""
    by_name: dict[str, list[MacroDefinition]] = {}
    for definition in model.macro_table:
        by_name.setdefault(definition.name, []).append(definition)
    first_function = min((fn.span.start for fn in model.functions), default=0)
    found: dict[str, MacroDefinition] = {}
    for name, definitions in by_name.items():
        if len(definitions) != 1 or name in defined_elsewhere:
            continue
        definition = definitions[0]
        if definition.defines and definition.group == -1 and not definition.from_command_line \
                and definition.span.end <= first_function and _is_expression(definition):
            found[name] = definition
    return found


def _is_expression(definition: MacroDefinition) -> bool:
    params = definition.params
    if params is None or not params or len(set(params)) != len(params) \
            or not all(_IDENTIFIER.fullmatch(param) for param in params):
        return False          # (object-like, `()`, variadic `...`, a repeated parameter)
    tokens = definition.replacement
    if len(tokens) < 2 or tokens[0] != "(" or tokens[-1] != ")":
        return False
    depth = 0
    for at, token in enumerate(tokens):
        if token in params or _NUMBER.fullmatch(token):
            continue
        if token not in _SAFE_PUNCTUATORS:
            return False
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth == 0 and at != len(tokens) - 1:
            return False      # `(a) + (b)`: not one parenthesized expression
    return depth == 0


_USE = regex_cache.compile(r"(?<![\w$])([A-Za-z_]\w*)(?![\w$])")


def used_only_as_calls(text: str, name: str) -> bool:
    """Every use of ``name`` in ``text`` (comments and literals aside) is followed by `(`: a
    function-like macro is expanded only there; anywhere else the name stays (and may be an
    argument of another macro, which may stringize or paste it)."""
    # (A statement's raw text, re-scanned: the model keeps a statement's span and text, not the
    # file's tokens, and only for a statement that names an expression macro.)
    # raw-text scan: see the comment above
    code = masked_literals(text)
    for match in _USE.finditer(code):
        if match.group(1) == name and not code[match.end():].lstrip().startswith("("):
            return False
    return True
