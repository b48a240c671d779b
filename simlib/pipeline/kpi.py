"""KPIs of one replication, computed from the event log and the auditor's findings (never counted inside the
model): trips, approval times, on-time custody, violations by clause, non-return and flight (attempted,
blocked and by which control, succeeded, funds), detection lead time, sanctions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from simlib.audit.findings import Findings
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.vocabulary import BLOCKING_CONTROLS, SANCTION_KINDS

DAY = pd.Timedelta(days=1)
HEADLINE_KPIS = (
    "findings", "non_return", "flight_attempts", "flight_blocked", "flight_succeeded", "flight_funds",
    "custody_on_time_public", "custody_on_time_private", "sanctions",
)  # what the experiment commands and the explorer show unless asked for more


SHARE_CLAUSES = {"custody_on_time_public": "3.1.a", "custody_on_time_private": "3.3.a"}  # KPI -> its clause
JUDGED_KPIS = {"custody_on_time_public": "custody_judged_public", "custody_on_time_private": "custody_judged_private"}
"""Each on-time share's denominator, published beside it: a gap that changes who is judged (fewer returns, other
cadres) shows it there, and cannot pass for an improvement of the share."""


def _days(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a.astype(TIME_DTYPE) - b.astype(TIME_DTYPE)) / DAY


Replications = Callable[[pd.DataFrame], np.ndarray]
"""For an event table of a log holding several replications, the replication (0, 1 …) of each row."""


def _since(times: pd.Series, cadres: pd.Series, first: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Days from each cadre's ``first`` time to ``times``, for the rows whose cadre has one (and which they are)."""
    start = pd.Series(cadres.to_numpy()).map(first.to_dict())
    ok = start.notna().to_numpy()
    if not ok.any():
        return np.empty(0), ok
    return _days(pd.Series(times.to_numpy()[ok]), pd.Series(start.to_numpy()[ok])).to_numpy(), ok


def by_replication(which: np.ndarray, values: np.ndarray, n: int) -> list[np.ndarray]:
    """``values`` of each of ``n`` replications (``which``: each value's), in their order."""
    order = np.argsort(which, kind="stable")
    return np.split(values[order], np.searchsorted(which[order], np.arange(1, n)))


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")


def _trip_kind(log: EventLog, table: pd.DataFrame) -> pd.Series:
    kinds = log.objects_of("trip").set_index("object_id")["kind"].astype("str")
    return table["trip"].map(kinds)


def _on_time_share(findings: Findings, clause: str) -> float:
    """1 − (findings of ``clause``) / (obligations the auditor judged under it: for 3.1.a each public document
    held on return from a public trip, for 3.3.a each private document held on return by registered
    state-organ staff)."""
    n = findings.judged.get(clause, 0)
    bad = int((findings.table["clause"] == clause).sum())
    return float("nan") if n == 0 else max(0.0, 1.0 - bad / n)


def _asof(rows: pd.DataFrame, events: pd.DataFrame, direction: str, strict: bool = False) -> pd.Series:
    """For each row (``cadre``, ``time``), the time of the nearest event of the same cadre at or after it
    (``direction="forward"``) or at or before it (``"backward"``); ``strict`` excludes the row's own time."""
    def ids(table: pd.DataFrame) -> pd.Series:
        return pd.Series(table["cadre"].to_numpy(dtype=object), dtype="str")  # one key dtype, even when empty

    left = pd.DataFrame({"cadre": ids(rows), "time": rows["time"].to_numpy(), "row": np.arange(len(rows))})
    left = left.sort_values("time", kind="stable")
    right = pd.DataFrame({"cadre": ids(events), "hit": events["time"].to_numpy()})
    right = right.assign(time=right["hit"]).sort_values("time", kind="stable")
    found = pd.merge_asof(left, right, on="time", by="cadre", direction=direction, allow_exact_matches=not strict)
    return pd.Series(found.sort_values("row")["hit"].to_numpy(), index=rows.index)


def _open_days(rows: pd.DataFrame, done: pd.DataFrame, stops: pd.DataFrame, end: pd.Timestamp) -> np.ndarray:
    """Days from each row until the first ``done`` event of its cadre — or, if none comes first, until the
    first ``stops`` event after it or the end of the log (a spell of obligation cut short)."""
    finish = _asof(rows, done, "forward")
    stop = _asof(rows, stops, "forward", strict=True).fillna(end)
    finish = finish.where(finish <= stop, stop).fillna(stop)
    return _days(finish, rows["time"]).to_numpy()


def _registration_kpis(log: EventLog) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Registration work of the changing organisation (2.2.a), per row of the table it is counted on: the days
    each cadre entering a category stays unregistered (0 when a registration is still in force; until he
    leaves or the log ends if never), and the days each registration outlives the category it was for."""
    entered, left = log.table("CategoryEntered"), log.table("CategoryLeft")
    registered, withdrawn = log.table("PSBRegistered"), log.table("PSBDeregistered")

    def in_force(rows: pd.DataFrame) -> np.ndarray:
        last = _asof(rows, registered, "backward")
        return (last.notna() & ~(_asof(rows, withdrawn, "backward") >= last)).to_numpy()

    unregistered = np.where(in_force(entered), 0.0, _open_days(entered, registered, left, log.end))
    stale = left[in_force(left)]
    return {"unregistered": (entered, unregistered), "stale": (stale, _open_days(stale, withdrawn, entered, log.end))}


def _led(log: EventLog, gone: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Of absconding and defection events: which were by the delegation's (or institution's) leader, and which
    from an institution posted abroad."""
    formed = log.table("DelegationFormed").drop_duplicates("delegation", keep="last").set_index("delegation")
    leader = gone["delegation"].map(formed["leader"].astype("str"))
    kinds = log.objects_of("delegation").set_index("object_id")
    kind = gone["delegation"].map(kinds["kind"].astype("str"))
    return (leader == gone["cadre"].astype("str")).to_numpy(), (kind == "posted").to_numpy()


def kpis(log: EventLog, findings: Findings) -> dict[str, float]:
    """One replication's KPIs as a flat dict of numbers (one row of the KPI table)."""
    return kpis_by_replication(log, [findings], lambda table: np.zeros(len(table), dtype=np.int64))[0]


def kpis_by_replication(log: EventLog, findings: Sequence[Findings], which: Replications) -> list[dict[str, float]]:
    """The KPIs of each replication of a log that holds several (``which`` tells each event's), given each one's
    findings: one row of the KPI table per replication, each what :func:`kpis` gives for its log alone."""
    n = len(findings)
    rows: list[dict[str, float]] = [{} for _ in range(n)]

    def put(name: str, values: Iterable[float]) -> None:
        for row, value in zip(rows, values, strict=True):
            row[name] = float(value)

    def count(table: pd.DataFrame, rows_counted: np.ndarray | None = None) -> np.ndarray:
        of = which(table)
        return np.bincount(of if rows_counted is None else of[rows_counted], minlength=n)

    put("events", sum((count(t) for t in log.tables.values()), np.zeros(n, dtype=np.int64)))
    exits = log.table("Exit")
    kind = _trip_kind(log, exits)
    put("trips_public", count(exits, kind.str.startswith("public").fillna(False).to_numpy(dtype=bool)))
    put("trips_private", count(exits, (kind == "private").to_numpy(dtype=bool)))
    req, ok, denied = log.table("TripRequested"), log.table("TripApproved"), log.table("TripDenied")
    put("trips_requested", count(req))
    put("trips_approved", count(ok))
    put("trips_denied", count(denied))
    waits = ok[["trip", "time"]].assign(of=which(ok)).merge(req[["trip", "time"]], on="trip", suffixes=("", "_req"))
    wait = by_replication(waits["of"].to_numpy(), _days(waits["time"], waits["time_req"]).to_numpy(), n)
    put("approval_days_mean", map(_mean, wait))
    put("approval_days_p90", (np.percentile(w, 90) if len(w) else float("nan") for w in wait))
    for name, clause in SHARE_CLAUSES.items():
        put(name, (_on_time_share(f, clause) for f in findings))
        put(JUDGED_KPIS[name], (f.judged.get(clause, 0) for f in findings))
    put("findings", map(len, findings))
    per_clause = [f.table["clause"].value_counts() for f in findings]
    for clause in findings[0].checks:  # every audited clause, so that replications share columns
        put(f"violations_{clause}", (c.get(clause, 0) for c in per_clause))
    put("non_return", count(log.table("NonReturnDeclared")))
    put("abscond", count(log.table("Abscond")) + count(log.table("Defection")))
    gone = pd.concat([log.table(t)[["event_id", "time", "cadre", "delegation"]] for t in ("Abscond", "Defection")])
    by_leader, posted = _led(log, gone)
    put("abscond_leader", count(gone, by_leader))
    put("abscond_posted", count(gone, posted))
    for name, (table, days) in _registration_kpis(log).items():
        per = by_replication(which(table), days, n)
        put(f"{name}_cadre_days", (d.sum() for d in per))
        if name == "unregistered":
            put("registration_lag_days", map(_mean, per))
    for name, event in (("category_entries", "CategoryEntered"), ("category_exits", "CategoryLeft"),
                        ("deregistrations", "PSBDeregistered")):
        put(name, count(log.table(event)))
    flights, blocked = log.table("Flight"), log.table("ExitBlocked")
    put("flight_attempts", count(flights) + count(blocked))
    put("flight_blocked", count(blocked))
    control = blocked["control"].astype("str").to_numpy()
    for c in BLOCKING_CONTROLS:
        put(f"blocked_by_{c}", count(blocked, control == c))
    put("flight_succeeded", count(flights))
    put("flight_funds", np.bincount(which(flights), weights=flights["funds"].fillna(0.0).to_numpy(dtype=float),
                                    minlength=n))
    sus = log.table("SuspectedViolation").groupby("cadre")["time"].min()
    attempts = pd.concat([t[["cadre", "time"]].assign(of=which(t)) for t in (flights, blocked)])
    lead, known = _since(attempts["time"], attempts["cadre"], sus)
    put("detection_lead_days", map(_mean, by_replication(attempts["of"].to_numpy()[known], lead, n)))
    imposed_events = log.table("ExitControlImposed")
    imposed = imposed_events.assign(of=which(imposed_events)).groupby("cadre").agg(time=("time", "min"),
                                                                                  of=("of", "first"))
    days, known = _since(imposed["time"], imposed.index.to_series(), sus)
    put("exit_control_days", map(_mean, by_replication(imposed["of"].to_numpy()[known], days, n)))
    sanctions = log.table("Sanction")
    put("sanctions", count(sanctions))
    kinds = sanctions["kind"].astype("str").to_numpy()
    for k in SANCTION_KINDS:
        put(f"sanctions_{k}", count(sanctions, kinds == k))
    for name, event in (("accountability", "Accountability"), ("pursuits", "Pursuit"),
                        ("repatriated", "Repatriated"), ("publicity", "Publicity"), ("refusals", "Refusal"),
                        ("revocations", "DocRevoked"), ("exit_controls", "ExitControlImposed")):
        put(name, count(log.table(event)))
    # documents and supervision (issue 14): what inspections find and correct, cancellations, false documents
    for name, event in (("inspection_findings", "InspectionFinding"), ("corrections", "Correction"),
                        ("cancellations", "DocCancelled"), ("frauds_detected", "FraudDetected")):
        put(name, count(log.table(event)))
    inspections = log.table("Inspection")
    ad_hoc = inspections["ad_hoc"].eq(True).fillna(False).to_numpy(dtype=bool)
    put("inspections_ad_hoc", count(inspections, ad_hoc))
    return rows


def kpi_table(rows: list[dict[str, float]]) -> pd.DataFrame:
    """Rows of :func:`kpis` as a frame, one row per replication (missing clause counts are 0)."""
    df = pd.DataFrame(rows)
    viol = [c for c in df.columns if c.startswith("violations_")]
    df[viol] = df[viol].fillna(0.0)
    return df
