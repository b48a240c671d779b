"""Replications audited together: several seeds' logs combined into one, built and audited once, and the
findings and KPIs split back per replication.

Building and auditing a log of the training world costs a fixed ~0.1-0.3 s whatever its size, so the batched
form of :func:`simlib.pipeline.replication.replication` combines the replications' logs — object ids prefixed ``r<i>/``
per replication, events numbered on (:meth:`LogBuilder.absorb`) — and gives each replication exactly what it
would get alone (``tests/test_batch_replications.py``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simlib.audit import Findings, audit
from simlib.audit.findings import OBJECT_COLUMNS
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.model.world import Model
from simlib.pipeline.kpi import by_replication, kpis_by_replication
from simlib.pipeline.replication import Replication
from simlib.scenario import Scenario

COMBINED_EVENTS = 200_000  # the most events of a combined log: beyond, the fixed cost saved is small, memory grows


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
    found = audit(log, scenario.rules.params())
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
    owns = [replace(own, source=f"{scenario.name} seed {m.seed}",
                    start=pd.Timestamp(starts[i], unit="ms") if starts[i] != never else None,
                    n_events=int(n_events[i]), n_objects=int(n_objects[i]))
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
    return [df.take(rows).reset_index(drop=True) for rows in by_replication(which, np.arange(len(df)), n)]


def _unprefixed(ids: Any) -> np.ndarray:
    """Object ids of a combined log as in their replication's own log."""
    return pc.replace_substring_regex(_strings(ids), PREFIX, "").to_numpy(zero_copy_only=False)


def split_log(log: EventLog, firsts: Sequence[int]) -> list[EventLog]:
    """The replications of a combined log as logs of their own (ids as there: prefixed, and events
    numbered on), each with only its tables, objects and members; the tables keep their time order."""
    n = len(firsts)
    tables = {name: _parts(t, _event_replications(t["event_id"], firsts), n) for name, t in log.tables.items()}
    objects = {name: _parts(o, _object_replications(o["object_id"]), n) for name, o in log.objects.items()}
    members = _parts(log.members, _event_replications(log.members["event_id"], firsts), n)
    changes = {name: _parts(c, _object_replications(c["object_id"]), n) for name, c in log.changes.items()}
    return [EventLog(tables={name: parts[i] for name, parts in tables.items() if len(parts[i])},
                     members=members[i],
                     objects={name: parts[i] for name, parts in objects.items() if len(parts[i])},
                     end=log.end, source=f"{log.source} [{prefix(i)}]",
                     changes={name: parts[i] for name, parts in changes.items() if len(parts[i])})
            for i in range(n)]


def split_findings(found: Findings, firsts: Sequence[int]) -> list[Findings]:
    """The findings of a combined log per replication, with the ids each replication's own log has: object ids
    without their prefix, events numbered from 0, and the obligations judged (``judged_cadres``,
    ``judged_documents``) split the same way. The rest (``start``, ``n_events`` …) is the combined log's."""
    table = found.table
    which = _object_replications(pc.coalesce(*(_strings(table[c]) for c in OBJECT_COLUMNS)))  # each names one
    events = table["event_id"].notna().to_numpy()
    numbers = _event_numbers(table["event_id"].fillna("e0")) - np.asarray(firsts)[which]
    own = table.assign(**{c: table[c].str.replace(PREFIX, "", regex=True) for c in OBJECT_COLUMNS},
                       event_id=pd.Series(np.char.add("e", numbers.astype(str)), dtype="str").where(events))
    n = len(firsts)
    judged = {clause: by_replication(_object_replications(cadres), _unprefixed(cadres), n)
              for clause, cadres in found.judged_cadres.items()}
    documents = {clause: _parts(_own_events(d, firsts), _object_replications(d["document"]), n)
                 for clause, d in found.judged_documents.items()}
    return [replace(found, table=part, judged_cadres={clause: parts[i] for clause, parts in judged.items()},
                    judged_documents={clause: parts[i] for clause, parts in documents.items()})
            for i, part in enumerate(_parts(own, which, n))]


def _own_events(rows: pd.DataFrame, firsts: Sequence[int]) -> pd.DataFrame:
    """Rows naming an event and a document of a combined log, with the ids their replication's own log has."""
    which = _object_replications(rows["document"])
    numbers = _event_numbers(rows["event_id"]) - np.asarray(firsts)[which]
    return rows.assign(document=_unprefixed(rows["document"]),
                       event_id=pd.Series(np.char.add("e", numbers.astype(str)), dtype="str"))
