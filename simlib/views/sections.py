"""The sections of a comparison report as HTML, in Chinese or English, generated from a :class:`Study`.

Every sentence is a catalogue template (``report.*`` in ``simlib/i18n/messages/reports.yaml``) filled with the
study's numbers; clause texts come from the rulebook, parameter texts from the scenario catalogue (``scn.*``).
A difference is called significant only when its paired confidence interval excludes zero.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from simlib.errors import InputError
from simlib.i18n import has, t
from simlib.pipeline.kpi import JUDGED_KPIS
from simlib.rulebook import rulebook
from simlib.scenario import iter_params, preset, presets
from simlib.scenario.schema import Scenario
from simlib.views.study import GOOD_WHEN_HIGH, GOOD_WHEN_LOW, RANK_KPIS, SHARE_KPIS, ParamChange, Study, simlib_version

KPI_GROUPS = (("findings", "non_return", "flight_attempts", "flight_blocked", "flight_succeeded"),
              ("flight_funds", "custody_on_time_public", "custody_on_time_private", "sanctions"))
E = html.escape


# --------------------------------------------------------------------------------------------- formatting


def fmt(x: Any, kpi: str = "", *, signed: bool = False) -> str:
    """A number as shown in reports: shares as percentages (one decimal), others to 3 significant digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    if abs(x) < 5e-13 or (kpi in SHARE_KPIS and abs(x) < 5e-4):
        x = 0.0  # no "-0.0"
    if kpi in SHARE_KPIS:
        text = f"{x * 100:+.1f}" if signed else f"{x * 100:.1f}"
        return text + (" pp" if signed else " %")
    if x != 0 and abs(x) < 0.01:
        text = f"{x:+.2g}" if signed else f"{x:.2g}"
    else:
        text = f"{x:+,.3g}" if signed else f"{x:,.3g}"
        if abs(x) >= 1000:
            text = f"{x:+,.0f}" if signed else f"{x:,.0f}"
    return text


def ci(low: Any, high: Any, kpi: str = "", *, signed: bool = False) -> str:
    """``[low, high]``."""
    return f"[{fmt(low, kpi, signed=signed)}, {fmt(high, kpi, signed=signed)}]"


def kpi_name(kpi: str, lang: str) -> str:
    """The KPI's label from the catalogue (``model.kpi.<name>``), else its name."""
    key = f"model.kpi.{kpi}"
    if has(key):
        return t(key, lang)
    if kpi.startswith("violations_"):
        return t("report.kpi.violations", lang, clause=kpi.removeprefix("violations_"))
    return kpi


def method_text(method: str, lang: str) -> str:
    """A CI method the experiment layer names, in ``lang`` (the catalogue's ``experiment.method.*``)."""
    from simlib.experiment.stats import method_id

    try:
        return t(f"experiment.method.{method_id(method)}", lang)
    except KeyError:
        return method


def kpi_unit(kpi: str, lang: str) -> str:
    """The unit a KPI is measured in."""
    if kpi in SHARE_KPIS:
        kind = "share"
    elif kpi == "flight_funds":
        kind = "funds"
    elif "days" in kpi:
        kind = "days"
    else:
        kind = "count"
    return t(f"report.unit.{kind}", lang)


def param_text(path: str, lang: str) -> str:
    """The parameter's description from the scenario catalogue (a control's ``on``/``level`` share its text)."""
    key = f"scn.{path}"
    parent = key.rsplit(".", 1)[0]
    if has(key):
        return t(key, lang)
    return t(parent, lang) if has(parent) else ""


def scenario_label(name: str, lang: str) -> str:
    """A scenario's name with its preset's description when it has one."""
    try:
        text = preset(name).text(lang)
    except InputError:  # a scenario file that is not a preset
        text = ""
    return f"{name} — {text}" if text else name


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), cls: str = "") -> str:
    """An HTML table from already-escaped cells; columns in ``numeric`` right-aligned."""
    num = ' class="num"'
    head = "".join(f"<th{num if i in numeric else ''}>{h}</th>" for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f"<td{num if i in numeric else ''}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
                   for r in rows)
    return f'<table class="simlib-table {cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _h(level: int, key: str, lang: str, **values: Any) -> str:
    return f"<h{level}>{E(t(key, lang, **values))}</h{level}>"


def _p(key: str, lang: str, **values: Any) -> str:
    return f"<p>{E(t(key, lang, **values))}</p>"


# --------------------------------------------------------------------------------------------- sections


def world_facts(study: Study, lang: str) -> dict[str, Any]:
    """Size and horizon of the base world, for sentences."""
    sc = study.base
    return {"cadres": f"{sc.organisation.cadres:,}", "years": f"{sc.calendar.years:g}", "reps": study.reps,
            "start": sc.calendar.start.isoformat(), "n": len(study.alternatives),
            "level": f"{study.confidence:.0%}", "base": study.base.name}


def title_html(study: Study, lang: str) -> str:
    """The report's title and a one-line description of what was compared."""
    f = world_facts(study, lang)
    key = "report.title.all_gaps" if all(o == "gap" for o in study.origins.values()) and f["n"] > 1 \
        else "report.title.compare"
    return f"<h1>{E(t(key, lang, **f))}</h1>" + _p("report.subtitle", lang, **f, version=simlib_version())


def _sig_rows(study: Study, kpis: Sequence[str]) -> pd.DataFrame:
    d = study.differences
    return d[d["kpi"].isin(kpis)]


def _change_phrase(row: pd.Series, lang: str) -> str:
    kpi = row["kpi"]
    if kpi in GOOD_WHEN_HIGH or kpi in GOOD_WHEN_LOW:
        worse = (row["diff"] < 0) if kpi in GOOD_WHEN_HIGH else (row["diff"] > 0)
        direction = "report.summary.worse" if worse else "report.summary.better"
    else:  # more sanctions or more blocked flights: neither better nor worse by itself
        direction = "report.summary.higher" if row["diff"] > 0 else "report.summary.lower"
    return t("report.summary.change", lang, kpi=kpi_name(kpi, lang), diff=fmt(row["diff"], kpi, signed=True),
             ci=ci(row["ci_low"], row["ci_high"], kpi, signed=True), base=fmt(row["baseline_mean"], kpi),
             direction=t(direction, lang))


def summary_html(study: Study, lang: str) -> str:
    """The executive summary: what changes (significant paired differences, largest first), how sure (the
    interval and the number of replications), and what is not resolvable at this size."""
    f = world_facts(study, lang)
    out = [_h(2, "report.section.summary", lang), _p("report.summary.scope", lang, **f)]
    d = _sig_rows(study, study.headline)
    sig = d[d["significant"]]
    items = []
    for name in [a.name for a in study.alternatives]:
        mine = sig[sig["scenario"] == name].copy()
        if mine.empty:
            continue
        mine["size"] = mine["rel_change"].abs().fillna(mine["diff"].abs())
        mine = mine.sort_values("size", ascending=False)
        phrases = "; ".join(_change_phrase(r, lang) for _, r in mine.head(3).iterrows())
        more = t("report.summary.more", lang, n=len(mine) - 3) if len(mine) > 3 else ""
        items.append(f"<li><b>{E(name)}</b>: {E(phrases)}{E(more)}</li>")
    if items:
        out.append(_p("report.summary.what_changes", lang, n=len(items), total=f["n"], level=f["level"]))
        out.append("<ul>" + "".join(items) + "</ul>")
    else:
        out.append(_p("report.summary.nothing_changes", lang, **f))
    quiet = [a.name for a in study.alternatives if a.name not in set(sig["scenario"])]
    if quiet and items:
        out.append(_p("report.summary.quiet", lang, names=", ".join(quiet)))
    if len(study.alternatives) > 1:
        rank = study.ranking()
        top = rank[rank[f"{RANK_KPIS[0]}_sig"]]
        if not top.empty:
            names = ", ".join(top["scenario"].head(3))
            out.append(_p("report.summary.ranking", lang, kpi=kpi_name(RANK_KPIS[0], lang), names=names))
    out.append(_p("report.summary.how_sure", lang, method=method_text(study.ci_method, lang), **f))
    out.append(_p("report.summary.adjusted", lang, sig=int(d["significant"].sum()),
                  tests=int(d["p_value"].notna().sum()), kept=int(d["significant_adjusted"].sum()),
                  method=t(f"report.adjust.{study.adjustment}", lang)))
    unresolved = []
    for kpi in study.headline:
        rows = d[(d["kpi"] == kpi) & ~d["significant"]]
        if rows.empty:
            continue
        hw = rows["half_width"].replace([float("inf")], float("nan")).median()
        if pd.isna(hw) or hw == 0:
            continue
        mde = rows["mde"].replace([float("inf")], float("nan")).median()
        unresolved.append(t("report.summary.unresolved_item", lang, kpi=kpi_name(kpi, lang), n=len(rows),
                            hw=fmt(hw, kpi), mde=fmt(mde, kpi)))
    if unresolved:
        out.append(_p("report.summary.unresolved", lang, reps=study.reps, reps4=4 * study.reps))
        out.append("<ul>" + "".join(f"<li>{E(u)}</li>" for u in unresolved) + "</ul>")
    out.append(_p("report.summary.assumptions", lang))
    return "".join(out)


def _changes_table(changes: Sequence[ParamChange], lang: str) -> str:
    yes, no = t("report.yes", lang), t("report.no", lang)
    rows = [(f"<code>{E(c.path)}</code>", E(param_text(c.path, lang)), E(str(c.before)), E(str(c.after)),
             E(c.unit), E(c.clause or "–"), yes if c.assumption else no) for c in changes]
    header = [E(t(f"report.col.{k}", lang)) for k in
              ("path", "what", "baseline", "value", "unit", "clause", "assumption")]
    return _table(header, rows)


def scenario_html(study: Study, lang: str) -> str:
    """The base world (and what it changes from its file), then each alternative's changed parameters with
    unit, clause and assumption flag, from the schema's metadata."""
    f = world_facts(study, lang)
    out = [_h(2, "report.section.scenario", lang), _p("report.scenario.base", lang, name=study.base.name,
                                                     text=_desc(study.base, lang), **f)]
    world = study.world_changes()
    if world:
        out.append(_p("report.scenario.resized", lang, file=study.scenario))
        out.append(_changes_table(world, lang))
    for alt in study.alternatives:
        out.append(f"<h3>{E(alt.name)}</h3>")
        text = _desc(alt, lang)
        if text:
            out.append(f"<p>{E(text)}</p>")
        changes = study.changes(alt.name)
        out.append(_changes_table(changes, lang) if changes else _p("report.scenario.same", lang))
    return "".join(out)


def _desc(sc: Scenario, lang: str) -> str:
    text = sc.description.zh if lang == "zh" else sc.description.en
    return text or sc.description.en or sc.description.zh


def method_html(study: Study, lang: str) -> str:
    """Replications, seeds, common random numbers, interval methods, version and the command that reproduces
    the report."""
    seeds = study.seeds
    shown = ", ".join(str(s) for s in seeds[:3]) + (" …" if len(seeds) > 3 else "")
    run = study.table.attrs.get("run", {})
    items = [
        t("report.method.reps", lang, reps=study.reps, scenarios=len(study.names), total=len(study.table)),
        t("report.method.seeds", lang, root=study.root_seed, seeds=shown),
        t("report.method.crn", lang),
        t("report.method.ci", lang, level=f"{study.confidence:.0%}", paired=method_text(study.ci_method, lang),
          mean=method_text(study.mean_method, lang)),
        t("report.method.significant", lang),
        t("report.method.adjusted", lang, method=t(f"report.adjust.{study.adjustment}", lang)),
        t("report.method.version", lang, version=simlib_version()),
        t("report.method.executor", lang, executor=run.get("executor", study.executor),
          workers=run.get("workers", "?")),
    ]
    out = [_h(2, "report.section.method", lang), "<ul>" + "".join(f"<li>{E(i)}</li>" for i in items) + "</ul>"]
    if study.command:
        out.append(_p("report.method.command", lang))
        out.append(f"<pre>{E(study.command)}</pre>")
    return "".join(out)


def differences_table(study: Study, kpis: Sequence[str], lang: str) -> str:
    """Alternatives × KPIs: the paired difference from the baseline with its CI; significant ones in bold."""
    d = study.differences.set_index(["scenario", "kpi"])
    header = [E(t("report.col.scenario", lang))] + [
        f"{E(kpi_name(k, lang))}<br><span class=\"muted\">{E(kpi_unit(k, lang))}</span>" for k in kpis]
    rows = []
    for alt in study.alternatives:
        cells = [E(alt.name)]
        for k in kpis:
            r = d.loc[(alt.name, k)]
            value = E(fmt(r["diff"], k, signed=True))
            mark = "*†" if r["significant_adjusted"] else "*"
            value = f'<span class="sig">{value}{mark}</span>' if r["significant"] else value
            cells.append(f'{value}<br><span class="muted">{E(ci(r["ci_low"], r["ci_high"], k, signed=True))}</span>')
        rows.append(cells)
    return _table(header, rows, numeric=range(1, len(kpis) + 1), cls="simlib-differences")


def levels_table(study: Study, kpis: Sequence[str], lang: str) -> str:
    """Scenarios × KPIs: mean per replication with its CI; an on-time share with the number of hand-ins it judged
    (its denominator), so that a change in who is judged shows."""
    s = study.summary.set_index(["scenario", "kpi"])
    header = [E(t("report.col.scenario", lang))] + [E(kpi_name(k, lang)) for k in kpis]
    rows = []
    for name in study.names:
        cells = [E(name)]
        for k in kpis:
            r = s.loc[(name, k)]
            judged = ""
            if k in JUDGED_KPIS and (name, JUDGED_KPIS[k]) in s.index:
                n = s.loc[(name, JUDGED_KPIS[k]), "mean"]
                judged = f'<br><span class="muted">{E(t("report.kpis.judged", lang, n=f"{n:,.0f}"))}</span>'
            cells.append(f'{E(fmt(r["mean"], k))}<br><span class="muted">{E(ci(r["ci_low"], r["ci_high"], k))}'
                         f"</span>{judged}")
        rows.append(cells)
    return _table(header, rows, numeric=range(1, len(kpis) + 1), cls="simlib-levels")


def kpi_html(study: Study, lang: str) -> str:
    """The KPI tables: differences first (what changes, how sure), then the levels."""
    f = world_facts(study, lang)
    out = [_h(2, "report.section.kpis", lang),
           _p("report.kpis.differences", lang, method=method_text(study.ci_method, lang), **f)]
    out += [differences_table(study, group, lang) for group in KPI_GROUPS]
    out.append(_h(3, "report.kpis.levels_title", lang))
    out.append(_p("report.kpis.levels", lang, method=method_text(study.mean_method, lang), **f))
    out += [levels_table(study, group, lang) for group in KPI_GROUPS]
    return "".join(out)


def findings_html(study: Study, lang: str) -> str:
    """Findings by clause: the clause's verbatim Chinese text (and the English translation in English), the
    baseline's findings per replication, and the alternatives that change them significantly."""
    rb = rulebook()
    out = [_h(2, "report.section.findings", lang), _p("report.findings.intro", lang, base=study.base.name)]
    counts = study.clause_counts()
    if counts.empty:
        return "".join([*out, _p("report.findings.none", lang)])
    for r in counts.itertuples():
        clause = rb.clause(r.clause)
        out.append(f"<h3>{E(r.clause)}</h3><blockquote lang=\"zh\">{E(clause.zh)}</blockquote>")
        if lang != "zh":
            out.append(f'<blockquote class="muted" lang="en">{E(clause.en)}</blockquote>')
        line = t("report.findings.baseline", lang, mean=fmt(r.baseline_mean), ci=ci(r.ci_low, r.ci_high))
        if r.changes:
            parts = ", ".join(f"{n} {fmt(dv, signed=True)} {ci(lo, hi, signed=True)}" for n, dv, lo, hi in r.changes)
            line += " " + t("report.findings.changes", lang, changes=parts)
        else:
            line += " " + t("report.findings.no_change", lang)
        out.append(f"<p>{E(line)}</p>")
    return "".join(out)


def assumptions_html(study: Study, lang: str) -> str:
    """The assumptions: the rulebook's readings of vague terms and ambiguities, and the scenario's assumed
    magnitudes (every parameter whose source is an assumption)."""
    rb = rulebook()
    out = [_h(2, "report.section.assumptions", lang), _p("report.assumptions.intro", lang)]
    rows = []
    for p in rb.parameters.values():
        if not p.is_assumption:
            continue
        doc = p.doc.get(lang) or ""  # type: ignore[arg-type]
        rows.append((f"<code>{E(p.name)}</code>", E(str(p.value)), E(p.unit), E(", ".join(p.clauses)), E(doc)))
    header = [E(t(f"report.col.{k}", lang)) for k in ("param", "value", "unit", "clause", "what")]
    out += [_h(3, "report.assumptions.rules", lang), _table(header, rows)]
    data = study.base.model_dump(mode="json")
    rows = []
    for p in iter_params(Scenario):
        if not p.source.startswith("assumption") or p.path.startswith(("controls.", "seed", "calendar.")):
            continue
        node: Any = data
        for part in p.path.split("."):
            node = node[part]
        rows.append((f"<code>{E(p.path)}</code>", E(str(node)), E(p.unit), E(param_text(p.path, lang))))
    header = [E(t(f"report.col.{k}", lang)) for k in ("path", "value", "unit", "what")]
    out += [_h(3, "report.assumptions.scenario", lang, n=len(rows)), _table(header, rows, cls="simlib-small")]
    return "".join(out)


def preset_names() -> list[str]:
    """Every preset (baseline, pre-notice regime, gaps) by name."""
    return [p.name for p in presets()]


# --------------------------------------------------------------------------------------------- sensitivity


def _sig(low: float, high: float) -> bool:
    return bool(low > 0 or high < 0)


def tornado_reading(table: pd.DataFrame, kpi: str, lang: str) -> str:
    """A plain-language reading of a one-at-a-time (tornado) result for one KPI, generated from the numbers."""
    rows = table[table["kpi"] == kpi].sort_values("rank")
    if rows.empty:
        return ""
    top = rows.iloc[0]
    out = [t("planning.sens.tornado_top", lang, kpi=kpi_name(kpi, lang), base=fmt(top["baseline_mean"], kpi),
             param=top["parameter"], low=f"{top['low']:g}", high=f"{top['high']:g}",
             dlow=fmt(top["diff_low"], kpi, signed=True), cilow=ci(top["low_ci_low"], top["low_ci_high"], kpi,
                                                                  signed=True),
             dhigh=fmt(top["diff_high"], kpi, signed=True),
             cihigh=ci(top["high_ci_low"], top["high_ci_high"], kpi, signed=True))]
    flat = [r.parameter for r in rows.itertuples()
            if not _sig(r.low_ci_low, r.low_ci_high) and not _sig(r.high_ci_low, r.high_ci_high)]
    if len(flat) == len(rows):  # nothing resolvable: say so first, not "most sensitive to"
        return t("planning.sens.tornado_none", lang, kpi=kpi_name(kpi, lang), param=top["parameter"],
                 swing=_mag(top["swing"], kpi))
    if len(rows) > 1:
        nxt = ", ".join(f"{r.parameter} ({_mag(r.swing, kpi)})" for r in rows.iloc[1:3].itertuples())
        out.append(t("planning.sens.tornado_next", lang, params=nxt))
    if flat:
        out.append(t("planning.sens.tornado_flat", lang, params=", ".join(flat)))
    return " ".join(out)


def _mag(x: float, kpi: str) -> str:
    """A size (a swing, μ*): percentage points for a share, else the number."""
    return fmt(x, kpi, signed=True).lstrip("+") if kpi in SHARE_KPIS else fmt(x, kpi)


def morris_reading(table: pd.DataFrame, kpi: str, lang: str) -> str:
    """A plain-language reading of a Morris screening for one KPI, generated from the numbers."""
    rows = table[table["kpi"] == kpi].sort_values("rank")
    if rows.empty:
        return ""
    top = rows.iloc[0]
    out = [t("planning.sens.morris_top", lang, kpi=kpi_name(kpi, lang), param=top["parameter"],
             mu=_mag(top["mu_star"], kpi), conf=_mag(top["mu_star_conf"], kpi))]
    weak = [r.parameter for r in rows.itertuples() if not r.mu_star > r.mu_star_conf]
    if weak:
        out.append(t("planning.sens.morris_weak", lang, params=", ".join(weak)))
    inter = [r.parameter for r in rows.itertuples() if r.mu_star > 0 and r.sigma > r.mu_star]
    if inter:
        out.append(t("planning.sens.morris_sigma", lang, params=", ".join(inter)))
    return " ".join(out)


def ranking_html(study: Study, lang: str, kpis: Sequence[str] = RANK_KPIS) -> str:
    """The alternatives ranked by their effect on ``kpis`` (see :meth:`Study.ranking`), with paired CIs."""
    rank = study.ranking(kpis)
    header = [E(t("experiment.col.rank", lang)), E(t("report.col.scenario", lang))] + [
        f"Δ {E(kpi_name(k, lang))}<br><span class=\"muted\">{E(kpi_unit(k, lang))}</span>" for k in kpis]
    rows = []
    for r in rank.to_dict("records"):
        cells = [str(r["rank"]), E(scenario_label(r["scenario"], lang))]
        for k in kpis:
            value = E(fmt(r[f"{k}_diff"], k, signed=True))
            value = f'<span class="sig">{value}*</span>' if r[f"{k}_sig"] else value
            cells.append(f'{value}<br><span class="muted">{E(ci(r[f"{k}_low"], r[f"{k}_high"], k, signed=True))}'
                         "</span>")
        rows.append(cells)
    return _table(header, rows, numeric=range(2, len(kpis) + 2), cls="simlib-ranking")
