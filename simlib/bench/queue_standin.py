"""A stand-in replication function for measuring and testing the experiment layer without the model: an M/M/c
queue in SimPy, configured by a dict (not part of the library's API; ``simlib.bench.executors`` and the
experiment tests use it).

It follows the replication contract of :mod:`simlib.experiment.contract`: one stream per purpose (arrivals,
services) derived from the replication seed, so changing the number of servers keeps every customer's arrival
and service time — the paired comparison then sees only the effect of the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import simpy

from simlib.experiment.contract import KPIs
from simlib.model.streams import stream

DEMO_CONFIG: dict[str, Any] = {
    "queue": {"arrival_rate": 3.0, "service_rate": 1.0, "servers": 4},
    "run": {"customers": 2000, "warmup": 200},
}
"""An M/M/4 queue at 75% utilisation, 2,000 customers of which the first 200 are a warm-up."""

DEMO_RANGES: dict[str, tuple[float, float]] = {
    "queue.arrival_rate": (2.5, 3.5),
    "queue.service_rate": (0.9, 1.1),
    "run.warmup": (100, 300),
}
"""Plausible ranges of the demo's parameters, as a model would document them."""


def mmc_replication(config: Mapping[str, Any], seed: int) -> KPIs:
    """One replication of the M/M/c queue: mean wait, P(wait), utilisation, mean number waiting."""
    queue, run = config["queue"], config["run"]
    n, warmup = int(run["customers"]), int(run["warmup"])
    gaps = stream(seed, "arrivals").exponential(1.0 / float(queue["arrival_rate"]), size=n)
    services = stream(seed, "services").exponential(1.0 / float(queue["service_rate"]), size=n)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=int(queue["servers"]))
    waits = np.zeros(n)

    def customer(i: int) -> Any:
        arrived = env.now
        with servers.request() as request:
            yield request
            waits[i] = env.now - arrived
            yield env.timeout(services[i])

    def source() -> Any:
        for i in range(n):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    env.process(source())
    env.run()
    kept = waits[warmup:]
    horizon = env.now
    return {
        "mean_wait": float(kept.mean()),
        "p_wait": float((kept > 0).mean()),
        "utilisation": float(services.sum() / (int(queue["servers"]) * horizon)),
        "mean_waiting": float(waits.sum() / horizon),
    }
