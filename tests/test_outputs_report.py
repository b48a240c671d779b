"""``simlib report --out``: a folder is a run folder (complete, refused, replaced cleanly), a file is replaced only
when asked. The rendering itself is replaced by a stand-in here (tests/test_report.py renders real reports)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from simlib.cli import main as simlib_cli
from simlib.files import PART, write_atomic
from simlib.rundir import MARKER
from simlib.views import report as views_report

ARGS = ["report", "training/small", "--compare", "no_exit_control", "--reps", "2", "--format", "html",
        "--lang", "en"]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The stand-in renderer's calls (its parameters); each writes ``<stem>.<format>`` holding them."""
    calls: list[dict[str, Any]] = []

    def render(template: Path, params: Mapping[str, Any], stem: Path, formats: Sequence[str],
               **_: Any) -> views_report.Rendered:
        calls.append(dict(params))
        paths = {fmt: write_atomic(stem.with_name(f"{stem.name}.{fmt}"), json.dumps(params)) for fmt in formats}
        return views_report.Rendered(paths, None)

    monkeypatch.setattr(views_report, "render_notebook", render)
    return calls


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = simlib_cli([*ARGS, *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_report_folder_is_complete_refused_or_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], renders: list[dict[str, Any]]) -> None:
    assert report(capsys, "--out", str(tmp_path))[0] == 0
    first = "report-small-no_exit_control-en.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, first]
    marker = json.loads((tmp_path / MARKER).read_text())
    assert marker["state"] == "complete" and marker["files"] == [first]
    assert marker["command"].startswith("simlib report training/small --compare no_exit_control --reps 2")

    code, out, _ = report(capsys, "--out", str(tmp_path))
    assert code == 0 and "already holds the complete outputs" in out and len(renders) == 1

    code, _, err = report(capsys, "--out", str(tmp_path), "--reps", "3")
    assert code == 2 and "reps: 2 → 3" in err and "--overwrite" in err and len(renders) == 1

    (tmp_path / f".{first[:-5]}.work{PART}abc").mkdir()  # the work folder of a killed run
    code, _, _ = report(capsys, "--out", str(tmp_path), "--compare", "pre_notice", "--overwrite")
    assert code == 0 and len(renders) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "report-small-pre_notice-en.html"]


def test_a_folder_that_is_not_a_report_folder_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], renders: list[dict[str, Any]]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = report(capsys, "--out", str(tmp_path), "--overwrite")
    assert code == 2 and "not a simlib run folder" in err and "choose another folder" in err
    assert renders == [] and [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_report_file_is_replaced_only_when_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], renders: list[dict[str, Any]]) -> None:
    target = tmp_path / "board.html"
    target.write_text("last month's report")
    code, _, err = report(capsys, "--out", str(target))
    assert code == 2 and "exists already" in err and target.read_text() == "last month's report"
    assert report(capsys, "--out", str(target), "--overwrite")[0] == 0
    assert json.loads(target.read_text())["reps"] == 2 and len(renders) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["board.html"]
