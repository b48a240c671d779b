"""Every bad-input error of simlib.log is a catalogue message: shown wholly in Chinese with ``--lang zh`` (file,
field and the values it quotes aside), with the same English text as before."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_log_bad_files import _csv, _event, _ocel, small  # noqa: F401  (small: the fixture)

from simlib.cli import main
from simlib.errors import InputError
from simlib.i18n import has
from simlib.log.eventlog import EventLog
from simlib.log.io import read_log, write_log
from simlib.log.mapping import LogMapping
from simlib.log.normalise import normalise

LOG = Path(__file__).resolve().parents[1] / "simlib" / "log"
# Names of formats, files and settings a Chinese message keeps as they are.
TECHNICAL = {"CSV", "JSON", "OCEL", "UTF", "SQLite", "XML", "DTD", "DOCTYPE", "ISO", "Parquet", "YAML", "simlib",
             "true", "false", "null", "error", "drop", "values", "unmapped", "log", "https", "www", "ocel", "org",
             "field", "time", "json", "schema", "eventTypes", "objectTypes", "events", "objects"}
WORD = re.compile(r"\.?[A-Za-z][A-Za-z0-9_./:-]*")


def _bad_files(small: EventLog, tmp: Path) -> dict[str, Callable[[], object]]:  # noqa: F811
    """One bad input per family of reader and normalise problem."""

    def path(name: str) -> Path:
        (tmp / name).mkdir(exist_ok=True)
        return tmp / name

    def sqlite_without_tables() -> Path:
        p = path("sq") / "log.sqlite"
        sqlite3.connect(p).close()
        with sqlite3.connect(p) as conn:
            conn.execute("CREATE TABLE other (x)")
        return p

    def parquet_without_a_table() -> Path:
        p = write_log(small, path("pq") / "log.parquet")
        (p / "events" / "Entry.parquet").unlink()
        return p

    def change_row_without_value() -> Path:
        p = write_log(small, path("ch") / "log.csv")
        objects = p.with_name("log.objects.csv")
        text = objects.read_text(encoding="utf-8-sig").splitlines()
        text[0] = text[0].replace("object_id,type,", "object_id,type,time,")
        rows = [r.split(",", 2)[0] + "," + r.split(",", 2)[1] + ",," + r.split(",", 2)[2] for r in text[1:]]
        objects.write_text("\n".join([text[0], *rows, "wang,cadre,2005-06-01" + "," * (rows[0].count(",") - 2)])
                           + "\n", encoding="utf-8-sig")
        return p

    def change_after_end() -> None:
        normalise({}, {"cadre": small.objects["cadre"], "unit": small.objects["unit"]},
                  changes={"cadre": pd.DataFrame({"object_id": ["wang"], "time": [pd.Timestamp("2009-01-01")],
                                                  "field": ["rank"], "rank": ["bureau"]})},
                  end=pd.Timestamp("2006-01-01"), source="log")

    def text(name: str, content: str) -> Path:
        p = path("t") / name
        p.write_text(content, encoding="utf-8")
        return p

    cases: dict[str, Callable[[], object]] = {
        "unknown format": lambda: read_log(tmp / "log.xlsx"),
        "missing file": lambda: read_log(tmp / "nowhere.json"),
        "json truncated": lambda: read_log(text("cut.json", '{"events": [')),
        "json top level": lambda: read_log(text("list.json", "[1, 2]")),
        "json schema": lambda: read_log(text("flat.json", json.dumps({"events": []}))),
        "ocel unknown event type": lambda: read_log(_ocel(small, path("o1"),
                                                           lambda d: _event(d, "Entry").update(type="Teleport"))),
        "ocel unknown object": lambda: read_log(_ocel(small, path("o2"), lambda d: _event(d, "Entry")[
            "relationships"].append({"objectId": "ghost", "qualifier": "document"}))),
        "bad time": lambda: read_log(_ocel(small, path("o3"), lambda d: _event(d, "Entry").update(time="yesterday"))),
        "missing link": lambda: read_log(_ocel(small, path("o4"), lambda d: _event(d, "Entry").update(
            relationships=[r for r in _event(d, "Entry")["relationships"] if r["qualifier"] != "cadre"]))),
        "xml": lambda: read_log(text("log.xmlocel", "<log><events>")),
        "xml root": lambda: read_log(text("root.xmlocel", "<notalog/>")),
        "sqlite garbage": lambda: read_log(text("g.sqlite", "not a database at all")),
        "sqlite tables": lambda: read_log(sqlite_without_tables()),
        "parquet": lambda: read_log(parquet_without_a_table()),
        "parquet file": lambda: read_log(text("one.parquet", "PAR1")),
        "csv column": lambda: read_log(_csv(small, path("c1"), lambda df: df.drop(columns="time"))),
        "csv unknown column": lambda: read_log(_csv(small, path("c2"), lambda df: df.assign(colour="red"))),
        "csv bool": lambda: read_log(_csv(small, path("c3"), lambda df: df.assign(
            is_party_member=df["is_party_member"].replace("true", "perhaps")), objects=True)),
        "csv empty change": lambda: read_log(change_row_without_value()),
        "change after end": change_after_end,
        "mapping": lambda: LogMapping.from_data({"event_types": {"x": "Nope"}, "colour": 1, "unmapped": "maybe"},
                                                source="map.yaml"),
    }
    return cases


def _leftover_words(err: InputError) -> list[str]:
    """Words of 3+ Latin letters in the Chinese rendering that are not the file, field, a value or a name."""
    text = "\n".join(err.texts("zh"))
    for part in sorted({err.source, err.field, *(str(v) for v in err.values.values())}, key=len, reverse=True):
        if part:
            text = text.replace(part, " ")
    words = [w.rstrip("./:-") for w in WORD.findall(text) if not w.startswith(".")]  # .csv: an extension
    return [w for w in words if len(re.sub(r"[^A-Za-z]", "", w)) >= 3 and w not in TECHNICAL
            and not re.search(r"[_/.]", w)]  # a file or a name: LOG.objects.csv, object_id


def test_every_input_error_in_simlib_log_names_a_catalogue_key() -> None:
    calls = [(p.name, n.lineno, n) for p in sorted(LOG.glob("*.py")) for n in ast.walk(ast.parse(p.read_text()))
             if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "InputError"]
    assert len(calls) > 40
    missing = [(name, line) for name, line, n in calls if "key" not in {k.arg for k in n.keywords}]
    assert not missing, missing
    literal = {k.value.value for _, _, n in calls for k in n.keywords
               if k.arg == "key" and isinstance(k.value, ast.Constant)}
    assert [key for key in literal if not has(f"input.{key}")] == []


def test_each_bad_log_is_reported_wholly_in_chinese(small: EventLog, tmp_path: Path) -> None:  # noqa: F811
    wrong = []
    for case, read in _bad_files(small, tmp_path).items():
        with pytest.raises(InputError) as info:
            read()
        for err in (info.value, *info.value.problems):
            zh, en = err.texts("zh"), err.texts("en")
            if not (err.key and zh[0] != en[0] and zh[1] and zh[1] != en[1] and not _leftover_words(err)):
                wrong.append((case, err.key, zh, _leftover_words(err)))
            assert (err.message, err.fix) == en  # the English text is the one the error carries
    assert wrong == []


def test_cli_prints_a_bad_log_in_chinese(small: EventLog, tmp_path: Path,  # noqa: F811
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(small, tmp_path, lambda df: df.drop(columns="time"))
    assert main(["--lang", "zh", "audit", str(path)]) == 2
    err = capsys.readouterr().err
    assert "缺少列 'time'" in err and "第一行必须写出列名" in err and "missing" not in err
