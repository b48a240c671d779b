"""LogBuilder: rows buffered per signature (type and fields given) come out as the same tables a row-by-row
builder would make — aligned columns, ids in recording order, None as not given, times from day numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib.errors import InputError
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import assert_same_log

ORIGIN = "2005-01-01"


def declared(origin: str | None = ORIGIN) -> LogBuilder:
    b = LogBuilder(origin=origin)
    b.add_object("unit", "u1", level="county")
    for cid in ("wang", "li"):
        b.add_object("cadre", cid, unit="u1", rank="division", is_party_member=True)
    for tid in ("t1", "t2"):
        b.add_object("trip", tid, kind="private")
    for doc in ("p1", "p2"):
        b.add_object("document", doc, doc_type="private_passport")
    return b


def test_one_type_given_with_different_fields_in_different_orders_lines_up() -> None:
    b = declared()
    b.add_event("DocSurrendered", 1.0, document="p1", cadre="wang", recipient="u1", custodian="li", trip="t1")
    b.add_event("Entry", 1.25, trip="t2", cadre="li", document="p2", port="PEK")
    b.add_event("DocSurrendered", 2.5, trip="t2", cadre="li", document="p2", recipient="u1")
    b.add_event("DocSurrendered", 3.0, document="p1", cadre="wang", recipient="u1", custodian=None, trip=None)
    log = b.build()
    t = log.table("DocSurrendered").set_index("event_id")
    assert list(t.index) == ["e0", "e2", "e3"]  # numbered in the order recorded, across types
    assert t.loc["e0", ["document", "cadre", "custodian", "trip"]].tolist() == ["p1", "wang", "li", "t1"]
    assert t.loc["e2", ["document", "cadre", "trip"]].tolist() == ["p2", "li", "t2"]
    assert pd.isna(t.loc["e2", "custodian"]) and pd.isna(t.loc["e3", "custodian"]) and pd.isna(t.loc["e3", "trip"])
    assert t.loc["e2", "time"] == pd.Timestamp("2005-01-03 12:00")
    assert log.table("Entry")["event_id"].tolist() == ["e1"]
    assert b.counts() == {"DocSurrendered": 3, "Entry": 1}


def test_a_datetime_given_with_an_origin_is_placed_like_its_day_number() -> None:
    by_day, by_date = declared(), declared()
    by_day.add_event("Entry", 10.0, trip="t1", cadre="wang", document="p1", port="PEK")
    by_date.add_event("Entry", pd.Timestamp("2005-01-11"), trip="t1", cadre="wang", document="p1", port="PEK")
    assert_same_log(by_day.build(end=20.0), by_date.build(end=20.0))


def test_a_field_given_only_as_none_counts_as_not_given_and_others_are_still_checked() -> None:
    b = declared()
    b.add_event("Entry", 1.0, trip="t1", cadre="wang", document=None, port="PEK")
    assert b.build().table("Entry")["document"].isna().all()
    b.add_event("Entry", 2.0, trip="t1", cadre="wang", passport_colour="red")
    with pytest.raises(InputError, match="passport_colour"):
        b.build()


def test_objects_declared_at_once_equal_objects_declared_one_by_one() -> None:
    one, bulk = LogBuilder(), LogBuilder()
    for b in (one, bulk):
        b.add_object("unit", "u1", level="county")
    rows = [("wang", "division", True, ""), ("li", "section_or_below", False, "finance")]
    for cid, rank, party, post in rows:
        one.add_object("cadre", cid, unit="u1", rank=rank, is_party_member=party, key_post=post)
    bulk.add_objects("cadre", [r[0] for r in rows], unit=["u1", "u1"], rank=[r[1] for r in rows],
                     is_party_member=[r[2] for r in rows], key_post=[r[3] for r in rows])
    assert_same_log(one.build(end="2005-12-31"), bulk.build(end="2005-12-31"))


def test_building_again_after_more_events_keeps_the_earlier_ones() -> None:
    b = declared()
    b.add_event("Entry", 1.0, trip="t1", cadre="wang", port="PEK")
    first = b.build()
    b.add_event("Entry", 2.0, trip="t2", cadre="li", port="SZX")
    second = b.build()
    assert first.n_events == 1 and second.n_events == 2
    pd.testing.assert_frame_equal(first.table("Entry"), second.table("Entry").iloc[:1])


def test_members_are_one_row_per_member_of_the_event() -> None:
    b = declared()
    b.add_object("delegation", "g1", dispatching_unit="u1")
    b.add_event("Entry", 1.0, trip="t1", cadre="wang", port="PEK")
    b.add_event("DelegationFormed", 2.0, delegation="g1", leader="wang", member=["wang", "li"])
    log = b.build()
    assert log.links("DelegationFormed", "member").values.tolist() == [["e1", "li"], ["e1", "wang"]]
    assert "member" not in log.table("DelegationFormed")


def test_absorbing_a_builder_prefixes_every_object_id_and_numbers_its_events_on() -> None:
    b, other = declared(), declared()
    b.add_object("unit", "top", level="provincial", parent="")
    b.add_event("Entry", 1.0, trip="t1", cadre="wang", port="PEK")
    other.add_object("unit", "top", level="provincial", parent="")
    other.add_objects("unit", ["u2"], level=["county"], parent=["top"])
    other.add_object("delegation", "g1", dispatching_unit="u1")
    other.add_event("DelegationFormed", 2.0, delegation="g1", leader="wang", member=["wang", "li"])
    other.add_event("Entry", 3.0, trip="t2", cadre="li", document=None, port="SZX")
    b.absorb(other, prefix="r1/")
    assert b.n_events == 3
    log = b.build()
    units = log.objects_of("unit").set_index("object_id")["parent"].fillna("not given")
    assert units.to_dict() == {"u1": "not given", "r1/u1": "not given", "top": "", "r1/top": "", "r1/u2": "r1/top"}
    assert log.objects_of("cadre").set_index("object_id")["unit"].to_dict() == {
        "wang": "u1", "li": "u1", "r1/wang": "r1/u1", "r1/li": "r1/u1"}
    assert log.objects_of("delegation")["dispatching_unit"].tolist() == ["r1/u1"]
    entry = log.table("Entry").set_index("event_id")
    assert entry.loc["e2", ["trip", "cadre"]].tolist() == ["r1/t2", "r1/li"] and pd.isna(entry.loc["e2", "document"])
    assert log.table("DelegationFormed")[["event_id", "leader"]].values.tolist() == [["e1", "r1/wang"]]
    assert log.links("DelegationFormed", "member").values.tolist() == [["e1", "r1/li"], ["e1", "r1/wang"]]


def test_only_a_builder_counting_days_from_the_same_origin_can_be_absorbed() -> None:
    with pytest.raises(ValueError, match="origin"):
        declared().absorb(declared(origin="2006-01-01"), prefix="r1/")
