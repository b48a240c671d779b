"""A comparison study reads many differences at once honestly: Holm's adjustment over its headline table (every
alternative × headline KPI), the smallest detectable difference, and both in the report's summary."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.experiment.stats import ADJUSTMENTS, adjust_pvalues
from simlib.views.sections import summary_html
from simlib.views.study import run_study


@pytest.fixture(scope="module")
def study():
    return run_study("training/small", ["no_exit_control", "pre_notice"], reps=3, executor="serial",
                     sets={"organisation.cadres": 150, "calendar.years": 2})


def test_the_headline_table_is_adjusted_as_one_family(study) -> None:
    d = study.differences
    head = d[d["kpi"].isin(study.headline)]
    assert set(head["adjustment"]) == {ADJUSTMENTS["holm"]}
    np.testing.assert_allclose(head["p_adjusted"], adjust_pvalues(head["p_value"].to_numpy(), "holm"))
    assert (head["significant_adjusted"] <= head["significant"]).all()  # adjusting never adds a significance
    rest = d[~d["kpi"].isin(study.headline)]
    assert set(rest["adjustment"]) == {ADJUSTMENTS["none"]}  # per-clause counts are not part of the family


def test_the_summary_says_how_many_differences_survive_the_adjustment(study) -> None:
    head = study.differences[study.differences["kpi"].isin(study.headline)]
    text = summary_html(study, "en")
    assert f"holds {head['p_value'].notna().sum()} tests" in text
    assert f"{int(head['significant_adjusted'].sum())} remain so after Holm" in text
    assert "the smallest difference this size detects with 80 % power" in text or head["significant"].all()
