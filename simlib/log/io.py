"""Read and write a log in any supported form, chosen by the path's extension.

=======================  ======================================================================
``.json``/``.jsonocel``  OCEL 2.0 JSON (:mod:`simlib.log.ocel`)
``.parquet``             a directory of Parquet tables with a manifest (:mod:`simlib.log.parquet`)
``.csv``                 ``LOG.csv`` (events) + ``LOG.objects.csv`` (:mod:`simlib.log.csvlog`)
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
from simlib.log.ocel import read_ocel_json, write_ocel_json
from simlib.log.parquet import read_parquet, write_parquet

READERS: dict[str, Callable[[Path], EventLog]] = {
    ".json": read_ocel_json,
    ".jsonocel": read_ocel_json,
    ".parquet": read_parquet,
    ".csv": read_csv,
}
WRITERS: dict[str, Callable[[EventLog, Path], Any]] = {
    ".json": write_ocel_json,
    ".jsonocel": write_ocel_json,
    ".parquet": write_parquet,
    ".csv": write_csv,
}
FORMATS_HELP = (
    ".json or .jsonocel (OCEL 2.0 JSON), .parquet (a simlib Parquet directory) or .csv (with "
    "LOG.objects.csv beside it)"
)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(
            f"unknown log format {suffix or '(no extension)'!r}",
            source=str(path),
            fix=f"name the file {FORMATS_HELP}",
        )
    return suffix


def read_log(path: str | Path) -> EventLog:
    """Read a log; the format follows the extension."""
    path = Path(path)
    return READERS[_suffix(path)](path)


def write_log(log: EventLog, path: str | Path) -> Path:
    """Write a log; the format follows the extension. Returns ``path``."""
    path = Path(path)
    WRITERS[_suffix(path)](log, path)
    return path


__all__ = [
    "read_csv",
    "read_log",
    "read_ocel_json",
    "read_parquet",
    "write_csv",
    "write_log",
    "write_ocel_json",
    "write_parquet",
]
