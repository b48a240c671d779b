"""Checks for section 一 of the notice: public trips abroad (1.1–1.3)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simlib.audit.checks.section2 import below_applied_authority
from simlib.audit.context import DAYS, AuditContext
from simlib.audit.findings import Found
from simlib.audit.registry import check
from simlib.log.vocabulary import PUBLIC_TRIP_KINDS

TEMPORARY = ("public_temporary",)
TRIP_CADRE = ["trip", "cadre"]


def _before(ctx: AuditContext, exits: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """True where one of ``events`` for the same trip and cadre is recorded at or before the exit."""
    return ctx.last_before(exits, events, by=TRIP_CADRE).notna()


def _permitted(ctx: AuditContext, acts: pd.DataFrame, permits: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """True where a permission with the same ``by`` values precedes each act and follows the previous act:
    one permission covers one act."""
    given = ctx.last_before(acts, permits, by=by)
    previous = ctx.last_before(acts, acts, by=by, strict=True)
    return given.notna() & (previous.isna() | (given > previous))


@check("1.1.a", codes={"missing": "low"}, triggers=("Exit",))
def education_before_public_trip(ctx: AuditContext) -> Found:
    """A cadre going abroad on public business receives targeted education before leaving."""
    exits = ctx.departures(PUBLIC_TRIP_KINDS)
    return ctx.finding(exits[~_before(ctx, exits, ctx.t("Education"))], "missing")


@check("1.1.b", codes={"no_training": "medium", "no_talk": "medium"}, triggers=("Exit",))
def training_and_talk_before_public_trip(ctx: AuditContext) -> Found:
    """A cadre going abroad on public business attends pre-departure training and has a reminder talk
    first."""
    exits = ctx.departures(PUBLIC_TRIP_KINDS)
    return [
        ctx.finding(exits[~_before(ctx, exits, ctx.t("PreDepartureTraining"))], "no_training"),
        ctx.finding(exits[~_before(ctx, exits, ctx.t("ReminderTalk"))], "no_talk"),
    ]


@check("1.2.a", codes={"unapproved": "high", "ultra_vires": "high"}, triggers=("Exit",))
def public_trip_approved_within_authority(ctx: AuditContext) -> Found:
    """A public trip is approved before exit by a body at or above the level of the cadre's management
    authority (the authority tables of 1991 No. 8 and 1993 No. 23 were not found)."""
    exits = ctx.departures(PUBLIC_TRIP_KINDS)
    approvals = ctx.t("TripApproved")
    approved = ctx.last_before(exits, approvals, by=TRIP_CADRE)
    competent = _before(ctx, exits, approvals[~ctx.shared(below_applied_authority, "TripApproved")])
    ultra_vires = approved.notna() & ~competent
    return [
        ctx.finding(exits[approved.isna()], "unapproved"),
        ctx.finding(exits[ultra_vires], "ultra_vires", observed=approved[ultra_vires]),
    ]


@check("1.2.b", codes={"unapproved": "high"}, triggers=("Exit",), params=("county_division_includes_deputy",),
       existence_only=True)
def county_plus_public_trip_approved(ctx: AuditContext) -> Found:
    """A public trip of a cadre at county/division level or above when he leaves is approved before exit (1999
    No. 23 was not found, so only the approval's existence is checked)."""
    exits = ctx.departures(PUBLIC_TRIP_KINDS)
    exits = exits[ctx.attr_at(exits["cadre"], "county_plus", exits["time"]).eq(True)]
    return ctx.finding(exits[~_before(ctx, exits, ctx.t("TripApproved"))], "unapproved")


@check("1.3.a", codes={"late": "low", "missing": "medium"}, triggers=("Exit",),
       params=(*DAYS, "designation_grace_days"))
def posting_rules_issued(ctx: AuditContext) -> Found:
    """A unit posting cadres abroad issues management rules for them within ``designation_grace_days`` of the
    effective date or of its first posting, whichever is later."""
    posted = ctx.departures(("public_posted",))
    posted = posted.assign(unit=ctx.attr(posted["cadre"], "unit"))
    per_unit = posted.groupby(ctx.by_id(posted["unit"]))
    units = pd.DataFrame({"unit": per_unit["unit"].first(), "time": per_unit["time"].min().clip(lower=ctx.start)})
    units = units.reset_index(drop=True)
    limit = ctx.params.designation_grace_days
    done = ctx.earliest(units["unit"], ctx.t("PostingRulesIssued"), "unit")
    return ctx.timeliness(units, done, ctx.deadline(units["time"], limit), limit=limit)


@check("1.3.b", codes={"late": "medium", "missing": "medium", "wrong_type": "low"}, triggers=("DelegationFormed",),
       params=("branch_min_members",), party_only=True)
def temporary_party_organisation(ctx: AuditContext) -> Found:
    """A temporary delegation with Party members sets up a temporary Party branch — a Party group when it has
    fewer than ``branch_min_members`` Party members — by the time it leaves (an institution posted abroad, a
    delegation of kind ``posted``, is governed by its unit's posting rules instead: 1.3.a)."""
    formed = ctx.t("DelegationFormed")
    formed = formed[~ctx.attr(formed["delegation"], "kind", of="delegations").eq("posted").to_numpy()]
    members = ctx.links("DelegationFormed", "member").rename(columns={"object_id": "cadre"})
    people = ctx.concat([
        formed[["delegation", "time", "leader"]].rename(columns={"leader": "cadre"}),
        ctx.merge(formed[["event_id", "delegation", "time"]], members, on=["event_id"]).drop(columns="event_id"),
    ])
    people = ctx.unique(people, ["delegation", "cadre"])
    people = people.assign(
        left=ctx.first_after(people, ctx.on_trips(ctx.t("Exit"), TEMPORARY), by=["cadre"]),
        party=ctx.attr(people["cadre"], "is_party_member").eq(True),
    )
    per_delegation = people.groupby(ctx.by_id(people["delegation"]))
    groups = pd.DataFrame({"delegation": per_delegation["delegation"].first(), "time": per_delegation["left"].min(),
                           "n_party": per_delegation["party"].sum()}).reset_index(drop=True)
    groups = groups[groups["time"].notna() & (groups["n_party"] > 0)]
    orgs = ctx.t("TempPartyOrgFormed")
    done = ctx.earliest(groups["delegation"], orgs, "delegation")
    first_org = ctx.unique(orgs, ["delegation"]).set_index("delegation")
    org_type = ctx.lookup(groups["delegation"], first_org["org_type"])
    expected = groups["n_party"].ge(ctx.params.branch_min_members).map({True: "branch", False: "group"})
    wrong = org_type.notna() & (org_type.astype("str") != expected)
    return [
        ctx.timeliness(groups, done, groups["time"]),
        ctx.finding(groups[wrong], "wrong_type", limit=ctx.params.branch_min_members),
    ]


@check("1.3.c", codes={"no_consent": "medium", "not_leader": "medium"}, triggers=("SoloActivity",))
def solo_activity_with_consent(ctx: AuditContext) -> Found:
    """A member of a temporary delegation acts alone abroad only with the prior consent of the delegation's
    leader (团组领导同意): consent recorded as given by another member (``not_leader``) is none. Consent whose
    giver, or whose delegation's leader, is unrecorded is accepted."""
    solo = ctx.on_trips(ctx.t("SoloActivity"), TEMPORARY)
    consents = ctx.t("LeaderConsent")
    leaders = ctx.unique(ctx.t("DelegationFormed"), ["delegation"], keep="last").set_index("delegation")
    leader = ctx.lookup(consents["delegation"], leaders["leader"])
    by_leader = consents["leader"].isna() | leader.isna() | ctx.same(consents["leader"], leader)
    consented = _permitted(ctx, solo, consents, TRIP_CADRE)
    by_the_leader = _permitted(ctx, solo, consents[by_leader.to_numpy()], TRIP_CADRE)
    return [
        ctx.finding(solo[~consented], "no_consent"),
        ctx.finding(solo[consented & ~by_the_leader], "not_leader"),
    ]


@check("1.3.d", codes={"unauthorized": "medium"}, triggers=("RouteChange",))
def route_change_authorised(ctx: AuditContext) -> Found:
    """A temporary delegation changes its itinerary only after the change has been authorised."""
    changes = ctx.on_trips(ctx.t("RouteChange"), TEMPORARY)
    authorised = _permitted(ctx, changes, ctx.t("RouteChangeAuthorized"), ["trip"])
    return ctx.finding(changes[~authorised], "unauthorized")


@check("1.3.e", codes={"overstay": "high", "not_returned": "critical"}, triggers=("Exit",),
       params=(*DAYS, "non_return_grace_days"))
def stay_not_extended_without_authorisation(ctx: AuditContext) -> Found:
    """A member of a temporary delegation comes back by the approved return date, or by the new date of an
    extension authorised before it; one still abroad ``non_return_grace_days`` later has not returned."""
    exits = ctx.departures(TEMPORARY)
    approved = ctx.value_before(exits, ctx.t("TripApproved"), TRIP_CADRE, "approved_return")
    exits, approved = exits[approved.notna()], approved[approved.notna()]
    back = ctx.first_after(exits, ctx.t("Entry"), by=TRIP_CADRE)
    stays = exits.assign(time=approved.dt.normalize())
    day_end = stays["time"] + pd.Timedelta(days=1) - pd.Timedelta(milliseconds=1)
    extended = ctx.value_before(stays.assign(day_end=day_end), ctx.t("ExtensionAuthorized"), ["trip"],
                                "new_return", left_time="day_end").dt.normalize()
    allowed = extended.where(extended > stays["time"], stays["time"])
    overstay = back.notna() & (back.dt.normalize() > allowed)
    days = (back.dt.normalize() - allowed).dt.days
    grace = ctx.params.non_return_grace_days
    cutoff = ctx.deadline(allowed, grace)
    absent = back.isna() & ctx.due(cutoff)
    return [
        ctx.finding(stays[overstay], "overstay", deadline=allowed[overstay], observed=back[overstay],
                    days=days[overstay]),
        ctx.finding(stays[absent], "not_returned", deadline=cutoff[absent], limit=grace),
    ]


@check("1.3.f", codes={"unit_late": "medium", "unit_missing": "high",
                       "mfa_late": "medium", "mfa_missing": "high"}, triggers=("Incident",),
       params=(*DAYS, "prompt_incident_days"))
def important_matters_reported(ctx: AuditContext) -> Found:
    """An important matter during a public trip is reported promptly both to the dispatching unit and to the
    Ministry of Foreign Affairs."""
    incidents = ctx.on_trips(ctx.t("Incident"), PUBLIC_TRIP_KINDS)
    reports = ctx.t("IncidentReported")
    limit = ctx.params.prompt_incident_days
    deadline = ctx.deadline(incidents["time"], limit)
    return [
        ctx.timeliness(incidents, ctx.first_after(incidents, reports[reports["to"] == to], by=["trip"]),
                       deadline, limit=limit, codes=(f"{code}_late", f"{code}_missing"))
        for code, to in (("unit", "dispatching_unit"), ("mfa", "mfa"))
    ]
