"""The object-centric event log: columnar in memory, one table per event type and per object type.

Single-valued links (``cadre``, ``trip``, ``document`` …) are columns of the event table, so an audit
check reads one table and joins by column. Multi-valued links (delegation members) live in ``members``.
Objects hold each object's attributes as at its creation; ``changes`` holds the later values of the attributes
the vocabulary marks as timed (OCEL 2.0 timed object attributes), and :meth:`EventLog.value_at` gives the value
in force at any time.
Every log — simulated, hand-written or imported — goes through :func:`simlib.log.normalise.normalise`, which
checks types, required fields and referential integrity and names the event and field of any problem;
:class:`simlib.log.builder.LogBuilder` builds one from code (the simulation and the tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.log.vocabulary import EVENTS, OBJECTS, EventType, ObjectType

TIME_DTYPE = "datetime64[ms]"
STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
MEMBER_COLUMNS = ("event_id", "qualifier", "object_id")


def isin(values: pd.Series, allowed: Iterable[Any] | pa.Array) -> pd.Series:
    """``values.isin(allowed)`` for id columns, fast when ``allowed`` is long: pandas 3.1's string ``isin``
    makes one Python object per allowed value (about 10 s for a million ids); pyarrow's takes under 1 s."""
    allowed_pa = allowed if isinstance(allowed, pa.Array) else to_arrow(
        allowed if isinstance(allowed, pd.Series) else list(allowed))
    return pd.Series(arrow_isin(values, allowed_pa), index=values.index)


def to_arrow(values: Any) -> pa.Array:
    """Strings (a pandas ``str`` column without a copy) as one pyarrow large-string array."""
    arr = pa.array(values, from_pandas=True, type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


@cache
def pandas_dtype(attr_dtype: str, choices: tuple[str, ...] = ()) -> Any:
    """The pandas dtype used for a vocabulary dtype."""
    if attr_dtype == "category":
        return pd.CategoricalDtype(list(choices))
    return {"string": STR_DTYPE, "int": "Int64", "float": "float64", "bool": "boolean", "time": TIME_DTYPE}[
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


def change_columns(ot: ObjectType) -> dict[str, Any]:
    """Column name → dtype of the changes table of one object type: ``object_id``, ``time``, ``field`` (the
    attribute that changed) and the type's timed attributes (only the changed one is set in a row)."""
    cols: dict[str, Any] = {"object_id": "str", "time": TIME_DTYPE, "field": "str"}
    cols.update({a.name: pandas_dtype(a.dtype, a.choices) for a in ot.timed_attrs})
    return cols


def _empty(columns: Mapping[str, Any]) -> pd.DataFrame:
    """An empty table with these columns and dtypes (from empty arrays: a third of the time of empty Series,
    which counts when an audit asks for the dozens of event types a small log lacks)."""
    return pd.DataFrame({c: pd.array([], dtype=d) for c, d in columns.items()}, index=pd.RangeIndex(0), copy=False)


def _arrow_data(column: pd.Series) -> Any:
    """The arrow data behind a ``str`` column (the same object while the column is unchanged; None otherwise)."""
    to_pa = getattr(column.array, "__arrow_array__", None)
    return None if to_pa is None else to_pa()


@dataclass(frozen=True, eq=False, repr=False)
class LinkRows:
    """What :func:`~simlib.log.normalise.normalise` learnt checking the single-valued links, handed to the
    auditor so that it does not hash those ids again: for each link column (event type, qualifier), the row
    of each value among the ids of all objects (the ``object_id`` columns of ``objects``, in their order, one
    after the other), -1 where missing."""

    objects: tuple[tuple[str, Any], ...]  # (object type, the arrow data of its object_id column), in order
    columns: dict[tuple[str, str], tuple[Any, np.ndarray]]  # (event type, qualifier) -> (its arrow data, rows)
    members: tuple[Any, np.ndarray] | None = None  # the many-valued links: (arrow data of members.object_id, rows)

    def __reduce__(self) -> tuple[type[LinkRows], tuple[tuple[()], dict[()]]]:
        """Pickled empty (describing no log): a copy of a log holds other arrays, and the rows would be
        pickled beside the columns they describe."""
        return LinkRows, ((), {})

    @classmethod
    def made(cls, objects: Mapping[str, pd.DataFrame], tables: Mapping[str, pd.DataFrame],
             rows: Mapping[tuple[str, str], np.ndarray], members: pd.DataFrame, member_rows: np.ndarray) -> LinkRows:
        """The rows of the link columns of ``tables`` (by event type and qualifier), and of the object ids of
        ``members``, among the ids of ``objects``."""
        return cls(objects=tuple((name, _arrow_data(df["object_id"])) for name, df in objects.items()),
                   columns={(name, q): (_arrow_data(tables[name][q]), at) for (name, q), at in rows.items()},
                   members=(_arrow_data(members["object_id"]), member_rows))

    def _same_objects(self, log: EventLog) -> bool:
        return [name for name, _ in self.objects] == list(log.objects) and all(
            _arrow_data(log.objects[name]["object_id"]) is data for name, data in self.objects)

    def of_members(self, log: EventLog) -> np.ndarray | None:
        """The rows of the object ids of ``log.members`` (as :meth:`of`)."""
        if self.members is None or not self._same_objects(log) or _arrow_data(log.members["object_id"]) is not \
                self.members[0]:
            return None
        return self.members[1]

    def of(self, log: EventLog) -> dict[tuple[str, str], np.ndarray] | None:
        """The rows of every link column of ``log``, or None unless its objects and link columns are still the
        very arrays they were made from (a table replaced or written to since)."""
        if not self._same_objects(log):
            return None
        rows = {}
        for name, table in log.tables.items():
            for lk in EVENTS[name].single_links:
                data, at = self.columns.get((name, lk.qualifier), (None, None))
                if data is None or _arrow_data(table[lk.qualifier]) is not data:
                    return None
                rows[name, lk.qualifier] = at
        return rows


@dataclass
class EventLog:
    """A validated log. Build one with :class:`LogBuilder` or a reader in :mod:`simlib.log.io`."""

    tables: dict[str, pd.DataFrame]
    members: pd.DataFrame
    objects: dict[str, pd.DataFrame]
    end: pd.Timestamp
    source: str = "<memory>"
    changes: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Later values of timed object attributes, by object type (only types with changes): one row per change,
    ``object_id, time, field`` and the new value in the column named by ``field``, in time order."""
    _empty_cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    link_rows: LinkRows | None = field(default=None, repr=False, compare=False)
    """Set by normalise for the auditor (:class:`LinkRows`)."""

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

    def changes_of(self, object_type: str) -> pd.DataFrame:
        """The changes of one object type (an empty table with the right columns if there are none)."""
        if object_type in self.changes:
            return self.changes[object_type]
        return _empty(change_columns(OBJECTS[object_type]))

    @property
    def n_changes(self) -> int:
        return sum(len(t) for t in self.changes.values())

    def value_at(self, object_type: str, attribute: str, object_ids: Any, times: Any) -> pd.Series:
        """The value of ``attribute`` in force for each object at each time (pairwise, vectorised): the last
        change at or before the time, else the value at creation; missing for an unknown object.

        ``object_ids`` and ``times`` are sequences of one length (or one of them a scalar); the result has the
        attribute's dtype and the index of ``object_ids`` when that is a Series, else 0, 1, …"""
        base = self.objects_of(object_type)
        id_values = np.atleast_1d(np.asarray(object_ids, dtype=object))
        time_values = np.atleast_1d(np.asarray(times, dtype=TIME_DTYPE))
        n = max(len(id_values), len(time_values))
        query = pd.DataFrame({"object_id": pd.Series(np.broadcast_to(id_values, n), dtype="str"),
                              "time": np.broadcast_to(time_values, n)})
        at_creation = base.set_index("object_id")[attribute]
        out = pd.Series(at_creation.reindex(query["object_id"]).array, dtype=at_creation.dtype)
        changes = self.changes.get(object_type)
        if changes is not None and attribute in changes:
            changed = changes.loc[changes["field"] == attribute, ["object_id", "time", attribute]]
            changed = changed.assign(object_id=changed["object_id"].astype(object))  # merge_asof: one key dtype
            if len(changed):
                query["_row"] = np.arange(n)
                ordered = query.dropna(subset=["time"]).sort_values("time", kind="stable")
                ordered = ordered.assign(object_id=ordered["object_id"].astype(object))
                found = pd.merge_asof(ordered, changed.rename(columns={attribute: "_value"}), on="time",
                                      by="object_id", direction="backward", allow_exact_matches=True)
                hit = found["_value"].notna().to_numpy()
                out.iloc[found["_row"].to_numpy()[hit]] = found["_value"].to_numpy()[hit]
        if isinstance(object_ids, pd.Series):
            out.index = object_ids.index
        return out

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
        return self.members.loc[self.link_mask(event_type, qualifier), ["event_id", "object_id"]].reset_index(
            drop=True)

    def link_mask(self, event_type: str, qualifier: str) -> np.ndarray:
        """Which rows of ``members`` are the links ``qualifier`` of events of ``event_type``."""
        m = self.members
        return ((m["qualifier"] == qualifier) & isin(m["event_id"], self.table(event_type)["event_id"])).to_numpy()

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
    changed = {k for k, v in a.changes.items() if len(v)} ^ {k for k, v in b.changes.items() if len(v)}
    assert not changed, f"changes of these object types in one log only: {changed}"
    for name, df in a.changes.items():
        if len(df):
            pd.testing.assert_frame_equal(_sorted(df, ["object_id", "field", "time"]),
                                          _sorted(b.changes[name], ["object_id", "field", "time"]),
                                          obj=f"changes {name}")
    pd.testing.assert_frame_equal(_sorted(a.members, list(MEMBER_COLUMNS)), _sorted(b.members, list(MEMBER_COLUMNS)),
                                  obj="members")
    assert a.end == b.end, f"end differs: {a.end} != {b.end}"


def arrow_isin(values: Any, allowed: pa.Array) -> np.ndarray:
    """Which values (ids) are among ``allowed``, as a boolean array (missing values are not)."""
    return pc.is_in(to_arrow(values), value_set=allowed).fill_null(False).to_numpy(zero_copy_only=False)


def arrow_strings(arr: pa.Array) -> pd.api.extensions.ExtensionArray:
    """A pyarrow string array as pandas ``str`` (without a copy beyond the cast to large strings)."""
    return pd.arrays.ArrowStringArray(arr.cast(pa.large_string()), dtype=STR_DTYPE)
