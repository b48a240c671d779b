"""Results store: atomic per-replication files, manifest, resume without recomputing, kill -9 then resume."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from experiment_standin import COUNTER_ENV, PAUSE_ENV, SCENARIOS, counting_replication, failing_replication
from processes import session_pids

from simlib.cli.experiment import DEFAULT_SEED
from simlib.errors import InputError
from simlib.experiment import Arm, ResultsStore, replication_seeds, run_replications, sweep
from simlib.experiment.store import simlib_version

TESTS = Path(__file__).resolve().parent
BASE = Arm("base", SCENARIOS["base"])
ALT = Arm("more-servers", SCENARIOS["more-servers"])


def _starts(log: Path) -> collections.Counter[tuple[str, int]]:
    if not log.exists():
        return collections.Counter()
    return collections.Counter(
        (h, int(s)) for _, h, s in (line.split() for line in log.read_text().splitlines())
    )


def _files(store: Path) -> set[tuple[str, int]]:
    return {(p.parent.name, int(p.stem[1:])) for p in store.glob("replications/*/r*.parquet")}


def test_store_resumes_without_recomputing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "counter.log"
    monkeypatch.setenv(COUNTER_ENV, str(log))
    out = tmp_path / "store"
    first = run_replications(counting_replication, [BASE, ALT], 3, root_seed=9, store=out, progress=False)
    assert sum(_starts(log).values()) == 6 and len(_files(out)) == 6
    manifest = json.loads((out / "manifest.json").read_text())
    design = manifest["design"]
    assert design["simlib_version"] == simlib_version() and design["root_seed"] == 9
    assert design["function"] == "experiment_standin:counting_replication"
    assert [s["hash"] for s in design["scenarios"]] == [BASE.hash, ALT.hash]
    assert (out / "scenarios" / f"{BASE.hash}.json").exists()

    again = run_replications(counting_replication, [BASE, ALT], 5, root_seed=9, store=out, progress=False)
    assert again.attrs["run"]["reused"] == 6 and again.attrs["run"]["computed"] == 4
    assert set(_starts(log).values()) == {1} and sum(_starts(log).values()) == 10  # nothing ran twice
    pd.testing.assert_frame_equal(again[again["replication"] < 3].reset_index(drop=True), first)
    assert json.loads((out / "manifest.json").read_text())["replications"] == 5


def test_a_different_design_in_the_same_directory_is_an_error(tmp_path: Path) -> None:
    run_replications(counting_replication, BASE, 2, root_seed=1, store=tmp_path, progress=False)
    with pytest.raises(InputError, match=r"different design: root_seed: 1 in the store, 2 now") as info:
        run_replications(counting_replication, BASE, 2, root_seed=2, store=tmp_path, progress=False)
    assert "use another --out directory" in str(info.value)
    with pytest.raises(InputError, match="scenarios differ"):
        run_replications(counting_replication, ALT, 2, root_seed=1, store=tmp_path, progress=False)


def test_store_is_locked_while_in_use_and_cleans_temporary_files(tmp_path: Path) -> None:
    scenarios = [BASE]
    design = {"kind": "test"}
    with ResultsStore.open(tmp_path, design=design, scenarios=scenarios):
        with pytest.raises(InputError, match=r"in use by another run \(pid \d+\)"):
            ResultsStore.open(tmp_path, design=design, scenarios=scenarios)
        stale = tmp_path / "replications" / BASE.hash / ".r000000.parquet.part-1234.parquet"
        stale.parent.mkdir(parents=True)
        stale.write_bytes(b"half a file")
    with ResultsStore.open(tmp_path, design=design, scenarios=scenarios) as store:
        assert not stale.exists() and store.finished(BASE.hash) == []
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a simlib results store"):
        ResultsStore.open(tmp_path, design=design, scenarios=scenarios)


def _wait_for_files(store: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(_files(store)) < n:
        assert proc.poll() is None, f"sweep ended before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline, "sweep made no progress"
        time.sleep(0.02)


def test_kill_9_during_a_sweep_then_resume(tmp_path: Path) -> None:
    out, log = tmp_path / "store", tmp_path / "counter.log"
    command = "sweep base --param queue.arrival_rate=2.5:3.5 --points 5 --reps 6 --executor processes"
    argv = [sys.executable, str(TESTS / "experiment_standin.py"), *command.split(), "--workers", "2"]
    argv += ["--out", str(out), "--json"]
    env = {**os.environ, COUNTER_ENV: str(log), PAUSE_ENV: "0.05", "CI": "true"}
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _wait_for_files(out, 8, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as kill -9 of the job would
        proc.communicate()
    saved_at_kill, starts_at_kill = _files(out), _starts(log)
    assert 8 <= len(saved_at_kill) < 30

    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["run"]
    assert run["reused"] == len(saved_at_kill) and run["reused"] + run["computed"] == 30

    # the counter log names (config hash, seed); the store names (config hash, replication)
    rep_of = {seed: i for i, seed in enumerate(replication_seeds(DEFAULT_SEED, 6))}
    starts = collections.Counter({(h, rep_of[s]): n for (h, s), n in _starts(log).items()})
    started_at_kill = {(h, rep_of[s]) for h, s in starts_at_kill}
    assert len(_files(out)) == 30 and len(starts) == 30
    for key in saved_at_kill:
        assert starts[key] == 1, f"finished replication {key} was run again"
    for key, count in starts.items():
        assert count == 1 or (count == 2 and key in started_at_kill and key not in saved_at_kill), key

    # the resumed table is identical to an uninterrupted run (computed here serially, without a store)
    resumed = sweep(
        counting_replication,
        BASE,
        {"queue.arrival_rate": (2.5, 3.5)},
        points=5,
        reps=6,
        root_seed=DEFAULT_SEED,
        store=out,
        progress=False,
    )
    assert resumed.replications.attrs["run"]["computed"] == 0
    fresh = sweep(
        counting_replication,
        BASE,
        {"queue.arrival_rate": (2.5, 3.5)},
        points=5,
        reps=6,
        root_seed=DEFAULT_SEED,
        progress=False,
    )
    pd.testing.assert_frame_equal(resumed.replications, fresh.replications)
    pd.testing.assert_frame_equal(resumed.summary, fresh.summary)


def test_a_failed_run_releases_the_store(tmp_path: Path) -> None:
    for _ in range(2):  # the second attempt gets past the lock, so the first released it
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            run_replications(failing_replication, BASE, 2, store=tmp_path, progress=False)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigterm_stops_the_workers_with_the_run(tmp_path: Path) -> None:
    out, log = tmp_path / "store", tmp_path / "counter.log"
    argv = [sys.executable, str(TESTS / "experiment_standin.py"), "compare", "base", "faster", "--reps", "8",
            "--executor", "processes", "--workers", "2", "--batch-size", "4", "--out", str(out)]
    env = {**os.environ, COUNTER_ENV: str(log), PAUSE_ENV: "3", "CI": "true"}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_starts(log)) < 2 and time.monotonic() < deadline:  # both workers inside a batch
            time.sleep(0.1)
        started = sum(_starts(log).values())
        assert started >= 2
        proc.send_signal(signal.SIGTERM)  # the run only, as `kill PID` would
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        # each worker had three more replications of its batch to start: none did, and none is still there
        assert sum(_starts(log).values()) == started
        deadline = time.monotonic() + 5
        while session_pids(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session_pids(proc.pid) == []
    finally:
        for pid in session_pids(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.communicate()
