"""The training apps as ipywidgets (they run in JupyterLab and in Voilà): the rules walkthrough, the obligations
calculator, the case exercises and the trainer's view of a session. Widget code only: the rules, the
obligations, scoring, draws and group results are :mod:`simlib.training`'s; the HTML is
:mod:`simlib.views.training_html`'s.

Every app has ``.widget`` (display it) and a language switch inside it: an ``ipywidgets.ToggleButtons`` with
CSS class ``simlib-lang`` (中文 / English) that re-renders the app's strings (``app.set_lang("en")`` does the
same from Python).

CSS classes for browser tests (``widget.add_class``):

- every app: ``simlib-lang`` (language switch); the app's box: ``simlib-walkthrough``, ``simlib-calculator``,
  ``simlib-cases`` or ``simlib-trainer``.
- walkthrough: ``simlib-wt-section`` (section picker), ``simlib-wt-body`` (the section's HTML).
- calculator: ``simlib-calc-<field>`` on each input (``party``, ``rank``, ``employment``, ``state-organ``,
  ``leading``, ``unit-leader``, ``key-post``, ``security``, ``kind``, ``depart``, ``back``, ``returned``,
  ``new-doc``), ``simlib-obligations`` (the result).
- cases: ``simlib-trainee`` (name or number, Text), ``simlib-case`` (the case container), ``simlib-prompt``
  (the story), ``simlib-answer`` (the answer input: RadioButtons for single choice and true/false, a box of
  Checkboxes with class ``simlib-option`` for multiple choice, a Text for a date or a number),
  ``simlib-submit`` (check), ``simlib-feedback`` (verdict, explanation, clause id and the clause's verbatim
  Chinese), ``simlib-score`` (e.g. ``得分：2 / 3``), ``simlib-next`` (next case), ``simlib-drill`` (more on
  what I missed), ``simlib-status`` (where the answers were saved).
- trainer: ``simlib-session-dir`` (folder, Text), ``simlib-reload``, ``simlib-export``, ``simlib-status``,
  ``simlib-results`` (tables), ``simlib-chart`` (chart).

The case exercises save the trainee's answers after each answer, with a pseudonymous id, into the session folder
(:func:`simlib.training.trainer.session_folder`: the ``session_dir`` given, else ``SIMLIB_SESSION_DIR``, else
``out/training/session``); the trainer view reads the same folder.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from simlib.errors import InputError
from simlib.i18n import get_lang, t
from simlib.log.vocabulary import EMPLOYMENT, RANKS
from simlib.training import cases as cb
from simlib.training.obligations import Profile, Trip, obligations
from simlib.training.trainer import export, load_session, results, session_folder
from simlib.training.walkthrough import SECTIONS, section
from simlib.views import training_html as th
from simlib.views.report import figure_html, shown_path
from simlib.views.widgets import classed, lang_toggle, set_options

TRIP_KINDS = ("public_temporary", "public_posted", "private")
KEY_POSTS = ("", "finance", "personnel", "property", "confidential_archives")
SECURITY = ("", "national_security", "state_asset_security", "industry_secret")
WIDE = {"description_width": "initial"}


# --------------------------------------------------------------------------------------------- walkthrough


class WalkthroughApp:
    """The walkthrough one section at a time: a section picker and the section's rules."""

    def __init__(self, lang: str | None = None, first: str = "1") -> None:
        import ipywidgets as w

        self.lang = lang or get_lang()
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.picker = classed(w.Dropdown(options=self._options(), value=first, style=WIDE,
                                          layout=w.Layout(width="640px")), "simlib-wt-section")
        self.body = classed(w.HTML(), "simlib-wt-body")
        self.picker.observe(lambda _: self.render(), names="value")
        self.widget = classed(w.VBox([self.toggle, self.picker, self.body]), "simlib-walkthrough")
        self.render()

    def _options(self) -> list[tuple[str, str]]:
        return [(th.section_title(section(s), self.lang), s) for s in SECTIONS]

    def render(self) -> None:
        self.picker.description = t("training.wt.pick", self.lang)
        first = self.picker.value == "P"  # the preamble opens with the whole introduction
        body = th.walkthrough_html(self.lang, [self.picker.value], intro=first)
        self.body.value = body if first else th.page(th.hk_macao_html(self.lang)) + body

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        set_options(self.picker, self._options())
        self.render()


# --------------------------------------------------------------------------------------------- calculator


class CalculatorApp:
    """The obligations calculator: a cadre profile, the trip's kind and dates in; every obligation with its
    due date, recipient and clause out (recomputed on every change)."""

    def __init__(self, lang: str | None = None, profile: Profile | None = None, trip: Trip | None = None) -> None:
        import ipywidgets as w

        self.lang = lang or get_lang()
        p = profile or Profile(rank="division", leading=True)
        tr = trip or Trip("private", "2005-03-01", "2005-03-20")
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.party = w.Checkbox(value=p.party, indent=False)
        self.rank = w.Dropdown(value=p.rank, options=[(r, r) for r in RANKS], style=WIDE)
        self.employment = w.Dropdown(value=p.employment, options=[(e, e) for e in EMPLOYMENT], style=WIDE)
        self.state_organ = w.Checkbox(value=p.state_organ_staff, indent=False)
        self.leading = w.Checkbox(value=p.leading, indent=False)
        self.unit_leader = w.Checkbox(value=p.unit_leader, indent=False)
        self.key_post = w.Dropdown(value=p.key_post, options=[(k, k) for k in KEY_POSTS], style=WIDE)
        self.security = w.Dropdown(value=p.security_sensitive, options=[(s, s) for s in SECURITY], style=WIDE)
        self.kind = w.Dropdown(value=tr.kind, options=[(k, k) for k in TRIP_KINDS], style=WIDE)
        self.depart = w.DatePicker(value=tr.exit.date(), style=WIDE)
        self.back = w.DatePicker(value=tr.approved_return.date(), style=WIDE)
        self.returned = w.DatePicker(value=None if tr.returned is None else tr.entry.date(), style=WIDE)
        self.new_doc = w.DatePicker(value=None if tr.new_document is None else
                                    dt.date.fromisoformat(str(tr.new_document)[:10]), style=WIDE)
        self.inputs = {"party": self.party, "rank": self.rank, "employment": self.employment,
                       "state_organ": self.state_organ, "leading": self.leading, "unit_leader": self.unit_leader,
                       "key_post": self.key_post, "security": self.security, "kind": self.kind,
                       "depart": self.depart, "back": self.back, "returned": self.returned, "new_doc": self.new_doc}
        for name, widget in self.inputs.items():
            widget.add_class("simlib-calc-" + name.replace("_", "-"))
            widget.observe(lambda _: self.render(), names="value")
        self.head_profile = w.HTML()
        self.head_trip = w.HTML()
        self.out = classed(w.HTML(), "simlib-obligations")
        profile_box = w.VBox([self.head_profile, self.party, self.rank, self.employment, self.state_organ,
                              self.leading, self.unit_leader, self.key_post, self.security])
        trip_box = w.VBox([self.head_trip, self.kind, self.depart, self.back, self.returned, self.new_doc])
        self.widget = classed(w.VBox([self.toggle, w.HBox([profile_box, trip_box]), self.out]), "simlib-calculator")
        self.set_lang(self.lang)

    def profile(self) -> Profile:
        return Profile(party=self.party.value, rank=self.rank.value, employment=self.employment.value,
                       state_organ_staff=self.state_organ.value, leading=self.leading.value,
                       unit_leader=self.unit_leader.value, key_post=self.key_post.value,
                       security_sensitive=self.security.value)

    def trip(self) -> Trip:
        """The trip of the form; an :class:`InputError` if its dates do not work."""
        if self.depart.value is None or self.back.value is None:
            raise InputError(field="depart/back", key="training.missing_date")
        back = self.returned.value or self.back.value
        if back < self.depart.value or self.back.value < self.depart.value:
            raise InputError(field="back", key="training.return_before_exit")
        return Trip(self.kind.value, self.depart.value.isoformat(), self.back.value.isoformat(),
                    None if self.returned.value is None else self.returned.value.isoformat(),
                    None if self.new_doc.value is None else self.new_doc.value.isoformat())

    def render(self) -> None:
        try:
            trip = self.trip()
        except InputError as exc:
            problem = t("training.calc.bad_dates", self.lang, problem=exc.texts(self.lang)[0])
            self.out.value = th.page(f'<p class="bad">{th.E(problem)}</p>')
            return
        profile = self.profile()
        self.out.value = th.obligations_html(obligations(profile, trip), profile, self.lang)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        L = lambda key: t(key, lang)  # noqa: E731
        for name, widget in self.inputs.items():
            widget.description = L(f"training.calc.{name}")
        set_options(self.rank, [(L(f"training.calc.rank.{r}"), r) for r in RANKS])
        set_options(self.employment, [(L(f"training.calc.employment.{e}"), e) for e in EMPLOYMENT])
        set_options(self.kind, [(L(f"training.calc.kind.{k}"), k) for k in TRIP_KINDS])
        set_options(self.key_post, [(L(f"training.calc.key_post.{k}") if k else L("training.calc.none"), k)
                                     for k in KEY_POSTS])
        set_options(self.security, [(L(f"training.calc.security.{s}") if s else L("training.calc.none"), s)
                                     for s in SECURITY])
        self.head_profile.value = f"<b>{th.E(L('training.calc.profile'))}</b>"
        self.head_trip.value = f"<b>{th.E(L('training.calc.trip'))}</b>"
        self.render()


# --------------------------------------------------------------------------------------------- cases


class CaseApp:
    """The case exercises: ``n_cases`` cases drawn with ``seed``, each scored at once with feedback citing the
    clause and its original text, the score, the adaptive drill, and the answers saved after each answer (see
    the module doc for the folder)."""

    def __init__(self, n_cases: int = 10, seed: int = 2026, *, session_dir: str = "", session: str = "session",
                 trainee: str = "", lang: str | None = None, bank: cb.Bank | None = None,
                 sections: tuple[str, ...] | None = None) -> None:
        import ipywidgets as w

        self.lang = lang or get_lang()
        self.folder = session_folder(session_dir)
        self.session = cb.Session(bank or cb.bank(), trainee=trainee or "trainee", seed=seed, session=session)
        self.cases = self.session.draw(n_cases, sections=sections)
        self.index = 0
        self.n_drill = n_cases
        self.last: tuple[str, Any] | None = None  # (case id, response) of the last answer shown
        self.saved: str = ""
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.trainee = classed(w.Text(value=trainee, style=WIDE), "simlib-trainee")
        self.trainee.observe(lambda change: self._rename(change["new"]), names="value")
        self.prompt = classed(w.HTML(), "simlib-prompt")
        self.answer_box = w.Box()
        self.submit_button = classed(w.Button(button_style="primary"), "simlib-submit")
        self.next_button = classed(w.Button(layout=w.Layout(width="auto")), "simlib-next")
        self.drill_button = classed(w.Button(layout=w.Layout(width="auto")), "simlib-drill")
        self.feedback = classed(w.HTML(), "simlib-feedback")
        self.score = classed(w.HTML(), "simlib-score")
        self.status = classed(w.HTML(), "simlib-status")
        self.submit_button.on_click(lambda _: self.submit())
        self.next_button.on_click(lambda _: self.next())
        self.drill_button.on_click(lambda _: self.drill())
        self.case_box = classed(w.VBox([self.prompt, self.answer_box,
                                         w.HBox([self.submit_button, self.next_button, self.drill_button]),
                                         self.feedback]), "simlib-case")
        self.widget = classed(w.VBox([self.toggle, self.trainee, self.case_box, self.score, self.status]),
                               "simlib-cases")
        self.set_lang(self.lang)

    # -- state -----------------------------------------------------------------------------------------------
    @property
    def case(self) -> cb.Case | None:
        """The case shown (None when the round is over)."""
        return self.cases[self.index] if self.index < len(self.cases) else None

    def _rename(self, name: str) -> None:
        """A new trainee name: a new pseudonymous id (the answers so far are kept and saved under it)."""
        self.session.trainee = name.strip() or "trainee"
        self.session.trainee_id = cb.pseudonym(self.session.trainee, self.session.session)

    def response(self) -> Any:
        """The answer given in the answer widget (None if none)."""
        case, widget = self.case, self.answer
        if case is None:
            return None
        if case.kind == "multiple":
            picked = [c.option for c in widget.children if c.value]
            return picked or None
        value = widget.value
        return value.strip() or None if isinstance(value, str) else value

    # -- actions ---------------------------------------------------------------------------------------------
    def submit(self) -> cb.Result | None:
        """Score the answer given, show the feedback and the score, and save the answers (when a name is
        given). Returns the result (None without an answer)."""
        case, response = self.case, self.response()
        if case is None:
            return None
        if response is None or cb.normalise(case, response) is None:  # nothing given, or not a date / number
            hint = {"date": " (" + t("training.ex.date_hint", self.lang) + ")",
                    "number": " (" + t("training.ex.number_hint", self.lang) + ")"}.get(case.kind, "")
            self.feedback.value = th.page(f'<p class="bad">{th.E(t("training.ex.need_answer", self.lang) + hint)}</p>')
            return None
        result = self.session.answer(case.id, response, self.lang)
        self.last = (case.id, response)
        self.feedback.value = th.feedback_html(result, self.lang)
        self._save()
        self._score()
        return result

    def _save(self) -> None:
        if not self.trainee.value.strip():
            self.saved = ""
            return
        path = self.session.export_csv(self.folder)
        self.saved = shown_path(path)

    def next(self) -> None:
        """The next case of the round (or the round's summary)."""
        self.index = min(self.index + 1, len(self.cases))
        self.last = None
        self.feedback.value = ""
        self._show()

    def drill(self, n: int | None = None) -> list[cb.Case]:
        """A new round drawn adaptively: more cases on the clauses missed."""
        self.cases = self.session.drill(n or self.n_drill)
        self.index = 0
        self.last = None
        self.feedback.value = th.page(f"<p>{th.E(t('training.ex.drill_start', self.lang, n=len(self.cases)))}</p>")
        self._show()
        return self.cases

    # -- rendering -------------------------------------------------------------------------------------------
    def _answer_widget(self, case: cb.Case, keep: Any = None) -> Any:
        import ipywidgets as w

        if case.kind == "single":
            widget = w.RadioButtons(options=[(f"{o.id}. {o.text(self.lang)}", o.id) for o in case.options],
                                    value=keep, layout=w.Layout(width="auto"))
        elif case.kind == "truefalse":
            widget = w.RadioButtons(options=[(t("training.ex.true", self.lang), True),
                                             (t("training.ex.false", self.lang), False)], value=keep)
        elif case.kind == "multiple":
            boxes = []
            for o in case.options:
                box = classed(w.Checkbox(value=bool(keep and o.id in keep), description=f"{o.id}. {o.text(self.lang)}",
                                          indent=False, layout=w.Layout(width="auto")), "simlib-option")
                box.option = o.id
                boxes.append(box)
            widget = w.VBox(boxes)
        else:
            hint = t("training.ex.date_hint" if case.kind == "date" else "training.ex.number_hint", self.lang)
            widget = w.Text(value="" if keep is None else str(keep), placeholder=hint)
        return classed(widget, "simlib-answer")

    def _show(self, keep: Any = None) -> None:
        import ipywidgets as w

        case = self.case
        self.next_button.disabled = case is None
        self.submit_button.disabled = case is None
        if case is None:
            done = t("training.ex.done", self.lang, summary=self.session.summary(self.lang))
            self.prompt.value = th.page(f"<p><b>{th.E(done)}</b></p>")
            self.answer = classed(w.HTML(), "simlib-answer")
        else:
            self.prompt.value = th.case_prompt_html(case, self.lang, self.index + 1, len(self.cases))
            self.answer = self._answer_widget(case, keep)
        self.answer_box.children = (self.answer,)

    def _score(self) -> None:
        _, total = self.session.score()
        self.score.value = th.page(f"<b>{th.E(self.session.summary(self.lang))}</b>")
        saved = (t("training.ex.saved", self.lang, path=self.saved, trainee=self.session.trainee_id) if self.saved
                 else t("training.ex.need_trainee", self.lang) if total else "")
        self.status.value = th.page(f'<p class="muted">{th.E(saved)}</p>') if saved else ""

    def set_lang(self, lang: str) -> None:
        """Re-render every string in ``lang``, keeping the answer given and the feedback shown."""
        self.lang = lang
        keep = self.response() if hasattr(self, "answer") else None
        self.trainee.description = t("training.ex.trainee", lang)
        self.trainee.placeholder = t("training.ex.trainee_hint", lang)
        self.submit_button.description = t("training.ex.submit", lang)
        self.next_button.description = t("training.ex.next", lang)
        self.drill_button.description = t("training.ex.drill", lang)
        self._show(keep)
        if self.last is not None:
            self.feedback.value = th.feedback_html(cb.feedback(self.session.bank.case(self.last[0]), self.last[1],
                                                               lang), lang)
        self._score()


# --------------------------------------------------------------------------------------------- trainer


class TrainerApp:
    """The trainer's view: the session folder's answer files read together, results per clause, per case and
    per trainee with a chart of the clauses most missed; export as CSV (into ``results/`` of the folder)."""

    def __init__(self, session_dir: str = "", lang: str | None = None) -> None:
        import ipywidgets as w

        self.lang = lang or get_lang()
        self.results = None
        self.error = ""
        self.n_files = 0
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.folder = classed(w.Text(value=str(session_folder(session_dir)), style=WIDE,
                                      layout=w.Layout(width="640px")), "simlib-session-dir")
        self.reload_button = classed(w.Button(icon="refresh"), "simlib-reload")
        self.export_button = classed(w.Button(icon="download"), "simlib-export")
        self.status = classed(w.HTML(), "simlib-status")
        self.tables = classed(w.HTML(), "simlib-results")
        self.chart = classed(w.HTML(), "simlib-chart")
        self.reload_button.on_click(lambda _: self.reload())
        self.export_button.on_click(lambda _: self.export())
        self.widget = classed(w.VBox([self.toggle, w.HBox([self.folder, self.reload_button, self.export_button]),
                                       self.status, self.chart, self.tables]), "simlib-trainer")
        self.set_lang(self.lang)

    def reload(self) -> None:
        """Read the folder again and show the results (or what is wrong with a file)."""
        from pathlib import Path

        folder = Path(self.folder.value.strip() or session_folder())
        try:
            answers = load_session(folder)
        except InputError as exc:
            self.results, self.error = None, str(exc)
        else:
            self.results, self.error = results(answers), ""
            self.n_files = len(list(folder.glob("*.csv")))
        self.render()

    def export(self) -> list[str]:
        """Write the three tables into ``results/`` of the session folder; returns the paths shown."""
        from pathlib import Path

        if self.results is None or self.results.empty:
            return []
        paths = [shown_path(p) for p in export(self.results, Path(self.folder.value.strip()) / "results")]
        self.status.value += th.page(f"<p>{th.E(t('training.tr.exported', self.lang, paths=', '.join(paths)))}</p>")
        return paths

    def render(self) -> None:
        from pathlib import Path

        folder = shown_path(Path(self.folder.value.strip()))
        if self.error:
            self.status.value = th.page(f'<p class="bad">{th.E(self.error)}</p>')
            self.tables.value = self.chart.value = ""
            return
        res = self.results
        if res is None or res.empty:
            self.status.value = th.page(f"<p>{th.E(t('training.tr.empty', self.lang, path=folder))}</p>")
            self.tables.value = self.chart.value = ""
            return
        self.status.value = th.page("<p>" + th.E(t("training.tr.folder", self.lang, path=folder, files=self.n_files,
                                                   trainees=res.trainees, answers=len(res.answers))) + "</p>")
        self.chart.value = figure_html(th.clause_chart(res, self.lang))
        self.tables.value = th.trainer_html(res, self.lang)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.folder.description = t("training.tr.folder_label", lang)
        self.reload_button.description = t("training.tr.reload", lang)
        self.export_button.description = t("training.tr.export", lang)
        self.reload()
