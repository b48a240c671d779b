"""The text the experiment commands print (compare, sweep, sensitivity, replications), in the chosen language:
titles, headers and method names from the catalogue (``experiment.*``), a KPI as ``label (name)``, numbers
formatted once so both languages show the same digits, tables aligned in display columns."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from simlib.i18n import get_lang, has, t

if TYPE_CHECKING:
    import pandas as pd

    from simlib.experiment.sensitivity import SensitivityResult
    from simlib.experiment.sequential import SequentialResult
    from simlib.experiment.sweeps import SweepResult


def method_id(method: str) -> str:
    """:func:`simlib.experiment.stats.method_id`, imported when a command runs (not at start-up)."""
    from simlib.experiment.stats import method_id as stats_method_id

    return stats_method_id(method)


def sensitivity_method_id(result: SensitivityResult) -> str:
    """The tornado's paired t-interval, or the global method itself (Morris, Sobol: SALib's bootstrap CIs)."""
    return method_id(result.ci_method) if result.method == "oat" else result.method


def _method(mid: str, lang: str) -> str:
    return t(f"experiment.method.{mid}", lang)


def _col(key: str, lang: str, **values: Any) -> str:
    return t(f"experiment.col.{key}", lang, **values)


def kpi_label(name: str, lang: str) -> str:
    """``label (name)`` when the catalogue has ``model.kpi.<name>``, else ``name`` (stand-in models' KPIs);
    the raw name stays visible because ``--kpi`` takes it."""
    key = f"model.kpi.{name}"
    return f"{t(key, lang)} ({name})" if has(key) else name


def _fmt(x: Any) -> str:
    import pandas as pd

    return "nan" if x is None or pd.isna(x) else f"{x:.4g}"


def _p(x: Any) -> str:
    """A p-value to three decimals (``<0.001`` below)."""
    import pandas as pd

    return "nan" if pd.isna(x) else ("<0.001" if x < 0.001 else f"{x:.3f}")


def _ci(low: Any, high: Any) -> str:
    return f"[{_fmt(low)}, {_fmt(high)}]"


def _pct(x: Any, spec: str = "+.1%") -> str:
    import pandas as pd

    return "nan" if pd.isna(x) else format(x, spec)


def _level(confidence: float) -> str:
    return f"{confidence:.0%}"


def _table(shown: pd.DataFrame, **to_string: Any) -> str:
    """``shown`` without its index, aligned in display columns: a Chinese character takes two (pandas counts
    it as one unless told, and the columns of a Chinese table drift)."""
    import pandas as pd

    with pd.option_context("display.unicode.east_asian_width", True):
        return shown.to_string(index=False, **to_string)


def run_line(table: pd.DataFrame, args: argparse.Namespace, lang: str) -> str:
    run = table.attrs.get("run", {})
    store = t("experiment.run.store", lang, path=run["store"]) if run.get("store") else ""
    return t(
        "experiment.run.line",
        lang,
        seed=args.seed,
        executor=run.get("executor"),
        workers=run.get("workers"),
        computed=run.get("computed"),
        reused=run.get("reused"),
        store=store,
        seconds=f"{run.get('wall_s', 0):.1f}",
    )


def summary_text(summary: pd.DataFrame, confidence: float, lang: str | None = None) -> str:
    """A readable per-scenario KPI table with the CI method in the title."""
    import pandas as pd

    from simlib.experiment.stats import MEAN_METHOD

    lang = lang or get_lang()
    level = _level(confidence)
    shown = pd.DataFrame(
        {
            _col("scenario", lang): summary["scenario"],
            _col("kpi", lang): summary["kpi"].map(lambda k: kpi_label(k, lang)),
            _col("n", lang): summary["n"],
            _col("mean", lang): summary["mean"].map(_fmt),
            _col("sd", lang): summary["sd"].map(_fmt),
            _col("ci", lang, level=level): [
                _ci(a, b) for a, b in zip(summary["ci_low"], summary["ci_high"], strict=True)
            ],
            _col("rel_half_width", lang): summary["rel_half_width"].map(lambda v: _pct(v, ".1%")),
        }
    )
    title = t("experiment.summary.title", lang, level=level, method=_method(method_id(MEAN_METHOD), lang))
    return title + "\n" + _table(shown)


def differences_text(diffs: pd.DataFrame, baseline: str, confidence: float, lang: str | None = None) -> str:
    """A readable table of differences from the baseline, naming the paired and the Welch CI methods."""
    import pandas as pd

    from simlib.experiment.stats import PAIRED_METHOD, WELCH_METHOD

    lang = lang or get_lang()
    level = _level(confidence)
    shown = pd.DataFrame(
        {
            _col("scenario", lang): diffs["scenario"],
            _col("kpi", lang): diffs["kpi"].map(lambda k: kpi_label(k, lang)),
            _col("n", lang): diffs["n"],
            _col("baseline", lang): diffs["baseline_mean"].map(_fmt),
            _col("mean", lang): diffs["mean"].map(_fmt),
            _col("diff", lang): diffs["diff"].map(_fmt),
            _col("ci_paired", lang, level=level): [
                _ci(a, b) for a, b in zip(diffs["ci_low"], diffs["ci_high"], strict=True)
            ],
            _col("rel_change", lang): diffs["rel_change"].map(_pct),
            _col("significant", lang): diffs["significant"].map({True: "*", False: ""}),
            _col("ci_welch", lang, level=level): [
                _ci(a, b) for a, b in zip(diffs["welch_ci_low"], diffs["welch_ci_high"], strict=True)
            ],
            _col("p_adjusted", lang): diffs["p_adjusted"].map(_p),
            _col("significant_adjusted", lang): diffs["significant_adjusted"].map({True: "*", False: ""}),
            _col("mde", lang): diffs["mde"].map(_fmt),
            _col("resolved", lang): diffs["resolved"].map({True: "", False: t("experiment.unresolved", lang)}),
        }
    )
    title = t(
        "experiment.differences.title",
        lang,
        baseline=baseline,
        level=level,
        paired=_method(method_id(PAIRED_METHOD), lang),
        welch=_method(method_id(WELCH_METHOD), lang),
    )
    from simlib.experiment.stats import ADJUSTMENTS

    adjust_id = {name: key for key, name in ADJUSTMENTS.items()}[diffs["adjustment"].iloc[0]]
    adjusted = t("experiment.differences.adjusted", lang, method=t(f"experiment.adjust.{adjust_id}", lang),
                 power=f"{diffs['power'].iloc[0]:.0%}")
    return title + "\n" + adjusted + "\n" + _table(shown)


def sweep_text(
    result: SweepResult,
    scenario: str,
    design: str,
    reps: int,
    kpis: Sequence[str] | None = None,
    lang: str | None = None,
) -> str:
    """One row per point: the parameter values, then each KPI's mean and CI half-width (``±``)."""
    lang = lang or get_lang()
    wide = result.wide(kpis)
    headers = {"scenario": _col("scenario", lang)}
    for kpi in result.summary["kpi"].unique():
        headers |= {kpi: kpi_label(kpi, lang), f"{kpi} ±": _col("half_width", lang)}
    title = t(
        "experiment.sweep.title",
        lang,
        scenario=scenario,
        design=t(f"experiment.design.{design}", lang),
        points=len(result.points),
        reps=reps,
        level=_level(result.confidence),
        method=_method(method_id(result.method), lang),
    )
    return title + "\n" + _table(wide.rename(columns=headers))


def sensitivity_text(result: SensitivityResult, lang: str | None = None) -> str:
    """A readable ranking per KPI, naming the method."""
    import pandas as pd

    lang = lang or get_lang()
    parts = []
    for kpi, group in result.table.groupby("kpi", sort=False):
        if result.method == "oat":
            shown = pd.DataFrame(
                {
                    _col("rank", lang): group["rank"],
                    _col("parameter", lang): group["parameter"],
                    _col("low", lang): group["low"],
                    _col("high", lang): group["high"],
                    _col("baseline", lang): group["baseline_mean"].map(_fmt),
                    _col("diff_low", lang): group["diff_low"].map(_fmt),
                    _col("ci_at_low", lang): [
                        _ci(a, b) for a, b in zip(group["low_ci_low"], group["low_ci_high"], strict=True)
                    ],
                    _col("diff_high", lang): group["diff_high"].map(_fmt),
                    _col("ci_at_high", lang): [
                        _ci(a, b) for a, b in zip(group["high_ci_low"], group["high_ci_high"], strict=True)
                    ],
                    _col("swing", lang): group["swing"].map(_fmt),
                }
            )
        else:
            columns = ["rank", "parameter", *(c for c in group.columns if c not in {"kpi", "rank", "parameter"})]
            shown = group[columns].rename(columns={c: _col(c, lang) for c in columns})
        text = _table(shown, float_format=lambda v: f"{v:.4g}")
        parts.append(t("experiment.sensitivity.kpi", lang, kpi=kpi_label(str(kpi), lang)) + "\n" + text)
    head = t(
        f"experiment.sensitivity.{result.method}.title",
        lang,
        level=_level(result.confidence),
        method=_method(sensitivity_method_id(result), lang),
    )
    return head + "\n\n" + "\n\n".join(parts)


def replications_text(result: SequentialResult, lang: str | None = None) -> str:
    """What the sequential procedure reached, and the relative half-width at each look."""
    lang = lang or get_lang()
    verdict = (
        t("experiment.replications.reached", lang)
        if result.met
        else t("experiment.replications.not_reached", lang, cap=result.max_reps)
    )
    reached = t(
        "experiment.replications.result",
        lang,
        scenario=result.scenario,
        kpi=kpi_label(result.kpi, lang),
        n=result.n,
        mean=_fmt(result.mean),
        level=_level(result.confidence),
        method=_method(method_id(result.method), lang),
        half=_fmt(result.half_width),
        rel=_pct(result.rel_half_width, ".2%"),
        target=_pct(result.target, ".2%"),
        verdict=verdict,
    )
    looks = ", ".join(f"{n}: {r:.2%}" for n, r in result.history)
    return reached + "\n" + t("experiment.replications.looks", lang, looks=looks)
