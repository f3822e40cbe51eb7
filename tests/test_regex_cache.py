"""The cross-process regex cache builds the patterns ``re.compile`` builds, ignores a file it
cannot trust (another Python's, another user's, one others may write), and writes only into the
user's cache directory, never into the installed package."""
from __future__ import annotations

import glob
import marshal
import os
import re
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ptofix.cpp.barriers
import ptofix.cpp.fast_expr
import ptofix.cpp.parser
import ptofix.cpp.pipes
import ptofix.cpp.tokens
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
    assert (ptofix.cpp.tokens._TOKEN_RE.pattern, ptofix.cpp.tokens._TOKEN_RE.flags & ~re.UNICODE) in \
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


@pytest.mark.slow   # (3 s of CPU or more, measured: CI's full tier runs it)
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
    """The cache file in a fresh cache directory of this user's (mode 0700), nothing loaded yet."""
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    monkeypatch.setenv("PTOFIX_CACHE_DIR", str(directory))
    monkeypatch.setattr(regex_cache, "_entries", None)
    monkeypatch.setattr(regex_cache, "_dirty", False)
    path = Path(regex_cache.cache_file())
    assert path.parent == directory
    return path


def _cache_file_of(tag: tuple, entries: dict) -> bytes:
    blob = marshal.dumps(entries)
    return regex_cache._head(tag) + zlib.crc32(blob).to_bytes(4, "big") + blob


# (An entry for the pattern whose codes would match anything: used, it would show.)
WRONG_CODES = {(r"(a+)b", 0): marshal.dumps((32, [1], 0, {}, ()))}


@pytest.mark.parametrize("content", [
    b"", b"garbage", marshal.dumps(("other tag", 0, b"")),
    "checksum",             # right tag, wrong checksum: a flipped byte in the codes
    "python",               # another Python version with the same cache tag and engine
    # (Damaged: marshal read its `[` as lists of 1.5 billion items, nested, for minutes: #60.)
    b"[" * 200_000,
    "old format",           # the envelope marshalled, as before
])
def test_an_unusable_cache_file_is_ignored(private_cache, content):
    if content == "checksum":
        blob = marshal.dumps(WRONG_CODES)
        content = regex_cache._HEAD + (12345).to_bytes(4, "big") + blob
    elif content == "old format":
        blob = marshal.dumps(WRONG_CODES)
        content = marshal.dumps((regex_cache._TAG, zlib.crc32(blob), blob))
    elif content == "python":
        tag = regex_cache._TAG
        content = _cache_file_of((tag[0], tag[1] + " (another build)", *tag[2:]), WRONG_CODES)
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


def test_a_cache_of_the_right_python_is_used(private_cache):
    """The check above has teeth: the same file under this Python's tag is read (its wrong codes
    match where the pattern would not)."""
    private_cache.write_bytes(_cache_file_of(regex_cache._TAG, WRONG_CODES))
    assert regex_cache.compile(r"(a+)b").match("zzz") is not None


@pytest.mark.parametrize("others_may_write", ["directory", "file"])
def test_a_cache_others_may_write_is_neither_read_nor_written(private_cache, monkeypatch, others_may_write):
    private_cache.write_bytes(_cache_file_of(regex_cache._TAG, WRONG_CODES))
    writable = private_cache.parent if others_may_write == "directory" else private_cache
    writable.chmod(0o777 if others_may_write == "directory" else 0o666)
    assert regex_cache.compile(r"(a+)b").match("zzz") is None
    assert regex_cache._dirty
    before = private_cache.read_bytes()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    regex_cache.save()
    if others_may_write == "directory":
        assert private_cache.read_bytes() == before, "a cache written into a directory others may write"
    else:       # replaced by a file of this user's alone
        assert stat.S_IMODE(private_cache.stat().st_mode) == 0o600 and private_cache.read_bytes() != before


def _package_files() -> dict[str, int]:
    """Every file of the installed package (sources and data; Python's own .pyc files aside), with
    its modification time."""
    found = {}
    for package in (os.path.join(ROOT, "ptofix"), os.path.join(ROOT, "passes")):
        for directory, _, names in os.walk(package):
            for name in names:
                if not name.endswith(".pyc"):
                    path = os.path.join(directory, name)
                    found[path] = os.stat(path).st_mtime_ns
    return found


def test_the_cli_writes_the_cache_into_the_user_cache_directory_only(tmp_path):
    """A run without PYTHONDONTWRITEBYTECODE leaves the cache in $PTOFIX_CACHE_DIR (created 0700,
    the file 0600), and writes nothing into the installed package."""
    in_package = _package_files()
    assert len(in_package) > 50
    kernel = tmp_path / "k.cpp"
    kernel.write_text("AICORE void f() {\n  pipe_barrier(PIPE_V);\n}\n")
    cache = tmp_path / "user" / "cache"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PTOFIX_CACHE_DIR"] = str(cache)
    subprocess.run([sys.executable, "-m", "ptofix", "run", "--pattern", "auto", str(kernel), "-o",
                    str(tmp_path / "out.cpp")], check=True, env=env, cwd=tmp_path)
    written = cache / os.path.basename(regex_cache.cache_file())
    assert written.is_file() and [p.name for p in cache.iterdir()] == [written.name]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(written.stat().st_mode) == 0o600
    assert _package_files() == in_package


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
