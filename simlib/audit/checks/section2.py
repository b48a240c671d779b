"""Checks for section 二 of the notice: private trips abroad (2.1–2.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.audit.context import DAYS, TIMED_SOURCES, AuditContext
from simlib.audit.findings import Found
from simlib.audit.registry import check
from simlib.log.eventlog import TIME_DTYPE
from simlib.log.vocabulary import TRIP_KINDS
from simlib.rulebook import Params

PRIVATE = ("private",)
TRIP_CADRE = ["trip", "cadre"]
FLAGS = {"exit_banned": "ExitBanned", "suspected": "SuspectedViolation"}  # FlagCleared.flag -> event type
STATUS_RECIPIENTS = ("unit", "party_org")  # 2.3.c: 所在单位和单位党组织
DAYS_PER_MONTH = 365.25 / 12


def applied(ctx: AuditContext, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` of a trip (approvals, vettings) timed at the application for the trip (TripRequested; else
    their own time): a cadre is approved by, and vetted as, the one he was when he applied — a promotion while
    the application is under review changes neither."""
    asked = ctx.last_before(rows, ctx.t("TripRequested"), by=TRIP_CADRE)
    return rows.assign(time=asked.fillna(rows["time"]))


def applied_authority(ctx: AuditContext, event_type: str) -> pd.Series:
    """For each row of a whole table (TripApproved, Vetting), the management authority over its cadre when he
    applied (:func:`applied`); computed once per audit (``ctx.shared``), aligned with ``ctx.t(event_type)``."""
    rows = applied(ctx, ctx.t(event_type))
    return ctx.attr_at(rows["cadre"], "management_authority", rows["time"])


def below_applied_authority(ctx: AuditContext, event_type: str) -> np.ndarray:
    """For each row of a whole table (TripApproved, Vetting), whether its body (``approver``) is below the
    management authority over its cadre when he applied; computed once per audit (``ctx.shared``)."""
    rows = ctx.t(event_type)
    return ctx.below_authority(rows, authority=ctx.shared(applied_authority, event_type)).to_numpy()


def _judged_approvals(ctx: AuditContext) -> pd.DataFrame:
    """Approvals judged under 2.1.d and 2.1.e: private trips, and public ones too under
    ``private_rules_apply_to_public``."""
    kinds = TRIP_KINDS if ctx.params.private_rules_apply_to_public else PRIVATE
    return ctx.on_trips(ctx.t("TripApproved"), kinds)


def _month_start(months: pd.Series) -> np.ndarray:
    """First day of each month, given as a count of months since January 1970."""
    return np.asarray(months, dtype="int64").astype("datetime64[M]").astype(TIME_DTYPE)


def status_recipients(party_member: bool) -> tuple[str, ...]:
    """To whom a cadre abroad on a private trip reports each quarter (2.3.c): his unit, and a Party member also
    its Party organisation (clause 5 extends the notice to others by reference, not a Party duty). Shared with
    the obligations calculator."""
    return STATUS_RECIPIENTS if party_member else STATUS_RECIPIENTS[:1]


def reporting_periods(params: Params, stays: pd.DataFrame) -> pd.DataFrame:
    """One row per reporting period abroad (``stays``: ``out`` and ``back`` days), with ``time`` (its first day)
    and ``stop`` (the day after it), under option quarter_reading: ``calendar`` — each calendar period of
    ``quarterly_report_months`` months spent wholly abroad; ``any_part`` — each calendar period with any day
    abroad, the report due within the days abroad in it; ``rolling`` — each full window of that length from exit.
    Shared with the obligations calculator."""
    months = params.quarterly_report_months

    def index(d: pd.Series) -> pd.Series:
        return (d.dt.year - 1970) * 12 + d.dt.month - 1
    if params.quarter_reading == "any_part":
        first = index(stays["out"]) // months
        rows = stays.loc[stays.index.repeat((index(stays["back"]) // months - first + 1).clip(lower=0))]
        period = first.loc[rows.index] + rows.groupby(level=0).cumcount()
        start, end = _month_start(period * months), _month_start((period + 1) * months)
        day_after = (rows["back"] + pd.Timedelta(days=1)).to_numpy()
        return rows.assign(time=np.maximum(start, rows["out"].to_numpy()), stop=np.minimum(end, day_after))
    if params.quarter_reading == "calendar":
        first = -(-(index(stays["out"]) + (stays["out"].dt.day > 1)) // months)
        count = (index(stays["back"]) // months - first).clip(lower=0)
        rows = stays.loc[stays.index.repeat(count)]
        period = first.loc[rows.index] + rows.groupby(level=0).cumcount()
        return rows.assign(time=_month_start(period * months), stop=_month_start((period + 1) * months))
    length = pd.Timedelta(days=round(months * DAYS_PER_MONTH))
    count = (stays["back"] - stays["out"]) // length
    rows = stays.loc[stays.index.repeat(count)]
    start = rows["out"] + rows.groupby(level=0).cumcount() * length
    return rows.assign(time=start, stop=start + length)


@check("2.1.a", codes={"unapproved": "high", "wrong_authority": "high"}, triggers=("Exit",))
def private_trip_approved_by_management_authority(ctx: AuditContext) -> Found:
    """A private trip is approved before exit by the body holding cadre-management authority over the
    cadre (at the approval: a promotion can move it up)."""
    exits = ctx.departures(PRIVATE)
    approvals = ctx.t("TripApproved")
    authority = ctx.shared(applied_authority, "TripApproved")
    approved = ctx.last_before(exits, approvals, by=TRIP_CADRE)
    proper = ctx.last_before(exits, approvals[authority.isna() | ctx.same(approvals["approver"], authority)],
                             by=TRIP_CADRE).notna()
    wrong = approved.notna() & ~proper
    return [
        ctx.finding(exits[approved.isna()], "unapproved"),
        ctx.finding(exits[wrong], "wrong_authority", observed=approved[wrong]),
    ]


@check("2.1.b", codes={"unapproved": "high"}, triggers=("Exit",), params=("county_division_includes_deputy",),
       existence_only=True)
def county_plus_private_trip_approved(ctx: AuditContext) -> Found:
    """A private trip of a cadre at county/division level or above when he leaves is approved before exit (1999
    No. 23 was not found, so only the approval's existence is checked)."""
    exits = ctx.departures(PRIVATE)
    exits = exits[ctx.attr_at(exits["cadre"], "county_plus", exits["time"]).eq(True)]
    approved = ctx.last_before(exits, ctx.t("TripApproved"), by=TRIP_CADRE).notna()
    return ctx.finding(exits[~approved], "unapproved")


@check("2.1.c", codes={"delegated_down": "high", "disguised": "medium"}, triggers=("TripApproved",))
def approval_authority_not_delegated(ctx: AuditContext) -> Found:
    """A private trip is not approved by a body below the cadre's management authority (擅自下放), nor signed
    by the authority on a review done only by a body below it (变相下放: the vetting for the trip was done by a
    lower body, none by the authority). Who approves is judged here; whether a vetting was done at all is
    2.1.d's matter."""
    approvals = ctx.on_trips(ctx.t("TripApproved"), PRIVATE)
    at = approvals.index.to_numpy()  # their rows in the whole table
    by_authority = ctx.same(approvals["approver"], ctx.shared(applied_authority, "TripApproved").iloc[at])
    vetting = ctx.t("Vetting")
    by_itself = ctx.last_before(approvals, vetting, by=[*TRIP_CADRE, "approver"]).notna()
    lower = vetting[ctx.shared(below_applied_authority, "Vetting")]
    below = ctx.last_before(approvals, lower, by=TRIP_CADRE)
    disguised = by_authority & ~by_itself & below.notna()
    return [
        ctx.finding(approvals[ctx.shared(below_applied_authority, "TripApproved")[at]], "delegated_down"),
        ctx.finding(approvals[disguised], "disguised", observed=below[disguised]),
    ]


@check("2.1.d", codes={"not_vetted": "high", "incomplete": "medium"}, triggers=("TripApproved",),
       params=("private_rules_apply_to_public",))
def focused_vetting(ctx: AuditContext) -> Found:
    """Before a leading cadre or a cadre in a key post (when vetted, else when approved) is approved to go
    abroad, his recent political performance and integrity are vetted."""
    approvals = _judged_approvals(ctx)
    vetting = ctx.t("Vetting")
    cadre, time = approvals["cadre"], ctx.last_before(approvals, vetting, by=TRIP_CADRE).fillna(approvals["time"])
    focus = ctx.attr_at(cadre, "is_leading_cadre", time).eq(True) | ctx.attr_at(cadre, "key_post_any", time).eq(True)
    approvals = approvals[focus]
    full = vetting[vetting["political"].fillna(False) & vetting["integrity"].fillna(False)]
    vetted = ctx.last_before(approvals, vetting, by=TRIP_CADRE).notna()
    complete = ctx.last_before(approvals, full, by=TRIP_CADRE).notna()
    return [
        ctx.finding(approvals[~vetted], "not_vetted"),
        ctx.finding(approvals[vetted & ~complete], "incomplete"),
    ]


@check("2.1.e", codes={"exit_banned": "critical", "suspected": "critical"}, triggers=("TripApproved",),
       params=("private_rules_apply_to_public",))
def no_approval_for_barred_or_suspected(ctx: AuditContext) -> Found:
    """No trip is approved for a cadre recorded as barred from exit by law or as suspected of a serious
    violation, unless the flag was cleared before the approval."""
    approvals = _judged_approvals(ctx)
    found = []
    for flag, event_type in FLAGS.items():
        active = ctx.flag_active(approvals, flag)
        raised = ctx.last_before(approvals[active], ctx.t(event_type), by=["cadre"])
        found.append(ctx.finding(approvals[active], flag, observed=raised))
    return found


def category_entered(ctx: AuditContext) -> pd.Series:
    """Per cadre id, when he entered a registration-for-filing category (the first CategoryEntered); absent for
    a cadre with none (one in a category per his attributes has been in it throughout)."""
    entered = ctx.t("CategoryEntered")
    first = ctx.unique(entered, ["cadre"])
    return pd.Series(first["time"].to_numpy(), index=first["cadre"].astype(object).to_numpy())


def category_moves(ctx: AuditContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """When cadres enter and leave the registration-for-filing categories of 2.2.a (``cadre``, ``time``):
    CategoryEntered and CategoryLeft events, and the moves the cadres' timed attributes show (rank,
    employment, leading post and security category in force after each change, against those before it)."""
    entered = [ctx.t("CategoryEntered")[["cadre", "time"]]]
    left = [ctx.t("CategoryLeft")[["cadre", "time"]]]
    changes = ctx.log.changes.get("cadre")  # (a log without changes has no table of them: none is built)
    changes = None if changes is None else changes[changes["field"].isin(TIMED_SOURCES["registrable"])]
    if changes is not None and len(changes):
        points = changes[["object_id", "time"]].drop_duplicates().sort_values(["object_id", "time"], kind="stable")
        cadre, times = ctx.as_ids(points["object_id"].reset_index(drop=True)), points["time"].reset_index(drop=True)
        now = ctx.attr_at(cadre, "registrable", times).eq(True).to_numpy()
        first = ~cadre.duplicated().to_numpy()
        before = np.where(first, ctx.attr(cadre, "registrable").eq(True).to_numpy(), np.roll(now, 1))
        entered.append(pd.DataFrame({"cadre": cadre[now & ~before], "time": times[now & ~before]}))
        left.append(pd.DataFrame({"cadre": cadre[before & ~now], "time": times[before & ~now]}))
    return tuple(ctx.unique(ctx.concat(frames), ["cadre", "time"]) for frames in (entered, left))


def registered_at(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """Whether a registration is in force at each row's time (the last PSBRegistered not withdrawn since)."""
    registered = ctx.last_before(rows, ctx.t("PSBRegistered"), by=["cadre"])
    withdrawn = ctx.last_before(rows, ctx.t("PSBDeregistered"), by=["cadre"])
    return registered.notna() & ~(withdrawn >= registered)


@check("2.2.a", codes={"late": "medium", "missing": "high", "dereg_late": "low", "dereg_missing": "low"},
       params=(*DAYS, "registration_days", "county_division_includes_deputy", "bureau_includes_deputy"),
       binds_non_party=True)
def registration_for_filing(ctx: AuditContext) -> Found:
    """Every cadre in a registration-for-filing category is registered with public security within
    ``registration_days`` of the effective date, or of the day he enters the category when that is later (a
    promotion, a new post, retirement: CategoryEntered, or his timed attributes); a registration in force then
    counts. One who leaves every category (retirement below bureau level, leaving a leading or
    security-sensitive post: CategoryLeft, or his timed attributes) is de-registered within the same period —
    2003 No. 13 Art. 5 asks for changes to be filed 及时 — unless he is back in a category by then. An obligation
    whose category ends before its deadline is not judged."""
    entered, left = ctx.shared(category_moves)
    ids = ctx.index_ids("cadres")
    first_in = ctx.lookup(ids, ctx.unique(entered, ["cadre"]).set_index("cadre")["time"])
    first_out = ctx.lookup(ids, ctx.unique(left, ["cadre"]).set_index("cadre")["time"])
    # in a category at creation — unless the log says he entered it later (old logs give final attributes)
    initial = ctx.category("registrable").to_numpy() & ~(first_in.notna() & ~(first_out <= first_in)).to_numpy()
    start = pd.DataFrame({"cadre": ids[initial].reset_index(drop=True),
                          "time": pd.Series(ctx.start, index=range(int(initial.sum()))).astype(TIME_DTYPE)})
    rows = ctx.concat([start, entered.assign(time=entered["time"].where(entered["time"] > ctx.start, ctx.start))])
    rows = ctx.unique(rows, ["cadre", "time"]).assign(unit=lambda r: ctx.attr(r["cadre"], "unit"))
    limit = ctx.params.registration_days
    deadline = ctx.deadline(rows["time"], limit)
    until = ctx.first_after(rows, left, by=["cadre"], strict=True)
    judged = ~(until <= deadline)
    done = ctx.first_after(rows, ctx.t("PSBRegistered"), by=["cadre"]).where(~registered_at(ctx, rows), rows["time"])
    done = done.where(~(done > until))
    gone = left.assign(unit=ctx.attr(left["cadre"], "unit"))
    gone = gone[registered_at(ctx, gone).to_numpy()]
    back = ctx.first_after(gone, entered, by=["cadre"], strict=True)
    gone_deadline = ctx.deadline(gone["time"], limit)
    still_out = ~(back <= gone_deadline)
    withdrawn = ctx.first_after(gone, ctx.t("PSBDeregistered"), by=["cadre"])
    return [
        ctx.timeliness(rows[judged], done[judged], deadline[judged], limit=limit),
        ctx.timeliness(gone[still_out], withdrawn[still_out], gone_deadline[still_out], limit=limit,
                       codes=("dereg_late", "dereg_missing")),
    ]


@check("2.3.b", codes={"party_capacity": "medium"}, triggers=("PartyCapacityPublicActivity",), party_only=True)
def no_public_activity_as_party_member(ctx: AuditContext) -> Found:
    """A Party member abroad on a private trip does not take part in public activities as a Party member."""
    return ctx.finding(ctx.on_trips(ctx.t("PartyCapacityPublicActivity"), PRIVATE), "party_capacity")


@check("2.3.c", codes={"unit_missing": "medium", "party_org_missing": "medium"}, triggers=("Exit",),
       params=("quarterly_report_months", "quarter_reading"))
def quarterly_status_reports(ctx: AuditContext) -> Found:
    """A cadre abroad on a private trip reports on his situation to his unit — and, a Party member, to its Party
    organisation (clause 5 does not extend a Party duty to others) — once in every quarter spent abroad
    (``quarter_reading``: calendar quarters or rolling windows from exit), until he returns or is declared a
    non-returner (私自不归: the organisation no longer expects reports, it handles the case)."""
    stays = ctx.departures(PRIVATE)
    back = ctx.first_after(stays, ctx.t("Entry"), by=TRIP_CADRE)
    declared = ctx.first_after(stays, ctx.t("NonReturnDeclared"), by=["cadre"])
    back = back.where(back.notna() & ~(declared < back), declared).fillna(ctx.end)
    periods = reporting_periods(ctx.params, stays.assign(out=stays["time"].dt.normalize(), back=back.dt.normalize()))
    reports = ctx.t("AbroadStatusReport")
    last_day = periods["stop"] - pd.Timedelta(milliseconds=1)
    member = ctx.attr(periods["cadre"], "is_party_member").eq(True).to_numpy()
    found = []
    for to in STATUS_RECIPIENTS:
        done = ctx.first_after(periods, reports[reports["to"] == to], by=TRIP_CADRE)
        owed = np.where(member, to in status_recipients(True), to in status_recipients(False))
        missing = (done.isna() | (done >= periods["stop"])).to_numpy() & owed
        found.append(ctx.finding(periods, f"{to}_missing", where=missing, deadline=last_day[missing]))
    return found


@check("2.3.d", codes={"late": "medium", "missing": "high"}, triggers=("Incident",),
       params=(*DAYS, "prompt_incident_days"))
def important_matters_reported_from_abroad(ctx: AuditContext) -> Found:
    """An important matter during a private trip is reported within ``prompt_incident_days``."""
    incidents = ctx.on_trips(ctx.t("Incident"), PRIVATE)
    limit = ctx.params.prompt_incident_days
    done = ctx.first_after(incidents, ctx.t("IncidentReported"), by=["trip"])
    return ctx.timeliness(incidents, done, ctx.deadline(incidents["time"], limit), limit=limit)


@check("2.3.e", codes={"missing": "medium"}, triggers=("Exit",), params=("membership_long_stay_days",),
       party_only=True, existence_only=True)
def membership_relations_handled(ctx: AuditContext) -> Found:
    """Before a private stay of more than ``membership_long_stay_days`` days, the member's Party
    organisational relations are handled (1981 No. 19 was not found: only the decision's existence is
    checked)."""
    exits = ctx.departures(PRIVATE)
    planned = ctx.value_before(exits, ctx.t("TripApproved"), TRIP_CADRE, "approved_return").fillna(
        ctx.value_before(exits, ctx.t("TripRequested"), TRIP_CADRE, "plan_return"))
    days = (planned.dt.normalize() - exits["time"].dt.normalize()).dt.days
    limit = ctx.params.membership_long_stay_days
    decided = ctx.last_before(exits, ctx.t("MembershipRelationDecision"), by=["cadre"]).notna()
    missing = (days > limit) & ~decided
    return ctx.finding(exits[missing], "missing", days=days[missing], limit=limit)


@check("2.3.f", codes={"late": "low", "missing": "medium", "wrong_recipient": "low"}, triggers=("Entry",),
       params=(*DAYS, "prompt_return_report_days"))
def return_report_to_unit(ctx: AuditContext) -> Found:
    """After coming back from a private trip, the cadre reports promptly to his own unit."""
    entries = ctx.on_trips(ctx.t("Entry"), PRIVATE)
    entries = entries.assign(unit=ctx.attr(entries["cadre"], "unit"))
    reports = ctx.t("ReturnReport")
    own = reports["recipient"].isna() | ctx.same(reports["recipient"], ctx.attr(reports["cadre"], "unit"))
    done = ctx.first_after(entries, reports[own], by=TRIP_CADRE)
    elsewhere = done.isna() & ctx.first_after(entries, reports[~own], by=TRIP_CADRE).notna()
    limit = ctx.params.prompt_return_report_days
    deadline = ctx.deadline(entries["time"], limit)
    keep = ~elsewhere
    return [
        ctx.finding(entries[elsewhere], "wrong_recipient", deadline=deadline[elsewhere]),
        ctx.timeliness(entries[keep], done[keep], deadline[keep], limit=limit),
    ]
