"""Results store: a damaged replication file is named and run again; a folder that is not a store is refused;
what killed runs left is removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from experiment_standin import SCENARIOS, counting_replication, ranges, resolve

from simlib.cli.experiment import run_cli
from simlib.errors import InputError
from simlib.experiment import Arm, ResultsStore, run_replications
from simlib.experiment.store import DamagedFile, replication_file
from simlib.files import leftover_parts

TESTS = Path(__file__).resolve().parent
BASE = Arm("base", SCENARIOS["base"])


def test_a_truncated_replication_file_is_named_and_run_again(tmp_path: Path) -> None:
    first = run_replications(counting_replication, BASE, 4, root_seed=3, store=tmp_path, progress=False)
    damaged = replication_file(tmp_path, BASE.hash, 2)
    damaged.write_bytes(damaged.read_bytes()[:100])  # cut short, as a crash of the machine can leave it
    with pytest.warns(DamagedFile, match=rf"{damaged}: damaged replication file .*run again"):
        again = run_replications(counting_replication, BASE, 4, root_seed=3, store=tmp_path, progress=False)
    assert again.attrs["run"]["computed"] == 1 and again.attrs["run"]["reused"] == 3
    pd.testing.assert_frame_equal(again, first)
    assert ResultsStore.open(tmp_path, design={"kind": "replications", "root_seed": 3, "function":
                                               "experiment_standin:counting_replication"},
                             scenarios=[BASE]).finished(BASE.hash) == [0, 1, 2, 3]


def test_the_cli_resumes_past_a_damaged_file(tmp_path: Path) -> None:
    argv = [sys.executable, str(TESTS / "experiment_standin.py"), "compare", "base", "faster", "--reps", "3",
            "--no-progress", "--out", str(tmp_path), "--lang", "en"]
    assert subprocess.run(argv, capture_output=True, text=True, check=False).returncode == 0
    damaged = next(tmp_path.glob("replications/*/r000001.parquet"))
    damaged.write_bytes(b"PAR1")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert str(damaged) in done.stderr and "run again" in done.stderr and "Traceback" not in done.stderr
    assert damaged.stat().st_size > 100


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("someone's work")
    with pytest.raises(InputError, match=r"not a simlib results store \(it holds 'thesis.docx'\)") as info:
        run_replications(counting_replication, BASE, 2, store=tmp_path, progress=False)
    assert "choose another --out directory" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_temporary_files_of_killed_runs_are_removed(tmp_path: Path) -> None:
    run_replications(counting_replication, BASE, 2, store=tmp_path, progress=False)
    folder = replication_file(tmp_path, BASE.hash, 0).parent
    left = [folder / ".r000005.parquet.part-x1y2.parquet", tmp_path / ".manifest.json.part-abc.json"]
    for path in left:
        path.write_bytes(b"half")
    run_replications(counting_replication, BASE, 2, store=tmp_path, progress=False)
    assert not any(path.exists() for path in left)


def test_results_json_is_never_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace

    def killed_at_results(src: str, dst: str) -> None:
        if Path(dst).name == "results.json":
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", killed_at_results)
    with pytest.raises(KeyboardInterrupt):
        run_cli(["compare", "base", "faster", "--reps", "2", "--no-progress", "--out", str(tmp_path)],
                resolve, ranges)
    assert not (tmp_path / "results.json").exists() and leftover_parts(tmp_path) == []
