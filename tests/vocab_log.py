"""A log that uses every object type, event type, link and attribute of the vocabulary, built from it.

For each object type: one object with every attribute set, one with only the required ones. For each event
type: one event with every link and attribute set, one with only the required links and attributes.
Values are of the attribute's dtype and chosen to stress the text forms (Chinese, commas, quotes, a line
break, milliseconds, floats that print long).
"""

from __future__ import annotations

from itertools import count
from typing import Any

import pandas as pd

from simlib.log.builder import LogBuilder
from simlib.log.eventlog import EventLog
from simlib.log.vocabulary import EVENT_TYPES, OBJECT_TYPES, Attr, Link

ORIGIN = pd.Timestamp("2004-12-20 08:30:00")
TRICKY = ('甲, "乙"', "line one\nline two", "semi;colon", "  spaced  ", "中文名称")


def value(a: Attr, i: int) -> Any:
    """A value of ``a``'s dtype; ``i`` varies it."""
    if a.dtype == "category":
        return a.choices[i % len(a.choices)]
    if a.dtype == "bool":
        return i % 2 == 0
    if a.dtype == "int":
        return 2000 + i
    if a.dtype == "float":
        return 0.1 + i / 3
    if a.dtype == "time":
        return ORIGIN + pd.Timedelta(days=i, milliseconds=7 * i + 1)
    return f"{a.name}-{i} {TRICKY[i % len(TRICKY)]}"


def object_ids(object_type: str) -> tuple[str, str]:
    return f"{object_type}-full", f"{object_type}-bare"


def _target(lk: Link, i: int) -> str:
    t = lk.types[i % len(lk.types)]
    return object_ids(t)[i % 2]


def vocabulary_log() -> EventLog:
    """The log described in the module docstring."""
    b = LogBuilder()
    n = count()
    for ot in OBJECT_TYPES:
        full, bare = object_ids(ot.name)
        b.add_object(ot.name, full, **{a.name: value(a, next(n)) for a in ot.attrs})
        b.add_object(ot.name, bare, **{a.name: value(a, next(n)) for a in ot.attrs if a.required})
    for k, ot in enumerate(OBJECT_TYPES):
        for j, a in enumerate(ot.timed_attrs):
            b.change(ot.name, object_ids(ot.name)[0], ORIGIN + pd.Timedelta(days=30 + k, hours=j, milliseconds=3),
                     **{a.name: value(a, next(n))})
    for k, et in enumerate(EVENT_TYPES):
        at = ORIGIN + pd.Timedelta(hours=5 * k, milliseconds=k)
        fields: dict[str, Any] = {lk.qualifier: _target(lk, k) for lk in et.single_links}
        fields.update(
            {lk.qualifier: [object_ids("cadre")[0], object_ids("cadre")[1]] for lk in et.many_links}
        )
        fields.update({a.name: value(a, next(n)) for a in et.attrs})
        b.add_event(et.name, at, **fields)
        bare = {lk.qualifier: _target(lk, k + 1) for lk in et.single_links if lk.required}
        bare.update({a.name: value(a, next(n)) for a in et.attrs if a.required})
        b.add_event(et.name, at + pd.Timedelta(days=3), **bare)
    return b.build(end=ORIGIN + pd.Timedelta(days=400, seconds=1), source="vocabulary")
