"""Confidence intervals: per-KPI t-intervals, paired differences (CRN), Welch for contrast, sequential n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiment_standin import SCENARIOS, counting_replication
from scipy import stats

from simlib.experiment import (
    MEAN_METHOD,
    PAIRED_METHOD,
    Scenario,
    compare,
    mean_interval,
    rank_differences,
    replications_needed,
    run_replications,
    summarise,
)
from simlib.errors import InputError

BASE = Scenario("base", SCENARIOS["base"])
FASTER = Scenario("faster", SCENARIOS["faster"])  # service rate +5%: a small change


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return run_replications(counting_replication, [BASE, FASTER], 12, root_seed=3, progress=False)


def test_summary_is_the_student_t_interval(table: pd.DataFrame) -> None:
    summary = summarise(table, kpis=["mean_wait"], confidence=0.9)
    row = summary[summary["scenario"] == "base"].iloc[0]
    x = table.loc[table["scenario"] == "base", "mean_wait"].to_numpy()
    low, high = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert row["n"] == 12 and row["method"] == MEAN_METHOD
    assert row["mean"] == pytest.approx(x.mean()) and row["sd"] == pytest.approx(x.std(ddof=1))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert row["rel_half_width"] == pytest.approx((high - low) / 2 / x.mean())


def test_common_random_numbers_narrow_the_difference_interval(table: pd.DataFrame) -> None:
    diffs = compare(table, "base").set_index("kpi")
    wait = diffs.loc["mean_wait"]
    assert wait["method"] == PAIRED_METHOD and wait["n"] == 12
    a = table.loc[table["scenario"] == "faster", "mean_wait"].to_numpy()
    b = table.loc[table["scenario"] == "base", "mean_wait"].to_numpy()
    assert wait["diff"] == pytest.approx((a - b).mean())
    assert wait["rel_change"] == pytest.approx((a - b).mean() / b.mean())
    # paired CI: scipy's ttest_rel; unpaired: Welch
    ci = stats.ttest_rel(a, b).confidence_interval()
    assert (wait["ci_low"], wait["ci_high"]) == pytest.approx((ci.low, ci.high))
    # faster service shortens waits, and only the paired interval is sharp enough to show it
    assert wait["diff"] < 0 and wait["significant"]
    assert wait["half_width"] < wait["welch_half_width"] / 2, (wait["half_width"], wait["welch_half_width"])
    assert wait["welch_ci_low"] < 0 < wait["welch_ci_high"]
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval()
    assert (wait["welch_ci_low"], wait["welch_ci_high"]) == pytest.approx((welch.low, welch.high))
    assert wait["narrowing"] > 2


def test_constant_and_short_samples_give_no_warnings() -> None:
    assert mean_interval([2.0, 2.0, 2.0]).half_width == 0
    assert np.isnan(mean_interval([1.0]).high)
    table = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "seed": [5, 6, 7] * 2,
            "k": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "m": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0],
        }
    )
    diffs = compare(table, "a").set_index("kpi")
    assert diffs.loc["k", "half_width"] == 0 and not diffs.loc["k", "significant"]
    assert diffs.loc["m", "diff"] == 1.0 and diffs.loc["m", "half_width"] == 0  # constant difference
    assert list(rank_differences(diffs.reset_index())["kpi"]) == ["m", "k"]


def test_nearly_constant_shares_give_an_interval_and_no_warning() -> None:
    shares = np.array([0.9736842105263158, 0.9736842105263157, 0.9736842105263158])  # float noise only
    iv = mean_interval(shares)
    assert iv.low <= iv.mean <= iv.high and iv.half_width < 1e-12


def test_compare_rejects_unpaired_or_unknown_inputs(table: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="baseline 'nope'"):
        compare(table, "nope")
    with pytest.raises(InputError, match="unknown KPI 'x'"):
        summarise(table, kpis=["x"])
    other = run_replications(counting_replication, FASTER, 3, root_seed=4, progress=False)
    mixed = pd.concat([table[table["scenario"] == "base"], other])
    with pytest.raises(InputError, match="seeds"):
        compare(mixed, "base")


def test_sequential_procedure_stops_at_target_or_cap() -> None:
    met = replications_needed(
        counting_replication, BASE, "utilisation", 0.03, initial=4, batch=4, max_reps=40, progress=False
    )
    assert met.met and met.rel_half_width <= 0.03 and met.n == len(met.table)
    assert [n for n, _ in met.history] == list(range(4, met.n + 1, 4))
    capped = replications_needed(
        counting_replication, BASE, "mean_wait", 0.001, initial=3, batch=3, max_reps=8, progress=False
    )
    assert not capped.met and capped.n == 8 and capped.rel_half_width > 0.001
    assert [n for n, _ in capped.history] == [3, 6, 8]
    # replications are a prefix of any longer run: same seeds, same values
    longer = run_replications(counting_replication, BASE, 8, progress=False)
    pd.testing.assert_frame_equal(capped.table, longer)
    with pytest.raises(InputError, match="target"):
        replications_needed(counting_replication, BASE, "utilisation", 5)
