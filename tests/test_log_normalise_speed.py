"""normalise's shortcuts keep its results: rows already in order are left as they are and others are sorted by
time and event id (as strings, so e10 before e9); columns already typed pass unchanged; links are checked against
the declared ids of their own object types; duplicate ids are found across tables and named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from simlib.errors import InputError
from simlib.log.normalise import _all_distinct, normalise
from simlib.log.vocabulary import EVENTS

CHOICES = list(next(a for a in EVENTS["DBRecord"].attrs if a.name == "record_kind").choices)
KINDS = CHOICES[:3]


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
    typed = plain.astype({"event_id": "str", "cadre": "str", "record_kind": pd.CategoricalDtype(CHOICES)})
    shuffled = plain.astype({"record_kind": pd.CategoricalDtype(CHOICES[::-1])})
    tables = [normalise({"DBRecord": t}, objects()).table("DBRecord") for t in (plain, typed, shuffled)]
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t, tables[0])
    assert list(tables[0]["record_kind"].cat.categories) == CHOICES
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


def test_tables_given_as_column_mappings_equal_tables_given_as_frames() -> None:
    """A raw table may be column name -> values (arrays, Series or lists), as the builder hands them over."""
    frame = records(["a", "b", "c"], [2, 0, 1], cadre=["wang", None, "li"], record_kind=["trip", None, "document"])
    as_lists = {c: frame[c].tolist() for c in frame.columns}
    as_arrays = {c: frame[c].array for c in frame.columns}
    objs = objects()
    obj_lists = {name: {c: df[c].tolist() for c in df.columns} for name, df in objs.items()}
    expected = normalise({"DBRecord": frame}, objs)
    for tables, objects_ in (({"DBRecord": as_lists}, obj_lists), ({"DBRecord": as_arrays}, objs)):
        log = normalise(tables, objects_)
        pd.testing.assert_frame_equal(log.table("DBRecord"), expected.table("DBRecord"), check_exact=True)
        for name in objs:
            pd.testing.assert_frame_equal(log.objects_of(name), expected.objects_of(name), check_exact=True)
    with pytest.raises(ValueError, match="differ in length"):
        normalise({"DBRecord": {**as_lists, "cadre": ["wang"]}}, objs)


def test_changing_the_raw_tables_afterwards_leaves_the_log_as_it_was() -> None:
    raw = records(["a", "b"], [0, 1], cadre=["wang", "li"], record_kind=["trip", "document"])
    raw["time"] = raw["time"].astype("datetime64[ms]")  # already typed: passed on, not converted
    cadres = objects()
    log = normalise({"DBRecord": raw}, cadres)
    raw.loc[0, "time"] = pd.Timestamp("2030-01-01")
    raw.loc[0, "cadre"] = "li"
    cadres["cadre"].loc[0, "rank"] = "bureau"
    cadres["cadre"].loc[1, "object_id"] = "zhao"
    assert log.table("DBRecord")["time"].tolist() == [pd.Timestamp("2005-01-01"), pd.Timestamp("2005-01-02")]
    assert log.table("DBRecord")["cadre"].tolist() == ["wang", "li"]
    assert log.objects_of("cadre")[["object_id", "rank"]].values.tolist() == [["wang", "division"], ["li", "bureau"]]


def test_an_unknown_link_is_named_before_any_problem_that_comes_after_it() -> None:
    """Links of all tables are checked together, yet the problem named is the first one in table and column
    order, as if each table were checked in turn."""
    unknown = records(["a"], [0], cadre=["zhao"])
    bad_kind = records(["b"], [1], cadre=["wang"], record_kind=["visa"])
    with pytest.raises(InputError, match="links unknown cadre 'zhao'"):  # links come before attributes
        normalise({"DBRecord": pd.concat([unknown, bad_kind], ignore_index=True)}, objects())
    risk = records(["c"], [2], cadre=["zhao"])
    with pytest.raises(InputError, match="links unknown cadre 'zhao'"):
        normalise({"RiskSignal": risk, "DBRecord": bad_kind}, objects())
    with pytest.raises(InputError, match="'visa' is not allowed"):
        normalise({"DBRecord": bad_kind, "RiskSignal": risk}, objects())
    with pytest.raises(InputError, match="links unknown cadre 'zhao'"):
        normalise({"RiskSignal": risk, "DBRecord": records(["a", "a"], [0, 1])}, objects())  # before duplicates


def test_the_first_of_several_unknown_links_is_the_one_named() -> None:
    raw = records(["e1", "e0", "e2"], [2, 1, 0], cadre=["li", "zhao", "qian"])  # stored sorted: e2, e0, e1
    with pytest.raises(InputError, match="links unknown cadre 'zhao'") as err:
        normalise({"DBRecord": raw}, objects())
    assert "e0.cadre" in str(err.value)


@pytest.mark.parametrize("block", [1, 2, 3, 4, 100])
def test_duplicates_are_found_wherever_the_sorted_blocks_split_them(block: int) -> None:
    """Ids are compared in sorted order a block at a time; each block overlaps the next by one value."""
    chunks = [pa.array(["d", "b"], type=pa.large_string()), pa.array(["a", "c", "e"], type=pa.large_string())]
    assert _all_distinct(pa.chunked_array(chunks), block=block)
    for twice in ["a", "c", "e"]:
        more = [*chunks, pa.array([twice], type=pa.large_string())]
        assert not _all_distinct(pa.chunked_array(more), block=block)
