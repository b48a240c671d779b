"""Experiments: replications from explicit seeds, paired comparisons, sweeps, sensitivity, on any executor.

The model side is one function ``fn(config, seed) -> {kpi: value}`` (see :mod:`.contract`). Everything here
works for any such function: :func:`run_replications` gives a tidy table (one row per scenario and
replication); :func:`summarise` and :func:`compare` add confidence intervals; :func:`replications_needed`,
:func:`sweep`, :func:`tornado`, :func:`morris` and :func:`sobol` build on them. ``executor="serial"``,
``"processes"`` or ``"dask"`` give identical results; ``store=DIR`` saves each replication as it finishes and
resumes an interrupted run.

Imports are lazy (PEP 562): worker processes load only the modules a replication needs, not scipy or SALib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.lazy import lazy_exports

if TYPE_CHECKING:
    from simlib.experiment.contract import (
        Arm,
        KPIs,
        Ranges,
        ReplicationFn,
        canonical_json,
        check_replication_fn,
        config_hash,
    )
    from simlib.experiment.design import design_scenarios, grid, latin_hypercube, make_design
    from simlib.experiment.executors import (
        DaskExecutor,
        Executor,
        ProcessExecutor,
        SerialExecutor,
        available_cores,
        make_executor,
    )
    from simlib.experiment.explorer import Exploration, Explorer
    from simlib.experiment.progress import progress_enabled
    from simlib.experiment.runner import kpi_columns, run_replications
    from simlib.experiment.sensitivity import SensitivityResult, morris, sobol, tornado
    from simlib.experiment.sequential import SequentialResult, replications_needed
    from simlib.experiment.stats import (
        MEAN_METHOD,
        PAIRED_METHOD,
        WELCH_METHOD,
        compare,
        mean_interval,
        rank_differences,
        summarise,
    )
    from simlib.experiment.store import ResultsStore
    from simlib.experiment.sweeps import SweepResult, sweep
    from simlib.model.streams import replication_seed, replication_seeds, stream
    from simlib.scenario.overrides import apply_overrides, get_path, parse_override, set_path

_EXPORTS: dict[str, str] = {
    "Exploration": "simlib.experiment.explorer",
    "Explorer": "simlib.experiment.explorer",
    "KPIs": "simlib.experiment.contract",
    "Ranges": "simlib.experiment.contract",
    "ReplicationFn": "simlib.experiment.contract",
    "Arm": "simlib.experiment.contract",
    "apply_overrides": "simlib.scenario.overrides",
    "canonical_json": "simlib.experiment.contract",
    "check_replication_fn": "simlib.experiment.contract",
    "config_hash": "simlib.experiment.contract",
    "get_path": "simlib.scenario.overrides",
    "parse_override": "simlib.scenario.overrides",
    "replication_seed": "simlib.model.streams",
    "replication_seeds": "simlib.model.streams",
    "set_path": "simlib.scenario.overrides",
    "stream": "simlib.model.streams",
    "design_scenarios": "simlib.experiment.design",
    "grid": "simlib.experiment.design",
    "latin_hypercube": "simlib.experiment.design",
    "make_design": "simlib.experiment.design",
    "DaskExecutor": "simlib.experiment.executors",
    "Executor": "simlib.experiment.executors",
    "ProcessExecutor": "simlib.experiment.executors",
    "SerialExecutor": "simlib.experiment.executors",
    "available_cores": "simlib.experiment.executors",
    "make_executor": "simlib.experiment.executors",
    "progress_enabled": "simlib.experiment.progress",
    "kpi_columns": "simlib.experiment.runner",
    "run_replications": "simlib.experiment.runner",
    "SensitivityResult": "simlib.experiment.sensitivity",
    "morris": "simlib.experiment.sensitivity",
    "sobol": "simlib.experiment.sensitivity",
    "tornado": "simlib.experiment.sensitivity",
    "SequentialResult": "simlib.experiment.sequential",
    "replications_needed": "simlib.experiment.sequential",
    "MEAN_METHOD": "simlib.experiment.stats",
    "PAIRED_METHOD": "simlib.experiment.stats",
    "WELCH_METHOD": "simlib.experiment.stats",
    "compare": "simlib.experiment.stats",
    "mean_interval": "simlib.experiment.stats",
    "rank_differences": "simlib.experiment.stats",
    "summarise": "simlib.experiment.stats",
    "ResultsStore": "simlib.experiment.store",
    "SweepResult": "simlib.experiment.sweeps",
    "sweep": "simlib.experiment.sweeps",
}

__all__ = [
    "MEAN_METHOD",
    "PAIRED_METHOD",
    "WELCH_METHOD",
    "Arm",
    "DaskExecutor",
    "Executor",
    "Exploration",
    "Explorer",
    "KPIs",
    "ProcessExecutor",
    "Ranges",
    "ReplicationFn",
    "ResultsStore",
    "SensitivityResult",
    "SequentialResult",
    "SerialExecutor",
    "SweepResult",
    "apply_overrides",
    "available_cores",
    "canonical_json",
    "check_replication_fn",
    "compare",
    "config_hash",
    "design_scenarios",
    "get_path",
    "grid",
    "kpi_columns",
    "latin_hypercube",
    "make_design",
    "make_executor",
    "mean_interval",
    "morris",
    "parse_override",
    "progress_enabled",
    "rank_differences",
    "replication_seed",
    "replication_seeds",
    "replications_needed",
    "run_replications",
    "set_path",
    "sobol",
    "stream",
    "summarise",
    "sweep",
    "tornado",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
