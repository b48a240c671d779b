"""Figure 6: start-up — how long a person waits for ``simlib --help``, for ``simlib audit`` of a ten-event log and
for ``import simlib``, each the median of ``runs`` fresh interpreters.

Every run is a new ``python -c`` process (the console script's own two lines for the commands); the three commands
take turns, so that a change in the machine's load touches each alike, after one untimed run of each (bytecode
compiled, files cached). Beside the wall time, each run's CPU time (user + system of the child) is kept: on a
loaded machine the wall time also counts the wait for a core. The children cache bytecode as Python does by
default (:func:`simlib.bench.common.as_python_runs_by_default`): the untimed run compiles simlib's modules once, as
a person's first command does. The ten-event log — one cadre's public trip from
request to a late hand-in of the passport — is written as OCEL 2.0 JSON into a temporary folder. And, when
``kernel_runs`` is not 0, from a kernel's start to the explorer notebook's first chart
(:func:`simlib.bench.kernel.kernel_to_first_chart`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from simlib.bench.common import Target
from simlib.bench.kernel import TARGET_S as KERNEL_TARGET_S
from simlib.bench.kernel import kernel_to_first_chart

CLI = "import sys; from simlib.cli import main; sys.exit(main())"  # what the `simlib` console script runs
TARGETS_S = {"help": 0.5, "audit": 0.8, "import": 0.5}


def ten_event_log(folder: Path) -> Path:
    """One cadre's public trip in ten events (the passport handed in 16 days after entry), as OCEL 2.0 JSON."""
    from simlib.log.builder import LogBuilder
    from simlib.log.io import write_log

    b = LogBuilder()
    b.add_object("unit", "county", level="county", parent="")
    b.add_object("agency", "fao", kind="fao", level="provincial")
    b.add_object("cadre", "wang", unit="county", rank="division", is_party_member=True)
    b.add_object("trip", "t1", kind="public_temporary")
    b.add_object("document", "p1", doc_type="public_passport")
    trip = {"trip": "t1", "cadre": "wang"}
    b.add_event("TripRequested", "2005-01-10", **trip, plan_depart="2005-03-01", plan_return="2005-03-10")
    b.add_event("Vetting", "2005-01-20", **trip, political=True, integrity=True)
    b.add_event("TripApproved", "2005-02-01", **trip, approver="fao", approved_return="2005-03-10", approval_ref="A1")
    b.add_event("Education", "2005-02-15", **trip)
    b.add_event("PreDepartureTraining", "2005-02-20", **trip)
    b.add_event("ReminderTalk", "2005-02-25", **trip)
    b.add_event("DocCheckedOut", "2005-02-28", document="p1", cadre="wang", trip="t1", approval_ref="A1")
    b.add_event("Exit", "2005-03-01", **trip, document="p1", port="PEK")
    b.add_event("Entry", "2005-03-10", **trip, document="p1", port="PEK")
    b.add_event("DocSurrendered", "2005-03-26", document="p1", cadre="wang", recipient="fao")
    return write_log(b.build(end="2005-12-31"), folder / "ten-events.jsonocel")


def commands(log: Path) -> dict[str, tuple[str, list[str]]]:
    """Each measured command: how a person types it, and the child process's arguments after ``python``."""
    return {
        "help": ("simlib --help", ["-c", CLI, "--help"]),
        "audit": (f"simlib audit {log.name}", ["-c", CLI, "audit", str(log)]),
        "import": ('python -c "import simlib"', ["-c", "import simlib"]),
    }


def run_once(args: list[str]) -> tuple[float, float, int, str]:
    """One fresh interpreter: wall seconds, CPU seconds (user + system), exit status, the end of its stderr."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, done.returncode, done.stderr.strip()[-400:]


def startup(runs: int, kernel_runs: int = 0) -> tuple[dict[str, Any], list[Target]]:
    """The median wall time of each command over ``runs`` fresh interpreters (and its CPU time, min and max);
    the median of ``kernel_runs`` kernels from their start to the explorer notebook's first chart."""
    runs = max(1, runs)
    load_start = list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="simlib-startup-") as tmp:
        cmds = commands(ten_event_log(Path(tmp)))
        walls: dict[str, list[float]] = {name: [] for name in cmds}
        cpus: dict[str, list[float]] = {name: [] for name in cmds}
        errors: dict[str, str] = {}
        for i in range(runs + 1):  # the first round warms up and is not counted
            for name, (_, args) in cmds.items():
                wall, cpu, status, err = run_once(args)
                if status not in (0, 1):  # audit: 1 means findings
                    errors[name] = f"exit {status}: {err}"
                elif i:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    rows = {}
    for name, (typed, _) in cmds.items():
        rows[name] = {"command": typed, "runs": len(walls[name])}
        if name in errors:
            rows[name]["error"] = errors[name]
        else:
            rows[name].update(median_s=median(walls[name]), min_s=min(walls[name]), max_s=max(walls[name]),
                              cpu_median_s=median(cpus[name]))
    kernel = kernel_to_first_chart(kernel_runs)
    result = {"runs": runs, "log_events": 10, "commands": rows, "kernel": kernel,
              "load_average": {"start": load_start, "end": list(os.getloadavg())}}
    return result, [*(Target(f"startup_{name}", rows[name].get("median_s"), "<=", limit, "s")
                      for name, limit in TARGETS_S.items()),
                    Target("startup_kernel_chart", kernel.get("first_chart_median_s"), "<=", KERNEL_TARGET_S, "s")]
