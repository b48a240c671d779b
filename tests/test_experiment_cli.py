"""The experiment CLI: compare, sweep, sensitivity, replications; tables, --json, exit 2 on bad input.

The commands run in English here (``--lang en``); tests/test_experiment_i18n.py checks both languages."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from experiment_standin import ranges, resolve

from simlib.cli import experiment as cli
from simlib.experiment import design, executors, sensitivity, stats


def _run(argv: str | list[str], with_ranges: bool = True) -> tuple[int, str, str]:
    """Run the CLI in this process, in English; ``argv`` as a list or a string split on spaces."""
    out, err = io.StringIO(), io.StringIO()
    argv = [*(argv.split() if isinstance(argv, str) else argv), "--lang", "en"]
    status = cli.run_cli(argv, resolve, ranges if with_ranges else None, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_choices_match_the_library() -> None:
    assert cli.EXECUTORS == executors.EXECUTORS
    assert cli.DESIGNS == design.DESIGNS
    assert cli.METHODS == sensitivity.METHODS
    assert tuple(stats.ADJUSTMENTS) == cli.ADJUSTMENTS


def test_register_adds_subcommands_with_handlers() -> None:
    parser = argparse.ArgumentParser(prog="simlib")
    cli.register(parser.add_subparsers(dest="command"), resolve, ranges)
    args = parser.parse_args(["compare", "base", "faster", "--reps", "3", "--executor", "dask"])
    assert args.executor == "dask" and args.alternatives == ["faster"] and callable(args.handler)


def test_compare_prints_tables_naming_the_ci_methods(tmp_path: Path) -> None:
    status, out, _ = _run(
        f"compare base faster more-servers --reps 4 --kpi mean_wait --rank --no-progress --out {tmp_path}"
    )
    assert status == 0
    assert "95% Student t-interval" in out and "95% paired t-interval (common random numbers)" in out
    assert "Welch t-interval (unpaired)" in out and "more-servers" in out and "rel. change" in out
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["baseline"] == "base" and len(saved["differences"]) == 2
    # rerunning the same command reads every replication back
    status, out, _ = _run(
        ["compare", "base", "faster", "more-servers", "--reps", "4", "--out", str(tmp_path)]
    )
    assert status == 0 and "computed 0, reused 12" in out


def test_compare_json() -> None:
    status, out, _ = _run(["compare", "base", "faster", "--reps", "3", "--json", "--seed", "5"])
    data = json.loads(out)
    assert status == 0 and data["root_seed"] == 5 and data["replications"] == 3
    assert data["difference_method"] == "paired t-interval (common random numbers)"
    row = next(d for d in data["differences"] if d["kpi"] == "mean_wait")
    assert {"diff", "ci_low", "ci_high", "rel_change", "welch_ci_low", "welch_ci_high"} <= set(row)
    assert {s["name"] for s in data["scenarios"]} == {"base", "faster"}


def test_sweep_uses_documented_ranges_when_none_given() -> None:
    status, out, _ = _run(
        "sweep base --param queue.arrival_rate --design lhs --points 3 --reps 2 --kpi utilisation --json"
    )
    data = json.loads(out)
    assert status == 0 and data["ranges"] == {"queue.arrival_rate": [2.5, 3.5]}
    assert len(data["points_table"]) == 3 and {r["kpi"] for r in data["summary"]} == {"utilisation"}
    status, out, _ = _run(["sweep", "base", "--param", "run.warmup=40:60", "--points", "2", "--reps", "2"])
    assert status == 0 and "base@1" in out and "±" in out and "Student t-interval" in out


def test_sensitivity_and_replications_commands() -> None:
    status, out, _ = _run(
        "sensitivity base --param queue.arrival_rate --param run.warmup=40:60 --reps 3 --kpi mean_wait"
    )
    assert status == 0 and "tornado" in out and "swing" in out
    assert out.index("queue.arrival_rate") < out.index("run.warmup")  # ranked first
    status, out, _ = _run(
        ["sensitivity", "base", "--method", "morris", "--trajectories", "2", "--reps", "2", "--json"]
    )
    data = json.loads(out)
    assert status == 0 and {r["parameter"] for r in data["table"]} == set(ranges({}, None))
    status, out, _ = _run(
        ["replications", "base", "--kpi", "utilisation", "--target", "0.05", "--initial", "4"]
    )
    assert status == 0 and "target ±5.00% reached" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "base", "nope"], "unknown scenario 'nope'"),
        (["compare", "base", "faster", "--reps", "1"], "need at least 2 replications here"),
        (["compare", "base", "faster", "--set", "queue.nope=1"], "unknown parameter path 'queue.nope'"),
        (
            ["compare", "base", "faster", "--executor", "processes", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler",
        ),
        (["sweep", "base", "--param", "queue.arrival_rate=3"], "bad range in --param"),
        (["sweep", "base", "--param", "queue.servers=6:4"], "low < high"),
        (
            ["sweep", "base", "--param", "queue.arrival_rate", "--design", "lhs", "--points", "1"],
            "at least 2 points",
        ),
        (["sensitivity", "base", "--method", "sobol", "--samples", "6"], "power of two"),
        (["replications", "base"], "name exactly one KPI"),
        (["compare", "base", "faster", "--kpi", "nope", "--reps", "2"], "unknown KPI 'nope'"),
    ],
)
def test_bad_input_exits_2_with_a_message(argv: list[str], message: str) -> None:
    status, _, err = _run(argv)
    assert status == 2 and message in err, err
    assert err.startswith("simlib: Input error: ")


def test_documented_ranges_are_required_without_a_ranges_source() -> None:
    status, _, err = _run(["sweep", "base", "--param", "queue.arrival_rate"], with_ranges=False)
    assert status == 2 and "--param PATH=LO:HI" in err


def test_a_different_design_in_the_same_out_directory_exits_2(tmp_path: Path) -> None:
    assert _run(["compare", "base", "faster", "--reps", "2", "--out", str(tmp_path)])[0] == 0
    status, _, err = _run(["compare", "base", "faster", "--reps", "2", "--seed", "1", "--out", str(tmp_path)])
    assert status == 2 and "different design" in err and "use another --out directory" in err
