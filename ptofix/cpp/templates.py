"""Which instantiations of a function template its own file makes, when that set is known exactly.

A function template's body says little by itself: its tile shapes and UB addresses are template
parameters (`template <int M, int N>`, `Tile<TileType::Vec, float, M, N, ...>`, `TASSIGN(t, M * N *
sizeof(float))`). The barrier proof analyses such a body once per instantiation the file makes
(FileContext.semantics with a binding), and removes a barrier of it only when every instantiation's
proof removes it (barriers.decide_by_groups). That is sound only when the set of instantiations is
the whole set the compiler makes. It is taken as known exactly only when every rule below holds;
otherwise the template is analysed once, with its parameters unknown (as before), and the reason
is given with every barrier it keeps:

* the template is defined in the file analysed, and the file is a whole translation unit that is
  not a header (a `.h`/`.hpp` file, or a file another one includes, may be instantiated by
  includers the model never sees, with any arguments);
* its name is unqualified, defined once (no overload, no
  explicit specialization `template <>` anywhere in the file), outside any file-scope `#if`, with
  one template head of plain parameters and no default template argument;
* each parameter is a non-type parameter of a builtin integer type (`int`, `uint32_t`, `size_t`,
  `bool`...) or a type parameter (`typename T`), and no header or macro could put the name elsewhere
  (pto-isa, a read header or the toolchain declaring a function of that name, `##` pasting, a macro
  body naming it, a header ptofix cannot read);
* every mention of its name in the file's text (comments and strings included) is its definition or
  a call statement `name<args>(...);` of a function body (in any `#if` group: every group's calls
  are taken, a superset of the compiled ones, which only adds proofs to pass), whose explicit
  template arguments are, one per parameter, integer constant expressions of literals, file-scope
  constants (FileContext.file_constant) and `sizeof` of builtin types, or, for a type parameter, one
  of pto's element types (`float`, `half`, `bfloat16_t`, `int8_t`...). A name in an argument must not
  be declared by the calling function (its template parameters, parameters or locals could hide the
  file's constant); the name used any other way (its address taken, a call inside an expression, a
  call from a macro, an explicit instantiation) leaves the set unknown.
"""
from __future__ import annotations

import re

from ..pto.ops import pto_function_names, pto_macro_names
from ..pto.tiles import ELEMENT_BYTES
from ..regex_cache import compile as compile_regex
from . import stmt_parser as A
from .headers import named_as_header
from .integers import INTEGER_TYPES, IntType, wrap
from .keywords import CPP_KEYWORDS
from .lexical import count_identifiers, identifiers
from .model import Function, SimpleStmt
from .word_index import code_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .file_facts import FileFacts

# One instantiation: (parameter name, value) per template parameter, in order; the value is an int
# for a non-type parameter, the element type's name (str) for a type parameter.
Binding = tuple

_EXPLICIT_SPECIALIZATION = compile_regex(r"\btemplate\s*<\s*>")
# Instantiations per template past which the set is not analysed (each costs a whole analysis).
MAX_INSTANTIATIONS = 8


def binding_label(name: str, binding: Binding) -> str:
    """`online_update_impl<16, 128>`: how a report names one instantiation."""
    return f"{name}<{', '.join(str(value) for _, value in binding)}>"


def is_function_template(fn: Function) -> bool:
    return "template" in fn.declaration.words


def instantiations(ctx: FileFacts, fn: Function) -> tuple[tuple[Binding, ...], str]:
    """(the instantiations of the function template ``fn`` its file makes, in file order, without
    repeats; '') when they are known exactly (the module's rules), else ((), why not). Read once
    per file (each call statement of the template asks)."""
    known = ctx.instantiation_sets.get(id(fn))
    if known is None:
        known = ctx.instantiation_sets[id(fn)] = _instantiations(ctx, fn)
    return known


def _instantiations(ctx: FileFacts, fn: Function) -> tuple[tuple[Binding, ...], str]:
    params, why = _parameters(ctx, fn)
    if why:
        return (), why
    name = fn.name
    source = ctx.model.source
    found: list[Binding] = []
    calls = 0
    for caller in ctx.model.functions:
        if caller.name != name and ctx.model.source.text.find(name, caller.span.start, caller.span.end) < 0:
            continue
        for stmt in caller.statements():
            if not isinstance(stmt, SimpleStmt) or name not in stmt.text:
                continue
            ast = stmt.ast
            call = ast.expr if isinstance(ast, A.ExprStmt) else None
            if not isinstance(call, A.Call) or not isinstance(call.func, A.TemplateId) or call.func.name != name:
                continue        # (counted below as a mention that is no call)
            # (A call in an #if group, or in a function defined in one, counts whether or not
            # the group is compiled: an instantiation analysed that is never made only adds a
            # proof every removal must also pass.)
            binding, why = _binding(ctx, caller, params, call.func)
            if why:
                return (), source.located(stmt.span.start, why)
            calls += 1
            if binding not in found:
                found.append(binding)
    if ctx.name_count(name) != 1 + calls:
        return (), f"'{name}' is named in the file other than by its definition and call statements with " \
                   "constant template arguments (a declaration, its address taken, a call inside an expression " \
                   "or a macro, a comment)"
    if len(found) > MAX_INSTANTIATIONS:
        return (), f"{name}() is instantiated more than {MAX_INSTANTIATIONS} ways"
    return tuple(found), ""


def never_instantiated(ctx: FileFacts, fn: Function) -> bool:
    """The function template ``fn`` is surely never instantiated: compiled to no code at all.
    Its name occurs once in the file's text (comments and strings included): its definition,
    so no call, declaration, address or explicit instantiation names it; the file is a whole
    translation unit that is no header; it is an unqualified free function defined once,
    outside any file-scope #if; no macro could spell its name (no `##` pasting in the file, no
    header's macro naming it, every header read); and no code of a header or of pto-isa names
    it (a header's template could call it by argument-dependent lookup where it is
    instantiated in the file). A name the toolchain may reserve (`PTOAS__X`, with `__`) does
    not matter here: a toolchain function of that name is another function, and the file calls
    neither."""
    name = fn.name
    if not is_function_template(fn) or ctx.name_count(name) != 1 or not ctx.headers_known:
        return False
    if not ctx.translation_unit or named_as_header(ctx.model.source.path):
        return False
    if fn.qualified or fn.declaration.owner or fn.conditional or ctx.local_function(name) is not fn:
        return False
    if ctx.pastes_tokens or name in pto_function_names() or name in pto_macro_names() or name in ctx.macros:
        return False
    for summary in ctx.headers.values():
        # raw-text scan: a header's macro replacement texts (a header summary keeps them as text)
        if summary.unknown or name in summary.used or any(
                name in identifiers(body) for bodies in summary.macro_bodies.values() for body in bodies):
            return False
    return True


def _parameters(ctx: FileFacts, fn: Function) -> tuple[list[tuple[str, IntType | None]], str]:
    """[(name, IntType of a non-type parameter, None for a type parameter)] of ``fn``'s template
    head, or ([], why the instantiations are not known exactly)."""
    name = fn.name
    path = ctx.model.source.path
    heads = fn.declaration.template_params
    if not ctx.translation_unit or named_as_header(path):
        return [], "the file is a header, which other translation units may include and instantiate it from"
    if fn.qualified or fn.declaration.owner or fn.conditional:
        return [], f"{name}() is a member, namespace-qualified or defined inside a file-scope #if"
    if heads is None or not heads or fn.declaration.words.count("template") != 1:
        return [], f"the template head of {name}() is not one plain head the model reads"
    head_text = fn.declaration.before_name[:len(fn.declaration.before_name) - len(fn.declaration.after_templates)]
    if "=" in head_text:
        return [], f"{name}() has a default template argument"
    if ctx.local_function(name) is not fn or name in pto_function_names() or ctx.may_be_toolchain_function(name):
        return [], f"'{name}' is overloaded or may name a function a header declares too"
    if ctx.pastes_tokens:
        return [], "a macro of the file may paste tokens into any name (##)"
    if any(summary.unknown for summary in ctx.headers.values()):
        return [], "a header ptofix cannot read may call it from a macro"
    # raw-text scan: a header's macro replacement texts (a header summary keeps them as text)
    if any(name in identifiers(body) for summary in ctx.headers.values()
           for bodies in summary.macro_bodies.values() for body in bodies):
        return [], f"a header's macro names '{name}'"
    for summary in ctx.headers.values():
        # (A header's own function may call it with other arguments: every mention counts.)
        header = summary.used.get(name)
        if header:
            return [], f"the header {header}, which the file includes, names '{name}': it may instantiate it too"
    if _EXPLICIT_SPECIALIZATION.search(code_source(ctx.model)):
        return [], "the file has an explicit specialization (template <>)"
    out: list[tuple[str, IntType | None]] = []
    for words in heads:
        if len(words) == 2 and words[0] in ("typename", "class"):
            out.append((words[1], None))
            continue
        type_name = " ".join(words[:-1])
        if len(words) < 2 or type_name not in INTEGER_TYPES or type_name in ("event_t", "pipe_t") \
                or _may_be_redefined(ctx, words[:-1]):
            return [], f"the template parameter '{' '.join(words)}' of {name}() is neither an integer nor a type"
        out.append((words[-1], IntType(*INTEGER_TYPES[type_name])))
    return out, ""


def _may_be_redefined(ctx: FileFacts, words: Any) -> bool:
    return any(word in ctx.scope.aliases or word in ctx.file_scope_types or word in ctx.macros for word in words)


def _binding(ctx: FileFacts, caller: Function, params: list[tuple[str, IntType | None]],
             tmpl: A.TemplateId) -> tuple[Binding, str]:
    """The binding a call's explicit template arguments make, or ((), why they are not constants)."""
    if len(tmpl.args) != len(params):
        return (), f"a call of {tmpl.name}() with {len(tmpl.args)} template arguments for {len(params)} parameters"
    caller_text = ctx.model.source.text[caller.span.start:caller.span.end]
    constants = {}
    for arg in tmpl.args:
        for used in _names_in(arg):
            # (A name the caller declares, as a parameter, local, alias or template parameter, may
            # hide the file's meaning of it.)
            if used in CPP_KEYWORDS:
                continue        # (`float`, `sizeof(int)`: no declaration hides a keyword)
            # raw-text scan: a caller's text, once per name a template argument uses
            if used in caller.declaration.words or (
                    _declares_type(caller_text, used) if used in ELEMENT_BYTES
                    else count_identifiers(caller_text, {used}).get(used, 0) != _mentions_in_calls(caller, tmpl.name,
                                                                                                    used)):
                return (), f"the template argument names '{used}', which the calling function may declare"
            constant = ctx.file_constant(used)
            if constant is not None:
                constants[used] = constant
    values: list[tuple[str, int | str]] = []
    for (param, ctype), arg in zip(params, tmpl.args, strict=True):
        if ctype is None:
            type_name = _element_type(ctx, arg)
            if not type_name:
                return (), f"the template argument for '{param}' is not one of pto's element types"
            values.append((param, type_name))
            continue
        if isinstance(arg, A.Literal) and isinstance(arg.value, bool):
            values.append((param, wrap(int(arg.value), ctype)))
            continue
        value = ctx.constant_value(arg, constants)
        if value is None:
            return (), f"the template argument for '{param}' is not a constant ptofix evaluates"
        values.append((param, wrap(value[1], ctype)))
    return tuple(values), ""


def _declares_type(text: str, name: str) -> bool:
    """Whether a function's ``text`` may declare the type name ``name`` (`using half = float;`,
    `typedef ... half;`, `struct half`, a namespace, an enum): a lexical over-approximation, comments
    and strings included. A variable so named could not be a template's type argument."""
    word = re.escape(name)
    return bool(re.search(rf"\b(?:using|struct|class|union|enum|namespace)\s+{word}\b", text)
                or re.search(rf"\btypedef\b[^;]*\b{word}\b", text))


def _element_type(ctx: FileFacts, arg: Any) -> str:
    """The element type a type argument names (`float`, `half`...), '' if anything else."""
    if isinstance(arg, A.TypeRef) and arg.template is None and not arg.pointer and not arg.ref and not arg.quals:
        type_name = arg.name
    elif isinstance(arg, A.Name):
        type_name = arg.id
    else:
        return ""
    if type_name not in ELEMENT_BYTES or _may_be_redefined(ctx, [type_name]):
        return ""
    return type_name


def _names_in(node: Any) -> list[str]:
    """The names and type names a template argument spells (a caller's declaration may hide them)."""
    return [n.id if isinstance(n, A.Name) else n.name for n in A.walk(node) if isinstance(n, (A.Name, A.TypeRef))]


def _mentions_in_calls(caller: Function, name: str, used: str) -> int:
    """How often ``used`` is named in the template arguments of the calls of ``name`` in ``caller``."""
    count = 0
    for stmt in caller.statements():
        if isinstance(stmt, SimpleStmt) and name in stmt.text:
            ast = stmt.ast
            call = ast.expr if isinstance(ast, A.ExprStmt) else None
            if isinstance(call, A.Call) and isinstance(call.func, A.TemplateId) and call.func.name == name:
                count += sum(_names_in(arg).count(used) for arg in call.func.args)
    return count


def template_call_reason(ctx: FileFacts, fn: Function) -> str:
    """Why a call of the function template ``fn`` with explicit template arguments is not read as
    a call of a function of the file ('' when it is): its instantiations are not known exactly,
    or a function parameter's declaration names a template parameter (an argument could make it
    a class, constructed and destroyed around the call, or a reference)."""
    bindings, why = instantiations(ctx, fn)
    if why:
        return why
    names = {words[-1] for words in fn.declaration.template_params or () if words}
    for param in fn.parameters:
        # raw-text scan: a parameter's text (Parameter keeps it as text)
        if not names.isdisjoint(identifiers(param.text)):
            return f"a parameter of {fn.name}() names a template parameter"
    return ""
