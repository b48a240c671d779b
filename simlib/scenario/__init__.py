"""Scenarios: validated, immutable descriptions of one world, loaded from YAML.

>>> from simlib.scenario import load_scenario
>>> sc = load_scenario("scenarios/baseline.yaml", {"behaviour.keep_private_document": 0.3})  # doctest: +SKIP
"""

from simlib.scenario.loader import load_raw, load_scenario, validate
from simlib.scenario.overrides import apply_overrides, get_path, parse_override, parse_sets, set_path
from simlib.scenario.params import Param, ParamInfo, describe, iter_params
from simlib.scenario.presets import Preset, apply_preset, find_scenario, gap_names, preset, presets
from simlib.scenario.schema import CONTROL_CLAUSES, CONTROL_NAMES, Behaviour, Control, Controls, Scenario

__all__ = ["CONTROL_CLAUSES", "CONTROL_NAMES", "Behaviour", "Control", "Controls", "Param", "ParamInfo", "Preset",
           "Scenario", "apply_overrides", "apply_preset", "describe", "find_scenario", "gap_names", "get_path",
           "iter_params", "load_raw", "load_scenario", "parse_override", "parse_sets", "preset", "presets",
           "set_path", "validate"]
