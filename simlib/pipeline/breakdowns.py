"""Breakdowns of one replication behind the planners' charts, computed from the event log and the auditor's
findings (never inside the model): tidy tables, one row per group, no plotting.

* :func:`flight_funnel`: exit attempts → blocked (by which control) → succeeded, and the funds moved;
  :func:`funnel_means` gives the same table from KPI rows (the mean per replication of each scenario);
* :func:`custody_status` / :func:`custody_by_year`: each document hand-in obligation the auditor judged
  under 3.1.a (public) and 3.3.a (private), on time, late or never, by year of the return;
* :func:`findings_by_clause_year`: the findings per clause and year;
* :func:`approval_lead_times`: days from each application to its approval or denial.

    rep = run_once(scenario, seed=1)
    tables = breakdowns(rep.log, rep.findings)       # name -> DataFrame
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.audit.findings import Findings
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.vocabulary import BLOCKING_CONTROLS
from simlib.pipeline.kpi import SHARE_CLAUSES, _days

STAGES = ("attempts", "blocked", "succeeded")
CUSTODY_STATUSES = ("on_time", "late", "never", "wrong_recipient")  # in stacking order
CUSTODY_KINDS = {  # kind -> the clause that judges its hand-ins
    "public": SHARE_CLAUSES["custody_on_time_public"],
    "private": SHARE_CLAUSES["custody_on_time_private"],
}
CODE_STATUS = {"late": "late", "missing": "never", "wrong_recipient": "wrong_recipient"}


def flight_funnel(log: EventLog) -> pd.DataFrame:
    """Exit attempts (flights and blocked attempts), the blocked ones by the control that stopped them (every
    control, 0 included), and the flights that succeeded with the funds they took: columns ``stage``,
    ``control`` (blocked rows only, else ""), ``count``, ``funds`` (million yuan; succeeded row only)."""
    flights, blocked = log.table("Flight"), log.table("ExitBlocked")
    by_control = blocked["control"].astype("str").value_counts()
    rows = [{"stage": "attempts", "control": "", "count": len(flights) + len(blocked), "funds": np.nan}]
    rows += [{"stage": "blocked", "control": c, "count": int(by_control.get(c, 0)), "funds": np.nan}
             for c in BLOCKING_CONTROLS]
    rows.append({"stage": "succeeded", "control": "", "count": len(flights),
                 "funds": float(flights["funds"].fillna(0.0).sum())})
    return pd.DataFrame(rows).astype({"count": float})


def funnel_means(kpi_rows: pd.DataFrame) -> pd.DataFrame:
    """The funnel of each scenario of a KPI table (one row per replication: ``flight_attempts``,
    ``blocked_by_<control>``, ``flight_succeeded``, ``flight_funds``), as the mean per replication, in the
    layout of :func:`flight_funnel` plus ``scenario``."""
    out = []
    for name, g in kpi_rows.groupby("scenario", sort=False):
        rows = [{"stage": "attempts", "control": "", "count": g["flight_attempts"].mean(), "funds": np.nan}]
        rows += [{"stage": "blocked", "control": c, "count": g[f"blocked_by_{c}"].mean(), "funds": np.nan}
                 for c in BLOCKING_CONTROLS]
        rows.append({"stage": "succeeded", "control": "", "count": g["flight_succeeded"].mean(),
                     "funds": g["flight_funds"].mean()})
        out.append(pd.DataFrame(rows).assign(scenario=name))
    cols = ["scenario", "stage", "control", "count", "funds"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def custody_status(findings: Findings) -> pd.DataFrame:
    """One row per document hand-in obligation the auditor judged under the kind's clause (3.1.a public, 3.3.a
    private; ``Findings.judged_documents``: each document held on a return, due before the log ends); its
    ``status`` is the auditor's finding on it (late, never = missing, wrong_recipient) or ``on_time`` when there
    is none. Columns ``kind``, ``clause``, ``event_id``, ``document``, ``time``, ``year``, ``status``."""
    f = findings.table
    frames = []
    for kind, clause in CUSTODY_KINDS.items():
        judged = findings.judged_documents.get(clause)
        if judged is None:
            judged = pd.DataFrame({"event_id": pd.Series(dtype="str"), "document": pd.Series(dtype="str"),
                                   "time": pd.Series(dtype=TIME_DTYPE)})
        mine = f[(f["clause"] == clause) & f["code"].isin(list(CODE_STATUS))]
        status = pd.Series(mine["code"].map(CODE_STATUS).to_numpy(),
                           index=pd.MultiIndex.from_arrays([mine["event_id"].astype(str),
                                                            mine["document"].astype(str)]))
        status = status[~status.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([judged["event_id"].astype(str), judged["document"].astype(str)])
        frames.append(pd.DataFrame({
            "kind": kind, "clause": clause,
            "event_id": judged["event_id"].astype(str).to_numpy(),
            "document": judged["document"].astype(str).to_numpy(),
            "time": judged["time"].astype(TIME_DTYPE).to_numpy(),
            "status": status.reindex(keys).fillna("on_time").to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    out["year"] = pd.to_datetime(out["time"]).dt.year.astype(int)
    return out[["kind", "clause", "event_id", "document", "time", "year", "status"]].sort_values(
        ["kind", "time", "event_id"], kind="stable", ignore_index=True)


def custody_by_year(findings: Findings) -> pd.DataFrame:
    """:func:`custody_status` counted by ``kind``, ``year`` and ``status`` (every status, 0 included):
    columns ``kind``, ``year``, ``status``, ``count``."""
    s = custody_status(findings)
    years = sorted(s["year"].unique()) if len(s) else []
    index = pd.MultiIndex.from_product([list(CUSTODY_KINDS), years, CUSTODY_STATUSES],
                                       names=["kind", "year", "status"])
    counts = s.groupby(["kind", "year", "status"]).size().reindex(index, fill_value=0)
    return counts.rename("count").reset_index().astype({"count": float})


def findings_by_clause_year(findings: Findings) -> pd.DataFrame:
    """The findings counted by ``clause`` and ``year`` (of the finding's time): columns ``clause``, ``year``,
    ``count``; only pairs with a finding."""
    f = findings.table
    if f.empty:
        return pd.DataFrame({"clause": [], "year": [], "count": []})
    years = pd.to_datetime(f["time"]).dt.year
    out = f.assign(year=years).groupby(["clause", "year"]).size().rename("count").reset_index()
    return out.astype({"year": int, "count": float})


def approval_lead_times(log: EventLog) -> pd.DataFrame:
    """Days from each trip application to its decision: columns ``trip``, ``kind`` (public_temporary,
    public_posted, private), ``outcome`` (approved, denied), ``days``; undecided applications are left out."""
    req = log.table("TripRequested")[["trip", "time"]]
    kinds = log.objects_of("trip").set_index("object_id")["kind"].astype("str")
    frames = []
    for outcome, event in (("approved", "TripApproved"), ("denied", "TripDenied")):
        done = log.table(event)[["trip", "time"]].merge(req, on="trip", suffixes=("", "_req"))
        frames.append(pd.DataFrame({"trip": done["trip"].astype(str), "kind": done["trip"].map(kinds),
                                    "outcome": outcome, "days": _days(done["time"], done["time_req"])}))
    return pd.concat(frames, ignore_index=True)


def breakdowns(log: EventLog, findings: Findings) -> dict[str, pd.DataFrame]:
    """Every breakdown of one replication by name: ``funnel``, ``custody``, ``findings``, ``lead_times``."""
    return {"funnel": flight_funnel(log), "custody": custody_by_year(findings),
            "findings": findings_by_clause_year(findings), "lead_times": approval_lead_times(log)}
