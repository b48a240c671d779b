"""The experiment contract: overrides never mutate, hashes are canonical, seeds follow SeedSequence."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from experiment_standin import BASE, counting_replication

import simlib.experiment as ex
from simlib.errors import InputError
from simlib.experiment.contract import Arm, check_kpis, check_replication_fn, config_hash
from simlib.model.streams import replication_seed, replication_seeds, stream
from simlib.scenario.overrides import apply_overrides, get_path, parse_override, set_path


def test_set_path_returns_new_config_and_never_mutates() -> None:
    before = copy.deepcopy(BASE)
    new = set_path(BASE, "queue.servers", 6)
    assert new["queue"]["servers"] == 6 and before == BASE
    assert new["run"] is BASE["run"]  # untouched branches are shared
    nested = {"units": [{"size": 3}, {"size": 4}]}
    assert set_path(nested, "units.1.size", 9) == {"units": [{"size": 3}, {"size": 9}]}
    assert nested["units"][1]["size"] == 4
    assert apply_overrides(BASE, {"queue.servers": 2, "run.warmup": 0})["run"]["warmup"] == 0
    assert get_path(BASE, "queue.arrival_rate") == 3.0


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("queue.nope", ["queue.nope", "arrival_rate, servers, service_rate"]),
        ("queue.servers.x", ["queue.servers", "not a mapping"]),
        ("queue..servers", ["bad parameter path"]),
    ],
)
def test_unknown_paths_name_the_field_and_the_fix(path: str, words: list[str]) -> None:
    with pytest.raises(InputError) as info:
        set_path(BASE, path, 1)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_parse_override_reads_yaml_values() -> None:
    assert parse_override("queue.servers=5") == ("queue.servers", 5)
    assert parse_override("a.b=0.25") == ("a.b", 0.25)
    assert parse_override("a=[1, 2]") == ("a", [1, 2])
    with pytest.raises(InputError, match="path=value"):
        parse_override("queue.servers")


def test_scenario_hash_is_canonical_and_scenarios_pickle() -> None:
    reordered = {"run": dict(reversed(list(BASE["run"].items()))), "queue": BASE["queue"]}
    assert config_hash(reordered) == config_hash(BASE)
    assert config_hash(set_path(BASE, "queue.servers", 5)) != config_hash(BASE)
    assert config_hash({"start": dt.date(2005, 1, 1)}) == config_hash({"start": "2005-01-01"})
    s = Arm("base", BASE)
    assert len(s.hash) == 64 and {s, Arm("base", copy.deepcopy(BASE))} == {s}
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(InputError, match="not plain data"):
        Arm("x", {"f": object()})


def test_replication_seeds_follow_seedsequence_and_do_not_depend_on_n() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
    assert replication_seeds(42, 5) == expected
    assert replication_seeds(42, 9)[:5] == expected
    assert [replication_seed(42, i) for i in range(5)] == expected
    assert all(0 <= s < 2**63 for s in expected) and len(set(expected)) == 5
    with pytest.raises(InputError, match="root seed"):
        replication_seeds(-1, 3)


def test_streams_are_per_purpose_and_reproducible() -> None:
    a1, a2 = stream(7, "arrivals").random(3), stream(7, "arrivals").random(3)
    assert np.array_equal(a1, a2)
    assert not np.array_equal(a1, stream(7, "services").random(3))
    assert not np.array_equal(a1, stream(8, "arrivals").random(3))


def test_replication_function_checks() -> None:
    check_replication_fn(counting_replication, importable=True)
    with pytest.raises(InputError, match="lambda"):
        check_replication_fn(lambda c, s: {})

    def nested(config, seed):  # pragma: no cover
        return {}

    with pytest.raises(InputError, match="nested"):
        check_replication_fn(nested)
    with pytest.raises(TypeError, match="not a number"):
        check_kpis({"x": "1"}, "here")
    with pytest.raises(TypeError, match="reserved"):
        check_kpis({"seed": 1.0}, "here")
    assert check_kpis({"x": np.int64(2)}, "here") == {"x": 2.0}


def test_public_api_is_exported() -> None:
    assert set(ex.__all__) == set(ex._EXPORTS)
    import simlib.cli.experiment  # noqa: F401  (imports every submodule)

    for name in ex.__all__:
        assert not inspect.ismodule(getattr(ex, name)), name  # no submodule shadows an export
    with pytest.raises(AttributeError):
        ex.no_such_thing  # noqa: B018


def test_a_validated_scenario_is_an_arm_of_the_experiment() -> None:
    from simlib.experiment import run_replications
    from simlib.pipeline import replication
    from simlib.scenario import find_scenario, load_scenario

    world = load_scenario(find_scenario("training/small"), {"organisation.cadres": 60, "calendar.years": 1})
    arm = Arm.of(world)
    assert arm == Arm(world.name, world.model_dump(mode="json")) and Arm.of(arm) is arm
    by_scenario = run_replications(replication, world, 1, progress=False)
    by_arm = run_replications(replication, arm, 1, progress=False)
    pd.testing.assert_frame_equal(by_scenario, by_arm)
    with pytest.raises(InputError, match="expected a scenario or an Arm"):
        Arm.of({"name": "x"})
