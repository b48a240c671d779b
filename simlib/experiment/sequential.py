"""How many replications: add batches until a KPI's relative CI half-width reaches a target, or a cap.

The sequential procedure of Law (Simulation Modeling and Analysis, §9.4.1) run in batches: after ``initial``
replications and after each further ``batch``, the Student t-interval of the KPI's mean is computed; the
procedure stops as soon as ``half_width / |mean| <= target`` or when ``max_reps`` is reached. Replication *i*
keeps its seed whatever the final count, so the replications run are a prefix of any longer run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.errors import InputError
from simlib.experiment.contract import Arm, ReplicationFn
from simlib.experiment.executors import Executor, make_executor
from simlib.experiment.runner import kpi_columns, run_replications
from simlib.experiment.stats import MEAN_METHOD, mean_interval


@dataclass
class SequentialResult:
    """What the sequential procedure reached."""

    scenario: str
    kpi: str
    target: float
    confidence: float
    n: int
    mean: float
    half_width: float
    rel_half_width: float
    met: bool
    max_reps: int
    method: str = MEAN_METHOD
    history: list[tuple[int, float]] = field(default_factory=list)  # (n, relative half-width) per look
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (without the replication table)."""
        return {k: v for k, v in self.__dict__.items() if k != "table"}


def replications_needed(
    fn: ReplicationFn,
    scenario: Arm | Any,
    kpi: str,
    target: float,
    *,
    confidence: float = 0.95,
    initial: int = 10,
    batch: int = 10,
    max_reps: int = 1000,
    root_seed: int = 0,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    store: str | Path | None = None,
    progress: bool | None = None,
) -> SequentialResult:
    """Run ``scenario`` in batches until the relative half-width of ``kpi``'s CI is at most ``target``.

    A zero-width interval (the KPI is constant over the replications run) counts as met. With ``store``, every
    replication is saved, and a rerun reads them back instead of recomputing.
    """
    scenario = Arm.of(scenario)
    if not 0 < target < 1:
        raise InputError(field="--target", key="arg.target", values={"value": target})
    if initial < 2 or batch < 1 or max_reps < initial:
        raise InputError(field="--initial/--step/--max-reps", key="arg.sequential",
                         values={"initial": initial, "batch": batch, "max_reps": max_reps})
    design = {"kind": "replications_needed", "kpi": kpi, "target": target, "confidence": confidence}
    own = isinstance(executor, str)
    runner = make_executor(executor, workers=workers, scheduler=scheduler)
    tables: list[pd.DataFrame] = []
    history: list[tuple[int, float]] = []
    n_done = 0
    next_n = initial
    try:
        while True:
            new = run_replications(
                fn,
                scenario,
                range(n_done, next_n),
                root_seed=root_seed,
                executor=runner,
                store=store,
                design=design,
                progress=progress,
                desc=f"{scenario.name}: {kpi} to ±{target:.0%}",
            )
            if kpi not in new.columns:
                raise InputError(field="--kpi", key="arg.unknown_kpi",
                                 values={"value": repr(kpi), "choices": ", ".join(kpi_columns(new))})
            tables.append(new)
            n_done = next_n
            iv = mean_interval(pd.concat(tables)[kpi].to_numpy(), confidence)
            history.append((n_done, iv.rel_half_width))
            met = iv.rel_half_width <= target
            if met or n_done >= max_reps:
                break
            next_n = min(max_reps, n_done + batch)
    finally:
        if own:
            runner.close()
    return SequentialResult(
        scenario=scenario.name,
        kpi=kpi,
        target=target,
        confidence=confidence,
        n=iv.n,
        mean=iv.mean,
        half_width=iv.half_width,
        rel_half_width=iv.rel_half_width,
        met=bool(met),
        max_reps=max_reps,
        history=history,
        table=pd.concat(tables, ignore_index=True),
    )
