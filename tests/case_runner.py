"""Load the plain-language audit cases in tests/cases/ and turn each into an event log."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from simlib.log.eventlog import EventLog, LogBuilder
from simlib.rulebook import rulebook

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
    objects = world()
    for otype, items in (case.get("objects") or {}).items():
        objects.setdefault(otype, {}).update(items)
    b = LogBuilder()
    for otype, items in objects.items():
        for oid, attrs in items.items():
            b.add_object(otype, oid, **(attrs or {}))
    for ev in case.get("events") or []:
        ev = dict(ev)
        b.add_event(ev.pop("type"), str(ev.pop("time")), **ev)
    return b.build(end=str(case["end"]) if "end" in case else None, source=case["id"])


def params_for(case: dict[str, Any]):
    return rulebook().params.replace(**(case.get("params") or {}))
