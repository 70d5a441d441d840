"""Typed results of a chain search: flat arrays with table, graph and plot views."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from symbioflows._optional import import_optional
from symbioflows.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from symbioflows.chains.graph import SymbiosisGraph

__all__ = ["Chain", "ChainResult"]


@dataclass(frozen=True)
class Chain:
    """One chain: a circular loop (``kind="cycle"``) or a cascade (``kind="path"``).

    ``companies`` lists the companies in order (a cycle's first company is its smallest
    node and is not repeated at the end; a path lists ``len(edge_ids) + 1`` companies).
    """

    kind: str
    companies: list[Any]
    edge_ids: list[int]
    materials: list[str]
    score: float
    flow_t_per_yr: float
    cost_usd: float
    co2e_avoided_kg: float

    def __len__(self) -> int:
        return len(self.edge_ids)


@dataclass(frozen=True, repr=False, eq=False)
class ChainResult:
    """Chains found by :func:`find_cycles` or :func:`find_paths`, as flat arrays.

    Chain ``i`` uses edges ``edge_ids[offsets[i]:offsets[i + 1]]`` (row positions in
    ``graph.edges``).

    Attributes
    ----------
    kind : {"cycle", "path"}
    graph : SymbiosisGraph
    offsets, edge_ids : int64 arrays
    scores : float64 array
        Per chain, product or bottleneck of edge scores, or the sum of the named column.
    flow_t_per_yr : float64 array
        Feasible flow of the chain: its bottleneck (smallest) ``tonnes_per_yr``; NaN when
        the graph has no tonnes.
    sources : int64 array or None
        Paths: the index (into the ``sources`` given) of each chain's source.
    truncated : bool
        True when a limit stopped the search before it was complete.
    reason : str or None
        ``"max_results"``, ``"max_expansions"`` or ``"time_limit"`` when truncated.
    n_expansions : int
        Edges examined by the search (a measure of work).
    score_kind : str
    """

    kind: str
    graph: SymbiosisGraph
    offsets: npt.NDArray[np.int64]
    edge_ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]
    flow_t_per_yr: npt.NDArray[np.float64]
    truncated: bool
    reason: str | None
    n_expansions: int
    score_kind: str
    sources: npt.NDArray[np.int64] | None = None

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.scores)

    @property
    def lengths(self) -> npt.NDArray[np.int64]:
        """Number of edges of each chain."""
        return np.diff(self.offsets)

    def _node_arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(node offsets, node indices) of every chain."""
        src = self.graph.src[self.edge_ids]
        if self.kind == "cycle":
            return self.offsets, src
        n = len(self)
        node_off = self.offsets + np.arange(n + 1, dtype=np.int64)
        nodes = np.empty(len(self.edge_ids) + n, dtype=np.int64)
        mask = np.ones(len(nodes), dtype=bool)
        last = node_off[1:] - 1
        mask[last] = False
        nodes[mask] = src
        nodes[last] = self.graph.dst[self.edge_ids[self.offsets[1:] - 1]]
        return node_off, nodes

    def chain(self, i: int) -> Chain:
        """The ``i``-th chain as a :class:`Chain`."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"chain index {i} out of range for {n} chains")
        i %= n
        e = self.edge_ids[self.offsets[i] : self.offsets[i + 1]]
        g = self.graph
        nodes = list(g.src[e]) + ([] if self.kind == "cycle" else [g.dst[e[-1]]])
        ed = g.edges
        return Chain(
            kind=self.kind,
            companies=[g.company_ids[v] for v in nodes],
            edge_ids=[int(x) for x in e],
            materials=[str(x) for x in ed["material"].to_numpy()[e]],
            score=float(self.scores[i]),
            flow_t_per_yr=float(self.flow_t_per_yr[i]),
            cost_usd=float(ed["cost_usd"].to_numpy()[e].sum()),
            co2e_avoided_kg=float(ed["co2e_avoided_kg"].to_numpy()[e].sum()),
        )

    def __getitem__(self, i: int) -> Chain:
        return self.chain(i)

    def __iter__(self) -> Any:
        return (self.chain(i) for i in range(len(self)))

    # ------------------------------------------------------------------ tables
    def to_arrow(self) -> pa.Table:
        """One row per chain: ``chain``, ``length``, ``companies`` (list), ``materials``
        (list), ``edge_ids`` (list), ``score``, ``flow_t_per_yr``, ``cost_usd``,
        ``co2e_avoided_kg`` (sums over the chain's edges), and ``source`` for paths."""
        import pyarrow as pa

        g = self.graph
        e = self.edge_ids
        node_off, nodes = self._node_arrays()
        ids = g.company_ids[nodes]
        try:
            id_values = pa.array(ids.tolist())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            id_values = pa.array([str(x) for x in ids])
        cost = g.edges["cost_usd"].to_numpy()[e]
        co2 = g.edges["co2e_avoided_kg"].to_numpy()[e]
        starts = self.offsets[:-1]
        has = self.lengths > 0
        cost_sum = np.zeros(len(self))
        co2_sum = np.zeros(len(self))
        if len(e):
            cost_sum[has] = np.add.reduceat(cost, starts[has])
            co2_sum[has] = np.add.reduceat(co2, starts[has])
        cols: dict[str, Any] = {
            "chain": pa.array(np.arange(len(self), dtype=np.int64)),
            "length": pa.array(self.lengths),
            "companies": pa.ListArray.from_arrays(pa.array(node_off, pa.int32()) if len(nodes) < 2**31 else pa.array(node_off), id_values),
            "materials": pa.ListArray.from_arrays(
                pa.array(self.offsets, pa.int32()) if len(e) < 2**31 else pa.array(self.offsets),
                pa.array(g.edges["material"].to_numpy()[e].tolist(), pa.string()),
            ),
            "edge_ids": pa.ListArray.from_arrays(
                pa.array(self.offsets, pa.int32()) if len(e) < 2**31 else pa.array(self.offsets),
                pa.array(e, pa.int64()),
            ),
            "score": pa.array(self.scores),
            "flow_t_per_yr": pa.array(self.flow_t_per_yr),
            "cost_usd": pa.array(cost_sum),
            "co2e_avoided_kg": pa.array(co2_sum),
        }
        if self.kind == "path" and self.sources is not None:
            cols["source"] = pa.array(g.company_ids[self._source_nodes()].tolist())
        return pa.table(cols)

    def _source_nodes(self) -> npt.NDArray[np.int64]:
        return self.graph.src[self.edge_ids[self.offsets[:-1]]] if len(self) else np.zeros(0, np.int64)

    def to_pandas(self) -> pd.DataFrame:
        """The table of :meth:`to_arrow` as a pandas DataFrame (list columns as lists)."""
        df = self.to_arrow().to_pandas()
        for col in ("companies", "materials", "edge_ids"):
            df[col] = [list(x) for x in df[col]]
        return df

    def to_networkx(self) -> Any:
        """A ``networkx.MultiDiGraph`` of the edges used by the chains; each edge carries
        its columns and ``chains``, the list of chain indices that use it."""
        import networkx as nx

        g = self.graph
        G = nx.MultiDiGraph()
        used: dict[int, list[int]] = {}
        for i in range(len(self)):
            for e in self.edge_ids[self.offsets[i] : self.offsets[i + 1]]:
                used.setdefault(int(e), []).append(i)
        cols = [c for c in g.edges.columns if c not in ("supplier", "receiver")]
        for e in sorted(used):
            s, r = g.company_ids[g.src[e]], g.company_ids[g.dst[e]]
            attrs = {c: g.edges[c].iat[e] for c in cols}
            G.add_edge(s, r, key=e, chains=used[e], **attrs)
        return G

    # ------------------------------------------------------------------ display
    def _summary(self) -> str:
        what = "cycles" if self.kind == "cycle" else "paths"
        trunc = f", truncated ({self.reason})" if self.truncated else ""
        return f"{len(self)} {what}, score={self.score_kind}{trunc}, {self.n_expansions} expansions"

    def __repr__(self) -> str:
        return f"<ChainResult {self._summary()}>"

    def _repr_html_(self, max_rows: int = 10) -> str:
        rows = []
        for i in range(min(len(self), max_rows)):
            c = self.chain(i)
            loop = c.companies + ([c.companies[0]] if self.kind == "cycle" else [])
            steps = [html.escape(str(loop[0]))]
            for k, m in enumerate(c.materials):
                steps.append(f"&mdash;{html.escape(m) or '?'}&rarr; {html.escape(str(loop[k + 1]))}")
            rows.append(
                f"<tr><td>{i}</td><td>{' '.join(steps)}</td><td>{c.score:.4g}</td>"
                f"<td>{c.flow_t_per_yr:.4g}</td></tr>"
            )
        more = f"<p>&hellip; {len(self) - max_rows} more</p>" if len(self) > max_rows else ""
        return (
            f"<div><p><b>ChainResult</b>: {html.escape(self._summary())}</p>"
            "<table><thead><tr><th>#</th><th>chain</th><th>score</th><th>flow t/yr</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>{more}</div>"
        )

    def plot(self, i: int = 0, *, ax: Any = None) -> Any:
        """Draw chain ``i`` (companies on a circle for a loop, on a line for a cascade),
        edges labelled with material and tonnes.  Needs matplotlib (``symbioflows[viz]``).

        Returns the matplotlib ``Axes``.
        """
        plt = import_optional("matplotlib.pyplot", "viz", purpose="ChainResult.plot")
        if len(self) == 0:
            raise InvalidInputError("no chain to plot: the result is empty")
        c = self.chain(i)
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        k = len(c.companies)
        if self.kind == "cycle":
            ang = np.pi / 2 - 2 * np.pi * np.arange(k) / k
            xy = np.c_[np.cos(ang), np.sin(ang)]
            pairs = [(j, (j + 1) % k) for j in range(k)]
        else:
            xy = np.c_[np.arange(k, dtype=float), np.zeros(k)]
            pairs = [(j, j + 1) for j in range(k - 1)]
        tonnes = self.graph.edges["tonnes_per_yr"].to_numpy()
        for (a, b), e, m in zip(pairs, c.edge_ids, c.materials):
            ax.annotate("", xy=xy[b], xytext=xy[a],
                        arrowprops={"arrowstyle": "-|>", "shrinkA": 14, "shrinkB": 14, "lw": 1.5})
            mid = (xy[a] + xy[b]) / 2
            t = tonnes[e]
            label = m if np.isnan(t) else f"{m}\n{t:.4g} t/yr"
            ax.text(mid[0], mid[1], label, fontsize=8, ha="center", va="center",
                    bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8})
        ax.scatter(xy[:, 0], xy[:, 1], s=600, zorder=3)
        for j, name in enumerate(c.companies):
            ax.text(xy[j, 0], xy[j, 1], str(name), ha="center", va="center", fontsize=8, zorder=4)
        ax.set_title(f"{self.kind} {i}: score {c.score:.3g}, flow {c.flow_t_per_yr:.4g} t/yr")
        ax.set_axis_off()
        ax.margins(0.2)
        return ax
