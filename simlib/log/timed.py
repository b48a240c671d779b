"""Object attribute values with times (OCEL 2.0) split into the values at creation and the later changes.

An OCEL 2.0 object attribute is a list of (time, value). simlib writes the value at creation with the time
``1970-01-01T00:00:00Z`` and each change (:attr:`EventLog.changes`) with its own time. Other tools write the same
differently: pm4py repeats values, declares ``date``/``float`` types and may time the first value at the
object's first event. So a value is read as:

- *at creation* when timed at or before the epoch, or — when an attribute has no such value — the earliest one
  (the reading pm4py's readers apply: the first value is the one at creation);
- a *change* otherwise. A value repeated at the same time, or an attribute the vocabulary does not mark as
  timed repeated with its value at creation, is the same fact written twice and is read once; a static
  attribute with a second, different value is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from simlib.errors import InputError
from simlib.log.eventlog import TIME_DTYPE
from simlib.log.values import LOCAL_OFFSET, from_text
from simlib.log.vocabulary import OBJECTS

EPOCH_WALL = pd.Timestamp("1970-01-01") + LOCAL_OFFSET  # 1970-01-01T00:00:00Z as UTC+8 wall time
ENTRY_COLUMNS = ("object_id", "type", "name", "time", "value")
TIMED = frozenset(f"{ot.name}.{a.name}" for ot in OBJECTS.values() for a in ot.timed_attrs)


def split_values(entries: pd.DataFrame, ids: Mapping[str, Iterable[str]], source: str,
                 problems: list[InputError] | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Attribute entries (``object_id, type, name, time, value``: text values, wall times, NaT for none) as the
    objects of each type in ``ids`` (text columns, one row per id, in the order of ``ids``) and the raw changes
    of each type (typed, for :func:`~simlib.log.normalise.normalise`).

    Problems (a static attribute with two values, two values at creation) are appended to ``problems`` when it
    is given, else the first is raised."""
    stop = problems is None
    problems = [] if problems is None else problems
    e = entries.reset_index(drop=True)
    e = e[e["value"].notna()]
    e = e.assign(time=e["time"].astype(TIME_DTYPE))
    e = e.drop_duplicates(["object_id", "name", "time", "value"])
    initial = (e["time"].isna() | (e["time"] <= EPOCH_WALL)).to_numpy().copy()
    key = ["object_id", "name"]
    if not initial.all():  # some values are timed: an attribute without a value at creation takes its earliest
        has_initial = pd.Series(initial, index=e.index).groupby([e["object_id"], e["name"]]).transform("any")
        earliest = e[~has_initial.to_numpy()].sort_values("time", kind="stable").groupby(key, sort=False).head(1).index
        initial[e.index.get_indexer(earliest)] = True
    first = e[initial].drop_duplicates(["object_id", "name", "value"])
    twice = first[first.duplicated(key, keep=False)]
    for (oid, name), _ in list(twice.groupby(key, sort=False))[:20]:
        problems.append(InputError(source=source, field=f"{oid}.{name}", key="log.timed.two_initial"))
    first = first.drop_duplicates(key)
    later = e[~initial]
    if len(later):
        base = first.set_index(key)["value"]
        at_creation = base.reindex(pd.MultiIndex.from_frame(later[key])).to_numpy()
        timed = (later["type"].astype(str) + "." + later["name"].astype(str)).isin(TIMED).to_numpy()
        repeat = ~timed & (later["value"].to_numpy() == at_creation)
        later = later[~repeat]
        static = later[~timed[~repeat]]
        for row in static.head(20 - len(problems)).itertuples(index=False):
            problems.append(InputError(source=source, field=f"{row.object_id}.{row.name}", key="log.timed.static",
                                       values={"quoted": repr(row.name), "value": repr(row.value), "time": row.time,
                                               "type": row.type, "name": row.name}))
        later = later[timed[~repeat]]
    if problems and stop:
        raise problems[0]
    objects: dict[str, pd.DataFrame] = {}
    for otype, oids in ids.items():
        rows = first[first["type"] == otype]
        wide = rows.pivot(index="object_id", columns="name", values="value") if len(rows) else pd.DataFrame()
        frame = wide.reindex(pd.Index(list(oids), dtype=object, name="object_id")).reset_index()
        frame.columns.name = None
        objects[otype] = frame
    changes: dict[str, pd.DataFrame] = {}
    for otype, rows in later.groupby("type", sort=False):
        parts = []
        for name, sel in rows.groupby("name", sort=False):
            attr = next((a for a in OBJECTS[otype].attrs if a.name == name), None)
            if attr is None:
                continue  # the caller reports attributes unknown to the vocabulary
            value = from_text(sel["value"].reset_index(drop=True), attr.dtype,
                              sel["object_id"].reset_index(drop=True), name, source)
            parts.append(pd.DataFrame({"object_id": sel["object_id"].to_numpy(), "time": sel["time"].to_numpy(),
                                       "field": name, name: value.array}))
        if parts:
            changes[str(otype)] = pd.concat(parts, ignore_index=True)
    return objects, changes
