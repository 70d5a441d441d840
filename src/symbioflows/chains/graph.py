"""The company graph that chains are searched in: companies and (candidate) exchanges."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from symbioflows.chains.csr import build_csr
from symbioflows.errors import InvalidInputError, UnknownNodeError

__all__ = ["SymbiosisGraph", "as_frame"]

#: Numeric edge columns with their default when absent.  ``tonnes_per_yr`` absent means
#: "unknown" (flows are then reported as NaN).
NUMERIC_EDGE_COLUMNS = ("score", "tonnes_per_yr", "cost_usd", "co2e_avoided_kg")


def as_frame(table: Any, name: str) -> pd.DataFrame:
    """Accept pandas, pyarrow, polars or a mapping of columns; return a pandas DataFrame."""
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):  # pyarrow.Table, polars.DataFrame
        return table.to_pandas()
    if isinstance(table, Mapping):
        return pd.DataFrame(dict(table))
    if isinstance(table, list) and (not table or isinstance(table[0], Mapping)):
        return pd.DataFrame(table)
    raise TypeError(
        f"{name}: expected a pandas/polars DataFrame, a pyarrow Table or a dict of columns; "
        f"got {type(table).__name__}"
    )


class SymbiosisGraph:
    """Directed multigraph of companies; each edge is one (candidate) material exchange.

    Parameters
    ----------
    companies : table or sequence
        A table with a ``company_id`` column (other columns are kept as node attributes), or
        a sequence of company ids.  ``None``: the companies named by the edges, in order of
        first appearance.
    edges : table
        One row per exchange (pandas, polars, pyarrow or a dict of columns) with columns
        ``supplier`` and ``receiver`` (company ids), ``score`` in (0, 1] (how likely or how
        good the exchange is), and optionally ``tonnes_per_yr`` (>= 0), ``cost_usd``,
        ``co2e_avoided_kg`` and ``material``.  Other numeric columns can be used as a
        score to sum (``find_cycles(..., score="col")``).  Parallel edges between the same
        two companies (different materials) are kept as distinct edges.
    supplier_col, receiver_col : str
        Names of the endpoint columns.

    Raises
    ------
    InvalidInputError
        Missing columns, duplicate company ids, or an edge whose score is NaN, inf, <= 0 or
        > 1, or whose tonnes are negative or not finite (the message names the edge).
    UnknownNodeError
        An edge names a company that is not in ``companies``.

    Notes
    -----
    Self-loops are kept in the graph but never form a chain: cycles have at least two
    companies and paths are simple.

    Examples
    --------
    >>> g = SymbiosisGraph(
    ...     ["A", "B", "C"],
    ...     {"supplier": ["A", "B", "C"], "receiver": ["B", "C", "A"], "score": [0.9, 0.8, 0.5],
    ...      "tonnes_per_yr": [100.0, 40.0, 60.0], "material": ["slag", "heat", "sludge"]},
    ... )
    >>> g
    <SymbiosisGraph 3 companies, 3 exchanges>
    """

    def __init__(
        self,
        companies: Any,
        edges: Any,
        *,
        supplier_col: str = "supplier",
        receiver_col: str = "receiver",
    ) -> None:
        e = as_frame(edges, "edges")
        missing = [c for c in (supplier_col, receiver_col, "score") if c not in e.columns]
        if missing:
            raise InvalidInputError(
                f"edges: column(s) {missing} missing; got {list(map(str, e.columns))}; "
                f"pass supplier_col=/receiver_col= or add a 'score' column in (0, 1]"
            )
        e = e.reset_index(drop=True)
        if companies is None:
            ids = list(dict.fromkeys(list(e[supplier_col]) + list(e[receiver_col])))
            nodes = pd.DataFrame({"company_id": pd.Series(ids, dtype=object)})
        elif isinstance(companies, (list, tuple, np.ndarray, pd.Index, pd.Series)):
            nodes = pd.DataFrame({"company_id": pd.Series(list(companies), dtype=object)})
        else:
            nodes = as_frame(companies, "companies")
            if "company_id" not in nodes.columns:
                raise InvalidInputError(
                    f"companies: column 'company_id' missing; got {list(map(str, nodes.columns))}"
                )
            nodes = nodes.reset_index(drop=True)
        ids_list = list(nodes["company_id"])
        index: dict[Hashable, int] = {}
        for k, cid in enumerate(ids_list):
            if cid in index:
                raise InvalidInputError(
                    f"companies: duplicate company_id {cid!r} (rows {index[cid]} and {k})"
                )
            index[cid] = k
        self._index = index
        self.companies: pd.DataFrame = nodes
        self.company_ids: npt.NDArray[Any] = np.array(ids_list + [None], dtype=object)[:-1]

        src = np.empty(len(e), dtype=np.int64)
        dst = np.empty(len(e), dtype=np.int64)
        for col, out, what in ((supplier_col, src, "supplier"), (receiver_col, dst, "receiver")):
            for k, cid in enumerate(e[col].tolist()):
                j = index.get(cid)
                if j is None:
                    raise UnknownNodeError(
                        f"edge {k}: {what} {cid!r} is not a known company; add it to companies"
                    )
                out[k] = j
        self.src = src
        self.dst = dst

        table = pd.DataFrame({"supplier": e[supplier_col].to_numpy(dtype=object),
                              "receiver": e[receiver_col].to_numpy(dtype=object)})
        self.has_tonnes = "tonnes_per_yr" in e.columns
        for col in NUMERIC_EDGE_COLUMNS:
            if col in e.columns:
                table[col] = self._numeric(e, col)
            else:
                table[col] = np.nan if col == "tonnes_per_yr" else 0.0
        table["material"] = (
            e["material"].astype(object).where(e["material"].notna(), "").astype(str)
            if "material" in e.columns
            else ""
        )
        for col in e.columns:
            if col not in table.columns and col not in (supplier_col, receiver_col):
                table[col] = e[col].to_numpy()
        self.edges: pd.DataFrame = table
        self._check_values()
        self._csr: Any = None

    # ------------------------------------------------------------------ validation
    def _edge_label(self, k: int) -> str:
        s, r = self.edges["supplier"].iat[k], self.edges["receiver"].iat[k]
        mat = self.edges["material"].iat[k] if "material" in self.edges else ""
        return f"edge {k} ({s!r} -> {r!r}" + (f", material {mat!r})" if mat else ")")

    def _numeric(self, e: pd.DataFrame, col: str) -> npt.NDArray[np.float64]:
        try:
            return pd.to_numeric(e[col], errors="raise").to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            bad = pd.to_numeric(e[col], errors="coerce").isna() & e[col].notna()
            k = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise InvalidInputError(
                f"edges column {col!r}: row {k} is not a number ({e[col].iat[k]!r})"
            ) from exc

    def _check_values(self) -> None:
        sc = self.edges["score"].to_numpy()
        bad = np.flatnonzero(~(np.isfinite(sc) & (sc > 0) & (sc <= 1)))
        if bad.size:
            k = int(bad[0])
            raise InvalidInputError(
                f"{self._edge_label(k)}: score {float(sc[k])} outside (0, 1]; scores are "
                f"probabilities or normalised qualities ({bad.size} bad edge(s))"
            )
        t = self.edges["tonnes_per_yr"].to_numpy()
        if self.has_tonnes:
            bad = np.flatnonzero(~(np.isfinite(t) & (t >= 0)))
            if bad.size:
                k = int(bad[0])
                raise InvalidInputError(
                    f"{self._edge_label(k)}: tonnes_per_yr {float(t[k])} must be finite and >= 0 "
                    f"({bad.size} bad edge(s))"
                )
        for col in ("cost_usd", "co2e_avoided_kg"):
            v = self.edges[col].to_numpy()
            bad = np.flatnonzero(~np.isfinite(v))
            if bad.size:
                k = int(bad[0])
                raise InvalidInputError(f"{self._edge_label(k)}: {col} {float(v[k])} is not finite")

    # ------------------------------------------------------------------ accessors
    @property
    def n_nodes(self) -> int:
        """Number of companies."""
        return len(self.company_ids)

    @property
    def n_edges(self) -> int:
        """Number of exchanges (parallel edges counted separately)."""
        return len(self.src)

    @property
    def csr(self) -> Any:
        """The native CSR multigraph (built once, on first use)."""
        if self._csr is None:
            self._csr = build_csr(self.n_nodes, self.src, self.dst)
        return self._csr

    def node_index(self, ids: Any, name: str = "sources") -> npt.NDArray[np.int64]:
        """Indices of company ids (a single id or an iterable of ids)."""
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            ids = [ids]
        out = []
        for k, cid in enumerate(ids):
            j = self._index.get(cid)
            if j is None:
                raise UnknownNodeError(f"{name}[{k}] = {cid!r} is not a company of the graph")
            out.append(j)
        return np.asarray(out, dtype=np.int64)

    def edge_values(self, column: str) -> npt.NDArray[np.float64]:
        """A numeric edge column as float64 (checked finite)."""
        if column not in self.edges.columns or column in ("supplier", "receiver", "material"):
            numeric = [
                c for c in self.edges.columns
                if c not in ("supplier", "receiver", "material")
                and pd.api.types.is_numeric_dtype(self.edges[c])
            ]
            raise InvalidInputError(
                f"score={column!r} is neither 'product', 'bottleneck' nor a numeric edge "
                f"column; numeric columns: {numeric}"
            )
        col = self.edges[column]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise InvalidInputError(f"edge column {column!r} is not numeric (dtype {col.dtype})")
        v = col.to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            k = int(bad[0])
            raise InvalidInputError(f"{self._edge_label(k)}: {column} {float(v[k])} is not finite")
        return v

    def __repr__(self) -> str:
        return f"<SymbiosisGraph {self.n_nodes} companies, {self.n_edges} exchanges>"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_csr"] = None  # rebuilt on demand
        return state

    # ------------------------------------------------------------------ networkx
    @classmethod
    def from_networkx(cls, G: Any, *, score: str = "score") -> SymbiosisGraph:
        """Build from a networkx ``DiGraph`` or ``MultiDiGraph``.

        Node attributes become company columns, edge attributes edge columns; the edge
        attribute named ``score`` (default ``"score"``) must be in (0, 1].

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_edge("A", "B", score=0.9, material="slag")
        0
        >>> G.add_edge("B", "A", score=0.5, material="heat")
        0
        >>> SymbiosisGraph.from_networkx(G).n_edges
        2
        """
        if not G.is_directed():
            raise InvalidInputError("from_networkx: the graph must be directed (DiGraph/MultiDiGraph)")
        rows = []
        for cid, data in G.nodes(data=True):
            row = {"company_id": cid}
            row.update({k: v for k, v in data.items() if k != "company_id"})
            rows.append(row)
        companies = pd.DataFrame(rows) if rows else pd.DataFrame({"company_id": []})
        erows = []
        for u, v, data in G.edges(data=True):
            row = {k: val for k, val in data.items() if k not in ("supplier", "receiver")}
            if score not in data:
                raise InvalidInputError(f"edge ({u!r} -> {v!r}) has no {score!r} attribute")
            row["score"] = data[score]
            row["supplier"], row["receiver"] = u, v
            erows.append(row)
        edges = pd.DataFrame(erows) if erows else pd.DataFrame(
            {"supplier": [], "receiver": [], "score": []}
        )
        return cls(companies, edges)

    def to_networkx(self) -> Any:
        """A ``networkx.MultiDiGraph``: company attributes on nodes, edge columns on edges
        (edge key = edge index)."""
        import networkx as nx

        G = nx.MultiDiGraph()
        attrs = self.companies.drop(columns=["company_id"]).to_dict("records")
        for cid, a in zip(self.company_ids, attrs):
            G.add_node(cid, **{str(key): val for key, val in a.items()})
        cols = [c for c in self.edges.columns if c not in ("supplier", "receiver")]
        if not self.has_tonnes:
            cols.remove("tonnes_per_yr")
        records = self.edges[cols].to_dict("records")
        for k, (s, r) in enumerate(zip(self.src, self.dst)):
            G.add_edge(self.company_ids[s], self.company_ids[r], key=k,
                       **{str(key): val for key, val in records[k].items()})
        return G
