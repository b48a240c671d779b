"""Parameter sweeps: a grid or Latin-hypercube design over dotted paths, each point run over replications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import pandas as pd

from simlib.experiment.contract import Arm, Ranges, ReplicationFn
from simlib.experiment.design import applied_values, check_ranges, design_scenarios, make_design
from simlib.experiment.runner import RunOptions, run_replications
from simlib.experiment.stats import MEAN_METHOD, summarise


@dataclass
class SweepResult:
    """A sweep's points, per-replication KPIs and per-point summaries (mean and t-interval per KPI)."""

    points: pd.DataFrame  # scenario + the value of each path at that point
    replications: pd.DataFrame  # scenario, replication, seed, KPIs
    summary: pd.DataFrame  # scenario, kpi, n, mean, sd, ci_low, ci_high, ... (stats.summarise)
    confidence: float
    method: str = MEAN_METHOD

    def wide(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per point: the parameter values, then each KPI's mean and CI half-width (``<kpi> ±``)."""
        summary = self.summary if kpis is None else self.summary[self.summary["kpi"].isin(kpis)]
        means = summary.pivot(index="scenario", columns="kpi", values="mean")
        halves = summary.pivot(index="scenario", columns="kpi", values="half_width").add_suffix(" ±")
        columns = [c for k in means.columns for c in (k, f"{k} ±")]
        table = means.join(halves)[columns]
        return self.points.set_index("scenario").join(table).reset_index()


def sweep(
    fn: ReplicationFn,
    base: Arm | Any,
    ranges: Ranges,
    *,
    design: str = "grid",
    points: int = 3,
    reps: int = 10,
    root_seed: int = 0,
    design_seed: int | None = None,
    confidence: float = 0.95,
    **run: Unpack[RunOptions],
) -> SweepResult:
    """Run ``reps`` replications at each point of a ``grid`` (``points`` per path) or ``lhs`` (``points``).

    Every point uses the same replication seeds (common random numbers), so neighbouring points differ by the
    parameters, not by luck. The Latin hypercube is drawn with ``design_seed`` (default: ``root_seed``).
    """
    base = Arm.of(base)
    ranges = check_ranges(ranges, base.config)
    seed = root_seed if design_seed is None else design_seed
    table = make_design(design, ranges, points, seed=seed)
    scenarios = design_scenarios(base, table)
    spec = {
        "kind": "sweep",
        "design": design,
        "points": points,
        "design_seed": seed,
        "ranges": {p: list(r) for p, r in ranges.items()},
        "base": {"name": base.name, "hash": base.hash},
    }
    replications = run_replications(
        fn,
        scenarios,
        reps,
        root_seed=root_seed,
        design=spec,
        desc=f"sweep {base.name}",
        **run,
    )
    return SweepResult(
        points=applied_values(scenarios, list(ranges)),
        replications=replications,
        summary=summarise(replications, confidence=confidence),
        confidence=confidence,
    )
