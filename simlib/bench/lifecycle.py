"""Figure 1: the full model against a bare-SimPy loop of the same trip lifecycle on the baseline.

Both run in this process, interleaved run by run, so a busy machine slows both alike; the ratio is
model trips/s over bare trips/s with the same trip count, horizon and approval desks (target >= 0.40).
"""

from __future__ import annotations

from typing import Any

from simlib.bench.common import Target, per_second
from simlib.bench.model import BareRun, bare_for, simulate
from simlib.pipeline.replication import find_scenario

RATIO_TARGET = 0.40  # issue 12


def model_vs_bare(scenario: str = "baseline", cadres: int | None = None, years: float | None = None,
                  repeat: int = 1, seed: int = 1) -> tuple[dict[str, Any], list[Target]]:
    """Best of ``repeat`` interleaved runs of the model (simulate, then build the log) and of the bare loop."""
    path = str(find_scenario(scenario))
    runs: list[dict[str, Any]] = []
    bares: list[BareRun] = []
    for _ in range(max(1, repeat)):
        runs.append(simulate(path, cadres, years, seed))
        bares.append(bare_for(runs[-1], seed))
    run = min(runs, key=lambda r: r["simulate_s"])
    bare = min(bares, key=lambda b: b.seconds)
    model_rate, bare_rate = run["trips"] / run["simulate_s"], bare.trips / bare.seconds
    ratio = model_rate / bare_rate
    model_cpu, bare_cpu = per_second(run["trips"], run["simulate_cpu_s"]), per_second(bare.trips, bare.cpu_seconds)
    result = {
        "scenario": scenario, "cadres": run["cadres"], "years": run["years"], "runs": len(runs),
        "trips": run["trips"], "events": run["events"], "approval_desks": len(run["capacities"]),
        "reviewers": sum(run["capacities"]),
        "model": {
            "init_s": run["init_s"], "simulate_s": run["simulate_s"], "simulate_cpu_s": run["simulate_cpu_s"],
            "log_s": run["log_s"], "log_cpu_s": run["log_cpu_s"], "trips_per_s": model_rate,
            "simpy_events": run["simpy_events"], "simpy_events_per_s": run["simpy_events"] / run["simulate_s"],
            "log_events_per_s": run["events"] / run["simulate_s"], "peak_rss_mb": run["peak_rss_mb"],
        },
        "bare": {
            "trips": bare.trips, "completed": bare.completed, "seconds": bare.seconds,
            "cpu_seconds": bare.cpu_seconds, "trips_per_s": bare_rate, "simpy_events": bare.simpy_events,
            "simpy_events_per_s": bare.simpy_events / bare.seconds,
        },
        "ratio": ratio,
        "ratio_cpu": model_cpu / bare_cpu if model_cpu and bare_cpu else None,
    }
    return result, [Target("model_ratio", ratio, ">=", RATIO_TARGET, "x")]
