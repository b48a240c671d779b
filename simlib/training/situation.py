"""Situations as small event logs: the plain-language case format of the auditor's tests (``tests/cases``),
shared with the training case bank.

A situation is a mapping with ``objects`` (``{object_type: {id: attributes}}``, added to or overriding a standing
world), ``events`` (``{type, time, ...links and attributes}``), an optional ``end`` (the log's end) and an optional
``params`` (rulebook parameter overrides)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.rulebook import Params, rulebook

World = Mapping[str, Mapping[str, Mapping[str, Any] | None]]


def build_log(situation: Mapping[str, Any], world: World | None = None, source: str | None = None) -> EventLog:
    """World objects, overridden or extended by the situation's objects, plus the situation's events."""
    objects: dict[str, dict[str, Any]] = {k: dict(v) for k, v in copy.deepcopy(dict(world or {})).items()}
    for otype, items in (situation.get("objects") or {}).items():
        objects.setdefault(otype, {}).update(items)
    b = LogBuilder()
    for otype, items in objects.items():
        for oid, attrs in items.items():
            b.add_object(otype, oid, **(attrs or {}))
    for ev in situation.get("events") or []:
        ev = dict(ev)
        b.add_event(ev.pop("type"), str(ev.pop("time")), **ev)
    for ch in situation.get("changes") or []:  # timed attributes: {object: cadre, id: li, time: …, rank: …}
        ch = dict(ch)
        b.change(ch.pop("object"), ch.pop("id"), str(ch.pop("time")), **ch)
    end = situation.get("end")
    return b.build(end=str(end) if end is not None else None, source=source or str(situation.get("id", "situation")))


def params_for(situation: Mapping[str, Any]) -> Params:
    """The rulebook's parameters with the situation's overrides."""
    return rulebook().params.replace(**(situation.get("params") or {}))
