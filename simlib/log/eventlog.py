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
from simlib.log.vocabulary import EVENTS, ID_ATTRIBUTES, OBJECTS, Attr, EventType, ObjectType

TIME_DTYPE = "datetime64[ms]"
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
MEMBER_COLUMNS = ("event_id", "qualifier", "object_id")


def isin(values: pd.Series, allowed: Iterable[Any] | pa.Array) -> pd.Series:
    """``values.isin(allowed)`` for id columns, fast when ``allowed`` is long: pandas 3.1's string ``isin``
    makes one Python object per allowed value (about 10 s for a million ids); pyarrow's takes under 1 s."""
    allowed_pa = allowed if isinstance(allowed, pa.Array) else _arrow(
        allowed if isinstance(allowed, pd.Series) else list(allowed))
    return pd.Series(_is_in(values, allowed_pa), index=values.index)


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
#
# Columns are checked and converted as arrays (pandas extension arrays or numpy arrays), never as Series: a log
# has some sixty small tables, and a Series per column and per check costs more than the checks themselves.
# Each table becomes a DataFrame once, at the end.

RawTable = pd.DataFrame | Mapping[str, Any]
"""A table given to :func:`normalise`: a DataFrame, or column name → values (arrays, Series or lists)."""


def _array(values: Any) -> Any:
    """Column values as a pandas extension array or a typed numpy array; lists and object arrays are inferred as
    a DataFrame column infers them."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    if isinstance(values, pd.arrays.NumpyExtensionArray | pd.arrays.DatetimeArray) and isinstance(values.dtype,
                                                                                              np.dtype):
        return np.asarray(values)  # plain numbers, flags and times as numpy arrays
    if isinstance(values, pd.api.extensions.ExtensionArray) or (
            isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype != object):
        return values
    return _array(pd.Series(values))


def _raw_columns(raw: RawTable, allowed: Mapping[str, Any], kind: str, source: str) -> tuple[int, dict[str, Any]]:
    """The number of rows and the columns of a raw table as arrays, once every column is one ``kind`` has."""
    names = list(raw.columns if isinstance(raw, pd.DataFrame) else raw)
    _check_columns(names, allowed, kind, source)
    if isinstance(raw, pd.DataFrame):
        if not raw.columns.is_unique:
            raw.reindex(columns=list(allowed))  # raises, naming the duplicate label
        return len(raw), {c: _array(raw[c]) for c in names}
    columns = {c: _array(v) for c, v in raw.items()}
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"the columns of {kind} differ in length: {sorted(lengths)}")
    return (lengths.pop() if lengths else 0), columns


def _check_columns(names: Iterable[str], allowed: Mapping[str, Any], kind: str, source: str) -> None:
    unknown = [c for c in names if c not in allowed]
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r} for {kind}", source=source, field=f"{kind}.{unknown[0]}",
                         fix=f"allowed fields: {', '.join(allowed)} (see docs/event-vocabulary.md)")


def _missing(dtype: Any, n: int) -> Any:
    """A column a table lacks: ``n`` missing values of ``dtype``."""
    return _array(pd.Series([None] * n, dtype=object).astype(dtype))


def _coerce(values: Any, attr_dtype: str, choices: tuple[str, ...], what: str, ids: Any, source: str) -> Any:
    """One column converted to its vocabulary dtype (a new array), or raise naming the first bad row."""
    target = pandas_dtype(attr_dtype, choices)
    if values.dtype == target and (attr_dtype != "category" or list(values.categories) == list(choices)):
        return values.copy()  # already typed, as the builder makes most columns: a shallow copy for arrow data
    if attr_dtype == "time" and values.dtype == np.dtype("datetime64[ns]"):
        return np.asarray(values).astype(TIME_DTYPE)  # floors to the millisecond, as pandas' astype does
    if attr_dtype == "category":
        text = _text(values)
        codes = pc.index_in(_arrow(text), value_set=_choices(choices)).fill_null(-1).to_numpy(zero_copy_only=False)
        bad = (codes == -1) & ~text.isna()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"value {text[i]!r} is not allowed", source=source, field=f"{ids[i]}.{what}",
                             fix=f"use one of: {', '.join(choices)}")
        return pd.Categorical.from_codes(codes, dtype=target)
    if attr_dtype == "string":
        return _text(values).copy()
    series = pd.Series(values)
    try:
        if attr_dtype == "time":
            return _array(pd.to_datetime(series, errors="raise").astype(TIME_DTYPE))
        if attr_dtype == "bool":
            return _array(_to_bool(series).astype(target))
        return _array(pd.to_numeric(series, errors="raise").astype(target))
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot read as {attr_dtype}: {exc}", source=source, field=what,
                         fix=f"write {what} as a {attr_dtype}") from None


@cache
def _choices(choices: tuple[str, ...]) -> pa.Array:
    """A category's allowed values, as arrow strings (their positions are the codes)."""
    return pa.array(choices, type=pa.large_string())


def _text(values: Any) -> Any:
    """Values as a pandas ``str`` array, missing values as missing (a ``str`` array as it is)."""
    if values.dtype == _STR:
        return values
    series = pd.Series(values)
    return series.astype(_STR).where(series.notna()).array


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


def _require(a: Attr, col: Any, ids: Any, kind: str, source: str) -> None:
    if a.required:
        missing = pd.isna(col)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(f"required field {a.name!r} is missing", source=source, field=f"{ids[i]}.{a.name}",
                             fix=f"every {kind} needs {a.name}")


def _attributes(kind: EventType | ObjectType, columns: Mapping[str, Any], n: int, ids: Any, what: str, label: str,
                source: str) -> dict[str, Any]:
    """The attributes of ``kind`` typed and checked (``what`` names the field as ``what + name``)."""
    out: dict[str, Any] = {}
    for a in kind.attrs:
        values = columns.get(a.name)
        if values is None:
            out[a.name] = col = _missing(pandas_dtype(a.dtype, a.choices), n)
        else:
            out[a.name] = col = _coerce(values, a.dtype, a.choices, f"{what}{a.name}", ids, source)
        _require(a, col, ids, label, source)
    return out


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """One table from typed arrays of one length that nothing else holds (none is copied or checked again).

    ``DataFrame._from_arrays`` is ``DataFrame(columns)`` without the per-column inference, and the labels are an
    index made once per set of names: for the sixty small tables of a log, labels and inference cost more than
    the tables' data."""
    n = len(next(iter(columns.values())))
    return pd.DataFrame._from_arrays(list(columns.values()), columns=_labels(tuple(columns)), index=pd.RangeIndex(n),
                                     verify_integrity=False)


@cache
def _labels(names: tuple[str, ...]) -> pd.Index:
    """Column labels as an index (an index is immutable: tables with the same columns share one)."""
    return pd.Index(list(names))


def _normalise_objects(raw: Mapping[str, RawTable], source: str) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    all_ids: list[Any] = []
    for name, df in raw.items():
        if name not in OBJECTS:
            raise InputError(f"unknown object type {name!r}", source=source, field="objects",
                             fix=f"use one of: {', '.join(OBJECTS)}")
        ot = OBJECTS[name]
        n, columns = _raw_columns(df, object_columns(ot), f"object type {name}", source)
        ids = _text(columns["object_id"] if "object_id" in columns else _missing(_STR, n))
        if ids.isna().any():
            raise InputError("an object has no id", source=source, field=f"{name}.object_id",
                             fix="give every object an id")
        all_ids.append(ids)
        out[name] = _frame({"object_id": ids.copy(), **_attributes(ot, columns, n, ids, "", name, source)})
    dup = _first_duplicate(all_ids)
    if dup is not None:
        raise InputError(f"object id {dup!r} is used twice", source=source, field="objects",
                         fix="object ids must be unique across all object types")
    return out


def _normalise_events(name: str, df: RawTable, source: str, known: _KnownIds | None = None) -> dict[str, Any] | None:
    """One event type's table as typed, checked columns in time order (None if it has no rows).

    Given ``known``, the links are checked here, so the table's first problem is the one raised; without it the
    caller checks them (:class:`_Links`)."""
    if name not in EVENTS:
        raise InputError(f"unknown event type {name!r}", source=source, field="events",
                         fix="use an event type from docs/event-vocabulary.md")
    et = EVENTS[name]
    n, columns = _raw_columns(df, event_columns(et), f"event type {name}", source)
    if n == 0:
        return None
    ids = _text(columns["event_id"] if "event_id" in columns else _missing(_STR, n))
    if ids.isna().any():
        raise InputError("an event has no id", source=source, field=f"{name}.event_id",
                         fix="give every event an id")
    data: dict[str, Any] = {"event_id": ids.copy()}
    time = _coerce(columns["time"] if "time" in columns else _missing(TIME_DTYPE, n), "time", (), f"{name}.time",
                   ids, source)
    data["time"] = time
    if pd.isna(time).any():
        i = int(np.flatnonzero(pd.isna(time))[0])
        raise InputError("event has no time", source=source, field=f"{ids[i]}.time", fix="give every event a time")
    for lk in et.single_links:
        col = _text(columns[lk.qualifier]) if lk.qualifier in columns else _missing(_STR, n)
        missing = col.isna()
        if lk.required and missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(f"{name} event has no {lk.qualifier!r} link", source=source,
                             field=f"{ids[i]}.{lk.qualifier}",
                             fix=f"link a {'/'.join(lk.types)} object as {lk.qualifier!r}")
        bad = _unknown(col, known(lk.types)) if known is not None else None
        if bad is not None and bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{name} event links unknown {'/'.join(lk.types)} {col[i]!r}", source=source,
                             field=f"{ids[i]}.{lk.qualifier}",
                             fix="declare the object in the log's objects or correct the id")
        data[lk.qualifier] = col.copy()
    data.update(_attributes(et, columns, n, ids, f"{name}.", f"{name} event", source))
    order = _time_order(time, ids)
    return data if order is None else {c: v.take(order) for c, v in data.items()}


def _is_in(values: Any, allowed: pa.Array) -> np.ndarray:
    """Which values (ids) are among ``allowed``, as a boolean array (missing values are not)."""
    return pc.is_in(_arrow(values), value_set=allowed).fill_null(False).to_numpy(zero_copy_only=False)


def _unknown(ids: Any, allowed: pa.Array) -> np.ndarray:
    """Which ids (a ``str`` array) are given but not among ``allowed``."""
    return ~ids.isna() & ~_is_in(ids, allowed)


def _first_duplicate(columns: list[Any]) -> str | None:
    """The first value that occurs a second time in the columns, one after the other (None if all differ)."""
    if _all_distinct(_chunks(columns)):
        return None
    all_ids = pd.concat([pd.Series(c) for c in columns], ignore_index=True)
    return all_ids[all_ids.duplicated()].iloc[0]


def _all_distinct(values: pa.ChunkedArray, block: int = 1 << 16) -> bool:
    """Whether no value occurs twice: sorted, no two neighbours are equal. A hash of a million ids takes three
    times the memory and twice the time of the sort; the sorted values are made a block at a time."""
    order = pc.sort_indices(values)
    for start in range(0, len(order) - 1, block):
        run = values.take(order.slice(start, block + 1))
        if pc.any(pc.equal(run.slice(1), run.slice(0, len(run) - 1))).as_py():
            return False
    return True


def _all_among(values: Any, columns: list[Any]) -> bool:
    """Whether every value is in one of ``columns``, which hold no value twice: the few distinct values are
    hashed and the many values of ``columns`` looked up, not the other way round."""
    wanted = pc.unique(_arrow(values))
    return (pc.sum(pc.is_in(_chunks(columns), value_set=wanted)).as_py() or 0) == len(wanted)


def _chunks(columns: list[Any]) -> pa.ChunkedArray:
    """String columns one after the other, as one chunked arrow array (nothing is copied)."""
    return pa.chunked_array([_arrow(c) for c in columns], type=pa.large_string())


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


class _Links:
    """The single-valued links of every table, checked against the ids declared for their object types all at
    once: one lookup per combination of types for the whole log, where one per column would hash those ids again
    for each of some hundred columns. On a problem the table is read again and checked as given (``replay``), so
    the error raised is the one a table-by-table check would raise first."""

    def __init__(self, known: _KnownIds) -> None:
        self._known = known
        self._columns: dict[tuple[str, ...], list[tuple[int, str, Any]]] = {}
        self._tables = 0

    def add(self, name: str, et: EventType, data: Mapping[str, Any]) -> None:
        for lk in et.single_links:
            self._columns.setdefault(lk.types, []).append((self._tables, name, data[lk.qualifier]))
        self._tables += 1

    def check(self, replay: Callable[[str], object]) -> None:
        """Raise (by ``replay`` of the first table, in the order added, that links an unknown id) or return."""
        first: tuple[int, str] | None = None
        for types, columns in self._columns.items():
            values = _chunks([col for _, _, col in columns])
            found = pc.sum(pc.is_in(values, value_set=self._known(types))).as_py() or 0
            if found < len(values) - values.null_count:
                bad = min((k, name) for k, name, col in columns if _unknown(col, self._known(types)).any())
                first = bad if first is None else min(first, bad)
        if first is not None:
            replay(first[1])


def _time_order(times: np.ndarray, ids: Any) -> np.ndarray | None:
    """The order of the rows by time and event id (a stable sort), or None if they are in it already, as the
    simulation records most events."""
    ms = times.view("int64")
    step = np.diff(ms)
    if (step > 0).all():
        return None
    arrow_ids = _arrow(ids)
    if not (step < 0).any():  # ties in time: in order if the later row's id is the greater (one pass)
        id_up = pc.greater(arrow_ids.slice(1), arrow_ids.slice(0, len(arrow_ids) - 1)).to_numpy(zero_copy_only=False)
        if ((step > 0) | id_up).all():
            return None
    keys = pa.table({"time": ms, "event_id": arrow_ids})
    return pc.sort_indices(keys, sort_keys=[("time", "ascending"), ("event_id", "ascending")]).to_numpy()


def normalise(
    raw_tables: Mapping[str, RawTable],
    raw_objects: Mapping[str, RawTable],
    members: pd.DataFrame | None = None,
    *,
    end: Any = None,
    source: str = "<memory>",
) -> EventLog:
    """Validate and type raw tables into an :class:`EventLog`, or raise :class:`InputError`.

    A raw table is a DataFrame or a mapping of column names to values; its index is ignored. The log's tables
    may share immutable (arrow) data with the raw ones, never anything the caller could change in place."""
    objects = _normalise_objects(raw_objects, source)
    known = _KnownIds(objects)
    links = _Links(known)
    tables: dict[str, pd.DataFrame] = {}
    event_ids: list[Any] = []
    latest: list[Any] = []

    def replay(name: str) -> None:
        _normalise_events(name, raw_tables[name], source, known)

    for name, df in raw_tables.items():
        try:
            data = _normalise_events(name, df, source)
        except Exception:  # name the problem a check table by table would meet first:
            links.check(replay)  # a link to an unknown object in an earlier table,
            replay(name)  # or this table's first problem, checking its links in turn
            raise
        if data is not None:
            links.add(name, EVENTS[name], data)
            event_ids.append(data["event_id"])
            latest.append(data["time"][-1])
            tables[name] = _frame(data)
    links.check(replay)
    dup = _first_duplicate(event_ids)
    if dup is not None:
        raise InputError(f"event id {dup!r} is used twice", source=source, field="events",
                         fix="event ids must be unique")
    members = _normalise_members(members, event_ids, [t["object_id"] for t in objects.values()], source)
    if end is None:
        end = max(latest, default=pd.Timestamp("2004-12-31"))
    return EventLog(tables=dict(sorted(tables.items())), members=members, objects=dict(sorted(objects.items())),
                    end=pd.Timestamp(end).as_unit("ms"), source=source)


def _normalise_members(members: pd.DataFrame | None, event_ids: list[Any], object_ids: list[Any],
                       source: str) -> pd.DataFrame:
    """The many-valued links, checked against the ids of the events and objects (each a list of columns)."""
    if members is None or len(members) == 0:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in MEMBER_COLUMNS})
    m = members.reindex(columns=list(MEMBER_COLUMNS)).astype("str")
    if not _all_among(m["event_id"], event_ids):
        bad_e = ~isin(m["event_id"], _chunks(event_ids).combine_chunks())
        raise InputError(f"link refers to unknown event {m['event_id'][bad_e].iloc[0]!r}", source=source,
                         field="members", fix="remove the link or add the event")
    if not _all_among(m["object_id"], object_ids):
        bad_o = ~isin(m["object_id"], _chunks(object_ids).combine_chunks())
        i = int(np.flatnonzero(bad_o.to_numpy())[0])
        raise InputError(f"event links unknown object {m['object_id'].iloc[i]!r}", source=source,
                         field=f"{m['event_id'].iloc[i]}.{m['qualifier'].iloc[i]}",
                         fix="declare the object in the log's objects or correct the id")
    columns = {c: _arrow(m[c]) for c in MEMBER_COLUMNS}  # sorted by arrow: ten times pandas' speed on strings
    order = pc.sort_indices(pa.table(columns), sort_keys=[(c, "ascending") for c in MEMBER_COLUMNS])
    return _frame({c: _strings(values.take(order)) for c, values in columns.items()})


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

    def absorb(self, other: LogBuilder, prefix: str) -> None:
        """Take in ``other``'s objects and events after this builder's own, every object id prefixed with
        ``prefix`` (``"r3/"``): object ids, id-valued object attributes (:data:`ID_ATTRIBUTES`), every link of
        every event and the ``member`` lists. Event ``e<n>`` of ``other`` becomes ``e<m + n>`` where ``m`` is
        the number of events recorded here before. So several replications make one log, built and audited
        once, whose objects never clash. Both builders must count days from the same origin."""
        if other.origin != self.origin:
            raise ValueError(f"cannot absorb a log with origin {other.origin} into one with origin {self.origin}")
        for key, rows in other._objects.items():
            mine = self._objects.get(key)
            if mine is None:
                mine = self._objects[key] = _Rows(rows.names)
            refs = {"object_id", *ID_ATTRIBUTES.get(key[0], ())}
            mine.values.extend(_prefixed(rows.values, rows.names, refs, prefix))
        for name, blocks in other._blocks.items():
            refs = {"object_id", *ID_ATTRIBUTES.get(name, ())}
            self._blocks.setdefault(name, []).extend(
                {col: _prefixed(values, (col,), refs, prefix) for col, values in block.items()} for block in blocks)
        renumber = np.empty(len(other._events), dtype=np.uint32)  # other's signature numbers -> ours
        for key, rows in other._events.items():
            mine = self._events.get(key)
            if mine is None:
                mine = self._events[key] = _EventRows(rows.names, len(self._events), self.origin is not None)
            renumber[rows.number] = mine.number
            mine.times.extend(rows.times)
            links = {lk.qualifier for lk in EVENTS[key[0]].links} if key[0] in EVENTS else set()
            mine.values.extend(_prefixed(rows.values, rows.names, links, prefix))
        self._order.frombytes(renumber[np.frombuffer(other._order, dtype=np.uint32)].tobytes())

    @property
    def n_events(self) -> int:
        """Events recorded so far (the next one will be ``e<n_events>``)."""
        return len(self._order)

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
                     times: np.ndarray) -> dict[str, Any]:
        """One event type's rows, of every signature, as raw columns (without the many-valued link)."""
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
               columns: dict[str, list[Any]]) -> dict[str, Any]:
        """The ``ready`` columns, then the buffered ones, each converted in one go, as a raw table (a dict of
        columns: normalise checks and types them, and makes the one frame); a column no row gives a value for
        is left out."""
        time_attrs = {a.name for a in kind.attrs if a.dtype == "time"} if kind is not None else set()
        data = dict(ready)
        for col, values in columns.items():
            converted = self._column(values, col in time_attrs)
            if converted is not None:
                data[col] = converted
        return data

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


class _Lazy(Mapping[str, RawTable]):
    """Raw tables by name, each made when it is looked up and not kept."""

    def __init__(self, names: Iterable[str], make: Callable[[str], RawTable]) -> None:
        self._names = list(names)
        self._make = make

    def __getitem__(self, name: str) -> RawTable:
        if name not in self._names:
            raise KeyError(name)
        return self._make(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)



def _prefixed(values: list[Any], names: tuple[str, ...], refs: set[str], prefix: str) -> list[Any]:
    """Flat row values (fields ``names``, one row after the other) with ``prefix`` put before every id of the
    fields in ``refs`` and every id of a ``member`` list; None and '' stay as they are (no object)."""
    if not refs.intersection(names):
        return values
    out = list(values)
    step = len(names)
    for j, name in enumerate(names):
        if name == "member" and name in refs:
            out[j::step] = [None if ids is None else [prefix + i for i in ids] for ids in out[j::step]]
        elif name in refs:
            out[j::step] = [v if v is None or v == "" else prefix + v for v in out[j::step]]
    return out


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
