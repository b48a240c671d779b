"""CLI subcommands of the experiment layer: compare, sweep, sensitivity, replications (parsing and running; what
they print is :mod:`simlib.cli.experiment_text`).

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
from typing import TYPE_CHECKING, Any, TextIO

from simlib.cli import arguments
from simlib.cli.experiment_text import (
    differences_text,
    method_id,
    replications_text,
    run_line,
    sensitivity_method_id,
    sensitivity_text,
    summary_text,
    sweep_text,
)
from simlib.errors import InputError
from simlib.files import write_atomic
from simlib.i18n import LANGS, get_lang, t

if TYPE_CHECKING:  # the experiment modules (pandas, scipy, SALib) load only when a subcommand runs
    import pandas as pd

    from simlib.experiment.contract import Arm, ReplicationFn

# Choices, kept in step with the library by tests/test_experiment_cli.py
EXECUTORS = ("serial", "processes", "dask")
DESIGNS = ("grid", "lhs")
METHODS = ("oat", "morris", "sobol")
ADJUSTMENTS = ("none", "holm", "bh")

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
    run.add_argument("--reps", type=arguments.positive_int, default=reps, help=_help("opt.reps", reps=reps))
    run.add_argument("--seed", type=arguments.seed, default=DEFAULT_SEED, help=_help("opt.seed", seed=DEFAULT_SEED))
    run.add_argument("--executor", choices=EXECUTORS, default="serial", help=_help("opt.executor"))
    run.add_argument("--scheduler", metavar="ADDR", help=_help("opt.scheduler"))
    run.add_argument("--workers", type=arguments.positive_int, help=_help("opt.workers"))
    run.add_argument("--batch-size", type=arguments.positive_int, help=_help("opt.batch_size"))
    run.add_argument("--out", type=arguments.out_path, metavar="DIR", help=_help("opt.out"))
    run.add_argument(
        "--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides", help=_help("opt.set")
    )
    out = parser.add_argument_group(_help("group.output"))
    out.add_argument("--kpi", action="append", metavar="NAME", help=_help("opt.kpi"))
    out.add_argument("--confidence", type=arguments.level, default=0.95, help=_help("opt.confidence"))
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


Headline = Sequence[str] | Callable[[], Sequence[str]]
"""KPI names, or a function giving them when a subcommand runs (so that registering imports nothing heavy)."""


def _with_headline(handler: Callable[..., int], headline: Headline) -> Callable[..., int]:
    """``handler`` reporting the ``headline`` KPIs when no ``--kpi`` is given (all KPIs make an unreadable table)."""

    def run(args: argparse.Namespace, out: TextIO | None = None, lang: str | None = None) -> int:
        kpis = headline() if callable(headline) else headline
        if not args.kpi and kpis:
            args.kpi = list(kpis)
        return handler(args, out, lang)

    return run


def register(subparsers: Any, resolve: Resolve, ranges: RangesFn | None = None,
             headline: Headline = ()) -> None:
    """Add ``compare``, ``sweep``, ``sensitivity`` and ``replications`` to an argparse subparsers object;
    ``headline``: the KPIs shown by ``compare``, ``sweep`` and ``sensitivity`` when ``--kpi`` is not given (or a
    function returning them)."""
    p = _subcommand(subparsers, "compare")
    p.add_argument("baseline", metavar="BASE", help=_help("arg.baseline"))
    p.add_argument("alternatives", nargs="+", metavar="ALT", help=_help("arg.alternatives"))
    p.add_argument("--rank", action="store_true", help=_help("opt.rank"))
    p.add_argument("--adjust", choices=ADJUSTMENTS, default="holm", help=_help("opt.adjust"))
    _common(p, reps=20)
    _defaults(p, _with_headline(partial(_compare, resolve=resolve), headline))

    p = _subcommand(subparsers, "sweep")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument(
        "--param", action="append", required=True, metavar="PATH[=LO:HI]", help=_help("opt.param_sweep")
    )
    p.add_argument("--design", choices=DESIGNS, default="grid", help=_help("opt.design"))
    p.add_argument("--points", type=arguments.positive_int, default=3, help=_help("opt.points"))
    _common(p, reps=10)
    _defaults(p, _with_headline(partial(_sweep, resolve=resolve, ranges=ranges), headline))

    p = _subcommand(subparsers, "sensitivity")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument("--method", choices=METHODS, default="oat", help=_help("opt.method"))
    p.add_argument("--param", action="append", metavar="PATH[=LO:HI]", help=_help("opt.param_sensitivity"))
    p.add_argument("--trajectories", type=arguments.positive_int, default=10, help=_help("opt.trajectories"))
    p.add_argument("--levels", type=arguments.positive_int, default=4, help=_help("opt.levels"))
    p.add_argument("--samples", type=arguments.positive_int, default=64, help=_help("opt.samples"))
    _common(p, reps=5)
    _defaults(p, _with_headline(partial(_sensitivity, resolve=resolve, ranges=ranges), headline))

    p = _subcommand(subparsers, "replications")
    p.add_argument("scenario", metavar="SCENARIO", help=_help("arg.scenario"))
    p.add_argument("--target", type=arguments.positive_float, default=0.05, help=_help("opt.target"))
    p.add_argument("--initial", type=arguments.positive_int, default=10, help=_help("opt.initial"))
    p.add_argument("--step", type=arguments.positive_int, default=10, help=_help("opt.step"))
    p.add_argument("--max-reps", type=arguments.positive_int, default=500, help=_help("opt.max_reps"))
    _common(p, reps=0)
    _defaults(p, partial(_replications, resolve=resolve))


# --------------------------------------------------------------------------------------------- helpers


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    from simlib.scenario.overrides import parse_override

    return dict(parse_override(text) for text in args.overrides)


def _resolve(
    resolve: Resolve, names: Sequence[str], overrides: Mapping[str, Any]
) -> tuple[list[Arm], Any]:
    from simlib.experiment.contract import Arm, function_name

    scenarios, fns = [], {}
    for arg in names:
        name, config, fn = resolve(arg, overrides)
        if any(s.name == name for s in scenarios):
            raise InputError(field="ALT", key="arg.same_scenario", values={"name": name})
        scenarios.append(Arm(name, config))
        fns[function_name(fn)] = fn
    if len(fns) > 1:
        raise InputError(field="scenarios", key="arg.two_models", values={"names": ", ".join(fns)})
    return scenarios, next(iter(fns.values()))


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    # a global method averages each point's replications (1 is enough); a CI needs 2
    needed = 1 if getattr(args, "method", "oat") in {"morris", "sobol"} else 2
    if args.command != "replications" and args.reps < needed:
        raise InputError(field="--reps", key="arg.few_reps", values={"needed": needed, "value": args.reps})
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
        raise InputError(field="--param", key="arg.param", values={"value": repr(text)})
    if not sep:
        return path, None
    lo, colon, hi = bounds.partition(":")
    try:
        if not colon:
            raise ValueError
        return path, (float(lo), float(hi))
    except ValueError:
        raise InputError(field="--param", key="arg.param_range", values={"value": repr(text), "path": path}) \
            from None


def _ranges(args: argparse.Namespace, config: Mapping[str, Any], ranges: RangesFn | None) -> dict:
    params = [parse_param(p) for p in args.param or []]
    wanted = [path for path, bounds in params if bounds is None]
    found: dict[str, tuple[float, float]] = {}
    if wanted or not params:
        if ranges is None:
            raise InputError(field="--param", key="arg.no_ranges")
        found = dict(ranges(config, wanted or None))
        missing = [w for w in wanted if w not in found]
        if missing:
            raise InputError(field="--param", key="arg.no_range", values={"names": ", ".join(missing)})
    out = {}
    for path, bounds in params:
        out[path] = bounds if bounds is not None else found[path]
    return out if params else found


def _check_bounds(resolve: Resolve, name: str, overrides: Mapping[str, Any], config: Mapping[str, Any],
                  bounds: Mapping[str, tuple[float, float]]) -> None:
    """Resolve the scenario at each end of each range before anything runs, so that a value the scenario
    refuses (outside a field's allowed range, or against another field) stops the command with the scenario's
    own message instead of failing midway (integer fields at the rounded value, as the design sets them)."""
    from simlib.experiment.design import check_ranges
    from simlib.scenario.overrides import get_path

    for path, (lo, hi) in check_ranges(bounds, config).items():
        whole = isinstance(get_path(config, path), int)
        for value in (lo, hi):
            resolve(name, {**overrides, path: round(value) if whole else value})


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", double_precision=15))


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str, out: TextIO | None) -> None:
    out = out or sys.stdout
    if args.out is not None:
        write_atomic(args.out / "results.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        json.dump(payload, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(text.rstrip("\n") + "\n")


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
    diffs = compare(table, scenarios[0].name, kpis=args.kpi, confidence=args.confidence, adjust=args.adjust)
    if args.rank:
        diffs = rank_differences(diffs)
    payload = {
        "command": "compare",
        "baseline": scenarios[0].name,
        "replications": args.reps,
        "root_seed": args.seed,
        "confidence": args.confidence,
        "adjustment": args.adjust,
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
            run_line(table, args, lang),
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
    _check_bounds(resolve, args.scenario, _overrides(args), base.config, bounds)
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
    text = run_line(result.replications, args, lang) + "\n\n" + table
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
    _check_bounds(resolve, args.scenario, _overrides(args), base.config, bounds)
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
        "ci_method_id": sensitivity_method_id(result),
        "run": result.replications.attrs.get("run", {}),
        "table": _records(result.table),
    }
    text = run_line(result.replications, args, lang) + "\n\n" + sensitivity_text(result, lang)
    _emit(args, payload, text, out)
    return 0


def _replications(
    args: argparse.Namespace, out: TextIO | None = None, lang: str | None = None, *, resolve: Resolve
) -> int:
    from simlib.experiment import replications_needed

    lang = _lang(args, lang)
    (scenario,), fn = _resolve(resolve, [args.scenario], _overrides(args))
    if not args.kpi or len(args.kpi) != 1:
        raise InputError(field="--kpi", key="arg.one_kpi")
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
    from simlib.cli.main import EXIT_INPUT, exit_on_sigterm, report_error, warnings_shown

    exit_on_sigterm()
    parser = arguments.Parser(prog=prog)
    register(parser.add_subparsers(dest="command", required=True), resolve, ranges)
    try:
        args = parser.parse_args(list(argv))
    except InputError as exc:
        (err or sys.stderr).write(report_error(exc, get_lang()) + "\n")
        return EXIT_INPUT
    lang = _lang(args, None)
    try:
        with warnings_shown(lang):
            return int(args.handler(args, out, lang))
    except InputError as exc:
        (err or sys.stderr).write(report_error(exc, lang) + "\n")
        return EXIT_INPUT
