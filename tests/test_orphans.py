"""Workers die with their driver: SIGKILL of the main process alone (as ``kill -9 PID`` or the OOM killer would
do it) leaves no worker, fork server or Dask process running, and nothing more is written into the store."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from experiment_standin import COUNTER_ENV, PAUSE_ENV
from processes import kill_session, session_pids, wait_until_gone

from simlib.files import leftover_parts

TESTS = Path(__file__).resolve().parent
PAUSE_S = 2.0  # each replication sleeps this long first: no replication finishes near the moment of the kill

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")]


def _starts(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def _files(store: Path) -> list[str]:
    return sorted(p.name for p in store.glob("replications/*/r*.parquet"))


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_sigkill_of_the_driver_ends_its_workers(tmp_path: Path, executor: str) -> None:
    store, log = tmp_path / "store", tmp_path / "counter.log"
    argv = [sys.executable, str(TESTS / "experiment_standin.py"), "compare", "base", "faster", "--reps", "8",
            "--executor", executor, "--workers", "2", "--batch-size", "4", "--no-progress", "--out", str(store)]
    env = {**os.environ, COUNTER_ENV: str(log), PAUSE_ENV: str(PAUSE_S), "CI": "true"}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _starts(log) < 4:  # both workers saved a replication and have just started their second
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.02)
        workers = [pid for pid in session_pids(proc.pid) if pid != proc.pid]
        os.kill(proc.pid, signal.SIGKILL)  # the driver only
        proc.wait(timeout=10)
        files, starts = _files(store), _starts(log)
        seconds, alive = wait_until_gone(proc.pid, timeout=10)
        assert alive == [], f"still running {seconds:.1f} s after the driver died: {alive}"
        assert seconds < 5
        time.sleep(PAUSE_S + 1)  # a worker still running would have finished its replication by now
        assert len(files) >= 1 and (_files(store), _starts(log)) == (files, starts)
        print(f"{executor}: {len(workers)} processes besides the driver, all gone {seconds:.2f} s after SIGKILL; "
              f"{len(files)} replication files before, none after")
    finally:
        kill_session(proc.pid)
        proc.communicate()


def test_sigkill_of_simlib_report_ends_its_kernel_and_workers(tmp_path: Path) -> None:
    """``simlib report`` runs the replications in a notebook kernel (its own session) with a process pool: the
    kernel ends with the report (ipykernel polls its parent), and the pool's workers with the kernel."""
    out = tmp_path / "reports"
    argv = [sys.executable, "-c", "import sys; from simlib.cli.main import main; sys.exit(main())", "report",
            "training/small", "--compare", "no_exit_control", "--reps", "40", "--format", "html", "--executor",
            "processes", "--out", str(out), "--lang", "en"]
    proc = subprocess.Popen(argv, cwd=TESTS.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    descendants: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while len(descendants) < 4:  # the kernel, the resource tracker, the fork server and a worker at least
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the report's workers never started"
            time.sleep(0.2)
            descendants = psutil.Process(proc.pid).children(recursive=True)
        time.sleep(1)
        descendants = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed = time.monotonic()
        gone, alive = psutil.wait_procs(descendants, timeout=10)
        assert alive == [], f"still running 10 s after simlib report died: {[p.cmdline()[:3] for p in alive]}"
        print(f"simlib report: {len(gone)} processes (kernel, fork server, workers …) all gone "
              f"{time.monotonic() - killed:.2f} s after SIGKILL")
        assert not list(out.glob("*.html"))  # no report under its final name, only a marker and temporaries
        assert {p.name for p in out.iterdir()} - {p.name for p in leftover_parts(out)} == {".simlib-run.json"}
    finally:
        for p in descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        kill_session(proc.pid)
        proc.communicate()
