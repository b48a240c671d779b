"""Checks for section 四 of the notice: responsibility, supervision and reporting, case handling, and
information sharing and exit control (4.1–4.4)."""

from __future__ import annotations

import functools
import operator

import numpy as np
import pandas as pd

from simlib.audit.checks.section1 import (
    education_before_public_trip,
    public_trip_approved_within_authority,
    training_and_talk_before_public_trip,
)
from simlib.audit.checks.section2 import (
    approval_authority_not_delegated,
    focused_vetting,
    membership_relations_handled,
    private_trip_approved_by_management_authority,
)
from simlib.audit.checks.section3 import refusals
from simlib.audit.context import DAYS, AuditContext
from simlib.audit.findings import Found, Rows
from simlib.audit.registry import check, frames
from simlib.log.eventlog import TIME_DTYPE
from simlib.log.vocabulary import PRIVATE_DOC_TYPES, PUBLIC_DOC_TYPES, TRIP_KINDS

DISCIPLINE_KINDS = ("admin", "organizational")  # and "party", for Party members only (clause 5)
CASE_EVENTS = ("CaseOpened", "SuspectedViolation", "NonReturnDeclared", "Abscond", "Defection", "Flight",
               "FraudDetected")
MAJOR_EVENTS = ("NonReturnDeclared", "Abscond", "Defection")  # and FraudDetected(forged_doc)
EXIT_SIGNALS = ("TripRequested", "DocIssued", "FundsAlert", "Exit", "ExitBlocked")
DOCUMENT_CRIMES = ("forged_doc", "altered_doc", "traded_doc")
FALSE_PROVENANCES = ("forged", "altered", "bought")  # a document used to exit that is one of these: 4.3.e
LEADER_ROLES = ("delegation_leader", "institution_head")
HANDLING_KINDS = ("admin",)  # 党纪政纪处分: government discipline, and Party discipline for Party members
# 4.3.h: the findings on a trip that are management failures upstream of a problem on it, besides a flagged approval
# and a custody lapse (below). Under option negligence_failures ``gatekeeping``: an approval beyond or below the
# authority, or without the focused vetting (a trip never applied for is the cadre's own breach); under
# ``all_upstream``: every finding of these checks, the trip left unapproved, education, training and talk, and
# Party relations before a long stay too
GATEKEEPING = {public_trip_approved_within_authority: ("ultra_vires",),
               private_trip_approved_by_management_authority: ("wrong_authority",),
               approval_authority_not_delegated: None, focused_vetting: None}  # check -> codes (None: all)
UPSTREAM_CHECKS = (*GATEKEEPING, education_before_public_trip, training_and_talk_before_public_trip,
                   membership_relations_handled)
UPSTREAM_PARAMS = ("negligence_failures", "private_rules_apply_to_public", "membership_long_stay_days")
END_OF_DAY = pd.Timedelta(days=1) - pd.Timedelta(milliseconds=1)


# -- helpers ----------------------------------------------------------------------------------------
def _timely(ctx: AuditContext, rows: pd.DataFrame, done: pd.Series, limit: float | None, *,
            deadline: pd.Series | None = None, other: pd.Series | None = None, wrong: str | None = None,
            codes: tuple[str, str] = ("late", "missing"), **objects: str | pd.Series) -> Found:
    """:meth:`AuditContext.timeliness` with the deadline ``limit`` days after ``rows.time`` (unless given)."""
    if deadline is None:
        deadline = ctx.deadline(rows["time"], limit)
    return ctx.timeliness(rows, done, deadline, limit=limit, codes=codes, other=other, wrong=wrong, **objects)


def _every(ctx: AuditContext, anchors: pd.DataFrame, acts: pd.DataFrame, months: int,
           codes: tuple[str, str] = ("overdue", "missing")) -> Found:
    """A duty to act at least every ``months``, per ``unit``: after the anchor (``unit``, ``time``, one per unit)
    and after each later act, the next act follows within ``months`` — else overdue, or missing if none came."""
    unit, since = ctx.codes(anchors["unit"]), anchors["time"].to_numpy()
    act_unit, act_time = ctx.codes(acts["unit"]), acts["time"].to_numpy()
    anchor_of = ctx.positions(unit)[act_unit]  # the anchor of each act's unit (-1: none, and NaT below)
    counted = act_time >= np.append(since, np.datetime64("NaT"))[anchor_of]  # acts from the anchor on
    # the anchor and the acts counted, by unit and time (an anchor before an act at the same time)
    unit, when = np.concatenate([unit, act_unit[counted]]), np.concatenate([since, act_time[counted]])
    order = np.lexsort((when, unit))
    unit, when = unit[order], when[order]
    same_unit = np.append(unit[1:] == unit[:-1], False)
    nxt = np.where(same_unit, np.roll(when, -1), np.datetime64("NaT"))  # the next act of the same unit
    seq = pd.DataFrame({"unit": ctx.from_codes(unit), "time": when})
    deadline = (ctx.months_after(seq["time"].dt.normalize(), months) + END_OF_DAY).astype(TIME_DTYPE)
    return _timely(ctx, seq, pd.Series(nxt), months, deadline=deadline, codes=codes)


def _stack(ctx: AuditContext, types: tuple[str, ...], cols: tuple[str, ...] = ("cadre",)) -> pd.DataFrame:
    """``event_id``, ``time`` and ``cols`` of several event types in one frame."""
    return ctx.stack(types, ("event_id", "time", *cols))


def _disciplinary(ctx: AuditContext, sanctions: pd.DataFrame) -> pd.Series:
    """Party or government discipline or organisational handling; Party discipline counts for Party members
    only (clause 5: a non-Party cadre cannot receive it)."""
    member = ctx.attr(sanctions["cadre"], "is_party_member").eq(True)
    return sanctions["kind"].isin(DISCIPLINE_KINDS) | (sanctions["kind"].eq("party") & member)


def _case_cadres(ctx: AuditContext) -> pd.DataFrame:
    """Each (case, cadre) pair the log links, timed at the first event that links them."""
    ev = _stack(ctx, CASE_EVENTS, ("cadre", "case")).dropna(subset=["case"])
    return ctx.unique(ev.sort_values("time", kind="stable"), ["case", "cadre"]).reset_index(drop=True)


def _case_flag(ctx: AuditContext, cases: pd.Series, *flags: str) -> pd.Series:
    """True where the case carries any of ``flags``."""
    return functools.reduce(operator.or_, (ctx.attr(cases, flag, of="cases").eq(True) for flag in flags))


def _situation_start(ctx: AuditContext, events: pd.DataFrame) -> pd.Series:
    """For each event, the time of the first major event (non-return, absconding, defection) of its cadre on the
    same trip, if earlier: one situation, whose immediate report counts for every later stage of it."""
    origin = events.assign(_origin=pd.Series(pd.Timestamp("1900-01-01"), index=events.index).astype(TIME_DTYPE))
    first = ctx.first_after(origin, _stack(ctx, MAJOR_EVENTS, ("cadre", "trip")), by=["cadre", "trip"],
                            left_time="_origin")
    return first.where(first < events["time"], events["time"])


def _reported(ctx: AuditContext, events: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The first MajorReport about each event's cadre from its ``unit`` upward (to the parent unit or a
    higher body; an unrecorded recipient is accepted), and the first one sent elsewhere — made since the
    event, or since the first major event of the same trip (:func:`_situation_start`)."""
    rep = ctx.t("MajorReport")
    to = rep["recipient"]
    above = ctx.attr(to, "level_rank", of="bodies") > ctx.attr(rep["unit"], "level_rank", of="units")
    up = to.isna() | ctx.same(to, ctx.attr(rep["unit"], "parent", of="units")) | above
    events = events.assign(_since=_situation_start(ctx, events))
    return (ctx.first_after(events, rep[up], by=["unit", "cadre"], left_time="_since"),
            ctx.first_after(events, rep[~up], by=["unit", "cadre"], left_time="_since"))


# -- failures upstream of a non-return (4.3.h) ------------------------------------------------------
def _approved_while_flagged(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """True where the row's trip was approved while the cadre was barred from exit or suspected (2.1.e)."""
    ap = ctx.t("TripApproved")
    flagged = ap[ctx.flag_active(ap, "exit_banned") | ctx.flag_active(ap, "suspected")]
    return ctx.has(rows, flagged, by=["trip", "cadre"])


def _custody_lapse(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """True where the document the cadre left on for the row's trip was not handed in within its custody
    window after the previous return (3.1.a public documents: public_doc_days; 3.3.a private documents of
    registered state-organ staff: private_doc_days), and the exit came after that window had closed."""
    ex = ctx.departures(TRIP_KINDS).dropna(subset=["document"])[["trip", "cadre", "time", "document"]]
    ex = ctx.merge(rows[["trip", "cadre"]].reset_index(names="_row"), ex, on=["trip", "cadre"])
    doc_type = ctx.attr(ex["document"], "doc_type", of="documents")
    registered = ctx.attr_at(ex["cadre"], "registrable", ex["time"]).eq(True)
    registered &= ctx.attr(ex["cadre"], "is_state_organ_staff").eq(True)
    days = pd.Series(float("nan"), index=ex.index)
    days[doc_type.isin(PUBLIC_DOC_TYPES)] = ctx.params.public_doc_days
    days[doc_type.isin(PRIVATE_DOC_TYPES) & registered] = ctx.params.private_doc_days
    ex = ex.assign(back=ctx.last_before(ex, ctx.t("Entry"), by=["document"], strict=True), days=days)
    ex = ex[ex["back"].notna() & ex["days"].notna()]
    handed = ctx.stack(("DocSurrendered", "DocCancelled"), ("document", "time"))
    window = ctx.deadline(ex["back"], ex["days"])
    handed_at = ctx.first_after(ex, handed, by=["document"], left_time="back")
    lapse = (ex["time"] > window) & (handed_at.isna() | (handed_at > window))
    return pd.Series(rows.index.isin(ex.loc[lapse, "_row"]), index=rows.index)


def _not_reported(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """True where the row's event was not reported upward within prompt_incident_days (4.2.e)."""
    rows = rows.assign(unit=ctx.attr(rows["cadre"], "unit"))
    done, _ = _reported(ctx, rows)
    deadline = ctx.deadline(rows["time"], ctx.params.prompt_incident_days)
    return (done > deadline) | (done.isna() & ctx.due(deadline))


# -- 4.1 responsibility -----------------------------------------------------------------------------
@check("4.1.b", codes={"late": "low", "missing": "medium"}, params=(*DAYS, "designation_grace_days"))
def responsible_leader_designated(ctx: AuditContext) -> Found:
    """Every unit designates a leading comrade responsible for this work within designation_grace_days."""
    units = ctx.anchors(ctx.units.index)
    return _timely(ctx, units, ctx.earliest(units["unit"], ctx.t("LeaderDesignated"), "unit"),
                   ctx.params.designation_grace_days)


@check("4.1.c", codes={"late": "low", "missing": "medium"}, params=(*DAYS, "designation_grace_days"))
def working_procedures_issued(ctx: AuditContext) -> Found:
    """Every unit's organisation-personnel department issues working procedures within
    designation_grace_days."""
    units = ctx.anchors(ctx.units.index)
    return _timely(ctx, units, ctx.earliest(units["unit"], ctx.t("ProcedureIssued"), "unit"),
                   ctx.params.designation_grace_days)


# -- 4.2 supervision and reporting ------------------------------------------------------------------
def _lower_units(ctx: AuditContext) -> pd.Series:
    """The units below the top (with a parent), as ids."""
    return ctx.index_ids("units")[ctx.units["parent"].notna().to_numpy()]


@check("4.2.c", codes={"overdue": "low", "missing": "medium", "wrong_recipient": "low"},
       params=("periodic_report_months",))
def periodic_reports_level_by_level(ctx: AuditContext) -> Found:
    """Every unit below the top reports to the unit one level up at least every periodic_report_months."""
    lower_units = _lower_units(ctx)
    rep = ctx.t("PeriodicReport")
    lower = pd.Series(np.isin(ctx.codes(rep["unit"]), ctx.codes(lower_units)), index=rep.index)
    to_parent = ctx.same(rep["recipient"], ctx.attr(rep["unit"], "parent", of="units"))
    return [
        _every(ctx, ctx.anchors(lower_units), rep[lower & to_parent], ctx.params.periodic_report_months),
        ctx.finding(rep[lower & ~to_parent], "wrong_recipient"),
    ]


def _non_returns(ctx: AuditContext) -> pd.DataFrame:
    """Non-returns declared (NonReturnDeclared) per ``unit`` of the cadre and calendar ``year``: ``count``."""
    nr = ctx.t("NonReturnDeclared")
    per = pd.DataFrame({"unit": ctx.attr(nr["cadre"], "unit").to_numpy(), "year": nr["time"].dt.year.to_numpy()})
    return per.dropna(subset=["unit"]).groupby(["unit", "year"], observed=True).size().rename("count").reset_index()


def _incomplete(ctx: AuditContext, rep: pd.DataFrame) -> Found:
    """Annual reports that state fewer non-returns of the year covered than the log declares for the unit's
    cadres (a report that states none is not judged)."""
    told = rep[rep["non_returns"].notna()]
    counts = _non_returns(ctx)
    key = pd.MultiIndex.from_arrays([told["unit"].astype(object).to_numpy(), told["year_covered"].to_numpy()])
    actual = counts.set_index(["unit", "year"])["count"].reindex(key).fillna(0).to_numpy()
    short = told["non_returns"].to_numpy(dtype=float) < actual
    return ctx.finding(told, "incomplete", where=short)


@check("4.2.d", codes={"late": "low", "missing": "medium", "not_written": "low", "incomplete": "medium"},
       params=("annual_report_deadline", "first_annual_report_year"))
def annual_written_report(ctx: AuditContext) -> Found:
    """Every unit below the top reports in writing to the unit one level up in the first quarter of each
    year on the year before; a report that states the year's non-returns (``non_returns``) states all those
    the log declares for the unit's cadres in that year (``incomplete`` otherwise)."""
    month, day = (int(x) for x in str(ctx.params.annual_report_deadline).split("-"))
    year = np.arange(int(ctx.params.first_annual_report_year), ctx.end.year + 1)
    first_day = (year - 1970).astype("datetime64[Y]").astype(TIME_DTYPE)
    last_day = np.array([np.datetime64(f"{y:04d}-{month:02d}-{day:02d}") for y in year], dtype=TIME_DTYPE)
    deadline = (last_day + END_OF_DAY.to_timedelta64()).astype(TIME_DTYPE)
    kept = (first_day >= ctx.start.to_datetime64()) & (deadline < ctx.end.to_datetime64())  # the whole quarter
    units = _lower_units(ctx).reset_index(drop=True)  # each unit in every year kept (a cross join)
    due = pd.DataFrame({"unit": units.take(np.repeat(np.arange(len(units)), kept.sum())).array,
                        "year": np.tile(year[kept], len(units)), "time": np.tile(first_day[kept], len(units)),
                        "deadline": np.tile(deadline[kept], len(units))})
    rep = ctx.t("AnnualReport")
    rep = rep[ctx.same(rep["recipient"], ctx.attr(rep["unit"], "parent", of="units"))]
    rep = rep.assign(year=rep["year_covered"] + 1)
    written = rep["written"].eq(True)
    # the first report on year Y-1 dated from 1 January of Y (one dated earlier cannot cover the full year)
    done = ctx.first_after(due, rep[written], by=["unit", "year"])
    return [_timely(ctx, due, done, None, deadline=due["deadline"],
                    other=ctx.first_after(due, rep[~written], by=["unit", "year"]), wrong="not_written"),
            _incomplete(ctx, rep.reset_index(drop=True))]


@check("4.2.e", codes={"late": "medium", "missing": "high", "wrong_recipient": "medium"},
       triggers=(*MAJOR_EVENTS, "FraudDetected"), params=(*DAYS, "prompt_incident_days"))
def major_situations_reported(ctx: AuditContext) -> Found:
    """A non-return, absconding, defection or forged document is reported upward by the cadre's unit within
    prompt_incident_days."""
    cols = ["event_id", "time", "cadre", "trip", "case"]
    fraud = ctx.t("FraudDetected")
    ev = ctx.concat([_stack(ctx, MAJOR_EVENTS, ("cadre", "trip", "case")),
                    fraud[fraud["kind"].eq("forged_doc")].reindex(columns=cols)])
    ev = ev.assign(unit=ctx.attr(ev["cadre"], "unit"))
    done, other = _reported(ctx, ev)
    return _timely(ctx, ev, done, ctx.params.prompt_incident_days, other=other, wrong="wrong_recipient")


@check("4.2.f", codes={"overdue": "low", "missing": "medium", "correction_late": "low",
                       "uncorrected": "medium"}, params=(*DAYS, "inspection_period_months", "correction_days"))
def special_inspections(ctx: AuditContext) -> Found:
    """Every unit is inspected by a higher body or a discipline organ at least every inspection_period_months,
    and each problem found is corrected within correction_days."""
    ins = ctx.t("Inspection")
    by = ins["inspector"]
    higher = ctx.attr(by, "level_rank", of="bodies") > ctx.attr(ins["unit"], "level_rank", of="units")
    qualified = by.isna() | ctx.attr(by, "kind", of="bodies").eq("discipline") | higher
    problems = ctx.t("InspectionFinding")
    fixed = ctx.first_after(problems, ctx.t("Correction"), by=["unit", "finding_ref"])
    return [
        _every(ctx, ctx.anchors(ctx.units.index), ins[qualified], ctx.params.inspection_period_months),
        _timely(ctx, problems, fixed, ctx.params.correction_days, codes=("correction_late", "uncorrected")),
    ]


# -- 4.3 cases --------------------------------------------------------------------------------------
@check("4.3.b", codes={"late": "medium", "missing": "high", "wrong_kind": "medium"}, triggers=("NonReturnDeclared",),
       params=(*DAYS, "case_days"))
def non_return_sanctioned(ctx: AuditContext) -> Found:
    """A non-returner receives Party or government discipline or organisational handling within case_days
    (Party discipline does not count for a non-Party cadre)."""
    nr = ctx.t("NonReturnDeclared")
    s = ctx.t("Sanction")
    ok = _disciplinary(ctx, s)
    return _timely(ctx, nr, ctx.first_after(nr, s[ok], by=["cadre"]), ctx.params.case_days,
                   other=ctx.first_after(nr, s[~ok], by=["cadre"]), wrong="wrong_kind")


@check("4.3.c", codes={"late": "medium", "missing": "high", "lenient": "high"}, triggers=CASE_EVENTS,
       params=(*DAYS, "case_days"))
def aggravated_cases_punished_severely(ctx: AuditContext) -> Found:
    """A case with serious adverse effects for the State or harm to national security ends in a severe
    sanction of its cadre within case_days."""
    cases = ctx.shared(_case_cadres)
    cases = cases[_case_flag(ctx, cases["case"], "serious_adverse_effect", "national_security_harm")]
    s = ctx.t("Sanction")
    severe = s["severity"].eq("severe")
    return _timely(ctx, cases, ctx.first_after(cases, s[severe], by=["cadre"]), ctx.params.case_days,
                   other=ctx.first_after(cases, s[~severe], by=["cadre"]), wrong="lenient")


@check("4.3.d", codes={"late": "medium", "missing": "high", "wrong_agency": "medium"}, triggers=CASE_EVENTS,
       params=(*DAYS, "pursuit_days"))
def suspected_crimes_pursued(ctx: AuditContext) -> Found:
    """Public or state security starts pursuit of the cadre of a case with a suspected crime within
    pursuit_days."""
    cases = ctx.shared(_case_cadres)
    cases = cases[_case_flag(ctx, cases["case"], "suspected_crime")]
    p = ctx.t("Pursuit")
    ok = p["agency"].isna() | ctx.attr(p["agency"], "kind", of="bodies").isin(["psb", "mss"])
    return _timely(ctx, cases, ctx.first_after(cases, p[ok], by=["cadre"]), ctx.params.pursuit_days,
                   other=ctx.first_after(cases, p[~ok], by=["cadre"]), wrong="wrong_agency")


def _false_document_exits(ctx: AuditContext) -> pd.DataFrame:
    """Exits on a document the log records as forged, altered or bought (``provenance``), with no FraudDetected
    about that document: using one is itself the offence (使用伪造的出国（境）证件)."""
    ex = ctx.t("Exit").dropna(subset=["document"])
    ex = ex[ctx.attr(ex["document"], "provenance", of="documents").isin(FALSE_PROVENANCES).to_numpy()]
    ex = ex[~ctx.has(ex, ctx.t("FraudDetected").dropna(subset=["document"]), by=["document"])]
    return ctx.unique(ex, ["document"]).reset_index(drop=True)


@check("4.3.e", codes={"late": "medium", "missing": "high", "wrong_kind": "medium", "referral_late": "medium",
                       "referral_missing": "high"}, triggers=("FraudDetected", "Exit"), params=(*DAYS, "case_days"))
def fraud_punished(ctx: AuditContext) -> Found:
    """Fraud in going abroad is sanctioned within case_days, and a forged, altered or traded document — detected
    (FraudDetected), or used to leave the country (an exit on a document recorded as forged, altered or bought)
    — is also referred to the judicial organs within case_days (依纪依法)."""
    cols = ["event_id", "time", "cadre", "trip", "document", "case"]
    raw = ctx.t("FraudDetected")
    exits = _false_document_exits(ctx)
    fraud = ctx.concat([raw, exits[[c for c in cols if c in exits.columns]]])  # (a column it lacks: missing)
    crimes = fraud[fraud["kind"].isin(DOCUMENT_CRIMES) | fraud["kind"].isna()]
    s = ctx.t("Sanction")
    ok = _disciplinary(ctx, s)
    days = ctx.params.case_days
    return [
        _timely(ctx, fraud, ctx.first_after(fraud, s[ok], by=["cadre"]), days,
                other=ctx.first_after(fraud, s[~ok], by=["cadre"]), wrong="wrong_kind"),
        _timely(ctx, crimes, ctx.first_after(crimes, ctx.t("LegalReferral"), by=["cadre"]), days,
                codes=("referral_late", "referral_missing")),
    ]


@check("4.3.f", codes={"sanction_late": "medium", "sanction_missing": "high", "leader_late": "medium",
                       "leader_missing": "high", "head_late": "medium", "head_missing": "high"},
       triggers=("Abscond", "Defection"), params=(*DAYS, "case_days"))
def delegation_absconding_accountability(ctx: AuditContext) -> Found:
    """When a member of a temporary delegation or of an institution posted abroad (驻外机构: on a posted trip,
    with or without a delegation record) leaves it (出走) or defects, the person is sanctioned, and both the
    leader of the delegation or institution and the head of the dispatching unit are held accountable, each
    within case_days. The leader is the delegation's recorded leader, or — none recorded — whoever is held
    accountable as its leader or the institution's head about this member or case; the head is a leader of
    the dispatching unit (the delegation's, else the member's own unit). A leader who leaves himself answers as
    the person (his sanction); the head of the dispatching unit answers for him."""
    ev = _stack(ctx, ("Abscond", "Defection"), ("cadre", "trip", "delegation", "case"))
    posted = ctx.attr(ev["trip"], "kind", of="trips").eq("public_posted")
    ev = ev[(ev["delegation"].notna() | posted).to_numpy()]
    leaders = ctx.unique(ctx.t("DelegationFormed"), ["delegation"], keep="last").set_index("delegation")
    ev = ev.assign(leader=ctx.lookup(ev["delegation"], leaders["leader"]),
                   unit=ctx.attr(ev["delegation"], "dispatching_unit", of="delegations")
                   .fillna(ctx.attr(ev["cadre"], "unit")))
    s = ctx.t("Sanction")
    acc = ctx.t("Accountability")
    as_leader = acc[acc["role"].isin(LEADER_ROLES)]
    of_leader = as_leader.rename(columns={"cadre": "leader"})
    about = as_leader.drop(columns="cadre").rename(columns={"subject": "cadre"})
    unknown = ev["leader"].isna()
    leader_done = ctx.first_after(ev, of_leader, by=["leader"]).where(
        ~unknown, ctx.first_after(ev, about, by=["cadre"]).fillna(ctx.first_after(ev, as_leader, by=["case"])))
    led = ~(~unknown & ctx.same(ev["leader"], ev["cadre"]))  # a leader who left himself answers as the person
    of_head = acc[acc["role"].eq("dispatching_unit_head")]
    of_head = of_head[ctx.attr_at(of_head["cadre"], "is_unit_leader", of_head["time"]).eq(True).to_numpy()]
    of_head = of_head.assign(unit=ctx.attr(of_head["cadre"], "unit"))
    days = ctx.params.case_days
    return [
        _timely(ctx, ev, ctx.first_after(ev, s[_disciplinary(ctx, s)], by=["cadre"]), days,
                codes=("sanction_late", "sanction_missing")),
        _timely(ctx, ev[led], leader_done[led], days, codes=("leader_late", "leader_missing")),
        _timely(ctx, ev, ctx.first_after(ev, of_head, by=["unit"]), days,
                codes=("head_late", "head_missing")),
    ]


@check("4.3.g", codes={"late": "low", "missing": "medium", "discipline_late": "medium", "discipline_missing": "high"},
       triggers=("Refusal", "CustodyDemand"), params=(*DAYS, "case_days", "refusal_grace_days", "refusal_serious"))
def refusal_criticised(ctx: AuditContext) -> Found:
    """A cadre who refuses to hand a travel document in (a Refusal, or a custody demand not met within
    refusal_grace_days, as in 3.1.b) receives criticism and education within case_days of the refusal; where
    the circumstances are serious (情节严重; option refusal_serious: ``used_to_exit`` — the Refusal is recorded
    as serious, or he then leaves the country on the withheld document; ``recorded`` — only the former;
    ``never`` — not judged) also Party or government discipline within case_days of that (Party discipline for
    Party members only)."""
    ref = refusals(ctx, (*PUBLIC_DOC_TYPES, *PRIVATE_DOC_TYPES))
    ref = ref.assign(time=ref["refused_at"])
    s = ctx.t("Sanction")
    criticism = s[s["kind"].eq("criticism_education")]
    days = ctx.params.case_days
    found = [_timely(ctx, ref, ctx.first_after(ref, criticism, by=["cadre"]), days)]
    if ctx.params.refusal_serious != "never":
        refused = ctx.t("Refusal")
        recorded = refused[refused["serious"].eq(True).fillna(False).astype(bool)]
        serious = [recorded.assign(time=recorded["time"])]
        if ctx.params.refusal_serious == "used_to_exit":
            used = ref.assign(time=ctx.first_after(ref, ctx.t("Exit"), by=["document", "cadre"]))
            serious.append(used[used["time"].notna()])
        serious = ctx.concat(serious).sort_values("time", kind="stable")
        serious = ctx.unique(serious, ["document", "cadre"]).reset_index(drop=True)
        member = ctx.attr(s["cadre"], "is_party_member").eq(True)
        discipline = s[(s["kind"].isin(HANDLING_KINDS) | (s["kind"].eq("party") & member)).to_numpy()]
        found.append(_timely(ctx, serious, ctx.first_after(serious, discipline, by=["cadre"]), days,
                             codes=("discipline_late", "discipline_missing")))
    return found


def _upstream_failures(ctx: AuditContext) -> pd.DataFrame:
    """(trip, cadre) of every finding option negligence_failures counts (:data:`GATEKEEPING`, or every finding of
    :data:`UPSTREAM_CHECKS`)."""
    every = ctx.params.negligence_failures == "all_upstream"
    found = []
    for fn in UPSTREAM_CHECKS if every else tuple(GATEKEEPING):
        codes = None if every else GATEKEEPING[fn]
        found += [f for f in frames(ctx.shared(fn))  # each check's findings, as the registry computed them
                  if codes is None or set(f.columns["code"] if isinstance(f, Rows) else f["code"]) <= set(codes)]
    if not found:
        return ctx.t("Exit")[["trip", "cadre"]].iloc[:0]
    return ctx.concat(found)[["trip", "cadre"]]


def _not_handled(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """When handling (不处理) failed: the case_days deadline for the cadre's discipline or organisational
    handling, where none came by it (and it has passed); NaT elsewhere."""
    s = ctx.t("Sanction")
    done = ctx.first_after(rows, s[_disciplinary(ctx, s)], by=["cadre"])
    deadline = ctx.deadline(rows["time"], ctx.params.case_days)
    return deadline.where((done > deadline) | (done.isna() & ctx.due(deadline)))


@check("4.3.h", codes={"late": "medium", "missing": "high"}, triggers=MAJOR_EVENTS,
       params=(*DAYS, "case_days", "prompt_incident_days", "public_doc_days", "private_doc_days",
               "county_division_includes_deputy", "bureau_includes_deputy", *UPSTREAM_PARAMS))
def managers_accountable_for_non_return(ctx: AuditContext) -> Found:
    """When a problem — a non-return, an absconding or a defection — follows a management failure on its trip
    that the log shows (失职渎职导致: an approval beyond or below the authority or without focused vetting —
    findings of 1.2.a, 2.1.a, 2.1.c, 2.1.d; under option negligence_failures ``all_upstream`` every finding of
    those and of 1.1.a, 1.1.b and 2.3.e —, the trip approved while the cadre was barred or suspected, the exit
    document not handed in on time after the previous return), or is not
    reported upward promptly (不报告), or the cadre is not disciplined or handled within case_days (不处理), a
    manager is held accountable for it within case_days (of the problem, or of the handling deadline where only
    handling failed). One accountability per cadre and trip."""
    ev = _stack(ctx, MAJOR_EVENTS, ("cadre", "trip", "case")).sort_values("time", kind="stable")
    ev = ev.reset_index(drop=True)
    failed = ctx.has(ev, ctx.shared(_upstream_failures), by=["trip", "cadre"])
    failed |= _approved_while_flagged(ctx, ev) | _custody_lapse(ctx, ev) | _not_reported(ctx, ev)
    unhandled = _not_handled(ctx, ev)
    ev = ev.assign(_due=ctx.deadline(ev["time"], ctx.params.case_days).where(
        failed, ctx.deadline(unhandled, ctx.params.case_days)))
    ev = ctx.unique(ev[ev["_due"].notna().to_numpy()], ["cadre", "trip"]).reset_index(drop=True)
    acc = ctx.t("Accountability")
    acc = acc[acc["role"].eq("manager") & (acc["basis"].isna() | acc["basis"].eq("4.3.h"))]
    about = acc.drop(columns="cadre").rename(columns={"subject": "cadre"})  # the problem's cadre
    done = pd.concat([ctx.first_after(ev, about, by=["cadre"]),
                      ctx.first_after(ev, acc, by=["case"])], axis=1)
    return _timely(ctx, ev, done.min(axis=1).astype(TIME_DTYPE), ctx.params.case_days, deadline=ev["_due"])


@check("4.3.i", codes={"late": "low", "missing": "medium"}, triggers=("CaseConcluded",),
       params=(*DAYS, "publicity_days"))
def typical_cases_publicised(ctx: AuditContext) -> Found:
    """A concluded typical case is publicised by internal circular or public report within publicity_days."""
    concluded = ctx.t("CaseConcluded")
    concluded = concluded[_case_flag(ctx, concluded["case"], "typical")]
    return _timely(ctx, concluded, ctx.first_after(concluded, ctx.t("Publicity"), by=["case"]),
                   ctx.params.publicity_days)


# -- 4.4 information sharing and exit control -------------------------------------------------------
@check("4.4.c", codes={"late": "low", "missing": "medium", "suspicion_late": "medium", "suspicion_missing": "high"},
       triggers=("PSBRegistered", "SuspectedViolation"), params=(*DAYS, "registration_days", "suspicion_share_days"))
def registrations_in_database(ctx: AuditContext) -> Found:
    """Every registration for filing is recorded in the networked database within registration_days, and every
    suspicion of a serious violation is shared through it (DBRecord of kind ``suspicion``) within
    suspicion_share_days — a suspicion held but not shared cannot stop an approval or an exit."""
    reg = ctx.t("PSBRegistered")
    db = ctx.t("DBRecord")
    sus = ctx.t("SuspectedViolation")
    return [
        _timely(ctx, reg, ctx.first_after(reg, db[db["record_kind"].eq("registration")], by=["cadre"]),
                ctx.params.registration_days),
        _timely(ctx, sus, ctx.first_after(sus, db[db["record_kind"].eq("suspicion")], by=["cadre"]),
                ctx.params.suspicion_share_days, codes=("suspicion_late", "suspicion_missing")),
    ]


@check("4.4.d", codes={"upload_late": "low", "upload_missing": "medium", "bulletin_overdue": "low",
                       "bulletin_missing": "medium"}, triggers=("DocIssued",),
       params=(*DAYS, "upload_days", "bulletin_months"))
def public_passport_data_and_bulletins(ctx: AuditContext) -> Found:
    """Each public-passport issuance is uploaded within upload_days, and a foreign-affairs office that issues
    documents bulletins public-passport custody at least every bulletin_months."""
    issued = ctx.t("DocIssued")
    passports = issued[ctx.attr(issued["document"], "doc_type", of="documents").eq("public_passport")]
    uploads = ctx.first_after(passports, ctx.t("DBUpload"), by=["document"])
    by_fao = issued[ctx.attr(issued["issuer"], "kind", of="bodies").eq("fao")]
    per_office = by_fao.groupby(ctx.by_id(by_fao["issuer"]))
    bulletins = ctx.t("PassportCustodyBulletin").rename(columns={"agency": "unit"})
    return [
        _timely(ctx, passports, uploads, ctx.params.upload_days, codes=("upload_late", "upload_missing"),
                unit="issuer"),
        _every(ctx, ctx.anchors(per_office["issuer"].first(), per_office["time"].min().clip(lower=ctx.start)),
               bulletins, ctx.params.bulletin_months, codes=("bulletin_overdue", "bulletin_missing")),
    ]


@check("4.4.f", codes={"late": "medium", "missing": "high", "fled": "critical", "wrong_recipient": "medium"},
       triggers=("SuspectedViolation",), params=(*DAYS, "exit_control_days"))
def exit_control_recommended(ctx: AuditContext) -> Found:
    """A cadre suspected of a serious violation who then shows an exit signal (trip application, document
    issued, funds alert, exit or exit attempt) is recommended to public security (向公安机关: the
    recommendation's ``recipient``; unrecorded is accepted) for exit control within exit_control_days of the
    signal; ``wrong_recipient``: the only recommendation in time went to another body; ``fled``: the cadre fled
    or absconded after that deadline with no recommendation made."""
    sus = ctx.t("SuspectedViolation")
    signal = ctx.first_after(sus, _stack(ctx, EXIT_SIGNALS), by=["cadre"])
    rows = sus.assign(since=sus["time"], time=signal)[signal.notna()]
    rows = rows[ctx.flag_active(rows, "suspected")].drop_duplicates(["cadre", "time"]).reset_index(drop=True)
    recs = ctx.t("ExitControlRecommended")
    to_psb = (recs["recipient"].isna() | ctx.attr(recs["recipient"], "kind", of="bodies").eq("psb")).to_numpy()
    rec = ctx.first_after(rows, recs[to_psb], by=["cadre"], left_time="since")
    elsewhere = ctx.first_after(rows, recs[~to_psb], by=["cadre"], left_time="since")
    limit = ctx.params.exit_control_days
    deadline = ctx.deadline(rows["time"], limit)
    flight = ctx.first_after(rows, _stack(ctx, ("Flight", "Abscond")), by=["cadre"])
    fled = (flight > deadline) & ~(rec <= flight) & ~(elsewhere <= flight)
    return [
        _timely(ctx, rows[~fled], rec[~fled], limit, other=elsewhere[~fled], wrong="wrong_recipient"),
        ctx.finding(rows[fled], "fled", deadline=deadline[fled], observed=flight[fled], limit=limit),
    ]


@check("4.4.g", codes={"late": "medium", "missing": "high", "wrong_agency": "medium"},
       triggers=("ExitControlRecommended",), params=(*DAYS, "psb_days"))
def exit_control_imposed(ctx: AuditContext) -> Found:
    """Public security imposes exit control within psb_days of a recommendation (a control already in force
    counts; one recorded by another agency is not public security acting — as for 4.3.d, an unrecorded agency
    is accepted)."""
    rec = ctx.t("ExitControlRecommended")
    imposed = ctx.t("ExitControlImposed")
    by_psb = (imposed["agency"].isna() | ctx.attr(imposed["agency"], "kind", of="bodies").eq("psb")).to_numpy()
    earlier = ctx.last_before(rec, imposed[by_psb], by=["cadre"])
    done = earlier.fillna(ctx.first_after(rec, imposed[by_psb], by=["cadre"]))
    other = ctx.last_before(rec, imposed[~by_psb], by=["cadre"]).fillna(
        ctx.first_after(rec, imposed[~by_psb], by=["cadre"]))
    return _timely(ctx, rec, done, ctx.params.psb_days, other=other, wrong="wrong_agency")
