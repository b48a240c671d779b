"""The rules walkthrough: every clause of the notice appears once, in the notice's order, with its text from the
rulebook; each rule's view says whom it binds, when, what, what follows and which parameters apply; Hong Kong and
Macao are shown as covered, from the clauses' own words."""

from __future__ import annotations

import html

import pytest

from simlib.audit import all_checks
from simlib.rulebook import rulebook
from simlib.training.walkthrough import SECTIONS, hk_macao_rules, rule_view, section, walkthrough
from simlib.views.training_html import rule_html, walkthrough_html

RB = rulebook()


def test_every_clause_once_in_the_notices_order() -> None:
    shown = [s.heading.id for s in walkthrough() if s.heading is not None]
    ids = []
    for sec in walkthrough():
        ids += [sec.heading.id] if sec.heading is not None else []
        for part in sec.parts:
            ids += [part.heading.id] if part.heading is not None else []
            ids += [r.id for r in part.rules]
    assert sorted(ids, key=RB.ids.index) == RB.ids and len(ids) == len(set(ids))
    assert [s.number for s in walkthrough()] == list(SECTIONS)
    assert shown == ["T", "1.0", "2.0", "3.0", "4.0"]
    assert [p.heading.id for p in section("1").parts] == ["1.1.0", "1.2.0", "1.3.0"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_carries_each_clauses_verbatim_text_and_translation(lang) -> None:
    page = html.unescape(walkthrough_html(lang))
    for clause in RB.clauses:
        assert clause.zh in page and clause.en in page, clause.id


def test_a_rule_view_is_built_from_the_rulebook_and_the_auditor() -> None:
    view = rule_view("3.1.a")
    assert view.is_rule and view.check is all_checks()["3.1.a"]
    assert [p.name for p in view.numbers] == ["public_doc_days"]
    assert view.severities == tuple(s for s in ("low", "medium", "high", "critical")
                                    if s in all_checks()["3.1.a"].codes.values())
    text = html.unescape(rule_html(view, "en"))
    for field in ("subject", "actor", "obligation", "sanction"):
        assert getattr(RB.clause("3.1.a"), field).get("en") in text
    for label in ("Whom it binds", "Who acts", "When", "What", "What follows if not", "Numbers the notice sets"):
        assert f"<th>{label}</th>" in text
    assert "public_doc_days = 15 days" in text


def test_assumptions_and_options_are_named_where_they_apply() -> None:
    text = html.unescape(rule_html(rule_view("2.3.f"), "zh"))
    param = RB.parameters["prompt_return_report_days"]
    assert "prompt_return_report_days" in text and param.doc.zh in text and "假设" in text
    assert "private_rules_apply_to_public" in rule_html(rule_view("2.1.d"), "en")  # an interpretation option


def test_clause_5_scope_is_the_auditors() -> None:
    assert rule_view("2.3.b").non_party == "not_bound"  # 不得以党员身份: Party members only
    assert rule_view("3.3.a").non_party == "direct"  # registered state-organ staff, Party or not
    assert rule_view("3.1.a").non_party == "by_reference"
    assert rule_view("1.1.c").non_party == ""  # not checked
    assert "参照执行（第五条）" in rule_html(rule_view("3.1.a"), "zh")


def test_hong_kong_and_macao_are_covered_from_the_clauses_own_words() -> None:
    ids = [r.id for r in hk_macao_rules()]
    assert "3.2.a" in ids and all("港澳" in r.clause.zh for r in hk_macao_rules())
    for lang, words in (("zh", "包括前往香港和澳门"), ("en", "includes going to Hong Kong and Macao")):
        page = html.unescape(walkthrough_html(lang))
        assert words in page and RB.clause("3.2.a").zh in page


def test_one_section_alone() -> None:
    page = walkthrough_html("en", ["6"], intro=False)
    assert "6.a" in page and "3.1.a" not in page and "Hong Kong" not in page
    with pytest.raises(KeyError):
        section("7")


def test_day_counting_options_are_stated_once_in_the_introduction() -> None:
    intro = walkthrough_html("en", [], intro=True)
    for name in ("day_count", "day_zero", "rest_day_rollover"):
        assert f"{name} = " in intro and f"{name} = " not in rule_html(rule_view("3.1.a"), "en")
