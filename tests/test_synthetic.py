"""The synthetic log: reproducible, about the size asked for, following the procedure, with work for the
auditor."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.audit import audit
from simlib.log.eventlog import EventLog, assert_same_log
from simlib.log.synthetic import Rates, synthetic_log


@pytest.fixture(scope="module")
def log() -> EventLog:
    return synthetic_log(20_000, seed=11)


def test_same_seed_same_log_and_no_global_rng(log: EventLog) -> None:
    state = np.random.get_state()[1].copy()
    again = synthetic_log(20_000, seed=11)
    assert (np.random.get_state()[1] == state).all(), "the global numpy RNG was used"
    assert_same_log(log, again)
    other = synthetic_log(20_000, seed=12)
    assert not log.same_as(other)


@pytest.mark.parametrize("n", [2_000, 20_000, 100_000])
def test_size_is_about_what_was_asked(n: int) -> None:
    got = (synthetic_log(n, seed=3) if n != 20_000 else synthetic_log(n, seed=11)).n_events
    assert abs(got - n) / n < 0.06, got


def test_follows_the_procedure(log: EventLog) -> None:
    expected = {
        "TripRequested",
        "Vetting",
        "TripApproved",
        "TripDenied",
        "Education",
        "PreDepartureTraining",
        "ReminderTalk",
        "PreTripReport",
        "DocCheckedOut",
        "Exit",
        "Entry",
        "DocSurrendered",
        "ReturnReport",
        "DelegationFormed",
        "TempPartyOrgFormed",
        "DocIssued",
        "DocReportedRegistered",
        "PSBRegistered",
        "AnnualReport",
        "PeriodicReport",
        "Inspection",
        "AbroadStatusReport",
    }
    assert expected <= set(log.tables)
    assert set(log.objects) >= {"cadre", "unit", "agency", "trip", "delegation", "document"}
    trips = log.objects["trip"]["kind"].value_counts(normalize=True)
    assert trips["private"] > 0.3 and trips["public_temporary"] > 0.4
    exits = log.tables["Exit"].merge(
        log.tables["TripRequested"][["trip", "time"]], on="trip", suffixes=("", "_req")
    )
    assert (exits["time"] > exits["time_req"]).all()
    entries = log.tables["Entry"].merge(
        log.tables["Exit"][["trip", "time"]], on="trip", suffixes=("", "_exit")
    )
    assert (entries["time"] > entries["time_exit"]).all()
    assert log.tables["Exit"]["time"].min() < log.end
    assert (log.events()["time"] < log.end).all()
    assert (log.events()["time"] < np.datetime64("2004-12-31")).any(), "some events precede the notice (6.a)"


def test_gives_the_auditor_real_work(log: EventLog) -> None:
    findings = audit(log)
    assert len(findings) > 200
    assert len(findings.by_clause()) >= 15
    perfect = synthetic_log(
        5_000,
        seed=11,
        rates=Rates(
            late=0,
            skipped=0,
            denied=0,
            unapproved=0,
            low_approver=0,
            overstay=0,
            solo=0,
            incident=0,
            non_return=0,
        ),
    )
    assert len(audit(perfect)) < len(audit(synthetic_log(5_000, seed=11))) / 3
