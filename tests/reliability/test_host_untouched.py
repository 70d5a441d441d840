"""A library must not change its host: importing or using symbioflows sets no environment
variable and writes nothing in the user's home (issue 18, item 12).

Before the fix the sentence-model loader set ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` for
the whole process, and a secure-aggregation run left ``~/.flwr/source`` (Flower's telemetry
id; tests/unit/learn/test_federated.py checks that run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from symbioflows._config import scoped_env
from symbioflows.testing.reliability_kernels import child_pythonpath

CHILD = r"""
import json, os, sys
# third-party libraries that set variables of their own on import (torch: KMP_*, its inductor
# cache dir) are imported first: what is measured is what symbioflows itself changes
for dep in ("numpy", "torch", "faiss", "sentence_transformers", "sklearn", "pyarrow"):
    try:
        __import__(dep)
    except ImportError:
        pass
before = dict(os.environ)
import importlib, pkgutil
import symbioflows
for m in sys.argv[1].split(","):
    importlib.import_module(m)
if sys.argv[2] == "1":
    from symbioflows.materials.encoder import load_sentence_model, sentence_model_available
    if sentence_model_available():
        load_sentence_model()
        from symbioflows.materials import MaterialEncoder
        MaterialEncoder(backend="sentence").encode(["fly ash"])
after = dict(os.environ)
print(json.dumps({"added": sorted(set(after) - set(before)),
                  "removed": sorted(set(before) - set(after)),
                  "changed": sorted(k for k in before if k in after and before[k] != after[k])}))
"""

MODULES = ("symbioflows.learn,symbioflows.learn.federated,symbioflows.learn.gnn,"
           "symbioflows.learn.feedback,symbioflows.materials,symbioflows.matching,"
           "symbioflows.distributed,symbioflows.data,symbioflows.chains,symbioflows.analytics")


def test_import_and_model_load_leave_environment_and_home_alone(tmp_path):
    """One child imports the package's modules and, when the embed extra is there, loads and
    runs the sentence model."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HOME=str(home), PYTHONPATH=child_pythonpath())
    r = subprocess.run([sys.executable, "-c", CHILD, MODULES, "1"], env=env,
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    diff = json.loads(r.stdout.strip().splitlines()[-1])
    assert diff == {"added": [], "removed": [], "changed": []}, diff
    assert sorted(p.name for p in home.iterdir()) == []


def test_scoped_env_restores_set_and_unset_values(monkeypatch):
    monkeypatch.setenv("SF_TEST_A", "old")
    monkeypatch.delenv("SF_TEST_B", raising=False)
    with pytest.raises(RuntimeError), scoped_env(SF_TEST_A="new", SF_TEST_B="x"):
        assert os.environ["SF_TEST_A"] == "new" and os.environ["SF_TEST_B"] == "x"
        raise RuntimeError("the block fails")
    assert os.environ["SF_TEST_A"] == "old" and "SF_TEST_B" not in os.environ
