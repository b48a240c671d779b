"""What a check sees: the log, the parameters, derived attributes of cadres and units, and small vectorised
helpers for the patterns every check repeats (a deadline, the first fulfilment after a trigger, the last
approval before an exit).

Ids are encoded once per log. Every object id (and every id-valued object attribute) becomes a code in one
sorted dictionary, ``ctx.ids``; the id columns of the tables a check reads (``ctx.t``, ``ctx.cadres`` …) are
pandas Categoricals over it. A check reads them like strings (``== "x"``, ``isna``, ``isin``, ``fillna``,
``merge``) and the helpers join, match and look up on the integer codes. Some things are slow on a
Categorical with a large dictionary, or cost a millisecond even on a small frame, and have helpers instead:
``groupby`` on an id column (use ``rows.groupby(ctx.by_id(rows["unit"]))``), ``.map`` (use
:meth:`AuditContext.lookup` or :meth:`AuditContext.attr`), ``pd.concat`` (use :meth:`AuditContext.concat`),
``drop_duplicates`` (use :meth:`AuditContext.unique`) and ``==`` between two id columns (use
:meth:`AuditContext.same`). :meth:`AuditContext.finding` returns the findings as columns
(:class:`~simlib.audit.findings.Rows`), for the rows of a frame or for those a mask selects (``where=``,
without building the filtered frame); the registry builds one frame of them per audit. The frames the context
builds have plain object column labels (a lookup by an Arrow ``str`` label costs twice as much).

Sub-results several checks share are computed once per audit: ``ctx.departures``, ``ctx.stack`` and
``ctx.shared(fn)`` for a check module's own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import cache, cached_property
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import ExtensionArray

from simlib.audit.findings import OBJECT_COLUMNS, Rows, empty_findings
from simlib.log.eventlog import TIME_DTYPE, EventLog, arrow_strings
from simlib.log.vocabulary import EVENTS, ID_ATTRIBUTES, RANKS, UNIT_LEVELS
from simlib.rulebook import Params

RANK_ORDER = {r: i for i, r in enumerate(RANKS)}
LEVEL_ORDER = {lv: i for i, lv in enumerate(UNIT_LEVELS)}
DERIVED = {"cadres": ("cadre",), "units": ("unit",), "bodies": ("unit", "agency"), "trips": ("trip",),
           "documents": ("document",), "delegations": ("delegation",), "cases": ("case",)}  # frame -> object types
T = TypeVar("T")
ArrayLike = np.ndarray | ExtensionArray
NAT = np.iinfo(np.int64).min  # NaT as int64 milliseconds
DAY = 86_400_000  # milliseconds
_MAX_KEY = 2**62
DAYS = ("day_count", "day_zero", "rest_day_rollover")  # the options every window counted in days reads
SCOPE = ("effective_date", "non_party_by_reference")  # read by the registry's scope (clauses 6.a, 5.a) for all
CATEGORY_COLUMNS = ("county_plus", "bureau_plus", "registrable")  # cadre flags under the rank options
TIMED_SOURCES = {  # derived cadre flags -> the timed attributes they follow from (AuditContext.attr_at)
    "county_plus": ("rank",), "bureau_plus": ("rank",), "key_post_any": ("key_post",),
    "registrable": ("rank", "employment", "is_leading_cadre", "security_sensitive"),
}


def encode_ids(columns: Sequence[pd.Series]) -> tuple[pd.CategoricalDtype, list[np.ndarray], pa.Array]:
    """One sorted dictionary of every value in ``columns``, and each column as int64 codes into it (-1 where
    missing); and the dictionary as arrow strings. One hash pass over all values (pyarrow), then the dictionary
    sorted so that code order is string order (a groupby or sort on codes then orders like one on the
    strings)."""
    if not columns:
        return pd.CategoricalDtype(pd.Index([], dtype=object)), [], pa.array([], pa.large_string())
    chunks: list[pa.Array] = []
    for col in columns:
        arr = pa.array(col, from_pandas=True, type=pa.large_string())
        chunks.extend(arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])
    encoded = pa.chunked_array(chunks, type=pa.large_string()).dictionary_encode()
    if encoded.num_chunks:
        dictionary = max((c.dictionary for c in encoded.chunks), key=len)
        indices = pa.concat_arrays([c.indices for c in encoded.chunks]).fill_null(-1).to_numpy()
    else:
        dictionary, indices = pa.array([], pa.large_string()), np.zeros(0, dtype=np.int64)
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # index -1 (missing) stays -1
    codes = rank[indices]
    # object categories: pandas' hash table over them (built once, on first use) is the one ``codes`` uses too;
    # unique and without nulls by construction, so not checked again (a hash of every id)
    ordered = dictionary.take(order)
    dtype = pd.CategoricalDtype._from_fastpath(pd.Index(ordered.to_numpy(zero_copy_only=False), dtype=object), False)
    bounds = np.cumsum([len(c) for c in columns])[:-1]
    return dtype, np.split(codes, bounds), ordered


def _ms(times: pd.Series) -> np.ndarray:
    """Times as int64 milliseconds (NaT as ``NAT``)."""
    if times.dtype != TIME_DTYPE:
        times = pd.to_datetime(times).astype(TIME_DTYPE)
    return times.values.view(np.int64)


def _times(ms: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(ms.view(TIME_DTYPE), index=index)


def _labels(frame: pd.DataFrame) -> pd.Index:
    """The column labels of ``frame`` as a plain object Index: looking a column up by an Arrow-backed ``str``
    label costs twice as much, and checks look columns up thousands of times per audit. Frames derived from one
    with such labels (filtered, ``assign``) keep them."""
    return _object_labels(tuple(frame.columns))


@cache
def _object_labels(names: tuple[str, ...]) -> pd.Index:
    """Column labels as a plain object Index, made once per set of names (an Index is immutable: frames with
    the same columns share one)."""
    return pd.Index(list(names), dtype=object)


def _dense(*keys: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Keys (>= 0, or -1 for none) renumbered 0..n-1 jointly, and n."""
    joint = np.concatenate(keys)
    valid = joint >= 0
    out = np.full(len(joint), -1, dtype=np.int64)
    out[valid], uniques = pd.factorize(joint[valid])
    return np.split(out, np.cumsum([len(k) for k in keys])[:-1]), len(uniques)


def _follows(lkey: np.ndarray, rkey: np.ndarray, size: int, lvalue: np.ndarray,
             rvalue: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Keys (< ``size``) that match as the pairs (key, value) do, if among the right rows each key has one value
    (else None): the left rows whose value is not their key's on the right match nothing (-1), and rows
    without a value neither (-1, as a missing id anywhere in a key)."""
    ok = (rkey >= 0) & (rvalue >= 0)
    every = bool(ok.all())
    rk, rv = (rkey, rvalue) if every else (rkey[ok], rvalue[ok])
    value = np.full(size + 1, -2, dtype=np.int64)  # the value of each key among the right rows (slot -1: none)
    value[rk] = rv
    if not np.array_equal(value[rk], rv):
        return None
    # (a missing left value, -1, is never a key's value: those are >= 0, or -2 for none)
    return np.where(value[lkey] == lvalue, lkey, -1), rkey if every else np.where(ok, rkey, -1)


def _object_codes(log: EventLog, encoded: Mapping[tuple[str, str], np.ndarray]) -> np.ndarray:
    """The codes of the ids of all objects, types in the log's order, and -1 last: indexed by the rows
    ``normalise`` found for links (:class:`~simlib.log.eventlog.LinkRows`; row -1: none)."""
    return np.concatenate([*(encoded[name, "object_id"] for name in log.objects), [-1]])


def _ranks(ltime: np.ndarray, rtime: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Times as small integers that compare (<, ==) between a left and a right time as the times do: the i-th
    distinct right time becomes 2i+1; a left time 2i+1 if it equals it, else 2i for the i-th after it. And the
    size of that range."""
    distinct = np.sort(rtime)  # (np.unique is slower here)
    distinct = distinct[np.concatenate(([True], distinct[1:] != distinct[:-1]))]
    at = np.searchsorted(distinct, ltime)
    equal = (at < len(distinct)) & (distinct[np.minimum(at, len(distinct) - 1)] == ltime)
    return 2 * at + equal, 2 * np.searchsorted(distinct, rtime) + 1, 2 * len(distinct) + 1


def asof(lkey: np.ndarray, ltime: np.ndarray, rkey: np.ndarray, rtime: np.ndarray, rvalue: np.ndarray | None = None,
         *, forward: bool, strict: bool) -> np.ndarray:
    """``pandas.merge_asof`` on integer keys and int64 times: for each left row, ``rvalue`` (default: the time) of
    the right row with the same key whose time is the last at or before (``forward``: the first at or after) the
    left time; ``strict`` excludes equal times. Among right rows with equal key and time, the last (``forward``:
    the first) in right order wins, as in pandas. Rows with key -1 or time/value NaT take no part; no match
    gives NaT.

    Each row becomes one sortable integer, key * span + time; the right ones are sorted and the left ones
    looked up by binary search."""
    ties_matter = rvalue is not None
    rvalue = rtime if rvalue is None else rvalue
    lok = (lkey >= 0) & (ltime != NAT)
    rok = (rkey >= 0) & (rtime != NAT)
    if ties_matter:
        rok &= rvalue != NAT
    if not lok.any() or not rok.any():
        return np.full(len(lkey), NAT, dtype=np.int64)
    every_left = bool(lok.all())  # (the rows taken out only where some are: a copy costs as much as a step)
    lk, lt = (lkey, ltime) if every_left else (lkey[lok], ltime[lok])
    rk, rt, rv = (rkey, rtime, rvalue) if rok.all() else (rkey[rok], rtime[rok], rvalue[rok])
    low = min(lt.min(), rt.min())
    span = max(lt.max(), rt.max()) - low + 1
    size = max(lk.max(), rk.max()) + 1
    if size > _MAX_KEY // span:  # key * span would overflow: renumber the keys (a hash pass, no sort)
        (lk, rk), size = _dense(lk, rk)
    if size > _MAX_KEY // span:  # and compare time ranks instead
        lt, rt, span = _ranks(lt, rt)
        low = 0
    lbase = lk * span  # the left key's first value: a right value of the same key is in [lbase, lbase + span)
    lc = lbase + (lt - low)
    rc = rk * span + (rt - low)
    order = np.argsort(rc, kind="stable" if ties_matter else None)  # equal times give equal values otherwise
    rc, rv = rc[order], rv[order]
    side = "right" if forward == strict else "left"
    if len(lc) > 4096:  # sorted needles walk the haystack in order: faster on large inputs
        needles = np.argsort(lc)
        pos = np.empty(len(lc), dtype=np.int64)
        pos[needles] = np.searchsorted(rc, lc[needles], side=side)
    else:
        pos = np.searchsorted(rc, lc, side=side)
    if forward:  # the first right value at or after (after) the left one: a hit if still of its key
        inside = pos < len(rc)
        found = rc[np.minimum(pos, len(rc) - 1)]
        hit = inside & (found < lbase + span)
    else:  # the last one before (at or before) it: a hit if not of a lower key
        pos -= 1
        inside = pos >= 0
        found = rc[np.maximum(pos, 0)]
        hit = inside & (found >= lbase)
    matched = np.where(hit, rv[np.clip(pos, 0, len(rc) - 1)], NAT)
    if every_left:
        return matched
    out = np.full(len(lkey), NAT, dtype=np.int64)
    out[lok] = matched
    return out


def deadline_after(times: pd.Series, days: int | float | pd.Series, params: Params) -> pd.Series:
    """Last allowed date (end of that day) ``days`` after ``times`` under the options day_count (calendar or
    working days), day_zero (the trigger's day or the next one is day 0) and rest_day_rollover (a last day on a
    Saturday or Sunday moves to the next Monday): the one deadline rule of the auditor, shared with the
    obligations calculator (``simlib.training.obligations``)."""
    t = _ms(times)
    n = np.broadcast_to(np.asarray(days, dtype="float64"), t.shape)
    valid = (t != NAT) & ~np.isnan(n)
    base = t - t % DAY  # midnight of the day
    if params.day_zero == "next_day":
        base = base + DAY
    if params.day_count == "working":
        last = np.zeros(t.shape, dtype=np.int64)
        d = (base[valid] // DAY).astype("datetime64[D]")
        last[valid] = np.busday_offset(d, n[valid].astype(np.int64), roll="forward").astype(np.int64) * DAY
    else:
        last = base + (np.where(valid, n, 0) * DAY).astype(np.int64)
        if params.rest_day_rollover:  # (working days never end on a rest day)
            rest = (last[valid] // DAY).astype("datetime64[D]")
            last[valid] = np.busday_offset(rest, 0, roll="forward").astype(np.int64) * DAY
    return _times(np.where(valid, last + DAY - 1, NAT), times.index)


def at_or_above(rank: pd.Series, level: str, params: Params) -> pd.Series:
    """Whether each rank is at county/division level or above (``level="county"``) or bureau level or above
    (``"bureau"``), under the option that says whether the deputy rank counts."""
    if level == "county":
        floor = "deputy_division" if params.county_division_includes_deputy else "division"
    else:
        floor = "deputy_bureau" if params.bureau_includes_deputy else "bureau"
    return rank.map(RANK_ORDER) >= RANK_ORDER[floor]


def cadre_categories(rank: pd.Series, employment: pd.Series, state_organ_staff: pd.Series, leading: pd.Series,
                     security_sensitive: pd.Series, params: Params) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Whether each cadre is county/division level or above, bureau level or above (under the rank options
    in force), and in a registration-for-filing category (2.2.a): in-service leading state-organ staff at county
    level or above, retired cadres at bureau level or above, and security-sensitive staff."""
    county_plus, bureau_plus = at_or_above(rank, "county", params), at_or_above(rank, "bureau", params)
    in_service = employment.isin(["in_service", "left_leading_post"])
    retired = employment.isin(["retired", "lixiu"])
    registrable = ((state_organ_staff & in_service & leading & county_plus) | (retired & bureau_plus)
                   | (security_sensitive.str.len() > 0))
    return county_plus, bureau_plus, registrable


def scope_rule(in_force: np.ndarray, non_party: np.ndarray, party_only: bool | np.ndarray,
               binds_non_party: bool | np.ndarray, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Clauses 6.a and 5.a on obligations already known to be in force or not, and of non-Party cadres or not:
    which are judged, and which of those by reference (see :meth:`AuditContext.scope`)."""
    non_party = non_party & np.logical_not(binds_non_party)
    skipped = non_party & (party_only | (not params.non_party_by_reference))
    return in_force & ~skipped, non_party & ~skipped


class AuditContext:
    """Read-only view of a log for checks, with the parameters in force. Tables and frames it hands out are
    shared between checks: derive new ones (filter, ``assign``), never modify them in place."""

    def __init__(self, log: EventLog, params: Params) -> None:
        self.log = log
        self.params = params
        self.start = pd.Timestamp(params.effective_date)
        self.end = log.end
        self._tables: dict[str, pd.DataFrame] = {}
        self._memo: dict[tuple[object, ...], object] = {}
        self.judged_cadres: dict[str, list[np.ndarray]] = {}  # clause -> the cadre of each obligation judged (judge())
        self.judged_documents: dict[str, list[pd.DataFrame]] = {}  # clause -> event_id, document, time (judge())
        self.checking: tuple[str, bool, bool] = ("", False, False)  # clause, party_only, binds_non_party

    def judge(self, rows: pd.DataFrame, deadline: pd.Series) -> None:
        """Count ``rows`` as the obligations the current check judges (the denominator of a compliance share):
        those due by the end of the log (a later one can be neither late nor missing yet), with the scope the
        registry applies to findings (clause 6.a; clause 5.a for non-Party cadres)."""
        clause, party_only, binds_non_party = self.checking
        due, end = _ms(deadline), np.datetime64(self.end, "ms").astype(np.int64)
        judged, _ = self.scope(rows["time"], rows["cadre"], party_only, binds_non_party)
        counted = judged & (due != NAT) & (due < end)
        self.judged_cadres.setdefault(clause, []).append(self._strings[self.codes(rows["cadre"])][counted])
        if "document" in rows and "event_id" in rows:  # a document's obligation: which one, for the views
            picked = rows.loc[counted, ["event_id", "document", "time"]].reset_index(drop=True)
            self.judged_documents.setdefault(clause, []).append(
                picked.assign(event_id=picked["event_id"].astype("str"), document=self.strings(picked["document"])))

    def scope(self, times: pd.Series, cadres: pd.Series, party_only: bool | np.ndarray,
              binds_non_party: bool | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Clause 6.a (only from the effective date) and clause 5.a (a non-Party cadre is judged by reference,
        unless the clause binds him directly; not at all under a Party-only clause or when 5.a is read
        otherwise): which rows are judged, and which of those by reference."""
        in_force = (times >= self.start).to_numpy()
        non_party = self.attr(cadres, "is_party_member").eq(False).to_numpy()
        return scope_rule(in_force, non_party, party_only, binds_non_party, self.params)

    # -- ids ---------------------------------------------------------------------------------------
    @cached_property
    def _encoded(self) -> tuple[pd.CategoricalDtype, dict[tuple[str, str], np.ndarray], pa.Array]:
        """The id dictionary, and the codes of every object id, id-valued object attribute and link column.
        The link columns of a log from ``normalise`` come as rows among the object ids, found when it checked
        them (:class:`~simlib.log.eventlog.LinkRows`): only the objects' columns are hashed here, and a link's
        code is that of its object."""
        where: list[tuple[str, str]] = []
        columns: list[pd.Series] = []
        for name, df in self.log.objects.items():
            for col in ("object_id", *ID_ATTRIBUTES.get(name, ())):
                where.append((name, col))
                columns.append(df[col])
        link_rows = None if self.log.link_rows is None else self.log.link_rows.of(self.log)
        if link_rows is None:
            for name, df in self.log.tables.items():
                for lk in EVENTS[name].single_links:
                    where.append((name, lk.qualifier))
                    columns.append(df[lk.qualifier])
        dtype, codes, strings = encode_ids(columns)
        encoded = dict(zip(where, codes, strict=True))
        if link_rows is not None:
            object_codes = _object_codes(self.log, encoded)
            encoded.update({key: object_codes[rows] for key, rows in link_rows.items()})
        return dtype, encoded, strings

    @property
    def ids(self) -> pd.CategoricalDtype:
        """The log's id dictionary, as the dtype of every id column a check sees."""
        return self._encoded[0]

    def _stored(self, where: str, frame: pd.DataFrame, column: str) -> pd.Categorical:
        """``frame[column]`` (a column of the log's table or objects ``where``) as ids, from the codes computed
        once."""
        codes = self._encoded[1].get((where, column))
        if codes is None:  # (not in the log: an empty table, or an object type's id-valued column it lacks)
            codes = self.codes(frame[column]) if len(frame) else np.zeros(0, dtype=np.int64)
        return pd.Categorical.from_codes(codes, dtype=self.ids, validate=False)

    @cached_property
    def _strings(self) -> np.ndarray:
        """The id dictionary as Python strings, and None last (for code -1)."""
        return np.append(self.ids.categories.to_numpy(), None)

    def from_codes(self, codes: np.ndarray, index: pd.Index | None = None) -> pd.Series:
        """A column of ids from their integer codes (-1: missing)."""
        return pd.Series(pd.Categorical.from_codes(codes, dtype=self.ids, validate=False), index=index)

    def codes(self, ids: pd.Series | pd.Index) -> np.ndarray:
        """Integer codes of a column of ids (-1 where missing or not an id of this log). The index of a derived
        frame (``ctx.units.index`` …) has its codes stored: its strings are not looked up (the first look-up
        hashes the whole id dictionary)."""
        if self._is_ids(ids):
            return (ids.array if isinstance(ids, pd.Series) else ids).codes.astype(np.int64)
        for name in DERIVED:
            if name in self.__dict__ and ids is self.__dict__[name].index:  # (a frame built: cached_property)
                return self._index_codes(name)
        return self.ids.categories.get_indexer(pd.Index(ids, dtype=object)).astype(np.int64)

    def as_ids(self, values: pd.Series | pd.Index | Sequence[str]) -> pd.Series:
        """``values`` as an id column like those of ``ctx.t``; as strings if one is not an id of this log."""
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        if self._is_ids(series):
            return series
        codes = self.codes(values)  # (of the index of a derived frame: stored)
        if ((codes < 0) & series.notna().to_numpy()).any():
            return series.astype("str")
        return self.from_codes(codes, series.index)

    def by_id(self, ids: pd.Series) -> pd.Series:
        """Integer codes of a column of ids, NaN where missing, to group by: ``rows.groupby(ctx.by_id(rows["unit"]))``
        groups like ``rows.groupby("unit")``, in the same order, without re-coding the log's whole dictionary."""
        codes = self.codes(ids).astype("float64")
        codes[codes < 0] = np.nan
        return pd.Series(codes, index=ids.index, name=ids.name)

    # -- tables ------------------------------------------------------------------------------------
    def t(self, event_type: str) -> pd.DataFrame:
        """The table of one event type, in time order, its links as ids."""
        table = self._tables.get(event_type)
        if table is None:  # built in one go from the columns' arrays (a column set at a time costs more)
            raw = self.log.table(event_type)
            links = {lk.qualifier for lk in EVENTS[event_type].single_links}
            arrays = [self._stored(event_type, raw, c) if c in links else raw._get_column_array(i)
                      for i, c in enumerate(raw.columns)]
            table = pd.DataFrame._from_arrays(arrays, columns=_labels(raw), index=raw.index, verify_integrity=False)
            self._tables[event_type] = table
        return table

    def stack(self, event_types: Sequence[str], columns: Sequence[str],
              rename: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Several event types in one frame, with ``columns`` (after ``rename``, e.g. unit → recipient; a column
        one of the types lacks is missing there); built once per audit."""
        rename = dict(rename or {})
        key = ("stack", tuple(event_types), tuple(columns), tuple(sorted(rename.items())))
        if key not in self._memo:
            tables = [self.t(e) for e in event_types]
            tables = [t for t in tables if len(t)] or tables[:1]
            sources = [{rename.get(c, c): c for c in t.columns} for t in tables]  # new name -> column
            stacked = self._join([{c: t[src[c]].array for c in columns if c in src}
                                  for t, src in zip(tables, sources, strict=True)], [len(t) for t in tables])
            self._memo[key] = stacked if list(stacked.columns) == list(columns) else stacked.reindex(
                columns=list(columns))
        return self._memo[key]  # type: ignore[return-value]

    def concat(self, frames: Sequence[pd.DataFrame | Rows]) -> pd.DataFrame:
        """``pd.concat(frames, ignore_index=True)``, joining id columns on their codes (pandas would hash the
        whole id dictionary, tens of ms on a large log, to check that the frames' id columns agree)."""
        return self._join([f.columns if isinstance(f, Rows) else {c: f[c].array for c in f.columns}
                           for f in frames], [len(f) for f in frames])

    def _join(self, parts: Sequence[Mapping[str, ArrayLike]], lengths: Sequence[int]) -> pd.DataFrame:
        """Blocks of rows (columns as arrays, ``lengths`` rows each) end to end, as ``pd.concat`` would join them
        (a column a block lacks is missing there), in one frame built once: id columns on their codes, columns
        of one dtype by concatenating their arrays, and only the others through pandas."""
        columns = dict.fromkeys(c for p in parts for c in p)
        data: dict[str, ArrayLike | None] = {}
        rest = []  # columns whose dtype pandas must work out (missing in a block, or dtypes differ)
        for c in columns:
            arrays = [p.get(c) for p in parts]
            if all(self._is_ids(a) for a in arrays if a is not None):
                data[c] = pd.Categorical.from_codes(
                    np.concatenate([np.full(n, -1) if a is None else a.codes.astype(np.int64)  # type: ignore[union-attr]
                                    for a, n in zip(arrays, lengths, strict=True)]), dtype=self.ids, validate=False)
            elif all(a is not None and a.dtype == arrays[0].dtype for a in arrays):
                first = arrays[0]
                data[c] = (np.concatenate([np.asarray(a) for a in arrays]) if isinstance(first.dtype, np.dtype)
                           else type(first)._concat_same_type(arrays))  # type: ignore[union-attr]
            else:
                data[c] = None
                rest.append(c)
        if rest:
            mixed = pd.concat([pd.DataFrame({c: pd.Series(p[c], dtype=p[c].dtype, copy=False)
                                             for c in rest if c in p}, index=pd.RangeIndex(n))
                               for p, n in zip(parts, lengths, strict=True)], ignore_index=True)
            data.update({c: mixed[c] for c in rest})  # (a Series keeps its dtype; an object array would be inferred)
        joined = pd.DataFrame(data, index=pd.RangeIndex(sum(lengths)), copy=False)
        return joined.set_axis(_labels(joined), axis=1)

    def _id_keys(self, frames: Sequence[pd.DataFrame], by: Sequence[str]) -> list[np.ndarray]:
        """One int64 key per row of each frame, equal where the columns ``by`` are (a missing value is a value
        like any other, as in ``drop_duplicates`` and ``merge``): id columns on their codes, others (of one
        dtype in every frame) factorised together."""
        keys = [np.zeros(len(f), dtype=np.int64) for f in frames]
        for b in by:
            if all(self._is_ids(f[b]) for f in frames):
                codes, n = [self.codes(f[b]) for f in frames], len(self.ids.categories)
            else:
                joint, uniques = pd.factorize(pd.concat([f[b] for f in frames], ignore_index=True))
                codes, n = np.split(joint.astype(np.int64), np.cumsum([len(f) for f in frames])[:-1]), len(uniques)
            if any(k.size and k.max() > _MAX_KEY // (n + 1) for k in keys):
                keys, _ = _dense(*keys)
            keys = [k * (n + 1) + c + 1 for k, c in zip(keys, codes, strict=True)]
        return keys

    def unique(self, rows: pd.DataFrame, by: Sequence[str] | None = None, keep: str = "first") -> pd.DataFrame:
        """``rows.drop_duplicates(by, keep=keep)`` (``by``: every column), on the codes when ``by`` are id
        columns (a missing id is a value like any other, as there)."""
        by = list(rows.columns if by is None else by)
        if not all(self._is_ids(rows[b]) for b in by):
            return rows.drop_duplicates(by, keep=keep)  # type: ignore[arg-type]
        key, = self._id_keys([rows], by)
        return rows[~pd.Series(key).duplicated(keep=keep).to_numpy()]  # type: ignore[arg-type]

    def merge(self, left: pd.DataFrame, right: pd.DataFrame, on: Sequence[str]) -> pd.DataFrame:
        """``left.merge(right, on=on)`` (an inner join: for each left row in turn, the right rows with the same
        ``on`` values in their order; a missing value matches a missing value, as there) on the codes when ``on``
        are id columns (pandas hashes the whole id dictionary to check that two id columns agree), or other
        columns of one dtype on both sides."""
        on = list(on)
        others = [c for c in right.columns if c not in on]
        alike = all(self._is_ids(left[c]) and self._is_ids(right[c]) if self._is_ids(left[c]) or self._is_ids(right[c])
                    else left[c].dtype == right[c].dtype and not isinstance(left[c].dtype, pd.CategoricalDtype)
                    for c in on)
        if set(others) & set(left.columns) or not alike:
            return left.merge(right, on=on)
        lkey, rkey = self._id_keys([left, right], on)
        order = np.argsort(rkey, kind="stable")
        start = np.searchsorted(rkey[order], lkey, side="left")
        count = np.searchsorted(rkey[order], lkey, side="right") - start
        lrows = np.repeat(np.arange(len(left)), count)
        rrows = order[np.repeat(start - (np.cumsum(count) - count), count) + np.arange(len(lrows))]
        taken = [left.take(lrows), right[others].take(rrows)]
        data = {c: t[c].array for t in taken for c in t.columns}
        joined = pd.DataFrame(data, index=pd.RangeIndex(len(lrows)), copy=False)
        return joined.set_axis(_labels(joined), axis=1)

    def strings(self, column: pd.Series) -> ArrayLike:
        """``column.astype("str")``: for an id column taken from the arrow dictionary (pandas would first make
        the whole dictionary ``str``, and no Python string is made)."""
        if not self._is_ids(column):
            return column.astype("str").array
        codes = self.codes(column)
        return arrow_strings(self._encoded[2].take(pa.array(codes, mask=codes < 0)))

    def with_strings(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with its id columns as plain strings (:meth:`strings`)."""
        return frame.assign(**{c: self.strings(frame[c]) for c in frame.columns if self._is_ids(frame[c])})

    def links(self, event_type: str, qualifier: str) -> pd.DataFrame:
        """``log.links(event_type, qualifier)``: (event_id, object_id) pairs of one many-valued link,
        ``object_id`` as ids (from the rows ``normalise`` found for them, if it did:
        :class:`~simlib.log.eventlog.LinkRows`)."""
        mask = self.log.link_mask(event_type, qualifier)
        pairs = self.log.members.loc[mask, ["event_id", "object_id"]].reset_index(drop=True)
        rows = None if self.log.link_rows is None else self.log.link_rows.of_members(self.log)
        if rows is None:
            codes = self.codes(pairs["object_id"])
        else:
            codes = _object_codes(self.log, self._encoded[1])[rows[mask]]
        return pairs.assign(object_id=self.from_codes(codes, pairs.index))

    def shared(self, fn: Callable[..., T], *args: Hashable) -> T:
        """``fn(ctx, *args)``, computed once per audit: for a sub-result several checks use (derive from it,
        never modify it). The registry runs every check through it, so that a check can build on another's
        findings (4.3.h on those upstream of it) without computing them again; a check that does so must not
        build on one that counts obligations (:meth:`judge`), which would count them for the wrong clause."""
        key = (fn, *args)
        if key not in self._memo:
            self._memo[key] = fn(self, *args)
        return self._memo[key]  # type: ignore[return-value]

    # -- objects with derived attributes --------------------------------------------------------
    def _objects(self, object_type: str) -> pd.DataFrame:
        """Objects of one type indexed by id, their id-valued attributes as ids."""
        raw = self.log.objects_of(object_type)
        ids = {c: self._stored(object_type, raw, c) for c in ID_ATTRIBUTES.get(object_type, ())}
        return raw.assign(**ids).set_index("object_id")

    @cached_property
    def cadres(self) -> pd.DataFrame:
        """Cadres indexed by id (their flags under the rank options: :meth:`category`)."""
        c = self._objects("cadre")
        flags = {b: c[b].fillna(False).astype(bool)
                 for b in ("is_party_member", "is_state_organ_staff", "is_leading_cadre", "is_unit_leader")}
        employment = c["employment"].astype("str").fillna("in_service")
        key_post = c["key_post"].fillna("").astype("str")
        security_sensitive = c["security_sensitive"].fillna("").astype("str")
        return pd.DataFrame({
            "unit": c["unit"], "rank": c["rank"], **flags, "employment": employment, "key_post": key_post,
            "security_sensitive": security_sensitive, "management_authority": c["management_authority"],
            "key_post_any": key_post.str.len() > 0, "unit_parent": self.attr(c["unit"], "parent", of="units"),
        }, index=c.index)

    def category(self, column: str) -> pd.Series:
        """Per cadre (as :attr:`cadres`): ``county_plus``, ``bureau_plus`` or ``registrable`` under the rank
        options in force (:func:`cadre_categories`); computed on first use, so that only the checks that use one
        read the options it depends on."""
        key = ("category", column)
        if key not in self._memo:
            c = self.cadres
            rank = c["rank"].astype("str")
            if column == "registrable":
                value = cadre_categories(rank, c["employment"], c["is_state_organ_staff"], c["is_leading_cadre"],
                                         c["security_sensitive"], self.params)[2]
            else:
                value = at_or_above(rank, column.removesuffix("_plus"), self.params)
            self._memo[key] = value
        return self._memo[key]  # type: ignore[return-value]

    @cached_property
    def units(self) -> pd.DataFrame:
        """Units indexed by id, with ``level_rank`` (county 0 … central 3)."""
        u = self._objects("unit")
        return pd.DataFrame({
            "level": u["level"],
            "level_rank": u["level"].astype("str").map(LEVEL_ORDER),
            "parent": u["parent"].where(u["parent"].astype(object) != ""),  # '' at the top of the tree
            "is_state_organ": u["is_state_organ"].fillna(False).astype(bool),
        }, index=u.index)

    @cached_property
    def bodies(self) -> pd.DataFrame:
        """Units and agencies together, with ``level_rank`` and ``kind`` (``unit`` or the agency kind)."""
        u = self.units[["level_rank"]].assign(kind="unit")
        a = self.log.objects_of("agency").set_index("object_id")
        ag = pd.DataFrame({"level_rank": a["level"].astype("str").map(LEVEL_ORDER), "kind": a["kind"].astype("str")},
                          index=a.index)
        return pd.concat([u, ag])

    @cached_property
    def trips(self) -> pd.DataFrame:
        """Trips indexed by id, with ``kind`` (a Categorical of the vocabulary's kinds, compared like strings)."""
        tr = self.log.objects_of("trip").set_index("object_id")
        return pd.DataFrame({"kind": tr["kind"]}, index=tr.index)

    @cached_property
    def documents(self) -> pd.DataFrame:
        """Documents indexed by id, with ``doc_type`` (a Categorical of the vocabulary's types, compared like
        strings) and ``provenance`` (issued, forged, altered, bought; missing: unrecorded)."""
        d = self.log.objects_of("document").set_index("object_id")
        return pd.DataFrame({"doc_type": d["doc_type"], "provenance": d["provenance"]}, index=d.index)

    @cached_property
    def delegations(self) -> pd.DataFrame:
        """Delegations indexed by id, with ``dispatching_unit``."""
        return self._objects("delegation")

    @cached_property
    def cases(self) -> pd.DataFrame:
        """Cases indexed by id, their flags (``typical``, ``suspected_crime`` …) False where unrecorded."""
        c = self.log.objects_of("case").set_index("object_id")
        return c.fillna(False).astype(bool)

    def _index_codes(self, frame: str) -> np.ndarray:
        """The codes of the ids that index a derived frame (``cadres`` …), in its order."""
        return np.concatenate([self._encoded[1].get((t, "object_id"), np.zeros(0, dtype=np.int64))
                               for t in DERIVED[frame]])

    def index_ids(self, frame: str) -> pd.Series:
        """``as_ids(getattr(ctx, frame).index)`` for a derived frame (``cadres`` …), from the codes stored: the
        ids that index it as an id column (index 0, 1 …), without looking their strings up."""
        return self.from_codes(self._index_codes(frame))

    @cached_property
    def _rows_of(self) -> dict[str, np.ndarray]:
        """For each derived frame (``cadres`` …), the row of each id code in it (-1: none; index -1 too)."""
        return {name: self.positions(self._index_codes(name)) for name in DERIVED}

    def positions(self, codes: np.ndarray) -> np.ndarray:
        """For each id code, its position in ``codes`` (-1: none; the last slot, for code -1, is -1)."""
        rows = np.full(len(self.ids.categories) + 1, -1, dtype=np.int64)
        at = np.flatnonzero(codes >= 0)
        rows[codes[at]] = at
        if (rows[codes[at]] != at).any():
            raise ValueError("lookup values must be indexed by unique ids")
        return rows

    @staticmethod
    def _take(values: pd.Series | ArrayLike, rows: np.ndarray, index: pd.Index, name: object) -> pd.Series:
        """``values`` at positions ``rows`` (-1: missing, as ``Series.map`` gives for an unknown key)."""
        if isinstance(values, pd.Series):
            values = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
        return pd.Series(pd.api.extensions.take(values, rows, allow_fill=True), index=index, name=name)

    def lookup(self, ids: pd.Series, values: pd.Series) -> pd.Series:
        """``ids.map(values)`` for a column of ids and a Series indexed by unique ids, on the codes."""
        rows = self.positions(self.codes(values.index))
        return self._take(values, rows[self.codes(ids)], ids.index, ids.name)

    def attr(self, ids: pd.Series, column: str, of: str = "cadres") -> pd.Series:
        """Look up an attribute (of ``cadres``, ``units``, ``bodies``, ``trips``, ``documents``, ``delegations`` or
        ``cases``) for a column of ids, aligned; missing (NaN) where the id is not one of them."""
        key = ("attr", of, column)
        if key not in self._memo:  # the attribute's values as an array, once per audit
            is_category = of == "cadres" and column in CATEGORY_COLUMNS
            values = self.category(column) if is_category else getattr(self, of)[column]
            self._memo[key] = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
        return self._take(self._memo[key], self._rows_of[of][self.codes(ids)], ids.index,  # type: ignore[arg-type]
                          ids.name)

    def attr_at(self, ids: pd.Series, column: str, times: pd.Series) -> pd.Series:
        """:meth:`attr` of cadres as in force at ``times`` (aligned with ``ids``): where the log records changes
        of the attribute — or of those a derived flag (``county_plus``, ``bureau_plus``, ``registrable``,
        ``key_post_any``) follows from — the values then (``EventLog.value_at``); else :meth:`attr`."""
        sources = TIMED_SOURCES.get(column, (column,))
        key = ("changed", sources)
        if key not in self._memo:  # (a log without changes has no table of them: none is built)
            changes = self.log.changes.get("cadre")
            self._memo[key] = changes is not None and bool(changes["field"].isin(sources).any())
        if not self._memo[key]:
            return self.attr(ids, column)
        keys, when = ids.astype("str").to_numpy(), times.to_numpy()
        at = {a: self.log.value_at("cadre", a, keys, when) for a in sources}
        if column in ("county_plus", "bureau_plus"):
            value = at_or_above(at["rank"].astype("str"), column.removesuffix("_plus"), self.params)
        elif column == "key_post_any":
            value = at["key_post"].fillna("").astype("str").str.len() > 0
        elif column == "registrable":
            staff = pd.Series(self.attr(ids, "is_state_organ_staff").eq(True).to_numpy())
            value = cadre_categories(at["rank"].astype("str"), at["employment"].astype("str"), staff,
                                     at["is_leading_cadre"].eq(True), at["security_sensitive"].fillna("").astype("str"),
                                     self.params)[2]
        elif column in ID_ATTRIBUTES["cadre"]:
            value = self.as_ids(at[column])
        else:
            value = at[column]
        return pd.Series(value.array, index=ids.index, name=ids.name)

    def anchors(self, ids: pd.Index | pd.Series, times: pd.Series | None = None) -> pd.DataFrame:
        """One row per unit (or agency) id, timed at ``times`` or else at the effective date: a standing
        obligation of the notice."""
        n = len(ids)
        when = pd.Series(self.start, index=range(n)) if times is None else pd.Series(times.to_numpy())
        unit = self.as_ids(ids).reset_index(drop=True)
        return pd.DataFrame({"unit": unit, "time": when.astype(TIME_DTYPE)})

    # -- time ------------------------------------------------------------------------------------
    def deadline(self, times: pd.Series, days: int | float | pd.Series) -> pd.Series:
        """Last allowed date (end of that day) ``days`` after ``times`` under day_count and day_zero
        (:func:`deadline_after`)."""
        return deadline_after(times, days, self.params)

    @staticmethod
    def months_after(times: pd.Series | pd.Timestamp, months: int) -> pd.Series | pd.Timestamp:
        return times + pd.DateOffset(months=months)

    def due(self, deadlines: pd.Series) -> pd.Series:
        """True where the deadline has passed by the end of the log (only then can 'missing' be judged)."""
        return deadlines < self.end

    # -- matching obligations with fulfilments ---------------------------------------------------
    def _pair(self, left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
        """Codes of two columns in one space (-1 where missing), and its size: the id codes for id columns,
        else a joint factorisation of their string forms."""
        if not (self._is_ids(left) and self._is_ids(right)):
            joint = pd.concat([left.astype("str"), right.astype("str")], ignore_index=True)
            codes, uniques = pd.factorize(joint)
            codes[pd.concat([left, right], ignore_index=True).isna().to_numpy()] = -1
            return codes[:len(left)].astype(np.int64), codes[len(left):].astype(np.int64), len(uniques)
        return self.codes(left), self.codes(right), len(self.ids.categories)

    def _is_ids(self, values: pd.Series | pd.Index | ArrayLike) -> bool:
        return isinstance(values.dtype, pd.CategoricalDtype) and values.dtype.categories is self.ids.categories

    def _keys(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Int64 keys for the ``by`` columns of both frames that are equal where the rows agree on all of them
        (-1 where any is missing, or where a left row can match no right row). A column whose value, in the
        right rows, follows from the key so far (a trip has one cadre) does not widen the key (:func:`_follows`):
        the as-of join then need not renumber the keys of a large log."""
        lkey, rkey, size = self._pair(left[by[0]], right[by[0]])
        for b in by[1:]:
            lc, rc, n = self._pair(left[b], right[b])
            limit = max(len(self.ids.categories), len(lkey) + len(rkey))  # (the size of a lookup table)
            narrowed = _follows(lkey, rkey, size, lc, rc) if size <= limit else None
            if narrowed is None and n <= limit:
                narrowed = _follows(lc, rc, n, lkey, rkey)
                size = n if narrowed is not None else size
            if narrowed is not None:
                lkey, rkey = narrowed
                continue
            if size > _MAX_KEY // max(n, 1):
                (lkey, rkey), size = _dense(lkey, rkey)
            lkey = np.where((lkey >= 0) & (lc >= 0), lkey * n + lc, -1)
            rkey = np.where((rkey >= 0) & (rc >= 0), rkey * n + rc, -1)
            size *= n
        return lkey, rkey

    def _asof(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], left_time: str, right_time: str,
              forward: bool, strict: bool, value: str | None = None) -> pd.Series:
        if not (len(left) and len(right)):  # (nothing to match: common in a small log, and cheap to tell)
            return pd.Series(np.full(len(left), np.datetime64("NaT"), dtype=TIME_DTYPE), index=left.index)
        lkey, rkey = self._keys(left, right, list(by))
        values = None if value is None or value == right_time else _ms(right[value])
        found = asof(lkey, _ms(left[left_time]), rkey, _ms(right[right_time]), values, forward=forward, strict=strict)
        return pd.Series(found.view(TIME_DTYPE), index=left.index)

    def first_after(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], *, left_time: str = "time",
                    right_time: str = "time", strict: bool = False) -> pd.Series:
        """For each row of ``left``, the time of the earliest ``right`` row with the same ``by`` values at
        or after (``strict``: after) the left time; NaT if none."""
        return self._asof(left, right, by, left_time, right_time, True, strict)

    def last_before(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], *, left_time: str = "time",
                    right_time: str = "time", strict: bool = False) -> pd.Series:
        """For each row of ``left``, the time of the latest ``right`` row with the same ``by`` values at or
        before (``strict``: before) the left time; NaT if none."""
        return self._asof(left, right, by, left_time, right_time, False, strict)

    def value_before(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], value: str, *,
                     left_time: str = "time", right_time: str = "time") -> pd.Series:
        """For each row of ``left``, the time-valued column ``value`` of the latest ``right`` row with the
        same ``by`` values at or before the left time (rows without ``value`` skipped); NaT if none."""
        return self._asof(left, right, by, left_time, right_time, False, False, value)

    def same(self, a: pd.Series, b: pd.Series) -> pd.Series:
        """``a.eq(b)`` for two aligned id columns (False where either is missing), on the codes: pandas compares
        two Categoricals only after hashing their whole dictionary, tens of ms for a large log."""
        if not (self._is_ids(a) and self._is_ids(b)):
            return a.eq(b)
        left = self.codes(a)
        return pd.Series((left == self.codes(b)) & (left >= 0), index=a.index, name=a.name)

    def has(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str]) -> pd.Series:
        """True where some ``right`` row has the same ``by`` values (at any time)."""
        lkey, rkey = self._keys(left, right, list(by))
        return pd.Series(np.isin(lkey, rkey[rkey >= 0]) & (lkey >= 0), index=left.index)

    def earliest(self, ids: pd.Series, right: pd.DataFrame, key: str) -> pd.Series:
        """For each id in ``ids``, the time of the earliest ``right`` row whose ``key`` equals it; NaT if
        none."""
        lkey, rkey, size = self._pair(ids, right[key])
        times = _ms(right["time"])
        ok = (rkey >= 0) & (times != NAT)
        first = np.full(size + 1, NAT, dtype=np.int64)  # slot ``size`` (index -1): no id
        if ok.any():
            best = np.full(size + 1, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, rkey[ok], times[ok])
            seen = best < np.iinfo(np.int64).max
            first[seen] = best[seen]
        return pd.Series(first[lkey].view(TIME_DTYPE), index=ids.index)

    # -- findings --------------------------------------------------------------------------------
    def finding(self, rows: pd.DataFrame, code: str, *, time: str | pd.Series = "time",
                deadline: pd.Series | np.ndarray | None = None, observed: pd.Series | np.ndarray | None = None,
                days: pd.Series | np.ndarray | float | None = None, limit: float | None = None,
                where: np.ndarray | None = None, **objects: str | pd.Series) -> pd.DataFrame | Rows:
        """Findings for ``rows``: ``objects`` maps finding columns (cadre, unit, trip …) to a column of
        ``rows`` or a Series aligned with it; by default columns of the same name are used.

        ``where`` (a boolean array over ``rows``): findings for those rows only, as for ``rows[where]`` but
        without building that frame; Series and arrays given are then aligned with the rows selected."""
        n = len(rows) if where is None else int(where.sum())
        if n == 0:
            return empty_findings()

        def col(v: str | pd.Series | None, missing: object) -> object:
            if v is None:
                return missing
            s = rows[v] if isinstance(v, str) else v
            pick = where if isinstance(v, str) and where is not None else slice(None)
            if self._is_ids(s):
                return pd.Categorical.from_codes(self.codes(s)[pick], dtype=self.ids, validate=False)
            return (s.array if isinstance(s, pd.Series) else np.asarray(s))[pick]

        def when(v: str | pd.Series | np.ndarray | None) -> object:
            """A time column in the log's unit, so that the registry joins the findings as arrays."""
            values = col(v, no_time)
            return values.astype(TIME_DTYPE) if values.dtype.kind == "M" and values.dtype != TIME_DTYPE else values

        # missing values of the dtypes a log's columns have (event ids are ``str``)
        no_id = pd.Categorical.from_codes(np.full(n, -1), dtype=self.ids, validate=False)
        no_time = np.full(n, np.datetime64("NaT", "ms"))
        data: dict[str, object] = {"code": np.full(n, code, dtype=object), "time": when(time)}
        for name in OBJECT_COLUMNS:
            data[name] = col(objects.get(name, name if name in rows.columns else None), no_id)
        data["event_id"] = col(objects.get("event_id", "event_id" if "event_id" in rows.columns else None),
                               pd.array(np.full(n, None, dtype=object), dtype="str"))
        data["deadline"] = when(deadline)
        data["observed_at"] = when(observed)
        data["days"] = np.broadcast_to(np.asarray(np.nan if days is None else days, dtype="float64"), (n,))
        data["limit"] = np.full(n, np.nan if limit is None else float(limit))
        return Rows(data)

    # -- trips, approvals and timeliness (shared by the checks of sections 1 and 2) -----------------
    def on_trips(self, rows: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
        """The rows whose ``trip`` is of one of ``kinds``."""
        key = ("trip_kinds", tuple(kinds))
        if key not in self._memo:  # per trip, and False for no trip
            self._memo[key] = np.append(self.trips["kind"].isin(kinds).to_numpy(), False)
        return rows[self._memo[key][self._rows_of["trips"][self.codes(rows["trip"])]]]

    def departures(self, kinds: Sequence[str]) -> pd.DataFrame:
        """The first Exit of each trip and cadre, for trips of ``kinds``."""
        key = ("departures", tuple(kinds))
        if key not in self._memo:
            self._memo[key] = self.unique(self.on_trips(self.t("Exit"), kinds), ["trip", "cadre"])
        return self._memo[key]

    def below_authority(self, rows: pd.DataFrame, body: str = "approver",
                        authority: pd.Series | None = None) -> pd.Series:
        """True where the body ``rows[body]`` is at a lower level than the management authority of
        ``rows.cadre`` at ``rows.time`` (``authority``, aligned with ``rows``, if known already; False where
        either level is unknown)."""
        own = self.attr(rows[body], "level_rank", of="bodies")
        if authority is None:
            authority = self.attr_at(rows["cadre"], "management_authority", rows["time"])
        return own < self.attr(authority, "level_rank", of="bodies")

    def timeliness(self, rows: pd.DataFrame, done: pd.Series, deadline: pd.Series, *,
                   limit: float | None = None, codes: tuple[str, str] = ("late", "missing"),
                   other: pd.Series | None = None, wrong: str | None = None,
                   **objects: str | pd.Series) -> list[pd.DataFrame | Rows]:
        """``late`` findings where ``done`` (aligned with ``rows``) is after ``deadline``, and ``missing``
        where nothing was done and the deadline passed before the end of the log — or ``wrong`` where only a
        response that does not qualify came (at ``other``)."""
        start, when, by = _ms(rows["time"]), _ms(done), _ms(deadline)
        late = (when != NAT) & (by != NAT) & (when > by)
        missing = (when == NAT) & (by != NAT) & (by < np.datetime64(self.end, "ms").astype(np.int64))
        instead = missing & (other.notna().to_numpy() if wrong is not None and other is not None else False)
        missing &= ~instead
        found = []
        if late.any():
            days = ((when - when % DAY) - (start - start % DAY)) / DAY
            days[start == NAT] = np.nan
            found.append(self.finding(rows, codes[0], where=late, deadline=by[late].view(TIME_DTYPE),
                                      observed=when[late].view(TIME_DTYPE), days=days[late], limit=limit,
                                      **self._pick(objects, late)))
        if missing.any():
            found.append(self.finding(rows, codes[1], where=missing, deadline=by[missing].view(TIME_DTYPE),
                                      limit=limit, **self._pick(objects, missing)))
        if instead.any():
            found.append(self.finding(rows, wrong, where=instead, deadline=by[instead].view(TIME_DTYPE),
                                      observed=_ms(other)[instead].view(TIME_DTYPE), limit=limit,
                                      **self._pick(objects, instead)))
        return found

    @staticmethod
    def _pick(objects: dict[str, str | pd.Series], mask: np.ndarray) -> dict[str, str | pd.Series]:
        return {k: v[mask] if isinstance(v, pd.Series) else v for k, v in objects.items()}

    def flag_active(self, rows: pd.DataFrame, flag: str, *, time: str = "time") -> pd.Series:
        """True where ``rows.cadre`` carries ``flag`` (``exit_banned`` or ``suspected``) at ``rows[time]``:
        recorded (ExitBanned / SuspectedViolation) by then and not cleared (FlagCleared) since."""
        raised_by = {"exit_banned": "ExitBanned", "suspected": "SuspectedViolation"}[flag]
        cleared = self.t("FlagCleared")
        raised = self.last_before(rows, self.t(raised_by), by=["cadre"], left_time=time)
        lifted = self.last_before(rows, cleared[cleared["flag"] == flag], by=["cadre"], left_time=time)
        return raised.notna() & (lifted.isna() | (lifted < raised))
