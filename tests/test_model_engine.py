"""The model's engine parts that are tuned for speed keep their exact meaning: the engine processes events in
SimPy's order, the approval desk schedules as a ``simpy.Resource`` does, buffered draws are the generator's own
sequence, remembered propensities never change a decision, a delayed step runs at its time, and the collector
setting of a run is put back."""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy
from model_worlds import tiny

from simlib.log.eventlog import assert_same_log
from simlib.model import ApprovalDesk, Model, Streams, world
from simlib.model.engine import Engine
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


def _mixed_trace(env: simpy.Environment, seed: int, spawn: bool) -> list[tuple[Any, ...]]:
    """Processes that start processes, wait for them (running, ended, and ended but not yet processed), wait on
    a resource, on events succeeded by others and on timeouts of whole days (many ties), fail and are caught;
    ``spawn``: the ones nobody waits for are started with ``Engine.spawn``."""
    rng = Streams(seed)["trips"]
    seen: list[tuple[Any, ...]] = []
    desk = simpy.Resource(env, capacity=2)
    signal = [env.event()]
    start = env.spawn if spawn else env.process  # type: ignore[attr-defined]

    def child(i: int) -> Generator[Any, Any, Any]:
        seen.append(("child", i, env.now))
        if rng.integers(3) == 0:
            return i  # ends at once
        yield env.timeout(float(rng.integers(2)))
        if i % 10 == 0 and rng.integers(3) == 0:  # the first child, whose parent waits for it from the start
            raise ValueError(i)
        return 10 * i

    def worker(i: int) -> Generator[Any, Any, Any]:
        first, *kids = [env.process(child(10 * i + k)) for k in range(1 + rng.integers(3))]
        try:
            seen.append(("kid", i, (yield first), env.now))
        except ValueError as e:
            seen.append(("failed", i, e.args, env.now))
        yield env.timeout(float(rng.integers(2)))
        for kid in kids:  # running, ended, or ended and its end not yet processed
            seen.append(("kid", i, (yield kid), env.now))
        with desk.request() as req:
            yield req
            yield env.timeout(float(1 + rng.integers(2)))
        if i % 5 == 0:
            signal[0].succeed(i)
            signal[0] = env.event()
        else:
            seen.append(("signal", i, (yield signal[0]), env.now))
        seen.append(("done", i, env.now))

    def arrive() -> Generator[Any, Any, Any]:
        for i in range(200):
            yield env.timeout(float(rng.integers(3)))
            start(worker(i))

    env.process(arrive())
    env.run(until=150.0)
    env.run(until=400.0)  # a run continued
    seen.append(("end", env.now))
    return seen


@pytest.mark.parametrize("seed", range(3))
def test_the_engine_processes_events_in_simpys_order(seed: int) -> None:
    reference = _mixed_trace(simpy.Environment(), seed, spawn=False)
    assert _mixed_trace(Engine(), seed, spawn=False) == reference
    assert _mixed_trace(Engine(), seed, spawn=True) == reference
    kinds = {entry[0] for entry in reference}
    assert {"kid", "failed", "signal", "done"} <= kinds  # every kind of wait happened
    env = Engine(initial_time=3.0)
    assert env.now == 3.0
    env.run(until=5.0)
    assert env.now == 5.0 and env.peek() == float("inf")
    with pytest.raises(ValueError):
        env.timeout(-1.0)


class _SimPy(simpy.Environment):
    """Plain SimPy with the engine's one extra method."""

    def spawn(self, generator: Generator[Any, Any, Any]) -> None:
        self.process(generator)


def test_a_world_on_plain_simpy_makes_the_same_log(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny(200, 2.0, **{"behaviour.keep_private_document": 0.3, "behaviour.corruption_share": 0.15})
    log = Model(sc, seed=4).run().log()
    monkeypatch.setattr(world, "Engine", _SimPy)
    plain = Model(sc, seed=4)
    assert type(plain.env) is _SimPy
    assert_same_log(log, plain.run().log())


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


def test_the_last_log_released_is_the_same_log_and_the_model_keeps_its_counts() -> None:
    sc = tiny(200, 2.0, **{"behaviour.keep_private_document": 0.3})
    kept = Model(sc, seed=6).run()
    released = Model(sc, seed=6).run()
    log = kept.log()
    assert_same_log(log, released.log(release=True))
    assert released.counts == kept.counts and released.rec.n_events == kept.rec.n_events == log.n_events
    assert released.rec._events == {} and released.rec._objects == {}  # the rows are gone
    with pytest.raises(RuntimeError, match="release"):
        released.log()
    assert_same_log(log, kept.log())  # without release the recorder can build again
