"""The model: organisation, streams, behaviour, determinism, stepping and the external decider."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_worlds import tiny

from simlib.audit.context import AuditContext
from simlib.errors import InputError
from simlib.log.eventlog import assert_same_log
from simlib.model import Model, Streams
from simlib.model import behaviour as bh
from simlib.model.organisation import read_roster
from simlib.rulebook import rulebook
from simlib.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_run() -> Model:
    return Model(tiny(200, 0.3), seed=7).run()


# -- organisation --------------------------------------------------------------------------------------
def test_organisation_tree_and_cadres(small_run: Model) -> None:
    org = small_run.org
    assert org.n == 200 and org.n_units == 1 + 1 + 1 + 3
    assert org.unit_parent[0] == -1 and (org.unit_parent[1:] >= 0).all()
    assert (org.unit_level[org.unit_parent[1:]] > org.unit_level[1:]).all()
    assert (org.rank[org.unit_level[org.unit] == 0] <= 2).all()  # county units: division level at most
    heads = org.unit_head[org.unit_head >= 0]
    assert org.unit_leader.sum() == len(heads) and org.leading[heads].all()


def test_registration_categories_match_the_auditor(small_run: Model) -> None:
    ctx = AuditContext(small_run.log(), rulebook().params)
    ours = pd.Series(small_run.org.registrable, index=small_run.org.cadre_ids.astype(str))
    assert (ctx.category("registrable").reindex(ours.index) == ours).all()


def test_organisation_is_drawn_from_its_own_stream() -> None:
    a = Model(tiny(), seed=3).org
    b = Model(tiny(**{"controls.private_custody.on": False, "behaviour.overstay": 0.5}), seed=3).org
    assert (a.rank == b.rank).all() and (a.unit == b.unit).all() and (a.funds == b.funds).all()


def test_roster_csv_is_read_and_validated(tmp_path: Path) -> None:
    good = tmp_path / "roster.csv"
    good.write_text("cadre_id,unit,unit_level,unit_parent,rank,is_party_member,is_leading_cadre\n"
                    "p1,top,provincial,,bureau,true,true\n"
                    "p2,city,prefecture,top,division,true,true\n"
                    "p3,city,prefecture,top,section_or_below,false,false\n", encoding="utf-8")
    org = read_roster(good, Scenario(), rulebook().params, np.random.default_rng(0))
    assert org.n == 3 and list(org.unit_ids) == ["top", "city"]
    assert org.unit_ids[org.authority[1]] == "top"  # a division-level cadre is managed one level up
    bad = tmp_path / "bad.csv"
    bad.write_text("cadre_id,unit,unit_level,unit_parent,rank,is_party_member\np1,top,provincial,,colonel,true\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_roster(bad, Scenario(), rulebook().params, np.random.default_rng(0))
    assert err.value.field == "rank" and err.value.line == 2 and "section_or_below" in err.value.fix


def test_roster_runs_through_the_model(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    rows = ["cadre_id,unit,unit_level,unit_parent,rank,is_party_member,is_leading_cadre"]
    rows += [f"x{i},u{i % 3},county,top,section_or_below,true,false" for i in range(30)]
    rows += ["boss,top,prefecture,,bureau,true,true"]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sc = tiny(**{"organisation.roster": str(roster), "calendar.years": 0.5})
    log = Model(sc, seed=1).run().log()
    assert len(log.objects_of("cadre")) == 31 and log.n_events > 0


# -- streams and behaviour --------------------------------------------------------------------------
def test_streams_are_per_purpose_and_reproducible() -> None:
    a, b = Streams(5), Streams(5)
    xs = [a["trips"].random() for _ in range(5)]
    _ = [b["approval"].random() for _ in range(100)]  # other purposes do not disturb a stream
    assert xs == [b["trips"].random() for _ in range(5)]
    assert xs != [Streams(6)["trips"].random() for _ in range(5)]
    assert a.control("custody").random() != Streams(5)["custody"].random()
    assert 0 <= a["cases"].integers(3) < 3 and a["cases"].exponential(2.0) >= 0


def test_behaviour_responds_to_deterrence_education_and_publicity() -> None:
    coef = Scenario().behaviour.coefficients
    assert bh.choice(0.0, coef, detection=0.0) == 0.0
    assert bh.choice(0.1, coef) == pytest.approx(0.1)
    assert bh.choice(0.1, coef, detection=0.0) > bh.choice(0.1, coef, detection=0.5) > bh.choice(0.1, coef)
    assert bh.choice(0.1, coef, educated=True) < 0.1
    assert bh.choice(0.1, coef, publicised=10) < 0.1
    assert bh.choice(0.9, coef, detection=0.0) == 1.0
    assert bh.choice(0.5, coef, opportunity=False) == 0.0
    args = dict(funds=8.0, funds_mean=8.0, spouse_abroad=False, sanction=1.0, publicised=0.0,
                has_document=True)
    assert bh.flight(0.3, coef, exit_control=0.0, **args) > bh.flight(0.3, coef, exit_control=1.0, **args)


# -- determinism, stepping, the decider -----------------------------------------------------------------
def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(path).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def test_same_seed_same_log_byte_for_byte(tmp_path: Path) -> None:
    from simlib.log.io import write_log

    sc = tiny(100, 1.0)
    a, b = Model(sc, seed=4).run().log(), Model(sc, seed=4).run().log()
    assert_same_log(a, b)
    write_log(a, tmp_path / "a.parquet")
    write_log(b, tmp_path / "b.parquet")
    assert _digest(tmp_path / "a.parquet") == _digest(tmp_path / "b.parquet")
    assert not Model(sc, seed=5).run().log().same_as(a)


def test_running_in_steps_equals_running_once() -> None:
    sc = tiny(100, 1.2)
    once = Model(sc, seed=9).run()
    stepped = Model(sc, seed=9)
    stepped.run(until=100)
    mid = stepped.log()
    assert mid.end == stepped.origin + pd.Timedelta(days=100)
    assert (mid.events()["time"] <= mid.end).all()
    stepped.step_until(250)
    stepped.step_until("2005-11-01")
    stepped.run()
    assert_same_log(once.log(), stepped.log())


def test_an_external_decider_takes_one_cadres_decisions() -> None:
    sc = tiny(60, 1.5, **{"trips.public_per_cadre_year": 3.0, "trips.private_per_cadre_year": 1.0})
    probe = Model(sc, seed=1).run().log()
    traveller = probe.table("Exit")["cadre"].value_counts().index[0]
    asked: list[str] = []

    def trainee(decision: str, context: dict) -> bool:
        asked.append(decision)
        assert decision in bh.DECISIONS
        assert context["cadre"] == traveller and 0.0 <= context["probability"] <= 1.0
        return decision in {"keep_public_document", "keep_private_document", "refuse_after_demand"}

    m = Model(sc, seed=1)
    m.set_decider(traveller, trainee)
    log = m.run().log()
    assert "keep_public_document" in asked or "keep_private_document" in asked
    refused = log.table("Refusal")
    assert (refused["cadre"] == traveller).any()
    handed = log.table("DocSurrendered")
    entries = log.table("Entry")
    assert not ((handed["cadre"] == traveller) & (handed["time"] > entries["time"].min())).any()

