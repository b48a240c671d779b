"""What every figure of ``simlib bench`` shares: targets, best-of-N timing, machine facts and growth slopes."""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

Op = Literal[">=", "<="]


@dataclass(frozen=True)
class Target:
    """A target of issue 5: ``value op limit``; ``value`` None when the figure could not be measured."""

    key: str  # catalogue key suffix: bench.target.<key>
    value: float | None
    op: Op
    limit: float
    unit: str

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.op == ">=" else self.value <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


@dataclass(frozen=True)
class Timing:
    """Best wall-clock seconds over the runs, the CPU seconds of that run, the runs made, and its result."""

    seconds: float
    cpu_seconds: float
    runs: int
    result: Any

    def as_dict(self) -> dict[str, float]:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "runs": self.runs}


@contextmanager
def as_python_runs_by_default() -> Iterator[None]:
    """Child processes started inside (commands, kernels, workers) cache bytecode as Python does by default:
    ``PYTHONDONTWRITEBYTECODE``, set on some build machines, would make every fresh interpreter compile simlib's
    modules again, a cost no person's second command pays."""
    saved = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PYTHONDONTWRITEBYTECODE"] = saved


def best_of(fn: Callable[[], Any], repeat: int) -> Timing:
    """Run ``fn`` ``repeat`` times; keep the fastest run (wall clock) with its CPU time and result."""
    best: Timing | None = None
    for _ in range(max(1, repeat)):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or wall < best.seconds:
            best = Timing(wall, cpu, repeat, result)
    assert best is not None
    return best


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Least-squares slope of log y on log x (the growth exponent; 1 is linear); None with fewer than two
    usable points."""
    pts = [(math.log(a), math.log(b)) for a, b in zip(x, y, strict=True) if a > 0 and b > 0]
    if len({p[0] for p in pts}) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """Facts that decide the figures: cores, CPU, OS, Python and library versions, load average now."""
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        **{name: _package_version(name) for name in ("simpy", "numpy", "pandas", "ciw", "simlib")},
        "load_average": list(os.getloadavg()),
    }


def per_second(count: float, seconds: float) -> float | None:
    """``count / seconds``, or None when the clock did not advance (a CPU timer on a very short run)."""
    return count / seconds if seconds > 0 else None
