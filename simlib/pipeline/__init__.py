"""The pipeline: simulate → event log → audit → KPIs, for one replication or a batch, and the results the CLI,
experiments, views and reports read.

>>> from simlib.pipeline import run_once
>>> from simlib.scenario import load_scenario, find_scenario
>>> r = run_once(load_scenario(find_scenario("training/small")), seed=1)  # doctest: +SKIP
>>> r.kpis["custody_on_time_private"], r.findings.summary("en")          # doctest: +SKIP

It sits above :mod:`simlib.model` (which emits facts and judges nothing) and :mod:`simlib.audit` (which judges a
log and never simulates); nothing below it imports it.
"""

from simlib.pipeline.combined import Combined, run_combined
from simlib.pipeline.kpi import HEADLINE_KPIS, kpi_table, kpis
from simlib.pipeline.replication import (
    Replication,
    ranges,
    replication,
    replications,
    resolve,
    run,
    run_once,
    seeds,
    summary_table,
    write,
    write_replication,
    write_run,
)

__all__ = ["HEADLINE_KPIS", "Combined", "Replication", "kpi_table", "kpis", "ranges", "replication",
           "replications", "resolve", "run", "run_combined", "run_once", "seeds", "summary_table", "write",
           "write_replication", "write_run"]
