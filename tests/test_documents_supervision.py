"""Issue 14 (documents and supervision): Hong Kong/Macao documents with their own custody chain, false documents
(4.3.e), cancellation and revocation as events, supervision that acts (reports, inspections, the FAO's upload
and bulletin), suspicions shared through the networked database, serious refusals — each seen in the log, by
the auditor and in the KPIs."""

from __future__ import annotations

import pandas as pd
import pytest
from model_worlds import tiny

from simlib.audit import Findings, audit
from simlib.log.eventlog import EventLog
from simlib.model import Model
from simlib.pipeline.kpi import kpis
from simlib.scenario import Scenario, preset

CORRUPT = {"behaviour.corruption_share": 0.15, "behaviour.flight_propensity": 1.0,
           "enforcement.investigation_rate": 1.0}  # many suspects who try to flee


def run(sc: Scenario, seed: int = 3) -> tuple[EventLog, Findings]:
    log = Model(sc, seed=seed).run().log()
    return log, audit(log)


def codes(found: Findings, clause: str) -> pd.Series:
    t = found.table
    return t.loc[t["clause"] == clause, "code"].astype(str).value_counts()


def doc_types(log: EventLog, table: pd.DataFrame) -> pd.Series:
    types = log.objects_of("document").set_index("object_id")["doc_type"].astype(str)
    return table["document"].astype(str).map(types)


# -- Hong Kong and Macao documents (3.2.b, 3.3.a, 3.5.a) ---------------------------------------------------
@pytest.fixture(scope="module")
def hk_world() -> tuple[EventLog, Findings]:
    return run(tiny(300, 2.0, **{"trips.hk_macao_share": 0.5, "trips.residency_doc_rate": 0.05}))


def test_trips_to_hong_kong_and_macao_go_on_the_two_way_permit(hk_world: tuple[EventLog, Findings]) -> None:
    log, _ = hk_world
    exits = log.table("Exit")
    exits = exits.assign(doc_type=doc_types(log, exits).to_numpy(),
                         where=exits["trip"].astype(str).map(log.objects_of("trip").set_index("object_id")
                                                             ["destinations"].astype(str)).to_numpy())
    private = exits[exits["doc_type"].isin(["private_passport", "hk_macao_two_way_permit"])]
    on_permit = private["doc_type"] == "hk_macao_two_way_permit"
    assert on_permit.sum() > 20 and (~on_permit).sum() > 20
    assert set(private.loc[on_permit, "where"]) <= {"HK", "MO"}
    assert not set(private.loc[~on_permit, "where"]) & {"HK", "MO"}


def test_the_permit_has_its_own_report_and_custody(hk_world: tuple[EventLog, Findings]) -> None:
    log, _ = hk_world
    for event in ("DocReportedRegistered", "DocSurrendered"):
        assert (doc_types(log, log.table(event)) == "hk_macao_two_way_permit").sum() > 5, event


def test_unmanaged_permits_are_not_registered_or_kept_and_the_auditor_finds_it() -> None:
    sc = preset("hk_permits_unmanaged").apply(tiny(300, 2.0, **{"trips.hk_macao_share": 0.5}))
    log, found = run(sc)
    for event in ("DocReportedRegistered", "DocSurrendered"):
        assert not (doc_types(log, log.table(event)) == "hk_macao_two_way_permit").any(), event
    t = found.table
    on_permits = t[t["document"].notna()]
    on_permits = on_permits[doc_types(log, on_permits).eq("hk_macao_two_way_permit").to_numpy()]
    assert {"3.2.a", "3.3.a"} <= set(on_permits["clause"])


def test_residency_documents_of_3_5_a_include_the_hong_kong_ones(hk_world: tuple[EventLog, Findings]) -> None:
    log, _ = hk_world
    kinds = set(log.table("ResidencyDocAcquired")["doc_type"].astype(str))
    assert {"foreign_ltr_permit"} < kinds and kinds & {"one_way_hk_macao_permit", "hk_macao_pr_id"}


# -- false documents (4.3.e) ----------------------------------------------------------------------------
def test_a_stopped_suspect_tries_a_forged_passport_and_the_border_catches_it() -> None:
    sc = tiny(300, 3.0, **CORRUPT, **{"behaviour.forged_document": 1.0, "enforcement.forgery_detect": 1.0})
    log, found = run(sc)
    fraud = log.table("FraudDetected")
    false_docs = fraud[fraud["kind"].astype(str).isin(["forged_doc", "altered_doc", "traded_doc"])]
    assert len(false_docs) > 0
    blocked = log.table("ExitBlocked")
    assert set(false_docs["document"].astype(str)) <= set(blocked.loc[blocked["control"] == "border_check",
                                                                      "document"].astype(str))
    assert codes(found, "4.3.e").get("referral_missing", 0) == 0  # each referred in time (or not yet due)
    assert set(false_docs["cadre"].astype(str)) & set(log.table("LegalReferral")["cadre"].astype(str))
    assert set(false_docs["cadre"].astype(str)) <= set(log.table("MajorReport")["cadre"].astype(str))
    assert set(false_docs["case"].astype(str)) <= set(log.table("Pursuit")["case"].astype(str))
    assert "4.3.d" not in set(found.table["clause"])
    assert kpis(log, found)["blocked_by_border_check"] >= len(false_docs)


def test_an_undetected_false_passport_is_a_flight_the_auditor_judges() -> None:
    """The border misses every false passport; nobody is sanctioned: each exit on one is a 4.3.e finding."""
    sc = tiny(300, 3.0, **CORRUPT, **{"behaviour.forged_document": 1.0, "enforcement.forgery_detect": 0.0,
                                      "controls.sanctions.on": False})
    log, found = run(sc)
    flights = log.table("Flight")
    provenance = log.objects_of("document").set_index("object_id")["provenance"].astype(str)
    on_false = flights[flights["document"].astype(str).map(provenance).isin(["forged", "altered", "bought"])]
    assert len(on_false) > 0 and log.table("FraudDetected")["kind"].astype(str).eq("false_info").all()
    t = found.table
    missing = t[(t["clause"] == "4.3.e") & (t["code"] == "missing")]
    assert set(on_false["document"].astype(str)) <= set(missing["document"].astype(str))


# -- cancellation and revocation as events (3.1.a–b) -------------------------------------------------------
def test_public_documents_handed_in_can_be_cancelled_and_a_new_one_is_issued() -> None:
    log, found = run(tiny(200, 2.0, **{"enforcement.public_doc_cancel_share": 1.0}))
    cancelled = log.table("DocCancelled")
    surrendered = log.table("DocSurrendered")
    public = surrendered[doc_types(log, surrendered).eq("public_passport").to_numpy()]
    assert len(cancelled) == len(public) > 0
    issued = log.table("DocIssued")
    per_cadre = issued[doc_types(log, issued).eq("public_passport").to_numpy()]["cadre"].value_counts()
    assert per_cadre.max() > 1  # the cancelled passport is replaced on the next trip
    assert "3.1.a" not in set(found.table["clause"]) or codes(found, "3.1.a").sum() < len(public)


# -- supervision that acts (4.2.c–f) --------------------------------------------------------------------
def test_reports_that_fail_bring_the_level_above_to_inspect() -> None:
    sc = tiny(300, 4.0, **{"enforcement.report_late_share": 1.0, "enforcement.followup_inspection": 1.0})
    log, found = run(sc)
    ins = log.table("Inspection")
    assert ins["ad_hoc"].eq(True).sum() > 0
    k = kpis(log, found)
    assert k["inspections_ad_hoc"] == ins["ad_hoc"].eq(True).sum()
    assert k["inspection_findings"] == len(log.table("InspectionFinding")) > k["corrections"] > 0
    assert codes(found, "4.2.d").get("late", 0) > 0 and codes(found, "4.2.c").get("overdue", 0) > 0
    unread = preset("reports_unread").apply(sc)
    log2, _ = run(unread)
    assert not log2.table("Inspection")["ad_hoc"].eq(True).any()


def test_an_annual_report_that_leaves_out_non_returns_is_incomplete() -> None:
    sc = tiny(300, 4.0, **{"behaviour.non_return_private": 0.05, "enforcement.annual_report_incomplete": 1.0})
    log, found = run(sc)
    assert len(log.table("NonReturnDeclared")) > 0
    assert codes(found, "4.2.d").get("incomplete", 0) > 0
    honest = sc.replace(**{"enforcement.annual_report_incomplete": 0.0})
    _, found2 = run(honest)
    assert codes(found2, "4.2.d").get("incomplete", 0) == 0


def test_inspections_find_each_kind_of_problem_and_corrections_can_fail() -> None:
    sc = tiny(300, 4.0, **{"behaviour.skip_doc_report": 0.6, "controls.cleanup.on": False,
                           "controls.registration.level": 0.5, "behaviour.keep_private_document": 0.5,
                           "controls.private_custody.level": 0.5, "controls.routine_supervision.on": False})
    log, _ = run(sc)
    kinds = set(log.table("InspectionFinding")["kind"].astype(str))
    assert {"registration", "custody", "unreported"} <= kinds
    assert len(log.table("MakeUpRegistration")) > 0  # unreported documents made up after a finding
    failing = sc.replace(**{"enforcement.correction_failure": 1.0})
    log2, found2 = run(failing)
    assert len(log2.table("Correction")) == 0 and codes(found2, "4.2.f").get("uncorrected", 0) > 0


def test_the_fao_bulletin_makes_units_ask_for_overdue_public_passports() -> None:
    """Public passports kept past their deadline that nobody at the unit asks for (custody lapses, and no
    inspection finds them): the bulletin lists them and the units ask."""
    sc = tiny(300, 3.0, **{"controls.public_custody.level": 0.0, "behaviour.keep_public_document": 0.5,
                           "behaviour.refuse_after_demand": 0.0, "controls.inspections.on": False})
    log, _ = run(sc)
    demanded = log.table("CustodyDemand")
    assert (doc_types(log, demanded) == "public_passport").sum() > 0
    silent = preset("no_custody_bulletin").apply(sc)
    log2, found2 = run(silent)
    assert (doc_types(log2, log2.table("CustodyDemand")) == "public_passport").sum() == 0
    assert codes(found2, "4.4.d").get("bulletin_missing", 0) > 0


def test_late_uploads_are_found() -> None:
    _, found = run(tiny(200, 1.5, **{"enforcement.upload_late_share": 1.0}))
    assert codes(found, "4.4.d").get("upload_late", 0) > 0


# -- facts of part 2: shared suspicions, the agency named, serious refusals -------------------------------------
def test_suspicions_are_shared_and_a_held_one_is_told_apart() -> None:
    sc = tiny(300, 3.0, **CORRUPT)
    log, found = run(sc)
    db = log.table("DBRecord")
    shared = set(db.loc[db["record_kind"] == "suspicion", "cadre"].astype(str))
    suspects = set(log.table("SuspectedViolation")["cadre"].astype(str))
    assert suspects and shared == suspects
    assert codes(found, "4.4.c").get("suspicion_missing", 0) == 0
    rec = log.table("ExitControlRecommended")
    kinds = log.objects_of("agency").set_index("object_id")["kind"].astype(str)
    assert len(rec) > 0 and rec["recipient"].astype(str).map(kinds).eq("psb").all()
    held = preset("suspicions_not_shared").apply(sc)
    log2, found2 = run(held)
    unshared = codes(found2, "4.4.c")
    assert unshared.get("suspicion_missing", 0) + unshared.get("suspicion_late", 0) \
        == len(log2.table("SuspectedViolation")) > 0
    late = log2.table("InspectionFinding")  # held suspicions an inspection finds are shared as its correction
    assert unshared.get("suspicion_late", 0) == 0 or late["kind"].astype(str).eq("unshared").any()


def test_a_repeated_refusal_is_serious_and_disciplined() -> None:
    sc = tiny(300, 4.0, **{"behaviour.keep_private_document": 0.8, "behaviour.refuse_after_demand": 1.0})
    log, found = run(sc)
    refusals = log.table("Refusal")
    serious = refusals[refusals["serious"].eq(True).to_numpy()]
    assert len(serious) > 0 and len(serious) < len(refusals)
    s = log.table("Sanction")
    disciplined = s[(s["basis"] == "4.3.g") & s["kind"].astype(str).isin(["party", "admin"])]
    assert set(serious["cadre"].astype(str)) <= set(disciplined["cadre"].astype(str))
    assert codes(found, "4.3.g").get("discipline_missing", 0) < len(serious)
