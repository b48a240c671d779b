"""Run folders (``simlib run --out``): complete or recognisably incomplete, never mixed, never someone else's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from simlib import pipeline
from simlib.cli import main as simlib_cli
from simlib.files import PART
from simlib.rundir import MARKER, RunFolder

ROOT = Path(__file__).resolve().parents[1]
SMALL = [str(ROOT / "scenarios" / "training" / "small.yaml"), "--set", "organisation.cadres=50",
         "--set", "calendar.years=0.4"]


def run(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> tuple[int, str, str]:
    code = simlib_cli(["run", *SMALL, "--out", str(out), "--lang", "en", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes), the marker aside."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER}


def test_other_arguments_are_refused_and_overwrite_replaces_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, tmp_path, "--reps", "3")[0] == 0
    before = listing(tmp_path)
    code, _, err = run(capsys, tmp_path, "--reps", "1")
    assert code == 2 and "holds the outputs of another run" in err and "reps: 3 → 1" in err
    assert "--overwrite" in err and listing(tmp_path) == before  # refused: nothing touched
    assert run(capsys, tmp_path, "--reps", "1", "--overwrite")[0] == 0
    seed = pipeline.seeds(20041231, 1)[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        MARKER, f"findings-{seed}.csv", "kpis.csv", f"log-{seed}.parquet", "scenario.json"]
    assert len(pd.read_csv(tmp_path / "kpis.csv")) == 1
    code, _, err = run(capsys, tmp_path, "--reps", "1", "--format", "jsonocel")
    assert code == 2 and 'format: "parquet" → "jsonocel"' in err  # the folder would lack those logs
    marker = json.loads((tmp_path / MARKER).read_text())
    assert marker["state"] == "complete" and marker["arguments"] == {"reps": 1, "seed": seed, "format": "parquet"}
    assert marker["files"] == sorted(p.name for p in tmp_path.iterdir() if p.name != MARKER)


def test_a_folder_that_is_not_a_run_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "thesis.docx").write_text("someone's work")
    (tmp_path / ".draft.part-1").write_text("looks like ours, is not")
    for extra in ((), ("--overwrite",)):
        code, _, err = run(capsys, tmp_path, *extra)
        assert code == 2 and "not a simlib run folder (it holds .draft.part-1 and 1 more)" in err
        assert "choose another folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".draft.part-1", "thesis.docx"]
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, tmp_path / "file")
    assert code == 2 and "is not a folder" in err


def test_a_second_writer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with RunFolder.open(tmp_path, {"arguments": {"reps": 1}}, command="simlib run elsewhere"):
        code, _, err = run(capsys, tmp_path)
    assert code == 2 and f"being written by another run (pid {os.getpid()})" in err and "wait for" in err


def test_a_complete_run_is_said_complete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, tmp_path)[0] == 0
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    code, out, _ = run(capsys, tmp_path)
    assert code == 0 and "already holds the complete outputs of this run" in out
    assert "Scenario training_small: 1 replication(s)" in out  # the summary, from the marker
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before  # nothing rewritten
    whole = listing(tmp_path)
    next(tmp_path.glob("findings-*.csv")).unlink()  # a file of the complete run has gone: it is not complete
    code, out, _ = run(capsys, tmp_path)
    assert code == 0 and "resuming the interrupted run" in out and listing(tmp_path) == whole


def test_a_run_cut_short_resumes_to_the_same_outputs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fresh, cut = tmp_path / "fresh", tmp_path / "cut"
    assert run(capsys, fresh, "--reps", "3")[0] == 0
    calls: list[int] = []
    real = pipeline.run_once

    def stop_at_third(scenario: object, seed: int) -> pipeline.Replication:
        calls.append(seed)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as Ctrl-C in the third replication
        return real(scenario, seed)

    monkeypatch.setattr(pipeline, "run_once", stop_at_third)
    assert run(capsys, cut, "--reps", "3")[0] == 130
    assert json.loads((cut / MARKER).read_text())["state"] == "running"
    assert not (cut / "kpis.csv").exists()  # recognisably incomplete
    leftovers = [cut / f".kpis.csv{PART}x1", cut / f".log-1.parquet{PART}y2"]  # as a kill -9 leaves them
    leftovers[0].write_text("half")
    leftovers[1].mkdir()
    (leftovers[1] / "events").mkdir()
    calls.clear()
    code, out, _ = run(capsys, cut, "--reps", "3")
    assert code == 0 and "resuming the interrupted run" in out and "2 done" in out
    assert len(calls) == 1  # only the missing replication ran
    assert not any(p.exists() for p in leftovers)
    assert listing(cut) == listing(fresh)


def test_findings_are_never_half_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace

    def killed_while_writing_findings(src: str, dst: str) -> None:
        if Path(dst).name.startswith("findings-"):
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", killed_while_writing_findings)
    code, _, _ = run(capsys, tmp_path)
    assert code == 130 and not list(tmp_path.glob("findings-*.csv"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [MARKER]  # no temporary left
