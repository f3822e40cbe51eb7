"""What the declarations of a function declare and define (DeclarationReader): symbols for parameters
and local variables, their types (aliases, tile types), what a declaration or an assignment
defines."""
from __future__ import annotations

from ..pto.ops import MODE_ENUMS, pto_macro_names
from ..pto.tiles import TILE_DEFAULTS, TILE_SPACES, TileType, dtype_size, tile_arg
from . import stmt_parser as A
from .aggregate_init import LOCAL_AGGREGATE_MARK, LOCAL_AGGREGATE_TYPE
from .c_types import FLOATING_TYPES, TILE_TYPE_NAMES, VALUE_OBJECT_TYPES, expr_type, pointer_type
from .function_state import env_of_names, unknown_names
from .integers import INT32, INTEGER_TYPES, IntType, wrap
from .keywords import strip_pto as _strip_pto
from .statement_forms import PLAIN_VALUE_NODES, is_pto_enumerator, name_set
from .symbols import UNKNOWN_DEF, Kind, Scope, StmtInfo, Symbol, unknown_binding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .expressions import ExpressionEvaluator
    from .function_state import FunctionState



def _auto_may_hold_an_object(decl: A.Decl, sym: Symbol) -> None:
    """An `auto` (or `auto&`) local of a type ptofix cannot tell may hold or bind an object of a
    class (`auto s = hx::make();`, `auto& s = hx::stage;`): reading it (`if (s)`, `s ? 1 : 2`,
    `n = s`) may call a conversion operator, as for a variable declared with a class type."""
    if decl.type.name == "auto" and sym.kind == "unknown" and not sym.object_type:
        sym.object_type = "auto"


def _resolved_words(args: list[A.Node]) -> tuple[str, ...] | None:
    """The words DeclarationReader._read_tile_type reads through the scope in a tile's template
    arguments ``args`` (the element type's, a space's or layout's spelled as a type), or None if it
    reads more there: a dimension that is not a literal (a name, a `sizeof`: a constant of the
    function or the file, which a local name may hide)."""
    for key in ("rows", "cols", "valid_row", "valid_col"):
        node = tile_arg(args, key)
        if node is not None and any(isinstance(sub, (A.Name, A.TypeRef)) for sub in A.walk(node)):
            return None
    words: list[str] = []
    for key in ("loc", "dtype", "blayout"):
        node = tile_arg(args, key)
        if isinstance(node, A.TypeRef) or (key == "dtype" and isinstance(node, A.Name)):
            words.append(node.name if isinstance(node, A.TypeRef) else node.id)
    return tuple(words)


class DeclarationReader:
    """What a declaration of the function being read declares (its symbol, its type followed through
    the aliases, the tile type a `Tile<...>` names) and defines (a scalar's value, a tile's binding
    and valid shape), and what an assignment statement writes. Its initializers are read by
    ``expressions``."""

    def __init__(self, state: FunctionState, expressions: ExpressionEvaluator) -> None:
        self.state = state
        self.ctx = state.ctx
        self.expressions = expressions
        # template_tile_type: id -> (node, its type, the words its reading resolves, or None: not kept)
        self._tile_types: dict[int, tuple[A.TemplateId, TileType, tuple[str, ...] | None]] = {}

    def release(self) -> None:
        """See FunctionSemantics.release."""
        self._tile_types.clear()

    def declare_params(self, scope: Scope) -> None:
        outer = self.state.reading
        try:
            for param in self.state.fn.parameters:
                # (Where a binding it makes unknown comes from: the parameter, make_unknown's place.)
                self.state.reading = param.span.start
                self._declare_param(param, scope)
        finally:
            self.state.reading = outer

    def _declare_param(self, param: Any, scope: Scope) -> None:
        text = param.text
        ast = param.declarator if text and not self.state.macro_in(text) else None
        if isinstance(ast, A.Decl) and ast.name:
            sym = self._declare(scope, ast)
            is_ref = self._may_be_reference(ast.type, scope)
        else:
            # An unnamed, defaulted or unreadable parameter: its name (if any) is unknown-valued,
            # and any word of an unreadable one may be the name it declares (`F TMUL
            # [[maybe_unused]]` declares TMUL, `int (*PIPE_V)(int)` PIPE_V).
            if ast is None:
                self.state.maybe_declared.update(param.words)
            name = param.words[-1] if param.words else ""
            sym = self.state.new_symbol(scope, name or f"<param {len(self.state.params)}>", "unknown")
            sym.make_unknown("parameter not understood", self.state.reading, read=True)
            is_ref = True
            if isinstance(ast, A.Decl) and ast.init is not None:
                sym.name = ast.name
                scope.names[ast.name] = sym
                is_ref = self._may_be_reference(ast.type, scope)
        sym.is_param = True
        # The incoming value of every parameter is unknown (it may also be reassigned).
        sym.make_unknown("function parameter", self.state.reading, read=True)
        self.state.params.append(sym)
        self.state.param_refs.append(is_ref)
        self.state.param_defaults.append(self._default_reason(ast, text))
        if not self.state.class_params and self._may_be_class_by_value(ast, sym, text, scope):
            self.state.class_params = f"parameter '{sym.name}' may be an object passed by value " \
                                "(its destructor runs when the function returns)"

    def _default_reason(self, ast: Any, text: str) -> str:
        """Why the default argument of a parameter may run code ('' if none, or a plain value): it is
        evaluated at each call that omits it, in the caller."""
        init = ast.init if isinstance(ast, A.Decl) else None
        if init is None:
            return "a default argument ptofix cannot read" if ast is None and "=" in text else ""
        enums = self.ctx.file_scope_enums | MODE_ENUMS
        for node in A.walk(init):
            if not isinstance(node, PLAIN_VALUE_NODES) or getattr(node, "op", "") in ("++", "--") or \
                    (isinstance(node, A.Name) and node.id.rpartition("::")[0].rpartition("::")[2] not in enums):
                # (A name other than an enumerator may be an object whose conversion runs code.)
                return f"default argument '{text.split('=', 1)[1].strip()}'"
        return ""

    def _may_be_class_by_value(self, ast: Any, sym: Symbol, text: str, scope: Scope) -> bool:
        """A parameter whose passing may run code: a class (or template-parameter type) passed by
        value is constructed and destroyed; a reference to a class type may bind a temporary the
        caller constructs and destroys (`h(5)` for `h(const Conv&)`). A reference of a template
        parameter type binds its argument itself (explicit template arguments are refused at the
        call)."""
        if not isinstance(ast, A.Decl):
            return text.strip() not in ("", "void", "...")
        resolved = self.state.resolve_type(ast.type, scope)
        if resolved.pointer:
            return False
        if resolved.ref:
            return sym.kind == "unknown" and not sym.generic
        if sym.generic:
            return True
        if resolved.template is None and resolved.name in self.ctx.file_scope_enums:
            return False
        return sym.kind == "unknown"

    def _may_be_reference(self, type_: A.TypeRef, scope: Scope) -> bool:
        """A parameter of this type may let the callee write the caller's variable: a reference
        or pointer once aliases are followed, or a type the model cannot see through (a template
        parameter, an alias from a header: either may stand for a reference)."""
        resolved = self.state.resolve_type(type_, scope)
        if resolved.ref or resolved.pointer > 0 or resolved.name in self.state.template_params:
            return True
        base = _strip_pto(resolved.name)
        if resolved.template is not None:
            return not (resolved.name in TILE_TYPE_NAMES or base.split("::")[0] in VALUE_OBJECT_TYPES)
        return not (resolved.name in INTEGER_TYPES or resolved.name in FLOATING_TYPES
                    or base.split("::")[0] in VALUE_OBJECT_TYPES)

    def template_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        """The tile type ``Tile<...>`` names. A kernel declares the same few tile types many times
        and their statements share one template node (stmt_parser._template): its type is kept by
        node when its reading (_read_tile_type) depends on the node alone, then and now: its
        dimensions are literals (a name there is read through the scope and the function's
        constants) and the words it resolves (the element type's; a space's or layout's when
        spelled as a type) name nothing else where it is read (no alias, template parameter or
        name a statement ptofix cannot read may declare). tests/cpp/test_tile_type_reuse.py."""
        kept = self._tile_types.get(id(tmpl))
        if kept is not None and kept[0] is tmpl and kept[2] is not None and self._as_spelled(kept[2], scope):
            return kept[1]
        tile = self._read_tile_type(tmpl, scope)
        words = _resolved_words(tmpl.args)
        self._tile_types[id(tmpl)] = (tmpl, tile, words if words is not None and self._as_spelled(words, scope)
                                      else None)
        return tile

    def _as_spelled(self, words: tuple[str, ...], scope: Scope) -> bool:
        """Each of ``words`` names the type it spells here: what _read_tile_type resolves it to
        whatever the scope (resolve_type then only names a class of the file, fixed per file)."""
        state = self.state
        for word in words:
            if word in state.template_params or word in state.maybe_declared or scope.alias(word) is not None:
                return False
        return True

    def _read_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        args = tmpl.args

        def word(node: Any) -> str | None:
            if isinstance(node, A.Name):
                return node.id
            if isinstance(node, A.TypeRef):
                resolved = self.state.resolve_type(node, scope)
                return resolved.name if not resolved.pointer and resolved.template is None else None
            return None

        def num(node: Any) -> int | None:
            if isinstance(node, A.Number) and isinstance(node.value, int):
                return node.value
            if isinstance(node, A.Unary) and node.op == "-" and isinstance(node.operand, A.Number) \
                    and isinstance(node.operand.value, int):
                return -node.operand.value
            # `Tile<..., M, kAlignedRows, ...>`: a bound template parameter, a constexpr local, a
            # file-scope constant and arithmetic of them, as the compiler computes it.
            value = self.local_constant(node, scope) if node is not None else None
            return None if value is None else value[1]

        space_word = word(tile_arg(args, "loc"))
        space = None
        if space_word is not None:
            stripped = _strip_pto(space_word)
            if stripped.startswith("TileType::") and stripped[len("TileType::"):] in TILE_SPACES:
                space = stripped[len("TileType::"):]
        dtype = word(tile_arg(args, "dtype"))
        if dtype in self.state.template_params or dtype in self.state.maybe_declared:
            dtype = None            # the element type of each instantiation, or maybe redeclared
        if dtype is not None:
            # The whole alias chain (`using E = hifloat8_t;` after `using hifloat8_t = float;` is float).
            resolved = self.state.resolve_type(A.TypeRef(0, 0, dtype), scope)
            dtype = resolved.name if resolved.template is None and not resolved.pointer else None
            if dtype_size(dtype) is None:
                dtype = None
        rows = num(tile_arg(args, "rows"))
        cols = num(tile_arg(args, "cols"))
        layout_node = tile_arg(args, "blayout")
        layout_word = word(layout_node) if layout_node is not None else "BLayout::" + TILE_DEFAULTS["blayout"]
        blayout = _strip_pto(layout_word or "?").split("::")[-1] if layout_word else "?"
        if layout_word and not _strip_pto(layout_word).startswith("BLayout::"):
            blayout = "?"
        valid_row_node, valid_col_node = tile_arg(args, "valid_row"), tile_arg(args, "valid_col")
        vr = num(valid_row_node) if valid_row_node is not None else rows
        vc = num(valid_col_node) if valid_col_node is not None else cols
        return TileType(space, dtype, rows if rows and rows > 0 else None, cols if cols and cols > 0 else None,
                        blayout, vr if vr is not None and vr >= 0 else None, vc if vc is not None and vc >= 0 else None)

    def bind_template_params(self, scope: Scope, binding: tuple) -> None:
        """Declare the template parameters of the instantiation ``binding`` (templates.py): a non-type
        one as an integer constant of its declared type, a type one as an alias of its element type."""
        heads = self.state.fn.declaration.template_params or ()
        types = {words[-1]: " ".join(words[:-1]) for words in heads if words}
        for name, value in binding:
            if isinstance(value, str):
                scope.set_alias(name, A.TypeRef(0, 0, value))
                continue
            ctype = IntType(*INTEGER_TYPES[types[name]])
            sym = self.state.new_symbol(scope, name, "scalar")
            sym.ctype = ctype
            literal: Any = A.Number(0, 0, f"{abs(value)}ull")
            if value < 0:
                literal = A.Unary(0, 0, "-", literal)
            sym.defs.append((A.Cast(0, 0, A.TypeRef(0, 0, types[name]), literal), {}))
            self.state.constants[sym.uid] = (ctype, value)

    def local_constant(self, node: Any, scope: Scope) -> tuple[IntType, int] | None:
        """(type, value) of an integer constant expression read where ``scope`` is: literals, bound
        template parameters and constexpr locals (``self.state.constants``), file-scope constants, `sizeof`
        of builtin types and integer arithmetic (FileFacts.constant_value); None for anything else,
        or a name the function may declare otherwise."""
        known: dict[str, tuple[IntType, int]] = {}
        unsure = self.state.template_params | self.state.maybe_declared | self.state.local_alias_names
        for sub in A.walk(node):
            if isinstance(sub, A.TypeRef) and sub.name in unsure:
                return None
            if not isinstance(sub, A.Name):
                continue
            sym = scope.lookup(sub.id)
            if sym is None:
                if sub.id in unsure:
                    return None
                constant = self.ctx.file_constant(sub.id)
            else:
                constant = self.state.constants.get(sym.uid)
            if constant is None:
                return None
            known[sub.id] = constant
        return self.ctx.constant_value(node, known)

    def _declare(self, scope: Scope, decl: A.Decl) -> Symbol:
        sym = self._declare_symbol(scope, decl)
        sym.type_ref = self.state.resolve_type(decl.type, scope)
        if "volatile" in sym.type_ref.quals:
            sym.make_unknown("volatile: may change outside the program", self.state.reading, read=True)
        return sym

    def _declare_symbol(self, scope: Scope, decl: A.Decl) -> Symbol:
        type_ = self.state.resolve_type(decl.type, scope)
        name = decl.name
        base = _strip_pto(type_.name)
        if type_.name.startswith(LOCAL_AGGREGATE_MARK):
            kind = "object" if self._plain_local_aggregate(type_.name, scope) else "unknown"
            sym = self.state.new_symbol(scope, name, kind)
            sym.object_type = LOCAL_AGGREGATE_TYPE
            return sym
        if type_.name in self.state.template_params and type_.template is None and not type_.pointer:
            # Whatever its spelling (`template <typename int64_t>`, `typename Shape`): the
            # instantiation's type, which may be a class or a reference.
            sym = self.state.new_symbol(scope, name, "object")
            sym.generic = True
            return sym
        if type_.name in self.ctx.file_scope_types \
                and (type_.name in TILE_TYPE_NAMES or type_.name in VALUE_OBJECT_TYPES):
            sym = self.state.new_symbol(scope, name, "unknown")
            sym.make_unknown(f"'{type_.name}' is a type this file declares, not pto's", self.state.reading,
                             read=True)
            return sym
        if type_.template is not None and type_.name in TILE_TYPE_NAMES and decl.array:
            sym = self.state.new_symbol(scope, name, "array")     # elements are not modelled one by one
            sym.make_unknown("array of tiles", self.state.reading, read=True)
            return sym
        if type_.template is not None and type_.name in TILE_TYPE_NAMES and not type_.pointer:
            sym = self.state.new_symbol(scope, name, "tile")
            sym.tile = self.template_tile_type(type_.template, scope)
            if type_.ref:
                sym.bindings.append(unknown_binding("declared as a reference", self.state.reading, True))
            return sym
        if type_.pointer:
            sym = self.state.new_symbol(scope, name, "array" if decl.array else "scalar")
            sym.ctype = pointer_type(type_)
            if decl.array:
                sym.make_unknown("array")
            return sym
        if type_.name in INTEGER_TYPES or type_.name in FLOATING_TYPES:
            sym = self.state.new_symbol(scope, name, "array" if decl.array else "scalar")
            if type_.name in INTEGER_TYPES:
                bits, signed = INTEGER_TYPES[type_.name]
                sym.ctype = IntType(bits, signed)
            else:
                sym.ctype = "float"
            if decl.array:
                sym.make_unknown("array")
            return sym
        plain = type_.name.startswith("<class '") and type_.name[8:-len("' of this file>")] in self.ctx.plain_structs \
            and type_.name.endswith("' of this file>")
        if plain and type_.template is None and not decl.array:
            # A struct of plain scalar members (FileContext._plain_structs; resolve_type names the
            # file's classes so): no code runs to make, copy, read or leave it. An object of no
            # tile or scalar the model tracks.
            sym = self.state.new_symbol(scope, name, "object")
            sym.object_type = type_.name
            return sym
        if type_.name == "auto":
            return self.state.new_symbol(scope, name, "unknown")     # refined by the initializer
        if type_.name == "void":
            return self.state.new_symbol(scope, name, "unknown")
        if base.split("::")[0] in VALUE_OBJECT_TYPES or base in VALUE_OBJECT_TYPES:
            sym = self.state.new_symbol(scope, name, "object")
            sym.object_type = base.split("::")[0]
            return sym
        if type_.name in self.state.template_params:
            sym = self.state.new_symbol(scope, name, "object")
            sym.generic = True
            return sym
        sym = self.state.new_symbol(scope, name, "unknown")
        sym.object_type = type_.name
        return sym

    def _plain_local_aggregate(self, type_name: str, scope: Scope) -> bool:
        """The members of the unnamed class `<local union|uint64_t u64|int64_t val>`
        (aggregate_init.local_aggregate) are of builtin arithmetic types or pointers to them here: no
        word of their types is a macro, a type or alias of the file, its headers or the function, a
        template parameter or a name a statement ptofix cannot read may declare (`using uint64_t =
        Guard;` makes the member a class object)."""
        ctx = self.ctx
        for member in type_name[len(LOCAL_AGGREGATE_MARK):-1].split("|")[1:]:
            for word in member.split()[:-1]:
                if word == "*":
                    continue
                if word in ctx.macros or word in pto_macro_names() or word in ctx.file_scope_types \
                        or word in ctx.header_names or word in self.state.template_params \
                        or any(decl.kind == "unread" and word in decl.words for decl in ctx.model.globals) \
                        or word in self.state.local_alias_names or word in self.state.maybe_declared \
                        or scope.alias(word) is not None \
                        or scope.lookup(word) is not None:
                    return False
        return True

    def decl(self, decl: A.Decl, scope: Scope) -> StmtInfo:
        # The initializer is evaluated in the scope *before* the new name. C++ already sees the new
        # one there (`static int64_t q = q + 4096;` reads the new, zeroed q; `T b = b;` copies the new
        # b), so a declaration whose initializer names itself leaves it unknown (below).
        init_nodes = [decl.init] if decl.init is not None else list(decl.ctor_args or [])
        env: dict = {}
        for node in init_nodes:
            env_of_names(A.name_ids(node), scope, env)      # (FunctionState.env of each, merged)
        if decl.type.template is not None:
            env_of_names(A.argument_name_ids(decl.type.template), scope, env)
        reason = ""
        for node in init_nodes:
            reason = reason or self.expressions.expression(node, scope, env)
        sym = self._declare(scope, decl)
        # (Not copied: nothing adds to or changes a statement's environment once it is read, and a
        # view of an op's operands (tile_history.flow_views) replaces the op's, not this one.)
        env_with_self = env
        if not reason and any(decl.name in name_set(node) for node in init_nodes):
            reason = f"the initializer of '{decl.name}' reads '{decl.name}' itself, not the outer one"
        if reason:
            sym.make_unknown(reason)
            _auto_may_hold_an_object(decl, sym)
            for other in env.values():
                other.make_unknown(reason)
            if sym.kind not in ("scalar", "array", "tile"):
                self.state.scope_exit_code = f"'{decl.name}' may be an object whose destructor runs at scope exit"
            return StmtInfo(Kind.UNKNOWN, reason=reason, env=env_with_self)
        if sym.generic:
            # `T x = y;` with T a template parameter: a reference to y, or a class whose
            # constructor and destructor may do anything.
            self.state.scope_exit_code = f"'{decl.name}' has a template-parameter type (a destructor may run at " \
                                         "scope exit)"
            sym.make_unknown("its type is a template parameter", self.state.reading, read=True)
            return unknown_names(env_with_self,
                                       f"declaration of '{decl.name}', whose type is a template parameter",
                                       self.state.reading)
        if decl.type.ref or (sym.type_ref is not None and sym.type_ref.ref):
            if decl.init is not None and not isinstance(decl.init, (A.Name, A.Member, A.Index)) \
                    and sym.kind != "scalar":
                # `const Guard& g = mk();`: the temporary lives, and is destroyed, with g.
                self.state.scope_exit_code = f"'{decl.name}' may bind a temporary destroyed at scope exit"
            # A reference (also behind an alias) makes its target reachable under another name:
            # both are unknown.
            for other in env.values():
                other.make_unknown(f"bound to the reference '{decl.name}'", self.state.reading, read=True)
            sym.make_unknown("reference", self.state.reading, read=True)
            _auto_may_hold_an_object(decl, sym)
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self.state.pending_calls)
        init = decl.init
        if sym.kind == "tile":
            self._tile_declared_from(decl, sym, env)
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self.state.pending_calls)
        if decl.type.name == "auto" and sym.kind == "unknown":
            self._refine_auto(sym, init, env)
            if sym.kind == "unknown":
                self.state.scope_exit_code = f"'{decl.name}' may be an object whose destructor runs at scope exit"
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self.state.pending_calls)
        if sym.kind in ("scalar", "array"):
            if decl.ctor_args is not None:
                sym.make_unknown("constructed")
            elif init is not None:
                sym.defs.append((init, env))
                if "constexpr" in decl.type.quals and isinstance(sym.ctype, IntType) and not decl.array:
                    # (A constexpr is never written: its one value is the initializer's.)
                    value = self.local_constant(init, scope)
                    if value is not None:
                        self.state.constants[sym.uid] = (sym.ctype, wrap(value[1], sym.ctype))
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self.state.pending_calls)
        if sym.kind == "object":
            if sym.object_type == "TPipe" or (decl.type.template is not None and decl.type.template.name == "TPipe"):
                sym.object_type = "TPipe"
                if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId):
                    sym.pipe_ctor = (init, env)
            return StmtInfo(Kind.NOP, env=env_with_self, local_calls=self.state.pending_calls)
        # An object of a type ptofix does not know: its constructor may do anything, and so may its
        # destructor when the enclosing block ends (not for one of pto's mode enumerations).
        last = _strip_pto(decl.type.name).split("::")[-1]
        if not (last in MODE_ENUMS and "::" in decl.type.name and last not in self.ctx.file_scope_types):
            self.state.scope_exit_code = f"'{decl.name}' of type '{decl.type.name}' may have a destructor that " \
                                         "runs at scope exit"
        return unknown_names(env_with_self, f"declaration of type '{decl.type.name}' is not modelled",
                             self.state.reading)

    def _tile_declared_from(self, decl: A.Decl, sym: Symbol, env: dict) -> None:
        """What a tile's declaration binds it to (another tile's address, an unknown one) and the
        valid shape its constructor gives it (``decl``'s tile half)."""
        # A tile is constructed from scalars only (its valid rows and columns); any other
        # argument (`Tile<...> b(a)`: a copy of another tile) may carry an address.
        ctor_args = decl.ctor_args or []
        init = decl.init
        if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId) and init.func.name in TILE_TYPE_NAMES:
            ctor_args = ctor_args + list(init.args)
        elif isinstance(init, A.Name) and env.get(init.id) is not None and env[init.id].kind == "tile":
            sym.bindings.append(("alias", env[init.id]))
            sym.copy_valid_shape(env[init.id], declared=True)   # the source's valid shapes at run time
        elif init is not None:
            sym.bindings.append(unknown_binding("initialised from an expression", self.state.reading, True))
        if any(self.values_type(arg, env) is None for arg in ctor_args):
            sym.bindings.append(unknown_binding("constructed from something other than scalars", self.state.reading,
                                                True))
        elif len(ctor_args) == 2 and sym.tile is not None and None in (sym.tile.valid_row, sym.tile.valid_col):
            sym.valid_ctor = [(ctor_args[0], ctor_args[1], env)]
        elif len(ctor_args) == 1 and sym.tile is not None \
                and (sym.tile.valid_row, sym.tile.valid_col).count(None) == 1:
            # `Tile<..., -1, C>(r)` / `Tile<..., R, -1>(c)`: the one dynamic dimension.
            tt = sym.tile
            sym.valid_ctor = [(ctor_args[0], tt.valid_col, env)] if tt.valid_row is None \
                else [(tt.valid_row, ctor_args[0], env)]

    def _refine_auto(self, sym: Symbol, init: Any, env: dict) -> None:
        if isinstance(init, A.Name) and init.id not in env and is_pto_enumerator(init.id) \
                and not self.state.not_pto_name(init.id, env):
            # `auto p = PIPE_MTE2;`: a copy of pto's pipe or event enumerator (an enum value).
            sym.kind, sym.ctype = "scalar", INT32
            sym.defs.append(UNKNOWN_DEF)
            return
        if isinstance(init, A.Name) and env.get(init.id) is not None:
            src = env[init.id]
            if src.kind == "tile":
                sym.kind, sym.tile = "tile", src.tile
                sym.bindings.append(("alias", src))
                sym.copy_valid_shape(src, declared=True)
                return
            if src.kind == "scalar":
                sym.kind, sym.ctype = "scalar", src.ctype
                sym.defs.append((init, env))
                return
        if isinstance(init, A.Call) and isinstance(init.func, A.TemplateId):
            name = _strip_pto(init.func.name)
            if name == "TPipe":
                sym.kind, sym.object_type, sym.pipe_ctor = "object", "TPipe", (init, env)
                return
            if name in VALUE_OBJECT_TYPES:
                sym.kind, sym.object_type = "object", name
                return
        ctype = self.values_type(init, env)
        if ctype is not None:
            sym.kind, sym.ctype = "scalar", ctype
            sym.defs.append((init, env))
            return
        sym.make_unknown("auto variable of a type ptofix cannot tell")
        sym.object_type = sym.object_type or "auto"     # (_auto_may_hold_an_object)

    def values_type(self, node: Any, env: dict) -> object:
        return expr_type(node, env, self.state)

    def assignment(self, node: A.Assign, scope: Scope, env: dict) -> StmtInfo:
        reason = self.expressions.expression(node, scope, env)
        if reason:
            return unknown_names(env, reason, self.state.reading)
        return StmtInfo(Kind.NOP, env=env, local_calls=self.state.pending_calls)
