"""Run replications of scenarios on an executor, resuming from a results store, into one tidy KPI table."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

import pandas as pd

from simlib.errors import InputError
from simlib.experiment.batch import make_batches
from simlib.experiment.contract import (
    Arm,
    ReplicationFn,
    batched,
    check_replication_fn,
    function_name,
)
from simlib.experiment.executors import Executor, make_executor
from simlib.experiment.progress import progress_bar, progress_enabled
from simlib.experiment.store import ResultsStore
from simlib.model.streams import replication_seed

ID_COLUMNS = ["scenario", "replication", "seed"]
BATCHES_PER_WORKER = 16
COMBINED = 10  # replications a batched form needs for most of its gain (training world: 1 -> 10 halves CPU time)


def default_batch_size(n_tasks: int, workers: int, combined: bool = False) -> int:
    """About 16 batches per worker: small enough for balance and progress, big enough to amortise overhead.
    For a replication function with a batched form (``combined``), at least :data:`COMBINED` replications per
    batch where there are enough for every worker."""
    size = max(1, math.ceil(n_tasks / (workers * BATCHES_PER_WORKER)))
    return max(size, min(COMBINED, math.ceil(n_tasks / workers))) if combined else size


def _indices(reps: int | Sequence[int]) -> list[int]:
    if isinstance(reps, int):
        if reps < 1:
            raise InputError(field="--reps", key="runner.reps", values={"reps": reps})
        return list(range(reps))
    indices = sorted(set(int(r) for r in reps))
    if not indices or indices[0] < 0:
        raise InputError(field="reps", key="runner.bad_indices")
    return indices


def _as_scenarios(scenarios: Any) -> list[Arm]:
    """The arms to run: one or several, each an :class:`Arm` or a validated scenario."""
    single = isinstance(scenarios, Arm) or hasattr(scenarios, "model_dump")
    items = [Arm.of(s) for s in ([scenarios] if single else list(scenarios))]
    if not items:
        raise InputError(field="scenarios", key="runner.no_scenarios")
    names: dict[str, str] = {}
    for s in items:
        if names.setdefault(s.name, s.hash) != s.hash:
            raise InputError(field="scenarios", key="runner.same_name", values={"name": repr(s.name)})
    return list(dict.fromkeys(items))


def open_store(
    path: str | Path,
    fn: ReplicationFn,
    scenarios: Sequence[Arm],
    *,
    root_seed: int,
    design: Mapping[str, Any] | None = None,
    replications: int = 0,
) -> ResultsStore:
    """Open a results store whose identity is ``design`` plus the root seed and the replication function."""
    identity = {**(design or {"kind": "replications"}), "root_seed": root_seed, "function": function_name(fn)}
    return ResultsStore.open(path, design=identity, scenarios=scenarios, replications=replications)


class RunOptions(TypedDict, total=False):
    """Where and how replications run: the options every experiment passes on to :func:`run_replications`."""

    executor: str | Executor
    workers: int | None
    scheduler: str | None
    store: str | Path | ResultsStore | None
    batch_size: int | None
    progress: bool | None


def run_replications(
    fn: ReplicationFn,
    scenarios: Arm | Sequence[Arm],
    reps: int | Sequence[int],
    *,
    root_seed: int = 0,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    store: str | Path | ResultsStore | None = None,
    design: Mapping[str, Any] | None = None,
    batch_size: int | None = None,
    progress: bool | None = None,
    desc: str = "replications",
) -> pd.DataFrame:
    """Run replications ``reps`` (a count, or explicit indices) of every scenario; one row per replication.

    Replication *i* of every scenario uses seed :func:`~simlib.experiment.contract.replication_seed`
    ``(root_seed, i)`` (common random numbers). With ``store`` (a directory), each finished replication is
    saved as it completes and replications already there are read instead of run. The table has the columns
    ``scenario, replication, seed`` and one column per KPI, sorted by scenario (in the order given) and
    replication; ``table.attrs["run"]`` says how many were computed or reused, by which executor, and how long
    it took. ``executor`` is ``"serial"``, ``"processes"``, ``"dask"`` or an executor instance (kept open).
    """
    started = time.perf_counter()
    items = _as_scenarios(scenarios)
    indices = _indices(reps)
    check_replication_fn(fn)
    seeds = {i: replication_seed(root_seed, i) for i in indices}
    by_hash = {s.hash: (s.name, s.config) for s in reversed(items)}  # first name wins for shared configs

    own_executor = isinstance(executor, str)
    runner = make_executor(executor, workers=workers, scheduler=scheduler)  # validates; starts nothing yet
    own_store = store is not None and not isinstance(store, ResultsStore)
    opened: ResultsStore | None = store if isinstance(store, ResultsStore) else None
    results: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        if own_store:
            opened = open_store(
                store,  # type: ignore[arg-type]
                fn,
                items,
                root_seed=root_seed,
                design=design,
                replications=max(indices) + 1,
            )
        todo: dict[str, list[tuple[int, int]]] = {}
        for scenario_hash in by_hash:
            finished = set(opened.finished(scenario_hash)) if opened else set()
            for i in indices:
                if i in finished:
                    row = opened.read(scenario_hash, i)  # type: ignore[union-attr]
                    if int(row["seed"]) != seeds[i]:
                        raise InputError(
                            source=str(opened.root),  # type: ignore[union-attr]
                            key="runner.seed_mismatch", values={"i": i, "seed": row["seed"], "expected": seeds[i]},
                        )
                    results[(scenario_hash, i)] = row
                else:
                    todo.setdefault(scenario_hash, []).append((i, seeds[i]))
        reused = len(results)
        n_todo = sum(map(len, todo.values()))
        computed_s = 0.0
        if n_todo:
            if batched(fn) is not None:
                size = batch_size or default_batch_size(n_todo, runner.workers, combined=True)
            else:
                size = batch_size or (1 if runner.name == "serial" else default_batch_size(n_todo, runner.workers))
            batches = make_batches(by_hash, todo, size)
            worker_dir = str(opened.root) if opened and runner.shared_filesystem else None
            with progress_bar(
                n_todo + reused, initial=reused, desc=desc, enabled=progress_enabled(progress)
            ) as bar:
                for rows in runner.run(fn, batches, worker_dir):
                    for row in rows:
                        if opened and worker_dir is None:
                            opened.write(row)
                        computed_s += row["elapsed_s"]
                        results[(row["scenario_hash"], row["replication"])] = row
                    bar.update(len(rows))
        workers_used = runner.workers if n_todo else 0
    finally:
        if own_executor:
            runner.close()
        if own_store and opened is not None:
            opened.close()

    records = []
    for s in items:
        for i in indices:
            row = results[(s.hash, i)]
            kpis = {
                k: v for k, v in row.items() if k not in {"scenario_hash", "replication", "seed", "elapsed_s"}
            }
            records.append({"scenario": s.name, "replication": i, "seed": seeds[i], **kpis})
    table = pd.DataFrame.from_records(records)
    table["replication"] = table["replication"].astype("int64")
    table["seed"] = table["seed"].astype("int64")
    table.attrs["run"] = {
        "computed": n_todo,
        "reused": reused,
        "executor": runner.name,
        "workers": workers_used,
        "wall_s": time.perf_counter() - started,
        "replication_s": computed_s,
        "store": str(opened.root) if opened else None,
        "root_seed": root_seed,
    }
    return table


def kpi_columns(table: pd.DataFrame) -> list[str]:
    """The KPI columns of a replication table (everything but scenario, replication, seed)."""
    return [c for c in table.columns if c not in ID_COLUMNS]
