"""The classifiers give the same scores in every process, whatever its string hash seed.

A class's phrases were ordered by length alone from a set, so equal-length phrases ("grey
water", "wastewater") came in the order of the process's hash seed, which decides the lexical
score: a 1M-stream plan gave 23,652,160 candidates in two runs and 23,652,171 in a third."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = r"""
import json
from symbioflows.materials import MaterialClassifier, NeedClassifier
from symbioflows.materials.encoder import shared_encoder
clf = MaterialClassifier(shared_encoder("hashing"))
_, p = clf.top_classes(["grey water from the wastewater plant (bulk)",
                        "approx. 750 t/month of grey water from the wastewater plant"], 3)
nc = NeedClassifier(backend="hashing")
nc._build()
print(json.dumps({"probs": p.tolist(), "phrases": clf._phrases, "lex": nc._lex,
                  "uses": nc._use_lex}))
"""


def _run(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_scores_do_not_depend_on_the_hash_seed():
    a, b = _run("1"), _run("2")
    assert a["phrases"] == b["phrases"] and a["lex"] == b["lex"] and a["uses"] == b["uses"]
    assert a["probs"] == b["probs"]  # bit for bit
