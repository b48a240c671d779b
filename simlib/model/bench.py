"""Speed and memory of the model: ``python -m simlib.model.bench [SCENARIO] [--cadres N] [--years Y]``.

Reports wall time and events/s for simulation and log building, trips/s, peak memory, and the same trip
lifecycle as a bare SimPy loop (Poisson trips → review queue → stay abroad → hand-in) for the ratio.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import simpy

from simlib.model.streams import Streams
from simlib.model.world import ApprovalDesk, Model
from simlib.scenario import load_scenario


def bare_loop(trips: int, days: float, capacity: int, review_days: float, bodies: int,
              seed: int = 1) -> float:
    """Seconds for ``trips`` bare trip lifecycles over ``days`` (no recording, no decisions)."""
    env = simpy.Environment()
    rng = Streams(seed)
    desks = [ApprovalDesk(env, capacity, review_days, rng["approval"]) for _ in range(bodies)]
    r = rng["trips"]

    def trip() -> Any:
        yield env.timeout(r.exponential(30.0))
        yield from desks[r.integers(bodies)].review()
        yield env.timeout(r.exponential(10.0))
        yield env.timeout(r.uniform(0.0, 14.0))

    def source() -> Any:
        for _ in range(trips):
            yield env.timeout(r.exponential(days / trips))
            env.process(trip())

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def measure(path: str, cadres: int | None = None, years: float | None = None,
            seed: int = 1) -> dict[str, float]:
    """Run one replication and return timings, rates and peak memory."""
    over: dict[str, Any] = {}
    if cadres:
        over["organisation.cadres"] = cadres
    if years:
        over["calendar.years"] = years
    sc = load_scenario(path, over)
    t0 = time.perf_counter()
    m = Model(sc, seed=seed)
    t1 = time.perf_counter()
    m.run()
    t2 = time.perf_counter()
    log = m.log()
    t3 = time.perf_counter()
    events, trips = float(log.n_events), float(m.counts["Exit"])
    bodies = len(set(m.org.authority.tolist()))
    reviewers = max(sc.approval.capacity, -(-m.org.n // (bodies * sc.approval.cadres_per_reviewer)))
    bare = bare_loop(int(trips), m.horizon, reviewers, sc.approval.review_days_mean, bodies, seed)
    return {
        "cadres": float(m.org.n), "years": float(sc.calendar.years), "events": events, "trips": trips,
        "init_s": t1 - t0, "simulate_s": t2 - t1, "log_s": t3 - t2, "events_per_s": events / (t2 - t1),
        "events_per_s_with_log": events / (t3 - t0), "trips_per_s": trips / (t2 - t1),
        "bare_simpy_s": bare, "bare_trips_per_s": trips / bare, "ratio": (t2 - t1) / bare,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m simlib.model.bench")
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml")
    p.add_argument("--cadres", type=int)
    p.add_argument("--years", type=float)
    args = p.parse_args(argv)
    for k, v in measure(args.scenario, args.cadres, args.years).items():
        print(f"{k:<24}{v:>14,.2f}")


if __name__ == "__main__":  # pragma: no cover
    main()
