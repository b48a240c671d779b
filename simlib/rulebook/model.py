"""Typed models of the rulebook data files and the loader."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from simlib.errors import InputError

Kind = Literal["rule", "process", "lever", "context"]
Lang = Literal["zh", "en"]


class Bilingual(BaseModel):
    """A short analytical text in English and Chinese (either may be absent for context rows)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    en: str | None = None
    zh: str | None = None

    def get(self, lang: Lang) -> str | None:
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)


class Clause(BaseModel):
    """One sentence (or clause) of the notice."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    zh: str = Field(description="Verbatim Chinese text (authoritative)")
    en: str = Field(description="Faithful English translation")
    kinds: tuple[Kind, ...]
    classification: str
    actor: Bilingual
    subject: Bilingual
    trigger: Bilingual
    obligation: Bilingual
    deadline: Bilingual
    sanction: Bilingual
    references: tuple[str, ...] = ()
    encoding: Bilingual

    def text(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def section(self) -> str:
        return self.id.split(".")[0]

    @property
    def checkable(self) -> bool:
        return "rule" in self.kinds


class Parameter(BaseModel):
    """A number or option the rules use, with its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    kind: Literal["notice", "assumption", "option"]
    value: Any
    unit: str = ""
    range: tuple[float, float] | None = None
    choices: tuple[Any, ...] | None = None
    clauses: tuple[str, ...]
    effective_from: dt.date | None = None
    term: str | None = None
    doc: Bilingual
    source: str

    @property
    def is_assumption(self) -> bool:
        return self.kind != "notice"

    def check(self, value: Any) -> Any:
        """Return ``value`` if allowed for this parameter, else raise :class:`InputError`."""
        if self.choices is not None and value not in self.choices:
            raise InputError(field=self.name, key="param.not_allowed",
                             values={"value": repr(value), "choices": ", ".join(map(str, self.choices))})
        if self.range is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(field=self.name, key="param.not_number",
                                 values={"value": repr(value), "range": self.range})
            lo, hi = self.range
            if not lo <= value <= hi:
                raise InputError(field=self.name, key="param.out_of_range",
                                 values={"value": value, "lo": lo, "hi": hi, "unit": f" {self.unit}".rstrip()})
        return value


class Params:
    """Resolved parameter values (defaults with overrides), read as attributes: ``params.public_doc_days``."""

    def __init__(self, defs: dict[str, Parameter], overrides: dict[str, Any] | None = None) -> None:
        self._defs = defs
        values = {k: p.value for k, p in defs.items()}
        for k, v in (overrides or {}).items():
            if k not in defs:
                raise InputError(field=k, key="param.unknown", values={"name": repr(k), "names": ", ".join(defs)})
            values[k] = defs[k].check(v)
        self._values = values
        clash = set(values) & set(dir(type(self)))
        if clash:
            raise ValueError(f"parameter names clash with Params attributes: {sorted(clash)}")
        self.__dict__.update(values)  # plain attributes: the model reads them in its inner loops

    def replace(self, **overrides: Any) -> Params:
        merged = {k: v for k, v in self._values.items() if v != self._defs[k].value}
        merged.update(overrides)
        return Params(self._defs, merged)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def changed(self) -> dict[str, Any]:
        """Parameters that differ from their defaults."""
        return {k: v for k, v in self._values.items() if v != self._defs[k].value}


class Rulebook(BaseModel):
    model_config = ConfigDict(frozen=True)
    clauses: tuple[Clause, ...]
    parameters: dict[str, Parameter]

    @field_validator("parameters", mode="before")
    @classmethod
    def _names(cls, v: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {k: {"name": k, **p} for k, p in v.items()}

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise InputError(field="clause", key="rulebook.no_clause", values={"value": repr(clause_id)})

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.clauses]

    @property
    def params(self) -> Params:
        return Params(self.parameters)

    def parameters_for(self, clause_id: str) -> list[Parameter]:
        return [p for p in self.parameters.values() if clause_id in p.clauses]


def _load(name: str) -> Any:
    text = resources.files("simlib.rulebook").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml: the same data as safe_load, ten times faster


@cache
def rulebook() -> Rulebook:
    """The rulebook shipped with simlib (loaded once)."""
    return Rulebook(clauses=_load("clauses.yaml")["clauses"], parameters=_load("parameters.yaml")["parameters"])


@cache
def notice_text() -> str:
    """The notice, verbatim."""
    return resources.files("simlib.rulebook").joinpath("data", "notice-2004.txt").read_text(encoding="utf-8")
