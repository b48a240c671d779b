"""Every InputError outside simlib/log names a catalogue message, so that in Chinese an error is wholly Chinese;
the results store's damaged-file warning reaches the CLI user as one line in the chosen language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from experiment_standin import ranges, resolve

from simlib.cli import main
from simlib.cli.experiment import run_cli

SIMLIB = Path(__file__).resolve().parent.parent / "simlib"
RERAISES: set[str] = set()
"""``file:line`` of calls that only re-raise a caught InputError (none today)."""

NOT_WORDS = re.compile(r"simlib|--[a-z][a-z-]*|\.[a-z]+\b")
"""The program's name, option names and file extensions are the same in both languages."""


def written_out_errors() -> list[str]:
    """``file:line`` of each ``InputError(...)`` call outside simlib/log that names no catalogue key."""
    found = []
    for path in sorted(SIMLIB.rglob("*.py")):
        if path.relative_to(SIMLIB).parts[0] == "log":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "InputError"
                    and not any(k.arg == "key" for k in node.keywords)):
                found.append(f"{path.relative_to(SIMLIB.parent)}:{node.lineno}")
    return found


def test_every_input_error_outside_the_log_package_names_a_catalogue_key() -> None:
    assert set(written_out_errors()) - RERAISES == set()


def english_words(text: str, paths: list[Path]) -> list[str]:
    """Runs of 4 or more ASCII letters in ``text``, not counting the given paths, options and extensions."""
    for path in sorted(map(str, paths), key=len, reverse=True):
        text = text.replace(path, "")
    return re.findall(r"[A-Za-z]{4,}", NOT_WORDS.sub("", text))


def zh_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["--lang", "zh", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("simlib: 输入错误: ")
    return err


def test_chinese_cli_errors_are_wholly_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("someone's work")
    (foreign / "draft.txt").write_text("someone's work")
    missing, to = tmp_path / "missing.jsonocel", tmp_path / "x.sqlite"
    findings, bare = tmp_path / "x.txt", tmp_path / "x"
    log = foreign / "notes.txt"
    cases = {
        ("run", "baseline", "--out", str(foreign)): "该文件夹非空",
        ("export", str(missing), "--to", str(to)): "文件不存在",
        ("export", str(log), "--to", str(bare)): "没有扩展名",
        ("audit", str(log), "--out", str(findings)): "无法把审计发现写成",
    }
    paths = [foreign, missing, to, findings, bare, log, Path("draft.txt")]  # a file name it holds is named
    for argv, expected in cases.items():
        err = zh_error(capsys, *argv)
        assert expected in err and "修改建议" in err, err
        assert english_words(err, paths) == [], err
    assert sorted(p.name for p in foreign.iterdir()) == ["draft.txt", "notes.txt"]


def test_a_results_store_refusal_is_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "thesis.docx").write_text("someone's work")
    argv = ["compare", "base", "faster", "--reps", "2", "--no-progress", "--out", str(tmp_path), "--lang", "zh"]
    assert run_cli(argv, resolve, ranges) == 2
    err = capsys.readouterr().err
    assert "不是 simlib 的结果库" in err and "thesis" in err
    assert english_words(err.replace("'thesis.docx'", ""), [tmp_path]) == [], err


def test_a_damaged_replication_file_is_one_chinese_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", "base", "faster", "--reps", "2", "--no-progress", "--out", str(tmp_path)]
    assert run_cli(argv, resolve, ranges) == 0
    capsys.readouterr()
    damaged = next(tmp_path.glob("replications/*/r000001.parquet"))
    damaged.write_bytes(b"PAR1")
    assert run_cli([*argv, "--lang", "zh"], resolve, ranges) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if str(damaged) in line]
    assert len(lines) == 1 and lines[0].startswith("simlib: 警告: ") and "将重新运行" in lines[0], err
    assert "DamagedFile" not in err and "warn" not in err
    assert damaged.stat().st_size > 100
