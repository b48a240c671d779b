"""Timed object attributes (OCEL 2.0): a cadre promoted, transferred, retired — recorded, validated, looked up
at any time, and carried by every log format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from simlib.errors import InputError
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog, assert_same_log
from simlib.log.io import read_log, write_log
from simlib.log.normalise import normalise
from simlib.log.ocel import from_ocel, to_ocel
from simlib.log.vocabulary import OBJECTS

ORIGIN = "2005-01-01"


def _builder() -> LogBuilder:
    b = LogBuilder(origin=ORIGIN)
    b.add_object("unit", "u1", level="county")
    b.add_object("unit", "u2", level="prefecture", parent="u1")
    b.add_object("cadre", "c1", unit="u1", rank="deputy_division", is_party_member=True, employment="in_service",
                 key_post="")
    b.add_object("cadre", "c2", unit="u2", rank="bureau", is_party_member=True, employment="in_service")
    b.add_event("CategoryEntered", 40.0, cadre="c1", category="county_plus")
    return b


def career() -> EventLog:
    """c1 is promoted into 县处级 and transferred on day 40, moves into a key post on day 100; c2 retires."""
    b = _builder()
    b.change("cadre", "c1", 40.0, rank="division", unit="u2")
    b.change("cadre", "c1", "2005-04-11", key_post="finance")
    b.change("cadre", "c2", 200.5, employment="retired")
    return b.build(end=365)


def test_changes_are_recorded_one_row_per_attribute_in_time_order() -> None:
    log = career()
    ch = log.changes["cadre"]
    assert list(ch.columns[:3]) == ["object_id", "time", "field"]
    assert list(ch["field"]) == ["rank", "unit", "key_post", "employment"]
    assert list(ch["time"]) == [pd.Timestamp("2005-02-10")] * 2 + [pd.Timestamp("2005-04-11"),
                                                                   pd.Timestamp("2005-07-20 12:00")]
    assert ch.loc[0, "rank"] == "division" and pd.isna(ch.loc[0, "unit"])  # only the changed attribute is set
    assert log.objects["cadre"].set_index("object_id").loc["c1", "rank"] == "deputy_division"  # at creation
    assert log.n_changes == 4 and list(log.changes) == ["cadre"]


def test_value_at_gives_the_value_in_force() -> None:
    log = career()
    times = pd.to_datetime(["2005-01-01 00:00", "2005-02-09 23:59", "2005-02-10 00:00", "2006-01-01 00:00",
                            "2005-03-01 00:00"])
    rank = log.value_at("cadre", "rank", ["c1", "c1", "c1", "c1", "c2"], times)
    assert list(rank) == ["deputy_division", "deputy_division", "division", "division", "bureau"]
    assert isinstance(rank.dtype, pd.CategoricalDtype)
    ids = pd.Series(["c2", "c2", "nobody"], index=[7, 8, 9])
    employment = log.value_at("cadre", "employment", ids, ["2005-07-20", "2005-07-21", "2005-07-21"])
    assert list(employment.index) == [7, 8, 9]
    assert employment.iloc[:2].tolist() == ["in_service", "retired"] and pd.isna(employment.iloc[2])
    assert log.value_at("cadre", "unit", "c1", ["2005-02-01", "2005-02-11"]).tolist() == ["u1", "u2"]
    assert log.value_at("cadre", "is_party_member", ["c1"], ["2005-12-01"]).tolist() == [True]  # never changes


def test_a_log_without_changes_has_none() -> None:
    log = _builder().build(end=365)
    assert log.changes == {} and log.n_changes == 0
    assert len(log.changes_of("cadre")) == 0 and "rank" in log.changes_of("cadre")


def test_assert_same_log_compares_changes() -> None:
    other = _builder()
    other.change("cadre", "c1", 41.0, rank="division", unit="u2")  # a day later
    other.change("cadre", "c1", "2005-04-11", key_post="finance")
    other.change("cadre", "c2", 200.5, employment="retired")
    with pytest.raises(AssertionError, match="changes cadre"):
        assert_same_log(career(), other.build(end=365))
    with pytest.raises(AssertionError, match="changes of these object types"):
        assert_same_log(career(), _builder().build(end=365))


@pytest.mark.parametrize("name", ["log.jsonocel", "log.parquet", "log.csv"])
def test_every_format_carries_changes(tmp_path: Path, name: str) -> None:
    log = career()
    back = read_log(write_log(log, tmp_path / name))
    assert back.n_changes == 4
    assert_same_log(log, back)


def test_logs_without_changes_are_written_as_before(tmp_path: Path) -> None:
    """No changes: no changes table in Parquet, no time column in the CSV objects, epoch times only in OCEL."""
    log = _builder().build(end=365)
    write_log(log, tmp_path / "log.parquet")
    manifest = json.loads((tmp_path / "log.parquet" / "manifest.json").read_text(encoding="utf-8"))
    assert "changes" not in manifest and not (tmp_path / "log.parquet" / "changes").exists()
    write_log(log, tmp_path / "log.csv")
    header = (tmp_path / "log.objects.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("object_id,type,unit")
    times = {a["time"] for ob in to_ocel(log)["objects"] for a in ob["attributes"]}
    assert times == {"1970-01-01T00:00:00Z"}


def test_csv_change_rows_have_a_time(tmp_path: Path) -> None:
    write_log(career(), tmp_path / "log.csv")
    lines = (tmp_path / "log.objects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("object_id,type,time,unit,rank")
    assert any(line.startswith("c1,cadre,2005-02-10 00:00:00,,division,") for line in lines)
    assert any(line.startswith("c1,cadre,2005-02-10 00:00:00,u2,,") for line in lines)


def test_absorb_prefixes_changed_ids() -> None:
    b = LogBuilder(origin=ORIGIN)
    b.absorb(_builder_with_transfer(), "r1/")
    ch = b.build(end=365).changes["cadre"]
    assert ch[["object_id", "unit"]].values.tolist() == [["r1/c1", "r1/u2"]]


def _builder_with_transfer() -> LogBuilder:
    b = _builder()
    b.change("cadre", "c1", 40.0, unit="u2")
    return b


def _bad(**change: object) -> str:
    b = _builder()
    oid = change.pop("oid", "c1")
    otype = change.pop("otype", "cadre")
    b.change(str(otype), str(oid), change.pop("at", 10.0), **change)
    with pytest.raises(InputError) as err:
        b.build(end=365)
    return str(err.value)


def test_normalise_rejects_bad_changes() -> None:
    assert "unknown cadre 'c9'" in _bad(oid="c9", rank="division")
    assert "'is_party_member' does not change over time" in _bad(is_party_member=False)
    assert "after the end of the log" in _bad(at=400.0, rank="division")
    assert "after 1970-01-01" in _bad(at="1970-01-01", rank="division")
    assert "'is_leading_cadre' changes but has no value at creation" in _bad(is_leading_cadre=True)
    assert "value 'general' is not allowed" in _bad(rank="general")
    assert "unknown field 'rnak'" in _bad(rnak="division")
    b = _builder()
    b.change("cadre", "c1", 10.0, rank="division")
    b.change("cadre", "c1", 10.0, rank="bureau")
    with pytest.raises(InputError, match="two changes at 2005-01-11"):
        b.build(end=365)


def test_a_raw_change_row_sets_only_its_field() -> None:
    objects = {"cadre": {"object_id": ["c1"], "unit": ["u"], "rank": ["division"], "is_party_member": [True]}}
    changes = {"cadre": {"object_id": ["c1"], "time": ["2005-02-01"], "field": ["rank"], "rank": ["bureau"],
                         "unit": ["u2"]}}
    with pytest.raises(InputError, match="a change of 'rank' also sets 'unit'"):
        normalise({}, objects, end="2005-12-31", changes=changes)
    changes["cadre"]["unit"] = [None]
    changes["cadre"]["rank"] = [None]
    with pytest.raises(InputError, match="the change of 'rank' gives no value"):
        normalise({}, objects, end="2005-12-31", changes=changes)


def test_ocel_values_repeated_or_timed_as_pm4py_writes_them() -> None:
    """pm4py repeats values, times a static value again, and may give no epoch value: all read as one fact."""
    attrs = [
        {"name": "level", "time": "1970-01-01T00:00:00Z", "value": "county"},
        {"name": "level", "time": "1970-01-01T00:00:00Z", "value": "county"},  # repeated
        {"name": "level", "time": "2005-03-01T00:00:00Z", "value": "county"},  # a static value written again
    ]
    cadre = [
        {"name": "unit", "time": "2005-01-01T00:00:00+08:00", "value": "u"},  # no epoch value: the first one
        {"name": "rank", "time": "1970-01-01T00:00:00Z", "value": "division"},
        {"name": "rank", "time": "2005-06-01T00:00:00+08:00", "value": "bureau"},
        {"name": "rank", "time": "2005-06-01T00:00:00+08:00", "value": "bureau"},
        {"name": "is_party_member", "time": "1970-01-01T00:00:00Z", "value": True},
    ]
    doc = {"objectTypes": [], "eventTypes": [], "events": [],
           "objects": [{"id": "u", "type": "unit", "attributes": attrs},
                       {"id": "c", "type": "cadre", "attributes": cadre}]}
    log = from_ocel(doc)
    assert log.objects["unit"]["level"].tolist() == ["county"]
    assert log.objects["cadre"][["unit", "rank"]].values.tolist() == [["u", "division"]]
    ch = log.changes["cadre"]
    assert ch[["field", "rank"]].values.tolist() == [["rank", "bureau"]]
    attrs.append({"name": "level", "time": "2006-01-01T00:00:00Z", "value": "central"})
    with pytest.raises(InputError, match="'level' has a second value 'central'"):
        from_ocel(doc)


def test_every_cadre_career_attribute_is_timed() -> None:
    """The issue's facts: promotion (rank), key posts, the registration category's inputs, retirement."""
    timed = {a.name for a in OBJECTS["cadre"].timed_attrs}
    assert {"rank", "key_post", "employment", "unit", "is_leading_cadre", "security_sensitive"} <= timed
    assert "is_party_member" not in timed


@pytest.fixture(scope="module")
def simulated() -> EventLog:
    """A simulated baseline log of a small world: careers change ranks, posts and employment."""
    from model_worlds import tiny

    from simlib.model import Model

    return Model(tiny(cadres=300, years=3), seed=1).run().log()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".sqlite", ".xmlocel"])
def test_a_simulated_log_with_careers_round_trips_through_every_form(simulated: EventLog, suffix: str,
                                                                   tmp_path: Path) -> None:
    ch = simulated.changes["cadre"]
    assert (ch.loc[ch["field"] == "key_post", "key_post"] == "").any()  # a cadre leaves a key post (empty text)
    path = write_log(simulated, tmp_path / f"log{suffix}")
    assert_same_log(read_log(path), simulated)
