"""The fast structural check of OCEL 2.0 documents agrees with jsonschema, on every single mutation of a
small valid document."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from simlib.log.builder import LogBuilder
from simlib.log.ocel import to_ocel
from simlib.log.ocel_schema import conforms, published_schema, reading_schema

Path_ = tuple[Any, ...]
REPLACEMENTS: tuple[Any, ...] = (None, 7, 1.5, True, "text", [], {})


def _doc() -> dict[str, Any]:
    b = LogBuilder()
    b.add_object("unit", "u1", level="county", is_state_organ=True)
    b.add_object("cadre", "c1", unit="u1", rank="division", is_party_member=True)
    b.add_object("delegation", "g1", dispatching_unit="u1")
    b.add_event("DelegationFormed", "2005-03-01", delegation="g1", leader="c1", member=["c1"])
    b.add_event("AnnualReport", "2006-02-01", unit="u1", recipient="u1", year_covered=2005, written=True)
    return to_ocel(b.build(end="2006-12-31"))


def _paths(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*path, key))


def _set(doc: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


_DELETE = object()


def _mutations() -> Iterator[tuple[str, Any]]:
    doc = _doc()
    for path in _paths(doc):
        for value in (*REPLACEMENTS, _DELETE):
            if value is _DELETE and (not path or not isinstance(path[-1], str)):
                continue
            yield (
                f"{'/'.join(map(str, path))}={'del' if value is _DELETE else repr(value)}",
                _set(doc, path, value),
            )


def test_valid_document_conforms() -> None:
    doc = _doc()
    assert conforms(doc)
    jsonschema.Draft7Validator(published_schema()).validate(doc)


def test_fast_check_agrees_with_jsonschema_on_every_mutation() -> None:
    validator = jsonschema.Draft7Validator(reading_schema())
    disagree = [name for name, doc in _mutations() if conforms(doc) != validator.is_valid(doc)]
    assert not disagree, disagree[:10]


@pytest.mark.parametrize("value", [7, 1.5, True])
def test_numbers_and_booleans_as_values_are_read_but_not_written(value: Any) -> None:
    doc = _set(_doc(), ("events", 1, "attributes", 0, "value"), value)
    assert conforms(doc)
    assert not jsonschema.Draft7Validator(published_schema()).is_valid(doc)
