"""Fuzzing every loader and the command line's arguments (issue 15 part 1): whatever a person or another tool
hands simlib — scenario YAML, a roster, an event log in each format, a results store, an argument list — the
answer is a result or an :class:`InputError` (exit status 0, 1 or 2), never a traceback.

Examples are derandomised (tests/conftest.py's ``ci`` profile), so CI explores the same inputs every run.
``FUZZ_EXAMPLES`` (the sum of ``max_examples`` below) is what the suite runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simlib.errors import InputError
from simlib.log.io import read_log, write_log
from simlib.rulebook import rulebook
from simlib.scenario import Scenario, iter_params, load_scenario
from simlib.scenario.loader import parse_yaml

EXAMPLES = {"yaml_text": 150, "yaml_bytes": 100, "scenario_fields": 150, "scenario_runs": 12, "roster": 120,
            "roster_bytes": 60, "log_json": 40, "log_bytes": 20, "store": 40, "cli": 200}
LOG_FORMATS = (".jsonocel", ".csv", ".sqlite", ".xmlocel", ".parquet")
FUZZ_EXAMPLES = sum(EXAMPLES.values()) + EXAMPLES["log_bytes"] * (len(LOG_FORMATS) - 1)


def fuzz(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return settings(max_examples=EXAMPLES[name], deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# ------------------------------------------------------------------------------------------ scenario YAML

PARAMS = [p for p in iter_params(Scenario) if not p.path.startswith("rules.")]
YAMLISH = st.text(alphabet=st.sampled_from(list("abc:-[]{},&*!|>#'\"\n\t .0123456789%@`\\\x00\x85\u2028中")),
                  max_size=200)


def _load_text(text: str | bytes) -> None:
    with folder() as root:
        path = root / "s.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        try:
            load_scenario(path)
        except InputError as exc:
            assert exc.render("zh") and exc.render("en")


@fuzz("yaml_text")
@given(st.one_of(YAMLISH, st.text(max_size=300)))
def test_scenario_text_never_crashes(text: str) -> None:
    _load_text(text)


@fuzz("yaml_bytes")
@given(st.binary(max_size=300))
def test_scenario_bytes_never_crash(raw: bytes) -> None:
    _load_text(raw)


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                   st.text(max_size=12), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
                   st.lists(st.integers(), max_size=3))


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in flat.items():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
        node[leaf] = value
    return out


@fuzz("scenario_fields")
@given(st.dictionaries(st.sampled_from([p.path for p in PARAMS] + ["behaviour.nope", "seed", "name", "base"]),
                       st.one_of(VALUES, st.sampled_from([p.default for p in PARAMS])), max_size=8))
def test_scenario_fields_never_crash(flat: dict[str, Any]) -> None:
    """Real field names with values of every kind: valid, out of range, of the wrong type."""
    _load_text(yaml.safe_dump(_nest(flat), allow_unicode=True))


def _within(p: Any) -> st.SearchStrategy[Any]:
    lo, hi = p.range
    if isinstance(p.default, bool):
        return st.booleans()
    if isinstance(p.default, int):
        return st.integers(int(lo), int(min(hi, lo + 30)))
    return st.floats(lo, min(hi, lo + 400), allow_nan=False)


TIMING = [p for p in PARAMS if p.range and p.path.startswith(("timing.", "trips.", "behaviour.", "enforcement."))
          and not p.path.endswith("_per_cadre_year")]


@fuzz("scenario_runs")
@given(st.data(), st.integers(0, 2**32))
def test_a_scenario_that_validates_runs(data: st.DataObject, seed: int) -> None:
    """``validate`` checks everything ``run`` would reject: any valid small world simulates without an error."""
    from simlib.model import Model

    chosen = data.draw(st.lists(st.sampled_from(TIMING), min_size=1, max_size=6, unique_by=lambda p: p.path))
    values = {p.path: data.draw(_within(p)) for p in chosen}
    flat = {"organisation.cadres": 40, "calendar.years": 0.3, **values}
    with folder() as root:
        path = root / "s.yaml"
        path.write_text(yaml.safe_dump(_nest(flat)), encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except InputError:
            return
    Model(scenario, seed).run()


def test_yaml_values_of_set_are_bounded_too() -> None:
    with pytest.raises(InputError):
        parse_yaml("[" * 100 + "]" * 100, "--set")


# ------------------------------------------------------------------------------------------ rosters

COLUMNS = ["cadre_id", "unit", "unit_level", "unit_parent", "rank", "is_party_member", "employment",
           "is_leading_cadre", "key_post", "name", "id_number", "junk"]
CELLS = st.one_of(st.sampled_from(["", "u1", "u2", "u3", "county", "prefecture", "provincial", "central",
                                   "division", "bureau", "section_or_below", "true", "false", "yes", "0",
                                   "retired", "lixiu", "finance", "张三", '"', ",", "\n"]),
                  st.text(max_size=6))


def _read_roster(raw: bytes) -> None:
    from simlib.model.organisation import read_roster

    with folder() as root:
        path = root / "r.csv"
        path.write_bytes(raw)
        try:
            org = read_roster(path, Scenario(), rulebook().params, np.random.default_rng(0))
        except InputError as exc:
            assert exc.render("zh") and exc.render("en")
            return
    assert org.n > 0 and all(str(c).startswith("c") for c in org.cadre_ids)


@fuzz("roster")
@given(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=9),
       st.lists(st.lists(CELLS, min_size=0, max_size=10), max_size=8))
def test_rosters_never_crash(columns: list[str], rows: list[list[str]]) -> None:
    lines = [",".join(columns)] + [",".join(r) for r in rows]
    _read_roster(("\n".join(lines) + "\n").encode("utf-8"))


@fuzz("roster_bytes")
@given(st.binary(max_size=200))
def test_roster_bytes_never_crash(raw: bytes) -> None:
    _read_roster(b"cadre_id,unit,unit_level,unit_parent,rank,is_party_member\n" + raw)


# ------------------------------------------------------------------------------------------ event logs


@pytest.fixture(scope="module")
def log_files() -> dict[str, dict[str, bytes]]:
    """A log using every type of the vocabulary, written once in each format: suffix -> {file: bytes}."""
    from vocab_log import vocabulary_log

    log, files = vocabulary_log(), {}
    with folder() as root:
        for suffix in LOG_FORMATS:
            write_log(log, root / suffix[1:] / f"log{suffix}")
            files[suffix] = {str(p.relative_to(root / suffix[1:])): p.read_bytes()
                             for p in sorted((root / suffix[1:]).rglob("*")) if p.is_file()}
    return files


def _unpack(files: dict[str, bytes], root: Path) -> None:
    for name, raw in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(raw)


def _read(path: Path) -> None:
    try:
        read_log(path)
    except InputError as exc:
        assert exc.render("en")


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                           max_leaves=6)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON document (capped, so that drawing one stays cheap)."""
    out = [prefix]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in list(items)[:6]:
        out += _paths(child, (*prefix, key))
    return out


@fuzz("log_json")
@given(st.data())
def test_ocel_json_with_changed_values_never_crashes(log_files: dict[str, dict[str, bytes]],
                                                     data: st.DataObject) -> None:
    """A valid OCEL 2.0 JSON log with a few values replaced by any JSON (a type, a missing field, a list …)."""
    doc = json.loads(log_files[".jsonocel"]["log.jsonocel"])
    paths = _paths(doc)[1:]
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(paths))
        node = doc
        try:
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = data.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    with folder() as root:
        (root / "log.jsonocel").write_text(json.dumps(doc), encoding="utf-8")
        _read(root / "log.jsonocel")


def _mutate(raw: bytes, data: st.DataObject) -> bytes:
    """``raw`` cut short, with bytes overwritten, or with bytes inserted."""
    how = data.draw(st.sampled_from(["cut", "overwrite", "insert"]))
    at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
    junk = data.draw(st.binary(min_size=1, max_size=16))
    if how == "cut":
        return raw[:at]
    if how == "overwrite":
        return raw[:at] + junk + raw[at + len(junk):]
    return raw[:at] + junk + raw[at:]


@pytest.mark.parametrize("suffix", LOG_FORMATS)
@fuzz("log_bytes")
@given(data=st.data())
def test_damaged_log_files_never_crash(log_files: dict[str, dict[str, bytes]], suffix: str,
                                       data: st.DataObject) -> None:
    """One file of a log (the JSON, a CSV, the SQLite database, the XML, a Parquet table) cut short, overwritten
    in places or with bytes inserted."""
    files = dict(log_files[suffix])
    victim = data.draw(st.sampled_from(sorted(files)))
    files[victim] = _mutate(files[victim], data)
    with folder() as root:
        _unpack(files, root)
        _read(root / f"log{suffix}")


# ------------------------------------------------------------------------------------------ results store


@fuzz("store")
@given(data=st.data())
def test_damaged_results_stores_never_crash(data: st.DataObject) -> None:
    """A store whose manifest, scenario file or replication file was damaged: reopened, it either resumes
    (damaged replications are redone) or refuses with an InputError."""
    from simlib.experiment.contract import Arm
    from simlib.experiment.store import ResultsStore

    arm = Arm("a", {"x": 1})
    design = {"kind": "fuzz"}
    with folder() as root:
        with ResultsStore.open(root / "store", design=design, scenarios=[arm], replications=2) as store:
            for i in range(2):
                store.write({"scenario": "a", "scenario_hash": arm.hash, "replication": i, "seed": i, "y": 1.5})
        files = sorted(p for p in (root / "store").rglob("*") if p.is_file() and p.name != ".lock")
        victim = data.draw(st.sampled_from(files))
        victim.write_bytes(_mutate(victim.read_bytes(), data))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with ResultsStore.open(root / "store", design=design, scenarios=[arm]) as store:
                    for i in store.finished(arm.hash):
                        store.read(arm.hash, i)
        except InputError as exc:
            assert exc.render("en")


# ------------------------------------------------------------------------------------------ the command line

COMMANDS = ["validate", "run", "compare", "sweep", "sensitivity", "replications", "rules", "audit", "report",
            "handout", "bench", "frob", ""]
OPTIONS = ["--seed", "--reps", "--batch-size", "--workers", "--confidence", "--lang", "--json", "--set", "--param",
           "--points", "--executor", "--design", "--method", "--kpi", "--target", "--max-reps", "--cases",
           "--template", "--format", "--compare", "--samples", "--levels", "--bogus", "-h", "--", "-"]
TOKENS = st.one_of(
    st.sampled_from(OPTIONS),
    st.sampled_from(["baseline", "training/small", "pre_notice", "no_exit_control", "3.1.a", "zh", "en", "fr",
                     "processes", "lhs", "morris", "html", "behaviour.overstay=0.1", "behaviour.overstay=0.5:2",
                     "calendar.start=2004-13-45", "x=&a [*a]", "-1", "0", "1", "nan", "inf", "1e309", str(2**63),
                     str(2**63 - 1), "9" * 5000, "", " ", "\x00", "é"]),
    st.integers(-(2**70), 2**70).map(str), st.floats().map(str), st.text(max_size=10),
)


def _stubbed(args: Any, *rest: Any, **bound: Any) -> int:
    """Heavy commands stop after their arguments and scenarios are read (nothing runs, nothing is written)."""
    from simlib.cli.validate import load

    if getattr(args, "scenario", None) and getattr(args, "command", "") == "run":
        load(args.scenario, args.overrides)
    return 0


@fuzz("cli")
@given(st.sampled_from(COMMANDS), st.lists(TOKENS, max_size=7))
def test_the_command_line_never_crashes(command: str, tokens: list[str]) -> None:
    from simlib.cli import bench, experiment, handout, main, report, run, vocab

    argv = [command, *tokens] if command else tokens
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, folder() as root:
        mp.chdir(root)
        for module in (run, report, handout, bench, vocab):
            mp.setattr(module, "run", _stubbed)
        for name in ("_compare", "_sweep", "_sensitivity", "_replications"):
            mp.setattr(experiment, name, _stubbed)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # --help and --version
                code = exc.code
        assert code in (0, 1, 2), (argv, code, err.getvalue())
        assert "Traceback" not in err.getvalue()
        assert code != 0 or not err.getvalue() or "-h" in argv or "--help" in argv
        if code == 2 and "--json" not in argv:
            assert err.getvalue().startswith("simlib: "), err.getvalue()
        assert list(root.iterdir()) == []
