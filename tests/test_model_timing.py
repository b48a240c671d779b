"""The scenario's timing section drives the process bodies, and a trip engages its cadres exactly from the
application until the trip lets them go (``Model.engaged``)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib.i18n import has, t
from simlib.log.eventlog import EventLog
from simlib.model import Model
from simlib.model.world import Engagement
from simlib.scenario import find_scenario, iter_params, load_scenario
from simlib.scenario.schema import Scenario, Timing

EPS = 1e-6  # days: just before / just after an event


def small(**overrides: object) -> Scenario:
    return load_scenario(find_scenario("training/small"), {"calendar.years": 1.5, **overrides})


def run(sc: Scenario, seed: int = 3) -> tuple[Model, EventLog]:
    m = Model(sc, seed=seed).run()
    return m, m.log()


def days(td: pd.Series) -> np.ndarray:
    return (td / pd.Timedelta(days=1)).to_numpy()


# -- the section --------------------------------------------------------------------------------------------
def test_every_timing_field_has_unit_range_source_and_both_languages() -> None:
    fields = [p for p in iter_params(Scenario) if p.path.startswith("timing.")]
    assert len(fields) == len(Timing.model_fields) > 50
    for p in fields:
        assert p.unit and p.range is not None and p.range[0] is not None and p.range[1] is not None, p.path
        assert p.range[0] <= p.default <= p.range[1], p.path
        assert p.source.startswith(("assumption", "notice")), p.path
        key = f"scn.{p.path}"
        assert has(key) and t(key, "zh") and t(key, "en") and t(key, "zh") != t(key, "en"), key


def test_timing_is_validated_like_every_section() -> None:
    with pytest.raises(ValueError, match="solo_activity_days"):
        load_scenario(find_scenario("training/small"), {"timing.solo_activity_days": -1.0})


# -- timing fields move the log -----------------------------------------------------------------------------
def test_solo_activity_days_sets_the_length_of_a_solo_activity() -> None:
    for length in (0.3, 2.5):
        _, log = run(small(**{"behaviour.solo_activity": 0.8, "timing.solo_activity_days": length}))
        solo = log.tables["SoloActivity"]
        assert len(solo) > 10
        np.testing.assert_allclose(days(solo["end"] - solo["time"]), length, atol=2e-8)  # ms resolution


def test_public_lead_min_days_is_the_shortest_public_lead_time() -> None:
    leads = {}
    for lead in (14.0, 30.0):
        _, log = run(small(**{"timing.public_lead_min_days": lead}))
        asked = log.tables["TripRequested"]
        public = asked[asked["delegation"].notna()]
        leads[lead] = days(public["plan_depart"] - public["time"])
        assert len(public) > 20 and leads[lead].min() >= lead - 1e-6
    assert leads[14.0].min() < 30.0  # the minimum binds (the mean lead stays trips.lead_days_mean)


# -- engagement -----------------------------------------------------------------------------------------------
def test_engagement_releases_each_cadre_once_and_keeps_those_kept() -> None:
    busy = np.zeros(5, dtype=bool)
    with Engagement(SimpleNamespace(busy=busy), [0, 1, 2, 3]) as e:
        assert busy.tolist() == [True, True, True, True, False]
        e.release(1)
        e.keep(3)
        assert busy.tolist() == [True, False, True, True, False]
        with pytest.raises(ValueError):
            e.release(1)  # already released
    assert busy.tolist() == [False, False, False, True, False]


def test_an_unfinished_trip_closed_by_the_garbage_collector_releases_nobody() -> None:
    busy = np.zeros(2, dtype=bool)

    def trip() -> object:
        with Engagement(SimpleNamespace(busy=busy), [0, 1]):
            yield "abroad"

    g = trip()
    next(g)
    g.close()  # what closing a suspended SimPy process does
    assert busy.all()


def _busy_around(sc: Scenario, day: float, c: int) -> tuple[bool, bool]:
    m = Model(sc, seed=3).run(until=day - EPS)
    before = bool(m.busy[c])
    m.run(until=day + EPS)
    return before, bool(m.busy[c])


def _index(m: Model, cadre: str) -> int:
    return [m.cid(i) for i in range(m.org.n)].index(cadre)


def test_a_cadre_refused_approval_is_free_at_once() -> None:
    sc = small(**{"organisation.exit_banned_share": 0.3})
    m, log = run(sc)
    kinds = log.objects["trip"].set_index("object_id")["kind"]
    denied = log.tables["TripDenied"]
    denied = denied[denied["trip"].map(kinds).eq("private")].sort_values("time")
    assert len(denied) >= 3
    for _, row in denied.head(3).iterrows():
        day = m.day(row["time"])
        assert _busy_around(sc, day, _index(m, row["cadre"])) == (True, False), row.to_dict()


def test_a_returning_member_is_free_on_entry_and_one_who_stays_abroad_never() -> None:
    sc = small(**{"behaviour.non_return_public": 1.0, "behaviour.non_return_private": 0.0})
    m, log = run(sc)
    stayed = log.tables["Abscond"]["cadre"].tolist() + log.tables.get("Defection", pd.DataFrame(
        columns=["cadre"]))["cadre"].tolist()
    assert stayed
    for cadre in stayed:
        c = _index(m, cadre)
        assert m.gone[c] and m.busy[c], cadre  # not released: the engagement kept him
    entries = log.tables["Entry"]
    trips = log.tables["TripRequested"].set_index("trip")["delegation"]
    public = entries[entries["trip"].map(trips).notna()].sort_values("time")
    assert len(public) >= 3
    for _, row in public.head(3).iterrows():
        assert _busy_around(sc, m.day(row["time"]), _index(m, row["cadre"])) == (True, False), row.to_dict()
