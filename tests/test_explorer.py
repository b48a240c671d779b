"""The planners' what-if loop: the baseline runs once, each look runs only the alternative on the same seeds."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from experiment_standin import COUNTER_ENV, resolve

from simlib.errors import InputError
from simlib.experiment import Explorer, run_replications
from simlib.experiment.contract import Arm


def test_baseline_runs_once_and_each_look_pairs_with_it(tmp_path, monkeypatch) -> None:
    counter = tmp_path / "starts.log"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    with Explorer("base", reps=6, executor="serial", kpis=["mean_wait"], resolve=resolve) as ex:
        first = ex.run({"queue.servers": 5})
        second = ex.run({"queue.servers": 6})
    starts = counter.read_text().splitlines()
    assert len(starts) == 18  # 6 baseline + 6 + 6, never the baseline again
    # the same numbers as a plain paired experiment on the same seeds
    _, base, fn = resolve("base", {})
    _, alt, _ = resolve("base", {"queue.servers": 5})
    table = run_replications(fn, [Arm("baseline", base), Arm("alternative", alt)], 6, progress=False)
    mine = first.table.set_index(["scenario", "replication"])["mean_wait"]
    assert mine.to_dict() == table.set_index(["scenario", "replication"])["mean_wait"].to_dict()
    wait = first.differences.set_index("kpi").loc["mean_wait"]
    assert wait["diff"] < 0 and wait["significant"]  # a fifth server shortens the wait
    assert second.differences.set_index("kpi").loc["mean_wait", "diff"] < wait["diff"]
    assert set(first.summary["scenario"]) == {"baseline", "alternative"}


def test_no_change_is_the_baseline_itself(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(COUNTER_ENV, str(tmp_path / "starts.log"))
    with Explorer("base", reps=3, executor="serial", kpis=["mean_wait"], resolve=resolve) as ex:
        look = ex.run()
    assert look.differences["diff"].eq(0).all()
    assert len((tmp_path / "starts.log").read_text().splitlines()) == 3


def test_a_bad_setting_names_the_field_before_anything_runs(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(COUNTER_ENV, str(tmp_path / "starts.log"))
    with Explorer("training/small", reps=2, executor="serial") as ex, pytest.raises(InputError) as err:
        ex.run({"controls.no_such_control.on": False})
    assert "no_such_control" in str(err.value)
    assert not os.path.exists(tmp_path / "starts.log")


def test_the_model_explorer_reports_headline_kpis() -> None:
    with Explorer("training/small", reps=2, executor="serial") as ex:
        look = ex.run({"calendar.years": 0.5, "organisation.cadres": 120})
    assert {"flight_attempts", "custody_on_time_private", "findings"} <= set(look.differences["kpi"])
    assert (look.summary["method"] == "Student t-interval").all()


def test_a_look_in_steps_ends_with_the_one_shot_answer(monkeypatch, tmp_path) -> None:
    counter = tmp_path / "starts.log"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    with Explorer("base", reps=6, executor="serial", kpis=["mean_wait"], resolve=resolve) as ex:
        one_shot = ex.run({"queue.servers": 5})
        steps = list(ex.looks({"queue.servers": 5}, first=2))
        assert [look.reps for look in steps] == [2, 6]
        assert [look.reps for look in ex.looks({"queue.servers": 5}, first=6)] == [6]  # nothing to gain
    early, final = steps
    assert sorted(early.table["replication"].unique()) == [0, 1]  # paired with the baseline's first two
    assert early.differences.set_index("kpi").loc["mean_wait", "n"] == 2
    for name in ("summary", "differences", "table"):
        pd.testing.assert_frame_equal(getattr(final, name), getattr(one_shot, name))
    assert len(counter.read_text().splitlines()) == 6 + 6 + 6 + 6  # baseline once; each look its own six


def test_the_first_look_in_steps_runs_both_scenarios_step_by_step(monkeypatch, tmp_path) -> None:
    counter = tmp_path / "starts.log"
    monkeypatch.setenv(COUNTER_ENV, str(counter))
    with Explorer("base", reps=4, executor="serial", kpis=["mean_wait"], resolve=resolve) as ex:
        steps = ex.looks({"queue.servers": 5}, first=4)  # the two scenarios share the workers: two each
        early = next(steps)
        started = [line.split()[1:] for line in counter.read_text().splitlines()]
        assert early.reps == 2 and len(started) == 4  # the first two of each scenario, not the whole baseline
        assert len({config for config, _ in started}) == 2
        assert sorted(early.table["replication"]) == [0, 0, 1, 1]
        final = next(steps)
        assert next(steps, None) is None
        kept = ex.baseline()
        assert len(counter.read_text().splitlines()) == 8  # the baseline kept, not run again
        assert [look.reps for look in ex.looks({}, first=2)] == [4]  # no change: the baseline itself
    with Explorer("base", reps=4, executor="serial", kpis=["mean_wait"], resolve=resolve) as one:
        one_shot = one.run({"queue.servers": 5})
        pd.testing.assert_frame_equal(kept, one.baseline())
    for name in ("summary", "differences", "table"):
        pd.testing.assert_frame_equal(getattr(final, name), getattr(one_shot, name))
