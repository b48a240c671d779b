"""Replications: same seeds, identical KPI tables serially, on a process pool and on a Dask LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from experiment_standin import SCENARIOS, counting_replication, failing_replication

from simlib.errors import InputError
from simlib.experiment import Arm, DaskExecutor, ProcessExecutor, replication_seeds, run_replications
from simlib.experiment.progress import progress_enabled

SCENARIOS_RUN = [Arm("base", SCENARIOS["base"]), Arm("more-servers", SCENARIOS["more-servers"])]


@pytest.fixture(scope="module")
def serial_table() -> pd.DataFrame:
    return run_replications(counting_replication, SCENARIOS_RUN, 6, root_seed=11, progress=False)


def test_table_shape_and_seeds(serial_table: pd.DataFrame) -> None:
    assert list(serial_table.columns[:3]) == ["scenario", "replication", "seed"]
    assert {"mean_wait", "p_wait", "utilisation"} <= set(serial_table.columns)
    assert len(serial_table) == 12
    for _, group in serial_table.groupby("scenario"):
        assert list(group["seed"]) == replication_seeds(11, 6)  # same seeds in every scenario
    run = serial_table.attrs["run"]
    assert run["computed"] == 12 and run["reused"] == 0 and run["executor"] == "serial"


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[DaskExecutor]:
    with DaskExecutor(workers=2) as executor:  # starts a LocalCluster of 2 single-threaded processes
        yield executor


def test_serial_processes_and_dask_give_identical_tables(
    serial_table: pd.DataFrame, local_cluster: DaskExecutor
) -> None:
    procs = run_replications(
        counting_replication,
        SCENARIOS_RUN,
        6,
        root_seed=11,
        executor="processes",
        workers=2,
        batch_size=2,
        progress=False,
    )
    pd.testing.assert_frame_equal(procs, serial_table)
    dask = run_replications(
        counting_replication, SCENARIOS_RUN, 6, root_seed=11, executor=local_cluster, progress=False
    )
    pd.testing.assert_frame_equal(dask, serial_table)
    assert dask.attrs["run"]["workers"] == 2 and dask.attrs["run"]["executor"] == "dask"


def test_dask_scheduler_address_with_client_side_store(
    serial_table: pd.DataFrame, local_cluster: DaskExecutor, tmp_path: Path
) -> None:
    address = local_cluster.client.scheduler.address
    with DaskExecutor(scheduler=address) as remote:
        assert not remote.shared_filesystem and remote.workers == 2
        table = run_replications(
            counting_replication,
            SCENARIOS_RUN,
            6,
            root_seed=11,
            executor=remote,
            store=tmp_path,
            progress=False,
        )
    pd.testing.assert_frame_equal(table, serial_table)
    assert len(list(tmp_path.glob("replications/*/r*.parquet"))) == 12
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        run_replications(
            counting_replication, SCENARIOS_RUN, 2, executor=DaskExecutor("tcp://127.0.0.1:9", timeout=0.5)
        )


def test_subset_of_replications_matches_full_run(serial_table: pd.DataFrame) -> None:
    part = run_replications(counting_replication, SCENARIOS_RUN, [4, 5], root_seed=11, progress=False)
    full = serial_table[serial_table["replication"].isin([4, 5])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, full)


def test_same_config_under_two_names_is_run_once() -> None:
    twins = [Arm("a", SCENARIOS["base"]), Arm("b", SCENARIOS["base"])]
    table = run_replications(counting_replication, twins, 3, progress=False)
    assert table.attrs["run"]["computed"] == 3
    a, b = (g.drop(columns="scenario").reset_index(drop=True) for _, g in table.groupby("scenario"))
    pd.testing.assert_frame_equal(a, b)


def test_errors_name_scenario_replication_and_seed() -> None:
    with pytest.raises(
        RuntimeError, match=r"scenario 'base' replication 0 \(seed \d+\) failed: ZeroDivisionError"
    ):
        run_replications(failing_replication, SCENARIOS_RUN[:1], 2, progress=False)


def test_bad_input_is_rejected_up_front() -> None:
    with pytest.raises(InputError, match="unknown executor"):
        run_replications(counting_replication, SCENARIOS_RUN, 2, executor="threads")
    with pytest.raises(InputError, match="--reps"):
        run_replications(counting_replication, SCENARIOS_RUN, 0)
    with pytest.raises(InputError, match="both named"):
        run_replications(
            counting_replication, [Arm("x", SCENARIOS["base"]), Arm("x", SCENARIOS["faster"])], 2
        )
    with pytest.raises(InputError, match="--scheduler"):
        run_replications(counting_replication, SCENARIOS_RUN, 2, executor="processes", scheduler="tcp://x:1")


def test_process_pool_rejects_functions_defined_in_main() -> None:
    def make() -> object:
        ns: dict[str, object] = {"__name__": "__main__"}
        exec("def fn(config, seed):\n    return {'x': 1.0}\n", ns)
        return ns["fn"]

    with ProcessExecutor(workers=1) as pool, pytest.raises(InputError, match="defined in __main__"):
        list(pool.run(make(), [], None))  # type: ignore[arg-type]


def test_progress_is_quiet_in_ci_and_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False
    assert progress_enabled(True) is True
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert progress_enabled(None) is False
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert progress_enabled(None) is True
    assert progress_enabled(False) is False
