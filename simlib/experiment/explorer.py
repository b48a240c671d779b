"""The planners' what-if loop: change a setting, look again.

An :class:`Explorer` holds one scenario (by default the small training world), a fixed set of replication seeds
and a warm executor. The baseline's replications run once and are kept; each :meth:`Explorer.run` runs only the
alternative, on the same seeds (common random numbers), and returns the headline KPIs with confidence intervals
and the paired differences from the baseline::

    with Explorer("training/small", reps=20) as ex:
        result = ex.run({"controls.private_custody.on": False})
        result.differences

:meth:`Explorer.looks` gives the same answer in steps: an early look on the first replications (by default two
per worker, about half a second on the training world), then the look on all of them, identical to
:meth:`Explorer.run`; each look says how many replications it rests on (:attr:`Exploration.reps`).

Bad settings raise :class:`~simlib.errors.InputError` naming the field before anything runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simlib.experiment.contract import Arm, ReplicationFn
from simlib.experiment.executors import Executor, make_executor
from simlib.experiment.runner import run_replications
from simlib.experiment.stats import compare, summarise

BASELINE = "baseline"
ALTERNATIVE = "alternative"

Resolve = Callable[[str, Mapping[str, Any]], tuple[str, dict[str, Any], ReplicationFn]]


def _model_resolve(name: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any], ReplicationFn]:
    from simlib.pipeline.replication import resolve

    return resolve(name, overrides)


def _headline() -> tuple[str, ...]:
    from simlib.pipeline.kpi import HEADLINE_KPIS

    return HEADLINE_KPIS


@dataclass(frozen=True)
class Exploration:
    """One look: the KPI summary of both scenarios, the paired differences, the raw table and the time taken."""

    overrides: dict[str, Any]
    summary: pd.DataFrame
    differences: pd.DataFrame
    table: pd.DataFrame
    seconds: float

    @property
    def reps(self) -> int:
        """How many paired replications the look rests on."""
        return int((self.table["scenario"] == ALTERNATIVE).sum())


class Explorer:
    """A scenario, ``reps`` replication seeds and a warm executor, for repeated what-if runs."""

    def __init__(
        self,
        scenario: str = "training/small",
        *,
        reps: int = 20,
        root_seed: int = 0,
        executor: str | Executor = "processes",
        workers: int | None = None,
        kpis: Sequence[str] | None = None,
        confidence: float = 0.95,
        resolve: Resolve = _model_resolve,
    ) -> None:
        self.scenario = scenario
        self.reps = reps
        self.root_seed = root_seed
        self.kpis = list(kpis) if kpis is not None else list(_headline())
        self.confidence = confidence
        self._resolve = resolve
        _, config, self._fn = resolve(scenario, {})
        self._base = Arm(BASELINE, config)
        self._executor = make_executor(executor, workers=workers)
        self._base_table: pd.DataFrame | None = None

    def _run(self, scenario: Arm, indices: Sequence[int] | None = None) -> pd.DataFrame:
        """The replications of ``scenario`` (``indices``, default all) in one batch per worker, so that a
        replication function with a batched form pays its fixed costs once per worker and look."""
        indices = list(range(self.reps)) if indices is None else list(indices)
        return run_replications(self._fn, scenario, indices, root_seed=self.root_seed,
                                executor=self._executor, progress=False,
                                batch_size=math.ceil(len(indices) / self._executor.workers))

    def baseline(self) -> pd.DataFrame:
        """The baseline's replications (run on first use, then kept)."""
        if self._base_table is None:
            self._base_table = self._run(self._base)
        return self._base_table

    def _alternative(self, overrides: Mapping[str, Any]) -> Arm:
        """The arm of ``overrides``, validated (an :class:`~simlib.errors.InputError` names the field)."""
        _, config, _ = self._resolve(self.scenario, overrides)
        return Arm(ALTERNATIVE, config)

    def _look(self, overrides: dict[str, Any], base: pd.DataFrame, alt: pd.DataFrame, started: float) -> Exploration:
        table = pd.concat([base, alt], ignore_index=True)
        return Exploration(
            overrides=overrides,
            summary=summarise(table, kpis=self.kpis, confidence=self.confidence),
            differences=compare(table, BASELINE, kpis=self.kpis, confidence=self.confidence),
            table=table,
            seconds=time.perf_counter() - started,
        )

    def run(self, overrides: Mapping[str, Any] | None = None) -> Exploration:
        """Run the scenario with ``overrides`` (dotted path → value) and compare it with the baseline."""
        started = time.perf_counter()
        overrides = dict(overrides or {})
        alt = self._alternative(overrides)
        base = self.baseline()
        return self._look(overrides, base, base.assign(scenario=ALTERNATIVE) if not overrides else self._run(alt),
                          started)

    def looks(self, overrides: Mapping[str, Any] | None = None, first: int | None = None) -> Iterator[Exploration]:
        """:meth:`run` in steps: a look on the first ``first`` replications (default: two per worker), then the
        look on all ``reps``, the same as :meth:`run` gives. Only one look when there is nothing to gain: no
        change, the baseline not run yet, or ``first`` not below ``reps``. Stop iterating to stop the rest."""
        started = time.perf_counter()
        overrides = dict(overrides or {})
        alt = self._alternative(overrides)
        first = 2 * self._executor.workers if first is None else first
        if not overrides or self._base_table is None or not 0 < first < self.reps:
            yield self.run(overrides)
            return
        base = self.baseline()
        early = self._run(alt, range(first))
        yield self._look(overrides, base[base["replication"] < first], early, started)
        rest = self._run(alt, range(first, self.reps))
        yield self._look(overrides, base, pd.concat([early, rest], ignore_index=True), started)

    def close(self) -> None:
        """Stop the executor's workers."""
        self._executor.close()

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
