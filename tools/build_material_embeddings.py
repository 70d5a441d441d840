"""Precompute the sentence-model embeddings of the classifier's class documents.

Writes ``src/symbioflows/data/material_doc_embeddings_minilm.npz`` (float16, with the model id
and a sha256 of the texts): :class:`symbioflows.materials.classify.MaterialClassifier` uses it
when the texts still match, so classifying with the sentence model only embeds the queries.
Also writes ``need_doc_embeddings_minilm.npz`` for the needs' phrases and uses
(:class:`symbioflows.materials.needs.NeedClassifier`).
Re-run after editing the taxonomy or the needs (``python tools/build_material_embeddings.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symbioflows.materials import MaterialEncoder
from symbioflows.materials.classify import PRECOMPUTED_FILE, MaterialClassifier, doc_texts_digest

OUT = Path(__file__).resolve().parents[1] / "src" / "symbioflows" / "data" / PRECOMPUTED_FILE


def main() -> None:
    enc = MaterialEncoder(backend="sentence")
    clf = MaterialClassifier(enc)
    if OUT.exists():
        OUT.unlink()  # build from scratch, not from the old file
    clf._build()
    texts = clf._doc_texts
    emb = np.concatenate([clf._syn_emb, clf._desc_emb, clf._code_emb]).astype(np.float16)
    np.savez_compressed(OUT, embeddings=emb, model_id=np.array(enc.model_id),
                        digest=np.array(doc_texts_digest(texts)))
    print(f"wrote {OUT}: {emb.shape}")
    from symbioflows.materials.needs import PRECOMPUTED_FILE as NEEDS_FILE
    from symbioflows.materials.needs import NeedClassifier

    out_needs = OUT.with_name(NEEDS_FILE)
    if out_needs.exists():
        out_needs.unlink()
    nc = NeedClassifier(enc)
    nc._build()
    emb = np.concatenate([nc._phrase_emb, nc._use_emb]).astype(np.float16)
    np.savez_compressed(out_needs, embeddings=emb, model_id=np.array(enc.model_id),
                        digest=np.array(doc_texts_digest(nc._doc_texts)))
    print(f"wrote {out_needs}: {emb.shape}")


if __name__ == "__main__":
    main()
