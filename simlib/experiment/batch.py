"""What a worker runs: a batch of replications of one scenario, each saved as soon as it finishes."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simlib.experiment.contract import ReplicationFn, check_kpis
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
    """
    rows = []
    for replication, seed in batch.replications:
        where = f"scenario {batch.scenario_name!r} replication {replication} (seed {seed})"
        start = time.perf_counter()
        try:
            kpis = check_kpis(fn(batch.config, seed), where)
        except Exception as exc:
            raise RuntimeError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
        row = {
            "scenario_hash": batch.scenario_hash,
            "replication": replication,
            "seed": seed,
            "elapsed_s": time.perf_counter() - start,
            **kpis,
        }
        if store_dir is not None:
            write_replication(store_dir, row)
        rows.append(row)
    return rows


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
