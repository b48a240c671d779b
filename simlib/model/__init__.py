"""The SimPy model of the notice: ``Model(scenario, seed).run().log()``.

>>> from simlib.scenario import load_scenario
>>> from simlib.model import Model
>>> log = Model(load_scenario("scenarios/training/small.yaml"), seed=1).run().log()  # doctest: +SKIP
"""

from simlib.model.streams import Streams
from simlib.model.world import ApprovalDesk, Model

__all__ = ["ApprovalDesk", "Model", "Streams"]
