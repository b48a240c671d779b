"""The delegation story (simlib.training.story): the trainee's decisions reach the model through its decider, and
the consequences are the auditor's findings on the log — not a script. Same seed and answers, same story."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from simlib.i18n import t
from simlib.rulebook import rulebook
from simlib.training.story import SCENES, Story
from simlib.views.story_app import StoryApp

SEED = 9  # a story whose compliant leader meets no incident the model decides for him (the world moved with issue 14)
COMPLIANT = {"solo": "consent", "route": "authorise", "return": "on_time", "report": "report", "passport": "hand_in",
             "demand": "hand_over"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def found(story_or_findings, clause: str, code: str | None = None, cadre: str | None = None) -> pd.DataFrame:
    f = story_or_findings.findings.table if isinstance(story_or_findings, Story) else story_or_findings.table
    hit = f["clause"] == clause
    if code:
        hit &= f["code"] == code
    if cadre:
        hit &= f["cadre"] == cadre
    return f[hit]


@pytest.fixture(scope="module")
def compliant() -> Story:
    """The leader keeps to the notice at every question."""
    return Story("leader", seed=SEED).play(COMPLIANT)


@pytest.fixture(scope="module")
def careless() -> Story:
    """The leader takes the choice that breaks the rule at every question."""
    return Story("leader", seed=SEED).play({s.key: s.choices[-1].key for s in SCENES["leader"] if s.choices})


def test_the_story_stops_at_the_first_question_of_the_delegation() -> None:
    s = Story("leader", seed=SEED)
    c = s.cast
    assert c.trainee == c.leader and c.companion in c.members and c.absconder in c.members
    assert len({c.trainee, c.companion, c.absconder}) == 3
    assert s.question is not None and s.question.scene.key == "solo"
    assert s.question.day >= c.formed
    opening = s.steps[0].events
    assert {"DelegationFormed", "Exit"} <= set(opening["type"])
    assert set(opening.loc[opening["type"] == "Exit", "cadre"]) == set(c.members)


def test_a_member_going_alone_without_consent_is_the_auditors_1_3_c_finding() -> None:
    s = Story("leader", seed=SEED)
    step = s.answer("look_away")
    assert len(found(step.findings, "1.3.c", "no_consent", s.cast.companion)) == 1
    solo = step.events[(step.events["type"] == "SoloActivity") & (step.events["cadre"] == s.cast.companion)]
    assert len(solo) == 1

    s = Story("leader", seed=SEED)
    step = s.answer("consent")  # the same request, with the leader's prior consent recorded
    assert found(step.findings, "1.3.c", cadre=s.cast.companion).empty
    consent = step.events[step.events["type"] == "LeaderConsent"]
    assert s.cast.companion in set(consent["cadre"])

    s = Story("leader", seed=SEED)
    step = s.answer("refuse")
    assert s.cast.companion not in set(step.events.loc[step.events["type"] == "SoloActivity", "cadre"])


def test_the_leaders_route_change_without_authorisation_is_1_3_d_for_every_member(compliant, careless) -> None:
    members = set(careless.cast.members)
    assert set(found(careless, "1.3.d", "unauthorized")["cadre"]) == members
    assert found(compliant, "1.3.d").empty
    assert "RouteChangeAuthorized" in set(compliant.events()["type"])


def test_a_member_who_does_not_come_back(compliant, careless) -> None:
    for s in (compliant, careless):
        c = s.cast
        ev = s.events()
        assert c.absconder in set(ev.loc[ev["type"].isin(("Abscond", "Defection")), "cadre"])
        assert c.absconder in set(ev.loc[ev["type"] == "NonReturnDeclared", "cadre"])
        acc = ev[ev["type"] == "Accountability"]
        leader = acc[acc["cadre"] == c.leader]
        assert len(leader) == 1 and "role=delegation_leader" in leader["detail"].iloc[0]
        assert "role=dispatching_unit_head" in " ".join(acc["detail"])
        assert len(found(s, "1.3.e", "not_returned", c.absconder)) == 1
    # the leader who waits instead of reporting: the auditor finds the missing reports to the unit and the MFA
    assert set(found(careless, "1.3.f", cadre=careless.cast.absconder)["code"]) == {"unit_missing", "mfa_missing"}
    assert found(compliant, "1.3.f").empty


def test_the_passport_kept_and_refused(compliant, careless) -> None:
    c = careless.cast
    assert set(found(careless, "3.1.a", cadre=c.trainee)["code"]) <= {"late", "missing"}
    assert len(found(careless, "3.1.a", cadre=c.trainee)) == 1
    ev = careless.events()
    assert c.trainee in set(ev.loc[ev["type"] == "Refusal", "cadre"])
    sanctions = ev[(ev["type"] == "Sanction") & (ev["cadre"] == c.trainee)]
    assert "kind=criticism_education" in " ".join(sanctions["detail"])
    assert found(compliant, "3.1.a", cadre=compliant.cast.trainee).empty
    assert c.trainee not in set(compliant.events().loc[lambda e: e["type"] == "Refusal", "cadre"])


def test_score_counts_the_answers_keeping_to_the_notice(compliant, careless) -> None:
    assert compliant.score() == (len(compliant.answers), len(compliant.answers))
    assert careless.score() == (0, len(careless.answers))
    assert compliant.finished and careless.finished


def test_a_member_who_stays_abroad_makes_the_leader_accountable() -> None:
    s = Story("member", seed=SEED).play({"solo_self": "stay", "stay_abroad": "stay"})
    c = s.cast
    assert c.trainee != c.leader and c.trainee in c.members
    ev = s.events()
    assert c.trainee in set(ev.loc[ev["type"].isin(("Abscond", "Defection")), "cadre"])
    acc = ev[(ev["type"] == "Accountability") & (ev["cadre"] == c.leader)]
    assert f"subject={c.trainee}" in " ".join(acc["detail"])
    assert len(found(s, "1.3.e", "not_returned", c.trainee)) == 1
    assert "passport" not in s.answers  # who does not come back hands nothing in


def test_same_seed_same_story(careless) -> None:
    again = Story("leader", seed=SEED).play(dict(careless.answers))
    pd.testing.assert_frame_equal(again.events(), careless.events())
    pd.testing.assert_frame_equal(again.findings.table, careless.findings.table)
    other = Story("leader", seed=SEED + 1)
    assert (other.cast.delegation, other.cast.members) != (careless.cast.delegation, careless.cast.members)


def test_both_languages_and_clear_errors() -> None:
    s = Story("leader", seed=SEED)
    q = s.question
    zh, en = q.prompt("zh"), q.prompt("en")
    assert CJK.search(zh) and not CJK.search(en) and s.cast.companion in zh and s.cast.companion in en
    for choice in q.choices:
        assert CJK.search(q.label(choice.key, "zh")) and not CJK.search(q.label(choice.key, "en"))
    with pytest.raises(ValueError, match="refuse, consent, look_away"):
        s.answer("nope")
    with pytest.raises(ValueError, match="leader, member"):
        Story("captain", seed=SEED)


def test_the_app_shows_the_finding_with_its_clause_and_the_verbatim_text() -> None:
    app = StoryApp("leader", seed=SEED, lang="zh")
    assert "1.3.c" not in app.findings.value
    assert [b.description for b in app.choices.children] == [
        t(f"story.choice.solo.{k}", "zh") for k in ("refuse", "consent", "look_away")]
    app.choose("look_away")
    assert "1.3.c" in app.findings.value
    assert rulebook().clause("1.3.c").zh in app.findings.value
    assert "0 / 1" in app.score.value
    app.set_lang("en")
    assert t("story.question", "en") in app.question.value
    assert rulebook().clause("1.3.c").en in app.findings.value
    assert [b.description for b in app.choices.children] == [
        t(f"story.choice.route.{k}", "en") for k in ("decline", "authorise", "just_go")]
