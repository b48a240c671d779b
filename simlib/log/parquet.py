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
        raise InputError(source=source, key="log.parquet.not_found")
    if not path.is_dir():
        raise InputError(source=source, key="log.parquet.a_file")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(source=source, field=MANIFEST, key="log.parquet.no_manifest",
                         values={"manifest": MANIFEST}) from None
    except json.JSONDecodeError as exc:
        raise InputError(source=str(path / MANIFEST), field=f"line {exc.lineno} column {exc.colno}",
                         key="log.parquet.bad_json", values={"problem": exc.msg}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise InputError(source=str(path / MANIFEST), field="format", key="log.parquet.unknown_format",
                         values={"found": repr(found), "expected": repr(FORMAT)})
    for key in ("events", "objects", "changes"):
        if not isinstance(manifest.get(key, {}), dict):
            raise InputError(source=str(path / MANIFEST), field=key, key="log.parquet.not_a_map",
                             values={"key": repr(key)})
    return manifest


def _read_table(path: Path, rel: str) -> pd.DataFrame:
    file = path / rel
    if not file.is_file():
        raise InputError(source=str(path), field=rel, key="log.parquet.no_table",
                         values={"table": rel, "manifest": MANIFEST})
    try:
        return pq.read_table(file).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(source=str(file), key="log.parquet.unreadable", values={"problem": str(exc)}) from None


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
                raise InputError(source=str(path), field=rel, key="log.parquet.unlisted_table",
                                 values={"table": rel, "manifest": MANIFEST})
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
        raise InputError(source=str(path / MANIFEST), field="end", key="log.parquet.bad_end",
                         values={"value": repr(manifest["end"])}) from None
