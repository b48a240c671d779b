"""``run_benchmarks``: every figure of issues 5 and 12 in one process run, at full or quick sizes, as one dict."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from simlib.bench.audit import audit_throughput
from simlib.bench.common import Target, as_python_runs_by_default, machine
from simlib.bench.explorer import explorer_round_trip
from simlib.bench.lifecycle import model_vs_bare
from simlib.bench.mmc import mm4_vs_ciw
from simlib.bench.scale import scale
from simlib.bench.startup import startup

NAMES = ("model", "scale", "audit", "explorer", "queue", "startup")


@dataclass(frozen=True)
class Sizes:
    """How big each figure is: the issue's sizes (``FULL``) or small ones for tests and CI (``QUICK``)."""

    model_cadres: int | None  # None: the scenario's own (baseline: 10 k cadres × 10 years)
    model_years: float | None
    model_repeat: int
    scale_cadres: tuple[int, ...]
    scale_years: float
    audit_events: int
    audit_repeat: int
    explorer_reps: int
    explorer_repeat: int
    explorer_widget_changes: int
    queue_customers: int
    queue_repeat: int
    startup_runs: int
    kernel_runs: int  # kernels started for the explorer notebook's first chart (0: not measured)


FULL = Sizes(model_cadres=None, model_years=None, model_repeat=2,
             scale_cadres=(1_000, 10_000, 100_000), scale_years=10.0,
             audit_events=1_000_000, audit_repeat=3, explorer_reps=20, explorer_repeat=3, explorer_widget_changes=10,
             queue_customers=100_000, queue_repeat=3, startup_runs=9, kernel_runs=3)
QUICK = Sizes(model_cadres=300, model_years=1.0, model_repeat=1, scale_cadres=(100, 400), scale_years=1.0,
              audit_events=20_000, audit_repeat=1, explorer_reps=1, explorer_repeat=1, explorer_widget_changes=2,
              queue_customers=20_000, queue_repeat=1, startup_runs=2, kernel_runs=0)


def figures(sizes: Sizes) -> dict[str, Callable[[], tuple[dict[str, Any], list[Target]]]]:
    """Each figure's measurement, ready to call."""
    return {
        "model": lambda: model_vs_bare("baseline", sizes.model_cadres, sizes.model_years, sizes.model_repeat),
        "scale": lambda: scale(sizes.scale_cadres, sizes.scale_years),
        "audit": lambda: audit_throughput(sizes.audit_events, sizes.audit_repeat),
        "explorer": lambda: explorer_round_trip("training/small", sizes.explorer_reps, sizes.explorer_repeat,
                                                sizes.explorer_widget_changes),
        "queue": lambda: mm4_vs_ciw(sizes.queue_customers, sizes.queue_repeat),
        "startup": lambda: startup(sizes.startup_runs, sizes.kernel_runs),
    }


def run_benchmarks(quick: bool = False, only: Sequence[str] | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure the figures named in ``only`` (default: all, in the order of :data:`NAMES`).

    Returns ``{"machine", "quick", "sizes", "figures": {name: {..., "took_s", "targets": [...]}},
    "load_average_end"}``; a target's ``met`` is None when its figure could not be measured, and for every
    target of a quick run."""
    sizes = QUICK if quick else FULL
    wanted = [n for n in NAMES if only is None or n in only]
    out: dict[str, Any] = {"machine": machine(), "quick": quick, "sizes": asdict(sizes), "figures": {}}
    for name in wanted:
        if progress:
            progress(name)
        start = time.perf_counter()
        with as_python_runs_by_default():
            result, targets = figures(sizes)[name]()
        judged = [t.as_dict() for t in targets]
        if quick:  # shrunken sizes say nothing about the targets: report the value, judge nothing
            judged = [{**t, "met": None, "quick": True} for t in judged]
        out["figures"][name] = {**result, "took_s": time.perf_counter() - start, "targets": judged}
    out["load_average_end"] = list(os.getloadavg())
    return out
