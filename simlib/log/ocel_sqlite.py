"""OCEL 2.0 SQLite: export a log to the relational form of the standard and import one back.

Tables written (the standard's, with their keys, so that ``pm4py.objects.ocel.validation.ocel20_rel_validation``
finds all 24 constraints satisfied; see docs/log-formats.md):

- ``event``, ``object`` (id, type) and ``event_map_type``, ``object_map_type`` (a type's table suffix: its name);
- ``event_<Type>``: ``ocel_id``, ``ocel_time`` and one typed column per attribute of the type (``TEXT``,
  ``INTEGER``, ``REAL``, ``BOOLEAN`` as 0/1, ``TIMESTAMP`` as ISO 8601 text with the +08:00 offset);
- ``object_<type>``: one row per object with its values at creation (``ocel_time`` 1970-01-01, no
  ``ocel_changed_field``) and one row per change of a timed attribute (its time, the field, the new value);
- ``event_object`` (event, object, qualifier: an object may be linked under two qualifiers) and
  ``object_object`` (:func:`~simlib.log.relations.object_relations`);
- ``simlib_meta`` (key, value): the format and the end of the log. Other tools ignore it (pm4py does not write
  it back); a file without it ends at its last event or change.

Reading accepts what pm4py writes (``REAL`` columns holding whole numbers, times with any offset, values
repeated on the change rows, ``NULL`` times on the rows at creation) and goes through the same checks as
OCEL 2.0 JSON (:func:`simlib.log.ocel.from_ocel`). The file is opened read-only, and refused above the size
limit (:func:`simlib.log.limits.check_size`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.errors import InputError
from simlib.files import atomic_path
from simlib.log.eventlog import EventLog
from simlib.log.limits import check_size
from simlib.log.ocel import FORMAT, Problems, e2o_relations, from_ocel, no_gc
from simlib.log.relations import object_relations
from simlib.log.values import EPOCH, to_text
from simlib.log.vocabulary import EVENTS, OBJECTS, Attr

MAGIC = b"SQLite format 3\x00"
SQL_TYPES = {"string": "TEXT", "category": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN",
             "time": "TIMESTAMP"}
META = "simlib_meta"


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _values(col: pd.Series, dtype: str) -> list[Any]:
    """A typed column as Python values for SQLite (None where missing)."""
    missing = col.isna().to_numpy()
    if dtype == "bool":
        values = col.fillna(False).to_numpy(dtype=bool).astype("int64").tolist()
    elif dtype == "int":
        values = col.fillna(0).to_numpy(dtype="int64").tolist()
    elif dtype == "float":
        values = col.to_numpy(dtype="float64").tolist()
    elif dtype == "time":
        values = to_text(col, "time", zone=True).tolist()
    else:
        values = col.astype(object).tolist()
    return [None if m else v for v, m in zip(values, missing, strict=True)]


def _columns(attrs: tuple[Attr, ...]) -> str:
    return "".join(f", {_q(a.name)} {SQL_TYPES[a.dtype]}" for a in attrs)


def _rows(*columns: list[Any]) -> Iterator[tuple[Any, ...]]:
    return zip(*columns, strict=True)


def _write(conn: sqlite3.Connection, log: EventLog) -> None:
    c = conn.cursor()
    c.executescript("""
        CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT REFERENCES event_map_type (ocel_type));
        CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT REFERENCES object_map_type (ocel_type));
        CREATE TABLE event_object (ocel_event_id TEXT REFERENCES event (ocel_id),
            ocel_object_id TEXT REFERENCES object (ocel_id), ocel_qualifier TEXT,
            PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier));
        CREATE TABLE object_object (ocel_source_id TEXT REFERENCES object (ocel_id),
            ocel_target_id TEXT REFERENCES object (ocel_id), ocel_qualifier TEXT,
            PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier));
        CREATE TABLE simlib_meta (key TEXT PRIMARY KEY, value TEXT);
    """)
    c.executemany("INSERT INTO event_map_type VALUES (?, ?)", [(n, n) for n in log.tables])
    c.executemany("INSERT INTO object_map_type VALUES (?, ?)", [(n, n) for n in log.objects])
    for name, df in log.tables.items():
        attrs = EVENTS[name].attrs
        table = _q(f"event_{name}")
        c.execute(f"CREATE TABLE {table} (ocel_id TEXT PRIMARY KEY REFERENCES event (ocel_id), "
                  f"ocel_time TIMESTAMP{_columns(attrs)})")
        ids = df["event_id"].astype(object).tolist()
        c.executemany("INSERT INTO event VALUES (?, ?)", _rows(ids, [name] * len(ids)))
        c.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * (len(attrs) + 2))})",
                      _rows(ids, to_text(df["time"], "time", zone=True).tolist(),
                            *(_values(df[a.name], a.dtype) for a in attrs)))
    for name, df in log.objects.items():
        attrs = OBJECTS[name].attrs
        table = _q(f"object_{name}")
        c.execute(f"CREATE TABLE {table} (ocel_id TEXT REFERENCES object (ocel_id), ocel_time TIMESTAMP, "
                  f"ocel_changed_field TEXT{_columns(attrs)})")
        ids = df["object_id"].astype(object).tolist()
        n = len(ids)
        c.executemany("INSERT INTO object VALUES (?, ?)", _rows(ids, [name] * n))
        insert = f"INSERT INTO {table} VALUES ({', '.join('?' * (len(attrs) + 3))})"
        c.executemany(insert, _rows(ids, [EPOCH] * n, [None] * n, *(_values(df[a.name], a.dtype) for a in attrs)))
        ch = log.changes.get(name)
        if ch is not None:
            m = len(ch)
            c.executemany(insert, _rows(ch["object_id"].astype(object).tolist(),
                                        to_text(ch["time"], "time", zone=True).tolist(),
                                        ch["field"].astype(object).tolist(),
                                        *(_values(ch[a.name], a.dtype) if a.timed else [None] * m for a in attrs)))
    c.executemany("INSERT INTO event_object VALUES (?, ?, ?)", e2o_relations(log).itertuples(index=False))
    c.executemany("INSERT INTO object_object VALUES (?, ?, ?)", object_relations(log).itertuples(index=False))
    end = to_text(pd.Series([log.end]), "time", zone=True).iloc[0]
    c.executemany("INSERT INTO simlib_meta VALUES (?, ?)", [("format", FORMAT), ("end", end)])


def write_ocel_sqlite(log: EventLog, path: str | Path) -> Path:
    """Write ``log`` as an OCEL 2.0 SQLite database, atomically (an existing file is replaced)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a temporary file, renamed once complete: no journal
            conn.execute("PRAGMA synchronous = OFF")
            with conn:
                _write(conn, log)
        finally:
            conn.close()
    return path


# ---------------------------------------------------------------------------------------------------
# import

REQUIRED = ("event", "object", "event_object", "event_map_type", "object_map_type")


def _ocel_type(sql_type: str) -> str:
    """The OCEL attribute type of a column's declared SQL type."""
    t = sql_type.upper()
    if "INT" in t:
        return "integer"
    if any(k in t for k in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")):
        return "float"
    if "BOOL" in t:
        return "boolean"
    if any(k in t for k in ("TIME", "DATE")):
        return "time"
    return "string"


def _text(v: Any) -> Any:
    """A cell as an OCEL JSON value: text, a number or a flag as stored (ids and times become text)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return v


def _id(v: Any) -> str:
    """An id as text; a whole number stored as a float (pm4py) loses its ``.0``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v if isinstance(v, str) else str(_text(v))


class _Reader:
    """The database as an OCEL 2.0 JSON document (a dict) for :func:`~simlib.log.ocel.from_ocel`."""

    def __init__(self, conn: sqlite3.Connection, problems: Problems) -> None:
        self.conn = conn
        self.problems = problems
        self.tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def columns(self, table: str) -> list[tuple[str, str]]:
        """Name and declared type of each column but pm4py's own (``ocel:activity``, ``ocel:type``)."""
        return [(r[1], r[2] or "") for r in self.conn.execute(f"PRAGMA table_info({_q(table)})")
                if not r[1].startswith("ocel:")]

    def select(self, table: str, columns: list[str] | None = None) -> list[tuple[Any, ...]]:
        names = columns or [n for n, _ in self.columns(table)]
        return self.conn.execute(f"SELECT {', '.join(_q(c) for c in names)} FROM {_q(table)}").fetchall()


    def type_tables(self, kind: str) -> dict[str, str]:
        """Type name → its table (``event_<map>``), for the types whose table exists."""
        out: dict[str, str] = {}
        for otype, suffix in self.select(f"{kind}_map_type", ["ocel_type", "ocel_type_map"]):
            table = f"{kind}_{suffix}"
            if table in self.tables:
                out[str(otype)] = table
            else:
                self.problems.add(f"{kind}_map_type", f"log.sqlite.no_{kind}_table", table=table, type=repr(otype),
                                  map=f"{kind}_map_type")
        return out

    def declared(self, table: str, fixed: int) -> list[dict[str, str]]:
        return [{"name": n, "type": _ocel_type(t)} for n, t in self.columns(table)[fixed:]]

    def document(self) -> dict[str, Any]:
        missing = [t for t in REQUIRED if t not in self.tables]
        for t in missing:
            self.problems.add(t, "log.sqlite.no_table", table=repr(t), tables=", ".join(REQUIRED))
        self.problems.check()
        event_tables = self.type_tables("event")
        object_tables = self.type_tables("object")
        self.problems.check()
        doc: dict[str, Any] = {"eventTypes": [], "objectTypes": [], "events": [], "objects": []}
        links: dict[str, list[dict[str, str]]] = defaultdict(list)
        for eid, oid, q in self.select("event_object", ["ocel_event_id", "ocel_object_id", "ocel_qualifier"]):
            links[_id(eid)].append({"objectId": _id(oid), "qualifier": "" if q is None else str(q)})
        for etype, table in event_tables.items():
            doc["eventTypes"].append({"name": etype, "attributes": self.declared(table, 2)})
            names = [n for n, _ in self.columns(table)]
            if names[:2] != ["ocel_id", "ocel_time"]:
                self.problems.add(table, "log.sqlite.first_columns")
                continue
            for row in self.select(table):
                eid = _id(row[0])
                attrs = [{"name": n, "value": _text(v)} for n, v in zip(names[2:], row[2:], strict=True)
                         if v is not None]
                doc["events"].append({"id": eid, "type": etype, "time": "" if row[1] is None else str(row[1]),
                                      "attributes": attrs, "relationships": links.get(eid, [])})
        related: dict[str, list[dict[str, str]]] = defaultdict(list)
        if "object_object" in self.tables:
            for src, dst, q in self.select("object_object", ["ocel_source_id", "ocel_target_id", "ocel_qualifier"]):
                related[_id(src)].append({"objectId": _id(dst), "qualifier": "" if q is None else str(q)})
        for otype, table in object_tables.items():
            names = [n for n, _ in self.columns(table)]
            if "ocel_id" not in names:
                self.problems.add(table, "log.sqlite.no_id_column")
                continue
            fixed = {"ocel_id", "ocel_time", "ocel_changed_field"}
            doc["objectTypes"].append({"name": otype, "attributes": [
                {"name": n, "type": _ocel_type(t)} for n, t in self.columns(table) if n not in fixed]})
            objects: dict[str, dict[str, Any]] = {}
            for row in self.select(table):
                cells = dict(zip(names, row, strict=True))
                oid = _id(cells["ocel_id"])
                obj = objects.get(oid)
                if obj is None:
                    obj = objects[oid] = {"id": oid, "type": otype, "attributes": [],
                                          "relationships": related.get(oid, [])}
                when = cells.get("ocel_time")
                field = cells.get("ocel_changed_field")
                time = EPOCH if field is None or when is None else str(when)
                obj["attributes"].extend({"name": n, "time": time, "value": _text(v)} for n, v in cells.items()
                                         if n not in fixed and v is not None and (field is None or n == field))
            doc["objects"].extend(objects.values())
        declared = {o["id"] for o in doc["objects"]}
        for oid, otype in self.select("object", ["ocel_id", "ocel_type"]):  # objects without a row of values
            if _id(oid) not in declared:
                doc["objects"].append({"id": _id(oid), "type": str(otype), "attributes": [],
                                       "relationships": related.get(_id(oid), [])})
        if META in self.tables:
            meta = dict(self.select(META, ["key", "value"]))
            doc["simlib"] = {"format": meta.get("format"), "end": meta.get("end")}
        self.problems.check()
        return doc


def read_ocel_sqlite(path: str | Path) -> EventLog:
    """Read an OCEL 2.0 SQLite file (read-only), or raise :class:`InputError` naming the file, table and fix."""
    return from_ocel(load_sqlite_document(path), str(path))


def load_sqlite_document(path: str | Path) -> dict[str, Any]:
    """An OCEL 2.0 SQLite file as an OCEL 2.0 JSON document (a dict), for :func:`from_ocel`."""
    path = Path(path)
    source = str(path)
    check_size(path)
    with path.open("rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise InputError(source=source, key="log.sqlite.not_sqlite")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(source=source, key="log.sqlite.cannot_open", values={"problem": str(exc)}) from None
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        with no_gc():
            doc = _Reader(conn, Problems(source)).document()
    except sqlite3.Error as exc:
        raise InputError(source=source, key="log.sqlite.cannot_read", values={"problem": str(exc)}) from None
    except UnicodeDecodeError as exc:
        raise InputError(source=source, key="log.sqlite.not_utf8",
                         values={"byte": f"0x{exc.object[exc.start]:02x}"}) from None
    finally:
        conn.close()
    return doc


__all__ = ["read_ocel_sqlite", "write_ocel_sqlite"]
