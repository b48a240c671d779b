"""Normalisation and validation of a log's tables: types, required fields, allowed values and referential
integrity, with errors that name the event id and field. Every log — simulated, hand-written or imported —
passes through :func:`normalise`.

Columns are checked and converted as arrays (pandas extension arrays or numpy arrays), never as Series: a log
has some sixty small tables, and a Series per column and per check costs more than the checks themselves.
Each table becomes a DataFrame once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.errors import InputError
from simlib.log.eventlog import (
    MEMBER_COLUMNS,
    STR_DTYPE,
    TIME_DTYPE,
    EventLog,
    LinkRows,
    arrow_isin,
    arrow_strings,
    change_columns,
    event_columns,
    isin,
    object_columns,
    pandas_dtype,
    to_arrow,
)
from simlib.log.vocabulary import EVENTS, OBJECTS, Attr, EventType, ObjectType

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
        raise InputError(source=source, field=f"{kind}.{unknown[0]}", key="log.unknown_field",
                         values={"name": repr(unknown[0]), "kind": kind, "allowed": ", ".join(allowed)})


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
        codes = pc.index_in(to_arrow(text), value_set=_choices(choices)).fill_null(-1).to_numpy(zero_copy_only=False)
        bad = (codes == -1) & ~text.isna()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(source=source, field=f"{ids[i]}.{what}", key="log.value_not_allowed",
                             values={"value": repr(text[i]), "choices": ", ".join(choices)})
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
        raise InputError(source=source, field=what, key="log.wrong_type",
                         values={"dtype": attr_dtype, "problem": str(exc), "what": what}) from None


@cache
def _choices(choices: tuple[str, ...]) -> pa.Array:
    """A category's allowed values, as arrow strings (their positions are the codes)."""
    return pa.array(choices, type=pa.large_string())


def _text(values: Any) -> Any:
    """Values as a pandas ``str`` array, missing values as missing (a ``str`` array as it is)."""
    if values.dtype == STR_DTYPE:
        return values
    series = pd.Series(values)
    return series.astype(STR_DTYPE).where(series.notna()).array


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
            raise InputError(source=source, field=f"{ids[i]}.{a.name}", key="log.required_missing",
                             values={"name": a.name, "quoted": repr(a.name), "kind": kind})


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
            raise InputError(source=source, field="objects", key="log.unknown_object_type",
                             values={"type": repr(name), "types": ", ".join(OBJECTS)})
        ot = OBJECTS[name]
        n, columns = _raw_columns(df, object_columns(ot), f"object type {name}", source)
        ids = _text(columns["object_id"] if "object_id" in columns else _missing(STR_DTYPE, n))
        if ids.isna().any():
            raise InputError(source=source, field=f"{name}.object_id", key="log.object_without_id")
        all_ids.append(ids)
        out[name] = _frame({"object_id": ids.copy(), **_attributes(ot, columns, n, ids, "", name, source)})
    dup = _first_duplicate(all_ids)
    if dup is not None:
        raise InputError(source=source, field="objects", key="log.object_id_twice", values={"id": repr(dup)})
    return out


def _normalise_events(name: str, df: RawTable, source: str, known: _KnownIds | None = None) -> dict[str, Any] | None:
    """One event type's table as typed, checked columns in time order (None if it has no rows).

    Given ``known``, the links are checked here, so the table's first problem is the one raised; without it the
    caller checks them (:class:`_Links`)."""
    if name not in EVENTS:
        raise InputError(source=source, field="events", key="log.unknown_event_type", values={"type": repr(name)})
    et = EVENTS[name]
    n, columns = _raw_columns(df, event_columns(et), f"event type {name}", source)
    if n == 0:
        return None
    ids = _text(columns["event_id"] if "event_id" in columns else _missing(STR_DTYPE, n))
    if ids.isna().any():
        raise InputError(source=source, field=f"{name}.event_id", key="log.event_without_id")
    data: dict[str, Any] = {"event_id": ids.copy()}
    time = _coerce(columns["time"] if "time" in columns else _missing(TIME_DTYPE, n), "time", (), f"{name}.time",
                   ids, source)
    data["time"] = time
    if pd.isna(time).any():
        i = int(np.flatnonzero(pd.isna(time))[0])
        raise InputError(source=source, field=f"{ids[i]}.time", key="log.event_without_time")
    for lk in et.single_links:
        col = _text(columns[lk.qualifier]) if lk.qualifier in columns else _missing(STR_DTYPE, n)
        missing = col.isna()
        if lk.required and missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(source=source, field=f"{ids[i]}.{lk.qualifier}", key="log.link_missing",
                             values={"type": name, "qualifier": repr(lk.qualifier), "types": "/".join(lk.types)})
        bad = _unknown(col, known(lk.types)) if known is not None else None
        if bad is not None and bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(source=source, field=f"{ids[i]}.{lk.qualifier}", key="log.link_unknown",
                             values={"type": name, "types": "/".join(lk.types), "id": repr(col[i])})
        data[lk.qualifier] = col.copy()
    data.update(_attributes(et, columns, n, ids, f"{name}.", f"{name} event", source))
    order = _time_order(time, ids)
    return data if order is None else {c: v.take(order) for c, v in data.items()}




def _unknown(ids: Any, allowed: pa.Array) -> np.ndarray:
    """Which ids (a ``str`` array) are given but not among ``allowed``."""
    return ~ids.isna() & ~arrow_isin(ids, allowed)


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
    wanted = pc.unique(to_arrow(values))
    return (pc.sum(pc.is_in(_chunks(columns), value_set=wanted)).as_py() or 0) == len(wanted)


def _chunks(columns: list[Any]) -> pa.ChunkedArray:
    """String columns one after the other, as one chunked arrow array (nothing is copied)."""
    return pa.chunked_array([to_arrow(c) for c in columns], type=pa.large_string())


class _KnownIds:
    """The ids of the declared objects of one or more types, as one array made once per combination of types."""

    def __init__(self, objects: Mapping[str, pd.DataFrame]) -> None:
        self._objects = objects
        self._arrays: dict[tuple[str, ...], pa.Array] = {}
        sizes = {t: len(objects[t]) for t in sorted(objects)}
        self._first = dict(zip(sizes, np.cumsum([0, *sizes.values()])[:-1].tolist(), strict=True))

    def __call__(self, types: tuple[str, ...]) -> pa.Array:
        if types not in self._arrays:
            chunks = [to_arrow(self._objects[t]["object_id"]) for t in types if t in self._objects]
            self._arrays[types] = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.large_string())
        return self._arrays[types]

    def rows(self, types: tuple[str, ...]) -> np.ndarray:
        """For each id of ``self(types)``, its row among the ids of all objects, types in name order (as the
        log holds them); and -1 last."""
        return np.concatenate([*(np.arange(len(self._objects[t]), dtype=np.int32) + self._first[t] for t in types
                               if t in self._objects), np.array([-1], dtype=np.int32)])


class _Links:
    """The single-valued links of every table, checked against the ids declared for their object types all at
    once: one lookup per combination of types for the whole log, where one per column would hash those ids again
    for each of some hundred columns. On a problem the table is read again and checked as given (``replay``), so
    the error raised is the one a table-by-table check would raise first."""

    def __init__(self, known: _KnownIds) -> None:
        self._known = known
        self._columns: dict[tuple[str, ...], list[tuple[int, str, str, Any]]] = {}
        self._tables = 0

    def add(self, name: str, et: EventType, data: Mapping[str, Any]) -> None:
        for lk in et.single_links:
            self._columns.setdefault(lk.types, []).append((self._tables, name, lk.qualifier, data[lk.qualifier]))
        self._tables += 1

    def check(self, replay: Callable[[str], object]) -> dict[tuple[str, str], np.ndarray]:
        """Raise (by ``replay`` of the first table, in the order added, that links an unknown id) or return the
        row of each link among the ids of all objects (:meth:`_KnownIds.rows`), per (event type, qualifier):
        the auditor's codes of the link columns (:class:`~simlib.log.eventlog.LinkRows`)."""
        first: tuple[int, str] | None = None
        rows: dict[tuple[str, str], np.ndarray] = {}
        for types, columns in self._columns.items():
            values = _chunks([col for *_, col in columns])
            at = pc.index_in(values, value_set=self._known(types))
            if at.null_count > values.null_count:
                bad = min((k, name) for k, name, _, col in columns if _unknown(col, self._known(types)).any())
                first = bad if first is None else min(first, bad)
            elif first is None:
                found = self._known.rows(types)[at.fill_null(-1).to_numpy()]
                ends = np.cumsum([len(col) for *_, col in columns])
                rows.update(zip([(name, q) for _, name, q, _ in columns], np.split(found, ends[:-1]), strict=True))
        if first is not None:
            replay(first[1])
        return rows


def _time_order(times: np.ndarray, ids: Any) -> np.ndarray | None:
    """The order of the rows by time and event id (a stable sort), or None if they are in it already, as the
    simulation records most events."""
    ms = times.view("int64")
    step = np.diff(ms)
    if (step > 0).all():
        return None
    arrow_ids = to_arrow(ids)
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
    changes: Mapping[str, RawTable] | None = None,
) -> EventLog:
    """Validate and type raw tables into an :class:`EventLog`, or raise :class:`InputError`.

    A raw table is a DataFrame or a mapping of column names to values; its index is ignored. The log's tables
    may share immutable (arrow) data with the raw ones, never anything the caller could change in place.
    ``changes``: raw changes tables by object type (columns as :func:`~simlib.log.eventlog.change_columns`);
    each change must be of a declared object, of an attribute the vocabulary marks as timed, give the new value
    in that attribute's column (and no other), and fall after 1970-01-01 and not after the log's end."""
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
    link_rows = links.check(replay)
    dup = _first_duplicate(event_ids)
    if dup is not None:
        raise InputError(source=source, field="events", key="log.event_id_twice", values={"id": repr(dup)})
    members, member_rows = _normalise_members(members, event_ids, [objects[n]["object_id"] for n in sorted(objects)],
                                              source)  # (types in the log's order: the rows are among those)
    changed = _normalise_changes(changes or {}, objects, source)
    if end is None:
        latest += [t["time"].iloc[-1] for t in changed.values()]
        end = max(latest, default=pd.Timestamp("2004-12-31"))
    end = pd.Timestamp(end).as_unit("ms")
    _changes_within(changed, end, source)
    tables = dict(sorted(tables.items()))
    objects = dict(sorted(objects.items()))
    return EventLog(tables=tables, members=members, objects=objects, end=end, source=source,
                    changes=dict(sorted(changed.items())),
                    link_rows=LinkRows.made(objects, tables, link_rows, members, member_rows))


def _change_error(key: str, otype: str, oid: Any, what: Any, source: str, **values: Any) -> InputError:
    """The catalogue's ``input.log.change.<key>`` for the change of ``what`` of object ``oid`` of type ``otype``."""
    return InputError(source=source, field=f"changes.{otype}.{oid}.{what}", key=f"log.change.{key}",
                      values={"type": otype, **values})


def _normalise_changes(raw: Mapping[str, RawTable], objects: Mapping[str, pd.DataFrame],
                       source: str) -> dict[str, pd.DataFrame]:
    """The changes of timed object attributes, typed, checked and in time order (types without rows left out)."""
    out: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        if name not in OBJECTS:
            raise InputError(source=source, field="changes", key="log.unknown_object_type",
                             values={"type": repr(name), "types": ", ".join(OBJECTS)})
        ot = OBJECTS[name]
        timed = [a.name for a in ot.timed_attrs]
        timed_text = ", ".join(timed) or "none"
        static = [c for c in (df.columns if isinstance(df, pd.DataFrame) else df)
                  if c in {a.name for a in ot.attrs} and c not in timed]
        if static:
            raise InputError(source=source, field=f"changes.{name}.{static[0]}", key="log.change.static_column",
                             values={"type": name, "name": repr(static[0]), "timed": timed_text})
        n, columns = _raw_columns(df, change_columns(ot), f"changes of {name}", source)
        if n == 0:
            continue
        ids = _text(columns["object_id"] if "object_id" in columns else _missing(STR_DTYPE, n))
        fields = _text(columns["field"] if "field" in columns else _missing(STR_DTYPE, n))
        for col, what in ((ids, "object_id"), (fields, "field")):
            if col.isna().any():
                i = int(np.flatnonzero(col.isna())[0])
                raise _change_error("no_key", name, ids[i], what, source, what=what)
        unknown = _unknown(ids, to_arrow(objects[name]["object_id"]) if name in objects else pa.array(
            [], type=pa.large_string()))
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise _change_error("unknown_object", name, ids[i], fields[i], source, id=repr(ids[i]))
        not_timed = ~arrow_isin(fields, pa.array(timed, type=pa.large_string()))
        if not_timed.any():
            i = int(np.flatnonzero(not_timed)[0])
            raise _change_error("not_timed", name, ids[i], fields[i], source, name=repr(fields[i]), timed=timed_text)
        time = _coerce(columns["time"] if "time" in columns else _missing(TIME_DTYPE, n), "time", (),
                       f"changes.{name}.time", ids, source)
        early = pd.isna(time) | (time.view("int64") <= 0)
        if early.any():
            i = int(np.flatnonzero(early)[0])
            raise _change_error("early", name, ids[i], fields[i], source)
        data: dict[str, Any] = {"object_id": ids.copy(), "time": time, "field": fields.copy()}
        field_text = np.asarray(fields, dtype=object)
        for a in ot.timed_attrs:
            col = (_coerce(columns[a.name], a.dtype, a.choices, f"changes.{name}.{a.name}", ids, source)
                   if a.name in columns else _missing(pandas_dtype(a.dtype, a.choices), n))
            this = field_text == a.name
            given = ~pd.isna(col)
            wrong = (this & ~given) | (~this & given)
            if wrong.any():
                i = int(np.flatnonzero(wrong)[0])
                raise _change_error("no_value" if this[i] else "two_values", name, ids[i], fields[i], source,
                                    name=repr(a.name), field=repr(fields[i]))
            data[a.name] = col
            if this.any():
                _initial_values(objects[name], a.name, ids[this], name, source)
        frame = _frame(data)
        key = ["object_id", "field", "time"]
        dup = frame.duplicated(key)
        if dup.any():
            row = frame[dup].iloc[0]
            raise _change_error("twice", name, row["object_id"], row["field"], source, time=row["time"])
        out[name] = frame.sort_values(["time", "object_id", "field"], kind="stable", ignore_index=True)
    return out


def _initial_values(objects: pd.DataFrame, attr: str, changed: Any, name: str, source: str) -> None:
    """Every object whose ``attr`` changes has a value at creation (OCEL 2.0 readers take an attribute's first
    value as the one at creation, so a change of a missing value could not be told from it)."""
    without = objects.loc[objects[attr].isna(), "object_id"]
    if len(without):
        bad = arrow_isin(changed, to_arrow(without))
        if bad.any():
            oid = changed[int(np.flatnonzero(bad)[0])]
            raise _change_error("no_initial", name, oid, attr, source, name=attr, quoted=repr(attr))


def _changes_within(changes: Mapping[str, pd.DataFrame], end: pd.Timestamp, source: str) -> None:
    for name, df in changes.items():
        late = df["time"] > end
        if late.any():
            row = df[late].iloc[0]
            raise _change_error("after_end", name, row["object_id"], row["field"], source, time=row["time"], end=end)


def _member_rows(values: Any, object_ids: list[Any]) -> np.ndarray:
    """For each value, its row among the ids of all objects (``object_ids``: their columns one after the other),
    -1 if none. As in :func:`_all_among`, the few distinct values are hashed, not the many object ids."""
    encoded = to_arrow(values).dictionary_encode()
    at = pc.index_in(_chunks(object_ids), value_set=encoded.dictionary).fill_null(-1).to_numpy()
    row_of = np.full(len(encoded.dictionary) + 1, -1, dtype=np.int32)  # (and -1 last, for a missing value)
    found = np.flatnonzero(at >= 0)
    row_of[at[found]] = found
    return row_of[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]


def _normalise_members(members: pd.DataFrame | None, event_ids: list[Any], object_ids: list[Any],
                       source: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The many-valued links, checked against the ids of the events and objects (each a list of columns); and
    the row of each link's object among the objects (:class:`~simlib.log.eventlog.LinkRows`)."""
    if members is None or len(members) == 0:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in MEMBER_COLUMNS}), np.zeros(0, dtype=np.int32)
    m = members.reindex(columns=list(MEMBER_COLUMNS)).astype("str")
    if not _all_among(m["event_id"], event_ids):
        bad_e = ~isin(m["event_id"], _chunks(event_ids).combine_chunks())
        raise InputError(source=source, field="members", key="log.member_unknown_event",
                         values={"id": repr(m["event_id"][bad_e].iloc[0])})
    rows = _member_rows(m["object_id"], object_ids)
    if (rows < 0).any():
        bad_o = ~isin(m["object_id"], _chunks(object_ids).combine_chunks())
        i = int(np.flatnonzero(bad_o.to_numpy())[0])
        raise InputError(source=source, field=f"{m['event_id'].iloc[i]}.{m['qualifier'].iloc[i]}",
                         key="log.member_unknown_object", values={"id": repr(m["object_id"].iloc[i])})
    columns = {c: to_arrow(m[c]) for c in MEMBER_COLUMNS}  # sorted by arrow: ten times pandas' speed on strings
    order = pc.sort_indices(pa.table(columns), sort_keys=[(c, "ascending") for c in MEMBER_COLUMNS])
    return _frame({c: arrow_strings(values.take(order)) for c, values in columns.items()}), rows[order.to_numpy()]
