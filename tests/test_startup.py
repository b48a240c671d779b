"""Start-up stays cheap (issue 12 item 5): building the CLI's parser and ``import simlib`` import none of the heavy
libraries or layers, which load only when a command runs. The times themselves are ``simlib bench --only startup``'s
figure, never asserted here: these tests read the interpreter's import list (``python -X importtime``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simlib import bench
from simlib.bench.startup import ten_event_log
from simlib.cli import bench as bench_cli
from simlib.cli.main import COMMANDS, main
from simlib.pipeline.kpi import HEADLINE_KPIS

HEAVY = (
    "pandas", "numpy", "scipy", "pyarrow", "matplotlib", "simpy", "dask", "SALib", "pydantic", "ciw",
    "ipywidgets", "importlib.metadata", "simlib.model", "simlib.audit", "simlib.pipeline", "simlib.experiment",
    "simlib.scenario", "simlib.rulebook", "simlib.bench", "simlib.views", "simlib.training",
)
"""Libraries and layers that no command's argument parsing, and no ``import simlib``, may import."""


def imported(code: str) -> set[str]:
    """Every module a fresh interpreter imports to run ``code``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          check=True)
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


def test_building_the_cli_parser_imports_nothing_heavy() -> None:
    modules = imported("from simlib.cli.main import build_parser; build_parser()")
    assert {m.__name__ for m in COMMANDS} | {"simlib.cli.experiment", "simlib.i18n"} <= modules  # the scan works
    assert heavy(modules) == []


def test_import_simlib_imports_nothing_heavy() -> None:
    modules = imported("import simlib")
    assert "simlib.lazy" in modules
    assert heavy(modules) == []


def test_the_cli_knows_every_bench_figure() -> None:
    assert bench_cli.NAMES == bench.NAMES


def test_experiment_commands_load_the_pipeline_when_they_run(capsys: pytest.CaptureFixture[str]) -> None:
    """``compare`` without ``--kpi`` resolves the scenarios and reports the headline KPIs, all imported lazily."""
    status = main(["compare", "training/small", "no_exit_control", "--reps", "2", "--json", "--no-progress",
                   "--set", "organisation.cadres=80", "--set", "calendar.years=1", "--lang", "en"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and [s["name"] for s in result["scenarios"]] == ["training_small", "no_exit_control"]
    assert {row["kpi"] for row in result["summary"]} == set(HEADLINE_KPIS)


def test_the_ten_event_log_of_the_startup_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = ten_event_log(tmp_path)
    assert main(["audit", str(log), "--json", "--lang", "en"]) == 1  # findings: the passport came back late
    result = json.loads(capsys.readouterr().out)
    assert result["events"] == 10 and result["objects"] == 5
    assert "3.1.a" in result["by_clause"]


def test_auditing_a_json_log_imports_no_other_form(tmp_path: Path) -> None:
    """Each log form's module loads with a file of its form: ``simlib audit`` of an OCEL JSON file imports neither
    the XML reader (and the network modules the standard library's XML tools pull in) nor the SQLite one. Nor
    pydantic: the rulebook is read into plain dataclasses (the scenario, which an audit does not read, uses it)."""
    log = ten_event_log(tmp_path)
    modules = imported(f"from simlib.cli import main; main(['audit', {str(log)!r}])")
    # a form's module is imported by importlib (which -X importtime does not list): look for what it imports
    assert {"simlib.log.normalise", "simlib.audit"} <= modules
    assert not {"defusedxml", "xml.sax.saxutils", "sqlite3", "pyarrow.parquet", "pydantic"} & modules
