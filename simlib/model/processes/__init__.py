"""The processes of the notice, as SimPy generator functions that read like its procedure.

``start_all(model)`` sets the world in motion: standing arrangements and registration, the document
clean-up, delegations, postings and private trips, monitoring, corrupt careers, reports and inspections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simlib.model.processes import corruption, personnel, private_trip, public_trip, supervision

if TYPE_CHECKING:
    from simlib.model.world import Model

__all__ = ["start_all"]


def start_all(m: Model) -> None:
    """Start every standing process of the world (called once, by ``Model.run``)."""
    env = m.env
    supervision.standing_arrangements(m)
    supervision.initial_documents(m)
    env.process(supervision.registration(m))
    for u in range(m.org.n_units):
        env.process(supervision.cleanup(m, u))
        env.process(supervision.inspections(m, u))
        if m.org.unit_parent[u] >= 0:
            env.process(supervision.periodic_reports(m, u))
            env.process(supervision.annual_reports(m, u))
    for (kind, _), agency in sorted(m.org.agency_ids.items()):
        if kind == "fao":
            env.process(supervision.bulletins(m, agency))
    env.process(supervision.routine_supervision(m))
    env.process(supervision.residency(m))
    if personnel.active(m):
        env.process(personnel.careers(m))
    env.process(public_trip.delegations(m))
    env.process(public_trip.postings(m))
    env.process(private_trip.private_trips(m))
    env.process(corruption.monitoring(m))
    for c in np.flatnonzero(m.funds > 0):
        env.process(corruption.corrupt_career(m, int(c)))
