"""normalise's shortcuts keep its results: rows already in order are left as they are and others are sorted by
time and event id (as strings, so e10 before e9); columns already typed pass unchanged; links are checked against
the declared ids of their own object types; duplicate ids are found across tables and named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.log.errors import InputError
from simlib.log.eventlog import normalise

KINDS = ["registration", "document", "trip"]


def objects() -> dict[str, pd.DataFrame]:
    return {
        "unit": pd.DataFrame({"object_id": ["u1"], "level": ["county"]}),
        "cadre": pd.DataFrame({"object_id": ["wang", "li"], "unit": ["u1", "u1"], "rank": ["division", "bureau"],
                               "is_party_member": [True, False]}),
    }


def records(ids: list[str], days: list[float], **columns: object) -> pd.DataFrame:
    times = pd.Timestamp("2005-01-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame({"event_id": ids, "time": times, **columns})


@pytest.mark.parametrize("days", [[0, 1, 2, 3], [0, 1, 1, 1], [3, 1, 1, 0], [1, 1, 1, 1]])
def test_rows_come_out_sorted_by_time_then_event_id_as_strings(days: list[float]) -> None:
    raw = records(["e8", "e9", "e10", "e11"], days, cadre=["wang", "li", "wang", "li"], record_kind=[*KINDS, "trip"])
    log = normalise({"DBRecord": raw}, objects())
    expected = raw.astype({"time": "datetime64[ms]"}).sort_values(["time", "event_id"], kind="stable")
    assert log.table("DBRecord")["event_id"].tolist() == expected["event_id"].tolist()
    assert log.table("DBRecord")["cadre"].tolist() == expected["cadre"].tolist()
    assert log.table("DBRecord").index.equals(pd.RangeIndex(4))


def test_typed_and_untyped_columns_give_the_same_table() -> None:
    plain = records(["a", "b", "c"], [0, 1, 2], cadre=["wang", None, "li"], record_kind=["trip", None, "document"])
    typed = plain.astype({"event_id": "str", "cadre": "str", "record_kind": pd.CategoricalDtype(KINDS)})
    shuffled = plain.astype({"record_kind": pd.CategoricalDtype(KINDS[::-1])})
    tables = [normalise({"DBRecord": t}, objects()).table("DBRecord") for t in (plain, typed, shuffled)]
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t, tables[0])
    assert list(tables[0]["record_kind"].cat.categories) == KINDS
    assert tables[0]["cadre"].dtype == "str" and tables[0]["cadre"].isna().tolist() == [False, True, False]


def test_a_category_value_outside_the_vocabulary_is_named() -> None:
    raw = records(["a", "b"], [0, 1], record_kind=["trip", "visa"])
    with pytest.raises(InputError, match="'visa' is not allowed") as err:
        normalise({"DBRecord": raw}, objects())
    assert "b.DBRecord.record_kind" in str(err.value)


def test_a_link_is_checked_against_its_own_object_type() -> None:
    raw = records(["a", "b"], [0, 1], cadre=["wang", "u1"])  # u1 is declared, but as a unit
    with pytest.raises(InputError, match="links unknown cadre 'u1'") as err:
        normalise({"DBRecord": raw}, objects())
    assert "b.cadre" in str(err.value)


def test_links_given_as_a_column_in_pieces_are_checked_whole() -> None:
    cadres = pd.concat([pd.Series(["wang"], dtype="str"), pd.Series(["li", "zhao"], dtype="str")], ignore_index=True)
    raw = records(["a", "b", "c"], [0, 1, 2], cadre=cadres)
    with pytest.raises(InputError, match="links unknown cadre 'zhao'"):
        normalise({"DBRecord": raw}, objects())
    assert len(normalise({"DBRecord": raw.iloc[:2]}, objects()).table("DBRecord")) == 2


def test_an_event_id_used_in_two_tables_is_named() -> None:
    tables = {"DBRecord": records(["a", "b"], [0, 1]), "RiskSignal": records(["c", "b"], [0, 1], cadre=["li", "wang"])}
    with pytest.raises(InputError, match="event id 'b' is used twice"):
        normalise(tables, objects())


def test_an_object_id_used_by_two_types_is_named() -> None:
    objs = objects()
    objs["unit"] = pd.DataFrame({"object_id": ["u1", "li"], "level": ["county", "central"]})
    with pytest.raises(InputError, match="object id 'li' is used twice"):
        normalise({}, objs)


def test_members_are_checked_against_every_event_and_object() -> None:
    tables = {"DBRecord": records(["a"], [0])}
    ok = pd.DataFrame({"event_id": ["a", "a"], "qualifier": ["member", "member"], "object_id": ["wang", "u1"]})
    assert normalise(tables, objects(), ok).members["object_id"].tolist() == ["u1", "wang"]
    with pytest.raises(InputError, match="unknown event 'x'"):
        normalise(tables, objects(), ok.assign(event_id=["a", "x"]))
    with pytest.raises(InputError, match="unknown object 'zhao'"):
        normalise(tables, objects(), ok.assign(object_id=["wang", "zhao"]))
    assert np.array_equal(normalise(tables, objects()).members.columns, ["event_id", "qualifier", "object_id"])
