"""Confidence intervals for KPIs and for differences between scenarios (paired, common random numbers).

* Each KPI of each scenario: Student t-interval on the mean of independent replications.
* Each difference from the baseline: paired t-interval on the per-replication differences, pairing replication
  *i* of both scenarios (same seed, so the same random numbers per purpose).
* For contrast, the unpaired Welch interval (Welch–Satterthwaite degrees of freedom) that ignores the
  pairing; with common random numbers the paired interval is usually much narrower.

The intervals are the textbook formulas with ``scipy.stats.t`` quantiles (the same numbers as scipy's
``ttest_1samp`` / ``ttest_rel`` / ``ttest_ind(equal_var=False)`` confidence intervals, which the tests check),
without their warnings on nearly constant samples.

A sample of fewer than two values has no interval (NaN); a constant sample has a zero-width interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simlib.experiment.runner import kpi_columns
from simlib.errors import InputError

MEAN_METHOD = "Student t-interval"
PAIRED_METHOD = "paired t-interval (common random numbers)"
WELCH_METHOD = "Welch t-interval (unpaired)"


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval."""

    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def rel_half_width(self) -> float:
        """Half-width / |mean| (0 for a zero-width interval, inf when the mean is 0 but not the width)."""
        if self.half_width == 0:
            return 0.0
        return abs(self.half_width / self.mean) if self.mean != 0 else float("inf")


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[~np.isnan(x)]


def _t_half_width(se: float, df: float, confidence: float) -> float:
    return float(stats.t.ppf((1 + confidence) / 2, df) * se)


def mean_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Student t-interval for the mean of independent values (NaNs dropped)."""
    x = _clean(values)
    n = len(x)
    if n == 0:
        return Interval(0, np.nan, np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if n < 2:
        return Interval(1, mean, np.nan, np.nan, np.nan)
    if np.ptp(x) == 0:
        return Interval(n, mean, 0.0, mean, mean)
    sd = float(x.std(ddof=1))
    half = _t_half_width(sd / np.sqrt(n), n - 1, confidence)
    return Interval(n, mean, sd, mean - half, mean + half)


def paired_interval(alt: np.ndarray, base: np.ndarray, confidence: float = 0.95) -> Interval:
    """Paired t-interval for mean(alt - base); pairs with a NaN on either side are dropped."""
    keep = ~(np.isnan(alt) | np.isnan(base))
    return mean_interval(alt[keep] - base[keep], confidence)


def welch_interval(alt: np.ndarray, base: np.ndarray, confidence: float = 0.95) -> Interval:
    """Welch (unequal variances) t-interval for mean(alt) - mean(base), ignoring any pairing."""
    a, b = _clean(alt), _clean(base)
    n = min(len(a), len(b))
    if n < 2:
        return Interval(n, np.nan, np.nan, np.nan, np.nan)
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return Interval(n, diff, 0.0, diff, diff)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = _t_half_width(float(np.sqrt(va + vb)), df, confidence)
    return Interval(n, diff, np.nan, diff - half, diff + half)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise InputError(
            f"confidence must be between 0 and 1, got {confidence}", field="--confidence", fix="e.g. 0.95"
        )


def _kpis(table: pd.DataFrame, kpis: Sequence[str] | None) -> list[str]:
    available = kpi_columns(table)
    if kpis is None:
        return available
    unknown = [k for k in kpis if k not in available]
    if unknown:
        raise InputError(
            f"unknown KPI {', '.join(map(repr, unknown))}",
            field="--kpi",
            fix=f"use one of: {', '.join(available)}",
        )
    return list(kpis)


def summarise(
    table: pd.DataFrame, *, kpis: Sequence[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Per scenario and KPI: n, mean, sd, CI (low, high, half-width, relative half-width), CI method."""
    _check_confidence(confidence)
    rows = []
    for scenario, group in table.groupby("scenario", sort=False):
        for kpi in _kpis(table, kpis):
            iv = mean_interval(group[kpi].to_numpy(), confidence)
            rows.append(
                {
                    "scenario": scenario,
                    "kpi": kpi,
                    "n": iv.n,
                    "mean": iv.mean,
                    "sd": iv.sd,
                    "ci_low": iv.low,
                    "ci_high": iv.high,
                    "half_width": iv.half_width,
                    "rel_half_width": iv.rel_half_width,
                    "confidence": confidence,
                    "method": MEAN_METHOD,
                }
            )
    return pd.DataFrame(rows)


def compare(
    table: pd.DataFrame,
    baseline: str,
    *,
    kpis: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each other scenario's difference from ``baseline`` per KPI, paired by replication (same seed).

    Columns: ``scenario, kpi, n, baseline_mean, mean, diff, ci_low, ci_high, half_width, rel_change,
    significant, welch_ci_low, welch_ci_high, welch_half_width, narrowing`` (Welch half-width / paired
    half-width), ``confidence, method, welch_method``. ``rel_change`` is ``diff / baseline_mean``.
    """
    _check_confidence(confidence)
    names = list(dict.fromkeys(table["scenario"]))
    if baseline not in names:
        raise InputError(
            f"baseline {baseline!r} is not among the scenarios run ({', '.join(names)})", field="baseline"
        )
    wide = {name: g.set_index("replication") for name, g in table.groupby("scenario", sort=False)}
    base = wide[baseline]
    rows = []
    for name in names:
        if name == baseline:
            continue
        alt = wide[name]
        common = base.index.intersection(alt.index)
        if not (base.loc[common, "seed"] == alt.loc[common, "seed"]).all():
            raise InputError(
                f"scenario {name!r} was not run with the baseline's seeds; cannot pair them",
                field="seed",
                fix="run all scenarios in one experiment with one root seed",
            )
        for kpi in _kpis(table, kpis):
            a = alt.loc[common, kpi].to_numpy(dtype=float)
            b = base.loc[common, kpi].to_numpy(dtype=float)
            paired = paired_interval(a, b, confidence)
            welch = welch_interval(a, b, confidence)
            base_mean = float(np.nanmean(b)) if len(b) else np.nan
            rows.append(
                {
                    "scenario": name,
                    "kpi": kpi,
                    "n": paired.n,
                    "baseline_mean": base_mean,
                    "mean": float(np.nanmean(a)) if len(a) else np.nan,
                    "diff": paired.mean,
                    "ci_low": paired.low,
                    "ci_high": paired.high,
                    "half_width": paired.half_width,
                    "rel_change": paired.mean / base_mean if base_mean else np.nan,
                    "significant": bool(paired.low > 0 or paired.high < 0),
                    "welch_ci_low": welch.low,
                    "welch_ci_high": welch.high,
                    "welch_half_width": welch.half_width,
                    "narrowing": welch.half_width / paired.half_width if paired.half_width else np.nan,
                    "confidence": confidence,
                    "method": PAIRED_METHOD,
                    "welch_method": WELCH_METHOD,
                }
            )
    return pd.DataFrame(rows)


def rank_differences(differences: pd.DataFrame, by: str = "rel_change") -> pd.DataFrame:
    """The differences sorted by the absolute value of ``by`` (largest first), NaNs last."""
    order = differences[by].abs().sort_values(ascending=False, na_position="last").index
    return differences.loc[order].reset_index(drop=True)


def method_id(method: str) -> str:
    """The language-neutral id of a CI method named here (``MEAN_METHOD`` …); its text in either language is the
    catalogue's ``experiment.method.<id>``."""
    return {MEAN_METHOD: "student_t", PAIRED_METHOD: "paired_t", WELCH_METHOD: "welch_t"}[method]
