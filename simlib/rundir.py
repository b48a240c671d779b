"""A run's output folder (``simlib run --out``, ``simlib report --out``): complete, or recognisably not.

The folder carries a marker, ``.simlib-run.json``: what made it (the command, its arguments, the scenario's hash,
the simlib version), its state (``running`` until every output is written, then ``complete``), when it started
and finished, the progress of a run cut short (``done``) and, once complete, the files it holds. While a run
writes, it holds a lock on the folder (:func:`simlib.files.lock`), so a second writer is refused; the lock dies
with its process.

Opening a folder (:meth:`RunFolder.open`):

* new or empty: it becomes this run's folder;
* not empty and without a marker: refused (it is someone else's), whatever the options;
* the marker of the same command and arguments: a run cut short resumes (``done`` says what is there), a
  complete one is reported complete (or resumed, if one of its files has gone since);
* the marker of other arguments: refused, unless ``overwrite``, which empties the folder first (nothing of the
  earlier run is left behind).

Temporary files and folders of killed writes (:func:`simlib.files.leftover_parts`) are removed on opening.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simlib.errors import InputError
from simlib.files import Locked, leftover_parts, lock, remove, unlock, write_atomic
from simlib.i18n import t

MARKER = ".simlib-run.json"
FORMAT = "simlib-run/1"
RUNNING, COMPLETE = "running", "complete"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    """``value`` as JSON reads it back (so that a marker and what is compared with it agree)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``key: old → new`` for every key whose value differs (nested mappings key by key)."""
    diffs = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            diffs += [f"{key}.{d}" for d in differences(a, b)]
        elif a != b:
            diffs.append(f"{key}: {_show(a)} → {_show(b)}")
    return diffs


def hold(folder: Path, holder: object = "?") -> int | None:
    """Lock ``folder`` (:func:`simlib.files.lock`) for one writer; :class:`InputError` naming ``holder`` (the
    process that has it, when known) if another writer has it."""
    try:
        return lock(folder)
    except Locked:
        raise InputError(source=str(folder), field="--out", key="rundir.busy", values={"pid": holder}) from None


class RunFolder:
    """An open run folder, locked until :meth:`close` (or the end of a ``with`` block)."""

    def __init__(self, path: Path, marker: dict[str, Any], fd: int | None) -> None:
        self.path = path
        self.marker = marker
        self._fd = fd

    @classmethod
    def open(cls, path: str | Path, identity: Mapping[str, Any], *, command: str = "",
             overwrite: bool = False) -> RunFolder:
        """Lock ``path`` for the run ``identity`` (plain data: arguments, scenario hash, version …, compared with
        the marker's); ``command`` (the command line, for people) is kept in the marker but not compared.

        Raises :class:`InputError` for a folder in use, someone else's folder, or (without ``overwrite``) the
        folder of a run with other arguments.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise InputError(source=str(path), field="--out", key="rundir.not_folder")
        path.mkdir(parents=True, exist_ok=True)
        identity = _plain(dict(identity))
        old = cls._read_marker(path)
        fd = hold(path, old.get("pid", "?") if old else "?")
        try:
            old = cls._read_marker(path)  # again, now that no one else writes
            if old is None:
                cls._refuse_foreign(path)
            for part in leftover_parts(path):  # of killed writes; we hold the lock
                remove(part)
            if old is not None and any(old.get(k) != v for k, v in identity.items()) and not overwrite:
                diffs = differences({k: old.get(k) for k in identity}, identity)
                raise InputError(source=str(path), field="--out", key="rundir.different",
                                 values={"command": old.get("command") or "?", "diffs": "; ".join(diffs)})
            if old is not None and overwrite:  # the earlier run's files go, whatever its arguments
                for entry in path.iterdir():
                    remove(entry)
                old = None
            marker = {"format": FORMAT, "command": command, **identity, "state": RUNNING, "pid": os.getpid(),
                      "started": _now(), "finished": None, "done": {}, "files": []}
            if old is not None and old.get("state") == COMPLETE and all(
                    (path / name).exists() for name in old.get("files", [])):
                marker = old
            elif old is not None:
                marker["done"] = old.get("done", {})
            folder = cls(path, marker, fd)
            if not folder.complete:
                folder._save()
        except BaseException:
            unlock(fd)
            raise
        return folder

    @staticmethod
    def _read_marker(path: Path) -> dict[str, Any] | None:
        file = path / MARKER
        if not file.exists():
            return None
        try:
            marker = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = None
        if not isinstance(marker, dict) or marker.get("format") != FORMAT:
            raise InputError(source=str(file), field="--out", key="rundir.bad_marker")
        return marker

    @staticmethod
    def _refuse_foreign(path: Path) -> None:
        """A folder without a marker must be empty but for what a first marker write, killed, left."""
        ours = {p for p in leftover_parts(path) if p.name.startswith(f".{MARKER}")}
        entries = sorted(p.name for p in path.iterdir() if p not in ours)
        if entries:
            more = t("input.rundir.more", None, n=len(entries) - 1) if len(entries) > 1 else ""
            raise InputError(source=str(path), field="--out", key="rundir.foreign",
                             values={"name": entries[0], "more": more})

    # ------------------------------------------------------------------------------------------- state

    @property
    def complete(self) -> bool:
        """Whether the folder holds the complete outputs of this run."""
        return self.marker.get("state") == COMPLETE

    @property
    def resumed(self) -> bool:
        """Whether a run cut short left progress here (``done`` not empty) and it is resumed."""
        return not self.complete and bool(self.marker["done"])

    @property
    def done(self) -> dict[str, Any]:
        """What the run recorded as done (``record``), by key."""
        return dict(self.marker.get("done", {}))

    def _save(self) -> None:
        write_atomic(self.path / MARKER,
                     json.dumps(self.marker, indent=2, ensure_ascii=False, allow_nan=False) + "\n")

    def record(self, key: str, value: Any) -> None:
        """Note that ``key`` is done (its outputs written), with ``value`` (plain data) to read on resume."""
        self.marker["done"][key] = _plain(value)
        self._save()

    def finish(self, files: Iterable[str | Path]) -> None:
        """Mark the run complete, listing its files (relative to the folder)."""
        self.marker.update(state=COMPLETE, finished=_now(),
                           files=sorted(str(Path(f).relative_to(self.path) if Path(f).is_absolute() else f)
                                        for f in files))
        self._save()

    def close(self) -> None:
        """Release the folder's lock."""
        unlock(self._fd)
        self._fd = None

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
