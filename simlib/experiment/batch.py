"""What a worker runs: a batch of replications of one scenario, each saved as soon as its KPIs are known."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simlib.experiment.contract import BatchFn, KPIs, ReplicationFn, batched, check_kpis
from simlib.experiment.store import write_replication


@dataclass(frozen=True)
class Batch:
    """Replications ``(index, seed)`` of one scenario; the config travels once per batch."""

    scenario_hash: str
    scenario_name: str
    config: Mapping[str, Any]
    replications: tuple[tuple[int, int], ...]


def run_batch(fn: ReplicationFn, batch: Batch, store_dir: str | None = None) -> list[dict[str, Any]]:
    """Run each replication of ``batch``; return one row per replication (and write it when ``store_dir``).

    A row holds ``scenario_hash``, ``replication``, ``seed``, ``elapsed_s`` and the KPIs as floats. An error
    in ``fn`` is raised again naming the scenario, the replication and its seed, so it can be reproduced.

    When ``fn`` has a batched form (:func:`~simlib.experiment.contract.batched`) and the batch holds more than
    one replication, it runs them in one call, and each row's ``elapsed_s`` is the call's time divided by the
    number of replications. If that call fails, the replications run one by one, so that a failing one is
    named by its seed; if none fails alone, the batched call's error is reported as a warning.
    """
    many = batched(fn)
    together, failure = None, None
    if many is not None and len(batch.replications) > 1:
        try:
            together = _together(many, batch)
        except Exception as exc:
            failure = exc
    rows = []
    for k, (replication, seed) in enumerate(batch.replications):
        if together is not None:
            kpis, elapsed = together[k]
        else:
            kpis, elapsed = _alone(fn, batch, replication, seed)
        row = {"scenario_hash": batch.scenario_hash, "replication": replication, "seed": seed,
               "elapsed_s": elapsed, **kpis}
        if store_dir is not None:
            write_replication(store_dir, row)
        rows.append(row)
    if failure is not None:
        warnings.warn(f"scenario {batch.scenario_name!r}: the batched run of replications "
                      f"{[r for r, _ in batch.replications]} failed ({type(failure).__name__}: {failure}), "
                      "but each succeeded alone; their results are those of the runs alone",
                      RuntimeWarning, stacklevel=2)
    return rows


def _where(batch: Batch, replication: int, seed: int) -> str:
    return f"scenario {batch.scenario_name!r} replication {replication} (seed {seed})"


def _alone(fn: ReplicationFn, batch: Batch, replication: int, seed: int) -> tuple[KPIs, float]:
    """One replication's KPIs and its time; an error names the replication and its seed."""
    where = _where(batch, replication, seed)
    start = time.perf_counter()
    try:
        kpis = check_kpis(fn(batch.config, seed), where)
    except Exception as exc:
        raise RuntimeError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
    return kpis, time.perf_counter() - start


def _together(many: BatchFn, batch: Batch) -> list[tuple[KPIs, float]]:
    """Every replication's KPIs from one batched call, each with an equal share of its time."""
    seeds = [seed for _, seed in batch.replications]
    start = time.perf_counter()
    results = many(batch.config, seeds)
    share = (time.perf_counter() - start) / len(seeds)
    if len(results) != len(seeds):
        raise ValueError(f"the batched form returned {len(results)} results for {len(seeds)} seeds")
    return [(check_kpis(kpis, _where(batch, r, seed)), share)
            for (r, seed), kpis in zip(batch.replications, results, strict=True)]


def make_batches(
    scenarios: Mapping[str, tuple[str, Mapping[str, Any]]],
    todo: Mapping[str, Sequence[tuple[int, int]]],
    batch_size: int,
) -> list[Batch]:
    """Split each scenario's pending ``(replication, seed)`` pairs into batches of at most ``batch_size``.

    ``scenarios`` maps a hash to (name, config); ``todo`` maps a hash to its pending replications.
    """
    batches = []
    for scenario_hash, pending in todo.items():
        name, config = scenarios[scenario_hash]
        for start in range(0, len(pending), batch_size):
            chunk = tuple(pending[start : start + batch_size])
            batches.append(Batch(scenario_hash, name, config, chunk))
    return batches
