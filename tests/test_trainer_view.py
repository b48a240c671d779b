"""The trainer's view: a session folder's answer files read together; results per case, per clause and per
trainee from each trainee's last attempt; bad files named with the fix; the session-folder rule; export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simlib.errors import InputError
from simlib.training.cases import Session, bank, is_correct, pseudonym
from simlib.training.trainer import (
    example_session,
    export,
    load_session,
    results,
    session_folder,
    wrong_answer,
)
from simlib.views.training_apps import TrainerApp

BANK = bank()


def _session(folder, name: str, answers: list[tuple[str, bool]]) -> None:
    s = Session(BANK, trainee=name, session="day1")
    for cid, right in answers:
        case = BANK.case(cid)
        s.answer(cid, case.key if right else wrong_answer(case))
    s.export_csv(folder)


@pytest.fixture
def folder(tmp_path):
    _session(tmp_path, "Wang", [("s3-public-deadline", False), ("s3-public-deadline", True), ("s6-date", True)])
    _session(tmp_path, "Li", [("s3-public-deadline", False), ("s6-date", True), ("s5-by-reference", False)])
    _session(tmp_path, "Zhao", [("s3-public-deadline", True), ("s6-date", False)])
    return tmp_path


def test_results_per_case_clause_and_trainee(folder) -> None:
    res = results(load_session(folder))
    case = res.by_case.set_index("case")
    assert case.loc["s3-public-deadline", ["trainees", "answers", "right_first", "right_last", "wrong"]].tolist() \
        == [3, 4, 1, 2, 1]
    assert case.loc["s6-date", "wrong_share"] == pytest.approx(1 / 3)
    clause = res.by_clause.set_index("clause")
    # 3.1.a: cited by s3-public-deadline (Li wrong at last) and s5-by-reference (Li wrong): one trainee of three
    assert clause.loc["3.1.a", ["cases", "trainees", "wrong"]].tolist() == [2, 3, 1]
    assert clause.loc["5.a", "wrong_share"] == 1.0 and res.by_clause["clause"].iloc[0] == "5.a"  # most missed first
    shares = res.by_clause["wrong_share"].tolist()
    assert shares == sorted(shares, reverse=True)
    trainee = res.by_trainee.set_index("trainee")
    assert res.trainees == 3
    assert trainee.loc[pseudonym("Wang", "day1")].tolist() == [2, 2, ""]
    assert trainee.loc[pseudonym("Li", "day1")].tolist() == [1, 3, "3.1.a 5.a"]
    assert trainee.loc[pseudonym("Zhao", "day1")].tolist() == [1, 2, "6.a"]


def test_an_empty_folder_has_empty_results(tmp_path) -> None:
    res = results(load_session(tmp_path))
    assert res.empty and res.by_clause.empty and res.by_case.columns[0] == "case"


def test_a_foreign_file_is_named_with_the_fix(folder) -> None:
    (folder / "notes.csv").write_text("name,score\nWang,3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_session(folder)
    assert "notes.csv" in str(err.value) and "case" in err.value.field and err.value.fix
    app = TrainerApp(str(folder), lang="en")
    assert "notes.csv" in app.status.value and app.tables.value == ""


def test_the_session_folder_rule(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SIMLIB_SESSION_DIR", raising=False)
    assert session_folder().parts[-3:] == ("out", "training", "session")
    monkeypatch.setenv("SIMLIB_SESSION_DIR", str(tmp_path))
    assert session_folder() == tmp_path
    assert session_folder("elsewhere") == Path("elsewhere")


def test_export_writes_three_tables_outside_the_answer_files(folder) -> None:
    res = results(load_session(folder))
    paths = export(res, folder / "results")
    assert [p.name for p in paths] == ["results-by-clause.csv", "results-by-case.csv", "results-by-trainee.csv"]
    assert pd.read_csv(paths[0])["clause"].iloc[0] == "5.a"
    assert len(load_session(folder)) == 8  # the exports are not read back as answers


def test_the_app_shows_and_exports_in_both_languages(folder) -> None:
    app = TrainerApp(str(folder), lang="zh")
    assert "按条款" in app.tables.value and "3名学员，8条作答" in app.status.value and "<img" in app.chart.value
    app.set_lang("en")
    assert "By clause" in app.tables.value and "3 trainees" in app.status.value
    assert app.export() and (folder / "results" / "results-by-case.csv").is_file()


def test_the_example_session_is_seeded(tmp_path) -> None:
    example_session(tmp_path / "a")
    example_session(tmp_path / "b")
    a, b = (results(load_session(tmp_path / x)) for x in "ab")
    pd.testing.assert_frame_equal(a.by_clause, b.by_clause)
    assert a.trainees == 8 and set(a.by_case["case"]) == {c.id for c in Session(BANK, seed=2026).draw(10)}


def test_wrong_answer_is_wrong_for_every_case() -> None:
    assert not any(is_correct(c, wrong_answer(c)) for c in BANK.cases)
