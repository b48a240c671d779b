"""Section 4.3: case handling (a queue at each provincial discipline organ), sanctions, accountability,
pursuit and repatriation of fugitives, and publicity of typical cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.model.processes.units import YEAR_DAYS

if TYPE_CHECKING:
    from simlib.model.world import Model, Proc


def sanction_kind(m: Model, c: int) -> str:
    """Party discipline for Party members; government discipline for the others (clause 5)."""
    return "party" if m.org.party[c] else "admin"


def handle_case(m: Model, c: int, case: str, *, basis: str, serious: bool = False,
                crime: bool = False) -> Proc:
    """CaseOpened → wait for an investigator → Sanction (severe if serious, 4.3.c) → referral →
    conclusion → publicity of a typical case (4.3.i)."""
    m.emit("CaseOpened", case=case, cadre=m.cid(c))
    e, tm = m.sc.enforcement, m.sc.timing
    due = m.case_start.get(case, m.env.now) + tm.case_decided_share * m.params.case_days  # within the case period
    with m.case_desk(c).request() as req:
        yield req
        days = min(m.rng["cases"].exponential(e.case_days_mean), tm.case_work_max_share * m.params.case_days)
        yield m.env.timeout(max(tm.case_work_min_days, min(days, due - m.env.now)))
    if m.control("sanctions"):
        m.emit("Sanction", cadre=m.cid(c), case=case, kind=sanction_kind(m, c),
               severity="severe" if serious else "medium", basis=basis)
    if crime:
        m.emit("LegalReferral", cadre=m.cid(c), case=case)
    m.emit("CaseConcluded", case=case, cadre=m.cid(c))
    yield from publicise(m, case)


def publicise(m: Model, case: str) -> Proc:
    """Typical cases are circulated internally or reported publicly (4.3.i); each one deters."""
    if not m.cases[case]["typical"] or not m.control("publicity"):
        return
    tm = m.sc.timing
    yield m.env.timeout(m.rng["cases"].uniform(tm.publicity_days_min, tm.compliant_share * m.params.publicity_days))
    channel = "public" if m.rng["cases"].random() < 0.5 else "internal"
    m.emit("Publicity", case=case, channel=channel)
    m.note_publicity()


def criticise(m: Model, c: int, serious: bool = False) -> Proc:
    """Criticism-education for refusing to hand a document in (4.3.g); where the circumstances are serious
    (情节严重), Party or government discipline as well."""
    tm = m.sc.timing
    yield m.env.timeout(m.rng["cases"].uniform(tm.criticism_days_min, tm.criticism_days_max))
    if m.control("sanctions"):
        m.emit("Sanction", cadre=m.cid(c), kind="criticism_education", severity="light", basis="4.3.g")
        if serious:
            m.emit("Sanction", cadre=m.cid(c), kind=sanction_kind(m, c), severity="medium", basis="4.3.g")


def non_return_followup(m: Model, c: int, trip: str, case: str, back: float, *, leader: int | None = None,
                        unit: int | None = None, fled: bool = False) -> Proc:
    """After the approved return plus the grace period: NonReturnDeclared, the major report upward (4.2.e),
    revocation of documents, accountability (4.3.f, 4.3.h) and the case (4.3.b)."""
    p, tm = m.params, m.sc.timing
    yield m.wait_until(back + p.non_return_grace_days + m.rng["cases"].uniform(tm.non_return_declared_days_min,
                                                                               tm.non_return_declared_days_max))
    u = int(m.org.unit[c]) if unit is None else unit
    m.emit("NonReturnDeclared", cadre=m.cid(c), trip=trip, case=case)
    m.non_returns[int(m.org.unit[c]), m.date(m.env.now).year] += 1  # what the unit's annual report should say
    if not major_report(m, c, case, u):
        m.fail(trip, "major_report")
    revoke_documents(m, c)
    if m.control("accountability"):
        if leader is not None and leader != c:
            m.emit("Accountability", cadre=m.cid(leader), case=case, subject=m.cid(c),
                   role="delegation_leader", basis="4.3.f")
        if leader is not None:
            head = int(m.org.unit_head[u])
            if head >= 0 and head != c:
                m.emit("Accountability", cadre=m.cid(head), case=case, subject=m.cid(c),
                       role="dispatching_unit_head", basis="4.3.f")
        if m.trip_failures.get(trip):
            manager = int(m.org.unit_head[int(m.org.authority[c])])
            if manager >= 0 and manager != c:
                m.emit("Accountability", cadre=m.cid(manager), case=case, subject=m.cid(c), role="manager",
                       basis="4.3.h")
    yield from handle_case(m, c, case, basis="4.3.b", serious=fled or m.case_serious(case), crime=fled)


def major_report(m: Model, c: int, case: str | None, unit: int | None = None) -> bool:
    """The unit reports a major situation one level up (4.2.e); True if it did."""
    if not m.control("major_reports"):
        return False
    u = int(m.org.unit[c]) if unit is None else unit
    m.emit("MajorReport", unit=m.uid(u), recipient=m.uid(m.org.parent_or_self(u)), cadre=m.cid(c), case=case)
    return True


def revoke_documents(m: Model, c: int) -> None:
    """Documents of a cadre who does not return are revoked (3.1.b); the border sees it (public documents once
    their issuance data is uploaded, 4.4.d)."""
    if not m.control("revocation"):
        return
    for d in (int(m.public_doc[c]), int(m.private_doc[c]), int(m.hk_doc[c])):
        if d >= 0 and m.docs.valid[d] and m.docs.place[d] == "holder":
            issuer = m.agency("fao" if m.docs.public[d] else "psb", c)
            m.emit("DocRevoked", document=m.docs.ids[d], cadre=m.cid(c), issuer=issuer)
            void(m, d)


def void(m: Model, d: int) -> None:
    """The document no longer valid (revoked or cancelled); the border sees it if its issuer's data reached it
    (public documents: once uploaded, 4.4.d; private ones: public security's own data)."""
    m.docs.valid[d] = False
    m.docs.visible_invalid[d] = d in m.uploaded or not m.docs.public[d]


def start_pursuit(m: Model, c: int, case: str) -> Proc:
    """Pursuit and arrest by public security (4.3.d) once a crime is suspected; True if started."""
    if not m.control("pursuit"):
        return False
    tm = m.sc.timing
    yield m.env.timeout(m.rng["cases"].uniform(tm.pursuit_days_min, tm.pursuit_share * m.params.pursuit_days))
    if case not in m.pursued:
        m.pursued.add(case)
        m.emit("Pursuit", cadre=m.cid(c), agency=m.agency("psb", c), case=case)
    return True


def pursue(m: Model, c: int, case: str) -> Proc:
    """A fugitive abroad: pursuit (4.3.d), then repatriation at a hazard calibrated on Sky Net returns."""
    rate = m.sc.enforcement.repatriation_rate
    pursued = yield from start_pursuit(m, c, case)
    if not pursued:
        rate *= m.sc.enforcement.unpursued_factor
    if rate <= 0:
        return
    yield m.env.timeout(m.rng["cases"].exponential(YEAR_DAYS / rate))
    mode = ("extradited", "repatriated", "persuaded")[int(m.rng["cases"].integers(3))]
    m.emit("Repatriated", cadre=m.cid(c), case=case, mode=mode)
    m.gone[c] = False
    m.busy[c] = True  # in custody: no more trips
    yield from publicise(m, case)
