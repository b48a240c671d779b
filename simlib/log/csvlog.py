"""CSV for people who keep records in spreadsheets: one long events table and one objects table beside it.

``LOG.csv`` has one row per event: ``event_id, type, time``, then one column per link (``cadre``, ``trip``,
``approver`` …; a many-valued link such as ``member`` holds ``;``-separated ids), then one column per
attribute. A cell is blank where the event type has no such field or the value is unknown. One optional row
of type ``log_end`` gives the time the records end (missing steps are judged only when due before it).
``LOG.objects.csv`` has ``object_id, type`` and one column per object attribute, one row per object with its
values at creation. When timed attributes change (a promotion, a transfer), a ``time`` column follows ``type``:
blank on those rows, and each later row with a time gives the new values of the attributes it fills from that
time on. An empty text is written ``""`` (a blank cell is a missing value; a text attribute blank at creation
that changes later was empty text). Both files are UTF-8 with a byte-order mark, so that spreadsheet programs
show Chinese text.
Format reference: docs/log-formats.md.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from simlib.errors import InputError
from simlib.files import atomic_path
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.limits import check_size
from simlib.log.normalise import normalise
from simlib.log.values import from_text, parse_times, time_unit, to_text
from simlib.log.vocabulary import EVENT_TYPES, EVENTS, OBJECT_TYPES, OBJECTS, Attr

END_TYPE = "log_end"
EVENT_KEYS = ("event_id", "type", "time")
OBJECT_KEYS = ("object_id", "type")
LIST_SEP = ";"
ENCODING = "utf-8-sig"
TEXT_ATTRS = sorted({a.name for t in (*EVENT_TYPES, *OBJECT_TYPES) for a in t.attrs if a.dtype == "string"})


def objects_path(path: str | Path) -> Path:
    """The objects file that goes with an events file: ``log.csv`` → ``log.objects.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.objects.csv")


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def event_field_names() -> tuple[list[str], list[str], list[str]]:
    """Every single-link, many-link and attribute column the events CSV may have, in vocabulary order."""
    single = _unique(lk.qualifier for et in EVENT_TYPES for lk in et.single_links)
    many = _unique(lk.qualifier for et in EVENT_TYPES for lk in et.many_links)
    attrs = _unique(a.name for et in EVENT_TYPES for a in et.attrs)
    return single, many, attrs


# ---------------------------------------------------------------------------------------------------
# export


def _time_units(log: EventLog) -> dict[str, str]:
    """One text unit per time column, coarse enough for a spreadsheet and fine enough for every value."""
    cols: dict[str, list[pd.Series]] = {"time": [pd.Series([log.end], dtype=TIME_DTYPE)]}
    for name, df in log.tables.items():
        cols["time"].append(df["time"])
        for a in EVENTS[name].attrs:
            if a.dtype == "time":
                cols.setdefault(a.name, []).append(df[a.name])
    return {c: time_unit(pd.concat(parts, ignore_index=True)) for c, parts in cols.items()}


def _attr_text(df: pd.DataFrame, attrs: tuple[Attr, ...], units: dict[str, str]) -> dict[str, pd.Series]:
    return {a.name: to_text(df[a.name], a.dtype, zone=False, unit=units.get(a.name, "ms")) for a in attrs}


def events_frame(log: EventLog) -> pd.DataFrame:
    """The events CSV as a frame of text (None = blank cell), in time order, with the ``log_end`` row last."""
    units = _time_units(log)
    single, many, attrs = event_field_names()
    joined = {
        q: g.groupby("event_id")["object_id"].agg(LIST_SEP.join) for q, g in log.members.groupby("qualifier")
    }
    blocks: list[pd.DataFrame] = []
    for name, df in log.tables.items():
        et = EVENTS[name]
        block = {
            "event_id": df["event_id"].astype(object),
            "type": pd.Series(name, index=df.index, dtype=object),
            "time": to_text(df["time"], "time", zone=False, unit=units["time"]),
            "_t": df["time"],
        }
        block.update(
            {
                lk.qualifier: df[lk.qualifier].astype(object).where(df[lk.qualifier].notna(), None)
                for lk in et.single_links
            }
        )
        for lk in et.many_links:
            block[lk.qualifier] = (
                df["event_id"].map(joined.get(lk.qualifier, pd.Series(dtype=object))).astype(object)
            )
        block.update(_attr_text(df, et.attrs, units))
        blocks.append(pd.DataFrame(block))
    used = set().union(*(b.columns for b in blocks)) if blocks else set()
    columns = [*EVENT_KEYS, *(c for c in (*single, *many, *attrs) if c in used)]
    body = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=[*columns, "_t"])
    body = body.sort_values(["_t", "event_id"], kind="stable", ignore_index=True).reindex(columns=columns)
    end = to_text(pd.Series([log.end], dtype=TIME_DTYPE), "time", zone=False, unit=units["time"]).iloc[0]
    end_row = pd.DataFrame([{"event_id": None, "type": END_TYPE, "time": end}]).reindex(columns=columns)
    return pd.concat([body.astype(object), end_row.astype(object)], ignore_index=True)


def objects_frame(log: EventLog) -> pd.DataFrame:
    """The objects CSV as a frame of text: one row per object, then (with a ``time``) one per change."""
    blocks = []
    for name, df in log.objects.items():
        block = {
            "object_id": df["object_id"].astype(object),
            "type": pd.Series(name, index=df.index, dtype=object),
        }
        block.update(_attr_text(df, OBJECTS[name].attrs, {}))
        blocks.append(pd.DataFrame(block))
    keys: tuple[str, ...] = OBJECT_KEYS
    if log.changes:
        keys = (*OBJECT_KEYS, "time")
        unit = time_unit(pd.concat([df["time"] for df in log.changes.values()], ignore_index=True))
        for name, df in log.changes.items():
            block = {"object_id": df["object_id"].astype(object),
                     "type": pd.Series(name, index=df.index, dtype=object),
                     "time": to_text(df["time"], "time", zone=False, unit=unit)}
            block.update(_attr_text(df, OBJECTS[name].timed_attrs, {}))
            blocks.append(pd.DataFrame(block))
    used = set().union(*(b.columns for b in blocks)) if blocks else set()
    columns = [
        *keys,
        *(c for c in _unique(a.name for ot in OBJECT_TYPES for a in ot.attrs) if c in used),
    ]
    return (
        pd.concat(blocks, ignore_index=True).reindex(columns=columns)
        if blocks
        else pd.DataFrame(columns=columns)
    )


def _cells(column: pd.Series) -> pd.Series:
    """A text column as CSV cells: blank where missing, ``""`` for an empty text, quoted where needed."""
    missing = column.isna().to_numpy()
    text = column.astype(object).where(~missing, "").astype(str)
    quote = text.str.contains('[",\r\n]', regex=True).to_numpy() | ((text == "").to_numpy() & ~missing)
    return text.where(~quote, '"' + text.str.replace('"', '""', regex=False) + '"')


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Text columns to CSV, quoting only the cells that need it and an empty text (``""``, unlike the blank
    of a missing value; neither pandas nor the csv module can tell the two apart when writing)."""
    lines = pd.Series([",".join(frame.columns)], dtype=object)
    if len(frame):
        cells = [_cells(frame[c]) for c in frame.columns]
        lines = pd.concat([lines, cells[0].str.cat(cells[1:], sep=",")], ignore_index=True)
    with atomic_path(path) as tmp:
        tmp.write_text("".join(line + "\n" for line in lines), encoding=ENCODING)


def write_csv(log: EventLog, path: str | Path) -> tuple[Path, Path]:
    """Write ``LOG.csv`` and ``LOG.objects.csv``; returns both paths."""
    path = Path(path)
    clash = log.members["object_id"].str.contains(LIST_SEP, regex=False)
    if clash.any():
        oid = log.members["object_id"][clash].iloc[0]
        raise ValueError(f"object id {oid!r} contains {LIST_SEP!r}, which separates ids in the CSV form")
    _write(events_frame(log), path)
    _write(objects_frame(log), objects_path(path))
    return path, objects_path(path)


# ---------------------------------------------------------------------------------------------------
# import


def _header(path: Path, source: str, keys: tuple[str, ...], what: str) -> list[str]:
    try:
        with path.open(encoding=ENCODING, newline="") as fh:
            return next(csv.reader(fh), [])
    except FileNotFoundError:
        key = "log.csv.no_objects_file" if what == "objects" else "log.no_file"
        raise InputError(source=source, key=key) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(source=source, field="(header)", key="log.csv.unreadable",
                         values={"problem": str(exc)}) from None


def _load(path: Path, keys: tuple[str, ...], known: Iterable[str], what: str) -> pd.DataFrame:
    """The file as text columns (blank cells missing; a quoted ``""`` is an empty text in a text attribute's
    column and missing in any other), after checking its columns."""
    source = str(path)
    header = _header(path, source, keys, what)
    if not header:
        raise InputError(source=source, field="(header)", key="log.csv.empty", values={"columns": ", ".join(keys)})
    for key in keys:
        if key not in header:
            raise InputError(source=source, field=key, key="log.csv.no_column",
                             values={"column": repr(key), "columns": ", ".join(keys)})
    allowed = set(keys) | set(known)
    for col in header:
        if col not in allowed or header.count(col) > 1:
            key = "log.csv.unknown_column" if col not in allowed else "log.csv.repeated_column"
            raise InputError(source=source, field=col, key=key, values={"column": repr(col)})
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), null_values=[""], strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(source=source, key="log.csv.unreadable",
                         values={"problem": str(exc).splitlines()[0]}) from None
    df = table.to_pandas()
    for col in df.columns.difference(TEXT_ATTRS):
        df[col] = df[col].where(df[col] != "")
    return df


def _no_stray_values(block: pd.DataFrame, allowed: set[str], ids: pd.Series, kind: str, source: str) -> None:
    """``kind``: the row's type and whether it is an object or an event (``cadre object``)."""
    stray = [c for c in block.columns if c not in allowed]
    if not stray:
        return
    filled = block[stray].notna().to_numpy()
    if filled.any():
        row, col = (int(x[0]) for x in np.nonzero(filled))
        name, what = kind.rsplit(" ", 1)
        raise InputError(source=source, field=f"{ids.iloc[row]}.{stray[col]}", key=f"log.csv.stray_{what}_value",
                         values={"type": name, "column": repr(stray[col])})


def _row_ids(df: pd.DataFrame, key: str, source: str) -> pd.Series:
    missing = df[key].isna()
    if missing.any():
        line = int(missing[missing].index[0]) + 2  # the header is line 1
        raise InputError(source=source, field=f"line {line}.{key}", key="log.csv.no_key",
                         values={"line": line, "column": key})
    return df[key]


def _read_objects(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The objects (rows without a time) and the changes of timed attributes (rows with one), by type."""
    source = str(path)
    df = _load(path, OBJECT_KEYS, ("time", *(a.name for ot in OBJECT_TYPES for a in ot.attrs)), "objects")
    ids = _row_ids(df, "object_id", source)
    _row_ids(df, "type", source)
    timed = df["time"].notna() if "time" in df else pd.Series(False, index=df.index)
    out: dict[str, pd.DataFrame] = {}
    changes: dict[str, pd.DataFrame] = {}
    for name, block in df.groupby("type", sort=False):
        if name not in OBJECTS:
            i = int((df["type"] == name).to_numpy().nonzero()[0][0])
            raise InputError(source=source, field=f"{ids.iloc[i]}.type", key="log.unknown_object_type",
                             values={"type": repr(name), "types": ", ".join(OBJECTS)})
        attrs = OBJECTS[name].attrs
        _no_stray_values(
            block, {*OBJECT_KEYS, "time", *(a.name for a in attrs)}, block["object_id"], f"{name} object", source
        )
        later = block[timed.loc[block.index]]
        block = block[~timed.loc[block.index]]
        data = {"object_id": block["object_id"]}
        data.update(
            {
                a.name: from_text(block[a.name], a.dtype, block["object_id"], a.name, source)
                for a in attrs
                if a.name in block
            }
        )
        out[name] = pd.DataFrame(data).reset_index(drop=True)
        if len(later):
            changes[name] = _changes(later, name, source)
            _empty_text_at_creation(out[name], changes[name], name)
    return out, changes


def _empty_text_at_creation(objects: pd.DataFrame, changes: pd.DataFrame, name: str) -> None:
    """A blank cell is a missing value, except the value at creation of a text attribute that changes later: a
    change needs a value before it, and a blank text is empty text (a cadre in no key post, ``key_post`` '')."""
    for a in OBJECTS[name].timed_attrs:
        if a.dtype == "string" and a.name in objects:
            changed = objects["object_id"].isin(changes.loc[changes["field"] == a.name, "object_id"])
            objects.loc[changed & objects[a.name].isna(), a.name] = ""


def _changes(rows: pd.DataFrame, name: str, source: str) -> pd.DataFrame:
    """Rows with a time as changes (one per attribute a row fills): ``object_id, time, field`` and the value."""
    attrs = [a for a in OBJECTS[name].attrs if a.name in rows and rows[a.name].notna().any()]
    filled = rows[[a.name for a in attrs]].notna()
    empty = ~filled.any(axis=1)
    if empty.any():
        oid = rows["object_id"][empty].iloc[0]
        raise InputError(source=source, field=f"{oid}.time", key="log.csv.no_new_value")
    parts = []
    for a in attrs:
        sel = rows[filled[a.name]]
        parts.append(pd.DataFrame({
            "object_id": sel["object_id"].to_numpy(),
            "time": parse_times(sel["time"], sel["object_id"], "time", source).to_numpy(),
            "field": a.name,
            a.name: from_text(sel[a.name], a.dtype, sel["object_id"], a.name, source).array,
        }))
    return pd.concat(parts, ignore_index=True)


def _end(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    is_end = df["type"] == END_TYPE
    if not is_end.any():
        return df, None
    if is_end.sum() > 1:
        raise InputError(source=source, field=END_TYPE, key="log.csv.two_ends", values={"end": END_TYPE})
    rows = df[is_end]
    end = parse_times(rows["time"], pd.Series([END_TYPE]), "time", source).iloc[0]
    return df[~is_end], (None if pd.isna(end) else end)


def read_csv(path: str | Path) -> EventLog:
    """Read ``LOG.csv`` and ``LOG.objects.csv``, or raise :class:`InputError` naming file, row and field."""
    path = Path(path)
    source = str(path)
    check_size(*(p for p in (path, objects_path(path)) if p.exists()))
    objects, changes = _read_objects(objects_path(path))
    normalise({}, objects, source=str(objects_path(path)))  # object problems name the objects file
    single, many, attrs = event_field_names()
    df = _load(path, EVENT_KEYS, (*single, *many, *attrs), "events")
    df, end = _end(df, source)
    ids = _row_ids(df, "event_id", source)
    _row_ids(df, "type", source)
    tables: dict[str, pd.DataFrame] = {}
    members: list[pd.DataFrame] = []
    for name, block in df.groupby("type", sort=False):
        if name not in EVENTS:
            i = int((df["type"] == name).to_numpy().nonzero()[0][0])
            raise InputError(source=source, field=f"{ids.iloc[i]}.type", key="log.unknown_event_type",
                             values={"type": repr(name)})
        et = EVENTS[name]
        bid = block["event_id"]
        allowed = {*EVENT_KEYS, *(lk.qualifier for lk in et.links), *(a.name for a in et.attrs)}
        _no_stray_values(block, allowed, bid, f"{name} event", source)
        data = {"event_id": bid, "time": parse_times(block["time"], bid, "time", source)}
        data.update({lk.qualifier: block[lk.qualifier] for lk in et.single_links if lk.qualifier in block})
        data.update(
            {
                a.name: from_text(block[a.name], a.dtype, bid, a.name, source)
                for a in et.attrs
                if a.name in block
            }
        )
        for lk in et.many_links:
            if lk.qualifier in block:
                lists = block[lk.qualifier].dropna().str.split(LIST_SEP).explode().str.strip()
                lists = lists[lists != ""]
                members.append(
                    pd.DataFrame(
                        {
                            "event_id": bid.loc[lists.index].to_numpy(),
                            "qualifier": lk.qualifier,
                            "object_id": lists.to_numpy(),
                        }
                    )
                )
        tables[name] = pd.DataFrame(data).reset_index(drop=True)
    links = pd.concat(members, ignore_index=True) if members else None
    return normalise(tables, objects, links, end=end, source=source, changes=changes)
