"""The one place the views read the pipeline from: replication function, scenario lookup, one replication, the
headline KPIs and parameter ranges (``simlib.pipeline`` when it has them, else their former home in
``simlib.model``)."""

from __future__ import annotations

import importlib
from typing import Any

_FORMER = {"HEADLINE_KPIS": "simlib.model.kpi", "find_scenario": "simlib.model.runner",
           "replication": "simlib.model.runner", "run_once": "simlib.model.runner", "ranges": "simlib.model.runner"}


def _get(name: str) -> Any:
    try:
        value = getattr(importlib.import_module("simlib.pipeline"), name, None)
    except ImportError:  # before simlib.pipeline landed
        value = None
    return value if value is not None else getattr(importlib.import_module(_FORMER[name]), name)


HEADLINE_KPIS: tuple[str, ...] = tuple(_get("HEADLINE_KPIS"))
find_scenario = _get("find_scenario")
replication = _get("replication")
run_once = _get("run_once")
ranges = _get("ranges")

__all__ = ["HEADLINE_KPIS", "find_scenario", "ranges", "replication", "run_once"]
