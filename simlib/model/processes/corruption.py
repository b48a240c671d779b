"""Monitoring (1.1.c), finance alerts (4.4.e), investigations, sharing the suspicion (4.4.c), exit control
(4.4.f–g), flight (P.3) and flight on a forged, altered or bought document (4.3.e)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simlib.model import behaviour
from simlib.model.processes import steps
from simlib.model.processes.cases import handle_case, major_report, non_return_followup, pursue, start_pursuit
from simlib.model.processes.units import MONTHS_PER_YEAR, YEAR_DAYS

if TYPE_CHECKING:
    from simlib.model.world import Model, Proc

COVERT = ("monitoring", "finance", "vetting")
DENIAL_CONTROL = {"integrity": "vetting", "fraud": "vetting", "suspected": "approval",
                  "exit_banned": "approval"}
FALSE_DOCUMENTS = {"forged": "forged_doc", "altered": "altered_doc", "bought": "traded_doc"}  # provenance -> fraud


def monitoring(m: Model) -> Proc:
    """Units track cadres' state of mind (1.1.c): each month some at-risk cadres show a risk signal."""
    rng = m.rng["monitoring"]
    e = m.sc.enforcement
    monthly = e.monitoring_detect / MONTHS_PER_YEAR
    while True:
        yield m.env.timeout(YEAR_DAYS / MONTHS_PER_YEAR)
        risky = (m.risk > e.monitoring_risk_threshold) | m.spouse_abroad | (m.funds > 0)
        at_risk = np.flatnonzero(risky & ~m.gone & ~m.removed)
        hits = at_risk[rng.random(len(at_risk)) < monthly]
        for c in hits:
            if m.control("monitoring"):
                m.env.process(risk_signal(m, int(c)))


def risk_signal(m: Model, c: int) -> Proc:
    """RiskSignal → PreemptiveMeasure (a talk that lowers the risk; a referral if something is found)."""
    m.emit("RiskSignal", cadre=m.cid(c), kind="ideological")
    tm = m.sc.timing
    yield m.env.timeout(m.rng["monitoring"].uniform(tm.risk_response_days_min,
                                                    tm.compliant_share * m.params.risk_response_days))
    m.emit("PreemptiveMeasure", cadre=m.cid(c), kind="talk")
    e = m.sc.enforcement
    m.risk[c] *= e.talk_risk_factor
    if m.funds[c] > 0 and m.rng["monitoring"].random() < e.monitoring_referral:
        suspect(m, c, "monitoring")


def corrupt_career(m: Model, c: int) -> Proc:
    """A cadre with illicit funds moves money abroad bit by bit (finance alerts, 4.4.e) until an investigation
    begins."""
    e, rng = m.sc.enforcement, m.rng["corruption"]
    if e.investigation_rate <= 0:
        return
    t_invest = m.env.now + rng.exponential(YEAR_DAYS / e.investigation_rate)
    while True:
        gap = rng.exponential(m.sc.timing.transfer_interval_days_mean)
        if m.env.now + gap >= t_invest:
            break
        yield m.env.timeout(gap)
        if m.investigated[c] or m.gone[c] or m.removed[c]:
            return
        amount = float(m.funds[c] * rng.uniform(0.05, 0.2))
        if m.control("finance_monitoring") and m.rng["finance"].random() < e.finance_detect:
            m.emit("FundsAlert", cadre=m.cid(c), amount=round(amount, 3))
            m.alerted[c] = True
            suspect(m, c, "finance")
            return
    yield m.wait_until(t_invest)
    if not (m.investigated[c] or m.gone[c] or m.removed[c]):
        suspect(m, c, "investigation")


def suspect(m: Model, c: int, source: str) -> None:
    """Start an investigation of cadre c (once)."""
    if m.investigated[c]:
        return
    m.investigated[c] = True
    serious = bool(m.rng["cases"].random() < m.sc.enforcement.serious_share)
    case = m.new_case(crime=True, serious=serious)
    covert = source in COVERT  # found by monitoring, finance analysis or vetting: the cadre learns later
    m.env.process(investigation(m, c, case, covert))


def investigation(m: Model, c: int, case: str, covert: bool = False) -> Proc:
    """Preliminary check → SuspectedViolation → exit-control recommendation (4.4.f) → PSB exit control
    (4.4.g) → the case. Meanwhile the cadre may sense it and try to flee."""
    e, tm = m.sc.enforcement, m.sc.timing
    m.env.process(senses(m, c, case, e.covert_leak_factor if covert else 1.0))
    yield m.env.timeout(m.rng["cases"].uniform(0.0, e.preliminary_days_max))
    if m.gone[c]:
        return
    m.emit("SuspectedViolation", cadre=m.cid(c), agency=m.agency("discipline", c), case=case)
    m.suspected_at[c] = m.env.now
    steps.share_suspicion(m, c)
    m.case_start[case] = m.env.now
    m.env.process(start_pursuit(m, c, case))
    if m.control("exit_control_recommendation"):
        yield m.env.timeout(m.rng["cases"].uniform(0.0, tm.compliant_share * m.params.exit_control_days))
        m.emit("ExitControlRecommended", cadre=m.cid(c), agency=m.agency("discipline", c),
               recipient=m.agency("psb", c))
        if m.control("psb_exit_control"):
            lag = 0.0 if m.control("coordination") else m.sc.enforcement.paper_latency_days
            yield m.env.timeout(lag + m.rng["cases"].uniform(0.0, tm.compliant_share * m.params.psb_days))
            m.emit("ExitControlImposed", cadre=m.cid(c), agency=m.agency("psb", c))
            m.exit_controlled[c] = True
    yield m.env.timeout(m.rng["cases"].uniform(tm.removal_days_min, tm.removal_days_max))
    if m.gone[c]:
        return  # fled: the fugitive's case follows the non-return
    m.removed[c] = True
    yield from handle_case(m, c, case, basis="4.3.a", serious=m.case_serious(case), crime=True)
    m.funds[c] = 0.0


def senses(m: Model, c: int, case: str, slower: float = 1.0) -> Proc:
    """The cadre senses the investigation closing in and may attempt flight."""
    yield m.env.timeout(m.rng["corruption"].exponential(m.sc.enforcement.leak_days_mean * slower))
    tm = m.sc.timing
    for _ in range(tm.flight_wait_checks):  # abroad or in the middle of a trip: wait until back home
        if not m.busy[c] or m.gone[c]:
            break
        yield m.env.timeout(tm.flight_wait_days)
    if m.gone[c] or m.removed[c]:
        return
    b = m.sc.behaviour
    has_doc = usable_document(m, c) >= 0
    p = behaviour.flight(b.flight_propensity, b.coefficients, funds=float(m.funds[c]),
                         funds_mean=b.funds_mean,
                         spouse_abroad=bool(m.spouse_abroad[c]),
                         exit_control=m.strength("exit_control_recommendation", "psb_exit_control"),
                         sanction=m.strength("sanctions"), publicised=m.publicised(), has_document=has_doc)
    if m.decide(c, "flight", p, case=case, has_document=has_doc, funds=float(m.funds[c])):
        yield from attempt_flight(m, c, case)


def usable_document(m: Model, c: int) -> int:
    """A travel document the cadre holds in hand (valid ones first) — a passport, a two-way HK/Macao permit or a
    residency document of 3.5.a — or -1."""
    held = [int(d) for d in (m.private_doc[c], m.public_doc[c], m.hk_doc[c], m.residency_doc[c])
            if d >= 0 and m.docs.place[int(d)] == "holder"]
    held.sort(key=lambda d: not m.docs.valid[d])
    return held[0] if held else -1


def in_custody(m: Model, c: int) -> int:
    """A valid private document of the cadre's (passport, else two-way permit) in unit custody, or -1."""
    for d in (int(m.private_doc[c]), int(m.hk_doc[c])):
        if d >= 0 and m.docs.valid[d] and m.docs.place[d] == "unit":
            return d
    return -1


def attempt_flight(m: Model, c: int, case: str) -> Proc:
    """Flight with illicit funds: get a usable document (in hand, out of custody on a sham trip, or newly
    issued), then cross the border — or be stopped, and by which control; once stopped, perhaps try again on a
    false document (:func:`false_document_flight`)."""
    m.busy[c] = True  # a suspect on the run: never free for a trip again
    d, trip, back = yield from travel_document(m, c)
    if d >= 0:
        if trip is None:
            trip = m.new_trip(c, "private")
        if steps.cross_exit(m, c, trip, d):
            flee(m, c, case, trip, d, back)
            return
    yield from false_document_flight(m, c, case)


def travel_document(m: Model, c: int) -> Proc:
    """The document a suspect will leave on, with the trip it came out of custody for and its planned return:
    ``(document, trip or None, back)``, or document -1 when he is stopped (ExitBlocked recorded)."""
    tm = m.sc.timing
    d = usable_document(m, c)
    if d >= 0:
        return d, None, m.env.now
    p = in_custody(m, c)
    if p >= 0 and not m.control("custodian_ledger"):
        trip = m.new_trip(c, "private")  # the custodian hands the document over without an approval
        steps.release(m, c, p, trip, approved=False)
        return p, trip, m.env.now
    if p >= 0:
        back = m.env.now + tm.sham_trip_days
        trip = steps.request(m, c, "private", m.env.now + tm.sham_trip_lead_days, back)
        approved = yield from steps.approve(m, c, trip, None, public=False)
        if not approved:
            reason = m.last_denial.get(trip, "suspected")
            m.emit("ExitBlocked", cadre=m.cid(c), trip=trip, document=m.docs.ids[p],
                   control=DENIAL_CONTROL.get(reason, "approval"))
            return -1, None, m.env.now
        back = m.env.now + tm.sham_trip_days
        steps.grant(m, c, trip, back)
        steps.private_checkout(m, c, p, trip, approved=True)
        return p, trip, back
    if m.registered[c] and m.control("registration"):
        m.emit("ExitBlocked", cadre=m.cid(c), control="registration")
        return -1, None, m.env.now
    from simlib.model.processes.private_trip import obtain_document

    d = yield from obtain_document(m, c)
    if d < 0:
        m.emit("ExitBlocked", cadre=m.cid(c), control="exit_control")
    return d, None, m.env.now


def false_document_flight(m: Model, c: int, case: str) -> Proc:
    """4.3.e: a suspect stopped from leaving may get a forged, altered or bought passport (its name not his: exit
    control does not stop it) and try again; the border detects it with probability enforcement.forgery_detect
    (then the fraud is a case of its own — a suspected crime public security takes up, 4.3.d — reported upward
    as a major situation, 4.2.e)."""
    if m.gone[c] or m.removed[c] or not m.act(c, "forged_document", detection=("border_check",), case=case):
        return
    rng = m.rng["forgery"]
    yield m.env.timeout(rng.uniform(0.0, m.sc.timing.forgery_days_max))
    if m.gone[c] or m.removed[c]:
        return
    provenance = tuple(FALSE_DOCUMENTS)[rng.integers(len(FALSE_DOCUMENTS))]
    d = m.new_document(c, "private_passport", provenance=provenance)
    trip = m.new_trip(c, "private")
    if m.control("border_check") and rng.random() < m.sc.enforcement.forgery_detect:
        fraud = m.new_case(crime=True)
        m.emit("FraudDetected", cadre=m.cid(c), trip=trip, document=m.docs.ids[d], case=fraud,
               kind=FALSE_DOCUMENTS[provenance])
        m.emit("ExitBlocked", cadre=m.cid(c), trip=trip, document=m.docs.ids[d], control="border_check")
        m.docs.valid[d] = False
        m.docs.move(d, "void")  # seized
        m.removed[c] = True
        major_report(m, c, fraud)
        m.env.process(start_pursuit(m, c, fraud))  # public security holds him (4.3.d: a suspected crime)
        yield from handle_case(m, c, fraud, basis="4.3.e", crime=True)
        return
    m.emit("Exit", trip=trip, cadre=m.cid(c), document=m.docs.ids[d], port=m.port())
    flee(m, c, case, trip, d, m.env.now)


def flee(m: Model, c: int, case: str, trip: str, d: int, back: float) -> None:
    """Flight: the cadre is gone with his funds (less any frozen after an alert); pursuit and the non-return
    follow."""
    kept = 1.0 - (m.sc.enforcement.funds_freeze_share if m.alerted[c] else 0.0)
    m.emit("Flight", cadre=m.cid(c), trip=trip, document=m.docs.ids[d], case=case,
           funds=round(float(m.funds[c]) * kept, 3))
    m.gone[c] = True
    if case not in m.pursued:
        m.case_start[case] = m.env.now
    m.env.process(pursue(m, c, case))
    m.env.process(non_return_followup(m, c, trip, case, back, fled=True))
