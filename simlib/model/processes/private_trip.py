"""Section 二 and 3.2–3.3: private trips (因私出国（境）) and private documents — the private passport, and for
trips to Hong Kong and Macao the two-way permit (往来港澳通行证), each with its own report, custody and use."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from simlib.model import behaviour
from simlib.model.processes import steps
from simlib.model.processes.cases import non_return_followup
from simlib.model.processes.units import QUARTER_DAYS, SHORTEST_MONTH_DAYS, YEAR_DAYS
from simlib.model.world import DESTINATIONS

HK_MACAO = ("HK", "MO")
ELSEWHERE = tuple(x for x in DESTINATIONS if x not in HK_MACAO)

if TYPE_CHECKING:
    from simlib.model.world import Model, Proc


def private_trips(m: Model) -> Proc:
    """Cadres decide to travel privately at random (Poisson) times."""
    rate = m.sc.trips.private_per_cadre_year * m.org.n / YEAR_DAYS
    rng = m.rng["private"]
    if rate <= 0:
        return
    while True:
        yield m.env.timeout(rng.exponential(1.0 / rate))
        c = int(rng.integers(m.org.n))
        if not (m.busy[c] or m.gone[c] or m.removed[c]):  # a detained or dismissed cadre does not travel
            m.env.spawn(private_trip(m, c))


def obtain_document(m: Model, c: int, doc_type: str = "private_passport") -> Proc:
    """Apply to public security for a private passport (or a two-way HK/Macao permit), then report and register
    it (3.2.a/b). Returns the document index, or -1 if public security refuses (registered cadre barred or
    controlled)."""
    if m.exit_controlled[c] or (m.org.exit_banned[c] and m.registered[c]):
        return -1
    yield m.env.timeout(m.rng["documents"].exponential(m.sc.approval.doc_issue_days_mean))
    d = m.new_document(c, doc_type)
    m.emit("DocIssued", document=m.docs.ids[d], cadre=m.cid(c), issuer=m.agency("psb", c))
    if m.registered[c] and m.control("networked_db"):
        m.emit("DBRecord", document=m.docs.ids[d], cadre=m.cid(c), agency=m.agency("psb", c),
               record_kind="document")
    report_document(m, c, d)
    return d


def report_document(m: Model, c: int, d: int) -> None:
    """DocReportedRegistered with the unit's (or the upper level's) organisation-personnel department — for a
    two-way permit only where the unit manages permits (control hk_macao_documents)."""
    if m.act(c, "skip_doc_report", **steps.doc_terms(m, d, "document_reporting", "cleanup")):
        return
    if steps.is_permit(m, d) and not m.control("hk_macao_documents"):
        return  # the department registers passports only
    m.emit("DocReportedRegistered", document=m.docs.ids[d], cadre=m.cid(c), recipient=steps.report_body(m, c))
    m.docs.reported[d] = True


def private_trip(m: Model, c: int) -> Proc:
    """Report before the trip → approval by the management authority → exit → quarterly reports while
    abroad → entry → return report → custody within 10 days."""
    rng, tm = m.rng["private"], m.sc.timing
    lead, stay = plan(m)
    where = m.rng["hk_macao"]
    hk = where.random() < m.sc.trips.hk_macao_share  # to Hong Kong or Macao: on the two-way permit
    places = HK_MACAO if hk else ELSEWHERE
    destination = places[where.integers(len(places))]
    with m.engaged(c) as engagement:
        d = int((m.hk_doc if hk else m.private_doc)[c])
        if d < 0 or not m.docs.valid[d]:
            d = yield from obtain_document(m, c, "hk_macao_two_way_permit" if hk else "private_passport")
            if d < 0:
                return
        depart = m.env.now + lead
        in_hand = m.docs.place[d] == "holder"
        if m.act(c, "unapproved_private_trip", **steps.doc_terms(m, d, "private_approval", "private_custody"),
                 opportunity=in_hand):
            trip = m.new_trip(c, "private", destination)  # goes without asking anyone
            approved = False
            back = depart + stay
        else:
            trip = steps.request(m, c, "private", depart, depart + stay, destinations=destination)
            if not m.act(c, "skip_pre_trip_report", detection=("document_reporting",)):
                m.emit("PreTripReport", trip=trip, cadre=m.cid(c), recipient=steps.report_body(m, c))
            approved = yield from steps.approve(m, c, trip, None, public=False)
            if not approved:
                return
            depart = max(depart, m.env.now)
            back = depart + stay + tm.private_approval_slack_days
            steps.grant(m, c, trip, back)
        yield m.wait_until(depart)
        if int(back) - int(m.env.now) > m.params.membership_long_stay_days - tm.membership_margin_days \
                and m.org.party[c]:
            if m.control("membership_relations"):  # 2.3.e: Party relations handled before a long stay
                m.emit("MembershipRelationDecision", cadre=m.cid(c), trip=trip)
            else:
                m.fail(trip, "membership_relations")
        if not steps.private_checkout(m, c, d, trip, approved=approved) or not steps.cross_exit(m, c, trip, d):
            return
        # abroad: quarterly reports (2.3.c), no public activity as a Party member (2.3.b), important matters
        # (2.3.d)
        if m.org.party[c] and m.act(c, "party_public_activity", detection=("abroad_reporting",)):
            m.emit("PartyCapacityPublicActivity", trip=trip, cadre=m.cid(c))
        if rng.random() < m.sc.trips.incident_rate:
            m.env.process(steps.report_incident(m, c, trip, "illness", public=False))
        stays = stays_abroad(m, c, trip)
        late = not stays and m.act(c, "overstay", detection=("abroad_reporting",))
        until = back + rng.uniform(tm.private_overstay_days_min, tm.private_overstay_days_max) if late else \
            m.env.now + stay
        if stays:
            engagement.keep(c)  # he does not come back
            m.gone[c] = True
            case = m.new_case(serious=bool(m.rng["cases"].random() < m.sc.enforcement.serious_share))
            m.env.process(non_return_followup(m, c, trip, case, back))
            return
        for start, end in report_windows(m, m.env.now, until):
            earliest = start + tm.abroad_report_earliest_days
            yield m.wait_until(rng.uniform(earliest, max(earliest, end - tm.abroad_report_margin_days)))
            quarterly_report(m, c, trip)
        yield m.wait_until(until)
        steps.enter(m, c, trip, d)
        engagement.release(c)
        after_return(m, c, d, trip)


def plan(m: Model) -> tuple[float, float]:
    """Days until the planned departure, and the length of the stay (a few long stays)."""
    t, tm, rng = m.sc.trips, m.sc.timing, m.rng["private"]
    lead = tm.private_lead_min_days + rng.exponential(max(tm.lead_spread_min_days,
                                                          t.lead_days_mean - tm.private_lead_min_days))
    if rng.random() < t.long_stay_share:
        return lead, tm.long_stay_min_days + rng.exponential(t.long_stay_days_mean - tm.long_stay_min_days)
    return lead, tm.private_stay_min_days + rng.exponential(max(tm.private_stay_spread_min_days,
                                                                t.private_days_mean - tm.private_stay_min_days))


def stays_abroad(m: Model, c: int, trip: str) -> bool:
    """The cadre's decision not to come back (私自不归)."""
    b = m.sc.behaviour
    p = behaviour.non_return(b.non_return_private, b.coefficients, risk=float(m.risk[c]),
                             spouse_abroad=bool(m.spouse_abroad[c]), educated=False, supervised=False,
                             detection=m.strength("abroad_reporting", "registration"),
                             sanction=m.strength("sanctions"), publicised=m.publicised())
    return m.decide(c, "non_return", p, trip=trip)


def after_return(m: Model, c: int, d: int, trip: str) -> None:
    """The return report (2.3.f), and custody within 10 days for registered state-organ staff (3.3.a) of the
    private documents he holds (所持: the one he travelled on, and a passport or permit still in his hands) — of
    a two-way permit only where the unit manages permits (control hk_macao_documents)."""
    if not m.act(c, "skip_return_report", detection=("return_report",)):
        tm = m.sc.timing
        m.after(m.rng["reports"].uniform(tm.return_report_days_min,
                                         tm.compliant_share * m.params.prompt_return_report_days),
                m.emit, "ReturnReport", trip=trip, cadre=m.cid(c), recipient=m.unit_of(c))
    if not steps.in_custody_scope(m, c):
        return
    for x in dict.fromkeys((d, int(m.private_doc[c]), int(m.hk_doc[c]))):
        if x >= 0 and m.docs.place[x] == "holder" and (not steps.is_permit(m, x) or m.control("hk_macao_documents")):
            steps.hand_in(m, c, x, trip, public=False)


def quarterly_report(m: Model, c: int, trip: str) -> None:
    """AbroadStatusReport to the unit and to the unit's Party organisation (2.3.c) — unless skipped."""
    if m.act(c, "skip_quarterly_report", detection=("abroad_reporting",)):
        return
    u = m.unit_of(c)
    m.emit("AbroadStatusReport", trip=trip, cadre=m.cid(c), recipient=u, to="unit")
    m.emit("AbroadStatusReport", trip=trip, cadre=m.cid(c), recipient=u, to="party_org")


def report_windows(m: Model, start: float, end: float) -> list[tuple[float, float]]:
    """The reporting periods of 2.3.c lying wholly inside [start, end]: calendar quarters (or periods of
    ``quarterly_report_months``), or 91-day windows after exit (``quarter_reading``)."""
    months = int(m.params.quarterly_report_months)
    if end - start < SHORTEST_MONTH_DAYS * months:  # too short to hold a whole period
        return []
    if m.params.quarter_reading == "rolling":
        n = int((end - start) // QUARTER_DAYS)
        return [(start + QUARTER_DAYS * k, start + QUARTER_DAYS * (k + 1)) for k in range(n)]
    days = m.periods(months, end)
    first = bisect_right(days, start) - 1  # the period holding the start
    return [(max(s, start), e) for s, e in zip(days[first:], days[first + 1:], strict=False)
            if e <= end and s >= float(int(start))]  # a period starting on the day of exit counts
