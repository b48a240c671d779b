"""Section 一 and 3.1: public trips — temporary delegations (临时出国（境）团组) and postings abroad
(派驻)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from simlib.model import behaviour
from simlib.model.processes import steps
from simlib.model.processes.cases import major_report, non_return_followup
from simlib.model.processes.units import YEAR_DAYS

if TYPE_CHECKING:
    from simlib.model.streams import Stream
    from simlib.model.world import Model, Proc


def delegations(m: Model) -> Proc:
    """Units send delegations abroad at random (Poisson) times, in proportion to their staff."""
    t = m.sc.trips
    rate = t.public_per_cadre_year * m.org.n / t.delegation_size_mean / YEAR_DAYS
    rng = m.rng["delegations"]
    if rate <= 0:
        return
    while True:
        yield m.env.timeout(rng.exponential(1.0 / rate))
        u = int(m.org.unit[int(rng.integers(m.org.n))])
        size = 1 + rng.poisson(max(0.0, t.delegation_size_mean - 1.0))
        members = pick_members(m, u, size, rng)
        if members:
            m.env.spawn(delegation_trip(m, u, members))


def postings(m: Model) -> Proc:
    """Postings to institutions abroad (1.3.a, 驻国（境）外机构): a head and staff of a prefecture-level or
    higher unit, posted together for a long stay."""
    t = m.sc.trips
    eligible = np.flatnonzero(m.org.unit_level[m.org.unit] >= 1)
    rate = t.posting_per_cadre_year * len(eligible) / t.posting_size_mean / YEAR_DAYS
    rng = m.rng["delegations"]
    if rate <= 0 or not len(eligible):
        return
    while True:
        yield m.env.timeout(rng.exponential(1.0 / rate))
        u = int(m.org.unit[eligible[int(rng.integers(len(eligible)))]])
        size = 1 + rng.poisson(t.posting_size_mean - 1.0) if t.posting_size_mean > 1.0 else 1
        members = pick_members(m, u, size, rng)
        if members:
            m.env.spawn(delegation_trip(m, u, members, posted=True))


def pick_members(m: Model, u: int, size: int, rng: Stream) -> list[int]:
    """Up to ``size`` available cadres of unit ``u``, drawn at random."""
    staff = m.org.members_of(u)
    if not len(staff):
        return []
    draw = staff[rng.choice(len(staff), size=min(len(staff), 3 * size))]
    return sorted(draw[m.available(draw)][:size].tolist())


@dataclass(frozen=True)
class Delegation:
    """A temporary delegation (临时出国（境）团组) — or the staff of an institution posted abroad (驻外机构) —
    once its members are approved, educated and trained."""

    id: str  # the delegation object (kind ``temporary`` or ``posted``)
    unit: int  # the dispatching unit
    leader: int
    members: tuple[int, ...]  # the members approved to go
    trips: dict[int, str]  # each member's trip
    educated: dict[int, bool]  # each member's education and reminder talk (1.1)
    back: float  # the approved return day
    supervised: bool = False  # a temporary Party organisation and discipline (1.3.b), or posting rules (1.3.a)
    posted: bool = False  # an institution posted abroad, its leader the head of the institution


def delegation_trip(m: Model, unit: int, members: list[int], posted: bool = False) -> Proc:
    """Apply → vetting and approval → education, training, reminder talk → delegation and temporary Party
    organisation → documents → exit → conduct abroad → entry → hand-in within 15 days."""
    t, tm, rng = m.sc.trips, m.sc.timing, m.rng["trips"]
    kind = "public_posted" if posted else "public_temporary"
    lead = tm.public_lead_min_days + rng.exponential(max(tm.lead_spread_min_days,
                                                         t.lead_days_mean - tm.public_lead_min_days))
    stay = t.posting_days_mean * rng.uniform(tm.posting_stay_factor_low, tm.posting_stay_factor_high) \
        if posted else tm.public_stay_min_days + rng.exponential(t.public_days_mean - tm.public_stay_min_days)
    depart = m.env.now + lead
    delegation = m.new_id("p" if posted else "d")
    m.rec.add_object("delegation", delegation, dispatching_unit=m.uid(unit), kind="posted" if posted else "temporary")
    with m.engaged(*members) as engagement:
        trips = {c: steps.request(m, c, kind, depart, depart + stay, delegation) for c in members}
        # 1.2: each member approved by the authority that manages the member
        procs = [m.env.process(steps.approve(m, c, trips[c], None, public=True)) for c in members]
        going = []
        for c, vetted in zip(members, procs, strict=True):  # wait until every member is vetted
            if (yield vetted):
                going.append(c)
        depart = max(depart, m.env.now)
        back = depart + stay + slack(m)  # the approved period allows for the next training session
        for c in going:
            steps.grant(m, c, trips[c], back)
        engagement.release(*(c for c in members if c not in going))
        if not going:
            return
        # 1.1: education and reminder talk for each member, centralised training for the group
        educated = {c: steps.educate(m, c, trips[c]) for c in going}
        yield from steps.train(m, going, trips)
        # 1.3.b: the delegation, its leader and its temporary Party branch or group
        group = Delegation(delegation, unit, steps.leader_of(m, going), tuple(going), trips, educated, back,
                           posted=posted)
        group = replace(group, supervised=form_delegation(m, group))
        yield m.wait_until(depart)
        docs = {c: steps.public_document(m, c, trips[c]) for c in going}
        abroad = [c for c in going if steps.cross_exit(m, c, trips[c], docs[c])]
        engagement.release(*(c for c in going if c not in abroad))
        if not abroad:
            return
        # conduct abroad (1.3.c–f), part-way through the stay
        yield m.env.timeout(stay * tm.conduct_at_share)
        stayed = conduct_abroad(m, group, abroad)
        engagement.keep(*stayed)  # they do not come back
        if not posted and group.leader in abroad and group.leader not in stayed:
            route_change(m, group, abroad)
        planned = m.env.now + stay * (1.0 - tm.conduct_at_share)
        coming = [c for c in abroad if c not in stayed]
        # a delegation comes back together, late if its leader lets it overstay; posted staff each on their own
        deciders = coming if posted else [group.leader]
        late = {c: bool(m.act(c, "overstay", detection=("delegation_discipline",), delegation=delegation))
                for c in deciders}
        homes = {c: back + rng.uniform(tm.public_overstay_days_min, tm.public_overstay_days_max) if late[c]
                 else planned for c in deciders}
        for c in sorted(coming, key=lambda c: homes[c if posted else group.leader]):
            yield m.wait_until(homes[c if posted else group.leader])
            steps.enter(m, c, trips[c], docs[c])
            engagement.release(c)
            steps.hand_in(m, c, docs[c], trips[c], public=True)


def slack(m: Model) -> float:
    """Days the approved period allows beyond the plan (a training session and the review queue)."""
    return m.sc.approval.training_interval_days + m.sc.timing.approval_slack_days


def form_delegation(m: Model, group: Delegation) -> bool:
    """DelegationFormed and, with a Party member on board, TempPartyOrgFormed (1.3.b); True if supervised. Posted
    staff are supervised under their unit's posting rules (1.3.a) instead."""
    m.emit("DelegationFormed", delegation=group.id, leader=m.cid(group.leader),
           member=[m.cid(c) for c in group.members], unit=m.uid(group.unit))
    if group.posted:
        return m.control("posting_rules")
    party = sum(bool(m.org.party[c]) for c in group.members)
    organised = False
    if party:
        if m.control("temp_party_org"):
            kind = "branch" if party >= m.params.branch_min_members else "group"
            m.emit("TempPartyOrgFormed", delegation=group.id, org_type=kind)
            organised = True
        else:
            for c in group.members:
                m.fail(group.trips[c], "temp_party_org")
    return organised and m.control("delegation_discipline")


def conduct_abroad(m: Model, group: Delegation, abroad: list[int]) -> set[int]:
    """Solo activity with or without consent (1.3.c), important matters (1.3.f), and absconding (4.3.f) of the
    members abroad — the leader too, at ``coefficients.leader_factor`` times a member's hazard. Returns those who
    stay abroad."""
    b = m.sc.behaviour
    stayed: set[int] = set()
    for c in abroad:
        trip = group.trips[c]
        solo = not group.posted and c != group.leader and m.act(c, "solo_activity", educated=group.educated[c],
                                                                 delegation=group.id)
        if solo:
            asks = not m.act(c, "solo_without_consent", detection=("delegation_discipline",),
                             educated=group.educated[c])
            if asks:
                m.emit("LeaderConsent", trip=trip, cadre=m.cid(c), delegation=group.id,
                       leader=m.cid(group.leader))
            m.emit("SoloActivity", trip=trip, cadre=m.cid(c), delegation=group.id,
                   end=m.env.now + m.sc.timing.solo_activity_days)
        p = behaviour.non_return(b.non_return_public, b.coefficients, risk=float(m.risk[c]),
                                 spouse_abroad=bool(m.spouse_abroad[c]), educated=group.educated[c],
                                 supervised=group.supervised, detection=m.strength("delegation_discipline"),
                                 sanction=m.strength("sanctions"), publicised=m.publicised())
        if c == group.leader:
            p *= b.coefficients.leader_factor
        if m.decide(c, "non_return", min(1.0, p), delegation=group.id):
            stayed.add(c)
            abscond(m, group, c, [x for x in abroad if x not in stayed])
        elif m.rng["trips"].random() < m.sc.trips.incident_rate:
            m.env.process(steps.report_incident(m, c, trip, "security", public=True, delegation=group.id))
    return stayed


def abscond(m: Model, group: Delegation, c: int, remaining: list[int]) -> None:
    """A member — or the leader — leaves the delegation or institution (出走) or defects (叛逃): the incident is
    reported (by the leader, or by the highest-ranked of the ``remaining`` members when the leader is the one
    who left) and followed up."""
    trip = group.trips[c]
    defects = m.rng["trips"].random() < m.sc.behaviour.defection_share
    case = m.new_case(serious=defects, security=defects)
    m.emit("Defection" if defects else "Abscond", cadre=m.cid(c), trip=trip, delegation=group.id, case=case)
    m.gone[c] = True
    reporter = group.leader if c != group.leader else (steps.leader_of(m, remaining) if remaining else None)
    if reporter is not None:
        m.env.process(missing_member(m, group, c, case, reporter))
    m.env.process(non_return_followup(m, c, trip, case, group.back, leader=group.leader, unit=group.unit))


def missing_member(m: Model, group: Delegation, c: int, case: str, reporter: int) -> Proc:
    """The leader (or, for a leader who left, the next in rank) reports the missing member (1.3.f); the
    dispatching unit reports upward (4.2.e)."""
    trip = group.trips[c]
    reported = yield from steps.report_incident(m, c, trip, "member_absconded", public=True,
                                                delegation=group.id, reporter=reporter)
    if reported:
        tm = m.sc.timing
        yield m.env.timeout(m.rng["cases"].uniform(tm.upward_report_days_min, tm.upward_report_days_max))
        if not major_report(m, c, case):
            m.fail(trip, "major_report")


def route_change(m: Model, group: Delegation, abroad: list[int]) -> None:
    """A change of itinerary (1.3.d), authorised first unless the leader goes ahead on his own."""
    if not m.act(group.leader, "route_change", delegation=group.id):
        return
    authorised = not m.act(group.leader, "unauthorised_route_change", detection=("delegation_discipline",))
    leg = m.destination()
    for c in abroad:
        if authorised:
            m.emit("RouteChangeAuthorized", trip=group.trips[c])
        m.emit("RouteChange", trip=group.trips[c], cadre=m.cid(c), delegation=group.id, leg=leg)
