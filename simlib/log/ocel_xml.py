"""OCEL 2.0 XML: export a log to the standard's XML form and import one back.

The document (see docs/log-formats.md)::

    <log>
      <object-types><object-type name="cadre"><attributes><attribute name="rank" type="string"/>…
      <event-types><event-type name="TripApproved"><attributes><attribute name="approved_return" type="time"/>…
      <objects><object id="c1" type="cadre">
          <attributes><attribute name="rank" time="1970-01-01T00:00:00Z">division</attribute>…</attributes>
          <objects><relationship object-id="u1" qualifier="unit"/></objects></object>…
      <events><event id="e0" type="TripApproved" time="2005-03-01T09:00:00.000+08:00">
          <attributes><attribute name="approval_ref">…</attribute></attributes>
          <objects><relationship object-id="c1" qualifier="cadre"/>…</objects></event>…
    </log>

Values are text typed by the declared attribute types (``string``, ``integer``, ``float``, ``boolean``,
``time``); changes of timed object attributes are further ``attribute`` elements with their time. The end of the
log is the ``simlib-end`` attribute of ``<log>``, which other tools ignore (pm4py does not write it back); a file
without it ends at its last event or change.

Reading parses with ``defusedxml`` (no DTD, so no entity expansion and no external resources), refuses files
above the size limit (:func:`simlib.log.limits.check_size`), accepts what pm4py writes (``date`` and ``float``
types, repeated values) and goes through the same checks as OCEL 2.0 JSON (:func:`simlib.log.ocel.from_ocel`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from simlib.errors import InputError
from simlib.files import write_atomic
from simlib.log.eventlog import EventLog
from simlib.log.limits import check_size
from simlib.log.ocel import FORMAT, Problems, from_ocel, no_gc, to_ocel

_CR = {"\r": "&#13;"}  # kept as written (a parser turns a bare carriage return into a line feed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold at all


def _types(parts: list[str], kind: str, types: list[dict[str, Any]]) -> None:
    parts.append(f"<{kind}-types>")
    for t in types:
        parts.append(f"<{kind}-type name={quoteattr(t['name'])}><attributes>")
        parts.extend(f"<attribute name={quoteattr(a['name'])} type={quoteattr(a['type'])}/>"
                     for a in t["attributes"])
        parts.append(f"</attributes></{kind}-type>")
    parts.append(f"</{kind}-types>")


def _relationships(parts: list[str], rels: list[dict[str, str]]) -> None:
    parts.append("<objects>")
    parts.extend(f"<relationship object-id={quoteattr(r['objectId'])} qualifier={quoteattr(r['qualifier'])}/>"
                 for r in rels)
    parts.append("</objects>")


def to_xml(log: EventLog) -> str:
    """The log as an OCEL 2.0 XML document (text)."""
    doc = to_ocel(log)
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<log simlib-format="{FORMAT}" '
             f"simlib-end={quoteattr(doc['simlib']['end'])}>"]
    _types(parts, "object", doc["objectTypes"])
    _types(parts, "event", doc["eventTypes"])
    parts.append("<objects>")
    for ob in doc["objects"]:
        parts.append(f"<object id={quoteattr(ob['id'])} type={quoteattr(ob['type'])}><attributes>")
        parts.extend(f"<attribute name={quoteattr(a['name'])} time={quoteattr(a['time'])}>{escape(a['value'], _CR)}"
                     "</attribute>" for a in ob["attributes"])
        parts.append("</attributes>")
        _relationships(parts, ob["relationships"])
        parts.append("</object>")
    parts.append("</objects><events>")
    for ev in doc["events"]:
        parts.append(f"<event id={quoteattr(ev['id'])} type={quoteattr(ev['type'])} time={quoteattr(ev['time'])}>"
                     "<attributes>")
        parts.extend(f"<attribute name={quoteattr(a['name'])}>{escape(a['value'], _CR)}</attribute>"
                     for a in ev["attributes"])
        parts.append("</attributes>")
        _relationships(parts, ev["relationships"])
        parts.append("</event>")
    parts.append("</events></log>\n")
    text = "\n".join(parts)
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(f"the log holds the character {bad.group()!r}, which XML 1.0 cannot represent; "
                         "write it as OCEL 2.0 JSON, SQLite or Parquet")
    return text


def write_ocel_xml(log: EventLog, path: str | Path) -> Path:
    """Write ``log`` as OCEL 2.0 XML (UTF-8), atomically."""
    with no_gc():
        text = to_xml(log)
    return write_atomic(path, text)


# ---------------------------------------------------------------------------------------------------
# import


def _declared(root: Element, kind: str) -> list[dict[str, Any]]:
    return [{"name": t.get("name", ""),
             "attributes": [{"name": a.get("name", ""), "type": a.get("type", "string")}
                            for a in t.iterfind("attributes/attribute")]}
            for t in root.iterfind(f"{kind}-types/{kind}-type")]


def _rels(node: Element) -> list[dict[str, str]]:
    return [{"objectId": r.get("object-id", ""), "qualifier": r.get("qualifier", "")}
            for r in node.iterfind("objects/relationship")]


def _document(root: Element, problems: Problems) -> dict[str, Any]:
    """The XML tree as an OCEL 2.0 JSON document (a dict) for :func:`~simlib.log.ocel.from_ocel`."""
    if root.tag != "log":
        problems.add("(root)", "log.xml.root", tag=root.tag)
        problems.check()
    doc: dict[str, Any] = {"objectTypes": _declared(root, "object"), "eventTypes": _declared(root, "event"),
                           "objects": [], "events": []}
    for k, ob in enumerate(root.iterfind("objects/object")):
        oid = ob.get("id")
        if oid is None or ob.get("type") is None:
            problems.add(f"objects/object[{k + 1}]", "log.xml.object_without_id")
            continue
        doc["objects"].append({"id": oid, "type": ob.get("type"), "relationships": _rels(ob), "attributes": [
            {"name": a.get("name", ""), "time": a.get("time", "1970-01-01T00:00:00Z"), "value": a.text or ""}
            for a in ob.iterfind("attributes/attribute")]})
    for k, ev in enumerate(root.iterfind("events/event")):
        eid = ev.get("id")
        if eid is None or ev.get("type") is None or ev.get("time") is None:
            problems.add(f"events/event[{k + 1}]", "log.xml.event_without_id")
            continue
        doc["events"].append({"id": eid, "type": ev.get("type"), "time": ev.get("time"), "relationships": _rels(ev),
                              "attributes": [{"name": a.get("name", ""), "value": a.text or ""}
                                             for a in ev.iterfind("attributes/attribute")]})
    if root.get("simlib-end") is not None:
        doc["simlib"] = {"format": root.get("simlib-format"), "end": root.get("simlib-end")}
    problems.check()
    return doc


def read_ocel_xml(path: str | Path) -> EventLog:
    """Read an OCEL 2.0 XML file, or raise :class:`InputError` naming the file, the element and the fix."""
    return from_ocel(load_xml_document(path), str(path))


def load_xml_document(path: str | Path) -> dict[str, Any]:
    """An OCEL 2.0 XML file as an OCEL 2.0 JSON document (a dict), for :func:`from_ocel`."""
    path = Path(path)
    source = str(path)
    check_size(path)
    try:
        with no_gc():
            root = safe_xml.parse(path, forbid_dtd=True, forbid_entities=True, forbid_external=True).getroot()
            doc = _document(root, Problems(source))
    except ParseError as exc:
        line, column = exc.position
        raise InputError(source=source, field=f"line {line} column {column + 1}", line=line, key="log.xml.syntax",
                         values={"problem": exc.msg if hasattr(exc, "msg") else str(exc)}) from None
    except DefusedXmlException as exc:
        raise InputError(source=source, key="log.xml.dtd", values={"problem": type(exc).__name__}) from None
    return doc


__all__ = ["read_ocel_xml", "to_xml", "write_ocel_xml"]
