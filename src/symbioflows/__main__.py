"""``python -m symbioflows``: the command line (see :mod:`symbioflows.cli`)."""

from __future__ import annotations

import sys

from symbioflows.cli import main

if __name__ == "__main__":
    sys.exit(main())
