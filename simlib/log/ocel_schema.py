"""The OCEL 2.0 JSON schema (package data) and the structural validation of a document against it.

``jsonschema`` is the authority, but walks a million events in minutes; :func:`conforms` checks the same
few rules in a plain loop first, and jsonschema runs only to describe what is wrong with a document that
does not conform (tests check that the two agree).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from simlib.errors import InputError

Doc = dict[str, Any]
VALUE_TYPES = (str, int, float)  # JSON string, number and boolean (bool is an int)


@cache
def published_schema() -> Doc:
    """The OCEL 2.0 JSON schema (package data)."""
    text = resources.files("simlib.log").joinpath("schemas", "ocel20-schema-json.json").read_text("utf-8")
    return json.loads(text)


@cache
def reading_schema() -> Doc:
    """The published schema, relaxed to also accept JSON numbers and booleans as attribute values
    (pm4py writes them so); the values are then checked against the declared vocabulary types."""
    schema = json.loads(json.dumps(published_schema()))
    props = schema["properties"]
    for section in ("events", "objects"):
        props[section]["items"]["properties"]["attributes"]["items"]["properties"]["value"] = {
            "type": ["string", "number", "boolean"]
        }
    return schema


def _named_types(items: Any) -> bool:
    """``eventTypes``/``objectTypes``: [{name: str, attributes: [{name: str, type: str}]}]."""
    for t in items:
        if type(t) is not dict or type(t["name"]) is not str or type(t["attributes"]) is not list:
            return False
        for a in t["attributes"]:
            if type(a) is not dict or type(a["name"]) is not str or type(a["type"]) is not str:
                return False
    return True


def _relationships(rels: Any) -> bool:
    if type(rels) is not list:
        return False
    for r in rels:
        if type(r) is not dict or type(r["objectId"]) is not str or type(r["qualifier"]) is not str:
            return False
    return True


def _attributes(attrs: Any, *, timed: bool) -> bool:
    """A list of ``{name, value}`` (object attributes also carry a ``time``)."""
    if type(attrs) is not list:
        return False
    for a in attrs:
        if type(a) is not dict or type(a["name"]) is not str or not isinstance(a["value"], VALUE_TYPES):
            return False
        if timed and type(a["time"]) is not str:
            return False
    return True


def _events(events: Any) -> bool:
    for ev in events:
        if type(ev) is not dict or type(ev["id"]) is not str or type(ev["type"]) is not str:
            return False
        if type(ev["time"]) is not str or not _relationships(ev.get("relationships", [])):
            return False
        if not _attributes(ev.get("attributes", []), timed=False):
            return False
    return True


def _objects(objects: Any) -> bool:
    for ob in objects:
        if type(ob) is not dict or type(ob["id"]) is not str or type(ob["type"]) is not str:
            return False
        if not _relationships(ob.get("relationships", [])):
            return False
        if not _attributes(ob.get("attributes", []), timed=True):
            return False
    return True


def conforms(doc: Any) -> bool:
    """True when ``doc`` satisfies the reading schema (the same rules, in a plain loop: ~1 s per million
    events). ``date-time`` formats are not checked here either: times are parsed, with errors, later."""
    try:
        if type(doc) is not dict:
            return False
        sections = [doc[k] for k in ("eventTypes", "objectTypes", "events", "objects")]
        if any(type(x) is not list for x in sections):
            return False
        return (
            _named_types(sections[0])
            and _named_types(sections[1])
            and _events(sections[2])
            and _objects(sections[3])
        )
    except (KeyError, TypeError):
        return False


def _json_path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def validate_structure(doc: Any, source: str) -> None:
    """Check ``doc`` against the OCEL 2.0 schema, or raise naming the first bad field (and its event or
    object)."""
    if not isinstance(doc, dict):
        raise InputError(source=source, field="(top level)", key="log.ocel.not_an_object",
                         values={"found": type(doc).__name__})
    if conforms(doc):
        return
    import jsonschema  # only to explain a bad document: importing it costs seconds (rfc3987 grammars)

    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(reading_schema()).iter_errors(doc))
    if error is None:  # pragma: no cover - conforms() is stricter than the schema somewhere: trust jsonschema
        return
    parts = list(error.absolute_path)
    where = _json_path(parts)
    if len(parts) >= 2 and parts[0] in ("events", "objects") and isinstance(parts[1], int):
        item = doc[parts[0]][parts[1]]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where = f"{item['id']} ({where})"
    raise InputError(source=source, field=where, key="log.ocel.schema", values={"problem": error.message})
