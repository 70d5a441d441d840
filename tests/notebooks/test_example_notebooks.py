"""Execute the user-facing notebooks of examples/ top to bottom (nbclient), each under 30 s of
work: the quickstart, the facilitator's walk through one park and the backend service."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sf_test_helpers import child_pythonpath

ROOT = Path(__file__).resolve().parents[2]

#: notebook -> modules it needs beyond the base install (skip cleanly without them)
NOTEBOOKS = {
    "quickstart.ipynb": (),
    "facilitator_walkthrough.ipynb": (),
    "backend_service.ipynb": ("fastapi", "httpx"),
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_example_notebook_runs(name, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    for module in NOTEBOOKS[name]:
        pytest.importorskip(module, reason=f"{name} needs pip install 'symbioflows[service]'")
    nb = nbformat.read(ROOT / "examples" / name, as_version=4)
    monkeypatch.setenv("PYTHONPATH", child_pythonpath())
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "examples")}})
    t0 = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - t0
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    print(f"{name}: {elapsed:.1f} s")  # noqa: T201 - the time of each notebook, for the log
