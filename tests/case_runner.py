"""Load the plain-language audit cases in tests/cases/ and turn each into an event log."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from simlib.log.eventlog import EventLog
from simlib.rulebook import Params
from simlib.training import situation

CASES = Path(__file__).parent / "cases"


@cache
def _world() -> dict[str, dict[str, dict[str, Any]]]:
    return yaml.load((CASES / "world.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def world() -> dict[str, dict[str, dict[str, Any]]]:
    """A fresh copy of the standing world."""
    return copy.deepcopy(_world())


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES.glob("section*.yaml")):
        for case in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []:
            case["file"] = path.name
            cases.append(case)
    return cases


def build_log(case: dict[str, Any]) -> EventLog:
    """World objects, overridden or extended by the case's objects, plus the case's events."""
    return situation.build_log(case, _world(), source=case["id"])


def params_for(case: dict[str, Any]) -> Params:
    return situation.params_for(case)
