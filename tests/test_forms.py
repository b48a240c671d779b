"""The planners' form: generated from the scenario schema, one widget per dotted path, presets that apply a named
gap to any scenario (the training world included), and an explorer whose newest change wins."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simlib.errors import InputError
from simlib.scenario import Scenario, gap_names, iter_params, load_scenario, preset, presets
from simlib.scenario.presets import read_preset
from simlib.views.forms import WORLD, ScenarioForm
from simlib.views.widgets import FIELD_CLASS, css_class

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "scenarios/training/small.yaml"


@pytest.fixture(scope="module")
def world() -> Scenario:
    return load_scenario(TRAINING)


@pytest.fixture(scope="module")
def form(world: Scenario) -> ScenarioForm:
    return ScenarioForm(world, "en")


def test_the_form_covers_every_parameter_of_the_schema(form: ScenarioForm) -> None:
    # the readings of the notice and the process timings are not in the form (yet)
    params = [p for p in iter_params(Scenario) if not p.path.startswith(("rules.", "timing."))]
    wanted = {p.path for p in params if p.annotation in ("bool", "int", "float", "date")}
    left_out = wanted - set(form.paths)
    assert left_out == {*WORLD, "seed", "calendar.start"}  # the world's size lives in the explorer's own controls
    assert {p.path for p in params if p.annotation not in ("bool", "int", "float", "date")} == {
        "organisation.roster"}  # a path, not a what-if


def test_each_widget_maps_to_its_dotted_path(form: ScenarioForm, world: Scenario) -> None:
    for path, widget in form.widgets.items():
        assert FIELD_CLASS in widget._dom_classes and css_class(path) in widget._dom_classes
        assert form.specs[path].help("en")  # a tooltip with text, unit and source
    spec = form.specs["behaviour.keep_private_document"]
    widget = form.widgets["behaviour.keep_private_document"]
    assert (widget.min, widget.max) == spec.range and "probability per return" in widget.tooltip
    form.reset()
    assert form.overrides() == {}
    widget.value = 0.5
    form.widgets["controls.inspections.on"].value = False
    assert form.overrides() == {"behaviour.keep_private_document": 0.5, "controls.inspections.on": False}
    sc = form.scenario()
    assert sc.behaviour.keep_private_document == 0.5 and not sc.controls.inspections.on
    assert sc.organisation.cadres == world.organisation.cadres
    form.reset()


def test_observers_are_told_once_per_preset(form: ScenarioForm) -> None:
    seen: list[dict] = []
    form.on_change(seen.append)
    form.apply_preset("pre_notice")
    assert len(seen) == 1 and seen[0] == preset("pre_notice").overrides
    form._callbacks.clear()
    form.reset()


def test_presets_are_the_baseline_the_pre_notice_regime_and_every_gap() -> None:
    names = [p.name for p in presets()]
    files = sorted(p.stem for p in (ROOT / "scenarios/gaps").glob("*.yaml"))
    assert names[:2] == ["baseline", "pre_notice"] and sorted(names[2:]) == files == sorted(gap_names())
    assert preset("baseline").overrides == {}


def test_a_gap_applies_to_the_training_world(world: Scenario, form: ScenarioForm) -> None:
    gap = preset("no_exit_control")
    alt = gap.apply(world)
    assert alt.name == "no_exit_control" and not alt.controls.exit_control_recommendation.on
    assert alt.organisation.cadres == world.organisation.cadres == 300  # the training world, not the baseline's
    assert alt.calendar.years == world.calendar.years
    assert form.apply_preset("no_exit_control") == gap.overrides
    for p in presets():  # every preset is valid on the training world and changes only its own paths
        changed = p.apply(world).model_dump(mode="json")
        assert changed["organisation"]["cadres"] == 300
        assert form.apply_preset(p) == {k: v for k, v in p.overrides.items() if v != _get(world, k)}
    form.reset()


def _get(sc: Scenario, path: str) -> object:
    node: object = sc.model_dump(mode="json")
    for part in path.split("."):
        node = node[part]  # type: ignore[index]
    return node


def test_a_bad_preset_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: ../baseline.yaml\nname: bad\nset:\n  controls.no_such.on: false\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_preset(bad)
    assert "no_such" in str(err.value) and err.value.source == str(bad)
    with pytest.raises(InputError):
        preset("not_a_gap")


def test_the_newest_change_wins_and_the_form_stays_responsive() -> None:
    from simlib.views.explorer_app import ExplorerApp

    with ExplorerApp("training/small", reps=2, cadres=60, years=0.5, executor="serial", lang="en",
                     auto=False) as app:
        started = time.perf_counter()
        app.request({"controls.private_custody.on": False})
        app.request({"behaviour.overstay": 0.5})  # supersedes the first
        assert time.perf_counter() - started < 0.5  # returns at once: the look runs off this thread
        look = app.wait(timeout=120)
        assert look is not None and look.overrides == {"behaviour.overstay": 0.5}
        assert "simlib-explorer-differences" in app.differences.value
        assert "2 replications" in app.status.value and "paired t-interval" in app.status.value
        assert app.superseded <= 1
        first = app.differences.value
        app.select("no_private_custody")
        app.look()
        assert app.differences.value != first
