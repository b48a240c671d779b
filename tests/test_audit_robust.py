"""Every check runs on any valid log: empty, one that uses every event type, and single-clause case logs."""

from __future__ import annotations

import pytest
from case_runner import build_log, load_cases
from vocab_log import vocabulary_log

from simlib.audit import all_checks, audit
from simlib.audit.findings import FINDING_COLUMNS
from simlib.log.builder import LogBuilder


def _assert_well_formed(found) -> None:
    assert list(found.table.columns) == list(FINDING_COLUMNS)
    assert set(found.table["clause"]) <= set(all_checks())
    assert found.table["time"].notna().all()
    found.render("zh")
    found.render("en")


def test_an_empty_log_has_no_findings() -> None:
    found = audit(LogBuilder().build(end="2010-01-01"))
    # unit-level duties need units; with no objects at all nothing is owed
    assert len(found) == 0
    _assert_well_formed(found)


def test_every_check_runs_on_a_log_with_every_event_type() -> None:
    _assert_well_formed(audit(vocabulary_log()))


@pytest.mark.parametrize("index", [0, 40, 80, 120, 160, 200, 240, 280])
def test_every_check_runs_on_a_single_clause_case(index: int) -> None:
    cases = load_cases()
    _assert_well_formed(audit(build_log(cases[index % len(cases)])))
