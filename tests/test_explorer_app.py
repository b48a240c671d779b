"""The explorer app's look in steps: an early answer on the first replications that says so, then the one-shot
answer on all of them."""

from __future__ import annotations

import pandas as pd

from simlib.views.explorer_app import ExplorerApp, status_text


def test_a_change_is_answered_early_then_in_full() -> None:
    shown: list[str] = []
    with ExplorerApp("training/small", reps=4, cadres=60, years=0.5, executor="serial", lang="en", auto=False,
                     early=2) as app:
        app.look({"controls.private_custody.on": False})  # runs and keeps the baseline
        app.status.observe(lambda change: shown.append(change["new"]), names="value")
        app.request({"behaviour.overstay": 0.5})
        look = app.wait(timeout=300)
        assert look is not None and look.reps == 4
        one_shot = app.explorer(app.world()).run({"behaviour.overstay": 0.5})
    done = [s for s in shown if "replications" in s and "running" not in s]
    assert len(done) == 2
    assert done[0].startswith("2 of 4 replications so far") and "Updated when the rest are done" in done[0]
    assert done[1].startswith("4 replications")
    assert app.first_round_trip is not None and app.last_round_trip is not None
    assert app.first_round_trip <= app.last_round_trip
    for name in ("summary", "differences", "table"):
        pd.testing.assert_frame_equal(getattr(look, name), getattr(one_shot, name))
    assert "simlib-explorer-differences" in app.differences.value and "<img" in app.charts.value


def test_the_status_of_an_early_look_names_its_replications_in_chinese() -> None:
    with ExplorerApp("training/small", reps=3, cadres=60, years=0.5, executor="serial", lang="zh", auto=False,
                     early=0) as app:
        look = app.look({"behaviour.overstay": 0.5})
        assert "已完成1/3次重复" not in status_text(look, 3, "zh")
        page = app.levels.value + app.charts.value  # the arms named in Chinese: tables, legends, alt text
        assert "基准" in page and "调整后" in page
        assert "baseline" not in page and "alternative" not in page
        first = app.explorer(app.world())
        early = next(iter(first.looks({"behaviour.overstay": 0.4}, first=1)))
    assert early.reps == 1 and status_text(early, 3, "zh").startswith("已完成1/3次重复")
