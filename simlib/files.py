"""Writing files so that a reader never sees a half-written one: a temporary name in the same folder, then a rename.

Every output simlib writes (logs, findings, KPIs, reports, stores, handouts) goes through :func:`atomic_path` or
:func:`write_atomic`. Temporary names start with ``.`` and contain ``.part-`` so that a cleaner can recognise
what a killed run left behind (:func:`leftover_parts`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PART = ".part-"


def _readable_by_others(path: str) -> None:
    """mkstemp/mkdtemp make private files; an output is for its readers (the usual umask applies)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if os.path.isdir(path) else 0o666) & ~umask)


@contextmanager
def atomic_path(path: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """A temporary file (or folder) beside ``path``, renamed onto ``path`` when the block succeeds.

    If the block raises, the temporary is removed and ``path`` is untouched. A folder replaces an existing
    folder at ``path`` only after it is complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}{PART}"
    if directory:
        tmp = tempfile.mkdtemp(prefix=prefix, dir=path.parent)
    else:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)  # tools look at suffixes
        os.close(fd)
    try:
        yield Path(tmp)
        _readable_by_others(tmp)
        if directory and path.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old{PART}", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, exactly as given) to ``path`` atomically; returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write(data)
        else:
            tmp.write_bytes(data)
    return path


def leftover_parts(folder: str | Path) -> list[Path]:
    """Temporary files and folders that an interrupted atomic write left in ``folder`` (not recursive)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(".") and PART in p.name)
