"""CLI subcommands of the experiment layer: compare, sweep, sensitivity, replications.

The host CLI calls :func:`register` with its argparse subparsers and a ``resolve`` callback that turns a
scenario name or path (plus ``--set`` overrides) into ``(name, config, replication function)``; an optional
``ranges`` callback gives the documented plausible ranges of parameters. Each subcommand stores a handler in
``args.handler`` (``handler(args, out=None, lang=None) -> exit status``, printing to ``out`` or stdout) and, for
simlib's main CLI, ``args.run(args, lang)``; :func:`run_cli` shows the whole cycle (parse, run, print) and turns
:class:`~simlib.errors.InputError` into exit status 2.

The text output speaks the chosen language (``--lang``, else the caller's ``lang``, else the current setting):
every title, header and method name comes from the catalogue (``experiment.*`` in
``simlib/i18n/messages/experiment.yaml``), and a KPI with a ``model.kpi.<name>`` label is shown as
``label (name)``. The JSON output (``--json``, ``results.json``) is the same in both languages; ``*_method_id``
names the CI method language-neutrally. Numbers are formatted once, so both languages show the same digits.
Registering is cheap: pandas, scipy and SALib are imported only when a subcommand runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from simlib.errors import InputError
from simlib.i18n import LANGS, get_lang, has, t

if TYPE_CHECKING:  # the experiment modules (pandas, scipy, SALib) load only when a subcommand runs
    import pandas as pd

    from simlib.experiment.contract import ReplicationFn, Scenario
    from simlib.experiment.sensitivity import SensitivityResult
    from simlib.experiment.sequential import SequentialResult
    from simlib.experiment.sweeps import SweepResult

# Choices, kept in step with the library by tests/test_experiment_cli.py
EXECUTORS = ("serial", "processes", "dask")
DESIGNS = ("grid", "lhs")
METHODS = ("oat", "morris", "sobol")

Resolve = Callable[[str, Mapping[str, Any]], "tuple[str, Mapping[str, Any], ReplicationFn]"]
"""``resolve(name_or_path, overrides) -> (name, config, fn)``."""
RangesFn = Callable[[Mapping[str, Any], Sequence[str] | None], Mapping[str, tuple[float, float]]]
"""``ranges(config, paths) -> {path: (lo, hi)}``; ``paths=None`` asks for every documented parameter."""

DEFAULT_SEED = 20041216
HELP_LANG = "en"
"""argparse help is built before ``--lang`` is parsed; like simlib's other commands it shows the en text."""


# --------------------------------------------------------------------------------------------- parsing


def _help(key: str, **values: Any) -> str:
    return t(f"experiment.cli.{key}", HELP_LANG, **values)


def _common(parser: argparse.ArgumentParser, reps: int) -> None:
    run = parser.add_argument_group(_help("group.running"))
    run.add_argument("--reps", type=int, default=reps, help=_help("opt.reps", reps=reps))
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_help("opt.seed", seed=DEFAULT_SEED))
    run.add_argument("--executor", choices=EXECUTORS, default="serial", help=_help("opt.executor"))
    run.add_argument("--scheduler", metavar="ADDR", help=_help("opt.scheduler"))
    run.add_argument("--workers", type=int, help=_help("opt.workers"))
    run.add_argument("--batch-size", type=int, help=_help("opt.batch_size"))
    run.add_argument("--out", type=Path, metavar="DIR", help=_help("opt.out"))
    run.add_argument(
        "--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides", help=_help("opt.set")
    )
    out = parser.add_argument_group(_help("group.output"))
    out.add_argument("--kpi", action="append", metavar="NAME", help=_help("opt.kpi"))
    out.add_argument("--confidence", type=float, default=0.95, help=_help("opt.confidence"))
    out.add_argument("--json", action="store_true", help=_help("opt.json"))
    out.add_argument("--no-progress", action="store_true", help=_help("opt.no_progress"))
    out.add_argument("--lang", dest="cmd_lang", choices=LANGS, default=None, help=_help("opt.lang"))


def _subcommand(subparsers: Any, name: str) -> argparse.ArgumentParser:
    return subparsers.add_parser(name, help=_help(f"{name}.help"), description=_help(f"{name}.description"))


def _defaults(parser: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    """``args.handler(args, out=None, lang=None)``, and ``args.run(args, lang)`` as simlib's main CLI calls it."""
    parser.set_defaults(handler=handler, run=partial(_run_as_main, handler=handler))


def _run_as_main(args: argparse.Namespace, lang: str | None = None, *, handler: Callable[..., int]) -> int:
    return handler(args, None, lang)


def _lang(args: argparse.Namespace, lang: str | None) -> str:
    """The command's ``--lang``, else the caller's ``lang``, else the current setting."""
    return getattr(args, "cmd_lang", None) or lang or get_lang()


def _with_headline(handler: Callable[..., int], headline: Sequence[str]) -> Callable[..., int]:
    """``handler`` reporting the ``headline`` KPIs when no ``--kpi`` is given (all KPIs make an unreadable table)."""

    def run(args: argparse.Namespace, out: TextIO | None = None, lang: str | None = None) -> int:
        if not args.kpi and headline:
            args.kpi = list(headline)
        return handler(args, out, lang)

    return run


def register(subparsers: Any, resolve: Resolve, ranges: RangesFn | None = None,
             headline: Sequence[str] = ()) -> None:
    """Add ``compare``, ``sweep``, ``sensitivity`` and ``replications`` to an argparse subparsers object;
    ``headline``: the KPIs shown by ``compare``, ``sweep`` and ``sensitivity`` when ``--kpi`` is not given."""
    p = _subcommand(subparsers, "compare")
    p.add_argument("baseline", metavar="BASE", help=_help("arg.baseline"))
    p.add_argument("alternatives", nargs="+", metavar="ALT", help=_help("arg.alternatives"))
    p.add_argument("--rank", action="store_true", help=_help("opt.rank"))
    _common(p, reps=20)
    _defaults(p, _with_headline(partial(_compare, resolve=resolve), headline))

    p = _subcommand(subparsers, "sweep")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument(
        "--param", action="append", required=True, metavar="PATH[=LO:HI]", help=_help("opt.param_sweep")
    )
    p.add_argument("--design", choices=DESIGNS, default="grid", help=_help("opt.design"))
    p.add_argument("--points", type=int, default=3, help=_help("opt.points"))
    _common(p, reps=10)
    _defaults(p, _with_headline(partial(_sweep, resolve=resolve, ranges=ranges), headline))

    p = _subcommand(subparsers, "sensitivity")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument("--method", choices=METHODS, default="oat", help=_help("opt.method"))
    p.add_argument("--param", action="append", metavar="PATH[=LO:HI]", help=_help("opt.param_sensitivity"))
    p.add_argument("--trajectories", type=int, default=10, help=_help("opt.trajectories"))
    p.add_argument("--levels", type=int, default=4, help=_help("opt.levels"))
    p.add_argument("--samples", type=int, default=64, help=_help("opt.samples"))
    _common(p, reps=5)
    _defaults(p, _with_headline(partial(_sensitivity, resolve=resolve, ranges=ranges), headline))

    p = _subcommand(subparsers, "replications")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument("--target", type=float, default=0.05, help=_help("opt.target"))
    p.add_argument("--initial", type=int, default=10, help=_help("opt.initial"))
    p.add_argument("--step", type=int, default=10, help=_help("opt.step"))
    p.add_argument("--max-reps", type=int, default=500, help=_help("opt.max_reps"))
    _common(p, reps=0)
    _defaults(p, partial(_replications, resolve=resolve))


# --------------------------------------------------------------------------------------------- helpers


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    from simlib.experiment.contract import parse_override

    return dict(parse_override(text) for text in args.overrides)


def _resolve(
    resolve: Resolve, names: Sequence[str], overrides: Mapping[str, Any]
) -> tuple[list[Scenario], Any]:
    from simlib.experiment.contract import Scenario, function_name

    scenarios, fns = [], {}
    for arg in names:
        name, config, fn = resolve(arg, overrides)
        scenarios.append(Scenario(name, config))
        fns[function_name(fn)] = fn
    if len(fns) > 1:
        raise InputError(
            f"scenarios use different replication functions ({', '.join(fns)})",
            field="scenarios",
            fix="compare scenarios of the same model",
        )
    return scenarios, next(iter(fns.values()))


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    # a global method averages each point's replications (1 is enough); a CI needs 2
    needed = 1 if getattr(args, "method", "oat") in {"morris", "sobol"} else 2
    if args.command != "replications" and args.reps < needed:
        raise InputError(
            f"need at least {needed} replications here, got {args.reps}",
            field="--reps",
            fix="e.g. --reps 20",
        )
    return {
        "root_seed": args.seed,
        "executor": args.executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "store": args.out,
        "batch_size": args.batch_size,
        "progress": False if args.no_progress else None,
    }


def parse_param(text: str) -> tuple[str, tuple[float, float] | None]:
    """``PATH=LO:HI`` -> (path, (lo, hi)); ``PATH`` -> (path, None)."""
    path, sep, bounds = text.partition("=")
    path = path.strip()
    if not path:
        raise InputError(f"bad --param {text!r}", field="--param", fix="write PATH or PATH=LO:HI")
    if not sep:
        return path, None
    lo, colon, hi = bounds.partition(":")
    try:
        if not colon:
            raise ValueError
        return path, (float(lo), float(hi))
    except ValueError:
        raise InputError(
            f"bad range in --param {text!r}",
            field="--param",
            fix=f"write {path}=LO:HI with two numbers, e.g. {path}=0.1:0.9",
        ) from None


def _ranges(args: argparse.Namespace, config: Mapping[str, Any], ranges: RangesFn | None) -> dict:
    params = [parse_param(p) for p in args.param or []]
    wanted = [path for path, bounds in params if bounds is None]
    found: dict[str, tuple[float, float]] = {}
    if wanted or not params:
        if ranges is None:
            raise InputError(
                "no documented ranges are available here",
                field="--param",
                fix="give each parameter with its range, e.g. --param PATH=LO:HI",
            )
        found = dict(ranges(config, wanted or None))
        missing = [w for w in wanted if w not in found]
        if missing:
            raise InputError(
                f"no documented range for {', '.join(missing)}",
                field="--param",
                fix="give the range explicitly: --param PATH=LO:HI",
            )
    out = {}
    for path, bounds in params:
        out[path] = bounds if bounds is not None else found[path]
    return out if params else found


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", double_precision=15))


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str, out: TextIO | None) -> None:
    out = out or sys.stdout
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(
            json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if args.json:
        json.dump(payload, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(text.rstrip("\n") + "\n")


# --------------------------------------------------------------------------------------------- text


def method_id(method: str) -> str:
    """The language-neutral id of a CI method the experiment layer names (``stats.MEAN_METHOD`` …); its text is
    the catalogue's ``experiment.method.<id>``."""
    from simlib.experiment.stats import MEAN_METHOD, PAIRED_METHOD, WELCH_METHOD

    return {MEAN_METHOD: "student_t", PAIRED_METHOD: "paired_t", WELCH_METHOD: "welch_t"}[method]


def _sensitivity_method_id(result: SensitivityResult) -> str:
    """The tornado's paired t-interval, or the global method itself (Morris, Sobol: SALib's bootstrap CIs)."""
    return method_id(result.ci_method) if result.method == "oat" else result.method


def _method(mid: str, lang: str) -> str:
    return t(f"experiment.method.{mid}", lang)


def _col(key: str, lang: str, **values: Any) -> str:
    return t(f"experiment.col.{key}", lang, **values)


def kpi_label(name: str, lang: str) -> str:
    """``label (name)`` when the catalogue has ``model.kpi.<name>``, else ``name`` (stand-in models' KPIs);
    the raw name stays visible because ``--kpi`` takes it."""
    key = f"model.kpi.{name}"
    return f"{t(key, lang)} ({name})" if has(key) else name


def _fmt(x: Any) -> str:
    import pandas as pd

    return "nan" if x is None or pd.isna(x) else f"{x:.4g}"


def _ci(low: Any, high: Any) -> str:
    return f"[{_fmt(low)}, {_fmt(high)}]"


def _pct(x: Any, spec: str = "+.1%") -> str:
    import pandas as pd

    return "nan" if pd.isna(x) else format(x, spec)


def _level(confidence: float) -> str:
    return f"{confidence:.0%}"


def _table(shown: pd.DataFrame, **to_string: Any) -> str:
    """``shown`` without its index, aligned in display columns: a Chinese character takes two (pandas counts
    it as one unless told, and the columns of a Chinese table drift)."""
    import pandas as pd

    with pd.option_context("display.unicode.east_asian_width", True):
        return shown.to_string(index=False, **to_string)


def _run_line(table: pd.DataFrame, args: argparse.Namespace, lang: str) -> str:
    run = table.attrs.get("run", {})
    store = t("experiment.run.store", lang, path=run["store"]) if run.get("store") else ""
    return t(
        "experiment.run.line",
        lang,
        seed=args.seed,
        executor=run.get("executor"),
        workers=run.get("workers"),
        computed=run.get("computed"),
        reused=run.get("reused"),
        store=store,
        seconds=f"{run.get('wall_s', 0):.1f}",
    )


def summary_text(summary: pd.DataFrame, confidence: float, lang: str | None = None) -> str:
    """A readable per-scenario KPI table with the CI method in the title."""
    import pandas as pd

    from simlib.experiment.stats import MEAN_METHOD

    lang = lang or get_lang()
    level = _level(confidence)
    shown = pd.DataFrame(
        {
            _col("scenario", lang): summary["scenario"],
            _col("kpi", lang): summary["kpi"].map(lambda k: kpi_label(k, lang)),
            _col("n", lang): summary["n"],
            _col("mean", lang): summary["mean"].map(_fmt),
            _col("sd", lang): summary["sd"].map(_fmt),
            _col("ci", lang, level=level): [
                _ci(a, b) for a, b in zip(summary["ci_low"], summary["ci_high"], strict=True)
            ],
            _col("rel_half_width", lang): summary["rel_half_width"].map(lambda v: _pct(v, ".1%")),
        }
    )
    title = t("experiment.summary.title", lang, level=level, method=_method(method_id(MEAN_METHOD), lang))
    return title + "\n" + _table(shown)


def differences_text(diffs: pd.DataFrame, baseline: str, confidence: float, lang: str | None = None) -> str:
    """A readable table of differences from the baseline, naming the paired and the Welch CI methods."""
    import pandas as pd

    from simlib.experiment.stats import PAIRED_METHOD, WELCH_METHOD

    lang = lang or get_lang()
    level = _level(confidence)
    shown = pd.DataFrame(
        {
            _col("scenario", lang): diffs["scenario"],
            _col("kpi", lang): diffs["kpi"].map(lambda k: kpi_label(k, lang)),
            _col("n", lang): diffs["n"],
            _col("baseline", lang): diffs["baseline_mean"].map(_fmt),
            _col("mean", lang): diffs["mean"].map(_fmt),
            _col("diff", lang): diffs["diff"].map(_fmt),
            _col("ci_paired", lang, level=level): [
                _ci(a, b) for a, b in zip(diffs["ci_low"], diffs["ci_high"], strict=True)
            ],
            _col("rel_change", lang): diffs["rel_change"].map(_pct),
            _col("significant", lang): diffs["significant"].map({True: "*", False: ""}),
            _col("ci_welch", lang, level=level): [
                _ci(a, b) for a, b in zip(diffs["welch_ci_low"], diffs["welch_ci_high"], strict=True)
            ],
        }
    )
    title = t(
        "experiment.differences.title",
        lang,
        baseline=baseline,
        level=level,
        paired=_method(method_id(PAIRED_METHOD), lang),
        welch=_method(method_id(WELCH_METHOD), lang),
    )
    return title + "\n" + _table(shown)


def sweep_text(
    result: SweepResult,
    scenario: str,
    design: str,
    reps: int,
    kpis: Sequence[str] | None = None,
    lang: str | None = None,
) -> str:
    """One row per point: the parameter values, then each KPI's mean and CI half-width (``±``)."""
    lang = lang or get_lang()
    wide = result.wide(kpis)
    headers = {"scenario": _col("scenario", lang)}
    for kpi in result.summary["kpi"].unique():
        headers |= {kpi: kpi_label(kpi, lang), f"{kpi} ±": _col("half_width", lang)}
    title = t(
        "experiment.sweep.title",
        lang,
        scenario=scenario,
        design=t(f"experiment.design.{design}", lang),
        points=len(result.points),
        reps=reps,
        level=_level(result.confidence),
        method=_method(method_id(result.method), lang),
    )
    return title + "\n" + _table(wide.rename(columns=headers))


def sensitivity_text(result: SensitivityResult, lang: str | None = None) -> str:
    """A readable ranking per KPI, naming the method."""
    import pandas as pd

    lang = lang or get_lang()
    parts = []
    for kpi, group in result.table.groupby("kpi", sort=False):
        if result.method == "oat":
            shown = pd.DataFrame(
                {
                    _col("rank", lang): group["rank"],
                    _col("parameter", lang): group["parameter"],
                    _col("low", lang): group["low"],
                    _col("high", lang): group["high"],
                    _col("baseline", lang): group["baseline_mean"].map(_fmt),
                    _col("diff_low", lang): group["diff_low"].map(_fmt),
                    _col("ci_at_low", lang): [
                        _ci(a, b) for a, b in zip(group["low_ci_low"], group["low_ci_high"], strict=True)
                    ],
                    _col("diff_high", lang): group["diff_high"].map(_fmt),
                    _col("ci_at_high", lang): [
                        _ci(a, b) for a, b in zip(group["high_ci_low"], group["high_ci_high"], strict=True)
                    ],
                    _col("swing", lang): group["swing"].map(_fmt),
                }
            )
        else:
            columns = ["rank", "parameter", *(c for c in group.columns if c not in {"kpi", "rank", "parameter"})]
            shown = group[columns].rename(columns={c: _col(c, lang) for c in columns})
        text = _table(shown, float_format=lambda v: f"{v:.4g}")
        parts.append(t("experiment.sensitivity.kpi", lang, kpi=kpi_label(str(kpi), lang)) + "\n" + text)
    head = t(
        f"experiment.sensitivity.{result.method}.title",
        lang,
        level=_level(result.confidence),
        method=_method(_sensitivity_method_id(result), lang),
    )
    return head + "\n\n" + "\n\n".join(parts)


def replications_text(result: SequentialResult, lang: str | None = None) -> str:
    """What the sequential procedure reached, and the relative half-width at each look."""
    lang = lang or get_lang()
    verdict = (
        t("experiment.replications.reached", lang)
        if result.met
        else t("experiment.replications.not_reached", lang, cap=result.max_reps)
    )
    reached = t(
        "experiment.replications.result",
        lang,
        scenario=result.scenario,
        kpi=kpi_label(result.kpi, lang),
        n=result.n,
        mean=_fmt(result.mean),
        level=_level(result.confidence),
        method=_method(method_id(result.method), lang),
        half=_fmt(result.half_width),
        rel=_pct(result.rel_half_width, ".2%"),
        target=_pct(result.target, ".2%"),
        verdict=verdict,
    )
    looks = ", ".join(f"{n}: {r:.2%}" for n, r in result.history)
    return reached + "\n" + t("experiment.replications.looks", lang, looks=looks)


# --------------------------------------------------------------------------------------------- commands


def _compare(
    args: argparse.Namespace, out: TextIO | None = None, lang: str | None = None, *, resolve: Resolve
) -> int:
    from simlib.experiment import (
        MEAN_METHOD,
        PAIRED_METHOD,
        WELCH_METHOD,
        compare,
        rank_differences,
        run_replications,
        summarise,
    )

    lang = _lang(args, lang)
    scenarios, fn = _resolve(resolve, [args.baseline, *args.alternatives], _overrides(args))
    run = _run_options(args)
    design = {"kind": "compare", "baseline": scenarios[0].name}
    table = run_replications(fn, scenarios, args.reps, design=design, desc="compare", **run)
    summary = summarise(table, kpis=args.kpi, confidence=args.confidence)
    diffs = compare(table, scenarios[0].name, kpis=args.kpi, confidence=args.confidence)
    if args.rank:
        diffs = rank_differences(diffs)
    payload = {
        "command": "compare",
        "baseline": scenarios[0].name,
        "replications": args.reps,
        "root_seed": args.seed,
        "confidence": args.confidence,
        "ci_method": MEAN_METHOD,
        "difference_method": PAIRED_METHOD,
        "unpaired_method": WELCH_METHOD,
        "ci_method_id": method_id(MEAN_METHOD),
        "difference_method_id": method_id(PAIRED_METHOD),
        "unpaired_method_id": method_id(WELCH_METHOD),
        "scenarios": [{"name": s.name, "hash": s.hash} for s in scenarios],
        "run": table.attrs.get("run", {}),
        "summary": _records(summary),
        "differences": _records(diffs),
    }
    text = "\n\n".join(
        [
            _run_line(table, args, lang),
            summary_text(summary, args.confidence, lang),
            differences_text(diffs, scenarios[0].name, args.confidence, lang),
        ]
    )
    _emit(args, payload, text, out)
    return 0


def _sweep(
    args: argparse.Namespace,
    out: TextIO | None = None,
    lang: str | None = None,
    *,
    resolve: Resolve,
    ranges: RangesFn | None,
) -> int:
    from simlib.experiment import sweep

    lang = _lang(args, lang)
    (base,), fn = _resolve(resolve, [args.scenario], _overrides(args))
    bounds = _ranges(args, base.config, ranges)
    result = sweep(
        fn,
        base,
        bounds,
        design=args.design,
        points=args.points,
        reps=args.reps,
        confidence=args.confidence,
        **_run_options(args),
    )
    summary = result.summary if not args.kpi else result.summary[result.summary["kpi"].isin(args.kpi)]
    payload = {
        "command": "sweep",
        "scenario": base.name,
        "design": args.design,
        "points": args.points,
        "replications": args.reps,
        "root_seed": args.seed,
        "ranges": {p: list(r) for p, r in bounds.items()},
        "confidence": args.confidence,
        "ci_method": result.method,
        "ci_method_id": method_id(result.method),
        "run": result.replications.attrs.get("run", {}),
        "points_table": _records(result.points),
        "summary": _records(summary),
    }
    table = sweep_text(result, base.name, args.design, args.reps, args.kpi, lang)
    text = _run_line(result.replications, args, lang) + "\n\n" + table
    _emit(args, payload, text, out)
    return 0


def _sensitivity(
    args: argparse.Namespace,
    out: TextIO | None = None,
    lang: str | None = None,
    *,
    resolve: Resolve,
    ranges: RangesFn | None,
) -> int:
    from simlib.experiment import morris, sobol, tornado

    lang = _lang(args, lang)
    (base,), fn = _resolve(resolve, [args.scenario], _overrides(args))
    bounds = _ranges(args, base.config, ranges)
    common = {"reps": args.reps, "kpis": args.kpi, "confidence": args.confidence, **_run_options(args)}
    if args.method == "oat":
        result = tornado(fn, base, bounds, **common)
    elif args.method == "morris":
        result = morris(fn, base, bounds, trajectories=args.trajectories, levels=args.levels, **common)
    else:
        result = sobol(fn, base, bounds, samples=args.samples, **common)
    payload = {
        "command": "sensitivity",
        "scenario": base.name,
        "method": args.method,
        "replications": args.reps,
        "root_seed": args.seed,
        "ranges": {p: list(r) for p, r in bounds.items()},
        "confidence": args.confidence,
        "ci_method": result.ci_method,
        "ci_method_id": _sensitivity_method_id(result),
        "run": result.replications.attrs.get("run", {}),
        "table": _records(result.table),
    }
    text = _run_line(result.replications, args, lang) + "\n\n" + sensitivity_text(result, lang)
    _emit(args, payload, text, out)
    return 0


def _replications(
    args: argparse.Namespace, out: TextIO | None = None, lang: str | None = None, *, resolve: Resolve
) -> int:
    from simlib.experiment import replications_needed

    lang = _lang(args, lang)
    (scenario,), fn = _resolve(resolve, [args.scenario], _overrides(args))
    if not args.kpi or len(args.kpi) != 1:
        raise InputError("name exactly one KPI", field="--kpi", fix="e.g. --kpi mean_wait")
    run = _run_options(args)
    run.pop("batch_size")
    result = replications_needed(
        fn,
        scenario,
        args.kpi[0],
        args.target,
        confidence=args.confidence,
        initial=args.initial,
        batch=args.step,
        max_reps=args.max_reps,
        **run,
    )
    payload = {
        "command": "replications",
        **result.as_dict(),
        "ci_method_id": method_id(result.method),
        "root_seed": args.seed,
    }
    _emit(args, payload, replications_text(result, lang), out)
    return 0


# --------------------------------------------------------------------------------------------- entry


def run_cli(
    argv: Sequence[str],
    resolve: Resolve,
    ranges: RangesFn | None = None,
    *,
    prog: str = "simlib",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Parse ``argv``, run the subcommand in its ``--lang`` (default: the current setting) and return its exit
    status; bad input is reported as simlib's main CLI reports it, with exit status 2."""
    from simlib.cli.main import EXIT_INPUT, exit_on_sigterm, report_error

    exit_on_sigterm()
    parser = argparse.ArgumentParser(prog=prog)
    register(parser.add_subparsers(dest="command", required=True), resolve, ranges)
    args = parser.parse_args(list(argv))
    lang = _lang(args, None)
    try:
        return int(args.handler(args, out, lang))
    except InputError as exc:
        (err or sys.stderr).write(report_error(exc, lang) + "\n")
        return EXIT_INPUT
