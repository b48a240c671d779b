"""Figure 3: audit throughput on a generated log (``simlib.log.synthetic``), best of N (target >= 1 M events/s).

``python -m simlib.bench.audit_detail`` is the detailed tool (per check, log formats); this is the one figure.
"""

from __future__ import annotations

from typing import Any

from simlib.audit import all_checks, audit
from simlib.bench.common import Target, best_of
from simlib.log.synthetic import synthetic_log

RATE_TARGET = 1_000_000.0


def audit_throughput(n_events: int, repeat: int = 3, seed: int = 1) -> tuple[dict[str, Any], list[Target]]:
    """Generate the log once, register the checks, then time ``audit(log)``."""
    made = best_of(lambda: synthetic_log(n_events, seed), 1)
    log = made.result
    all_checks()  # import and register the checks outside the timing
    run = best_of(lambda: audit(log), repeat)
    rate = log.n_events / run.seconds
    result = {
        "events": log.n_events, "objects": log.n_objects, "generate_s": made.seconds,
        **run.as_dict(), "events_per_s": rate, "findings": len(run.result), "checks": len(run.result.checks),
    }
    return result, [Target("audit_rate", rate, ">=", RATE_TARGET, "events/s")]
