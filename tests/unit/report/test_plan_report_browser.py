"""The plan report in a real browser (Debian's chromium driven by Playwright): the page loads
without a JavaScript error and every plot draws something.  Screenshots are kept as test
artefacts (the path is printed; ``SYMBIOFLOWS_ARTEFACTS`` chooses the folder).

Skips when chromium or Playwright is missing, except in CI (``CI=true``), where it fails:
``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (os.environ.get("SYMBIOFLOWS_CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p), None)


def _need_browser() -> None:
    missing = []
    if CHROMIUM is None:
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        why = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why + "; .ci/run installs them")
        pytest.skip(why)


def _artefacts() -> Path:
    root = Path(os.environ.get("SYMBIOFLOWS_ARTEFACTS") or Path(tempfile.gettempdir()) / "symbioflows-artefacts")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _open(page_path: Path, shot: Path) -> dict:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        # The sanitizer suite preloads gcc's ASan/UBSan runtimes (LD_PRELOAD) into pytest; the
        # browser must not inherit them (Debian's chromium launcher script fails under them).
        env = {k: v for k, v in os.environ.items()
               if k != "LD_PRELOAD" and not k.startswith(("ASAN_", "UBSAN_"))}
        browser = pw.chromium.launch(executable_path=CHROMIUM, env=env,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}")
                    if msg.type == "error" else None)
            page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
            page.goto(page_path.as_uri(), wait_until="load")
            # plotly.js is unpacked asynchronously; the page says when its plots are drawn
            page.wait_for_function(
                "() => !document.getElementById('plot-specs')"
                " || document.documentElement.dataset.plots !== undefined", timeout=60_000)
            page.wait_for_timeout(500)
            plots = page.evaluate("""() => [...document.querySelectorAll('.plot')].map(d => {
                const g = d.querySelector('.js-plotly-plot');
                return {key: d.dataset.plot,
                        drawn: g ? g.querySelectorAll('path, rect.bar, .point, .sankey-node').length : 0,
                        traces: g && g.data ? g.data.length : 0};
            })""")
            external = page.evaluate("""() => [...document.querySelectorAll('script[src], link[href], img[src]')]
                .map(e => e.src || e.href).filter(u => !u.startsWith('data:'))""")
            state = page.evaluate("() => document.documentElement.dataset.plots || null")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    return {"errors": errors, "plots": plots, "external": external, "state": state}


@pytest.fixture(scope="module")
def sample_plan():
    from symbioflows.datasets import load_sample_region
    from symbioflows.pipeline import plan

    return plan(load_sample_region())


def test_plan_report_draws_every_plot_without_errors(sample_plan, tmp_path):
    _need_browser()
    from symbioflows.report.plan import write_plan_report

    page = write_plan_report(sample_plan, tmp_path / "report.html")
    shot = _artefacts() / "plan_report_sample.png"
    got = _open(page, shot)
    print(f"screenshot: {shot}")  # noqa: T201 - where the artefact is
    assert got["errors"] == []
    assert got["state"] == "drawn"
    assert not got["external"], got["external"]
    # plotly.js inlined once, compressed: the page is well under the 4.8 MB of the bare script
    assert page.stat().st_size < 2_600_000, page.stat().st_size
    keys = [p["key"] for p in got["plots"]]
    assert "map" in keys and "chains" in keys and any(k.startswith("Materials") for k in keys)
    assert all(p["drawn"] > 0 and p["traces"] > 0 for p in got["plots"]), got["plots"]


def test_empty_plan_report_is_small_and_loads(tmp_path):
    _need_browser()
    import symbioflows as sf
    from symbioflows.pipeline import plan
    from symbioflows.report.plan import write_plan_report

    ds = sf.read_dataset({
        "companies": [{"company_id": "a", "name": "Alpha", "lat": 51.9, "lon": 4.3, "sector": "24.10"}],
        "streams": [{"stream_id": "s1", "company_id": "a", "direction": "supply",
                     "material": "blast furnace slag", "ewc_code": "100202",
                     "quantity": 100, "unit": "t/yr"}],
    })
    page = write_plan_report(plan(ds), tmp_path / "report.html")
    assert page.stat().st_size < 50_000
    got = _open(page, _artefacts() / "plan_report_empty.png")
    assert got["errors"] == [] and got["plots"] == []
