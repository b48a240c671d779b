"""Load a scenario from YAML: resolve ``base:`` (gaps are modifications of the baseline), apply ``set:`` and
dotted-path overrides, validate, and turn every problem into an :class:`InputError` naming file, field and
fix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from simlib.errors import InputError, os_error
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
            raise InputError(source=source, field=path, key="field.not_section",
                             values={"name": part, "value": ".".join(done)})
        if part not in model.model_fields:
            raise InputError(source=source, field=path, key="field.unknown",
                             values={"name": part, "allowed": ", ".join(model.model_fields)})
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


MAX_BYTES = 1_000_000
"""The largest scenario file read (bytes); ``$SIMLIB_MAX_SCENARIO_BYTES`` changes it."""
MAX_BYTES_ENV = "SIMLIB_MAX_SCENARIO_BYTES"
MAX_DEPTH = 32
"""The deepest nesting of mappings and lists in a scenario file (the schema needs 4)."""
MAX_NODES = 20_000
"""The most values (mappings, lists, scalars) in a scenario file (the baseline written out in full has 775)."""


def max_bytes() -> int:
    """The size limit in force: ``$SIMLIB_MAX_SCENARIO_BYTES`` if it is a positive integer, else 1 MB."""
    text = os.environ.get(MAX_BYTES_ENV, "")
    return int(text) if text.isdigit() and int(text) > 0 else MAX_BYTES


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with bounded work: no anchors or aliases (an alias bomb is refused at its first
    alias), nesting and node count capped, duplicate keys collected with both lines, impossible dates kept as
    text for the schema to name."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.source = source
        self.depth = 0
        self.nodes = 0
        self.duplicates: list[InputError] = []

    def _refuse(self, key: str, mark: Any, **values: Any) -> InputError:
        return InputError(source=self.source, line=mark.line + 1, key=key, values=values)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise self._refuse("yaml.alias", event.start_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._refuse("yaml.too_many", event.start_mark, limit=MAX_NODES)
        if self.depth >= MAX_DEPTH:
            raise self._refuse("yaml.too_deep", event.start_mark, limit=MAX_DEPTH)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                line = first.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: the base constructor names it
                continue
            if line != key_node.start_mark.line + 1:
                self.duplicates.append(self._refuse("yaml.duplicate", key_node.start_mark,
                                                    name=key_node.value, first=line,
                                                    second=key_node.start_mark.line + 1))
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2004-13-45: the schema says which field and what is wrong
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _key_lines(node: Any, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Dotted path -> line of every key of a composed document (``set:`` keys are dotted paths already)."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            path = f"{prefix}.{key.value}" if prefix else key.value
            out.setdefault(path, key.start_mark.line + 1)
            _key_lines(value, "" if path == "set" else path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _key_lines(item, f"{prefix}.{i}" if prefix else str(i), out)
    return out


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(source=source, line=line, key="yaml.not_utf8",
                         values={"byte": f"0x{raw[exc.start]:02x}", "offset": exc.start}) from None


YAML_PROBLEMS = (("could not find expected ':'", "yaml.colon"), ("cannot start any token", "yaml.token"),
                 ("expected ',' or", "yaml.bracket"), ("unexpected end of stream", "yaml.end"),
                 ("mapping values are not allowed", "yaml.indent"), ("expected <block end>", "yaml.indent"),
                 ("constructor for the tag", "yaml.tag"), ("undefined tag handle", "yaml.tag"))
"""PyYAML's commonest problems, each with a message of its own in both languages."""


def syntax_error(problem: str, source: str, line: int | None) -> InputError:
    """PyYAML's ``problem`` as an InputError (a catalogue message if it is a common one)."""
    key = next((k for text, k in YAML_PROBLEMS if text in problem), "yaml.syntax")
    return InputError(source=source, line=line, key=key, values={"problem": problem})


def parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """YAML text -> (data, dotted path -> line), within the limits; every problem an :class:`InputError`."""
    try:
        loader = _Loader(text, source)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        raise InputError(source=source, line=text[:exc.position].count("\n") + 1, key="yaml.character",
                         values={"code": f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"}) \
            from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise syntax_error(exc.problem or exc.context or "", source, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise syntax_error(str(exc), source, None) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InputError.many(loader.duplicates, source)
    return data, _key_lines(node) if node is not None else {}


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A scenario file's mapping and the line of each key (size, encoding and YAML checked)."""
    source, limit = str(path), max_bytes()
    try:
        with path.open("rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise os_error(exc, source) from None
    if len(raw) > limit:
        raise InputError(source=source, key="yaml.too_big", values={"limit": limit, "env": MAX_BYTES_ENV})
    data, lines = parse_yaml(_decode(raw, source), source)
    if data is None:
        raise InputError(source=source, key="yaml.empty")
    if not isinstance(data, dict):
        raise InputError(source=source, line=1, key="yaml.not_mapping")
    return _on_keys(data), lines


def _load(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, int]]:
    """The data of one file with ``base:`` resolved and ``set:`` applied, and the lines of its keys."""
    source = str(path)
    if path in seen:
        raise InputError(source=source, field="base", key="scenario.base_loop")
    data, lines = read_yaml(path)
    if "base" not in data:
        if "set" in data:
            raise InputError(source=source, field="set", line=lines.get("set"), key="scenario.set_without_base")
        return data, lines
    unknown = [k for k in data if k not in GAP_KEYS]
    if unknown:
        raise InputError.many([InputError(source=source, field=str(k), line=lines.get(str(k)),
                                          key="scenario.gap_field", values={"name": k, "allowed": ", ".join(GAP_KEYS)})
                               for k in unknown], source)
    if not isinstance(data["base"], str) or not data["base"].strip():
        raise InputError(source=source, field="base", line=lines.get("base"), key="scenario.bad_base")
    base, _ = _load((path.parent / data["base"]).resolve(), (*seen, path))
    sets = data.get("set") or {}
    if not isinstance(sets, dict):
        raise InputError(source=source, field="set", line=lines.get("set"), key="scenario.bad_set")
    merged = apply_checked(base, {str(k): v for k, v in sets.items()}, source, lines)
    for key in ("name", "description"):
        if key in data:
            merged[key] = data[key]
    return merged, lines


def load_raw(path: str | Path) -> dict[str, Any]:
    """The scenario's data before validation, with ``base:`` resolved and ``set:`` applied."""
    return _load(Path(path).resolve())[0]


def apply_checked(data: dict[str, Any], overrides: dict[str, Any], source: str = "--set",
                  lines: dict[str, int] | None = None) -> dict[str, Any]:
    """``data`` with the dotted overrides applied; every unknown path is reported, all at once."""
    problems = []
    for path in overrides:
        try:
            check_path(path, source)
        except InputError as exc:
            exc.line = (lines or {}).get(path)
            problems.append(exc)
    if problems:
        raise InputError.many(problems, source)
    return apply_overrides(data, overrides, create=True)


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


ERROR_KEYS = {
    "bool_parsing": "field.bool", "bool_type": "field.bool",
    "int_parsing": "field.int", "int_type": "field.int", "int_from_float": "field.int",
    "float_parsing": "field.number", "float_type": "field.number", "finite_number": "field.number",
    "date_from_datetime_parsing": "field.date", "date_parsing": "field.date", "date_type": "field.date",
    "date_from_datetime_inexact": "field.date",
    "string_type": "field.text", "literal_error": "field.choice", "enum": "field.choice",
    "model_type": "field.mapping", "dict_type": "field.mapping", "model_attributes_type": "field.mapping",
    "rank_shares": "field.rank_shares",
}


def _line(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest parent written in the file."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in lines:
            return lines[".".join(parts[:i])]
    return None


def _problem(err: Any, source: str, lines: dict[str, int]) -> InputError:
    loc = tuple(err["loc"])
    path = ".".join(str(p) for p in loc)
    where = {"source": source, "field": path, "line": _line(lines, path)}
    value = repr(err.get("input"))[:80]
    if err["type"] == "extra_forbidden":
        return InputError(**where, key="field.unknown",
                          values={"name": loc[-1], "allowed": ", ".join(_allowed(Scenario, loc))})
    extra = _field_info(loc)
    rng = extra.get("range")
    if rng and err["type"] in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return InputError(**where, key="field.range",
                          values={"value": value, "low": rng[0], "high": rng[1], "unit": extra.get("unit", "")})
    key = ERROR_KEYS.get(err["type"], "field.invalid")
    ctx = err.get("ctx") or {}
    return InputError(**where, key=key, values={"value": value, "choices": ctx.get("expected", ""),
                                                "total": ctx.get("total", ""), "detail": err["msg"]})


def to_input_error(exc: ValidationError, source: str, lines: dict[str, int] | None = None) -> InputError:
    """Every validation error (up to a limit) as one InputError naming each field, its line and the fix."""
    return InputError.many([_problem(err, source, lines or {}) for err in exc.errors()], source)


def _order_problems(sc: Scenario, source: str, lines: dict[str, int]) -> list[InputError]:
    """The cross-field rules the model relies on (:data:`~simlib.scenario.schema.ORDERED`), as problems."""
    return [InputError(source=source, field=low, line=lines.get(low) or lines.get(high), key="field.order",
                       values={"low": low, "high": high, "low_value": a, "high_value": b})
            for low, high, a, b in sc.order_violations()]


def validate(data: dict[str, Any], source: str = "<memory>", lines: dict[str, int] | None = None) -> Scenario:
    """The scenario of ``data``; :class:`InputError` with every problem found (fields, then cross-field)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise to_input_error(exc, source, lines) from None
    problems = _order_problems(scenario, source, lines or {})
    if problems:
        raise InputError.many(problems, source)
    return scenario


def _attribute(exc: InputError, overrides: dict[str, Any]) -> InputError:
    """``exc`` with each problem in a field set by ``--set`` attributed to ``--set`` rather than the file."""
    def of(problem: InputError) -> InputError:
        if any(problem.field == p or problem.field.startswith(f"{p}.") for p in overrides):
            problem.source, problem.line = "--set", None
        return problem

    return InputError.many([of(p) for p in exc.problems], exc.source) if exc.problems else of(exc)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, resolve and validate a scenario file; ``overrides`` are dotted paths (``--set``). A roster named
    in the file must exist (its columns are checked where it is read)."""
    data, lines = _load(Path(path).resolve())
    if overrides:
        data = apply_checked(data, overrides)
    try:
        scenario = validate(data, source=str(path), lines=lines)
    except InputError as exc:
        raise _attribute(exc, overrides or {}) from None
    roster = scenario.organisation.roster
    if roster:
        resolved = Path(path).resolve().parent / roster
        if not resolved.is_file():
            raise InputError(source=str(path), field="organisation.roster", line=lines.get("organisation.roster"),
                             key="scenario.no_roster", values={"path": resolved.as_posix()})
        scenario = scenario.replace(**{"organisation.roster": resolved.as_posix()})
    return scenario
