"""OCEL 2.0 JSON: export a log to the published format and import one back through :func:`normalise`.

Mapping (see docs/log-formats.md):

- event and object types → ``eventTypes``/``objectTypes``, each attribute with its OCEL type (string, integer,
  float, boolean, time; a simlib category is an OCEL string);
- attribute values are written as strings, as the published schema requires; a missing value is left out;
- each link of an event → a relationship ``{objectId, qualifier}`` whose qualifier is the link's name
  (``cadre``, ``approver``, ``member`` …);
- object attributes carry the epoch ``1970-01-01T00:00:00Z`` as their time (simlib objects are static);
- the end of the log (``EventLog.end``) is stored in an extra top-level key ``"simlib"``, which the schema
  allows and other tools ignore; a log without it ends at its last event.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.errors import MAX_PROBLEMS, InputError
from simlib.files import write_atomic
from simlib.log.eventlog import EventLog
from simlib.log.limits import check_size
from simlib.log.normalise import normalise
from simlib.log.ocel_schema import validate_structure
from simlib.log.relations import O2O_COLUMNS, fill_from_relations, object_relations
from simlib.log.timed import ENTRY_COLUMNS, split_values
from simlib.log.values import EPOCH, OCEL_TYPES, from_text, parse_times, to_text
from simlib.log.vocabulary import EVENTS, OBJECTS, Attr, EventType

FORMAT = "simlib-ocel/1"
Doc = dict[str, Any]


def _declared(attrs: tuple[Attr, ...]) -> list[Doc]:
    return [{"name": a.name, "type": OCEL_TYPES[a.dtype]} for a in attrs]


# ---------------------------------------------------------------------------------------------------
# export


def _text_columns(df: pd.DataFrame, attrs: tuple[Attr, ...]) -> list[tuple[str, list[Any]]]:
    return [(a.name, to_text(df[a.name], a.dtype, zone=True).tolist()) for a in attrs]


def _rows(columns: list[list[Any]], n: int) -> Iterator[tuple[Any, ...]]:
    """Rows of column lists (``n`` empty rows when there are no columns)."""
    return zip(*columns, strict=True) if columns else repeat((), n)


def _events(log: EventLog) -> list[Doc]:
    """Events in time order (then id). Columns are turned into lists of small dicts first, so the loop per
    event only assembles them."""
    extra: dict[str, list[Doc]] = defaultdict(list)
    for eid, q, oid in log.members.itertuples(index=False):
        extra[eid].append({"objectId": oid, "qualifier": q})
    events: list[Doc] = []
    for name, df in log.tables.items():
        et = EVENTS[name]
        n = len(df)
        attrs = [
            [None if v is None else {"name": a, "value": v} for v in col]
            for a, col in _text_columns(df, et.attrs)
        ]
        links = [  # optional links before required ones (see below)
            [
                None if v is None else {"objectId": v, "qualifier": lk.qualifier}
                for v in _ids(df[lk.qualifier])
            ]
            for lk in sorted(et.single_links, key=lambda lk: lk.required)
        ]
        times = to_text(df["time"], "time", zone=True).tolist()
        for eid, when, av, lv in zip(
            df["event_id"].tolist(), times, _rows(attrs, n), _rows(links, n), strict=True
        ):
            # many-valued links, then optional, then required ones: pm4py's JSON reader keeps only the last
            # qualifier of an object linked twice (a leader who is a member, a custodian who is the cadre)
            rels = list(extra.get(eid, ()))
            rels.extend(r for r in lv if r is not None)
            events.append(
                {
                    "id": eid,
                    "type": name,
                    "time": when,
                    "attributes": [a for a in av if a is not None],
                    "relationships": rels,
                }
            )
    if not log.tables:
        return events
    keys = pd.DataFrame(
        {
            "time": pd.concat([df["time"] for df in log.tables.values()], ignore_index=True),
            "event_id": [ev["id"] for ev in events],
        }
    )
    order = keys.sort_values(["time", "event_id"], kind="stable").index
    return [events[i] for i in order]


def e2o_relations(log: EventLog) -> pd.DataFrame:
    """Every event-to-object relation (``event_id, object_id, qualifier``): each single link of each event and
    the many-valued links (an object may be linked under two qualifiers: a leader who is also a member)."""
    parts = [log.members.rename(columns={"qualifier": "q"})[["event_id", "object_id", "q"]]
             .set_axis(["event_id", "object_id", "qualifier"], axis=1)]
    for name, df in log.tables.items():
        for lk in EVENTS[name].single_links:
            linked = df[df[lk.qualifier].notna()]
            parts.append(pd.DataFrame({"event_id": linked["event_id"].to_numpy(dtype=object),
                                       "object_id": linked[lk.qualifier].to_numpy(dtype=object),
                                       "qualifier": lk.qualifier}))
    return pd.concat(parts, ignore_index=True).astype(object)


def _ids(col: pd.Series) -> list[Any]:
    return col.astype(object).where(col.notna(), None).tolist()


def _objects(log: EventLog) -> list[Doc]:
    """Objects with their attributes at creation (time: the epoch) and every later value (time: the change's),
    and their relationships to other objects (:func:`~simlib.log.relations.object_relations`)."""
    later: dict[str, list[Doc]] = defaultdict(list)
    for name, df in log.changes.items():
        times = to_text(df["time"], "time", zone=True).tolist()
        values = {a.name: to_text(df[a.name], a.dtype, zone=True).tolist() for a in OBJECTS[name].timed_attrs}
        for i, (oid, f) in enumerate(zip(df["object_id"].tolist(), df["field"].tolist(), strict=True)):
            later[oid].append({"name": f, "time": times[i], "value": values[f][i]})
    related: dict[str, list[Doc]] = defaultdict(list)
    for source, target, q in object_relations(log).itertuples(index=False):
        related[source].append({"objectId": target, "qualifier": q})
    out: list[Doc] = []
    for name, df in log.objects.items():
        attrs = _text_columns(df, OBJECTS[name].attrs)
        for i, oid in enumerate(df["object_id"].tolist()):
            values = [{"name": n, "time": EPOCH, "value": col[i]} for n, col in attrs if col[i] is not None]
            out.append({"id": oid, "type": name, "attributes": values + later.get(oid, []),
                        "relationships": related.get(oid, [])})
    return out


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or parsing millions of small dicts (which hold
    no cycles): its passes over the growing heap otherwise double the time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def to_ocel(log: EventLog) -> Doc:
    """The log as an OCEL 2.0 JSON document (a dict)."""
    end = to_text(pd.Series([log.end]), "time", zone=True).iloc[0]
    return {
        "objectTypes": [{"name": n, "attributes": _declared(OBJECTS[n].attrs)} for n in log.objects],
        "eventTypes": [{"name": n, "attributes": _declared(EVENTS[n].attrs)} for n in log.tables],
        "objects": _objects(log),
        "events": _events(log),
        "simlib": {"format": FORMAT, "end": end},
    }


def write_ocel_json(log: EventLog, path: str | Path) -> Path:
    """Write ``log`` as OCEL 2.0 JSON (UTF-8), atomically."""
    # json.dumps, not json.dump: dump streams through the pure-Python encoder (20x slower)
    with no_gc():
        text = json.dumps(to_ocel(log), ensure_ascii=False, separators=(",", ":"))
    return write_atomic(path, text)


# ---------------------------------------------------------------------------------------------------
# import


class Problems(list[InputError]):
    """Independent problems of one file, reported together (at most :data:`MAX_PROBLEMS`; reading stops there)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def add(self, field: str, key: str, **values: Any) -> None:
        """One problem: the catalogue's ``input.<key>`` at ``field``."""
        self.append(InputError(source=self.source, field=field, key=key, values=values))
        if len(self) >= MAX_PROBLEMS:
            self.check()

    def check(self) -> None:
        """Raise the problems found so far, if any (one error; several as its ``problems``)."""
        if self:
            raise InputError.many(list(self), source=self.source)


# OCEL types other tools declare for each vocabulary dtype (pm4py: ``float`` for numbers, ``date`` for times)
ACCEPTED_TYPES = {
    "string": {"string"},
    "category": {"string"},
    "int": {"integer", "int", "float", "double", "number"},
    "float": {"float", "double", "integer", "int", "number"},
    "bool": {"boolean", "bool", "integer", "int", "float", "double", "real"},
    "time": {"time", "date", "datetime", "timestamp"},
}


MISSING_TEXT = frozenset({"None", "null", "NaN", "nan"})
"""Values other tools write for a missing one: read as missing, except ``None`` for a text attribute, which is
how pm4py writes back an empty text it read from XML (a cadre in no key post)."""


def _value(v: Any, dtype: str) -> str | None:
    """An attribute's value as text, None if it is missing (:data:`MISSING_TEXT`)."""
    if type(v) is not str:
        return None if v is None else _text(v)
    if v in MISSING_TEXT:
        return "" if v == "None" and dtype == "string" else None
    return v


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v if isinstance(v, str) else json.dumps(v)


def _check_declarations(doc: Doc, problems: Problems) -> None:
    """Declared attribute types must agree with the vocabulary (``string`` is always accepted, and the types
    other tools write: :data:`ACCEPTED_TYPES`)."""
    for section, types in (("eventTypes", EVENTS), ("objectTypes", OBJECTS)):
        for decl in doc[section]:
            vt = types.get(decl["name"])
            if vt is None:
                continue
            attrs = {a.name: a for a in vt.attrs}
            for a in decl["attributes"]:
                want = attrs.get(a["name"])
                if want is not None and a["type"].lower() not in ACCEPTED_TYPES[want.dtype] | {"string"}:
                    problems.add(f"{section}.{decl['name']}.{a['name']}", "log.ocel.declared_type",
                                 declared=repr(a["type"]), expected=repr(OCEL_TYPES[want.dtype]))


def _read_objects(doc: Doc, problems: Problems
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, pd.DataFrame]]:
    """The objects (typed), the type of each object id, and the changes of timed attributes."""
    source = problems.source
    ids: dict[str, list[str]] = {o["name"]: [] for o in doc["objectTypes"] if o["name"] in OBJECTS}
    kind_of: dict[str, str] = {}
    dtypes = {name: {a.name: a.dtype for a in ot.attrs} for name, ot in OBJECTS.items()}
    entries: list[tuple[str, str, str, Any, str]] = []
    relations: list[tuple[str, str, str]] = []
    for obj in doc["objects"]:
        oid, otype = obj["id"], obj["type"]
        if otype not in OBJECTS:
            problems.add(f"{oid}.type", "log.unknown_object_type", type=repr(otype), types=", ".join(OBJECTS))
            kind_of.setdefault(oid, otype)  # its links are not problems of their own
            continue
        allowed = dtypes[otype]
        for a in obj.get("attributes", ()):
            if a["name"] not in allowed:
                problems.add(f"{oid}.{a['name']}", "log.ocel.unknown_object_attribute", name=repr(a["name"]),
                             type=otype, allowed=", ".join(sorted(allowed)))
                continue
            value = _value(a["value"], dtypes[otype][a["name"]])
            if value is not None:
                entries.append((oid, otype, a["name"], a.get("time"), value))
        relations.extend((oid, r["objectId"], r["qualifier"]) for r in obj.get("relationships", ()))
        ids.setdefault(otype, []).append(oid)  # an id given twice: normalise names it
        kind_of.setdefault(oid, otype)
    long = pd.DataFrame(entries, columns=list(ENTRY_COLUMNS))
    long["time"] = parse_times(long["time"], long["object_id"], "time", source)
    text, changes = split_values(long, ids, source, problems)
    text = fill_from_relations(text, pd.DataFrame(relations, columns=list(O2O_COLUMNS)))
    tables: dict[str, pd.DataFrame] = {}
    for otype, df in text.items():
        data = {"object_id": df["object_id"]}
        for a in OBJECTS[otype].attrs:
            if a.name in df:
                data[a.name] = from_text(df[a.name], a.dtype, df["object_id"], a.name, source)
        tables[otype] = pd.DataFrame(data)
    return tables, kind_of, changes


def _qualifier(et: EventType, rel: Doc, otype: str, eid: str, problems: Problems) -> str | None:
    """The link a relationship fills: its qualifier, or — for a foreign log without our qualifiers — the one
    link of the event type that accepts the object's type (None, and a problem, if there is none)."""
    q = rel["qualifier"]
    if any(lk.qualifier == q for lk in et.links):
        return q
    fits = [lk.qualifier for lk in et.links if otype in lk.types]
    if len(fits) == 1:
        return fits[0]
    problems.add(f"{eid}.relationships", "log.ocel.unknown_qualifier", qualifier=repr(q), type=et.name,
                 otype=otype, id=repr(rel["objectId"]), choices=", ".join(lk.qualifier for lk in et.links))
    return None


@dataclass(frozen=True)
class _Spec:
    """What an event type accepts, as sets for the loop over events."""

    et: EventType
    attrs: frozenset[str]
    links: frozenset[str]
    many: frozenset[str]
    dtypes: dict[str, str]

    @classmethod
    def of(cls, et: EventType) -> _Spec:
        return cls(
            et,
            frozenset(a.name for a in et.attrs),
            frozenset(lk.qualifier for lk in et.links),
            frozenset(lk.qualifier for lk in et.many_links),
            {a.name: a.dtype for a in et.attrs},
        )


def _read_events(
    doc: Doc, kind_of: dict[str, str], problems: Problems
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    source = problems.source
    rows: dict[str, list[Doc]] = defaultdict(list)
    times: list[Any] = []  # every event's time, parsed in one go (one parse per event type costs more than all)
    time_ids: list[Any] = []
    members: list[tuple[str, str, str]] = []
    specs = {name: _Spec.of(et) for name, et in EVENTS.items()}
    for ev in doc["events"]:
        eid, etype = ev["id"], ev["type"]
        spec = specs.get(etype)
        if spec is None:
            problems.add(f"{eid}.type", "log.unknown_event_type", type=repr(etype))
            continue
        row: Doc = {"event_id": eid, "time": len(times)}
        times.append(ev["time"])
        time_ids.append(eid)
        for a in ev.get("attributes", ()):
            name, value = a["name"], a["value"]
            if name not in spec.attrs:
                problems.add(f"{eid}.{name}", "log.ocel.unknown_event_attribute", name=repr(name), type=etype,
                             allowed=", ".join(sorted(spec.attrs)) or "none")
                continue
            value = _value(value, spec.dtypes[name])
            if value is not None:
                row[name] = value
        for rel in ev.get("relationships", ()):
            oid = rel["objectId"]
            otype = kind_of.get(oid)
            if otype is None:
                problems.add(f"{eid}.relationships", "log.ocel.link_unknown", type=etype, id=repr(oid))
                continue
            q = rel["qualifier"]
            if q not in spec.links:
                q = _qualifier(spec.et, rel, otype, eid, problems)
                if q is None:
                    continue
            if q in spec.many:
                members.append((eid, q, oid))
            elif q in row:
                if row[q] != oid:
                    problems.add(f"{eid}.{q}", "log.ocel.two_links", qualifier=q, quoted=repr(q), type=etype)
            else:
                row[q] = oid
        rows[etype].append(row)
    problems.check()
    parsed = parse_times(pd.Series(times, dtype=object), pd.Series(time_ids, dtype=object), "time", source).to_numpy()
    tables: dict[str, pd.DataFrame] = {}
    for etype, recs in rows.items():
        df = pd.DataFrame.from_records(recs)
        ids = df["event_id"]
        df["time"] = parsed[df["time"].to_numpy(dtype=np.int64)]
        for a in EVENTS[etype].attrs:
            if a.name in df:
                df[a.name] = from_text(df[a.name], a.dtype, ids, a.name, source)
        tables[etype] = df
    return tables, pd.DataFrame(members, columns=["event_id", "qualifier", "object_id"]).drop_duplicates()


def _end(doc: Doc, source: str) -> pd.Timestamp | None:
    meta = doc.get("simlib")
    if not isinstance(meta, dict) or meta.get("end") is None:
        return None
    raw = pd.Series([meta["end"]], dtype=object)
    return parse_times(raw, pd.Series(["simlib"]), "end", source).iloc[0]


def from_ocel(doc: Any, source: str = "<memory>") -> EventLog:
    """Validate an OCEL 2.0 document (structure, vocabulary, types, links) and build the log."""
    validate_structure(doc, source)
    problems = Problems(source)
    _check_declarations(doc, problems)
    with no_gc():
        objects, kind_of, changes = _read_objects(doc, problems)
        tables, members = _read_events(doc, kind_of, problems)
    return normalise(tables, objects, members, end=_end(doc, source), source=source, changes=changes)


def read_ocel_json(path: str | Path) -> EventLog:
    """Read an OCEL 2.0 JSON file, or raise :class:`InputError` naming the file, the field and the fix."""
    return from_ocel(load_json_document(path), str(path))


def load_json_document(path: str | Path) -> Any:
    """An OCEL 2.0 JSON file as parsed JSON (size and syntax checked; the content by :func:`from_ocel`)."""
    path = Path(path)
    source = str(path)
    if path.exists():
        check_size(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source=source, key="log.no_file") from None
    except UnicodeDecodeError as exc:
        raise InputError(source=source, key="log.ocel.not_utf8",
                         values={"reason": exc.reason, "at": exc.start}) from None
    try:
        with no_gc():
            doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source=source, field=f"line {exc.lineno} column {exc.colno}", key="log.ocel.bad_json",
                         values={"problem": exc.msg}) from None
    return doc
