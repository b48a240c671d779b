"""The changing organisation (2.2.a): promotions, retirements, moves into and out of leading, key and
security-sensitive posts — and the registration-for-filing work each move gives the unit's
organisation-personnel department with public security.

A career move changes the cadre's timed attributes (``LogBuilder.change``: rank, management authority,
employment, leading post, unit leadership, key post, security category). A move into a 2.2.a category is
recorded as ``CategoryEntered`` and has to be filed with public security (``PSBRegistered``); a move out of every
category as ``CategoryLeft``, to be de-registered (``PSBDeregistered``). The department files late, or never,
as ``scenario.personnel`` says: an obliged cadre left unregistered gets a private passport on demand (2003 No.
13), and a stale registration outlives the category.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.log.vocabulary import RANKS
from simlib.model.organisation import KEY_POSTS, RANK_CAP, SECURITY, management_authority, registrable
from simlib.model.processes.supervision import register
from simlib.model.processes.units import MONTHS_PER_YEAR, YEAR_DAYS

if TYPE_CHECKING:
    from simlib.model.world import Model, Proc

MOVES = ("promotion", "retirement", "leading_entry", "leading_exit", "key_post_entry", "key_post_exit",
         "security_entry", "security_exit")
DEPUTY_DIVISION = RANKS.index("deputy_division")


def active(m: Model) -> bool:
    """Whether the organisation changes at all (every rate 0: the static organisation of earlier versions)."""
    return any(getattr(m.sc.personnel, f"{move}_rate") > 0 for move in MOVES)


def promotion_rates(m: Model) -> np.ndarray:
    """Promotions per cadre-year from each rank: ``promotion_rate`` × the rate that keeps the scenario's rank
    shares in balance with retirements and section-level hires (from rank r: retirement_rate × share above r /
    share at r)."""
    shares = np.asarray([getattr(m.sc.organisation.ranks, r) for r in RANKS])
    above = shares[::-1].cumsum()[::-1] - shares
    balance = np.divide(above, shares, out=np.zeros_like(shares), where=shares > 0)
    return m.sc.personnel.promotion_rate * m.sc.personnel.retirement_rate * balance


def rates(m: Model, top: np.ndarray, promotion: np.ndarray) -> np.ndarray:
    """Per cadre (rows) and move (columns, as :data:`MOVES`), the monthly probability of the move now, given
    each unit's ``top`` rank and the ``promotion`` rate from each rank (:func:`promotion_rates`)."""
    p, o = m.sc.personnel, m.org
    here = ~(o.retired | m.gone | m.removed)  # in service and in post: not abroad for good, not under investigation
    cap = top[o.unit]
    has_key, has_sec = o.key_post != "", o.security != ""
    eligible = (
        here & (o.rank < cap),
        here,
        here & ~o.leading & (o.rank >= DEPUTY_DIVISION),
        here & o.leading & ~o.unit_leader,
        here & ~has_key,
        here & has_key,
        here & ~has_sec,
        here & has_sec,
    )
    per_year = [promotion[o.rank], *(getattr(p, f"{move}_rate") for move in MOVES[1:])]
    return np.column_stack([e * (r / MONTHS_PER_YEAR) for e, r in zip(eligible, per_year, strict=True)])


def careers(m: Model) -> Proc:
    """Once a month, each cadre in post may move (at most one move a month, chosen among the competing
    ones in proportion to their rates); once a year, the units recruit for the year's retirements."""
    rng = m.rng["personnel"]
    month = YEAR_DAYS / MONTHS_PER_YEAR
    top = np.asarray([RANK_CAP[int(lv)] for lv in m.org.unit_level])
    promotion = promotion_rates(m)
    retired_units: list[int] = []
    for k in itertools.count(1):
        yield m.env.timeout(month)
        hazard = rates(m, top, promotion)
        u = rng.random(m.org.n)
        movers = np.flatnonzero(u < hazard.sum(axis=1))
        cumulative = np.cumsum(hazard[movers], axis=1)  # only the movers' moves are chosen
        moved: set[int] = set()  # one move a month: a successor named this month waits for the next
        for i, c in enumerate(movers.tolist()):
            if c in moved:
                continue
            move = MOVES[min(int(np.searchsorted(cumulative[i], u[c], side="right")), len(MOVES) - 1)]
            apply_move(m, c, move, moved)
            if move == "retirement":
                retired_units.append(int(m.org.unit[c]))
        if k % MONTHS_PER_YEAR == 0 and retired_units:
            recruit(m, np.asarray(retired_units))
            retired_units.clear()


def recruit(m: Model, units: np.ndarray) -> None:
    """The year's recruitment: ``hires_per_retirement`` new section-level cadres for each retirement, in the
    retiree's unit (the fraction drawn), Party members at ``organisation.party_share``."""
    rng, o = m.rng["personnel"], m.sc.organisation
    per = m.sc.personnel.hires_per_retirement
    count = np.floor(per) + (rng.random(len(units)) < per - np.floor(per))
    units = np.repeat(units, count.astype(np.int64))
    if len(units):
        m.hire(units, rng.random(len(units)) < o.party_share,
               rng.gen.lognormal(-0.5 * o.risk_sigma**2, o.risk_sigma, len(units)))


def apply_move(m: Model, c: int, move: str, moved: set[int]) -> None:
    """One career move of cadre c now: new attribute values, their record, and the registration work (``moved``:
    the cadres whose attributes changed this month, c and any successor he makes)."""
    moved.add(c)
    o, rng = m.org, m.rng["personnel"]
    before = bool(o.registrable[c])
    changed: dict[str, Any] = {}
    if move == "promotion":
        o.rank[c] += 1
        changed["rank"] = RANKS[int(o.rank[c])]
        authority = int(management_authority(o.unit_parent, o.unit[c:c + 1], o.rank[c:c + 1])[0])
        if authority != o.authority[c]:
            o.authority[c] = authority
            changed["management_authority"] = m.uid(authority)
        if o.rank[c] == DEPUTY_DIVISION and not o.leading[c] and rng.random() < m.sc.organisation.leading_share:
            o.leading[c] = True  # promoted into a leading post (县处级领导职务)
            changed["is_leading_cadre"] = True
    elif move == "retirement":
        o.retired[c] = True
        changed["employment"] = "retired"
        changed.update(leave_posts(m, c, moved))
    elif move == "leading_entry":
        o.leading[c] = True
        changed["is_leading_cadre"] = True
        changed["employment"] = "in_service"
    elif move == "leading_exit":
        o.leading[c] = False
        changed["is_leading_cadre"] = False
        changed["employment"] = "left_leading_post"
    elif move in ("key_post_entry", "key_post_exit"):
        o.key_post[c] = KEY_POSTS[rng.integers(len(KEY_POSTS))] if move == "key_post_entry" else ""
        changed["key_post"] = o.key_post[c]
    else:
        o.security[c] = SECURITY[rng.integers(len(SECURITY))] if move == "security_entry" else ""
        changed["security_sensitive"] = o.security[c]
    m.rec.change("cadre", m.cid(c), m.env.now, **changed)
    after = bool(registrable(o.state[c:c + 1], o.retired[c:c + 1], o.leading[c:c + 1], o.rank[c:c + 1],
                             o.security[c:c + 1], m.params)[0])
    o.registrable[c] = after
    if after and not before:
        entered(m, c)
    elif before and not after:
        left(m, c)


def leave_posts(m: Model, c: int, moved: set[int]) -> dict[str, Any]:
    """A retiring cadre leaves his leading, key and security-sensitive posts; a unit leader is succeeded by
    the unit's highest-ranked cadre in service (the first in roster order among equals)."""
    o = m.org
    changed: dict[str, Any] = {}
    if o.leading[c]:
        o.leading[c] = False
        changed["is_leading_cadre"] = False
    for name, column in (("key_post", o.key_post), ("security_sensitive", o.security)):
        if column[c]:
            column[c] = ""
            changed[name] = ""
    if o.unit_leader[c]:
        o.unit_leader[c] = False
        changed["is_unit_leader"] = False
        succeed(m, int(o.unit[c]), moved)
    return changed


def succeed(m: Model, u: int, moved: set[int]) -> None:
    """A new head of unit u: its highest-ranked cadre in service and in post who has not moved this month (one
    change of an attribute at a time), now a leading cadre."""
    o = m.org
    staff = o.members_of(u)
    staff = staff[~(o.retired[staff] | m.gone[staff] | m.removed[staff])]
    staff = staff[~np.isin(staff, list(moved))]
    if not len(staff):
        o.unit_head[u] = -1
        return
    head = int(staff[np.argmax(o.rank[staff])])
    moved.add(head)
    o.unit_head[u] = head
    o.unit_leader[head] = True
    changed: dict[str, Any] = {"is_unit_leader": True}
    if not o.leading[head]:
        o.leading[head] = True
        changed["is_leading_cadre"] = True
    m.rec.change("cadre", m.cid(head), m.env.now, **changed)
    was = bool(o.registrable[head])
    o.registrable[head] = bool(registrable(o.state[head:head + 1], o.retired[head:head + 1],
                                           o.leading[head:head + 1], o.rank[head:head + 1],
                                           o.security[head:head + 1], m.params)[0])
    if o.registrable[head] and not was:
        entered(m, head)


def category(m: Model, c: int) -> str:
    """The 2.2.a category a cadre is in (the same labels as ``PSBRegistered.category``)."""
    return "security" if m.org.security[c] else ("retired" if m.org.retired[c] else "in_service")


def filing_delay(m: Model, late: float, late_days: float, miss: float) -> float | None:
    """Days until the department files a registration or de-registration: within ``timing.compliant_share`` of
    ``rules.registration_days``, or after the deadline with probability ``late``; None (never) with probability
    ``miss``."""
    rng, limit = m.rng["registration_work"], float(m.params.registration_days)
    u = rng.random()
    if u < miss:
        return None
    if u < miss + late:
        return limit + 1.0 + rng.exponential(late_days)
    return rng.uniform(0.0, m.sc.timing.compliant_share * limit)


def entered(m: Model, c: int) -> None:
    """CategoryEntered, and the filing with public security (unless a registration is still in force)."""
    m.emit("CategoryEntered", cadre=m.cid(c), category=category(m, c))
    p = m.sc.personnel
    if m.registered[c] or not m.control("registration"):
        return
    delay = filing_delay(m, p.registration_late, p.registration_late_days, p.registration_miss)
    if delay is not None:
        m.after(delay, file_registration, m, c)


def file_registration(m: Model, c: int) -> None:
    """The department files the registration, if the cadre is still in a category and here."""
    if m.org.registrable[c] and not m.registered[c] and not m.gone[c]:
        register(m, c, m.env.now)


def left(m: Model, c: int) -> None:
    """CategoryLeft, and the de-registration with public security (if he is registered)."""
    m.emit("CategoryLeft", cadre=m.cid(c))
    p = m.sc.personnel
    if not m.registered[c]:
        return
    delay = filing_delay(m, p.deregistration_late, p.deregistration_late_days, p.deregistration_miss)
    if delay is not None:
        m.after(delay, deregister, m, c)


def deregister(m: Model, c: int) -> None:
    """PSBDeregistered: the registration withdrawn, if the cadre is still out of every category."""
    if m.registered[c] and not m.org.registrable[c]:
        m.emit("PSBDeregistered", cadre=m.cid(c), unit=m.unit_of(c))
        m.registered[c] = False
