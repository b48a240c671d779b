"""A comparison study: a world (a scenario, optionally resized), alternatives made from it by presets (named
gaps, the pre-notice regime) or scenario files, replications on common random numbers, and the tables a report
or a notebook shows.

    study = run_study("baseline", all_gaps=True, reps=8, sets={"organisation.cadres": 2000})
    study.differences          # paired differences from the baseline with CIs (simlib.experiment.compare)

Numbers come from :mod:`simlib.experiment` (``run_replications``, ``summarise``, ``compare``); nothing is
computed here that the experiment layer computes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd

from simlib.errors import InputError
from simlib.experiment import compare, replication_seeds, run_replications, summarise
from simlib.pipeline import HEADLINE_KPIS, replication
from simlib.scenario import CONTROL_CLAUSES, Preset, Scenario, find_scenario, iter_params, load_scenario, presets

BASELINE = "baseline"
ADJUSTMENT = "holm"  # family-wise: a planner acts on each "significant" difference, so any false one matters
SHARE_KPIS = ("custody_on_time_public", "custody_on_time_private")
RANK_KPIS = ("flight_succeeded", "non_return", "custody_on_time_private")  # what a gap is ranked by
GOOD_WHEN_HIGH = frozenset(SHARE_KPIS)  # higher is better
GOOD_WHEN_LOW = frozenset({"findings", "non_return", "flight_attempts", "flight_succeeded", "flight_funds"})


@contextmanager
def quiet_nan_warnings() -> Iterator[None]:
    """Silence the warnings of a KPI with no value in some replications (no flight: no lead time; no private
    document judged: no on-time share): such a KPI is NaN there and its interval says so."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "Warning: converting a masked element to nan", UserWarning)
        yield


def simlib_version() -> str:
    """The installed package's version."""
    try:
        return version("simlib")
    except PackageNotFoundError:  # pragma: no cover - a source tree without installing
        return "unknown"


@dataclass(frozen=True)
class ParamChange:
    """One parameter that differs between two scenarios, with what the schema says about it."""

    path: str
    before: Any
    after: Any
    unit: str
    source: str
    clause: str
    assumption: bool


def _leaves(sc: Scenario) -> dict[str, Any]:
    data = sc.model_dump(mode="json")
    out: dict[str, Any] = {}
    for p in iter_params(Scenario):
        node: Any = data
        for part in p.path.split("."):
            node = node[part]
        out[p.path] = node
    return out


def _clause(path: str, source: str) -> str:
    parts = path.split(".")
    if parts[0] == "controls" and len(parts) == 3:
        return CONTROL_CLAUSES.get(parts[1], "")
    found = re.search(r"notice\s+([0-9][0-9a-z.,\-/]*)", source)
    return found.group(1) if found else ""


def param_changes(before: Scenario, after: Scenario, *, skip: Sequence[str] = ("seed",)) -> list[ParamChange]:
    """Every schema parameter whose value differs, in schema order, with unit, clause and assumption flag."""
    a, b = _leaves(before), _leaves(after)
    info = {p.path: p for p in iter_params(Scenario)}
    out = []
    for path, old in a.items():
        new = b[path]
        if old == new or path in skip:
            continue
        p = info[path]
        source = p.source or ""
        clause = _clause(path, source)
        if path.startswith("controls.") and path.endswith(".on"):  # the lever is the notice's; switching it off
            source, assumption = f"notice {clause}", False  # is the scenario's question, not an assumption
        else:
            assumption = source.startswith("assumption")
        out.append(ParamChange(path, old, new, p.unit, source, clause, assumption))
    return out


@dataclass
class Study:
    """The scenarios compared, the replication table and its summaries (CIs from :mod:`simlib.experiment`)."""

    scenario: str
    base: Scenario
    alternatives: list[Scenario]
    origins: dict[str, str]  # alternative name -> preset kind ("gap", "regime") or "file"
    sets: dict[str, Any]
    reps: int
    root_seed: int
    confidence: float
    table: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    headline: list[str]
    adjustment: str  # multiple-testing adjustment over the headline table (alternatives × headline KPIs)
    seconds: float
    command: str = ""
    executor: str = ""
    started: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))

    @property
    def names(self) -> list[str]:
        return [self.base.name, *(a.name for a in self.alternatives)]

    @property
    def seeds(self) -> list[int]:
        """The replication seeds, the same in every scenario (common random numbers)."""
        return replication_seeds(self.root_seed, self.reps)

    @property
    def ci_method(self) -> str:
        return str(self.differences["method"].iloc[0]) if len(self.differences) else ""

    @property
    def mean_method(self) -> str:
        return str(self.summary["method"].iloc[0]) if len(self.summary) else ""

    def world_changes(self) -> list[ParamChange]:
        """What the base world changes from the scenario file (the reduced size of a quick report)."""
        full = load_scenario(find_scenario(self.scenario))
        return param_changes(full, self.base)

    def changes(self, name: str) -> list[ParamChange]:
        """What alternative ``name`` changes from the base world."""
        alt = next(a for a in self.alternatives if a.name == name)
        return param_changes(self.base, alt)

    def diff(self, kpi: str, scenario: str) -> pd.Series:
        """One row of :attr:`differences`."""
        d = self.differences
        return d[(d["kpi"] == kpi) & (d["scenario"] == scenario)].iloc[0]

    def ranking(self, kpis: Sequence[str] = RANK_KPIS) -> pd.DataFrame:
        """The alternatives ranked by their effect on ``kpis``: per alternative the paired difference of each,
        its significance, and a rank (1 = the largest worsening of the first KPI that is significant, then by
        size)."""
        rows = []
        for name in self.names[1:]:
            row: dict[str, Any] = {"scenario": name}
            for kpi in kpis:
                r = self.diff(kpi, name)
                bad = -r["diff"] if kpi in GOOD_WHEN_HIGH else r["diff"]
                row |= {f"{kpi}_diff": r["diff"], f"{kpi}_low": r["ci_low"], f"{kpi}_high": r["ci_high"],
                        f"{kpi}_sig": bool(r["significant"]), f"{kpi}_worse": bad}
            rows.append(row)
        df = pd.DataFrame(rows)
        if df.empty:
            return df
        keys = [f"{kpis[0]}_sig"] + [f"{k}_worse" for k in kpis]
        df = df.sort_values(keys, ascending=False, kind="stable").reset_index(drop=True)
        df.insert(0, "rank", range(1, len(df) + 1))
        return df

    def clause_counts(self) -> pd.DataFrame:
        """Findings per replication by clause: the baseline's mean and, per alternative, the paired difference
        (``violations_<clause>`` KPIs), clauses with any finding only."""
        cols = [c for c in self.table.columns if c.startswith("violations_")]
        means = self.table.groupby("scenario", sort=False)[cols].mean()
        keep = [c for c in cols if (means[c] > 0).any()]
        d = self.differences
        rows = []
        for col in keep:
            clause = col.removeprefix("violations_")
            s = self.summary[(self.summary["scenario"] == self.base.name) & (self.summary["kpi"] == col)].iloc[0]
            alt = d[d["kpi"] == col]
            rows.append({"clause": clause, "baseline_mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"],
                         "changes": [(r.scenario, r.diff, r.ci_low, r.ci_high) for r in alt.itertuples()
                                     if r.significant]})
        return pd.DataFrame(rows)


def _alternative(name: str, world: Scenario, sets: Mapping[str, Any], known: dict[str, Preset]) -> tuple[Scenario,
                                                                                                         str]:
    if name in known and known[name].kind != "baseline":
        p = known[name]
        return p.apply(world), p.kind
    sc = load_scenario(find_scenario(name), dict(sets))
    return sc, "file"


def resolve_study(scenario: str = BASELINE, compare_with: Sequence[str] = (), *, all_gaps: bool = False,
                  sets: Mapping[str, Any] | None = None) -> tuple[Scenario, list[Scenario], dict[str, str]]:
    """The base world (``scenario`` with ``sets``) and the alternatives: a preset name (a gap, ``pre_notice``)
    is applied to the base world, anything else is a scenario file or name (resized by ``sets`` too)."""
    sets = dict(sets or {})
    base = load_scenario(find_scenario(scenario), sets)
    known = {p.name: p for p in presets()}
    names = list(compare_with)
    if all_gaps:
        names += [p.name for p in known.values() if p.kind == "gap" and p.name not in names]
    if not names:
        raise InputError(field="--compare", key="study.nothing_to_compare")
    alts, origins = [], {}
    for name in dict.fromkeys(names):
        alt, origin = _alternative(name, base, sets, known)
        if alt.name == base.name:
            alt = alt.replace(name=f"{alt.name}_alt")
        alts.append(alt)
        origins[alt.name] = origin
    return base, alts, origins


def run_study(scenario: str = BASELINE, compare_with: Sequence[str] = (), *, all_gaps: bool = False,
              reps: int = 8, sets: Mapping[str, Any] | None = None, root_seed: int = 0, confidence: float = 0.95,
              executor: str = "processes", workers: int | None = None, command: str = "") -> Study:
    """Run the base world and every alternative on the same ``reps`` seeds and summarise (see module doc)."""
    started = time.perf_counter()
    base, alts, origins = resolve_study(scenario, compare_with, all_gaps=all_gaps, sets=sets)
    worlds = [base, *alts]  # the experiment layer runs validated scenarios as they are
    n = len(worlds) * reps
    workers_ = workers if executor != "serial" else None
    batch = max(1, math.ceil(n / (2 * (workers_ or 2))))  # two batches per worker: balance, fixed costs amortised
    table = run_replications(replication, worlds, reps, root_seed=root_seed, executor=executor, workers=workers_,
                             progress=False, batch_size=min(batch, 10))
    with quiet_nan_warnings():
        summary = summarise(table, confidence=confidence)
        differences = compare(table, base.name, confidence=confidence)
        # the report's family of tests is its headline table: adjust over it, not over every per-clause count
        family = compare(table, base.name, kpis=HEADLINE_KPIS, confidence=confidence, adjust=ADJUSTMENT)
    differences = differences.set_index(["scenario", "kpi"])
    differences.update(family.set_index(["scenario", "kpi"]))
    differences = differences.reset_index()
    return Study(
        scenario=scenario, base=base, alternatives=alts, origins=origins, sets=dict(sets or {}), reps=reps,
        root_seed=root_seed, confidence=confidence, table=table,
        summary=summary, differences=differences,
        headline=list(HEADLINE_KPIS), adjustment=ADJUSTMENT, seconds=time.perf_counter() - started, command=command,
        executor=str(table.attrs.get("run", {}).get("executor", executor)),
    )
