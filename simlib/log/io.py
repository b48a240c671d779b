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

from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple

from simlib.errors import InputError
from simlib.log.eventlog import EventLog
from simlib.log.mapping import LogMapping


class Form(NamedTuple):
    """A log form: the module that reads and writes it, and the names of its functions."""

    module: str
    reader: str
    writer: str
    document: str | None  # reads the OCEL 2.0 document (a dict) that a LogMapping can rewrite; None: not OCEL


FORMS: dict[str, Form] = {
    ".json": Form("simlib.log.ocel", "read_ocel_json", "write_ocel_json", "load_json_document"),
    ".jsonocel": Form("simlib.log.ocel", "read_ocel_json", "write_ocel_json", "load_json_document"),
    ".parquet": Form("simlib.log.parquet", "read_parquet", "write_parquet", None),
    ".csv": Form("simlib.log.csvlog", "read_csv", "write_csv", None),
    ".sqlite": Form("simlib.log.ocel_sqlite", "read_ocel_sqlite", "write_ocel_sqlite", "load_sqlite_document"),
    ".xmlocel": Form("simlib.log.ocel_xml", "read_ocel_xml", "write_ocel_xml", "load_xml_document"),
    ".xml": Form("simlib.log.ocel_xml", "read_ocel_xml", "write_ocel_xml", "load_xml_document"),
}
"""The forms by extension. A form's module is imported when a file of that form is read or written (the XML
one alone pulls in the standard library's network modules, a twentieth of a second of every command's start)."""
WRITERS = frozenset(FORMS)


def _function(suffix: str, role: str) -> Any:
    """The function of the form of ``suffix`` in ``role`` (``reader``, ``writer`` or ``document``)."""
    form = FORMS[suffix]
    return getattr(import_module(form.module), getattr(form, role))


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMS:
        raise InputError(source=str(path), key="log.unknown_format",
                         values={"suffix": repr(suffix or "(no extension)")})
    return suffix


def read_log(path: str | Path, mapping: LogMapping | None = None) -> EventLog:
    """Read a log; the format follows the extension. ``mapping`` first maps a foreign vocabulary onto simlib's
    (OCEL 2.0 forms only)."""
    path = Path(path)
    suffix = _suffix(path)
    if mapping is None:
        return _function(suffix, "reader")(path)
    if FORMS[suffix].document is None:
        raise InputError(source=str(path), field="--mapping", key="log.mapping_not_ocel", values={"suffix": suffix})
    from simlib.log.ocel import from_ocel

    return from_ocel(mapping.apply(_function(suffix, "document")(path)), str(path))


def write_log(log: EventLog, path: str | Path) -> Path:
    """Write a log; the format follows the extension. Returns ``path``."""
    path = Path(path)
    _function(_suffix(path), "writer")(log, path)
    return path


__all__ = ["FORMS", "WRITERS", "read_log", "write_log"]
