"""The planners' figures (matplotlib): one function per chart, each taking library results and returning a
:class:`matplotlib.figure.Figure` with its title, axis labels with units and legend from the catalogue
(``fig.*`` in ``simlib/i18n/messages/figures.yaml``) in ``lang``, and its alt text in ``fig.alt_text``,
generated from the numbers.

    study = run_study("baseline", ["no_exit_control"], reps=8)
    fig = forest_plot(study.differences, ["flight_succeeded", "non_return"], lang="en")
    fig.alt_text            # "Forest plot (…): largest effect on flights succeeded: no_exit_control +9 [+5, +13]"

Differences come first: a difference is drawn filled when its paired interval excludes 0, hollow when the
interval includes 0 (too small to resolve with these replications) and as × when the KPI was 0 in every
replication. Figures are made with ``Figure()`` (not pyplot), so nothing accumulates in pyplot's state; one style
(:func:`use_style`) with the CJK fallback font makes Chinese glyphs render.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import PowerNorm
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simlib.errors import InputError
from simlib.i18n import t
from simlib.log.vocabulary import BLOCKING_CONTROLS, EVENTS
from simlib.pipeline.breakdowns import CUSTODY_KINDS, CUSTODY_STATUSES
from simlib.scenario import preset
from simlib.views.sections import ci, fmt, kpi_name, kpi_unit
from simlib.views.study import GOOD_WHEN_HIGH, SHARE_KPIS

if TYPE_CHECKING:  # annotations only: the explorer's charts need not import SALib and scipy.stats
    from simlib.experiment.sensitivity import SensitivityResult

FONT_FAMILY = ["DejaVu Sans", "WenQuanYi Micro Hei"]  # Latin from DejaVu, each missing glyph from WenQuanYi
CJK_FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
WORSE, BETTER, NEUTRAL, MUTED = "#c0392b", "#2471a3", "#34495e", "#7f8c8d"
# no red among them: red is a flight that succeeded
CONTROL_COLOURS = dict(zip(BLOCKING_CONTROLS, ("#1f77b4", "#17becf", "#9467bd", "#2ca02c", "#8c564b", "#e377c2",
                                               "#bcbd22", "#ff7f0e", "#7f7f7f"), strict=True))
STATUS_COLOURS = {"on_time": "#2e8b57", "late": "#e69f00", "never": "#c0392b", "wrong_recipient": "#8e44ad"}
STYLE: dict[str, Any] = {
    "font.family": FONT_FAMILY, "font.size": 9, "axes.titlesize": "medium", "axes.labelsize": "small",
    "xtick.labelsize": "small", "ytick.labelsize": "small", "legend.fontsize": "small", "legend.frameon": False,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.grid.axis": "x",
    "grid.alpha": 0.3, "figure.dpi": 110, "savefig.dpi": 110, "savefig.bbox": "tight", "svg.hashsalt": "simlib",
    "svg.fonttype": "path", "axes.unicode_minus": False,
}
# a preset text's clause reference: "（第三条（一）未落实）", "（落实率0.5）", " (3.1.b off)"
CLAUSE_REFERENCE = re.compile(r"（第[^（）]*(?:（[^（）]*）[^（）]*)*）|（落实率[^（）]*）| \([0-9][^()]*\)")
_styled = False


def use_style() -> None:
    """Set the one style of simlib's figures (fonts with the CJK fallback, sizes, grid), once per process."""
    global _styled
    if _styled:
        return
    known = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY[1] not in known:  # a font cache built before the CJK font was installed
        for path in CJK_FONT_FILES:
            try:
                font_manager.fontManager.addfont(path)
            except (FileNotFoundError, RuntimeError):
                continue
    mpl.rcParams.update(STYLE)
    _styled = True


def _figure(width: float, height: float) -> Figure:
    use_style()
    return Figure(figsize=(width, height), layout="constrained")


def _done(fig: Figure, alt: str) -> Figure:
    fig.alt_text = alt  # type: ignore[attr-defined]  # read by simlib.views.report.figure_alt
    return fig


def _title(fig: Figure, title: str, note: str = "") -> None:
    fig.suptitle(f"{title}\n{note}" if note else title, fontsize="medium")


# --------------------------------------------------------------------------------------------- labels


def scenario_text(name: str, lang: str, width: int | None = None, lines: int = 2) -> str:
    """A scenario's name with its preset's description (without the clause reference) below it, wrapped at
    ``width`` characters (a Chinese one counts double) on at most ``lines`` lines, cut with "…"; the name alone
    for a scenario that is not a preset."""
    try:
        text = preset(name).text(lang)
    except InputError:
        return name
    short = CLAUSE_REFERENCE.sub("", text).rstrip("。.：:，, ")
    if not short:
        return name
    if width is None:
        return f"{name}\n{short}"
    if lang == "zh":
        room = width // 2
        parts = [short[i:i + room] for i in range(0, len(short), room)]
        rest = "".join(parts[lines - 1:])
        last = rest if len(rest) <= room else rest[: room - 1] + "…"
    else:
        parts = textwrap.wrap(short, width)
        last = textwrap.shorten(" ".join(parts[lines - 1:]), width, placeholder=" …")
    return "\n".join(x for x in (name, *parts[: lines - 1], last) if x)


def _scale(kpi: str) -> float:
    return 100.0 if kpi in SHARE_KPIS else 1.0


def diff_unit(kpi: str, lang: str) -> str:
    """The unit of a difference of ``kpi``: percentage points for a share, else the KPI's unit."""
    return t("fig.unit.pp", lang) if kpi in SHARE_KPIS else kpi_unit(kpi, lang)


def _worse_sign(kpi: str) -> float:
    """+1 where a higher value is worse, -1 where it is better (shares on time)."""
    return -1.0 if kpi in GOOD_WHEN_HIGH else 1.0


def _state(diff: float, low: float, high: float) -> str:
    """``sig`` (the interval excludes 0), ``ns`` (it includes 0) or ``nil`` (0 in every replication)."""
    if all(v == 0 or (isinstance(v, float) and math.isnan(v)) for v in (diff, low, high)):
        return "nil"
    return "sig" if (low > 0 or high < 0) else "ns"


def _significance_legend(lang: str, states: set[str]) -> list[Line2D]:
    out = [Line2D([], [], marker="o", linestyle="", color=WORSE, label=t("fig.legend.worse", lang)),
           Line2D([], [], marker="o", linestyle="", color=BETTER, label=t("fig.legend.better", lang)),
           Line2D([], [], marker="o", linestyle="", color=NEUTRAL, markerfacecolor="white",
                  label=t("fig.legend.nonsig", lang))]
    if "nil" in states:
        out.append(Line2D([], [], marker="x", linestyle="", color=MUTED, label=t("fig.legend.nil", lang)))
    return out


def _note_reps(frame: pd.DataFrame, lang: str) -> str:
    n = int(frame["n"].max()) if "n" in frame and len(frame) else 0
    level = f"{float(frame['confidence'].iloc[0]):.0%}" if "confidence" in frame and len(frame) else "95%"
    return t("fig.all_reps", lang, reps=n, level=level)


# --------------------------------------------------------------------------------------------- differences


def forest_plot(differences: pd.DataFrame, kpis: Sequence[str], *, lang: str,
                scenarios: Sequence[str] | None = None, note: str = "") -> Figure:
    """Each alternative's paired difference from the baseline with its CI, one panel per KPI (a
    :func:`simlib.experiment.compare` table: ``scenario``, ``kpi``, ``diff``, ``ci_low``, ``ci_high``)."""
    names = list(scenarios or dict.fromkeys(differences["scenario"]))
    note = note or _note_reps(differences, lang)
    width = 40 if len(names) > 8 else 52
    fig = _figure(2.3 + 2.5 * len(kpis), 0.55 * len(names) + 1.9)
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    y = np.arange(len(names))[::-1]
    states: set[str] = set()
    items = []
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = differences[differences["kpi"] == kpi].set_index("scenario").reindex(names)
        s = _scale(kpi)
        for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
            state = _state(r["diff"], r["ci_low"], r["ci_high"])
            states.add(state)
            if state == "nil":
                ax.plot([0], [yi], marker="x", color=MUTED, linestyle="")
                continue
            colour = NEUTRAL if state == "ns" else (WORSE if r["diff"] * _worse_sign(kpi) > 0 else BETTER)
            ax.errorbar([r["diff"] * s], [yi], xerr=[[(r["diff"] - r["ci_low"]) * s], [(r["ci_high"] - r["diff"]) * s]],
                        fmt="o", color=colour, markerfacecolor=colour if state == "sig" else "white",
                        ecolor=colour, capsize=2.5, linewidth=1.1, markersize=5.5)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(kpi_name(kpi, lang))
        ax.set_xlabel(t("fig.axis.diff", lang, unit=diff_unit(kpi, lang)))
        sig = rows[[_state(r["diff"], r["ci_low"], r["ci_high"]) == "sig" for _, r in rows.iterrows()]]
        if len(sig):
            top = sig.loc[(sig["diff"].abs()).idxmax()]
            items.append(t("fig.forest.item", lang, kpi=kpi_name(kpi, lang), scenario=top.name,
                           diff=fmt(top["diff"], kpi, signed=True), ci=ci(top["ci_low"], top["ci_high"], kpi,
                                                                          signed=True)))
        else:
            items.append(t("fig.forest.item_none", lang, kpi=kpi_name(kpi, lang)))
    axes[0].set_yticks(y, [scenario_text(n, lang, width) for n in names])
    axes[0].set_ylim(-0.7, len(names) - 0.3)
    _title(fig, t("fig.forest.title", lang), note)
    handles = _significance_legend(lang, states)
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles) if len(kpis) > 2 else 2)
    return _done(fig, t("fig.forest.alt", lang, what=note, items="; ".join(items)))


def gap_ranking_plot(ranking: pd.DataFrame, kpis: Sequence[str], *, lang: str, note: str = "",
                     confidence: float = 0.95, reps: int | None = None) -> Figure:
    """The gaps in rank order (a :meth:`Study.ranking` table), each KPI's difference turned so that right is
    worse, with its paired CI: bars filled when the interval excludes 0, hollow when it does not."""
    n = len(ranking)
    note = note or (t("fig.all_reps", lang, reps=reps, level=f"{confidence:.0%}") if reps else "")
    fig = _figure(2.3 + 2.5 * len(kpis), 0.55 * n + 1.9)
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    y = np.arange(n)[::-1]
    states: set[str] = set()
    for ax, kpi in zip(axes, kpis, strict=True):
        s, sign = _scale(kpi), _worse_sign(kpi)
        for yi, r in zip(y, ranking.itertuples(index=False), strict=True):
            d, lo, hi = (getattr(r, f"{kpi}_{p}") for p in ("diff", "low", "high"))
            state = _state(d, lo, hi)
            states.add(state)
            if state == "nil":
                ax.plot([0], [yi], marker="x", color=MUTED, linestyle="")
                continue
            worse, a, b = sign * d * s, *sorted((sign * lo * s, sign * hi * s))
            colour = NEUTRAL if state == "ns" else (WORSE if worse > 0 else BETTER)
            ax.barh([yi], [worse], height=0.6, color=colour if state == "sig" else "white", edgecolor=colour,
                    linewidth=1.0)
            ax.errorbar([worse], [yi], xerr=[[worse - a], [b - worse]], fmt="none", ecolor="black", capsize=2,
                        linewidth=0.8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(kpi_name(kpi, lang))
        ax.set_xlabel(t("fig.axis.worse", lang, unit=diff_unit(kpi, lang)))
    labels = [f"{r['rank']}. {scenario_text(r['scenario'], lang, 40)}" for r in ranking.to_dict("records")]
    axes[0].set_yticks(y, labels)
    axes[0].set_ylim(-0.7, n - 0.3)
    _title(fig, t("fig.ranking.title", lang), note)
    handles = [Patch(facecolor=WORSE, edgecolor=WORSE, label=t("fig.legend.worse", lang)),
               Patch(facecolor=BETTER, edgecolor=BETTER, label=t("fig.legend.better", lang)),
               Patch(facecolor="white", edgecolor=NEUTRAL, label=t("fig.legend.nonsig", lang))]
    if "nil" in states:
        handles.append(Line2D([], [], marker="x", linestyle="", color=MUTED, label=t("fig.legend.nil", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles) if len(kpis) > 2 else 2)
    first = ranking.iloc[0] if n else None
    k0 = kpis[0]
    alt = t("fig.ranking.alt", lang, what=note, first=first["scenario"] if first is not None else "–",
            kpi=kpi_name(k0, lang), diff=fmt(first[f"{k0}_diff"], k0, signed=True) if first is not None else "–",
            ci=ci(first[f"{k0}_low"], first[f"{k0}_high"], k0, signed=True) if first is not None else "",
            sig=int((ranking[f"{k0}_sig"] & (ranking[f"{k0}_worse"] > 0)).sum()) if n else 0, n=n)
    return _done(fig, alt)


# --------------------------------------------------------------------------------------------- breakdowns


def _by_scenario(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if "scenario" not in table.columns:
        return [("", table)]
    return [(str(k), g) for k, g in table.groupby("scenario", sort=False)]


def funnel_plot(funnel: pd.DataFrame, *, lang: str, note: str = "", means: bool = True) -> Figure:
    """Flight funnel per scenario (a :func:`simlib.pipeline.breakdowns.funnel_means` table, or with ``means``
    false the counts of one replication, :func:`~simlib.pipeline.breakdowns.flight_funnel`): attempts, the
    blocked ones stacked by the control that stopped them, the flights that succeeded; and, beside it, the
    funds the successful flights moved."""
    groups = _by_scenario(funnel)
    fig = _figure(9.0, 0.95 * len(groups) + 1.9)
    ax, ax_funds = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 1]})
    stages = ("attempts", "blocked", "succeeded")
    ticks, labels, items, used = [], [], [], set()
    for gi, (name, g) in enumerate(groups):
        base = (len(groups) - 1 - gi) * (len(stages) + 1)
        counts = g.set_index(["stage", "control"])["count"]
        attempts = float(counts[("attempts", "")])
        succeeded = float(counts[("succeeded", "")])
        blocked = g[g["stage"] == "blocked"].set_index("control")["count"].astype(float)
        ys = {st: base + len(stages) - 1 - i for i, st in enumerate(stages)}
        ax.barh([ys["attempts"]], [attempts], color=NEUTRAL, height=0.75)
        left = 0.0
        for control, value in blocked.items():
            if value > 0:
                ax.barh([ys["blocked"]], [value], left=left, color=CONTROL_COLOURS[control], height=0.75)
                left += value
                used.add(control)
        ax.barh([ys["succeeded"]], [succeeded], color=WORSE, height=0.75)
        for st, value in (("attempts", attempts), ("blocked", left), ("succeeded", succeeded)):
            ax.text(value, ys[st], f" {value:,.3g}", va="center", fontsize="x-small")
        funds = float(g.loc[g["stage"] == "succeeded", "funds"].fillna(0).iloc[0])
        ax_funds.barh([ys["succeeded"]], [funds], color=WORSE, height=0.75)
        ax_funds.text(funds, ys["succeeded"], f" {funds:,.3g}", va="center", fontsize="x-small")
        for st in stages:
            ticks.append(ys[st])
            stage = t(f"fig.stage.{st}", lang)
            labels.append(f"{name} · {stage}" if name and st == "attempts" else stage)
        numbers = {"scenario": name or "–", "attempts": f"{attempts:,.3g}", "blocked": f"{left:,.3g}",
                   "succeeded": f"{succeeded:,.3g}", "funds": f"{funds:,.3g}"}
        if left > 0:
            top = str(blocked.idxmax())
            items.append(t("fig.funnel.item", lang, control=t(f"fig.control.{top}", lang),
                           top=f"{blocked[top]:,.3g}", **numbers))
        else:
            items.append(t("fig.funnel.item_unblocked", lang, **numbers))
    ax.set_yticks(ticks, labels)
    ax.set_xlabel(t("fig.axis.per_rep" if means else "fig.axis.count", lang))
    ax_funds.set_xlabel(t("fig.axis.funds", lang))
    for a in (ax, ax_funds):
        a.margins(x=0.15)
        a.set_xlim(left=0)
    _title(fig, t("fig.funnel.title", lang), note)
    handles = [Patch(color=NEUTRAL, label=t("fig.stage.attempts", lang)),
               *(Patch(color=CONTROL_COLOURS[c], label=f"{t('fig.stage.blocked', lang)}: {t(f'fig.control.{c}', lang)}")
                 for c in BLOCKING_CONTROLS if c in used),
               Patch(color=WORSE, label=t("fig.stage.succeeded", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    return _done(fig, t("fig.funnel.alt", lang, what=note, items="; ".join(items)))


def custody_plot(custody: pd.DataFrame, *, lang: str, note: str = "") -> Figure:
    """Document hand-ins after return by year, on time / late / never (/ to the wrong body), as shares of the
    documents due with their number on top; one row per kind (public, private), one column per scenario (a
    :func:`simlib.pipeline.breakdowns.custody_by_year` table, with ``scenario`` for several)."""
    groups = _by_scenario(custody)
    kinds = list(CUSTODY_KINDS)
    fig = _figure(1.2 + 3.6 * len(groups), 5.6)
    axes = fig.subplots(len(kinds), len(groups), sharex=True, sharey=True, squeeze=False)
    statuses = [s for s in CUSTODY_STATUSES if s != "wrong_recipient" or custody.loc[custody["status"] == s,
                                                                                      "count"].sum() > 0]
    items = []
    for col, (name, g) in enumerate(groups):
        for row, kind in enumerate(kinds):
            ax = axes[row][col]
            wide = (g[g["kind"] == kind].pivot_table(index="year", columns="status", values="count", aggfunc="sum")
                    .reindex(columns=list(CUSTODY_STATUSES), fill_value=0).fillna(0))
            total = wide.sum(axis=1)
            share = wide.div(total.where(total > 0), axis=0).fillna(0) * 100
            bottom = np.zeros(len(share))
            for status in statuses:
                ax.bar(share.index, share[status], bottom=bottom, color=STATUS_COLOURS[status], width=0.7)
                bottom += share[status].to_numpy()
            for year, n in total.items():
                ax.text(year, 101, f"{n:,.0f}", ha="center", va="bottom", fontsize="x-small")
            ax.set_ylim(0, 112)
            ax.set_xticks(list(share.index), [str(y) for y in share.index])
            ax.grid(axis="y")
            if row == 0 and name:
                ax.set_title(name)
            if col == 0:
                ax.set_ylabel(f"{t(f'fig.custody.{kind}', lang)}\n{t('fig.axis.share', lang)}")
            if row == len(kinds) - 1:
                ax.set_xlabel(t("fig.axis.year", lang))
            n_all = float(total.sum())
            if n_all:
                on = 1 - wide.drop(columns="on_time").sum(axis=1) / total.where(total > 0)
                worst = on.idxmin()
                items.append(t("fig.custody.item", lang, scenario=name, kind=t(f"fig.custody.{kind}", lang),
                               share=fmt(float(wide["on_time"].sum()) / n_all, "custody_on_time_public"),
                               n=f"{n_all:,.0f}", year=worst, worst=fmt(on[worst], "custody_on_time_public")))
    _title(fig, t("fig.custody.title", lang), note)
    handles = [Patch(color=STATUS_COLOURS[s], label=t(f"fig.custody.{s}", lang)) for s in statuses]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    return _done(fig, t("fig.custody.alt", lang, what=note, items="; ".join(items) or t("fig.none", lang)))


def _clause_key(clause: str) -> tuple[Any, ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in clause.split("."))


def findings_heatmap(table: pd.DataFrame, *, lang: str, note: str = "") -> Figure:
    """Findings by clause (rows) and year (columns), one panel per scenario on one colour scale (a
    :func:`simlib.pipeline.breakdowns.findings_by_clause_year` table, with ``scenario`` for several)."""
    groups = _by_scenario(table)
    clauses = sorted(table["clause"].astype(str).unique(), key=_clause_key)
    years = sorted(int(y) for y in table["year"].unique()) if len(table) else []
    norm = PowerNorm(0.5, vmin=0, vmax=max(float(table["count"].max()) if len(table) else 1.0, 1.0))
    fig = _figure(1.6 + max(0.55 * len(years), 2.2) * len(groups), 0.24 * max(len(clauses), 4) + 1.9)
    axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    items = []
    image = None
    for ax, (name, g) in zip(axes, groups, strict=True):
        grid = (g.pivot_table(index="clause", columns="year", values="count", aggfunc="sum")
                .reindex(index=clauses, columns=years).fillna(0))
        image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Reds", norm=norm,
                          interpolation="nearest")  # square-root scale: a few findings stay visible beside many
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            if v > 0:
                ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize="xx-small",
                        color="white" if norm(v) > 0.6 else "black")
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_yticks(range(len(clauses)), clauses)
        ax.grid(False)
        ax.set_xlabel(t("fig.axis.year", lang))
        if name:
            ax.set_title(name)
        if len(g):
            top = g.loc[g["count"].idxmax()]
            items.append(t("fig.heatmap.item", lang, scenario=name, n=f"{g['count'].sum():,.0f}",
                           clause=top["clause"], year=int(top["year"]), count=f"{top['count']:,.0f}"))
    axes[0].set_ylabel(t("fig.axis.clause", lang))
    if image is not None:
        fig.colorbar(image, ax=list(axes), label=t("fig.axis.findings_count", lang), shrink=0.8)
    _title(fig, t("fig.heatmap.title", lang), note)
    return _done(fig, t("fig.heatmap.alt", lang, what=note, items="; ".join(items) or t("fig.none", lang)))


def lead_time_plot(lead: pd.DataFrame, *, lang: str, note: str = "") -> Figure:
    """The distribution of days from application to decision per trip kind (box: quartiles, whiskers: 1.5 IQR,
    line: median), one box per scenario (a :func:`simlib.pipeline.breakdowns.approval_lead_times` table)."""
    groups = _by_scenario(lead)
    kinds = [k for k in ("public_temporary", "public_posted", "private") if (lead["kind"] == k).any()]
    fig = _figure(8.0, 0.55 * len(kinds) * len(groups) + 1.9)
    ax = fig.add_subplot()
    colours = mpl.colormaps["tab10"].colors
    h = 0.8 / max(len(groups), 1)
    items = []
    for gi, (name, g) in enumerate(groups):
        data = [g.loc[g["kind"] == k, "days"].to_numpy(dtype=float) for k in kinds]
        pos = [len(kinds) - 1 - i + 0.4 - h * (gi + 0.5) for i in range(len(kinds))]
        keep = [i for i, d in enumerate(data) if len(d)]
        if keep:
            box = ax.boxplot([data[i] for i in keep], positions=[pos[i] for i in keep], widths=h * 0.8,
                             orientation="horizontal", patch_artist=True, showfliers=True,
                             flierprops={"markersize": 2, "alpha": 0.4}, medianprops={"color": "black"})
            for patch in box["boxes"]:
                patch.set(facecolor=colours[gi % 10], alpha=0.75)
        for k, d in zip(kinds, data, strict=True):
            if len(d):
                items.append(t("fig.lead.item", lang, scenario=name, kind=t(f"fig.kind.{k}", lang),
                               median=f"{np.median(d):.3g}", n=len(d)))
    ax.set_yticks(range(len(kinds))[::-1], [t(f"fig.kind.{k}", lang) for k in kinds])
    ax.set_ylim(-0.6, len(kinds) - 0.4)
    ax.set_xlabel(t("fig.axis.lead", lang))
    ax.set_ylabel(t("fig.axis.trip_kind", lang))
    ax.set_xlim(left=0)
    _title(fig, t("fig.lead.title", lang), note)
    handles = [Line2D([], [], color="black", label=t("fig.legend.median", lang))]
    if len(groups) > 1:
        handles = [Patch(color=colours[i % 10], alpha=0.75, label=n) for i, (n, _) in enumerate(groups)] + handles
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4))
    return _done(fig, t("fig.lead.alt", lang, what=note, items="; ".join(items) or t("fig.none", lang)))


# --------------------------------------------------------------------------------------------- sensitivity


def _kpi_rows(result: SensitivityResult, kpi: str, method: str) -> pd.DataFrame:
    if result.method != method:
        raise ValueError(f"this chart needs a {method} result, not {result.method!r}")
    rows = result.table[result.table["kpi"] == kpi].sort_values("rank")
    if rows.empty:
        raise ValueError(f"no KPI {kpi!r} in this result")
    return rows


def tornado_plot(result: SensitivityResult, kpi: str, *, lang: str, top: int | None = None) -> Figure:
    """Each parameter's effect on ``kpi`` at the low and the high end of its range (difference from the
    baseline mean, paired CI), most influential on top (a one-at-a-time :func:`simlib.experiment.tornado`)."""
    rows = _kpi_rows(result, kpi, "oat")
    rows = rows.head(top) if top else rows
    s = _scale(kpi)
    fig = _figure(8.0, 0.55 * len(rows) + 1.9)
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    for end, colour, shift in (("low", BETTER, 0.2), ("high", "#e67e22", -0.2)):
        diff = rows[f"diff_{end}"].to_numpy(dtype=float)
        lo, hi = rows[f"{end}_ci_low"].to_numpy(dtype=float), rows[f"{end}_ci_high"].to_numpy(dtype=float)
        resolved = (lo > 0) | (hi < 0)
        ax.barh(y + shift, diff * s, height=0.38, color=[colour if r else "white" for r in resolved],
                edgecolor=colour, linewidth=1.0, label=t(f"fig.legend.{end}", lang))
        ax.errorbar(diff * s, y + shift, xerr=[(diff - lo) * s, (hi - diff) * s], fmt="none", ecolor="black",
                    capsize=2.5, linewidth=0.8)
    ax.set_yticks(y, [f"{p}\n[{lo:g} – {hi:g}]" for p, lo, hi in zip(rows["parameter"], rows["low"], rows["high"],
                                                                     strict=True)])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(t("fig.axis.diff", lang, unit=diff_unit(kpi, lang)))
    ax.set_ylabel(t("fig.axis.parameter", lang))
    level = f"{result.confidence:.0%}"
    _title(fig, t("fig.tornado.title", lang, kpi=kpi_name(kpi, lang), base=fmt(rows["baseline_mean"].iloc[0], kpi),
                  level=level))
    handles = [Patch(facecolor=BETTER, label=t("fig.legend.low", lang)),
               Patch(facecolor="#e67e22", label=t("fig.legend.high", lang)),
               Patch(facecolor="white", edgecolor=NEUTRAL, label=t("fig.legend.nonsig", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    r = rows.iloc[0]
    return _done(fig, t("fig.tornado.alt", lang, kpi=kpi_name(kpi, lang), param=r["parameter"],
                        dlow=fmt(r["diff_low"], kpi, signed=True),
                        cilow=ci(r["low_ci_low"], r["low_ci_high"], kpi, signed=True),
                        dhigh=fmt(r["diff_high"], kpi, signed=True),
                        cihigh=ci(r["high_ci_low"], r["high_ci_high"], kpi, signed=True)))


def _magnitude(x: float, kpi: str) -> str:
    return fmt(x, kpi, signed=True).lstrip("+") if kpi in SHARE_KPIS else fmt(x, kpi)


def morris_plot(result: SensitivityResult, kpi: str, *, lang: str) -> Figure:
    """Morris μ* per parameter with its CI, and σ (interactions or non-linearity) as a dot, most influential on
    top (a :func:`simlib.experiment.morris` result)."""
    rows = _kpi_rows(result, kpi, "morris")
    s = _scale(kpi)
    fig = _figure(7.5, 0.5 * len(rows) + 1.9)
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    resolved = (rows["mu_star"] > rows["mu_star_conf"]).to_numpy()
    ax.barh(y, rows["mu_star"] * s, height=0.6, color=[BETTER if r else "white" for r in resolved],
            edgecolor=BETTER, linewidth=1.0)
    ax.errorbar(rows["mu_star"] * s, y, xerr=rows["mu_star_conf"] * s, fmt="none", ecolor="black", capsize=2.5,
                linewidth=0.8)
    ax.plot(rows["sigma"] * s, y, "D", color="#e67e22", markersize=4, linestyle="")
    ax.set_yticks(y, list(rows["parameter"]))
    unit = diff_unit(kpi, lang)
    ax.set_xlabel(t("fig.axis.mu_star", lang, unit=unit))
    ax.set_ylabel(t("fig.axis.parameter_plain", lang))
    ax.set_xlim(left=0)
    _title(fig, t("fig.morris.title", lang, kpi=kpi_name(kpi, lang), level=f"{result.confidence:.0%}"))
    handles = [Patch(facecolor=BETTER, label="μ*"),
               Patch(facecolor="white", edgecolor=BETTER, label=t("fig.legend.nonsig", lang)),
               Line2D([], [], marker="D", linestyle="", color="#e67e22", label=t("fig.legend.sigma", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    r = rows.iloc[0]
    return _done(fig, t("fig.morris.alt", lang, kpi=kpi_name(kpi, lang), param=r["parameter"],
                        mu=_magnitude(r["mu_star"], kpi), conf=_magnitude(r["mu_star_conf"], kpi)))


def sobol_plot(result: SensitivityResult, kpi: str, *, lang: str) -> Figure:
    """Sobol first-order (S1) and total (ST) indices per parameter with their CIs, largest total on top (a
    :func:`simlib.experiment.sobol` result)."""
    rows = _kpi_rows(result, kpi, "sobol")
    fig = _figure(7.5, 0.55 * len(rows) + 1.9)
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    for col, colour, shift in (("S1", BETTER, 0.2), ("ST", "#e67e22", -0.2)):
        ax.barh(y + shift, rows[col], height=0.38, color=colour, label=t(f"fig.legend.{col.lower()}", lang))
        ax.errorbar(rows[col], y + shift, xerr=rows[f"{col}_conf"], fmt="none", ecolor="black", capsize=2.5,
                    linewidth=0.8)
    ax.set_yticks(y, list(rows["parameter"]))
    ax.set_xlabel(t("fig.axis.sobol", lang))
    ax.set_ylabel(t("fig.axis.parameter_plain", lang))
    ax.axvline(0, color="black", linewidth=0.8)
    _title(fig, t("fig.sobol.title", lang, kpi=kpi_name(kpi, lang), level=f"{result.confidence:.0%}"))
    fig.legend(loc="outside lower center", ncols=2)
    r = rows.iloc[0]
    return _done(fig, t("fig.sobol.alt", lang, kpi=kpi_name(kpi, lang), param=r["parameter"], st=f"{r['ST']:.2f}",
                        s1=f"{r['S1']:.2f}"))


# --------------------------------------------------------------------------------------------- timeline

SPANS = {  # lane -> the events that open it, the events that close it
    "approval": (("TripRequested",), ("TripApproved", "TripDenied")),
    "abroad": (("Exit",), ("Entry",)),
    "document": (("DocIssued", "DocCheckedOut"), ("DocCheckedIn", "DocSurrendered", "DocCancelled", "DocRevoked")),
}


def _spans(history: pd.DataFrame) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(lane, start, end) for each opening event and the first closing one after it (in the object's history)."""
    out = []
    for lane, (opens, closes) in SPANS.items():
        starts = history[history["type"].isin(opens)]["time"]
        ends = history[history["type"].isin(closes)]["time"].sort_values().to_numpy()
        for start in starts:
            after = ends[ends >= np.datetime64(start)]
            if len(after):
                out.append((lane, start, pd.Timestamp(after[0])))
    return out


def _event_label(name: str, lang: str) -> str:
    if name == "finding":
        return t("fig.lane.finding", lang)
    e = EVENTS.get(name)
    return name if e is None else (e.zh if lang == "zh" else e.en)


def timeline_plot(history: pd.DataFrame, *, title: str, lang: str, annotate: int = 12) -> Figure:
    """One object's history (a :func:`simlib.views.history.object_history` table) as a Gantt-style chart:
    approval, time abroad and document checkouts as bars, every event as a dot on its type's lane, and each
    event that caused a finding as a red diamond labelled with the clause (the first ``annotate`` of them)."""
    spans = _spans(history)
    lanes = [lane for lane in SPANS if any(s[0] == lane for s in spans)]
    types = list(dict.fromkeys(history["type"]))
    rows = [("span", lane) for lane in lanes] + [("type", ty) for ty in types]
    fig = _figure(10.0, 0.3 * len(rows) + 2.0)
    ax = fig.add_subplot()
    ypos = {row: len(rows) - 1 - i for i, row in enumerate(rows)}
    colours = {"approval": "#95a5a6", "abroad": BETTER, "document": "#e67e22"}
    for lane, start, end in spans:
        width = max((end - start) / pd.Timedelta(days=1), 0.5)
        ax.barh([ypos[("span", lane)]], [width], left=[mpl.dates.date2num(start)], height=0.6, color=colours[lane],
                alpha=0.8)
    bad = history["findings"].map(bool).to_numpy()
    y = np.array([ypos[("type", ty)] for ty in history["type"]])
    times = mpl.dates.date2num(pd.to_datetime(history["time"]))
    ax.plot(times[~bad], y[~bad], "o", color=NEUTRAL, markersize=3.5, linestyle="")
    ax.plot(times[bad], y[bad], "D", color=WORSE, markersize=6.5, linestyle="")
    for (time, yi, found) in list(zip(times[bad], y[bad], history["findings"][bad], strict=True))[:annotate]:
        ax.annotate(", ".join(f.split(" ")[0] for f in found), (time, yi), xytext=(4, 4),
                    textcoords="offset points", fontsize="x-small", color=WORSE)
    ax.set_yticks([ypos[r] for r in rows], [t(f"fig.lane.{name}", lang) if kind == "span" else _event_label(name, lang)
                                            for kind, name in rows])
    ax.xaxis.set_major_locator(AutoDateLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))
    ax.set_xlabel(t("fig.axis.date", lang))
    ax.set_ylabel(t("fig.axis.lane", lang))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.margins(x=0.03)
    _title(fig, title)
    handles = [Patch(color=colours[lane], label=t(f"fig.lane.{lane}", lang)) for lane in lanes]
    handles += [Line2D([], [], marker="o", linestyle="", color=NEUTRAL, label=t("fig.legend.event", lang)),
                Line2D([], [], marker="D", linestyle="", color=WORSE, label=t("fig.legend.finding", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))
    clauses = sorted({f.split(" ")[0] for fs in history["findings"] for f in fs}, key=_clause_key)
    return _done(fig, t("fig.timeline.alt", lang, title=title, n=len(history), spans=len(spans), bad=int(bad.sum()),
                        clauses=", ".join(clauses) or t("fig.none", lang)))
