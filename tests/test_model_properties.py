"""Properties of the model and the auditor over seeds and small variations of every scenario in ``scenarios/``
(issue 15 part 6): every finding points at events and objects that exist in the log, auditing twice gives the
same findings, and the same seed gives the same log serially, in a process pool and on Dask."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simlib.audit import Findings, audit
from simlib.audit.findings import OBJECT_COLUMNS
from simlib.log.eventlog import EventLog
from simlib.model import Model
from simlib.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted((ROOT / "scenarios").rglob("*.yaml"))
SMALL = {"organisation.cadres": 60, "calendar.years": 0.5, "organisation.units.prefecture_per_provincial": 1,
         "organisation.units.county_per_prefecture": 2}
VARIED = ("behaviour.keep_private_document", "behaviour.overstay", "behaviour.skip_return_report",
          "behaviour.non_return_private", "behaviour.solo_activity", "behaviour.corruption_share",
          "behaviour.flight_propensity", "enforcement.investigation_rate")


def small(path: Path, **changes: Any) -> Scenario:
    """The scenario of ``path`` in a small world (one prefecture, 60 cadres, half a year)."""
    return load_scenario(path).replace(**SMALL, **changes)


def check_findings_exist(findings: Findings, log: EventLog) -> None:
    """Every event and object a finding names is in the log."""
    table = findings.table
    events = set().union(*(set(t["event_id"].astype(str)) for t in log.tables.values()))
    named = set(table["event_id"].dropna().astype(str)) - {""}
    assert named <= events, sorted(named - events)[:5]
    for column in OBJECT_COLUMNS:
        ids = set(table[column].dropna().astype(str)) - {""}
        # the body a finding holds responsible is a unit, or an agency (4.4.d: the foreign-affairs office)
        kinds = (column, "agency") if column == "unit" else (column,)
        known = set().union(*(set(log.objects_of(k)["object_id"].astype(str)) for k in kinds))
        assert ids <= known, (column, sorted(ids - known)[:5])


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_every_finding_points_at_what_exists(path: Path) -> None:
    log = Model(small(path), seed=11).run().log()
    check_findings_exist(audit(log), log)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SCENARIO_FILES), st.integers(0, 2**63 - 1),
       st.dictionaries(st.sampled_from(VARIED), st.floats(0, 0.5), max_size=3))
def test_findings_exist_and_auditing_twice_agrees(path: Path, seed: int, changes: dict[str, float]) -> None:
    log = Model(small(path, **changes), seed=seed).run().log()
    first, second = audit(log), audit(log)
    check_findings_exist(first, log)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.judged == second.judged


def log_digest(config: Mapping[str, Any], seed: int) -> dict[str, float]:
    """A replication function: a digest of the whole log of ``config`` at ``seed`` (52 bits, exact as a float)."""
    log = Model(Scenario.model_validate(config), seed=seed).run().log()
    h = hashlib.sha256()
    for name in sorted(log.tables):
        h.update(name.encode())
        h.update(log.tables[name].to_csv(index=False).encode())
    return {"digest": float(int(h.hexdigest()[:13], 16)), "events": float(log.n_events)}


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_the_same_seed_gives_the_same_log_on_every_executor(executor: str) -> None:
    from simlib.experiment import run_replications
    from simlib.experiment.contract import Arm

    arms = [Arm(f"{p.parent.name}/{p.stem}", small(p).model_dump(mode="json")) for p in SCENARIO_FILES]
    serial = run_replications(log_digest, arms, 2, root_seed=7, executor="serial", progress=False)
    other = run_replications(log_digest, arms, 2, root_seed=7, executor=executor, workers=2, progress=False)
    assert len(serial) == 2 * len(SCENARIO_FILES) and (serial["events"] > 0).all()
    pd.testing.assert_frame_equal(serial[["scenario", "seed", "digest", "events"]],
                                  other[["scenario", "seed", "digest", "events"]])
