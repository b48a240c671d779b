"""The training material as HTML, in Chinese or English: the rules walkthrough, the obligations table, a case,
its feedback, the case sheet with answers and the trainer's tables. Every clause text comes from the rulebook
(the Chinese verbatim, beside the English), every other string from the catalogue (``training_ui.yaml``).

The same functions feed the notebooks' static output, the widget apps (Voilà) and the printed handout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from simlib.i18n import t
from simlib.rulebook import Clause, Parameter, rulebook
from simlib.training import cases as cb
from simlib.training.obligations import Obligation, Profile, table
from simlib.training.trainer import Results
from simlib.training.walkthrough import COMMON_OPTIONS, SECTIONS, RuleView, SectionView, hk_macao_rules, section
from simlib.views.sections import E, _table

CSS = """<style>
.simlib-training { font-family: "DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
  line-height: 1.45; max-width: 1100px; }
.simlib-training .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8em; margin: 0.3em 0; }
.simlib-training .pair > div { padding: 0.35em 0.6em; border-left: 3px solid #b22; background: #fbf7f4; }
.simlib-training .pair > div.en { border-left-color: #888; background: #f6f6f6; }
.simlib-training .lbl { font-size: 11px; color: #666; display: block; }
.simlib-training .rule { border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 0.7em; margin: 0.6em 0;
  break-inside: avoid; }
.simlib-training .rule h4 { margin: 0.1em 0 0.3em 0; }
.simlib-training .context { color: #444; margin: 0.4em 0; break-inside: avoid; }
.simlib-training table.facts { border-collapse: collapse; width: 100%; font-size: 13px; }
.simlib-training table.facts th { text-align: left; width: 11em; vertical-align: top; color: #333;
  padding: 2px 8px 2px 0; font-weight: 600; }
.simlib-training table.facts td { padding: 2px 0; vertical-align: top; }
.simlib-training table.simlib-table { border-collapse: collapse; font-size: 13px; margin: 0.4em 0; }
.simlib-training table.simlib-table th, .simlib-training table.simlib-table td { border: 1px solid #ccc;
  padding: 2px 6px; text-align: left; vertical-align: top; }
.simlib-training .note { background: #eef4fb; border: 1px solid #b9cde5; padding: 0.5em 0.8em;
  margin: 0.6em 0; border-radius: 4px; break-inside: avoid; }
.simlib-training .ok { color: #17692b; font-weight: bold; }
.simlib-training .bad { color: #a11; font-weight: bold; }
.simlib-training .cite { border-left: 3px solid #b22; padding: 0.2em 0.6em; margin: 0.3em 0; background: #fbf7f4; }
.simlib-training .case { border: 1px solid #ddd; padding: 0.5em 0.8em; margin: 0.6em 0; break-inside: avoid; }
.simlib-training .muted { color: #666; font-size: 12px; }
.simlib-training td, .simlib-training th { text-align: left !important; }
.simlib-training td.num, .simlib-training th.num { text-align: right !important; }
@media print {
  .jp-OutputArea-child, .jp-Cell-outputWrapper, .jp-Cell, .jp-OutputArea-output { break-inside: auto !important; }
  .simlib-training .pair > div { background: none; }
}
</style>"""



def section_name(section: str, lang: str) -> str:
    """A section of the notice as the reader's language numbers it: 一 … 六 in Chinese, 1 … 6 in English."""
    return cb.SECTION_NAMES.get(section, section) if lang == "zh" else section

def page(body: str) -> str:
    """``body`` wrapped in the training stylesheet's container."""
    return f'{CSS}<div class="simlib-training">{body}</div>'


def _bool(value: bool, lang: str) -> str:
    return t("training.calc.yes" if value else "training.calc.no", lang)


# --------------------------------------------------------------------------------------------- walkthrough


def clause_pair(clause: Clause, lang: str) -> str:
    """The clause's verbatim Chinese beside its English translation."""
    return (f'<div class="pair"><div class="zh" lang="zh"><span class="lbl">{E(t("training.wt.zh", lang))}</span>'
            f'{E(clause.zh)}</div><div class="en" lang="en"><span class="lbl">{E(t("training.wt.en", lang))}</span>'
            f"{E(clause.en)}</div></div>")


def _param(p: Parameter, lang: str) -> str:
    value = f"{p.value} {p.unit}".strip() if p.unit not in ("date",) else str(p.value)
    return E(t("training.wt.param", lang, name=p.name, value=value, kind=t(f"param.kind.{p.kind}", lang),
               doc=p.doc.get(lang) or ""))  # type: ignore[arg-type]


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else ""


def rule_html(rule: RuleView, lang: str) -> str:
    """One clause: its text, and for a rule whom it binds, who acts, when, what, what follows if not, numbers,
    assumptions and options."""
    c = rule.clause
    if not rule.is_rule:
        return f'<div class="context" id="clause-{E(c.id)}"><b>{E(c.id)}</b>{clause_pair(c, lang)}</div>'
    kinds = ", ".join(t(f"kind.{k}", lang) for k in c.kinds)
    when = "; ".join(x for x in (rule.field("trigger", lang), rule.field("deadline", lang)) if x)
    if rule.check is not None:
        sev = "、".join if lang == "zh" else ", ".join
        audit = t("training.wt.audit", lang, severities=sev(t(f"severity.{s}", lang) for s in rule.severities))
        if rule.check.existence_only:
            audit += "（" + t("audit.existence_only", lang) + "）" if lang == "zh" else \
                f" ({t('audit.existence_only', lang)})"
    else:
        audit = t("training.wt.not_checked", lang)
    if_not = "<br>".join(E(x) for x in (rule.field("sanction", lang), audit) if x)
    rows = [("training.wt.who", E(rule.field("subject", lang))), ("training.wt.actor", E(rule.field("actor", lang))),
            ("training.wt.when", E(when)), ("training.wt.what", E(rule.field("obligation", lang))),
            ("training.wt.if_not", if_not)]
    if rule.non_party:
        rows.append(("training.wt.non_party", E(t(f"training.wt.non_party.{rule.non_party}", lang))))
    if rule.numbers:
        rows.append(("training.wt.numbers", "<br>".join(_param(p, lang) for p in rule.numbers)))
    options = [p for p in rule.assumptions if p.name not in COMMON_OPTIONS]
    if options:
        rows.append(("training.wt.options", "<br>".join(_param(p, lang) for p in options)))
    facts = "".join(f"<tr><th>{E(t(k, lang))}</th><td>{v}</td></tr>" for k, v in rows if v)
    return (f'<div class="rule" id="clause-{E(c.id)}"><h4>{E(c.id)} <span class="muted">{E(kinds)}</span></h4>'
            f'{clause_pair(c, lang)}<table class="facts">{facts}</table></div>')


def section_label(number: str, lang: str) -> str:
    """``第六部分`` / ``Section 6 (六)``."""
    numeral = cb.SECTION_NAMES[number]
    return t("training.wt.section", lang, numeral=numeral if lang == "zh" else f"{number} ({numeral})")


def section_title(sec: SectionView, lang: str) -> str:
    """The section's own heading (``一、进一步加强…`` / ``I. Further strengthen…``), else its label."""
    if sec.number == "P":
        return t("training.wt.preamble", lang)
    return sec.heading.text(lang) if sec.heading is not None else section_label(sec.number, lang)  # type: ignore


def section_html(sec: SectionView, lang: str, level: int = 2) -> str:
    """A section: its heading (both languages), then each part's heading and clauses."""
    out = [f'<h{level} id="section-{sec.number}">{E(section_title(sec, lang))}</h{level}>']
    if sec.heading is not None:
        out.append(clause_pair(sec.heading, lang))
    n_rules = sum(r.is_rule for r in sec.rules)
    if n_rules:
        count = t("training.wt.rules_count", lang, rules=n_rules, clauses=len(sec.rules))
        out.append(f'<p class="muted">{E(count)}</p>')
    for part in sec.parts:
        if part.heading is not None:
            out.append(f"<h{level + 1}>{E(part.heading.text(lang))}</h{level + 1}>")  # type: ignore[arg-type]
            out.append(clause_pair(part.heading, lang))
        out += [rule_html(r, lang) for r in part.rules]
    return "".join(out)


def hk_macao_html(lang: str) -> str:
    """Why 出国（境） covers Hong Kong and Macao, with the clauses that name them in their own words."""
    hk = "".join(f'<div class="cite"><b>{E(r.id)}</b> {E(r.clause.zh)}</div>' for r in hk_macao_rules())
    return (f'<div class="note simlib-hk-macao"><b>{E(t("training.wt.hk_macao.title", lang))}</b>'
            f'<p>{E(t("training.wt.hk_macao.text", lang))}</p>{hk}</div>')


def walkthrough_intro_html(lang: str) -> str:
    """What every rule shares: Hong Kong and Macao are covered, the effective date, how days are counted."""
    rb = rulebook()
    days = _list([_param(rb.parameters[name], lang) for name in COMMON_OPTIONS])
    return (f'<p>{E(t("training.wt.intro", lang))}</p>{hk_macao_html(lang)}'
            f'<div class="note"><p>{E(t("training.wt.effective", lang, date=rb.params.effective_date))}</p>'
            f'<p>{E(t("training.wt.days", lang))}</p>{days}</div>')


def walkthrough_html(lang: str, sections: Iterable[str] = SECTIONS, *, intro: bool = True, level: int = 2) -> str:
    """The walkthrough of ``sections`` (default: all), optionally after the introduction."""
    body = walkthrough_intro_html(lang) if intro else ""
    return page(body + "".join(section_html(section(s), lang, level) for s in sections))


# --------------------------------------------------------------------------------------------- calculator


def obligations_html(obs: Sequence[Obligation], profile: Profile, lang: str) -> str:
    """The calculator's answer: the cadre's categories, the obligations (clause, what, due, to whom, notes)
    and the original text of every clause cited."""
    cat = profile.categories(rulebook().params)
    categories = t("training.calc.categories", lang, county=_bool(cat["county_plus"], lang),
                   bureau=_bool(cat["bureau_plus"], lang), registrable=_bool(cat["registrable"], lang))
    head = (f"<p>{E(categories)}</p>"
            f'<p><b>{E(t("training.calc.count", lang, n=len(obs)))}</b></p>')
    frame = table(list(obs), lang)
    rows = ([E(str(v)) for v in r] for r in frame.itertuples(index=False))
    cited = dict.fromkeys(o.clause for o in obs)
    texts = "".join(f'<div class="cite"><b>{E(cid)}</b> {E(rulebook().clause(cid).zh)}'
                    + (f'<br><span class="muted">{E(rulebook().clause(cid).en)}</span>' if lang == "en" else "")
                    + "</div>" for cid in cited)
    return page(head + _table([E(c) for c in frame.columns], rows, cls="simlib-obligations")
                + f'<h4>{E(t("training.calc.clauses", lang))}</h4>{texts}')


# --------------------------------------------------------------------------------------------- cases


def case_prompt_html(case: cb.Case, lang: str, index: int, total: int) -> str:
    """A case's header (position, section, clauses) and its story."""
    progress = t("training.ex.progress", lang, i=index, n=total, section=section_name(case.section, lang),
                 clauses=", ".join(case.clauses))
    return page(f'<p class="muted">{E(progress)} · {E(case.id)}</p><p><b>{E(case.prompt.get(lang))}</b></p>')


def citations_html(result: cb.Result, lang: str) -> str:
    """Each clause the feedback cites: id and verbatim Chinese (and the English in English)."""
    out = []
    for c in result.citations:
        en = f'<br><span class="muted">{E(c.en)}</span>' if lang == "en" else ""
        out.append(f'<div class="cite"><span class="lbl">{E(t("training.feedback.clause", lang, clause=c.clause))}'
                   f'</span><b>{E(c.clause)}</b> <span lang="zh">{E(c.zh)}</span>{en}</div>')
    return "".join(out)


def feedback_html(result: cb.Result, lang: str) -> str:
    """Verdict, explanation, the cited clauses with their original text, and the assumptions the key uses."""
    cls = "ok" if result.correct else "bad"
    notes = (f'<p class="muted">{E(t("training.feedback.assumptions", lang, names=", ".join(result.assumptions)))}'
             "</p>" if result.assumptions else "")
    return page(f'<p class="{cls}">{E(result.verdict)}</p><p>{E(result.explanation)}</p>'
                f"{citations_html(result, lang)}{notes}")


def key_source(case: cb.Case) -> str:
    """Where the case's key comes from: ``computed`` (the auditor), ``param`` (the rulebook) or ``stored``."""
    return "computed" if case.situation is not None else "param" if case.param is not None else "stored"


def round_html(cases: Sequence[cb.Case], lang: str) -> str:
    """The cases of a round without their answers: position, id, section, clauses, kind of answer."""
    rows = ([str(i), E(c.id), E(section_name(c.section, lang)), E(", ".join(c.clauses)),
             E(t(f"training.ex.kind.{c.kind}", lang))] for i, c in enumerate(cases, 1))
    head = [E(t(f"training.ex.col.{k}", lang)) for k in ("n", "case", "section", "clauses", "kind")]
    return page(_table(head, rows, numeric=(0,), cls="simlib-round"))


def case_sheet_html(cases: Sequence[cb.Case], lang: str, seed: int | None = None) -> str:
    """The case sheet with answers: each case's story and options, its answer, why, and its clauses' text."""
    out = [] if seed is None else [f"<h2>{E(t('training.ho.cases', lang, n=len(cases), seed=seed))}</h2>"]
    for i, case in enumerate(cases, 1):
        options = _list([f"{E(o.id)}. {E(o.text(lang))}" for o in case.options])
        result = cb.feedback(case, case.key, lang)
        out.append(
            f'<div class="case" id="case-{E(case.id)}"><p class="muted">{i}. {E(case.id)} · '
            f'{E(section_label(case.section, lang))} · '
            f'{E(", ".join(case.clauses))}</p><p><b>{E(case.prompt.get(lang))}</b></p>{options}'
            f'<p><b>{E(t("training.ex.answer", lang))}</b> {E(cb.render_key(case, lang))} '
            f'<span class="muted">({E(t(f"training.ex.key_source.{key_source(case)}", lang))})</span></p>'
            f'<p><b>{E(t("training.ex.why", lang))}</b> {E(case.explanation.get(lang))}</p>'
            f"{citations_html(result, lang)}</div>")
    return page("".join(out))


def bank_line(bank: cb.Bank, lang: str) -> str:
    """How many cases the bank holds, by section."""
    by = ", ".join(f"{section_name(s, lang)} {n}" for s, n in bank.by_section().items())
    return t("training.ex.bank", lang, n=len(bank.cases), sections=by)


def handout_title_html(lang: str) -> str:
    """The handout's title and subtitle."""
    return page(f"<h1>{E(t('training.ho.title', lang))}</h1><p>{E(t('training.ho.subtitle', lang))}</p>")


# --------------------------------------------------------------------------------------------- trainer


def example_note(results: Results, lang: str) -> str:
    """What the example shows: simulated trainees, how many, which seed."""
    return page(f"<p class='note'>{E(t('training.tr.example', lang, trainees=results.trainees))}</p>")


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def trainer_html(results: Results, lang: str) -> str:
    """The group's results: per clause (most missed first, with the clause's text), per case, per trainee."""
    rb = rulebook()
    cl = results.by_clause
    clause_rows = ([E(r.clause), E(rb.clause(r.clause).zh), str(r.cases), str(r.trainees), str(r.wrong),
                    _pct(r.wrong_share)] for r in cl.itertuples())
    ca = results.by_case
    case_rows = ([E(r.case), E(section_name(r.section, lang)), E(r.clauses), str(r.trainees),
                  str(r.answers), str(r.right_first), str(r.right_last), _pct(r.wrong_share)] for r in ca.itertuples())
    tr = results.by_trainee
    trainee_rows = ([E(r.trainee), f"{r.right} / {r.total}", E(r.missed)] for r in tr.itertuples())

    def cols(*keys: str) -> list[str]:
        return [E(t(f"training.tr.col.{k}", lang)) for k in keys]

    return page(
        f'<h3>{E(t("training.tr.by_clause", lang))}</h3>'
        + _table(cols("clause", "text", "cases", "trainees", "wrong", "wrong_share"), clause_rows,
                 numeric=(2, 3, 4, 5), cls="simlib-by-clause")
        + f'<h3>{E(t("training.tr.by_case", lang))}</h3>'
        + _table(cols("case", "section", "clauses", "trainees", "answers", "right_first", "right_last", "wrong_share"),
                 case_rows, numeric=(3, 4, 5, 6, 7), cls="simlib-by-case")
        + f'<h3>{E(t("training.tr.by_trainee", lang))}</h3>'
        + _table(cols("trainee", "score", "missed"), trainee_rows, numeric=(1,), cls="simlib-by-trainee"))


def clause_chart(results: Results, lang: str, top: int = 15) -> Any:
    """A bar chart of the share of trainees wrong per clause (the ``top`` most missed), with alt text."""
    from matplotlib.figure import Figure

    from simlib.views.figures import WORSE, use_style

    use_style()
    rows = results.by_clause.head(top).iloc[::-1]
    fig = Figure(figsize=(7, 0.3 * max(len(rows), 3) + 1.2), layout="constrained")
    ax = fig.subplots()
    ax.barh(list(rows["clause"]), rows["wrong_share"] * 100, color=WORSE)
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("training.tr.chart.x", lang))
    ax.set_title(t("training.tr.chart.title", lang), fontsize="medium")
    missed = results.by_clause[results.by_clause["wrong"] > 0]["clause"].head(3)
    fig.alt_text = t("training.tr.chart.alt", lang, top=", ".join(missed) or "–")  # type: ignore[attr-defined]
    return fig
