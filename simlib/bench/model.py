"""Speed and memory of the model: ``python -m simlib.bench.model [SCENARIO] [--cadres N] [--years Y] [--json]``.

Reports wall and CPU time and rates for simulation, log building and the audit of the log (``--no-audit`` to
skip it), trips/s, SimPy events/s, peak memory (after the log and at the end), and the same trip lifecycle as
a bare SimPy loop (request → approval queue → wait → abroad → hand-in) with the same trip count and approval
capacity, for the ratio. ``simlib bench`` calls :func:`simulate` and :func:`bare_loop` in process and this
module's ``--json --no-bare`` in a fresh subprocess per size.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import simpy

from simlib.model.world import Model
from simlib.scenario import load_scenario


def simpy_events(env: simpy.Environment) -> int:
    """Events scheduled so far in ``env`` (SimPy numbers every scheduled event from one counter)."""
    return next(env._eid)  # type: ignore[attr-defined]  # reading it uses one id; harmless after a run


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory so far of this process (or of the live process ``pid``), in MiB.

    On Linux this is ``VmHWM`` of /proc/PID/status: ``ru_maxrss`` would carry over the parent's peak into a
    child started with fork and exec, so a small size measured from a big benchmark process would report the
    parent's memory. Elsewhere ``ru_maxrss`` (KiB on Linux and BSD) for this process, NaN for another."""
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 if pid is None else float("nan")


@dataclass(frozen=True)
class BareRun:
    """One bare-SimPy run: trips started and completed, wall and CPU seconds, SimPy events scheduled."""

    trips: int
    completed: int
    seconds: float
    cpu_seconds: float
    simpy_events: int


def bare_loop(trips: int, days: float, capacities: Sequence[int], review_days: float, lead_days: float,
              stay_days: float, handin_days: float, seed: int = 1) -> BareRun:
    """``trips`` trip lifecycles in bare SimPy: Poisson requests over ``days``, each queued at one of the
    approval desks (``simpy.Resource`` of the given capacities, chosen in proportion to capacity) for an
    exponential review, then waiting until departure, abroad, and handing the document in.

    Only SimPy and a numpy Generator: no model class is used, so changes to the model cannot move this
    reference. The random numbers are drawn up front (vectorised) inside the timing."""
    wall, cpu = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(seed)
    weights = np.asarray(capacities, dtype=float) / float(sum(capacities))
    gap = rng.exponential(days / trips, trips).tolist()
    desk = rng.choice(len(capacities), size=trips, p=weights).tolist()
    review = rng.exponential(review_days, trips).tolist()
    lead = rng.exponential(lead_days, trips).tolist()
    stay = rng.exponential(stay_days, trips).tolist()
    hand_in = rng.uniform(0.0, handin_days, trips).tolist()
    env = simpy.Environment()
    desks = [simpy.Resource(env, capacity=int(c)) for c in capacities]
    completed = 0

    def trip(i: int) -> Any:
        nonlocal completed
        with desks[desk[i]].request() as req:  # the request waits for a reviewer
            yield req
            yield env.timeout(review[i])  # the review
        yield env.timeout(lead[i])  # until departure
        yield env.timeout(stay[i])  # abroad
        yield env.timeout(hand_in[i])  # back: the document is handed in
        completed += 1

    def requests() -> Any:
        for i in range(trips):
            yield env.timeout(gap[i])
            env.process(trip(i))

    env.process(requests())
    env.run()
    return BareRun(trips, completed, time.perf_counter() - wall, time.process_time() - cpu, simpy_events(env))


def simulate(path: str, cadres: int | None = None, years: float | None = None, seed: int = 1,
             audit: bool = False) -> dict[str, Any]:
    """Build, run and log one replication of the scenario at ``path`` (and, with ``audit``, audit the log);
    timings (wall and CPU), counts, the approval desks' capacities and the workload parameters the bare loop
    needs."""
    over: dict[str, Any] = {}
    if cadres:
        over["organisation.cadres"] = cadres
    if years:
        over["calendar.years"] = years
    sc = load_scenario(path, over)
    rss_base = peak_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    m = Model(sc, seed=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    m.run()
    t2, c2 = time.perf_counter(), time.process_time()
    log = m.log(release=True)  # as a replication does (simlib.pipeline.replication.run_once)
    t3, c3 = time.perf_counter(), time.process_time()
    rss_log = peak_rss_mb()
    findings = None
    if audit:
        from simlib.audit import audit as audit_log  # the auditor's imports only where it is timed

        findings = audit_log(log)
    t4, c4 = time.perf_counter(), time.process_time()
    return {
        "cadres": m.org.n, "years": float(sc.calendar.years), "days": m.horizon,
        "events": int(log.n_events), "trips": int(m.counts["Exit"]), "simpy_events": simpy_events(m.env),
        "init_s": t1 - t0, "simulate_s": t2 - t1, "log_s": t3 - t2,
        "init_cpu_s": c1 - c0, "simulate_cpu_s": c2 - c1, "log_cpu_s": c3 - c2,
        "audit_s": t4 - t3, "audit_cpu_s": c4 - c3, "findings": None if findings is None else len(findings.table),
        "capacities": [desk.capacity for _, desk in sorted(m.desks().items())],
        "review_days": sc.approval.review_days_mean, "lead_days": sc.trips.lead_days_mean,
        "stay_days": (sc.trips.public_days_mean + sc.trips.private_days_mean) / 2.0,
        "handin_days": float(m.params.private_doc_days),  # 3.3.a: within 10 days
        "rss_base_mb": rss_base, "peak_rss_log_mb": rss_log, "peak_rss_mb": peak_rss_mb(),
    }


def bare_for(run: dict[str, Any], seed: int = 1) -> BareRun:
    """The bare loop with the trip count, horizon, desks and mean durations of a :func:`simulate` result."""
    return bare_loop(run["trips"], run["days"], run["capacities"], run["review_days"], run["lead_days"],
                     run["stay_days"], run["handin_days"], seed)


def measure(path: str, cadres: int | None = None, years: float | None = None, seed: int = 1,
            bare: bool = True, audit: bool = True) -> dict[str, Any]:
    """One replication (audited unless ``audit`` is False) and (unless ``bare`` is False) the bare loop on the
    same workload, with rates."""
    run = simulate(path, cadres, years, seed, audit)
    out = {k: v for k, v in run.items() if k != "capacities"}
    out["desks"], out["reviewers"] = len(run["capacities"]), sum(run["capacities"])
    out["events_per_s"] = run["events"] / run["simulate_s"]
    out["trips_per_s"] = run["trips"] / run["simulate_s"]
    out["simpy_events_per_s"] = run["simpy_events"] / run["simulate_s"]
    if bare:
        b = bare_for(run, seed)
        out.update({f"bare_{k}": v for k, v in asdict(b).items()})
        out["bare_trips_per_s"] = b.trips / b.seconds
        out["ratio"] = out["trips_per_s"] / out["bare_trips_per_s"]
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m simlib.bench.model")
    p.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml")
    p.add_argument("--cadres", type=int)
    p.add_argument("--years", type=float)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-bare", action="store_true", help="skip the bare-SimPy reference loop")
    p.add_argument("--no-audit", action="store_true", help="do not audit the log")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    result = measure(args.scenario, args.cadres, args.years, args.seed, bare=not args.no_bare,
                     audit=not args.no_audit)
    if args.json:
        print(json.dumps(result))
        return
    for k, v in result.items():
        print(f"{k:<24}{v:>16,.2f}" if v is not None else f"{k:<24}{'-':>16}")


if __name__ == "__main__":  # pragma: no cover
    main()
