"""Sweeps (grid, Latin hypercube) and sensitivity (tornado, Morris, Sobol) on the stand-in queue."""

from __future__ import annotations

import numpy as np
import pytest
from experiment_standin import SCENARIOS, counting_replication

from simlib.errors import InputError
from simlib.experiment import (
    Arm,
    design_scenarios,
    grid,
    latin_hypercube,
    morris,
    sobol,
    sweep,
    tornado,
)

BASE = Arm("base", SCENARIOS["base"])
RANGES = {"queue.arrival_rate": (2.4, 3.4), "queue.servers": (4, 6)}


def test_grid_covers_every_combination_with_ends() -> None:
    design = grid(RANGES, 3)
    assert len(design) == 9 and list(design.columns) == list(RANGES)
    assert sorted(set(design["queue.arrival_rate"])) == pytest.approx([2.4, 2.9, 3.4])
    assert len(grid(RANGES, {"queue.arrival_rate": 2, "queue.servers": 3})) == 6


def test_latin_hypercube_is_seeded_and_stratified() -> None:
    a, b = latin_hypercube(RANGES, 10, seed=5), latin_hypercube(RANGES, 10, seed=5)
    assert a.equals(b) and not a.equals(latin_hypercube(RANGES, 10, seed=6))
    for path, (lo, hi) in RANGES.items():
        strata = np.floor((a[path] - lo) / (hi - lo) * 10).astype(int)
        assert sorted(strata) == list(range(10))  # one point in each tenth of every range


def test_design_points_become_scenarios_with_typed_values() -> None:
    scenarios = design_scenarios(BASE, latin_hypercube(RANGES, 4, seed=1))
    assert [s.name for s in scenarios] == ["base@0", "base@1", "base@2", "base@3"]
    assert all(isinstance(s.config["queue"]["servers"], int) for s in scenarios)  # base value is an int
    assert all(isinstance(s.config["queue"]["arrival_rate"], float) for s in scenarios)
    assert BASE.config["queue"]["servers"] == 4  # base untouched


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ({"queue.arrival_rate": (3, 2)}, "low < high"),
        ({"queue.nope": (1, 2)}, "unknown parameter path 'queue.nope'"),
        ({"queue": (1, 2)}, "not a number"),
        ({}, "no parameters"),
    ],
)
def test_bad_ranges_name_the_field(ranges: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sweep(counting_replication, BASE, ranges)


def test_sweep_summarises_each_point() -> None:
    result = sweep(
        counting_replication, BASE, {"queue.arrival_rate": (2.0, 3.6)}, points=3, reps=3, progress=False
    )
    assert len(result.replications) == 9
    wide = result.wide(["mean_wait"])
    assert list(wide.columns) == ["scenario", "queue.arrival_rate", "mean_wait", "mean_wait ±"]
    assert wide["mean_wait"].is_monotonic_increasing  # more arrivals, longer waits (CRN keeps it monotone)


def test_tornado_ranks_the_influential_parameter_first() -> None:
    ranges = {"run.warmup": (40, 60), "queue.arrival_rate": (2.7, 3.3)}
    result = tornado(
        counting_replication, BASE, ranges, reps=4, kpis=["mean_wait", "utilisation"], progress=False
    )
    assert result.top("mean_wait") == ["queue.arrival_rate", "run.warmup"]
    row = result.table[
        (result.table["kpi"] == "mean_wait") & (result.table["parameter"] == "queue.arrival_rate")
    ]
    row = row.iloc[0]
    assert row["diff_low"] < 0 < row["diff_high"] and row["low_ci_high"] < 0 < row["high_ci_low"]
    assert (row["low"], row["high"]) == (2.7, 3.3)
    assert len(result.replications) == 4 * 5


def test_morris_and_sobol_rank_arrival_rate_above_warmup() -> None:
    ranges = {"queue.arrival_rate": (2.5, 3.5), "run.warmup": (40, 60)}
    m = morris(counting_replication, BASE, ranges, trajectories=4, reps=2, kpis=["mean_wait"], progress=False)
    assert m.top("mean_wait")[0] == "queue.arrival_rate"
    assert {"mu_star", "mu_star_conf", "sigma", "rank"} <= set(m.table.columns)
    s = sobol(counting_replication, BASE, ranges, samples=8, reps=1, kpis=["utilisation"], progress=False)
    assert s.top("utilisation")[0] == "queue.arrival_rate"
    assert len(s.replications) == 8 * (2 + 2)
    with pytest.raises(InputError, match="power of two"):
        sobol(counting_replication, BASE, ranges, samples=10)
