"""The model's engine parts that are tuned for speed keep their exact meaning: the approval desk schedules as a
``simpy.Resource`` does, buffered draws are the generator's own sequence, remembered propensities never
change a decision, a delayed step runs at its time, and the collector setting of a run is put back."""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy
from model_worlds import tiny

from simlib.log.eventlog import assert_same_log
from simlib.model import ApprovalDesk, Model, Streams
from simlib.model.streams import BUFFER
from simlib.model.world import fewer_collections

Serve = Callable[[int, list[tuple[Any, ...]]], Generator[Any, Any, Any]]


def _queue_log(make_serve: Callable[[simpy.Environment, Streams], Serve], seed: int) -> list[tuple[Any, ...]]:
    """Applicants arriving in bursts at whole days (several at the same instant), each served by ``serve``."""
    env = simpy.Environment()
    streams = Streams(seed)
    serve = make_serve(env, streams)
    seen: list[tuple[Any, ...]] = []

    def arrive() -> Generator[Any, Any, Any]:
        for i in range(300):
            yield env.timeout(float(streams["trips"].integers(3)))  # 0, 1 or 2 days: many ties
            env.process(serve(i, seen))

    env.process(arrive())
    env.run()
    return seen


class WholeDays:
    """Review times of whole days, so that releases coincide with arrivals (the order of ties is tested)."""

    def __init__(self, streams: Streams) -> None:
        self.draws = streams["approval"]

    def exponential(self, mean: float) -> float:
        return float(1 + self.draws.integers(int(2 * mean)))


def desk_serve(env: simpy.Environment, streams: Streams) -> Serve:
    desk = ApprovalDesk(env, 2, 1.5, WholeDays(streams))  # type: ignore[arg-type]

    def serve(i: int, seen: list[tuple[Any, ...]]) -> Generator[Any, Any, Any]:
        seen.append(("arrive", i, env.now))
        yield from desk.review()
        seen.append(("done", i, env.now))

    return serve


def resource_serve(env: simpy.Environment, streams: Streams) -> Serve:
    resource, draws = simpy.Resource(env, capacity=2), WholeDays(streams)

    def serve(i: int, seen: list[tuple[Any, ...]]) -> Generator[Any, Any, Any]:
        seen.append(("arrive", i, env.now))
        with resource.request() as req:
            yield req
            yield env.timeout(draws.exponential(1.5))
        seen.append(("done", i, env.now))

    return serve


@pytest.mark.parametrize("seed", range(3))
def test_the_approval_desk_schedules_exactly_as_a_simpy_resource(seed: int) -> None:
    served = _queue_log(desk_serve, seed)
    assert served == _queue_log(resource_serve, seed)
    in_system = [sum(1 if kind == "arrive" else -1 for kind, _, _ in served[:k]) for k in range(len(served))]
    assert max(in_system) > 2  # applicants did wait for a reviewer


def test_buffered_draws_are_the_generators_own_sequence() -> None:
    streams, reference = Streams(5), Streams(5).generator("trips")
    draws = [streams["trips"].random() for _ in range(2 * BUFFER + 3)]
    assert draws == reference.random(3 * BUFFER)[: 2 * BUFFER + 3].tolist()
    # array draws come straight from the generator, between blocks of scalars drawn when needed
    stream, reference = Streams(5)["monitoring"], Streams(5).generator("monitoring")
    first, block = stream.random(), reference.random(BUFFER)
    assert first == block[0] and stream.random(4).tolist() == reference.random(4).tolist()


class _Forgetful(dict):  # type: ignore[type-arg]
    """A propensity memory that remembers nothing: every decision recomputes its probability."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def test_remembered_propensities_never_change_a_decision() -> None:
    sc = tiny(150, 1.5, **{"behaviour.keep_private_document": 0.3, "behaviour.solo_activity": 0.4,
                           "behaviour.corruption_share": 0.15, "enforcement.investigation_rate": 0.6,
                           "enforcement.typical_share": 0.9})  # cases publicised: the deterrent changes
    remembering = Model(sc, seed=3)
    forgetting = Model(sc, seed=3)
    forgetting._chances = _Forgetful()
    log = remembering.run().log()
    assert len(log.table("Publicity")) > 0
    assert_same_log(log, forgetting.run().log())


def test_a_delayed_step_runs_once_at_its_time_with_its_arguments() -> None:
    m = Model(tiny(), seed=1)
    seen: list[tuple[float, tuple[Any, ...], dict[str, Any]]] = []

    def step(*args: Any, **kwargs: Any) -> None:
        seen.append((m.now, args, kwargs))

    m.after(2.5, step, "doc1", trip="t1")
    m.after(0.0, step)
    m.env.run(until=10.0)
    assert seen == [(0.0, (), {}), (2.5, ("doc1",), {"trip": "t1"})]


def test_fewer_collections_puts_the_collector_setting_back() -> None:
    before = gc.get_threshold()
    with fewer_collections(threshold=before[0] + 1000):
        assert gc.get_threshold() == (before[0] + 1000, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections(threshold=before[0] + 1000):
        raise RuntimeError("a failing run")
    assert gc.get_threshold() == before
    model = Model(tiny(100, 0.5), seed=2).run()
    model.log()
    assert gc.get_threshold() == before
