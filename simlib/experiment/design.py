"""Experimental designs over dotted parameter paths: full grid and Latin hypercube (scipy.stats.qmc).

A design is a DataFrame with one column per path and one row per point. :func:`design_scenarios` turns each
point into a scenario (the base config with the point's values set); a parameter whose base value is an
integer gets integer values (rounded), so e.g. a number of servers stays a whole number.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simlib.errors import InputError
from simlib.experiment.contract import Arm, Ranges
from simlib.scenario.overrides import get_path

DESIGNS = ("grid", "lhs")


def check_ranges(ranges: Ranges, config: Mapping[str, Any] | None = None) -> dict[str, tuple[float, float]]:
    """Validate ``path -> (low, high)``: numbers with low < high and, given a config, paths that exist."""
    if not ranges:
        raise InputError(field="--param", key="design.no_params")
    checked = {}
    for path, bounds in ranges.items():
        try:
            lo, hi = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise InputError(field=path, key="design.not_numbers", values={"value": repr(bounds)[:80]}) from None
        if not lo < hi or not np.isfinite([lo, hi]).all():
            raise InputError(field=path, key="design.order", values={"low": lo, "high": hi, "path": path})
        if config is not None:
            value = get_path(config, path)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InputError(field=path, key="design.not_numeric", values={"value": repr(value)[:80]})
        checked[path] = (lo, hi)
    return checked


def grid(ranges: Ranges, points: int | Mapping[str, int]) -> pd.DataFrame:
    """Full factorial grid: ``points`` evenly spaced values per path (ends included); ``points^d`` rows."""
    ranges = check_ranges(ranges)
    counts = {p: points[p] if isinstance(points, Mapping) else points for p in ranges}
    for path, k in counts.items():
        if int(k) < 2:
            raise InputError(field="--points", key="design.grid_points", values={"value": k, "path": path})
    axes = [np.linspace(lo, hi, int(counts[p])) for p, (lo, hi) in ranges.items()]
    return pd.DataFrame(list(itertools.product(*axes)), columns=list(ranges))


def latin_hypercube(ranges: Ranges, points: int, *, seed: int = 0) -> pd.DataFrame:
    """A Latin hypercube of ``points`` rows (``scipy.stats.qmc.LatinHypercube``, seeded), scaled to ranges."""
    ranges = check_ranges(ranges)
    if int(points) < 2:
        raise InputError(field="--points", key="design.lhs_points", values={"value": points})
    sampler = qmc.LatinHypercube(d=len(ranges), rng=np.random.default_rng(seed))
    unit = sampler.random(int(points))
    lows, highs = zip(*ranges.values(), strict=True)
    return pd.DataFrame(qmc.scale(unit, lows, highs), columns=list(ranges))


def make_design(kind: str, ranges: Ranges, points: int, *, seed: int = 0) -> pd.DataFrame:
    """``grid`` (``points`` per parameter) or ``lhs`` (``points`` in all)."""
    if kind == "grid":
        return grid(ranges, points)
    if kind == "lhs":
        return latin_hypercube(ranges, points, seed=seed)
    raise InputError(field="--design", key="design.unknown",
                     values={"value": repr(kind), "choices": ", ".join(DESIGNS)})


def _typed(base_value: Any, value: float) -> Any:
    if isinstance(base_value, int | np.integer) and not isinstance(base_value, bool):
        return round(float(value))
    return float(value)


def point_overrides(base: Arm, design: pd.DataFrame) -> list[dict[str, Any]]:
    """Each design row as ``path -> value``, typed like the base config's value at that path."""
    base_values = {path: get_path(base.config, path) for path in design.columns}
    return [{p: _typed(base_values[p], v) for p, v in row.items()} for row in design.to_dict("records")]


def design_scenarios(base: Arm, design: pd.DataFrame, *, prefix: str | None = None) -> list[Arm]:
    """One scenario per design row, named ``<base>@<row>``."""
    width = len(str(max(len(design) - 1, 0)))
    stem = prefix or base.name
    return [
        base.with_overrides(overrides, name=f"{stem}@{i:0{width}d}")
        for i, overrides in enumerate(point_overrides(base, design))
    ]


def applied_values(scenarios: Sequence[Arm], paths: Sequence[str]) -> pd.DataFrame:
    """The values each scenario actually has at ``paths`` (after integer rounding), one row per scenario."""
    return pd.DataFrame(
        [{"scenario": s.name, **{p: get_path(s.config, p) for p in paths}} for s in scenarios]
    )
