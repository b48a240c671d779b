"""The training case bank: every case parses and cites existing clauses, every section has cases, every stored
key equals the key the auditor (or the rulebook) computes; scoring, draws, drill and export."""

from __future__ import annotations

import csv

import pytest

from simlib.i18n import catalogue
from simlib.rulebook import rulebook
from simlib.training.cases import SECTIONS, Session, bank, compute_key, feedback, pseudonym, read_answers

BANK = bank()
COMPUTED = [c for c in BANK.cases if c.computed]


def test_bank_size_and_sections() -> None:
    assert len(BANK.cases) >= 60
    counts = BANK.by_section()
    assert all(counts[s] >= 3 for s in SECTIONS), counts
    assert all(n > 0 for n in BANK.by_topic().values()), BANK.by_topic()
    assert {c.kind for c in BANK.cases} == {"single", "multiple", "date", "number", "truefalse"}
    assert len(COMPUTED) >= 40


def test_cases_cite_existing_clauses_and_are_bilingual() -> None:
    ids = set(rulebook().ids)
    for c in BANK.cases:
        assert c.clauses and set(c.clauses) <= ids, c.id
        assert c.prompt.zh.strip() and c.prompt.en.strip(), c.id
        assert c.explanation.zh.strip() and c.explanation.en.strip(), c.id
        assert all(o.zh.strip() and o.en.strip() for o in c.options), c.id


@pytest.mark.parametrize("case", COMPUTED, ids=[c.id for c in COMPUTED])
def test_stored_key_is_the_computed_key(case) -> None:
    assert compute_key(case) == case.key, f"{case.id}: stored {case.key!r}"


def test_a_changed_parameter_changes_a_computed_key() -> None:
    """The keys come from the rules: under day_zero=next_day the 15-day hand-in moves by one day."""
    case = BANK.case("s3-public-deadline")
    changed = case.model_copy(update={"situation": case.situation.model_copy(
        update={"params": {"day_zero": "next_day"}})})
    assert compute_key(changed) == "2005-03-17"


def test_feedback_cites_the_clause_with_its_chinese_text() -> None:
    case = BANK.case("s1-solo-no-consent")
    wrong = feedback(case, "b", "en")
    assert not wrong.correct and "Not correct" in wrong.verdict
    assert wrong.citations[0].clause == "1.3.c"
    assert rulebook().clause("1.3.c").zh in wrong.text("en")
    right = feedback(case, "a", "zh")
    assert right.correct and "回答正确" in right.verdict


def test_scoring_of_each_kind() -> None:
    s = Session(BANK, seed=1)
    assert s.answer("s1-overstay-days", "4").correct
    assert s.answer("s3-public-deadline", "2005-03-16").correct
    assert not s.answer("s3-public-deadline", "2005-03-17").correct
    assert s.answer("s2-approval-delegated", ["c", "a", "b"]).correct
    assert not s.answer("s2-approval-delegated", ["a"]).correct
    assert s.answer("s1-hk-macao", True).correct
    assert s.score() == (2, 4)  # the last attempt of each case counts
    assert "2.1.a" in s.missed_clauses()


def test_draws_are_reproducible_and_the_drill_favours_missed_clauses() -> None:
    a, b = Session(BANK, seed=42), Session(BANK, seed=42)
    assert [c.id for c in a.draw(10)] == [c.id for c in b.draw(10)]
    assert [c.id for c in a.draw(5)] == [c.id for c in b.draw(5)]
    assert [c.id for c in Session(BANK, seed=43).draw(10)] != [c.id for c in Session(BANK, seed=42).draw(10)]
    s = Session(BANK, seed=3)
    for cid in ("s3-public-deadline", "s3-public-day16"):
        s.answer(cid, "wrong")
    drilled = [c for _ in range(5) for c in s.drill(10)]
    share = sum("3.1.a" in c.clauses for c in drilled) / len(drilled)
    base = sum("3.1.a" in c.clauses for c in BANK.cases) / len(BANK.cases)
    assert share > 2 * base


def test_export_is_pseudonymous_and_read_back(tmp_path) -> None:
    s = Session(BANK, trainee="Zhang San", seed=0, session="s1")
    s.answer("s6-date", "2004-12-31")
    s.answer("s6-prevails", True)
    path = s.export_csv(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "Zhang San" not in text and pseudonym("Zhang San", "s1") in path.name
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["correct"] for r in rows] == ["True", "False"]
    assert not list(tmp_path.glob(".*.tmp"))
    table = read_answers(tmp_path)
    assert table["correct"].tolist() == [True, False]


def test_catalogue_keys_are_prefixed() -> None:
    from importlib import resources

    import yaml
    text = resources.files("simlib.i18n").joinpath("messages", "training.yaml").read_text(encoding="utf-8")
    keys = yaml.safe_load(text)
    assert all(k.startswith("training.") for k in keys)
    assert all(k in catalogue() for k in keys)
