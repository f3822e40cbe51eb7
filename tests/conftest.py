import os
import re
import shutil
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared"))
CORPUS = os.path.join(SHARED, "corpus")


# Tests write only under a temporary directory of the run, and so do the ptofix processes they
# start (which inherit the environment): the words of a --pto-isa checkout
# (ptofix/pto/header_words.py) go to $PTOFIX_CACHE_DIR, not the user's ~/.cache/ptofix, and
# bytecode under $PYTHONPYCACHEPREFIX, not into the
# installed package's __pycache__. Set when pytest loads this file, before any test module
# imports ptofix.
_RUN_SCRATCH = tempfile.mkdtemp(prefix="ptofix-tests-")
_SAVED_ENVIRONMENT = {name: os.environ.get(name) for name in ("PTOFIX_CACHE_DIR", "PYTHONPYCACHEPREFIX")}
_SAVED_PREFIX = sys.pycache_prefix
os.environ["PTOFIX_CACHE_DIR"] = os.path.join(_RUN_SCRATCH, "ptofix-cache")
os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = os.path.join(_RUN_SCRATCH, "pycache")
# Hypothesis keeps its examples and the constants it collects in ./.hypothesis (the repository)
# unless told: here, before its first test. (conftest.py itself is compiled before it runs: its
# bytecode goes where PYTHONPYCACHEPREFIX said, which scripts/run_tests.py sets.)
if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(os.path.join(_RUN_SCRATCH, "hypothesis"))


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _SAVED_ENVIRONMENT.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    sys.pycache_prefix = _SAVED_PREFIX
    shutil.rmtree(_RUN_SCRATCH, ignore_errors=True)


@pytest.fixture
def corpus_dir():
    """The corpus directory; the test is skipped when it is absent (and marked ``corpus``)."""
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def reads_the_corpus(item: pytest.Item) -> bool:
    """A test reads the corpus when it takes ``corpus_dir``, or skips without it (a ``skipif`` whose
    reason names the corpus), or says so with ``@pytest.mark.corpus`` (a test that looks its files
    up itself)."""
    if "corpus_dir" in getattr(item, "fixturenames", ()):
        return True
    return any("corpus" in str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skipif"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if reads_the_corpus(item):
            item.add_marker(pytest.mark.corpus)


def in_place_gu_barriers(text):
    """Lines of the `pipe_barrier(PIPE_V);` between an in-place TROWEXPANDMUL(o, o, e) and the next
    vector op, a TADD(o, o, pv) (set_flag/wait_flag in between are not vector ops)."""
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"TROWEXPANDMUL\((\w+), (\w+), ", line)
        if not (m and m.group(1) == m.group(2)):
            continue
        rest = [(j, x) for j, x in enumerate(lines[i + 1:i + 8], i + 1) if not x.startswith(("set_flag(", "wait_flag("))]
        if len(rest) >= 2 and rest[0][1] == "pipe_barrier(PIPE_V);" \
                and rest[1][1].startswith(f"TADD({m.group(1)}, {m.group(1)}, "):
            found.append(rest[0][0] + 1)
    return found


def ast_shape(node):
    """Comparable form of a statement AST (type name, fields, exact offsets)."""
    from ptofix.cpp import stmt_parser
    if isinstance(node, stmt_parser.Node):
        return (type(node).__name__, tuple(sorted((k, ast_shape(getattr(node, k))) for k in node._fields)))
    if isinstance(node, list):
        return tuple(ast_shape(x) for x in node)
    return node
