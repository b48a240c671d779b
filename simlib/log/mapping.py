"""A mapping from a foreign log's vocabulary onto simlib's, so that a real system's OCEL 2.0 export can be audited.

A mapping file (YAML, ``simlib audit LOG --mapping MAP.yaml``; format reference: docs/log-mapping.md)::

    event_types:            # foreign event type: simlib event type, or null to leave those events out
      Approve trip: TripApproved
      Coffee break: null
    object_types:           # foreign object type: simlib object type, or null
      employee: cadre
      department: unit
    qualifiers:             # foreign qualifier: simlib link or object relation (cadre → unit: unit)
      employee: cadre
      department: unit
      approving department: approver
    attributes:             # foreign attribute: simlib attribute (for every type) …
      grade: rank
      TripApproved:         # … or for one simlib type only
        return date: approved_return
    values:                 # simlib attribute: {foreign value: simlib value}
      rank: {处级: division, 副处级: deputy_division}
    unmapped: error         # a type neither named here nor in the vocabulary: error (default) or drop

Names the mapping does not mention pass through unchanged, so a mapping names only what differs. Every target
is checked against the vocabulary when the mapping is read, and all problems are reported together with their
lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simlib.errors import MAX_PROBLEMS, InputError
from simlib.log.vocabulary import EVENTS, ID_ATTRIBUTES, OBJECTS, Attr

SECTIONS = ("event_types", "object_types", "qualifiers", "attributes", "values", "unmapped")
QUALIFIERS = frozenset(lk.qualifier for et in EVENTS.values() for lk in et.links) | frozenset(
    a for attrs in ID_ATTRIBUTES.values() for a in attrs)  # event links and object-to-object relations
ATTRS: dict[str, list[Attr]] = {}
for _kind in (*EVENTS.values(), *OBJECTS.values()):
    for _a in _kind.attrs:
        ATTRS.setdefault(_a.name, []).append(_a)
DOCS = "docs/log-mapping.md"


@dataclass
class LogMapping:
    """A validated mapping (:meth:`from_data`), applied to an OCEL 2.0 document by :meth:`apply`."""

    event_types: dict[str, str | None] = field(default_factory=dict)
    object_types: dict[str, str | None] = field(default_factory=dict)
    qualifiers: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    typed_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    drop_unmapped: bool = False

    @classmethod
    def from_data(cls, data: Any, source: str = "<mapping>", lines: Mapping[str, int] | None = None) -> LogMapping:
        """Check ``data`` (the parsed YAML) and build the mapping, or raise one :class:`InputError` naming every
        problem with its line (``lines``: dotted key path → line)."""
        lines = lines or {}
        problems: list[InputError] = []

        def bad(path: str, key: str, **values: Any) -> None:
            """One problem at ``path``: the catalogue's ``input.log.mapping.<key>``."""
            problems.append(InputError(source=source, field=path, line=lines.get(path), key=f"log.mapping.{key}",
                                       values={"docs": DOCS, **values}))

        if not isinstance(data, dict) or not data:
            raise InputError(source=source, key="log.mapping.not_a_map",
                             values={"sections": ", ".join(SECTIONS), "docs": DOCS})
        out = cls()
        for key in data:
            if key not in SECTIONS:
                bad(str(key), "unknown_section", section=repr(key), sections=", ".join(SECTIONS))
        for section, known, target in (("event_types", EVENTS, out.event_types),
                                       ("object_types", OBJECTS, out.object_types)):
            for foreign, ours in _pairs(data, section, bad):
                if ours is not None and ours not in known:
                    bad(f"{section}.{foreign}", f"not_{section[:-1]}", name=repr(ours), choices=", ".join(known))
                target[foreign] = ours
        for foreign, ours in _pairs(data, "qualifiers", bad):
            if ours not in QUALIFIERS:
                bad(f"qualifiers.{foreign}", "not_qualifier", name=repr(ours), choices=", ".join(sorted(QUALIFIERS)))
            out.qualifiers[foreign] = str(ours)
        for foreign, ours in _pairs(data, "attributes", bad):
            if isinstance(ours, dict):
                kind = EVENTS.get(foreign) or OBJECTS.get(foreign)
                if kind is None:
                    bad(f"attributes.{foreign}", "not_type", name=repr(foreign))
                    continue
                names = {a.name for a in kind.attrs}
                for f2, o2 in ours.items():
                    if o2 not in names:
                        bad(f"attributes.{foreign}.{f2}", "not_attribute_of", name=repr(o2), type=foreign,
                            choices=", ".join(sorted(names)) or "(none)")
                out.typed_attributes[foreign] = {str(k): str(v) for k, v in ours.items()}
            else:
                if ours not in ATTRS:
                    bad(f"attributes.{foreign}", "not_attribute", name=repr(ours))
                out.attributes[foreign] = str(ours)
        for attr, table in _pairs(data, "values", bad):
            same_name = ATTRS.get(attr)
            if same_name is None or not isinstance(table, dict):
                bad(f"values.{attr}", "values_not_attribute" if same_name is None else "values_not_a_map",
                    name=repr(attr))
                continue
            choices = [c for a in same_name if a.choices for c in a.choices]
            for foreign, ours in table.items():
                if choices and len(choices) == sum(len(a.choices) for a in same_name) and ours not in choices:
                    bad(f"values.{attr}.{foreign}", "not_value", name=repr(ours), attr=attr,
                        choices=", ".join(dict.fromkeys(choices)))
            out.values[attr] = {str(k): v for k, v in table.items()}
        unmapped = data.get("unmapped", "error")
        if unmapped not in ("error", "drop"):
            bad("unmapped", "unmapped", name=repr(unmapped))
        out.drop_unmapped = unmapped == "drop"
        if problems:
            raise InputError.many(problems[:MAX_PROBLEMS], source)
        return out

    def _type(self, name: str, table: Mapping[str, str | None], known: Mapping[str, Any]) -> str | None:
        """The simlib type of a foreign type (None: left out)."""
        if name in table:
            return table[name]
        return None if self.drop_unmapped and name not in known else name

    def _attr(self, kind: str, name: str) -> str:
        return self.typed_attributes.get(kind, {}).get(name) or self.attributes.get(name, name)

    def _value(self, attr: str, value: Any) -> Any:
        table = self.values.get(attr)
        if table is None:
            return value
        key = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        ours = table.get(key, value)
        return ("true" if ours else "false") if isinstance(ours, bool) else ours

    def _attributes(self, kind: str, attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for a in attrs:
            name = self._attr(kind, a["name"])
            out.append({**a, "name": name, "value": self._value(name, a["value"])})
        return out

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document with types, qualifiers, attribute names and values mapped, and what maps to null (or
        is unmapped, with ``unmapped: drop``) left out together with the relationships to it."""
        if not isinstance(doc, dict):
            return doc
        objects, kept = [], set()
        for ob in doc.get("objects", []):
            if not isinstance(ob, dict) or not isinstance(ob.get("type"), str):
                objects.append(ob)  # left to the structural check
                continue
            kind = self._type(ob["type"], self.object_types, OBJECTS)
            if kind is None:
                continue
            kept.add(ob.get("id"))
            objects.append({**ob, "type": kind, "attributes": self._attributes(kind, ob.get("attributes", [])),
                            "relationships": self._relationships(ob.get("relationships", []))})
        dropped = {ob.get("id") for ob in doc.get("objects", []) if isinstance(ob, dict)} - kept
        events = []
        for ev in doc.get("events", []):
            if not isinstance(ev, dict) or not isinstance(ev.get("type"), str):
                events.append(ev)
                continue
            kind = self._type(ev["type"], self.event_types, EVENTS)
            if kind is None:
                continue
            rels = [r for r in self._relationships(ev.get("relationships", [])) if r.get("objectId") not in dropped]
            events.append({**ev, "type": kind, "attributes": self._attributes(kind, ev.get("attributes", [])),
                           "relationships": rels})
        types = {}
        for section, table, known in (("eventTypes", self.event_types, EVENTS), ("objectTypes", self.object_types,
                                                                                  OBJECTS)):
            types[section] = [{**t, "name": kind, "attributes": [{**a, "name": self._attr(kind, a["name"])}
                                                                 for a in t.get("attributes", [])]}
                              for t in doc.get(section, []) if isinstance(t, dict) and isinstance(t.get("name"), str)
                              for kind in [self._type(t["name"], table, known)] if kind is not None]
        return {**doc, **types, "objects": objects, "events": events}

    def _relationships(self, rels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "qualifier": self.qualifiers.get(r.get("qualifier"), r.get("qualifier"))}
                if isinstance(r, dict) else r for r in rels]


def _pairs(data: dict[str, Any], section: str, bad: Any) -> list[tuple[str, Any]]:
    """The (foreign, simlib) pairs of one section (a problem if it is not a mapping)."""
    value = data.get(section)
    if value is None:
        return []
    if not isinstance(value, dict):
        bad(section, "section_not_a_map", section=section)
        return []
    return [(str(k), v) for k, v in value.items()]
