"""All randomness of simlib, described once.

Replications: ``numpy.random.SeedSequence(root_seed).spawn(n)`` gives one child per replication; child *i*
becomes the integer ``child.generate_state(1, dtype=numpy.uint64)[0] >> 1`` (63 bits, so it fits a signed 64-bit
column). Child *i* depends only on ``root_seed`` and *i*, not on *n*: extending an experiment from 20 to 40
replications keeps the first 20 seeds (:func:`replication_seeds`).

Within a replication, one stream per purpose (organisation, trips, approval, behaviour, border, a control …),
spawned from ``SeedSequence([seed, crc32(purpose)])`` (:class:`Streams`). A stream's draws depend only on the
seed and the purpose's name, so two scenarios run with the same seed share random numbers purpose by purpose
(common random numbers) whatever controls are switched, and a model that adds a purpose leaves the others'
streams unchanged. No global RNG. Scalar draws come from a buffer of uniforms (numpy's per-call overhead is
~2 µs; a buffered draw ~0.05 µs). :func:`stream` is the same idea for a replication function outside the model
(the experiment tests' stand-in queue).
"""

from __future__ import annotations

import math
import zlib
from itertools import chain
from typing import Any

import numpy as np

from simlib.errors import InputError

BUFFER = 4096


class Stream:
    """One purpose's random numbers: buffered scalar draws plus the numpy generator for arrays."""

    __slots__ = ("_draws", "gen")

    def __init__(self, gen: np.random.Generator) -> None:
        self.gen = gen
        # scalars come from blocks of BUFFER uniforms, the next block drawn when the last one is used up
        self._draws = chain.from_iterable(iter(lambda: gen.random(BUFFER).tolist(), None))

    def random(self, size: int | None = None) -> Any:
        """A uniform on [0, 1) (or an array of ``size`` of them)."""
        if size is not None:
            return self.gen.random(size)
        return next(self._draws)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * next(self._draws)

    def exponential(self, mean: float) -> float:
        return -mean * math.log1p(-next(self._draws))

    def integers(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        i = int(next(self._draws) * n)
        return i if i < n else n - 1

    def poisson(self, lam: float) -> int:
        return int(self.gen.poisson(lam))

    def choice(self, n: int, size: int, replace: bool = False) -> np.ndarray:
        return self.gen.choice(n, size=size, replace=replace)


class Streams(dict[str, Stream]):
    """Named streams: ``streams["trips"]``, and ``streams.control("private_custody")`` for a control."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = int(seed)

    def generator(self, purpose: str) -> np.random.Generator:
        """A fresh numpy generator for ``purpose`` (used once, e.g. to draw the organisation)."""
        key = zlib.crc32(purpose.encode("utf-8"))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, key])))

    def __missing__(self, purpose: str) -> Stream:
        s = self[purpose] = Stream(self.generator(purpose))
        return s

    def control(self, name: str) -> Stream:
        """The stream deciding whether control ``name`` operates on an occasion."""
        return self[f"control:{name}"]


# --------------------------------------------------------------------------------------------- replications


def replication_seed(root_seed: int, replication: int) -> int:
    """Seed of one replication: child ``replication`` of ``SeedSequence(root_seed).spawn(...)``, 63 bits."""
    if replication < 0:
        raise InputError(field="replication", key="streams.replication", values={"replication": replication})
    child = np.random.SeedSequence(_root(root_seed), spawn_key=(replication,))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds of replications ``0..n-1`` (``SeedSequence(root_seed).spawn(n)``, each child as 63 bits)."""
    children = np.random.SeedSequence(_root(root_seed)).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def stream(seed: int, purpose: str) -> np.random.Generator:
    """An independent random stream for one purpose (``"arrivals"``, ``"service"`` …) of one replication.

    The purpose name, not its position, selects the stream, so a model that adds a purpose leaves the streams
    of the others unchanged and common random numbers stay aligned across model versions and scenarios.
    """
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def _root(root_seed: int) -> int:
    if isinstance(root_seed, bool) or not isinstance(root_seed, int | np.integer) or root_seed < 0:
        raise InputError(field="seed", key="streams.seed", values={"seed": repr(root_seed)})
    return int(root_seed)
