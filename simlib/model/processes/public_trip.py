"""Section 一 and 3.1: public trips — temporary delegations (临时出国（境）团组) and postings abroad
(派驻)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simlib.model import behaviour
from simlib.model.processes import steps
from simlib.model.processes.cases import major_report, non_return_followup

if TYPE_CHECKING:
    from simlib.model.streams import Stream
    from simlib.model.world import Model, Proc


def delegations(m: Model) -> Proc:
    """Units send delegations abroad at random (Poisson) times, in proportion to their staff."""
    t = m.sc.trips
    rate = t.public_per_cadre_year * m.org.n / t.delegation_size_mean / 365.25
    rng = m.rng["delegations"]
    if rate <= 0:
        return
    while True:
        yield m.env.timeout(rng.exponential(1.0 / rate))
        u = int(m.org.unit[int(rng.integers(m.org.n))])
        size = 1 + rng.poisson(max(0.0, t.delegation_size_mean - 1.0))
        members = pick_members(m, u, size, rng)
        if members:
            m.env.process(delegation_trip(m, u, members))


def postings(m: Model) -> Proc:
    """Postings to institutions abroad (1.3.a): one cadre of a prefecture-level or higher unit, long stay."""
    t = m.sc.trips
    eligible = np.flatnonzero(m.org.unit_level[m.org.unit] >= 1)
    rate = t.posting_per_cadre_year * len(eligible) / 365.25
    rng = m.rng["delegations"]
    if rate <= 0 or not len(eligible):
        return
    while True:
        yield m.env.timeout(rng.exponential(1.0 / rate))
        u = int(m.org.unit[eligible[int(rng.integers(len(eligible)))]])
        members = pick_members(m, u, 1, rng)
        if members:
            m.env.process(delegation_trip(m, u, members, posted=True))


def pick_members(m: Model, u: int, size: int, rng: Stream) -> list[int]:
    """Up to ``size`` available cadres of unit ``u``, drawn at random."""
    staff = m.org.members_of(u)
    if not len(staff):
        return []
    draw = staff[rng.choice(len(staff), size=min(len(staff), 3 * size))]
    return sorted(draw[m.available(draw)][:size].tolist())


def delegation_trip(m: Model, unit: int, members: list[int], posted: bool = False) -> Proc:
    """Apply → vetting and approval → education, training, reminder talk → delegation and temporary Party
    organisation → documents → exit → conduct abroad → entry → hand-in within 15 days."""
    t, rng = m.sc.trips, m.rng["trips"]
    kind = "public_posted" if posted else "public_temporary"
    lead = 14.0 + rng.exponential(max(1.0, t.lead_days_mean - 14.0))
    stay = t.posting_days_mean * rng.uniform(0.6, 1.4) if posted else \
        2.0 + rng.exponential(t.public_days_mean - 2.0)
    depart = m.now + lead
    delegation = None if posted else m.new_id("d")
    if delegation:
        m.rec.add_object("delegation", delegation, dispatching_unit=m.uid(unit))
    trips = {c: steps.request(m, c, kind, depart, depart + stay, delegation) for c in members}
    # 1.2: each member approved by the authority that manages the member
    procs = [m.env.process(steps.approve(m, c, trips[c], None, public=True)) for c in members]
    going = []
    for c, vetted in zip(members, procs, strict=True):  # wait until every member is vetted
        if (yield vetted):
            going.append(c)
    depart = max(depart, m.now)
    back = depart + stay + slack(m)  # the approved period allows for the next training session
    for c in going:
        steps.grant(m, c, trips[c], back)
    for c in members:
        if c not in going:
            m.busy[c] = False
    if not going:
        return
    # 1.1: education and reminder talk for each member, centralised training for the group
    educated = {c: steps.educate(m, c, trips[c]) for c in going}
    yield from steps.train(m, going, trips)
    # 1.3.b: the delegation, its leader and its temporary Party branch or group
    leader = steps.leader_of(m, going)
    supervised = form_delegation(m, delegation, unit, leader, going, trips) if delegation else \
        m.control("posting_rules")
    yield m.wait_until(depart)
    docs = {c: steps.public_document(m, c, trips[c]) for c in going}
    abroad = [c for c in going if steps.cross_exit(m, c, trips[c], docs[c])]
    for c in going:
        if c not in abroad:
            m.busy[c] = False
    if not abroad:
        return
    # conduct abroad (1.3.c–f), half-way through the stay
    yield m.env.timeout(stay / 2.0)
    stayed = conduct_abroad(m, abroad, leader, trips, delegation, unit, educated, bool(supervised), back)
    if delegation and leader in abroad and leader not in stayed:
        route_change(m, leader, abroad, trips, delegation)
    late = bool(m.act(leader, "overstay", detection=("delegation_discipline",), delegation=delegation))
    home = back + rng.uniform(2.0, 12.0) if late else m.now + stay / 2.0
    yield m.wait_until(home)
    for c in abroad:
        if c in stayed:
            continue
        steps.enter(m, c, trips[c], docs[c])
        m.busy[c] = False
        steps.hand_in(m, c, docs[c], trips[c], public=True)


def slack(m: Model) -> float:
    """Days the approved period allows beyond the plan (a training session and the review queue)."""
    return m.sc.approval.training_interval_days + 7.0


def form_delegation(m: Model, delegation: str, unit: int, leader: int, members: list[int],
                    trips: dict[int, str]) -> bool:
    """DelegationFormed and, with a Party member on board, TempPartyOrgFormed (1.3.b); True if supervised."""
    m.emit("DelegationFormed", delegation=delegation, leader=m.cid(leader),
           member=[m.cid(c) for c in members], unit=m.uid(unit))
    party = sum(bool(m.org.party[c]) for c in members)
    organised = False
    if party:
        if m.control("temp_party_org"):
            kind = "branch" if party >= m.params.branch_min_members else "group"
            m.emit("TempPartyOrgFormed", delegation=delegation, org_type=kind)
            organised = True
        else:
            for c in members:
                m.fail(trips[c], "temp_party_org")
    return organised and m.control("delegation_discipline")


def conduct_abroad(m: Model, abroad: list[int], leader: int, trips: dict[int, str], delegation: str | None,
                   unit: int, educated: dict[int, bool], supervised: bool, back: float) -> set[int]:
    """Solo activity with or without consent (1.3.c), important matters (1.3.f), and absconding (4.3.f).
    Returns the members who stay abroad."""
    b = m.sc.behaviour
    stayed: set[int] = set()
    for c in abroad:
        trip = trips[c]
        solo = delegation and c != leader and m.act(c, "solo_activity", educated=educated[c],
                                                     delegation=delegation)
        if solo:
            asks = not m.act(c, "solo_without_consent", detection=("delegation_discipline",),
                             educated=educated[c])
            if asks:
                m.emit("LeaderConsent", trip=trip, cadre=m.cid(c), delegation=delegation,
                       leader=m.cid(leader))
            m.emit("SoloActivity", trip=trip, cadre=m.cid(c), delegation=delegation, end=m.now + 0.3)
        p = behaviour.non_return(b.non_return_public, b.coefficients, risk=float(m.risk[c]),
                                 spouse_abroad=bool(m.spouse_abroad[c]), educated=educated[c],
                                 supervised=supervised, detection=m.strength("delegation_discipline"),
                                 sanction=m.strength("sanctions"), publicised=m.publicised())
        if c != leader and m.decide(c, "non_return", p, delegation=delegation):
            stayed.add(c)
            abscond(m, c, trip, delegation, leader, unit, back)
        elif m.rng["trips"].random() < m.sc.trips.incident_rate:
            m.env.process(steps.report_incident(m, c, trip, "security", public=True, delegation=delegation))
    return stayed


def abscond(m: Model, c: int, trip: str, delegation: str | None, leader: int, unit: int, back: float) -> None:
    """A member leaves the delegation (出走) or defects (叛逃): the incident is reported and followed
    up."""
    defects = m.rng["trips"].random() < m.sc.behaviour.defection_share
    case = m.new_case(serious=defects, security=defects)
    m.emit("Defection" if defects else "Abscond", cadre=m.cid(c), trip=trip, delegation=delegation, case=case)
    m.gone[c] = True
    m.env.process(missing_member(m, c, trip, case, delegation, leader))
    m.env.process(non_return_followup(m, c, trip, case, back, leader=leader, unit=unit))


def missing_member(m: Model, c: int, trip: str, case: str, delegation: str | None, leader: int) -> Proc:
    """The leader reports the missing member (1.3.f); the dispatching unit reports upward (4.2.e)."""
    reported = yield from steps.report_incident(m, c, trip, "member_absconded", public=True,
                                                delegation=delegation, reporter=leader)
    if reported:
        yield m.env.timeout(m.rng["cases"].uniform(0.05, 0.5))
        if not major_report(m, c, case):
            m.fail(trip, "major_report")


def route_change(m: Model, leader: int, abroad: list[int], trips: dict[int, str], delegation: str) -> None:
    """A change of itinerary (1.3.d), authorised first unless the leader goes ahead on his own."""
    if not m.act(leader, "route_change", delegation=delegation):
        return
    authorised = not m.act(leader, "unauthorised_route_change", detection=("delegation_discipline",))
    leg = m.destination()
    for c in abroad:
        if authorised:
            m.emit("RouteChangeAuthorized", trip=trips[c])
        m.emit("RouteChange", trip=trips[c], cadre=m.cid(c), delegation=delegation, leg=leg)
