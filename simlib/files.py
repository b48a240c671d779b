"""Writing files so that a reader never sees a half-written one: a temporary name in the same folder, then a rename.

Every output simlib writes (logs, findings, KPIs, reports, stores, handouts) goes through :func:`atomic_path` or
:func:`write_atomic`. Temporary names start with ``.`` and contain ``.part-`` so that a cleaner can recognise
what a killed run left behind (:func:`leftover_parts`). A writer that must be alone holds :func:`lock` on its
folder (or a lock file) for as long as it writes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX only; elsewhere nothing is locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

PART = ".part-"


class Locked(Exception):
    """Another process holds the lock."""


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


def remove(path: Path) -> None:
    """Remove a file or a folder (with what it holds); nothing if it is gone already."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def lock(path: str | Path) -> int | None:
    """An exclusive ``flock`` on ``path`` (a folder, or a file created if missing), held until :func:`unlock`.

    The lock dies with its process, so a killed writer never leaves it held. Raises :class:`Locked` when another
    process holds it; returns None where locking is not available.
    """
    if fcntl is None:  # pragma: no cover
        return None
    path = Path(path)
    fd = os.open(path, os.O_RDONLY) if path.is_dir() else os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Locked(str(path)) from None
    return fd


def unlock(fd: int | None) -> None:
    """Release a lock of :func:`lock` (closing its descriptor releases the flock)."""
    if fd is not None:
        os.close(fd)
