"""simlib.files: outputs appear whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.files import atomic_path, leftover_parts, write_atomic


class Boom(Exception):
    pass


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "kpis.csv"
    target.write_text("old\n")
    write_atomic(target, "a,b\r\n1,2\n")
    assert target.read_bytes() == b"a,b\r\n1,2\n"  # text written exactly as given
    assert leftover_parts(tmp_path) == []


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "findings.csv"
    target.write_text("complete\n")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise Boom
    assert target.read_text() == "complete\n"
    assert leftover_parts(tmp_path) == []


def test_folder_replaced_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "log"
    target.mkdir()
    (target / "old.parquet").write_text("old")
    with pytest.raises(Boom), atomic_path(target, directory=True) as tmp:
        (tmp / "new.parquet").write_text("new")
        raise Boom
    assert [p.name for p in target.iterdir()] == ["old.parquet"]
    with atomic_path(target, directory=True) as tmp:
        (tmp / "new.parquet").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.parquet"]
    assert leftover_parts(tmp_path) == []


def test_leftovers_of_a_killed_write_are_recognised(tmp_path: Path) -> None:
    (tmp_path / ".kpis.csv.part-abc123").write_text("half")
    (tmp_path / ".hidden").write_text("not ours")
    assert leftover_parts(tmp_path) == [tmp_path / ".kpis.csv.part-abc123"]
