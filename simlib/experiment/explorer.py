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
:meth:`Explorer.run`; each look says how many replications it rests on (:attr:`Exploration.reps`). On the first
look the baseline's replications go to the workers together with the alternative's, step by step, so the early
look does not wait for the whole baseline. :meth:`Explorer.warm` starts the workers before the first look.

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

    def _run(self, scenario: Arm | Sequence[Arm], indices: Sequence[int] | None = None) -> pd.DataFrame:
        """The replications of ``scenario`` (or of several arms, submitted together; ``indices``, default all)
        in one batch per worker (at most one arm each), so that a replication function with a batched form pays
        its fixed costs once per worker and look."""
        indices = list(range(self.reps)) if indices is None else list(indices)
        arms = 1 if isinstance(scenario, Arm) else len(scenario)
        return run_replications(self._fn, scenario, indices, root_seed=self.root_seed,
                                executor=self._executor, progress=False,
                                batch_size=math.ceil(len(indices) * arms / self._executor.workers))

    def _step(self, alt: Arm, indices: Sequence[int], with_base: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Replications ``indices`` of the baseline and of ``alt``: with ``with_base`` both run (together),
        otherwise the baseline's are taken from those kept."""
        if not with_base:
            base = self.baseline()
            return base[base["replication"].isin(indices)], self._run(alt, indices)
        both = self._run([self._base, alt], indices)
        is_base = (both["scenario"] == BASELINE).to_numpy()
        return both[is_base].reset_index(drop=True), both[~is_base].reset_index(drop=True)

    def warm(self) -> None:
        """Start the executor's workers now, without waiting (:meth:`~simlib.experiment.executors.Executor.warm`),
        so that they are ready, the replication function imported, by the first look."""
        self._executor.warm([self._fn.__module__])

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
        look on all ``reps``, the same as :meth:`run` gives. Before the baseline has run, each step runs its
        replications of both scenarios together (and the baseline's are then kept); the two share the workers,
        so the early look rests on half as many (at least one): the same work for the workers as a later look's.
        Only one look when there is nothing to gain: no change, or ``first`` not below ``reps``. Stop iterating
        to stop the rest."""
        started = time.perf_counter()
        overrides = dict(overrides or {})
        alt = self._alternative(overrides)
        with_base = self._base_table is None
        first = 2 * self._executor.workers if first is None else first
        if with_base and first > 0:
            first = max(1, first // 2)
        if not overrides or not 0 < first < self.reps:
            yield self.run(overrides)
            return
        early_base, early = self._step(alt, range(first), with_base)
        yield self._look(overrides, early_base, early, started)
        rest_base, rest = self._step(alt, range(first, self.reps), with_base)
        if with_base:
            self._base_table = pd.concat([early_base, rest_base], ignore_index=True)
        yield self._look(overrides, self.baseline(), pd.concat([early, rest], ignore_index=True), started)

    def close(self) -> None:
        """Stop the executor's workers."""
        self._executor.close()

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
