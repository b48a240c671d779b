"""The rulebook: every clause of the notice, verbatim, and every number as a sourced parameter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from simlib.audit import all_checks
from simlib.cli.rules import clause_record, parameters_of, show_clause
from simlib.errors import InputError
from simlib.rulebook import notice_text, rulebook
from simlib.rulebook.model import read_rulebook

SHARED_NOTICE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "notice-2004.txt"
CHECKABLE = [
    "1.1.a", "1.1.b", "1.2.a", "1.2.b", "1.3.a", "1.3.b", "1.3.c", "1.3.d", "1.3.e", "1.3.f",
    "2.1.a", "2.1.b", "2.1.c", "2.1.d", "2.1.e", "2.2.a", "2.3.b", "2.3.c", "2.3.d", "2.3.e", "2.3.f",
    "3.1.a", "3.1.b", "3.2.a", "3.2.b", "3.2.c", "3.2.d", "3.3.a", "3.4.a", "3.5.a",
    "4.1.b", "4.1.c", "4.2.c", "4.2.d", "4.2.e", "4.2.f",
    "4.3.b", "4.3.c", "4.3.d", "4.3.e", "4.3.f", "4.3.g", "4.3.h", "4.3.i", "4.4.c", "4.4.d", "4.4.f", "4.4.g",
]


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_all_77_clauses_in_notice_order() -> None:
    ids = rulebook().ids
    assert len(ids) == 77 == len(set(ids))
    assert ids[:3] == ["T", "A", "P.1"] and ids[-3:] == ["5.a", "6.a", "6.b"]


def test_chinese_text_is_verbatim_and_covers_the_whole_notice() -> None:
    notice = _flat(notice_text())
    joined = ""
    for c in rulebook().clauses:
        assert _flat(c.zh) in notice, f"{c.id} is not verbatim"
        joined += _flat(c.zh)
    # every character of the notice body (after the title) belongs to some clause
    body = notice.replace("###", "")
    assert len(joined) >= len(body) - 2, "some sentence of the notice has no clause"


@pytest.mark.skipif(not SHARED_NOTICE.exists(), reason="shared/ seed not beside the checkout")
def test_packaged_notice_equals_the_seed() -> None:
    assert notice_text() == SHARED_NOTICE.read_text(encoding="utf-8")


def test_every_clause_has_english_and_kinds() -> None:
    for c in rulebook().clauses:
        assert c.en and c.kinds, c.id


def test_checkable_clauses_are_rules_and_each_has_a_check() -> None:
    rb = rulebook()
    for cid in CHECKABLE:
        assert "rule" in rb.clause(cid).kinds, cid
    assert sorted(all_checks()) == sorted(CHECKABLE)


def test_numbers_of_the_notice_are_parameters_citing_their_clause() -> None:
    p = rulebook().parameters
    pub = p["public_doc_days"]
    # the clause that sets the number first, then any other that reads it (4.3.h: a custody lapse before a non-return)
    assert (pub.value, pub.clauses[0], pub.kind) == (15, "3.1.a", "notice")
    assert (p["private_doc_days"].value, p["private_doc_days"].clauses[0]) == (10, "3.3.a")
    assert p["quarterly_report_months"].value == 3
    assert p["annual_report_deadline"].value == "03-31"
    assert str(p["effective_date"].value) == "2004-12-31"
    for name in ("public_doc_days", "private_doc_days", "quarterly_report_months", "annual_report_deadline"):
        assert str(p[name].effective_from) == "2004-12-31"


def test_vague_terms_are_flagged_assumptions_and_ambiguities_are_options() -> None:
    p = rulebook().parameters
    for name in ("prompt_return_report_days", "prompt_incident_days", "periodic_report_months",
                 "inspection_period_months", "recent_lookback_months", "doc_report_days"):
        assert p[name].kind == "assumption" and p[name].is_assumption, name
    for name in ("day_count", "day_zero", "quarter_reading", "private_custody", "county_division_includes_deputy",
                 "private_rules_apply_to_public", "branch_min_members", "first_annual_report_year"):
        assert p[name].kind == "option", name


def test_every_parameter_is_documented_and_its_default_is_allowed() -> None:
    rb = rulebook()
    for name, p in rb.parameters.items():
        assert p.doc.en and p.doc.zh and p.source, name
        assert p.check(p.value) == p.value, name
        for cid in p.clauses:
            rb.clause(cid)  # cites a real clause


def test_parameter_overrides_are_validated() -> None:
    params = rulebook().params
    assert params.replace(public_doc_days=20).public_doc_days == 20
    with pytest.raises(InputError, match="outside the range"):
        params.replace(public_doc_days=1000)
    with pytest.raises(InputError, match="not allowed"):
        params.replace(day_count="lunar")
    with pytest.raises(InputError, match="unknown parameter"):
        params.replace(nonsense=1)


def test_unknown_clause_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="simlib rules"):
        rulebook().clause("9.9.z")


def test_every_analysis_field_is_bilingual() -> None:
    for c in rulebook().clauses:
        for name in ("actor", "subject", "trigger", "obligation", "deadline", "sanction", "encoding"):
            field = getattr(c, name)
            assert (field.en is None) == (field.zh is None), f"{c.id}.{name}"


def test_rules_shows_every_parameter_a_clause_depends_on() -> None:
    """``simlib rules ID`` lists what parameters.yaml files under the clause and every parameter its check reads:
    3.2.d reads the issue date (the clean-up runs from issuance), and every clause the scope's 6.a and 5.a."""
    assert "issue_date" in [p.name for p in parameters_of("3.2.d")]
    for clause, chk in all_checks().items():
        listed = {p.name for p in parameters_of(clause)}
        assert set(chk.params) <= listed, clause
        assert {"effective_date", "non_party_by_reference"} <= listed, clause
    text = show_clause(rulebook().clause("3.1.a"), "en")
    assert "public_doc_recipient = any" in text and "rest_day_rollover = False" in text
    record = clause_record(rulebook().clause("4.3.g"), detail=True)
    assert "refusal_serious" in record["checks"][0]["params"]
    assert "refusal_serious" in [p["name"] for p in record["parameters"]]


def test_english_does_not_mislead_a_trainer() -> None:
    """Readings an English reader must not get wrong (issue 13): 出国（境） includes Hong Kong and Macao;
    不报告、不处理 is either failure; 擅自脱离组织 leaves the institution or delegation; 申领 is obtaining;
    通报 is a circular; 财政、金融部门 compile the flow of large funds and forex; 参照执行 is mutatis mutandis."""
    en = {c.id: c.en for c in rulebook().clauses}
    assert "Hong Kong and Macao" in en["T"] and "Hong Kong or Macao" in en["P.1"]
    assert "neither" not in en["4.3.h"] and "not reported or not dealt with" in en["4.3.h"]
    assert "leaves the institution or delegation" in en["4.3.f"]
    assert en["3.2.a"].startswith("(2) After obtaining") and "applying for" not in en["3.2.a"]
    assert "circulars (通报)" in en["4.4.d"]
    assert "Fiscal departments and financial regulators" in en["4.4.e"] and "flow of large funds" in en["4.4.e"]
    assert "mutatis mutandis" in en["5.a"]


@pytest.mark.parametrize(("clauses", "parameters", "where"), [
    ([{"id": "1.1"}], {}, "clauses[0].zh: missing"),
    ([], {"x": {"kind": "notice", "value": 1, "clauses": [], "doc": {}, "source": "s", "colour": 1}},
     "parameters.x.colour"),
    ([], {"x": {"kind": "guess", "value": 1, "clauses": [], "doc": {}, "source": "s"}}, "parameters.x.kind"),
    ([], {"x": {"kind": "notice", "value": 1, "range": [1], "clauses": [], "doc": {}, "source": "s"}},
     "parameters.x.range"),
    ([], {"x": {"kind": "notice", "value": 1, "clauses": "1.1", "doc": {}, "source": "s"}}, "parameters.x.clauses"),
    ([], {"x": {"kind": "notice", "value": 1, "clauses": [], "doc": {"fr": "?"}, "source": "s"}},
     "parameters.x.doc.fr"),
])
def test_a_malformed_rulebook_names_the_field(clauses: list, parameters: dict, where: str) -> None:
    with pytest.raises(ValueError, match=re.escape(where)):
        read_rulebook(clauses, parameters)


def test_the_rulebook_reads_its_values_typed() -> None:
    p = rulebook().parameters
    ranged = next(x for x in p.values() if x.range is not None)
    assert all(isinstance(b, float) for b in ranged.range) and isinstance(ranged.clauses, tuple)
    assert isinstance(p["effective_date"].value, dt.date)
    record = p["public_doc_days"].as_json()
    assert record["effective_from"] == p["public_doc_days"].effective_from.isoformat()
    assert isinstance(record["clauses"], list)
