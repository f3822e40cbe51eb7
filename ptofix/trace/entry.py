"""Which function ``check --trace`` runs, and the kernel text it compiles for that.

perf's reading (perf/build.py entry_call) takes ``--function`` or the one ``__global__`` function.
ptoas output often has neither: the fallbacks here name the function a file's shape makes the entry,
each with a note on stderr, and never guess between two (the error asks for ``--function``).

Two shapes need more than a name:

- A kernel defined in a named namespace (a generated body wrapped in a header, ``namespace gen {
  static __aicore__ void k(...) }``) is called by its qualified name, ``gen::k``: the generated unit
  calls the entry from the global namespace.
- A runtime's forwarding wrapper (``extern "C" __aicore__ void kernel_entry(__gm__ int64_t *args)``
  that unpacks each GM pointer and scalar from the array ``args``, some through descriptors and
  context pointers stored in it, and forwards them to the ptoas kernel): the trace passes every
  pointer parameter the start of a zero-filled buffer (trace_shim.hpp item 4), so each pointer the
  wrapper reads from ``args`` is null and the run faults at its first use. The trace runs the kernel
  the wrapper forwards to instead, with the trace's own arguments (the zero buffer, ``--arg`` or
  16), and says so in a note. The wrapper's body is left out of the compiled copy (blanked, every
  line kept): it does not run, and what it names need not be declared (a descriptor type of another
  runtime version). Only a wrapper is read so that takes one pointer, is named nowhere else in the
  file, calls exactly one kernel the file defines (not inline, a template or a member), once, and
  does nothing the trace records: no PTO, barrier or flag call, no intrinsic the checkout's cost
  model records (``RecordCceCall("name", ...)`` in its ``pto/costmodel`` headers), no ``__ubuf__``
  pointer, in its body or in the file's inline or template helpers it calls (a GM cache flush,
  ``dcci``), which call no function of the file themselves. Any other extern "C" entry runs as
  before, and without the checkout's list (``recorded`` None) none is read so.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..perf.build import EXTERN_C, EntryCall, entry_call
from ..source import PtofixError, SourceText
from .instrument import blanked_code, instrument

_ATTRIBUTE = re.compile(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)")
NO_ENTRY = "no __global__ kernel entry"
_RECORDED = re.compile(r'RecordCceCall\(\s*(?:[\w:]+\s*,\s*)?"(\w+)"')


def recorded_intrinsics(include_dir: Path) -> frozenset[str]:
    """The names of the intrinsics a checkout's cost model records (``RecordCceCall("vadd", ...)``
    in the headers under ``include_dir/pto/costmodel``)."""
    names: set[str] = set()
    for header in sorted((Path(include_dir) / "pto" / "costmodel").rglob("*.hpp")):
        names.update(_RECORDED.findall(header.read_text(encoding="utf-8", errors="replace")))
    return frozenset(names)


def _c_names(call: EntryCall, text: str) -> EntryCall:
    """``call`` with the extern "C" names read past an ``__attribute__((...))`` (perf's reading
    would take ``__attribute__`` itself for the name, and rename it)."""
    return replace(call, c_linkage=tuple(sorted(set(EXTERN_C.findall(_ATTRIBUTE.sub(" ", text))))))


def _scope(fn) -> str:
    """The qualifier naming ``fn`` from the global namespace (``gen::``; '' at file scope). An
    anonymous namespace adds nothing: its members are found in the enclosing one."""
    parts = [part for part in fn.namespace if part != "<anonymous>"]
    return "".join(f"{part}::" for part in parts)


def _qualified(call: EntryCall, fn) -> EntryCall:
    return replace(call, name=_scope(fn) + call.name)


def _is_kernel(fn) -> bool:
    """A function that can be an entry: not a member, a template or ``inline``."""
    return not fn.qualified and fn.declaration.template_params == () and "inline" not in fn.declaration.return_words


def choose_entry(path: str, text: str, function: str | None,
                 recorded: frozenset[str] | None = None) -> tuple[EntryCall, list[str]]:
    """The entry and the notes of ``choose_run``."""
    call, notes, _compiled = choose_run(path, text, function, recorded)
    return call, notes


def choose_run(path: str, text: str, function: str | None,
               recorded: frozenset[str] | None = None) -> tuple[EntryCall, list[str], str]:
    """The entry to run, the notes saying how it was chosen, and the kernel text to compile.

    The entry: ``function``, else the one ``__global__`` function, else (with a note) the one
    ``extern "C"`` function the file defines (a kernel whose entry is ``extern "C" __aicore__``), or
    the kernel it forwards to when it is a runtime's forwarding wrapper (the module's docstring),
    else (with a note) the one function of external linkage the file defines that is not
    ``inline``, a template or a member (ptoas 2026-08 writes its kernel as ``AICORE void name(...)``
    beside ``static AICORE inline`` helpers), else, when it defines none, its one ``static`` such
    function (``static __aicore__ void name(...)``, as some ptoas builds write it), else, when it
    defines no such function outside a named namespace, the one inside one, by the same rule. Several
    candidates, or none: the error asks for --function. A function in a named namespace is called by
    its qualified name. ``recorded``: the intrinsics the checkout's cost model records
    (``recorded_intrinsics``); None, no wrapper is read as one."""
    from ..cpp.parser import parse_cpp
    try:
        call = entry_call(path, text, function)
    except PtofixError as error:
        if function is not None or NO_ENTRY not in error.diagnostic.message:
            raise
        return _fallback(path, text, error, recorded)
    if "namespace" in text:
        found = [fn for fn in parse_cpp(SourceText(text, path)).functions
                 if fn.name == call.name and (function is not None or fn.is_entry)]
        if found:
            call = _qualified(call, found[0])    # (entry_call's choice: the first of that name)
    return _c_names(call, text), [], text


def _fallback(path: str, text: str, error: PtofixError,
              recorded: frozenset[str] | None) -> tuple[EntryCall, list[str], str]:
    from ..cpp.parser import parse_cpp
    functions = parse_cpp(SourceText(text, path)).functions
    defined = {fn.name for fn in functions}
    names = [name for name in EXTERN_C.findall(_ATTRIBUTE.sub(" ", text)) if name in defined]
    if len(set(names)) == 1:
        forwarded = None if recorded is None else _forwarding(path, text, functions, names[0], recorded)
        if forwarded is not None:
            return forwarded
        return _c_names(entry_call(path, text, names[0]), text), [
            f"{path}: note: no __global__ entry: the trace runs the extern \"C\" function '{names[0]}' "
            f"(--function NAME to choose)"], text
    if names:
        raise error
    kernels = [fn for fn in functions if _is_kernel(fn)]
    for tier in ([fn for fn in kernels if not fn.namespace], [fn for fn in kernels if fn.namespace]):
        external = {(_scope(fn), fn.name) for fn in tier if not fn.static}
        internal = {(_scope(fn), fn.name) for fn in tier if fn.static}
        if not external and not internal:
            continue
        if len(external) > 1 or not external and len(internal) != 1:
            raise error
        (scope, name), why = ((external.pop(), "the one function of external linkage the file defines") if external
                              else (internal.pop(), "the one function the file defines that is not inline, a "
                                                    "template or a member"))
        if scope:
            why += f" (in namespace {scope[:-2]})"
        if scope and len([fn for fn in functions if fn.name == name]) != 1:
            raise error                     # (another function of that name: entry_call would take the first)
        call = replace(entry_call(path, text, name), name=scope + name)
        return _c_names(call, text), [
            f"{path}: note: no __global__ entry: the trace runs '{scope + name}', {why} (--function NAME to "
            f"choose)"], text
    raise error


def _calls(code: str, name: str) -> int:
    """How often ``code`` calls ``name`` (not as a member: no ``.`` or ``->`` before it)."""
    return sum(1 for found in re.finditer(rf"\b{re.escape(name)}\s*\(", code)
               if not code[:found.start()].rstrip().endswith((".", "->")))


def _called(code: str) -> set[str]:
    """The names ``code`` calls (a word before ``(``: casts and keywords too, which no list holds)."""
    return set(re.findall(r"\b([A-Za-z_]\w*)\s*(?:<[^;{}()]*>\s*)?\(", code))


def _records_nothing(path: str, text: str, code: str, fn, recorded: frozenset[str]) -> bool:
    """Whether the body of ``fn`` issues nothing the trace records itself: no PTO, barrier or flag
    call (the instrumented copy's marks), no intrinsic of ``recorded``, no ``__ubuf__`` pointer."""
    start, end = fn.body.span
    if instrument(SourceText(text[start:end], path))[1]:
        return False
    inside = code[start:end]
    return not _called(inside) & recorded and not re.search(r"\b__ubuf__\b", inside)


def _forwarding(path: str, text: str, functions: list, wrapper_name: str,
                recorded: frozenset[str]) -> tuple[EntryCall, list[str], str] | None:
    """The kernel ``wrapper_name`` forwards to, the note, and the text with the wrapper's body
    blanked, when it is a runtime's forwarding wrapper (the module's docstring); else None."""
    wrappers = [fn for fn in functions if fn.name == wrapper_name]
    if len(wrappers) != 1:
        return None
    wrapper = wrappers[0]
    if len(wrapper.parameters) != 1 or not wrapper.parameters[0].pointer:
        return None
    start, end = wrapper.body.span
    if text[start:start + 1] != "{" or text[end - 1:end] != "}":
        return None
    code = blanked_code(text)
    if len(re.findall(rf"\b{re.escape(wrapper_name)}\b", code)) != 1:
        return None                         # (named elsewhere: declared or called)
    if not _records_nothing(path, text, code, wrapper, recorded):
        return None
    inside = code[start:end]
    defined = {fn.name for fn in functions if fn is not wrapper}
    kernels = []
    for name in sorted(name for name in defined if _calls(inside, name)):
        found = [fn for fn in functions if fn.name == name]
        if len(found) != 1:
            return None
        if _is_kernel(found[0]):
            kernels.append(found[0])
            continue
        # A helper (inline or a template): it runs no more than the wrapper does.
        helper_start, helper_end = found[0].body.span
        if not _records_nothing(path, text, code, found[0], recorded) or \
                any(_calls(code[helper_start:helper_end], other) for other in defined | {wrapper_name}):
            return None
    if len(kernels) != 1 or _calls(inside, kernels[0].name) != 1:
        return None
    target = kernels[0]
    parameter = wrapper.parameters[0].name or "its one parameter"
    call = _qualified(entry_call(path, text, target.name), target)
    compiled = text[:start + 1] + re.sub(r"[^\n]", " ", text[start + 1:end - 1]) + text[end - 1:]
    note = (f"{path}: note: no __global__ entry: the extern \"C\" function '{wrapper_name}' reads its arguments from "
            f"the GM array '{parameter}', which the trace fills with zeros (a pointer read from it would be null): "
            f"the trace runs '{call.name}', the kernel it forwards to, with the trace's own arguments, and "
            f"'{wrapper_name}' itself is neither compiled nor run (--function NAME to choose)")
    return _c_names(call, text), [note], compiled
