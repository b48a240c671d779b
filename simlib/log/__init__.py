"""The object-centric event log: the vocabulary, the columnar container, validation, the builder and the
readers and writers (OCEL 2.0 JSON, SQLite and XML, Parquet, CSV), timed object attributes
(``EventLog.changes``, ``EventLog.value_at``) and object-to-object relations (:mod:`simlib.log.relations`).

>>> from simlib.log import read_log
>>> log = read_log("my-log.jsonocel")   # doctest: +SKIP
>>> log.counts()                        # doctest: +SKIP
"""

from __future__ import annotations

from simlib.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "EventLog": "simlib.log.eventlog",
    "assert_same_log": "simlib.log.eventlog",
    "InputError": "simlib.errors",
    "LogBuilder": "simlib.log.builder",
    "normalise": "simlib.log.normalise",
    "read_log": "simlib.log.io",
    "write_log": "simlib.log.io",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
