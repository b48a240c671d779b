"""The changing organisation (issue 14): career moves as timed attributes, the registration work they give
(2.2.a), the registration_lag gap, postings as delegations of kind ``posted``, and leaders who abscond."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from model_worlds import tiny

from simlib.audit import audit
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.model import Model
from simlib.model.processes.personnel import MOVES
from simlib.pipeline.kpi import kpis
from simlib.scenario import preset

STATIC = {f"personnel.{move}_rate": 0.0 for move in MOVES}


@pytest.fixture(scope="module")
def moving() -> tuple[Model, EventLog]:
    """Three years of a 400-cadre world whose cadres move often."""
    m = Model(tiny(400, 3.0, **{"personnel.promotion_rate": 0.3, "personnel.retirement_rate": 0.1,
                                "personnel.security_entry_rate": 0.05}), seed=5).run()
    return m, m.log()


def test_moves_are_timed_attributes_of_the_cadres(moving: tuple[Model, EventLog]) -> None:
    m, log = moving
    changes = log.changes["cadre"]
    assert {"rank", "employment", "security_sensitive"} <= set(changes["field"])
    promoted = changes[changes["field"] == "rank"].iloc[0]
    before = log.value_at("cadre", "rank", [promoted["object_id"]], [promoted["time"] - pd.Timedelta(days=1)])
    after = log.value_at("cadre", "rank", [promoted["object_id"]], [promoted["time"]])
    assert after.iloc[0] == promoted["rank"] != before.iloc[0]
    last = changes[changes["field"] == "rank"].groupby("object_id")["rank"].last()  # the model's state now
    ranks = np.asarray(["section_or_below", "deputy_division", "division", "deputy_bureau", "bureau",
                        "ministerial_plus"])[m.org.rank]
    assert (pd.Series(ranks, index=m.org.cadre_ids.astype(str))[last.index].astype(str) == last.astype(str)).all()


def test_each_move_into_a_category_is_filed_and_each_move_out_withdrawn(moving: tuple[Model, EventLog]) -> None:
    m, log = moving
    entered, left = log.table("CategoryEntered"), log.table("CategoryLeft")
    assert len(entered) and len(left)
    registered = log.table("PSBRegistered")
    late = registered.merge(entered, on="cadre", suffixes=("", "_in"))
    assert (late["time"] >= late["time_in"]).any()  # filings that follow entries
    assert len(log.table("PSBDeregistered"))
    assert m.org.registrable.sum() == int(np.sum(m.org.registrable))  # kept up to date in place
    found = audit(log, m.params).table
    assert set(found.loc[found["clause"] == "2.2.a", "code"]) <= {"late", "missing", "dereg_late", "dereg_missing"}


def test_a_static_organisation_changes_nothing() -> None:
    log = Model(tiny(200, 2.0, **STATIC), seed=5).run().log()
    assert not len(log.changes_of("cadre"))
    assert not len(log.table("CategoryEntered")) and not len(log.table("CategoryLeft"))


def test_registration_lag_gap_leaves_promoted_cadres_unregistered() -> None:
    world = tiny(600, 4.0, **{"personnel.promotion_rate": 0.15})
    base = Model(world, seed=11).run()
    gap = Model(preset("registration_lag").apply(world), seed=11).run()
    k_base = kpis(base.log(), audit(base.log(), base.params))
    k_gap = kpis(gap.log(), audit(gap.log(), gap.params))
    assert k_gap["category_entries"] == k_base["category_entries"]  # the same careers (their own stream)
    assert k_gap["unregistered_cadre_days"] > 2 * k_base["unregistered_cadre_days"]
    assert k_gap["registration_lag_days"] > k_base["registration_lag_days"]
    assert k_gap["stale_cadre_days"] > k_base["stale_cadre_days"]
    assert k_gap["violations_2.2.a"] > k_base["violations_2.2.a"]


def _promoted_log(registered: str | None) -> EventLog:
    """Li is a section-level cadre when the log begins and is promoted into a leading 县处级 post on 1 June
    2006."""
    b = LogBuilder()
    b.add_object("unit", "u1", level="county", parent="", is_state_organ=True)
    b.add_object("cadre", "li", unit="u1", rank="section_or_below", is_party_member=True,
                 is_state_organ_staff=True, employment="in_service", is_leading_cadre=False)
    b.change("cadre", "li", "2006-06-01", rank="division", is_leading_cadre=True)
    if registered:
        b.add_event("PSBRegistered", registered, cadre="li")
    return b.build(end="2007-12-31")


def test_the_auditor_reads_the_category_at_the_time_of_the_promotion() -> None:
    assert not len(audit(_promoted_log("2006-07-01"), clauses=["2.2.a"]).table)
    late = audit(_promoted_log("2006-10-01"), clauses=["2.2.a"]).table
    assert list(late["code"]) == ["late"] and late["time"].iloc[0] == pd.Timestamp("2006-06-01")
    missing = audit(_promoted_log(None), clauses=["2.2.a"]).table
    assert list(missing["code"]) == ["missing"]


def test_postings_are_posted_institutions_whose_staff_and_heads_can_abscond() -> None:
    world = tiny(400, 4.0, **{"trips.posting_per_cadre_year": 0.2, "behaviour.non_return_public": 0.05,
                              "behaviour.coefficients.leader_factor": 2.0, "trips.public_per_cadre_year": 0.5})
    m = Model(world, seed=4).run()
    log = m.log()
    delegations = log.objects_of("delegation").set_index("object_id")
    posted = delegations.index[delegations["kind"].astype(str) == "posted"]
    assert len(posted) and (delegations["kind"].astype(str) == "temporary").any()
    requested = log.table("TripRequested")
    kinds = log.objects_of("trip").set_index("object_id")["kind"].astype(str)
    assert (requested.loc[requested["delegation"].isin(posted), "trip"].map(kinds) == "public_posted").all()
    found = audit(log, m.params)
    k = kpis(log, found)
    assert k["abscond_leader"] > 0 and k["abscond_posted"] > 0
    t = found.table
    f = t[(t["clause"] == "4.3.f") & t["code"].isin(["leader_missing", "leader_late"])]
    gone = pd.concat([log.table("Abscond"), log.table("Defection")])
    leaders = log.table("DelegationFormed").set_index("delegation")["leader"].astype(str)
    self_led = gone[gone["delegation"].map(leaders) == gone["cadre"].astype(str)]
    assert not set(self_led["cadre"].astype(str)) & set(f["cadre"].astype(str))
    assert not (t["clause"].eq("1.3.b") & t["delegation"].isin(posted)).any()


def test_leaders_never_abscond_at_leader_factor_zero() -> None:
    world = tiny(400, 3.0, **{"behaviour.non_return_public": 0.05, "behaviour.coefficients.leader_factor": 0.0})
    log = Model(world, seed=3).run().log()
    k = kpis(log, audit(log))
    assert k["abscond"] > 0 and k["abscond_leader"] == 0


def test_full_compliance_in_a_moving_organisation_yields_no_findings() -> None:
    """Every check that depends on who a cadre was at the time (rank, post, authority, category, registration)
    reads the timed attributes as the model acted on them: a compliant world with many career moves is clean."""
    world = tiny(800, 5.0, **{"personnel.promotion_rate": 4.0, "personnel.retirement_rate": 0.08,
                              "personnel.leading_exit_rate": 0.15, "personnel.security_entry_rate": 0.03,
                              "personnel.key_post_entry_rate": 0.1}).compliant()
    m = Model(world, seed=2).run()
    log = m.log()
    assert len(log.changes_of("cadre")) > 500 and len(log.table("PSBDeregistered"))
    found = audit(log, m.params)
    assert len(found) == 0, found.table.groupby(["clause", "code"]).size().to_string()


def test_one_move_a_month_even_for_a_unit_head_s_successor() -> None:
    """Heads retire every month and their successors are due other moves: no attribute changes twice at once
    (the log would refuse two values of one attribute at one time)."""
    world = tiny(300, 3.0, **{"personnel.retirement_rate": 1.0, "personnel.leading_exit_rate": 0.0,
                              "organisation.leading_share": 0.0, "personnel.leading_entry_rate": 1.0,
                              "personnel.promotion_rate": 0.0})
    for seed in range(4):
        changes = Model(world, seed=seed).run().log().changes_of("cadre")
        assert not changes.duplicated(["object_id", "field", "time"]).any()
