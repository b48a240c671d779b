"""Log formats round-trip (OCEL 2.0 JSON, Parquet, CSV) and read what other tools write."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from vocab_log import vocabulary_log

from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog, assert_same_log
from simlib.log.io import read_log, write_log
from simlib.log.ocel import from_ocel, to_ocel
from simlib.log.ocel_schema import published_schema
from simlib.log.synthetic import synthetic_log
from simlib.log.vocabulary import EVENT_TYPES, OBJECT_TYPES

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ["log.json", "log.jsonocel", "log.parquet", "log.csv", "log.sqlite", "log.xmlocel"]


@pytest.fixture(scope="module")
def vlog() -> EventLog:
    return vocabulary_log()


def test_fixture_uses_the_whole_vocabulary(vlog: EventLog) -> None:
    assert set(vlog.tables) == {et.name for et in EVENT_TYPES}
    assert set(vlog.objects) == {ot.name for ot in OBJECT_TYPES}
    for et in EVENT_TYPES:
        table = vlog.tables[et.name]
        for col in [lk.qualifier for lk in et.single_links] + [a.name for a in et.attrs]:
            assert table[col].notna().any(), f"{et.name}.{col} never set"
            assert (
                table[col].isna().any()
                or col in {lk.qualifier for lk in et.links if lk.required}
                or any(a.required for a in et.attrs if a.name == col)
            ), f"{et.name}.{col} never missing"
    assert len(vlog.members) == 2


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_is_identical(vlog: EventLog, tmp_path: Path, name: str) -> None:
    path = write_log(vlog, tmp_path / name)
    assert_same_log(vlog, read_log(path))


@pytest.mark.parametrize("name", ["log.json", "log.parquet", "log.sqlite", "log.xmlocel"])
def test_synthetic_log_round_trips(tmp_path: Path, name: str) -> None:
    log = synthetic_log(3000, seed=5)
    assert_same_log(log, read_log(write_log(log, tmp_path / name)))


def test_csv_writes_an_empty_text_quoted_and_reads_a_blank_cell_as_missing(tmp_path: Path) -> None:
    """An empty text is written ``""`` and reads back as empty text; a blank cell (a spreadsheet's) is 'no
    value'."""
    log = synthetic_log(2000, seed=5)
    path = write_log(log, tmp_path / "log.csv")
    top = log.objects["unit"]["parent"] == ""
    assert top.sum() == 1
    assert_same_log(read_log(path), log)
    objects = tmp_path / "log.objects.csv"
    text = objects.read_text(encoding="utf-8-sig")
    assert ',"",' in text or ',""\n' in text
    objects.write_text(text.replace('""', ""), encoding="utf-8-sig")
    assert read_log(path).objects["unit"]["parent"].isna().sum() == 1


def test_ocel_export_follows_the_published_schema(vlog: EventLog) -> None:
    doc = to_ocel(vlog)
    jsonschema.Draft7Validator(published_schema()).validate(doc)
    values = [a["value"] for ev in doc["events"] for a in ev["attributes"]]
    values += [a["value"] for ob in doc["objects"] for a in ob["attributes"]]
    assert values and all(isinstance(v, str) for v in values)
    later = [a for ob in doc["objects"] for a in ob["attributes"] if a["time"] != "1970-01-01T00:00:00Z"]
    assert len(later) == vlog.n_changes > 0  # the timed attributes' changes, at their own times
    declared = {t["name"]: {a["name"]: a["type"] for a in t["attributes"]} for t in doc["eventTypes"]}
    assert declared["AnnualReport"]["year_covered"] == "integer"
    assert declared["AnnualReport"]["written"] == "boolean"
    assert declared["TripApproved"]["approved_return"] == "time"
    assert declared["Sanction"]["kind"] == "string"  # a category is an OCEL string
    assert doc["simlib"]["end"] == "2006-01-24T08:30:01.000+08:00"


def test_ocel_relationships_carry_link_qualifiers(vlog: EventLog) -> None:
    doc = to_ocel(vlog)
    formed = next(
        ev for ev in doc["events"] if ev["type"] == "DelegationFormed" and len(ev["relationships"]) > 3
    )
    quals = [r["qualifier"] for r in formed["relationships"]]
    assert quals.count("member") == 2 and "leader" in quals and "delegation" in quals


def test_times_with_offsets_are_read_as_china_time() -> None:
    doc = {
        "objectTypes": [],
        "eventTypes": [],
        "simlib": {"end": "2005-12-31T00:00:00Z"},
        "objects": [
            {
                "id": "u",
                "type": "unit",
                "attributes": [{"name": "level", "value": "county", "time": "1970-01-01T00:00:00Z"}],
            }
        ],
        "events": [
            {
                "id": "a",
                "type": "ProcedureIssued",
                "time": "2005-03-01T01:00:00Z",
                "relationships": [{"objectId": "u", "qualifier": "unit"}],
            },
            {
                "id": "b",
                "type": "ProcedureIssued",
                "time": "2005-03-01T09:00:00+08:00",
                "relationships": [{"objectId": "u", "qualifier": "unit"}],
            },
            {
                "id": "c",
                "type": "ProcedureIssued",
                "time": "2005-03-01 09:00",
                "relationships": [{"objectId": "u", "qualifier": "unit"}],
            },
        ],
    }
    log = from_ocel(doc)
    assert set(log.tables["ProcedureIssued"]["time"]) == {pd.Timestamp("2005-03-01 09:00")}
    assert log.end == pd.Timestamp("2005-12-31 08:00")


def test_foreign_ocel_with_numbers_and_empty_qualifiers_is_read() -> None:
    """pm4py writes JSON numbers and booleans as values; other tools leave qualifiers empty."""
    doc = {
        "objectTypes": [{"name": "unit", "attributes": [{"name": "level", "type": "string"}]}],
        "eventTypes": [{"name": "AnnualReport", "attributes": [{"name": "year_covered", "type": "integer"}]}],
        "objects": [
            {
                "id": "u1",
                "type": "unit",
                "attributes": [
                    {"name": "level", "value": "county", "time": "1970-01-01T00:00:00Z"},
                    {"name": "is_state_organ", "value": True, "time": "1970-01-01T00:00:00Z"},
                ],
            },
            {
                "id": "g",
                "type": "agency",
                "attributes": [{"name": "kind", "value": "org_dept", "time": "1970-01-01T00:00:00Z"}],
            },
        ],
        "events": [
            {
                "id": "r",
                "type": "AnnualReport",
                "time": "2006-02-01T00:00:00Z",
                "attributes": [{"name": "year_covered", "value": 2005}, {"name": "written", "value": True}],
                "relationships": [
                    {"objectId": "u1", "qualifier": "unit"},
                    {"objectId": "g", "qualifier": ""},
                ],
            }
        ],
    }
    log = from_ocel(doc)
    row = log.tables["AnnualReport"].iloc[0]
    assert row["year_covered"] == 2005 and bool(row["written"]) and row["recipient"] == "g"
    assert bool(log.objects["unit"]["is_state_organ"].iloc[0])


def test_pm4py_is_not_needed(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pm4py'] = None\n"  # importing pm4py would now fail
        "from simlib.log.io import read_log, write_log\n"
        "from simlib.log.synthetic import synthetic_log\n"
        f"p = write_log(synthetic_log(500, 1), {str(tmp_path / 'l.json')!r}); read_log(p)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def _blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks (an opening fence with its language, then the closing one)."""
    return re.findall(r"^```\w*\n(.*?)^```$", markdown, flags=re.S | re.M)


def test_the_csv_example_in_the_docs_reads(tmp_path: Path) -> None:
    blocks = [
        b
        for b in _blocks((ROOT / "docs" / "log-formats.md").read_text(encoding="utf-8"))
        if b.startswith(("event_id,", "object_id,"))
    ]
    assert len(blocks) == 2
    (tmp_path / "records.csv").write_text(blocks[0], encoding="utf-8")
    (tmp_path / "records.objects.csv").write_text(blocks[1], encoding="utf-8")
    log = read_log(tmp_path / "records.csv")
    assert log.n_events == 2 and log.end == pd.Timestamp("2005-12-31")
    assert log.tables["Entry"]["port"].iloc[0] == "北京首都机场"


def test_csv_holds_what_a_spreadsheet_user_expects(tmp_path: Path) -> None:
    b = LogBuilder()
    b.add_object("unit", "u1", level="county")
    b.add_object("cadre", "wang", unit="u1", rank="division", is_party_member=True)
    b.add_object("delegation", "g1", dispatching_unit="u1")
    b.add_event("DelegationFormed", "2005-03-01", delegation="g1", leader="wang", member=["wang"])
    b.add_event("ProcedureIssued", "2005-03-02", unit="u1")
    path = write_log(b.build(end="2005-06-30"), tmp_path / "book.csv")
    text = path.read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "event_id,type,time,unit,delegation,leader,member"
    assert text[1] == "e0,DelegationFormed,2005-03-01,,g1,wang,wang"
    assert text[-1] == ",log_end,2005-06-30,,,,"
    assert (tmp_path / "book.objects.csv").is_file()


def test_parquet_write_replaces_only_a_simlib_log(vlog: EventLog, tmp_path: Path) -> None:
    target = tmp_path / "log.parquet"
    write_log(vlog, target)
    write_log(vlog, target)  # replaces its own earlier output
    assert json.loads((target / "manifest.json").read_text())["format"] == "simlib-parquet/1"
    other = tmp_path / "mine.parquet"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_log(vlog, other)
    assert (other / "keep.txt").read_text() == "mine"
