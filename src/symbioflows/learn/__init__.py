"""Learning which exchanges work: GNN link prediction, baselines, evaluation on real
exchanges, federated training, and a feedback-driven scorer with a model registry.

Heavy dependencies (torch, torch_geometric, flwr, scikit-learn) are imported lazily when a
learner is used; from a source checkout ``pip install '.[gnn]'`` / ``'.[federated]'`` / ``'.[learn]'``.
"""

from __future__ import annotations

from symbioflows._deprecation import moved_names
from symbioflows.learn._synthetic import make_synthetic_network
from symbioflows.learn._tables import Tables, as_tables
from symbioflows.learn.baselines import GNNScorer
from symbioflows.learn.gnn import LinkPredictor, roc_auc
from symbioflows.learn.graph import ExchangeGraph, build_graph
from symbioflows.learn.split import LinkSplit, edge_set, link_split, sample_negatives

__all__ = [
    "ExchangeGraph",
    "GNNScorer",
    "LinkPredictor",
    "LinkSplit",
    "Tables",
    "as_tables",
    "build_graph",
    "edge_set",
    "link_split",
    "make_synthetic_network",
    "roc_auc",
    "sample_negatives",
]

__getattr__ = moved_names(__name__, {"SymbiosisGraph": "symbioflows.learn.graph:ExchangeGraph"})
