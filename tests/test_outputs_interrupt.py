"""``simlib run --out`` killed (SIGKILL, SIGTERM) at various moments, then run again: no half-written file under a
final name at any moment, the folder says it is incomplete, and the resumed run gives the outputs of a run never
interrupted, byte for byte."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simlib.files import leftover_parts
from simlib.rundir import MARKER

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-c", "import sys; from simlib.cli.main import main; sys.exit(main())", "run",
           str(ROOT / "scenarios" / "training" / "small.yaml"), "--set", "organisation.cadres=50",
           "--set", "calendar.years=0.4", "--reps", "5", "--lang", "en"]
# (signal, seconds): the run is killed that long after a replication's log appeared under its final name, so that
# the kills land while the findings are written, between a replication's files and the marker, in the next one
KILLS = [(signal.SIGKILL, 0.0), (signal.SIGTERM, 0.3), (signal.SIGKILL, 1.0), (signal.SIGKILL, 0.002),
         (signal.SIGTERM, 0.01), (signal.SIGKILL, 0.05), (signal.SIGKILL, 0.0)]


def outputs(folder: Path) -> dict[str, bytes]:
    """The files of a run folder under their final names (relative name → bytes), marker and temporaries aside."""
    found = {}
    for top in folder.iterdir():
        if top.name.startswith("."):
            continue
        for p in [top] if top.is_file() else sorted(top.rglob("*")):
            if p.is_file():
                found[p.relative_to(folder).as_posix()] = p.read_bytes()
    return found


def logs(folder: Path) -> set[str]:
    """Names of the logs under their final names (each appears whole, by a rename)."""
    return {p.name for p in folder.glob("log-*")} if folder.is_dir() else set()


def check_whole(folder: Path, reference: dict[str, bytes]) -> None:
    """Every file under a final name is the whole file the uninterrupted run wrote."""
    try:
        seen = outputs(folder) if folder.is_dir() else {}
    except FileNotFoundError:  # a temporary log folder renamed away while being listed
        return
    for name, data in seen.items():
        assert data == reference[name], f"{name} is not whole"


@pytest.mark.slow
def test_killed_runs_resume_to_identical_outputs(tmp_path: Path) -> None:
    ref, out = tmp_path / "ref", tmp_path / "out"
    assert subprocess.run([*COMMAND, "--out", str(ref)], capture_output=True, check=False).returncode == 0
    reference = outputs(ref)
    assert len(reference) > 10
    states = []
    for sig, after in KILLS:
        logs_before = logs(out)
        proc = subprocess.Popen([*COMMAND, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while logs(out) <= logs_before and proc.poll() is None:
            check_whole(out, reference)  # at any moment, not only after the kill
            time.sleep(0.002)
        time.sleep(after)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (-signal.SIGKILL, -signal.SIGTERM, 128 + signal.SIGTERM, 0), err.decode()
        check_whole(out, reference)
        if not (out / MARKER).exists():  # killed before the run began: nothing written yet
            assert not out.exists() or outputs(out) == {}
            states.append((sig.name, "not begun", 0))
            continue
        marker = json.loads((out / MARKER).read_text())
        states.append((sig.name, marker["state"], len(marker["done"])))
        assert (marker["state"] == "complete") == (out / "kpis.csv").exists()
        if marker["state"] == "complete":
            break
    print(f"kills (signal, marker state, replications done): {states}")
    assert any(state == "running" for _, state, _ in states)  # the kills did cut runs short
    done = subprocess.run([*COMMAND, "--out", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert outputs(out) == reference
    assert json.loads((out / MARKER).read_text())["state"] == "complete"
    assert leftover_parts(out) == []
