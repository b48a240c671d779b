"""``simlib bench``: the performance figures of issue 5, measured in one process run so ratios hold.

1. ``model``: the full model against a bare-SimPy loop of the same trip lifecycle (:mod:`.lifecycle`);
2. ``scale``: 1 k, 10 k, 100 k cadres × 10 years, each in a fresh subprocess (:mod:`.scale`);
3. ``audit``: audit throughput on a generated 1 M-event log (:mod:`.audit`);
4. ``explorer``: the explorer's round trip on a warm pool (:mod:`.explorer`);
5. ``queue``: the approval queue as M/M/4 against Ciw, checked against Erlang C (:mod:`.mmc`).
6. ``startup``: ``simlib --help``, ``simlib audit`` of ten events and ``import simlib`` in fresh interpreters
   (:mod:`.startup`, issue 12).

Every figure carries its target and whether it is met. These are benchmark figures, never timed tests.
"""

from simlib.bench.report import render
from simlib.bench.suite import FULL, NAMES, QUICK, Sizes, run_benchmarks

__all__ = ["FULL", "NAMES", "QUICK", "Sizes", "render", "run_benchmarks"]
