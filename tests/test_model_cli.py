"""``simlib run`` and the replication function the experiment layer calls."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from model_worlds import tiny

from simlib.cli import main as model_cli
from simlib.errors import InputError
from simlib.model.streams import replication_seeds
from simlib.pipeline.replication import ranges, replication, resolve

ROOT = Path(__file__).resolve().parents[1]


# -- the command and the experiment contract ------------------------------------------------------------
def test_replication_function_for_experiments() -> None:
    config = tiny(60, 0.5).model_dump(mode="json")
    k = replication(config, 3)
    assert k["events"] > 0 and all(isinstance(v, float) for v in k.values())


def test_run_command_writes_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", str(ROOT / "scenarios" / "training" / "small.yaml"), "--reps", "2", "--seed", "1",
            "--set", "organisation.cadres=50", "--set", "calendar.years=0.4", "--out", str(tmp_path),
            "--lang", "en"]
    assert model_cli(args) == 0
    out = capsys.readouterr().out
    assert "Scenario training_small: 2 replication(s)" in out and "public trips" in out
    table = pd.read_csv(tmp_path / "kpis.csv")
    seeds = replication_seeds(1, 2)  # the experiment layer's replications: same seeds as `simlib compare`
    assert [int(s) for s in table["seed"]] == seeds and (tmp_path / f"log-{seeds[0]}.parquet").is_dir()
    assert (tmp_path / f"findings-{seeds[1]}.csv").is_file() and (tmp_path / "scenario.json").is_file()
    assert model_cli(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "0"]) == 2


def test_resolve_and_ranges_for_the_experiment_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    name, config, fn = resolve("no_private_custody", {"organisation.cadres": 40})
    assert name == "no_private_custody" and config["organisation"]["cadres"] == 40 and fn is replication
    assert config["controls"]["private_custody"]["on"] is False
    assert ranges(config, ["behaviour.overstay"]) == {"behaviour.overstay": (0.0, 1.0)}
    assert "controls.private_custody.level" in ranges(config)
    with pytest.raises(InputError, match="no scenario"):
        resolve("no_such_gap", {})
