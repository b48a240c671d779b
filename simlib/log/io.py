"""Read and write a log in any supported form, chosen by the path's extension.

=======================  ======================================================================
``.json``/``.jsonocel``  OCEL 2.0 JSON (:mod:`simlib.log.ocel`)
``.parquet``             a directory of Parquet tables with a manifest (:mod:`simlib.log.parquet`)
``.csv``                 ``LOG.csv`` (events) + ``LOG.objects.csv`` (:mod:`simlib.log.csvlog`)
``.sqlite``              OCEL 2.0 SQLite (:mod:`simlib.log.ocel_sqlite`)
``.xmlocel``/``.xml``    OCEL 2.0 XML (:mod:`simlib.log.ocel_xml`)
=======================  ======================================================================

Every reader validates through :func:`simlib.log.normalise.normalise` and raises
:class:`~simlib.errors.InputError` naming the file, the field and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simlib.errors import InputError
from simlib.log.csvlog import read_csv, write_csv
from simlib.log.eventlog import EventLog
from simlib.log.mapping import LogMapping
from simlib.log.ocel import from_ocel, load_json_document, read_ocel_json, write_ocel_json
from simlib.log.ocel_sqlite import load_sqlite_document, read_ocel_sqlite, write_ocel_sqlite
from simlib.log.ocel_xml import load_xml_document, read_ocel_xml, write_ocel_xml
from simlib.log.parquet import read_parquet, write_parquet

READERS: dict[str, Callable[[Path], EventLog]] = {
    ".json": read_ocel_json,
    ".jsonocel": read_ocel_json,
    ".parquet": read_parquet,
    ".csv": read_csv,
    ".sqlite": read_ocel_sqlite,
    ".xmlocel": read_ocel_xml,
    ".xml": read_ocel_xml,
}
DOCUMENTS: dict[str, Callable[[Path], Any]] = {
    ".json": load_json_document,
    ".jsonocel": load_json_document,
    ".sqlite": load_sqlite_document,
    ".xmlocel": load_xml_document,
    ".xml": load_xml_document,
}
"""The OCEL 2.0 forms, each read as one document (a dict) that a :class:`LogMapping` can rewrite."""
WRITERS: dict[str, Callable[[EventLog, Path], Any]] = {
    ".json": write_ocel_json,
    ".jsonocel": write_ocel_json,
    ".parquet": write_parquet,
    ".csv": write_csv,
    ".sqlite": write_ocel_sqlite,
    ".xmlocel": write_ocel_xml,
    ".xml": write_ocel_xml,
}


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(source=str(path), key="log.unknown_format",
                         values={"suffix": repr(suffix or "(no extension)")})
    return suffix


def read_log(path: str | Path, mapping: LogMapping | None = None) -> EventLog:
    """Read a log; the format follows the extension. ``mapping`` first maps a foreign vocabulary onto simlib's
    (OCEL 2.0 forms only)."""
    path = Path(path)
    suffix = _suffix(path)
    if mapping is None:
        return READERS[suffix](path)
    if suffix not in DOCUMENTS:
        raise InputError(source=str(path), field="--mapping", key="log.mapping_not_ocel", values={"suffix": suffix})
    return from_ocel(mapping.apply(DOCUMENTS[suffix](path)), str(path))


def write_log(log: EventLog, path: str | Path) -> Path:
    """Write a log; the format follows the extension. Returns ``path``."""
    path = Path(path)
    WRITERS[_suffix(path)](log, path)
    return path


__all__ = [
    "read_csv",
    "read_log",
    "read_ocel_json",
    "read_ocel_sqlite",
    "read_ocel_xml",
    "read_parquet",
    "write_csv",
    "write_log",
    "write_ocel_json",
    "write_ocel_sqlite",
    "write_ocel_xml",
    "write_parquet",
]
