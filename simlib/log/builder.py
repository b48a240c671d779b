"""Building a log from code (the simulation and the tests): :class:`LogBuilder` records events and objects in
flat buffers and :meth:`LogBuilder.build` hands them to :func:`simlib.log.normalise.normalise`."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.log.eventlog import MEMBER_COLUMNS, EventLog, arrow_strings
from simlib.log.normalise import RawTable, normalise
from simlib.log.vocabulary import EVENTS, ID_ATTRIBUTES, OBJECTS, EventType, ObjectType


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
        self._changes: dict[str, _Rows] = {}  # by object type: object_id, time, field, value per change
        self._released: tuple[int, dict[str, int]] | None = None  # events and counts, once build released

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

    def change(self, object_type: str, object_id: str, time: Any, **attrs: Any) -> None:
        """Record that timed attributes of an object (``Attr.timed`` in the vocabulary) take new values at
        ``time`` (a datetime, an ISO string or days after ``origin``): one change per attribute given, e.g.
        ``b.change("cadre", "c17", 412.0, rank="division")`` for a promotion. The object keeps its value at
        creation; :meth:`build` checks the changes (:func:`normalise`)."""
        rows = self._changes.get(object_type)
        if rows is None:
            rows = self._changes[object_type] = _Rows(("object_id", "time", "field", "value"))
        if self.origin is not None and not isinstance(time, int | float):
            time = (pd.Timestamp(time) - self.origin) / pd.Timedelta(days=1)
        for name, value in attrs.items():
            rows.values.extend((object_id, time, name, value))

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

    def emitter(self, clock: Any) -> Callable[..., None]:
        """A function ``emit(event_type, /, at=None, **fields)`` that records one event at ``at`` or, by default,
        at ``clock.now`` (days after ``origin``): :meth:`record` in one call, for a simulation that records a
        few hundred thousand events a year."""
        events, origin = self._events, self.origin is not None
        order = self._order.append

        def emit(event_type: str, /, at: Any = None, **fields: Any) -> None:
            key = (event_type, *fields)
            rows = events.get(key)
            if rows is None:
                rows = events[key] = _EventRows(key[1:], len(events), origin)
            order(rows.number)
            rows.times.append(clock.now if at is None else at)
            rows.values.extend(fields.values())

        return emit

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
        for name, rows in other._changes.items():
            mine = self._changes.get(name)
            if mine is None:
                mine = self._changes[name] = _Rows(rows.names)
            refs = set(ID_ATTRIBUTES.get(name, ()))
            values = list(rows.values)
            values[0::4] = [prefix + i for i in values[0::4]]
            values[3::4] = [prefix + v if f in refs and v else v for f, v in zip(values[2::4], values[3::4],
                                                                                   strict=True)]
            mine.values.extend(values)
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
        return len(self._order) if self._released is None else self._released[0]

    def counts(self) -> dict[str, int]:
        """Events recorded so far, by type."""
        if self._released is not None:
            return dict(self._released[1])
        out: dict[str, int] = {}
        for key, rows in self._events.items():
            out[key[0]] = out.get(key[0], 0) + len(rows)
        return out

    def build(self, end: Any = None, source: str = "<memory>", release: bool = False) -> EventLog:
        """The log so far, validated by :func:`normalise`. Tables are made as normalise reads them and then
        dropped, so that only one unvalidated table is in memory at a time.

        ``release``: the last build — each buffer is dropped as soon as its table is made, so that the
        recorded rows and the log are never both whole in memory; afterwards the builder knows only its counts
        (:meth:`n_events`, :meth:`counts`) and cannot build again."""
        if self._released is not None:
            raise RuntimeError("this LogBuilder's rows were released by build(release=True): it cannot build again")
        numbers = self._numbers()
        events = _by_type(self._events)
        tables = _Lazy(events, lambda name: self._event_table(name, events[name], numbers, release))
        blocks = {name: [(len(r), r.columns()) for r in group] for name, group in _by_type(self._objects).items()}
        for name, more in self._blocks.items():
            blocks.setdefault(name, []).extend((len(b["object_id"]), b) for b in more)
        objects = _Lazy(blocks, lambda name: self._frame(OBJECTS.get(name), {}, _concat(blocks[name])))
        if end is not None and self.origin is not None and isinstance(end, int | float):
            end = self.origin + pd.Timedelta(days=float(end))
        members = self._members(numbers)
        changes = _Lazy(self._changes, self._change_table)
        if release:
            self._released = (len(self._order), self.counts())
            self._objects, self._blocks = {}, {}  # now in ``blocks``
        log = normalise(tables, objects, members, end=end, source=source, changes=changes)
        if release:
            self._events, self._changes, self._order = {}, {}, array("I")
        return log

    def _change_table(self, name: str) -> dict[str, Any]:
        """One object type's changes as raw columns: the new value in the column its field names."""
        rows = self._changes[name]
        fields = rows.column("field")
        values = rows.column("value")
        columns = {"object_id": rows.column("object_id"), "field": fields}
        for attr in dict.fromkeys(fields):
            columns[attr] = [v if f == attr else None for f, v in zip(fields, values, strict=True)]
        times = rows.column("time")
        if self.origin is not None:
            times = (self.origin + pd.to_timedelta(np.asarray(times, dtype="float64"), unit="D")).to_numpy()
        return self._frame(OBJECTS.get(name), {"time": times}, columns)

    def _numbers(self) -> list[np.ndarray]:
        """For each signature, the numbers of its events (n of event ``e<n>``), in the order recorded."""
        order = np.frombuffer(self._order, dtype=np.uint32)
        ends = np.cumsum(np.bincount(order, minlength=len(self._events)))
        return np.split(np.argsort(order, kind="stable"), ends[:-1])

    def _times(self, group: list[_EventRows]) -> np.ndarray:
        """The times of one event type's rows, signature by signature: numbers of days after the origin as
        datetimes (converted per table, so that no array of every event's time is held), anything else as
        given."""
        if self.origin is None:
            given = [t for r in group for t in r.times]
            times = np.empty(len(given), dtype=object)
            times[:] = given
            return times
        days = np.concatenate([np.frombuffer(r.times, dtype=np.float64) for r in group])
        return (self.origin + pd.to_timedelta(days, unit="D")).to_numpy()

    def _event_table(self, name: str, group: list[_EventRows], numbers: list[np.ndarray],
                     release: bool = False) -> dict[str, Any]:
        """One event type's rows, of every signature, as raw columns (without the many-valued link); with
        ``release``, the rows are dropped once converted."""
        seqs = np.concatenate([numbers[r.number] for r in group])
        columns = _concat([(len(r), r.columns()) for r in group])
        columns.pop("member", None)
        ids = arrow_strings(_event_ids(seqs))
        table = self._frame(EVENTS.get(name), {"event_id": ids, "time": self._times(group)}, columns)
        if release:
            for r in group:
                r.values, r.times = [], r.times[:0]
        return table

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
            return arrow_strings(arr)
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
