"""The MAESTRI adapter: undisclosed organisations never merge (issue 19, item 1)."""

from __future__ import annotations

import pandas as pd

from sf_test_helpers import MAESTRI_DATA, needs_maestri
from symbioflows.evaluate import load_maestri

_COLS = ("exchange_id", "donor_name", "donor_business", "donor_nace", "receiver_name",
         "receiver_business", "receiver_nace", "waste_description", "ewc_code", "ewc_hazardous",
         "status")


def _table(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(_COLS))


def _endpoints(m) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    owner = m.streams.set_index("stream_id")["company_id"]
    return (owner.loc[m.exchanges["supplier_stream_id"]].tolist(),
            owner.loc[m.exchanges["receiver_stream_id"]].tolist())


def test_undisclosed_organisations_never_merge(tmp_path):
    rows = [
        # case 7: two undisclosed donors, three undisclosed receivers, one named pair twice
        ("7,1,1", "ND", "Steel mill", "2410", "ND", "Cement plant", "2351", "slag", "100202", "No",
         "Implemented"),
        ("7,1,2", "ND", "Brewery", "1105", "ND", "Farm", "0141", "spent grain", "", "No",
         "Implemented"),
        ("7,1,3", "ND", "Brewery", "1105", "ND", "Farm", "0141", "yeast", "", "No", "Planned"),
        ("7,2,1", "Acme", "Power plant", "3511", "Beta", "Greenhouse", "0113", "CO2", "", "No",
         "Implemented"),
        ("7,2,2", "Acme", "Power plant", "3511", "Beta", "Greenhouse", "0113", "heat", "", "No",
         "Implemented"),
        # case 8: an undisclosed organisation of another case
        ("8,1,1", "ND", "Farm", "0141", "ND", "Steel mill", "2410", "manure", "", "No",
         "Implemented"),
    ]
    path = tmp_path / "maestri.csv"
    _table(rows).to_csv(path, index=False)
    m = load_maestri(path)
    donors, receivers = _endpoints(m)
    # no documented exchange becomes a self-loop
    assert all(d != r for d, r in zip(donors, receivers))
    # six undisclosed receivers/donors rows -> each its own company; named ones are merged
    nd = [c for c in m.companies["company_id"] if ":nd-" in c]
    assert len(nd) == 2 * 4  # four rows with ND on both sides
    assert len(set(receivers[:3])) == 3 and len(set(donors[:3])) == 3
    assert donors[3] == donors[4] and receivers[3] == receivers[4]
    # every company keeps its own sector and business (never the first-seen one of a merge)
    comp = m.companies.set_index("company_id")
    assert comp.loc[receivers[0], "sector"] == "23.51" and comp.loc[receivers[1], "sector"] == "01.41"
    assert comp.loc[donors[5], "case"] == "8"


@needs_maestri
def test_maestri_has_no_self_loops_and_keeps_undisclosed_apart():
    raw = pd.read_csv(MAESTRI_DATA / "maestri_exchanges.csv", dtype=str)
    m = load_maestri(MAESTRI_DATA / "maestri_exchanges.csv")
    donors, receivers = _endpoints(m)
    assert sum(d == r for d, r in zip(donors, receivers)) == 0
    n_nd_recv = int((raw["receiver_name"].str.strip() == "ND").sum())
    n_nd_donor = int((raw["donor_name"].str.strip() == "ND").sum())
    assert n_nd_recv == 292 and n_nd_donor == 235
    # one receiver company per undisclosed receiver row
    assert len({r for r in receivers if ":nd-" in r}) == n_nd_recv
    assert len({d for d in donors if ":nd-" in d}) == n_nd_donor
