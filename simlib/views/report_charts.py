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
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]  # Chinese glyphs fall back per glyph
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
