"""The object-centric event log: columnar in memory, one table per event type and per object type.

Single-valued links (``cadre``, ``trip``, ``document`` …) are columns of the event table, so an audit
check reads one table and joins by column. Multi-valued links (delegation members) live in ``members``.
Every log — simulated, hand-written or imported — goes through :func:`normalise`, which checks types,
required fields and referential integrity and names the event and field of any problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.log.errors import InputError
from simlib.log.vocabulary import EVENTS, OBJECTS, Attr, EventType, ObjectType

TIME_DTYPE = "datetime64[ms]"
MEMBER_COLUMNS = ("event_id", "qualifier", "object_id")


def isin(values: pd.Series, allowed: Iterable[Any]) -> pd.Series:
    """``values.isin(allowed)`` for id columns, fast when ``allowed`` is long: pandas 3.1's string ``isin``
    makes one Python object per allowed value (about 10 s for a million ids); pyarrow's takes under 1 s."""
    values_pa = pa.array(values, from_pandas=True, type=pa.large_string())
    allowed_pa = pa.array(allowed if isinstance(allowed, pd.Series) else list(allowed), from_pandas=True,
                          type=pa.large_string())
    found = pc.is_in(values_pa, value_set=allowed_pa).fill_null(False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)


def pandas_dtype(attr_dtype: str, choices: tuple[str, ...] = ()) -> Any:
    """The pandas dtype used for a vocabulary dtype."""
    if attr_dtype == "category":
        return pd.CategoricalDtype(list(choices))
    return {"string": "str", "int": "Int64", "float": "float64", "bool": "boolean", "time": TIME_DTYPE}[
        attr_dtype
    ]


def event_columns(et: EventType) -> dict[str, Any]:
    """Column name → dtype of the table for one event type."""
    cols: dict[str, Any] = {"event_id": "str", "time": TIME_DTYPE}
    cols.update({lk.qualifier: "str" for lk in et.single_links})
    cols.update({a.name: pandas_dtype(a.dtype, a.choices) for a in et.attrs})
    return cols


def object_columns(ot: ObjectType) -> dict[str, Any]:
    cols: dict[str, Any] = {"object_id": "str"}
    cols.update({a.name: pandas_dtype(a.dtype, a.choices) for a in ot.attrs})
    return cols


def _empty(columns: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})


@dataclass
class EventLog:
    """A validated log. Build one with :class:`LogBuilder` or a reader in :mod:`simlib.log.io`."""

    tables: dict[str, pd.DataFrame]
    members: pd.DataFrame
    objects: dict[str, pd.DataFrame]
    end: pd.Timestamp
    source: str = "<memory>"
    _empty_cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def table(self, event_type: str) -> pd.DataFrame:
        """Events of one type (an empty table with the right columns if there are none)."""
        if event_type in self.tables:
            return self.tables[event_type]
        if event_type not in EVENTS:
            raise KeyError(f"unknown event type {event_type!r}")
        if event_type not in self._empty_cache:
            self._empty_cache[event_type] = _empty(event_columns(EVENTS[event_type]))
        return self._empty_cache[event_type]

    def objects_of(self, object_type: str) -> pd.DataFrame:
        if object_type in self.objects:
            return self.objects[object_type]
        return _empty(object_columns(OBJECTS[object_type]))

    @property
    def n_events(self) -> int:
        return sum(len(t) for t in self.tables.values())

    @property
    def n_objects(self) -> int:
        return sum(len(t) for t in self.objects.values())

    def counts(self) -> pd.Series:
        """Number of events per type, largest first."""
        return pd.Series({k: len(v) for k, v in self.tables.items()}, dtype="int64").sort_values(
            ascending=False
        )

    def events(self) -> pd.DataFrame:
        """All events as one long frame (event_id, type, time), in time order."""
        frames = [t[["event_id", "time"]].assign(type=name) for name, t in self.tables.items() if len(t)]
        if not frames:
            return pd.DataFrame({"event_id": pd.Series(dtype="str"), "time": pd.Series(dtype=TIME_DTYPE),
                                 "type": pd.Series(dtype="str")})
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["time", "event_id"], kind="stable", ignore_index=True)

    def links(self, event_type: str, qualifier: str) -> pd.DataFrame:
        """(event_id, object_id) pairs of one many-valued link."""
        ids = self.table(event_type)["event_id"]
        m = self.members
        sel = m[(m["qualifier"] == qualifier) & isin(m["event_id"], ids)]
        return sel[["event_id", "object_id"]].reset_index(drop=True)

    def same_as(self, other: EventLog) -> bool:
        """True when both logs hold the same events, links and objects (row order ignored)."""
        try:
            assert_same_log(self, other)
        except AssertionError:
            return False
        return True


def _sorted(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return df.sort_values(key, kind="stable", ignore_index=True)


def assert_same_log(a: EventLog, b: EventLog) -> None:
    """Raise AssertionError describing the first difference between two logs."""
    assert set(a.tables) == set(b.tables), f"event types differ: {set(a.tables) ^ set(b.tables)}"
    for name in a.tables:
        pd.testing.assert_frame_equal(_sorted(a.tables[name], ["event_id"]), _sorted(b.tables[name], ["event_id"]),
                                      obj=f"events {name}")
    assert set(a.objects) == set(b.objects), f"object types differ: {set(a.objects) ^ set(b.objects)}"
    for name in a.objects:
        pd.testing.assert_frame_equal(_sorted(a.objects[name], ["object_id"]),
                                      _sorted(b.objects[name], ["object_id"]), obj=f"objects {name}")
    pd.testing.assert_frame_equal(_sorted(a.members, list(MEMBER_COLUMNS)), _sorted(b.members, list(MEMBER_COLUMNS)),
                                  obj="members")
    assert a.end == b.end, f"end differs: {a.end} != {b.end}"


# ---------------------------------------------------------------------------------------------------
# normalisation and validation


def _coerce(series: pd.Series, attr_dtype: str, choices: tuple[str, ...], what: str, ids: pd.Series,
            source: str) -> pd.Series:
    """Convert one column to its vocabulary dtype, or raise naming the first bad row."""
    target = pandas_dtype(attr_dtype, choices)
    try:
        if attr_dtype == "time":
            return pd.to_datetime(series, errors="raise").astype(TIME_DTYPE)
        if attr_dtype == "category":
            values = series.astype("str").where(series.notna())
            bad = values.notna() & ~values.isin(choices)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(f"value {values.iloc[i]!r} is not allowed", source=source,
                                 field=f"{ids.iloc[i]}.{what}", fix=f"use one of: {', '.join(choices)}")
            return values.astype(target)
        if attr_dtype == "bool":
            return _to_bool(series).astype(target)
        if attr_dtype == "string":
            return series.astype("str").where(series.notna()).astype("str")
        return pd.to_numeric(series, errors="raise").astype(target)
    except InputError:
        raise
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot read as {attr_dtype}: {exc}", source=source, field=what,
                         fix=f"write {what} as a {attr_dtype}") from None


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _to_bool(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series
    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return pd.NA
        if isinstance(v, bool | np.bool_):
            return bool(v)
        s = str(v).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        if s in {"", "nan", "none", "null"}:
            return pd.NA
        raise ValueError(f"{v!r} is not a boolean")
    return series.map(conv)


def _check_columns(df: pd.DataFrame, allowed: Iterable[str], kind: str, source: str) -> None:
    unknown = [c for c in df.columns if c not in set(allowed)]
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r} for {kind}", source=source, field=f"{kind}.{unknown[0]}",
                         fix=f"allowed fields: {', '.join(allowed)} (see docs/event-vocabulary.md)")


def _normalise_objects(raw: Mapping[str, pd.DataFrame], source: str) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        if name not in OBJECTS:
            raise InputError(f"unknown object type {name!r}", source=source, field="objects",
                             fix=f"use one of: {', '.join(OBJECTS)}")
        ot = OBJECTS[name]
        cols = object_columns(ot)
        _check_columns(df, cols, f"object type {name}", source)
        df = df.reindex(columns=list(cols))
        ids = df["object_id"].astype("str")
        if df["object_id"].isna().any():
            raise InputError("an object has no id", source=source, field=f"{name}.object_id",
                             fix="give every object an id")
        data = {"object_id": ids}
        for a in ot.attrs:
            data[a.name] = _coerce(df[a.name], a.dtype, a.choices, f"{a.name}", ids, source)
            _require(a, data[a.name], ids, name, source)
        out[name] = pd.DataFrame(data).reset_index(drop=True)
    all_ids = pd.concat([t["object_id"] for t in out.values()]) if out else pd.Series(dtype="str")
    dup = all_ids[all_ids.duplicated()]
    if len(dup):
        raise InputError(f"object id {dup.iloc[0]!r} is used twice", source=source, field="objects",
                         fix="object ids must be unique across all object types")
    return out


def _require(a: Attr, col: pd.Series, ids: pd.Series, kind: str, source: str) -> None:
    if a.required and col.isna().any():
        i = int(np.flatnonzero(col.isna().to_numpy())[0])
        raise InputError(f"required field {a.name!r} is missing", source=source, field=f"{ids.iloc[i]}.{a.name}",
                         fix=f"every {kind} needs {a.name}")


def normalise(
    raw_tables: Mapping[str, pd.DataFrame],
    raw_objects: Mapping[str, pd.DataFrame],
    members: pd.DataFrame | None = None,
    *,
    end: Any = None,
    source: str = "<memory>",
) -> EventLog:
    """Validate and type raw tables into an :class:`EventLog`, or raise :class:`InputError`."""
    objects = _normalise_objects(raw_objects, source)
    kinds: dict[str, pd.Series] = {}
    for name, t in objects.items():
        kinds[name] = t["object_id"]
    tables: dict[str, pd.DataFrame] = {}
    for name, df in raw_tables.items():
        if name not in EVENTS:
            raise InputError(f"unknown event type {name!r}", source=source, field="events",
                             fix="use an event type from docs/event-vocabulary.md")
        if len(df) == 0:
            continue
        et = EVENTS[name]
        cols = event_columns(et)
        _check_columns(df, cols, f"event type {name}", source)
        df = df.reindex(columns=list(cols))
        if df["event_id"].isna().any():
            raise InputError("an event has no id", source=source, field=f"{name}.event_id",
                             fix="give every event an id")
        ids = df["event_id"].astype("str")
        data: dict[str, pd.Series] = {"event_id": ids}
        data["time"] = _coerce(df["time"], "time", (), f"{name}.time", ids, source)
        if data["time"].isna().any():
            i = int(np.flatnonzero(data["time"].isna().to_numpy())[0])
            raise InputError("event has no time", source=source, field=f"{ids.iloc[i]}.time",
                             fix="give every event a time")
        for lk in et.single_links:
            col = df[lk.qualifier].astype("str").where(df[lk.qualifier].notna())
            if lk.required and col.isna().any():
                i = int(np.flatnonzero(col.isna().to_numpy())[0])
                raise InputError(f"{name} event has no {lk.qualifier!r} link", source=source,
                                 field=f"{ids.iloc[i]}.{lk.qualifier}",
                                 fix=f"link a {'/'.join(lk.types)} object as {lk.qualifier!r}")
            known = pd.concat([kinds[t] for t in lk.types if t in kinds]) if any(t in kinds for t in lk.types) else \
                pd.Series(dtype="str")
            bad = col.notna() & ~isin(col, known)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(f"{name} event links unknown {'/'.join(lk.types)} {col.iloc[i]!r}", source=source,
                                 field=f"{ids.iloc[i]}.{lk.qualifier}",
                                 fix="declare the object in the log's objects or correct the id")
            data[lk.qualifier] = col.astype("str")
        for a in et.attrs:
            data[a.name] = _coerce(df[a.name], a.dtype, a.choices, f"{name}.{a.name}", ids, source)
            _require(a, data[a.name], ids, f"{name} event", source)
        tables[name] = pd.DataFrame(data).sort_values(["time", "event_id"], kind="stable", ignore_index=True)
    all_ids = pd.concat([t["event_id"] for t in tables.values()]) if tables else pd.Series(dtype="str")
    dup = all_ids[all_ids.duplicated()]
    if len(dup):
        raise InputError(f"event id {dup.iloc[0]!r} is used twice", source=source, field="events",
                         fix="event ids must be unique")
    members = _normalise_members(members, all_ids, kinds, source)
    if end is None:
        end = max((t["time"].max() for t in tables.values()), default=pd.Timestamp("2004-12-31"))
    return EventLog(tables=dict(sorted(tables.items())), members=members, objects=dict(sorted(objects.items())),
                    end=pd.Timestamp(end).as_unit("ms"), source=source)


def _normalise_members(members: pd.DataFrame | None, event_ids: pd.Series, kinds: Mapping[str, pd.Series],
                       source: str) -> pd.DataFrame:
    if members is None or len(members) == 0:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in MEMBER_COLUMNS})
    m = members.reindex(columns=list(MEMBER_COLUMNS)).astype("str")
    bad_e = ~isin(m["event_id"], event_ids)
    if bad_e.any():
        raise InputError(f"link refers to unknown event {m['event_id'][bad_e].iloc[0]!r}", source=source,
                         field="members", fix="remove the link or add the event")
    known = pd.concat(list(kinds.values())) if kinds else pd.Series(dtype="str")
    bad_o = ~isin(m["object_id"], known)
    if bad_o.any():
        i = int(np.flatnonzero(bad_o.to_numpy())[0])
        raise InputError(f"event links unknown object {m['object_id'].iloc[i]!r}", source=source,
                         field=f"{m['event_id'].iloc[i]}.{m['qualifier'].iloc[i]}",
                         fix="declare the object in the log's objects or correct the id")
    return m.sort_values(list(MEMBER_COLUMNS), ignore_index=True)


# ---------------------------------------------------------------------------------------------------
# building a log from code (the simulation and the tests)


class LogBuilder:
    """Collects objects and events cheaply (appends to lists) and converts them once in :meth:`build`.

    Times are datetimes, ISO strings, or numbers of days after ``origin``.
    """

    def __init__(self, origin: Any = None) -> None:
        self.origin = pd.Timestamp(origin) if origin is not None else None
        self._rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._objects: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._members: list[tuple[str, str, str]] = []
        self._n = 0

    def add_object(self, object_type: str, object_id: str, **attrs: Any) -> str:
        attrs["object_id"] = object_id
        self._objects[object_type].append(attrs)
        return object_id

    def add_event(self, event_type: str, time: Any, **fields: Any) -> str:
        eid = f"e{self._n}"
        self._n += 1
        if "member" in fields:
            self._members.extend((eid, "member", m) for m in fields.pop("member"))
        fields["event_id"] = eid
        fields["time"] = time
        self._rows[event_type].append(fields)
        return eid

    def _times(self, event_type: str, df: pd.DataFrame) -> pd.DataFrame:
        """Turn numeric day offsets into datetimes (event time and time-typed attributes)."""
        if self.origin is None or event_type not in EVENTS:
            return df
        names = ["time"] + [a.name for a in EVENTS[event_type].attrs if a.dtype == "time"]
        for c in names:
            if c in df and pd.api.types.is_numeric_dtype(df[c]):
                df[c] = self.origin + pd.to_timedelta(df[c].to_numpy(dtype="float64"), unit="D")
        return df

    def build(self, end: Any = None, source: str = "<memory>") -> EventLog:
        tables = {name: self._times(name, pd.DataFrame.from_records(rows)) for name, rows in self._rows.items()}
        objects = {name: pd.DataFrame.from_records(rows) for name, rows in self._objects.items()}
        members = pd.DataFrame(self._members, columns=list(MEMBER_COLUMNS))
        if end is not None and self.origin is not None and isinstance(end, int | float):
            end = self.origin + pd.Timedelta(days=float(end))
        return normalise(tables, objects, members, end=end, source=source)
