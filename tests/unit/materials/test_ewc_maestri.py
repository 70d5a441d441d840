"""The shipped List of Waste agrees with the MAESTRI database's hazardous flags."""

from __future__ import annotations

import csv

from symbioflows.materials import lookup_ewc


def test_hazard_flags_agree_with_maestri(shared_data):
    path = shared_data / "maestri_exchanges.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ewc_code"].strip()[:1].isdigit()]
    assert len(rows) == 261
    agree = 0
    for r in rows:
        codes = [c.strip() for c in r["ewc_code"].split("/")]
        ours = any(lookup_ewc(c).hazardous for c in codes)
        agree += ours == (r["ewc_hazardous"].strip() == "Yes")
    assert agree >= 259, agree
