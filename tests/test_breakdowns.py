"""Per-replication breakdowns (simlib.pipeline.breakdowns) against counts taken directly from the log, the
findings and the KPIs of the same replication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.log.vocabulary import BLOCKING_CONTROLS
from simlib.pipeline import Replication, kpi_table, run_once
from simlib.pipeline.breakdowns import (
    CUSTODY_KINDS,
    CUSTODY_STATUSES,
    approval_lead_times,
    breakdowns,
    custody_by_year,
    custody_status,
    findings_by_clause_year,
    flight_funnel,
    funnel_means,
)
from simlib.scenario import find_scenario, load_scenario

FLIGHTY = {"behaviour.flight_propensity": 1.0, "enforcement.investigation_rate": 3.0,
           "behaviour.corruption_share": 0.2}  # a small world where flights and blocked attempts happen


@pytest.fixture(scope="module")
def rep() -> Replication:
    sc = load_scenario(find_scenario("training/small"), {"organisation.cadres": 300, "calendar.years": 3, **FLIGHTY})
    return run_once(sc, seed=3)


def test_the_funnel_counts_the_log_and_adds_up_to_the_kpis(rep: Replication) -> None:
    f = flight_funnel(rep.log)
    blocked = f[f["stage"] == "blocked"].set_index("control")["count"]
    assert list(blocked.index) == list(BLOCKING_CONTROLS)  # every control, 0 included
    direct = rep.log.table("ExitBlocked")["control"].astype(str).value_counts()
    assert blocked[blocked > 0].to_dict() == {c: float(n) for c, n in direct.items()}
    assert blocked.sum() == rep.kpis["flight_blocked"] > 0
    assert len(direct) >= 2  # the world blocks attempts at more than one control
    count = f.set_index("stage")["count"]
    assert count["attempts"] == rep.kpis["flight_attempts"] == blocked.sum() + count["succeeded"]
    assert count["succeeded"] == rep.kpis["flight_succeeded"] == len(rep.log.table("Flight")) > 0
    assert f.set_index("stage").loc["succeeded", "funds"] == pytest.approx(rep.kpis["flight_funds"])


def test_the_funnel_from_kpi_rows_is_the_mean_per_replication(rep: Replication) -> None:
    one = kpi_table([rep.kpis]).assign(scenario="s")
    assert funnel_means(one).drop(columns="scenario").equals(flight_funnel(rep.log))
    two = pd.concat([one, one.assign(flight_attempts=one["flight_attempts"] + 4)])
    assert funnel_means(two).set_index("stage").loc["attempts", "count"] == rep.kpis["flight_attempts"] + 2


def test_custody_is_every_obligation_the_auditor_judged_with_its_finding(rep: Replication) -> None:
    s = custody_status(rep.findings)
    f = rep.findings.table
    for kind, clause in CUSTODY_KINDS.items():
        mine = s[s["kind"] == kind]
        assert len(mine) == rep.findings.judged[clause] > 0  # the auditor's denominator
        on_time = (mine["status"] == "on_time").mean()
        assert on_time == pytest.approx(rep.kpis[f"custody_on_time_{kind}"])  # the KPI
        codes = f[f["clause"] == clause]["code"].value_counts()
        assert (mine["status"] == "late").sum() == codes.get("late", 0)
        assert (mine["status"] == "never").sum() == codes.get("missing", 0)
    assert (s["status"] != "on_time").sum() > 0
    by_year = custody_by_year(rep.findings)
    assert set(by_year["status"]) == set(CUSTODY_STATUSES)
    assert by_year.groupby(["kind", "status"])["count"].sum().to_dict() == {
        (k, st): float(((s["kind"] == k) & (s["status"] == st)).sum()) for k in CUSTODY_KINDS
        for st in CUSTODY_STATUSES}
    assert sorted(by_year["year"].unique()) == sorted(pd.to_datetime(s["time"]).dt.year.unique())


def test_findings_by_clause_and_year_count_every_finding(rep: Replication) -> None:
    table = findings_by_clause_year(rep.findings)
    f = rep.findings.table
    assert table["count"].sum() == len(f) > 0
    assert table.groupby("clause")["count"].sum().to_dict() == {c: float(n) for c, n in
                                                                f["clause"].value_counts().items()}
    years = pd.to_datetime(f["time"]).dt.year
    first = table.iloc[0]
    assert first["count"] == ((f["clause"] == first["clause"]) & (years == first["year"])).sum()


def test_approval_lead_times_are_the_kpis_distribution(rep: Replication) -> None:
    lead = approval_lead_times(rep.log)
    approved = lead[lead["outcome"] == "approved"]
    assert len(approved) == len(rep.log.table("TripApproved"))
    assert approved["days"].mean() == pytest.approx(rep.kpis["approval_days_mean"])
    assert np.percentile(approved["days"], 90) == pytest.approx(rep.kpis["approval_days_p90"])
    assert (lead["days"] >= 0).all() and set(lead["kind"]) <= {"public_temporary", "public_posted", "private"}
    assert (lead["outcome"] == "denied").sum() == len(rep.log.table("TripDenied"))


def test_breakdowns_names_every_table(rep: Replication) -> None:
    assert set(breakdowns(rep.log, rep.findings)) == {"funnel", "custody", "findings", "lead_times"}
