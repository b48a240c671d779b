"""Replications: run a scenario with explicit seeds, audit each log, compute KPIs, write the outputs.

``replication(config, seed)`` is the picklable ``fn(config, seed) -> {kpi: value}`` that
:mod:`simlib.experiment` expects; ``run(scenario, reps, seed)`` is what ``simlib run`` calls.

Its batched form ``replications(config, seeds)`` (``replication.batch``) gives the same KPIs for each seed
more cheaply: building and auditing a log of the training world costs a fixed ~0.1-0.3 s whatever its size, so
the replications' logs are combined into one — object ids prefixed ``r<i>/`` per replication, events numbered
on (:meth:`LogBuilder.absorb`) — which is built and audited once, and the findings are split back per
replication with the ids of its own log (:func:`run_combined`).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.audit import Findings, audit
from simlib.audit.findings import OBJECT_COLUMNS
from simlib.experiment.contract import replication_seeds
from simlib.log.errors import InputError
from simlib.log.eventlog import EventLog, LogBuilder
from simlib.model.kpi import kpi_table, kpis, kpis_by_replication
from simlib.model.world import Model
from simlib.scenario import Scenario, iter_params, load_scenario, validate

SCENARIO_DIRS = ("scenarios", "scenarios/gaps", "scenarios/training")
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout, for an editable install
SWEEPABLE = ("behaviour.", "enforcement.", "approval.", "controls.")
COMBINED_EVENTS = 200_000  # the most events of a combined log: beyond, the fixed cost saved is small, memory grows


@dataclass
class Replication:
    """One replication's log, findings, KPIs and timing."""

    seed: int
    log: EventLog
    findings: Findings
    kpis: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)


def seeds(seed: int, reps: int) -> list[int]:
    """Replication seeds from ``SeedSequence(seed).spawn(reps)``, the same as the experiment layer's, so
    ``simlib run --reps`` and ``simlib compare`` see the same replications; one replication alone uses
    ``seed`` itself, so a replication is reproduced from the seed it reports."""
    return [int(seed)] if reps == 1 else replication_seeds(int(seed), reps)


def run_once(scenario: Scenario, seed: int) -> Replication:
    """Simulate, audit and measure one replication."""
    t0 = time.perf_counter()
    model = Model(scenario, seed=seed).run()
    t1 = time.perf_counter()
    log = model.log()
    t2 = time.perf_counter()
    found = audit(log)
    t3 = time.perf_counter()
    values = kpis(log, found)
    return Replication(seed, log, found, values, {"simulate": t1 - t0, "log": t2 - t1, "audit": t3 - t2})


def run(scenario: Scenario, reps: int = 1, seed: int | None = None) -> list[Replication]:
    """``reps`` replications from ``seed`` (default: the scenario's)."""
    base = scenario.seed if seed is None else seed
    return [run_once(scenario, s) for s in seeds(base, reps)]


def replication(config: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The experiment contract: a plain-data scenario and a seed in, KPIs out."""
    return run_once(validate(dict(config), source="<config>"), seed).kpis


def replications(config: Mapping[str, Any], seeds: Sequence[int]) -> list[dict[str, float]]:
    """The batched form of :func:`replication`: the KPIs of each seed, the same numbers as one call per seed,
    with the fixed cost of building and auditing a log paid once per combined log (:func:`run_combined`)."""
    scenario = validate(dict(config), source="<config>")
    return [values for combined in run_combined(scenario, seeds) for values in combined.kpis]


replication.batch = replications  # type: ignore[attr-defined]  # the experiment layer's batched form


@dataclass(frozen=True)
class Combined:
    """Replications run as one log: object ids of the ``i``-th prefixed ``r<i>/``, its events numbered from
    ``firsts[i]``; the findings and KPIs split back per replication (each one's own log only on request:
    :attr:`replications`)."""

    log: EventLog
    findings: Findings
    firsts: list[int]
    seeds: list[int]
    own_findings: list[Findings]
    kpis: list[dict[str, float]]
    seconds: dict[str, float]

    @cached_property
    def replications(self) -> list[Replication]:
        """Each replication with a log of its own (split from the combined log when first asked for)."""
        share = {k: v / len(self.seeds) for k, v in self.seconds.items()}
        return [Replication(seed, part, own, values, dict(share)) for seed, part, own, values
                in zip(self.seeds, split_log(self.log, self.firsts), self.own_findings, self.kpis, strict=True)]


def prefix(i: int) -> str:
    """The id prefix of the ``i``-th replication of a combined log (:data:`PREFIX` matches it)."""
    return f"r{i}/"


PREFIX = r"^r\d+/"


def run_combined(scenario: Scenario, seeds: Sequence[int], max_events: int = COMBINED_EVENTS) -> list[Combined]:
    """Simulate each seed (one model each, as :func:`run_once`) and combine consecutive replications into one
    log while it holds at most ``max_events`` events (at least one replication each): ids prefixed per
    replication, built and audited once; the findings and KPIs are split back per seed."""
    out: list[Combined] = []
    group: list[Simulated] = []
    simulated = 0.0
    for seed in seeds:
        start = time.perf_counter()
        model = Model(scenario, seed=seed).run()
        run = Simulated(seed, model.rec, model.now)  # the recorder is all a combined log needs: the model's
        del model  # processes and state go now, so that the collector need not walk them during the audit
        if group and sum(r.rec.n_events for r in group) + run.rec.n_events > max_events:
            out.append(_combine(scenario, group, simulated))
            group, simulated = [], 0.0
        group.append(run)
        simulated += time.perf_counter() - start
    if group:
        out.append(_combine(scenario, group, simulated))
    return out


class Simulated(NamedTuple):
    """A replication simulated to the scenario's horizon: its seed, its recorder, the day it ended."""

    seed: int
    rec: LogBuilder
    now: float


def _combine(scenario: Scenario, models: list[Simulated], simulated: float) -> Combined:
    """One log of the replications' logs, audited once."""
    t1 = time.perf_counter()
    builder = LogBuilder(origin=models[0].rec.origin)
    firsts = []
    for i, model in enumerate(models):
        firsts.append(builder.n_events)
        builder.absorb(model.rec, prefix(i))
    log = builder.build(end=models[0].now, source=f"{scenario.name} seeds {', '.join(str(m.seed) for m in models)}")
    t2 = time.perf_counter()
    found = audit(log)
    t3 = time.perf_counter()
    n = len(models)
    which = {id(t): _event_replications(t["event_id"], firsts) for t in log.tables.values()}

    def replication_of(table: pd.DataFrame) -> np.ndarray:
        known = which.get(id(table))
        return known if known is not None else _event_replications(table["event_id"], firsts)

    never = np.iinfo(np.int64).max
    starts = np.full(n, never, dtype=np.int64)  # each replication's first event time, in ms
    for table in log.tables.values():
        times = table["time"].to_numpy().astype("datetime64[ms]")
        ok = ~np.isnat(times)
        np.minimum.at(starts, which[id(table)][ok], times[ok].view(np.int64))
    n_objects = sum((np.bincount(_object_replications(o["object_id"]), minlength=n) for o in log.objects.values()),
                    np.zeros(n, dtype=np.int64))
    n_events = np.diff([*firsts, log.n_events])
    judged = {c: np.bincount(_object_replications(ids), minlength=n)
              for c, ids in found.judged_cadres.items()}  # the shares' denominators, per replication
    owns = [replace(own, judged={c: int(k[i]) for c, k in judged.items()}, source=f"{scenario.name} seed {m.seed}",
                    start=pd.Timestamp(starts[i], unit="ms") if starts[i] != never else None,
                    n_events=int(n_events[i]), n_objects=int(n_objects[i]), judged_cadres={})
            for i, (m, own) in enumerate(zip(models, split_findings(found, firsts), strict=True))]
    values = kpis_by_replication(log, owns, replication_of)
    t4 = time.perf_counter()
    seconds = {"simulate": simulated, "log": t2 - t1, "audit": t3 - t2, "split": t4 - t3}
    return Combined(log, found, firsts, [m.seed for m in models], owns, values, seconds)


def _strings(ids: Any) -> pa.Array:
    return pa.array(ids, type=pa.large_string(), from_pandas=True)


def _event_numbers(ids: pd.Series) -> np.ndarray:
    """n of each event id ``e<n>``."""
    return pc.cast(pc.utf8_slice_codeunits(_strings(ids), 1), pa.int64()).to_numpy()


def _event_replications(ids: pd.Series, firsts: Sequence[int]) -> np.ndarray:
    """i of each event id of a combined log whose ``i``-th replication's events are numbered from ``firsts[i]``."""
    return np.searchsorted(firsts, _event_numbers(ids), side="right") - 1


def _object_replications(ids: pd.Series | pa.Array) -> np.ndarray:
    """i of each object id ``r<i>/…``."""
    head = pc.list_element(pc.split_pattern(_strings(ids), "/", max_splits=1), 0)
    return pc.cast(pc.utf8_slice_codeunits(head, 1), pa.int64()).to_numpy()


def _parts(df: pd.DataFrame, which: np.ndarray, n: int) -> list[pd.DataFrame]:
    """The rows of ``df`` of each of ``n`` replications (``which``: each row's), in their order in ``df``."""
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(n + 1))
    grouped = df.take(order)
    return [grouped.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(bounds)]


def split_log(log: EventLog, firsts: Sequence[int]) -> list[EventLog]:
    """The replications of a combined log as logs of their own (ids as there: prefixed, and events
    numbered on), each with only its tables, objects and members; the tables keep their time order."""
    n = len(firsts)
    tables = {name: _parts(t, _event_replications(t["event_id"], firsts), n) for name, t in log.tables.items()}
    objects = {name: _parts(o, _object_replications(o["object_id"]), n) for name, o in log.objects.items()}
    members = _parts(log.members, _event_replications(log.members["event_id"], firsts), n)
    return [EventLog(tables={name: parts[i] for name, parts in tables.items() if len(parts[i])},
                     members=members[i],
                     objects={name: parts[i] for name, parts in objects.items() if len(parts[i])},
                     end=log.end, source=f"{log.source} [{prefix(i)}]") for i in range(n)]


def split_findings(found: Findings, firsts: Sequence[int]) -> list[Findings]:
    """The findings of a combined log per replication, with the ids each replication's own log has: object ids
    without their prefix, events numbered from 0. ``judged`` is left empty and the rest (``start``,
    ``n_events`` …) is the combined log's."""
    table = found.table
    which = _object_replications(pc.coalesce(*(_strings(table[c]) for c in OBJECT_COLUMNS)))  # each names one
    events = table["event_id"].notna().to_numpy()
    numbers = _event_numbers(table["event_id"].fillna("e0")) - np.asarray(firsts)[which]
    own = table.assign(**{c: table[c].str.replace(PREFIX, "", regex=True) for c in OBJECT_COLUMNS},
                       event_id=pd.Series(np.char.add("e", numbers.astype(str)), dtype="str").where(events))
    return [replace(found, table=part, judged={}) for part in _parts(own, which, len(firsts))]


def _write_log(log: EventLog, path: Path) -> Path:
    """The log as a directory of Parquet tables (``simlib.log.io`` when present)."""
    try:
        from simlib.log.io import write_log
    except ImportError:  # pragma: no cover - the IO module is the normal path
        path.mkdir(parents=True, exist_ok=True)
        for name, table in {**log.tables, **{f"object_{k}": v for k, v in log.objects.items()},
                            "members": log.members}.items():
            table.to_parquet(path / f"{name}.parquet", index=False)
        return path
    return write_log(log, path)


def write(results: list[Replication], scenario: Scenario, out: Path) -> dict[str, Path]:
    """Per replication: the log (``log-<seed>.parquet``) and findings (``findings-<seed>.csv``); for the run:
    ``kpis.csv`` (one row per replication) and ``scenario.json``."""
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for r in results:
        paths[f"log-{r.seed}"] = _write_log(r.log, out / f"log-{r.seed}.parquet")
        f = out / f"findings-{r.seed}.csv"
        r.findings.table.to_csv(f, index=False)
        paths[f"findings-{r.seed}"] = f
    table = kpi_table([r.kpis for r in results])
    table.insert(0, "seed", pd.Series([r.seed for r in results], dtype="int64", index=table.index))
    paths["kpis"] = out / "kpis.csv"
    table.to_csv(paths["kpis"], index=False)
    paths["scenario"] = out / "scenario.json"
    paths["scenario"].write_text(json.dumps(scenario.model_dump(mode="json"), indent=2, ensure_ascii=False),
                                 encoding="utf-8")
    return paths


def summary_table(results: list[Replication]) -> pd.DataFrame:
    """Mean and spread of each KPI over the replications."""
    table = kpi_table([r.kpis for r in results])
    return pd.DataFrame({"mean": table.mean(), "min": table.min(), "max": table.max()})


def find_scenario(name: str | Path) -> Path:
    """A scenario file: a path, or a name looked up in scenarios/, scenarios/gaps/ and scenarios/training/."""
    path = Path(name)
    if path.is_file():
        return path
    roots = (Path.cwd(), PROJECT_ROOT)
    folders = [root / folder for root in roots for folder in SCENARIO_DIRS]
    for folder in folders:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for folder in folders for p in folder.glob("*.yaml")})
    raise InputError(f"no scenario {str(name)!r}", field="SCENARIO",
                     fix=f"give a path to a YAML file or one of: {', '.join(known) or '(none found)'}")


def resolve(name: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any], Any]:
    """For the experiment CLI: a scenario name or path and overrides → (name, plain-data config, function)."""
    sc = load_scenario(find_scenario(name), dict(overrides))
    return sc.name, sc.model_dump(mode="json"), replication


def ranges(config: Mapping[str, Any], paths: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """Documented ranges of parameters (all behaviour, enforcement, approval and control levels when
    ``paths`` is None) for sweeps and sensitivity analysis."""
    known = {p.path: p.range for p in iter_params(Scenario) if p.range is not None}
    wanted = paths if paths is not None else [k for k in known if k.startswith(SWEEPABLE)]
    out: dict[str, tuple[float, float]] = {}
    for path in wanted:
        if path not in known:
            raise InputError(f"{path!r} has no documented range", field=path,
                             fix="give the range as PATH=LO:HI, or choose a numeric scenario field")
        lo, hi = known[path]
        out[path] = (float(lo if lo is not None else 0.0), float(hi if hi is not None else 1.0))
    return out
