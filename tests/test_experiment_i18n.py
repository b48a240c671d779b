"""The experiment commands speak Chinese and English: catalogue titles in the chosen language, no English left
in the Chinese output, the same numbers in both, and a JSON output that does not depend on the language."""

from __future__ import annotations

import argparse
import io
import json
import re
import string
from collections.abc import Mapping
from typing import Any

import pytest
from experiment_standin import SCENARIOS, ranges, resolve

from simlib.bench.queue_standin import mmc_replication
from simlib.cli import experiment as cli
from simlib.cli.experiment_text import kpi_label, method_id
from simlib.cli.main import build_parser, resolve_lang
from simlib.experiment.stats import MEAN_METHOD, PAIRED_METHOD, WELCH_METHOD
from simlib.i18n import catalogue, t

COMPARE = "compare base faster more-servers --reps 4 --kpi mean_wait --kpi utilisation"
SWEEP = "sweep base --param run.warmup=40:60 --param queue.arrival_rate --points 2 --reps 2"
OAT = "sensitivity base --param queue.arrival_rate --param run.warmup=40:60 --reps 3 --kpi mean_wait"
MORRIS = "sensitivity base --method morris --trajectories 2 --reps 2 --kpi p_wait"
SOBOL = "sensitivity base --method sobol --samples 4 --reps 1 --kpi mean_wait"
REACHED = "replications base --kpi utilisation --target 0.05 --initial 4"
NOT_REACHED = "replications base --kpi mean_wait --target 0.05 --initial 4 --step 2 --max-reps 8"

RUN = ["experiment.run.line"]
CASES: dict[str, tuple[str, list[str]]] = {
    # command line -> the catalogue texts its output must show (titles, method names, column headers)
    "compare": (
        COMPARE,
        RUN + ["experiment.summary.title", "experiment.differences.title", "experiment.method.student_t",
               "experiment.method.paired_t", "experiment.method.welch_t"]
        + [f"experiment.col.{c}" for c in ("scenario", "kpi", "n", "mean", "sd", "ci", "rel_half_width",
                                            "baseline", "diff", "ci_paired", "rel_change", "significant",
                                            "ci_welch")],
    ),
    "sweep": (
        SWEEP,
        [*RUN, "experiment.sweep.title", "experiment.design.grid", "experiment.method.student_t",
         "experiment.col.scenario", "experiment.col.half_width"],
    ),
    "oat": (
        OAT,
        RUN + ["experiment.sensitivity.oat.title", "experiment.method.paired_t", "experiment.sensitivity.kpi"]
        + [f"experiment.col.{c}" for c in ("rank", "parameter", "low", "high", "baseline", "diff_low",
                                            "ci_at_low", "diff_high", "ci_at_high", "swing")],
    ),
    "morris": (
        MORRIS,
        RUN + ["experiment.sensitivity.morris.title", "experiment.method.morris"]
        + [f"experiment.col.{c}" for c in ("rank", "parameter", "mu_star", "mu_star_conf", "mu", "sigma")],
    ),
    "sobol": (
        SOBOL,
        RUN + ["experiment.sensitivity.sobol.title", "experiment.method.sobol"]
        + [f"experiment.col.{c}" for c in ("rank", "parameter", "S1", "S1_conf", "ST", "ST_conf")],
    ),
    "reached": (
        REACHED,
        ["experiment.replications.result", "experiment.replications.reached", "experiment.replications.looks",
         "experiment.method.student_t"],
    ),
    "not reached": (
        NOT_REACHED,
        ["experiment.replications.result", "experiment.replications.not_reached",
         "experiment.replications.looks"],
    ),
}

# Words that may stand in Chinese output: ids people type (scenarios, KPIs, parameter paths, executors) and
# proper names of methods and libraries.
IDS = {*SCENARIOS, "mean_wait", "p_wait", "utilisation", "mean_waiting", "serial", "nan", "t"}
NAMES = {"Student", "Welch", "Morris", "Sobol", "SALib", "Saltelli", "S1", "ST", "Holm", "Benjamini", "Hochberg", "p"}
WALL_TIME = re.compile(r"[\d.]+ (?:s|秒)$", re.MULTILINE)  # the run line's seconds differ from run to run
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?")


def _run(command: str, *options: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = cli.run_cli([*command.split(), "--no-progress", *options], resolve, ranges, out=out, err=err)
    assert status == 0, err.getvalue()
    return out.getvalue()


def _fixed_parts(key: str, lang: str) -> list[str]:
    """The literal text of a message around its placeholders."""
    parts = (literal.strip() for literal, *_ in string.Formatter().parse(t(key, lang)))
    return [p for p in parts if p]


def _foreign_words(text: str) -> set[str]:
    """Latin-script tokens of ``text`` that are neither ids nor proper names."""
    tokens = re.findall(r"[A-Za-z][\w.@-]*", text)
    return {w for w in tokens if w not in IDS | NAMES and not w.startswith(("queue.", "run.", "base@"))}


@pytest.fixture(scope="module", params=list(CASES))
def outputs(request: pytest.FixtureRequest) -> dict[str, Any]:
    command, keys = CASES[request.param]
    return {
        "keys": keys,
        "zh": _run(command, "--lang", "zh"),
        "en": _run(command, "--lang", "en"),
        "json_zh": json.loads(_run(command, "--json", "--lang", "zh")),
        "json_en": json.loads(_run(command, "--json", "--lang", "en")),
    }


def test_the_catalogue_texts_appear_in_the_chosen_language(outputs: dict[str, Any]) -> None:
    for lang in ("zh", "en"):
        for key in outputs["keys"]:
            for part in _fixed_parts(key, lang):
                assert part in outputs[lang], (lang, key, part)


def test_no_english_in_the_chinese_output(outputs: dict[str, Any]) -> None:
    assert _foreign_words(outputs["zh"]) == set()
    english = {p for key in catalogue() if key.startswith("experiment.") and not key.startswith("experiment.cli")
               for p in _fixed_parts(key, "en") if len(p) > 4 and p not in t(key, "zh")}
    assert not [p for p in english if p in outputs["zh"]]
    assert _foreign_words(outputs["en"]) - {"Latin", "hypercube"}  # the check above can see English


def test_the_numbers_are_the_same_in_both_languages(outputs: dict[str, Any]) -> None:
    zh, en = (WALL_TIME.sub("", outputs[lang]) for lang in ("zh", "en"))
    assert NUMBER.findall(zh) == NUMBER.findall(en) != []


def _without_timings(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the run's seconds (wall_s, replication_s), which differ from run to run."""
    run = {k: v for k, v in data.get("run", {}).items() if not k.endswith("_s")}
    return {**data, "run": run}


def test_json_is_the_same_in_both_languages_and_names_its_method(outputs: dict[str, Any]) -> None:
    data = outputs["json_en"]
    assert _without_timings(outputs["json_zh"]) == _without_timings(data)
    method = data.get("ci_method", data.get("method"))  # `replications` reports it as "method", as before
    assert method == t(f"experiment.method.{data['ci_method_id']}", "en")


def test_compare_json_keeps_its_keys_and_adds_method_ids() -> None:
    data = json.loads(_run("compare base faster --reps 3", "--json", "--lang", "zh"))
    assert (data["ci_method"], data["difference_method"], data["unpaired_method"]) == (
        MEAN_METHOD, PAIRED_METHOD, WELCH_METHOD
    )
    assert (data["ci_method_id"], data["difference_method_id"], data["unpaired_method_id"]) == (
        "student_t", "paired_t", "welch_t"
    )
    assert {"summary", "differences", "scenarios", "run", "root_seed", "replications"} <= set(data)


@pytest.mark.parametrize("method", [MEAN_METHOD, PAIRED_METHOD, WELCH_METHOD])
def test_every_ci_method_of_the_library_has_its_texts(method: str) -> None:
    key = f"experiment.method.{method_id(method)}"
    assert t(key, "en") == method and t(key, "zh") != method


def test_kpis_of_the_model_show_their_label_and_id() -> None:
    assert kpi_label("flight_succeeded", "zh") == f"{t('model.kpi.flight_succeeded', 'zh')} (flight_succeeded)"
    assert kpi_label("flight_succeeded", "en") == f"{t('model.kpi.flight_succeeded', 'en')} (flight_succeeded)"
    assert kpi_label("mean_wait", "zh") == "mean_wait"  # a stand-in model's KPI: the raw name


def _model_named(config: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The demo queue reporting one KPI under a name the model's catalogue labels."""
    kpis = mmc_replication(config, seed)
    return {"flight_succeeded": kpis["p_wait"], "mean_wait": kpis["mean_wait"]}


def _resolve_model_named(name: str, overrides: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], Any]:
    name, config, _ = resolve(name, overrides)
    return name, config, _model_named


def test_the_main_cli_path_passes_its_language(capsys: pytest.CaptureFixture[str]) -> None:
    """``args.run(args, lang)`` as ``simlib.cli.main`` calls it: the language reaches the tables, and a KPI the
    catalogue knows is shown with its label next to its id."""
    parser = argparse.ArgumentParser(prog="simlib")
    cli.register(parser.add_subparsers(dest="command"), _resolve_model_named, ranges, headline=["flight_succeeded"])
    args = parser.parse_args(["compare", "base", "faster", "--reps", "3", "--no-progress"])
    assert args.run(args, "zh") == 0
    text = capsys.readouterr().out
    assert f"{t('model.kpi.flight_succeeded', 'zh')} (flight_succeeded)" in text
    assert "mean_wait" not in text  # the headline KPIs only
    assert _fixed_parts("experiment.summary.title", "zh")[0] in text
    assert _fixed_parts("experiment.summary.title", "en")[0] not in text


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["--lang", "en", "compare", "a", "b"], "en"),
        (["--lang", "en", "compare", "a", "b", "--lang", "zh"], "zh"),  # the command's --lang wins
        (["sweep", "a", "--param", "x", "--lang", "en"], "en"),
    ],
)
def test_the_main_cli_resolves_the_language_of_the_experiment_commands(argv: list[str], lang: str) -> None:
    assert resolve_lang(build_parser().parse_args(argv)) == lang


def test_input_errors_are_reported_in_the_chosen_language() -> None:
    for lang in ("zh", "en"):
        err = io.StringIO()
        assert cli.run_cli(["compare", "base", "nope", "--lang", lang], resolve, ranges, err=err) == 2
        assert err.getvalue().startswith(f"simlib: {t('error.prefix', lang)}: ")
        assert f"{t('error.fix', lang)}: use one of" in err.getvalue()


def test_the_help_comes_from_the_catalogue() -> None:
    """Every ``experiment.cli.*`` text is shown by some subcommand's help (in en, as simlib's other commands)."""
    parser = argparse.ArgumentParser(prog="simlib")
    sub = parser.add_subparsers(dest="command")
    cli.register(sub, resolve, ranges)
    helps = [parser.format_help(), *(p.format_help() for p in sub.choices.values())]
    shown = " ".join(" ".join(h.split()) for h in helps)  # argparse wraps lines
    for key in catalogue():
        if key.startswith("experiment.cli."):
            for part in _fixed_parts(key, "en"):
                assert " ".join(part.split()) in shown, key
