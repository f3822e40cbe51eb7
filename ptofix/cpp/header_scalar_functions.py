"""A header's own definition of a block-id accessor (`get_block_idx(args)`) proven a scalar read.

The compiler's built-in topology queries (`get_block_idx()`, `get_block_num()`, `get_subblockid()`,
`get_subblockdim()`: ops.PURE_FUNCTIONS) read a core register and return an integer; they touch no
UB and issue no vector work. A runtime header may define functions of those names itself:
hw-native-sys/simpler's `src/a2a3/runtime/tensormap_and_ringbuffer/common/intrinsic.h` defines
`get_block_idx(__gm__ int64_t *args)`, `get_block_num(args)` and `get_sub_block_id(args)`, each of
which casts an `args[]` slot to a pointer to the runtime's context struct and returns one of its
integer fields (the header's own comment: "reads from the runtime's GlobalContext.sub_block_id").
Such a definition is what the kernel's call runs, so it is read here, not assumed: a name counts as
a scalar read only when every definition the header gives it is proven to be one, by its text:

* a free function (no template, no class or namespace qualifier), whose return type is a builtin
  integer type and whose parameters are pointers to builtin integer types or builtin integers;
* its body: declarations of pointer or builtin-integer locals, then `return`; every expression is
  names, literals, casts (C-style, `static_cast`, `reinterpret_cast`) to pointer or builtin integer
  types, subscripts, member reads (`p->f`, `s.f`) and arithmetic: no call, assignment, `++`/`--`,
  `new` or lambda (none of which the grammar would let through as these nodes);
* every name it reads is a parameter, a local, or a namespace-scope integer constant the header
  declares once, `constexpr` and of a builtin integer type; every member it reads is declared with a
  builtin integer type in the one definition of its struct in the header, which declares no
  conversion operator (`operator`) and no base class;
* the name is written nowhere else in the header (no second overload, no recursion, no use in a
  macro);
* no type name the proof reads (a builtin integer's, the struct's) is declared otherwise in the
  header, in any scope (an alias, typedef, using-declaration, macro, class or namespace of that
  name: `namespace rt { using uint8_t = Idx; }` makes a uint8_t member a class object); FileContext
  checks the kernel and the other headers the same way, and that no name the body reads is
  declared by a second header.

What the proof relies on besides the header's text is returned as words (FileContext checks that
none is a macro of the kernel, of a header or of pto-isa: `#define ctx ...` before the include would
change the body). A header that only declares such a name, or defines it any other way, leaves the
call unknown, as before.
"""
from __future__ import annotations

import re

from ..source import PtofixError, SourceText
from . import stmt_parser as A
from .integers import INTEGER_TYPES
from .lexical import count_identifiers, identifiers
from .model import Compound, Function, SimpleStmt
from .parser import parse_cpp
from .word_index import code_source

# The builtin integer types a proof accepts (not CCE's `event_t`/`pipe_t` enumerations).
_INTEGERS = frozenset(name for name in INTEGER_TYPES if name not in ("event_t", "pipe_t"))
# Words of a function's head besides its return type that change nothing it computes.
_HEAD_WORDS = frozenset(["static", "inline", "__aicore__", "__gm__", "AICORE", "const"])
_QUALIFIERS = frozenset(["__gm__", "const", "volatile"])
_CASTS = frozenset(["static_cast", "reinterpret_cast"])


class ScalarProof:
    """Whether a header's definitions of one name are proven scalar reads (``why`` '' when they
    are) and the words the proof took at their meaning."""

    __slots__ = ("why", "words", "types")

    def __init__(self, why: str, words: frozenset[str] = frozenset(), types: frozenset[str] = frozenset()) -> None:
        self.why = why
        self.words = words
        # The type names the proof took as builtin integers or as the header's one plain struct:
        # FileContext checks that the kernel and the other headers declare none of them either.
        self.types = types


def prove_scalar_function(text: str, path: str, name: str) -> ScalarProof:
    """The proof for the header ``path`` (its ``text``) that declares ``name``."""
    try:
        model = parse_cpp(SourceText(text, path))
    except PtofixError as exc:
        return ScalarProof(f"{path} is not read ({exc.diagnostic.message})")
    # (The header's code, comments and literals emptied, rebuilt from its tokens.)
    code = code_source(model)
    definitions = [fn for fn in model.functions if fn.name == name]
    if not definitions:
        return ScalarProof(f"{path} declares '{name}' without a definition ptofix reads")
    # raw-text scan: the words of the header's code read above (literals emptied: not the word index's
    # counts, which keep strings)
    if count_identifiers(code, {name}).get(name, 0) != len(definitions):
        return ScalarProof(f"{path} names '{name}' other than by its definition (an overload, a declaration, "
                           "a call or a macro)")
    words: set[str] = set()
    for fn in definitions:
        why = _prove_definition(fn, code, words)
        if why:
            return ScalarProof(f"{path}: {name}(): {why}")
    # A type the proof read by its name must be that type wherever the body or a struct's member
    # spells it: an alias, typedef, using-declaration, class or namespace of the name in the header,
    # in any scope (`namespace rt { using uint8_t = Idx; }`, a member `using uint8_t = Idx;` of the
    # struct), may make a member or the returned value a class object whose conversion runs code.
    structs = frozenset(w for w in words if w not in _INTEGERS and _struct_body(w, code) is not None)
    for word in sorted(_INTEGERS | structs):
        if redeclared(word, code, word in structs):
            return ScalarProof(f"{path}: {name}(): the header declares '{word}' other than as the type the proof "
                               "reads")
    return ScalarProof("", frozenset(words), frozenset(_INTEGERS | structs))


def redeclared(word: str, code: str, is_struct: bool) -> bool:
    """``code`` declares ``word`` as a macro, alias, typedef name, namespace or (beyond the one
    struct ``is_struct`` allows) a class or enumeration."""
    name = re.escape(word)
    if re.search(rf"#\s*define\s+{name}\b|\busing\s+{name}\s*=|\busing\s+[\w:\s]*::\s*{name}\s*;"
                 rf"|\btypedef\b[^;{{}}]*\b{name}\s*[;\[),]|\bnamespace\s+{name}\b", code):
        return True
    heads = re.findall(rf"\b(?:struct|class|union|enum)\s+(?:class\s+|struct\s+)?{name}\b", code)
    return len(heads) > (1 if is_struct else 0)


def _type_of(words: list[str]) -> tuple[str, int] | None:
    """(builtin integer type, pointer depth) a declaration's type words and `*`s spell, or None."""
    base = [w for w in words if w not in _QUALIFIERS and w != "*"]
    if len(base) != 1:
        return None
    return base[0], words.count("*")


def _prove_definition(fn: Function, code: str, words: set[str]) -> str:
    decl = fn.declaration
    if decl.template_params or fn.qualified or decl.owner or fn.conditional or decl.trailing_return:
        return "not a plain free function"
    head = [w for w in decl.return_words if w not in _HEAD_WORDS]
    if len(head) != 1 or head[0] not in _INTEGERS or "*" in decl.before_name or "&" in decl.before_name:
        return "its return type is not a builtin integer type"
    words.update(decl.return_words)
    locals_: dict[str, tuple[str, int]] = {}
    for param in fn.parameters:
        lexemes = re.findall(r"[A-Za-z_]\w*|\*|\S", param.text)
        if len(lexemes) < 2 or not re.fullmatch(r"[A-Za-z_]\w*", lexemes[-1]):
            return f"the parameter '{param.text}' is not one ptofix reads"
        spelled = _type_of(lexemes[:-1])
        if spelled is None or spelled[0] not in _INTEGERS or any(ch in param.text for ch in "&[=("):
            return f"the parameter '{param.text}' is neither a builtin integer nor a pointer to one"
        locals_[lexemes[-1]] = spelled
        words.update(lexemes)
    body = fn.body
    if not isinstance(body, Compound):
        return "its body is not read"
    returned = False
    for stmt in body.body:
        if not isinstance(stmt, SimpleStmt) or stmt.ast is None:
            return "a statement other than a declaration or a return"
        # raw-text scan: a statement's text (the model keeps it as text)
        words.update(identifiers(stmt.text))
        ast = stmt.ast
        if isinstance(ast, A.Decl) and ast.init is not None and not ast.array and ast.ctor_args is None:
            type_ = ast.type
            if type_.ref or type_.template is not None or (type_.pointer == 0 and type_.name not in _INTEGERS) \
                    or any(q not in _QUALIFIERS for q in type_.quals):
                return f"the local '{ast.name}' is not of a builtin integer or pointer type"
            why = _expression(ast.init, locals_, code)
            if why:
                return why
            locals_[ast.name] = (type_.name, type_.pointer)
        elif isinstance(ast, A.ReturnStmt) and ast.value is not None:
            why = _expression(ast.value, locals_, code)
            if why:
                return why
            returned = True
        else:
            return "a statement other than a declaration with an initializer or a return"
    return "" if returned else "no return statement"


def _expression(node: object, locals_: dict[str, tuple[str, int]], code: str) -> str:
    """Why ``node`` may do more than read values ('' if it cannot)."""
    if isinstance(node, (A.Number, A.Literal)):
        return ""
    if isinstance(node, A.Name):
        if node.id in locals_:
            return ""
        return "" if _integer_constant(node.id, code) else f"'{node.id}' is not a constexpr integer of the header"
    if isinstance(node, A.Member):
        obj = node.obj
        if not isinstance(obj, A.Name) or obj.id not in locals_:
            return "a member read of something other than a local"
        type_name, depth = locals_[obj.id]
        if depth != (1 if node.arrow else 0) or not _integer_member(type_name, node.field, code):
            return f"'{obj.id}{'->' if node.arrow else '.'}{node.field}' is not an integer member of a plain struct"
        return ""
    if isinstance(node, A.Index):
        obj = node.obj
        if not isinstance(obj, A.Name) or obj.id not in locals_ or locals_[obj.id][1] != 1 \
                or locals_[obj.id][0] not in _INTEGERS:
            return "a subscript of something other than a pointer to integers"
        return _expression(node.index, locals_, code)
    if isinstance(node, A.Binary) and node.op in ("+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"):
        return _expression(node.left, locals_, code) or _expression(node.right, locals_, code)
    if isinstance(node, A.Cast):
        return _cast_target(node.type, code) or _expression(node.operand, locals_, code)
    if isinstance(node, A.Call) and isinstance(node.func, A.TemplateId) and node.func.name in _CASTS \
            and len(node.args) == 1 and len(node.func.args) == 1 and isinstance(node.func.args[0], A.TypeRef):
        return _cast_target(node.func.args[0], code) or _expression(node.args[0], locals_, code)
    return f"{type(node).__name__} is not a read ptofix proves"


def _cast_target(type_: A.TypeRef, code: str) -> str:
    if type_.ref or type_.template is not None or any(q not in _QUALIFIERS for q in type_.quals):
        return f"a cast to '{type_.name}'"
    if type_.pointer == 0 and type_.name not in _INTEGERS:
        return f"a cast to '{type_.name}', which is no builtin integer type"
    if type_.pointer and type_.name not in _INTEGERS and _struct_body(type_.name, code) is None:
        return f"a cast to a pointer to '{type_.name}', no plain struct of the header"
    return ""


def _integer_constant(name: str, code: str) -> bool:
    """``name`` is declared once in the header, `constexpr` of a builtin integer type."""
    initialised = re.findall(rf"\b{re.escape(name)}\s*(?:=(?!=)|[{{(])", code)
    found = re.findall(rf"\bconstexpr\s+({'|'.join(sorted(_INTEGERS, key=len, reverse=True))})\s+{re.escape(name)}"
                       r"\s*=", code)
    return len(found) == 1 and len(initialised) == 1


def _struct_body(name: str, code: str) -> str | None:
    """The member text of the header's one definition of `struct name` (no base, no template), or
    None when it has none, several, or one ptofix does not read as plain."""
    heads = [m for m in re.finditer(rf"\b(?:struct|class|union)\s+{re.escape(name)}\b", code)]
    if len(heads) != 1 or re.search(rf"\btemplate\s*<[^;{{]*\b{re.escape(name)}\b", code):
        return None
    head = heads[0]
    after = code[head.end():].lstrip()
    if not after.startswith("{") or re.search(rf"\b{re.escape(name)}\s*<", code):
        return None
    start = code.index("{", head.end())
    depth = 0
    for i in range(start, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                body = code[start + 1:i]
                return None if re.search(r"\boperator\b", body) else body
    return None


def _integer_member(struct: str, field: str, code: str) -> bool:
    body = _struct_body(struct, code)
    if body is None:
        return False
    # Members at the struct's own depth only (a nested struct's are not its).
    flat, depth = [], 0
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
    types = "|".join(sorted(_INTEGERS, key=len, reverse=True))
    members = re.findall(rf"(?:^|;)\s*((?:{types}))\s+{re.escape(field)}\s*;", "".join(flat))
    named = re.findall(rf"\b{re.escape(field)}\b", "".join(flat))
    return len(members) == 1 and len(named) == 1
