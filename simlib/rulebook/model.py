"""Typed records of the rulebook data files and the loader.

Plain frozen dataclasses, checked as they are read (unknown and missing fields, the kinds, the types): the rulebook
loads in every command and notebook, and building it with a validation library cost a tenth of a second of each
start (``simlib bench --only startup``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, asdict, dataclass, fields
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar, get_args

import yaml

from simlib.errors import InputError

Kind = Literal["rule", "process", "lever", "context"]
ParameterKind = Literal["notice", "assumption", "option"]
Lang = Literal["zh", "en"]
R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class Bilingual:
    """A short analytical text in English and Chinese (either may be absent for context rows)."""

    en: str | None = None
    zh: str | None = None

    def get(self, lang: Lang) -> str | None:
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)


@dataclass(frozen=True, kw_only=True)
class Clause:
    """One sentence (or clause) of the notice."""

    id: str
    zh: str  # verbatim Chinese text (authoritative)
    en: str  # faithful English translation
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

    def as_json(self) -> dict[str, Any]:
        """The clause as JSON-ready data (tuples as lists)."""
        return _json(asdict(self))


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A number or option the rules use, with its source."""

    name: str
    kind: ParameterKind
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

    def as_json(self) -> dict[str, Any]:
        """The parameter as JSON-ready data (dates as ISO text, tuples as lists)."""
        return _json(asdict(self))

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


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


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


@dataclass(frozen=True)
class Rulebook:
    clauses: tuple[Clause, ...]
    parameters: dict[str, Parameter]

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


def _fail(where: str, problem: str) -> None:
    raise ValueError(f"rulebook data, {where}: {problem}")


def _text(value: Any, where: str, *, optional: bool = False) -> str | None:
    if not (isinstance(value, str) or (optional and value is None)):
        _fail(where, f"expected text, not {value!r}")
    return value


def _one_of(value: Any, allowed: Any, where: str) -> Any:
    if value not in get_args(allowed):
        _fail(where, f"{value!r} is not one of {', '.join(get_args(allowed))}")
    return value


def _items(value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        _fail(where, f"expected a list, not {value!r}")
    return tuple(value)


def _record(cls: type[R], data: Any, where: str, read: dict[str, Any]) -> R:
    """``data`` (a mapping read from YAML) as ``cls``, each field through its reader in ``read`` (default: as
    is); an unknown or missing field is an error naming ``where``."""
    if not isinstance(data, dict):
        _fail(where, f"expected a mapping, not {data!r}")
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    for name in data.keys() - known.keys():
        _fail(f"{where}.{name}", f"unknown field (fields: {', '.join(known)})")
    for name, f in known.items():
        if name not in data and f.default is MISSING:
            _fail(f"{where}.{name}", "missing")
    return cls(**{k: read[k](v, f"{where}.{k}") if k in read else v for k, v in data.items()})


def _bilingual(data: Any, where: str) -> Bilingual:
    return _record(Bilingual, data, where, {"en": lambda v, w: _text(v, w, optional=True),
                                            "zh": lambda v, w: _text(v, w, optional=True)})


def _range(value: Any, where: str) -> tuple[float, float] | None:
    if value is None:
        return None
    bounds = _items(value, where)
    if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        _fail(where, f"expected [low, high], not {value!r}")
    return float(bounds[0]), float(bounds[1])


def _date(value: Any, where: str) -> dt.date | None:
    if value is not None and not isinstance(value, dt.date):
        _fail(where, f"expected a date (YYYY-MM-DD), not {value!r}")
    return value


CLAUSE_FIELDS: dict[str, Any] = {
    **{name: _text for name in ("id", "zh", "en", "classification")},
    **{name: _bilingual for name in ("actor", "subject", "trigger", "obligation", "deadline", "sanction",
                                     "encoding")},
    "kinds": lambda v, w: tuple(_one_of(k, Kind, w) for k in _items(v, w)),
    "references": lambda v, w: tuple(_text(r, w) for r in _items(v, w)),
}
PARAMETER_FIELDS: dict[str, Any] = {
    **{name: _text for name in ("name", "unit", "source")},
    "kind": lambda v, w: _one_of(v, ParameterKind, w),
    "range": _range,
    "choices": lambda v, w: None if v is None else _items(v, w),
    "clauses": lambda v, w: tuple(_text(c, w) for c in _items(v, w)),
    "effective_from": _date,
    "term": lambda v, w: _text(v, w, optional=True),
    "doc": _bilingual,
}


def read_rulebook(clauses: Any, parameters: Any) -> Rulebook:
    """The rulebook from the data files' contents: ``clauses`` a list, ``parameters`` a mapping by name."""
    if not isinstance(parameters, dict):
        _fail("parameters", "expected a mapping by name")
    return Rulebook(
        clauses=tuple(_record(Clause, c, f"clauses[{i}]", CLAUSE_FIELDS) for i, c in enumerate(_items(clauses,
                                                                                                     "clauses"))),
        parameters={name: _record(Parameter, {"name": name, **p} if isinstance(p, dict) else p,
                                  f"parameters.{name}", PARAMETER_FIELDS) for name, p in parameters.items()})


@cache
def rulebook() -> Rulebook:
    """The rulebook shipped with simlib (loaded once)."""
    return read_rulebook(_load("clauses.yaml")["clauses"], _load("parameters.yaml")["parameters"])


@cache
def notice_text() -> str:
    """The notice, verbatim."""
    return resources.files("simlib.rulebook").joinpath("data", "notice-2004.txt").read_text(encoding="utf-8")
