"""The charts of a comparison report, drawn by :mod:`simlib.views.figures` from a
:class:`~simlib.views.study.Study`: differences first (a forest plot and the gap ranking, from every
replication's paired differences), then the flight funnel (the mean per replication) and the breakdowns that need
an event log — document custody over time, findings by clause and year, approval lead times — from one
replication (the first seed) of the base world and of the highest-ranked alternative, run through the pipeline.
Each chart's caption says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from simlib.i18n import t
from simlib.pipeline import Replication, run_once
from simlib.pipeline.breakdowns import approval_lead_times, custody_by_year, findings_by_clause_year, funnel_means
from simlib.views.figures import (
    custody_plot,
    findings_heatmap,
    forest_plot,
    funnel_plot,
    gap_ranking_plot,
    lead_time_plot,
)
from simlib.views.report import figure_html
from simlib.views.sections import E
from simlib.views.study import RANK_KPIS, Study

FUNNEL_ALTERNATIVES = 4  # the funnel shows the base world and this many of the highest-ranked alternatives


@dataclass(frozen=True)
class Sample:
    """One replication (the study's first seed) of each scenario shown in the log-based charts."""

    seed: int
    runs: dict[str, Replication]

    def table(self, breakdown: Callable[[Replication], pd.DataFrame]) -> pd.DataFrame:
        """A breakdown of every run, with a ``scenario`` column."""
        return pd.concat([breakdown(rep).assign(scenario=name) for name, rep in self.runs.items()],
                         ignore_index=True)

    def note(self, lang: str) -> str:
        """"one replication (seed …)", for a chart's subtitle and alt text."""
        return t("fig.one_rep", lang, seed=self.seed)


def ranked(study: Study) -> list[str]:
    """The alternatives, highest-ranked (largest worsening) first."""
    return list(study.ranking()["scenario"])


def sample(study: Study, alternatives: int = 1) -> Sample:
    """The base world and the ``alternatives`` highest-ranked alternatives, each run once on the first seed."""
    seed = study.seeds[0]
    shown = [study.base, *(next(a for a in study.alternatives if a.name == n) for n in ranked(study)[:alternatives])]
    return Sample(seed, {sc.name: run_once(sc, seed) for sc in shown})


def forest_figure(study: Study, lang: str) -> Figure:
    """Every alternative's paired difference on the ranking KPIs, in rank order."""
    return forest_plot(study.differences, list(RANK_KPIS), lang=lang, scenarios=ranked(study))


def ranking_figure(study: Study, lang: str) -> Figure:
    """The briefing chart: the gaps ranked by how much worse each makes the ranking KPIs."""
    return gap_ranking_plot(study.ranking(), list(RANK_KPIS), lang=lang, reps=study.reps,
                            confidence=study.confidence)


def funnel_figure(study: Study, lang: str) -> Figure:
    """The flight funnel of the base world and the highest-ranked alternatives, mean per replication."""
    names = [study.base.name, *ranked(study)[:FUNNEL_ALTERNATIVES]]
    table = study.table[study.table["scenario"].isin(names)]
    funnel = funnel_means(table).set_index("scenario").loc[names].reset_index()
    return funnel_plot(funnel, lang=lang, note=t("fig.mean_reps", lang, reps=study.reps))


def custody_figure(s: Sample, lang: str) -> Figure:
    """Document hand-ins on time, late or never by year, public and private, one replication per scenario."""
    return custody_plot(s.table(lambda r: custody_by_year(r.findings)), lang=lang, note=s.note(lang))


def heatmap_figure(s: Sample, lang: str) -> Figure:
    """Findings by clause and year, one replication per scenario."""
    return findings_heatmap(s.table(lambda r: findings_by_clause_year(r.findings)), lang=lang, note=s.note(lang))


def lead_time_figure(s: Sample, lang: str) -> Figure:
    """Days from application to decision by trip kind, one replication per scenario."""
    return lead_time_plot(s.table(lambda r: approval_lead_times(r.log)), lang=lang, note=s.note(lang))


STUDY_CHARTS: tuple[tuple[str, str, Callable[[Study, str], Figure]], ...] = (  # caption, what it is drawn from
    ("fig.slot.forest", "fig.basis.diffs", forest_figure), ("fig.slot.ranking", "fig.basis.diffs", ranking_figure),
    ("fig.slot.funnel", "fig.basis.means", funnel_figure))
SAMPLE_CHARTS: tuple[tuple[str, Callable[[Sample, str], Figure]], ...] = (
    ("fig.slot.custody", custody_figure), ("fig.slot.heatmap", heatmap_figure), ("fig.slot.lead", lead_time_figure))


def charts_html(study: Study, lang: str) -> str:
    """Every chart of the report as ``<figure>`` with alt text and a caption saying what it is drawn from:
    differences first, then levels and the breakdowns of one replication."""
    out = [f"<h2>{E(t('report.section.charts', lang))}</h2>"]
    for key, basis, draw in STUDY_CHARTS:
        out.append(figure_html(draw(study, lang), caption=f"{t(key, lang)} — {t(basis, lang, reps=study.reps)}"))
    s = sample(study)
    one = t("fig.basis.one_rep", lang, seed=s.seed, names=", ".join(s.runs))
    for key, draw_one in SAMPLE_CHARTS:
        out.append(figure_html(draw_one(s, lang), caption=f"{t(key, lang)} — {one}"))
    return "".join(out)
