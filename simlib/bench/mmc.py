"""Figure 5: the model's approval queue as M/M/4 against Ciw on the same workload.

Poisson arrivals, exponential reviews, 4 reviewers, the baseline's review time (3 days) at 75 % utilisation,
the same number of customers, split into independent replications. The SimPy side is the model's own
``ApprovalDesk(...).review()`` fed by the model's random streams; Ciw (a benchmark-only dependency:
``pip install simlib[bench]``) runs the same network. Both must serve every customer, and both mean times in
system (wait + review) must agree with the Erlang-C formula and with each other within sampling error, so a
fast but wrong queue does not count. Sampling error comes from the replications' means (a t-test at the 0.1 %
level): within one long run, waits are correlated over long busy periods and a batch-means standard error
proved far too small.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

import simpy
from scipy import stats

from simlib.bench.common import Target, best_of
from simlib.model.streams import Streams, replication_seeds
from simlib.model.world import ApprovalDesk

SERVERS = 4
SERVICE_MEAN = 3.0  # days: approval.review_days_mean of the baseline
UTILISATION = 0.75
ARRIVAL_RATE = UTILISATION * SERVERS / SERVICE_MEAN  # per day
REPLICATIONS = 10
WARM_UP = 0.1  # share of each replication's customers (in order of completion) left out: it starts empty
LEVEL = 0.001  # two-sided level of the agreement tests
SPEED_TARGET = 1.0  # customers/s of the model's desk over Ciw's

Queue = Callable[[int, int], list[float]]


def erlang_c_time_in_system(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean time in system of M/M/c: P(wait) / (c·μ − λ) + 1/μ, with P(wait) from the Erlang-C formula."""
    a = arrival_rate * service_mean  # offered load
    if a >= servers:
        raise ValueError(f"unstable queue: offered load {a} >= {servers} servers")
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
    return p_wait / (servers / service_mean - arrival_rate) + service_mean


def replications(queue: Queue, customers: int, seed: int) -> tuple[int, list[float]]:
    """Customers served in all, and each replication's mean time in system after its warm-up."""
    served, means = 0, []
    for s in replication_seeds(seed, REPLICATIONS):
        times = queue(customers // REPLICATIONS, s)
        served += len(times)
        means.append(statistics.fmean(times[int(len(times) * WARM_UP):]))
    return served, means


def simpy_queue(customers: int, seed: int) -> list[float]:
    """Times in system of ``customers`` served by the model's ``ApprovalDesk``, in order of completion."""
    env = simpy.Environment()
    streams = Streams(seed)
    desk = ApprovalDesk(env, SERVERS, SERVICE_MEAN, streams["approval"])
    arrivals = streams["arrivals"]
    times: list[float] = []

    def customer() -> Any:
        arrived = env.now
        yield from desk.review()
        times.append(env.now - arrived)

    def source() -> Any:
        for _ in range(customers):
            yield env.timeout(arrivals.exponential(1.0 / ARRIVAL_RATE))
            env.process(customer())

    env.process(source())
    env.run()
    return times


def ciw_queue(customers: int, seed: int) -> list[float]:
    """Times in system of the first ``customers`` to finish in Ciw's M/M/4, in order of completion."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / SERVICE_MEAN)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)  # Ciw keeps its random state globally (random, ciw.rng); this is its way to seed it
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Finish")
    records = sorted(sim.get_all_records(), key=lambda r: r.exit_date)
    return [r.exit_date - r.arrival_date for r in records]


def side(served: int, means: list[float], seconds: float, cpu_seconds: float, expected: float) -> dict[str, Any]:
    """One queue's figures: speed, and its mean against Erlang C as a t statistic."""
    mean, se = statistics.fmean(means), statistics.stdev(means) / math.sqrt(len(means))
    return {"served": served, "seconds": seconds, "cpu_seconds": cpu_seconds, "customers_per_s": served / seconds,
            "replication_means": means, "mean_time_in_system": mean, "standard_error": se,
            "t": (mean - expected) / se}


def mm4_vs_ciw(customers: int, repeat: int = 3, seed: int = 1) -> tuple[dict[str, Any], list[Target]]:
    """Both queues, best of ``repeat`` each, interleaved so a busy machine slows both alike."""
    expected = erlang_c_time_in_system(ARRIVAL_RATE, SERVICE_MEAN, SERVERS)
    result: dict[str, Any] = {
        "customers": customers, "replications": REPLICATIONS, "servers": SERVERS, "arrival_rate": ARRIVAL_RATE,
        "service_mean": SERVICE_MEAN, "erlang_c_time_in_system": expected,
        "t_max": float(stats.t.ppf(1.0 - LEVEL / 2.0, REPLICATIONS - 1)),
    }
    queues: dict[str, Queue] = {"simpy": simpy_queue}
    try:
        import ciw  # noqa: F401
    except ImportError as exc:
        result.update(ciw_available=False, reason=f"{exc}; pip install 'simlib[bench]'")
    else:
        result["ciw_available"] = True
        queues["ciw"] = ciw_queue
    best: dict[str, Any] = {}
    for _ in range(max(1, repeat)):
        for name, queue in queues.items():
            run = best_of(lambda queue=queue: replications(queue, customers, seed), 1)
            if name not in best or run.seconds < best[name].seconds:
                best[name] = run
    for name, run in best.items():
        result[name] = side(*run.result, run.seconds, run.cpu_seconds, expected)
    if not result["ciw_available"]:
        return result, [Target("queue_speedup", None, ">=", SPEED_TARGET, "x")]
    mine, theirs = result["simpy"], result["ciw"]
    welch = stats.ttest_ind(mine["replication_means"], theirs["replication_means"], equal_var=False)
    result["t_difference"] = float(welch.statistic)
    result["p_difference"] = float(welch.pvalue)
    result["speedup"] = mine["customers_per_s"] / theirs["customers_per_s"]
    result["agree"] = bool(max(abs(mine["t"]), abs(theirs["t"])) <= result["t_max"] and welch.pvalue >= LEVEL)
    return result, [Target("queue_speedup", result["speedup"], ">=", SPEED_TARGET, "x")]
