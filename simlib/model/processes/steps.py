"""Steps shared by the trip processes: applying, approval, preparation, documents, the border, hand-in,
reports.

Each step does one thing the notice describes and records it; sampling and bookkeeping stay in ``Model``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.model.processes.cases import criticise, handle_case, void

if TYPE_CHECKING:
    from simlib.model.world import Model, Proc


def report_body(m: Model, c: int) -> str:
    """Where a cadre reports and registers (3.2.a), or one level up for a unit's leader (3.2.b)."""
    u = int(m.org.unit[c])
    return m.uid(m.org.parent_or_self(u) if m.org.unit_leader[c] else u)


def approver(m: Model, c: int, trip: str) -> int:
    """The body holding cadre-management authority (2.1.a); a lower body when authority is delegated
    (2.1.c)."""
    if m.control("approval_authority"):
        return int(m.org.authority[c])
    m.fail(trip, "approval_authority")
    return int(m.org.unit[c])


def request(m: Model, c: int, kind: str, depart: float, back: float, delegation: str | None = None,
            destinations: str | None = None) -> str:
    """TripRequested: the application to go abroad (by a cadre engaged in the trip: ``Model.engaged``)."""
    trip = m.new_trip(c, kind, destinations)
    m.emit("TripRequested", trip=trip, cadre=m.cid(c), unit=m.unit_of(c), delegation=delegation,
           plan_depart=depart, plan_return=back)
    return trip


def approve(m: Model, c: int, trip: str, back: float | None, *, public: bool) -> Proc:
    """Vetting and approval by the management authority (1.2, 2.1): returns True if approved. With
    ``back=None`` the review is done but the approval itself is left to :func:`grant` (a delegation is
    approved as a whole once every member is vetted).

    Focused vetting of leading cadres and key posts (2.1.d); no approval for cadres barred by law or suspected
    of serious violations when the approver can see the flag (2.1.e); fraud detected in the application
    (4.3.e).
    """
    if not m.control("public_approval" if public else "private_approval"):
        m.fail(trip, "approval")
        return True  # the unit lets the trip go without approval (nothing for grant to record)
    body = approver(m, c, trip)
    yield from m.desk(body).review()
    approver_id = m.uid(body)
    delegated = body != int(m.org.authority[c])
    focus = bool(m.org.leading[c] or m.org.key_post[c])
    focused = focus and m.control("focused_vetting")
    m.emit("Vetting", trip=trip, cadre=m.cid(c), approver=approver_id, political=True, integrity=focused)
    if focus:
        if focused:
            a = m.sc.approval
            detect = a.vetting_detect * (a.delegated_vetting_factor if delegated else 1.0)
            if m.funds[c] > 0 and m.rng["approval"].random() < detect:
                m.emit("TripDenied", trip=trip, cadre=m.cid(c), approver=approver_id, reason="integrity")
                m.last_denial[trip] = "integrity"
                from simlib.model.processes.corruption import suspect

                suspect(m, c, "vetting")
                return False
        else:
            m.fail(trip, "focused_vetting")
    flagged = m.org.exit_banned[c] or suspicion_known(m, c)
    if flagged and m.control("suspect_denial"):
        reason = "exit_banned" if m.org.exit_banned[c] else "suspected"
        m.emit("TripDenied", trip=trip, cadre=m.cid(c), approver=approver_id, reason=reason)
        m.last_denial[trip] = reason
        return False
    if m.act(c, "fraud", detection=("focused_vetting",), trip=trip) \
            and m.rng["approval"].random() < m.strength("focused_vetting"):
        case = m.new_case()
        m.emit("FraudDetected", cadre=m.cid(c), trip=trip, case=case, kind="false_info")
        m.emit("TripDenied", trip=trip, cadre=m.cid(c), approver=approver_id, reason="fraud")
        m.last_denial[trip] = "fraud"
        m.env.process(handle_case(m, c, case, basis="4.3.e"))
        return False
    m.approver_of[trip] = approver_id
    if back is not None:
        grant(m, c, trip, back)
    return True


def suspicion_known(m: Model, c: int) -> bool:
    """Whether an approver can see that cadre c is suspected (2.1.e): once the suspicion is shared through the
    networked database (4.4.c, :func:`share_suspicion`) and reaches approvers, or — held and not shared — once
    paper catches up with it."""
    e, now = m.sc.enforcement, m.env.now
    return bool(m.shared_at[c] + e.db_latency_days <= now or m.suspected_at[c] + e.paper_latency_days <= now)


def share_suspicion(m: Model, c: int) -> None:
    """4.4.c: the discipline organ enters a new suspicion in the networked database within
    suspicion_share_days — unless the database or the sharing does not operate (the suspicion is held)."""
    if not (m.control("networked_db") and m.control("suspicion_sharing")):
        return
    tm = m.sc.timing
    m.after(m.rng["supervision"].uniform(0.0, tm.compliant_share * m.params.suspicion_share_days),
            record_suspicion, m, c)


def record_suspicion(m: Model, c: int) -> None:
    """The DBRecord of a suspicion (once): from now approvers and public security can see it."""
    if m.shared_at[c] <= m.env.now:
        return
    m.emit("DBRecord", cadre=m.cid(c), agency=m.agency("discipline", c), record_kind="suspicion")
    m.shared_at[c] = m.env.now


def grant(m: Model, c: int, trip: str, back: float) -> None:
    """TripApproved with the approved return date (and the trip's record in the networked database)."""
    if trip not in m.approver_of:
        return
    if m.org.exit_banned[c] or m.suspected_at[c] <= m.env.now:
        m.fail(trip, "approved_while_flagged")
    m.emit("TripApproved", trip=trip, cadre=m.cid(c), approver=m.approver_of.pop(trip), approved_return=back,
           approval_ref=f"A-{trip}")
    if m.registered[c] and m.control("networked_db"):
        m.emit("DBRecord", cadre=m.cid(c), trip=trip, agency=m.agency("psb", c), record_kind="trip")


def educate(m: Model, c: int, trip: str) -> bool:
    """Targeted education (1.1.a) and the reminder talk (1.1.b); True if educated."""
    educated = False
    if m.control("education"):
        m.emit("Education", trip=trip, cadre=m.cid(c))
        educated = True
    else:
        m.fail(trip, "education")
    if m.control("reminder_talk"):
        m.emit("ReminderTalk", trip=trip, cadre=m.cid(c))
        educated = True
    else:
        m.fail(trip, "reminder_talk")
    return educated


def train(m: Model, members: list[int], trips: dict[int, str]) -> Proc:
    """Centralised pre-departure training (1.1.b): the group waits for the next batched session."""
    if not m.control("training"):
        for c in members:
            m.fail(trips[c], "training")
        return False
    yield m.env.timeout(m.next_training())
    for c in members:
        m.emit("PreDepartureTraining", trip=trips[c], cadre=m.cid(c))
    return True


def public_document(m: Model, c: int, trip: str) -> int:
    """The public passport for the trip: issued (and uploaded, 4.4.d) or taken out of FAO custody."""
    d = int(m.public_doc[c])
    if d < 0 or not m.docs.valid[d]:
        d = m.new_document(c, "public_passport")
        m.emit("DocIssued", document=m.docs.ids[d], cadre=m.cid(c), issuer=m.agency("fao", c))
        if m.control("fao_upload"):
            upload(m, c, d)
    elif m.docs.place[d] == "fao":
        u = int(m.org.unit[c])
        m.emit("DocCheckedOut", document=m.docs.ids[d], cadre=m.cid(c), custodian=custodian_of(m, u),
               trip=trip, unit=m.uid(u), approval_ref=f"A-{trip}")
        m.docs.move(d, "holder")
        m.docs.checked_out[d] = True
    return d


def upload(m: Model, c: int, d: int) -> None:
    """The FAO uploads the issuance data of a public passport (4.4.d) within upload_days — or late."""
    rng, tm, days = m.rng["supervision"], m.sc.timing, float(m.params.upload_days)
    if rng.random() < m.sc.enforcement.upload_late_share:
        delay = days + rng.uniform(1.0, tm.upload_late_days_max)
    else:
        delay = rng.uniform(0.0, tm.compliant_share * days)
    m.after(delay, uploaded, m, d, m.agency("fao", c))


def uploaded(m: Model, d: int, agency: str) -> None:
    """DBUpload: from now the border can see whether the document is void."""
    m.emit("DBUpload", document=m.docs.ids[d], agency=agency)
    m.uploaded.add(d)
    m.docs.visible_invalid[d] = not m.docs.valid[d]


def cancel(m: Model, c: int, d: int) -> None:
    """DocCancelled (注销, 3.1.a: 统一保管或注销): the issuer voids a document handed in."""
    m.emit("DocCancelled", document=m.docs.ids[d], cadre=m.cid(c),
           issuer=m.agency("fao" if m.docs.public[d] else "psb", c))
    void(m, d)
    m.docs.move(d, "void")


def private_checkout(m: Model, c: int, d: int, trip: str, approved: bool) -> bool:
    """Take a private document out of unit custody (3.4.a ledger); without approval only if the custodian
    does not follow the ledger rule."""
    if m.docs.place[d] != "unit":
        return True
    if not approved and m.control("custodian_ledger"):
        return False
    release(m, c, d, trip, approved)
    return True


def release(m: Model, c: int, d: int, trip: str, approved: bool) -> None:
    """DocCheckedOut: the custodian hands a private document over (with the approval reference, or none)."""
    u = int(m.org.unit[c])
    m.emit("DocCheckedOut", document=m.docs.ids[d], cadre=m.cid(c), custodian=custodian_of(m, u),
           trip=trip, unit=m.uid(u), approval_ref=f"A-{trip}" if approved else None)
    m.docs.move(d, "holder")
    m.docs.checked_out[d] = True


def cross_exit(m: Model, c: int, trip: str, d: int) -> bool:
    """The border: exit control (4.4.g) and void documents the border can see stop the exit."""
    doc = m.docs.ids[d] if d >= 0 else None
    if m.exit_controlled[c]:
        m.emit("ExitBlocked", cadre=m.cid(c), trip=trip, document=doc, control="exit_control")
        return False
    if d >= 0 and not m.docs.valid[d] and m.docs.visible_invalid[d] and m.control("border_check"):
        m.emit("ExitBlocked", cadre=m.cid(c), trip=trip, document=doc, control="revocation")
        return False
    if d in m.late_docs:
        m.fail(trip, "custody")
    m.emit("Exit", trip=trip, cadre=m.cid(c), document=doc, port=m.port())
    return True


def enter(m: Model, c: int, trip: str, d: int) -> None:
    m.emit("Entry", trip=trip, cadre=m.cid(c), document=m.docs.ids[d] if d >= 0 else None, port=m.port())


def report_incident(m: Model, c: int, trip: str, kind: str, *, public: bool, delegation: str | None = None,
                    reporter: int | None = None) -> Proc:
    """An important matter abroad (1.3.f / 2.3.d) and its prompt report — unless the reporter skips it.
    Returns True if reported."""
    m.emit("Incident", trip=trip, cadre=m.cid(c), delegation=delegation, kind=kind)
    detection = ("delegation_discipline",) if public else ("abroad_reporting",)
    if m.act(c if reporter is None else reporter, "skip_incident_report", detection=detection, incident=kind):
        return False
    tm = m.sc.timing
    yield m.env.timeout(m.rng["reports"].uniform(tm.incident_report_days_min,
                                                 tm.compliant_share * m.params.prompt_incident_days))
    u = int(m.org.unit[c])
    if public:
        m.emit("IncidentReported", trip=trip, cadre=m.cid(c), recipient=m.uid(u), to="dispatching_unit")
        m.emit("IncidentReported", trip=trip, cadre=m.cid(c), recipient="mfa", to="mfa")
    else:
        m.emit("IncidentReported", trip=trip, cadre=m.cid(c), recipient=m.uid(u), to="unit")
    return True


def hand_in(m: Model, c: int, d: int, trip: str, *, public: bool) -> None:
    """After return: hand the document in within 15 days (3.1.a) or 10 days (3.3.a) — or keep it, and then
    the demand, the refusal, revocation (3.1.b) and criticism-education (4.3.g) (see :func:`overdue`)."""
    p = m.params
    limit = float(p.public_doc_days if public else p.private_doc_days)
    custody = "public_custody" if public else "private_custody"
    held = m.docs.moves[d]
    if m.act(c, "keep_public_document" if public else "keep_private_document",
             **doc_terms(m, d, custody, "routine_supervision"), document=m.docs.ids[d]):
        m.late_docs.add(d)
        m.env.process(overdue(m, c, d, trip, held, limit + m.sc.enforcement.demand_days, custody, public))
        return
    m.late_docs.discard(d)
    margin = m.sc.timing.hand_in_margin_days
    m.after(m.rng["documents"].uniform(0.0, max(0.0, limit - margin)), hand_over, m, c, d, trip, held)


def is_permit(m: Model, d: int) -> bool:
    """Whether document d is its holder's two-way HK/Macao permit (往来港澳通行证)."""
    return bool(d >= 0 and m.hk_doc[m.docs.holder[d]] == d)


def doc_terms(m: Model, d: int, *detection: str) -> dict[str, Any]:
    """``detection`` (and ``factor``) of a cadre's act about document d, for :meth:`Model.act`: for a two-way
    HK/Macao permit the unit's management of permits (control hk_macao_documents) joins the detection, and the
    propensity is scaled by behaviour.coefficients.hk_macao_factor."""
    if not is_permit(m, d):
        return {"detection": detection}
    return {"detection": (*detection, "hk_macao_documents"), "factor": m.sc.behaviour.coefficients.hk_macao_factor}


def hand_over(m: Model, c: int, d: int, trip: str | None, held: int) -> None:
    """The document handed in, unless it has moved since (see :func:`still_held`)."""
    if still_held(m, c, d, held):
        surrender(m, c, d, trip)


def overdue(m: Model, c: int, d: int, trip: str, held: int, wait: float, custody: str, public: bool) -> Proc:
    """A document kept past its deadline: after ``wait`` days the custodian demands it — or, where custody
    does not operate, nobody asks and it stays with the holder."""
    yield m.env.timeout(wait)
    if not still_held(m, c, d, held):
        return
    if not m.control(custody):
        m.kept.add(d)  # nobody asks: the document stays with the holder
        return
    yield from demand(m, c, d, trip, public=public)


def demand(m: Model, c: int, d: int, trip: str | None, *, public: bool) -> Proc:
    """CustodyDemand → late hand-in, or Refusal → revocation and criticism-education."""
    doc = m.docs.ids[d]
    held = m.docs.moves[d]
    m.emit("CustodyDemand", document=doc, cadre=m.cid(c))
    grace, tm = float(m.params.refusal_grace_days), m.sc.timing
    if not m.act(c, "refuse_after_demand", detection=("sanctions",), document=doc):
        m.after(m.rng["documents"].uniform(0.0, max(0.0, grace - tm.hand_in_margin_days)), hand_over, m, c, d,
                trip, held)
        return
    yield m.env.timeout(grace + tm.refusal_after_grace_days)
    if not still_held(m, c, d, held):
        return
    serious = bool(m.refused[c] or m.suspected_at[c] <= m.env.now)  # 情节严重: refused before, or a suspect
    m.refused[c] = True
    m.emit("Refusal", document=doc, cadre=m.cid(c), serious=serious)
    if public and m.control("revocation"):
        m.emit("DocRevoked", document=doc, cadre=m.cid(c), issuer=m.agency("fao", c))
        void(m, d)
    m.env.process(criticise(m, c, serious))


def still_held(m: Model, c: int, d: int, held: int) -> bool:
    """After a wait: the cadre is still here and still holds the document he held when the wait began
    (a clean-up or another demand may have collected it meanwhile, and a new trip taken it out again)."""
    return not m.gone[c] and m.docs.place[d] == "holder" and m.docs.moves[d] == held


def surrender(m: Model, c: int, d: int, trip: str | None) -> None:
    """DocSurrendered (and the ledger's DocCheckedIn when it came out of custody)."""
    doc = m.docs.ids[d]
    u = int(m.org.unit[c])
    if m.docs.public[d]:
        m.emit("DocSurrendered", document=doc, cadre=m.cid(c), recipient=m.agency("fao", c), trip=trip)
        if m.docs.checked_out[d]:
            m.emit("DocCheckedIn", document=doc, cadre=m.cid(c), custodian=custodian_of(m, u),
                   unit=m.uid(u))
        m.docs.move(d, "fao")
        if m.rng["cancellation"].random() < m.sc.enforcement.public_doc_cancel_share:
            cancel(m, c, d)
    else:
        custodian = custodian_of(m, u)
        m.emit("DocSurrendered", document=doc, cadre=m.cid(c), recipient=m.uid(u), custodian=custodian,
               trip=trip)
        if m.docs.checked_out[d]:
            m.emit("DocCheckedIn", document=doc, cadre=m.cid(c), custodian=custodian, unit=m.uid(u))
        m.docs.move(d, "unit")
    m.docs.checked_out[d] = False


def custodian_of(m: Model, u: int) -> str | None:
    """The unit's designated custodian (3.4.a)."""
    k = int(m.org.unit_custodian[u])
    return m.cid(k) if k >= 0 else None


def in_custody_scope(m: Model, c: int) -> bool:
    """3.3.a: registered-for-filing personnel of state organs hand private documents in after return (those in a
    category, and those still registered after leaving it)."""
    return bool((m.org.registrable[c] or m.registered[c]) and m.org.state[c])


def leader_of(m: Model, members: list[int]) -> int:
    ranks = np.asarray([m.org.rank[c] for c in members])
    return members[int(np.argmax(ranks))]
