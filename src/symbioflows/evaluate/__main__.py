"""``python -m symbioflows.evaluate``: the receiver-ranking protocol on MAESTRI."""

from symbioflows.evaluate._cli import main

raise SystemExit(main())
