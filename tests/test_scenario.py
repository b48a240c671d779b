"""Scenarios: the baseline, the gaps, pre-notice and training worlds load; bad input is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from simlib.cli import main as model_cli
from simlib.errors import InputError
from simlib.i18n import has, t
from simlib.rulebook import rulebook
from simlib.scenario import (
    CONTROL_CLAUSES,
    CONTROL_NAMES,
    Scenario,
    describe,
    iter_params,
    load_raw,
    load_scenario,
    parse_sets,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
GAPS = sorted((SCENARIOS / "gaps").glob("*.yaml"))
TRAINING = sorted((SCENARIOS / "training").glob("*.yaml"))


def _without_texts(sc: Scenario) -> dict:
    d = sc.model_dump(mode="json")
    d.pop("name")
    d.pop("description")
    return d


def test_baseline_is_the_schema_defaults() -> None:
    base = load_scenario(SCENARIOS / "baseline.yaml")
    assert base.name == "baseline" and base.description.en and base.description.zh
    assert _without_texts(base) == _without_texts(Scenario())
    assert all(base.control(n).on and base.control(n).level == 1.0 for n in CONTROL_NAMES)


def _leaves(node: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in node.items():
        key = "on" if key is True else str(key)  # YAML 1.1 reads a bare `on:` as True
        out |= _leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return out


def test_baseline_writes_out_every_parameter() -> None:
    """Every parameter but the readings of the notice (``rules``), whose defaults have one source: the rulebook."""
    raw = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"))
    written = _leaves(raw) - {"name", "description.en", "description.zh"}
    assert written == {p.path for p in iter_params(Scenario) if not p.path.startswith("rules.")}


def test_every_control_cites_its_clause_and_is_described() -> None:
    assert set(CONTROL_CLAUSES) == set(CONTROL_NAMES) and len(CONTROL_NAMES) >= 30
    for name in CONTROL_NAMES:
        for lang in ("zh", "en"):
            assert t(f"scn.controls.{name}", lang)


def test_every_parameter_has_unit_source_range_and_both_languages() -> None:
    rows = describe(Scenario, "en")
    assert len(rows) > 100
    for p in iter_params(Scenario):
        assert p.unit, p.path
        assert p.source, p.path
        if p.annotation in ("float", "int"):
            assert p.range is not None, p.path
        if p.path.startswith("rules."):  # described in both languages by the rulebook
            doc = rulebook().parameters[p.path.removeprefix("rules.")].doc
            assert doc.zh and doc.en, p.path
            continue
        key = f"scn.{p.path}" if not p.path.startswith("controls.") else f"scn.{p.path.rsplit('.', 1)[0]}"
        assert has(key) and t(key, "zh") and t(key, "en"), key


@pytest.mark.parametrize("path", GAPS, ids=lambda p: p.stem)
def test_gap_is_a_documented_modification_of_the_baseline(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["base"] == "../baseline.yaml"
    assert set(raw) <= {"base", "name", "description", "set"} and raw["set"]
    assert raw["description"]["en"] and raw["description"]["zh"]
    gap = load_scenario(path)
    assert gap.name == path.stem
    assert _without_texts(gap) != _without_texts(Scenario())
    assert gap.organisation == Scenario().organisation  # a gap changes enforcement, not the world


def test_at_least_twelve_gaps() -> None:
    assert len(GAPS) >= 12


def test_pre_notice_states_each_difference() -> None:
    text = (SCENARIOS / "pre_notice.yaml").read_text(encoding="utf-8")
    sets = [ln for ln in text.splitlines() if ln.startswith("  controls.")]
    assert len(sets) >= 10 and all("#" in ln for ln in sets)
    pre = load_scenario(SCENARIOS / "pre_notice.yaml")
    assert not pre.controls.private_custody.on and not pre.controls.networked_db.on
    assert pre.controls.registration.level < 1.0


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: p.stem)
def test_training_worlds_are_small(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.organisation.cadres <= 500 and sc.calendar.years <= 5


def test_unknown_field_names_path_and_allowed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("behaviour:\n  keep_private_documnet: 0.3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    e = err.value
    assert e.source == str(bad) and e.field == "behaviour.keep_private_documnet"
    assert "keep_private_document" in e.fix


def test_value_out_of_range_names_the_range(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("controls:\n  private_custody: {on: true, level: 1.5}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert err.value.field == "controls.private_custody.level"
    assert "0" in err.value.fix and "1" in err.value.fix and "1.5" in err.value.message


def test_rank_shares_must_add_up(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisation:\n  ranks: {section_or_below: 0.5}\n", encoding="utf-8")
    with pytest.raises(InputError, match="add up to 1"):
        load_scenario(bad)


def test_gap_file_with_stray_field_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "baseline.yaml").write_text("name: b\n", encoding="utf-8")
    gap = tmp_path / "gap.yaml"
    gap.write_text("base: baseline.yaml\ncontrols: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_raw(gap)
    assert err.value.field == "controls" and "set:" in err.value.fix


def test_overrides_by_dotted_path() -> None:
    sets = parse_sets(["behaviour.keep_private_document=0.3", "controls.private_custody.on=false",
                       "calendar.start=2006-01-01"])
    sc = load_scenario(SCENARIOS / "baseline.yaml", sets)
    assert sc.behaviour.keep_private_document == 0.3 and not sc.controls.private_custody.on
    assert sc.calendar.start.year == 2006
    with pytest.raises(InputError) as err:
        load_scenario(SCENARIOS / "baseline.yaml", {"controls.private_custody.onn": False})
    assert "on, level" in err.value.fix
    with pytest.raises(InputError, match="path=value"):
        parse_sets(["behaviour.overstay"])


def test_scenarios_are_immutable_and_replace_validates() -> None:
    sc = Scenario()
    with pytest.raises(ValidationError):
        sc.behaviour.overstay = 0.5  # type: ignore[misc]
    assert sc.replace(**{"behaviour.overstay": 0.5}).behaviour.overstay == 0.5
    assert sc.behaviour.overstay == Scenario().behaviour.overstay
    with pytest.raises(InputError):
        sc.replace(**{"behaviour.overstay": 2.0})
    compliant = sc.compliant()
    assert compliant.behaviour.keep_private_document == 0 and compliant.behaviour.funds_mean > 0


def test_validate_command_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert model_cli(["validate", str(SCENARIOS / "gaps" / "no_private_custody.yaml"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "private_custody=off" in out and "valid scenario" in out
    assert model_cli(["validate", str(SCENARIOS / "baseline.yaml"), "--set", "behaviour.overstay=2"]) == 2
    err = capsys.readouterr().err
    assert "behaviour.overstay" in err and "0" in err
    assert model_cli(["validate", str(SCENARIOS / "missing.yaml")]) == 2
    assert model_cli(["validate", str(SCENARIOS / "baseline.yaml"), "--params", "--lang", "zh"]) == 0
    assert "behaviour.keep_private_document" in capsys.readouterr().out


# -- rules: the readings of the notice, per scenario ------------------------------------------------------------
def test_rules_default_to_the_rulebook_and_cover_every_option_and_assumption() -> None:
    rules = Scenario().rules
    assert rules.changed() == {} and rules.params().as_dict() == rulebook().params.as_dict()
    settable = {p.path.removeprefix("rules.") for p in iter_params(Scenario) if p.path.startswith("rules.")}
    for name, p in rulebook().parameters.items():
        if p.kind != "notice" or p.range is not None:  # every option and assumption; numbers of the notice too
            assert name in settable, name


def test_a_scenario_sets_a_reading_and_the_audit_parameters_follow(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_text("name: prompt\nrules:\n  prompt_incident_days: 5\n  day_count: working\n"
                    "  rest_day_rollover: true\n", encoding="utf-8")
    sc = load_scenario(path)
    assert sc.rules.changed() == {"day_count": "working", "rest_day_rollover": True, "prompt_incident_days": 5}
    params = sc.rules.params()
    assert (params.prompt_incident_days, params.day_count, params.public_doc_days) == (5, "working", 15)
    swept = sc.replace(**{"rules.doc_report_days": 45})  # a sweep sets a reading by its dotted path
    assert swept.rules.params().doc_report_days == 45
    assert {p.path: p.range for p in iter_params(Scenario)}["rules.doc_report_days"] == (1, 180)


@pytest.mark.parametrize(("setting", "field", "fix"), [
    ("day_count: lunar", "rules.day_count", "calendar"),
    ("public_doc_days: 100", "rules.public_doc_days", "between 1"),
    ("rest_day_rollover: sometimes", "rules.rest_day_rollover", ""),
    ("prompt_days: 5", "rules.prompt_days", "prompt_incident_days"),
])
def test_a_bad_reading_names_the_file_field_and_fix(tmp_path: Path, setting: str, field: str, fix: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nrules:\n  {setting}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = str(err.value)
    assert str(path) in text and field in text and fix in text
