"""Figure 4: the explorer's round trip — change a setting, get the summary table with CIs — on a warm pool.

``Explorer("training/small", reps=20, executor="processes")`` runs the replications end to end (simulate,
log, audit, KPIs, CI summary and paired differences). The first call also runs the baseline's replications,
which the explorer keeps, and is reported apart; each timed call then changes a setting to a value not asked
for before, so no cached result can answer it.

The same loop as a planner drives it (:func:`widget_round_trip`): :class:`~simlib.views.explorer_app.ExplorerApp`,
a form field changed, the widget's callback queues the look, the background thread shows the tables, first on
the early replications (two per worker), then on all of them, then the charts. Three times per change, each the
median of ``changes``: to the first tables shown (the target: the first complete answer, its status line saying
how many replications it rests on), to the tables on all replications, and to the charts drawn too.
"""

from __future__ import annotations

import time
from statistics import median
from typing import Any

from simlib.bench.common import Target, best_of
from simlib.experiment.explorer import Explorer

ROUND_TRIP_TARGET_S = 1.0  # both Explorer.run and the app's first answer after a change


def settings(i: int) -> dict[str, Any]:
    """The i-th setting a planner tries: private custody off, then ever different propensities."""
    if i == 0:
        return {"controls.private_custody.on": False}
    return {"behaviour.keep_private_document": round(0.1 + 0.01 * i, 2)}


def widget_round_trip(scenario: str = "training/small", reps: int = 20, changes: int = 10) -> dict[str, Any]:
    """The explorer app's first look (pool, baseline) after a form change, then over ``changes`` form changes
    the median time from the change to the first tables shown (and the replications they rest on), to the
    tables on all replications and to the charts under them drawn too; and the driver's CPU time per change."""
    from simlib.views.explorer_app import ExplorerApp

    with ExplorerApp(scenario, reps=reps, executor="processes", lang="en") as app:
        started = time.perf_counter()
        app.form.set_values(settings(0))  # the widget observers queue the look, as a click would
        app.wait(timeout=600)
        first = time.perf_counter() - started
        early, trips, whole, cpu = [], [], [], []
        for i in range(1, 1 + max(1, changes)):
            changed, used = time.perf_counter(), time.process_time()
            app.form.set_values(settings(i))
            app.wait(timeout=600)
            whole.append(time.perf_counter() - changed)
            cpu.append(time.process_time() - used)
            if app.error is not None:
                raise RuntimeError(f"the explorer app failed: {app.error}")
            early.append(app.first_round_trip)
            trips.append(app.last_round_trip)
        shown_reps = app.world().reps
        early_reps = min(app.early or shown_reps, shown_reps)
    return {"widget_reps": shown_reps, "widget_first_s": first, "widget_changes": len(trips),
            "widget_early_reps": early_reps, "widget_early_median_s": median(early), "widget_early_max_s": max(early),
            "widget_median_s": median(trips), "widget_max_s": max(trips), "widget_charts_median_s": median(whole),
            "widget_driver_cpu_median_s": median(cpu)}


def explorer_round_trip(scenario: str = "training/small", reps: int = 20, repeat: int = 3,
                        widget_changes: int = 10) -> tuple[dict[str, Any], list[Target]]:
    """Creating the explorer, its first look (starts the pool, runs and keeps the baseline), then the best of
    ``repeat`` warm round trips; then the app's round trip as the widgets see it (:func:`widget_round_trip`)."""
    asked = iter(range(1, 1 + max(1, repeat)))
    created = best_of(lambda: Explorer(scenario, reps=reps, executor="processes"), 1)
    ex = created.result
    try:
        first = best_of(lambda: ex.run(settings(0)), 1)
        warm = best_of(lambda: ex.run(settings(next(asked))), repeat)
    finally:
        ex.close()
    result = {
        "scenario": scenario, "reps": reps,
        "create_s": created.seconds, "first_s": first.seconds, **warm.as_dict(),
        "kpis": len(warm.result.summary), "differences": len(warm.result.differences),
        **widget_round_trip(scenario, reps, widget_changes),
    }
    return result, [Target("explorer_round_trip", warm.seconds, "<=", ROUND_TRIP_TARGET_S, "s"),
                    Target("explorer_widget_first", result["widget_early_median_s"], "<=", ROUND_TRIP_TARGET_S, "s")]
