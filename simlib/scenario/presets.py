"""Presets: the baseline, the pre-notice regime and every named enforcement gap as a set of dotted overrides.

A gap file is ``base: ../baseline.yaml`` plus ``set: {path: value}``. Its ``set:`` is the gap itself; it does not
depend on the base, so a gap applies to *any* scenario (the 300-cadre training world, a reduced baseline …)::

    from simlib.scenario import load_scenario, preset
    world = load_scenario("scenarios/training/small.yaml")
    no_exit = preset("no_exit_control").apply(world)      # the training world without exit control

:func:`presets` lists the baseline (no overrides), ``pre_notice`` and every gap of ``scenarios/gaps/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from simlib.errors import InputError
from simlib.scenario.loader import apply_scenario_overrides, check_path, read_yaml
from simlib.scenario.schema import Scenario, Text

PresetKind = Literal["baseline", "regime", "gap"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout, for an editable install
BASELINE = "baseline"
PRE_NOTICE = "pre_notice"
SCENARIO_DIRS = ("scenarios", "scenarios/gaps", "scenarios/training")


def scenarios_dir() -> Path:
    """The folder of scenario files: ``./scenarios`` when present, else the checkout's."""
    here = Path.cwd() / "scenarios"
    return here if (here / "gaps").is_dir() else PROJECT_ROOT / "scenarios"


def find_scenario(name: str | Path) -> Path:
    """A scenario file: a path, or a name looked up in scenarios/, scenarios/gaps/ and scenarios/training/."""
    path = Path(name)
    if path.is_file():
        return path
    roots = (Path.cwd(), PROJECT_ROOT)
    folders = [root / folder for root in roots for folder in SCENARIO_DIRS]
    for folder in folders:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for folder in folders for p in folder.glob("*.yaml")})
    raise InputError(field="SCENARIO", key="scenario.unknown",
                     values={"name": repr(str(name)), "names": ", ".join(known) or "-"})


@dataclass(frozen=True)
class Preset:
    """A named modification: dotted path → value, with its description (zh, en) and the file it came from."""

    name: str
    kind: PresetKind
    overrides: dict[str, Any] = field(default_factory=dict)
    description: Text = field(default_factory=Text)
    source: str = ""

    def apply(self, scenario: Scenario, name: str | None = None) -> Scenario:
        """``scenario`` with this preset's overrides (validated); named ``name``, else this preset's name
        (the baseline preset keeps the scenario's own name)."""
        out = scenario.replace(**self.overrides) if self.overrides else scenario
        new_name = name or (scenario.name if self.kind == "baseline" else self.name)
        return out if out.name == new_name else out.replace(name=new_name)

    def apply_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """The same on plain scenario data (a copy; paths are checked against the schema)."""
        return apply_scenario_overrides(data, self.overrides, source=self.source or self.name)

    def text(self, lang: str) -> str:
        """The description in ``lang`` (the other language when one is empty)."""
        zh, en = self.description.zh, self.description.en
        return (zh or en) if lang == "zh" else (en or zh)


def read_preset(path: str | Path, kind: PresetKind = "gap") -> Preset:
    """The preset of one ``base:`` + ``set:`` file: its ``set:`` paths (checked against the schema), name and
    description."""
    path = Path(path)
    data = read_yaml(path)[0]
    if "set" not in data or "base" not in data:
        raise InputError(source=str(path), field="set", key="scenario.preset_file")
    sets = data.get("set") or {}
    if not isinstance(sets, dict):
        raise InputError(source=str(path), field="set", key="scenario.bad_set")
    overrides = {str(k): v for k, v in sets.items()}
    for key in overrides:
        check_path(key, source=str(path))
    desc = data.get("description") or {}
    text = Text(**desc) if isinstance(desc, dict) else Text(en=str(desc), zh=str(desc))
    return Preset(str(data.get("name") or path.stem), kind, overrides, text, str(path))


@cache
def _presets(root: str) -> tuple[Preset, ...]:
    folder = Path(root)
    base = read_yaml(folder / "baseline.yaml")[0] if (folder / "baseline.yaml").is_file() else {}
    desc = base.get("description") or {}
    out = [Preset(BASELINE, "baseline", {}, Text(**desc) if isinstance(desc, dict) else Text(),
                  str(folder / "baseline.yaml"))]
    if (folder / "pre_notice.yaml").is_file():
        out.append(read_preset(folder / "pre_notice.yaml", "regime"))
    out += [read_preset(p, "gap") for p in sorted((folder / "gaps").glob("*.yaml"))]
    return tuple(out)


def presets(root: str | Path | None = None) -> list[Preset]:
    """The baseline, the pre-notice regime and every gap (by file name), from ``root`` (default:
    :func:`scenarios_dir`)."""
    return list(_presets(str(Path(root or scenarios_dir()).resolve())))


def gap_names(root: str | Path | None = None) -> list[str]:
    """The names of every named enforcement gap."""
    return [p.name for p in presets(root) if p.kind == "gap"]


def preset(name: str | Path, root: str | Path | None = None) -> Preset:
    """A preset by name (``"no_exit_control"``, ``"pre_notice"``, ``"baseline"``) or by the path of a gap file."""
    if str(name).endswith((".yaml", ".yml")) and Path(name).is_file():
        return read_preset(name)
    known = presets(root)
    for p in known:
        if p.name == str(name) or Path(p.source).stem == str(name):
            return p
    raise InputError(field="preset", key="scenario.no_preset",
                     values={"name": repr(str(name)), "names": ", ".join(p.name for p in known)})


def apply_preset(scenario: Scenario, name: str | Path | Preset, *, as_name: str | None = None) -> Scenario:
    """``scenario`` with the preset (a gap, ``pre_notice``, ``baseline``) applied."""
    p = name if isinstance(name, Preset) else preset(name)
    return p.apply(scenario, as_name)
