"""Every plain-language case in tests/cases/: the auditor returns exactly the expected findings."""

from __future__ import annotations

from collections import Counter

import pytest
from case_runner import build_log, load_cases, params_for

from simlib.audit import all_checks, audit

CASES = load_cases()
KEYS = ("code", "cadre", "unit", "trip", "document", "delegation", "case")


def _key(d: dict) -> tuple:
    return tuple(None if d.get(k) is None or d.get(k) != d.get(k) else str(d[k]) for k in KEYS)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict) -> None:
    log = build_log(case)
    found = audit(log, params_for(case), clauses=[case["clause"]]).table
    expected = case.get("expect") or []
    # an expectation names only the columns it cares about; compare on those
    got = Counter()
    for row in found.to_dict("records"):
        got[_key({k: row[k] for k in KEYS if any(k in e for e in expected) or k == "code"})] += 1
    want = Counter(_key(e) for e in expected)
    assert got == want, f"{case['id']}: {case['story']}\nexpected {dict(want)}\ngot {dict(got)}\n{found}"
    for e in expected:
        if "by_reference" in e:
            assert (found["by_reference"] == e["by_reference"]).all()


def test_every_check_has_a_compliant_and_a_violating_case() -> None:
    compliant = {c["clause"] for c in CASES if not c.get("expect")}
    violating = {c["clause"] for c in CASES if c.get("expect")}
    missing = [cl for cl in all_checks() if cl not in compliant or cl not in violating]
    assert not missing, f"checks without both a compliant and a violating case: {missing}"


def test_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
