"""The mypyc-compiled build (ptofix/__init__.py, setup.py): it is in use after the README's
install, it is not used when it would run other code than the sources say, and it decides
exactly as the interpreted sources do, on the corpus and on inputs nested past every bound the
analysis sets (compiled, a recursion has no interpreter limit: unbounded, it crashes)."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import subprocess
import sys
import zlib

import pytest

import ptofix

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PURE = {**os.environ, ptofix.PURE_PYTHON_VARIABLE: "1"}
COMPILED_ENV = {k: v for k, v in os.environ.items() if k != ptofix.PURE_PYTHON_VARIABLE}
needs_compiled = pytest.mark.skipif(not ptofix.COMPILED, reason="the compiled build is not in use "
                                    f"({ptofix.PURE_PYTHON_VARIABLE} set, or not built)")


def test_the_install_compiled_ptofix():
    """After a compiled install (its record of the sources compiled is beside the package) the
    compiled build is the one in use. The README's commands install the interpreted build
    (PTOFIX_PURE_PYTHON=1 at install time: nothing compiled, no record): then there is nothing to
    check, and the test says so."""
    if os.environ.get(ptofix.PURE_PYTHON_VARIABLE):
        pytest.skip(f"{ptofix.PURE_PYTHON_VARIABLE} is set: the interpreted build runs")
    record = os.path.join(os.path.dirname(ptofix.__file__), ptofix.BUILD_RECORD)
    if not os.path.isfile(record):
        pytest.skip("the interpreted build is installed (PTOFIX_PURE_PYTHON=1 at install time, as the README's "
                    "commands do: nothing was compiled)")
    assert ptofix.COMPILED, "pip install compiled nothing, or a compiled source changed since (reinstall)"
    import ptofix.cpp.semantics as semantics
    assert not semantics.__file__.endswith(".py")


def test_the_type_checker_holds_every_compiled_module_to_the_compiled_rules():
    import tomllib
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as handle:
        overrides = tomllib.load(handle)["tool"]["mypy"]["overrides"]
    strict = next(o for o in overrides if o.get("disallow_untyped_defs"))
    assert sorted(strict["module"]) == sorted(ptofix.COMPILED_MODULES)
    assert strict["warn_unreachable"] and strict["disallow_incomplete_defs"]


def _fake_build(tmp_path, names):
    """A package directory with sources, extension modules and the build record of ``names``."""
    from importlib.machinery import EXTENSION_SUFFIXES
    package = tmp_path / "pkg"
    lines = []
    for name in names:
        source = package.joinpath(*name.split(".")[1:]).with_suffix(".py")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {name}\n")
        source.with_name(source.stem + EXTENSION_SUFFIXES[0]).write_bytes(b"")
        lines.append(f"{name} {zlib.crc32(source.read_bytes())}\n")
    (package / ptofix.BUILD_RECORD).write_text("".join(lines))
    return package


@pytest.mark.parametrize("size", [0, 1, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, 3 * (1 << 18) + 5])
def test_the_build_check_reads_a_file_s_crc_as_zlib_does(tmp_path, size):
    # (The check reads each source with os.read, a block at a time: the CRC of the whole file all the same.)
    path = tmp_path / "m.py"
    data = bytes((i * 7 + i // 251) % 256 for i in range(size))
    path.write_bytes(data)
    assert ptofix._file_crc32(str(path)) == zlib.crc32(data)


def test_a_build_is_used_only_when_every_source_is_the_one_compiled(tmp_path, monkeypatch):
    names = ["ptofix.a", "ptofix.sub.b"]
    monkeypatch.setattr(ptofix, "COMPILED_MODULES", tuple(names))
    monkeypatch.delenv(ptofix.PURE_PYTHON_VARIABLE, raising=False)
    package = _fake_build(tmp_path, names)
    assert ptofix._compiled_build_is_current(str(package))
    source = package / "sub" / "b.py"
    source.write_text("# edited\n")                 # an edited source: its build is stale
    assert not ptofix._compiled_build_is_current(str(package))
    source.write_text("# ptofix.sub.b\n")           # edited back: the build is current again
    assert ptofix._compiled_build_is_current(str(package))
    monkeypatch.setenv(ptofix.PURE_PYTHON_VARIABLE, "1")
    assert not ptofix._compiled_build_is_current(str(package))
    monkeypatch.setenv(ptofix.PURE_PYTHON_VARIABLE, "")        # empty: not set
    assert ptofix._compiled_build_is_current(str(package))
    next(package.glob("a.*.so")).unlink()           # an extension module missing
    assert not ptofix._compiled_build_is_current(str(package))
    package = _fake_build(tmp_path / "2", names)
    (package / ptofix.BUILD_RECORD).unlink()        # no record: nothing says what was compiled
    assert not ptofix._compiled_build_is_current(str(package))
    (package / ptofix.BUILD_RECORD).write_text("garbage\n")
    assert not ptofix._compiled_build_is_current(str(package))


def test_an_interpreted_process_imports_every_compiled_module_from_its_source():
    probe = ("import ptofix, importlib\n"
             "print(ptofix.COMPILED, all(importlib.import_module(n).__file__.endswith('.py') "
             "for n in ptofix.COMPILED_MODULES))")
    out = subprocess.run([sys.executable, "-c", probe], env=PURE, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    version = subprocess.run([sys.executable, "-m", "ptofix", "--version"], env=PURE, capture_output=True,
                             text=True, check=True)
    assert version.stdout.strip() == f"ptofix {ptofix.__version__} (interpreted)"


# ---- compiled and interpreted decide alike ------------------------------------------------------------

_DIGEST = r'''
import glob, hashlib, json, sys
from ptofix.frontends import PARSERS
from ptofix.pass_manager import build_pass, run_pipeline
from ptofix.source import PtofixError, SourceText
out = {}
for path in json.loads(sys.argv[1]):
    text = open(path, encoding="utf-8", errors="replace").read()
    for pattern in ("auto", "gu"):
        try:
            result = run_pipeline(SourceText(text, path), [build_pass("pipe-v-barrier", {"pattern": pattern})], PARSERS)
            record = json.dumps([result.text, result.reports, result.warnings], sort_keys=True, default=str)
        except PtofixError as exc:
            record = "error: " + exc.format()
        out[path + " " + pattern] = hashlib.sha256(record.encode()).hexdigest()
print(json.dumps(out))
'''


def _digests(paths: list[str], env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", _DIGEST, json.dumps(paths)], env=env, capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _assert_builds_decide_alike(paths: list[str]) -> None:
    compiled, pure = _digests(paths, COMPILED_ENV), _digests(paths, PURE)
    assert len(compiled) == len(pure) == 2 * len(paths)
    assert [key for key in compiled if compiled[key] != pure[key]] == []


@needs_compiled
def test_compiled_and_interpreted_decide_alike_on_the_shipped_kernels_and_lit_inputs():
    paths = sorted(glob.glob(os.path.join(REPO, "kernels", "**", "*.cpp"), recursive=True))
    paths += sorted(glob.glob(os.path.join(REPO, "lit_tests", "**", "*.cpp"), recursive=True))
    assert len(paths) > 20
    _assert_builds_decide_alike(paths)


@needs_compiled
def test_compiled_and_interpreted_decide_alike_on_the_corpus(corpus_dir):
    paths = sorted(glob.glob(os.path.join(corpus_dir, "**", "*.cpp"), recursive=True))
    assert len(paths) > 100
    _assert_builds_decide_alike(paths)


def _setup_module(monkeypatch) -> dict:
    """setup.py's functions, its setup() call left out (and nothing compiled)."""
    import runpy

    import setuptools
    monkeypatch.setattr(setuptools, "setup", lambda **_options: None)
    monkeypatch.setenv(ptofix.PURE_PYTHON_VARIABLE, "1")
    return runpy.run_path(os.path.join(REPO, "setup.py"))


def test_a_second_install_reuses_the_in_place_build_only_when_it_is_current(tmp_path, monkeypatch):
    import sysconfig
    setup = _setup_module(monkeypatch)
    names = ["ptofix.a", "ptofix.sub.b"]
    crcs = {name: zlib.crc32(name.encode()) for name in names}
    options = "mypy-9.9/O3/flags"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = [tmp_path / "ptofix" / f"a{suffix}", tmp_path / "ptofix" / "sub" / f"b{suffix}",
             tmp_path / f"ptofix_native__mypyc{suffix}"]
    for path in built:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    record = tmp_path / "ptofix" / ptofix.BUILD_RECORD
    record.write_text("".join(f"{name} {crc}\n" for name, crc in crcs.items()) + f"build-options {options}\n")

    def current(crcs: dict = crcs, options: str = options) -> bool:
        return setup["in_place_build_is_current"](str(tmp_path), crcs, options, ptofix.BUILD_RECORD)

    assert current()
    assert not current(options="mypy-9.9/O0/flags")            # another optimisation level
    assert not current({**crcs, "ptofix.a": crcs["ptofix.a"] + 1})     # an edited source
    assert not current({**crcs, "ptofix.c": 1})                 # a module added since
    built[2].unlink()                                           # the shared library missing
    assert not current()
    built[2].write_bytes(b"")
    record.write_text(record.read_text().replace("build-options", "other"))   # a record of before
    assert not current()


_HEAD = ("#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n__global__ AICORE void k(__gm__ float* a) {\n"
         "  Tile<TileType::Vec, float, 16, 64> v1;\n  Tile<TileType::Vec, float, 16, 64> v2;\n"
         "  TASSIGN(v1, 0);\n  TASSIGN(v2, 8192);\n")
_TAIL = "  TADD(v1, v1, v1);\n  pipe_barrier(PIPE_V);\n  TADD(v2, v2, v2);\n}\n"


def _chain(name: str, n: int) -> str:
    """A kernel nested ``n`` deep in one way (an expression, a chain of definitions, of calls...)."""
    body = {
        "brackets": "  int32_t x = " + "(" * n + "1" + ")" * n + ";\n",
        "sum": "  int32_t x = " + " + ".join(["1"] * n) + ";\n",
        "negations": "  int32_t x = " + "- " * n + "1;\n",
        "conditionals": "  int32_t x = " + "1 ? 2 : " * n + "3;\n",
        "casts": "  int32_t x = " + "(int32_t) " * n + "1;\n",
        "calls": "  int32_t x = " + "f(" * n + "1" + ")" * n + ";\n",
        "subscripts": "  int32_t x = a" + "[0]" * n + ";\n",
        "templates": "  X" + "<Y" * n + ">" * n + " w;\n",
        "definitions": "".join(f"  int32_t a{i} = {f'a{i - 1} + 1' if i else '0'};\n" for i in range(n))
                       + f"  TASSIGN(v2, 8192 + a{n - 1} * 0);\n",
        "pointers": "  __ubuf__ float* q0 = v1.data();\n"
                    + "".join(f"  __ubuf__ float* q{i} = q{i - 1} + 1;\n" for i in range(1, n))
                    + f"  TASSIGN(v2, (uint64_t)q{n - 1});\n",
        "blocks": "  {\n" * min(n, 199) + "  int32_t x = " + "(" * 60 + "1" + ")" * 60 + ";\n" + _TAIL[:-2]
                  + "  }\n" * min(n, 199),
    }
    if name == "callees":
        functions = "".join(f"AICORE void f{i}() {{ {f'f{i + 1}();' if i < n - 1 else ''} }}\n"
                            for i in reversed(range(n)))
        return "#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n" + functions + _HEAD.split("\n", 2)[2] \
            + "  f0();\n" + _TAIL
    if name == "namespaces":
        return ("#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n" + "namespace a {\n" * n
                + _HEAD.split("\n", 2)[2] + _TAIL + "}\n" * n)
    if name == "helpers":       # a chain of helpers, none of which spells a flag
        functions = "".join(f"static AICORE void f{i}() {{ {f'f{i + 1}();' if i < n - 1 else ''} }}\n"
                            for i in reversed(range(n)))
        return ("#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n" + functions + _HEAD.split("\n", 2)[2]
                + "  set_flag(PIPE_V, PIPE_S, EVENT_ID0);\n  f0();\n  wait_flag(PIPE_V, PIPE_S, EVENT_ID0);\n" + _TAIL)
    if name == "shapes":        # each tile's valid rows read from the one before
        tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, -1, -1>"
        return _HEAD + f"  {tile} t0(4, 4);\n" + "".join(f"  {tile} t{i}(t{i - 1}.GetValidRow(), 4);\n"
                                                         for i in range(1, n)) \
            + f"  TASSIGN(t{n - 1}, 0);\n  TADD(t{n - 1}, t{n - 1}, t{n - 1});\n" + _TAIL
    if name == "commas":        # beyond the fast parsers: the grammar's (non-recursive) transformer
        return _HEAD + "  int32_t x = 8192;\n  int32_t y = 0;\n  x = 8192, y++" + ", 0" * n + ";\n" + _TAIL
    if name == "sums":          # definitions read through one another, each a deep sum, inside nested blocks
        depth = min(n, 150)
        defs = "".join(f"  int64_t a{i} = {f'a{i - 1}' if i else '1024'}" + " + 0" * 62 + ";\n" for i in range(31))
        return _HEAD + "  {\n" * depth + defs + "  TASSIGN(v2, a30);\n" + _TAIL[:-2] + "  }\n" * depth + "}\n"
    if name == "copies":
        tile = "Tile<TileType::Vec, float, 16, 64, -1, -1>"
        return _HEAD + f"  {tile} c0(4, 4);\n" + "".join(f"  {tile} c{i} = c{i - 1};\n" for i in range(1, n)) \
            + f"  TASSIGN(c{n - 1}, 0);\n  TADD(c{n - 1}, c{n - 1}, c{n - 1});\n" + _TAIL
    return _HEAD + body[name] + _TAIL


CHAINS = ["brackets", "sum", "negations", "conditionals", "casts", "calls", "subscripts", "templates",
          "definitions", "pointers", "blocks", "callees", "copies", "namespaces", "helpers", "shapes", "commas", "sums"]


@needs_compiled
@pytest.mark.parametrize("name", CHAINS)
def test_inputs_nested_past_every_bound_neither_crash_nor_decide_differently(name, tmp_path):
    """Each nesting at a depth a compiled recursion would not survive unbounded (~20000; the
    expression forms also at 100000), and at 40, below the bounds: both builds exit 0 and write
    the same kernel."""
    sizes = [40, 20000] + ([100000] if name in ("brackets", "sum", "negations", "casts", "calls") else [])
    for n in sizes:
        kernel = tmp_path / f"{name}_{n}.cpp"
        kernel.write_text(_chain(name, n))
        results = []
        for env, tag in ((COMPILED_ENV, "compiled"), (PURE, "pure")):
            out = tmp_path / f"{name}_{n}.{tag}.cpp"
            proc = subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel),
                                   "-o", str(out)], env=env, capture_output=True, text=True, cwd=REPO, timeout=600)
            assert proc.returncode == 0, (tag, n, proc.returncode, proc.stderr[-2000:])
            if name == "namespaces" and n > 200:
                # Past tokens.MAX_NESTING: valid C++ read as Unknown, the file unchanged, said on stderr.
                assert out.read_bytes() == kernel.read_bytes() and "nest" in proc.stderr, (tag, proc.stderr[-2000:])
            results.append(hashlib.sha256(out.read_bytes()).hexdigest())
        assert results[0] == results[1], (name, n)


def _fan_in(kind: str, n: int) -> str:
    """Each of n tiles built from the one before it twice over (a tile's binding or valid shape
    read along two paths): the shared parts must be read once, not once per path (2**n)."""
    if kind == "bindings":
        body = "".join(f"  Tile<TileType::Vec, float, 16, 64> t{i};\n" + f"  t{i} = t{i - 1};\n" * 3 for i in range(1, n))
        return _HEAD + "  Tile<TileType::Vec, float, 16, 64> t0;\n  TASSIGN(t0, 0);\n" + body \
            + f"  TADD(t{n - 1}, t{n - 1}, t{n - 1});\n" + _TAIL
    tile = "Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, -1, -1>"
    body = "".join(f"  {tile} t{i}(t{i - 1}.GetValidRow() + t{i - 2}.GetValidRow() - 4, 4);\n  TASSIGN(t{i}, 0);\n"
                   for i in range(2, n))
    return _HEAD + f"  {tile} t0(4, 4);\n  {tile} t1(4, 4);\n  TASSIGN(t0, 0);\n  TASSIGN(t1, 0);\n" + body \
        + f"  TADD(t{n - 1}, t{n - 1}, t{n - 1});\n" + _TAIL


@pytest.mark.parametrize("kind", ["bindings", "shapes"])
def test_values_read_along_many_paths_are_read_once(kind):
    import time

    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import SourceText
    text = _fan_in(kind, 60)
    start = time.process_time()
    run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    assert time.process_time() - start < 20      # (2**60 reads would never end; once each, a few ms)


def test_literals_no_integer_type_holds_are_no_numbers():
    from ptofix.cpp import stmt_parser as A
    huge = "1" + "0" * 5000
    value = A.parse_statement(f"int64_t x = {huge};").init.value
    assert value != value                            # NaN: no reader takes it for an integer
    assert A.parse_statement("int64_t x = 18446744073709551615;").init.value == 2 ** 64 - 1


def test_a_global_tensor_shape_with_a_floating_dimension_is_not_static():
    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import SourceText
    for dim in ("1e999", "nan", "16.0"):
        text = _HEAD.replace("AICORE void k(__gm__ float* a) {", "AICORE void k(__gm__ float* a) {\n"
                             f"  GlobalTensor<float, pto::Shape<1, 1, 1, {dim}, 64>, "
                             "pto::Stride<1024, 1024, 1024, 64, 1>> g(a);") \
            + "  TSQRT(v1, v1);\n  pipe_barrier(PIPE_V);\n  TLOAD(v1, g);\n  TEXP(v1, v1);\n}\n"
        result = run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
        assert result.text == text, dim                # kept: the TLOAD may not rewrite all of v1


@pytest.mark.slow
def test_a_signal_during_a_long_compiled_stretch_ends_the_run_at_once(tmp_path):
    """Compiled code runs no Python signal handler: the analysis calls an interpreted checkpoint
    every few hundred statements (signals.checkpoint), so SIGTERM and Ctrl-C still end a run at
    once (143, 130), the output untouched."""
    import signal
    import time
    # (49000 pairs: under the statement cap of one file, parser.MAX_STATEMENTS, past which a file is
    # left unanalysed at once.)
    body = "".join(f"  TADD(v{i % 8}, v{i % 8}, v{(i + 1) % 8});\n  pipe_barrier(PIPE_V);\n" for i in range(49000))
    tiles = "".join(f"  Tile<TileType::Vec, float, 16, 64> v{i};\n  TASSIGN(v{i}, {i * 4096});\n" for i in range(8))
    kernel = tmp_path / "big.cpp"
    kernel.write_text("#include \"pto/pto-inst.hpp\"\nusing namespace pto;\n__global__ AICORE void k() {\n"
                      + tiles + body + "}\n")
    out = tmp_path / "out.cpp"
    for signum, status in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        proc = subprocess.Popen([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o", str(out)],
                                cwd=REPO, env=COMPILED_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        # (Start-up done, the analysis under way: 1.5 s of the run's own CPU time, whatever the
        # machine's load; the whole run takes ~4.7 s of CPU compiled.)
        while (used := _cpu_seconds(proc.pid)) is not None and used < 1.5:
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before the signal: make the kernel larger"
        proc.send_signal(signum)
        # It ends within a second of its own CPU time after the signal (a loaded machine may give
        # it less than a core: its CPU time, not the wall clock, says whether it stopped at once).
        deadline = time.monotonic() + 60
        while not (ended := os.wait4(proc.pid, os.WNOHANG))[0]:
            assert time.monotonic() < deadline, "the run did not end"
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(ended[1])
        assert proc.returncode == status
        assert ended[2].ru_utime + ended[2].ru_stime - used < 1.0
        assert not out.exists()


def _cpu_seconds(pid: int) -> float | None:
    """The user and system CPU time a running process has used (/proc/PID/stat's utime and stime,
    proc(5)), None once it has ended."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("kind", ["shapes", "waiting"])
def test_many_shapes_or_names_waiting_for_a_value_take_linear_time(kind):
    """Every op reads its operands' valid shapes (kept per tile, and more than MAX_VALUES distinct
    ones are unknown); each name declared without a value waits for the statement that binds it
    (found by one scan of a block, not one per name): both were quadratic (minutes at ~10000)."""
    import time

    from ptofix.frontends import PARSERS
    from ptofix.pass_manager import build_pass, run_pipeline
    from ptofix.source import SourceText
    n = 6000
    tile16 = "Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16>"
    if kind == "shapes":
        body = ("  Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, -1, -1> x(16, 16);\n"
                "  Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1> d;\n"
                f"  {tile16} t;\n  TASSIGN(x, 0);\n  TASSIGN(d, 1024);\n  TASSIGN(t, 2048);\n"
                + "".join(f"  x.SetValidShape(16, {1 + i % 16});\n" for i in range(n))
                + "  TROWSUM(d, x, t);\n" * n)
    else:
        body = (f"  {tile16} t;\n  TASSIGN(t, 0);\n" + "".join(f"  int x{i};\n" for i in range(n))
                + "  {\n" + "".join(f"    x{i} = {i};\n" for i in range(n)) + "  }\n")
    text = (_HEAD.split("\n", 2)[0] + "\nusing namespace pto;\n__global__ AICORE void k() {\n" + body
            + "  TADD(t, t, t);\n  pipe_barrier(PIPE_V);\n  TADD(t, t, t);\n}\n")
    start = time.process_time()
    run_pipeline(SourceText(text, "k.cpp"), [build_pass("pipe-v-barrier", {"pattern": "auto"})], PARSERS)
    assert time.process_time() - start < 30          # (quadratic: minutes; linear: about a second)


def test_no_interpreted_class_derives_from_a_compiled_one():
    """mypyc's classes cannot be subclassed by interpreted ones ("TypeError: interpreted classes
    cannot inherit from compiled", raised when the module is first imported in the compiled build
    only): a module that defines a subclass of a class of a compiled module must be compiled too.
    The interpreted build cannot show it by running, so this reads every module's classes (the CI
    run of 75de079 failed 6 tests of tests/commands/test_check.py this way: ptofix.cpp.flag_chains
    derived from structs.Struct and was not compiled)."""
    import importlib
    import inspect
    import pkgutil
    compiled = set(ptofix.COMPILED_MODULES)
    wrong = []
    for info in pkgutil.walk_packages(ptofix.__path__, "ptofix."):
        if info.name in compiled or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if inspect.isclass(cls) and cls.__module__ == info.name:
                wrong += [f"{info.name}.{name} derives from {base.__module__}.{base.__qualname__}"
                          for base in cls.__mro__[1:] if base.__module__ in compiled]
    assert not wrong, wrong
