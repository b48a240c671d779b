"""The command line: rules, audit, vocab, report, languages, exit statuses, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simlib.cli import main
from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.log.io import write_log
from simlib.log.vocabdoc import vocabulary_markdown
from simlib.rulebook import rulebook

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _late_passport() -> EventLog:
    b = LogBuilder()
    b.add_object("unit", "county", level="county", parent="")
    b.add_object("agency", "fao", kind="fao", level="provincial")
    b.add_object("cadre", "wang", unit="county", rank="division", is_party_member=True)
    b.add_object("trip", "t1", kind="public_temporary")
    b.add_object("document", "p1", doc_type="public_passport")
    b.add_event("Entry", "2005-03-01", trip="t1", cadre="wang", document="p1")
    b.add_event("DocSurrendered", "2005-03-17", document="p1", cadre="wang", recipient="fao")
    return b.build(end="2005-12-31")


def _quiet() -> EventLog:
    """Nothing to judge: one bulletin, before the notice took effect."""
    b = LogBuilder()
    b.add_object("agency", "fao", kind="fao", level="provincial")
    b.add_event("PassportCustodyBulletin", "2004-06-01", agency="fao")
    return b.build(end="2004-12-01")


# -- rules -----------------------------------------------------------------------------------------------


def test_rules_lists_all_77_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--lang", "en")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 77
    assert lines[1].startswith("T ") and any(line.startswith("3.1.a ") for line in lines)


def test_rules_json_has_full_records(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--json")
    data = json.loads(out)
    assert code == 0 and [c["id"] for c in data] == rulebook().ids and len(data) == 77
    assert {"zh", "en", "kinds", "actor", "obligation", "references"} <= set(data[0])


def test_rules_shows_one_clause_with_parameters_and_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "en", "rules", "3.1.a")
    clause = rulebook().clause("3.1.a")
    assert code == 0 and clause.zh in out and clause.en in out
    assert "public_doc_days = 15 days (set by the notice; source: notice 3.1.a)" in out
    assert "public_documents_handed_in" in out and "Checks citing this clause" in out
    code, out, _ = run(capsys, "rules", "3.1.a", "--json")
    rec = json.loads(out)
    assert rec["id"] == "3.1.a" and any(p["name"] == "public_doc_days" for p in rec["parameters"])
    assert [c["name"] for c in rec["checks"]] == ["public_documents_handed_in"]


def test_rules_unknown_clause_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rules", "9.9.z", "--lang", "en")
    assert code == 2 and out == "" and "no clause '9.9.z'" in err and "simlib rules" in err
    assert "Traceback" not in err


# -- audit -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["log.json", "log.parquet", "log.csv"])
def test_audit_finds_a_late_passport(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    path = write_log(_late_passport(), tmp_path / name)
    code, out, _ = run(capsys, "audit", str(path), "--lang", "en")
    assert code == 1 and "3.1.a" in out and str(path) in out


def test_audit_without_findings_is_exit_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_log(_quiet(), tmp_path / "quiet.json")
    code, out, _ = run(capsys, "audit", str(path), "--lang", "zh")
    assert code == 0 and "未发现" in out


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_audit_writes_the_findings_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    path = write_log(_late_passport(), tmp_path / "log.json")
    out_file = tmp_path / f"findings{suffix}"
    code, _, _ = run(capsys, "audit", str(path), "--out", str(out_file), "--lang", "en")
    table = pd.read_csv(out_file) if suffix == ".csv" else pd.read_parquet(out_file)
    assert code == 1 and "3.1.a" in set(table["clause"].astype(str))
    row = table[table["clause"].astype(str) == "3.1.a"].iloc[0]
    assert "15 days" in row["expected"]


def test_audit_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_log(_late_passport(), tmp_path / "log.json")
    code, out, _ = run(capsys, "audit", str(path), "--json", "--lang", "en")
    data = json.loads(out)
    assert code == 1 and data["by_clause"]["3.1.a"] == 1 and data["events"] == 2
    assert any(r["clause"] == "3.1.a" and r["code"] == "late" for r in data["rows"])


@pytest.mark.parametrize("content", ['{"events": [', "[]", '{"events": [], "objects": [], "eventTypes": []}'])
def test_audit_bad_file_is_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = run(capsys, "audit", str(path), "--lang", "en")
    assert code == 2 and out == ""
    assert err.startswith(f"simlib: Input error: {path}") and "\n  fix: " in err and "Traceback" not in err


def test_audit_missing_file_and_bad_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "audit", str(tmp_path / "none.csv"))
    assert code == 2 and "none.objects.csv" in err and "输入错误" in err
    path = write_log(_quiet(), tmp_path / "quiet.json")
    code, _, err = run(capsys, "audit", str(path), "--out", str(tmp_path / "f.xlsx"), "--lang", "en")
    assert code == 2 and "--out" in err and "FILE.csv" in err


def test_errors_in_chinese_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIMLIB_LANG", raising=False)
    code, _, err = run(capsys, "audit", str(tmp_path / "x.json"))
    assert code == 2 and err.startswith("simlib: 输入错误") and "修改建议" in err


# -- languages, version ----------------------------------------------------------------------------------


def test_language_precedence(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMLIB_LANG", "en")
    assert run(capsys, "rules")[1].startswith("id ")
    assert run(capsys, "--lang", "zh", "rules")[1].startswith("编号")
    assert run(capsys, "--lang", "zh", "rules", "--lang", "en")[1].startswith("id ")
    monkeypatch.setenv("SIMLIB_LANG", "fr")
    assert run(capsys, "rules")[1].startswith("编号")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("simlib 0.")


# -- vocab, report ---------------------------------------------------------------------------------------


def test_vocab_writes_the_reference(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "docs" / "vocab.md"
    code, out, _ = run(capsys, "vocab", "--out", str(target), "--lang", "en")
    assert code == 0 and str(target) in out
    assert target.read_text(encoding="utf-8") == vocabulary_markdown()
    code, out, _ = run(capsys, "vocab", "--out", "-")
    assert out == vocabulary_markdown()


def test_committed_vocabulary_reference_is_current() -> None:
    committed = (ROOT / "docs" / "event-vocabulary.md").read_text(encoding="utf-8")
    assert committed == vocabulary_markdown(), (
        "docs/event-vocabulary.md is out of date with simlib/log/vocabulary.py: "
        "run `simlib vocab` to regenerate"
    )


@pytest.mark.slow
def test_report_renders_the_comparison_as_html(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "report", "training/small", "--compare", "no_exit_control", "--reps", "2",
                       "--format", "html", "--out", str(tmp_path), "--lang", "en")
    html = tmp_path / "report-small-no_exit_control-en.html"
    assert code == 0 and f"HTML report: {html}" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [".simlib-run.json", html.name]  # no PDF, no temporary
    text = html.read_text(encoding="utf-8")
    assert "<h2>Executive summary</h2>" in text and "no_exit_control" in text
    assert "simlib report training/small --compare no_exit_control --reps 2 --seed 0 --lang en" in text


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("simlib")
    if not exe.exists():
        pytest.skip("simlib console script not installed in this environment")
    env = {**os.environ, "SIMLIB_LANG": "en"}
    bad = tmp_path / "log.csv"
    bad.write_text("event_id,type\n")
    (tmp_path / "log.objects.csv").write_text("object_id,type\n")
    proc = subprocess.run([str(exe), "audit", str(bad)], capture_output=True, text=True, env=env)
    assert (
        proc.returncode == 2 and "column 'time' is missing" in proc.stderr and "Traceback" not in proc.stderr
    )
