"""Replications: run a scenario with explicit seeds, audit each log, compute KPIs, write the outputs.

``replication(config, seed)`` is the picklable ``fn(config, seed) -> {kpi: value}`` that
:mod:`simlib.experiment` expects; ``run(scenario, reps, seed)`` is what ``simlib run`` calls.

Its batched form ``replications(config, seeds)`` (``replication.batch``) gives the same KPIs for each seed
more cheaply, by auditing the seeds' logs as one (:mod:`simlib.pipeline.combined`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.audit import Findings, audit
from simlib.errors import InputError
from simlib.files import write_atomic
from simlib.log.eventlog import EventLog
from simlib.model.streams import replication_seeds
from simlib.model.world import Model
from simlib.pipeline.kpi import kpi_table, kpis
from simlib.scenario import Scenario, find_scenario, iter_params, load_scenario, validate

SWEEPABLE = ("behaviour.", "enforcement.", "approval.", "controls.")


@dataclass
class Replication:
    """One replication's log, findings, KPIs and timing."""

    seed: int
    log: EventLog
    findings: Findings
    kpis: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)


def seeds(seed: int, reps: int) -> list[int]:
    """Replication seeds from ``SeedSequence(seed).spawn(reps)``, the same as the experiment layer's, so
    ``simlib run --reps`` and ``simlib compare`` see the same replications; one replication alone uses
    ``seed`` itself, so a replication is reproduced from the seed it reports."""
    return [int(seed)] if reps == 1 else replication_seeds(int(seed), reps)


def run_once(scenario: Scenario, seed: int) -> Replication:
    """Simulate, audit and measure one replication."""
    t0 = time.perf_counter()
    model = Model(scenario, seed=seed).run()
    t1 = time.perf_counter()
    log = model.log(release=True)  # the last log of this model: its recorded rows are freed as it is built
    t2 = time.perf_counter()
    found = audit(log, model.params)
    t3 = time.perf_counter()
    values = kpis(log, found)
    return Replication(seed, log, found, values, {"simulate": t1 - t0, "log": t2 - t1, "audit": t3 - t2})


def run(scenario: Scenario, reps: int = 1, seed: int | None = None) -> list[Replication]:
    """``reps`` replications from ``seed`` (default: the scenario's)."""
    base = scenario.seed if seed is None else seed
    return [run_once(scenario, s) for s in seeds(base, reps)]


def replication(config: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The experiment contract: a plain-data scenario and a seed in, KPIs out."""
    return run_once(validate(dict(config), source="<config>"), seed).kpis


def replications(config: Mapping[str, Any], seeds: Sequence[int]) -> list[dict[str, float]]:
    """The batched form of :func:`replication`: the KPIs of each seed, the same numbers as one call per seed,
    with the fixed cost of building and auditing a log paid once per combined log
    (:func:`simlib.pipeline.combined.run_combined`)."""
    from simlib.pipeline.combined import run_combined  # it builds Replication objects of this module

    scenario = validate(dict(config), source="<config>")
    return [values for combined in run_combined(scenario, seeds) for values in combined.kpis]


replication.batch = replications  # type: ignore[attr-defined]  # the experiment layer's batched form


def write_replication(r: Replication, out: Path) -> dict[str, Path]:
    """One replication's log (``log-<seed>.parquet``, a folder of Parquet tables) and findings
    (``findings-<seed>.csv``), each written atomically: a file is whole under its name or absent."""
    from simlib.log.io import write_log

    out.mkdir(parents=True, exist_ok=True)
    findings = out / f"findings-{r.seed}.csv"
    write_atomic(findings, r.findings.table.to_csv(index=False))
    return {f"log-{r.seed}": write_log(r.log, out / f"log-{r.seed}.parquet"), f"findings-{r.seed}": findings}


def write_run(seeds: Sequence[int], rows: Sequence[Mapping[str, float]], scenario: Scenario,
              out: Path) -> dict[str, Path]:
    """What a run writes once its replications are done: ``kpis.csv`` (one row per seed) and
    ``scenario.json``, each atomically."""
    table = kpi_table(list(rows))
    table.insert(0, "seed", pd.Series(list(seeds), dtype="int64", index=table.index))
    paths = {"kpis": write_atomic(out / "kpis.csv", table.to_csv(index=False)),
             "scenario": write_atomic(out / "scenario.json", json.dumps(scenario.model_dump(mode="json"),
                                                                         indent=2, ensure_ascii=False))}
    return paths


def write(results: list[Replication], scenario: Scenario, out: Path) -> dict[str, Path]:
    """Per replication: the log and findings (:func:`write_replication`); for the run: ``kpis.csv`` and
    ``scenario.json`` (:func:`write_run`). Every file is written atomically."""
    paths: dict[str, Path] = {}
    for r in results:
        paths.update(write_replication(r, out))
    return {**paths, **write_run([r.seed for r in results], [r.kpis for r in results], scenario, out)}


def summary_table(rows: Sequence[Mapping[str, float]]) -> pd.DataFrame:
    """Mean and spread of each KPI over the replications (their :attr:`Replication.kpis`)."""
    table = kpi_table(list(rows))
    return pd.DataFrame({"mean": table.mean(), "min": table.min(), "max": table.max()})


def resolve(name: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any], Any]:
    """For the experiment CLI: a scenario name or path and overrides → (name, plain-data config, function)."""
    sc = load_scenario(find_scenario(name), dict(overrides))
    return sc.name, sc.model_dump(mode="json"), replication


def ranges(config: Mapping[str, Any], paths: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """Documented ranges of parameters (all behaviour, enforcement, approval and control levels when
    ``paths`` is None) for sweeps and sensitivity analysis."""
    known = {p.path: p.range for p in iter_params(Scenario) if p.range is not None}
    wanted = paths if paths is not None else [k for k in known if k.startswith(SWEEPABLE)]
    out: dict[str, tuple[float, float]] = {}
    for path in wanted:
        if path not in known:
            raise InputError(field=path, key="pipeline.no_range", values={"path": repr(path)})
        lo, hi = known[path]
        out[path] = (float(lo if lo is not None else 0.0), float(hi if hi is not None else 1.0))
    return out
