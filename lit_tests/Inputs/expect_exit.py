"""`expect_exit.py N COMMAND...`: run COMMAND (its output passes through) and exit 0 when its exit
status is N, 1 otherwise. lit's `not` accepts any failure; some statuses mean more (`check`'s 4)."""
import subprocess
import sys

expected, command = int(sys.argv[1]), sys.argv[2:]
status = subprocess.run(command).returncode
if status != expected:
    sys.stderr.write(f"expect_exit: '{' '.join(command)}' exited {status}, not {expected}\n")
sys.exit(0 if status == expected else 1)
