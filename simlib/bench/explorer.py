"""Figure 4: the explorer's round trip — change a setting, get the summary table with CIs — on a warm pool.

``Explorer("training/small", reps=20, executor="processes")`` runs the replications end to end (simulate,
log, audit, KPIs, CI summary and paired differences). The first call also runs the baseline's replications,
which the explorer keeps, and is reported apart; each timed call then changes a setting to a value not asked
for before, so no cached result can answer it.
"""

from __future__ import annotations

from typing import Any

from simlib.bench.common import Target, best_of
from simlib.experiment.explorer import Explorer

ROUND_TRIP_TARGET_S = 1.0


def settings(i: int) -> dict[str, Any]:
    """The i-th setting a planner tries: private custody off, then ever different propensities."""
    if i == 0:
        return {"controls.private_custody.on": False}
    return {"behaviour.keep_private_document": round(0.1 + 0.01 * i, 2)}


def explorer_round_trip(scenario: str = "training/small", reps: int = 20,
                        repeat: int = 3) -> tuple[dict[str, Any], list[Target]]:
    """Creating the explorer, its first look (starts the pool, runs and keeps the baseline), then the best of
    ``repeat`` warm round trips."""
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
    }
    return result, [Target("explorer_round_trip", warm.seconds, "<=", ROUND_TRIP_TARGET_S, "s")]
