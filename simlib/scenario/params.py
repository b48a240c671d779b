"""``Param``: one place to declare a scenario parameter's default, unit, range and source.

Descriptions (zh + en) live in the message catalogue under ``scn.<dotted path>`` (``simlib/i18n/messages/
model.yaml``); :func:`describe` joins the two so that ``simlib validate``, the docs and sweeps read one table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field


def Param(default: Any, *, unit: str = "", ge: float | None = None, le: float | None = None,
          source: str = "assumption") -> Any:
    """A scenario field with its unit, allowed range and source ("notice 3.1.a", "clauses.md Part 5 row 11",
    or "assumption")."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if ge is not None or le is not None:
        extra["range"] = [ge, le]
    return Field(default, ge=ge, le=le, json_schema_extra=extra)


@dataclass(frozen=True)
class ParamInfo:
    """One leaf parameter of the scenario schema."""

    path: str
    default: Any
    unit: str
    range: tuple[float | None, float | None] | None
    source: str
    annotation: str


def _extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def iter_params(model: type[BaseModel], prefix: str = "") -> Iterator[ParamInfo]:
    """Every leaf field of ``model`` (recursively), in declaration order."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_params(ann, f"{path}.")
            continue
        extra = _extra(field)
        if not extra:  # names and texts, not parameters
            continue
        rng = extra.get("range")
        default = field.get_default(call_default_factory=True)
        yield ParamInfo(path, default, extra.get("unit", ""), tuple(rng) if rng else None,
                        extra.get("source", ""), getattr(ann, "__name__", str(ann)))


def describe(model: type[BaseModel], lang: str | None = None) -> list[dict[str, Any]]:
    """Rows (path, default, unit, range, source, text) for every parameter, text from the catalogue."""
    from simlib.i18n import has, t

    rows = []
    for p in iter_params(model):
        key = f"scn.{p.path}"
        parent = key.rsplit(".", 1)[0]  # a control's ``on`` and ``level`` share the control's text
        text = t(key, lang) if has(key) else (t(parent, lang) if has(parent) else "")
        rows.append({"path": p.path, "default": p.default, "unit": p.unit, "range": p.range,
                     "source": p.source, "text": text})
    return rows
