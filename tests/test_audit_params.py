"""Every check declares the rulebook parameters it reads, and parameters.yaml lists the clause under each of them:
each check runs on the plain-language cases of its clause with a parameter set that records what is read."""

from __future__ import annotations

from typing import Any

import pytest
from case_runner import build_log, load_cases, params_for

from simlib.audit import all_checks, audit
from simlib.audit.context import DAYS, SCOPE
from simlib.rulebook import Params, rulebook

CHECKS = all_checks()
CASES = load_cases()


class Recording(Params):
    """Parameters that remember which of them were read."""

    def __init__(self, params: Params) -> None:
        super().__init__(params._defs, params.changed())
        object.__setattr__(self, "read", set())

    def __getattribute__(self, name: str) -> Any:
        if name in object.__getattribute__(self, "_defs"):
            object.__getattribute__(self, "read").add(name)
        return object.__getattribute__(self, name)


def _read(clause: str) -> set[str]:
    """The parameters the check of ``clause`` read on its cases (and the registry's scope)."""
    read: set[str] = set()
    for case in (c for c in CASES if c["clause"] == clause):
        params = Recording(params_for(case))
        audit(build_log(case), params, clauses=[clause])
        read |= params.read
    return read


@pytest.mark.parametrize("clause", list(CHECKS))
def test_a_check_reads_only_the_parameters_it_declares(clause: str) -> None:
    undeclared = _read(clause) - set(CHECKS[clause].params)
    assert not undeclared, f"{clause} reads {sorted(undeclared)} without declaring them (@check(params=...))"


def test_every_declared_parameter_lists_its_clause() -> None:
    defs = rulebook().parameters
    for clause, chk in CHECKS.items():
        for name in chk.params:
            assert name in SCOPE or clause in defs[name].clauses, f"parameters.yaml: {name} does not list {clause}"


def test_the_recorder_sees_a_parameter_read() -> None:
    """The recorder is not vacuous: 3.1.a reads its 15 days and the day-count options on a return."""
    assert {"public_doc_days", *DAYS, *SCOPE} <= _read("3.1.a")
