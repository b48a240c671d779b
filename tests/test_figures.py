"""Every figure of simlib.views.figures in Chinese and English on small real results: drawn and saved with
warnings as errors (a missing glyph fails), with a title, axis labels with units and alt text from the numbers;
significance drawn as filled / hollow / ×; the report's chart slots."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from experiment_standin import SCENARIOS, counting_replication
from matplotlib.figure import Figure
from test_breakdowns import FLIGHTY

from simlib.experiment import Arm, morris, sobol, tornado
from simlib.i18n import t
from simlib.pipeline.breakdowns import (
    approval_lead_times,
    custody_by_year,
    findings_by_clause_year,
    flight_funnel,
    funnel_means,
)
from simlib.views import figures, history, report_charts
from simlib.views.study import RANK_KPIS, Study, run_study

LANGS = ("zh", "en")
CJK = re.compile(r"[\u4e00-\u9fff]")
UNIT = re.compile(r"[（(].+[)）]")


@pytest.fixture(scope="module")
def study() -> Study:
    return run_study("training/small", ["no_exit_control", "no_private_custody"], reps=2, executor="serial",
                     sets={"organisation.cadres": 200, "calendar.years": 2, **FLIGHTY})


@pytest.fixture(scope="module")
def sample(study: Study) -> report_charts.Sample:
    return report_charts.sample(study)


@pytest.fixture(scope="module")
def sensitivity() -> dict[str, Any]:
    base = Arm("base", SCENARIOS["base"])
    ranges = {"queue.arrival_rate": (2.7, 3.3), "run.warmup": (40, 60)}
    return {"oat": tornado(counting_replication, base, ranges, reps=3, kpis=["mean_wait"], progress=False),
            "morris": morris(counting_replication, base, ranges, trajectories=3, reps=1, kpis=["mean_wait"],
                             progress=False),
            "sobol": sobol(counting_replication, base, ranges, samples=4, reps=1, kpis=["mean_wait"], progress=False)}


def _draw(make: Callable[[], Figure]) -> Figure:
    """Make, draw and save a figure (PNG and SVG) with every warning an error ("Glyph … missing from font")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = make()
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
    return fig


def _check(fig: Figure, lang: str) -> None:
    assert isinstance(fig, Figure)
    title = fig.get_suptitle()
    assert title and fig.alt_text  # type: ignore[attr-defined]
    assert bool(CJK.search(title)) == (lang == "zh")
    assert bool(CJK.search(fig.alt_text)) == (lang == "zh")  # type: ignore[attr-defined]
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for ax in plots:
        if ax.get_xlabel() or ax is plots[-1]:  # shared axes label the outer ones
            assert UNIT.search(ax.get_xlabel()), ax.get_xlabel()
    assert plots[0].get_ylabel() or any(x.get_text() for x in plots[0].get_yticklabels())  # y shared from the first


def _one(sample: report_charts.Sample, fn: Callable[[Any], pd.DataFrame]) -> pd.DataFrame:
    return sample.table(fn)


CHARTS: dict[str, Callable[..., Figure]] = {
    "forest": lambda st, sa, se, lang: figures.forest_plot(st.differences, list(RANK_KPIS), lang=lang),
    "ranking": lambda st, sa, se, lang: figures.gap_ranking_plot(st.ranking(), list(RANK_KPIS), lang=lang,
                                                                 reps=st.reps),
    "funnel": lambda st, sa, se, lang: figures.funnel_plot(funnel_means(st.table), lang=lang, note="n"),
    "funnel_one": lambda st, sa, se, lang: figures.funnel_plot(flight_funnel(next(iter(sa.runs.values())).log),
                                                               lang=lang, means=False),
    "custody": lambda st, sa, se, lang: figures.custody_plot(
        _one(sa, lambda r: custody_by_year(r.findings)), lang=lang, note=sa.note(lang)),
    "heatmap": lambda st, sa, se, lang: figures.findings_heatmap(
        _one(sa, lambda r: findings_by_clause_year(r.findings)), lang=lang, note=sa.note(lang)),
    "lead": lambda st, sa, se, lang: figures.lead_time_plot(_one(sa, lambda r: approval_lead_times(r.log)),
                                                            lang=lang),
    "tornado": lambda st, sa, se, lang: figures.tornado_plot(se["oat"], "mean_wait", lang=lang),
    "morris": lambda st, sa, se, lang: figures.morris_plot(se["morris"], "mean_wait", lang=lang),
    "sobol": lambda st, sa, se, lang: figures.sobol_plot(se["sobol"], "mean_wait", lang=lang),
    "timeline": lambda st, sa, se, lang: figures.timeline_plot(
        history.object_history(*_busiest(sa)), title=t("fig.lane.abroad", lang), lang=lang),
}


def _busiest(sa: report_charts.Sample) -> tuple[Any, ...]:
    rep = next(iter(sa.runs.values()))
    return rep.log, rep.findings, "cadre", history.busiest(rep.findings, "cadre")[0]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_figure_renders_in_both_languages_with_title_units_and_alt_text(
        chart: str, lang: str, study: Study, sample: report_charts.Sample, sensitivity: dict[str, Any]) -> None:
    before = plt.get_fignums()
    fig = _draw(lambda: CHARTS[chart](study, sample, sensitivity, lang))
    _check(fig, lang)
    assert plt.get_fignums() == before  # made without pyplot: nothing accumulates


def test_a_missing_glyph_is_an_error_under_the_tests_filter() -> None:
    """Without the CJK fallback font, a Chinese title warns "Glyph … missing from font(s)": the filter of
    :func:`_draw` turns that into a failure (and with :func:`figures.use_style` it does not warn)."""
    figures.use_style()
    with plt.rc_context({"font.family": ["DejaVu Sans"]}), pytest.raises(UserWarning, match="missing from font"):
        _draw(lambda: _titled("外逃漏斗"))
    _draw(lambda: _titled("外逃漏斗"))


def _titled(text: str) -> Figure:
    fig = Figure()
    fig.suptitle(text)
    return fig


def test_use_style_is_idempotent_and_selects_the_cjk_font() -> None:
    figures.use_style()
    figures.use_style()
    assert list(plt.rcParams["font.family"]) == ["DejaVu Sans", "WenQuanYi Micro Hei"]


def _differences() -> pd.DataFrame:
    rows = [("gap_sig", 3.0, 1.0, 5.0), ("gap_ns", 1.0, -1.0, 3.0), ("gap_nil", 0.0, 0.0, 0.0)]
    return pd.DataFrame([{"scenario": s, "kpi": "flight_succeeded", "diff": d, "ci_low": lo, "ci_high": hi,
                          "significant": lo > 0 or hi < 0, "n": 5, "confidence": 0.95} for s, d, lo, hi in rows])


@pytest.mark.parametrize("lang", LANGS)
def test_the_forest_plot_marks_significance_and_unresolved_differences(lang: str) -> None:
    fig = _draw(lambda: figures.forest_plot(_differences(), ["flight_succeeded"], lang=lang))
    ax = fig.axes[0]
    markers = {line.get_marker(): line for line in ax.get_lines() if line.get_marker() not in ("None", "|", "_")}
    assert set(markers) == {"o", "x"}
    faces = sorted(str(line.get_markerfacecolor()) for line in ax.get_lines() if line.get_marker() == "o")
    assert "white" in faces and len(set(faces)) == 2  # one filled (resolved), one hollow (includes 0)
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert legend == [t(f"fig.legend.{k}", lang) for k in ("worse", "better", "nonsig", "nil")]
    assert "gap_sig" in fig.alt_text and "+3" in fig.alt_text  # type: ignore[attr-defined]
    assert [x.get_text().split("\n")[0] for x in ax.get_yticklabels()] == ["gap_sig", "gap_ns", "gap_nil"]


def test_scenario_labels_carry_the_preset_description() -> None:
    zh, en = figures.scenario_text("no_exit_control", "zh"), figures.scenario_text("no_exit_control", "en")
    assert zh.startswith("no_exit_control\n") and CJK.search(zh)
    assert en == "no_exit_control\nThe discipline organ does not recommend exit control for suspects"
    assert figures.scenario_text("no_exit_control", "en", 20).endswith("…")
    assert figures.scenario_text("my_file", "en") == "my_file"


def test_the_tornado_ranks_the_influential_parameter_on_top(sensitivity: dict[str, Any]) -> None:
    fig = _draw(lambda: figures.tornado_plot(sensitivity["oat"], "mean_wait", lang="en"))
    ax = fig.axes[0]
    assert len(ax.patches) == 4 and ax.get_yticklabels()[0].get_text().startswith("queue.arrival_rate")
    assert "queue.arrival_rate" in fig.alt_text  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="oat"):
        figures.tornado_plot(sensitivity["morris"], "mean_wait", lang="en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_shows_every_chart_with_alt_text_and_what_it_is_drawn_from(study: Study, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        html = report_charts.charts_html(study, lang)
    alts = re.findall(r'<img [^>]*alt="([^"]+)"', html)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert len(alts) == len(captions) == 6
    keys = ("forest", "ranking", "funnel", "custody", "heatmap", "lead")
    assert [c.split(" — ")[0] for c in captions] == [t(f"fig.slot.{k}", lang) for k in keys]
    seed = str(study.seeds[0])
    assert all(seed in c for c in captions[3:]) and not any(seed in c for c in captions[:3])
    assert all(seed in a for a in alts[3:])
