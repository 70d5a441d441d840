"""Supply-classifier designs tried on the development rows and not shipped (issue 16, docs/materials.md).

The shipped :class:`~symbioflows.materials.MaterialClassifier` reads a supply's text alone.
Its held-out supply top-3 (``benchmarks/labelled_text.py``) is just short of the issue's 0.90
with the sentence model, and a plain install (no ``embed`` extra) reads text with the hashing
encoder, which ranks worse end to end.  Two designs were tried against it on the
**development rows only** of ``benchmarks/data/labelled_text.csv`` (the held-out rows are not
read):

* ``donor's sector (+b)``: the plan knows the company that writes a supply, and the taxonomy
  which NACE classes produce each class (``produced_by_nace``); each class's score gains
  ``b`` x :func:`symbioflows.materials.needs.nace_user_weight` of the donor's sector in that
  list (1 for the class, 0.5 for the division), so that "Ash" from a waste incinerator reads
  as an incineration residue.  The donor's NACE code is MAESTRI's ``donor_nace`` and the case
  studies' (rows without one keep the text's score); ``b`` in 0.02, 0.05, 0.08 (score units:
  the softmax temperature is 0.05);
* ``static token vectors``: for a plain install, an encoder distilled from the sentence model
  as Model2Vec does (Tulkens & van Dongen 2024, "Model2Vec: fast state-of-the-art static
  embeddings", github.com/MinishLab/model2vec): each of the model's 30,522 word pieces is run
  through the model alone (``[CLS] piece [SEP]``, mean-pooled), the vectors centred, and a text
  is the normalised sum of its pieces' vectors (the model's own tokenizer); alone, and
  concatenated with the hashing encoder's vector (weights 0.7 and 0.3 of the squared norm).
  Shipping it would add the 30,522 x 384 table (about 12 MB as float8/int8, 23 MB as float16)
  and a word-piece tokenizer to the base install.  Needs the sentence model to build (skipped
  without it).

For each design: top-1 and top-3 on the development rows and the difference of top-3 from
the shipped classifier of the same install (the sentence model for the sector prior with it,
the hashing encoder for the static vectors) with a 95 % paired bootstrap interval that
resamples groups (MAESTRI case or case-study park; 2,000 draws, seed 16).  A design would ship
only if that interval excluded 0.

Run: ``PYTHONPATH=src python benchmarks/supply_designs.py`` (about a minute with the sentence
model); needs the MAESTRI file in ``../shared/data``; writes
``benchmarks/results/supply_designs.json``.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labelled_text as lt  # noqa: E402
from symbioflows import _core  # noqa: E402
from symbioflows.data.nace import normalize_nace  # noqa: E402
from symbioflows.errors import InvalidInputError  # noqa: E402
from symbioflows.materials import MaterialClassifier, load_taxonomy  # noqa: E402
from symbioflows.materials.encoder import MaterialEncoder, shared_encoder  # noqa: E402
from symbioflows.materials.needs import nace_user_weight  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "supply_designs.json"
CASES = Path(__file__).resolve().parent / "data" / "case_studies_exchanges.csv"
N_BOOT, SEED = 2000, 16
PRIOR_BONUS = (0.02, 0.05, 0.08)
STATIC_SHARE = 0.7


def donor_sectors(rows: list[dict[str, str]]) -> list[str]:
    """Each row's donor NACE code as the data model writes it ('' when unknown)."""
    tables = {}
    for origin, path in (("maestri", lt.SHARED), ("case_study", CASES)):
        with open(path, encoding="utf-8") as fh:
            tables[origin] = {r["exchange_id"]: r.get("donor_nace", "") for r in
                              csv.DictReader(fh)}
    out = []
    for r in rows:
        raw = tables.get(r["origin"], {}).get(r["ref"], "").strip()
        try:
            out.append(str(normalize_nace(raw)) if raw else "")
        except InvalidInputError:
            out.append("")
    return out


def _hits(total: np.ndarray, y: np.ndarray, top: int) -> np.ndarray:
    order = np.argsort(-total, axis=1, kind="stable")[:, :top]
    return (order == y[:, None]).any(axis=1).astype(float)


def _row(name: str, total: np.ndarray, y: np.ndarray, base3: np.ndarray | None,
         draws: list[np.ndarray]) -> dict[str, Any]:
    h1, h3 = _hits(total, y, 1), _hits(total, y, 3)
    r: dict[str, Any] = {"design": name, "top1": float(h1.mean()), "top3": float(h3.mean())}
    if base3 is not None:
        diff = [h3[d].mean() - base3[d].mean() for d in draws]
        r.update(top3_minus_shipped=float(h3.mean() - base3.mean()),
                 top3_minus_shipped_ci=[float(np.quantile(diff, 0.025)),
                                        float(np.quantile(diff, 0.975))])
    return r


def static_table() -> tuple[Any, np.ndarray]:
    """The sentence model's tokenizer and its centred static word-piece vectors."""
    import torch

    from symbioflows.materials.encoder import load_sentence_model

    model = load_sentence_model()
    tok, hf = model.tokenizer, model[0].auto_model
    ids = np.arange(tok.vocab_size)
    vec = np.zeros((ids.size, hf.config.hidden_size), np.float32)
    with torch.no_grad():
        for a in range(0, ids.size, 2048):
            b = min(ids.size, a + 2048)
            inp = torch.tensor(np.stack([np.full(b - a, tok.cls_token_id), ids[a:b],
                                         np.full(b - a, tok.sep_token_id)], 1))
            vec[a:b] = hf(input_ids=inp, attention_mask=torch.ones_like(inp)
                          ).last_hidden_state.mean(1).numpy()
    return tok, vec - vec.mean(axis=0)


class StaticEncoder(MaterialEncoder):
    """The hashing encoder's plumbing (keys, cache) with static word-piece vectors, alone
    (``share`` 1) or concatenated with the hashing vector."""

    def __init__(self, tok: Any, table: np.ndarray, share: float) -> None:
        self.tok, self.table, self.share = tok, table, share
        hashing_dim = 384
        super().__init__(backend="hashing", dim=table.shape[1] + (hashing_dim if share < 1 else 0))
        self.hashing_dim = hashing_dim

    def _embed(self, keys: list[str]) -> np.ndarray:
        out = np.zeros((len(keys), self.table.shape[1]), np.float32)
        for i, k in enumerate(keys):
            ids = self.tok(k, add_special_tokens=False)["input_ids"]
            if ids:
                v = self.table[ids].sum(axis=0)
                n = float(np.linalg.norm(v))
                out[i] = v / n if n > 0 else v
        if self.share >= 1:
            return out
        lo, hi = self.ngram_range
        h = _core.hash_embed(keys, self.hashing_dim, lo, hi, 1.0, 1)
        return np.hstack([np.sqrt(self.share) * out, np.sqrt(1 - self.share) * h]
                         ).astype(np.float32)


def evaluate(backends: list[str]) -> dict[str, Any]:
    rows, sel, texts = lt.dev_rows("supply")
    sectors = donor_sectors([rows[i] for i in sel])
    tax = load_taxonomy()
    y = np.array([tax.index_of(rows[i]["label"]) for i in sel])
    groups = np.array([rows[i]["group"] for i in sel])
    ug = np.unique(groups)
    rng = np.random.default_rng(SEED)
    idx = {g: np.flatnonzero(groups == g) for g in ug}
    draws = [np.concatenate([idx[ug[j]] for j in rng.integers(0, len(ug), len(ug))])
             for _ in range(N_BOOT)]
    prior = np.array([[nace_user_weight(s, set(c.produced_by_nace)) for c in tax.classes]
                      for s in sectors])
    out: dict[str, Any] = {"n": len(sel), "n_groups": int(len(ug)),
                           "n_with_donor_sector": int(sum(1 for s in sectors if s)),
                           "rows": []}
    for b in backends:
        total = MaterialClassifier(shared_encoder(b))._scores(texts)["total"]
        base3 = _hits(total, y, 3)
        out["rows"].append({"backend": b, **_row("shipped (text alone)", total, y, None, draws)})
        for bonus in PRIOR_BONUS:
            out["rows"].append({"backend": b, **_row(f"donor's sector (+{bonus:g})",
                                                     total + bonus * prior, y, base3, draws)})
    if "sentence" in backends:
        hashing = MaterialClassifier(shared_encoder("hashing"))._scores(texts)["total"]
        base3 = _hits(hashing, y, 3)
        tok, table = static_table()
        for name, share in (("static token vectors", 1.0),
                            (f"static token vectors + hashing ({STATIC_SHARE:g} / "
                             f"{1 - STATIC_SHARE:.1f})", STATIC_SHARE)):
            total = MaterialClassifier(StaticEncoder(tok, table, share))._scores(texts)["total"]
            out["rows"].append({"backend": "hashing",
                                **_row(name, total, y, base3, draws)})
    return out


def main(argv: list[str] | None = None) -> int:
    a = lt.backend_args(__doc__, OUT, argv)
    load0 = os.getloadavg()
    res = evaluate(a.backends)
    for r in res["rows"]:
        print(r)  # noqa: T201
    doc = {"benchmark": "supply_designs", "protocol": __doc__, "split": "dev", **res,
           "machine": lt.machine(load0)}
    a.out.write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
