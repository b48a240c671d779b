"""OCEL 2.0 interop tested against pm4py itself: a simulated log written by simlib in JSON, SQLite and XML is
read by pm4py with every event, object, relation, change and attribute value counted; written back by pm4py's
writers, it reads into simlib without repair and audits to the same findings.

What pm4py does not keep, and the tests hold exactly (docs/log-formats.md, "pm4py"):

- its readers drop objects that no event links to (with their changes and relations);
- its JSON reader keeps one qualifier of an object linked twice by one event (simlib writes the required link
  last, so that is the one kept: a leader who is also a member stays the leader);
- its writers drop the log's end; simlib then ends the log at its last event or change;
- its JSON writer truncates times to the second.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from simlib.audit import audit
from simlib.log.eventlog import EventLog
from simlib.log.io import read_log, write_log
from simlib.log.ocel import e2o_relations
from simlib.log.relations import object_relations
from simlib.model import Model
from simlib.scenario import find_scenario, load_scenario

pm4py = pytest.importorskip("pm4py")
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

READERS = {"jsonocel": "read_ocel2_json", "sqlite": "read_ocel2_sqlite", "xmlocel": "read_ocel2_xml"}
WRITERS = {"jsonocel": "write_ocel2_json", "sqlite": "write_ocel2_sqlite", "xmlocel": "write_ocel2_xml"}


@pytest.fixture(scope="module")
def world() -> tuple[EventLog, object]:
    """The training world (training/small), simulated: its log and the rule parameters it ran under."""
    sc = load_scenario(find_scenario("training/small"))
    model = Model(sc, seed=sc.seed).run()
    return model.log(), model.params


def _linked(log: EventLog) -> set[str]:
    return set(e2o_relations(log)["object_id"])


def _expected(log: EventLog, fmt: str) -> dict[str, object]:
    """What pm4py should hold after reading ``log`` written in ``fmt`` by simlib."""
    linked = _linked(log)
    e2o = e2o_relations(log)
    if fmt == "jsonocel":  # one qualifier per (event, object)
        e2o = e2o.drop_duplicates(["event_id", "object_id"])
    o2o = object_relations(log)
    o2o = o2o[o2o["source_id"].isin(linked) & o2o["target_id"].isin(linked)]
    changes = sum(int(df["object_id"].isin(linked).sum()) for df in log.changes.values())
    event_values: Counter[str] = Counter()
    for df in log.tables.values():
        for col in df.columns.drop(["event_id", "time"]):
            if col in _attribute_names(log):
                event_values[col] += int(df[col].notna().sum())
    object_values: Counter[str] = Counter()
    for df in log.objects.values():
        kept = df[df["object_id"].isin(linked)]
        for col in kept.columns.drop("object_id"):
            object_values[col] += int(kept[col].notna().sum())
    return {"events": log.n_events, "objects": len(linked), "e2o": len(e2o), "o2o": len(o2o), "changes": changes,
            "event values": +event_values, "object values": +object_values}


def _attribute_names(log: EventLog) -> set[str]:
    from simlib.log.vocabulary import EVENTS

    return {a.name for name in log.tables for a in EVENTS[name].attrs}


def _counted(ocel: object) -> dict[str, object]:
    """The same counts from pm4py's OCEL object."""
    fixed = {"ocel:eid", "ocel:activity", "ocel:timestamp", "ocel:oid", "ocel:type"}
    event_values = Counter({c: int(ocel.events[c].notna().sum()) for c in ocel.events.columns if c not in fixed})
    object_values = Counter({c: int(ocel.objects[c].notna().sum()) for c in ocel.objects.columns if c not in fixed})
    return {"events": len(ocel.events), "objects": len(ocel.objects), "e2o": len(ocel.relations),
            "o2o": len(ocel.o2o), "changes": len(ocel.object_changes),
            "event values": +event_values, "object values": +object_values}


@pytest.mark.parametrize("fmt", list(READERS))
def test_pm4py_reads_every_event_object_relation_change_and_value(world: tuple[EventLog, object], tmp_path: Path,
                                                                   fmt: str) -> None:
    log, _ = world
    assert log.n_changes > 0 and len(object_relations(log)) > 0  # the world has careers and an organisation
    path = write_log(log, tmp_path / f"log.{fmt}")
    ocel = getattr(pm4py, READERS[fmt])(str(path))
    assert _counted(ocel) == _expected(log, fmt)


def _without_unlinked(log: EventLog) -> EventLog:
    """``log`` as pm4py keeps it: without the objects no event links to, their changes, and the log's end."""
    linked = _linked(log)
    keep = {name: df[df["object_id"].isin(linked)].reset_index(drop=True) for name, df in log.objects.items()}
    changes = {name: df[df["object_id"].isin(linked)].reset_index(drop=True) for name, df in log.changes.items()}
    return dataclasses.replace(log, objects={k: v for k, v in keep.items() if len(v)},
                               changes={k: v for k, v in changes.items() if len(v)})


def _same_findings(a: pd.DataFrame, b: pd.DataFrame, unit: str) -> None:
    """The same findings: clause, code, cadre, unit, event and time (to the ``unit`` the copy keeps)."""
    key = ["clause", "code", "cadre", "unit", "event_id", "time"]
    a, b = (f[key].assign(time=f["time"].dt.floor(unit)).sort_values(key, ignore_index=True) for f in (a, b))
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_what_pm4py_writes_reads_back_and_audits_the_same(world: tuple[EventLog, object], tmp_path: Path,
                                                          writer: str) -> None:
    """simlib SQLite → pm4py (lossless reader) → each pm4py writer → simlib: the same log but what pm4py drops,
    and the same findings (auditing the original up to the end the copy infers)."""
    log, params = world
    ocel = pm4py.read_ocel2_sqlite(str(write_log(log, tmp_path / "log.sqlite")))
    out = tmp_path / f"back.{writer}"
    getattr(pm4py, WRITERS[writer])(ocel, str(out))
    back = read_log(out)
    kept = _without_unlinked(log)
    assert back.n_events == log.n_events
    assert back.n_objects == kept.n_objects and back.n_changes == kept.n_changes
    assert len(e2o_relations(back)) == len(e2o_relations(log))  # the leader who is a member stays both
    assert len(object_relations(back)) == len(object_relations(kept))
    unit = "s" if writer == "jsonocel" else "ms"  # pm4py's JSON writer truncates times to the second
    last = max(last for t in (*log.tables.values(), *kept.changes.values()) for last in [t["time"].max()])
    assert back.end == last.floor(unit)  # pm4py drops the end: the copy ends at its last event or change
    _same_findings(audit(back, params).table, audit(dataclasses.replace(log, end=back.end), params).table, unit)


def test_pm4py_json_reader_keeps_the_required_link_of_an_object_linked_twice(world: tuple[EventLog, object],
                                                                             tmp_path: Path) -> None:
    """pm4py's JSON reader → pm4py's JSON writer → simlib: readable (the leader, the cadre kept); only the
    second qualifiers are gone."""
    log, _ = world
    ocel = pm4py.read_ocel2_json(str(write_log(log, tmp_path / "log.jsonocel")))
    pm4py.write_ocel2_json(ocel, str(tmp_path / "back.jsonocel"))
    back = read_log(tmp_path / "back.jsonocel")
    e2o = e2o_relations(log)
    twice = e2o[e2o.duplicated(["event_id", "object_id"], keep=False)]
    assert len(twice) > 0
    assert len(e2o_relations(back)) == len(e2o) - len(twice) // 2
    for name, df in back.tables.items():
        pd.testing.assert_series_equal(df["time"], log.tables[name]["time"].dt.floor("s"), check_names=False)


def test_simlib_sqlite_satisfies_pm4py_relational_checks(world: tuple[EventLog, object], tmp_path: Path) -> None:
    from pm4py.objects.ocel.validation import ocel20_rel_validation

    satisfied, unsatisfied = ocel20_rel_validation.apply(str(write_log(world[0], tmp_path / "log.sqlite")))
    assert list(unsatisfied) == [] and len(satisfied) == 24


def test_no_warning_is_silenced_by_accident() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pm4py.__version__
