"""Materials intelligence: waste codes, material classes, needs, embeddings and search."""

from __future__ import annotations

from symbioflows.materials.classify import MaterialClassifier, MaterialPrediction, classify_material
from symbioflows.materials.compat import CompatResult, cosine_similarity, top_k_compatible
from symbioflows.materials.encoder import (
    MaterialEncoder,
    TextEncoder,
    embed_texts,
    load_sentence_model,
    make_text_encoder,
    normalize_text,
    sentence_model_available,
    shared_encoder,
)
from symbioflows.materials.ewc import EwcEntry, ewc_table, lookup_ewc, normalize_ewc
from symbioflows.materials.index import MaterialIndex, SearchResult
from symbioflows.materials.infer import classify_supplies, infer_stream_classes
from symbioflows.materials.nace import (
    NaceEntry,
    lookup_nace,
    nace_table,
    nace_title,
    normalize_nace,
)
from symbioflows.materials.needs import (
    Need,
    NeedClassifier,
    NeedPrediction,
    classify_needs,
    load_needs,
    suggest_needs,
)
from symbioflows.materials.taxonomy import (
    MaterialClass,
    Substitute,
    Taxonomy,
    classes_for_ewc,
    get_material_class,
    load_taxonomy,
    material_classes,
    substitution_matrix,
    substitution_score,
)

__all__ = [
    "EwcEntry",
    "ewc_table",
    "lookup_ewc",
    "normalize_ewc",
    "NaceEntry",
    "lookup_nace",
    "nace_table",
    "nace_title",
    "normalize_nace",
    "MaterialClass",
    "Substitute",
    "Taxonomy",
    "classes_for_ewc",
    "get_material_class",
    "load_taxonomy",
    "material_classes",
    "substitution_matrix",
    "substitution_score",
    "MaterialEncoder",
    "TextEncoder",
    "embed_texts",
    "load_sentence_model",
    "make_text_encoder",
    "shared_encoder",
    "normalize_text",
    "sentence_model_available",
    "MaterialClassifier",
    "MaterialPrediction",
    "classify_material",
    "CompatResult",
    "cosine_similarity",
    "top_k_compatible",
    "MaterialIndex",
    "Need",
    "NeedClassifier",
    "NeedPrediction",
    "classify_needs",
    "classify_supplies",
    "infer_stream_classes",
    "load_needs",
    "suggest_needs",
    "SearchResult",
]
