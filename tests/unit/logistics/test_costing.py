from __future__ import annotations

import math

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError, UnknownNodeError
from symbioflows.logistics import (
    DEFAULT_MODES,
    cost_pairs,
    cost_route,
    get_mode,
    great_circle_pairs,
    modes_table,
    road_circuity,
    transport_modes,
)

EUR = 1.0824  # USD per EUR, ECB 2024 annual average (exchange_rates.csv)


def test_truck_250_km_1000_t_hand_worked():
    # Articulated truck: payload 26 t, fixed EUR 100 per shipment, EUR 0.0577 per t.km,
    # DEFRA 2025 "All artics, average laden" 0.07800 kg CO2e per t.km.
    #   shipments = ceil(1000 / 26) = 39
    #   fixed     = 39 * 100 EUR * 1.0824            =  4,221.36 USD
    #   variable  = 1000 t * 250 km * 0.0577 * 1.0824 = 15,613.62 USD
    #   cost      = 19,834.98 USD;  CO2e = 1000 * 250 * 0.078 = 19,500 kg
    r = cost_route((51.0, 0.0), (52.0, 0.0), quantity=1000, mode="road_articulated",
                   distance_km=250)
    assert r.feasible and r.mode == "road_articulated"
    assert r.shipments == 39
    assert r.route_km == 250
    assert r.cost_usd == pytest.approx(4221.36 + 15613.62, abs=0.01)
    assert r.co2e_kg == pytest.approx(19500.0, rel=1e-12)
    assert r.cost_usd_per_t == pytest.approx(19.83498, abs=1e-4)
    assert "0.07800" in r.sources["co2e"] or "All artics" in r.sources["co2e"]


def test_steam_pipe_3_km_hand_worked_and_6_km_infeasible():
    # Steam main: levelised EUR 1.00 per t.km, continuous (no shipments), max 5 km.
    #   20,000 t/yr * 3 km * 1.00 EUR * 1.0824 = 64,944 USD/yr;  no direct CO2e.
    r = cost_route((55.0, 11.0), (55.01, 11.0), quantity=20_000, medium="steam", distance_km=3)
    assert r.mode == "pipe_steam" and r.shipments == 0
    assert r.cost_usd == pytest.approx(20_000 * 3 * 1.0 * EUR, rel=1e-12)
    assert r.cost_usd == pytest.approx(64_944.0, abs=1e-6)
    assert r.co2e_kg == 0.0
    far = cost_route((55.0, 11.0), (55.1, 11.0), quantity=20_000, medium="steam", distance_km=6)
    assert not far.feasible and far.mode is None
    assert "exceeds its maximum of 5 km" in far.reason
    assert math.isinf(far.cost_usd)


def test_steam_never_goes_by_truck_and_solids_never_by_pipe():
    r = cost_route((0, 0), (0, 0.02), quantity=10, medium="steam", mode="road_articulated")
    assert not r.feasible and "does not carry steam" in r.reason
    r = cost_route((0, 0), (0, 0.02), quantity=10, medium="solid")
    assert r.mode in ("road_articulated", "road_rigid")


def test_geometry_uses_circuity_and_detour():
    la, lo = (50.0, 5.0), (50.5, 5.0)
    gc = great_circle_pairs([la[0]], [la[1]], [lo[0]], [lo[1]], [0], [0])[0]
    r = cost_route((*la, "US"), (*lo, "US"), quantity=26, mode="road_articulated")
    assert r.route_km == pytest.approx(gc * 1.2, rel=1e-12)
    r = cost_route(la, lo, quantity=26, mode="road_articulated")
    assert r.route_km == pytest.approx(gc * road_circuity(None), rel=1e-12)
    r = cost_route(la, lo, quantity=1000, mode="rail")
    assert r.route_km == pytest.approx(gc * get_mode("rail").detour, rel=1e-12)


def test_cost_route_matches_cost_pairs():
    rng = np.random.default_rng(0)
    lat = rng.uniform(40, 60, 20)
    lon = rng.uniform(-5, 20, 20)
    q = rng.uniform(0, 500, 10)
    ii, jj = np.arange(10), np.arange(10, 20)
    res = cost_pairs(lat, lon, lat, lon, ii, jj, q, n_jobs=1)
    for k in range(10):
        r = cost_route((lat[k], lon[k]), (lat[10 + k], lon[10 + k]), quantity=q[k])
        assert r.mode == res.mode_name()[k]
        assert res.cost_usd[k] == pytest.approx(r.cost_usd, rel=1e-9)
        assert res.co2e_kg[k] == pytest.approx(r.co2e_kg, rel=1e-9)
        assert res.route_km[k] == pytest.approx(r.route_km, rel=1e-9)


def test_mode_table_is_complete_and_sourced():
    modes = transport_modes()
    for name in ["road_articulated", "road_rigid", "road_tanker", "rail", "inland_waterway",
                 "short_sea", "pipe_steam", "pipe_heat", "pipe_water"]:
        m = modes[name]
        assert m.cost_source and m.co2e_source
        assert m.cost_usd_per_tkm > 0 and m.co2e_kg_per_tkm >= 0
    assert modes["rail"].co2e_kg_per_tkm == 0.02779
    assert modes["inland_waterway"].co2e_kg_per_tkm == 0.0386
    for p in ("pipe_steam", "pipe_heat", "pipe_water"):
        assert math.isfinite(modes[p].max_route_km)
    assert set(DEFAULT_MODES) <= set(modes)
    assert len(modes_table()) == len(modes)


def test_pair_kernel_edge_cases():
    # identical points: 0 km and cost = fixed cost only; antipodal: pi R, never NaN
    r = cost_pairs([10.0, 45.0], [20.0, 30.0], [10.0, -45.0], [20.0, -150.0], [0, 1], [0, 1],
                   [26.0, 1.0], modes="road_articulated")
    assert r.great_circle_km[0] == 0.0
    assert r.cost_usd[0] == pytest.approx(100 * EUR)
    assert r.great_circle_km[1] == pytest.approx(math.pi * 6371.0088, rel=1e-12)
    assert not np.isnan(r.cost_usd).any()
    empty = cost_pairs([0.0], [0.0], [0.0], [0.0], [], [], [])
    assert len(empty) == 0


def test_results_independent_of_n_jobs():
    rng = np.random.default_rng(1)
    n = 50_000
    lat, lon = rng.uniform(-60, 60, 300), rng.uniform(-180, 180, 300)
    ii, jj = rng.integers(0, 300, n), rng.integers(0, 300, n)
    q = rng.uniform(0, 100, n)
    med = rng.integers(0, 6, n)
    a = cost_pairs(lat, lon, lat, lon, ii, jj, q, medium=med, modes=list(transport_modes()),
                   n_jobs=1)
    b = cost_pairs(lat, lon, lat, lon, ii, jj, q, medium=med, modes=list(transport_modes()),
                   n_jobs=3)
    for f in ("great_circle_km", "route_km", "cost_usd", "co2e_kg", "mode"):
        assert np.array_equal(getattr(a, f), getattr(b, f))


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="position 1|row 1"):
        cost_pairs([0.0, float("nan")], [0.0, 0.0], [0.0], [0.0], [0], [0], [1.0])
    with pytest.raises(InvalidInputError, match="row 0: lat=95"):
        cost_pairs([95.0], [0.0], [0.0], [0.0], [0], [0], [1.0])
    with pytest.raises(InvalidInputError, match="valid modes: .*road_articulated"):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [0], [0], [1.0], modes="hovercraft")
    with pytest.raises(InvalidInputError, match="valid modes"):
        cost_route((0, 0), (1, 1), quantity=1, mode="teleport")
    with pytest.raises(InvalidInputError, match="quantity row 1 = -2.0+ must be finite and >= 0"):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [0, 0], [0, 0], [1.0, -2.0])
    with pytest.raises(InvalidInputError, match="quantity row 0 = nan"):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [0], [0], [float("nan")])
    with pytest.raises(InvalidInputError, match="valid media"):
        cost_route((0, 0), (1, 1), quantity=1, medium="plasma")
    with pytest.raises(InvalidInputError, match="medium row 0"):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [0], [0], [1.0], medium=["lava"])
    with pytest.raises(TypeError):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [0.5], [0], [1.0])
    with pytest.raises(UnknownNodeError):
        cost_pairs([0.0], [0.0], [0.0], [0.0], [3], [0], [1.0])
    with pytest.raises(InvalidInputError, match="quantity"):
        cost_route((0, 0), (1, 1), quantity=float("nan"))
    with pytest.raises(InvalidInputError, match="carbon_price"):
        cost_route((0, 0), (1, 1), quantity=1, carbon_price_usd_per_t=-5)
    with pytest.raises(InvalidInputError, match="lat"):
        cost_route({"x": 1}, (1, 1), quantity=1)


def test_layouts_and_thread_stress():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    pts = np.asfortranarray(rng.uniform([-60, -170], [60, 170], (200, 2)))
    lat, lon = pts[:, 0], pts[:, 1]  # strided views
    ii = rng.integers(0, 200, 4000)[::2]
    jj = rng.integers(0, 200, 4000)[::2]
    q = rng.uniform(0, 100, 2000)
    q.setflags(write=False)
    med = rng.integers(0, 6, 2000).astype(np.int32)
    ref = cost_pairs(np.ascontiguousarray(lat), np.ascontiguousarray(lon), lat.copy(),
                     lon.copy(), ii.copy(), jj.copy(), q.copy(), medium=med.astype(np.int64),
                     modes=list(transport_modes()), n_jobs=1)
    with ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda _: cost_pairs(lat, lon, lat, lon, ii, jj, q, medium=med,
                                                modes=list(transport_modes()), n_jobs=2),
                           range(8)))
    for o in outs:
        assert np.array_equal(o.cost_usd, ref.cost_usd) and np.array_equal(o.mode, ref.mode)


def test_multi_block_matches_numpy_reference():
    # more pairs than one native block (2**20): block offsets must line up
    from symbioflows.logistics._reference import cost_pairs_numpy

    rng = np.random.default_rng(11)
    m = (1 << 20) + 12_345
    lat, lon = rng.uniform(35, 70, 500), rng.uniform(-10, 30, 500)
    ii, jj = rng.integers(0, 500, m), rng.integers(0, 500, m)
    q = rng.uniform(0, 3000, m)
    med = rng.integers(0, 6, m)
    modes = list(transport_modes().values())
    ref_modes = [{"fixed": x.fixed_cost_usd_per_shipment, "per_tkm": x.cost_usd_per_tkm,
                  "payload": x.payload, "co2e": x.co2e_kg_per_tkm, "max_km": x.max_route_km,
                  "detour": x.detour, "mask": x.medium_mask()} for x in modes]
    circ = np.full(500, road_circuity(None))
    ref = cost_pairs_numpy(lat, lon, circ, lat, lon, circ, ii, jj, q, med, ref_modes, 0.0)
    got = cost_pairs(lat, lon, lat, lon, ii, jj, q, medium=med, modes=[x.name for x in modes])
    assert np.array_equal(got.mode, ref[4])
    assert np.allclose(got.cost_usd, ref[2], rtol=1e-9, atol=1e-7)
    assert np.allclose(got.great_circle_km, ref[0], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("medium", ["solid", "liquid", "gas", "steam", "heat", "water"])
def test_full_load_rates_are_cost_pairs_at_full_load(medium):
    """One costing model: the scoring's linear rates equal cost_pairs per unit for full loads
    of the chosen mode, pipes' own detour factor included (it was the road circuity)."""
    from symbioflows.logistics import full_load_rates

    r = full_load_rates([medium])
    mode = get_mode(r.mode[0])
    q = 3 * mode.payload if mode.payload > 0 else 40.0
    lat2, lon2 = np.array([51.91, 51.93, 51.9]), np.array([4.11, 4.1, 4.15])  # within pipe reach
    pc = cost_pairs([51.9], [4.1], lat2, lon2, [0, 0, 0], [0, 1, 2], [q] * 3, medium=medium,
                    modes=[mode.name])
    linear = r.fixed_usd_per_t[0] + r.usd_per_tkm[0] * pc.great_circle_km * r.circuity
    np.testing.assert_allclose(linear, pc.cost_usd / q, rtol=1e-9)
    np.testing.assert_allclose(r.co2e_kg_per_tkm[0] * pc.great_circle_km * r.circuity,
                               pc.co2e_kg / q, rtol=1e-9)
