"""Bad input from a person (issue 15 part 1): every scenario file, roster and command-line argument that cannot
be used gets one clear message — file, line, field, fix — in the chosen language (wholly), as text or JSON,
with exit status 2, no traceback and nothing written; the work any input can cost is bounded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from simlib.cli import main
from simlib.errors import InputError
from simlib.i18n import catalogue
from simlib.scenario import load_scenario
from simlib.scenario.loader import MAX_BYTES_ENV, MAX_DEPTH, MAX_NODES, read_yaml

SMALL = "SMALL"  # in ARGUMENTS: replaced by a small scenario file of the test's own
TINY = "name: tiny\norganisation: {cadres: 40}\ncalendar: {years: 0.3}\n"
ALIAS_BOMB = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
                     for p, k in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# English words of the input catalogue (and argparse's own) that must not appear in a Chinese message; a word
# inside an option, a path or an identifier (--seed, behaviour.overstay, training_small) does not count.
ENGLISH = sorted({w.lower() for k, v in catalogue().items() if k.startswith(("input.", "error."))
                  for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}|\S*[._=/-]\S*|'[^']*'", "", v["en"]))}
                 - {"yaml", "utf", "json", "base", "true", "false", "simlib", "help", "baseline", "name",
                    "organisation", "roster", "controls", "private", "custody", "yyyy", "param", "bytes",
                    "seed", "unit", "rank", "excel", "scenario"}
                 | {"usage", "error", "invalid", "required", "unrecognized", "arguments", "expected"})


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![-\w./'=]){w}(?![-\w./'])", text, re.IGNORECASE)]


# ------------------------------------------------------------------------------------------ scenario files

# name -> (file content (str, or bytes), words the English message holds, the line it names or None)
FILES: dict[str, tuple[str | bytes, tuple[str, ...], int | None]] = {
    "alias bomb": (ALIAS_BOMB, ("aliases",), 1),
    "self-referencing alias": ("a: &a [*a]\n", ("aliases",), 1),
    "merge key": ("base: &b {name: x}\nother:\n  <<: *b\n", ("aliases",), 1),
    "deep nesting": ("x: " + "[" * 20_000 + "]" * 20_000 + "\n", ("nested", str(MAX_DEPTH)), 1),
    "deep block nesting": ("".join(f"{' ' * i}k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n",
                           ("nested",), None),
    "too many values": ("x: [" + ", ".join(["1"] * (MAX_NODES + 1)) + "]\n", (f"more than {MAX_NODES} values",), 1),
    "latin-1 bytes": ("name: ok\ndescription:\n  en: caf\xe9\n".encode("latin-1"), ("byte 31", "0xe9"), 3),
    "NUL byte": ("name: a\x00b\n", ("U+0000",), 1),
    "impossible date": ("calendar:\n  start: 2004-13-45\n", ("calendar.start", "not a valid date"), 2),
    "30 February": ("calendar:\n  start: 2005-02-30\n", ("calendar.start", "not a valid date"), 2),
    "duplicate key": ("name: a\nbehaviour:\n  overstay: 0.1\n  overstay: 0.2\n",
                      ("overstay appears twice (lines 3 and 4)",), 4),
    "duplicate on": ("controls:\n  education:\n    on: true\n    on: false\n", ("lines 3 and 4",), 4),
    "empty": ("", ("empty", "simlib run baseline"), None),
    "comments only": ("# nothing here\n\n", ("empty",), None),
    "a list": ("- name: a\n", ("mapping",), 1),
    "a number": ("42\n", ("mapping",), 1),
    "python tag": ("name: !!python/object/apply:os.system ['echo owned']\n", ("tags",), 1),
    "syntax": ("name: a\nbehaviour: {overstay: 0.1\n", ("bracket",), None),
    "unknown field": ("behaviour:\n  keep_private_documnet: 0.3\n", ("unknown field", "keep_private_document"), 2),
    "out of range": ("behaviour:\n  overstay: 1.5\n", ("behaviour.overstay", "between 0 and 1"), 2),
    "not a number": ("behaviour:\n  overstay: lots\n", ("behaviour.overstay", "not a finite number"), 2),
    "nan": ("behaviour:\n  overstay: .nan\n", ("behaviour.overstay",), 2),
    "infinite years": ("calendar:\n  years: .inf\n", ("calendar.years",), 2),
    "huge seed": ("seed: 99999999999999999999999\n", ("seed", "out of range"), 1),
    "fractional count": ("organisation:\n  cadres: 10.5\n", ("organisation.cadres", "whole number"), 2),
    "not a switch": ("controls:\n  education: {on: maybe}\n", ("controls.education.on", "true or false"), 2),
    "section as value": ("behaviour: 3\n", ("behaviour", "mapping"), 1),
    "stay minimum above its mean": ("trips:\n  public_days_mean: 1\ntiming:\n  public_stay_min_days: 5\n",
                                    ("timing.public_stay_min_days (5.0) is larger than trips.public_days_mean",), 4),
    "min above max": ("timing:\n  removal_days_min: 100\n  removal_days_max: 10\n",
                      ("timing.removal_days_min (100.0) is larger than timing.removal_days_max",), 2),
    "rank shares": ("organisation:\n  ranks: {section_or_below: 0.5}\n", ("add up to 1",), 2),
    "missing roster": ("organisation:\n  roster: nowhere.csv\n", ("organisation.roster", "nowhere.csv"), 2),
    "set without base": ("set: {behaviour.overstay: 0.1}\n", ("needs a 'base:'",), 1),
    "gap with a stray field": ("base: baseline.yaml\ncontrols: {}\n", ("may only have", "controls"), 2),
    "gap with a bad path": ("base: baseline.yaml\nset:\n  behaviour.overstey: 0.1\n", ("unknown field",), 3),
    "base loops": ("base: bad.yaml\nset: {}\n", ("loops",), None),
    "base not a path": ("base: [1, 2]\nset: {}\n", ("file path",), 1),
    "base missing": ("base: nowhere.yaml\nset: {}\n", ("no such file",), None),
}


def _write(tmp_path: Path, content: str | bytes) -> Path:
    (tmp_path / "baseline.yaml").write_text("name: b\n", encoding="utf-8")
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", FILES)
def test_a_bad_scenario_file_is_one_clear_message(name: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    content, words, line = FILES[name]
    path = _write(tmp_path, content)
    code, out, err = cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 2 and out == "" and "Traceback" not in err, err
    assert err.startswith("simlib: Input error: ") and "\n  fix: " in err, err
    assert all(w.lower() in err.lower() for w in words), err
    if line is not None:
        assert f"line {line}:" in err, err
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", str(path), "--out", str(out_dir), "--lang", "zh")
    assert code == 2 and out == "" and not out_dir.exists()
    assert err.startswith("simlib: 输入错误: ") and "修改建议" in err and not english_words(err), err
    if line is not None:
        assert f"第 {line} 行" in err


@pytest.mark.parametrize("name", FILES)
def test_a_bad_scenario_file_as_json(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, FILES[name][0])
    code, out, err = cli(capsys, "validate", str(path), "--json", "--lang", "en")
    error = json.loads(out)["error"]
    assert code == 2 and err == "" and set(error) >= {"file", "line", "field", "message", "fix"}
    assert error["file"] and error["message"] and error["fix"]


def test_the_alias_bomb_is_refused_at_its_first_alias(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB.encode()) < 600
    path = _write(tmp_path, ALIAS_BOMB)
    with pytest.raises(InputError) as err:
        read_yaml(path)
    assert err.value.key == "yaml.alias" and err.value.line == 1  # `&a` on line 1: nothing was expanded


def test_all_problems_of_a_file_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "behaviour:\n  overstay: 3\n  bogus: 1\ncalendar:\n  start: 2004-13-45\n"
                            "organisation:\n  cadres: -5\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    found = {(p.field, p.line) for p in err.value.problems}
    assert found == {("behaviour.overstay", 2), ("behaviour.bogus", 3), ("calendar.start", 5),
                     ("organisation.cadres", 7)}
    code, _, text = cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 2 and "4 problems" in text and text.count("    fix: ") == 4


def test_the_size_limit_is_named_and_can_be_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "name: big\n# " + "x" * 1_000_000 + "\n")
    code, _, err = cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 2 and "1000000 bytes" in err and MAX_BYTES_ENV in err
    monkeypatch.setenv(MAX_BYTES_ENV, "2000000")
    assert cli(capsys, "validate", str(path), "--lang", "en")[0] == 0


def test_a_date_via_set_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = tmp_path / "tiny.yaml"
    small.write_text(TINY, encoding="utf-8")
    code, _, err = cli(capsys, "validate", str(small), "--set", "calendar.start=2004-13-45", "--lang", "en")
    assert code == 2 and err.startswith("simlib: Input error: ") and "--set: calendar.start" in err
    code, _, err = cli(capsys, "validate", str(small), "--set", "x=&a [*a]", "--lang", "en")
    assert code == 2 and "aliases" in err


def test_validate_refuses_what_run_would(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A roster that exists but cannot be used fails validate, not only run."""
    (tmp_path / "roster.csv").write_text("cadre_id,unit,unit_level,unit_parent,rank,is_party_member\n"
                                         "p1,top,provincial,,colonel,true\n", encoding="utf-8")
    path = _write(tmp_path, "organisation:\n  roster: roster.csv\n")
    code, _, err = cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 2 and "line 2: rank" in err and "colonel" in err


# ------------------------------------------------------------------------------------------ rosters

HEADER = "cadre_id,unit,unit_level,unit_parent,rank,is_party_member"
ROSTERS: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "empty file": ("", ("no header row",)),
    "header only": (HEADER + "\n", ("no cadres",)),
    "missing column": ("cadre_id,unit\np1,top\n", ("column unit_level is missing", "column rank is missing")),
    "unknown column": (HEADER + ",shoe_size\np1,top,provincial,,bureau,true,42\n", ("unknown column shoe_size",)),
    "duplicate id": (HEADER + "\np1,top,provincial,,bureau,true\np1,top,provincial,,division,true\n",
                     ("line 3: cadre_id",)),
    "bad values": (HEADER + "\np1,top,provincial,,colonel,maybe\n", ("line 2: rank", "line 2: is_party_member")),
    "unknown parent": (HEADER + "\np1,a,county,ghost,division,true\n", ("ghost",)),
    "loop of parents": (HEADER + "\np1,a,county,b,division,true\np2,b,county,a,division,true\n", ("loops",)),
    "unit with two levels": (HEADER + "\np1,a,county,,division,true\np2,a,provincial,,division,true\n",
                             ("different levels",)),
    "latin-1": ((HEADER + "\np1,caf\xe9,county,,division,true\n").encode("latin-1"), ("not utf-8",)),
    "ragged rows": (HEADER + "\np1,a,county,,division,true\np2,a,county,,division,true,x,y,z\n",
                    ("line 3 has 9 fields",)),
}


@pytest.mark.parametrize("name", ROSTERS)
def test_a_bad_roster_is_one_clear_message(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, words = ROSTERS[name]
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content if isinstance(content, bytes) else content.encode())
    path = _write(tmp_path, "organisation:\n  roster: roster.csv\n")
    code, out, err = cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 2 and out == "" and "Traceback" not in err and str(roster) in err, err
    assert all(w.lower() in err.lower() for w in words), err
    code, _, err = cli(capsys, "validate", str(path), "--lang", "zh")
    assert code == 2 and not english_words(err), err


# ------------------------------------------------------------------------------------------ arguments

# argv (run in English and in Chinese) -> words the English message holds
ARGUMENTS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "negative seed": (["run", SMALL, "--seed", "-1"], ("--seed", "out of range")),
    "seed of 2^63": (["run", SMALL, "--seed", str(2**63)], ("--seed", "9223372036854775807")),
    "seed not a number": (["run", SMALL, "--seed", "abc"], ("--seed", "not a whole number")),
    "zero reps": (["run", SMALL, "--reps", "0"], ("--reps", "not a positive number")),
    "negative batch size": (["compare", SMALL, SMALL, "--batch-size", "-3"], ("--batch-size",)),
    "zero batch size": (["compare", SMALL, SMALL, "--batch-size", "0"], ("--batch-size",)),
    "zero workers": (["compare", SMALL, SMALL, "--workers", "0"], ("--workers",)),
    "confidence above 1": (["compare", SMALL, SMALL, "--confidence", "1.5"], ("--confidence",)),
    "confidence nan": (["compare", SMALL, SMALL, "--confidence", "nan"], ("--confidence",)),
    "the same scenario twice": (["compare", SMALL, SMALL], ("more than once",)),
    "sweep outside the allowed range": (["sweep", SMALL, "--param", "behaviour.overstay=0.5:2"],
                                        ("behaviour.overstay", "between 0 and 1")),
    "sweep against another field": (["sweep", SMALL, "--param", "timing.public_stay_min_days=1:29"],
                                    ("timing.public_stay_min_days",)),
    "unknown option": (["run", SMALL, "--bogus"], ("--bogus",)),
    "missing argument": (["run"], ("SCENARIO",)),
    "option without its value": (["run", SMALL, "--seed"], ("--seed",)),
    "unknown command": (["frobnicate"], ("frobnicate",)),
    "bad choice": (["compare", SMALL, SMALL, "--executor", "cloud"], ("cloud",)),
    "missing template": (["report", SMALL, "--template", "nowhere.ipynb"], ("--template", "nowhere.ipynb")),
    "points below 1": (["sweep", SMALL, "--param", "behaviour.overstay", "--points", "0"], ("--points",)),
    "unknown scenario": (["run", "no_such_world"], ("no_such_world",)),
    "bad --set": (["run", SMALL, "--set", "behaviour.overstay"], ("path=value",)),
}


@pytest.mark.parametrize("name", ARGUMENTS)
def test_a_bad_argument_is_one_clear_message(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    world = tmp_path / "world"
    world.mkdir()
    (world / "tiny.yaml").write_text(TINY, encoding="utf-8")
    argv = [str(world / "tiny.yaml") if a == SMALL else a for a in ARGUMENTS[name][0]]
    words = ARGUMENTS[name][1]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # nothing may be written here
    code, out, err = cli(capsys, *argv, "--lang", "en")
    assert code == 2 and out == "" and "Traceback" not in err, err
    assert err.startswith("simlib: Input error: ") and "\n  fix: " in err, err
    assert all(w in err for w in words), err
    code, out, err = cli(capsys, *argv, "--lang", "zh")
    assert code == 2 and err.startswith("simlib: 输入错误: ") and not english_words(err), err
    monkeypatch.setenv("SIMLIB_LANG", "zh")
    code, out, err = cli(capsys, *argv)
    assert code == 2 and err.startswith("simlib: 输入错误: ")
    assert list(work.iterdir()) == [] and list(world.iterdir()) == [world / "tiny.yaml"]


@pytest.mark.parametrize("argv", [["run", SMALL, "--seed", "-1", "--json"], ["frobnicate", "--json"],
                                  ["audit", "nowhere.json", "--json"]])
def test_json_errors(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    argv = [str(tmp_path / "tiny.yaml") if a == SMALL else a for a in argv]
    code, out, err = cli(capsys, *argv, "--lang", "zh")
    error = json.loads(out)["error"]
    assert code == 2 and err == "" and error["message"] and error["fix"]
    assert set(error) == {"file", "line", "field", "message", "fix"}


def test_an_arguments_type_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "compare", "baseline", "pre_notice", "--batch-size", "-3", "--json", "--lang", "en")
    error = json.loads(out)["error"]
    assert code == 2 and error["field"] == "--batch-size" and error["message"] == "-3 is not a positive number"


def test_the_yaml_reader_is_pythons_safe_one() -> None:
    """Arbitrary tags are refused (the loader derives from yaml.SafeLoader, never the unsafe one)."""
    from simlib.scenario.loader import _Loader, parse_yaml

    with pytest.raises(InputError):
        parse_yaml("!!python/object/apply:os.system ['true']", "x")
    assert issubclass(_Loader, yaml.SafeLoader)
