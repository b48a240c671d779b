"""Dotted-path overrides of plain-data configs: the one engine behind ``--set PATH=VALUE``, gap presets,
``Scenario.replace`` and the experiment layer's sweeps and designs.

A path names nested keys (``"behaviour.keep_private_document"``) and list items by index (``"units.0.size"``);
setting a value returns a new config and never mutates the original. Scenario data is checked against the
schema first (:func:`simlib.scenario.loader.check_path`, then ``create=True``: a YAML file may omit the sections
it leaves at their defaults); a config of another replication function must already hold the path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from simlib.errors import InputError


def parse_value(text: str) -> Any:
    """A ``--set`` value as YAML (``0.3``, ``false``, ``2005-01-01``, ``[a, b]``) read within the scenario
    loader's limits (no aliases, bounded nesting); text that is not YAML stays text."""
    from simlib.scenario.loader import parse_yaml  # the loader imports this module

    try:
        return parse_yaml(text, "--set")[0]
    except InputError as exc:
        if exc.key == "yaml.syntax":
            return text
        raise


def parse_override(text: str, source: str = "--set") -> tuple[str, Any]:
    """``"a.b=0.3"`` → ``("a.b", 0.3)``."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise InputError(source=source, field=text[:200], key="arg.set_syntax")
    split(path.strip())
    return path.strip(), parse_value(raw.strip())


def parse_sets(items: Iterable[str] | None, source: str = "--set") -> dict[str, Any]:
    """``["a.b=1", "c=false"]`` → ``{"a.b": 1, "c": False}``."""
    return dict(parse_override(item, source) for item in items or [])


def split(path: str) -> list[str]:
    """The parts of a dotted path; :class:`InputError` for an empty path or an empty part."""
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise InputError(field=str(path)[:200], key="arg.bad_path_name")
    return path.split(".")


def _child(node: Any, key: str, path: str, done: Sequence[str]) -> Any:
    where = ".".join(done) or "<root>"
    if isinstance(node, Mapping):
        if key not in node:
            known = ", ".join(sorted(map(str, node))) or "none"
            raise InputError(field=path, key="path.no_key",
                             values={"path": repr(path), "where": where, "name": repr(key), "known": known})
        return node[key]
    if isinstance(node, list | tuple):
        if not key.isdigit() or int(key) >= len(node):
            raise InputError(field=path, key="path.bad_index",
                             values={"path": repr(path), "where": where, "n": len(node), "name": repr(key),
                                     "last": len(node) - 1})
        return node[int(key)]
    raise InputError(field=path, key="path.value", values={"path": repr(path), "where": where})


def get_path(config: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path; :class:`InputError` naming the path and the keys available if unknown."""
    node: Any = config
    parts = split(path)
    for i, key in enumerate(parts):
        node = _child(node, key, path, parts[:i])
    return node


def set_path(config: Mapping[str, Any], path: str, value: Any, *, create: bool = False) -> dict[str, Any]:
    """A new config with ``value`` at the dotted ``path``; ``config`` is not mutated.

    Without ``create`` the path must exist; with it, missing mappings along the path are made. Only the mappings
    and lists along the path are copied; other branches are shared, which is safe because configs are never
    mutated.
    """
    parts = split(path)
    if not create:
        get_path(config, path)  # validate the whole path first, with a precise message

    def rebuild(node: Any, depth: int) -> Any:
        if depth == len(parts):
            return value
        key = parts[depth]
        if isinstance(node, list | tuple) and not create:
            items = list(node)
            items[int(key)] = rebuild(items[int(key)], depth + 1)
            return items if isinstance(node, list) else tuple(items)
        new = dict(node) if isinstance(node, Mapping) else {}
        new[key] = rebuild(new.get(key), depth + 1)
        return new

    return rebuild(config, 0)


def apply_overrides(config: Mapping[str, Any], overrides: Mapping[str, Any] | Iterable[tuple[str, Any]], *,
                    create: bool = False, check: Callable[[str], None] | None = None) -> dict[str, Any]:
    """A new config with every ``path -> value`` of ``overrides`` applied in order (each path first given to
    ``check``, which raises for a path it does not allow)."""
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    new: dict[str, Any] = dict(config)
    for path, value in items:
        if check is not None:
            check(path)
        new = set_path(new, path, value, create=create)
    return new
