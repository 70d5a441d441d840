"""``python -m symbioflows.evaluate``: the receiver-ranking protocol on MAESTRI."""

from symbioflows.evaluate._cli import main

if __name__ == "__main__":  # importing the module (as pkgutil.walk_packages does) runs nothing
    raise SystemExit(main())
