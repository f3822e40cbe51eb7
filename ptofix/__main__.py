import sys

from ptofix.cli import main

sys.exit(main())
