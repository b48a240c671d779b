"""Auditing a foreign log: a mapping file onto simlib's vocabulary (a personnel system's OCEL 2.0 export, shaped
like pm4py's order-management example), the audit limited to chosen clauses and sections, and ``simlib export``
and ``simlib run --format``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simlib.audit import audit
from simlib.cli import main
from simlib.errors import InputError
from simlib.log.eventlog import assert_same_log
from simlib.log.io import read_log, write_log
from simlib.log.mapping import LogMapping

DATA = Path(__file__).parent / "data" / "mapping"
EXPORT = DATA / "personnel-export.jsonocel"
MAPPING = DATA / "personnel-mapping.yaml"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _mapping(text: str, tmp_path: Path) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_foreign_log_is_refused_with_every_problem_and_audited_with_its_mapping(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "audit", str(EXPORT))
    assert code == 2 and "11 problems" in err and "unknown event type 'Approve trip abroad'" in err
    code, out, _ = _run(capsys, "audit", str(EXPORT), "--mapping", str(MAPPING))
    assert code == 1 and "5 events, 4 objects" in out  # the badge and its event left out
    assert "3.1.a         1" in out  # the passport handed in 36 days after the return


def test_the_mapping_maps_types_qualifiers_attributes_values_and_relations() -> None:
    from simlib.cli.audit import read_mapping

    log = read_log(EXPORT, read_mapping(MAPPING))
    cadre = log.objects["cadre"].iloc[0]
    assert (cadre["object_id"], cadre["rank"], cadre["is_party_member"], cadre["unit"]) == (
        "E-1001", "division", True, "D-01")  # unit from the employee → department relation
    approved = log.tables["TripApproved"].iloc[0]
    assert (approved["approver"], str(approved["approved_return"])) == ("D-01", "2005-03-20 00:00:00")
    assert log.objects["document"]["doc_type"].tolist() == ["public_passport"]
    assert log.objects["unit"]["level"].tolist() == ["county"]
    assert "Badge printed" not in log.tables and log.n_events == 5


@pytest.mark.parametrize("suffix", [".sqlite", ".xmlocel"])
def test_the_mapping_applies_to_every_ocel_form(tmp_path: Path, suffix: str) -> None:
    """The same export as SQLite and XML (written from the mapped log with the foreign names put back)."""
    from simlib.cli.audit import read_mapping

    mapped = read_log(EXPORT, read_mapping(MAPPING))
    path = write_log(mapped, tmp_path / f"log{suffix}")
    identity = LogMapping.from_data({"unmapped": "error"})
    assert_same_log(mapped, read_log(path, identity))


def test_mapping_problems_are_reported_together_with_their_lines(tmp_path: Path) -> None:
    from simlib.cli.audit import read_mapping

    path = _mapping("event_types:\n  Approve: TripOK\nobject_types:\n  employee: person\nqualifiers:\n"
                    "  emp: somebody\nattributes:\n  grade: rnak\n  Exit:\n    gate: port2\nvalues:\n"
                    "  rank: {处级: general}\nunmapped: ignore\nextra: 1\n", tmp_path)
    with pytest.raises(InputError) as err:
        read_mapping(path)
    found = {(p.field, p.line) for p in err.value.problems}
    assert found == {("extra", 14), ("event_types.Approve", 2), ("object_types.employee", 4),
                     ("qualifiers.emp", 6), ("attributes.grade", 8), ("attributes.Exit.gate", 10),
                     ("values.rank.处级", 12), ("unmapped", 13)}
    assert all(p.fix for p in err.value.problems)


def test_mapping_file_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "audit", str(EXPORT), "--mapping", str(_mapping("- a list\n", tmp_path)), "--json")
    assert code == 2 and "a YAML mapping" in json.loads(out)["error"]["message"]
    code, _, err = _run(capsys, "audit", str(EXPORT), "--mapping", str(tmp_path / "none.yaml"))
    assert code == 2 and "none.yaml" in err
    code, _, err = _run(capsys, "audit", str(EXPORT), "--mapping", str(_mapping("a: [1,\n", tmp_path)))
    assert code == 2 and "map.yaml" in err
    csv = tmp_path / "log.csv"
    (tmp_path / "log.objects.csv").write_text("object_id,type\n", encoding="utf-8")
    csv.write_text("event_id,type,time\n", encoding="utf-8")
    code, _, err = _run(capsys, "audit", str(csv), "--mapping", str(MAPPING))
    assert code == 2 and "a mapping applies to OCEL 2.0 logs" in err


def test_audit_is_limited_to_chosen_clauses_and_sections(capsys: pytest.CaptureFixture[str]) -> None:
    from simlib.cli.audit import read_mapping

    log = read_log(EXPORT, read_mapping(MAPPING))
    everything = audit(log)
    assert {"1.1.a", "4.4.c"} <= set(everything.table["clause"])  # standing obligations a personnel export lacks
    limited = audit(log, clauses=["2.2.a", "3.1"])
    assert set(limited.checks) == {"2.2.a", "3.1.a", "3.1.b"} and set(limited.table["clause"]) == {"3.1.a"}
    assert set(audit(log, sections=["3"]).checks) == {c for c in everything.checks if c.startswith("3.")}
    code, out, _ = _run(capsys, "audit", str(EXPORT), "--mapping", str(MAPPING), "--clauses", "2.2.a,3.1",
                        "--json")
    doc = json.loads(out)
    assert code == 1 and doc["checks"] == 3 and doc["by_clause"] == {"3.1.a": 1}
    code, out, _ = _run(capsys, "audit", str(EXPORT), "--clauses", "9.9", "--sections", "7", "--json")
    problems = json.loads(out)["error"]["problems"]
    assert code == 2 and [p["field"] for p in problems] == ["--clauses", "--sections"]


def test_export_writes_every_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simlib.cli.audit import read_mapping

    source = write_log(read_log(EXPORT, read_mapping(MAPPING)), tmp_path / "log.parquet")
    for name in ("a.jsonocel", "a.sqlite", "a.xmlocel", "a.csv", "a.json", "b.parquet"):
        code, out, _ = _run(capsys, "export", str(source), "--to", str(tmp_path / name))
        assert code == 0 and f"wrote {tmp_path / name}: 5 events, 4 objects" in out
        assert_same_log(read_log(source), read_log(tmp_path / name))
    code, out, _ = _run(capsys, "export", str(source), "--to", str(tmp_path / "a.txt"), "--json")
    assert code == 2 and json.loads(out)["error"]["field"] == "--to" and not (tmp_path / "a.txt").exists()


def test_run_writes_the_chosen_log_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "run"
    code, _, _ = _run(capsys, "run", "training/small", "--set", "calendar.years=0.5", "--set",
                      "organisation.cadres=60", "--out", str(out_dir), "--format", "sqlite")
    seed = next(out_dir.glob("log-*.parquet")).name.removeprefix("log-").removesuffix(".parquet")
    assert code == 0
    assert_same_log(read_log(out_dir / f"log-{seed}.parquet"), read_log(out_dir / f"log-{seed}.sqlite"))


def test_audit_out_is_written_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A findings file cut short while writing leaves the earlier one whole, and nothing beside it."""
    import pandas as pd

    from simlib.files import leftover_parts

    out = tmp_path / "findings.csv"
    code, _, _ = _run(capsys, "audit", str(EXPORT), "--mapping", str(MAPPING), "--out", str(out))
    before = out.read_bytes()
    assert code == 1 and b"3.1.a" in before

    def killed(self: pd.DataFrame, path: Path, **kw: object) -> None:
        Path(path).write_text("clause,cod", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", killed)
    code, _, _ = _run(capsys, "audit", str(EXPORT), "--mapping", str(MAPPING), "--out", str(out))
    assert code == 130 and out.read_bytes() == before and leftover_parts(tmp_path) == []
