"""The model's log as the auditor reads it: full compliance ⇒ no findings; gaps and behaviour ⇒ findings;
KPIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_worlds import tiny

from simlib.audit import Findings, audit
from simlib.model import Model
from simlib.pipeline.kpi import kpis
from simlib.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_run() -> Model:
    return Model(tiny(150, 1.5), seed=7).run()


@pytest.fixture(scope="module")
def small_findings(small_run: Model) -> Findings:
    return audit(small_run.log())



# -- the log the auditor reads -------------------------------------------------------------------------
def test_full_compliance_yields_no_findings() -> None:
    """Every control on and every behaviour propensity at full compliance: the auditor finds nothing."""
    sc = tiny(300, 2.2, **{"trips.long_stay_share": 0.2, "trips.public_per_cadre_year": 0.6}).compliant()
    log = Model(sc, seed=11).run().log()
    counts = log.counts()
    for event in ("Exit", "Entry", "DocSurrendered", "AbroadStatusReport", "MembershipRelationDecision",
                  "Inspection", "AnnualReport", "TempPartyOrgFormed", "DocCheckedOut", "DocCheckedIn"):
        assert counts.get(event, 0) > 0, event
    found = audit(log)
    assert len(found) == 0, found.table.groupby(["clause", "code"]).size().to_string()


def test_non_compliance_shows_up_as_findings(small_findings: Findings) -> None:
    assert len(small_findings) > 0
    assert {"3.1.a", "3.2.a"} & set(small_findings.table["clause"])


@pytest.mark.parametrize(("gap", "clauses"), [
    ("no_predeparture_education", ("1.1.a", "1.1.b")),
    ("no_delegation_discipline", ("1.3.b",)),
    ("delegated_approval", ("2.1.c",)),
    ("partial_registration", ("2.2.a",)),
    ("no_focused_vetting", ("2.1.d",)),
])
def test_a_gap_is_seen_by_the_auditor(gap: str, clauses: tuple[str, ...]) -> None:
    sc = load_scenario(ROOT / "scenarios" / "gaps" / f"{gap}.yaml")
    sc = sc.replace(**{"organisation.cadres": 300, "calendar.years": 1.0,
                       "organisation.units.prefecture_per_provincial": 1,
                       "organisation.units.county_per_prefecture": 3}).compliant()
    found = audit(Model(sc, seed=2).run().log(), clauses=clauses)
    assert set(found.table["clause"]) == set(clauses)


# -- KPIs and the command --------------------------------------------------------------------------------
def test_kpis_come_from_log_and_findings(small_run: Model, small_findings: Findings) -> None:
    log, found = small_run.log(), small_findings
    k = kpis(log, found)
    assert k["events"] == log.n_events and k["findings"] == len(found)
    assert k["trips_public"] + k["trips_private"] == len(log.table("Exit"))
    assert 0.0 <= k["custody_on_time_public"] <= 1.0
    assert k["flight_attempts"] == k["flight_blocked"] + k["flight_succeeded"]
    assert all(isinstance(v, float) for v in k.values())
    assert {f"violations_{c}" for c in found.checks} <= set(k)
