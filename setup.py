"""Build hook: compile ptofix's model and analysis modules with mypyc (see ptofix/__init__.py).

Everything else about the package is in pyproject.toml. With ``PTOFIX_PURE_PYTHON=1`` set,
``pip install`` compiles nothing (ptofix then runs interpreted). After editing a compiled module
in an editable install, ``MYPYC_OPT_LEVEL=0 python setup.py build_ext --inplace`` rebuilds in
about half the time of the optimised build (the variable is mypyc's own).
"""
from __future__ import annotations

import ast
import os
import zlib

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
_COMPILED_SOURCES: dict[str, int] = {}      # module -> CRC-32 of the source compiled
_UNIX_FLAGS = ["-fno-semantic-interposition", "-fvisibility=hidden"]


def _package_constant(name: str):
    """A constant of ptofix/__init__.py, read without importing ptofix (it is not installed yet)."""
    with open(os.path.join(HERE, "ptofix", "__init__.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise RuntimeError(f"ptofix/__init__.py defines no {name}")


def _compiled_modules() -> list[str]:
    return list(_package_constant("COMPILED_MODULES"))


def _build_record_name() -> str:
    return str(_package_constant("BUILD_RECORD"))


class BuildExtRecordingSources(build_ext):
    """build_ext, then the record of what was compiled (ptofix.BUILD_RECORD): each compiled
    module's name and the CRC-32 of its source as mypyc read it, beside the package in the build
    and, for an in-place (editable) build, in the source tree."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "unix":
            # The shared library's own functions call each other directly, not through the PLT,
            # and only its module init functions are exported (the modules reach it through
            # capsules): CPython builds itself with the first flag for the same reason. ~4%
            # faster in process (scripts/bench.py, interleaved builds).
            for extension in self.extensions:
                extension.extra_compile_args = [*extension.extra_compile_args, *_UNIX_FLAGS]
        super().build_extensions()

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        lines = [f"{name} {crc}\n" for name, crc in _COMPILED_SOURCES.items()]
        targets = [os.path.join(self.build_lib, "ptofix")]
        if self.inplace:
            targets.append(os.path.join(HERE, "ptofix"))
        for directory in targets:
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, _build_record_name()), "w", encoding="ascii") as handle:
                handle.writelines(lines)


def _extensions() -> list:
    if os.environ.get("PTOFIX_PURE_PYTHON"):
        return []
    from mypyc.build import mypycify
    paths = [os.path.join(*name.split(".")) + ".py" for name in _compiled_modules()]
    for name, path in zip(_compiled_modules(), paths, strict=True):
        with open(os.path.join(HERE, path), "rb") as handle:       # read before mypyc reads it
            _COMPILED_SOURCES[name] = zlib.crc32(handle.read())
    # One shared library for all of them (native calls between modules), named for .gitignore.
    return mypycify(paths, opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3"), group_name="ptofix_native")


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExtRecordingSources})
