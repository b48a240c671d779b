"""The auditor counts the obligations it judges under 3.1.a and 3.3.a (the denominators of the custody
shares), with the same scope as its findings."""

from __future__ import annotations

from case_runner import build_log, load_cases, params_for

from simlib.audit import audit
from simlib.pipeline.kpi import kpis

CASES = {c["id"]: c for c in load_cases()}


def judged(case_id: str, clause: str) -> tuple[int, int]:
    case = CASES[case_id]
    found = audit(build_log(case), params_for(case), clauses=[clause])
    return found.judged.get(clause, 0), len(found)


def test_each_document_held_on_return_is_one_obligation() -> None:
    assert judged("3.1.a/day-15-on-time", "3.1.a") == (1, 0)
    assert judged("3.1.a/day-16-late", "3.1.a") == (1, 1)
    assert judged("3.1.a/second-document-held", "3.1.a") == (2, 1)  # the passport and the permit he holds


def test_the_share_is_findings_over_obligations() -> None:
    case = CASES["3.1.a/second-document-held"]
    log = build_log(case)
    k = kpis(log, audit(log, params_for(case)))
    assert k["custody_on_time_public"] == 0.5
    assert k["custody_on_time_private"] != k["custody_on_time_private"]  # NaN: no private return judged


def test_obligations_before_the_effective_date_are_not_counted() -> None:
    early = [c for c in CASES.values() if c["clause"] == "3.1.a" and str(c["events"][0]["time"]) < "2004-12-31"]
    for case in early:
        found = audit(build_log(case), params_for(case), clauses=["3.1.a"])
        assert found.judged.get("3.1.a", 0) == 0, case["id"]


def test_an_obligation_not_yet_due_at_the_end_of_the_log_is_not_counted() -> None:
    assert judged("3.1.a/not-yet-due", "3.1.a") == (0, 0)
