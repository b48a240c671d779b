"""A cadre's choices as small pure functions returning a probability.

Becker-style deterrence: a propensity ``base`` is the probability of the act *under the baseline's
enforcement* (perceived detection × sanction = 1). Weaker enforcement raises it; education and publicised
cases lower it:

    p = base · exp(deterrence · (1 − detection · sanction)) · (1 − education_effect · educated)
             · exp(−publicity_effect · publicised) · factor          (capped at 1; 0 without opportunity)

``detection`` and ``sanction`` are the strengths (on × level) of the controls that would detect and punish
the act. Every coefficient comes from the scenario (``behaviour.coefficients``). Magnitudes are assumptions to
explore, not estimates.
"""

from __future__ import annotations

import math

from simlib.scenario.schema import Coefficients

DECISIONS: tuple[str, ...] = (
    "skip_doc_report", "skip_pre_trip_report", "unapproved_private_trip", "fraud", "solo_activity",
    "solo_without_consent", "route_change", "unauthorised_route_change", "overstay", "non_return",
    "skip_incident_report", "skip_quarterly_report", "party_public_activity", "skip_return_report",
    "keep_public_document", "keep_private_document", "refuse_after_demand", "flight", "forged_document",
)
"""The names a decider (``Model.set_decider``) is asked about: True means the cadre does it."""


def choice(base: float, coef: Coefficients, *, detection: float = 1.0, sanction: float = 1.0,
           educated: bool = False, publicised: float = 0.0, factor: float = 1.0,
           opportunity: bool = True) -> float:
    """Probability that a cadre commits an act of propensity ``base`` in the situation described."""
    if base <= 0.0 or not opportunity:
        return 0.0
    p = base * math.exp(coef.deterrence * (1.0 - detection * sanction))
    if educated:
        p *= 1.0 - coef.education_effect
    p *= math.exp(-coef.publicity_effect * publicised) * factor
    return min(1.0, p)


def non_return(base: float, coef: Coefficients, *, risk: float, spouse_abroad: bool, educated: bool,
               supervised: bool, detection: float, sanction: float, publicised: float) -> float:
    """Probability of staying abroad without authorisation on one trip (私自不归)."""
    factor = risk * (coef.spouse_abroad_factor if spouse_abroad else 1.0)
    if supervised:
        factor *= 1.0 - coef.discipline_effect
    return choice(base, coef, detection=detection, sanction=sanction, educated=educated,
                  publicised=publicised, factor=factor)


def flight(base: float, coef: Coefficients, *, funds: float, funds_mean: float, spouse_abroad: bool,
           exit_control: float, sanction: float, publicised: float, has_document: bool) -> float:
    """Probability of attempting flight when an investigation closes in: larger funds and a spouse abroad
    raise it; a strong exit control (perceived) and publicised repatriations lower it. Holding a usable
    document is the opportunity that makes flight thinkable without a detour."""
    e = coef.funds_elasticity
    factor = min(coef.flight_factor_cap, (1.0 - e) + e * (funds / max(funds_mean, 1e-9)))
    if spouse_abroad:
        factor *= math.sqrt(coef.spouse_abroad_factor)
    if not has_document:
        factor *= coef.no_document_factor
    return choice(base, coef, detection=exit_control, sanction=sanction, publicised=publicised, factor=factor)
