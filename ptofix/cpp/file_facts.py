"""What every function of a ptoas C++ file shares (FileFacts): the file-scope type aliases, constants,
macros, enumerations and classes, the functions of the file, the headers it includes and what ptofix
reads of them, where the file may switch the vector unit to count mode. Computed once per file; the
readers of one function's statements (function_state.py and the modules it serves) read it, and
semantics.FileContext adds the semantic model of each function.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import regex_cache
from ..located import Located
from ..pto.ctrl_register import SET_CTRL
from ..pto.ops import (
    EVERY_VERSION,
    PTO_PASTING_MACROS,
    PTO_SPELLED_NAMES,
    IsaFacts,
    pto_macro_names,
)
from ..pto.tiles import ELEMENT_BYTES
from . import stmt_parser as A
from .c_types import FLOATING_TYPES, literal_type
from .command_line import command_line_macros
from .count_mode import (
    MAX_COUNT_MODE_PLACES,
    count_mode_name,
    count_mode_name_of,
    count_mode_offsets,
    header_count_mode,
    scalar_tci_call,
    source_spells,
)
from .ctrl_preservation import CTRL_NAMES, prove_ctrl_preserved
from .expression_macros import expression_macros
from .header_policy import MissingHeaders, model_reads, only_names_the_enumeration, trusted_header, unmodelled_file
from .header_scalar_functions import redeclared
from .headers import (
    INERT_QUALIFIER,
    QUALIFIER_MACROS,
    may_be_command_line_macro,
    may_be_standard_macro,
    named_as_header,
    read_includes,
    toolchain_may_declare,
)
from .integers import INTEGER_TYPES, IntType, binary_type, binary_value, promote, unary_value, wrap
from .keywords import CPP_KEYWORDS as _KEYWORDS
from .lexical import (
    code_only,
    count_identifiers,
    identifiers,
    strip_comments,
)
from .model import (
    Compound,
    CppFile,
    ForStmt,
    Function,
    IfStmt,
    OpaqueStmt,
    SimpleStmt,
    Stmt,
    SwitchStmt,
)
from .parser import CERTAIN_EXTENT, pastes_in_code, skipped_words
from .statement_forms import (
    QUALIFIER_MACRO_WORDS,
    has_splice,
    join_splices,
    return_reason,
)
from .symbols import (
    Scope,
)
from .word_index import code_between, code_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final



# What a file-scope constant (FileContext.file_constant) may be declared with.
_CONSTANT_QUALIFIERS: Final = frozenset(["constexpr", "const", "static", "inline"])
# Integer operators a constant's initializer may use (no comparison, no logical operator: their
# result types are not IntType's arithmetic ones).
_CONSTANT_OPERATORS: Final = frozenset(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"])
# sizeof of the builtin types a constant's initializer may take (bytes; size_t is 64-bit unsigned on
# the NPU's LP64 ABI, as INTEGER_TYPES has it).
_BUILTIN_SIZES: Final = {**ELEMENT_BYTES, **{name: max(bits // 8, 1) for name, (bits, _) in INTEGER_TYPES.items()
                                      if name not in ("event_t", "pipe_t")}}
_SIZE_T: Final = IntType(*INTEGER_TYPES["size_t"])
# Qualifiers pto-isa (and ptoas's kernels) define where the compiler lacks them, as attributes or
# nothing (pto-facts.md): a header's function spelled with them computes the same.
_INERT_QUALIFIER_WORDS: Final = QUALIFIER_MACROS | frozenset(["AICORE"])


class FileFacts:
    """What every function of a file shares: file-scope type aliases, macros, local functions, the
    headers it includes and what ptofix can read of them. The semantic models of its functions are
    built and kept by its subclass, semantics.FileContext."""

    def __init__(self, model: CppFile, translation_unit: bool = True, isa: IsaFacts = EVERY_VERSION):
        self.model = model
        # Whether the file is a whole translation unit: its static functions are called from it
        # only. Not when another file #includes it (ptofix build's caller), which may call them,
        # nor when it is named as a header: its includers, which the run does not see, may call a
        # static helper with their own vector work in flight or flags set (red-team red4,
        # tests/cpp/test_header_inputs.py).
        self.translation_unit = translation_unit and not named_as_header(model.source.path)
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
                         if not (name in QUALIFIER_MACROS and all(INERT_QUALIFIER.fullmatch(body)
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
        # The headers not found behind those reasons, by name (the note that asks for -I names
        # them: a function's semantic model takes its one with its reason, and so its Cause).
        self.missing_headers = MissingHeaders()
        self.unmodelled = unmodelled_file(model, headers=self.headers, header_words=isa.header_words,
                                          count_mode=False, checkout=isa.checkout,
                                          per_function=self.unknown_functions, class_definitions=class_definitions,
                                          missing=self.missing_headers)
        for fn in model.functions:
            if isinstance(fn.body, OpaqueStmt) and fn.body.reason in CERTAIN_EXTENT:
                self.unknown_functions.setdefault(id(fn), model.source.located(fn.span.start, fn.body.reason))
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
            self.unmodelled = header_count_mode(
                self.headers, self.macros, frozenset(word for decl in model.globals for word in decl.words))
        if not self.unmodelled:
            mode = count_mode_name_of(model.source)
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
        # The instantiation each function template is analysed as (templates.py), while a barrier
        # analysis of that instantiation runs (decide_by_groups): id(fn) -> binding. A function
        # not in it is analysed with its template parameters unknown.
        self.bound: dict[int, tuple] = {}
        # templates.instantiations of each function template asked for, read once: id(fn) -> result.
        self.instantiation_sets: dict[int, tuple[tuple, str]] = {}
        # Why a value model of the file ran out of steps ('' while none did): see ValueModel._out_of_steps.
        self.values_exhausted = ""
        self._declaration_facts: dict[int, tuple[bool, str]] = {}
        self._name_counts: dict[str, int] | None = None
        self._code_name_counts: dict[str, int] | None = None
        self._skipped_words: Counter[str] | None = None      # (compiled_name_count)
        self._pastes_in_code: bool | None = None              # (pastes_in_code)
        self._possible_kernels: frozenset[int] | None = None
        self._variables: frozenset[str] | None = None    # declares_variable(), read on first use
        self._constants: dict[str, tuple[IntType, int]] | None = None   # file_constant(), read on first use
        # A macro may paste tokens into any name (`h##x`): then no name count is complete. pto's
        # headers define such macros too (PTO_PASTING_MACROS: `MAP_INSTR_IMPL(TSQUARE, a, b)` calls
        # `TSQUARE_IMPL`), which a file may use.
        self.pastes_tokens = "##" in model.source.text or any(
            source_spells(model.source, name) for name in PTO_PASTING_MACROS)
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
        unsure = {name for name in scoped if not only_names_the_enumeration(text, name)}
        code = code_source(model) if unsure else ""
        self.scoped_enums = frozenset(name for name in scoped
                                      if name not in unsure or only_names_the_enumeration(code, name))
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
            uses_macro = any(name in self.macros and not (name in QUALIFIER_MACRO_WORDS and name in model.empty_macros)
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
            # (GlobalDecl.text: each comment already one space, declaration_forms.read_global.)
            body = _PLAIN_STRUCT_BODY.fullmatch(decl.text)
            name = decl.name
            if body is None or sum(name in words for words in global_words) != 1 or name in self.macros \
                    or name in self.header_names or model_reads(name) or name in PTO_SPELLED_NAMES:
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
        if "$" in text or has_splice(text):
            return whole_file
        bodies = [(fn, fn.body) for fn in model.functions if isinstance(fn.body, Compound)]
        points: dict[int, list[tuple[Stmt, str, str]]] = {}
        tainted: set[str] = set()
        offsets = count_mode_offsets(text, model.source.word_text())     # (no '$', no splice: above)
        if len(offsets) > MAX_COUNT_MODE_PLACES:
            return whole_file           # (each place walks its function's statements)
        for offset, name in offsets:
            owner = next(((fn, body) for fn, body in bodies if body.span.start < offset < body.span.end), None)
            if owner is None:
                return whole_file
            fn, body = owner
            stmt = min((s for s in body.walk() if s is not body and s.span.start <= offset < s.span.end),
                       key=lambda s: s.span.end - s.span.start, default=None)
            # (A statement's header, for a loop or branch: its events are the count point.)
            # raw-text scan: a statement's text, only where count mode is set
            if not isinstance(stmt, (SimpleStmt, ForStmt, IfStmt, SwitchStmt)) \
                    or (isinstance(stmt, SimpleStmt) and "{" in stmt.text) \
                    or not count_mode_name(code_only(text[stmt.span.start:stmt.span.end])):
                return whole_file
            if scalar_tci_call(stmt, offset):
                continue        # the scalar TCI leaves the mask mode alone
            if name == SET_CTRL and self._ctrl_writes_preserved():
                continue        # saves CTRL, changes a value-only bit, restores it (ctrl_preservation)
            where = model.source.place(offset)
            points.setdefault(id(fn), []).append((stmt, name, where))
            self.count_mode_named = self.count_mode_named or Located(f"'{name}' at ", where)
            tainted.add(fn.name)
        if not points:
            return ""           # only scalar TCIs: as a file that names none
        # The functions that may return in count mode: those naming it and, transitively, their
        # callers (by name: a lexical over-approximation). One more function each round.
        # (Every function: one whose body the model cannot read may call such a function too.)
        # raw-text scan: the words of each function body's code (rebuilt without comments and
        # literals from the tokens), only for a file that sets count mode
        words = [(fn.name, set(identifiers(code_between(model, fn.body.span.start, fn.body.span.end))))
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


    def name_count(self, name: str) -> int:
        """How often the name of one of the file's functions, ``name``, occurs in the file's text
        as an identifier, line splices joined (a lexical count, comments and strings included;
        0 for another name)."""
        if self._name_counts is None:
            names = {fn.name for fn in self.model.functions}
            index = self.model.word_index
            if index is not None and index.counts_known(names):
                # (Read from the parser's tokens: cpp/word_index.py.)
                self._name_counts = {name: count for name in names if (count := index.name_count(name))}
            else:
                text = self.model.source.text
                # raw-text scan: a model built without the parser's tokens, or a text whose
                # tokens cannot tell the count (model.WordIndex.counts_known).
                self._name_counts = count_identifiers(join_splices(text) if has_splice(text) else text, names)
        return self._name_counts.get(name, 0)

    def pastes_in_code(self) -> bool:
        """pastes_tokens, with `##` and pto's pasting macros counted only where the compiler reads
        them (parser.pastes_in_code): not in a comment or a string."""
        if not self.pastes_tokens:
            return False
        if self._pastes_in_code is None:
            self._pastes_in_code = pastes_in_code(self.model.source, frozenset(PTO_PASTING_MACROS))
        return self._pastes_in_code

    def compiled_name_count(self, name: str) -> int:
        """code_name_count less the words spelling ``name`` in `#if` groups the command line
        leaves out of the compile (parser.skipped_words): the mentions the compiler sees."""
        if self._skipped_words is None:
            self._skipped_words = skipped_words(self.model.source, self.model.environment)
        return self.code_name_count(name) - self._skipped_words.get(name, 0)

    def code_name_count(self, name: str) -> int:
        """name_count outside comments (strings kept: `_Pragma("...")` and a stringized macro
        argument are code): the tokenizer refuses what would make a comment another thing than
        the compiler's (a raw string, a splice ending a comment line)."""
        if self._code_name_counts is None:
            names = {fn.name for fn in self.model.functions}
            index = self.model.word_index
            if index is not None and index.counts_known(names):
                self._code_name_counts = {name: count for name in names if (count := index.code_name_count(name))}
            else:
                text = self.model.source.text
                # raw-text scan: as name_count's.
                self._code_name_counts = count_identifiers(
                    strip_comments(join_splices(text) if has_splice(text) else text), names)
        return self._code_name_counts.get(name, 0)

    def declaration_facts(self, fn: Function) -> tuple[bool, str]:
        """(whether ``fn`` is a template, why a call may run code for its return value), once."""
        key = id(fn)
        facts = self._declaration_facts.get(key)
        if facts is None:
            facts = self._declaration_facts[key] = ("template" in fn.declaration.words,
                                                    return_reason(fn))
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
                or toolchain_may_declare(name) or name in self.functions or model_reads(name):
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
            kernel_code = code_source(self.model)
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
            if declared[name] != 1 or name in self.macros or model_reads(name) \
                    or self.may_be_toolchain_function(name) or name in self.file_scope_types or "::" in name:
                continue
            value = self.constant_value(ast.init, out)
            if value is not None:
                ctype = IntType(*INTEGER_TYPES[type_.name])
                out[name] = (ctype, wrap(value[1], ctype))
        return out

    def constant_value(self, node: Any, known: dict[str, tuple[IntType, int]]) -> tuple[IntType, int] | None:
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
            inner = self.constant_value(node.operand, known)
            if inner is None:
                return None
            ctype = promote(inner[0])
            value = unary_value(node.op, inner[1], ctype)
            return None if value is None else (ctype, value)
        if isinstance(node, A.Binary) and node.op in _CONSTANT_OPERATORS:
            left, right = self.constant_value(node.left, known), self.constant_value(node.right, known)
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



# A plain-struct declaration (parser._PLAIN_STRUCT) with its body: group 1, the members.
_PLAIN_STRUCT_BODY: Final = regex_cache.compile(r"\s*struct\s+[A-Za-z_]\w*\s*\{([\w\s*,;\[\]]*)\}\s*;\s*", re.S)
_ARRAY_BOUND: Final = regex_cache.compile(r"\[\s*\d+\s*\]")


def _plain_scalar_member(words: list[str], file_types: set[str] | frozenset[str]) -> bool:
    """``words`` (a member declaration split at blanks, `*` apart) declare members of a builtin
    arithmetic type (or pointers to one), plainly named: `uint32_t a, b;`, `float *p;`, `int c[4];`."""
    text = " ".join(words)
    text = _ARRAY_BOUND.sub(" ", text)
    parts = text.replace(",", " , ").split()
    if not parts or parts[0] not in INTEGER_TYPES and parts[0] not in FLOATING_TYPES or parts[0] in file_types:
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

