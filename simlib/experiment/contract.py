"""The contract between the experiment layer and a model: replication functions, scenarios, overrides, seeds.

A *replication function* ``fn(config, seed) -> {kpi: value}`` runs one replication of one scenario. It must be
a top-level function of an importable module (so that worker processes and Dask workers can load it by name),
must not keep state between calls, and must derive all its randomness from ``seed`` — one stream per purpose,
see :func:`stream` — so that replication *i* of two scenarios sees the same random numbers for the same
purpose (common random numbers) whatever executor or number of workers ran it.

A replication function may carry a *batched form* as its attribute ``batch``:
``fn.batch(config, seeds) -> [{kpi: value} for each seed]``, giving for each seed exactly what ``fn(config, seed)``
gives, but cheaper per replication (a model can pay fixed costs — building and auditing a log — once per
batch). The experiment layer uses it when present (:func:`batched`); results never depend on it.

A *scenario* is a name and a config: plain, picklable data (nested mappings, lists, strings, numbers,
booleans, dates). Its hash is the SHA-256 of a canonical JSON dump of the config, so equal configs have equal
hashes.

An *override* sets one value at a dotted path of a nested config and returns a new config; the one engine for
this is :mod:`simlib.scenario.overrides`.

Replication seeds and random streams are described in one place, :mod:`simlib.model.streams`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any, TypeAlias

import numpy as np

from simlib.errors import InputError
from simlib.scenario.overrides import apply_overrides

KPIs: TypeAlias = dict[str, float]
ReplicationFn: TypeAlias = Callable[[Mapping[str, Any], int], KPIs]
"""``fn(config, seed) -> {kpi name: value}``: a picklable top-level function."""

BatchFn: TypeAlias = Callable[[Mapping[str, Any], Sequence[int]], list[KPIs]]
"""``fn.batch(config, seeds) -> [KPIs of each seed]``: the batched form of a replication function."""

Ranges: TypeAlias = Mapping[str, tuple[float, float]]
"""Dotted parameter path -> (low, high): the plausible range of a scenario parameter."""


# --------------------------------------------------------------------------------------------- scenarios


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not plain data")


def canonical_json(config: Any) -> str:
    """The canonical JSON text of a config: sorted keys, no spaces, UTF-8, dates as ISO strings."""
    try:
        return json.dumps(
            config, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
        )
    except (TypeError, ValueError) as exc:
        raise InputError(field="config", key="contract.not_plain", values={"error": exc}) from exc


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of a config."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True, eq=False)
class Arm:
    """One arm of an experiment: a name and the plain-data config a replication function runs. Equal and hashed
    by (name, config hash); the config is treated as immutable. A world of :mod:`simlib.scenario` becomes an arm
    with :meth:`of` (the experiment functions do this for you), so there is one *scenario* concept in simlib and
    the experiment layer runs it."""

    name: str
    config: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(field="name", key="contract.no_name")
        if not isinstance(self.config, Mapping):
            raise InputError(field="config", key="contract.config_not_mapping",
                             values={"name": repr(self.name), "type": type(self.config).__name__})
        object.__setattr__(self, "hash", config_hash(self.config))

    hash: str = dataclasses.field(init=False, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Arm) and (self.name, self.hash) == (other.name, other.hash)

    def __hash__(self) -> int:
        return hash((self.name, self.hash))

    @classmethod
    def of(cls, item: Arm | Any) -> Arm:
        """``item`` as an arm: an arm itself, or a validated scenario (its name and its data)."""
        if isinstance(item, Arm):
            return item
        if hasattr(item, "model_dump") and isinstance(getattr(item, "name", None), str):
            return cls(item.name, item.model_dump(mode="json"))
        raise InputError(field="scenarios", key="contract.not_arm", values={"type": type(item).__name__})

    def with_overrides(self, overrides: Mapping[str, Any], name: str | None = None) -> Arm:
        """A new scenario with ``overrides`` (dotted path -> value) applied."""
        return Arm(name or self.name, apply_overrides(self.config, overrides))


# --------------------------------------------------------------------------------------------- functions


def function_name(fn: Callable[..., Any]) -> str:
    """``module:qualname`` of a function, as recorded in a results store."""
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def batched(fn: ReplicationFn) -> BatchFn | None:
    """The batched form ``fn.batch`` of a replication function, or None if it has none."""
    many = getattr(fn, "batch", None)
    return many if callable(many) else None


def check_replication_fn(fn: Any, *, importable: bool = False) -> None:
    """Raise :class:`InputError` unless ``fn`` is a picklable top-level function.

    ``importable=True`` also rejects functions defined in ``__main__`` (a notebook cell or a script), which
    worker processes started with *spawn* or *forkserver* cannot load by name.
    """
    if not callable(fn):
        raise InputError(field="fn", key="contract.not_callable", values={"type": type(fn).__name__})
    qualname = getattr(fn, "__qualname__", "")
    name = function_name(fn)
    if qualname == "<lambda>" or "<locals>" in qualname:
        raise InputError(field="fn", key="contract.nested", values={"name": name})
    if importable and getattr(fn, "__module__", None) == "__main__":
        raise InputError(field="fn", key="contract.in_main", values={"name": name})
    try:
        pickle.dumps(fn)
    except Exception as exc:
        raise InputError(field="fn", key="contract.not_picklable", values={"name": name, "error": exc}) from exc


RESERVED_COLUMNS = frozenset({"scenario", "scenario_hash", "replication", "seed", "elapsed_s"})


def check_kpis(kpis: Any, where: str) -> KPIs:
    """Validate a replication's return value: a dict of KPI name -> number; returns floats."""
    if not isinstance(kpis, Mapping) or not kpis:
        raise TypeError(f"{where}: a replication function must return a non-empty dict of KPI name -> number")
    out: KPIs = {}
    for key, value in kpis.items():
        if not isinstance(key, str) or key in RESERVED_COLUMNS:
            raise TypeError(
                f"{where}: KPI name {key!r} is not a string or is reserved ({sorted(RESERVED_COLUMNS)})"
            )
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise TypeError(f"{where}: KPI {key!r} is {value!r}, not a number")
        out[key] = float(value)
    return out

