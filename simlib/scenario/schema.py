"""The scenario: an immutable, validated description of one world (organisation, behaviour, controls, timing).

Every leaf is declared with :func:`~simlib.scenario.params.Param` (unit, range, source); its description is in
the catalogue under ``scn.<path>``. Deadlines the notice sets (15 days, 10 days, quarterly, Q1) are NOT here:
the model reads them from the rulebook.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from simlib.rulebook import Params, rulebook
from simlib.scenario.params import Param


class Frozen(BaseModel):
    """Immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """A short text in both languages."""

    en: str = ""
    zh: str = ""


class Calendar(Frozen):
    start: dt.date = Param(dt.date(2004, 12, 31), unit="date", source="notice 6.a")
    years: float = Param(10.0, unit="years", ge=0.05, le=50)


class Units(Frozen):
    provincial: int = Param(1, unit="units", ge=1, le=40)
    prefecture_per_provincial: int = Param(4, unit="units", ge=0, le=40)
    county_per_prefecture: int = Param(5, unit="units", ge=0, le=40)
    state_organ_share: float = Param(0.8, unit="share", ge=0, le=1)
    weight_central: float = Param(0.0, unit="relative staff size", ge=0, le=100)
    weight_provincial: float = Param(3.0, unit="relative staff size", ge=0, le=100)
    weight_prefecture: float = Param(1.5, unit="relative staff size", ge=0, le=100)
    weight_county: float = Param(1.0, unit="relative staff size", ge=0, le=100)


class RankShares(Frozen):
    section_or_below: float = Param(0.72, unit="share", ge=0, le=1)
    deputy_division: float = Param(0.12, unit="share", ge=0, le=1)
    division: float = Param(0.09, unit="share", ge=0, le=1)
    deputy_bureau: float = Param(0.04, unit="share", ge=0, le=1)
    bureau: float = Param(0.025, unit="share", ge=0, le=1)
    ministerial_plus: float = Param(0.005, unit="share", ge=0, le=1)

    @model_validator(mode="after")
    def _sums_to_one(self) -> RankShares:
        total = sum(self.model_dump().values())
        if not 0.999 <= total <= 1.001:
            raise PydanticCustomError("rank_shares", "rank shares must add up to 1, not {total}",
                                      {"total": f"{total:g}"})
        return self


class Organisation(Frozen):
    cadres: int = Param(10_000, unit="cadres", ge=1, le=2_000_000)
    roster: str | None = Param(None, unit="path", source="input")
    units: Units = Field(default_factory=Units)
    ranks: RankShares = Field(default_factory=RankShares)
    party_share: float = Param(0.8, unit="share", ge=0, le=1)
    retired_share: float = Param(0.08, unit="share", ge=0, le=1)
    leading_share: float = Param(0.7, unit="share of deputy-division and above", ge=0, le=1)
    key_post_share: float = Param(0.1, unit="share", ge=0, le=1)
    security_sensitive_share: float = Param(0.03, unit="share", ge=0, le=1)
    spouse_abroad_share: float = Param(
        0.02, unit="share of county/division and above", ge=0, le=1,
        source="assumption; clauses.md Part 5 row 25 (3,200 of deputy-division+)")
    exit_banned_share: float = Param(0.002, unit="share", ge=0, le=1)
    private_doc_share: float = Param(0.3, unit="share holding a private document at start", ge=0, le=1)
    private_doc_reported_share: float = Param(0.5, unit="share of those already reported", ge=0, le=1)
    risk_sigma: float = Param(0.6, unit="log-sd of latent risk", ge=0, le=3)


class Trips(Frozen):
    public_per_cadre_year: float = Param(0.3, unit="member-trips / cadre / year", ge=0, le=10)
    delegation_size_mean: float = Param(5.0, unit="members", ge=1, le=40)
    public_days_mean: float = Param(9.0, unit="days", ge=1, le=120)
    posting_per_cadre_year: float = Param(0.002, unit="postings / cadre / year", ge=0, le=1)
    posting_days_mean: float = Param(900.0, unit="days", ge=90, le=3000)
    posting_size_mean: float = Param(3.0, unit="staff posted together (the institution's head and staff)", ge=1,
                                     le=40, source="assumption: a small office abroad; 1 = one cadre alone "
                                     "(earlier versions)")
    private_per_cadre_year: float = Param(0.25, unit="trips / cadre / year", ge=0, le=10)
    private_days_mean: float = Param(12.0, unit="days", ge=1, le=120)
    long_stay_share: float = Param(0.04, unit="share of private trips", ge=0, le=1)
    long_stay_days_mean: float = Param(240.0, unit="days", ge=92, le=1500)
    lead_days_mean: float = Param(40.0, unit="days", ge=14, le=365)
    incident_rate: float = Param(0.03, unit="important matters / trip", ge=0, le=1)
    spouse_emigration_rate: float = Param(0.002, unit="per cadre-year (county/division+)", ge=0, le=1)
    residency_doc_rate: float = Param(0.0005, unit="per cadre-year", ge=0, le=1)
    hk_macao_share: float = Param(
        0.3, unit="share of private trips going to Hong Kong or Macao (on the two-way permit)", ge=0, le=1,
        source="assumption: most mainland residents' private trips abroad go to HK/Macao (CNTA statistics "
               "2005–2015: about 70 %); cadres travel farther, so less than half of that")
    residency_hk_macao_share: float = Param(
        0.5, unit="share of residency documents that are a one-way permit or HK/Macao permanent ID (3.5.a)",
        ge=0, le=1, source="assumption: 3.5.a names two HK/Macao documents and one foreign; taken as half")


class Personnel(Frozen):
    """The changing organisation (issue 14): careers move cadres into and out of the registration categories of
    2.2.a, and each move gives the unit's organisation-personnel department registration or de-registration work
    with public security. All rates 0: a static organisation (the logs of earlier versions)."""

    promotion_rate: float = Param(1.0, unit="× the promotions that keep organisation.ranks in balance with "
                                  "retirements and hires", ge=0, le=10,
                                  source="assumption: from rank r, retirement_rate × (share above r) / (share at "
                                  "r) a year keeps the pyramid (a section-level cadre ~1 %, a deputy-division one "
                                  "~3 %); the notice gives no number")
    retirement_rate: float = Param(0.025, unit="retirements / in-service cadre-year", ge=0, le=1,
                                   source="assumption: careers of ~40 years")
    leading_entry_rate: float = Param(0.07, unit="appointments to a leading post / deputy-division-or-above "
                                      "cadre-year without one", ge=0, le=1,
                                      source="assumption: with leading_exit_rate keeps organisation.leading_share")
    leading_exit_rate: float = Param(0.03, unit="departures from a leading post / leading cadre-year (退出领导岗位)",
                                     ge=0, le=1, source="assumption")
    key_post_entry_rate: float = Param(0.022, unit="moves into a key post / cadre-year without one", ge=0, le=1,
                                       source="assumption: with key_post_exit_rate keeps organisation.key_post_share")
    key_post_exit_rate: float = Param(0.2, unit="moves out of a key post / key-post cadre-year", ge=0, le=1,
                                      source="assumption: rotation (轮岗) about every five years")
    security_entry_rate: float = Param(0.003, unit="moves into a security-sensitive post / cadre-year", ge=0,
                                       le=1, source="assumption: with security_exit_rate keeps "
                                       "organisation.security_sensitive_share")
    security_exit_rate: float = Param(0.1, unit="moves out of a security-sensitive post / cadre-year in one",
                                      ge=0, le=1, source="assumption")
    hires_per_retirement: float = Param(1.0, unit="cadres hired per retirement (yearly recruitment at section level "
                                        "into the retirees' units)", ge=0, le=3,
                                        source="assumption: a unit's strength kept (编制)")
    registration_late: float = Param(0.1, unit="probability the filing comes after rules.registration_days", ge=0,
                                     le=1, source="assumption: 2003 No. 13 Art. 5 asks for 及时 (no number)")
    registration_late_days: float = Param(60.0, unit="days past the deadline of a late filing (mean, exponential)",
                                          ge=0, le=3650, source="assumption")
    registration_miss: float = Param(0.05, unit="probability the filing is never made", ge=0, le=1,
                                     source="assumption")
    deregistration_late: float = Param(0.2, unit="probability the de-registration comes after "
                                       "rules.registration_days", ge=0, le=1, source="assumption")
    deregistration_late_days: float = Param(60.0, unit="days past the deadline of a late de-registration (mean, "
                                            "exponential)", ge=0, le=3650, source="assumption")
    deregistration_miss: float = Param(0.1, unit="probability the de-registration is never filed", ge=0, le=1,
                                       source="assumption")


REGISTRATION_WORK: tuple[str, ...] = tuple(f"personnel.{k}" for k in Personnel.model_fields
                                          if k.endswith(("_late", "_miss")))
"""The department's lapses in registration work: zero in a fully compliant world (:meth:`Scenario.compliant`)."""


class Approval(Frozen):
    capacity: int = Param(1, unit="reviewers per approving body (at least)", ge=1, le=100)
    cadres_per_reviewer: int = Param(150, unit="managed cadres per reviewer", ge=1, le=100_000)
    review_days_mean: float = Param(3.0, unit="days", ge=0.01, le=90)
    doc_issue_days_mean: float = Param(10.0, unit="days", ge=0.1, le=90)
    training_interval_days: float = Param(14.0, unit="days between training sessions", ge=1, le=180)
    vetting_detect: float = Param(0.4, unit="probability", ge=0, le=1)
    delegated_vetting_factor: float = Param(0.5, unit="detection factor when authority is delegated", ge=0,
                                            le=1)


class Coefficients(Frozen):
    deterrence: float = Param(1.2, unit="log-odds per unit of detection×sanction", ge=0, le=10)
    education_effect: float = Param(0.3, unit="relative reduction", ge=0, le=1)
    publicity_effect: float = Param(0.05, unit="per publicised case in the last year", ge=0, le=2)
    spouse_abroad_factor: float = Param(3.0, unit="hazard ratio", ge=1, le=50)
    discipline_effect: float = Param(0.5, unit="relative reduction", ge=0, le=1)
    funds_elasticity: float = Param(0.5, unit="weight of funds / mean funds in the flight factor", ge=0, le=1)
    flight_factor_cap: float = Param(3.0, unit="maximum flight factor", ge=1, le=20)
    no_document_factor: float = Param(0.5, unit="flight factor without a document in hand", ge=0, le=1)
    leader_factor: float = Param(0.5, unit="non-return hazard of a delegation's leader or an institution's head "
                                 "relative to a member", ge=0, le=10,
                                 source="assumption: clauses.md Part 5 rows 21 and 5.5 (unit heads among fugitives, "
                                 "a district secretary who stayed in France); 0 = leaders always return (earlier "
                                 "versions)")
    hk_macao_factor: float = Param(
        1.5, unit="× the propensity to skip a report, keep a document or travel unapproved, for a two-way "
                  "HK/Macao permit", ge=0, le=10,
        source="assumption: the permit is often not thought of as an exit document (3.2.b names it because it "
               "was overlooked)")


class Behaviour(Frozen):
    skip_doc_report: float = Param(0.1, unit="probability per new document", ge=0, le=1)
    skip_pre_trip_report: float = Param(0.05, unit="probability per private trip", ge=0, le=1)
    unapproved_private_trip: float = Param(0.02, unit="probability per private trip (needs a document)",
                                           ge=0, le=1)
    keep_private_document: float = Param(0.08, unit="probability per return", ge=0, le=1)
    keep_public_document: float = Param(0.04, unit="probability per return", ge=0, le=1)
    refuse_after_demand: float = Param(0.25, unit="probability", ge=0, le=1)
    skip_quarterly_report: float = Param(0.15, unit="probability per quarter", ge=0, le=1)
    skip_return_report: float = Param(0.08, unit="probability per return", ge=0, le=1)
    skip_incident_report: float = Param(0.1, unit="probability per important matter", ge=0, le=1)
    party_public_activity: float = Param(0.01, unit="probability per private trip", ge=0, le=1)
    solo_activity: float = Param(0.15, unit="probability per member-trip", ge=0, le=1)
    solo_without_consent: float = Param(0.3, unit="probability per solo activity", ge=0, le=1)
    route_change: float = Param(0.03, unit="probability per delegation", ge=0, le=1)
    unauthorised_route_change: float = Param(0.5, unit="probability per route change", ge=0, le=1)
    overstay: float = Param(0.02, unit="probability per trip", ge=0, le=1)
    non_return_public: float = Param(
        0.0004, unit="probability per member-trip", ge=0, le=1,
        source="assumption; clauses.md Part 5 rows 10-11 (tens per year nationally)")
    non_return_private: float = Param(0.0008, unit="probability per private trip", ge=0, le=1)
    defection_share: float = Param(0.05, unit="share of absconders", ge=0, le=1)
    corruption_share: float = Param(0.02, unit="share of cadres", ge=0, le=1)
    funds_mean: float = Param(
        8.0, unit="million yuan", ge=0, le=10_000,
        source="assumption; clauses.md Part 5 rows 1-2 (≈100 m yuan/person is an upper bound)")
    flight_propensity: float = Param(0.35, unit="probability when an investigation closes in", ge=0, le=1)
    fraud: float = Param(0.002, unit="probability per application", ge=0, le=1)
    forged_document: float = Param(
        0.3, unit="probability a suspect stopped from fleeing gets a forged, altered or bought document", ge=0,
        le=1, source="assumption: case reports of fugitives leaving on false passports (4.3.e names it)")
    coefficients: Coefficients = Field(default_factory=Coefficients)


PROPENSITIES: tuple[str, ...] = tuple(k for k in Behaviour.model_fields
                                     if k not in ("funds_mean", "coefficients"))
ORGANISATION_FAILURES: tuple[str, ...] = (
    "enforcement.report_late_share", "enforcement.annual_report_incomplete", "enforcement.correction_failure",
    "enforcement.upload_late_share")
"""The chances that the organisation's own reports, corrections and uploads fail (0 under full compliance)."""


class Control(Frozen):
    """A lever of the notice: ``on`` switches it; ``level`` is the probability it operates on an occasion."""

    on: bool = Param(True, unit="switch")
    level: float = Param(1.0, unit="probability", ge=0, le=1)


def _c() -> Control:
    return Control()


class Controls(Frozen):
    education: Control = Field(default_factory=_c)
    training: Control = Field(default_factory=_c)
    reminder_talk: Control = Field(default_factory=_c)
    monitoring: Control = Field(default_factory=_c)
    public_approval: Control = Field(default_factory=_c)
    posting_rules: Control = Field(default_factory=_c)
    temp_party_org: Control = Field(default_factory=_c)
    delegation_discipline: Control = Field(default_factory=_c)
    private_approval: Control = Field(default_factory=_c)
    approval_authority: Control = Field(default_factory=_c)
    focused_vetting: Control = Field(default_factory=_c)
    suspect_denial: Control = Field(default_factory=_c)
    registration: Control = Field(default_factory=_c)
    abroad_reporting: Control = Field(default_factory=_c)
    return_report: Control = Field(default_factory=_c)
    membership_relations: Control = Field(default_factory=_c)
    public_custody: Control = Field(default_factory=_c)
    revocation: Control = Field(default_factory=_c)
    document_reporting: Control = Field(default_factory=_c)
    cleanup: Control = Field(default_factory=_c)
    private_custody: Control = Field(default_factory=_c)
    custodian_ledger: Control = Field(default_factory=_c)
    residency_approval: Control = Field(default_factory=_c)
    standing_arrangements: Control = Field(default_factory=_c)
    routine_supervision: Control = Field(default_factory=_c)
    periodic_reports: Control = Field(default_factory=_c)
    annual_reports: Control = Field(default_factory=_c)
    major_reports: Control = Field(default_factory=_c)
    inspections: Control = Field(default_factory=_c)
    sanctions: Control = Field(default_factory=_c)
    pursuit: Control = Field(default_factory=_c)
    accountability: Control = Field(default_factory=_c)
    publicity: Control = Field(default_factory=_c)
    coordination: Control = Field(default_factory=_c)
    networked_db: Control = Field(default_factory=_c)
    fao_upload: Control = Field(default_factory=_c)
    finance_monitoring: Control = Field(default_factory=_c)
    exit_control_recommendation: Control = Field(default_factory=_c)
    psb_exit_control: Control = Field(default_factory=_c)
    border_check: Control = Field(default_factory=_c)
    hk_macao_documents: Control = Field(default_factory=_c)
    custody_bulletin: Control = Field(default_factory=_c)
    suspicion_sharing: Control = Field(default_factory=_c)
    report_followup: Control = Field(default_factory=_c)


CONTROL_NAMES: tuple[str, ...] = tuple(Controls.model_fields)
CONTROL_CLAUSES: dict[str, str] = {
    "education": "1.1.a", "training": "1.1.b", "reminder_talk": "1.1.b", "monitoring": "1.1.c",
    "public_approval": "1.2.a-b", "posting_rules": "1.3.a", "temp_party_org": "1.3.b",
    "delegation_discipline": "1.3.c-f", "private_approval": "2.1.a-b", "approval_authority": "2.1.c",
    "focused_vetting": "2.1.d", "suspect_denial": "2.1.e", "registration": "2.2.a",
    "abroad_reporting": "2.3.b-d", "return_report": "2.3.f", "membership_relations": "2.3.e",
    "public_custody": "3.1.a", "revocation": "3.1.b", "document_reporting": "3.2.a-b", "cleanup": "3.2.c-d",
    "private_custody": "3.3.a", "custodian_ledger": "3.4.a",
    "residency_approval": "3.5.a", "standing_arrangements": "4.1.b-c", "routine_supervision": "4.2.b",
    "periodic_reports": "4.2.c", "annual_reports": "4.2.d", "major_reports": "4.2.e", "inspections": "4.2.f",
    "sanctions": "4.3.b-c,e,g", "pursuit": "4.3.d", "accountability": "4.3.f,h", "publicity": "4.3.i",
    "coordination": "4.4.a-b", "networked_db": "4.4.c", "fao_upload": "4.4.d", "finance_monitoring": "4.4.e",
    "exit_control_recommendation": "4.4.f", "psb_exit_control": "4.4.g", "border_check": "3.1.b/4.4.d",
    "hk_macao_documents": "3.2.b/3.3.a", "custody_bulletin": "4.4.d", "suspicion_sharing": "4.4.c",
    "report_followup": "4.2.c-d",
}


class Enforcement(Frozen):
    monitoring_detect: float = Param(0.3, unit="probability per at-risk cadre-year", ge=0, le=1)
    monitoring_risk_threshold: float = Param(2.0, unit="latent risk above which a cadre is at risk", ge=0,
                                             le=100)
    talk_risk_factor: float = Param(0.5, unit="latent risk kept after a pre-emptive talk", ge=0, le=1)
    monitoring_referral: float = Param(0.3, unit="probability a signal uncovers illicit funds", ge=0, le=1)
    covert_leak_factor: float = Param(2.0, unit="slower sensing when found by monitoring, finance or vetting",
                                      ge=1, le=10)
    preliminary_days_max: float = Param(60.0, unit="days before the suspicion is recorded (uniform)", ge=0,
                                        le=365)
    investigation_rate: float = Param(0.12, unit="per corrupt cadre-year", ge=0, le=10)
    finance_detect: float = Param(0.5, unit="probability per transfer", ge=0, le=1)
    funds_freeze_share: float = Param(0.5, unit="share of funds frozen after an alert", ge=0, le=1)
    leak_days_mean: float = Param(45.0, unit="days", ge=0.1, le=720)
    db_latency_days: float = Param(0.0, unit="days (networked)", ge=0, le=365)
    paper_latency_days: float = Param(90.0, unit="days (not networked)", ge=0, le=730)
    case_capacity: int = Param(20, unit="cases in parallel per discipline organ", ge=1, le=1000)
    case_days_mean: float = Param(120.0, unit="days", ge=1, le=1000)
    demand_days: float = Param(5.0, unit="days after a missed deadline", ge=0, le=365)
    inspection_interval_months: float = Param(18.0, unit="months", ge=1, le=120)
    inspection_detect: float = Param(0.6, unit="probability per open problem", ge=0, le=1)
    repatriation_rate: float = Param(0.08, unit="per fugitive-year", ge=0, le=5,
                                     source="assumption; clauses.md Part 5 rows 11 and 14 (returns vs stock)")
    unpursued_factor: float = Param(0.2, unit="repatriation rate factor without pursuit", ge=0, le=1)
    typical_share: float = Param(0.3, unit="share of concluded cases", ge=0, le=1)
    serious_share: float = Param(0.3, unit="share of flight and non-return cases", ge=0, le=1)
    forgery_detect: float = Param(
        0.6, unit="probability the border detects a forged, altered or bought document", ge=0, le=1,
        source="assumption: document examination at the border catches most but not all false documents")
    public_doc_cancel_share: float = Param(
        0.1, unit="share of public documents handed in that are cancelled (注销) rather than kept", ge=0, le=1,
        source="assumption: 3.1.a allows custody or cancellation; custody is the rule, cancellation for "
               "documents about to expire")
    report_late_share: float = Param(
        0.1, unit="probability a periodic or annual report made comes late", ge=0, le=1,
        source="assumption: no data; one report in ten")
    annual_report_incomplete: float = Param(
        0.2, unit="probability an annual report leaves out the year's non-returns", ge=0, le=1,
        source="assumption: units under-report bad news (4.3.h names 不报告)")
    correction_failure: float = Param(
        0.1, unit="probability a problem found by an inspection is never corrected", ge=0, le=1,
        source="assumption: no data")
    upload_late_share: float = Param(
        0.1, unit="probability a public-passport issuance is uploaded late (4.4.d)", ge=0, le=1,
        source="assumption: no data")
    followup_inspection: float = Param(
        0.5, unit="probability the level above inspects a unit whose report is missing, late or shows a "
                  "non-return", ge=0, le=1,
        source="assumption: 定期或不定期 (4.2.f); half of such reports prompt an unscheduled inspection")


class Timing(Frozen):
    """When things happen inside the processes: lead times, stays, delays and how far inside a deadline a
    compliant actor acts. Deadlines the notice sets stay in the rulebook; these are the model's assumptions
    about the rest (each default is the number the process bodies used before it was named)."""

    compliant_share: float = Param(
        0.8, unit="share of the notice's deadline", ge=0, le=1,
        source="assumption: compliant reports, responses and corrections come within this share of the period")
    # public trips (section 一)
    public_lead_min_days: float = Param(14.0, unit="days from application to planned departure, at least",
                                        ge=0, le=365)
    lead_spread_min_days: float = Param(1.0, unit="days (smallest mean of the lead time beyond its minimum)",
                                        ge=0, le=30)
    public_stay_min_days: float = Param(2.0, unit="days (at most trips.public_days_mean)", ge=0, le=30)
    posting_stay_factor_low: float = Param(0.6, unit="× trips.posting_days_mean (uniform, lower end)", ge=0, le=1)
    posting_stay_factor_high: float = Param(1.4, unit="× trips.posting_days_mean (uniform, upper end)", ge=1,
                                            le=3)
    approval_slack_days: float = Param(7.0, unit="days the approved return allows beyond plan and training",
                                       ge=0, le=90)
    conduct_at_share: float = Param(0.5, unit="share of the stay before the events abroad", ge=0, le=1)
    solo_activity_days: float = Param(0.3, unit="days", ge=0, le=30)
    public_overstay_days_min: float = Param(2.0, unit="days past the approved return (uniform)", ge=0, le=365)
    public_overstay_days_max: float = Param(12.0, unit="days past the approved return (uniform)", ge=0, le=365)
    upward_report_days_min: float = Param(0.05, unit="days from the leader's report to the unit's (uniform)",
                                          ge=0, le=30)
    upward_report_days_max: float = Param(0.5, unit="days from the leader's report to the unit's (uniform)",
                                          ge=0, le=30)
    # private trips (section 二)
    private_lead_min_days: float = Param(3.0, unit="days from the decision to planned departure, at least",
                                         ge=0, le=365)
    private_stay_min_days: float = Param(1.0, unit="days", ge=0, le=30)
    private_stay_spread_min_days: float = Param(0.5, unit="days (smallest mean of the stay beyond its minimum)",
                                                ge=0, le=30)
    long_stay_min_days: float = Param(92.0, unit="days (at most trips.long_stay_days_mean)", ge=1, le=92,
                                      source="assumption: a long stay holds at least one quarter (2.3.c)")
    private_approval_slack_days: float = Param(1.0, unit="days the approved return allows beyond the plan",
                                               ge=0, le=90)
    private_overstay_days_min: float = Param(2.0, unit="days past the approved return (uniform)", ge=0, le=365)
    private_overstay_days_max: float = Param(20.0, unit="days past the approved return (uniform)", ge=0, le=365)
    membership_margin_days: int = Param(2, unit="days below rules.membership_long_stay_days", ge=0, le=30)
    abroad_report_earliest_days: float = Param(0.1, unit="days after a reporting period begins", ge=0, le=30)
    abroad_report_margin_days: float = Param(5.0, unit="days before a reporting period ends, at the latest",
                                             ge=0, le=30)
    return_report_days_min: float = Param(0.2, unit="days after entry", ge=0, le=30)
    # documents and important matters (sections 一–三)
    incident_report_days_min: float = Param(0.05, unit="days after the matter", ge=0, le=30)
    hand_in_margin_days: float = Param(1.0, unit="days before the hand-in deadline, at the latest", ge=0, le=30)
    refusal_after_grace_days: float = Param(0.5, unit="days after the grace period", ge=0, le=30)
    # cases, sanctions and pursuit (4.3)
    case_decided_share: float = Param(0.9, unit="share of rules.case_days (decision deadline)", ge=0, le=1)
    case_work_max_share: float = Param(0.5, unit="share of rules.case_days (longest handling)", ge=0, le=1)
    case_work_min_days: float = Param(0.5, unit="days (shortest handling)", ge=0, le=365)
    publicity_days_min: float = Param(5.0, unit="days after the conclusion", ge=0, le=365)
    criticism_days_min: float = Param(3.0, unit="days after the refusal (uniform)", ge=0, le=365)
    criticism_days_max: float = Param(30.0, unit="days after the refusal (uniform)", ge=0, le=365)
    non_return_declared_days_min: float = Param(0.5, unit="days after the grace period (uniform)", ge=0,
                                                le=365)
    non_return_declared_days_max: float = Param(5.0, unit="days after the grace period (uniform)", ge=0, le=365)
    pursuit_days_min: float = Param(1.0, unit="days after the suspicion", ge=0, le=365)
    pursuit_share: float = Param(0.5, unit="share of rules.pursuit_days (latest start)", ge=0, le=1)
    # monitoring, finance, investigation and flight (1.1.c, 4.4)
    risk_response_days_min: float = Param(1.0, unit="days after the signal", ge=0, le=365)
    transfer_interval_days_mean: float = Param(180.0, unit="days between transfers abroad (mean)", ge=1,
                                               le=3650)
    removal_days_min: float = Param(20.0, unit="days from exit control to removal and case (uniform)", ge=0,
                                    le=730)
    removal_days_max: float = Param(90.0, unit="days from exit control to removal and case (uniform)", ge=0,
                                    le=730)
    flight_wait_days: float = Param(10.0, unit="days between looks while on a trip", ge=0.1, le=365)
    flight_wait_checks: int = Param(12, unit="looks before giving up waiting", ge=0, le=1000)
    sham_trip_lead_days: float = Param(3.0, unit="days to the planned departure of a sham trip", ge=0, le=365)
    sham_trip_days: float = Param(10.0, unit="days to the planned return of a sham trip", ge=0, le=365)
    # standing arrangements, registration, clean-up, reports and inspections (2.2, 3.2, 4.1, 4.2)
    designation_share: float = Param(0.5, unit="share of rules.designation_grace_days", ge=0, le=1)
    registration_days_min: float = Param(1.0, unit="days after the start", ge=0, le=365)
    initial_doc_age_days_min: float = Param(30.0, unit="days before the start (uniform)", ge=0, le=10_000)
    initial_doc_age_days_max: float = Param(2000.0, unit="days before the start (uniform)", ge=0, le=10_000)
    initial_doc_report_days_min: float = Param(1.0, unit="days after issue (uniform)", ge=0, le=365)
    initial_doc_report_days_max: float = Param(20.0, unit="days after issue (uniform)", ge=0, le=365)
    cleanup_days_min: float = Param(20.0, unit="days after the start", ge=0, le=365)
    cleanup_share: float = Param(0.6, unit="share of rules.cleanup_window_days (latest audit)", ge=0, le=1)
    makeup_days_min: float = Param(1.0, unit="days after the clean-up finds the document", ge=0, le=365)
    report_early_days_max: float = Param(5.0, unit="days before the period ends (periodic reports, bulletins)",
                                         ge=0, le=28)
    annual_report_margin_days: float = Param(3.0, unit="days before the annual-report deadline, at the latest",
                                             ge=0, le=60)
    first_inspection_share_min: float = Param(0.3, unit="share of the inspection interval (first one)", ge=0,
                                              le=1)
    inspection_interval_share_min: float = Param(0.8, unit="share of the inspection interval (later ones)",
                                                 ge=0, le=1)
    correction_days_min: float = Param(5.0, unit="days after the finding", ge=0, le=365)
    report_late_days_max: float = Param(60.0, unit="days a late report comes after its deadline, at most "
                                        "(uniform from 1)", ge=1, le=365)
    followup_days_max: float = Param(90.0, unit="days from a report (or its deadline) to the unscheduled "
                                     "inspection, at most (uniform)", ge=0, le=365)
    upload_late_days_max: float = Param(60.0, unit="days past rules.upload_days a late upload comes, at most "
                                        "(uniform from 1)", ge=1, le=365)
    forgery_days_max: float = Param(30.0, unit="days to get a forged, altered or bought document (uniform)",
                                    ge=0, le=365)
    routine_supervision_days: float = Param(91.0, unit="days between routine look-ups (4.2.b)", ge=1, le=730,
                                            source="assumption: 4.2.b's day-to-day supervision read as quarterly")
    # residency (3.5)
    settle_days_max: float = Param(300.0, unit="days from the decision to settling (uniform from 0)", ge=0,
                                   le=3650)
    residency_approval_days_min: float = Param(10.0, unit="days for the approval (uniform)", ge=0, le=365)
    residency_approval_days_max: float = Param(60.0, unit="days for the approval (uniform)", ge=0, le=365)


class RuleReadings(Frozen):
    """How the auditor (and the model's deadlines) read the notice: one field per rulebook parameter that has a
    range or choices, defaulting to the rulebook's value (``parameters.yaml``: the notice's numbers, the
    assumptions for its vague terms, the options for its ambiguities)."""

    def changed(self) -> dict[str, Any]:
        """The readings that differ from the rulebook's defaults."""
        defaults = rulebook().parameters
        return {k: v for k, v in self.model_dump().items() if v != defaults[k].value}

    def params(self) -> Params:
        """The rulebook's parameters with this scenario's readings: what ``audit(log, params)`` and
        ``Model(scenario, seed, params)`` take."""
        return rulebook().params.replace(**self.changed())


def _reading_fields() -> dict[str, Any]:
    """One field per settable rulebook parameter: its type (an option's choices, or int/float with the
    parameter's range), default, unit and source."""
    fields: dict[str, Any] = {}
    for name, p in rulebook().parameters.items():
        source = f"rulebook {p.kind}: {p.source}"
        if p.choices is not None:
            ann: Any = bool if set(p.choices) <= {True, False} else Literal[tuple(p.choices)]
            fields[name] = (ann, Param(p.value, unit=p.unit or "choice", source=source))
        elif p.range is not None:
            ann = int if isinstance(p.value, int) and not isinstance(p.value, bool) else float
            fields[name] = (ann, Param(p.value, unit=p.unit, ge=p.range[0], le=p.range[1], source=source))
    return fields


Rules = create_model("Rules", __base__=RuleReadings, __doc__=RuleReadings.__doc__, **_reading_fields())


ORDERED: tuple[tuple[str, str], ...] = (
    ("timing.public_stay_min_days", "trips.public_days_mean"),  # the stay beyond its minimum is exponential
    ("timing.private_stay_min_days", "trips.private_days_mean"),
    ("timing.long_stay_min_days", "trips.long_stay_days_mean"),
    ("timing.posting_stay_factor_low", "timing.posting_stay_factor_high"),
    *((f"timing.{name}_min", f"timing.{name}_max") for name in (
        "public_overstay_days", "upward_report_days", "private_overstay_days", "criticism_days",
        "non_return_declared_days", "removal_days", "initial_doc_age_days", "initial_doc_report_days",
        "residency_approval_days")),
)
"""Pairs of fields (low, high) whose values must satisfy low <= high: the model draws between them, or the
time beyond a minimum from their difference (checked when a scenario is loaded, naming both fields)."""


class Scenario(Frozen):
    """One world: organisation, trips, behaviour, controls and enforcement timings, and the readings of the
    notice it is audited under (``rules``)."""

    name: str = "baseline"
    description: Text = Field(default_factory=Text)
    seed: int = Param(20041231, unit="seed", ge=0, le=2**63 - 1)
    calendar: Calendar = Field(default_factory=Calendar)
    organisation: Organisation = Field(default_factory=Organisation)
    trips: Trips = Field(default_factory=Trips)
    personnel: Personnel = Field(default_factory=Personnel)
    approval: Approval = Field(default_factory=Approval)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    controls: Controls = Field(default_factory=Controls)
    enforcement: Enforcement = Field(default_factory=Enforcement)
    timing: Timing = Field(default_factory=Timing)
    rules: Rules = Field(default_factory=Rules)  # type: ignore[valid-type]

    def control(self, name: str) -> Control:
        return getattr(self.controls, name)

    def order_violations(self) -> list[tuple[str, str, Any, Any]]:
        """``(low, high, low value, high value)`` for each pair of :data:`ORDERED` in the wrong order."""
        def at(path: str) -> Any:
            node: Any = self
            for part in path.split("."):
                node = getattr(node, part)
            return node

        return [(lo, hi, at(lo), at(hi)) for lo, hi in ORDERED if at(lo) > at(hi)]

    def compliant(self) -> Scenario:
        """The same world with every behaviour propensity, and every failure rate of the organisation's own
        reporting, correction and registration work, set to full compliance (0)."""
        zero = {f"behaviour.{k}": 0.0 for k in PROPENSITIES} | dict.fromkeys(REGISTRATION_WORK, 0.0)
        zero |= {k: 0.0 for k in ORGANISATION_FAILURES}
        return self.replace(**zero)

    def replace(self, **changes: object) -> Scenario:
        """A copy with dotted-path changes (``replace(**{"behaviour.overstay": 0})``), validated."""
        from simlib.scenario.loader import apply_scenario_overrides, validate

        data = apply_scenario_overrides(self.model_dump(mode="json"), dict(changes), source="<replace>")
        return validate(data, source="<replace>")
