"""Checks for section 三 of the notice: travel documents (3.1–3.5).

Custody is read from the document events: a document is *with its holder* after ``DocIssued`` or
``DocCheckedOut``, and *back* after ``DocSurrendered``, ``DocCheckedIn``, ``DocCancelled`` or ``DocRevoked``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simlib.audit.context import DAYS, AuditContext, deadline_after
from simlib.audit.findings import Found
from simlib.audit.registry import check
from simlib.log.vocabulary import PRIVATE_DOC_TYPES, PUBLIC_DOC_TYPES, PUBLIC_TRIP_KINDS
from simlib.rulebook import Params

REPORTED_DOC_TYPES = ("private_passport", "hk_macao_two_way_permit")  # 3.2.a: 因私护照或往来港澳通行证
OUT_EVENTS = ("DocIssued", "DocCheckedOut")
BACK_EVENTS = ("DocSurrendered", "DocCheckedIn", "DocCancelled", "DocRevoked")
PUBLIC_HAND_INS = ("DocSurrendered", "DocCheckedIn", "DocCancelled")  # 3.1.a: 统一保管或注销


def _of_types(ctx: AuditContext, rows: pd.DataFrame, doc_types: Sequence[str]) -> pd.DataFrame:
    """The rows whose ``document`` is of one of ``doc_types``."""
    return rows[ctx.attr(rows["document"], "doc_type", of="documents").isin(doc_types)].reset_index(drop=True)


def _events(ctx: AuditContext, names: Sequence[str], columns: Sequence[str] = ("document", "time"),
            rename: dict[str, str] | None = None) -> pd.DataFrame:
    """Several event types stacked, with ``columns`` only (after ``rename``, e.g. unit → recipient)."""
    return ctx.stack(names, columns, rename)


def _held(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """True where the ``document`` of a row is with its holder at the row's time."""
    out = ctx.last_before(rows, _events(ctx, OUT_EVENTS), by=["document"])
    back = ctx.last_before(rows, _events(ctx, BACK_EVENTS), by=["document"])
    return out.notna() & (back.isna() | (out > back))


def _holdings(ctx: AuditContext) -> pd.DataFrame:
    """One row per return (``Entry``) and document the traveller then holds (所持): the one shown at the border,
    and any other issued or checked out to him and not yet back."""
    entries = ctx.t("Entry")
    ever = ctx.unique(_events(ctx, OUT_EVENTS, ("cadre", "document")))
    # each return with each document the cadre ever had, but the one shown (not to count it twice)
    pairs = ctx.merge(entries[["time", "cadre"]].assign(shown=entries["document"], entry=np.arange(len(entries))),
                      ever, on=["cadre"])
    pairs = pairs[~ctx.same(pairs["document"], pairs["shown"]).to_numpy()]
    pairs = pairs[_held(ctx, pairs).to_numpy()]
    others = entries.take(pairs["entry"].to_numpy()).assign(document=pairs["document"].array)
    return ctx.concat([entries[entries["document"].notna()], others])


def _returns(ctx: AuditContext, trip_kinds: Sequence[str], doc_types: Sequence[str]) -> pd.DataFrame:
    """The holdings on return (:func:`_holdings`) from a trip of ``trip_kinds``, of documents of ``doc_types``."""
    return _of_types(ctx, ctx.on_trips(ctx.shared(_holdings), trip_kinds), doc_types)


def _registered_state_staff(ctx: AuditContext, rows: pd.DataFrame) -> pd.Series:
    """国家机关登记备案人员 at each row's time: state-organ staff registered for filing by then (PSBRegistered),
    or — under option registered_staff_reading ``category`` — in a registration category by then (an owed
    registration, a 2.2.a finding, exempts no one; a CategoryEntered after the row's time means not yet)."""
    from simlib.audit.checks.section2 import category_entered, category_moves, registered_at

    staff = ctx.attr(rows["cadre"], "is_state_organ_staff").eq(True)
    registered = registered_at(ctx, rows)  # and not withdrawn (PSBDeregistered) since
    if ctx.params.registered_staff_reading == "registered":
        return staff & registered
    first_in = ctx.lookup(rows["cadre"], ctx.shared(category_entered))
    moves_in, moves_out = ctx.shared(category_moves)  # entries and exits, by events or timed attributes
    last_in, last_out = (ctx.last_before(rows, moves, by=["cadre"]) for moves in (moves_in, moves_out))
    moved_in = last_in.notna() & ~(last_out >= last_in)
    moved_out = last_out.notna() & ~(last_in > last_out)
    in_category = ctx.attr_at(rows["cadre"], "registrable", rows["time"]).eq(True)
    category = (in_category | moved_in) & ~moved_out & ~(first_in > rows["time"])
    return staff & (category | registered)


# -- 3.1 public documents -----------------------------------------------------------------------------------
@check("3.1.a", codes={"late": "medium", "missing": "high", "wrong_recipient": "medium"}, triggers=("Entry",),
       params=(*DAYS, "public_doc_days", "public_doc_recipient"))
def public_documents_handed_in(ctx: AuditContext) -> Found:
    """The public documents held on return from a public trip are handed in or cancelled within 15 days — under
    option public_doc_recipient ``issuing_body``, handed to the body that issued them (the log records no
    designation, so the issuer stands for the department it designates; an unrecorded recipient or issuer is
    accepted)."""
    rows = _returns(ctx, PUBLIC_TRIP_KINDS, PUBLIC_DOC_TYPES)
    hand_ins = _events(ctx, PUBLIC_HAND_INS, ("document", "time", "recipient"), rename={"unit": "recipient"})
    limit = ctx.params.public_doc_days
    deadline = ctx.deadline(rows["time"], limit)
    ctx.judge(rows, deadline)
    if ctx.params.public_doc_recipient == "any":
        return ctx.timeliness(rows, ctx.first_after(rows, hand_ins, by=["document"]), deadline, limit=limit)
    issuer = ctx.unique(ctx.t("DocIssued"), ["document"], keep="last").set_index("document")["issuer"]
    designated = ctx.lookup(hand_ins["document"], issuer)
    to = hand_ins["recipient"]
    right = (to.isna() | designated.isna() | ctx.same(to, designated)).to_numpy()
    done = ctx.first_after(rows, hand_ins[right], by=["document"])
    elsewhere = ctx.first_after(rows, hand_ins[~right], by=["document"])
    wrong = ((elsewhere <= deadline) & ~(done <= deadline)).to_numpy()
    return [ctx.finding(rows, "wrong_recipient", where=wrong, deadline=deadline[wrong], observed=elsewhere[wrong],
                        limit=limit),
            ctx.timeliness(rows[~wrong], done[~wrong], deadline[~wrong], limit=limit)]


def refusals(ctx: AuditContext, doc_types: Sequence[str]) -> pd.DataFrame:
    """The first refusal to hand in each document of ``doc_types`` (拒不执行/拒不交出): a Refusal, or a
    CustodyDemand not met within refusal_grace_days; ``refused_at`` is when it became one. Shared by 3.1.b
    and 4.3.g."""
    demands = _of_types(ctx, ctx.t("CustodyDemand"), doc_types)
    handed = ctx.first_after(demands, _events(ctx, PUBLIC_HAND_INS), by=["document"])
    refused_at = ctx.deadline(demands["time"], ctx.params.refusal_grace_days)
    ignored = ~(handed <= refused_at) & ctx.due(refused_at)
    explicit = _of_types(ctx, ctx.t("Refusal"), doc_types)
    found = (ctx.concat([explicit.assign(refused_at=explicit["time"]),
                         demands[ignored].assign(refused_at=refused_at[ignored])])
             .sort_values("refused_at", kind="stable"))
    return ctx.unique(found, ["document"]).reset_index(drop=True)


@check("3.1.b", codes={"late": "low", "missing": "high"}, triggers=("CustodyDemand", "Refusal"),
       params=(*DAYS, "refusal_grace_days", "revocation_days"))
def refused_public_documents_revoked(ctx: AuditContext) -> Found:
    """A public document whose holder refuses to hand it in (a Refusal, or a CustodyDemand not met within
    refusal_grace_days) is revoked (吊销) within revocation_days."""
    refused = refusals(ctx, PUBLIC_DOC_TYPES)
    revoked = ctx.first_after(refused, ctx.t("DocRevoked"), by=["document"])
    limit = ctx.params.revocation_days
    return ctx.timeliness(refused, revoked, ctx.deadline(refused["refused_at"], limit), limit=limit)


# -- 3.2 reporting and registering private documents and trips -------------------------------------------
def _reports_up(ctx: AuditContext, cadres: pd.Series, times: pd.Series) -> pd.Series:
    """True where a cadre is one of 各单位的领导干部, who report one level up (3.2.b): under option
    leader_report_reading ``unit_head`` the leader of his unit; under ``managed_one_level_up`` every leading
    cadre whose management authority is a body other than his own unit."""
    if ctx.params.leader_report_reading == "unit_head":
        return ctx.attr_at(cadres, "is_unit_leader", times).eq(True)
    authority = ctx.attr_at(cadres, "management_authority", times)
    return (ctx.attr_at(cadres, "is_leading_cadre", times).eq(True) & authority.notna()
            & ~ctx.same(authority, ctx.attr(cadres, "unit")))


def _to_right_body(ctx: AuditContext, reports: pd.DataFrame) -> pd.Series:
    """True where a report went where the cadre reports: his own unit's org-personnel department, or, for a
    unit leader (:func:`_reports_up`), the one a level up (his unit's parent, or the body holding management
    authority over him; at the top of the log's unit tree, where neither is another body, his own unit)."""
    to, who = reports["recipient"], reports["cadre"]
    unit, parent, authority = (ctx.attr(who, c) for c in ("unit", "unit_parent", "management_authority"))
    own = ctx.same(to, unit)
    top = parent.isna() & (authority.isna() | ctx.same(authority, unit))
    up = ctx.same(to, parent) | (ctx.same(to, authority) & ~own) | (top & own)
    return up.where(_reports_up(ctx, who, reports["time"]), own)


def doc_report_deadline(issued: pd.Series, first_use: pd.Series, params: Params) -> pd.Series:
    """3.2.a: a private passport or two-way HK/Macao permit issued at ``issued`` is reported within
    doc_report_days, and no later than its first use (``first_use``, NaT if none). Shared with the obligations
    calculator."""
    by_days = deadline_after(issued, params.doc_report_days, params)
    return by_days.mask(first_use < by_days, first_use)


def _report_duties(ctx: AuditContext) -> pd.DataFrame:
    """Each report 3.2.a/3.2.b require, with its ``deadline``, the first report made to anyone (``reported``),
    whether one went to the right body (``right_body``) and whether the cadre is a unit leader (``leader``).

    A private passport or two-way HK/Macao permit issued: report by doc_report_days and before its first use.
    A private exit: report for that trip at or before it (a report stamped with the exit's time counts)."""
    doc_reports = ctx.t("DocReportedRegistered")
    doc_reports = doc_reports.assign(right_body=_to_right_body(ctx, doc_reports))
    issued = _of_types(ctx, ctx.t("DocIssued"), REPORTED_DOC_TYPES)
    first_use = ctx.first_after(issued, ctx.t("Exit"), by=["document"])
    docs = issued.assign(duty="doc", deadline=doc_report_deadline(issued["time"], first_use, ctx.params),
                         reported=ctx.first_after(issued, doc_reports, by=["document"]),
                         right_body=ctx.has(issued, doc_reports[doc_reports["right_body"]], by=["document"]))

    trip_reports = ctx.t("PreTripReport")
    trip_reports = trip_reports.assign(right_body=_to_right_body(ctx, trip_reports))
    exits = ctx.on_trips(ctx.t("Exit"), ["private"]).drop(columns="document").reset_index(drop=True)
    before = ctx.last_before(exits, trip_reports, by=["trip"])
    trips = exits.assign(duty="trip", deadline=exits["time"],
                         reported=before.fillna(ctx.first_after(exits, trip_reports, by=["trip"])),
                         right_body=ctx.has(exits, trip_reports[trip_reports["right_body"]], by=["trip"]))
    duties = ctx.concat([docs, trips])
    return duties.assign(leader=_reports_up(ctx, duties["cadre"], duties["time"]))


def _wrong_recipient(ctx: AuditContext, duties: pd.DataFrame) -> Found:
    """``wrong_recipient`` where reports were made, but none to the right body."""
    wrong = duties[duties["reported"].notna() & ~duties["right_body"].astype(bool)]
    return ctx.finding(wrong, "wrong_recipient", observed=wrong["reported"])


@check("3.2.a", codes={"doc_late": "medium", "doc_missing": "high", "trip_late": "medium",
                       "trip_missing": "high", "wrong_recipient": "low"}, triggers=("DocIssued", "Exit"),
       params=(*DAYS, "doc_report_days", "leader_report_reading"))
def private_documents_and_trips_reported(ctx: AuditContext) -> Found:
    """A cadre reports to and registers with his unit's org-personnel department each private passport or
    two-way HK/Macao permit he obtains (within doc_report_days, before first use) and each private trip
    before he leaves."""
    duties = ctx.shared(_report_duties)
    found = [_wrong_recipient(ctx, duties[~duties["leader"]])]  # a unit leader's recipient is judged by 3.2.b
    for duty, limit in (("doc", ctx.params.doc_report_days), ("trip", None)):
        rows = duties[duties["duty"] == duty]
        found.append(ctx.timeliness(rows, rows["reported"], rows["deadline"], limit=limit,
                                    codes=(f"{duty}_late", f"{duty}_missing")))
    return found


@check("3.2.b", codes={"wrong_recipient": "medium"}, triggers=("DocIssued", "Exit"),
       params=(*DAYS, "doc_report_days", "leader_report_reading"))
def unit_leaders_report_one_level_up(ctx: AuditContext) -> Found:
    """A unit's leading cadre (option leader_report_reading: its head, or every leading cadre managed a level
    up) makes the reports of 3.2.a to the org-personnel department one level up, not to his own unit (whether
    and when he reported is judged by 3.2.a)."""
    duties = ctx.shared(_report_duties)
    return _wrong_recipient(ctx, duties[duties["leader"]])


@check("3.2.c", codes={"late": "low", "missing": "medium"}, params=(*DAYS, "issue_date", "cleanup_window_days"))
def documents_cleaned_up(ctx: AuditContext) -> Found:
    """Every state-organ unit carries out the clean-up of private documents after the notice is issued, by the
    effective date + cleanup_window_days."""
    rows = ctx.anchors(ctx.index_ids("units")[ctx.units["is_state_organ"].to_numpy()])
    audits = ctx.t("CleanupAudit")
    done = ctx.earliest(rows["unit"], audits[audits["time"] >= pd.Timestamp(ctx.params.issue_date)], "unit")
    limit = ctx.params.cleanup_window_days
    return ctx.timeliness(rows, done, ctx.deadline(rows["time"], limit), limit=limit)


@check("3.2.d", codes={"late": "medium", "missing": "high"}, triggers=("UnreportedDocFound",),
       params=(*DAYS, "issue_date", "makeup_days"))
def unreported_documents_made_up(ctx: AuditContext) -> Found:
    """Each document the clean-up finds unreported is reported and registered (补报和登记) in makeup_days."""
    found = ctx.t("UnreportedDocFound")
    found = found[found["time"] >= pd.Timestamp(ctx.params.issue_date)].reset_index(drop=True)
    # the clean-up runs from issuance (下发后): a find before the effective date is judged from that date
    found = found.assign(time=found["time"].where(found["time"] >= ctx.start, ctx.start),
                         unit=found["unit"].fillna(ctx.attr(found["cadre"], "unit")))
    made_up = _events(ctx, ("MakeUpRegistration", "DocReportedRegistered"))
    done = ctx.first_after(found, made_up, by=["document"])
    limit = ctx.params.makeup_days
    return ctx.timeliness(found, done, ctx.deadline(found["time"], limit), limit=limit)


# -- 3.3 private documents of registered state-organ staff ---------------------------------------------
def _outside_custody(ctx: AuditContext, limit: int) -> Found:
    """Option ``continuous``: a private document issued to or checked out by registered staff is back in
    custody within ``limit`` days, unless he leaves on an approved private trip in that time (his return then
    counts). Documents already out on the effective date are judged from that date."""
    outs = _events(ctx, OUT_EVENTS, ("event_id", "time", "cadre", "document"))
    outs = _of_types(ctx, outs, PRIVATE_DOC_TYPES)
    outs = outs.assign(back=ctx.first_after(outs, _events(ctx, BACK_EVENTS), by=["document"]))
    outs = outs[~(outs["back"] < ctx.start)].reset_index(drop=True)
    outs = outs.assign(time=outs["time"].where(outs["time"] >= ctx.start, ctx.start))
    outs = outs[_registered_state_staff(ctx, outs)].reset_index(drop=True)
    exits = ctx.on_trips(ctx.t("Exit"), ["private"])
    approved = exits[ctx.last_before(exits, ctx.t("TripApproved"), by=["trip"]).notna()]
    deadline = ctx.deadline(outs["time"], limit)
    spells = outs[~(ctx.first_after(outs, approved, by=["cadre"]) <= deadline)]
    return ctx.timeliness(spells, spells["back"], deadline[spells.index], limit=limit,
                          codes=("outside_custody", "outside_custody"))


@check("3.3.a", codes={"late": "medium", "missing": "high", "wrong_recipient": "medium",
                       "outside_custody": "high"}, triggers=("Entry", "DocIssued", "DocCheckedOut"),
       params=(*DAYS, "private_doc_days", "private_custody", "registered_staff_reading",
               "county_division_includes_deputy", "bureau_includes_deputy"), binds_non_party=True)
def private_documents_in_unit_custody(ctx: AuditContext) -> Found:
    """Registered state-organ staff, Party members or not, hand the private documents they hold to their
    unit's org-personnel department within 10 days of returning from a private trip (option continuous: and
    keep them there except while out for an approved trip)."""
    rows = _returns(ctx, ["private"], PRIVATE_DOC_TYPES)
    rows = rows[_registered_state_staff(ctx, rows)].reset_index(drop=True)
    hand_ins = _events(ctx, ("DocSurrendered", "DocCheckedIn"), ("document", "cadre", "time", "recipient"),
                       rename={"unit": "recipient"})
    to = hand_ins["recipient"]
    to_unit = hand_ins[to.isna() | ctx.same(to, ctx.attr(hand_ins["cadre"], "unit"))]
    limit = ctx.params.private_doc_days
    deadline = ctx.deadline(rows["time"], limit)
    ctx.judge(rows, deadline)
    done = ctx.first_after(rows, to_unit, by=["document"])
    elsewhere = ctx.first_after(rows, hand_ins, by=["document"])
    wrong = (elsewhere <= deadline) & ~(done <= deadline)
    found = [ctx.finding(rows[wrong], "wrong_recipient", deadline=deadline[wrong], observed=elsewhere[wrong],
                         limit=limit),
             ctx.timeliness(rows[~wrong], done[~wrong], deadline[~wrong], limit=limit)]
    if ctx.params.private_custody == "continuous":
        found.append(_outside_custody(ctx, limit))
    return found


# -- 3.4 custodian and ledger -------------------------------------------------------------------------------
@check("3.4.a", codes={"late": "low", "missing": "medium", "unapproved": "high", "no_custodian": "medium"},
       params=(*DAYS, "designation_grace_days"), binds_non_party=True)
def custodian_and_ledger(ctx: AuditContext) -> Found:
    """Every unit (各单位) — each with staff in the log, whether or not it holds documents yet, and each keeping
    documents — names a custodian (专人) for travel documents by the effective date + designation_grace_days,
    and its ledger logs each checkout with the custodian and the approval it serves, and each check-in with the
    custodian. (A unit with no staff in the log has no one to name.)"""
    ledger = ctx.concat([ctx.t("DocCheckedOut").assign(out=True), ctx.t("DocCheckedIn").assign(out=False)])
    ledger = ledger.assign(unit=ledger["unit"].fillna(ctx.attr(ledger["cadre"], "unit")),
                           out=ledger["out"].astype(bool))
    kept = ctx.concat([ledger[["unit"]], ctx.t("DocSurrendered")[["recipient"]].rename(columns={"recipient": "unit"}),
                       ctx.cadres[["unit"]].reset_index(drop=True)])
    units = ctx.index_ids("units")  # (on the id codes: strings of a large log's ids cost most of the check)
    rows = ctx.anchors(units[np.isin(ctx.codes(units), ctx.codes(kept["unit"]))])
    named = ctx.earliest(rows["unit"], ctx.t("CustodianDesignated"), "unit")
    grace = ctx.params.designation_grace_days
    unapproved = ledger["out"] & ledger["approval_ref"].fillna("").str.strip().eq("")
    return [
        ctx.timeliness(rows, named, ctx.deadline(rows["time"], grace), limit=grace),
        ctx.finding(ledger[unapproved], "unapproved"),
        ctx.finding(ledger[ledger["custodian"].isna()], "no_custodian"),
    ]


# -- 3.5 residency documents and spouses settling abroad -----------------------------------------------
@check("3.5.a", codes={"unapproved": "high"}, triggers=("ResidencyDocAcquired", "SpouseEmigrated"),
       params=("county_division_includes_deputy",), existence_only=True)
def residency_approved(ctx: AuditContext) -> Found:
    """A cadre's foreign long-term residence permit, one-way HK/Macao permit or HK/Macao permanent ID, and a
    county/division-plus cadre's spouse settling abroad or obtaining one, are approved under
    中办发〔1999〕23号 by then."""
    acquired = ctx.t("ResidencyDocAcquired")
    rows = ctx.concat([acquired.assign(spouse=acquired["by_spouse"].fillna(False).astype(bool)),
                      ctx.t("SpouseEmigrated").assign(spouse=True)])
    rows = rows.assign(spouse=rows["spouse"].astype(bool))
    rows = rows[~rows["spouse"] | ctx.attr(rows["cadre"], "county_plus").eq(True)]
    approvals = ctx.t("ResidencyApproval")
    approvals = approvals.assign(spouse=approvals["by_spouse"].fillna(False).astype(bool))
    by = ["cadre", "spouse"]
    bad = rows[ctx.last_before(rows, approvals, by=by).isna()]
    return ctx.finding(bad, "unapproved", observed=ctx.first_after(bad, approvals, by=by))
