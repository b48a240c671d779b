"""``simlib bench``: the structure of its output and the invariants that do not depend on timing.

No test here asserts a time or a rate: those are benchmark figures, read by people, never pass/fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simlib.bench import NAMES, QUICK, render
from simlib.bench import model as model_bench
from simlib.bench.common import Target, loglog_slope
from simlib.bench.mmc import erlang_c_time_in_system
from simlib.cli.main import main
from simlib.i18n import t

ROOT = Path(__file__).resolve().parents[1]
TARGET_KEYS = {
    "model": {"model_ratio"},
    "scale": {"scale_time", "scale_memory", "scale_time_slope", "scale_memory_slope"},
    "audit": {"audit_rate"},
    "explorer": {"explorer_round_trip", "explorer_widget_first"},
    "queue": {"queue_speedup"},
    "startup": {"startup_help", "startup_audit", "startup_import", "startup_kernel_chart"},
}


def _check_targets(name: str, figure: dict[str, Any]) -> None:
    assert {tg["key"] for tg in figure["targets"]} == TARGET_KEYS[name]
    for tg in figure["targets"]:  # a quick run reports values but judges no target
        assert tg["quick"] and tg["met"] is None, tg
        assert Target(tg["key"], tg["value"], tg["op"], tg["limit"], tg["unit"]).met in (True, False, None)


def _check_model(f: dict[str, Any]) -> None:
    assert (f["cadres"], f["years"]) == (QUICK.model_cadres, QUICK.model_years)
    assert f["trips"] > 0 and f["events"] > f["trips"]
    assert f["bare"]["trips"] == f["trips"] == f["bare"]["completed"]  # the same trips, every one completed
    assert f["reviewers"] >= f["approval_desks"] > 0
    assert f["ratio"] == pytest.approx(f["model"]["trips_per_s"] / f["bare"]["trips_per_s"])


def _check_scale(f: dict[str, Any]) -> None:
    assert [r["cadres"] for r in f["sizes"]] == list(QUICK.scale_cadres)
    for row in f["sizes"]:
        assert "error" not in row, row
        assert row["events"] > 0 and row["peak_rss_mb"] >= row["rss_base_mb"] > 0
        assert row["seconds"] == pytest.approx(row["init_s"] + row["simulate_s"] + row["log_s"] + row["audit_s"])
        assert row["findings"] is not None and row["audit_s"] > 0  # the child audits the log it built
        assert row["peak_rss_mb"] >= row["peak_rss_log_mb"] >= row["rss_base_mb"]
    assert f["sizes"][-1]["events"] > f["sizes"][0]["events"]  # four times the cadres
    assert not f["target_size_measured"]
    by_key = {tg["key"]: tg for tg in f["targets"]}
    assert by_key["scale_time"]["met"] is None and by_key["scale_memory"]["met"] is None


def _check_queue(f: dict[str, Any]) -> None:
    assert f["ciw_available"], "ciw is part of the test extra"
    assert f["simpy"]["served"] == f["ciw"]["served"] == f["customers"] == QUICK.queue_customers
    assert len(f["simpy"]["replication_means"]) == len(f["ciw"]["replication_means"]) == f["replications"]
    assert f["erlang_c_time_in_system"] == pytest.approx(240 / 53)
    assert f["agree"] and max(abs(f["simpy"]["t"]), abs(f["ciw"]["t"])) <= f["t_max"]


@pytest.mark.slow
def test_quick_json_has_every_figure_and_its_invariants(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--json", "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == json.loads(out.read_text(encoding="utf-8"))
    assert result["quick"] is True and result["sizes"]["scale_cadres"] == list(QUICK.scale_cadres)
    machine = result["machine"]
    assert machine["cores"] >= 1 and machine["cpu"] and machine["python"] and machine["simpy"]
    assert len(machine["load_average"]) == 3 and len(result["load_average_end"]) == 3
    figures = result["figures"]
    assert list(figures) == list(NAMES)
    for name, figure in figures.items():
        _check_targets(name, figure)
        assert figure["took_s"] > 0
    _check_model(figures["model"])
    _check_scale(figures["scale"])
    audit = figures["audit"]
    assert audit["events"] > 0.9 * QUICK.audit_events and audit["checks"] > 0 and audit["findings"] > 0
    explorer = figures["explorer"]
    assert explorer["reps"] == QUICK.explorer_reps and explorer["kpis"] > 0 and explorer["differences"] > 0
    assert explorer["widget_changes"] == QUICK.explorer_widget_changes
    assert explorer["widget_early_reps"] <= explorer["widget_reps"]
    assert explorer["widget_early_median_s"] <= explorer["widget_median_s"] <= explorer["widget_charts_median_s"]
    _check_queue(figures["queue"])
    startup = figures["startup"]
    assert startup["runs"] == QUICK.startup_runs and startup["log_events"] == 10
    assert startup["kernel"]["runs"] == QUICK.kernel_runs == 0  # a kernel per run: full sizes only
    assert all("error" not in row and row["runs"] == QUICK.startup_runs for row in startup["commands"].values())
    for lang in ("zh", "en"):
        text = render(result, lang)
        for figure in figures.values():
            assert all(t(f"bench.target.{tg['key']}", lang) in text for tg in figure["targets"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_only_one_figure_as_a_table(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--only", "queue", "--lang", lang]) == 0
    text = capsys.readouterr().out
    assert t("bench.title.quick", lang) in text and t("bench.figure.queue", lang) in text
    assert t("bench.target.queue_speedup", lang) in text
    assert t("bench.figure.model", lang) not in text


def test_only_rejects_unknown_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--only", "nonsense", "--lang", "en"]) == 2
    assert "--only: 'nonsense' is not one of the choices" in capsys.readouterr().err


def test_bare_loop_completes_every_trip_and_is_reproducible() -> None:
    a = model_bench.bare_loop(500, 365.0, [2, 1, 1], 3.0, 40.0, 10.0, 10.0, seed=5)
    b = model_bench.bare_loop(500, 365.0, [2, 1, 1], 3.0, 40.0, 10.0, 10.0, seed=5)
    assert a.trips == a.completed == 500
    assert a.simpy_events == b.simpy_events  # same seed, same run
    # per trip at least: request, queue grant, review, departure, return, hand-in
    assert a.simpy_events >= 6 * 500


def test_model_bench_entry_point_keeps_working(capsys: pytest.CaptureFixture[str]) -> None:
    model_bench.main(["scenarios/training/small.yaml", "--cadres", "60", "--years", "0.5", "--json"])
    r = json.loads(capsys.readouterr().out)
    assert r["cadres"] == 60 and r["bare_trips"] == r["trips"] == r["bare_completed"]
    assert r["ratio"] == pytest.approx(r["trips_per_s"] / r["bare_trips_per_s"])


def test_erlang_c() -> None:
    assert erlang_c_time_in_system(0.5, 1.0, 1) == pytest.approx(2.0)  # M/M/1: 1 / (mu - lambda)
    assert erlang_c_time_in_system(1.0, 3.0, 4) == pytest.approx(240 / 53)  # P(wait) = 27/53
    with pytest.raises(ValueError):
        erlang_c_time_in_system(2.0, 3.0, 4)


def test_loglog_slope_and_targets() -> None:
    assert loglog_slope([1, 10, 100], [3, 30, 300]) == pytest.approx(1.0)
    assert loglog_slope([2, 4, 8], [4, 16, 64]) == pytest.approx(2.0)
    assert loglog_slope([5], [1]) is None and loglog_slope([5, 5], [1, 2]) is None
    assert Target("x", 0.3, ">=", 0.25, "").met is True and Target("x", 61.0, "<=", 60.0, "s").met is False
    assert Target("x", None, "<=", 60.0, "s").met is None
    assert Target("x", 1.0, "<=", 1.0, "s").as_dict() == {
        "key": "x", "value": 1.0, "op": "<=", "limit": 1.0, "unit": "s", "met": True}


def test_bench_compare_script_lines_up_two_results() -> None:
    from simlib.bench import compare as script

    def result(ratio: float | None, load: float) -> dict[str, Any]:
        target = Target("model_ratio", ratio, ">=", 0.25, "x").as_dict()
        return {"quick": False, "load_average_end": [load] * 3, "figures": {"model": {"targets": [target]}},
                "machine": {"load_average": [load] * 3, "cores": 2, "cpu": "test cpu"}}

    lines = script.compare(result(0.1, 1.0), result(0.3, 2.0)).splitlines()
    assert lines[1].split() == ["model_ratio", "0.100", "0.300", "3.00", ">=", "0.250", "x", "yes"]
    assert lines[2].startswith("before: load average 1.00") and lines[3].startswith("after: load average 2.00")


def test_a_chart_is_an_image_in_a_cell_output() -> None:
    from simlib.bench.kernel import _shows_chart

    assert _shows_chart({"content": {"data": {"image/png": "iVBOR"}}})
    assert _shows_chart({"content": {"data": {"text/html": '<figure><img src="data:image/png;base64,x"></figure>'}}})
    assert not _shows_chart({"content": {"data": {"text/html": "<table></table>"}}})
    assert not _shows_chart({"content": {"name": "stdout", "text": "<img"}})


@pytest.mark.slow
def test_the_explorer_notebook_shows_its_first_chart_in_a_fresh_kernel() -> None:
    from simlib.bench.kernel import first_chart

    run = first_chart()
    assert run["cell"] == 3  # parameters, the app, then the first look with its charts
    assert 0 < run["kernel_ready_s"] < run["first_chart_s"]
