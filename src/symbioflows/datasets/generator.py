"""A seeded generator of synthetic industrial regions (companies, streams, exchanges).

See :mod:`symbioflows.datasets._profiles` for the sector profiles, the industrial zones and the
public sources they rest on.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from symbioflows._config import check_rng
from symbioflows._validation import check_positive_int
from symbioflows.data.dataset import Dataset
from symbioflows.data.schema import (
    COMPANIES_SCHEMA,
    EXCHANGE_STATUSES,
    EXCHANGES_SCHEMA,
    STREAMS_SCHEMA,
)
from symbioflows.data.units import parse_unit
from symbioflows.datasets._profiles import REGION_CENTER, SECTORS, ZONES
from symbioflows.errors import InvalidInputError

__all__ = ["make_region", "material_classes"]

logger = logging.getLogger(__name__)

_KM_PER_DEG_LAT = 111.32  # mean length of one degree of latitude (WGS84), km

# Alternative spellings of units, used for a share of the streams so that data read back
# exercises the unit conversions: (canonical unit, alternative unit, factor alternative/canonical).
_ALT_UNITS: dict[str, tuple[str, ...]] = {
    "t/yr": ("t/month", "kg/day", "t/week", "kt/yr"),
    "MWh/yr": ("GJ/yr", "MWh/month", "GWh/yr"),
    "m3/yr": ("m3/day", "m3/h", "ML/yr"),
}
_STATUS_P = np.array(
    [0.25, 0.15, 0.1, 0.3, 0.1, 0.1]
)  # proposed, contacted, negotiating, active, rejected, ended


def material_classes() -> list[str]:
    """Every material class id the generator uses, sorted."""
    return sorted({t.material_class for p in SECTORS.values() for t in p.templates})


#: Exact powers of ten, 10**0 .. 10**22 (every one is a float64 exactly).
_POW10 = np.array([float(10**k) for k in range(23)])


def _round_sig(x: np.ndarray, digits: int = 3) -> np.ndarray:
    """Round to ``digits`` significant digits (vectorised; zeros stay zero).

    Only IEEE multiplication and division by exact powers of ten are used, never ``np.power``
    or a table of ``10**-k`` (numpy's SIMD ``power`` and ``log10`` differ in the last bit
    between CPUs, which changed the regenerated sample on another machine): the result is the
    same on every machine.
    """
    out = np.zeros_like(x)
    nz = np.flatnonzero(x != 0)
    ax = np.abs(x[nz])
    mag = np.floor(np.log10(ax)).astype(np.int64)
    # log10 may miss by one ulp at a power of ten: put mag where 10**mag <= |x| < 10**(mag+1)
    pos = np.clip(mag, 0, 22)
    mag[(mag >= 0) & (mag < 22) & (ax >= _POW10[np.clip(pos + 1, 0, 22)])] += 1
    mag[(mag >= 0) & (mag <= 22) & (ax < _POW10[pos])] -= 1
    e = digits - 1 - mag  # scale by 10**e
    up, down = e >= 0, e < 0
    if np.any(np.abs(e) > 22):
        raise ValueError("_round_sig: magnitude out of the exact range of powers of ten")
    xs = x[nz]
    res = np.empty_like(xs)
    res[up] = np.round(xs[up] * _POW10[e[up]]) / _POW10[e[up]]
    res[down] = np.round(xs[down] / _POW10[-e[down]]) * _POW10[-e[down]]
    out[nz] = res
    return out


def make_region(
    n_companies: int,
    *,
    rng: Any = None,
    center: tuple[float, float] | None = None,
    radius_km: float | None = None,
    n_streams_per_company: float = 4.0,
    exchange_fraction: float = 0.03,
    country: str | None = None,
    prices: bool = True,
) -> Dataset:
    """Generate a synthetic industrial region.

    Companies are placed in clusters around real industrial areas (by default those of the port
    of Rotterdam region: Maasvlakte, Europoort, Botlek, Pernis, Moerdijk, Westland ...), get a
    NACE Rev. 2 sector according to each area's sector mix, and draw their streams from the
    sector's profile (typical outputs and inputs with EWC codes, material classes and quantity
    ranges; see :mod:`symbioflows.datasets._profiles` for the sources).  Every material class
    that some sector supplies is demanded by another, so matchers find exchanges and chain
    searches find loops.  A few known exchanges between nearby matching streams are added.

    Parameters
    ----------
    n_companies : int
        Number of companies (>= 1).
    rng : seed, SeedSequence or numpy Generator, optional
        Randomness; the same seed gives the same region.
    center : (lat, lon), optional
        Move the layout of industrial areas so that its centre is here (WGS84 degrees).
        Default: the port of Rotterdam, ``(51.90, 4.30)``.
    radius_km : float, optional
        Scale the layout so that the farthest area centre lies ``radius_km`` from the centre.
        Default: the real layout (about 30 km).
    n_streams_per_company : float, default 4.0
        Mean number of streams per company (at least 1 each, at most the sector's templates).
    exchange_fraction : float, default 0.03
        Known exchanges to add, as a fraction of the supply streams (0 for none).
    country : str, optional
        ISO alpha-2 code written in ``country``; default ``"NL"`` for the default layout and
        null when ``center`` is given.
    prices : bool, default True
        Write the profiles' indicative prices (``price_usd_per_t``: illustrative ranges, see
        :mod:`symbioflows.datasets._profiles`).  ``False`` leaves the column empty (the draws
        are made all the same, so the rest of the region is unchanged), and a plan then values
        every exchange with the sourced reference prices of :mod:`symbioflows.pricing.market`.

    Returns
    -------
    Dataset

    Raises
    ------
    InvalidInputError
        Bad sizes, centre outside WGS84, non-positive radius.

    Notes
    -----
    Vectorised with numpy: about ``O(n_streams)`` time and memory; a million streams take a few
    seconds.  Quantities are rounded to three significant digits; about a quarter of the
    streams state their quantity in another unit (``t/month``, ``kg/day``, ``GJ/yr``,
    ``m3/h`` ...) with the canonical columns converted as :func:`symbioflows.read_dataset`
    would.

    Examples
    --------
    >>> from symbioflows.datasets import make_region
    >>> ds = make_region(50, rng=1)
    >>> ds.n_companies
    50
    >>> make_region(50, rng=1).equals(ds)
    True
    """
    n = check_positive_int(n_companies, "n_companies")
    gen = check_rng(rng)
    if not (isinstance(n_streams_per_company, (int, float)) and 1 <= n_streams_per_company <= 50):
        raise InvalidInputError(
            f"n_streams_per_company must be a number in [1, 50]; got {n_streams_per_company!r}"
        )
    if not (isinstance(exchange_fraction, (int, float)) and 0 <= exchange_fraction <= 1):
        raise InvalidInputError(f"exchange_fraction must be in [0, 1]; got {exchange_fraction!r}")
    base_lat, base_lon = REGION_CENTER
    if center is None:
        c_lat, c_lon = base_lat, base_lon
        country = "NL" if country is None else country
    else:
        try:
            c_lat, c_lon = (float(center[0]), float(center[1]))
        except (TypeError, ValueError, IndexError) as exc:
            raise InvalidInputError(f"center must be (lat, lon); got {center!r}") from exc
        if not (
            math.isfinite(c_lat)
            and math.isfinite(c_lon)
            and -85 <= c_lat <= 85
            and -180 <= c_lon <= 180
        ):
            raise InvalidInputError(
                f"center must be WGS84 (lat in [-85, 85], lon in [-180, 180]); got {center!r}"
            )
    if radius_km is not None and not (
        isinstance(radius_km, (int, float)) and math.isfinite(radius_km) and radius_km > 0
    ):
        raise InvalidInputError(f"radius_km must be a positive number; got {radius_km!r}")

    # -- zone layout in km relative to the base centre -----------------------------------------
    zx = np.array(
        [(z.lon - base_lon) * _KM_PER_DEG_LAT * math.cos(math.radians(base_lat)) for z in ZONES]
    )
    zy = np.array([(z.lat - base_lat) * _KM_PER_DEG_LAT for z in ZONES])
    spread = np.array([z.spread_km for z in ZONES])
    if radius_km is not None:
        scale = radius_km / max(float(np.hypot(zx, zy).max()), 1e-9)
        zx, zy, spread = zx * scale, zy * scale, spread * scale
    zone_w = np.array([z.weight for z in ZONES])
    zone = gen.choice(len(ZONES), size=n, p=zone_w / zone_w.sum())

    # -- sector per company from its zone's mix --------------------------------------------------
    sector_codes = sorted(SECTORS)
    sidx = {s: i for i, s in enumerate(sector_codes)}
    mix = np.zeros((len(ZONES), len(sector_codes)))
    for zi, z in enumerate(ZONES):
        for s, w in z.sectors.items():
            mix[zi, sidx[s]] = w
    cum = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    u = gen.random(n)
    sector = np.minimum((u[:, None] > cum[zone]).sum(axis=1), len(sector_codes) - 1)

    # -- coordinates -------------------------------------------------------------------------------
    dx = zx[zone] + gen.normal(0.0, 1.0, n) * spread[zone]
    dy = zy[zone] + gen.normal(0.0, 1.0, n) * spread[zone]
    lat = np.round(c_lat + dy / _KM_PER_DEG_LAT, 5)
    lon = np.round(c_lon + dx / (_KM_PER_DEG_LAT * math.cos(math.radians(c_lat))), 5)
    lat = np.clip(lat, -89.99999, 89.99999)
    lon = np.round(np.where(lon > 180.0, lon - 360.0, np.where(lon < -180.0, lon + 360.0, lon)), 5)
    size = gen.lognormal(0.0, 0.35, n)  # company size factor scaling its quantities

    company_id = _ids("C", n)
    zone_names = pa.array([z.name for z in ZONES], pa.string())
    labels = pa.array([SECTORS[s].label for s in sector_codes], pa.string())
    names = pc.binary_join_element_wise(
        zone_names.take(pa.array(zone)),
        labels.take(pa.array(sector)),
        pc.cast(pa.array(np.arange(1, n + 1)), pa.string()),
        " ",
    )

    # -- streams: templates per company without replacement (Gumbel top-k) ---------------------
    flat = [(s, t) for s in sector_codes for t in SECTORS[s].templates]
    templates = [t for _, t in flat]
    t_sector = np.array([sidx[s] for s, _ in flat])
    t_start = np.searchsorted(t_sector, np.arange(len(sector_codes)))
    t_count = np.bincount(t_sector, minlength=len(sector_codes))
    t_logw = np.log(np.array([t.weight for t in templates]))
    k = 1 + gen.poisson(n_streams_per_company - 1.0, n)
    k = np.minimum(k, t_count[sector])
    owner_parts: list[np.ndarray] = []
    tmpl_parts: list[np.ndarray] = []
    for si in range(len(sector_codes)):
        members = np.flatnonzero(sector == si)
        if members.size == 0:
            continue
        c = int(t_count[si])
        keys = t_logw[t_start[si] : t_start[si] + c][None, :] + gen.gumbel(size=(members.size, c))
        order = np.argsort(-keys, axis=1, kind="stable")
        take = np.arange(c)[None, :] < k[members][:, None]
        rows = np.broadcast_to(members[:, None], order.shape)[take]
        owner_parts.append(rows)
        tmpl_parts.append(t_start[si] + order[take])
    owner = np.concatenate(owner_parts) if owner_parts else np.zeros(0, dtype=np.int64)
    tmpl = np.concatenate(tmpl_parts) if tmpl_parts else np.zeros(0, dtype=np.int64)
    perm = np.lexsort((tmpl, owner))  # streams ordered by company, then template
    owner, tmpl = owner[perm], tmpl[perm]
    m = owner.size
    itmpl = pa.array(tmpl)

    def per_template(values: list[Any]) -> pa.Array:
        return pa.array(values, pa.string()).take(itmpl)

    direction_codes = np.array([t.direction == "supply" for t in templates])[tmpl]
    class_vocab = sorted({t.material_class for t in templates})
    class_code = np.array([class_vocab.index(t.material_class) for t in templates])[tmpl]
    n_var = np.array([len(t.materials) for t in templates])
    var = np.floor(gen.random(m) * n_var[tmpl]).astype(np.int64)
    var_offset = np.concatenate([[0], np.cumsum(n_var)[:-1]])
    all_materials = pa.array([mt for t in templates for mt in t.materials], pa.string())
    material = all_materials.take(pa.array(var_offset[tmpl] + var))

    lo = np.array([t.q_range[0] for t in templates])[tmpl]
    hi = np.array([t.q_range[1] for t in templates])[tmpl]
    q_canon = np.exp(np.log(lo) + gen.random(m) * (np.log(hi) - np.log(lo))) * size[owner]
    # unit vocabulary: the canonical units, then their alternatives
    unit_vocab = list(_ALT_UNITS) + [a for alts in _ALT_UNITS.values() for a in alts]
    unit_factor = np.array([parse_unit(u).factor for u in unit_vocab])
    unit_dim = np.array(
        [("mass", "energy", "volume").index(parse_unit(u).dimension) for u in unit_vocab]
    )
    base_code = np.array([unit_vocab.index(t.unit) for t in templates])[tmpl]
    unit_code = base_code.copy()
    alt = gen.random(m) < 0.25
    pick = gen.random(m)
    for bi, alts in enumerate(_ALT_UNITS.values()):
        sel = np.flatnonzero(alt & (base_code == bi))
        if sel.size == 0:
            continue
        first = unit_vocab.index(alts[0])
        unit_code[sel] = first + np.floor(pick[sel] * len(alts)).astype(np.int64)
    quantity = _round_sig(q_canon / unit_factor[unit_code], 3)
    # canonical columns, computed exactly as symbioflows.data.units.convert_quantities does
    dens_t = np.array(
        [np.nan if t.density_t_per_m3 is None else t.density_t_per_m3 for t in templates]
    )
    density = dens_t[tmpl]
    value = quantity * unit_factor[unit_code]
    dim = unit_dim[unit_code]
    t_per_yr = np.where(dim == 0, value, np.nan)
    mwh = np.where(dim == 1, value, np.nan)
    m3 = np.where(dim == 2, value, np.nan)
    ok = (dim == 2) & np.isfinite(density) & (density > 0)
    t_per_yr = np.where(ok, m3 * np.where(ok, density, 0.0), t_per_yr)

    q_lo = np.array([np.nan if t.quality is None else t.quality[0] for t in templates])[tmpl]
    q_hi = np.array([np.nan if t.quality is None else t.quality[1] for t in templates])[tmpl]
    quality = np.round(q_lo + gen.random(m) * (q_hi - q_lo), 2)
    quality[gen.random(m) < 0.15] = np.nan  # some streams without a quality score
    p_lo = np.array(
        [np.nan if t.price_usd_per_t is None else t.price_usd_per_t[0] for t in templates]
    )[tmpl]
    p_hi = np.array(
        [np.nan if t.price_usd_per_t is None else t.price_usd_per_t[1] for t in templates]
    )[tmpl]
    price = np.round(np.maximum(p_lo + gen.random(m) * (p_hi - p_lo), 0.0), 1)
    if not prices:
        price = np.full(m, np.nan)
    avail = np.array([t.availability_mask for t in templates], dtype=np.int16)[tmpl]
    stream_id = _ids("S", m)

    companies = pa.Table.from_arrays(
        [
            company_id,
            names,
            pa.array(sector_codes, pa.string()).take(pa.array(sector)),
            pa.array(lat, pa.float64()),
            pa.array(lon, pa.float64()),
            pa.array(
                [country] * n if country is not None else pa.nulls(n, pa.string()), pa.string()
            ),
        ],
        schema=COMPANIES_SCHEMA,
    )
    streams = pa.Table.from_arrays(
        [
            stream_id,
            company_id.take(pa.array(owner)),
            per_template([t.direction for t in templates]),
            material,
            per_template([t.ewc_code for t in templates]),
            per_template([t.material_class for t in templates]),
            pa.array(quantity, pa.float64()),
            pa.array(unit_vocab, pa.string()).take(pa.array(unit_code)),
            pa.array(["mass", "energy", "volume"], pa.string()).take(pa.array(dim)),
            pa.array(t_per_yr, pa.float64(), from_pandas=True),
            pa.array(mwh, pa.float64(), from_pandas=True),
            pa.array(m3, pa.float64(), from_pandas=True),
            pa.array(density, pa.float64(), from_pandas=True),
            pa.array(quality, pa.float64(), from_pandas=True),
            pa.array(price, pa.float64(), from_pandas=True),
            pa.array(avail, pa.int16()),
            pa.nulls(m, pa.string()),  # treatment_route: recovery (the default)
            pa.nulls(m, pa.bool_()),  # food_grade: no
        ],
        schema=STREAMS_SCHEMA,
    )
    exchanges = _make_exchanges(
        gen, owner, direction_codes, class_code, t_per_yr, stream_id, exchange_fraction, lat, lon
    )
    logger.debug("generated %d companies, %d streams, %d exchanges", n, m, exchanges.num_rows)
    return Dataset(companies, streams, exchanges)


def _ids(prefix: str, count: int) -> pa.Array:
    """``prefix`` + zero-padded 1-based numbers, e.g. C00001 (width at least 5)."""
    width = max(5, len(str(count)))
    nums = pc.cast(pa.array(np.arange(1, count + 1, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(nums, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def _make_exchanges(
    gen: np.random.Generator,
    owner: np.ndarray,
    is_supply: np.ndarray,
    class_code: np.ndarray,
    t_per_yr: np.ndarray,
    stream_id: pa.Array,
    fraction: float,
    lat: np.ndarray,
    lon: np.ndarray,
) -> pa.Table:
    """Known exchanges: for a sample of mass supplies, the nearest of 8 random demands of the
    same class at other companies."""
    sup = np.flatnonzero(is_supply & np.isfinite(t_per_yr))
    n_ex = int(round(fraction * sup.size))
    if n_ex == 0:
        return EXCHANGES_SCHEMA.empty_table()
    chosen = np.sort(gen.choice(sup, size=min(n_ex, sup.size), replace=False))
    dem = np.flatnonzero(~is_supply)
    dem = dem[np.argsort(class_code[dem], kind="stable")]
    dem_cls = class_code[dem]
    n_cls = int(class_code.max()) + 1 if class_code.size else 0
    start = np.searchsorted(dem_cls, np.arange(n_cls))
    count = np.bincount(dem_cls, minlength=n_cls)
    c = class_code[chosen]
    has = count[c] > 0
    chosen, c = chosen[has], c[has]
    n_cand = 8
    r = np.floor(gen.random((chosen.size, n_cand)) * count[c][:, None]).astype(np.int64)
    cand = dem[start[c][:, None] + r]
    d2 = (lat[owner[cand]] - lat[owner[chosen]][:, None]) ** 2 + (
        lon[owner[cand]] - lon[owner[chosen]][:, None]
    ) ** 2
    d2[owner[cand] == owner[chosen][:, None]] = np.inf
    best = np.argmin(d2, axis=1)
    keep = np.isfinite(d2[np.arange(chosen.size), best])
    sp = chosen[keep]
    dp = cand[np.arange(chosen.size), best][keep]
    if sp.size == 0:
        return EXCHANGES_SCHEMA.empty_table()
    cap = np.where(np.isfinite(t_per_yr[dp]), np.minimum(t_per_yr[sp], t_per_yr[dp]), t_per_yr[sp])
    qty = _round_sig(cap * (0.2 + 0.8 * gen.random(sp.size)), 3)
    status = pa.array(list(EXCHANGE_STATUSES), pa.string()).take(
        pa.array(gen.choice(len(EXCHANGE_STATUSES), size=sp.size, p=_STATUS_P))
    )
    return pa.Table.from_arrays(
        [
            stream_id.take(pa.array(sp)),
            stream_id.take(pa.array(dp)),
            pa.array(qty, pa.float64()),
            status,
        ],
        schema=EXCHANGES_SCHEMA,
    )
