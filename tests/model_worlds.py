"""Small worlds shared by the model tests."""

from __future__ import annotations

from simlib.scenario import Scenario


def tiny(cadres: int = 150, years: float = 1.5, **changes: object) -> Scenario:
    """A small world (one prefecture with three counties)."""
    return Scenario().replace(**{"organisation.cadres": cadres, "calendar.years": years,
                                 "organisation.units.prefecture_per_provincial": 1,
                                 "organisation.units.county_per_prefecture": 3, **changes})
