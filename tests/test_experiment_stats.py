"""Confidence intervals: per-KPI t-intervals, paired differences (CRN), Welch for contrast, sequential n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiment_standin import SCENARIOS, counting_replication
from scipy import stats

from simlib.errors import InputError
from simlib.experiment import (
    MEAN_METHOD,
    PAIRED_METHOD,
    Arm,
    compare,
    mean_interval,
    rank_differences,
    replications_needed,
    run_replications,
    summarise,
)
from simlib.experiment.stats import (
    adjust_pvalues,
    minimum_detectable_effect,
    paired_pvalue,
    replications_to_detect,
)

BASE = Arm("base", SCENARIOS["base"])
FASTER = Arm("faster", SCENARIOS["faster"])  # service rate +5%: a small change


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


# -- many differences at once: adjusted p-values, detectable effects ---------------------------------------------
def test_holm_matches_the_hand_computation() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4·0.005, 3·0.01, 2·0.03, max(1·0.04, 0.06): 0.02, 0.03, 0.06, 0.06
    adjusted = adjust_pvalues([0.01, 0.04, 0.03, 0.005, np.nan], "holm")
    assert adjusted[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02]) and np.isnan(adjusted[4])
    assert adjust_pvalues([0.3, 0.6], "holm") == pytest.approx([0.6, 0.6])  # capped at 1, monotone


def test_benjamini_hochberg_matches_scipy() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert adjust_pvalues(p, "bh") == pytest.approx(stats.false_discovery_control(p, method="bh"))
    assert adjust_pvalues([np.nan, 0.02, 0.04], "bh")[1:] == pytest.approx([0.04, 0.04])
    assert adjust_pvalues(p, "none") == pytest.approx(p)
    with pytest.raises(InputError, match="adjust"):
        adjust_pvalues(p, "bonferroni-ish")


def test_paired_pvalue_is_scipys_ttest_rel() -> None:
    rng = np.random.default_rng(5)
    base = rng.normal(10, 2, 15)
    alt = base + rng.normal(0.4, 1, 15)
    assert paired_pvalue(alt, base) == pytest.approx(stats.ttest_rel(alt, base).pvalue)
    steps = np.arange(10.0)  # a constant difference: certain, or nothing
    assert paired_pvalue(steps + 1, steps) == 0.0 and paired_pvalue(steps, steps) == 1.0


def test_minimum_detectable_effect_is_detected_with_the_stated_power() -> None:
    """At the MDE the exact power of the paired t-test (noncentral t) is the stated 80 %."""
    sd, n = 2.0, 20
    mde = minimum_detectable_effect(sd, n, confidence=0.95, power=0.8)
    crit, nc = stats.t.ppf(0.975, n - 1), mde * np.sqrt(n) / sd
    power = stats.nct.sf(crit, n - 1, nc) + stats.nct.cdf(-crit, n - 1, nc)
    assert power == pytest.approx(0.8, abs=0.01)
    assert minimum_detectable_effect(sd, 4 * n) < mde / 1.9  # ~ 1/√n
    assert np.isnan(minimum_detectable_effect(sd, 1)) and minimum_detectable_effect(0.0, n) == 0


def test_replications_to_detect_is_the_first_n_whose_mde_reaches_the_effect() -> None:
    n = replications_to_detect(0.5, 2.0)
    assert minimum_detectable_effect(2.0, int(n)) <= 0.5 < minimum_detectable_effect(2.0, int(n) - 1)
    assert replications_to_detect(0.0, 2.0) == np.inf and replications_to_detect(1e-9, 2.0) == np.inf


def test_compare_names_its_adjustment_and_says_what_it_could_detect(table: pd.DataFrame) -> None:
    plain = compare(table, "base")
    holm = compare(table, "base", adjust="holm")
    bh = compare(table, "base", adjust="bh")
    a = table.loc[table["scenario"] == "faster", "mean_wait"].to_numpy()
    b = table.loc[table["scenario"] == "base", "mean_wait"].to_numpy()
    wait = holm.set_index("kpi").loc["mean_wait"]
    assert wait["p_value"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert (plain["p_adjusted"] == plain["p_value"]).all() and plain["adjustment"].iloc[0].startswith("none")
    assert wait["adjustment"] == "Holm step-down (family-wise error rate)"
    assert bh["adjustment"].iloc[0] == "Benjamini-Hochberg (false discovery rate)"
    assert (holm["p_adjusted"] >= holm["p_value"]).all() and (holm["p_adjusted"] >= bh["p_adjusted"]).all()
    assert (holm["significant_adjusted"] == (holm["p_adjusted"] < 0.05)).all()
    # the detectable effect of each difference, from the sd of its paired differences
    assert wait["mde"] == pytest.approx(minimum_detectable_effect((a - b).std(ddof=1), 12))
    assert wait["resolved"] == (abs(wait["diff"]) >= wait["mde"]) and wait["power"] == 0.8
    assert wait["reps_to_detect"] == replications_to_detect(wait["diff"], (a - b).std(ddof=1))
