"""How often a receiver's business description shares a word with the waste it receives.

The organisation features of the receiver ranker read the receiver's business text; where the
compiler of a ground-truth file described the receiver by what it does with the material, the
ranking gets easier for reasons that are the file's wording, not the model.  Prints, for the
implemented exchanges of MAESTRI (``shared/data``) and of the public case studies
(``benchmarks/data/case_studies_exchanges.csv``), how many rows share at least one word
(``symbioflows.matching.text.tokenize``) between ``receiver_business`` and
``waste_description``.

Usage::

    PYTHONPATH=src python benchmarks/wording_overlap.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from symbioflows.evaluate import find_data_dir
from symbioflows.matching.text import tokenize

HERE = Path(__file__).resolve().parent


def shares_a_word(a: str, b: str) -> bool:
    """Whether the two texts have a word in common (``tokenize``'s words); the rule of this
    script and of ``end_to_end.py``'s split by wording."""
    return bool(set(tokenize(a)) & set(tokenize(b)))


def overlap(df: pd.DataFrame) -> tuple[int, int]:
    """(rows sharing a word, rows) among the implemented exchanges of ``df``."""
    d = df[df["status"].str.lower() == "implemented"]
    shared = sum(shares_a_word(b, w)
                 for b, w in zip(d["receiver_business"].fillna(""),
                                 d["waste_description"].fillna("")))
    return shared, len(d)


def main() -> int:
    files = {"case studies": HERE / "data" / "case_studies_exchanges.csv"}
    data = find_data_dir()
    if data is not None:
        files["MAESTRI"] = Path(data) / "maestri_exchanges.csv"
    for name, path in files.items():
        shared, n = overlap(pd.read_csv(path))
        print(f"{name}: {shared} of {n} implemented exchanges share a word between the "
              f"receiver's business and the waste description")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
