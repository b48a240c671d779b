"""Bad files give an InputError that names the file, the field (event or object id) and a fix."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simlib.errors import InputError
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.log.io import read_log, write_log

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def small() -> EventLog:
    b = LogBuilder()
    b.add_object("unit", "u1", level="county", parent="")
    b.add_object("cadre", "wang", unit="u1", rank="division", is_party_member=True)
    b.add_object("trip", "t1", kind="public_temporary")
    b.add_object("document", "p1", doc_type="public_passport")
    b.add_event(
        "TripApproved", "2005-02-01", trip="t1", cadre="wang", approver="u1", approved_return="2005-03-01"
    )
    b.add_event("Entry", "2005-03-01", trip="t1", cadre="wang", document="p1")
    b.add_event("DocSurrendered", "2005-03-10", document="p1", cadre="wang")
    return b.build(end="2005-12-31")


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_log(path)
    err = info.value
    assert path.name in err.render(), err.render()
    assert err.fix, err.render()
    return err


def _ocel(small: EventLog, tmp_path: Path, change: Callable[[Doc], Any]) -> Path:
    path = write_log(small, tmp_path / "log.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _event(doc: Doc, etype: str) -> Doc:
    return next(ev for ev in doc["events"] if ev["type"] == etype)


def test_truncated_json(small: EventLog, tmp_path: Path) -> None:
    path = write_log(small, tmp_path / "log.json")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    err = _error(path)
    assert "not valid JSON" in err.message and err.field.startswith("line 1 column")
    assert "truncated" in err.fix


def test_wrong_top_level(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    assert _error(path).field == "(top level)"
    path = tmp_path / "flat.json"
    path.write_text(json.dumps({"events": 3, "objects": [], "eventTypes": [], "objectTypes": []}))
    err = _error(path)
    assert err.field == "events" and "not OCEL 2.0" in err.message
    path.write_text(json.dumps({"events": []}))
    assert "required" in _error(path).message


def test_schema_error_names_the_event(small: EventLog, tmp_path: Path) -> None:
    path = _ocel(small, tmp_path, lambda d: _event(d, "Entry")["relationships"][0].pop("objectId"))
    err = _error(path)
    eid = small.tables["Entry"]["event_id"].iloc[0]
    assert err.field.startswith(f"{eid} (events[") and "objectId" in err.message


def test_unknown_event_type(small: EventLog, tmp_path: Path) -> None:
    path = _ocel(small, tmp_path, lambda d: _event(d, "Entry").update(type="Teleport"))
    err = _error(path)
    assert "Teleport" in err.message and err.field == f"{small.tables['Entry']['event_id'].iloc[0]}.type"


def test_unknown_object_link_is_an_error_not_dropped(small: EventLog, tmp_path: Path) -> None:
    path = _ocel(
        small,
        tmp_path,
        lambda d: _event(d, "Entry")["relationships"].append({"objectId": "ghost", "qualifier": "document"}),
    )
    err = _error(path)
    assert "ghost" in err.message and err.field.startswith(small.tables["Entry"]["event_id"].iloc[0])


def test_bad_time(small: EventLog, tmp_path: Path) -> None:
    path = _ocel(small, tmp_path, lambda d: _event(d, "Entry").update(time="yesterday"))
    err = _error(path)
    assert "'yesterday' is not a time" in err.message and err.field.endswith(".time")


def test_bad_category_value(small: EventLog, tmp_path: Path) -> None:
    def emperor(doc: Doc) -> None:
        cadre = next(o for o in doc["objects"] if o["id"] == "wang")
        next(a for a in cadre["attributes"] if a["name"] == "rank")["value"] = "emperor"

    err = _error(_ocel(small, tmp_path, emperor))
    assert "emperor" in err.message and err.field == "wang.rank" and "division" in err.fix


@pytest.mark.parametrize(("value", "expected"), [("maybe", "true or false"), ("soon", "a time")])
def test_wrong_attribute_type_names_event_and_attribute(
    small: EventLog, tmp_path: Path, value: str, expected: str
) -> None:
    name = "approved_return" if expected == "a time" else "political"
    etype = "TripApproved" if expected == "a time" else "Vetting"

    def change(doc: Doc) -> None:
        ev = _event(doc, "TripApproved")
        if etype == "Vetting":
            ev.update(type="Vetting", attributes=[])
        ev["attributes"] = [a for a in ev["attributes"] if a["name"] != name] + [
            {"name": name, "value": value}
        ]

    err = _error(_ocel(small, tmp_path, change))
    assert (
        expected in err.message and err.field == f"{small.tables['TripApproved']['event_id'].iloc[0]}.{name}"
    )


def test_declared_type_that_contradicts_the_vocabulary(small: EventLog, tmp_path: Path) -> None:
    def change(doc: Doc) -> None:
        et = next(t for t in doc["eventTypes"] if t["name"] == "TripApproved")
        next(a for a in et["attributes"] if a["name"] == "approved_return")["type"] = "integer"

    err = _error(_ocel(small, tmp_path, change))
    assert err.field == "eventTypes.TripApproved.approved_return" and "'time'" in err.fix


def test_missing_required_link(small: EventLog, tmp_path: Path) -> None:
    def change(doc: Doc) -> None:
        ev = _event(doc, "Entry")
        ev["relationships"] = [r for r in ev["relationships"] if r["qualifier"] != "cadre"]

    err = _error(_ocel(small, tmp_path, change))
    assert (
        "no 'cadre' link" in err.message and err.field == f"{small.tables['Entry']['event_id'].iloc[0]}.cadre"
    )


def test_unknown_qualifier(small: EventLog, tmp_path: Path) -> None:
    path = _ocel(
        small,
        tmp_path,
        lambda d: _event(d, "TripApproved")["relationships"].append(
            {"objectId": "p1", "qualifier": "witness"}
        ),
    )  # no link of TripApproved takes a document
    err = _error(path)
    assert "witness" in err.message and "approver" in err.fix
    path = _ocel(
        small,
        tmp_path,
        lambda d: _event(d, "TripApproved")["relationships"].append(
            {"objectId": "u1", "qualifier": "witness"}
        ),
    )  # read as the approver (the one link taking units): the same approver twice is one link
    assert read_log(path).tables["TripApproved"]["approver"].tolist() == ["u1"]
    path = _ocel(
        small,
        tmp_path,
        lambda d: _event(d, "TripApproved")["relationships"].append({"objectId": "wang", "qualifier": "approver"}),
    )  # a second, different approver
    assert _error(path).message == "more than one 'approver' link"


def test_time_varying_static_object_attribute(small: EventLog, tmp_path: Path) -> None:
    """Party membership is not a timed attribute (rank is: tests/test_log_timed.py)."""
    def change(doc: Doc) -> None:
        cadre = next(o for o in doc["objects"] if o["id"] == "wang")
        cadre["attributes"].append({"name": "is_party_member", "value": "false", "time": "2006-01-01T00:00:00Z"})

    assert _error(_ocel(small, tmp_path, change)).field == "wang.is_party_member"


# -- CSV ----------------------------------------------------------------------------------------------------


def _csv(
    small: EventLog, tmp_path: Path, change: Callable[[pd.DataFrame], pd.DataFrame], objects: bool = False
) -> Path:
    path = write_log(small, tmp_path / "log.csv")
    target = tmp_path / ("log.objects.csv" if objects else "log.csv")
    df = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    change(df).to_csv(target, index=False, encoding="utf-8-sig")
    return path


def test_csv_missing_a_column(small: EventLog, tmp_path: Path) -> None:
    err = _error(_csv(small, tmp_path, lambda df: df.drop(columns="time")))
    assert err.message == "column 'time' is missing" and err.field == "time"


def test_csv_missing_objects_file(small: EventLog, tmp_path: Path) -> None:
    path = write_log(small, tmp_path / "log.csv")
    (tmp_path / "log.objects.csv").unlink()
    with pytest.raises(InputError) as info:
        read_log(path)
    assert "log.objects.csv" in info.value.render() and "beside" in info.value.fix


def test_csv_unknown_column(small: EventLog, tmp_path: Path) -> None:
    err = _error(_csv(small, tmp_path, lambda df: df.assign(colour="red")))
    assert err.field == "colour"


def test_csv_value_in_a_column_the_type_does_not_have(small: EventLog, tmp_path: Path) -> None:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df["type"] == "Entry", "approver"] = "u1"
        return df

    err = _error(_csv(small, tmp_path, change))
    assert err.field == f"{small.tables['Entry']['event_id'].iloc[0]}.approver"


def test_csv_unknown_event_type_and_missing_id(small: EventLog, tmp_path: Path) -> None:
    def rename(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df["type"] == "Entry", "type"] = "Arrival"
        return df

    assert "Arrival" in _error(_csv(small, tmp_path, rename)).message

    def drop_id(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[0, "event_id"] = ""
        return df

    assert _error(_csv(small, tmp_path, drop_id)).field == "line 2.event_id"


def test_csv_bad_object_value_names_the_objects_file(small: EventLog, tmp_path: Path) -> None:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df["object_id"] == "wang", "is_party_member"] = "perhaps"
        return df

    path = _csv(small, tmp_path, change, objects=True)
    with pytest.raises(InputError) as info:
        read_log(path)
    assert info.value.source.endswith("log.objects.csv") and info.value.field == "wang.is_party_member"


def test_csv_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("")
    (tmp_path / "e.objects.csv").write_text("object_id,type\n")
    assert _error(tmp_path / "e.csv").message == "the file is empty"


# -- Parquet ------------------------------------------------------------------------------------------------


def test_parquet_directory_missing_a_table(small: EventLog, tmp_path: Path) -> None:
    path = write_log(small, tmp_path / "log.parquet")
    (path / "events" / "Entry.parquet").unlink()
    err = _error(path)
    assert err.field == "events/Entry.parquet" and "missing" in err.message


def test_parquet_without_manifest_or_with_a_stray_table(small: EventLog, tmp_path: Path) -> None:
    path = write_log(small, tmp_path / "log.parquet")
    shutil.copy(path / "events" / "Entry.parquet", path / "events" / "Exit.parquet")
    assert _error(path).field == "events/Exit.parquet"
    (path / "manifest.json").unlink()
    assert _error(path).field == "manifest.json"


def test_parquet_given_a_file(tmp_path: Path) -> None:
    (tmp_path / "one.parquet").write_bytes(b"PAR1")
    assert "directory" in _error(tmp_path / "one.parquet").message


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    assert "unknown log format" in _error(tmp_path / "log.xlsx").message
    assert "not found" in _error(tmp_path / "nowhere.json").message
