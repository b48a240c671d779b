"""The training apps driven through their widgets' callbacks, as a trainee or trainer would: answer wrongly then
rightly, feedback citing the clause with its verbatim text, the score changing, answers saved, the drill, the
language switch; the calculator showing the auditor's obligations; the walkthrough by section."""

from __future__ import annotations

import html

import pytest

from simlib.rulebook import rulebook
from simlib.training.cases import bank, pseudonym, read_answers
from simlib.training.obligations import Profile, Trip, obligations
from simlib.training.trainer import wrong_answer
from simlib.views.training_apps import CalculatorApp, CaseApp, WalkthroughApp


def give(app: CaseApp, response) -> None:
    """Answer the case shown through its widget, as a click would."""
    if app.case.kind == "multiple":
        for box in app.answer.children:
            box.value = box.option in response
    elif app.case.kind in ("date", "number"):
        app.answer.value = str(response)
    else:
        app.answer.value = response


def classes(widget) -> list[str]:
    return list(widget._dom_classes)


@pytest.fixture
def app(tmp_path) -> CaseApp:
    return CaseApp(10, 2026, session_dir=str(tmp_path), session="t", lang="zh")


def test_the_widgets_carry_the_classes_of_the_contract(app) -> None:
    for widget, cls in ((app.toggle, "simlib-lang"), (app.trainee, "simlib-trainee"), (app.case_box, "simlib-case"),
                        (app.answer, "simlib-answer"), (app.submit_button, "simlib-submit"),
                        (app.feedback, "simlib-feedback"), (app.score, "simlib-score"),
                        (app.next_button, "simlib-next"), (app.drill_button, "simlib-drill")):
        assert cls in classes(widget)
    assert [label for label, _ in app.toggle.options] == ["中文", "English"]
    assert app.answer in app.case_box.children[1].children


def test_wrong_then_right_with_clause_text_score_and_save(app, tmp_path) -> None:
    case = app.case
    app.trainee.value = "Wang Fang"
    give(app, wrong_answer(case))
    app.submit_button.click()
    feedback = html.unescape(app.feedback.value)
    assert "回答不正确" in feedback and case.clauses[0] in feedback
    assert rulebook().clause(case.clauses[0]).zh in feedback  # the clause's verbatim Chinese
    assert "0 / 1" in app.score.value
    give(app, case.key)
    app.submit_button.click()
    assert "回答正确" in app.feedback.value and "1 / 1" in app.score.value
    saved = read_answers(tmp_path)
    assert saved["correct"].tolist() == [False, True] and saved["attempt"].tolist() == [1, 2]
    assert set(saved["trainee"]) == {pseudonym("Wang Fang", "t")} and "Wang" not in saved.to_csv()
    assert "Wang" not in app.status.value and pseudonym("Wang Fang", "t") in app.status.value


def test_no_answer_and_no_name(app, tmp_path) -> None:
    app.submit_button.click()
    assert "请先作答" in app.feedback.value and app.session.answers == []
    date_case = next(c for c in app.cases if c.kind == "date")
    app.index = app.cases.index(date_case)
    app._show()  # the round's date case is shown
    give(app, "next Tuesday")
    app.submit_button.click()
    assert "YYYY-MM-DD" in app.feedback.value and app.session.answers == []  # not a date: asked again, not scored
    give(app, app.case.key)
    app.submit_button.click()
    assert "1 / 1" in app.score.value and not list(tmp_path.glob("*.csv"))  # scored, not saved without a name
    assert "请先输入姓名" in app.status.value


def test_the_language_switch_re_renders_everything(app) -> None:
    case = app.case
    give(app, wrong_answer(case))
    app.submit()
    app.toggle.value = "en"
    assert app.lang == "en" and app.submit_button.description == "Check answer"
    assert case.prompt.en in html.unescape(app.prompt.value)
    feedback = html.unescape(app.feedback.value)
    assert "Not correct" in feedback and rulebook().clause(case.clauses[0]).zh in feedback
    assert "Score: 0 / 1" in app.score.value
    assert app.response() is not None  # the answer given survives the switch


def test_a_round_the_drill_and_reproducible_draws(tmp_path) -> None:
    a = CaseApp(10, 2026, session_dir=str(tmp_path), lang="en")
    b = CaseApp(10, 2026, session_dir=str(tmp_path), lang="en")
    assert [c.id for c in a.cases] == [c.id for c in b.cases] and len(a.cases) == 10
    missed = a.case
    for i in range(10):
        give(a, wrong_answer(a.case) if i == 0 else a.case.key)
        a.submit()
        a.next_button.click()
    assert a.case is None and "9 / 10" in a.score.value and "All cases" in a.prompt.value
    drilled = [c for _ in range(4) for c in a.drill(5)]
    share = sum(bool(set(c.clauses) & set(missed.clauses)) for c in drilled) / len(drilled)
    base = sum(bool(set(c.clauses) & set(missed.clauses)) for c in bank().cases) / len(bank().cases)
    assert share > base and a.case is not None


def test_the_calculator_shows_the_auditors_obligations() -> None:
    app = CalculatorApp("en")
    expected = obligations(app.profile(), app.trip())
    out = html.unescape(app.out.value)
    assert all(o.text("en") in out and str(o.due_date or "") in out for o in expected)
    app.kind.value = "public_temporary"
    public = obligations(app.profile(), app.trip())
    assert public != expected and "3.1.a" in app.out.value and public[-1].text("en") in html.unescape(app.out.value)
    app.toggle.value = "zh"
    assert "义务" in app.out.value and app.kind.description == "出行类别"
    app.back.value = app.depart.value.replace(year=app.depart.value.year - 1)
    assert "日期有误" in app.out.value


def test_the_calculator_starts_from_a_profile_and_trip() -> None:
    profile, trip = Profile(party=False, rank="bureau", leading=True), Trip("private", "2006-01-02", "2006-02-01")
    app = CalculatorApp("zh", profile, trip)
    assert app.profile() == profile and app.trip() == trip
    assert "参照执行" in app.out.value  # a non-Party cadre: clause 5 by reference


def test_the_walkthrough_app_by_section_in_both_languages() -> None:
    app = WalkthroughApp("zh", first="3")
    assert rulebook().clause("3.1.a").zh in html.unescape(app.body.value) and "1.2.a" not in app.body.value
    assert "simlib-hk-macao" in app.body.value  # every section reminds that 出国（境） covers Hong Kong and Macao
    app.picker.value = "P"
    assert "香港" in app.body.value  # the introduction: 出国（境） covers Hong Kong and Macao
    app.toggle.value = "en"
    assert "Title and preamble" in [label for label, _ in app.picker.options] and "Hong Kong" in app.body.value


def test_cases_and_trainer_share_the_session_folder_rule(monkeypatch, tmp_path) -> None:
    from simlib.views.training_apps import TrainerApp

    monkeypatch.setenv("SIMLIB_SESSION_DIR", str(tmp_path))
    app = CaseApp(3, 1, lang="en")
    app.trainee.value = "Li"
    give(app, app.case.key)
    app.submit()
    assert app.folder == tmp_path and len(list(tmp_path.glob("*.csv"))) == 1
    trainer = TrainerApp(lang="en")
    assert trainer.folder.value == str(tmp_path) and "1 trainees" in trainer.status.value
