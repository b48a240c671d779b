"""The pipeline reads the notice as the scenario reads it: its ``rules:`` section reaches both the model's
deadlines and the auditor, one replication at a time and in a batch."""

from __future__ import annotations

import pandas as pd

from simlib.audit import audit
from simlib.pipeline import replication, replications, run_once
from simlib.scenario import find_scenario, load_scenario

SMALL = {"organisation.cadres": 150, "calendar.years": 2}


def test_a_scenario_s_reading_of_the_notice_reaches_the_model_and_the_auditor() -> None:
    strict = load_scenario(find_scenario("training/small"), {**SMALL, "rules.public_doc_days": 3,
                                                             "behaviour.keep_public_document": 0.3})  # some late
    r = run_once(strict, seed=3)
    assert r.findings.table.equals(audit(r.log, strict.rules.params()).table)
    by_default = audit(r.log)
    late = {"3.1.a"}
    n_strict = r.findings.table["clause"].isin(late).sum()
    n_default = by_default.table["clause"].isin(late).sum()
    assert n_strict > n_default  # three days to hand a public passport in instead of fifteen: more of them late


def test_the_batched_form_reads_the_rules_too() -> None:
    config = load_scenario(find_scenario("training/small"), {**SMALL, "rules.public_doc_days": 3}).model_dump(
        mode="json")
    one_by_one = [replication(config, s) for s in (1, 2)]
    assert pd.DataFrame(replications(config, [1, 2])).equals(pd.DataFrame(one_by_one))  # NaN equals NaN here


def test_each_on_time_share_comes_with_the_obligations_it_judged() -> None:
    """The explanation of a gap that seems to raise on-time custody: the share is 1 − late/judged, and the judged
    count is published beside it, so a change in who is judged (fewer returns, other cadres) is visible."""
    r = run_once(load_scenario(find_scenario("training/small"), SMALL), seed=5)
    for share, clause, judged in (("custody_on_time_public", "3.1.a", "custody_judged_public"),
                                  ("custody_on_time_private", "3.3.a", "custody_judged_private")):
        n = r.findings.judged.get(clause, 0)
        assert r.kpis[judged] == n > 0
        assert r.kpis[share] == 1.0 - r.kpis[f"violations_{clause}"] / n
