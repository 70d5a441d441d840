"""The plan report's content, without a browser: units never mixed, names not ids."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def sample():
    from symbioflows.datasets import load_sample_region
    from symbioflows.pipeline import plan

    p = plan(load_sample_region())
    from symbioflows.report.plan import render_plan_report

    return p, render_plan_report(p)


def test_one_unit_per_chart_and_names_in_tables(sample):
    p, page = sample
    titles = re.findall(r"data-plot='([^']+)'", page)
    units = [t[t.rfind("(") + 1:-1] for t in titles if "(" in t]
    assert units and all(u in ("t/yr", "MWh/yr", "m3/yr") for u in units), titles
    assert "t CO2e/yr" in page and "USD/yr" in page
    names = set(p.companies["name"])
    top = p.exchanges.sort_values("net_benefit_usd", ascending=False).iloc[0]
    assert p.companies.set_index("company_id").loc[top["supply_company_id"], "name"] in names
    table = page.split("Top exchanges by net benefit")[1]
    assert top["supply_company_id"] not in table.split("Circular chains")[0]
    assert page.count("<script type='text/javascript'>") == 1  # plotly.js once


def test_chain_bars_are_one_per_chain(sample):
    p, page = sample
    chart = page.split("data-plot='chains'")[1] if "data-plot='chains'" in page else ""
    if not p.chains.empty:
        assert all(f"#{i + 1} " in chart for i in range(min(15, len(p.chains))))


def test_objective_and_card_difference_is_explained(sample):
    _, page = sample
    head = page.split("<div class='cards'>")[0]
    assert "objective expected_net_benefit" in head and "differ by" in head
    assert "the probability that the pair is the supply" in head  # what the solver weighs
