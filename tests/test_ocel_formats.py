"""OCEL 2.0 SQLite and XML: typed values, object-to-object relations, the log's end, and bad files (one clear
error naming file, place and fix; read-only; no entity expansion; a size limit)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from test_log_timed import career

from simlib.errors import InputError
from simlib.files import leftover_parts
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog, assert_same_log
from simlib.log.io import read_log, write_log
from simlib.log.limits import MAX_LOG_BYTES_ENV
from simlib.log.ocel import from_ocel, to_ocel
from simlib.log.relations import object_relations
from simlib.log.values import EPOCH


def _problems(err: pytest.ExceptionInfo[InputError]) -> list[InputError]:
    """The problems one error reports (itself when it is the only one)."""
    return list(err.value.problems) or [err.value]


def _org() -> EventLog:
    """Two units, a cadre transferred between them, a delegation: every kind of object relation."""
    b = LogBuilder(origin="2005-01-01")
    b.add_object("unit", "top", level="provincial", parent="")
    b.add_object("unit", "low", level="county", parent="top", is_state_organ=True)
    b.add_object("cadre", "c1", unit="low", rank="division", is_party_member=True, management_authority="top")
    b.add_object("cadre", "idle", unit="low", rank="division", is_party_member=False)  # no event links it
    b.add_object("delegation", "d1", dispatching_unit="top")
    b.add_object("trip", "t1", kind="public_temporary")
    b.add_event("DelegationFormed", 3.0, delegation="d1", leader="c1", member=["c1"])  # leader and member
    b.add_event("AnnualReport", 10.5, unit="low", recipient="top", year_covered=2004, written=True)
    b.add_event("TripApproved", 20.0, trip="t1", cadre="c1", approver="top", approved_return="2005-03-01")
    b.change("cadre", "c1", 30.0, unit="top")
    return b.build(end=400)


def test_object_relations_follow_the_organisation() -> None:
    rel = object_relations(_org())
    assert sorted(map(tuple, rel.values.tolist())) == [
        ("c1", "low", "unit"), ("c1", "top", "management_authority"), ("c1", "top", "unit"),
        ("d1", "top", "dispatching_unit"), ("idle", "low", "unit"), ("low", "top", "parent")]


@pytest.mark.parametrize("name", ["log.sqlite", "log.xmlocel", "log.jsonocel"])
def test_round_trip_keeps_relations_changes_end_and_unlinked_objects(tmp_path: Path, name: str) -> None:
    log = _org()
    back = read_log(write_log(log, tmp_path / name))
    assert_same_log(log, back)
    assert back.end == log.end and "idle" in set(back.objects["cadre"]["object_id"])


def test_sqlite_values_are_typed(tmp_path: Path) -> None:
    path = write_log(_org(), tmp_path / "log.sqlite")
    with sqlite3.connect(path) as conn:
        row = conn.execute('SELECT typeof(year_covered), typeof(written), year_covered, written, ocel_time '
                           'FROM "event_AnnualReport"').fetchone()
        assert row == ("integer", "integer", 2004, 1, "2005-01-11T12:00:00.000+08:00")
        types = {r[1]: r[2] for r in conn.execute('PRAGMA table_info("event_TripApproved")')}
        assert types["approved_return"] == "TIMESTAMP" and types["ocel_time"] == "TIMESTAMP"
        cadre = conn.execute('SELECT ocel_time, ocel_changed_field, unit FROM "object_cadre" WHERE ocel_id = ?',
                             ("c1",)).fetchall()
        assert cadre == [("1970-01-01T00:00:00Z", None, "low"), ("2005-01-31T00:00:00.000+08:00", "unit", "top")]
        assert dict(conn.execute("SELECT * FROM simlib_meta"))["end"] == "2006-02-05T00:00:00.000+08:00"
        quals = conn.execute("SELECT ocel_qualifier FROM event_object WHERE ocel_object_id = 'c1' AND "
                             "ocel_event_id = 'e0' ORDER BY 1").fetchall()
        assert quals == [("leader",), ("member",)]


def test_xml_as_written(tmp_path: Path) -> None:
    text = (write_log(_org(), tmp_path / "log.xmlocel")).read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<log simlib-format="simlib-ocel/1" '
                           'simlib-end="2006-02-05T00:00:00.000+08:00">')
    assert '<attribute name="year_covered" type="integer"/>' in text
    assert '<attribute name="unit" time="2005-01-31T00:00:00.000+08:00">top</attribute>' in text
    assert '<relationship object-id="top" qualifier="parent"/>' in text


def test_a_file_without_the_end_ends_at_its_last_event_or_change(tmp_path: Path) -> None:
    path = write_log(_org(), tmp_path / "log.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE simlib_meta")
    assert str(read_log(path).end) == "2005-01-31 00:00:00"


def test_foreign_relations_fill_a_missing_id_attribute() -> None:
    """A personnel-system export that relates a cadre to its unit but has no unit attribute."""
    doc = {"objectTypes": [], "eventTypes": [], "events": [], "objects": [
        {"id": "u", "type": "unit", "attributes": [{"name": "level", "value": "county", "time": EPOCH}]},
        {"id": "c", "type": "cadre", "relationships": [{"objectId": "u", "qualifier": "unit"}], "attributes": [
            {"name": "rank", "value": "division", "time": EPOCH},
            {"name": "is_party_member", "value": True, "time": EPOCH}]}]}
    assert from_ocel(doc).objects["cadre"]["unit"].tolist() == ["u"]


def test_pm4py_style_declarations_and_values_are_read() -> None:
    """``float`` for an int, ``date`` for a time, integral floats, 1.0 for true, ``None`` for an empty text."""
    doc = to_ocel(_org())
    for t in doc["eventTypes"]:
        for a in t["attributes"]:
            a["type"] = {"integer": "float", "time": "date", "boolean": "float"}.get(a["type"], a["type"])
    for ev in doc["events"]:
        for a in ev["attributes"]:
            a["value"] = {"2004": 2004.0, "true": 1.0}.get(a["value"], a["value"])
    for ob in doc["objects"]:
        for a in ob["attributes"]:
            if a["value"] == "":
                a["value"] = "None"
    assert_same_log(_org(), from_ocel(doc))


def _sqlite(tmp_path: Path) -> Path:
    return write_log(_org(), tmp_path / "log.sqlite")


def test_sqlite_is_opened_read_only(tmp_path: Path) -> None:
    path = _sqlite(tmp_path)
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        read_log(path)
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["log.sqlite"]


def test_bad_sqlite_files_name_every_problem(tmp_path: Path) -> None:
    path = _sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE event_object")
        conn.execute("DROP TABLE object_map_type")
    with pytest.raises(InputError) as err:
        read_log(path)
    assert [p.field for p in err.value.problems] == ["event_object", "object_map_type"]
    (tmp_path / "x.sqlite").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not an SQLite database"):
        read_log(tmp_path / "x.sqlite")


def test_sqlite_with_foreign_vocabulary_lists_its_problems(tmp_path: Path) -> None:
    path = _sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE event_map_type SET ocel_type = 'PlaceOrder' WHERE ocel_type = 'AnnualReport'")
    with pytest.raises(InputError) as err:
        read_log(path)
    assert [p.message for p in _problems(err)] == ["unknown event type 'PlaceOrder'"]


def test_xml_without_entity_expansion(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xmlocel"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    "<log><objects/><events/><object-types/><event-types/>&b;</log>", encoding="utf-8")
    with pytest.raises(InputError, match="DTD or entities"):
        read_log(bomb)
    external = tmp_path / "ext.xmlocel"
    external.write_text('<?xml version="1.0"?><!DOCTYPE log SYSTEM "http://127.0.0.1:9/x.dtd"><log/>',
                        encoding="utf-8")
    with pytest.raises(InputError, match="DTD"):
        read_log(external)


def test_xml_not_well_formed_names_line_and_column(tmp_path: Path) -> None:
    path = write_log(_org(), tmp_path / "log.xmlocel")
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML") as err:
        read_log(path)
    assert err.value.field.startswith("line ")


def test_xml_with_foreign_items_lists_them_all(tmp_path: Path) -> None:
    path = write_log(_org(), tmp_path / "log.xmlocel")
    text = path.read_text(encoding="utf-8")
    text = text.replace('type="AnnualReport"', 'type="PayInvoice"').replace('type="trip"', 'type="order"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_log(path)
    assert [p.message for p in _problems(err)] == ["unknown object type 'order'", "unknown event type 'PayInvoice'"]


def test_a_size_limit_bounds_every_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _org()
    paths = [write_log(log, tmp_path / n) for n in ("l.jsonocel", "l.sqlite", "l.xmlocel", "l.parquet", "l.csv")]
    monkeypatch.setenv(MAX_LOG_BYTES_ENV, "100")
    for path in paths:
        with pytest.raises(InputError) as err:
            read_log(path)
        assert err.value.key == "log.too_big" and MAX_LOG_BYTES_ENV in err.value.fix and "100" in err.value.message


def test_writers_are_atomic(tmp_path: Path) -> None:
    """A write that fails leaves the earlier file as it was, and nothing half-written beside it."""
    target = write_log(_org(), tmp_path / "log.xmlocel")
    before = target.read_bytes()
    b = LogBuilder(origin="2005-01-01")
    b.add_object("unit", "u\x01", level="county")
    with pytest.raises(ValueError, match=r"XML 1\.0 cannot represent"):
        write_log(b.build(end=1), target)
    assert target.read_bytes() == before and leftover_parts(tmp_path) == []
    for name in ("log.jsonocel", "log.sqlite", "log.csv", "log.parquet"):
        write_log(career(), tmp_path / name)
        write_log(_org(), tmp_path / name)  # replaced whole
        assert_same_log(_org(), read_log(tmp_path / name)) if name != "log.csv" else None
    assert leftover_parts(tmp_path) == []


def test_json_problems_are_reported_together(tmp_path: Path) -> None:
    doc = to_ocel(_org())
    for ev in doc["events"][:3]:
        ev["type"] = f"Foreign{ev['id']}"
    path = tmp_path / "log.jsonocel"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_log(path)
    assert [p.field for p in err.value.problems] == ["e0.type", "e1.type", "e2.type"]
    assert os.fspath(path) == err.value.source


def test_sqlite_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = _sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE \"object_cadre\" SET rank = CAST(x'ff41' AS TEXT)")
    with pytest.raises(InputError, match="UTF-8"):
        read_log(path)
