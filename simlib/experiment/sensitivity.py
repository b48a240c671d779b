"""Sensitivity analysis: one-at-a-time tornado (paired, common random numbers); Morris or Sobol (SALib).

* ``tornado``: each parameter at the low and the high end of its range, the others at baseline; each KPI's
  difference from the baseline with a paired t-interval; parameters ranked per KPI by swing
  ``|diff(high) - diff(low)|``.
* ``morris``: SALib's Morris elementary effects (``SALib.sample.morris``, ``SALib.analyze.morris``);
  ``mu_star`` is the mean absolute change of the KPI when a parameter moves across its whole range, with a
  bootstrap CI (``mu_star_conf``); parameters ranked by ``mu_star``.
* ``sobol``: SALib's Saltelli sampling and Sobol indices (first order ``S1`` and total ``ST``, bootstrap CIs);
  parameters ranked by ``ST``. ``samples`` must be a power of two; cost is ``samples * (d + 2) * reps``.

For the global methods each design point's KPI is the mean over ``reps`` replications, all points using the
same replication seeds (common random numbers), which keeps replication noise out of the comparison of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from simlib.errors import InputError
from simlib.experiment.contract import Arm, Ranges, ReplicationFn
from simlib.experiment.design import check_ranges, design_scenarios, point_overrides
from simlib.experiment.runner import RunOptions, kpi_columns, run_replications
from simlib.experiment.stats import PAIRED_METHOD, compare
from simlib.scenario.overrides import get_path

METHODS = ("oat", "morris", "sobol")


@dataclass
class SensitivityResult:
    """Per KPI and parameter: the method's measures and a rank (1 = most influential)."""

    method: str
    table: pd.DataFrame
    replications: pd.DataFrame
    confidence: float
    ci_method: str

    def top(self, kpi: str) -> list[str]:
        """Parameters ranked for one KPI, most influential first."""
        rows = self.table[self.table["kpi"] == kpi].sort_values("rank")
        return list(rows["parameter"])


def tornado(
    fn: ReplicationFn,
    base: Arm | Any,
    ranges: Ranges,
    *,
    reps: int = 10,
    kpis: Sequence[str] | None = None,
    root_seed: int = 0,
    confidence: float = 0.95,
    **run: Unpack[RunOptions],
) -> SensitivityResult:
    """One-at-a-time: each parameter at its low and high value vs the baseline, paired by replication."""
    base = Arm.of(base)
    ranges = check_ranges(ranges, base.config)
    scenarios = [base]
    for path, (lo, hi) in ranges.items():
        ends = pd.DataFrame({path: [lo, hi]})
        low, high = (
            base.with_overrides(o, name=f"{path}@{end}")
            for o, end in zip(point_overrides(base, ends), ("low", "high"), strict=True)
        )
        scenarios += [low, high]
    spec = {
        "kind": "sensitivity",
        "method": "oat",
        "ranges": {p: list(r) for p, r in ranges.items()},
        "base": {"name": base.name, "hash": base.hash},
    }
    table = run_replications(
        fn,
        scenarios,
        reps,
        root_seed=root_seed,
        design=spec,
        desc=f"tornado {base.name}",
        **run,
    )
    diffs = compare(table, base.name, kpis=kpis, confidence=confidence).set_index(["scenario", "kpi"])
    rows = []
    for path in ranges:
        for kpi in kpis or kpi_columns(table):
            lo_row, hi_row = diffs.loc[(f"{path}@low", kpi)], diffs.loc[(f"{path}@high", kpi)]
            lo_s, hi_s = (next(s for s in scenarios if s.name == f"{path}@{e}") for e in ("low", "high"))
            rows.append(
                {
                    "kpi": kpi,
                    "parameter": path,
                    "low": get_path(lo_s.config, path),
                    "high": get_path(hi_s.config, path),
                    "baseline_mean": lo_row["baseline_mean"],
                    "diff_low": lo_row["diff"],
                    "low_ci_low": lo_row["ci_low"],
                    "low_ci_high": lo_row["ci_high"],
                    "diff_high": hi_row["diff"],
                    "high_ci_low": hi_row["ci_low"],
                    "high_ci_high": hi_row["ci_high"],
                    "swing": abs(hi_row["diff"] - lo_row["diff"]),
                }
            )
    out = _ranked(pd.DataFrame(rows), "swing")
    return SensitivityResult("oat", out, table, confidence, PAIRED_METHOD)


def _ranked(table: pd.DataFrame, by: str) -> pd.DataFrame:
    table = table.copy()
    table["rank"] = (
        table.groupby("kpi")[by].rank(ascending=False, method="min", na_option="bottom").astype(int)
    )
    return table.sort_values(["kpi", "rank"], kind="stable").reset_index(drop=True)


def _problem(ranges: dict[str, tuple[float, float]]) -> dict[str, Any]:
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(r) for r in ranges.values()]}


def _point_means(
    fn: ReplicationFn,
    base: Arm,
    x: np.ndarray,
    paths: list[str],
    reps: int,
    spec: dict[str, Any],
    run: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    scenarios = design_scenarios(base, pd.DataFrame(x, columns=paths))
    table = run_replications(fn, scenarios, reps, design=spec, **run)
    means = table.groupby("scenario", sort=False)[kpi_columns(table)].mean()
    return table, means.loc[[s.name for s in scenarios]]


def morris(
    fn: ReplicationFn,
    base: Arm | Any,
    ranges: Ranges,
    *,
    trajectories: int = 10,
    levels: int = 4,
    reps: int = 5,
    kpis: Sequence[str] | None = None,
    root_seed: int = 0,
    confidence: float = 0.95,
    **run: Unpack[RunOptions],
) -> SensitivityResult:
    """Morris elementary effects over ``trajectories * (d + 1)`` points, ``reps`` replications each."""
    base = Arm.of(base)
    ranges = check_ranges(ranges, base.config)
    if trajectories < 2 or levels < 2 or levels % 2:
        raise InputError(field="--trajectories/--levels", key="arg.morris",
                         values={"trajectories": trajectories, "levels": levels})
    problem = _problem(ranges)
    x = morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=root_seed)
    spec = {
        "kind": "sensitivity",
        "method": "morris",
        "trajectories": trajectories,
        "levels": levels,
        "ranges": problem["bounds"],
        "paths": problem["names"],
        "base": {"name": base.name, "hash": base.hash},
    }
    table, means = _point_means(fn, base, x, problem["names"], reps, spec,
                                dict(run, root_seed=root_seed, desc=f"morris {base.name}"))
    rows = []
    for kpi in kpis or list(means.columns):
        y = means[kpi].to_numpy(dtype=float)
        res = morris_analyze.analyze(problem, x, y, conf_level=confidence, num_levels=levels, seed=root_seed)
        for i, path in enumerate(problem["names"]):
            rows.append(
                {
                    "kpi": kpi,
                    "parameter": path,
                    "mu_star": float(res["mu_star"][i]),
                    "mu_star_conf": float(res["mu_star_conf"][i]),
                    "mu": float(res["mu"][i]),
                    "sigma": float(res["sigma"][i]),
                }
            )
    out = _ranked(pd.DataFrame(rows), "mu_star")
    return SensitivityResult(
        "morris", out, table, confidence, "Morris elementary effects (SALib), bootstrap CI"
    )


def sobol(
    fn: ReplicationFn,
    base: Arm | Any,
    ranges: Ranges,
    *,
    samples: int = 64,
    reps: int = 3,
    kpis: Sequence[str] | None = None,
    root_seed: int = 0,
    confidence: float = 0.95,
    **run: Unpack[RunOptions],
) -> SensitivityResult:
    """Sobol first-order and total indices: ``samples * (d + 2)`` Saltelli points, ``reps`` replications."""
    base = Arm.of(base)
    ranges = check_ranges(ranges, base.config)
    if samples < 2 or samples & (samples - 1):
        raise InputError(field="--samples", key="arg.sobol", values={"value": samples})
    problem = _problem(ranges)
    x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=root_seed)
    spec = {
        "kind": "sensitivity",
        "method": "sobol",
        "samples": samples,
        "ranges": problem["bounds"],
        "paths": problem["names"],
        "base": {"name": base.name, "hash": base.hash},
    }
    table, means = _point_means(fn, base, x, problem["names"], reps, spec,
                                dict(run, root_seed=root_seed, desc=f"sobol {base.name}"))
    rows = []
    for kpi in kpis or list(means.columns):
        y = means[kpi].to_numpy(dtype=float)
        if np.ptp(y) == 0:  # the KPI does not move: no variance to apportion
            res = {k: np.zeros(len(ranges)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            res = sobol_analyze.analyze(
                problem, y, calc_second_order=False, conf_level=confidence, seed=root_seed
            )
        for i, path in enumerate(problem["names"]):
            rows.append(
                {
                    "kpi": kpi,
                    "parameter": path,
                    "S1": float(res["S1"][i]),
                    "S1_conf": float(res["S1_conf"][i]),
                    "ST": float(res["ST"][i]),
                    "ST_conf": float(res["ST_conf"][i]),
                }
            )
    out = _ranked(pd.DataFrame(rows), "ST")
    return SensitivityResult("sobol", out, table, confidence, "Sobol indices (SALib, Saltelli), bootstrap CI")
