"""The one place the views read the pipeline from: replication function, scenario lookup, one replication and
the headline KPIs (``simlib.pipeline`` when present, else its former home in ``simlib.model``)."""

from __future__ import annotations

try:  # the pipeline package of the house issue
    from simlib.pipeline import HEADLINE_KPIS, find_scenario, replication, run_once
except ImportError:  # pragma: no cover - before simlib.pipeline landed
    from simlib.model.kpi import HEADLINE_KPIS
    from simlib.model.runner import find_scenario, replication, run_once

__all__ = ["HEADLINE_KPIS", "find_scenario", "replication", "run_once"]
