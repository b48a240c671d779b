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

Many differences at once (scenarios × KPIs) are many tests: :func:`adjust_pvalues` offers Holm's step-down
(family-wise error rate) and Benjamini–Hochberg (false discovery rate) over the whole table, and each difference
carries the smallest effect the paired test could have detected (:func:`minimum_detectable_effect`) and the
replications it would take to detect the one observed (:func:`replications_to_detect`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special  # scipy.stats.t's own quantile and tail functions, without importing scipy.stats

from simlib.errors import InputError
from simlib.experiment.runner import kpi_columns

MEAN_METHOD = "Student t-interval"
PAIRED_METHOD = "paired t-interval (common random numbers)"
WELCH_METHOD = "Welch t-interval (unpaired)"
ADJUSTMENTS = {  # id -> the method's name, as shown in the output
    "none": "none (each difference tested alone)",
    "holm": "Holm step-down (family-wise error rate)",
    "bh": "Benjamini-Hochberg (false discovery rate)",
}
POWER = 0.8  # the power at which a minimum detectable effect is stated
MAX_REPLICATIONS = 100_000  # replications_to_detect gives up (inf) beyond this


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
    return float(special.stdtrit(df, (1 + confidence) / 2) * se)


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


def paired_pvalue(alt: np.ndarray, base: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test of mean(alt - base) = 0 (as ``scipy.stats.ttest_rel``); pairs with
    a NaN dropped. A constant difference gives 1 when it is zero and 0 otherwise; fewer than two pairs, NaN."""
    keep = ~(np.isnan(alt) | np.isnan(base))
    d = alt[keep] - base[keep]
    if len(d) < 2:
        return float("nan")
    if np.ptp(d) == 0:
        return 1.0 if d[0] == 0 else 0.0
    t = d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))
    return float(2 * special.stdtr(len(d) - 1, -abs(t)))


def adjust_pvalues(pvalues: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """p-values adjusted for testing them together (NaNs kept, and not counted as tests): ``holm`` — Holm's
    step-down, controlling the family-wise error rate; ``bh`` — Benjamini–Hochberg, controlling the false
    discovery rate; ``none`` — unchanged. Reject where the adjusted value is below 1 - confidence."""
    if method not in ADJUSTMENTS:
        raise InputError(field="--adjust", key="stats.adjust",
                         values={"method": repr(method), "methods": ", ".join(ADJUSTMENTS)})
    p = np.asarray(pvalues, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    x = p[ok]
    if method == "holm":
        order = np.argsort(x, kind="stable")
        stepped = np.maximum.accumulate((m - np.arange(m)) * x[order])
    else:
        order = np.argsort(x, kind="stable")[::-1]  # largest first
        stepped = np.minimum.accumulate(m / (m - np.arange(m)) * x[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    out[ok] = adjusted
    return out


def _t_sum(n: int, confidence: float, power: float) -> float:
    """t quantiles of a two-sided paired test at ``confidence`` and of ``power``, with n - 1 degrees of freedom."""
    df = n - 1
    return float(special.stdtrit(df, (1 + confidence) / 2) + special.stdtrit(df, power))


def minimum_detectable_effect(sd: float, n: int, confidence: float = 0.95, power: float = POWER) -> float:
    """The smallest true mean difference the paired t-test of ``n`` pairs whose differences have standard
    deviation ``sd`` detects with probability ``power`` at ``confidence`` (two-sided):
    (t_{1-α/2, n-1} + t_{power, n-1}) · sd / √n. NaN for n < 2; 0 for sd = 0."""
    if n < 2 or np.isnan(sd):
        return float("nan")
    return _t_sum(n, confidence, power) * sd / np.sqrt(n)


def replications_to_detect(effect: float, sd: float, confidence: float = 0.95, power: float = POWER) -> float:
    """The fewest replications (pairs, at least 2) with which the paired t-test detects a true mean difference
    ``effect`` of differences with standard deviation ``sd`` (:func:`minimum_detectable_effect` ≤ |effect|);
    inf for a zero effect or beyond :data:`MAX_REPLICATIONS`, NaN when sd is unknown."""
    if np.isnan(sd) or np.isnan(effect):
        return float("nan")
    if sd == 0:
        return 2.0 if effect != 0 else float("inf")
    if effect == 0:
        return float("inf")

    def detects(n: int) -> bool:
        return minimum_detectable_effect(sd, n, confidence, power) <= abs(effect)

    if not detects(MAX_REPLICATIONS):
        return float("inf")
    low, high = 1, 2  # detects(low) is False (n = 1 has no test); find the first n that detects, by doubling
    while not detects(high):
        low, high = high, min(2 * high, MAX_REPLICATIONS)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if detects(mid) else (mid, high)
    return float(high)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise InputError(field="--confidence", key="stats.confidence", values={"confidence": confidence})


def _kpis(table: pd.DataFrame, kpis: Sequence[str] | None) -> list[str]:
    available = kpi_columns(table)
    if kpis is None:
        return available
    unknown = [k for k in kpis if k not in available]
    if unknown:
        raise InputError(field="--kpi", key="arg.unknown_kpi",
                         values={"value": ", ".join(map(repr, unknown)), "choices": ", ".join(available)})
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
    adjust: str = "none",
    power: float = POWER,
) -> pd.DataFrame:
    """Each other scenario's difference from ``baseline`` per KPI, paired by replication (same seed).

    Columns: ``scenario, kpi, n, baseline_mean, mean, diff, ci_low, ci_high, half_width, rel_change,
    significant, welch_ci_low, welch_ci_high, welch_half_width, narrowing`` (Welch half-width / paired
    half-width), ``confidence, method, welch_method``. ``rel_change`` is ``diff / baseline_mean``.

    And for reading many differences at once: ``p_value`` (paired t-test), ``p_adjusted`` and
    ``significant_adjusted`` under ``adjust`` (:func:`adjust_pvalues` over every row of the table: ``none``,
    ``holm``, ``bh``) with ``adjustment`` naming it; ``mde`` — the smallest difference the paired test could
    have detected with probability ``power`` (:func:`minimum_detectable_effect`), ``resolved`` — whether
    |diff| reaches it, and ``reps_to_detect`` — the replications needed to detect the observed difference at
    that power (:func:`replications_to_detect`), with ``power``.
    """
    _check_confidence(confidence)
    if not 0 < power < 1:
        raise InputError(field="--power", key="stats.power", values={"power": power})
    adjust_pvalues([], adjust)  # an unknown method is an error before anything runs
    names = list(dict.fromkeys(table["scenario"]))
    if baseline not in names:
        raise InputError(field="baseline", key="stats.baseline",
                         values={"baseline": repr(baseline), "names": ", ".join(names)})
    wide = {name: g.set_index("replication") for name, g in table.groupby("scenario", sort=False)}
    base = wide[baseline]
    rows = []
    for name in names:
        if name == baseline:
            continue
        alt = wide[name]
        common = base.index.intersection(alt.index)
        if not (base.loc[common, "seed"] == alt.loc[common, "seed"]).all():
            raise InputError(field="seed", key="stats.unpaired", values={"name": repr(name)})
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
                    "p_value": paired_pvalue(a, b),
                    "mde": minimum_detectable_effect(paired.sd, paired.n, confidence, power),
                    "reps_to_detect": replications_to_detect(paired.mean, paired.sd, confidence, power),
                    "power": power,
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), adjust)
    out["significant_adjusted"] = out["p_adjusted"] < 1 - confidence
    out["adjustment"] = ADJUSTMENTS[adjust]
    out["resolved"] = out["diff"].abs() >= out["mde"]
    return out


def rank_differences(differences: pd.DataFrame, by: str = "rel_change") -> pd.DataFrame:
    """The differences sorted by the absolute value of ``by`` (largest first), NaNs last."""
    order = differences[by].abs().sort_values(ascending=False, na_position="last").index
    return differences.loc[order].reset_index(drop=True)


def method_id(method: str) -> str:
    """The language-neutral id of a CI method named here (``MEAN_METHOD`` …); its text in either language is the
    catalogue's ``experiment.method.<id>``."""
    return {MEAN_METHOD: "student_t", PAIRED_METHOD: "paired_t", WELCH_METHOD: "welch_t"}[method]
