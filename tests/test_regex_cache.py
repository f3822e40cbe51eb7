"""The cross-process regex cache builds the patterns ``re.compile`` builds, ignores a file it
cannot trust, and writes only where bytecode may be written."""
from __future__ import annotations

import glob
import marshal
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ptofix.cpp.barriers
import ptofix.cpp.fast_expr
import ptofix.cpp.parser
import ptofix.cpp.pipes
import ptofix.ir.parser
import ptofix.sim.interp  # noqa: F401 - their patterns fill the cache
from ptofix import regex_cache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _patterns() -> list[tuple[str, int]]:
    """The patterns the modules imported here compiled through the cache."""
    entries = regex_cache._load()
    return sorted(key for key in regex_cache._used if key in entries)


def _from_cache(pattern: str, flags: int) -> re.Pattern:
    """The pattern as a later process builds it: from the stored codes, not compiled."""
    packed = regex_cache._load()[(pattern, flags)]
    import _sre  # type: ignore[import-not-found]
    return _sre.compile(pattern, *marshal.loads(packed))


def test_the_front_end_patterns_go_through_the_cache():
    assert len(_patterns()) >= 30
    assert (ptofix.cpp.parser._TOKEN_RE.pattern, ptofix.cpp.parser._TOKEN_RE.flags & ~re.UNICODE) in \
        {(p, f & ~re.UNICODE) for p, f in _patterns()}


def test_a_cached_pattern_is_the_compiled_one():
    for pattern, flags in _patterns():
        cached, fresh = _from_cache(pattern, flags), re.compile(pattern, flags)
        assert (cached.pattern, cached.flags, cached.groups, cached.groupindex) == \
            (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)


def _samples() -> list[str]:
    """Real statement and IR text: the cpp and pto fixtures of this repository."""
    texts = []
    paths = [path for ext in ("cpp", "pto", "mlir") for where in ("lit_tests", "kernels")
             for path in sorted(glob.glob(os.path.join(ROOT, where, "**", f"*.{ext}"), recursive=True))
             if f"{os.sep}Output{os.sep}" not in path]
    for path in paths[:120]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            texts.extend(handle.read().splitlines())
    return texts


def _same_matches(text: str) -> None:
    for pattern, flags in _patterns():
        cached, fresh = _from_cache(pattern, flags), re.compile(pattern, flags)
        for pos in (0, len(text) // 2):
            a, b = cached.match(text, pos), fresh.match(text, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (pattern, text)
        assert [m.span() for m in cached.finditer(text)] == [m.span() for m in fresh.finditer(text)]


def test_cached_patterns_match_like_compiled_ones_on_real_text():
    lines = _samples()
    assert len(lines) > 500
    for line in lines:
        _same_matches(line)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ_09 \t\n;:,.<>()[]{}#/*\"'=+-&%@^!?\\x")), max_size=60))
def test_cached_patterns_match_like_compiled_ones_on_random_text(text):
    _same_matches(text)


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    path = tmp_path / "regex.marshal"
    monkeypatch.setattr(regex_cache, "_PATH", str(path))
    monkeypatch.setattr(regex_cache, "_entries", None)
    monkeypatch.setattr(regex_cache, "_dirty", False)
    return path


@pytest.mark.parametrize("content", [b"", b"garbage", marshal.dumps(("other tag", 0, b"")), None])
def test_an_unusable_cache_file_is_ignored(private_cache, content):
    if content is None:   # right tag, wrong checksum: a flipped byte in the codes
        blob = marshal.dumps({("a+", 0): marshal.dumps((32, [99, 99], 0, {}, ()))})
        content = marshal.dumps((regex_cache._TAG, 12345, blob))
    private_cache.write_bytes(content)
    compiled = regex_cache.compile(r"(a+)b")
    assert compiled.match("aab").group(1) == "aa"
    assert regex_cache._load().keys() == {(r"(a+)b", 0)}


def test_save_round_trips_and_respects_dont_write_bytecode(private_cache, monkeypatch):
    regex_cache.compile(r"x(?P<y>\d+)", re.I)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    regex_cache.save()
    assert not private_cache.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    regex_cache.save()
    assert private_cache.exists() and not list(private_cache.parent.glob("*.tmp"))
    monkeypatch.setattr(regex_cache, "_entries", None)
    again = regex_cache.compile(r"x(?P<y>\d+)", re.I)
    assert again.match("X42").group("y") == "42" and not regex_cache._dirty


def test_a_bad_pattern_raises_as_re_does(private_cache):
    with pytest.raises(re.error):
        regex_cache.compile(r"(unclosed")


def test_the_cli_writes_the_cache_like_bytecode(tmp_path):
    """A run without PYTHONDONTWRITEBYTECODE leaves the cache beside the .pyc files."""
    # (Under the run's PYTHONPYCACHEPREFIX, tests/conftest.py: the subprocess inherits it.)
    existing = os.path.dirname(regex_cache._PATH)
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    if not os.access(existing, os.W_OK):
        pytest.skip("ptofix's bytecode cache directory cannot be written here")
    if os.path.exists(regex_cache._PATH):
        os.unlink(regex_cache._PATH)
    kernel = tmp_path / "k.cpp"
    kernel.write_text("AICORE void f() {\n  pipe_barrier(PIPE_V);\n}\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o",
                    str(tmp_path / "out.cpp")], check=True, env=env, cwd=tmp_path)
    assert os.path.isfile(regex_cache._PATH)


PATTERN_TEXTS = """
import ptofix.cli, ptofix.cpp.barriers, ptofix.cpp.fast_expr, ptofix.cpp.pipes, ptofix.ir.parser
from ptofix import regex_cache
print(sorted(regex_cache._used))
"""


def test_pattern_texts_do_not_depend_on_the_hash_seed():
    """A pattern built from a set in hash order would miss the cache in every other process."""
    runs = [subprocess.run([sys.executable, "-c", PATTERN_TEXTS], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) > 1000


def test_a_save_past_half_the_cap_keeps_the_patterns_in_use(private_cache, monkeypatch):
    monkeypatch.setattr(regex_cache, "_used", set())
    monkeypatch.setattr(regex_cache, "_MAX_ENTRIES", 8)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    for index in range(6):
        regex_cache.compile(f"old{index}+")
    monkeypatch.setattr(regex_cache, "_used", set())
    regex_cache.compile(r"new+")
    regex_cache.save()
    monkeypatch.setattr(regex_cache, "_entries", None)
    assert set(regex_cache._load()) == {(r"new+", 0)}
