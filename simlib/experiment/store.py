"""Results store: one Parquet file per finished replication, written atomically, and a JSON manifest.

Layout of a store directory::

    manifest.json                       simlib version, root seed, function, design, scenarios (name, hash)
    scenarios/<hash>.json               each scenario's config (canonical JSON)
    replications/<hash>/r000017.parquet one row: scenario_hash, replication, seed, elapsed_s, KPIs

A replication file is written to a temporary name in the same directory and renamed with ``os.replace``, so a
reader (or a run resumed after ``kill -9``) sees either the whole file or none. Re-running the same design in
the same directory reads the finished replications instead of recomputing them; a different design is an
error, and so is a non-empty folder that is not a store. A lock file (``flock``) keeps two runs from writing
the same store at once; the lock dies with its process, so a killed run never leaves the store locked, and the
temporary files a killed run left are removed when the store is opened again. A replication file that cannot
be read (cut short by a crash of the machine, damaged on disk) is named in a :class:`DamagedFile` warning,
removed and run again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from simlib.errors import InputError, InputWarning
from simlib.experiment.contract import Arm, canonical_json
from simlib.files import Locked, atomic_path, leftover_parts, lock, remove, unlock, write_atomic
from simlib.i18n import t

FORMAT = "simlib-results/1"
MANIFEST = "manifest.json"
LOCK = ".lock"
_REP_FILE = re.compile(r"^r(\d{6,})\.parquet$")


class DamagedFile(InputWarning):
    """A replication file of a store could not be read; it is removed and its replication run again."""

    def __init__(self, path: Path, error: BaseException) -> None:
        super().__init__("store.damaged", {"path": path, "error": f"{type(error).__name__}: {error}"})


def simlib_version() -> str:
    """The installed simlib version ("unknown" when running from an uninstalled checkout)."""
    try:
        return metadata.version("simlib")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def replication_file(root: str | Path, scenario_hash: str, replication: int) -> Path:
    """Path of one replication's Parquet file in a store."""
    return Path(root) / "replications" / scenario_hash / f"r{replication:06d}.parquet"


def write_replication(root: str | Path, row: Mapping[str, Any]) -> Path:
    """Write one replication's row atomically (:func:`simlib.files.atomic_path`); returns the final path.

    A top-level function so that worker processes can write the result of each replication as it finishes.
    """
    path = replication_file(root, str(row["scenario_hash"]), int(row["replication"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        pq.write_table(pa.Table.from_pylist([dict(row)]), tmp)
    return path


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    keys = sorted(set(old) | set(new))
    diffs = []
    for key in keys:
        a, b = old.get(key, "<absent>"), new.get(key, "<absent>")
        if canonical_json(a) != canonical_json(b):
            show_a, show_b = (canonical_json(v) for v in (a, b))
            if len(show_a) > 80 or len(show_b) > 80:
                diffs.append(f"{key} differs")
            else:
                diffs.append(f"{key}: {show_a} in the store, {show_b} now")
    return diffs


class ResultsStore:
    """A results directory for one design. Use :meth:`open`; close it (or ``with``) to release its lock."""

    def __init__(self, root: Path, manifest: dict[str, Any], lock_fd: int | None) -> None:
        self.root = root
        self.manifest = manifest
        self._lock_fd = lock_fd
        self._rows: dict[tuple[str, int], dict[str, Any]] = {}  # read by finished()

    # ----------------------------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        root: str | Path,
        *,
        design: Mapping[str, Any],
        scenarios: Iterable[Arm],
        replications: int = 0,
    ) -> ResultsStore:
        """Create the store, or reopen it when it holds the same design; :class:`InputError` if it differs.

        ``design`` is what identifies the experiment (kind, parameters, root seed, function …); the simlib
        version and the scenarios' names and hashes are added to it.
        """
        root = Path(root)
        scenarios = list(scenarios)
        if root.exists() and not root.is_dir():
            raise InputError(field="--out", key="store.not_dir", values={"root": root})
        root.mkdir(parents=True, exist_ok=True)
        cls._refuse_foreign(root)
        lock_fd = cls._lock(root)
        try:
            identity = {
                **dict(design),
                "simlib_version": simlib_version(),
                "scenarios": [{"name": s.name, "hash": s.hash} for s in scenarios],
            }
            json.loads(canonical_json(identity))  # plain data or InputError
            path = root / MANIFEST
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            if path.exists():
                manifest = cls._read_manifest(path)
                diffs = _differences(manifest.get("design", {}), identity)
                if diffs:
                    raise InputError(source=str(root), field="--out", key="store.different",
                                     values={"diffs": "; ".join(diffs), "root": root})
                manifest["replications"] = max(int(manifest.get("replications", 0)), replications)
                manifest["updated"] = now
            else:
                manifest = {
                    "format": FORMAT,
                    "created": now,
                    "updated": now,
                    "design": identity,
                    "replications": replications,
                }
            for scenario in scenarios:
                spath = root / "scenarios" / f"{scenario.hash}.json"
                if not spath.exists():
                    spath.parent.mkdir(exist_ok=True)
                    write_atomic(spath, canonical_json(scenario.config))
            write_atomic(
                path, json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
            )
            for folder in (root, root / "scenarios", *(root / "replications").glob("*")):  # we hold the lock
                for part in leftover_parts(folder):
                    remove(part)
        except BaseException:
            unlock(lock_fd)
            raise
        return cls(root, manifest, lock_fd)

    @staticmethod
    def _refuse_foreign(root: Path) -> None:
        """A folder without a manifest must be empty (what another program keeps there is not ours to mix)."""
        if (root / MANIFEST).exists():
            return
        ours = {root / LOCK, *leftover_parts(root)}
        foreign = sorted(p.name for p in root.iterdir() if p not in ours)
        if foreign:
            more = t("input.rundir.more", None, n=len(foreign) - 1) if len(foreign) > 1 else ""
            raise InputError(source=str(root), field="--out", key="store.foreign",
                             values={"name": repr(foreign[0]), "more": more})

    @staticmethod
    def _read_manifest(path: Path) -> dict[str, Any]:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(source=str(path), key="store.bad_manifest", values={"error": exc}) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise InputError(source=str(path), key="store.not_store", values={"format": repr(FORMAT)})
        return manifest

    @staticmethod
    def _lock(root: Path) -> int | None:
        path = root / LOCK
        try:
            fd = lock(path)
        except Locked:
            holder = path.read_text(errors="replace").strip() or "?"
            raise InputError(source=str(root), field="--out", key="store.busy", values={"pid": holder}) from None
        if fd is not None:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd

    def close(self) -> None:
        """Release the store's lock."""
        unlock(self._lock_fd)
        self._lock_fd = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------- reading and writing

    def finished(self, scenario_hash: str) -> list[int]:
        """Replication indices of a scenario whose files are complete. A file that cannot be read (cut short by
        a crash of the machine, damaged on disk) is named in a warning and removed, so that it is run again."""
        folder = self.root / "replications" / scenario_hash
        if not folder.is_dir():
            return []
        done = []
        for path in sorted(folder.iterdir()):
            if (m := _REP_FILE.match(path.name)) is None:
                continue
            try:
                rows = pq.read_table(path).to_pylist()
                if len(rows) != 1:
                    raise ValueError(f"{len(rows)} rows instead of one")
            except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                warnings.warn(DamagedFile(path, exc), stacklevel=2)
                path.unlink(missing_ok=True)
                continue
            self._rows[(scenario_hash, int(m[1]))] = rows[0]
            done.append(int(m[1]))
        return done

    def read(self, scenario_hash: str, replication: int) -> dict[str, Any]:
        """One replication's row."""
        row = self._rows.get((scenario_hash, replication))
        if row is None:
            row = pq.read_table(replication_file(self.root, scenario_hash, replication)).to_pylist()[0]
        return row

    def write(self, row: Mapping[str, Any]) -> Path:
        """Write one replication's row atomically."""
        return write_replication(self.root, row)

    def has(self, scenario_hash: str, replication: int) -> bool:
        """Whether that replication's file exists."""
        return replication_file(self.root, scenario_hash, replication).exists()
