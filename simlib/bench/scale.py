"""Figure 2: how time and memory grow with cadres × years, each size in a fresh subprocess.

The child is ``python -m simlib.bench.model SCENARIO --cadres N --years Y --no-bare --json``: one replication
simulated, its log built and audited; its peak RSS (``VmHWM``, see :func:`simlib.bench.model.peak_rss_mb`) is
that size's own. The growth exponents are log-log slopes against cadres × years: of the time (build the
organisation, simulate, build the log, audit it) and of the memory
above the child's RSS after its imports (the interpreter and libraries are a constant, which would pull a
slope of total RSS below 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from simlib.bench.common import Target, loglog_slope
from simlib.pipeline.replication import find_scenario

TIME_TARGET_S = 60.0  # 100 k cadres × 10 years
MEMORY_TARGET_MB = 1536.0  # 1.5 GB
LINEAR_SLOPE_MAX = 1.05  # "linear in cadres × years" (issue 12)
TARGET_SIZE = (100_000, 10.0)


def run_size(path: str, cadres: int, years: float, seed: int = 1) -> dict[str, Any]:
    """One size in a fresh interpreter; its figures, or the error it ended with."""
    cmd = [sys.executable, "-m", "simlib.bench.model", path, "--cadres", str(cadres), "--years", str(years),
           "--seed", str(seed), "--no-bare", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    row: dict[str, Any] = {"cadres": cadres, "years": years, "cadre_years": cadres * years}
    if done.returncode != 0:
        return {**row, "error": f"exit {done.returncode}: {done.stderr.strip()[-400:]}"}
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        **row, "events": r["events"], "trips": r["trips"],
        "init_s": r["init_s"], "simulate_s": r["simulate_s"], "log_s": r["log_s"], "audit_s": r["audit_s"],
        "seconds": r["init_s"] + r["simulate_s"] + r["log_s"] + r["audit_s"],
        "cpu_seconds": r["init_cpu_s"] + r["simulate_cpu_s"] + r["log_cpu_s"] + r["audit_cpu_s"],
        "findings": r["findings"], "peak_rss_log_mb": r["peak_rss_log_mb"],
        "peak_rss_mb": r["peak_rss_mb"], "rss_base_mb": r["rss_base_mb"],
        "rss_growth_mb": r["peak_rss_mb"] - r["rss_base_mb"],
    }


def scale(sizes: Sequence[int], years: float, scenario: str = "baseline",
          seed: int = 1) -> tuple[dict[str, Any], list[Target]]:
    """Every size in turn (never two at once, so they do not compete for memory or cores)."""
    path = str(find_scenario(scenario))
    rows = [run_size(path, n, years, seed) for n in sizes]
    ok = [r for r in rows if "error" not in r]
    x = [r["cadre_years"] for r in ok]
    time_slope = loglog_slope(x, [r["seconds"] for r in ok])
    memory_slope = loglog_slope(x, [r["rss_growth_mb"] for r in ok])
    at_target = next((r for r in rows if (r["cadres"], r["years"]) == TARGET_SIZE), None)
    measured = at_target if at_target is not None and "error" not in at_target else None
    result = {"scenario": scenario, "sizes": rows, "time_slope": time_slope, "memory_slope": memory_slope,
              "target_size_measured": at_target is not None}
    return result, [
        Target("scale_time", measured["seconds"] if measured else None, "<=", TIME_TARGET_S, "s"),
        Target("scale_memory", measured["peak_rss_mb"] if measured else None, "<=", MEMORY_TARGET_MB, "MB"),
        Target("scale_time_slope", time_slope, "<=", LINEAR_SLOPE_MAX, ""),
        Target("scale_memory_slope", memory_slope, "<=", LINEAR_SLOPE_MAX, ""),
    ]
