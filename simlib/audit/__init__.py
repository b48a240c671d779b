"""The auditor: every checkable clause of the notice as a small vectorised check over an event log.

>>> from simlib.audit import audit
>>> findings = audit(log)                # doctest: +SKIP
>>> print(findings.summary("en"))        # doctest: +SKIP
"""

from simlib.audit.findings import Findings
from simlib.audit.registry import CHECKS, Check, all_checks, audit, check

__all__ = ["CHECKS", "Check", "Findings", "all_checks", "audit", "check"]
