"""Load a scenario from YAML: resolve ``base:`` (gaps are modifications of the baseline), apply ``set:`` and
dotted-path overrides, validate, and turn every problem into an :class:`InputError` naming file, field and
fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from simlib.errors import InputError
from simlib.scenario.overrides import apply_overrides
from simlib.scenario.schema import Scenario

GAP_KEYS = ("base", "name", "description", "set")


def _submodel(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    ann = model.model_fields[name].annotation
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in get_args(ann):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def check_path(path: str, source: str = "--set") -> None:
    """Raise unless ``path`` names a field of the scenario schema."""
    model: type[BaseModel] | None = Scenario
    done: list[str] = []
    for part in path.split("."):
        if model is None:
            raise InputError(f"{'.'.join(done)} has no sub-field {part!r}", source=source, field=path,
                             fix=f"{'.'.join(done)} is a value; set it directly")
        if part not in model.model_fields:
            where = ".".join(done) or "the scenario"
            raise InputError(f"unknown field {part!r} in {where}", source=source, field=path,
                             fix=f"allowed: {', '.join(model.model_fields)}")
        done.append(part)
        model = _submodel(model, part)


def apply_scenario_overrides(data: dict[str, Any], overrides: dict[str, Any],
                             source: str = "--set") -> dict[str, Any]:
    """A copy of ``data`` with each dotted path set to its value (paths are checked against the schema)."""
    return apply_overrides(data, overrides, create=True, check=lambda path: check_path(path, source))


def _on_keys(node: Any) -> Any:
    """YAML 1.1 reads a bare ``on:`` key as the boolean True; give controls their ``on`` back."""
    if isinstance(node, dict):
        return {("on" if k is True else k): _on_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_on_keys(v) for v in node]
    return node


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", source=str(path),
                         fix="give the path of a scenario YAML file, e.g. scenarios/baseline.yaml") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", source=str(path), fix="correct the YAML syntax") from None
    if data is None:
        return {}
    data = _on_keys(data)
    if not isinstance(data, dict):
        raise InputError("a scenario file must be a mapping of fields", source=str(path),
                         fix="start the file with fields such as 'name:' and 'organisation:'")
    return data


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's data before validation, with ``base:`` resolved and ``set:`` applied."""
    path = Path(path).resolve()
    if path in _seen:
        raise InputError("the chain of 'base:' files loops", source=str(path), field="base",
                         fix="a gap file names the baseline as base; the baseline names none")
    data = _read_yaml(path)
    if "base" not in data:
        if "set" in data:
            raise InputError("'set:' needs a 'base:'", source=str(path), field="set",
                             fix="add base: ../baseline.yaml, or write the fields directly")
        return data
    unknown = [k for k in data if k not in GAP_KEYS]
    if unknown:
        raise InputError(f"a file with 'base:' may only have {', '.join(GAP_KEYS)}", source=str(path),
                         field=unknown[0], fix=f"move {unknown[0]!r} under 'set:' as a dotted path")
    base = load_raw(path.parent / str(data["base"]), (*_seen, path))
    sets = data.get("set") or {}
    if not isinstance(sets, dict):
        raise InputError("'set:' must map dotted paths to values", source=str(path), field="set",
                         fix="write e.g. set: {controls.private_custody.on: false}")
    merged = apply_scenario_overrides(base, {str(k): v for k, v in sets.items()}, source=str(path))
    for key in ("name", "description"):
        if key in data:
            merged[key] = data[key]
    return merged


def _allowed(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    m: type[BaseModel] | None = model
    for part in loc[:-1]:
        if m is None or not isinstance(part, str) or part not in m.model_fields:
            return []
        m = _submodel(m, part)
    return list(m.model_fields) if m is not None else []


def _field_info(loc: tuple[Any, ...]) -> dict[str, Any]:
    m: type[BaseModel] | None = Scenario
    info: Any = None
    for part in loc:
        if m is None or not isinstance(part, str) or part not in m.model_fields:
            return {}
        info = m.model_fields[part]
        m = _submodel(m, part)
    extra = info.json_schema_extra if info is not None else None
    return extra if isinstance(extra, dict) else {}


def to_input_error(exc: ValidationError, source: str) -> InputError:
    """The first validation error as an InputError with the dotted field path and the allowed values."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    path = ".".join(str(p) for p in loc)
    if err["type"] == "extra_forbidden":
        allowed = _allowed(Scenario, loc)
        return InputError(f"unknown field {loc[-1]!r}", source=source, field=path,
                          fix=f"allowed here: {', '.join(allowed)}")
    extra = _field_info(loc)
    value = err.get("input")
    rng = extra.get("range")
    unit = extra.get("unit", "")
    if rng:
        fix = f"give a value between {rng[0]} and {rng[1]}" + (f" ({unit})" if unit else "")
    elif unit == "switch":
        fix = "write true or false"
    else:
        fix = f"expected: {err['msg']}"
    return InputError(f"bad value {value!r}: {err['msg']}", source=source, field=path, fix=fix)


def validate(data: dict[str, Any], source: str = "<memory>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise to_input_error(exc, source) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, resolve and validate a scenario file; ``overrides`` are dotted paths (``--set``)."""
    data = load_raw(path)
    if overrides:
        data = apply_scenario_overrides(data, overrides)
    scenario = validate(data, source=str(path))
    roster = scenario.organisation.roster
    if roster and not Path(roster).is_absolute():
        resolved = (Path(path).resolve().parent / roster).as_posix()
        scenario = scenario.replace(**{"organisation.roster": resolved})
    return scenario
