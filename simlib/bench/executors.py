"""Speed of the experiment executors: N replications, serial vs processes vs Dask, of the demo M/M/c queue or
of a simlib scenario.

    .venv/bin/python -m simlib.bench.executors            # 40 replications of ~0.2 s, 2 workers
    .venv/bin/python -m simlib.bench.executors --reps 80 --workers 2 --seconds 0.2
    .venv/bin/python -m simlib.bench.executors --reps 0 --memory 1000  # peak memory, 1,000-rep sweep
    .venv/bin/python -m simlib.bench.executors --scenario baseline --reps 40 --cold-only
    .venv/bin/python -m simlib.bench.executors --scenario small --reps 0 --memory 1000 \
        --param behaviour.keep_private_document

"cold" includes starting the pool or the LocalCluster (what one command pays); "warm" reuses the running
executor (what a notebook session or the sequential procedure pays after the first call). Every executor must
produce the identical table; the script checks it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.bench.model import peak_rss_mb
from simlib.bench.queue_standin import DEMO_CONFIG, mmc_replication
from simlib.experiment import Arm, DaskExecutor, ProcessExecutor, SerialExecutor, run_replications, sweep
from simlib.experiment.contract import ReplicationFn
from simlib.scenario.overrides import parse_override, set_path


def calibrated_config(seconds: float) -> dict[str, Any]:
    """The demo config with enough customers for one replication to take about ``seconds``."""
    probe = 4000
    mmc_replication(set_path(DEMO_CONFIG, "run.customers", 500), 0)  # warm imports and caches
    start = time.perf_counter()
    mmc_replication(set_path(DEMO_CONFIG, "run.customers", probe), 1)
    per_customer = (time.perf_counter() - start) / probe
    return set_path(DEMO_CONFIG, "run.customers", max(500, int(round(seconds / per_customer, -2))))


def spin(n: int) -> float:
    """A pure-Python busy loop; returns its own duration."""
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def parallel_capacity(workers: int, n: int = 10_000_000) -> float:
    """How many cores' worth of CPU ``workers`` busy processes get right now (the ceiling of any speedup)."""
    one = spin(n)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        pool.submit(spin, 1).result()  # start the workers first
        start = time.perf_counter()
        list(pool.map(spin, [n] * workers))
        wall = time.perf_counter() - start
    return workers * one / wall


def timed(fn: ReplicationFn, executor: Any, scenario: Arm, reps: int,
          warm: bool = True) -> tuple[float, float, pd.DataFrame]:
    """(cold seconds, warm seconds or NaN, table) for one executor."""
    start = time.perf_counter()
    table = run_replications(fn, scenario, reps, root_seed=1, executor=executor, progress=False)
    cold = time.perf_counter() - start
    if not warm:
        return cold, float("nan"), table
    start = time.perf_counter()
    again = run_replications(fn, scenario, reps, root_seed=1, executor=executor, progress=False)
    warm_s = time.perf_counter() - start
    pd.testing.assert_frame_equal(table, again)
    return cold, warm_s, table


def workload(name: str | None, overrides: dict[str, Any], seconds: float,
             customers: int | None) -> tuple[ReplicationFn, Arm, str]:
    """The replication function, scenario and a description: a simlib scenario by name, or the demo queue."""
    if name:
        from simlib.pipeline.replication import resolve

        label, config, fn = resolve(name, overrides)
        return fn, Arm(label, config), f"simlib scenario {label!r}"
    config = set_path(DEMO_CONFIG, "run.customers", customers) if customers else calibrated_config(seconds)
    return mmc_replication, Arm("demo", config), f"the demo M/M/c queue ({config['run']['customers']} customers)"


def speed(fn: ReplicationFn, scenario: Arm, what: str, reps: int, workers: int, warm: bool) -> None:
    """Print the wall time and speedup of each executor."""
    rows, tables = [], {}
    for name, executor in [
        ("serial", SerialExecutor()),
        ("processes", ProcessExecutor(workers)),
        ("dask", DaskExecutor(workers=workers)),
    ]:
        with executor:
            cold, warm_s, tables[name] = timed(fn, executor, scenario, reps, warm)
        rows.append(
            {"executor": name, "workers": 1 if name == "serial" else workers, "cold_s": cold, "warm_s": warm_s}
        )
    for name in ("processes", "dask"):
        pd.testing.assert_frame_equal(tables[name], tables["serial"])
    result = pd.DataFrame(rows)
    serial = result.loc[0]
    result["speedup_cold"] = serial["cold_s"] / result["cold_s"]
    result["speedup_warm"] = serial["warm_s"] / result["warm_s"]
    per_rep = serial["cold_s"] / reps
    print(
        f"{reps} replications of {what} ({per_rep:.3f} s each serially), {workers} workers; "
        "identical tables on every executor"
    )
    capacity = parallel_capacity(workers)
    ceiling = [1.0 if w == 1 else capacity for w in result["workers"]]
    result["of_capacity_cold"] = result["speedup_cold"] / ceiling
    result["of_capacity_warm"] = result["speedup_warm"] / ceiling
    print(result.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"parallel capacity now: {capacity:.2f}x (what {workers} busy loops get vs one; ~{workers} when idle)"
    )


def memory(fn: ReplicationFn, base: Arm, param: str, bounds: tuple[float, float], reps: int) -> None:
    """Peak resident memory of this process (and of the largest worker) during a ``reps``-replication sweep
    of ``param`` over ``bounds`` (10 points) written to a store."""
    before = peak_rss_mb()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out, ProcessExecutor() as pool:
        result = sweep(fn, base, {param: bounds}, points=10, reps=reps // 10, store=out, executor=pool,
                       progress=False)
        files = len(list(Path(out).glob("replications/*/*.parquet")))
        worker = max(map(peak_rss_mb, pool.worker_pids()), default=0.0)
    peak = peak_rss_mb()
    print(
        f"sweep of {len(result.replications)} replications of {base.name!r} ({files} Parquet files) in "
        f"{time.perf_counter() - start:.1f} s: peak RSS of the driver {peak:.0f} MiB "
        f"(before: {before:.0f} MiB), of the largest worker {worker:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=40, help="0: skip the speed comparison")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.2, help="target seconds per replication")
    parser.add_argument("--customers", type=int, help="fixed customers per replication (default: calibrate)")
    parser.add_argument("--memory", type=int, metavar="N", help="also measure a sweep of N replications")
    parser.add_argument("--scenario", help="a simlib scenario (name or path) instead of the demo queue")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                        help="override a scenario parameter (repeatable)")
    parser.add_argument("--param", help="the swept parameter for --memory (default: the demo's arrival rate, "
                        "or the documented range of this path for a scenario)")
    parser.add_argument("--cold-only", action="store_true", help="run each executor once (no warm rerun)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other load skews it)")
    overrides = dict(parse_override(o) for o in args.overrides)
    fn, scenario, what = workload(args.scenario, overrides, args.seconds, args.customers)
    if args.reps:
        speed(fn, scenario, what, args.reps, args.workers, warm=not args.cold_only)
    if args.memory:
        if args.scenario:
            from simlib.pipeline.replication import ranges

            param = args.param or "behaviour.keep_private_document"
            bounds = ranges(scenario.config, [param])[param]
        else:
            param, bounds = "queue.arrival_rate", (2.5, 3.5)
            scenario = Arm("demo", set_path(DEMO_CONFIG, "run.customers", 300))
        memory(fn, scenario, param, bounds, args.memory)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
