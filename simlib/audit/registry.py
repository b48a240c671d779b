"""The check registry and the audit loop: every check cites its clause; scope (clauses 5 and 6) is
applied here, once, for all checks."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.audit.context import SCOPE, AuditContext
from simlib.audit.findings import SEVERITIES, Findings, Found, Rows, empty_findings, typed
from simlib.log.eventlog import EventLog
from simlib.log.vocabulary import EVENTS
from simlib.rulebook import Params, rulebook

CheckFn = Callable[[AuditContext], Found]


@dataclass(frozen=True)
class Check:
    """One check of one clause."""

    clause: str
    fn: CheckFn
    codes: dict[str, str]  # finding code -> severity
    party_only: bool = False
    existence_only: bool = False
    binds_non_party: bool = False
    triggers: tuple[str, ...] = ()  # event types that can trigger the obligation; () for a standing one
    params: tuple[str, ...] = ()  # the rulebook parameters it reads, the scope's (SCOPE) included

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


CHECKS: dict[str, Check] = {}


def check(clause: str, *, codes: dict[str, str], triggers: Sequence[str] = (), params: Sequence[str] = (),
          party_only: bool = False, existence_only: bool = False,
          binds_non_party: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the check of ``clause``. ``codes`` maps each finding code it emits to a severity.

    ``triggers``: the event types whose occurrence gives rise to the obligation (an exit, a return, a case …);
    a log with none of them has nothing to judge, and the check is skipped. Leave empty for a standing
    obligation (every unit, every registrable cadre).

    ``params``: every rulebook parameter the check reads (``simlib rules ID`` lists them; a test runs each check
    on a recording parameter set and holds the list complete). The scope's (:data:`SCOPE`) are read for all.

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
    unknown = [e for e in triggers if e not in EVENTS]
    if unknown:
        raise ValueError(f"{clause}: unknown trigger event types {unknown}")
    defined = rulebook().parameters
    unknown = [p for p in params if p not in defined]
    if unknown:
        raise ValueError(f"{clause}: unknown parameters {unknown}")

    def register(fn: CheckFn) -> CheckFn:
        if clause in CHECKS:
            raise ValueError(f"clause {clause} already has a check ({CHECKS[clause].name})")
        CHECKS[clause] = Check(clause, fn, dict(codes), party_only, existence_only, binds_non_party, tuple(triggers),
                               tuple(dict.fromkeys((*params, *SCOPE))))
        return fn

    return register


def all_checks() -> dict[str, Check]:
    """Every registered check, in the notice's clause order."""
    import simlib.audit.checks  # noqa: F401  (registers the checks)

    order = {cid: i for i, cid in enumerate(rulebook().ids)}
    return dict(sorted(CHECKS.items(), key=lambda kv: order[kv[0]]))


def frames(found: Found) -> Iterator[pd.DataFrame | Rows]:
    """The non-empty findings of what a check returned (a frame or rows, or a possibly nested list of them)."""
    if isinstance(found, pd.DataFrame | Rows):
        if len(found):
            yield found
    else:
        for f in found:
            yield from frames(f)


def _scope(ctx: AuditContext, found: pd.DataFrame, party_only: np.ndarray, binds_non_party: np.ndarray,
           existence_only: np.ndarray) -> pd.DataFrame:
    """The findings in scope (:meth:`AuditContext.scope`), marked by reference and existence-only."""
    judged, by_reference = ctx.scope(found["time"], found["cadre"], party_only, binds_non_party)
    return found.assign(by_reference=by_reference, existence_only=existence_only)[judged]


def run_checks(ctx: AuditContext, checks: Sequence[Check]) -> pd.DataFrame:
    """The findings of ``checks`` with clause and severity, scope applied, in one frame: in the order of the
    checks, then of time, cadre, unit and event."""
    parts: list[pd.DataFrame | Rows] = []
    per_frame: list[tuple[int, Check, int]] = []
    severity: list[np.ndarray] = []
    for position, chk in enumerate(checks):
        if chk.triggers and not any(len(ctx.log.tables.get(e, ())) for e in chk.triggers):
            continue  # nothing happened that the clause judges
        ctx.checking = (chk.clause, chk.party_only, chk.binds_non_party)
        for found in frames(ctx.shared(chk.fn)):  # (a later check may build on these: 4.3.h)
            code = found.columns["code"] if isinstance(found, Rows) else found["code"].to_numpy(dtype=object)
            codes, at = np.unique(code, return_inverse=True)
            unknown = set(codes) - set(chk.codes)
            if unknown:
                raise ValueError(f"check {chk.name} emitted undeclared codes {unknown}")
            parts.append(found)
            per_frame.append((position, chk, len(found)))
            severity.append(np.array([chk.codes[c] for c in codes], dtype=object)[at.ravel()])
    if not parts:
        return empty_findings()
    sizes = [n for _, _, n in per_frame]

    def each(value: Callable[[Check], object]) -> np.ndarray:
        return np.repeat(np.array([value(chk) for _, chk, _ in per_frame]), sizes)

    table = ctx.concat(parts).assign(clause=each(lambda c: c.clause), severity=np.concatenate(severity),
                                      _order=np.repeat([position for position, _, _ in per_frame], sizes))
    table = _scope(ctx, table, each(lambda c: c.party_only), each(lambda c: c.binds_non_party),
                   each(lambda c: c.existence_only))
    # id columns are still codes of the sorted id dictionary, so sorting by them sorts by the ids
    table = table.sort_values(["_order", "time", "cadre", "unit", "event_id"], kind="stable", ignore_index=True)
    return ctx.with_strings(table.drop(columns="_order"))


def run_check(ctx: AuditContext, chk: Check) -> pd.DataFrame:
    """The findings of one check (see :func:`run_checks`)."""
    return run_checks(ctx, [chk])


def _first(times: pd.Series) -> pd.Timestamp:
    """``times.min()`` (NaT skipped), in numpy: pandas' reduction costs more than the audit of a small table."""
    values = times.to_numpy()
    values = values[~np.isnat(values)]
    return pd.Timestamp(values.min()) if len(values) else pd.NaT


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (and restore its state after). An audit allocates hundreds of
    thousands of short-lived pandas objects but leaves no reference cycles (``gc.collect()`` after auditing a
    1 M-event log frees nothing), while every automatic collection it triggers walks all the objects the process
    tracks: some 5-10 % of an audit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def selects(clause: str, clauses: Iterable[str] | None, sections: Iterable[str] | None) -> bool:
    """Whether ``clause`` is chosen by ``clauses`` (ids, or their prefixes: ``3.1`` chooses 3.1.a, 3.1.b …) or
    ``sections`` (``3``); with neither, every clause is."""
    if clauses is None and sections is None:
        return True
    return (any(clause == c or clause.startswith(f"{c}.") for c in clauses or ())
            or clause.split(".")[0] in set(sections or ()))


def audit(log: EventLog, params: Params | None = None, clauses: Iterable[str] | None = None,
          sections: Iterable[str] | None = None) -> Findings:
    """Run every check (or those of ``clauses`` and ``sections``: :func:`selects`) over ``log`` and return the
    findings. A log that cannot hold some obligations (a personnel system's export has no unit-level records)
    is audited on the clauses it can."""
    params = params or rulebook().params
    ctx = AuditContext(log, params)
    checks = all_checks()
    clauses = None if clauses is None else list(clauses)
    sections = None if sections is None else list(sections)
    selected = [c for c in checks if selects(c, clauses, sections)]
    with _cyclic_gc_paused():
        table = typed(run_checks(ctx, [checks[c] for c in selected]))
    first = min((_first(t["time"]) for t in log.tables.values() if len(t)), default=None)
    return Findings(table=table, checks=selected, source=log.source, n_events=log.n_events, n_objects=log.n_objects,
                    start=first, end=log.end,
                    judged_cadres={clause: np.concatenate(v) for clause, v in ctx.judged_cadres.items()},
                    judged_documents={clause: pd.concat(v, ignore_index=True)
                                      for clause, v in ctx.judged_documents.items()})
