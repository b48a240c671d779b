"""Stand-in model for the experiment tests: the demo M/M/c queue, a counter log, and a CLI entry point.

``counting_replication`` appends ``start <hash> <seed>`` to the file named by ``$STANDIN_COUNTER_LOG`` (when
set) before running, so a test can tell how often each replication was started, across processes and runs;
``$STANDIN_PAUSE_S`` makes each replication sleep that long first (so a run can be killed mid-way).
Run as a script it is the experiment CLI with a stand-in ``resolve``:
``python tests/experiment_standin.py sweep base --param queue.arrival_rate=2.5:3.5 --out DIR``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from simlib.bench.queue_standin import DEMO_RANGES, mmc_replication
from simlib.errors import InputError
from simlib.experiment.contract import KPIs, config_hash
from simlib.scenario.overrides import set_path

COUNTER_ENV = "STANDIN_COUNTER_LOG"
PAUSE_ENV = "STANDIN_PAUSE_S"

BASE: dict[str, Any] = {
    "queue": {"arrival_rate": 3.0, "service_rate": 1.0, "servers": 4},
    "run": {"customers": 400, "warmup": 50},
}
SCENARIOS: dict[str, dict[str, Any]] = {
    "base": BASE,
    "more-servers": set_path(BASE, "queue.servers", 5),
    "faster": set_path(BASE, "queue.service_rate", 1.05),
}


def counting_replication(config: Mapping[str, Any], seed: int) -> KPIs:
    """The demo queue, logging each start to ``$STANDIN_COUNTER_LOG`` and pausing ``$STANDIN_PAUSE_S``."""
    log = os.environ.get(COUNTER_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"start {config_hash(config)} {seed}\n")
    pause = float(os.environ.get(PAUSE_ENV, "0"))
    if pause:
        time.sleep(pause)
    return mmc_replication(config, seed)


def failing_replication(config: Mapping[str, Any], seed: int) -> KPIs:
    """Fails on purpose (for error-reporting tests)."""
    raise ZeroDivisionError("boom")


def resolve(name: str, overrides: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], Any]:
    """Stand-in for the lead's resolver: a scenario name -> (name, config with overrides, function)."""
    if name not in SCENARIOS:
        raise InputError(
            f"unknown scenario {name!r}", field="SCENARIO", fix=f"use one of: {', '.join(SCENARIOS)}"
        )
    config: Mapping[str, Any] = SCENARIOS[name]
    for path, value in overrides.items():
        config = set_path(config, path, value)
    return name, config, counting_replication


def ranges(config: Mapping[str, Any], paths: Sequence[str] | None) -> dict[str, tuple[float, float]]:
    """Stand-in for the documented plausible ranges."""
    return {p: r for p, r in DEMO_RANGES.items() if paths is None or p in paths}


if __name__ == "__main__":
    import experiment_standin  # import by name, so that worker processes can load the functions

    from simlib.cli.experiment import run_cli

    sys.exit(run_cli(sys.argv[1:], experiment_standin.resolve, experiment_standin.ranges))
