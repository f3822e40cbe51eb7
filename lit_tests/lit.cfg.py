# lit configuration for ptofix regression tests.
#
# Two checkers are on PATH: `filecheck` (Python clone) and `FileCheck` (LLVM's, from the
# llvm-testing-tools wheel), used where a rewrite must touch nothing else (`--implicit-check-not`).
# Tests that check a rewrite of their own file drop comment lines first (`grep -v '^//'`): the
# CHECK lines are copied into the output and would otherwise match themselves.
import os
import sys

import lit.formats

config.name = "ptofix"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".mlir", ".pto", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "Output"]
config.test_source_root = os.path.dirname(__file__)
# scripts/run_tests.py puts the output (the %t files, the cache below, bytecode) in its temporary
# directory; a plain `lit lit_tests` keeps it in lit_tests/Output (git-ignored) to look at.
config.test_exec_root = os.environ.get("PTOFIX_LIT_OUTPUT") or os.path.join(config.test_source_root, "Output")

# lit passes only a short environment whitelist to tests: put this interpreter's bin dir (for
# `filecheck`) first on PATH and call ptofix through the same interpreter.
bin_dir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bin_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
repo_root = os.path.dirname(config.test_source_root)
config.environment["PYTHONPATH"] = repo_root
# Bytecode is cached under the output directory, not in the package's __pycache__ (nor left
# unwritten: every ptofix a test starts would compile the package again).
config.environment["PYTHONPYCACHEPREFIX"] = os.path.join(config.test_exec_root, "pycache")
# The words of a --pto-isa checkout are cached here, not in the user's cache directory.
config.environment["PTOFIX_CACHE_DIR"] = os.path.join(config.test_exec_root, "ptofix-cache")
shared = os.path.abspath(os.path.join(repo_root, "..", "shared"))
config.substitutions.append(("%ptofix", f'"{sys.executable}" -m ptofix'))
config.substitutions.append(("%python", f'"{sys.executable}"'))
expect_exit = os.path.join(config.test_source_root, "Inputs", "expect_exit.py")
config.substitutions.append(("%expect-exit", f'"{sys.executable}" "{expect_exit}"'))
config.substitutions.append(("%kernels", os.path.join(repo_root, "kernels")))
config.substitutions.append(("%shared", shared))
if os.path.isdir(os.path.join(shared, "corpus")):
    config.available_features.add("corpus")
