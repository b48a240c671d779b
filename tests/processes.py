"""Processes of a test's subprocess: which are alive in its session, and waiting for them to end."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def session_pids(sid: int) -> list[int]:
    """Live processes of session ``sid`` (a run started with ``start_new_session=True`` and everything it
    started: workers, fork server, resource tracker); zombies are not counted."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            pids.append(int(stat.parent.name))
    return pids


def wait_until_gone(sid: int, timeout: float) -> tuple[float, list[int]]:
    """Seconds until session ``sid`` has no live process (at most ``timeout``), and what is still alive."""
    start = time.monotonic()
    while (alive := session_pids(sid)) and time.monotonic() - start < timeout:
        time.sleep(0.05)
    return time.monotonic() - start, alive


def kill_session(sid: int) -> None:
    """SIGKILL whatever is left of session ``sid`` (clean-up after a test)."""
    for pid in session_pids(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
