"""The object-centric event log: columnar in memory, one table per event type and per object type.

Single-valued links (``cadre``, ``trip``, ``document`` …) are columns of the event table, so an audit
check reads one table and joins by column. Multi-valued links (delegation members) live in ``members``.
Every log — simulated, hand-written or imported — goes through :func:`normalise`, which checks types,
required fields and referential integrity and names the event and field of any problem.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.log.errors import InputError
from simlib.log.vocabulary import EVENTS, OBJECTS, Attr, EventType, ObjectType

TIME_DTYPE = "datetime64[ms]"
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
MEMBER_COLUMNS = ("event_id", "qualifier", "object_id")


def isin(values: pd.Series, allowed: Iterable[Any] | pa.Array) -> pd.Series:
    """``values.isin(allowed)`` for id columns, fast when ``allowed`` is long: pandas 3.1's string ``isin``
    makes one Python object per allowed value (about 10 s for a million ids); pyarrow's takes under 1 s."""
    allowed_pa = allowed if isinstance(allowed, pa.Array) else _arrow(
        allowed if isinstance(allowed, pd.Series) else list(allowed))
    found = pc.is_in(_arrow(values), value_set=allowed_pa).fill_null(False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)


def _arrow(values: Any) -> pa.Array:
    """Strings (a pandas ``str`` column without a copy) as one pyarrow large-string array."""
    arr = pa.array(values, from_pandas=True, type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


@cache
def pandas_dtype(attr_dtype: str, choices: tuple[str, ...] = ()) -> Any:
    """The pandas dtype used for a vocabulary dtype."""
    if attr_dtype == "category":
        return pd.CategoricalDtype(list(choices))
    return {"string": _STR, "int": "Int64", "float": "float64", "bool": "boolean", "time": TIME_DTYPE}[
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
    if series.dtype == target and (attr_dtype != "category" or list(series.cat.categories) == list(choices)):
        return series  # already typed (a column the builder made): nothing to convert or check
    try:
        if attr_dtype == "time":
            return pd.to_datetime(series, errors="raise").astype(TIME_DTYPE)
        if attr_dtype == "category":
            values = _str(series)
            codes = target.categories.get_indexer(values)
            bad = (codes == -1) & values.notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(f"value {values.iloc[i]!r} is not allowed", source=source,
                                 field=f"{ids.iloc[i]}.{what}", fix=f"use one of: {', '.join(choices)}")
            return pd.Series(pd.Categorical.from_codes(codes, dtype=target), index=series.index)
        if attr_dtype == "bool":
            return _to_bool(series).astype(target)
        if attr_dtype == "string":
            return _str(series)
        return pd.to_numeric(series, errors="raise").astype(target)
    except InputError:
        raise
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot read as {attr_dtype}: {exc}", source=source, field=what,
                         fix=f"write {what} as a {attr_dtype}") from None


def _str(series: pd.Series) -> pd.Series:
    """A column as pandas ``str``, missing values as missing (a ``str`` column as it is, without a copy)."""
    if series.dtype == _STR:
        return series
    return series.astype(_STR).where(series.notna())


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
        df = _with_columns(df, cols)
        ids = _str(df["object_id"])
        if ids.isna().any():
            raise InputError("an object has no id", source=source, field=f"{name}.object_id",
                             fix="give every object an id")
        data = {"object_id": ids}
        for a in ot.attrs:
            data[a.name] = _coerce(df[a.name], a.dtype, a.choices, f"{a.name}", ids, source)
            _require(a, data[a.name], ids, name, source)
        out[name] = pd.DataFrame(data).reset_index(drop=True)
    dup = _first_duplicate([t["object_id"] for t in out.values()])
    if dup is not None:
        raise InputError(f"object id {dup!r} is used twice", source=source, field="objects",
                         fix="object ids must be unique across all object types")
    return out


def _with_columns(df: pd.DataFrame, names: Iterable[str]) -> Mapping[str, pd.Series]:
    """The frame's columns by name; one it lacks as all missing (``float64`` NaN, as ``reindex`` makes it)."""
    if not df.columns.is_unique:
        df = df.reindex(columns=list(names))  # raises, naming the duplicate label
    present = set(df.columns)
    return {c: df[c] if c in present else pd.Series(np.nan, index=df.index, dtype="float64") for c in names}


def _first_duplicate(columns: list[pd.Series]) -> str | None:
    """The first value that occurs a second time in the columns, one after the other (None if all differ)."""
    values = pa.chunked_array([_arrow(c) for c in columns], type=pa.large_string())
    if pc.count_distinct(values, mode="all").as_py() == len(values):
        return None
    all_ids = pd.concat(columns)
    return all_ids[all_ids.duplicated()].iloc[0]


class _KnownIds:
    """The ids of the declared objects of one or more types, as one array made once per combination of types."""

    def __init__(self, objects: Mapping[str, pd.DataFrame]) -> None:
        self._objects = objects
        self._arrays: dict[tuple[str, ...], pa.Array] = {}

    def __call__(self, types: tuple[str, ...]) -> pa.Array:
        if types not in self._arrays:
            chunks = [_arrow(self._objects[t]["object_id"]) for t in types if t in self._objects]
            self._arrays[types] = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.large_string())
        return self._arrays[types]


def _in_time_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The events sorted by time and event id (a stable sort); as they are if they already are, as the
    simulation records most of them."""
    times = frame["time"].to_numpy().view("int64")
    ids = _arrow(frame["event_id"])
    step = np.diff(times)
    if (step > 0).all():
        return frame
    if not (step < 0).any():
        tied = pa.array(step == 0)
        if pc.all(pc.greater(pc.filter(ids.slice(1), tied), pc.filter(ids.slice(0, len(ids) - 1), tied))).as_py():
            return frame
    keys = pa.table({"time": times, "event_id": ids})
    order = pc.sort_indices(keys, sort_keys=[("time", "ascending"), ("event_id", "ascending")])
    return frame.take(order.to_numpy()).reset_index(drop=True)


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
    known = _KnownIds(objects)
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
        df = _with_columns(df, cols)
        ids = _str(df["event_id"])
        if ids.isna().any():
            raise InputError("an event has no id", source=source, field=f"{name}.event_id",
                             fix="give every event an id")
        data: dict[str, pd.Series] = {"event_id": ids}
        data["time"] = _coerce(df["time"], "time", (), f"{name}.time", ids, source)
        if data["time"].isna().any():
            i = int(np.flatnonzero(data["time"].isna().to_numpy())[0])
            raise InputError("event has no time", source=source, field=f"{ids.iloc[i]}.time",
                             fix="give every event a time")
        for lk in et.single_links:
            col = _str(df[lk.qualifier])
            missing = col.isna().to_numpy()
            if lk.required and missing.any():
                i = int(np.flatnonzero(missing)[0])
                raise InputError(f"{name} event has no {lk.qualifier!r} link", source=source,
                                 field=f"{ids.iloc[i]}.{lk.qualifier}",
                                 fix=f"link a {'/'.join(lk.types)} object as {lk.qualifier!r}")
            bad = ~missing & ~isin(col, known(lk.types)).to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(f"{name} event links unknown {'/'.join(lk.types)} {col.iloc[i]!r}", source=source,
                                 field=f"{ids.iloc[i]}.{lk.qualifier}",
                                 fix="declare the object in the log's objects or correct the id")
            data[lk.qualifier] = col
        for a in et.attrs:
            data[a.name] = _coerce(df[a.name], a.dtype, a.choices, f"{name}.{a.name}", ids, source)
            _require(a, data[a.name], ids, f"{name} event", source)
        frame = pd.DataFrame(data).reset_index(drop=True)
        tables[name] = _in_time_order(frame)
    event_ids = [t["event_id"] for t in tables.values()]
    dup = _first_duplicate(event_ids)
    if dup is not None:
        raise InputError(f"event id {dup!r} is used twice", source=source, field="events",
                         fix="event ids must be unique")
    members = _normalise_members(members, event_ids, known(tuple(objects)), source)
    if end is None:
        end = max((t["time"].max() for t in tables.values()), default=pd.Timestamp("2004-12-31"))
    return EventLog(tables=dict(sorted(tables.items())), members=members, objects=dict(sorted(objects.items())),
                    end=pd.Timestamp(end).as_unit("ms"), source=source)


def _normalise_members(members: pd.DataFrame | None, event_ids: list[pd.Series], object_ids: pa.Array,
                       source: str) -> pd.DataFrame:
    if members is None or len(members) == 0:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in MEMBER_COLUMNS})
    m = members.reindex(columns=list(MEMBER_COLUMNS)).astype("str")
    all_events = pa.concat_arrays([_arrow(ids) for ids in event_ids]) if event_ids else _arrow([])
    bad_e = ~isin(m["event_id"], all_events)
    if bad_e.any():
        raise InputError(f"link refers to unknown event {m['event_id'][bad_e].iloc[0]!r}", source=source,
                         field="members", fix="remove the link or add the event")
    bad_o = ~isin(m["object_id"], object_ids)
    if bad_o.any():
        i = int(np.flatnonzero(bad_o.to_numpy())[0])
        raise InputError(f"event links unknown object {m['object_id'].iloc[i]!r}", source=source,
                         field=f"{m['event_id'].iloc[i]}.{m['qualifier'].iloc[i]}",
                         fix="declare the object in the log's objects or correct the id")
    return m.sort_values(list(MEMBER_COLUMNS), ignore_index=True)


# ---------------------------------------------------------------------------------------------------
# building a log from code (the simulation and the tests)


class _Rows:
    """The rows of one signature — a type and the names of the fields given, in order — with their field values
    one after the other in one flat list (a row costs one ``extend``, and a pointer per value)."""

    __slots__ = ("names", "values")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.values: list[Any] = []

    def __len__(self) -> int:
        return len(self.values) // len(self.names)

    def column(self, name: str) -> list[Any]:
        return self.values[self.names.index(name)::len(self.names)]

    def columns(self) -> dict[str, list[Any]]:
        return {name: self.column(name) for name in self.names}


class _EventRows(_Rows):
    """Event rows of one signature (the builder's ``number``-th), with the events' times in an array."""

    __slots__ = ("number", "times")

    def __init__(self, names: tuple[str, ...], number: int, numeric_times: bool) -> None:
        super().__init__(names)
        self.number = number
        self.times: array[float] | list[Any] = array("d") if numeric_times else []

    def __len__(self) -> int:
        return len(self.times)


class LogBuilder:
    """Collects objects and events cheaply and converts them once in :meth:`build`.

    Rows are buffered per signature (type and field names, as given), so recording an event is three appends:
    its signature's number to the order of events, its time and its field values to the signature's buffers.
    :meth:`build` slices the columns out, makes the event ids ``e<n>`` (n counts events from 0, in the order
    recorded) and the datetimes in bulk, and validates the log with :func:`normalise`.

    Times are datetimes, ISO strings, or numbers of days after ``origin``. A field given as None counts as not
    given; ``member`` takes a list of object ids (the many-valued link, stored in the members table).
    """

    def __init__(self, origin: Any = None) -> None:
        self.origin = pd.Timestamp(origin) if origin is not None else None
        self._events: dict[tuple[str, ...], _EventRows] = {}
        self._order = array("I")  # per event, the number of its signature
        self._objects: dict[tuple[str, ...], _Rows] = {}
        self._blocks: dict[str, list[dict[str, list[Any]]]] = {}

    def add_object(self, object_type: str, object_id: str, **attrs: Any) -> str:
        key = (object_type, "object_id", *attrs)
        rows = self._objects.get(key)
        if rows is None:
            rows = self._objects[key] = _Rows(key[1:])
        rows.values.append(object_id)
        rows.values.extend(attrs.values())
        return object_id

    def add_objects(self, object_type: str, ids: Iterable[str], **columns: Iterable[Any]) -> None:
        """Declare many objects of one type at once: their ids and one sequence of values per attribute."""
        block = {"object_id": np.asarray(ids).tolist()}
        block.update({name: np.asarray(col).tolist() for name, col in columns.items()})
        self._blocks.setdefault(object_type, []).append(block)

    def add_event(self, event_type: str, time: Any, **fields: Any) -> None:
        self.record(event_type, time, fields)

    def record(self, event_type: str, time: Any, fields: dict[str, Any]) -> None:
        """:meth:`add_event` with the fields as one dict (for callers that already hold one)."""
        key = (event_type, *fields)
        rows = self._events.get(key)
        if rows is None:
            rows = self._events[key] = _EventRows(key[1:], len(self._events), self.origin is not None)
        self._order.append(rows.number)
        try:
            rows.times.append(time)
        except TypeError:  # a datetime or ISO string given although there is an origin
            rows.times.append((pd.Timestamp(time) - self.origin) / pd.Timedelta(days=1))
        rows.values.extend(fields.values())

    def counts(self) -> dict[str, int]:
        """Events recorded so far, by type."""
        out: dict[str, int] = {}
        for key, rows in self._events.items():
            out[key[0]] = out.get(key[0], 0) + len(rows)
        return out

    def build(self, end: Any = None, source: str = "<memory>") -> EventLog:
        """The log so far, validated by :func:`normalise`. Tables are made as normalise reads them and then
        dropped, so that only one unvalidated table is in memory at a time."""
        numbers = self._numbers()
        times = self._times(numbers)
        events = _by_type(self._events)
        tables = _Lazy(events, lambda name: self._event_table(name, events[name], numbers, times))
        blocks = {name: [(len(r), r.columns()) for r in group] for name, group in _by_type(self._objects).items()}
        for name, more in self._blocks.items():
            blocks.setdefault(name, []).extend((len(b["object_id"]), b) for b in more)
        objects = _Lazy(blocks, lambda name: self._frame(OBJECTS.get(name), {}, _concat(blocks[name])))
        if end is not None and self.origin is not None and isinstance(end, int | float):
            end = self.origin + pd.Timedelta(days=float(end))
        members = self._members(numbers)
        return normalise(tables, objects, members, end=end, source=source)

    def _numbers(self) -> list[np.ndarray]:
        """For each signature, the numbers of its events (n of event ``e<n>``), in the order recorded."""
        order = np.frombuffer(self._order, dtype=np.uint32)
        ends = np.cumsum(np.bincount(order, minlength=len(self._events)))
        return np.split(np.argsort(order, kind="stable"), ends[:-1])

    def _times(self, numbers: list[np.ndarray]) -> np.ndarray:
        """Every event's time, by event number (converted once for all tables): numbers of days after the
        origin as datetimes, anything else as given."""
        n = len(self._order)
        if self.origin is None:
            times = np.empty(n, dtype=object)
            for rows in self._events.values():
                times[numbers[rows.number]] = rows.times
            return times
        days = np.empty(n, dtype=np.float64)
        for rows in self._events.values():
            days[numbers[rows.number]] = np.frombuffer(rows.times, dtype=np.float64)
        return (self.origin + pd.to_timedelta(days, unit="D")).to_numpy()

    def _event_table(self, name: str, group: list[_EventRows], numbers: list[np.ndarray],
                     times: np.ndarray) -> pd.DataFrame:
        """One event type's rows, of every signature, as a frame (without the many-valued link)."""
        seqs = np.concatenate([numbers[r.number] for r in group])
        columns = _concat([(len(r), r.columns()) for r in group])
        columns.pop("member", None)
        return self._frame(EVENTS.get(name), {"event_id": _strings(_event_ids(seqs)), "time": times[seqs]}, columns)

    def _members(self, numbers: list[np.ndarray]) -> pd.DataFrame:
        """The many-valued link: one (event, "member", object) row per member."""
        rows = [(e, "member", o) for r in self._events.values() if "member" in r.names
                for e, objs in zip(_event_ids(numbers[r.number]).to_pylist(), r.column("member"), strict=True)
                for o in objs or ()]
        return pd.DataFrame(rows, columns=list(MEMBER_COLUMNS))

    def _frame(self, kind: EventType | ObjectType | None, ready: dict[str, Any],
               columns: dict[str, list[Any]]) -> pd.DataFrame:
        """The ``ready`` columns, then the buffered ones, each converted in one go (normalise then checks and
        types them); a column no row gives a value for is left out."""
        time_attrs = {a.name for a in kind.attrs if a.dtype == "time"} if kind is not None else set()
        data = dict(ready)
        for col, values in columns.items():
            converted = self._column(values, col in time_attrs)
            if converted is not None:
                data[col] = converted
        return pd.DataFrame(data)

    def _column(self, values: list[Any], is_time: bool) -> Any:
        """A column as the vocabulary wants it where that is cheap to see (ids and strings as ``str``, flags as
        ``boolean``, numbers of days as datetimes); anything else as given. None if no row has a value."""
        if is_time and self.origin is not None:
            try:
                days = np.asarray(values, dtype="float64")
            except (TypeError, ValueError):
                pass
            else:
                return None if np.isnan(days).all() else (self.origin + pd.to_timedelta(days, unit="D")).to_numpy()
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return np.asarray(values, dtype=object)
        if arr.null_count == len(arr):
            return None
        if pa.types.is_string(arr.type):
            return _strings(arr)
        if pa.types.is_boolean(arr.type):
            return pd.array(values, dtype="boolean")
        return pd.Series(values).array


class _Lazy(Mapping[str, pd.DataFrame]):
    """Tables by name, each made when it is looked up and not kept."""

    def __init__(self, names: Iterable[str], make: Callable[[str], pd.DataFrame]) -> None:
        self._names = list(names)
        self._make = make

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        return self._make(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)



def _event_ids(numbers: np.ndarray) -> pa.Array:
    """Event ids ``e<n>`` for event numbers n."""
    return pc.binary_join_element_wise("e", pc.cast(pa.array(numbers), pa.string()), "")


def _strings(arr: pa.Array) -> pd.api.extensions.ExtensionArray:
    """A pyarrow string array as pandas ``str`` (without a copy beyond the cast to large strings)."""
    return pd.arrays.ArrowStringArray(arr.cast(pa.large_string()), dtype=_STR)


def _by_type(buffers: Mapping[tuple[str, ...], _Rows]) -> dict[str, list[Any]]:
    """Buffers keyed by (type, field names …) grouped by type, in order of first appearance."""
    out: dict[str, list[Any]] = {}
    for key, rows in buffers.items():
        out.setdefault(key[0], []).append(rows)
    return out


def _concat(blocks: list[tuple[int, dict[str, list[Any]]]]) -> dict[str, list[Any]]:
    """Blocks of (rows, columns) one after the other; None where a block lacks a column."""
    if len(blocks) == 1:
        return blocks[0][1]
    names = dict.fromkeys(col for _, b in blocks for col in b)
    return {col: [v for n, b in blocks for v in b.get(col, [None] * n)] for col in names}
