"""`python -m benchmarks`: see benchmarks/cli.py for the options and docs/performance.md."""

import sys

from benchmarks.cli import main

sys.exit(main())
