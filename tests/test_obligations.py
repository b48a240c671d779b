"""The obligations calculator agrees with the auditor: for each situation, a log in which the cadre does nothing
the notice asks (no education, report, hand-in …) is audited, and the auditor's findings name exactly the
obligations the calculator lists, with the same clauses and due dates."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from simlib.audit import audit
from simlib.rulebook import rulebook
from simlib.rulebook.model import Params
from simlib.training.cases import bank
from simlib.training.obligations import Obligation, Profile, Trip, obligations, table
from simlib.training.situation import build_log

PROFILES = {
    "party_division_leader": Profile(rank="division", leading=True),
    "party_clerk": Profile(),
    "non_party_division": Profile(party=False, rank="division", leading=True),
    "unit_leader": Profile(rank="division", leading=True, unit_leader=True),
    "soe_key_post": Profile(rank="deputy_division", state_organ_staff=False, key_post="finance"),
    "retired_bureau": Profile(rank="bureau", employment="retired"),
}
TRIPS = {
    "delegation": Trip("public_temporary", "2005-03-01", "2005-03-12", returned="2005-03-14"),
    "posting": Trip("public_posted", "2005-02-01", "2006-01-20", returned="2006-01-22",
                    new_document="2005-01-05"),
    "private_short": Trip("private", "2005-03-01", "2005-03-20", returned="2005-03-22",
                          new_document="2005-02-10"),
    "private_long": Trip("private", "2005-01-15", "2005-10-20", returned="2005-10-22"),
    "before_effect": Trip("private", "2004-11-01", "2004-12-20", returned="2004-12-22"),
}
# 2.1.c is about who approves: a log in which the cadre does nothing (no approval, or one by his managing body on
# the day he leaves) cannot breach it, so it is not compared
CLAUSES = ("1.1.a", "1.1.b", "1.2.a", "1.2.b", "1.3.b", "1.3.e", "2.1.a", "2.1.b", "2.1.d", "2.2.a",
           "2.3.c", "2.3.e", "2.3.f", "3.1.a", "3.2.a", "3.3.a")


def _cadre(p: Profile) -> dict:
    return {"unit": "county", "rank": p.rank, "is_party_member": p.party, "is_state_organ_staff": p.state_organ_staff,
            "employment": p.employment, "is_leading_cadre": p.leading, "is_unit_leader": p.unit_leader,
            "key_post": p.key_post, "security_sensitive": p.security_sensitive, "management_authority": "city"}


def do_nothing_log(p: Profile, trip: Trip, approved: bool):
    """The situation, and nothing the cadre owes: an approval only when ``approved`` (by his managing body, on
    the day he leaves)."""
    world = {k: v for k, v in bank().world.items() if k != "cadre"}
    doc = "p1" if trip.public else "q1"
    objects = {"cadre": {"x": _cadre(p)}, "trip": {"t1": {"kind": trip.kind}},
               "document": {doc: {"doc_type": "public_passport" if trip.public else "private_passport"}}}
    day = str
    events = []
    if trip.kind == "public_temporary":
        objects["delegation"] = {"d1": {"dispatching_unit": "county"}}
        events.append({"type": "DelegationFormed", "time": day(trip.exit - pd.Timedelta(days=10)),
                       "delegation": "d1", "leader": "x", "member": ["x"]})
    if trip.new_document is not None:
        new = doc if not trip.public else "q2"
        objects["document"][new] = {"doc_type": "private_passport"}
        events.append({"type": "DocIssued", "time": day(pd.Timestamp(trip.new_document)), "document": new,
                       "cadre": "x", "issuer": "psb"})
    if approved:
        events.append({"type": "TripApproved", "time": day(trip.exit), "trip": "t1", "cadre": "x", "approver": "city",
                       "approved_return": day(trip.approved_return)})
    events.append({"type": "Exit", "time": day(trip.exit), "trip": "t1", "cadre": "x", "document": doc})
    events.append({"type": "Entry", "time": day(trip.entry), "trip": "t1", "cadre": "x", "document": doc})
    end = day((trip.entry + pd.Timedelta(days=800)).date())
    return build_log({"objects": objects, "events": events, "end": end}, world)


def audited(p: Profile, trip: Trip, params: Params | None = None) -> set[tuple[str, str, bool]]:
    found = set()
    for approved in (False, True):
        table_ = audit(do_nothing_log(p, trip, approved), params, clauses=CLAUSES).table
        for row in table_.itertuples():
            when = row.deadline if pd.notna(row.deadline) else row.time
            found.add((row.clause, str(pd.Timestamp(when).date()), bool(row.by_reference)))
    return found


def calculated(obs: list[Obligation]) -> set[tuple[str, str, bool]]:
    return {(o.clause, str(o.due_date), o.by_reference) for o in obs
            if o.due is not None and o.judged and o.clause in CLAUSES}


@pytest.mark.parametrize(("who", "trip"), list(itertools.product(PROFILES, TRIPS)))
def test_calculator_and_auditor_agree(who: str, trip: str) -> None:
    p, tr = PROFILES[who], TRIPS[trip]
    assert calculated(obligations(p, tr)) == audited(p, tr)


def test_they_agree_under_other_options() -> None:
    """Working days, the next day as day 0, rolling quarters: the calculator follows the parameters."""
    params = rulebook().params.replace(day_count="working", day_zero="next_day", quarter_reading="rolling")
    p, tr = PROFILES["party_division_leader"], TRIPS["private_long"]
    obs = obligations(p, tr, params)
    assert calculated(obs) == audited(p, tr, params)
    assert calculated(obs) != calculated(obligations(p, tr))


def test_they_agree_when_any_part_of_a_quarter_abroad_counts() -> None:
    """quarter_reading any_part: a report in every calendar quarter with a day abroad, by both."""
    params = rulebook().params.replace(quarter_reading="any_part")
    p, tr = PROFILES["non_party_division"], TRIPS["private_short"]
    obs = obligations(p, tr, params)
    assert calculated(obs) == audited(p, tr, params)
    quarterly = [o for o in obs if o.clause == "2.3.c"]
    assert [(o.to, str(o.due_date)) for o in quarterly] == [("unit", "2005-03-22")]  # a non-Party cadre: his unit


def test_what_the_calculator_says() -> None:
    obs = obligations(PROFILES["party_division_leader"], TRIPS["delegation"])
    hand_in = next(o for o in obs if o.clause == "3.1.a")
    assert str(hand_in.due_date) == "2005-03-29" and hand_in.to == "issuer_designated"
    private = obligations(PROFILES["unit_leader"], TRIPS["private_short"])
    assert {o.to for o in private if o.clause == "3.2.a"} == {"one_level_up"}
    assert str(next(o for o in private if o.clause == "3.3.a").due_date) == "2005-04-01"
    non_party = obligations(PROFILES["non_party_division"], TRIPS["private_long"])
    assert "2.3.e" not in {o.clause for o in non_party}  # Party-only
    assert next(o for o in non_party if o.clause == "2.1.a").by_reference
    assert not next(o for o in non_party if o.clause == "2.2.a").by_reference  # binds non-Party staff directly
    assert not any(o.judged for o in obligations(PROFILES["party_clerk"], TRIPS["before_effect"]))
    for lang in ("zh", "en"):
        assert len(table(obs, lang)) == len(obs)
