"""Print the sample region's plan totals, checked shares and the park check (docs/economics.md).

    PYTHONPATH=src python tools/sample_economics.py

Each figure quoted in docs/economics.md for the sample region comes from this script.
"""

from __future__ import annotations

import symbioflows as sf
from symbioflows.datasets import load_sample_region
from symbioflows.impact import check_value_per_company, park_benchmarks


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


if __name__ == "__main__":
    main()
