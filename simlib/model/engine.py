"""``Engine``: a ``simpy.Environment`` that schedules and processes events exactly as SimPy does, with less
work per event.

SimPy's loop is generic: ``run`` calls ``step`` once per event, a timeout goes through ``Timeout.__init__`` and
``schedule``, and a process resumes through a bound method made anew at each wait. The model creates a few
hundred thousand events per simulated year, so here the loop is one function, a timeout is put on the queue
directly, and a process keeps its resume callback. Every event still gets its (time, priority, id) key from
the same counter in the same order, so the order of events — and with it every random draw and every record —
is SimPy's. One difference, on request: :meth:`Engine.spawn` starts a process that nobody waits for, and such a
process ends without scheduling its end as an event (ids stay increasing, so no order changes).
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import StopSimulation
from simpy.events import NORMAL, URGENT, Event, Initialize, Process, Timeout

_new = object.__new__


class _Process(Process):
    """A SimPy process whose resume callback is made once; ``waited`` False: nobody can wait for its end."""

    def __init__(self, env: Engine, generator: Generator[Any, Any, Any], waited: bool = True) -> None:
        self.env = env
        self.callbacks: list[Any] = []
        self._generator = generator
        self._waited = waited
        self._resume = resume = self._step  # type: ignore[method-assign]  # one bound method for every wait
        init = _new(Initialize)
        init.env = env
        init.callbacks = [resume]
        init._value = None
        init._ok = True
        heappush(env._queue, (env._now, URGENT, next(env._eid), init))
        self._target = init

    def _step(self, event: Event) -> None:
        """``Process._resume`` with the lookups hoisted out of the loop."""
        env = self.env
        env._active_proc = self
        send = self._generator.send
        while True:
            try:
                if event._ok:
                    event = send(event._value)
                else:
                    event._defused = True
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    event = self._generator.throw(exc)
            except StopIteration as e:
                event = None  # type: ignore[assignment]
                self._ok = True
                self._value = e.args[0] if e.args else None
                del self._resume  # the cached callback refers to the process: no cycle left behind
                if self._waited:
                    heappush(env._queue, (env._now, NORMAL, next(env._eid), self))
                else:
                    self.callbacks = None  # type: ignore[assignment]  # ended and processed: nobody waits
                break
            except BaseException as e:
                event = None  # type: ignore[assignment]
                self._ok = False
                e.__traceback__ = e.__traceback__.tb_next if e.__traceback__ else None
                self._value = e
                del self._resume
                heappush(env._queue, (env._now, NORMAL, next(env._eid), self))  # a failure always crashes the run
                break
            try:
                callbacks = event.callbacks
            except AttributeError:
                raise RuntimeError(f'Invalid yield value "{event}" in process {self.name}') from None
            if callbacks is not None:
                callbacks.append(self._resume)
                break
        self._target = event
        env._active_proc = None


class Engine(simpy.Environment):
    """A SimPy environment with a faster loop, timeouts and processes (the same order of events). ``now`` is a
    plain attribute, kept equal to SimPy's ``_now`` (reading it is not a call)."""

    now: float = 0.0  # type: ignore[assignment]  # shadows SimPy's property

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self.now = self._now

    def step(self) -> None:
        super().step()
        self.now = self._now

    def timeout(self, delay: float, value: Any = None) -> Timeout:  # type: ignore[override]
        """``simpy.Timeout(self, delay, value)``, put on the queue directly."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        t = _new(Timeout)
        t.env = self
        t.callbacks = []
        t._value = value
        t._delay = delay
        t._ok = True
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), t))
        return t

    def process(self, generator: Generator[Any, Any, Any]) -> Process:  # type: ignore[override]
        return _Process(self, generator)

    def spawn(self, generator: Generator[Any, Any, Any]) -> None:
        """Start a process that nobody waits for (its end is not an event)."""
        _Process(self, generator, waited=False)

    def run(self, until: float | Event | None = None) -> Any:
        """``Environment.run`` with ``step`` inlined (a number ``until``; anything else as SimPy runs it)."""
        if until is None or isinstance(until, Event):
            return super().run(until)
        at = float(until)
        if at <= self._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = _new(Event)
        stop.env = self
        stop.callbacks = [StopSimulation.callback]
        stop._value = None
        stop._ok = True
        queue = self._queue
        heappush(queue, (at, URGENT, next(self._eid), stop))
        try:
            while True:
                now, _, _, event = heappop(queue)
                self._now = self.now = now
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok and not hasattr(event, "_defused"):
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    raise exc
        except StopSimulation as exc:
            return exc.args[0]


__all__ = ["Engine"]
