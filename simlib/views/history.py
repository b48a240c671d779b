"""The history of one object (a cadre, trip, delegation, document …) in an event log, with the auditor's findings
attached to the events that caused them: the table behind the log explorer's timeline.

    hist = object_history(log, findings, "cadre", "c000068")
    hist[["time", "type", "findings"]]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simlib.audit import Findings, audit
from simlib.i18n import t
from simlib.log.eventlog import EventLog
from simlib.views.sections import E

OBJECT_TYPES = ("cadre", "trip", "delegation", "document", "case", "unit")


def open_log(path: str | Path | None = None, *, scenario: str = "training/small", seed: int = 7,
             sets: dict[str, Any] | None = None) -> tuple[EventLog, Findings]:
    """A log and its findings: the file at ``path`` (OCEL JSON, Parquet, CSV) audited, or, without a path, one
    simulated replication of ``scenario`` (through the pipeline)."""
    if path:
        from simlib.log.io import read_log

        log = read_log(path)
        return log, audit(log)
    from simlib.pipeline import run_once
    from simlib.scenario import find_scenario, load_scenario

    rep = run_once(load_scenario(find_scenario(scenario), dict(sets or {})), seed)
    return rep.log, rep.findings


def busiest(findings: Findings, object_type: str = "cadre", n: int = 10) -> list[str]:
    """The ``n`` objects of a type with the most findings (most first, then by id)."""
    col = findings.table.get(object_type)
    if col is None or col.dropna().empty:
        return []
    counts = col.dropna().astype(str).value_counts()
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [k for k, _ in order[:n]]


def objects_of(log: EventLog, object_type: str) -> list[str]:
    """Every id of an object type in the log, sorted."""
    return sorted(log.objects_of(object_type)["object_id"].astype(str))


def object_history(log: EventLog, findings: Findings, object_type: str, object_id: str) -> pd.DataFrame:
    """Every event linked to the object (by a link column or as a delegation member), in time order, with the
    findings whose causing event it is (``findings``: "clause code" strings); a finding about the object without
    a causing event (a missed deadline) is a row of its own at its time, type ``"finding"``."""
    if object_type not in OBJECT_TYPES:
        raise ValueError(f"object type must be one of {OBJECT_TYPES}, not {object_type!r}")
    frames = []
    for name, table in log.tables.items():
        if object_type in table.columns and len(table):
            hit = table[table[object_type].astype(str) == object_id]
            if len(hit):
                frames.append(hit[["event_id", "time"]].assign(type=name))
    member_ids = set(log.members.loc[log.members["object_id"].astype(str) == object_id, "event_id"].astype(str))
    if member_ids:
        for name, table in log.tables.items():
            hit = table[table["event_id"].astype(str).isin(member_ids)]
            if len(hit):
                frames.append(hit[["event_id", "time"]].assign(type=name))
    events = (pd.concat(frames, ignore_index=True).drop_duplicates("event_id") if frames
              else pd.DataFrame({"event_id": [], "time": pd.Series(dtype="datetime64[ms]"), "type": []}))
    f = findings.table
    mine = f[f[object_type].astype(str) == object_id] if object_type in f.columns else f.iloc[0:0]
    label = (mine["clause"].astype(str) + " " + mine["code"].astype(str)).tolist()
    by_event: dict[str, list[str]] = {}
    loose = []
    for (_, row), text in zip(mine.iterrows(), label, strict=True):
        eid = row["event_id"]
        if isinstance(eid, str) and eid in set(events["event_id"].astype(str)):
            by_event.setdefault(eid, []).append(text)
        else:
            loose.append({"event_id": "", "time": row["time"], "type": "finding", "findings": [text]})
    events = events.assign(findings=[by_event.get(str(e), []) for e in events["event_id"]])
    if loose:
        events = pd.concat([events, pd.DataFrame(loose)], ignore_index=True)
    events["time"] = pd.to_datetime(events["time"])
    return events.sort_values(["time", "event_id"], kind="stable", ignore_index=True)[
        ["time", "type", "event_id", "findings"]]


def history_html(history: pd.DataFrame, lang: str) -> str:
    """The history as a table; events with findings highlighted."""
    head = "".join(f"<th>{E(t(f'planning.history.{c}', lang))}</th>" for c in ("time", "event", "id", "findings"))
    rows = []
    for r in history.itertuples():
        style = ' style="background:#fde2e1"' if r.findings else ""
        rows.append(f"<tr{style}><td>{E(r.time.strftime('%Y-%m-%d'))}</td><td>{E(r.type)}</td>"
                    f"<td>{E(r.event_id)}</td><td>{E(', '.join(r.findings))}</td></tr>")
    return (f'<table class="simlib-table simlib-history"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
