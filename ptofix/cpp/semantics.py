"""What every statement of a ptoas C++ function does: the one semantic model the analyses read.

One walk over a function builds

* a scope-aware symbol table: every declaration (parameters included) is a :class:`Symbol`; every
  name in a statement is resolved to the symbol visible *at that statement* (nested scopes,
  shadowing, ``#if`` branches, ``for`` headers);
* the definitions of every scalar symbol and the bindings of every tile symbol, from which
  :class:`ValueModel` computes value sets (flow-insensitive: the union over every definition is an
  over-approximation of every program point), with C++ integer semantics (values wrap to the
  declared width, pointer arithmetic scales by the pointee size);
* one :class:`StmtInfo` per statement (and per ``if``/``for``/``switch`` header) from a closed set
  of forms. Whatever is not one of them is ``UNKNOWN``: it touches every UB byte, drains nothing,
  and every variable it names (every variable at all, for a macro) becomes unknown-valued.

Statements are read from the typed AST of ``stmt_parser`` only, never from their text.
The hardware facts (op effects, pipes, tile footprints, TPipe layout) come from ``ptofix.pto``;
they are documented in ``docs/reference/pto-facts.md``.
"""
from __future__ import annotations

import re
from collections import Counter

from ..pto.ctrl_register import SET_CTRL
from ..pto.ops import (
    EVERY_VERSION,
    PTO_PASTING_MACROS,
    PTO_SPELLED_NAMES,
    IsaFacts,
    pto_macro_names,
)
from ..pto.tiles import ELEMENT_BYTES, TileType
from ..signals import CHECKPOINT_EVERY, checkpoint
from . import call_statements, declarations, expressions, tile_history
from . import stmt_parser as A
from .c_types import _FLOAT_TYPES, _INT_TYPES, literal_type
from .call_statements import MAX_CALLEE_NESTING
from .command_line import command_line_macros
from .count_mode import (
    _FEW_MACROS,
    _MAX_COUNT_MODE_PLACES,
    _count_mode_name,
    _count_mode_name_of,
    _count_mode_offsets,
    _header_count_mode,
    _spells,
    scalar_tci_call,
)
from .ctrl_preservation import CTRL_NAMES, prove_ctrl_preserved
from .expression_macros import expression_macros, used_only_as_calls
from .header_policy import _INERT_QUALIFIER, _model_reads, _only_names_the_enumeration, trusted_header, unmodelled_file
from .header_scalar_functions import redeclared
from .headers import (
    QUALIFIER_MACROS,
    may_be_command_line_macro,
    may_be_standard_macro,
    read_includes,
    toolchain_may_declare,
)
from .integers import INTEGER_TYPES, IntType, binary_type, binary_value, promote, unary_value, wrap
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .keywords import strip_pto as _strip_pto
from .lexical import (
    code_only,
    count_identifiers,
    directive_word,
    identifiers,
    identifiers_among,
    qualified_only_names,
    strip_comments,
)
from .model import (
    CaseLabel,
    Comment,
    Compound,
    CppFile,
    DeclaratorStmt,
    Directive,
    ForStmt,
    Function,
    GotoStmt,
    IfStmt,
    LabelStmt,
    OpaqueStmt,
    PPIfStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)
from .parser import CERTAIN_EXTENT
from .statement_forms import (
    _BLOCK_ALIAS,
    _EMPTY,
    _GRAMMAR_TYPE_WORDS,
    _INERT_DIRECTIVES,
    _JUMP_WORDS,
    _PTO_CALL_NAMES,
    _QUALIFIER_WORDS,
    _declared_names,
    _has_splice,
    _leftmost_name,
    _merge_header,
    _one_call_at_most,
    _only_sets_valid_shape,
    _return_reason,
    _template_params,
    _template_value_params,
    _variable_bound,
    join_splices,
)
from .symbols import (
    UNKNOWN_DEF,
    Kind,
    Scope,
    StmtInfo,
    Symbol,
)
from .tile_flow import TileFlow, TileRecord
from .value_model import ValueModel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_FEW_WAITING = 8         # names a block's statements are searched for one at a time (lexical._FEW_NAMES)


# What a file-scope constant (FileContext.file_constant) may be declared with.
_CONSTANT_QUALIFIERS = frozenset(["constexpr", "const", "static", "inline"])
# Integer operators a constant's initializer may use (no comparison, no logical operator: their
# result types are not IntType's arithmetic ones).
_CONSTANT_OPERATORS = frozenset(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"])
# sizeof of the builtin types a constant's initializer may take (bytes; size_t is 64-bit unsigned on
# the NPU's LP64 ABI, as INTEGER_TYPES has it).
_BUILTIN_SIZES = {**ELEMENT_BYTES, **{name: max(bits // 8, 1) for name, (bits, _) in INTEGER_TYPES.items()
                                      if name not in ("event_t", "pipe_t")}}
_SIZE_T = IntType(*INTEGER_TYPES["size_t"])
# Qualifiers pto-isa (and ptoas's kernels) define where the compiler lacks them, as attributes or
# nothing (pto-facts.md): a header's function spelled with them computes the same.
_INERT_QUALIFIER_WORDS = QUALIFIER_MACROS | frozenset(["AICORE"])


class FileContext:
    """What every function of a file shares: file-scope type aliases, macros, local functions."""

    def __init__(self, model: CppFile, translation_unit: bool = True, isa: IsaFacts = EVERY_VERSION):
        self.model = model
        # Whether the file is a whole translation unit: its static functions are called from it
        # only. Not when another file #includes it (ptofix build's caller), which may call them.
        self.translation_unit = translation_unit
        # The headers the kernel includes that ptofix reads (headers.py): their macros are the
        # file's for every statement (but the qualifiers both define alike), and what they declare
        # at namespace scope may compete with the file's functions.
        self.headers = read_includes(model, model.environment.include_dirs)
        # Whether every name the file can see is declared where ptofix reads it: its own text, the
        # headers it includes (read, pto-isa's or the standard library's) and the compiler's
        # reserved names. Not for a file another one #includes (`ptofix build`'s caller, whose own
        # includes come first) or one that does not include pto's header itself (pto's names then
        # come from elsewhere: a forced include, an including file).
        self.headers_known = all(not summary.unknown for summary in self.headers.values()) and translation_unit \
            and any(trusted_header(spelled) and spelled[1:].lstrip().startswith("pto/")
                    for spelled, _ in model.includes)
        header_macros = {name for summary in self.headers.values() for name, bodies in summary.macro_bodies.items()
                         if not (name in QUALIFIER_MACROS and all(_INERT_QUALIFIER.fullmatch(body)
                                                                  for body in bodies))}
        self.header_names = frozenset(name for summary in self.headers.values() for name in summary.names)
        self.header_macros = frozenset(header_macros)
        # id(statement) -> (why it is Unknown, the offset of the construct that is not modelled in
        # it, when that is not the statement's start): where a note puts its caret.
        self.construct_at: dict[int, tuple[str, int]] = {}
        # A macro of the compiler's command line (`-D`) is the file's own for every statement.
        self.command_line_macros = frozenset(command_line_macros(model.environment)[0])
        self.macros = model.macros | frozenset(header_macros) | self.command_line_macros
        # The file's function-like macros that expand to one parenthesized arithmetic expression of
        # their arguments (expression_macros.py): a use of one as a call is no jump and no write.
        self.expression_macros = {} if not self.headers_known else {
            name: definition for name, definition in expression_macros(
                model, frozenset(header_macros) | self.command_line_macros | pto_macro_names()).items()
            if not may_be_standard_macro(name)}
        # The pto-isa facts of the headers the kernel compiles with (the union of every version
        # when not known).
        self.isa = isa
        # Why a function is unknown when what the model cannot read reaches only some functions
        # (unmodelled_file's per_function): id(function) -> the reason.
        self.unknown_functions: dict[int, str] = {}
        # The file-scope class definitions made Unknown per function: id(declaration) -> the names
        # they declare outside their braces (file_scope_classes.py); their bodies' words stay theirs.
        class_definitions: dict[int, tuple[str, ...]] = {}
        self.unmodelled = unmodelled_file(model, headers=self.headers, header_words=isa.header_words,
                                          count_mode=False, checkout=isa.checkout,
                                          per_function=self.unknown_functions, class_definitions=class_definitions)
        for fn in model.functions:
            if isinstance(fn.body, OpaqueStmt) and fn.body.reason in CERTAIN_EXTENT:
                self.unknown_functions.setdefault(id(fn), f"{model.source.location(fn.span.start)}: {fn.body.reason}")
        # Where the file may switch the vector unit to count mode, when every such place is a
        # statement of a function body (else the whole file is unmodelled, as before): id of the
        # function -> [(statement, what it names, where)]; and the names of the functions that may
        # return in count mode (they, or a function they call, name one). vector_cfg then takes
        # every op that may run in count mode as unknown (FunctionCFG._mask_mode).
        self.count_mode_points: dict[int, list[tuple[Stmt, str, str]]] = {}
        self.count_mode_functions: frozenset[str] = frozenset()
        self.count_mode_named = ""           # "'TCI' at file:line:col", the first such name
        self.tracks_mask_mode = False
        self._ctrl_preserved: bool | None = None     # _ctrl_writes_preserved(), read once
        if not self.unmodelled:
            self.unmodelled = _header_count_mode(
                self.headers, self.macros, frozenset(word for decl in model.globals for word in decl.words))
        if not self.unmodelled:
            mode = _count_mode_name_of(model.source)
            if mode:
                self.unmodelled = self._locate_count_mode(mode)
        self.scope = Scope(None)
        self.unparsed = 0
        by_name: dict[str, list[Function]] = {}
        for fn in model.functions:
            # A call `name(...)` from a free function never reaches a member `Owner::name`, but from
            # a member of Owner it does: such a name is neither a local function nor pto's (below).
            # Nor is a definition under a file-scope #if (another one may be compiled instead).
            if not fn.qualified and not fn.conditional:
                by_name.setdefault(fn.name, []).append(fn)
        self.functions = by_name
        self._semantics: dict[tuple, FunctionSemantics | None] = {}    # (id(fn), its binding) -> model
        # The instantiation each function template is analysed as (templates.py), while a barrier
        # analysis of that instantiation runs (decide_by_groups): id(fn) -> binding. A function
        # not in it is analysed with its template parameters unknown.
        self.bound: dict[int, tuple] = {}
        # templates.instantiations of each function template asked for, read once: id(fn) -> result.
        self.instantiation_sets: dict[int, tuple[tuple, str]] = {}
        self._building = 0                  # FunctionSemantics being built, one inside another
        # Why a value model of the file ran out of steps ('' while none did): see ValueModel._out_of_steps.
        self.values_exhausted = ""
        self._declaration_facts: dict[int, tuple[bool, str]] = {}
        self._name_counts: dict[str, int] | None = None
        self._possible_kernels: frozenset[int] | None = None
        self._variables: frozenset[str] | None = None    # declares_variable(), read on first use
        self._constants: dict[str, tuple[IntType, int]] | None = None   # file_constant(), read on first use
        # A macro may paste tokens into any name (`h##x`): then no name count is complete. pto's
        # headers define such macros too (PTO_PASTING_MACROS: `MAP_INSTR_IMPL(TSQUARE, a, b)` calls
        # `TSQUARE_IMPL`), which a file may use.
        self.pastes_tokens = "##" in model.source.text or any(
            _spells(model.source, name) for name in PTO_PASTING_MACROS)
        # Every identifier a file-scope declaration mentions (variables, constants, enumerators,
        # function prototypes, struct members): such a name may shadow a pto enumerator
        # (`PIPE_V`, `EVENT_ID0`) or an op (`TADD`) for the functions of the file, so it never
        # reads as one. A lexical over-approximation: ptoas's file scope names none of them.
        # (Each file-scope declaration's words, read once for the sets below.)
        # (`using pto::BLayout;` names pto's own entity: not the file's.)
        global_words = [list(decl.words) for decl in model.globals if decl.kind != "using-pto-name"]
        # (A class definition read per function declares only its names outside its braces: the
        # words of its members are scoped to it, file_scope_classes.class_definition_names.)
        self.file_scope_names = frozenset([name for decl in model.globals if decl.kind != "using-pto-name"
                                           for name in class_definitions.get(id(decl), decl.words)]
                                          + [fn.name for fn in model.functions if fn.qualified or fn.conditional])
        # Type names a file-scope declaration introduces (`using X =`, `struct X`, `template <...>
        # using X = ...`, `typedef ... X;`): an unqualified `Tile<...>` or `GlobalTensor<...>` is
        # then the file's own type, not pto's.
        self.file_scope_types: set[str] = set()
        # Of those, the enumerations (`enum X`, `enum class X`): plain values, no destructor.
        enums: set[str] = set()
        for words in global_words:
            if words and words[0] == "typedef":
                self.file_scope_types.add(words[-1])
            self.file_scope_types.update(words[i + 1] for i, word in enumerate(words[:-1])
                                         if word in ("using", "struct", "class", "union", "enum"))
            enums.update(words[i + 2] if words[i + 1] in ("class", "struct") and i + 2 < len(words) else words[i + 1]
                         for i, word in enumerate(words[:-1]) if word == "enum")
        # A name also declared another way (`struct X` too) is not known to be an enumeration.
        others = {words[i + 1] for words in global_words for i, word in enumerate(words[:-1])
                  if word in ("using", "struct", "class", "union") and not (i and words[i - 1] == "enum")}
        self.file_scope_enums = frozenset(enums - others)
        # Of those, the scoped ones ptofix reads exactly (`enum class E : int {...};`): their
        # enumerators convert to nothing, so no built-in function takes one.
        scoped = {decl.name for decl in model.globals if decl.kind == "scoped-enum"} & self.file_scope_enums
        # (The raw text first: a use that only a comment or string holds is read again on the code.)
        text = model.source.text
        unsure = {name for name in scoped if not _only_names_the_enumeration(text, name)}
        code = code_only(text) if unsure else ""
        self.scoped_enums = frozenset(name for name in scoped
                                      if name not in unsure or _only_names_the_enumeration(code, name))
        # Class types the file declares (`struct X`, not `enum class X`): a name spelled like a
        # builtin (`namespace nn { struct int64_t {...}; }`) is then no scalar.
        self.file_scope_classes = frozenset(
            words[i + 1] for words in global_words
            for i, word in enumerate(words[:-1]) if word in ("struct", "class", "union")
            and not (i and words[i - 1] == "enum"))
        self.plain_structs = self._plain_structs(global_words)
        for index, decl in enumerate(model.globals):
            # Only type aliases matter at file scope (a global variable is unknown-valued anyway).
            words = list(decl.words)
            if not ("typedef" in words or (words[:1] == ["using"] and "=" in decl.text)):
                continue
            ast = decl.stmt.ast
            uses_macro = any(name in self.macros and not (name in _QUALIFIER_WORDS and name in model.empty_macros)
                             for name in words)
            if uses_macro or not isinstance(ast, A.TypeAlias) and words[0] not in ("struct", "class", "union", "enum"):
                # `typedef uint16_t offset_t, int64_t;`, `uint16_t typedef int64_t;`, `using int64_t
                # = ::uint16_t;`: an alias the grammar does not read may name any of its words; so
                # may one that names a macro (`#define half float` before `using TH = Tile<..., half,
                # ...>`), which the model would read as written.
                for name in words:
                    if name not in _KEYWORDS:
                        self.scope.set_alias(name, A.TypeRef(0, 0, f"<type '{name}' may be aliased by an "
                                                                   "unreadable declaration>"))
                continue
            if isinstance(ast, A.TypeAlias) and index in model.partial_globals:
                # `namespace h { using uint16_t = unsigned long; }`, an alias under #if or after a
                # function: some function sees the name's other meaning (::uint16_t).
                self.scope.set_alias(ast.name, A.TypeRef(0, 0, f"<type '{ast.name}' aliased where not every "
                                                               "function sees it>"))
            elif isinstance(ast, A.TypeAlias):
                # The same name aliased twice at file scope (in two namespaces, or one of them
                # under #if): which one a function sees is not modelled.
                seen = self.scope.aliases.get(ast.name)
                if seen is None:
                    self.scope.set_alias(ast.name, ast.type)
                elif seen.name != ast.type.name or seen.template is not None or ast.type.template is not None \
                        or seen.pointer != ast.type.pointer or seen.ref != ast.type.ref:
                    self.scope.set_alias(ast.name, A.TypeRef(0, 0, f"<type '{ast.name}' aliased twice>"))

    def _plain_structs(self, global_words: list[list[str]]) -> frozenset[str]:
        """The file's structs of plain scalar members (`struct TileWork { uint32_t gm_offset,
        sample_count; };`): a class with no user-declared constructor, destructor, conversion,
        operator, base or default member initializer, whose members are of builtin arithmetic or
        pointer types, is trivially constructible, copyable and destructible ([class.prop],
        [class.default.ctor], [class.copy.ctor], [class.dtor]: each implicit one is trivial and
        runs no code), and has no conversion function ([class.conv.fct]: only a declared one
        exists): making, copying, reading or leaving an object of it calls nothing. Only when no
        doubt is left which class the name is: the file's one declaration of the name (no other
        file-scope declaration spells it, no header declares it, no macro is named so), not a
        name ptofix reads as pto's."""
        found = set()
        for decl in self.model.globals:
            if decl.kind != "plain-struct" or not decl.name:
                continue
            body = _PLAIN_STRUCT_BODY.fullmatch(strip_comments(decl.text))
            name = decl.name
            if body is None or sum(name in words for words in global_words) != 1 or name in self.macros \
                    or name in self.header_names or _model_reads(name) or name in PTO_SPELLED_NAMES:
                continue
            members = [member.split() for member in body.group(1).replace("*", " * ").split(";") if member.strip()]
            if members and all(_plain_scalar_member(words, self.file_scope_types | self.macros) for words in members):
                found.add(name)
        return frozenset(found)

    def _locate_count_mode(self, mode: str) -> str:
        """Fill count_mode_points and count_mode_functions, or say why the file stays unmodelled:
        a count-mode name outside the code of a function body's statement (file scope, a macro, a
        comment, a function's head, a lambda or a braced initializer) or that cannot be located."""
        model = self.model
        whole_file = (f"the file names '{mode}', which may leave the vector unit in count mode: element-wise "
                      "ops then walk as many elements as the vector mask says, in any function the file runs "
                      "after it")
        text = model.source.text
        if "$" in text or _has_splice(text):
            return whole_file
        bodies = [(fn, fn.body) for fn in model.functions if isinstance(fn.body, Compound)]
        points: dict[int, list[tuple[Stmt, str, str]]] = {}
        tainted: set[str] = set()
        offsets = _count_mode_offsets(text)
        if len(offsets) > _MAX_COUNT_MODE_PLACES:
            return whole_file           # (each place walks its function's statements)
        for offset, name in offsets:
            owner = next(((fn, body) for fn, body in bodies if body.span.start < offset < body.span.end), None)
            if owner is None:
                return whole_file
            fn, body = owner
            stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                       key=lambda s: s.span.end - s.span.start, default=None)
            # (A statement's header, for a loop or branch: its events are the count point.)
            if not isinstance(stmt, (SimpleStmt, ForStmt, IfStmt, SwitchStmt)) \
                    or (isinstance(stmt, SimpleStmt) and "{" in stmt.text) \
                    or not _count_mode_name(code_only(text[stmt.span.start:stmt.span.end])):
                return whole_file
            if scalar_tci_call(stmt, offset):
                continue        # the scalar TCI leaves the mask mode alone
            if name == SET_CTRL and self._ctrl_writes_preserved():
                continue        # saves CTRL, changes a value-only bit, restores it (ctrl_preservation)
            where = model.source.location(offset)
            points.setdefault(id(fn), []).append((stmt, name, where))
            self.count_mode_named = self.count_mode_named or f"'{name}' at {where}"
            tainted.add(fn.name)
        if not points:
            return ""           # only scalar TCIs: as a file that names none
        # The functions that may return in count mode: those naming it and, transitively, their
        # callers (by name: a lexical over-approximation). One more function each round.
        # (Every function: one whose body the model cannot read may call such a function too.)
        words = [(fn.name, set(identifiers(code_only(text[fn.body.span.start:fn.body.span.end]))))
                 for fn in model.functions]
        for _ in range(len(words)):
            grown = {fn_name for fn_name, used in words if fn_name not in tainted and not used.isdisjoint(tainted)}
            if not grown:
                break
            tainted |= grown
        self.count_mode_points = points
        self.count_mode_functions = frozenset(tainted)
        self.tracks_mask_mode = True
        return ""

    def _ctrl_writes_preserved(self) -> bool:
        """Whether every `set_ctrl` of the file is proven to keep the mask mode
        (ctrl_preservation.prove_ctrl_preserved), no name the proof read is a macro of the run and
        no bit constant it read is declared by a header too."""
        if self._ctrl_preserved is None:
            proof = prove_ctrl_preserved(self.model)
            self._ctrl_preserved = not proof.why and not proof.relied_names & self.macros and not any(
                "/pto/" not in path.replace("\\", "/") for summary in self.headers.values()
                for name in [*proof.bit_names, *(proof.relied_names & CTRL_NAMES)]
                for path in summary.declarers.get(name, ()))
        return self._ctrl_preserved

    def exhausted(self) -> str:
        """values_exhausted, read through a call: a check of it after a call that may have set it
        is then not taken for one the type checker (and mypyc) have narrowed before that call."""
        return self.values_exhausted

    def semantics(self, fn: Function) -> FunctionSemantics | None:
        """The semantic model of ``fn`` (None while it is being built: recursion), as the
        instantiation ``bound`` names for it (its template parameters unknown when none)."""
        binding = self.bound.get(id(fn), ())
        key = (id(fn), binding)
        if key in self._semantics:
            return self._semantics[key]
        if self._building >= MAX_CALLEE_NESTING:
            return None                 # (not kept: built when asked for from a shallower call)
        self._semantics[key] = None
        self._building += 1
        try:
            sem = FunctionSemantics(fn, self, binding)
        finally:
            self._building -= 1
        self._semantics[key] = sem
        return sem

    def name_count(self, name: str) -> int:
        """How often the name of one of the file's functions, ``name``, occurs in the file's text
        as an identifier, line splices joined (a lexical count, comments and strings included)."""
        if self._name_counts is None:
            # (The one scan of the raw text left (tests/test_lexed_once.py): comments and strings
            # count, which the tokens hold as one lexeme each.)
            text = self.model.source.text
            self._name_counts = count_identifiers(join_splices(text) if _has_splice(text) else text,
                                                  {fn.name for fn in self.model.functions})
        return self._name_counts.get(name, 0)

    def declaration_facts(self, fn: Function) -> tuple[bool, str]:
        """(whether ``fn`` is a template, why a call may run code for its return value), once."""
        key = id(fn)
        facts = self._declaration_facts.get(key)
        if facts is None:
            facts = self._declaration_facts[key] = ("template" in fn.declaration.words,
                                                    _return_reason(fn))
        return facts

    def possible_kernels(self) -> frozenset[int]:
        """ids of the functions that may be kernel entries: the declaration says `__global__`
        (also where a directive inside it keeps the parser from taking it as an entry), or names
        a macro of the file (`#define KERNEL __global__ AICORE`)."""
        if self._possible_kernels is None:
            self._possible_kernels = frozenset(
                id(fn) for fn in self.model.functions
                if fn.is_entry or "__global__" in (words := fn.declaration.words)
                or not self.macros.isdisjoint(words))
        return self._possible_kernels

    def local_function(self, name: str) -> Function | None:
        fns = self.functions.get(name)
        return fns[0] if fns and len(fns) == 1 else None

    def is_local_name(self, name: str) -> bool:
        return name in self.functions

    def may_be_macro(self, name: str) -> bool:
        """Whether ``name``, which the file does not declare, may be a macro (which may expand to a
        jump): one of the file's or its read headers', pto-isa's, one the standard library may
        define, or any name while a header is not read."""
        return not self.headers_known or name in self.macros or name in pto_macro_names() \
            or may_be_standard_macro(name) or may_be_command_line_macro(name)

    def macro_origin(self, name: str) -> str:
        """' (...)' naming where a macro ``name`` comes from when the model cannot see it: the
        compiler's command line ('' otherwise)."""
        return f" (-D{name} on the command line)" if name in self.command_line_macros else ""

    def plain_integer_global(self, name: str) -> bool:
        """``name`` is the file's one file-scope variable of that name, of a builtin integer type
        spelled with no alias, macro or type of the file or its headers, no pointer, reference,
        array, constructor arguments, address-space or volatile qualifier (only `static`, and the
        attributes `[[block_local]]`, `[[maybe_unused]]`, which change no access:
        pto-facts.md §8.3.1), no header's, pto's or the toolchain's name, no macro: storing an
        integer to it writes that variable only. Not UB: an object reaches UB only in the
        `__ubuf__` address space (Ascend C's address-space qualifiers, pto-facts.md §3), and the
        model takes a file-scope variable's value as unknown wherever it is read."""
        if name in self.macros or name in pto_macro_names() or name in self.header_names \
                or toolchain_may_declare(name) or name in self.functions or _model_reads(name):
            return False
        declarations = [decl for decl in self.model.globals if name in decl.words]
        if len(declarations) != 1:
            return False
        decl = declarations[0]
        ast = decl.declarator
        if decl.kind != "variable" or not isinstance(ast, A.Decl) or ast.name != name \
                or decl.attributes not in ("", "[[block_local]]", "[[maybe_unused]]"):
            return False
        type_ = ast.type
        return type_.name in INTEGER_TYPES and type_.name not in ("event_t", "pipe_t") and not type_.pointer \
            and not type_.ref and not ast.array and ast.ctor_args is None and type_.template is None \
            and set(type_.quals) <= {"static"} and type_.name not in self.macros \
            and type_.name not in self.file_scope_types and type_.name not in self.header_names \
            and self.scope.alias(type_.name) is None

    def header_scalar_why(self, name: str) -> str:
        """Why a call of ``name``, one of ops.PURE_FUNCTIONS that a header the file includes
        declares too (`get_block_idx(args)`), may do more than read a scalar ('' when every
        definition the headers give it is proven a scalar read: header_scalar_functions.py, and no
        macro of the kernel, its headers, the command line or pto-isa changes a word the proof
        read: only the address-space and function qualifiers pto-isa or the kernel define inert)."""
        if name in self.macros or name in pto_macro_names():
            return f"'{name}' is a macro"
        for summary in self.headers.values():
            if name not in summary.names:
                continue
            proof = summary.scalar_functions.get(name)
            if proof is None:
                return f"a header declares '{name}' too"
            if proof.why:
                return proof.why
            kernel_code = code_only(self.model.source.text)
            for type_name in sorted(proof.types):
                # (`using uint8_t = Idx;` in a namespace of the kernel or another header, a macro
                # over it, a second header declaring the struct's name: the header's member or
                # cast may then be of another type.)
                if type_name in self.macros or type_name in pto_macro_names() or type_name in self.file_scope_types \
                        or self.scope.alias(type_name) is not None \
                        or (type_name in INTEGER_TYPES and type_name in self.header_names) \
                        or redeclared(type_name, kernel_code, False) \
                        or self._declared_by_headers(type_name) > 1:
                    return f"the header's definition of '{name}' reads '{type_name}', which the file or a header " \
                        "declares too"
            for word in sorted(proof.words):
                if self._declared_by_headers(word) > 1:
                    # (Another header's `namespace rt { constexpr Slot LOCAL_INDEX{}; }`: the name
                    # the body reads may be that one, a class object.)
                    return f"the header's definition of '{name}' reads '{word}', which another header declares too"
                inert = word in _INERT_QUALIFIER_WORDS and word not in self.command_line_macros \
                    and word not in self.header_macros \
                    and (word not in self.model.macros or word in self.model.empty_macros)
                if not inert and (word in self.macros or word in pto_macro_names()):
                    return f"the header's definition of '{name}' writes '{word}', a macro"
        return ""

    def _declared_by_headers(self, name: str) -> int:
        """How many of the headers the file includes declare ``name``."""
        return len({path for summary in self.headers.values() for path in summary.declarers.get(name, ())})

    def may_be_toolchain_function(self, name: str) -> bool:
        """Whether a global function ``name`` other than the file's may be declared: by pto-isa or
        the compiler (toolchain_may_declare), the standard library, or a header the file includes."""
        return not self.headers_known or name in self.header_names or toolchain_may_declare(name)

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        """(type, value) of a file-scope integer constant ``name`` every function sees, or None.
        Read exactly only: `constexpr` (a constant expression, never written), of a builtin integer
        type the file does not alias, declared once in the file (no other declaration of the name:
        no namespace of the file nor header of the kernel's declares it too, so no lookup finds
        another), no macro, no name ptofix reads as pto's, outside any #if group or namespace some
        function is not in and before every function (CppFile.partial_globals), its initializer
        integer literals, earlier such constants, `sizeof` of a builtin type and integer
        arithmetic, computed as C++ does (integers.py). Hand-written kernels lay out their UB this
        way (`constexpr uint32_t kBase = 2 * kRows * sizeof(float);`)."""
        if self._constants is None:
            self._constants = self._read_constants()
        return self._constants.get(name)

    def _read_constants(self) -> dict[str, tuple[IntType, int]]:
        model = self.model
        declared = Counter(word for decl in model.globals
                           for word in ([decl.name] if decl.kind in ("variable", "alias", "alias-template",
                                                                     "scoped-enum") else decl.words))
        declared.update(fn.name.rpartition("::")[2] for fn in model.functions)
        out: dict[str, tuple[IntType, int]] = {}
        for index, decl in enumerate(model.globals):
            ast = decl.declarator
            if index in model.partial_globals or decl.attributes or not isinstance(ast, A.Decl) or ast.init is None:
                continue
            type_ = ast.type
            name = ast.name
            if "constexpr" not in type_.quals or not set(type_.quals) <= _CONSTANT_QUALIFIERS or type_.pointer \
                    or type_.ref or type_.template is not None or type_.name not in INTEGER_TYPES \
                    or type_.name in self.scope.aliases or type_.name in self.file_scope_types:
                continue
            if declared[name] != 1 or name in self.macros or _model_reads(name) \
                    or self.may_be_toolchain_function(name) or name in self.file_scope_types or "::" in name:
                continue
            value = self._constant_value(ast.init, out)
            if value is not None:
                ctype = IntType(*INTEGER_TYPES[type_.name])
                out[name] = (ctype, wrap(value[1], ctype))
        return out

    def _constant_value(self, node: Any, known: dict[str, tuple[IntType, int]]) -> tuple[IntType, int] | None:
        """(type, value) of a file-scope constant's initializer (_read_constants), None when it is
        anything else."""
        if isinstance(node, A.Number):
            ctype = literal_type(node)
            return (ctype, node.value) if isinstance(ctype, IntType) and isinstance(node.value, int) else None
        if isinstance(node, A.Name):
            return known.get(node.id)
        if isinstance(node, A.SizeOf):
            arg = node.arg
            if not isinstance(arg, A.TypeRef) or arg.template is not None or arg.pointer or arg.ref or arg.quals \
                    or arg.name in self.scope.aliases or arg.name in self.file_scope_types or arg.name in self.macros:
                return None
            size = _BUILTIN_SIZES.get(arg.name)
            return None if size is None else (_SIZE_T, size)
        if isinstance(node, A.Unary) and node.op in ("-", "+", "~"):
            inner = self._constant_value(node.operand, known)
            if inner is None:
                return None
            ctype = promote(inner[0])
            value = unary_value(node.op, inner[1], ctype)
            return None if value is None else (ctype, value)
        if isinstance(node, A.Binary) and node.op in _CONSTANT_OPERATORS:
            left, right = self._constant_value(node.left, known), self._constant_value(node.right, known)
            if left is None or right is None:
                return None
            value = binary_value(node.op, left[1], right[1], left[0], right[0])
            return None if value is None else (binary_type(node.op, left[0], right[0]), value)
        return None

    def declares_variable(self, name: str) -> bool:
        """Every function of the file sees a file-scope variable ``name`` (`constexpr int32_t N =
        4;`, `extern float S;`): a declaration the grammar reads as one, outside a namespace or
        #if branch some function does not see. Words of comments, types, prototypes (`void f(T);`
        reads as an object built from T) and initializers are no such proof."""
        if self._variables is None:
            partial = self.model.partial_globals
            self._variables = frozenset(
                ast.name for index, decl in enumerate(self.model.globals)
                if index not in partial and isinstance(ast := decl.stmt.ast, A.Decl) and ast.ctor_args is None)
        return name in self._variables

    def built(self) -> set[int]:
        """ids of the functions whose semantic model has been asked for."""
        return {key[0] for key in self._semantics}

    def forget(self, functions: list[Function]) -> None:
        """Drop the semantic models of ``functions`` once their analysis is done (memory). Their
        cycles are broken too (a model and its ValueModel point at each other, a definition's env
        holds its own symbol), as the cyclic collector is paused while a pass runs."""
        for fn in functions:
            for key in [key for key in self._semantics if key[0] == id(fn)]:
                sem = self._semantics.pop(key, None)
                if sem is not None:
                    sem.release()


class FunctionSemantics:
    """Symbols, value definitions and one StmtInfo per statement of one function.

    The statement walk is here; what a declaration, an expression and a call statement mean, and
    each tile's history, are in declarations.py, expressions.py, call_statements.py and
    tile_history.py: functions taking the model as ``self``, which the methods here delegate to."""

    __deletable__ = ("values",)      # mypyc: release() deletes it

    def __init__(self, fn: Function, ctx: FileContext, binding: tuple = ()):
        self.fn = fn
        self.ctx = ctx
        # The instantiation analysed ((name, value) per template parameter: templates.py), or ()
        # for the template with its parameters unknown (or no template).
        self.binding = binding
        # uid of a symbol -> (type, value) of an integer constant known while the body is read:
        # a bound non-type template parameter, a constexpr local initialized from constants. Tile
        # types (template arguments) read them (declarations._read_tile_type).
        self.constants: dict[int, tuple[IntType, int]] = {}
        self.info: dict[int, StmtInfo] = {}          # id(stmt) -> info (headers: id of the For/If/Switch)
        # The innermost expression whose reason made the statement being read Unknown (None until
        # one does): where a diagnostic puts its caret (FileContext.construct_at).
        self.reason_node: Any = None
        self._statements_read = 0                    # (signals.checkpoint)
        self._first_namers: dict[int, dict[str, Stmt]] = {}     # _first_naming by id(Compound)
        # id(ForStmt) -> StmtInfo of its init, condition and step (None for an empty part)
        self.header_parts: dict[int, tuple] = {}
        self.symbols: list[Symbol] = []
        self.params: list[Symbol] = []
        self.param_refs: list[bool] = []             # parameter passed by reference or pointer
        self.unparsed: list[SimpleStmt] = []
        self.writes_everything: str | None = None  # a macro-like statement may write any variable
        # Names a statement the model cannot read mentions: it may declare them (`auto TADD = [&]
        # ...;`), so from there on none of them reads as a pto op or enumerator (_not_pto_name).
        self.maybe_declared: set[str] = set()
        self._switch_scopes: set[Scope] = set()      # the body scope of each switch (case labels' reach)
        # Names of the type aliases declared in the body: a cast, read after the walk without its
        # statement's scope, cannot tell which alias of such a name it meant.
        self.local_alias_names: set[str] = set()
        self._tile_types: dict[int, tuple[A.TemplateId, TileType]] = {}    # template_tile_type
        # Why control flow may leave a statement other than as written: a macro or an included
        # file may expand to `break`, `continue`, `return`, `goto` or a `case` label.
        self.hidden_jump: str | None = None
        self._jump_located = False
        # Set while a statement is read when it may leave code to run at the end of its block (a
        # destructor, a cleanup attribute); stored per statement in scope_exit.
        self.scope_exit_code = ""
        self.scope_exit: dict[int, str] = {}         # id(stmt) -> why code may run at its block's end
        self.class_params = ""                       # why a parameter may be an object passed by value
        self.param_defaults: list[str] = []          # per parameter: why its default may run code
        # Every template parameter may name a type (`template <Concept T>` has no `typename`),
        # and a non-type one also a value (declared below).
        declared_types = _template_params(fn.declaration.words)
        value_params = _template_value_params(fn)
        # Every name the template heads declare (bound or not): a name the statement grammar or
        # the model reads by its spelling is checked against these (_read_whole_body).
        self.declared_template_params = declared_types | value_params
        bound_names = {name for name, _ in binding}
        self.template_params = self.declared_template_params - bound_names
        scope = Scope(ctx.scope)
        head_macro = self._macro_in(fn.declaration.text)
        owner = fn.declaration.owner
        if ctx.unmodelled:
            self.hidden_jump = ctx.unmodelled
            self._jump_located = True
        elif id(fn) in ctx.unknown_functions:
            self.hidden_jump = ctx.unknown_functions[id(fn)]
            self._jump_located = True
        elif owner:
            # `void K::run() {...}`: in the body a name is looked up in K first, whose member
            # aliases and variables (`using int64_t = uint16_t;`) the model does not read (and
            # whether K is a class or a namespace rests on declarations it may misread).
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: a member of '{owner}', whose " \
                               "class scope the model does not read"
            self._jump_located = True
        elif head_macro:
            # `TPL void h()` with `#define TPL template <pipe_t PIPE_ALL>`: its template head,
            # qualifiers or parameters are not what the model reads.
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: the function's declaration uses " \
                               f"the macro '{head_macro}'"
            self._jump_located = True
        for name in value_params - declared_types - bound_names:
            # `template <pipe_t PIPE_ALL>`: in the body the name is the instantiation's value, not
            # pto's enumerator; as a local symbol it is unknown-valued and never reads as pto's.
            self._new_symbol(scope, name, "scalar").make_unknown("non-type template parameter")
        declarations.bind_template_params(self, scope, binding)
        self._declare_params(scope)
        self._param_baseline = [(len(p.defs), len(p.bindings)) for p in self.params]
        self.generic_params_used: set[int] = set()
        self._leaf: bool | None = None               # _is_leaf(), read on first use
        self._flag_symbols: list[Symbol] = []
        body = fn.body
        # Where each label of the body is and each goto with its label, by offset: a jump over
        # the statement that binds a variable first leaves it in its unbound first state (_block).
        self._label_offsets: dict[str, int] = {}
        self._gotos: list[tuple[int, str]] = []
        if isinstance(body, Compound) and ctx.model.source.text.find("goto", body.span.start, body.span.end) >= 0:
            for stmt in body.walk():
                if isinstance(stmt, LabelStmt):
                    self._label_offsets.setdefault(stmt.name, stmt.span.start)
                elif isinstance(stmt, GotoStmt):
                    self._gotos.append((stmt.span.start, stmt.label))
        # Where each tile's valid shape and address come from, statement by statement (tile_flow).
        self._flow = TileFlow()
        self._shadows: list[Symbol] = []
        if isinstance(body, Compound):
            self._block(body.body, Scope(scope))
        self._read_whole_body(ctx, fn)
        self._flow_views()
        self.values = ValueModel(self)

    def _read_whole_body(self, ctx: FileContext, fn: Function) -> None:
        """What the body read as a whole says (a method of its own: compiled, the attributes the
        body's statements set are read with the types they are declared with, not those the
        constructor gave them before reading it)."""
        # A name the model reads by its spelling (`pto`, `BLayout`, `Shape`...) that the function
        # may declare (a template parameter, a block-scope struct or namespace alias, a statement
        # it cannot read): `pto::TMUL` and `BLayout::RowMajor` there may be the function's own.
        spelled = (self.declared_template_params | self.maybe_declared | {sym.name for sym in self.symbols}) \
            & PTO_SPELLED_NAMES
        if spelled and not self.hidden_jump:
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: '{min(spelled)}' may be declared in " \
                               "the function, so a name it qualifies may not be pto's"
            self._jump_located = True
        # The statement grammars read `size_t`, `int64_t`, `half`... as the builtin types by their
        # spelling: a variable, parameter or template parameter so named (`int32_t size_t = -8;`
        # makes `(size_t) + 4096` a sum, not a cast) changes what the statements mean.
        renamed = (self.declared_template_params | {sym.name for sym in self.symbols if sym.kind != "type"}) \
            & _GRAMMAR_TYPE_WORDS
        if renamed and not self.hidden_jump:
            self.hidden_jump = f"{ctx.model.source.location(fn.span.start)}: '{min(renamed)}' is declared in the " \
                               "function as another name than the type the statement grammar reads it as"
            self._jump_located = True
        if self.writes_everything:
            for sym in self.symbols:
                sym.make_unknown(self.writes_everything)

    # -- declarations -------------------------------------------------------------------------
    def release(self) -> None:
        """Break the model's reference cycles once its function's analysis is done (the cyclic
        collector is paused while a pass runs): a definition's environment holds its own symbol,
        the value model and this model point at each other."""
        for sym in self.symbols + self._shadows:
            sym.defs = []
            sym.bindings = []
            sym.pipe_ctor = None
        self._shadows.clear()
        self.values.release()
        del self.values
        self.info.clear()
        self._first_namers.clear()
        self.header_parts.clear()
        self.symbols.clear()
        self.params.clear()
        self._switch_scopes.clear()
        self._tile_types.clear()
        self._flag_symbols.clear()

    def _new_symbol(self, scope: Scope, name: str, kind: str) -> Symbol:
        return declarations._new_symbol(self, scope, name, kind)

    def _declare_params(self, scope: Scope) -> None:
        declarations._declare_params(self, scope)

    def _default_reason(self, ast: Any, text: str) -> str:
        return declarations._default_reason(self, ast, text)

    def _may_be_class_by_value(self, ast: Any, sym: Symbol, text: str, scope: Scope) -> bool:
        return declarations._may_be_class_by_value(self, ast, sym, text, scope)

    def _may_be_reference(self, type_: A.TypeRef, scope: Scope) -> bool:
        return declarations._may_be_reference(self, type_, scope)

    def resolve_type(self, type_: A.TypeRef, scope: Scope) -> A.TypeRef:
        return declarations.resolve_type(self, type_, scope)

    def template_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        return declarations.template_tile_type(self, tmpl, scope)

    def _read_tile_type(self, tmpl: A.TemplateId, scope: Scope) -> TileType:
        return declarations._read_tile_type(self, tmpl, scope)

    @staticmethod
    def _shadow_dependent_aliases(scope: Scope, name: str) -> None:
        """A local alias ``name`` is about to hide an outer one. C++ bound the names of every alias
        already visible when that alias was declared (`using TT = Tile<..., E, ...>` keeps the
        outer E), but the model reads an alias's words where it is used: from here on, an alias
        whose target names ``name`` is no type the model knows."""
        outer: Scope | None = scope
        inner: list[Scope] = []      # the scopes seen: their aliases hide an outer one's of that name
        while outer is not None:
            users = outer.alias_users.get(name)
            if users:
                for alias in list(users):
                    if not any(alias in seen.aliases for seen in inner):
                        scope.set_alias(alias, A.TypeRef(0, 0, f"<type '{alias}' names '{name}', which a local "
                                                                "alias hides here>"))
            inner.append(outer)
            outer = outer.parent

    def _declare(self, scope: Scope, decl: A.Decl) -> Symbol:
        return declarations._declare(self, scope, decl)

    def _declare_symbol(self, scope: Scope, decl: A.Decl) -> Symbol:
        return declarations._declare_symbol(self, scope, decl)

    # -- queries by name (reports, tests) -------------------------------------------------------
    def symbol(self, name: str) -> Symbol:
        """The one symbol declared as ``name`` (KeyError if none, ValueError if several)."""
        found = [s for s in self.symbols if s.name == name]
        if not found:
            raise KeyError(name)
        if len(found) > 1:
            raise ValueError(f"'{name}' is declared {len(found)} times")
        return found[0]

    def value_set(self, name: str) -> frozenset | None:
        return self.values.value_set(self.symbol(name))

    def tile_addresses(self, name: str) -> frozenset | None:
        return self.values.tile_addresses(self.symbol(name))

    def tile_type(self, name: str) -> TileType | None:
        return self.symbol(name).tile

    def param_written(self, index: int) -> bool:
        """The function changes its parameter ``index`` (visible to the caller if by reference)."""
        sym = self.params[index]
        defs, bindings = self._param_baseline[index]
        return len(sym.defs) > defs or len(sym.bindings) > bindings

    def _local_call(self, name: str, args: list, env: dict, explicit: bool = False) -> str:
        return call_statements._local_call(self, name, args, env, explicit)

    # -- statement walk -----------------------------------------------------------------------
    def _block(self, stmts: list[Stmt], scope: Scope) -> None:
        # Tiles declared without an address (the default constructor sets none; a static one is at
        # 0) and scalars without a value, each waiting for the next statement of this block that
        # names it: bound on every path only if that statement is a plain one that binds it
        # (`TASSIGN(t, ...)`, `TRESHAPE(t, s)`, `t = s`, `x = ...`). Otherwise (bound in a branch or a
        # loop, or used first) the unbound first state is one more possibility: unknown.
        waiting: dict[str, Symbol] = {}
        declared_at: dict[str, int] = {}     # waiting name -> the end of its declaration
        text = self.ctx.model.source.text
        flow = self._flow
        if flow.enabled:
            flow.blocks.add(id(stmts))
        for index, stmt in enumerate(stmts):
            self._statements_read += 1
            if not self._statements_read & (CHECKPOINT_EVERY - 1):
                checkpoint()
            if isinstance(stmt, CaseLabel):
                self._jump_target(scope)
                flow.disable()      # (a jump into the block past its statements: tile_flow)
            flow.path.append((id(stmts), index))
            self._stmt(stmt, scope)
            if waiting and not isinstance(stmt, Comment):
                span = stmt.span
                if isinstance(stmt, DeclaratorStmt):
                    # (Its span is the whole declaration's, which names the other declarators too.)
                    named = identifiers_among(stmt.text, set(waiting))
                elif len(waiting) <= _FEW_WAITING:
                    named = identifiers_among(text, set(waiting), span.start, span.end)
                else:       # (a set of every waiting name for each statement: quadratic in their number)
                    named = {name for name in identifiers(text, span.start, span.end) if name in waiting}
                for name in named:
                    if _only_sets_valid_shape(stmt, name):
                        continue        # (the tile's address is neither read nor bound: still waiting)
                    sym = waiting.pop(name)
                    if not self._binds_first(stmt, name, text) \
                            or self._jumped_over(declared_at.pop(name, span.start), stmt):
                        if sym.kind == "tile":
                            sym.bindings.append(("unknown", "may be used before any TASSIGN binds it"))
                            self._note_tile(stmt, sym, len(self.symbols), first_use=True)
                        else:
                            sym.defs.append(UNKNOWN_DEF)
            if isinstance(stmt, SimpleStmt) and (stmt.is_parsed() or stmt.text != ";"):
                ast = stmt.ast
                declared = scope.names.get(ast.name) if isinstance(ast, A.Decl) and ast.name else None
                if declared is not None and ((declared.kind == "tile" and not declared.bindings)
                                             or (declared.kind == "scalar" and not declared.defs)):
                    waiting[declared.name] = declared
                    declared_at[declared.name] = stmt.span.end
            flow.path.pop()

    def _jumped_over(self, after: int, stmt: Stmt) -> bool:
        """A goto between ``after`` and the end of ``stmt`` may jump past ``stmt`` (to a label at
        or after its start): a path from ``after`` may skip it. A label can be entered from anywhere,
        so one found between says nothing on its own: a goto to it from before ``after`` jumps past
        a declaration, which the control-flow graph refuses (vector_cfg)."""
        span = stmt.span
        for at, label in self._gotos:
            target = self._label_offsets.get(label, -1)
            if after <= at < span.end and (target >= span.start or target < 0):
                return True
        return False

    def _jump_target(self, scope: Scope | None) -> None:
        """A case label: a jump from the switch enters here, past the declarations of the blocks
        it enters (C++ allows it for a static local or a variable with no initializer, which then
        has its first, unbound state). Each such variable, up to the switch body, is unknown."""
        while scope is not None:
            for sym in scope.names.values():
                sym.make_unknown("a case label may jump past its declaration and binding")
            if scope in self._switch_scopes:
                break
            scope = scope.parent

    def _binds_first(self, stmt: Stmt, name: str, text: str) -> bool:
        """``stmt`` binds ``name`` before anything in it reads it, on every path through it: a plain
        `TASSIGN(name, ...)`, `TRESHAPE(name, ...)`, Tile-form `TPOP<...>(pipe, name)` or `name = ...`,
        a block whose first statement naming it does, or an if/else whose condition does not name it
        and whose branches both do."""
        if isinstance(stmt, SimpleStmt):
            node = stmt.ast
            if isinstance(node, A.AssignStmt):
                return node.op == "=" and isinstance(node.target, A.Name) and node.target.id == name \
                    and name not in A.name_ids(node.value)
            if isinstance(node, A.ExprStmt) and isinstance(node.expr, A.Call):
                call, base = node.expr, _strip_pto(node.expr.callee)
                if base == "TPOP" and call.template is not None and len(call.args) == 2:
                    # Tile form: the pop binds the tile into the pipe's consumer ring.
                    return isinstance(call.args[1], A.Name) and call.args[1].id == name
                return call.template is None and base in ("TASSIGN", "TRESHAPE") and len(call.args) == 2 \
                    and isinstance(call.args[0], A.Name) and call.args[0].id == name \
                    and name not in A.name_ids(call.args[1])
            return False
        if isinstance(stmt, Compound):
            inner = self._first_naming(stmt, text).get(name)
            return inner is not None and self._binds_first(inner, name, text)
        if isinstance(stmt, IfStmt):
            return stmt.then is not None and stmt.orelse is not None and name not in identifiers(stmt.cond) \
                and self._binds_first(stmt.then, name, text) and self._binds_first(stmt.orelse, name, text)
        return False

    def _first_naming(self, block: Compound, text: str) -> dict[str, Stmt]:
        """Each identifier of a block's statements -> the first statement naming it (comments
        aside), read once a block: every name waiting for its binding asks."""
        found = self._first_namers.get(id(block))
        if found is None:
            found = {}
            for inner in block.body:
                if not isinstance(inner, Comment):
                    for name in identifiers(text, inner.span.start, inner.span.end):
                        found.setdefault(name, inner)
            self._first_namers[id(block)] = found
        return found

    def _stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Comment):
            return
        if isinstance(stmt, Directive):
            word = directive_word(stmt.text)
            if word not in _INERT_DIRECTIVES:
                # `#include` in a body pastes code the model never sees (any other unknown
                # directive may do anything too): every variable may change, any UB byte.
                self.writes_everything = f"'{word}' inside the function may write any variable"
                if not self.hidden_jump:
                    self.hidden_jump = f"{self.ctx.model.source.location(stmt.span.start)}: '{word}' inside the " \
                                       "function may hide a jump"
                    self._jump_located = True
                self.info[id(stmt)] = StmtInfo(Kind.UNKNOWN, reason=f"directive '{word}' inside a function body")
            return
        self.scope_exit_code = ""
        symbols_before = len(self.symbols)
        self._read_stmt(stmt, scope)
        if self._flow.enabled and not isinstance(stmt, (Compound, ForStmt, IfStmt, SwitchStmt, PPIfStmt)):
            self._note_tiles(stmt, scope, symbols_before)
        if self.hidden_jump and not self._jump_located:
            # Say where: the innermost statement that set it is the first to get here.
            self.hidden_jump = f"{self.ctx.model.source.location(stmt.span.start)}: {self.hidden_jump}"
            self._jump_located = True
        if self.scope_exit_code:
            self.scope_exit[id(stmt)] = self.scope_exit_code
            self.scope_exit_code = ""

    def _read_stmt(self, stmt: Stmt, scope: Scope) -> None:
        if isinstance(stmt, Compound):
            self._block(stmt.body, Scope(scope))
        elif isinstance(stmt, SimpleStmt):
            self.reason_node = None
            info = self.info[id(stmt)] = _one_call_at_most(self._simple(stmt, scope))
            node = self.reason_node
            if info.reason and node is not None and stmt.ast is not None and isinstance(node.start, int) \
                    and 0 < node.start < stmt.span.end - stmt.span.start:
                # (Offsets of the statement's own AST: not one read from its text with line
                # splices joined.)
                self.ctx.construct_at[id(stmt)] = (info.reason, stmt.span.start + node.start)
        elif isinstance(stmt, ForStmt):
            inner = Scope(scope)
            # Each part runs at its own point of the loop (init once; the condition before every
            # iteration and at exit; the step after every iteration): the CFG needs them apart.
            init, cond, step = (self._header_part(text, inner, what) if text.strip() else None
                                for text, what in ((stmt.init, "for init"), (stmt.cond, "for condition"),
                                                   (stmt.step, "for step")))
            self.header_parts[id(stmt)] = (init, cond, step)
            self.info[id(stmt)] = _merge_header([part for part in (init, cond, step) if part is not None])
            self._header_scope_exit(stmt)
            counter = self._loop_counter(stmt, inner, (init, cond, step))
            header_defs = len(counter[0].defs) if counter is not None else 0
            if stmt.body is not None:
                flow = self._flow
                flow.loops.append(tuple(flow.path))
                flow.path.append((id(stmt), -1))
                self._stmt(stmt.body, Scope(inner))
                flow.path.pop()
                flow.loops.pop()
            if counter is not None and len(counter[0].defs) == header_defs:
                # Nothing in the body wrote it (an assignment, `&i`, a reference, an unread
                # statement naming it all add a definition): the header alone steps it.
                counter[0].induction = counter[1:]
        elif isinstance(stmt, IfStmt):
            self.info[id(stmt)] = self._header_part(stmt.cond, scope, "if condition")
            self._header_scope_exit(stmt)
            for number, part in enumerate((stmt.then, stmt.orelse)):
                if part is not None:
                    # (Its own place: a branch's statement dominates nothing after the if.)
                    self._flow.path.append((id(stmt), -1 - number))
                    self._stmt(part, Scope(scope))
                    self._flow.path.pop()
        elif isinstance(stmt, SwitchStmt):
            # Case labels enter the body past its statements: no dominance inside (tile_flow).
            self._flow.disable()
            self.info[id(stmt)] = self._header_part(stmt.cond, scope, "switch condition")
            self._header_scope_exit(stmt)
            inner = Scope(scope)
            self._switch_scopes.add(inner)
            self._block(stmt.body, inner)
        elif isinstance(stmt, PPIfStmt):
            # At most one branch is compiled, and a preprocessor branch is no C++ scope: what it
            # declares stays visible after `#endif`, shadowing any outer name of the same spelling,
            # or not (another branch compiled). Each branch is read in a scope of its own, and each
            # name one declares is, after the section, a symbol of unknown kind and value.
            variables: dict[str, None] = {}
            types: dict[str, None] = {}
            for branch in stmt.branches:
                inner = Scope(scope)
                self._block(branch.body, inner)
                variables.update(dict.fromkeys(inner.names))
                types.update(dict.fromkeys(inner.aliases))
            for name in variables:
                self._new_symbol(scope, name, "unknown").make_unknown("declared inside an #if section")
            for name in types:       # a type no declaration can read (its symbols are unknown)
                scope.set_alias(name, A.TypeRef(0, 0, f"<type '{name}' declared inside an #if section>"))
        elif isinstance(stmt, (GotoStmt, LabelStmt)) and not self._macro_in(stmt.text):
            return      # a jump or its target: the control-flow graph (vector_cfg) reads them
        elif isinstance(stmt, OpaqueStmt):
            self.info[id(stmt)] = self._unknown_text(stmt.text, scope, stmt.reason)
        elif isinstance(stmt, CaseLabel) and self._macro_in(stmt.text):
            # `case ONE:` with `#define ONE 1: TMUL(b, b, b); case 7`.
            self._may_jump(f"macro '{self._macro_in(stmt.text)}' in a case label")

    def _loop_counter(self, stmt: ForStmt, inner: Scope, parts: tuple) -> tuple | None:
        """(counter, condition, step, env) of `for (T i = a; cond; step)` whose header declares
        one integer variable with one initializer, whose condition is a plain expression (no call,
        no write) and whose step only writes i (`++i`, `i++`, `--i`, `i--`, `i += e`, `i -= e`,
        `i = e`, e plain): the values i takes in the body are the ones that walk from a
        (ValueModel._induction_values). None for any other loop."""
        if any(part is None or part.kind is Kind.UNKNOWN for part in parts):
            return None
        if re.search(r"\b(?:static|thread_local|extern|volatile|register)\b", stmt.init):
            return None          # (a static counter starts where the last call left it)
        decl = A.parse_for_init(stmt.init)
        cond, step = A.parse_condition(stmt.cond), A.parse_condition(stmt.step)
        if not isinstance(decl, A.Decl) or decl.init is None or decl.ctor_args is not None or decl.array \
                or cond is None or step is None:
            return None
        sym = inner.names.get(decl.name)
        if sym is None or sym.kind != "scalar" or not isinstance(sym.ctype, IntType) or len(sym.defs) != 2 \
                or sym.defs[0] is UNKNOWN_DEF or sym.defs[0][0] is None:
            return None
        if isinstance(step, A.IncDec):
            target, value = step.operand, None
        elif isinstance(step, A.Assign) and step.op in ("=", "+=", "-="):
            target, value = step.target, step.value
        else:
            return None
        if not isinstance(target, A.Name) or target.id != decl.name:
            return None
        if any(isinstance(node, (A.Call, A.Assign, A.IncDec, A.Comma)) or
               (isinstance(node, A.Unary) and node.op in ("&", "*"))
               for part in (cond, value) if part is not None for node in A.walk(part)):
            return None
        env = self._env(cond, inner)
        if value is not None:
            env.update(self._env(value, inner))
        if env.get(decl.name) is not sym:
            return None
        return sym, cond, step, env

    # -- the history of each tile's valid shape and address (tile_flow) ------------------------
    def _note_tiles(self, stmt: Stmt, scope: Scope, symbols_before: int) -> None:
        tile_history._note_tiles(self, stmt, scope, symbols_before)

    def _note_tile(self, stmt: Stmt, sym: Symbol, symbols_before: int, first_use: bool = False) -> None:
        tile_history._note_tile(self, stmt, sym, symbols_before, first_use)

    def _tile_declared(self, stmt: Stmt, sym: Symbol) -> TileRecord | None:
        return tile_history._tile_declared(self, stmt, sym)

    def _tile_changed(self, stmt: Stmt, sym: Symbol, then: tuple) -> TileRecord | None:
        return tile_history._tile_changed(self, stmt, sym, then)

    def _flow_views(self) -> None:
        tile_history._flow_views(self)

    def _header_scope_exit(self, stmt: Stmt) -> None:
        """Keep what the header of ``stmt`` leaves for its scope exit apart from its body's."""
        if self.scope_exit_code:
            self.scope_exit[id(stmt)] = self.scope_exit_code
            self.scope_exit_code = ""

    def _uses_macro(self, macro: str) -> None:
        """A statement uses a macro of the file: its expansion may write any variable, and jump."""
        origin = self.ctx.macro_origin(macro)
        self.writes_everything = f"macro '{macro}' may write any variable{origin}"
        self._may_jump(f"macro '{macro}' may hide a jump{origin}")

    def _may_jump(self, why: str) -> None:
        """Control may leave the statement being read other than as written (the first reason
        stays; _stmt adds where)."""
        self.hidden_jump = self.hidden_jump or why

    def _macro_in(self, text: str) -> str:
        """The first identifier of ``text`` that the file #defines ('' if none): every word of the
        statement counts (a type, a template name or a qualifier may be a macro too)."""
        macros = self.ctx.macros
        if macros:
            if len(macros) <= _FEW_MACROS and "\\" not in text and not any(name in text for name in macros):
                return ""       # (no splice that could hide one: a few substring searches decide)
            empty = self.ctx.model.empty_macros
            for name in identifiers(join_splices(text) if _has_splice(text) else text):
                if name in macros and not (name in _QUALIFIER_WORDS and name in empty):
                    return name
        return ""

    def _statement_macro(self, text: str) -> str:
        """_macro_in(text), but an expression macro used only as calls in ``text`` does not count:
        its uses are read as the parenthesized expressions they expand to (expressions.py)."""
        macro = self._macro_in(text)
        expression_macros = self.ctx.expression_macros
        if not macro or not expression_macros:
            return macro
        for name in identifiers(join_splices(text) if _has_splice(text) else text):
            if name in self.ctx.macros and not (name in _QUALIFIER_WORDS and name in self.ctx.model.empty_macros) \
                    and not (name in expression_macros and used_only_as_calls(text, name)):
                return name
        return ""

    def _header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        """An if/switch/for condition, for init or for step (Unknown if it calls several of the
        file's functions, as a statement is)."""
        return _one_call_at_most(self._read_header_part(text, scope, what))

    def _read_header_part(self, text: str, scope: Scope, what: str) -> StmtInfo:
        parse = A.parse_for_init if what == "for init" else A.parse_condition
        ast = parse(text)
        self._pending_calls: list = []
        if ast is None and _has_splice(text):
            ast = parse(join_splices(text))
        if ast is None:
            return self._unknown_text(text, scope, f"{what} not understood")
        macro = self._statement_macro(text)
        if macro:
            self._uses_macro(macro)
            return self._unknown_text(text, scope, f"{what} uses the macro '{macro}'", ast)
        if isinstance(ast, A.Decl):
            if ast.array and _variable_bound(text):
                return self._unknown_text(text, scope, f"{what}: an array bound that is not a number", ast)
            info = self._decl(ast, scope)
            declared = scope.names.get(ast.name) if ast.name else None
            # Unlike a block's declarations (_block), nothing binds a header's variable before the
            # loop body uses it: without an initializer its first state (a static tile at address
            # 0, a zeroed or indeterminate scalar) is one more possibility.
            if declared is not None and declared.kind == "tile" and not declared.bindings:
                declared.bindings.append(("unknown", f"declared in the {what} without an address"))
            elif declared is not None and declared.kind == "scalar" and not declared.defs:
                declared.defs.append(UNKNOWN_DEF)
            return info
        # A condition (and a for-init) may declare with a parenthesized declarator too: `if
        # (SyncPipe(PIPE_V) = PIPE_MTE2)`. A for step is an expression.
        head = self._declaration_head(ast, scope) if what != "for step" else ""
        env = self._env(ast, scope)
        reason = self._expression(ast, scope, env)
        if reason:
            info = self._unknown_names(env, f"{what}: {reason}")
        else:
            info = StmtInfo(Kind.NOP, env=env, local_calls=self._pending_calls)
        return self._as_declaration(head, text, info, scope) if head else info

    def _unknown_text(self, text: str, scope: Scope, reason: str, ast: Any = None) -> StmtInfo:
        """A statement the model cannot read: every variable it names may be written. What it
        may declare: the name of its declaration when it parsed (``ast``), else any name in it."""
        env = {}
        names = identifiers(join_splices(text) if _has_splice(text) else text)
        declared = _declared_names(text) if ast is None else None
        if ast is None:
            self.maybe_declared.update(names if declared is None else declared)
            if "enum" in names and "using" in names:
                # `using enum E;` declares every enumerator of E here, names the statement does
                # not spell: any outer variable may be hidden from here on.
                self.hidden_jump = self.hidden_jump or "a block-scope 'using enum' may declare any name"
            jumps = _JUMP_WORDS.intersection(names)
            if jumps:
                # `({ if (i == 3) break; 0; })`: a jump inside what the model cannot read.
                self._may_jump(f"'{min(jumps)}' inside a statement ptofix cannot read")
        elif isinstance(ast, (A.Decl, A.TypeAlias)):
            self.maybe_declared.add(ast.name)
        alias_only = declared is not None and _BLOCK_ALIAS.match(strip_comments(text)) is not None
        if (ast is None and not alias_only) or isinstance(ast, A.Decl):
            # It may declare an object (`Guard g{...};`, `int x __attribute__((cleanup(f)));`)
            # whose destructor or cleanup runs when the enclosing block is left (an
            # alias-declaration declares a type, no object).
            self.scope_exit_code = "a statement ptofix cannot read may declare an object whose destructor " \
                                   "runs at scope exit"
        for name in names:
            if name in self.ctx.macros:
                self._uses_macro(name)
            sym = scope.lookup(name)
            if sym is not None:
                env[name] = sym
        info = self._unknown_names(env, reason)
        if ast is None:
            # It may also declare any of those names anew (`using ::x;`, `auto& [x] = arr;`,
            # `extern T x;`).
            shadowed = env if declared is None else [name for name in env if name in declared]
            self._shadow_as_unknown(scope, shadowed, "a statement ptofix cannot read")
        return info

    def _shadow_as_unknown(self, scope: Scope, names: Iterable[str], what: str) -> None:
        """``what`` may declare any of ``names`` anew: from here on each one the scope knows is an
        entity of unknown kind and type, not the outer variable (whose tile type or scalar kind no
        longer says what it is)."""
        for name in names:
            if scope.lookup(name) is not None:
                self._new_symbol(scope, name, "unknown").make_unknown(f"'{name}' may be declared anew by {what}")

    def _not_pto_name(self, name: str, env: dict) -> str:
        """Why ``name`` as written may not denote pto's op or enumerator of that name ('' if it
        does): it names a local variable or parameter, something declared at file scope or a
        function of the file (which competes in overload resolution), or something a statement
        the model could not read may have declared. ``pto::X`` is pto's unless the file itself
        opens namespace pto; ``::X`` may be any global of the file."""
        ctx = self.ctx
        base = _strip_pto(name)
        declared = base in ctx.file_scope_names or (base in _PTO_CALL_NAMES and ctx.is_local_name(base))
        if name == base:
            if name in env:
                what = "a local type" if env[name].kind == "type" else "a local variable"
                return f"'{name}' is {what} here, not pto's '{name}'"
            if declared:
                return f"this file declares its own '{name}'"
            if name in self.maybe_declared:
                return f"'{name}' may be declared by a statement or parameter ptofix cannot read"
            return ""
        if name.startswith("::") and not name.startswith("::pto::"):
            return f"this file declares its own '{name}'" if declared else ""
        if "pto" in ctx.model.namespaces and (declared or ctx.is_local_name(base)):
            return f"this file opens namespace pto and declares its own '{base}'"
        return ""

    def _unknown_names(self, env: dict, reason: str) -> StmtInfo:
        for sym in env.values():
            sym.make_unknown(reason)
        return StmtInfo(Kind.UNKNOWN, reason=reason, env=env)

    def _env(self, node: Any, scope: Scope) -> dict:
        return self._env_of_names(A.name_ids(node), scope, {})

    @staticmethod
    def _env_of_names(names: tuple[str, ...], scope: Scope, env: dict) -> dict:
        lookup = scope.lookup
        for name in names:
            # A qualified name (`TileType::Vec`) is never a variable of this function: a declarator
            # is one identifier (the grammar's `decl`), so the scopes hold no such key.
            if ":" in name:
                continue
            sym = lookup(name)
            if sym is not None:
                env[name] = sym
        return env

    def _simple(self, stmt: SimpleStmt, scope: Scope) -> StmtInfo:
        text = stmt.text        # (sliced from the file on each read: read once)
        if text == ";":
            return _EMPTY
        ast = stmt.ast
        if ast is None and _has_splice(text):
            # Line splices go before tokenizing (translation phase 2): read the joined text. (The
            # AST the model keeps stays None: offsets into the joined text are not the file's.)
            ast = A.parse_statement(join_splices(text))
        self._pending_calls = []
        if ast is None:
            self.unparsed.append(stmt)
            if A.too_long_for_the_grammar(text):
                why = f"statement of more than {A.MAX_GRAMMAR_CHARS} characters the fast paths do not read"
            elif A.nested_too_deep(text):
                why = f"statement nested more than {A.MAX_EXPRESSION_NESTING} levels deep"
            else:
                why = "statement not understood by the grammar"
            return self._unknown_text(text, scope, why)
        macro = self._statement_macro(text) if self.ctx.macros else ""
        if macro:
            self._uses_macro(macro)
            return self._unknown_text(text, scope, f"uses the macro '{macro}'", ast)
        self._pending_calls = []
        if isinstance(ast, A.TypeAlias):
            self._shadow_dependent_aliases(scope, ast.name)
            target = self.resolve_type(ast.type, scope)
            scope.set_alias(ast.name, target)
            self.local_alias_names.add(ast.name)
            # In its scope the name is a type, not an outer variable of that name: `(T) + 4096`
            # is then a cast. A symbol of kind "type" has no value, so such reads are unknown.
            alias = self._new_symbol(scope, ast.name, "type")
            alias.make_unknown("a type name")
            alias.type_ref = target       # (what `T(...)` constructs: _constructs_pto_value)
            return StmtInfo(Kind.NOP)
        if isinstance(ast, A.Decl):
            if ast.array and _variable_bound(text):
                return self._unknown_text(text, scope, "an array bound that is not a number (evaluated at run "
                                                            "time, calls and writes included)", ast)
            return self._decl(ast, scope)
        if isinstance(ast, A.AssignStmt) or (isinstance(ast, A.ExprStmt) and not isinstance(ast.expr, A.Name)):
            head = self._declaration_head(ast.target if isinstance(ast, A.AssignStmt) else ast.expr, scope)
            if head:
                return self._as_declaration(head, text, self._statement(ast, scope), scope)
        return self._statement(ast, scope)

    def _declaration_head(self, expr: Any, scope: Scope) -> str:
        """The name ``expr`` starts with if it may name a type ('' if not): then a statement or
        condition reading as ``expr`` is a declaration ([stmt.ambig]: one that can be, is).
        `SyncPipe(PIPE_V) = PIPE_MTE2;` declares PIPE_V, `Mul(TMUL);` an object TMUL."""
        if isinstance(expr, A.Name):
            return ""       # `T;` declares nothing (and `break;` is a jump)
        if isinstance(expr, A.Call) and not expr.args and isinstance(expr.func, (A.Name, A.TemplateId)):
            # `T();`, `pto::PtoSetWaitFlag<PIPE_V, PIPE_S>();`: `()` alone is no declarator and a
            # template argument declares nothing here ([dcl.decl], [stmt.ambig]), so the statement
            # is an expression (a call, or a temporary destroyed at its end: no scope-exit code).
            return ""
        head = _leftmost_name(expr)
        return head if head is not None and self._may_name_type(head, scope) else ""

    def _as_declaration(self, head: str, text: str, info: StmtInfo, scope: Scope) -> StmtInfo:
        """``info`` of a statement that may be a declaration with the type ``head``: any name in it
        may be the declarator (but not the qualifiers of a qualified head: `pto::comm::TNOTIFY(v15,
        v7, v3);` declares no `pto`), and the object's destructor runs at scope exit."""
        names = identifiers(text)
        if "::" in head:
            for part in head.split("::")[:-1]:
                if part in names:
                    names.remove(part)
        # Nor a word the statement only spells qualified or after `->` (`RoundMode` in
        # `ns::TCVT_X(dst, src, RoundMode::CAST_NONE);`): no declarator-id of a block is one.
        joined = join_splices(text) if _has_splice(text) else text
        self.maybe_declared.update(set(names) - qualified_only_names(joined))
        self.scope_exit_code = f"'{head}' may name a type: the statement may declare an object whose destructor " \
                               "runs at scope exit"
        if info.kind is not Kind.UNKNOWN:
            info = self._unknown_names(info.env, f"'{head}' may name a type: the statement may be a declaration of "
                                                 "any name in it")
        # `TN(t);` declares a new `t` of type TN: the outer `t` (its tile type, its scalar kind)
        # no longer says what the name denotes.
        self._shadow_as_unknown(scope, names, f"a statement that may be a declaration of type '{head}'")
        return info

    def _statement(self, ast: Any, scope: Scope) -> StmtInfo:
        """A return, assignment or expression statement."""
        env = self._env(ast, scope)
        if isinstance(ast, A.ReturnStmt):
            if ast.value is None:
                return StmtInfo(Kind.RETURN, env=env)
            reason = self._expression(ast.value, scope, env)
            if reason:
                self._unknown_names(env, reason)
            return StmtInfo(Kind.RETURN, env=env, reason=reason, then_unknown=bool(reason),
                            local_calls=self._pending_calls)
        if isinstance(ast, A.AssignStmt):
            return self._assignment(A.Assign(ast.start, ast.end, ast.target, ast.op, ast.value), scope, env)
        if isinstance(ast, A.ExprStmt):
            expr = ast.expr
            if isinstance(expr, A.Call):
                return self._call_statement(expr, scope, env)
            if isinstance(expr, A.Name) and expr.id in ("break", "continue"):
                return StmtInfo(Kind.BREAK if expr.id == "break" else Kind.CONTINUE)
            if isinstance(expr, A.Name) and scope.lookup(expr.id) is None:
                # `FOO;`: a macro invocation without parentheses (or an undeclared name).
                self.writes_everything = f"'{expr.id}' may be a macro that writes any variable"
                if self.ctx.may_be_macro(expr.id):
                    self._may_jump(f"'{expr.id}' may be a macro that hides a jump{self.ctx.macro_origin(expr.id)}")
                return StmtInfo(Kind.UNKNOWN, reason=f"'{expr.id}' is not a declared name (macro?)", env=env)
            reason = self._expression(expr, scope, env)
            if reason:
                return self._unknown_names(env, reason)
            return StmtInfo(Kind.NOP, env=env, local_calls=self._pending_calls)
        return self._unknown_names(env, f"{type(ast).__name__} statement not modelled")

    # -- declarations and assignments ---------------------------------------------------------
    def _decl(self, decl: A.Decl, scope: Scope) -> StmtInfo:
        # The initializer is evaluated in the scope *before* the new name. C++ already sees the new
        # one there (`static int64_t q = q + 4096;` reads the new, zeroed q; `T b = b;` copies the new
        # b), so a declaration whose initializer names itself leaves it unknown (below).
        return declarations._decl(self, decl, scope)

    def _refine_auto(self, sym: Symbol, init: Any, env: dict) -> None:
        declarations._refine_auto(self, sym, init, env)

    def values_type(self, node: Any, env: dict) -> object:
        return declarations.values_type(self, node, env)

    def _assignment(self, node: A.Assign, scope: Scope, env: dict) -> StmtInfo:
        return declarations._assignment(self, node, scope, env)

    # -- expressions --------------------------------------------------------------------------
    def _expression(self, node: Any, scope: Scope, env: dict) -> str:
        return expressions._expression(self, node, scope, env)

    def _expr(self, node: Any, env: dict) -> str:
        reason = expressions._expr(self, node, env)
        if reason and self.reason_node is None:
            self.reason_node = node       # (the innermost: an inner call records first)
        return reason

    def _cast_reason(self, type_: A.TypeRef) -> str:
        return expressions._cast_reason(self, type_)

    def _type_named(self, name: str) -> bool:
        return expressions._type_named(self, name)

    def _may_reach_another(self, fn: Function, args: list, env: dict) -> str:
        return expressions._may_reach_another(self, fn, args, env)

    def _may_be_of_global_class_type(self, arg: Any, env: dict) -> bool:
        return expressions._may_be_of_global_class_type(self, arg, env)

    def _is_leaf(self) -> bool:
        return expressions._is_leaf(self)

    def file_constant(self, name: str) -> tuple[IntType, int] | None:
        return expressions.file_constant(self, name)

    def _plain_value_name(self, name: str) -> bool:
        return expressions._plain_value_name(self, name)

    def _may_name_type(self, name: str, scope: Scope) -> bool:
        return expressions._may_name_type(self, name, scope)

    def _free_name(self, name: str) -> str:
        return expressions._free_name(self, name)

    def _write(self, node: A.Assign, env: dict) -> str:
        return expressions._write(self, node, env)

    def _call_expr(self, call: A.Call, env: dict) -> str:
        return expressions._call_expr(self, call, env)

    def _constructs_pto_value(self, func: Any, env: dict) -> bool:
        return expressions._constructs_pto_value(self, func, env)

    # -- call statements ----------------------------------------------------------------------
    def _call_statement(self, call: A.Call, scope: Scope, env: dict) -> StmtInfo:
        return call_statements._call_statement(self, call, scope, env)

    def _event_id(self, node: Any, env: dict) -> str:
        return call_statements._event_id(self, node, env)

    def event_value(self, tag: str) -> str:
        return call_statements.event_value(self, tag)

    def _tassign(self, call: A.Call, env: dict) -> StmtInfo:
        return call_statements._tassign(self, call, env)

    def _fifo(self, op: str, call: A.Call, env: dict) -> StmtInfo:
        return call_statements._fifo(self, op, call, env)


def analyse_function(model: CppFile, index: int = 0) -> FunctionSemantics:
    """The semantic model of ``model.functions[index]`` (a fresh file context)."""
    sem = FileContext(model).semantics(model.functions[index])
    assert sem is not None
    return sem


# A plain-struct declaration (parser._PLAIN_STRUCT) with its body: group 1, the members.
_PLAIN_STRUCT_BODY = re.compile(r"\s*struct\s+[A-Za-z_]\w*\s*\{([\w\s*,;\[\]]*)\}\s*;\s*", re.S)
_ARRAY_BOUND = re.compile(r"\[\s*\d+\s*\]")


def _plain_scalar_member(words: list[str], file_types: set[str] | frozenset[str]) -> bool:
    """``words`` (a member declaration split at blanks, `*` apart) declare members of a builtin
    arithmetic type (or pointers to one), plainly named: `uint32_t a, b;`, `float *p;`, `int c[4];`."""
    text = " ".join(words)
    text = _ARRAY_BOUND.sub(" ", text)
    parts = text.replace(",", " , ").split()
    if not parts or parts[0] not in _INT_TYPES and parts[0] not in _FLOAT_TYPES or parts[0] in file_types:
        return False
    rest = parts[1:]
    expect_name = True
    for part in rest:
        if part == "*":
            continue
        if expect_name:
            if not re.fullmatch(r"[A-Za-z_]\w*", part) or part in _KEYWORDS or part in file_types:
                return False
            expect_name = False
        elif part == ",":
            expect_name = True
        else:
            return False
    return not expect_name
