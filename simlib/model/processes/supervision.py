"""Standing arrangements (4.1, 3.4, 1.3.a), registration (2.2), the document clean-up (3.2.c–d), reports
(4.2.c–d), inspections (4.2.f), routine supervision (4.2.b), FAO bulletins (4.4.d) and residency (3.5).

Supervision acts: a report that is missing, late or tells of a non-return prompts the level above to inspect
(不定期); an inspection finds a share of each kind of open problem and its findings are corrected (or not);
the FAO's bulletin makes units ask for the public passports kept past their deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simlib.model.processes import steps
from simlib.model.processes.units import SHORTEST_MONTH_DAYS, YEAR_DAYS

if TYPE_CHECKING:
    from simlib.model.streams import Stream
    from simlib.model.world import Model, Proc


def standing_arrangements(m: Model) -> None:
    """Each unit designates a responsible leader and issues procedures (4.1.b–c), names a custodian (3.4.a)
    and, if it posts staff abroad, management rules (1.3.a)."""
    rng = m.rng["reports"]
    latest = m.sc.timing.designation_share * float(m.params.designation_grace_days)
    for u in range(m.org.n_units):
        at = float(rng.uniform(0.0, latest))
        head = int(m.org.unit_head[u])
        if m.control("standing_arrangements"):
            m.emit("LeaderDesignated", at=at, unit=m.uid(u), cadre=m.cid(head) if head >= 0 else None)
            m.emit("ProcedureIssued", at=at, unit=m.uid(u))
        if m.control("custodian_ledger") and m.org.unit_custodian[u] >= 0:
            m.emit("CustodianDesignated", at=at, unit=m.uid(u), custodian=m.cid(int(m.org.unit_custodian[u])))
        if m.org.unit_level[u] >= 1 and m.control("posting_rules"):
            m.emit("PostingRulesIssued", at=at, unit=m.uid(u))
    for c in np.flatnonzero(m.org.exit_banned):
        m.emit("ExitBanned", at=0.0, cadre=m.cid(int(c)), agency=m.agency("psb", int(c)))


def register(m: Model, c: int, at: float) -> None:
    """PSBRegistered (2.2.a) and the networked database record (4.4.c)."""
    cat = "security" if m.org.security[c] else ("retired" if m.org.retired[c] else "in_service")
    m.emit("PSBRegistered", at=at, cadre=m.cid(c), unit=m.unit_of(c), category=cat)
    m.registered[c] = True
    if m.control("networked_db"):
        m.emit("DBRecord", at=at, cadre=m.cid(c), agency=m.agency("psb", c), record_kind="registration")


def registration(m: Model) -> Proc:
    """Registration-for-filing of every cadre in a 2.2.a category, within the registration period."""
    rng = m.rng["reports"]
    todo = [int(c) for c in np.flatnonzero(m.org.registrable) if m.control("registration")]
    tm = m.sc.timing
    times = sorted((float(rng.uniform(tm.registration_days_min, tm.compliant_share * m.params.registration_days)), c)
                   for c in todo)
    for at, c in times:
        yield m.wait_until(at)
        register(m, c, m.env.now)


def initial_documents(m: Model) -> None:
    """Private documents cadres already held when the notice took effect (some reported under earlier
    rules)."""
    rng, tm = m.rng["documents"], m.sc.timing
    for c in np.flatnonzero(m.org.holds_private_doc):
        c = int(c)
        d = m.new_document(c, "private_passport")
        issued = -float(rng.uniform(tm.initial_doc_age_days_min, tm.initial_doc_age_days_max))
        m.emit("DocIssued", at=issued, document=m.docs.ids[d], cadre=m.cid(c), issuer=m.agency("psb", c))
        if m.org.doc_reported[c]:
            reported = issued + float(rng.uniform(tm.initial_doc_report_days_min, tm.initial_doc_report_days_max))
            m.emit("DocReportedRegistered", at=reported, document=m.docs.ids[d], cadre=m.cid(c),
                   recipient=steps.report_body(m, c))
            m.docs.reported[d] = True


def cleanup(m: Model, u: int) -> Proc:
    """The clean-up of private documents after the notice (3.2.c), make-up registration (3.2.d), and
    collection into custody of registered state-organ staff's documents (3.3)."""
    if not m.control("cleanup"):
        return
    tm = m.sc.timing
    latest = tm.cleanup_share * m.params.cleanup_window_days
    yield m.env.timeout(m.rng["documents"].uniform(tm.cleanup_days_min, latest))
    m.emit("CleanupAudit", unit=m.uid(u))
    for c in m.org.members_of(u):
        c = int(c)
        if m.gone[c]:
            continue
        for d in (int(m.private_doc[c]), int(m.hk_doc[c])):
            if d >= 0 and (not steps.is_permit(m, d) or m.control("hk_macao_documents")):
                clean_up(m, c, d, u)


def clean_up(m: Model, c: int, d: int, u: int) -> None:
    """One document of the clean-up: found unreported (make-up registration follows), or taken into custody."""
    rng, tm = m.rng["documents"], m.sc.timing
    if not m.docs.reported[d]:
        m.emit("UnreportedDocFound", document=m.docs.ids[d], cadre=m.cid(c), unit=m.uid(u))
        m.after(rng.uniform(tm.makeup_days_min, tm.compliant_share * m.params.makeup_days), make_up, m, c, d, u)
    if steps.in_custody_scope(m, c) and m.docs.place[d] == "holder" and not m.busy[c] \
            and m.control("private_custody"):
        if m.act(c, "keep_private_document", **steps.doc_terms(m, d, "private_custody", "routine_supervision")):
            m.kept.add(d)
        else:
            steps.surrender(m, c, d, None)


def make_up(m: Model, c: int, d: int, u: int) -> None:
    """Make-up registration of a document the clean-up found unreported (3.2.d)."""
    m.emit("MakeUpRegistration", document=m.docs.ids[d], cadre=m.cid(c), unit=m.uid(u))
    m.docs.reported[d] = True


def _next(m: Model, day: float, months: float, rng: Stream) -> float:
    """A day a little less than ``months`` months (of at least 28 days) after ``day``."""
    return day + SHORTEST_MONTH_DAYS * months - float(rng.uniform(0.0, m.sc.timing.report_early_days_max))


def report_delay(m: Model, to_deadline: float) -> float:
    """Days from now until a report due in ``to_deadline`` days is made: now, or — late — after the deadline."""
    rng = m.rng["supervision"]
    if rng.random() < m.sc.enforcement.report_late_share:
        return max(0.0, to_deadline) + rng.uniform(1.0, m.sc.timing.report_late_days_max)
    return 0.0


def follow_up(m: Model, u: int, delay: float) -> None:
    """The level above acts on a report missing, late or telling of a non-return (4.2.c–d): it inspects the
    unit (不定期, 4.2.f) — when it reads its reports (control report_followup) and decides to."""
    rng = m.rng["supervision"]
    if m.control("report_followup") and rng.random() < m.sc.enforcement.followup_inspection:
        m.after(delay + rng.uniform(0.0, m.sc.timing.followup_days_max), inspect, m, u, rng, True)


def periodic_reports(m: Model, u: int) -> Proc:
    """Routine reports level by level to the unit above (4.2.c) — made, late or missing."""
    rng = m.rng["reports"]
    parent = int(m.org.unit_parent[u])
    due = _next(m, 0.0, m.params.periodic_report_months, rng)
    while True:
        yield m.wait_until(due)
        if m.control("periodic_reports"):
            late = report_delay(m, 0.0)
            m.after(late, m.emit, "PeriodicReport", unit=m.uid(u), recipient=m.uid(parent))
            if late:
                follow_up(m, u, late)
        else:
            follow_up(m, u, 0.0)
        due = _next(m, m.env.now, m.params.periodic_report_months, rng)


def annual_reports(m: Model, u: int) -> Proc:
    """The written report on the previous year, in the first quarter (4.2.d): on time or late, complete or
    leaving out the year's non-returns — or missing. The level above reads it (:func:`follow_up`)."""
    rng = m.rng["reports"]
    parent = int(m.org.unit_parent[u])
    year = max(int(m.params.first_annual_report_year), m.origin.year + (1 if m.origin.month > 1 else 0))
    limit = str(m.params.annual_report_deadline)
    while True:
        q1_end = m.day(pd.Timestamp(f"{year}-{limit}"))
        first = m.day(pd.Timestamp(f"{year}-01-02"))
        yield m.wait_until(first + float(rng.uniform(0.0, q1_end - first - m.sc.timing.annual_report_margin_days)))
        if m.control("annual_reports"):
            late = report_delay(m, q1_end - m.env.now)
            told = m.non_returns[u, year - 1]
            if told and m.rng["supervision"].random() < m.sc.enforcement.annual_report_incomplete:
                told = 0  # the year's non-returns left out
            m.after(late, m.emit, "AnnualReport", unit=m.uid(u), recipient=m.uid(parent), year_covered=year - 1,
                    written=True, non_returns=told)
            if late or told:
                follow_up(m, u, late)
        else:
            follow_up(m, u, q1_end - m.env.now)
        year += 1


def inspections(m: Model, u: int) -> Proc:
    """Scheduled special inspections by the unit above or the discipline organ (4.2.f)."""
    rng = m.rng["inspections"]
    e, tm = m.sc.enforcement, m.sc.timing
    months = min(e.inspection_interval_months, float(m.params.inspection_period_months))
    due = _next(m, 0.0, months * float(rng.uniform(tm.first_inspection_share_min, 1.0)), rng)
    while True:
        yield m.wait_until(due)
        due = _next(m, m.env.now, months * float(rng.uniform(tm.inspection_interval_share_min, 1.0)), rng)
        inspect(m, u, rng)


def inspect(m: Model, u: int, rng: Stream, ad_hoc: bool = False) -> None:
    """A special inspection (4.2.f): each open problem of each kind is found with probability
    enforcement.inspection_detect; each kind found is one finding, corrected in the correction period (or not)."""
    if not m.control("inspections"):
        return
    parent = int(m.org.unit_parent[u])
    inspector = m.uid(parent) if parent >= 0 and rng.random() < 0.5 else m.org.agency("discipline", u)
    m.emit("Inspection", unit=m.uid(u), inspector=inspector, ad_hoc=ad_hoc)
    detect = m.sc.enforcement.inspection_detect
    for kind, items in open_problems(m, u).items():
        found = [x for x in items if rng.random() < detect]
        if found:
            ref = m.new_id("f")
            m.emit("InspectionFinding", unit=m.uid(u), finding_ref=ref, kind=kind, items=len(found))
            m.env.process(correct(m, u, ref, kind, found))


def open_problems(m: Model, u: int) -> dict[str, list[int]]:
    """What an inspection can find in a unit: cadres in a registration category not registered, documents kept
    past their deadline, private documents (passports, two-way permits) never reported, suspicions held and not
    shared through the database (4.4.c)."""
    members = m.org.members_of(u)
    here = members[~m.gone[members]]
    unregistered = [int(c) for c in here if m.org.registrable[c] and not m.registered[c]]
    kept = [d for d in sorted(m.kept) if m.org.unit[m.docs.holder[d]] == u and m.docs.place[d] == "holder"
            and not m.gone[m.docs.holder[d]]]
    docs = np.concatenate([m.private_doc[here], m.hk_doc[here]])
    unreported = [int(d) for d in docs[docs >= 0] if not m.docs.reported[d] and m.docs.valid[d]]
    unshared = [int(c) for c in here if m.suspected_at[c] <= m.env.now and m.shared_at[c] > m.env.now]
    return {"registration": unregistered, "custody": kept, "unreported": unreported, "unshared": unshared}


def correct(m: Model, u: int, ref: str, kind: str, items: list[int]) -> Proc:
    """Correction of a finding within the correction period — register, demand the documents, make up the
    registration, share the suspicion — unless the unit never corrects it."""
    tm = m.sc.timing
    yield m.env.timeout(m.rng["inspections"].uniform(tm.correction_days_min,
                                                     tm.compliant_share * m.params.correction_days))
    if m.rng["supervision"].random() < m.sc.enforcement.correction_failure:
        return
    m.emit("Correction", unit=m.uid(u), finding_ref=ref)
    for x in items:
        if kind == "registration" and not m.registered[x]:
            register(m, x, m.env.now)
        elif kind == "custody" and m.docs.place[x] == "holder" and x in m.kept:
            m.kept.discard(x)
            m.env.process(steps.demand(m, m.docs.holder[x], x, None, public=m.docs.public[x]))
        elif kind == "unreported" and not m.docs.reported[x]:
            make_up(m, m.docs.holder[x], x, u)
        elif kind == "unshared":
            steps.record_suspicion(m, x)


def routine_supervision(m: Model) -> Proc:
    """Day-to-day supervision (4.2.b): every ``timing.routine_supervision_days`` (a quarter), the private
    documents kept past their deadline are asked for (public passports are with the FAO: its bulletin tells
    the unit, :func:`bulletins`)."""
    while True:
        yield m.env.timeout(m.sc.timing.routine_supervision_days)
        chase(m, [d for d in sorted(m.kept) if not m.docs.public[d]], "routine_supervision")


def chase(m: Model, docs: list[int], control: str) -> None:
    """Ask for each of ``docs`` still kept by a cadre who is here (and drop those no longer kept)."""
    for d in docs:
        c = m.docs.holder[d]
        if m.docs.place[d] != "holder" or m.gone[c] or m.busy[c]:
            m.kept.discard(d)
            continue
        if m.control(control):
            m.kept.discard(d)
            m.env.process(steps.demand(m, c, d, None, public=m.docs.public[d]))


def bulletins(m: Model, agency: str) -> Proc:
    """The foreign-affairs office's periodic bulletin on public-passport custody (4.4.d): the units ask for the
    public passports it lists as kept past their deadline."""
    rng = m.rng["reports"]
    due = _next(m, 0.0, m.params.bulletin_months, rng)
    while True:
        yield m.wait_until(due)
        if m.control("custody_bulletin"):
            m.emit("PassportCustodyBulletin", agency=agency)
            chase(m, [d for d in sorted(m.kept) if m.docs.public[d] and m.agency("fao", m.docs.holder[d]) == agency],
                  "custody_bulletin")
        due = _next(m, m.env.now, m.params.bulletin_months, rng)


def residency(m: Model) -> Proc:
    """Spouses settling abroad and residency documents (3.5.a), with the approval of 1999 No. 23 first."""
    rng = m.rng["residency"]
    t = m.sc.trips
    eligible = np.flatnonzero(m.org.rank >= 1)
    while True:
        yield m.env.timeout(YEAR_DAYS)
        for c in eligible[rng.random(len(eligible)) < t.spouse_emigration_rate]:
            if not m.spouse_abroad[c]:
                m.env.process(settle(m, int(c), by_spouse=True))
        for c in np.flatnonzero(rng.random(m.org.n) < t.residency_doc_rate):
            m.env.process(settle(m, int(c), by_spouse=False))


def settle(m: Model, c: int, by_spouse: bool) -> Proc:
    """A spouse settles abroad, or the cadre acquires a foreign long-term residence permit, a one-way permit to
    Hong Kong/Macao (前往港澳通行证) or a HK/Macao permanent identity card — approved first, or not. An approved
    document is reported and, for registered state-organ staff, kept by the unit; an unapproved one stays in the
    cadre's hands (a way out for a suspect)."""
    tm = m.sc.timing
    yield m.env.timeout(m.rng["residency"].uniform(0.0, tm.settle_days_max))
    if m.gone[c]:
        return
    where = m.rng["hk_macao"]
    hk = not by_spouse and where.random() < m.sc.trips.residency_hk_macao_share
    detection = ("residency_approval", "hk_macao_documents") if hk else ("residency_approval",)
    factor = m.sc.behaviour.coefficients.hk_macao_factor if hk else 1.0
    approved = m.control("residency_approval") and not m.act(c, "skip_doc_report", detection=detection,
                                                              factor=factor)
    if approved:
        m.emit("ResidencyApproval", cadre=m.cid(c), approver=m.uid(int(m.org.authority[c])),
               by_spouse=by_spouse)
        yield m.env.timeout(m.rng["residency"].uniform(tm.residency_approval_days_min, tm.residency_approval_days_max))
    if by_spouse:
        m.emit("SpouseEmigrated", cadre=m.cid(c))
        m.spouse_abroad[c] = True
        return
    doc_type = ("one_way_hk_macao_permit", "hk_macao_pr_id")[where.integers(2)] if hk else "foreign_ltr_permit"
    d = m.new_document(c, doc_type)
    m.emit("ResidencyDocAcquired", cadre=m.cid(c), document=m.docs.ids[d], doc_type=doc_type, by_spouse=False)
    if approved:
        m.emit("DocReportedRegistered", document=m.docs.ids[d], cadre=m.cid(c), recipient=steps.report_body(m, c))
        m.docs.reported[d] = True
        if steps.in_custody_scope(m, c) and not m.busy[c]:
            steps.surrender(m, c, d, None)
