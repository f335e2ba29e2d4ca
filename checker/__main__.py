"""`python -m checker` runs the CLI."""

import sys

from checker.cli import main

sys.exit(main())
