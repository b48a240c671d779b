"""KPIs of one replication, computed from the event log and the auditor's findings (never counted inside the
model): trips, approval times, on-time custody, violations by clause, non-return and flight (attempted,
blocked and by which control, succeeded, funds), detection lead time, sanctions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.audit.findings import Findings
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.vocabulary import CONTROLS, SANCTION_KINDS

DAY = pd.Timedelta(days=1)
HEADLINE_KPIS = (
    "findings", "non_return", "flight_attempts", "flight_blocked", "flight_succeeded", "flight_funds",
    "custody_on_time_public", "custody_on_time_private", "sanctions",
)  # what the experiment commands and the explorer show unless asked for more


def _days(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a.astype(TIME_DTYPE) - b.astype(TIME_DTYPE)) / DAY


def _since(times: pd.Series, cadres: pd.Series, first: pd.Series) -> pd.Series:
    """Days from each cadre's ``first`` time to ``times`` (cadres without one are left out)."""
    if first.empty or times.empty:
        return pd.Series(dtype="float64")
    start = pd.Series(cadres.to_numpy()).map(first.to_dict())
    ok = start.notna().to_numpy()
    return _days(pd.Series(times.to_numpy()[ok]), pd.Series(start.to_numpy()[ok]))


def _mean(x: pd.Series) -> float:
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


def kpis(log: EventLog, findings: Findings) -> dict[str, float]:
    """One replication's KPIs as a flat dict of numbers (one row of the KPI table)."""
    out: dict[str, float] = {"events": float(log.n_events)}
    exits = log.table("Exit")
    kind = _trip_kind(log, exits)
    out["trips_public"] = float(kind.str.startswith("public").fillna(False).sum())
    out["trips_private"] = float((kind == "private").sum())
    req, ok, denied = log.table("TripRequested"), log.table("TripApproved"), log.table("TripDenied")
    out["trips_requested"] = float(len(req))
    out["trips_approved"] = float(len(ok))
    out["trips_denied"] = float(len(denied))
    waits = ok[["trip", "time"]].merge(req[["trip", "time"]], on="trip", suffixes=("", "_req"))
    wait = _days(waits["time"], waits["time_req"])
    out["approval_days_mean"] = _mean(wait)
    out["approval_days_p90"] = float(np.percentile(wait, 90)) if len(wait) else float("nan")
    out["custody_on_time_public"] = _on_time_share(findings, "3.1.a")
    out["custody_on_time_private"] = _on_time_share(findings, "3.3.a")
    out["findings"] = float(len(findings))
    per_clause = findings.table["clause"].value_counts()
    for clause in findings.checks:  # every audited clause, so that replications share columns
        out[f"violations_{clause}"] = float(per_clause.get(clause, 0))
    out["non_return"] = float(len(log.table("NonReturnDeclared")))
    out["abscond"] = float(len(log.table("Abscond")) + len(log.table("Defection")))
    flights, blocked = log.table("Flight"), log.table("ExitBlocked")
    out["flight_attempts"] = float(len(flights) + len(blocked))
    out["flight_blocked"] = float(len(blocked))
    by = blocked["control"].astype("str").value_counts() if len(blocked) else pd.Series(dtype="int64")
    for control in CONTROLS:
        out[f"blocked_by_{control}"] = float(by.get(control, 0))
    out["flight_succeeded"] = float(len(flights))
    out["flight_funds"] = float(flights["funds"].sum()) if len(flights) else 0.0
    sus = log.table("SuspectedViolation").groupby("cadre")["time"].min()
    attempts = pd.concat([flights[["cadre", "time"]], blocked[["cadre", "time"]]])
    out["detection_lead_days"] = _mean(_since(attempts["time"], attempts["cadre"], sus))
    imposed = log.table("ExitControlImposed").groupby("cadre")["time"].min()
    out["exit_control_days"] = _mean(_since(imposed, imposed.index.to_series(), sus))
    sanctions = log.table("Sanction")
    out["sanctions"] = float(len(sanctions))
    counts = sanctions["kind"].astype("str").value_counts() if len(sanctions) else pd.Series(dtype="int64")
    for k in SANCTION_KINDS:
        out[f"sanctions_{k}"] = float(counts.get(k, 0))
    for name, event in (("accountability", "Accountability"), ("pursuits", "Pursuit"),
                        ("repatriated", "Repatriated"), ("publicity", "Publicity"), ("refusals", "Refusal"),
                        ("revocations", "DocRevoked"), ("exit_controls", "ExitControlImposed")):
        out[name] = float(len(log.table(event)))
    return out


def kpi_table(rows: list[dict[str, float]]) -> pd.DataFrame:
    """Rows of :func:`kpis` as a frame, one row per replication (missing clause counts are 0)."""
    df = pd.DataFrame(rows)
    viol = [c for c in df.columns if c.startswith("violations_")]
    df[viol] = df[viol].fillna(0.0)
    return df
