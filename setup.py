"""Build hook: compile ptofix's model and analysis modules with mypyc (see ptofix/__init__.py).

Everything else about the package is in pyproject.toml. With ``PTOFIX_PURE_PYTHON=1`` set,
``pip install`` compiles nothing (ptofix then runs interpreted). After editing a compiled module
in an editable install, ``MYPYC_OPT_LEVEL=0 python setup.py build_ext --inplace`` rebuilds in
about half the time of the optimised build (the variable is mypyc's own).

An editable install (``pip install -e .``) builds the extension modules into the source tree. A
second one (the README's test command after its main command, ``-e '.[test]'``) finds them there,
recorded as compiled from the sources as they are now by the same mypyc with the same options, and
copies them instead of running mypyc and the C compiler again: pip builds in fresh temporary
directories, so nothing else would be reused.
"""
from __future__ import annotations

import ast
import os
import shutil
import sysconfig
import zlib

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
_COMPILED_SOURCES: dict[str, int] = {}      # module -> CRC-32 of the source compiled
_UNIX_FLAGS = ["-fno-semantic-interposition", "-fvisibility=hidden"]
_GROUP_NAME = "ptofix_native"               # mypyc's shared library: <group>__mypyc
_OPTIONS_KEY = "build-options"              # the record's line naming the mypyc version and options
_REUSED: list[bool] = [False]               # True: the in-place build is current and is copied, not built


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

    def build_extension(self, ext: Extension) -> None:
        if not _REUSED[0]:
            super().build_extension(ext)
            return
        # The current in-place build's module, where setuptools expects a built one (an editable
        # install copies it back onto itself).
        built = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(built), exist_ok=True)
        shutil.copy2(_in_place_path(ext.name), built)

    def run(self) -> None:
        if _REUSED[0]:
            print("ptofix: the compiled modules in the source tree are current (compiled-sources.txt): "
                  "reusing them, nothing is compiled")
        super().run()
        if not self.extensions:
            return
        lines = [f"{name} {crc}\n" for name, crc in _COMPILED_SOURCES.items()]
        lines.append(f"{_OPTIONS_KEY} {_build_options()}\n")
        targets = [os.path.join(self.build_lib, "ptofix")]
        if self.inplace:
            targets.append(os.path.join(HERE, "ptofix"))
        for directory in targets:
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, _build_record_name()), "w", encoding="ascii") as handle:
                handle.writelines(lines)


def _opt_level() -> str:
    return os.environ.get("MYPYC_OPT_LEVEL", "3")


def _build_options() -> str:
    """What besides the sources decides the compiled code: mypyc's version, its optimisation level,
    the Python it compiles for and the C flags, as one word."""
    from importlib.metadata import version
    flags = ",".join(_UNIX_FLAGS)
    return f"mypy-{version('mypy')}/O{_opt_level()}/{sysconfig.get_config_var('EXT_SUFFIX')}/{flags}"


def _in_place_path(name: str, root: str = HERE) -> str:
    """Where an editable build puts the extension module ``name`` (beside its source; mypyc's
    shared library at the top of the tree)."""
    return os.path.join(root, *name.split(".")) + str(sysconfig.get_config_var("EXT_SUFFIX"))


def _extension_names(modules: list[str]) -> list[str]:
    return [*modules, f"{_GROUP_NAME}__mypyc"]


def in_place_build_is_current(root: str, crcs: dict[str, int], options: str, record_name: str) -> bool:
    """Whether ``root`` holds every extension module of ``crcs``' modules and mypyc's shared
    library, recorded (``root/ptofix/<record_name>``) as built from sources with exactly these
    CRC-32s and these build options."""
    try:
        with open(os.path.join(root, "ptofix", record_name), encoding="ascii") as handle:
            recorded = dict(line.split() for line in handle if line.strip())
    except (OSError, ValueError):
        return False
    if recorded.get(_OPTIONS_KEY) != options:
        return False
    if any(recorded.get(name) != str(crc) for name, crc in crcs.items()):
        return False
    return all(os.path.isfile(_in_place_path(name, root)) for name in _extension_names(list(crcs)))


def _extensions() -> list:
    if os.environ.get("PTOFIX_PURE_PYTHON"):
        return []
    paths = [os.path.join(*name.split(".")) + ".py" for name in _compiled_modules()]
    for name, path in zip(_compiled_modules(), paths, strict=True):
        with open(os.path.join(HERE, path), "rb") as handle:       # read before mypyc reads it
            _COMPILED_SOURCES[name] = zlib.crc32(handle.read())
    if in_place_build_is_current(HERE, _COMPILED_SOURCES, _build_options(), _build_record_name()):
        _REUSED[0] = True
        return [Extension(name, sources=[]) for name in _extension_names(_compiled_modules())]
    from mypyc.build import mypycify
    # One shared library for all of them (native calls between modules), named for .gitignore.
    return mypycify(paths, opt_level=_opt_level(), group_name=_GROUP_NAME)


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExtRecordingSources})
