"""The delegation story as an ipywidgets app (JupyterLab and Voilà): the question the model asks, the choices as
buttons, and after each answer what happened, the findings with their clause and the notice's verbatim text,
sanctions and accountability, the score, and at the end the timeline. The story itself — the world, the
decisions, the audit — is :class:`simlib.training.story.Story`'s; this module only shows it.

CSS classes for browser tests: ``simlib-story`` (the app), ``simlib-lang`` (language switch), ``simlib-story-role``
(leader/member), ``simlib-story-restart``, ``simlib-story-question``, ``simlib-story-choice`` (each choice button,
also ``simlib-story-choice-<key>``), ``simlib-story-events``, ``simlib-story-findings``, ``simlib-story-sanctions``,
``simlib-story-score``, ``simlib-story-timeline``.
"""

from __future__ import annotations

import pandas as pd

from simlib.audit import Findings
from simlib.i18n import get_lang, t
from simlib.rulebook import rulebook
from simlib.training.story import ROLES, Step, Story, event_label
from simlib.views.figures import timeline_plot
from simlib.views.history import history_html
from simlib.views.report import figure_html
from simlib.views.sections import E
from simlib.views.widgets import classed, lang_toggle, set_options

CSS = """<style>
.simlib-story-question {font-size: 1.1em; margin: 0.6em 0;}
.simlib-story-box {border-left: 3px solid #bbb; padding-left: 0.8em; margin: 0.4em 0;}
.simlib-story-finding {border-left: 3px solid #c0392b; padding: 0.2em 0.8em; margin: 0.4em 0; background: #fdf2f1;}
.simlib-story-verbatim {color: #333; font-size: 0.95em;}
.simlib-story-new {color: #c0392b; font-weight: bold;}
.simlib-story table {border-collapse: collapse;} .simlib-story td, .simlib-story th {padding: 2px 8px;}
.simlib-story td:first-child {white-space: nowrap;}
</style>"""


def findings_html(findings: Findings, story: Story, lang: str) -> str:
    """The findings by clause and code: who, expected and observed (of the first; the others alike), and the
    clause's verbatim Chinese text (with the English translation in English)."""
    if not len(findings):
        return f"<p>{E(t('story.none.findings', lang))}</p>"
    rb = rulebook()
    out = []
    sep = "、" if lang == "zh" else ", "
    for (clause_id, code), group in findings.render(lang).groupby(["clause", "code"], sort=False):
        clause = rb.clause(str(clause_id))
        r = group.iloc[0]
        who = sep.join(dict.fromkeys(story.cast.name(c, lang) for c in group["cadre"] if isinstance(c, str)))
        head = t("story.finding.head", lang, clause=clause_id, code=code, severity=r["severity"])
        english = (f"<div class='simlib-story-verbatim'>{E(t('story.finding.english', lang))}: {E(clause.en)}</div>"
                   if lang == "en" else "")
        out.append(
            f"<div class='simlib-story-finding'><b>{E(head)}</b> {E(who)}<br>"
            f"{E(t('story.finding.expected', lang))}: {E(r['expected'])}<br>"
            f"{E(t('story.finding.observed', lang))}: {E(r['observed'])}"
            f"<div class='simlib-story-verbatim'>{E(t('story.finding.verbatim', lang))}: 「{E(clause.zh)}」</div>"
            f"{english}</div>")
    return "".join(out)


def events_html(events: pd.DataFrame, story: Story, lang: str) -> str:
    """The events of a step as a table: date, event (the vocabulary's label), who, detail; the same event on the
    same day for several members is one row."""
    if not len(events):
        return ""
    sep = "、" if lang == "zh" else ", "
    rows = (events.assign(date=pd.to_datetime(events["time"]).dt.strftime("%Y-%m-%d"),
                          who=[story.cast.name(c, lang) if c else "" for c in events["cadre"]])
            .groupby(["date", "type", "detail"], sort=False)["who"]
            .agg(lambda w: sep.join(x for x in w if x)).reset_index())
    head = "".join(f"<th>{E(t(f'story.col.{c}', lang))}</th>" for c in ("date", "event", "who", "detail"))
    body = "".join(f"<tr><td>{E(r.date)}</td><td>{E(event_label(r.type, lang))}</td><td>{E(r.who)}</td>"
                   f"<td>{E(r.detail)}</td></tr>" for r in rows.itertuples())
    return f"<table class='simlib-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def sanctions_html(events: pd.DataFrame, story: Story, lang: str) -> str:
    """Sanctions and accountability among ``events``, one line each."""
    lines = []
    for r in events.itertuples():
        date = pd.Timestamp(r.time).strftime("%Y-%m-%d")
        d = dict(kv.split("=", 1) for kv in r.detail.split(", ") if "=" in kv)
        who = story.cast.name(r.cadre, lang)
        if r.type == "Sanction":
            lines.append(t("story.sanction.row", lang, date=date, who=who, basis=d.get("basis", "—"),
                           kind=t(f"story.sanction.kind.{d.get('kind')}", lang),
                           severity=t(f"story.sanction.severity.{d.get('severity', 'medium')}", lang)))
        elif r.type == "Accountability":
            lines.append(t("story.accountability.row", lang, date=date, who=who, basis=d.get("basis", "—"),
                           role=t(f"story.accountability.role.{d.get('role')}", lang),
                           subject=story.cast.name(d.get("subject", ""), lang) if d.get("subject") else "—"))
    if not lines:
        return f"<p>{E(t('story.none.sanctions', lang))}</p>"
    return "<ul>" + "".join(f"<li>{E(line)}</li>" for line in lines) + "</ul>"


class StoryApp:
    """The story for one trainee: ``role`` (leader or member) in the training world of ``seed``."""

    def __init__(self, role: str = "leader", seed: int = 7, lang: str | None = None) -> None:
        import ipywidgets as w

        self.lang = lang or get_lang()
        self.seed = seed
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.role = classed(w.ToggleButtons(options=[(r, r) for r in ROLES], value=role,
                                             style={"button_width": "80px"}), "simlib-story-role")
        self.restart_button = classed(w.Button(layout=w.Layout(width="auto")), "simlib-story-restart")
        self.restart_button.on_click(lambda _: self.restart())
        self.intro = w.HTML()
        self.latest = classed(w.HTML(), "simlib-story-latest")
        self.history = classed(w.HTML(), "simlib-story-events")
        self.history_box = w.Accordion(children=[self.history], selected_index=None)
        self.question = classed(w.HTML(), "simlib-story-question")
        self.choices = w.VBox()
        self.findings = classed(w.HTML(), "simlib-story-findings")
        self.sanctions = classed(w.HTML(), "simlib-story-sanctions")
        self.score = classed(w.HTML(), "simlib-story-score")
        self.timeline = classed(w.HTML(), "simlib-story-timeline")
        self.widget = classed(w.VBox([w.HTML(CSS), w.HBox([self.toggle, self.role, self.restart_button]),
                                       self.intro, self.latest, self.question, self.choices, self.score,
                                       self.findings, self.sanctions, self.history_box, self.timeline]),
                               "simlib-story")
        self.story = Story(role=role, seed=seed)
        self.render()

    def restart(self) -> None:
        """A new story with the role selected (same seed: the same world)."""
        self.story = Story(role=self.role.value, seed=self.seed)
        self.render()

    def play(self, choices: dict[str, str]) -> None:
        """Answer, in the model's order, each question whose scene is in ``choices`` (scene -> choice), up to the
        first one that is not (then the trainee answers by clicking)."""
        while self.story.question is not None and self.story.question.scene.key in choices:
            self.story.answer(choices[self.story.question.scene.key])
        self.render()

    def choose(self, key: str) -> Step:
        """Answer the open question (what a choice button does)."""
        for button in self.choices.children:
            button.disabled = True
        step = self.story.answer(key)
        self.render()
        return step

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        if self.toggle.value != lang:
            self.toggle.value = lang
        self.render()

    def render(self) -> None:
        """Every part of the app in the current language, from the story's state."""
        import ipywidgets as w

        lang, s = self.lang, self.story
        set_options(self.role, [(t(f"story.role.{r}", lang), r) for r in ROLES])
        self.restart_button.description = t("story.restart", lang)
        c = s.cast
        self.intro.value = (f"<h3>{E(t('story.title', lang))}</h3><p>" + E(t(
            "story.intro", lang, unit=c.unit, delegation=c.delegation, n=len(c.members),
            leader=c.name(c.leader, lang), role=t(f"story.role.{s.role}", lang))) + "</p>")
        parts = [self._step_html(step) for step in s.steps]
        self.history.value = "".join(parts)
        self.history_box.set_title(0, t("story.section.history", lang))
        self.latest.value = f"<h4>{E(t('story.section.latest', lang))}</h4>" + parts[-1]
        q = s.question
        if q is None:
            self.question.value = f"<p><b>{E(t('story.end', lang, date=s.steps[-1].date.strftime('%Y-%m-%d')))}</b></p>"
            self.choices.children = ()
        else:
            self.question.value = f"<p>{E(q.prompt(lang))}</p><p><b>{E(t('story.question', lang))}</b></p>"
            buttons = []
            for choice in q.choices:
                b = classed(w.Button(description=q.label(choice.key, lang), layout={"width": "auto"}),
                             "simlib-story-choice", f"simlib-story-choice-{choice.key.replace('_', '-')}")
                b.on_click(lambda _, key=choice.key: self.choose(key))
                buttons.append(b)
            self.choices.children = tuple(buttons)
        ok, n = s.score()
        self.score.value = f"<p><b>{E(t('story.score', lang, ok=ok, n=n))}</b></p>"
        assert s.findings is not None  # audited at the opening
        self.findings.value = (f"<h4>{E(t('story.section.findings', lang))}</h4>"
                               + findings_html(s.findings, s, lang))
        events = s.events()
        self.sanctions.value = (f"<h4>{E(t('story.section.sanctions', lang))}</h4>"
                                + sanctions_html(events[events["type"].isin(("Sanction", "Accountability"))], s,
                                                 lang))
        self.timeline.value = self._timeline() if q is None else ""

    def _step_html(self, step: Step) -> str:
        """One step: the choice made, the events that followed, the clauses of the new findings."""
        lang, out = self.lang, ""
        if step.answer is not None:
            scene, choice = step.answer
            label = t(f"story.choice.{scene}.{choice}", lang)
            out += f"<p><b>{E(t('story.answered', lang, choice=label))}</b></p>"
        out += f"<div class='simlib-story-box'>{events_html(step.events, self.story, lang)}</div>"
        if len(step.findings):
            clauses = ", ".join(dict.fromkeys(step.findings.table["clause"].astype(str)))
            out += f"<p class='simlib-story-new'>{E(t('story.new_findings', lang, clauses=clauses))}</p>"
        return out

    def _timeline(self) -> str:
        """The whole story as a chart (events by kind over time, those with findings in red) and a table."""
        lang = self.lang
        hist = self.story.timeline()
        title = t("story.timeline.title", lang, delegation=self.story.cast.delegation)
        labelled = hist.assign(type=[event_label(x, lang) for x in hist["type"]])
        return (f"<h4>{E(t('story.section.timeline', lang))}</h4>"
                + figure_html(timeline_plot(hist, title=title, lang=lang), caption=title)
                + history_html(labelled, lang))
