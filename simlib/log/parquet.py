"""Parquet: a log as a directory of Parquet tables, one per event type and per object type.

Layout of ``LOG.parquet/`` (see docs/log-formats.md)::

    manifest.json            {"format": "simlib-parquet/1", "end": ..., "events": {type: file}, ...}
    events/<EventType>.parquet
    objects/<object_type>.parquet
    changes/<object_type>.parquet   later values of timed object attributes (only types with changes;
                                    the manifest's "changes" key is written only when there are some)
    members.parquet          many-valued links (event_id, qualifier, object_id)

The manifest lists every table, so a missing table is an error rather than a silently smaller log.
Reading goes through :func:`normalise` like every other input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simlib.errors import InputError
from simlib.files import atomic_path
from simlib.log.eventlog import EventLog
from simlib.log.limits import check_size
from simlib.log.normalise import normalise

FORMAT = "simlib-parquet/1"
MANIFEST = "manifest.json"


def _write_table(df: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, compression="zstd")


def write_parquet(log: EventLog, path: str | Path) -> Path:
    """Write ``log`` as a Parquet directory; an existing simlib Parquet log at ``path`` is replaced."""
    path = Path(path)
    if path.exists() and not (path / MANIFEST).is_file():
        raise FileExistsError(f"{path} exists and is not a simlib Parquet log; not overwriting it")
    with atomic_path(path, directory=True) as tmp:
        (tmp / "events").mkdir()
        (tmp / "objects").mkdir()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "end": log.end.isoformat(),
            "events": {},
            "objects": {},
            "members": "members.parquet",
        }
        for name, df in log.tables.items():
            manifest["events"][name] = f"events/{name}.parquet"
            _write_table(df, tmp / manifest["events"][name])
        for name, df in log.objects.items():
            manifest["objects"][name] = f"objects/{name}.parquet"
            _write_table(df, tmp / manifest["objects"][name])
        _write_table(log.members, tmp / manifest["members"])
        if log.changes:
            (tmp / "changes").mkdir()
            manifest["changes"] = {}
            for name, df in log.changes.items():
                manifest["changes"][name] = f"changes/{name}.parquet"
                _write_table(df, tmp / manifest["changes"][name])
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _manifest(path: Path) -> dict[str, Any]:
    source = str(path)
    if not path.exists():
        raise InputError("not found", source=source, fix="check the path")
    if not path.is_dir():
        raise InputError(
            "a simlib Parquet log is a directory, this is a file",
            source=source,
            fix="pass the LOG.parquet directory written by simlib (see docs/log-formats.md)",
        )
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"no {MANIFEST} in the directory",
            source=source,
            field=MANIFEST,
            fix="write the log with simlib (write_log / simlib report), see docs/log-formats.md",
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}",
            source=str(path / MANIFEST),
            field=f"line {exc.lineno} column {exc.colno}",
            fix="write the log again",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(
            f"unknown format {manifest.get('format') if isinstance(manifest, dict) else manifest!r}",
            source=str(path / MANIFEST),
            field="format",
            fix=f"expected {FORMAT!r}",
        )
    for key in ("events", "objects", "changes"):
        if not isinstance(manifest.get(key, {}), dict):
            raise InputError(
                f"{key!r} must map each type to its file",
                source=str(path / MANIFEST),
                field=key,
                fix="write the log again",
            )
    return manifest


def _read_table(path: Path, rel: str) -> pd.DataFrame:
    file = path / rel
    if not file.is_file():
        raise InputError(
            f"table {rel} is missing",
            source=str(path),
            field=rel,
            fix=f"restore {rel} or write the whole log again; {MANIFEST} lists every table",
        )
    try:
        return pq.read_table(file).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read Parquet: {exc}", source=str(file), fix="write the log again") from None


def read_parquet(path: str | Path) -> EventLog:
    """Read a Parquet log directory, or raise :class:`InputError` naming the directory, table and fix."""
    path = Path(path)
    manifest = _manifest(path)
    check_size(path)
    changes = manifest.get("changes", {})
    listed = set(manifest["events"].values()) | set(manifest["objects"].values()) | set(changes.values())
    for sub in ("events", "objects", "changes"):
        for extra in sorted((path / sub).glob("*.parquet")) if (path / sub).is_dir() else ():
            rel = f"{sub}/{extra.name}"
            if rel not in listed:
                raise InputError(
                    f"table {rel} is not listed in {MANIFEST}",
                    source=str(path),
                    field=rel,
                    fix=f"remove the file or add it to {MANIFEST}",
                )
    tables = {name: _read_table(path, rel) for name, rel in manifest["events"].items()}
    objects = {name: _read_table(path, rel) for name, rel in manifest["objects"].items()}
    members = _read_table(path, manifest.get("members", "members.parquet"))
    changed = {name: _read_table(path, rel) for name, rel in changes.items()}
    return normalise(tables, objects, members, end=_end(manifest, path), source=str(path), changes=changed)


def _end(manifest: dict[str, Any], path: Path) -> pd.Timestamp | None:
    if manifest.get("end") is None:
        return None
    try:
        return pd.Timestamp(manifest["end"])
    except (ValueError, TypeError):
        raise InputError(
            f"{manifest['end']!r} is not a time",
            source=str(path / MANIFEST),
            field="end",
            fix="write an ISO 8601 time, e.g. 2009-12-31T00:00:00",
        ) from None
