"""``ptofix perf`` never runs what it did not build, never hangs, and leaves nothing behind (issue 69).

Most tests build with a stand-in compiler (a shell script: ``--version``, ``-c`` writes an object,
a link writes a program that prints Perf-Sim's report) against a stand-in checkout (the one header
perf looks for), so they take a fraction of a second and fail before any real compile; the few that
need g++ or pto-isa are marked."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptofix.perf import build
from ptofix.perf.build import checkout_files, default_cache_dir, entry_problem, prepare_checkout, prune_cache
from ptofix.source import PtofixError

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = Path(os.environ.get("PTOFIX_PTO_ISA") or ROOT.parent / "shared" / "pto-isa" / "f35e7f60")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OTHER_UID = 4242
needs_root = pytest.mark.skipif(not IS_ROOT, reason="making files another user owns needs root")
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="no g++")

KERNEL = """#include "pto/pto-inst.hpp"
extern "C" __global__ AICORE void add_kernel(__gm__ float* v0, int32_t n) {
  return;
}
"""

# The stand-in compiler. -c: an object (FAKE_HANG: a grandchild that sleeps, as cc1plus under the
# g++ driver, after writing the partial object and its pid). Link: a program printing a report.
FAKE_CXX = r"""#!/bin/sh
if [ "$1" = "--version" ]; then echo "fake-cxx 1.0"; exit 0; fi
out=""; compile=0; prev=""
for a in "$@"; do
  if [ "$prev" = "-o" ]; then out="$a"; fi
  if [ "$a" = "-c" ]; then compile=1; fi
  prev="$a"
done
if [ -n "$FAKE_LIMITS" ]; then ulimit -v > "$FAKE_LIMITS"; fi
if [ $compile = 1 ]; then
  echo "object $*" > "$out"
  if [ -n "$FAKE_HANG" ]; then
    sleep 1000 &
    echo $! > "$FAKE_HANG.$$.part"; mv "$FAKE_HANG.$$.part" "$FAKE_HANG.$$"
    wait
  fi
  exit 0
fi
cat > "$out" <<'PROGRAM'
#!/bin/sh
if [ -n "$FAKE_ARGS" ]; then echo "$*" >> "$FAKE_ARGS"; fi
echo "Total cycles : 100"
echo "Instructions : 3"
echo "ptofix perf stuck entries: 0"
mkdir -p perf_sim_output
printf 'unit,active_cycles,vec_cycles,cube_cycles\nAIV0,50,40,0\nAIC,20,0,7\n' > perf_sim_output/ptofix_perf_kernel_pipeline_summary.csv
PROGRAM
chmod +x "$out"
"""

PLANTED = """#!/bin/sh
touch {marker}
echo "Total cycles : 999999"
echo "Instructions : 3"
echo "ptofix perf stuck entries: 0"
mkdir -p perf_sim_output
printf 'unit,active_cycles,vec_cycles,cube_cycles\\nAIV0,1,1,0\\n' > perf_sim_output/ptofix_perf_kernel_pipeline_summary.csv
"""


@pytest.fixture
def bed(tmp_path):
    return make_setup(tmp_path)


def make_setup(tmp_path: Path) -> tuple[Path, Path, Path, dict]:
    """(kernel, stand-in checkout, stand-in compiler, environment) in a directory any user may read."""
    os.chmod(tmp_path, 0o755)
    kernel = tmp_path / "k.cpp"
    kernel.write_text(KERNEL, encoding="utf-8")
    checkout = tmp_path / "isa"
    launch = checkout / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp"
    launch.parent.mkdir(parents=True)
    launch.write_text("// stand-in\n", encoding="utf-8")
    (checkout / "include" / "pto" / "pto-inst.hpp").write_text("// stand-in\n", encoding="utf-8")
    cxx = tmp_path / "fake-cxx"
    cxx.write_text(FAKE_CXX, encoding="utf-8")
    cxx.chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir(mode=0o1777)
    scratch.chmod(0o1777)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTOFIX_", "XDG_", "FAKE_"))}
    env.update(TMPDIR=str(scratch), PTOFIX_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    return kernel, checkout, cxx, env


class Done:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def perf(bed, capsys, monkeypatch):
    """``ptofix perf KERNEL --pto-isa CHECKOUT --cxx FAKE ARGV`` in this process, with the
    environment ``env`` (default: the bed's), in ``cwd``, $TMPDIR the bed's scratch."""
    kernel, checkout, cxx, base = bed

    def run(*argv: str, env: dict | None = None, cwd: Path | None = None) -> Done:
        import tempfile

        from ptofix.cli import main
        env = env or base
        capsys.readouterr()
        with monkeypatch.context() as patch:
            for name in list(os.environ):
                if name not in env:
                    patch.delenv(name)
            for name, value in env.items():
                patch.setenv(name, value)
            patch.setattr(tempfile, "tempdir", base["TMPDIR"])
            if cwd is not None:
                patch.chdir(cwd)
            try:
                status = main(["perf", str(kernel), "--pto-isa", str(checkout), "--cxx", str(cxx), *argv])
            except SystemExit as exc:       # (argparse's usage errors)
                status = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Done(status, out, err)
    return run


def entries(cache: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache / kind).iterdir() if not p.name.endswith((".sha256", ".tmp")))


def plant(entry: Path, text: str, uid: int | None = None, mode: int = 0o700, sidecar: bool = True) -> None:
    """Replace a cache entry with ``text``, its recorded SHA-256 forged to match."""
    entry.unlink()
    entry.write_text(text, encoding="utf-8")
    entry.chmod(mode)
    if sidecar:
        Path(str(entry) + ".sha256").write_text(hashlib.sha256(text.encode()).hexdigest() + "\n", encoding="ascii")
    if uid is not None:
        os.chown(entry, uid, uid)
        os.chown(str(entry) + ".sha256", uid, uid)


# ---- 1. the cache is never an authority ---------------------------------------------------------------------------

def test_a_build_makes_private_directories_and_records_each_entry_hash(perf, bed, tmp_path):
    done = perf()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{bed[0]}: 100 cycles (reference), VEC critical 50, VEC busy 40, CUBE busy 7")
    cache = tmp_path / "cache" / "perf"
    for directory in (cache, cache / "obj", cache / "bin", *cache.glob("pto-isa-*")):
        st = os.lstat(directory)
        assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid(), directory
    binary, = entries(cache, "bin")
    recorded = Path(str(binary) + ".sha256").read_text(encoding="ascii").strip()
    assert recorded == hashlib.sha256(binary.read_bytes()).hexdigest()
    assert len(entries(cache, "obj")) == 3
    again = perf()
    assert again.returncode == 0 and "ptofix: note:" not in again.stderr


@needs_root
@pytest.mark.parametrize("how", ["another user's", "writable by others", "not what was recorded"])
def test_a_planted_binary_is_never_run(perf, bed, tmp_path, how):
    assert perf().returncode == 0
    cache = tmp_path / "cache" / "perf"
    binary, = entries(cache, "bin")
    marker = tmp_path / "planted-ran"
    if how == "another user's":
        plant(binary, PLANTED.format(marker=marker), uid=OTHER_UID)
    elif how == "writable by others":
        plant(binary, PLANTED.format(marker=marker), mode=0o777)
    else:
        plant(binary, PLANTED.format(marker=marker), sidecar=False)
    done = perf()
    assert not marker.exists()
    assert done.returncode == 0, done.stderr
    assert "999999" not in done.stdout and ": 100 cycles" in done.stdout
    assert f"the cached {binary} is not used" in done.stderr and "it is built again" in done.stderr
    rebuilt, = entries(cache, "bin")
    assert rebuilt.stat().st_uid == os.geteuid() and b"999999" not in rebuilt.read_bytes()


@needs_root
def test_a_cache_directory_another_user_owns_is_refused_before_anything_runs(perf, bed, tmp_path):
    """The shared-cache attack: the perf directory (with a planted program whose hash is recorded)
    belongs to another user; nothing in it runs, exit 2 with the reason."""
    assert perf().returncode == 0
    cache = tmp_path / "cache" / "perf"
    binary, = entries(cache, "bin")
    marker = tmp_path / "planted-ran"
    plant(binary, PLANTED.format(marker=marker))
    for path in [cache, *cache.rglob("*")]:
        os.chown(path, OTHER_UID, OTHER_UID, follow_symlinks=False)
    cache.chmod(0o1777)
    done = perf()
    assert done.returncode == 2 and done.stdout == "" and not marker.exists()
    assert f"the cache directory {cache} is not used: it is owned by uid {OTHER_UID}" in done.stderr


@needs_root
def test_a_checkout_copy_with_a_file_of_another_user_is_made_again(perf, bed, tmp_path):
    assert perf().returncode == 0
    copy, = (tmp_path / "cache" / "perf").glob("pto-isa-*")
    header = copy / "include" / "pto" / "pto-inst.hpp"
    header.write_text("#error planted\n", encoding="utf-8")
    os.chown(header, OTHER_UID, OTHER_UID)
    done = perf()
    assert done.returncode == 0, done.stderr
    assert f"the cached checkout copy {copy} is not used ({header}: it is owned by uid {OTHER_UID}" in done.stderr
    assert header.read_text(encoding="utf-8") == "// stand-in\n" and header.stat().st_uid == os.geteuid()


@pytest.mark.parametrize("kind", ["bin", "obj"])
def test_an_emptied_entry_is_built_again_with_a_note(perf, bed, tmp_path, kind):
    """(main: an emptied binary was exit 3 on every run; an emptied object a link error naming
    another object.)"""
    assert perf().returncode == 0
    emptied = entries(tmp_path / "cache" / "perf", kind)[0]
    emptied.write_bytes(b"")
    done = perf()
    assert done.returncode == 0, done.stderr
    assert f"the cached {emptied} is not used (it is empty): it is built again" in done.stderr
    assert emptied.stat().st_size > 0


def test_a_relative_cache_dir_is_made_absolute(perf, bed, tmp_path):
    """(main: every run with a relative --cache-dir, $PTOFIX_CACHE_DIR or $XDG_CACHE_HOME failed
    after building, exit 3.)"""
    work = tmp_path / "work"
    work.mkdir()
    done = perf("--cache-dir", "rel", cwd=work)
    assert done.returncode == 0, done.stderr
    assert len(entries(work / "rel", "bin")) == 1
    env = {**bed[3], "PTOFIX_CACHE_DIR": "relenv"}
    done = perf(env=env, cwd=work)
    assert done.returncode == 0, done.stderr
    assert len(entries(work / "relenv" / "perf", "bin")) == 1
    env = {k: v for k, v in bed[3].items() if k != "PTOFIX_CACHE_DIR"}
    env.update(XDG_CACHE_HOME="relxdg", HOME=str(tmp_path / "home"))
    done = perf(env=env, cwd=work)      # (a relative XDG_CACHE_HOME is ignored, as the spec says)
    assert done.returncode == 0, done.stderr
    assert not (work / "relxdg").exists()
    assert len(entries(tmp_path / "home" / ".cache" / "ptofix" / "perf", "bin")) == 1


def test_without_a_home_the_cache_is_the_users_directory_in_tmpdir(bed, tmp_path, monkeypatch, capsys):
    """No $HOME and no passwd entry (a container's arbitrary uid): $TMPDIR/ptofix-UID, as the other
    caches. (main: every run failed.) In this process: the passwd lookup is made to fail."""
    import pwd
    import tempfile

    from ptofix.cli import main

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")
    kernel, checkout, cxx, env = bed
    for name in ("HOME", "PTOFIX_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.setattr(tempfile, "tempdir", env["TMPDIR"])
    status = main(["perf", str(kernel), "--pto-isa", str(checkout), "--cxx", str(cxx)])
    assert status == 0, capsys.readouterr().err
    cache = Path(env["TMPDIR"]) / f"ptofix-{os.getuid()}" / "perf"
    assert len(entries(cache, "bin")) == 1 and stat.S_IMODE(os.lstat(cache).st_mode) == 0o700


def test_the_default_cache_is_the_other_caches_directory(monkeypatch, tmp_path):
    from ptofix import side_files
    monkeypatch.delenv("PTOFIX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == Path(side_files.cache_dir()) / "perf" == tmp_path / ".cache" / "ptofix" / "perf"


def test_entry_problems_name_why():
    assert entry_problem(Path("/nonexistent/x.o")) == ""


def test_pruning_keeps_the_cache_bounded_by_age_and_size(tmp_path):
    cache = tmp_path / "perf"
    (cache / "obj").mkdir(parents=True)
    now = time.time()
    made = []
    for age_days, name in [(40, "old.o"), (3, "mid.o"), (1, "new.o"), (0, "newest.o")]:
        path = cache / "obj" / name
        path.write_bytes(b"x" * 1000)
        Path(str(path) + ".sha256").write_text("0\n", encoding="ascii")
        os.utime(path, (now - age_days * 86400,) * 2)
        made.append(path)
    stale = cache / "obj" / "new.o.999.tmp"
    stale.write_bytes(b"x")
    os.utime(stale, (now - 2 * 86400,) * 2)
    prune_cache(cache, max_bytes=2500)
    left = sorted(p.name for p in (cache / "obj").iterdir())
    assert left == ["new.o", "new.o.sha256", "newest.o", "newest.o.sha256"]


# ---- 2. bounded work ----------------------------------------------------------------------------------------------

def test_dev_zero_as_the_kernel_is_refused_at_the_input_limit(bed):
    kernel, checkout, cxx, env = bed
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ptofix", "perf", "/dev/zero", "--pto-isa", str(checkout), "--cxx",
                           str(cxx)], env=env, capture_output=True, text=True, timeout=120, check=False)
    seconds = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert "/dev/zero: input larger than 64 MiB; refusing to read it" in done.stderr
    print(f"perf /dev/zero refused in {seconds:.2f} s")


@pytest.mark.parametrize("value, why", [
    ("4294967299", "is out of range for i32"), ("99999999999999999999", "is out of range for i32"),
    ("-2147483649", "is out of range for i32"), ("1.9", "is not a i32 number"), ("nan", "is not a i32 number"),
    ("inf", "is not a i32 number"), ("1e3", "is not a i32 number")])
def test_an_arg_value_the_parameter_type_cannot_hold_is_refused_before_anything_is_built(perf, bed, tmp_path, value,
                                                                                          why):
    """(main: n=4294967299 ran as 3, 1.9 as 1, nan as 0, 99999999999999999999 as -1, exit 0.)"""
    done = perf("--arg", f"n={value}")
    assert done.returncode == 2 and done.stdout == ""
    assert f"--arg value '{value}' {why}" in done.stderr and "parameter 'n' of 'add_kernel'" in done.stderr
    # Nothing built: no perf cache (the checkout is identified first, as every command's --pto-isa,
    # which may keep its header words beside it: pto/header_words.py).
    assert not (tmp_path / "cache" / "perf").exists()


def test_an_arg_value_in_range_reaches_the_program_as_given(perf, bed, tmp_path):
    log = tmp_path / "args"
    env = {**bed[3], "FAKE_ARGS": str(log)}
    done = perf("--arg", "n=2147483647", "--block-dim", "3", env=env)
    assert done.returncode == 0, done.stderr
    assert log.read_text(encoding="utf-8") == "3 2147483647\n"
    done = perf("--arg", "n=0x10", "--report", "json", env=env)
    assert done.returncode == 0 and '"n": "16"' in done.stdout


@pytest.mark.parametrize("value", ["4294967297", "20000", "257", "0", "-1", "1.5"])
def test_a_block_dim_past_the_maximum_is_refused(perf, bed, value):
    """(main: 4294967297 simulated 1 core while the report said 4294967297; 20000: std::bad_alloc.)"""
    done = perf("--block-dim", value)
    assert done.returncode == 2 and done.stdout == ""
    assert "argument --block-dim:" in done.stderr


def test_every_compiler_and_program_runs_under_the_memory_limit(perf, bed, tmp_path):
    limits = tmp_path / "limits"
    done = perf(env={**bed[3], "FAKE_LIMITS": str(limits)})
    assert done.returncode == 0, done.stderr
    assert limits.read_text(encoding="utf-8").strip() == str(build.MEMORY_LIMIT // 1024)


@pytest.mark.slow
def test_a_compiler_that_does_not_finish_is_killed_at_the_timeout(perf, bed, tmp_path):
    pid_file = tmp_path / "compiler-child"
    start = time.monotonic()
    done = perf("--timeout", "1", "-j", "1", env={**bed[3], "FAKE_HANG": str(pid_file)})
    seconds = time.monotonic() - start
    assert done.returncode == 2
    assert "the compiler did not finish within 1 s (--timeout" in done.stderr
    children = _pids(pid_file)
    assert children and not any(_alive(pid) for pid in children)
    assert _leftovers(tmp_path) == []
    print(f"a hanging compile stopped after {seconds:.2f} s with --timeout 1")


@pytest.mark.slow
@needs_gxx
def test_a_kernel_including_a_fifo_does_not_hang(bed, tmp_path):
    """g++ itself, against the stand-in checkout: it opens the FIFO and waits; --timeout ends it.
    (main: waited on g++ with no bound, even with --timeout 5.)"""
    kernel, checkout, _, env = bed
    os.mkfifo(tmp_path / "fifo.h")
    kernel.write_text('#include "fifo.h"\n' + KERNEL, encoding="utf-8")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ptofix", "perf", str(kernel), "--pto-isa", str(checkout),
                           "--cxx", "g++", "--timeout", "3"], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    seconds = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert "did not finish within 3 s" in done.stderr
    assert _leftovers(tmp_path) == [] and not _processes_under(tmp_path)
    print(f"a kernel #including a FIFO: stopped after {seconds:.2f} s with --timeout 3")


# -- the checkout copy

def make_checkout(root: Path) -> Path:
    launch = root / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp"
    launch.parent.mkdir(parents=True)
    launch.write_text("// stand-in\n", encoding="utf-8")
    return root


def test_a_link_to_dev_zero_in_the_checkout_is_not_followed(tmp_path, capsys):
    checkout = make_checkout(tmp_path / "isa")
    (checkout / "include" / "zero.hpp").symlink_to("/dev/zero")
    include, _ = prepare_checkout(str(checkout), tmp_path / "cache")
    assert not (include / "zero.hpp").exists()
    assert "include/zero.hpp -> /dev/zero" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["FIFO", "character device", "socket"])
def test_a_special_file_in_the_checkout_is_refused_naming_it(tmp_path, kind):
    """(main: a FIFO gave exit 3.)"""
    checkout = make_checkout(tmp_path / "isa")
    special = checkout / "include" / "pto" / "special"
    if kind == "FIFO":
        os.mkfifo(special)
    elif kind == "socket":
        import socket
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(special))
    else:
        if not IS_ROOT:
            pytest.skip("mknod needs root")
        os.mknod(special, 0o600 | stat.S_IFCHR, os.makedev(1, 5))      # (/dev/zero's numbers)
    with pytest.raises(PtofixError, match=f"{special}: it is a {kind}"):
        prepare_checkout(str(checkout), tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("*pto-isa-*"))


def test_a_linked_directory_outside_the_checkout_is_not_copied(tmp_path, capsys):
    """(main: copied whole but left out of the key, so a stale copy was reused after it changed.)"""
    checkout = make_checkout(tmp_path / "isa")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.hpp").write_text("int a;\n", encoding="utf-8")
    (checkout / "include" / "ext").symlink_to(outside)
    include, _ = prepare_checkout(str(checkout), tmp_path / "cache")
    assert not (include / "ext").exists()
    assert f"include/ext -> {outside}" in capsys.readouterr().err


def test_the_key_covers_every_byte_copied_through_links_inside_the_checkout(tmp_path):
    checkout = make_checkout(tmp_path / "isa")
    shared = checkout / "shared"
    shared.mkdir()
    (shared / "b.hpp").write_text("int b = 1;\n", encoding="utf-8")
    (checkout / "include" / "lib").symlink_to(shared)
    (checkout / "include" / "loop").symlink_to(checkout / "include")
    include, key = prepare_checkout(str(checkout), tmp_path / "cache")
    assert (include / "lib" / "b.hpp").read_text(encoding="utf-8") == "int b = 1;\n"
    assert not (include / "loop").exists()
    (shared / "b.hpp").write_text("int b = 2;\n", encoding="utf-8")
    include2, key2 = prepare_checkout(str(checkout), tmp_path / "cache")
    assert key2 != key and (include2 / "lib" / "b.hpp").read_text(encoding="utf-8") == "int b = 2;\n"


def test_a_checkout_file_past_the_reader_limit_is_refused(tmp_path):
    checkout = make_checkout(tmp_path / "isa")
    big = checkout / "include" / "big.hpp"
    with open(big, "wb") as stream:
        stream.truncate(17 * 1024 * 1024)
    with pytest.raises(PtofixError, match="big.hpp: it is larger than"):
        checkout_files(str(checkout))


# ---- 3. signals end everything perf started ------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_while_compiling_ends_every_compiler_and_removes_partial_files(bed, tmp_path, signum, status):
    """(main: SIGTERM left the compiler running, cc1plus children, a *.o.PID.tmp and a scratch
    directory.) The stand-in compiler leaves a grandchild sleeping, as cc1plus under g++."""
    kernel, checkout, cxx, env = bed
    pid_file = tmp_path / "compiler-child"
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "perf", str(kernel), "--pto-isa", str(checkout),
                             "--cxx", str(cxx), "-j", "2"], env={**env, "FAKE_HANG": str(pid_file)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: len(_pids(pid_file)) == 2, proc)     # (both halves' compilers, -j 2)
        grandchildren = _pids(pid_file)
        assert all(_alive(pid) for pid in grandchildren)
        assert len(list((tmp_path / "cache" / "perf" / "obj").glob("*.tmp"))) == 2     # (partial objects)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status, err
    assert not any(_alive(pid) for pid in grandchildren)
    assert not _processes_under(tmp_path)
    assert _leftovers(tmp_path) == []


@pytest.mark.perfsim
@pytest.mark.slow
@needs_gxx
@pytest.mark.skipif(not (PTO_ISA / "include" / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file(),
                    reason="../shared/pto-isa/f35e7f60 is not present")
def test_sigterm_while_g_plus_plus_compiles_against_pto_isa_leaves_no_cc1plus(tmp_path):
    """The real thing once: g++ and its cc1plus compiling a half against pto-isa."""
    os.chmod(tmp_path, 0o755)
    kernel = tmp_path / "k.cpp"
    from test_perf import vector_kernel
    kernel.write_text(vector_kernel(""), encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTOFIX_", "XDG_"))}
    env.update(TMPDIR=str(scratch), PTOFIX_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "ptofix", "perf", str(kernel), "--pto-isa", str(PTO_ISA),
                             "-j", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not any("cc1plus" in name for name in _processes_under(tmp_path)):
            assert proc.poll() is None and time.monotonic() < deadline, "no cc1plus ever ran"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, err
    assert not _processes_under(tmp_path)
    assert _leftovers(tmp_path) == []


# ---- helpers ------------------------------------------------------------------------------------------------------

def _pids(pid_file: Path) -> list[int]:
    """The pids the stand-in compilers wrote once their grandchild ran (PID_FILE.<compiler pid>)."""
    return [int(p.read_text()) for p in pid_file.parent.glob(pid_file.name + ".*") if not p.name.endswith(".part")]


def _wait_for(event, proc: subprocess.Popen) -> None:
    """Poll until ``event()`` holds (an observable state: files the compilers write), while perf runs."""
    deadline = time.monotonic() + 60
    while not event():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the compilers never started"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _processes_under(directory: Path) -> list[str]:
    """Live processes whose command line names ``directory`` (the compilers of one test)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if str(directory) in command and _alive(int(entry)):
            found.append(command)
    return found


def _leftovers(tmp_path: Path) -> list[str]:
    """Partial files in the cache and scratch directories perf made in $TMPDIR."""
    found = [str(p) for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".pto")]
    found += [str(p) for p in (tmp_path / "tmp").glob("ptofix-perf*")]
    return found


# ---- 9. fuzz families (slow tier): each runs every case under a time and memory bound ----------------------------

FUZZ_SEEDS = range(int(os.environ.get("PTOFIX_FUZZ_SEEDS", "12")))


@pytest.mark.slow
def test_fuzz_arg_values_against_every_integer_type():
    """Random spellings against every integer type the simulator knows: perf passes the value
    exactly when it is an integer of the type's range (int(text, 0)), and refuses it otherwise;
    never a wrapped or truncated one. (main: 4294967299 for int32_t ran as 3.)"""
    import random

    from ptofix.cpp import integers
    from ptofix.perf.build import EntryCall
    from ptofix.perf.measure import typed_value
    rng = random.Random(69)
    spellings = ["0", "-0", "1.9", "nan", "inf", "-inf", "1e3", "0x", "0x1g", "true", "false", " 7", "+5", "1_000"]
    for bits in (8, 16, 32, 64):
        for edge in (1 << bits, 1 << (bits - 1)):
            spellings += [str(edge + d) for d in (-2, -1, 0, 1)] + [str(-edge + d) for d in (-1, 0, 1)]
            spellings += [hex(edge - 1), hex(edge)]
    spellings += [str(rng.randrange(-(1 << 70), 1 << 70)) for _ in range(200)]
    start = time.monotonic()
    for type_name, (bits, signed) in sorted(integers.INTEGER_TYPES.items()):
        if bits == 1:
            continue
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        call = EntryCall("k", ("n",), (False,), (), (type_name,))
        for text in spellings:
            try:
                expected = int(text, 0) if text.lower() not in ("true", "false") else int(text.lower() == "true")
            except ValueError:
                expected = None
            try:
                got = typed_value("k.cpp", call, "n", type_name, text)
            except PtofixError:
                got = None
            if expected is not None and low <= expected <= high:
                assert got == str(expected), (type_name, text, got)
            else:
                assert got is None, (type_name, text, got)
    print(f"arg fuzz: {len(spellings)} spellings x {len(integers.INTEGER_TYPES)} types in "
          f"{time.monotonic() - start:.2f} s")


def _random_tree(rng, root: Path, outside: Path) -> None:
    """A checkout: headers, nested directories, and links in and out, to /dev/zero, to a FIFO,
    back up the tree; sometimes a FIFO or a socket of its own."""
    make_checkout(root)
    include = root / "include"
    dirs = [include, include / "pto"]
    for i in range(rng.randrange(2, 8)):
        parent = rng.choice(dirs)
        kind = rng.randrange(10)
        path = parent / f"n{i}"
        if kind < 4:
            path.write_text(f"int n{i};\n" * rng.randrange(1, 50), encoding="utf-8")
        elif kind < 6:
            path.mkdir()
            dirs.append(path)
        elif kind == 6:
            path.symlink_to(rng.choice(["/dev/zero", str(outside), str(outside / "f.hpp"), "/proc/self/mem"]))
        elif kind == 7:
            path.symlink_to(rng.choice(dirs))
        elif kind == 8:
            path.symlink_to(rng.choice([str(include / "pto"), str(root), "../../..", "missing"]))
        else:
            os.mkfifo(path)


def _bounded_prepare(checkout: Path, cache: Path) -> subprocess.CompletedProcess:
    """prepare_checkout in a child with 1 GiB of address space, a 30 s bound and 200 MiB of file size."""
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (200 << 20, 200 << 20))\n"
            "from pathlib import Path\n"
            "from ptofix.perf.build import prepare_checkout\n"
            "from ptofix.source import PtofixError\n"
            "try:\n"
            f"    include, key = prepare_checkout({str(checkout)!r}, Path({str(cache)!r}))\n"
            "except PtofixError as exc:\n"
            "    print(exc.format(), file=sys.stderr); sys.exit(2)\n"
            "print(include)\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_fuzz_checkout_trees_are_copied_within_bounds_or_refused_naming_the_path(tmp_path, seed):
    """(main: a link to /dev/zero was copied until the disk was full, a FIFO was exit 3, a linked
    directory outside was copied but not keyed.) Every tree: exit 0 with a copy that holds nothing
    from outside the checkout and no special file, or exit 2 naming the special file."""
    import random
    rng = random.Random(seed)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.hpp").write_text("int outside;\n", encoding="utf-8")
    checkout = tmp_path / "isa"
    _random_tree(rng, checkout, outside)
    done = _bounded_prepare(checkout, tmp_path / "cache")
    if done.returncode == 2:
        assert "it is a FIFO" in done.stderr and str(checkout) in done.stderr, done.stderr
        return
    assert done.returncode == 0, done.stderr
    copy = Path(done.stdout.strip())
    for path in copy.rglob("*"):
        st = os.lstat(path)
        assert stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode), path
        if stat.S_ISREG(st.st_mode):
            assert b"outside" not in path.read_bytes(), path
    again = _bounded_prepare(checkout, tmp_path / "cache")
    assert again.returncode == 0 and again.stdout == done.stdout and "is not used" not in again.stderr


_MUTATIONS = ("empty", "flip", "append", "chmod 0666", "chmod 0777", "chown", "symlink", "directory", "fifo",
              "sidecar gone", "sidecar forged", "sidecar empty", "sidecar chown")


def _mutate(rng, entry: Path, how: str, marker: Path) -> None:
    sidecar = Path(str(entry) + ".sha256")
    planted = PLANTED.format(marker=marker).encode()
    if how == "empty":
        entry.write_bytes(b"")
    elif how == "flip":
        data = bytearray(entry.read_bytes())
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        entry.write_bytes(bytes(data))
    elif how == "append":
        with open(entry, "ab") as stream:
            stream.write(b"\n" + planted)
    elif how.startswith("chmod"):
        entry.write_bytes(planted)
        sidecar.write_text(hashlib.sha256(planted).hexdigest() + "\n", encoding="ascii")
        entry.chmod(int(how.split()[1], 8))
    elif how == "chown":
        plant(entry, planted.decode(), uid=OTHER_UID)
    elif how == "symlink":
        other = entry.parent.parent / "elsewhere"
        other.write_bytes(planted)
        other.chmod(0o700)
        entry.unlink()
        entry.symlink_to(other)
        sidecar.write_text(hashlib.sha256(planted).hexdigest() + "\n", encoding="ascii")
    elif how == "directory":
        entry.unlink()
        entry.mkdir()
    elif how == "fifo":
        entry.unlink()
        os.mkfifo(entry)
    elif how == "sidecar gone":
        entry.write_bytes(planted)
        sidecar.unlink()
    elif how == "sidecar forged":
        entry.write_bytes(planted)
        sidecar.write_text(hashlib.sha256(b"something else").hexdigest(), encoding="ascii")
    elif how == "sidecar empty":
        entry.write_bytes(planted)
        sidecar.write_bytes(b"")
    elif how == "sidecar chown":
        entry.write_bytes(planted)
        sidecar.write_text(hashlib.sha256(planted).hexdigest() + "\n", encoding="ascii")
        os.chown(sidecar, OTHER_UID, OTHER_UID)


@pytest.mark.slow
@needs_root
@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_fuzz_tampered_cache_entries_are_never_trusted(perf, bed, tmp_path, seed):
    """Random tampering of random entries (binary, objects): every run still prints the numbers of
    what perf built (exit 0, 100 cycles), notes each entry it refused, and never runs a planted
    program. (main: an emptied binary was exit 3, a planted one ran.)"""
    import random
    rng = random.Random(seed)
    assert perf().returncode == 0
    cache = tmp_path / "cache" / "perf"
    marker = tmp_path / "planted-ran"
    for _ in range(3):
        chosen = rng.sample(entries(cache, "bin") + entries(cache, "obj"), rng.randrange(1, 3))
        for entry in chosen:
            if entry.is_dir() or entry.is_symlink() or stat.S_ISFIFO(os.lstat(entry).st_mode):
                continue
            _mutate(rng, entry, rng.choice(_MUTATIONS), marker)
        done = perf()
        assert done.returncode == 0, done.stderr
        assert ": 100 cycles" in done.stdout and not marker.exists()
        for entry in chosen:
            assert f"the cached {entry} is not used" in done.stderr or entry_problem(entry) is None
            assert entry_problem(entry) is None, entry


@pytest.mark.parametrize("how", ["no ready file", "a link", "a file"])
def test_a_checkout_copy_that_is_not_a_finished_directory_is_made_again(tmp_path, capsys, how):
    checkout = make_checkout(tmp_path / "isa")
    include, _ = prepare_checkout(str(checkout), tmp_path / "cache")
    copy = include.parent
    if how == "no ready file":
        (copy / "ready").unlink()
    else:
        shutil.rmtree(copy)
        if how == "a link":
            (tmp_path / "elsewhere").mkdir()
            copy.symlink_to(tmp_path / "elsewhere")
        else:
            copy.write_text("x", encoding="utf-8")
    capsys.readouterr()
    include2, _ = prepare_checkout(str(checkout), tmp_path / "cache")
    assert include2 == include and (include / "pto" / "costmodel" / "perf_sim" / "launch.hpp").is_file()
    assert f"the cached checkout copy {copy} is not used" in capsys.readouterr().err
