"""The check registry and the audit loop: every check cites its clause; scope (clauses 5 and 6) is
applied here, once, for all checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from simlib.audit.context import AuditContext
from simlib.audit.findings import SEVERITIES, Findings, empty_findings, typed
from simlib.log.eventlog import EventLog
from simlib.rulebook import Params, rulebook

CheckFn = Callable[[AuditContext], pd.DataFrame]


@dataclass(frozen=True)
class Check:
    """One check of one clause."""

    clause: str
    fn: CheckFn
    codes: dict[str, str]  # finding code -> severity
    party_only: bool = False
    existence_only: bool = False
    binds_non_party: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


CHECKS: dict[str, Check] = {}


def check(clause: str, *, codes: dict[str, str], party_only: bool = False, existence_only: bool = False,
          binds_non_party: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check of ``clause``. ``codes`` maps each finding code it emits to a severity.

    ``party_only``: the clause binds Party members only, so clause 5 does not extend it to other cadres.
    ``existence_only``: the referenced document was not found; the check only tests that a record exists.
    ``binds_non_party``: the clause's own subject includes non-Party cadres (3.3.a: registered state-organ
    staff), so it applies to them directly, not by reference under clause 5.
    """
    if party_only and binds_non_party:
        raise ValueError(f"{clause}: a check cannot be both party_only and binds_non_party")
    for sev in codes.values():
        if sev not in SEVERITIES:
            raise ValueError(f"{clause}: unknown severity {sev!r}")

    def register(fn: CheckFn) -> CheckFn:
        if clause in CHECKS:
            raise ValueError(f"clause {clause} already has a check ({CHECKS[clause].name})")
        CHECKS[clause] = Check(clause, fn, dict(codes), party_only, existence_only, binds_non_party)
        return fn

    return register


def all_checks() -> dict[str, Check]:
    """Every registered check, in the notice's clause order."""
    import simlib.audit.checks  # noqa: F401  (registers the checks)

    order = {cid: i for i, cid in enumerate(rulebook().ids)}
    return dict(sorted(CHECKS.items(), key=lambda kv: order[kv[0]]))


def _scope(ctx: AuditContext, chk: Check, found: pd.DataFrame) -> pd.DataFrame:
    """Clause 6.a (only events from the effective date) and clause 5.a (non-Party cadres by reference, unless
    the clause binds them directly)."""
    found = found[found["time"] >= ctx.start]
    member = found["cadre"].map(ctx.cadres["is_party_member"]).astype("boolean")
    non_party = member.eq(False).fillna(False).astype(bool) & (not chk.binds_non_party)
    if chk.party_only or not ctx.params.non_party_by_reference:
        found = found[~non_party]
        non_party = non_party[~non_party]
    return found.assign(by_reference=non_party.to_numpy(), existence_only=chk.existence_only)


def run_check(ctx: AuditContext, chk: Check) -> pd.DataFrame:
    found = chk.fn(ctx)
    if found.empty:
        return empty_findings()
    unknown = set(found["code"]) - set(chk.codes)
    if unknown:
        raise ValueError(f"check {chk.name} emitted undeclared codes {unknown}")
    found = found.assign(clause=chk.clause, severity=found["code"].map(chk.codes))
    return _scope(ctx, chk, found)


def audit(log: EventLog, params: Params | None = None, clauses: Iterable[str] | None = None) -> Findings:
    """Run every check (or those of ``clauses``) over ``log`` and return the findings."""
    params = params or rulebook().params
    ctx = AuditContext(log, params)
    checks = all_checks()
    selected = list(checks) if clauses is None else [c for c in checks if c in set(clauses)]
    frames = [run_check(ctx, checks[c]) for c in selected]
    frames = [f for f in frames if len(f)]
    table = typed(pd.concat(frames, ignore_index=True)) if frames else typed(empty_findings())
    order = {c: i for i, c in enumerate(selected)}
    table = table.assign(_o=table["clause"].map(order)).sort_values(
        ["_o", "time", "cadre", "unit", "event_id"], kind="stable", ignore_index=True).drop(columns="_o")
    first = min((t["time"].min() for t in log.tables.values() if len(t)), default=None)
    return Findings(table=table, checks=selected, source=log.source, n_events=log.n_events, n_objects=log.n_objects,
                    start=first, end=log.end)
