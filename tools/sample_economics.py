"""Print the sample region's plan totals, checked shares and the park check (docs/economics.md).

    PYTHONPATH=src python tools/sample_economics.py

Each figure quoted in docs/economics.md for the sample region comes from this script.
"""

from __future__ import annotations

import re

import pandas as pd

import symbioflows as sf
from symbioflows.datasets import load_sample_region
from symbioflows.impact import avoided_factor, check_value_per_company, park_benchmarks


def main() -> None:
    p = sf.plan(load_sample_region())
    t = p.totals
    for k, v in t.items():
        print(f"{k:32s} {v:,.4f}" if isinstance(v, float) else f"{k:32s} {v}")
    r = check_value_per_company(t["net_benefit_usd"], t["n_participating_companies"])
    print(f"\nvalue per participating company: {r['usd_per_company']:,.0f} USD/yr; documented "
          f"range {r['low']:,.0f} - {r['high']:,.0f}; within: {r['within']}")
    print(park_benchmarks()[["park", "usd_per_company_per_year"]].to_string(index=False))
    ex = p.exchanges
    print("\nexchanges by supplier route:")
    print(ex.groupby("supplier_route")[["quantity", "net_benefit_usd", "co2e_avoided_kg"]]
          .sum().to_string())
    unchecked_parts(p)


def _input(source: str) -> str:
    """The virgin input or table a citation names ("0.9 x sulphuric_acid: ..." -> sulphuric_acid)."""
    m = re.match(r"[\d.]+ x (\w+):", source)
    return m.group(1) if m else source.split(" (")[0][:60]


def unchecked_parts(p) -> None:
    """The largest parts of the value and CO2e bases that rest on unchecked figures (receiver
    side: the avoided purchase and the avoided virgin production; docs/economics.md)."""
    ex = p.exchanges
    t = p.totals
    streams = p.streams.set_index("stream_id")
    d_cls = streams.loc[ex["demand_stream_id"], "material_class"].to_numpy()
    value_basis = ex["receiver_avoided_usd"].abs().sum() + ex["supplier_opportunity_usd"].abs().sum()
    rows = []
    for (src, usd, cls, q, fit) in zip(ex["receiver_price_source"], ex["receiver_avoided_usd"],
                                       d_cls, ex["quantity"], ex["material_fit"]):
        if "[checked]" not in src:
            rows.append(("value", _input(src), abs(usd)))
        f, ok, cite = avoided_factor(cls if isinstance(cls, str) else None)
        if not ok:
            rows.append(("co2e", _input(cite), abs(q * f * fit)))
    df = pd.DataFrame(rows, columns=["basis", "input", "amount"])
    print(f"\nchecked shares: value {t['value_checked_share']:.3f}, "
          f"CO2e {t['co2e_checked_share']:.3f}")
    for basis, total in (("value", value_basis), ("co2e", None)):
        part = df[df["basis"] == basis].groupby("input")["amount"].sum().sort_values(ascending=False)
        if total is None:  # CO2e basis: unchecked part / (1 - checked share)
            total = part.sum() / max(1e-12, 1.0 - t["co2e_checked_share"])
        print(f"largest unchecked parts of the {basis} basis (share of the basis):")
        print((part / total).head(10).round(3).to_string())


if __name__ == "__main__":
    main()
