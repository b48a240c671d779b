"""Replications run as one combined log (ids prefixed per replication, built and audited once) give exactly
what each replication gives alone: the same KPIs and, split back per replication, the same findings.

This is the golden equivalence test of the batched replication: an audit rule that looked at the log as a
whole (its start, "once in the log", a duty of nobody in particular) rather than per object would make a
replication's findings depend on the others in its batch, and fail here."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simlib.bench.queue_standin import mmc_replication
from simlib.experiment import run_replications
from simlib.experiment.batch import Batch, run_batch
from simlib.experiment.contract import Arm, KPIs
from simlib.model.streams import replication_seeds
from simlib.pipeline.combined import run_combined
from simlib.pipeline.replication import find_scenario, replication, run_once
from simlib.scenario import load_scenario

SMALL = {"organisation.cadres": 300, "organisation.units.prefecture_per_provincial": 1,
         "organisation.units.county_per_prefecture": 3, "calendar.years": 2}
TINY = {"organisation.cadres": 120, "calendar.years": 1}
WORLDS = {  # name -> overrides that bring it to the training world's size
    "training/small": {}, "training/flight": {}, "training/delegation": {},
    "no_private_custody": SMALL, "weak_sanctions": SMALL, "no_cleanup": SMALL, "pre_notice": SMALL,
}
NOT_COUNTS = {"approval_days_mean", "approval_days_p90", "custody_on_time_public", "custody_on_time_private",
              "detection_lead_days", "exit_control_days", "flight_funds"}
SORT = ["clause", "code", "time", "cadre", "unit", "trip", "document", "delegation", "case", "event_id"]


def assert_same_kpis(batched: Mapping[str, float], alone: Mapping[str, float]) -> None:
    assert list(batched) == list(alone)
    for k, v in alone.items():
        if k in NOT_COUNTS:
            np.testing.assert_allclose(batched[k], v, rtol=1e-12, atol=0, err_msg=k)
        else:
            assert batched[k] == v, k


@pytest.mark.parametrize("world", WORLDS)
def test_a_batch_gives_each_replication_what_it_gives_alone(world: str) -> None:
    scenario = load_scenario(find_scenario(world), WORLDS[world])
    seeds = replication_seeds(7, 3)
    [combined] = run_combined(scenario, seeds)
    assert combined.log.n_events == sum(r.log.n_events for r in combined.replications)
    for mine in combined.replications:
        alone = run_once(scenario, mine.seed)
        assert mine.log.n_events == alone.log.n_events
        assert_same_kpis(mine.kpis, alone.kpis)
        for what in ("judged", "checks", "source", "start", "end", "n_events", "n_objects"):
            assert getattr(mine.findings, what) == getattr(alone.findings, what), what
        assert len(alone.findings) > 0  # the comparison below compares something
        assert mine.findings.judged_documents.keys() == alone.findings.judged_documents.keys() != set()
        for clause, judged in alone.findings.judged_documents.items():  # which documents' obligations: the same
            pd.testing.assert_frame_equal(mine.findings.judged_documents[clause].sort_values(["event_id", "document"],
                                                                                           ignore_index=True),
                                          judged.sort_values(["event_id", "document"], ignore_index=True),
                                          check_dtype=False, obj=clause)
        pd.testing.assert_frame_equal(mine.findings.table.sort_values(SORT, ignore_index=True),
                                      alone.findings.table.sort_values(SORT, ignore_index=True))


def test_ids_in_the_combined_log_are_prefixed_per_replication_and_events_numbered_on() -> None:
    scenario = load_scenario(find_scenario("training/delegation"), {"calendar.years": 1})
    [combined] = run_combined(scenario, [1, 2])
    first, second = (r.log for r in combined.replications)
    assert combined.firsts == [0, first.n_events]
    for i, part in enumerate((first, second)):
        cadres = part.objects_of("cadre")
        assert cadres["object_id"].str.startswith(f"r{i}/").all()
        assert cadres["unit"].str.startswith(f"r{i}/").all()
        assert part.members["object_id"].str.startswith(f"r{i}/").all() and len(part.members)
        numbers = part.events()["event_id"].str[1:].astype(int)
        assert numbers.min() == combined.firsts[i] and numbers.max() == combined.firsts[i] + part.n_events - 1
    assert (combined.log.objects_of("unit")["parent"] == "").sum() == 2  # one top unit each, no prefix on ''


def test_replications_are_combined_while_the_log_stays_within_its_event_budget() -> None:
    scenario = load_scenario(find_scenario("training/small"), {**TINY, "calendar.years": 0.5})
    alone = [run_once(scenario, s) for s in (1, 2, 3)]
    sizes = [r.log.n_events for r in alone]
    logs = run_combined(scenario, [1, 2, 3], max_events=sizes[0] + sizes[1])
    assert [len(c.replications) for c in logs] == [2, 1]
    assert [r.kpis["events"] for c in logs for r in c.replications] == [float(n) for n in sizes]
    assert [len(c.replications) for c in run_combined(scenario, [1, 2], max_events=1)] == [1, 1]


def test_the_same_seed_gives_the_same_kpis_whatever_the_batch_size_and_executor() -> None:
    scenario = Arm("tiny", load_scenario(find_scenario("training/small"), TINY).model_dump(mode="json"))
    runs = [run_replications(replication, scenario, 4, executor="serial", batch_size=size, progress=False)
            for size in (1, 3)]
    runs.append(run_replications(replication, scenario, 4, executor="processes", workers=2, batch_size=2,
                                 progress=False))
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other, runs[0], check_exact=True)


# -- the experiment layer's use of a batched form ---------------------------------------------------------


def queue(config: Mapping[str, Any], seed: int) -> KPIs:
    """The demo queue, one replication."""
    return mmc_replication(config, seed)


def queue_together(config: Mapping[str, Any], seeds: Sequence[int]) -> list[KPIs]:
    """Its batched form, marking each result so that a test sees which form ran."""
    return [{**mmc_replication(config, s), "together": 1.0} for s in seeds]


queue.batch = queue_together  # type: ignore[attr-defined]


def fragile(config: Mapping[str, Any], seed: int) -> KPIs:
    """Fails alone for one seed."""
    if seed == 13:
        raise ZeroDivisionError("seed 13")
    return {**mmc_replication(config, seed), "together": 0.0}


def fragile_together(config: Mapping[str, Any], seeds: Sequence[int]) -> list[KPIs]:
    raise ZeroDivisionError("somewhere in the batch")


fragile.batch = fragile_together  # type: ignore[attr-defined]

QUEUE = {"queue": {"arrival_rate": 3.0, "service_rate": 1.0, "servers": 4}, "run": {"customers": 200, "warmup": 20}}


def _batch(*seeds: int) -> Batch:
    return Batch("h", "queue", QUEUE, tuple(enumerate(seeds)))


def test_a_batch_uses_the_batched_form_and_shares_its_time() -> None:
    rows = run_batch(queue, _batch(1, 2, 3))
    assert [r["together"] for r in rows] == [1.0] * 3
    assert [r["seed"] for r in rows] == [1, 2, 3] and [r["replication"] for r in rows] == [0, 1, 2]
    assert len({r["elapsed_s"] for r in rows}) == 1  # the call's time, an equal share each
    for r in rows:
        assert {k: v for k, v in r.items() if k in mmc_replication(QUEUE, r["seed"])} == mmc_replication(QUEUE,
                                                                                                           r["seed"])
    assert "together" not in run_batch(queue, _batch(1))[0]  # one replication runs alone


def test_a_failed_batched_call_runs_the_seeds_alone_and_names_the_failing_one() -> None:
    with pytest.raises(RuntimeError, match=r"replication 1 \(seed 13\) failed: ZeroDivisionError: seed 13"):
        run_batch(fragile, _batch(5, 13, 6))
    with pytest.warns(RuntimeWarning, match="somewhere in the batch"):
        rows = run_batch(fragile, _batch(5, 6))
    assert [r["together"] for r in rows] == [0.0, 0.0]  # the results of the runs alone


def test_the_explorer_asks_for_one_batch_per_worker(monkeypatch) -> None:
    from experiment_standin import resolve

    from simlib.experiment import explorer

    sizes = []
    real = explorer.run_replications

    def spy(*args: Any, **kwargs: Any) -> pd.DataFrame:
        sizes.append(kwargs["batch_size"])
        return real(*args, **kwargs)

    monkeypatch.setattr(explorer, "run_replications", spy)
    with explorer.Explorer("base", reps=5, executor="serial", kpis=["mean_wait"], resolve=resolve) as ex:
        ex.run({"queue.servers": 5})
    assert sizes == [math.ceil(5 / 1)] * 2


def test_a_function_with_a_batched_form_gets_batches_big_enough_to_combine() -> None:
    from simlib.experiment.contract import batched
    from simlib.experiment.runner import COMBINED, default_batch_size
    from simlib.pipeline.replication import replications

    assert batched(replication) is replications and batched(fragile_together) is None
    assert default_batch_size(40, 2) == 2  # functions without one keep their batches
    assert default_batch_size(40, 2, combined=True) == COMBINED
    assert default_batch_size(6, 2, combined=True) == 3  # still one batch for each worker
    assert default_batch_size(1000, 2, combined=True) == default_batch_size(1000, 2) == 32
