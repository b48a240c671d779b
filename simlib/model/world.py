"""``Model``: one simulated world — SimPy environment, organisation, runtime state, resources and the log.

Processes (``simlib.model.processes``) do and record; this class holds the bookkeeping they share: ids, the
event recorder, controls, behaviour decisions (with the external decider hook), documents and flags.
"""

from __future__ import annotations

import gc
import math
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy

from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.model import behaviour
from simlib.model.engine import Engine
from simlib.model.organisation import Organisation
from simlib.model.organisation import build as build_organisation
from simlib.model.streams import Stream, Streams
from simlib.rulebook import Params
from simlib.scenario.schema import Scenario

Decider = Callable[[str, dict[str, Any]], bool]
Proc = Generator[Any, Any, Any]
PORTS = ("PEK", "PVG", "CAN", "Lo Wu", "Gongbei", "SZX", "CTU", "KMG")
DESTINATIONS = ("HK", "MO", "US", "FR", "DE", "JP", "TH", "AU", "CA", "SG")
HIRED: dict[str, Any] = {  # per-cadre state of a cadre just hired (Model.hire); None: as the organisation has it
    "busy": False, "gone": False, "registered": False, "suspected_at": np.inf, "exit_controlled": False,
    "investigated": False, "removed": False, "alerted": False, "spouse_abroad": None, "risk": None, "funds": None,
    "private_doc": -1, "public_doc": -1, "hk_doc": -1, "residency_doc": -1, "shared_at": np.inf, "refused": False,
}
YOUNG_GC_THRESHOLD = 20_000  # allocations between young-generation collections while simulating (default 700)


@contextmanager
def fewer_collections(threshold: int = YOUNG_GC_THRESHOLD) -> Iterator[None]:
    """Run the cycle collector's young generation less often, for the duration of the block.

    A run allocates millions of short-lived events, generators and dicts that reference counting frees; the
    collector's frequent young passes find little to collect: at 100 k cadres × 1 year they took 1.4 s of a
    10 s run (0.7 s with this threshold), and 0.4 s of the 1.2 s log build at 10 k × 10 years (0.02 s).
    Cycles are still collected, and the old setting is restored."""
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


class ApprovalDesk:
    """The approving body's review: a queue with ``capacity`` reviewers, first come first served, and
    exponential review times (M/M/c).

    Scheduled exactly as a ``simpy.Resource`` would schedule it — an application is admitted when it arrives or
    when a reviewer's release is processed, one at a time — without the generic machinery, and without the
    release event when nobody is waiting for it."""

    def __init__(self, env: simpy.Environment, capacity: int, mean_days: float, rng: Stream) -> None:
        self.env = env
        self.capacity = capacity
        self.mean_days = mean_days
        self.rng = rng
        self.busy = 0
        self.waiting: deque[simpy.Event] = deque()

    def review(self) -> Proc:
        """Wait for a reviewer, then take the review time."""
        turn = self.env.event()
        self.waiting.append(turn)
        self._admit()
        yield turn
        yield self.env.timeout(self.rng.exponential(self.mean_days))
        self.busy -= 1
        if self.waiting:
            release = self.env.event()
            release.callbacks.append(self._admit)
            release.succeed()

    def _admit(self, _: object = None) -> None:
        """Give a free reviewer to the first application in line."""
        if self.waiting and self.busy < self.capacity:
            self.busy += 1
            self.waiting.popleft().succeed()


class Engagement:
    """Cadres taken up by one trip: not free for another (``Model.available``) from the application until they
    are released — each by :meth:`release` when the trip lets him go, the rest when the ``with`` block ends,
    except those marked with :meth:`keep` (a cadre who stays abroad is never free again).

    A generator closed before its block ends (the run stopped in the middle of a trip) releases nobody. The
    model's ``busy`` array is looked up at each step: hiring replaces it with a longer one."""

    def __init__(self, model: Model, cadres: Iterable[int]) -> None:
        self.model = model
        self.held = list(cadres)

    def __enter__(self) -> Engagement:
        for c in self.held:
            self.model.busy[c] = True
        return self

    def release(self, *cadres: int) -> None:
        """Free these cadres now."""
        for c in cadres:
            self.model.busy[c] = False
            self.held.remove(c)

    def keep(self, *cadres: int) -> None:
        """Leave these cadres busy when the block ends."""
        for c in cadres:
            self.held.remove(c)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.release(*self.held)


@dataclass
class Documents:
    """Travel documents as parallel lists; ``place`` is where the document is: holder, unit, fao or void."""

    ids: list[str] = field(default_factory=list)
    holder: list[int] = field(default_factory=list)
    public: list[bool] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    valid: list[bool] = field(default_factory=list)
    reported: list[bool] = field(default_factory=list)
    visible_invalid: list[bool] = field(default_factory=list)  # the border can see it is void
    checked_out: list[bool] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)  # how often the document changed place

    def move(self, d: int, place: str) -> None:
        self.place[d] = place
        self.moves[d] += 1

    def add(self, holder: int, public: bool, place: str) -> int:
        i = len(self.ids)
        self.ids.append(f"doc{i}")
        self.holder.append(holder)
        self.public.append(public)
        self.place.append(place)
        self.valid.append(True)
        self.reported.append(False)
        self.visible_invalid.append(False)
        self.checked_out.append(False)
        self.moves.append(0)
        return i


class Model:
    """A world under one scenario and seed. ``run(until=day)`` advances it; ``log()`` returns the event
    log."""

    def __init__(self, scenario: Scenario, seed: int | None = None, params: Params | None = None) -> None:
        self.sc = scenario
        self.params = params or scenario.rules.params()  # the notice as this scenario reads it
        self.seed = scenario.seed if seed is None else int(seed)
        self.rng = Streams(self.seed)
        self.env = Engine(initial_time=0.0)
        self.origin = pd.Timestamp(scenario.calendar.start)
        self.horizon = float(scenario.calendar.years) * 365.25
        self.rec = LogBuilder(origin=self.origin)
        # emit(event_type, /, at=None, **fields): record one event (at ``at`` days, default now); links are object
        # ids, None links are dropped
        self.emit: Callable[..., None] = self.rec.emitter(self.env)
        self.org: Organisation = build_organisation(scenario, self.params, self.rng.generator("organisation"))
        self.org.to_log(self.rec)
        n = self.org.n
        self.busy = np.zeros(n, dtype=bool)
        self.gone = np.zeros(n, dtype=bool)
        self.registered = np.zeros(n, dtype=bool)
        self.suspected_at = np.full(n, np.inf)
        self.exit_controlled = np.zeros(n, dtype=bool)
        self.investigated = np.zeros(n, dtype=bool)
        self.removed = np.zeros(n, dtype=bool)  # under investigation or sanctioned: no more trips
        self.kept: set[int] = set()  # documents kept past their deadline that nobody has asked for yet
        self.late_docs: set[int] = set()  # documents not handed in on time after the last return
        self.last_denial: dict[str, str] = {}
        self.alerted = np.zeros(n, dtype=bool)
        self.spouse_abroad = self.org.spouse_abroad.copy()
        self.risk = self.org.risk.copy()
        self.funds = self.org.funds.copy()
        self.private_doc = np.full(n, -1, dtype=np.int64)
        self.public_doc = np.full(n, -1, dtype=np.int64)
        self.hk_doc = np.full(n, -1, dtype=np.int64)  # two-way HK/Macao permit (往来港澳通行证)
        self.residency_doc = np.full(n, -1, dtype=np.int64)  # residency documents of 3.5.a held
        self.shared_at = np.full(n, np.inf)  # when a suspicion reached the networked database (4.4.c)
        self.refused = np.zeros(n, dtype=bool)  # has refused to hand a document in before (4.3.g)
        self.uploaded: set[int] = set()  # public documents whose issuance data the FAO uploaded (4.4.d)
        self.non_returns: Counter[tuple[int, int]] = Counter()  # (unit, year) -> non-returns declared
        self.docs = Documents()
        self.trip_failures: dict[str, list[str]] = {}
        self.cases: dict[str, dict[str, bool]] = {}
        self.case_start: dict[str, float] = {}
        self.pursued: set[str] = set()
        self.approver_of: dict[str, str] = {}  # trips reviewed and awaiting the approval itself
        self._publicity: deque[float] = deque()
        self._ids: dict[str, int] = {}
        self._desks: dict[int, ApprovalDesk] = {}
        self._case_desks: dict[int, simpy.Resource] = {}
        self._deciders: dict[int, Decider] = {}
        self._cids = [str(cid) for cid in self.org.cadre_ids]
        self._index = {cid: i for i, cid in enumerate(self._cids)}
        self.cid: Callable[[int], str] = self._cids.__getitem__  # cadre index -> cadre id
        uids = [str(u) for u in self.org.unit_ids]
        self.uid: Callable[[int], str] = uids.__getitem__  # unit index -> unit id
        units = self.org.unit.tolist()
        self._unit_ids_of = [uids[u] for u in units]
        self.unit_of: Callable[[int], str] = self._unit_ids_of.__getitem__  # cadre index -> its unit's id
        self._agencies: dict[str, list[str]] = {}  # kind -> the agency serving each cadre's unit
        for kind in {k for k, _ in self.org.agency_ids}:
            by_unit = [self.org.agency(kind, u) for u in range(self.org.n_units)]
            self._agencies[kind] = [by_unit[u] for u in units]
        self._started = False
        # the scenario is immutable: look its controls and propensities up once
        self._level = {n: (c.level if c.on else 0.0) for n, c in scenario.controls}
        self._base = {k: v for k, v in scenario.behaviour if isinstance(v, float)}
        self._coef = scenario.behaviour.coefficients
        self._chances: dict[tuple[Any, ...], float] = {}  # propensities by situation (see act)
        self._periods: dict[int, list[float]] = {}  # calendar-period boundaries by period length

    # -- time ---------------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def date(self, day: float) -> pd.Timestamp:
        return self.origin + pd.Timedelta(days=float(day))

    def day(self, date: Any) -> float:
        return float((pd.Timestamp(date) - self.origin) / pd.Timedelta(days=1))

    def wait_until(self, day: float) -> simpy.Timeout:
        return self.env.timeout(max(0.0, day - self.env.now))

    # -- recording ----------------------------------------------------------------------------------
    def after(self, delay: float, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Call ``fn(*args, **kwargs)`` ``delay`` days from now: a single delayed step (a record, a hand-over)
        needs no process of its own."""
        self.env.timeout(delay).callbacks.append(lambda _: fn(*args, **kwargs))

    @property
    def counts(self) -> Counter[str]:
        """Events recorded so far, by type."""
        return Counter(self.rec.counts())

    def new_id(self, prefix: str) -> str:
        n = self._ids.get(prefix, 0)
        self._ids[prefix] = n + 1
        return f"{prefix}{n}"

    def agency(self, kind: str, c: int) -> str:
        """The agency of ``kind`` serving cadre c's unit."""
        return self._agencies[kind][c]

    def new_trip(self, c: int, kind: str, destinations: str | None = None) -> str:
        tid = self.new_id("t")
        drawn = self.destination()  # drawn always, so the stream stays aligned
        self.rec.add_object("trip", tid, kind=kind, destinations=destinations or drawn)
        return tid

    def new_case(self, *, crime: bool = False, serious: bool = False, security: bool = False) -> str:
        kid = self.new_id("k")
        typical = bool(self.rng["cases"].random() < self.sc.enforcement.typical_share)
        attrs = {"serious_adverse_effect": serious, "national_security_harm": security,
                 "suspected_crime": crime, "typical": typical}
        self.cases[kid] = attrs
        self.case_start[kid] = self.env.now
        self.rec.add_object("case", kid, **attrs)
        return kid

    def case_serious(self, case: str) -> bool:
        a = self.cases[case]
        return a["serious_adverse_effect"] or a["national_security_harm"]

    def new_document(self, c: int, doc_type: str, place: str = "holder", provenance: str = "issued") -> int:
        """A document held by cadre c; an issued one becomes his document of its kind (a forged, altered or
        bought one is his only while he uses it)."""
        d = self.docs.add(c, doc_type.startswith("public"), place)
        self.rec.add_object("document", self.docs.ids[d], doc_type=doc_type, provenance=provenance)
        if provenance != "issued":
            return d
        if doc_type.startswith("public"):
            self.public_doc[c] = d
        elif doc_type == "hk_macao_two_way_permit":
            self.hk_doc[c] = d
        elif doc_type in ("private_passport", "taiwan_permit"):
            self.private_doc[c] = d
        else:
            self.residency_doc[c] = d
        return d

    def destination(self) -> str:
        return DESTINATIONS[self.rng["trips"].integers(len(DESTINATIONS))]

    def port(self) -> str:
        return PORTS[self.rng["border"].integers(len(PORTS))]

    # -- controls and behaviour ---------------------------------------------------------------------
    def control(self, name: str) -> bool:
        """Whether control ``name`` operates on this occasion (drawn from the control's own stream)."""
        level = self._level[name]
        if level >= 1.0:
            return True
        if level <= 0.0:
            return False
        return self.rng.control(name).random() < level

    def strength(self, *names: str) -> float:
        """Perceived strength of controls: the product of on × level."""
        s = 1.0
        for name in names:
            s *= self._level[name]
        return s

    def set_decider(self, cadre: str | int, fn: Decider | None) -> None:
        """Let ``fn(decision, context) -> bool`` take the decisions of one cadre (None removes it).

        ``decision`` is one of :data:`simlib.model.behaviour.DECISIONS` (True: the cadre does it); ``context``
        has the cadre id, the day and date, the probability the model would have used, and the trip,
        delegation or document concerned where there is one."""
        c = self._index[cadre] if isinstance(cadre, str) else int(cadre)
        if fn is None:
            self._deciders.pop(c, None)
        else:
            self._deciders[c] = fn

    def decide(self, c: int, decision: str, p: float, **context: Any) -> bool:
        """The cadre's choice: the external decider's answer if one is set, else a draw with probability p."""
        fn = self._deciders.get(c)
        if fn is not None:
            return bool(fn(decision, {"cadre": self.cid(c), "day": self.env.now, "date": self.date(self.env.now),
                                      "probability": p, **context}))
        if p <= 0.0:
            return False
        return bool(self.rng["behaviour"].random() < p)

    def propensity(self, c: int, act: str, *, detection: tuple[str, ...] = (), educated: bool = False,
                   factor: float = 1.0, opportunity: bool = True) -> float:
        """Probability of a behaviour act for cadre c, from :func:`behaviour.choice`."""
        base = self._base[act]
        if base <= 0.0 or not opportunity:
            return 0.0
        return behaviour.choice(base, self._coef, detection=self.strength(*detection),
                                sanction=self._level["sanctions"], educated=educated,
                                publicised=self.publicised(), factor=factor)

    def act(self, c: int, act: str, *, detection: tuple[str, ...] = (), educated: bool = False,
            factor: float = 1.0, opportunity: bool = True, **context: Any) -> bool:
        """Decide whether cadre c commits ``act`` (a behaviour field) now."""
        if self._deciders:
            p = self.propensity(c, act, detection=detection, educated=educated, factor=factor,
                                opportunity=opportunity)
            return self.decide(c, act, p, **context)
        if self._base[act] <= 0.0 or not opportunity:
            return False  # nothing to decide (and no draw)
        # the propensity depends on the situation only, and situations recur: compute each one once
        key = (act, detection, educated, factor, self.publicised())
        p = self._chances.get(key)
        if p is None:
            p = self._chances[key] = self.propensity(c, act, detection=detection, educated=educated,
                                                     factor=factor)
        return p > 0.0 and self.rng["behaviour"].random() < p

    def publicised(self) -> float:
        """Typical cases publicised in the last 365 days (a deterrent)."""
        since = self.env.now - 365.0
        while self._publicity and self._publicity[0] < since:
            self._publicity.popleft()
        return float(len(self._publicity))

    def note_publicity(self) -> None:
        self._publicity.append(self.env.now)

    def fail(self, trip: str, what: str) -> None:
        """Remember a management failure on a trip (for 4.3.h accountability if the cadre does not return)."""
        self.trip_failures.setdefault(trip, []).append(what)

    # -- information and flags ----------------------------------------------------------------------
    def engaged(self, *cadres: int) -> Engagement:
        """``with m.engaged(c, …) as trip:`` — these cadres are busy with a trip until released."""
        return Engagement(self, cadres)

    def available(self, c: np.ndarray) -> np.ndarray:
        """Which of the cadres ``c`` (an index array) are free to travel: not busy, gone, removed or retired."""
        return ~(self.busy[c] | self.gone[c] | self.removed[c] | self.org.retired[c])

    # -- resources ----------------------------------------------------------------------------------
    def desk(self, body: int) -> ApprovalDesk:
        d = self._desks.get(body)
        if d is None:
            a = self.sc.approval
            managed = int((self.org.authority == body).sum() + (self.org.unit == body).sum())
            reviewers = max(a.capacity, -(-managed // a.cadres_per_reviewer))
            d = ApprovalDesk(self.env, reviewers, a.review_days_mean, self.rng["approval"])
            self._desks[body] = d
        return d

    def desks(self) -> dict[int, ApprovalDesk]:
        """The approval desks opened so far, by the body (unit index) that approves at each."""
        return dict(self._desks)

    def case_desk(self, c: int) -> simpy.Resource:
        prov = int(self.org.unit_province[self.org.unit[c]])
        r = self._case_desks.get(prov)
        if r is None:
            r = self._case_desks[prov] = simpy.Resource(self.env, capacity=self.sc.enforcement.case_capacity)
        return r

    def next_training(self) -> float:
        """Days until the next centralised pre-departure training session (sessions are batched)."""
        k = self.sc.approval.training_interval_days
        return (math.floor(self.env.now / k) + 1.0) * k - self.env.now

    def periods(self, months: int, until: float) -> list[float]:
        """Days on which calendar periods of ``months`` months begin (quarters: 1 January, 1 April …), from
        the period holding the start to the first beginning after day ``until``."""
        days = self._periods.get(months)
        if days is None:
            o = self.origin
            days = self._periods[months] = [self.day(pd.Timestamp(year=o.year, day=1,
                                                                  month=(o.month - 1) // months * months + 1))]
        while days[-1] <= until:
            days.append(self.day(self.date(days[-1]) + pd.DateOffset(months=months)))
        return days

    def hire(self, units: np.ndarray, party: np.ndarray, risk: np.ndarray) -> range:
        """New cadres, one in each of ``units`` (``Organisation.hire``), declared in the log now; every per-cadre
        array of the model grows with the state of a cadre just hired (:data:`HIRED`). Returns their indices."""
        n = self.org.n
        rows = self.org.hire(units, party, risk)
        self.org.cadres_to_log(self.rec, rows)
        k = len(units)
        for name, value in list(vars(self).items()):
            if not (isinstance(value, np.ndarray) and len(value) == n):
                continue
            if name not in HIRED:
                raise RuntimeError(f"Model.{name} is per cadre but has no value for a cadre just hired: add it to "
                                   "simlib.model.world.HIRED")
            fresh = getattr(self.org, name)[rows] if HIRED[name] is None else np.full(k, HIRED[name], value.dtype)
            setattr(self, name, np.concatenate([value, fresh]))
        for c in range(n, n + k):
            self._cids.append(str(self.org.cadre_ids[c]))
            self._index[self._cids[c]] = c
            u = int(self.org.unit[c])
            self._unit_ids_of.append(self.uid(u))
            for kind, agencies in self._agencies.items():
                agencies.append(self.org.agency(kind, u))
        return range(n, n + k)

    # -- running ------------------------------------------------------------------------------------
    def start(self) -> None:
        if not self._started:
            from simlib.model.processes import start_all

            start_all(self)
            self._started = True

    def run(self, until: float | None = None) -> Model:
        """Advance to day ``until`` (default: the horizon). May be called repeatedly."""
        self.start()
        target = self.horizon if until is None else min(float(until), self.horizon)
        if target > self.env.now:
            with fewer_collections():
                self.env.run(until=target)
        return self

    def step_until(self, when: Any) -> Model:
        """Advance to day ``when`` (days since the start) or to a calendar date (``"2006-03-01"``)."""
        day = float(when) if isinstance(when, int | float) else self.day(when)
        return self.run(until=day)

    def log(self, source: str | None = None, release: bool = False) -> EventLog:
        """The event log so far (objects declared, events up to now).

        ``release``: the last log of this model (a run to its end, then audited) — the recorded rows are freed
        as the log's tables are made, which lowers the peak memory by about a tenth; the model keeps its counts
        but cannot make another log."""
        with fewer_collections():  # building allocates many objects that are kept: nothing to collect
            return self.rec.build(end=self.env.now, source=source or f"{self.sc.name} seed {self.seed}",
                                  release=release)
