"""How large a log file the readers accept: a bound on the memory and time any input can cost.

A log is read whole into memory (about ten times its size on disk for OCEL 2.0 JSON and XML, less for SQLite,
Parquet and CSV). The limit, :data:`MAX_LOG_BYTES`, admits the 1 M-event synthetic log in every format;
``$SIMLIB_MAX_LOG_BYTES`` raises or lowers it.
"""

from __future__ import annotations

import os
from pathlib import Path

from simlib.errors import InputError, os_error

MAX_LOG_BYTES = 2_000_000_000
"""The largest log read (bytes on disk, all files of a log together); ``$SIMLIB_MAX_LOG_BYTES`` changes it."""
MAX_LOG_BYTES_ENV = "SIMLIB_MAX_LOG_BYTES"


def max_log_bytes() -> int:
    """The limit in force: ``$SIMLIB_MAX_LOG_BYTES`` if it is a positive integer, else :data:`MAX_LOG_BYTES`."""
    text = os.environ.get(MAX_LOG_BYTES_ENV, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else MAX_LOG_BYTES


def check_size(*paths: Path) -> None:
    """Raise :class:`InputError` if the files (a folder: every file in it) together exceed the limit, or one
    cannot be read."""
    total = 0
    for path in paths:
        try:
            if path.is_dir():
                total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            else:
                total += path.stat().st_size
        except OSError as exc:
            raise os_error(exc, source=str(path)) from None
    limit = max_log_bytes()
    if total > limit:
        raise InputError(source=str(paths[0]), key="log.too_big",
                         values={"size": total, "limit": limit, "env": MAX_LOG_BYTES_ENV})
