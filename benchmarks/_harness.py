"""What every peer comparison in ``benchmarks/`` shares, so that none can lie by accident.

* :func:`machine_state` records the platform, the cores and the 1-minute load average at the
  start; :func:`close_machine_state` adds the load at the end and the verdict ``noisy``: the
  load at the start, which is other work, above half the cores.  The load at the end is
  recorded for information only: it includes the benchmark's own threads (a 2-thread run on an
  idle 2-core machine ends near 2), so it cannot tell other work from the benchmark.  ``tools/render_tables.py`` prints that verdict
  under every table, and a noisy run is never quoted as a win.
* :func:`interleave` times contenders round by round in one process (each round runs every
  contender once, the order rotated between rounds), after warm-up calls that are not timed,
  so that a slow spell of a shared machine hits every contender alike.
* :func:`refuse_when_loaded` stops a run before it starts on a loaded machine, unless the
  caller asked to record a noisy run anyway (``--allow-noisy``).
* :class:`PeakRSS` samples the resident set size during a run (the pipeline, allocation and
  free-text scale benchmarks: one sampler, so that their memory columns mean the same).
* :func:`clustered_embeddings` is the synthetic embedding set of the similarity and materials
  benchmarks (one generator, so that both measure the same distribution).
* :func:`count_on_both_sources` runs one count over the park-alone regions of MAESTRI and of
  the case studies (:func:`park_alone_plans`) and writes it (the end-to-end evidence scripts: misses, runner-ups,
  division fits).
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def machine_state() -> dict[str, Any]:
    """Platform, cores and the 1-minute load average now; pass it to close_machine_state."""
    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpus": cores(), "load_before": [load1()]}


def close_machine_state(state: dict[str, Any]) -> dict[str, Any]:
    """Add the load at the end and the verdict ``noisy`` (load at the start > cores / 2)."""
    state["load_after"] = [load1()]
    state["noisy"] = state["load_before"][0] > state["cpus"] / 2
    return state


def refuse_when_loaded(allow_noisy: bool) -> None:
    """Exit with status 3 when the machine is loaded, unless ``allow_noisy``."""
    lim = cores() / 2
    if load1() > lim and not allow_noisy:
        sys.stderr.write(f"load average {load1():.2f} > {lim:g} (half of {cores()} cores): "
                         "the timings would be noisy. Wait for a quiet machine, or pass "
                         "--allow-noisy to record a run marked noisy.\n")
        raise SystemExit(3)


def interleave(contenders: dict[str, Callable[[], Any]], rounds: int, *, warmup: int = 1,
               clock: Callable[[], float] = time.perf_counter) -> dict[str, dict[str, Any]]:
    """Time each contender ``rounds`` times, round by round, after ``warmup`` untimed calls.

    Returns, per contender: ``times`` (one per round), ``cpu`` (process CPU seconds per round,
    all threads), ``median``, ``min``, ``cpu_median`` and ``out`` (the last call's result, to
    check that contenders agree).
    """
    names = list(contenders)
    res: dict[str, dict[str, Any]] = {n: {"times": [], "cpu": [], "out": None} for n in names}
    for _ in range(warmup):
        for n in names:
            res[n]["out"] = contenders[n]()
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            res[n]["out"] = None
            gc.collect()
            c0, t0 = time.process_time(), clock()
            res[n]["out"] = contenders[n]()
            res[n]["times"].append(clock() - t0)
            res[n]["cpu"].append(time.process_time() - c0)
    for n in names:
        res[n]["median"] = statistics.median(res[n]["times"])
        res[n]["min"] = min(res[n]["times"])
        res[n]["cpu_median"] = statistics.median(res[n]["cpu"])
    return res


def clustered_embeddings(n: int, d: int, n_centers: int, rng: Any, centers: Any = None,
                         noise: float = 1.2) -> tuple[Any, Any, Any]:
    """Overlapping Gaussian clusters (float32): ``(x, labels, centers)``.

    The noise norm (~1.2 sqrt(d)) exceeds the centre spacing (~1.4 sqrt(d) / 1.4), so near
    neighbours often sit in other clusters, as with real text embeddings.  Pass the
    ``centers`` of a first call to draw queries from the same clusters.
    """
    import numpy as np

    if centers is None:
        centers = rng.standard_normal((n_centers, d)).astype(np.float32)
    lab = rng.integers(0, len(centers), n)
    x = centers[lab] + noise * rng.standard_normal((n, d)).astype(np.float32)
    return x.astype(np.float32), lab, centers


class PeakRSS:
    """Samples the resident set size (native memory included) every ``interval_s`` seconds in a
    background thread, of this process and, with ``children=True``, of its child processes too;
    keeps the samples so that the peak within any time span can be read afterwards."""

    def __init__(self, interval_s: float = 0.02, *, children: bool = False) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval_s = interval_s
        self.children = children
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss = self.proc.memory_info().rss
        if self.children:
            for ch in self.proc.children(recursive=True):
                try:
                    rss += ch.memory_info().rss
                except Exception:  # a child that ended between listing and reading
                    pass
        self.samples.append((time.perf_counter(), rss))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    @property
    def peak(self) -> int:
        return max(r for _, r in self.samples)

    def peak_between(self, t0: float, t1: float) -> int:
        """Peak within [t0, t1], the samples just outside bounding the RSS at its ends."""
        inside = [r for t, r in self.samples if t0 <= t <= t1]
        before = [r for t, r in self.samples if t < t0][-1:]
        after = [r for t, r in self.samples if t > t1][:1]
        return max(inside + before + after)

    def __enter__(self) -> PeakRSS:
        self._sample()
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self._sample()


def park_alone_plans(data: Any, parks: list[str]) -> Any:
    """For each park with documented exchanges: ``(park, region, plan, documented pairs)``,
    the region of the end-to-end protocol (seed 0) planned alone with every compatible
    receiver kept (:func:`symbioflows.evaluate.end_to_end.plan_region`); the documented pairs
    are (supplier stream id, receiver stream id)."""
    from symbioflows.evaluate import end_to_end as e2e

    for park in parks:
        rg = e2e.build_region(data, park, rng=(0, e2e._park_num(park)))
        if rg.exchanges.empty:
            continue
        doc = set(zip(rg.exchanges["supplier_stream_id"].astype(str),
                      rg.exchanges["receiver_stream_id"].astype(str)))
        yield park, rg, e2e.plan_region(rg), doc


def count_on_both_sources(name: str, doc: str | None, out: Any,
                          count: Callable[[Any, list[str]], dict[str, Any]],
                          **extra: Any) -> int:
    """``count(data, parks)`` on MAESTRI's parks and on the case studies' parks, written to
    ``out`` as ``{"benchmark", "protocol", **extra, "maestri", "case_studies"}`` and printed
    without the protocol; warnings of the plans are silenced."""
    import json
    import logging

    from symbioflows.evaluate import end_to_end as e2e
    from symbioflows.evaluate import load_maestri

    logging.disable(logging.WARNING)
    data = load_maestri()
    cs = e2e.case_study_data()
    res = {"benchmark": name, "protocol": doc, **extra,
           "maestri": count(data, e2e.maestri_parks(data)),
           "case_studies": count(cs, sorted(cs.exchanges["case"].astype(str).unique()))}
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps({k: v for k, v in res.items() if k != "protocol"}, indent=1))  # noqa: T201
    return 0
