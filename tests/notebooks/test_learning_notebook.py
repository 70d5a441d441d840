"""Execute examples/learning.ipynb top to bottom (nbclient)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sf_test_helpers import child_pythonpath

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "examples" / "learning.ipynb"


def test_learning_notebook_runs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("torch_geometric")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NB, as_version=4)
    monkeypatch.setenv("PYTHONPATH", child_pythonpath())
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "examples")}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
