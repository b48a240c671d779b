"""The chart slots of a comparison report: each slot turns a :class:`~simlib.views.study.Study` into a matplotlib
Figure with a title, axis labels with units and alt text, using the figures of :mod:`simlib.views` when they
are there. A slot whose figure function is missing shows a note instead of failing the report.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simlib.i18n import t
from simlib.views.report import figure_html
from simlib.views.sections import E, kpi_name, kpi_unit
from simlib.views.study import RANK_KPIS, Study


@dataclass(frozen=True)
class Slot:
    """A chart of the report: its catalogue key and the function that draws it (None: not available)."""

    key: str
    draw: Callable[[Study, str], Any] | None


def _figures(name: str) -> Callable[..., Any] | None:
    """A figure function of the views package, wherever the figures module put it (None if not yet)."""
    for module in ("simlib.views", "simlib.views.figures"):
        try:
            fn = getattr(importlib.import_module(module), name, None)
        except ImportError:
            fn = None
        if callable(fn):
            return fn
    return None


def _forest(study: Study, lang: str) -> Any:
    """Differences from the baseline with paired CIs, one panel per ranking KPI."""
    fn = _figures("forest_plot")
    if fn is not None:
        return fn(study.differences, kpis=list(RANK_KPIS), lang=lang)
    return _fallback_forest(study, lang)


def _fallback_forest(study: Study, lang: str) -> Any:
    """A plain forest plot until the figures module provides one."""
    plt = _cjk()
    kpis = list(RANK_KPIS)
    names = [a.name for a in study.alternatives]
    fig, axes = plt.subplots(1, len(kpis), figsize=(9, 0.32 * len(names) + 1.6), sharey=True)
    d = study.differences
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = d[d["kpi"] == kpi].set_index("scenario").loc[names]
        scale = 100 if kpi.startswith("custody") else 1
        y = range(len(names))[::-1]
        x = rows["diff"].to_numpy() * scale
        lo = x - rows["ci_low"].to_numpy() * scale
        hi = rows["ci_high"].to_numpy() * scale - x
        colours = ["tab:red" if s else "tab:gray" for s in rows["significant"]]
        for xi, yi, a, b, c in zip(x, y, lo, hi, colours, strict=True):
            ax.errorbar([xi], [yi], xerr=[[a], [b]], fmt="none", ecolor=c, capsize=2, linewidth=1)
        ax.scatter(x, list(y), c=colours, s=14, zorder=3)
        ax.axvline(0, color="black", linewidth=0.7)
        ax.set_title(kpi_name(kpi, lang), fontsize="medium")
        ax.set_xlabel(f"Δ ({'pp' if scale == 100 else kpi_unit(kpi, lang)})")
    axes[0].set_yticks(list(range(len(names))[::-1]), names, fontsize="small")
    fig.suptitle(t("report.charts.forest", lang), fontsize="medium")
    fig.tight_layout()
    fig.alt_text = t("report.charts.forest", lang) + ": " + "; ".join(  # type: ignore[attr-defined]
        f"{kpi_name(k, lang)}" for k in kpis)
    return fig


def _cjk() -> Any:
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]  # Chinese glyphs fall back per glyph
    return plt


def forest_figure(study: Study, lang: str) -> Any:
    """The briefing chart: every alternative's paired difference on the ranking KPIs."""
    return _forest(study, lang)


def tornado_figure(result: Any, kpi: str, lang: str) -> Any:
    """The tornado of a one-at-a-time result (the figures module's, else the experiment layer's)."""
    fn = _figures("tornado_plot")
    if fn is None:
        from simlib.experiment import tornado_plot as fn
    try:
        out = fn(result, kpi, lang=lang)
    except TypeError:  # the experiment layer's has no lang
        _cjk()
        out = fn(result, kpi)
    fig = out.get_figure() if hasattr(out, "get_figure") else out
    fig.alt_text = t("planning.chart.tornado_alt", lang, kpi=kpi_name(kpi, lang),  # type: ignore[attr-defined]
                     params=", ".join(result.top(kpi)[:3]))
    return fig


def morris_figure(result: Any, kpi: str, lang: str) -> Any:
    """Morris μ* with its CI half-width per parameter, most influential on top."""
    fn = _figures("morris_plot")
    if fn is not None:
        return fn(result, kpi, lang=lang)
    plt = _cjk()
    rows = result.table[result.table["kpi"] == kpi].sort_values("rank", ascending=False)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.4))
    scale, unit = (100, "pp") if kpi.startswith("custody") else (1, kpi_unit(kpi, lang))
    ax.barh(list(rows["parameter"]), rows["mu_star"] * scale, xerr=rows["mu_star_conf"] * scale, color="tab:blue",
            alpha=0.8, capsize=3)
    ax.set_xlabel(t("planning.chart.mu_star", lang, unit=unit))
    ax.set_title(t("planning.chart.morris_title", lang, kpi=kpi_name(kpi, lang)), fontsize="medium")
    fig.tight_layout()
    fig.alt_text = t("planning.chart.morris_alt", lang, kpi=kpi_name(kpi, lang),  # type: ignore[attr-defined]
                     params=", ".join(result.top(kpi)[:3]))
    return fig


def timeline_figure(history: Any, title: str, lang: str) -> Any:
    """One object's events over time by type, events that caused a finding in red."""
    fn = _figures("timeline_plot")
    if fn is not None:
        return fn(history, title=title, lang=lang)
    plt = _cjk()
    types = list(dict.fromkeys(history["type"]))
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(types) + 1.5))
    y = [types.index(x) for x in history["type"]]
    bad = history["findings"].map(bool).to_numpy()
    ax.scatter(history["time"][~bad], [v for v, b in zip(y, bad, strict=True) if not b], s=18, color="tab:gray")
    ax.scatter(history["time"][bad], [v for v, b in zip(y, bad, strict=True) if b], s=40, color="tab:red",
               marker="D", label=t("planning.chart.finding", lang))
    ax.set_yticks(range(len(types)), types, fontsize="small")
    ax.set_xlabel(t("planning.chart.date", lang))
    ax.set_title(title, fontsize="medium")
    if bad.any():
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.alt_text = t("planning.chart.timeline_alt", lang, title=title, n=len(history),  # type: ignore[attr-defined]
                     bad=int(bad.sum()))
    return fig


def slots() -> list[Slot]:
    """The report's charts, in order."""
    return [Slot("report.charts.forest", _forest)]


def charts_html(study: Study, lang: str) -> str:
    """Every chart of the report as ``<figure>`` with alt text and caption (a note for a missing one)."""
    out = [f"<h2>{E(t('report.section.charts', lang))}</h2>"]
    for slot in slots():
        title = t(slot.key, lang)
        if slot.draw is None:
            out.append(f"<p class=\"muted\">{E(t('report.charts.pending', lang, name=title))}</p>")
            continue
        fig = slot.draw(study, lang)
        out.append(figure_html(fig, caption=title))
    return "".join(out)
