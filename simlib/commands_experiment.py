"""CLI subcommands of the experiment layer: compare, sweep, sensitivity, replications.

The host CLI calls :func:`register` with its argparse subparsers and a ``resolve`` callback that turns a
scenario name or path (plus ``--set`` overrides) into ``(name, config, replication function)``; an optional
``ranges`` callback gives the documented plausible ranges of parameters. Each subcommand stores a handler in
``args.handler`` (``handler(args, out=None) -> exit status``, printing to ``out`` or stdout) and, for
simlib's main CLI, ``args.run(args, lang)`` (the output is English for now); :func:`run_cli`
shows the whole cycle (parse, run, print) and turns :class:`~simlib.log.errors.InputError` into exit status 2.
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

from simlib.log.errors import InputError

if TYPE_CHECKING:  # the experiment modules (pandas, scipy, SALib) load only when a subcommand runs
    import pandas as pd

    from simlib.experiment.contract import ReplicationFn, Scenario
    from simlib.experiment.sensitivity import SensitivityResult

# Choices, kept in step with the library by tests/test_experiment_cli.py
EXECUTORS = ("serial", "processes", "dask")
DESIGNS = ("grid", "lhs")
METHODS = ("oat", "morris", "sobol")

Resolve = Callable[[str, Mapping[str, Any]], "tuple[str, Mapping[str, Any], ReplicationFn]"]
"""``resolve(name_or_path, overrides) -> (name, config, fn)``."""
RangesFn = Callable[[Mapping[str, Any], Sequence[str] | None], Mapping[str, tuple[float, float]]]
"""``ranges(config, paths) -> {path: (lo, hi)}``; ``paths=None`` asks for every documented parameter."""

DEFAULT_SEED = 20041216


# --------------------------------------------------------------------------------------------- parsing


def _common(parser: argparse.ArgumentParser, reps: int) -> None:
    run = parser.add_argument_group("running")
    run.add_argument(
        "--reps", type=int, default=reps, help=f"replications per scenario or point (default {reps})"
    )
    run.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"root seed; replication i gets child i of SeedSequence(seed) (default {DEFAULT_SEED})",
    )
    run.add_argument("--executor", choices=EXECUTORS, default="serial", help="where replications run")
    run.add_argument(
        "--scheduler", metavar="ADDR", help="Dask scheduler address (default: start a LocalCluster)"
    )
    run.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    run.add_argument("--batch-size", type=int, help="replications per task (default: ~16 tasks per worker)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="results store: one Parquet file per replication; rerun the same command to resume",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        dest="overrides",
        help="override a parameter of every scenario (repeatable)",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--kpi", action="append", metavar="NAME", help="only these KPIs (repeatable)")
    out.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    out.add_argument("--json", action="store_true", help="print machine-readable results")
    out.add_argument(
        "--no-progress", action="store_true", help="no progress bar (also off when CI=true or piped)"
    )


def _defaults(parser: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    """``args.handler(args, out=None)``, and ``args.run(args, lang)`` as simlib's main CLI calls it."""
    parser.set_defaults(handler=handler, run=partial(_run_as_main, handler=handler))


def _run_as_main(args: argparse.Namespace, lang: str | None = None, *, handler: Callable[..., int]) -> int:
    return handler(args)


def _with_headline(handler: Callable[..., int], headline: Sequence[str]) -> Callable[..., int]:
    """``handler`` reporting the ``headline`` KPIs when no ``--kpi`` is given (all KPIs make an unreadable table)."""

    def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
        if not args.kpi and headline:
            args.kpi = list(headline)
        return handler(args, out)

    return run


def register(subparsers: Any, resolve: Resolve, ranges: RangesFn | None = None,
             headline: Sequence[str] = ()) -> None:
    """Add ``compare``, ``sweep``, ``sensitivity`` and ``replications`` to an argparse subparsers object;
    ``headline``: the KPIs shown by ``compare``, ``sweep`` and ``sensitivity`` when ``--kpi`` is not given."""
    p = subparsers.add_parser(
        "compare",
        help="compare scenarios with the baseline over paired replications",
        description="Each KPI per scenario with a t-interval, and each difference from the "
        "baseline with a paired t-interval (common random numbers).",
    )
    p.add_argument("baseline", metavar="BASE")
    p.add_argument("alternatives", nargs="+", metavar="ALT")
    p.add_argument("--rank", action="store_true", help="sort differences by |relative change|")
    _common(p, reps=20)
    _defaults(p, _with_headline(partial(_compare, resolve=resolve), headline))

    p = subparsers.add_parser("sweep", help="grid or Latin-hypercube sweep over parameter paths")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="PATH[=LO:HI]",
        help="parameter to vary; without LO:HI its documented range is used (repeatable)",
    )
    p.add_argument("--design", choices=DESIGNS, default="grid")
    p.add_argument("--points", type=int, default=3, help="grid: values per parameter; lhs: points in all")
    _common(p, reps=10)
    _defaults(p, _with_headline(partial(_sweep, resolve=resolve, ranges=ranges), headline))

    p = subparsers.add_parser("sensitivity", help="which parameters drive the KPIs: tornado, Morris or Sobol")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--method", choices=METHODS, default="oat")
    p.add_argument(
        "--param",
        action="append",
        metavar="PATH[=LO:HI]",
        help="parameter to vary (repeatable; default: every parameter with a documented range)",
    )
    p.add_argument("--trajectories", type=int, default=10, help="Morris trajectories (default 10)")
    p.add_argument("--levels", type=int, default=4, help="Morris grid levels (default 4)")
    p.add_argument("--samples", type=int, default=64, help="Sobol base samples, a power of two (default 64)")
    _common(p, reps=5)
    _defaults(p, _with_headline(partial(_sensitivity, resolve=resolve, ranges=ranges), headline))

    p = subparsers.add_parser("replications", help="how many replications a KPI needs for a target precision")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--target", type=float, default=0.05, help="relative CI half-width to reach (default 0.05)"
    )
    p.add_argument("--initial", type=int, default=10)
    p.add_argument("--step", type=int, default=10, help="replications added per look")
    p.add_argument("--max-reps", type=int, default=500)
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


def _fmt(x: Any) -> str:
    import pandas as pd

    return "nan" if x is None or pd.isna(x) else f"{x:.4g}"


def _ci(low: Any, high: Any) -> str:
    return f"[{_fmt(low)}, {_fmt(high)}]"


def _pct(x: Any) -> str:
    import pandas as pd

    return "nan" if pd.isna(x) else f"{x:+.1%}"


def _run_line(table: pd.DataFrame, args: argparse.Namespace) -> str:
    run = table.attrs.get("run", {})
    where = f", store {run['store']}" if run.get("store") else ""
    return (
        f"root seed {args.seed}; executor {run.get('executor')} (workers: {run.get('workers')}); "
        f"computed {run.get('computed')}, reused {run.get('reused')}{where}; {run.get('wall_s', 0):.1f} s"
    )


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


def summary_text(summary: pd.DataFrame, confidence: float) -> str:
    """A readable per-scenario KPI table with the CI method in the title."""
    import pandas as pd

    from simlib.experiment.stats import MEAN_METHOD

    shown = pd.DataFrame(
        {
            "scenario": summary["scenario"],
            "kpi": summary["kpi"],
            "n": summary["n"],
            "mean": summary["mean"].map(_fmt),
            "sd": summary["sd"].map(_fmt),
            f"{confidence:.0%} CI": [
                _ci(a, b) for a, b in zip(summary["ci_low"], summary["ci_high"], strict=True)
            ],
            "±rel": summary["rel_half_width"].map(lambda v: "nan" if pd.isna(v) else f"{v:.1%}"),
        }
    )
    return f"KPIs per scenario: mean, {confidence:.0%} {MEAN_METHOD}\n" + shown.to_string(index=False)


def differences_text(diffs: pd.DataFrame, baseline: str, confidence: float) -> str:
    """A readable table of differences from the baseline, naming the paired and the Welch CI methods."""
    import pandas as pd

    from simlib.experiment.stats import PAIRED_METHOD, WELCH_METHOD

    shown = pd.DataFrame(
        {
            "scenario": diffs["scenario"],
            "kpi": diffs["kpi"],
            "n": diffs["n"],
            "baseline": diffs["baseline_mean"].map(_fmt),
            "mean": diffs["mean"].map(_fmt),
            "diff": diffs["diff"].map(_fmt),
            f"{confidence:.0%} CI paired": [
                _ci(a, b) for a, b in zip(diffs["ci_low"], diffs["ci_high"], strict=True)
            ],
            "rel. change": diffs["rel_change"].map(_pct),
            "sig.": diffs["significant"].map({True: "*", False: ""}),
            f"{confidence:.0%} CI Welch": [
                _ci(a, b) for a, b in zip(diffs["welch_ci_low"], diffs["welch_ci_high"], strict=True)
            ],
        }
    )
    return (
        f"Differences from baseline {baseline!r}: {confidence:.0%} {PAIRED_METHOD}; "
        f"for contrast the {WELCH_METHOD}; * = paired CI excludes 0\n" + shown.to_string(index=False)
    )


# --------------------------------------------------------------------------------------------- commands


def _compare(args: argparse.Namespace, out: TextIO | None = None, *, resolve: Resolve) -> int:
    from simlib.experiment import (
        MEAN_METHOD,
        PAIRED_METHOD,
        WELCH_METHOD,
        compare,
        rank_differences,
        run_replications,
        summarise,
    )

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
        "scenarios": [{"name": s.name, "hash": s.hash} for s in scenarios],
        "run": table.attrs.get("run", {}),
        "summary": _records(summary),
        "differences": _records(diffs),
    }
    text = "\n\n".join(
        [
            _run_line(table, args),
            summary_text(summary, args.confidence),
            differences_text(diffs, scenarios[0].name, args.confidence),
        ]
    )
    _emit(args, payload, text, out)
    return 0


def _sweep(
    args: argparse.Namespace, out: TextIO | None = None, *, resolve: Resolve, ranges: RangesFn | None
) -> int:
    from simlib.experiment import MEAN_METHOD, sweep

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
    wide = result.wide(args.kpi)
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
        "ci_method": MEAN_METHOD,
        "run": result.replications.attrs.get("run", {}),
        "points_table": _records(result.points),
        "summary": _records(summary),
    }
    title = (
        f"Sweep of {base.name!r} ({args.design}, {len(result.points)} points x {args.reps} replications): "
        f"KPI mean and '±' = half-width of the {args.confidence:.0%} {MEAN_METHOD}"
    )
    text = "\n\n".join([_run_line(result.replications, args), title + "\n" + wide.to_string(index=False)])
    _emit(args, payload, text, out)
    return 0


def sensitivity_text(result: SensitivityResult) -> str:
    """A readable ranking per KPI, naming the method."""
    import pandas as pd

    parts = []
    for kpi, group in result.table.groupby("kpi", sort=False):
        if result.method == "oat":
            shown = pd.DataFrame(
                {
                    "rank": group["rank"],
                    "parameter": group["parameter"],
                    "low": group["low"],
                    "high": group["high"],
                    "baseline": group["baseline_mean"].map(_fmt),
                    "diff at low": group["diff_low"].map(_fmt),
                    "CI at low": [
                        _ci(a, b) for a, b in zip(group["low_ci_low"], group["low_ci_high"], strict=True)
                    ],
                    "diff at high": group["diff_high"].map(_fmt),
                    "CI at high": [
                        _ci(a, b) for a, b in zip(group["high_ci_low"], group["high_ci_high"], strict=True)
                    ],
                    "swing": group["swing"].map(_fmt),
                }
            )
        else:
            measures = [c for c in group.columns if c not in {"kpi", "rank", "parameter"}]
            shown = group[["rank", "parameter", *measures]]
        text = shown.to_string(index=False, float_format=lambda v: f"{v:.4g}")
        parts.append(f"{kpi}:\n{text}")
    if result.method == "oat":
        head = (
            f"One-at-a-time tornado: difference from baseline at each end of the range, "
            f"{result.confidence:.0%} {result.ci_method}; ranked by swing |diff_high - diff_low|"
        )
    elif result.method == "morris":
        head = f"{result.ci_method} ({result.confidence:.0%}); ranked by mu_star"
    else:
        head = f"{result.ci_method} ({result.confidence:.0%}); ranked by total index ST"
    return head + "\n\n" + "\n\n".join(parts)


def _sensitivity(
    args: argparse.Namespace, out: TextIO | None = None, *, resolve: Resolve, ranges: RangesFn | None
) -> int:
    from simlib.experiment import morris, sobol, tornado

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
        "run": result.replications.attrs.get("run", {}),
        "table": _records(result.table),
    }
    _emit(args, payload, _run_line(result.replications, args) + "\n\n" + sensitivity_text(result), out)
    return 0


def _replications(args: argparse.Namespace, out: TextIO | None = None, *, resolve: Resolve) -> int:
    from simlib.experiment import replications_needed

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
    payload = {"command": "replications", **result.as_dict(), "root_seed": args.seed}
    verdict = "reached" if result.met else f"NOT reached within the cap of {result.max_reps}"
    text = (
        f"{scenario.name}: {result.kpi} after {result.n} replications: mean {_fmt(result.mean)}, "
        f"{result.confidence:.0%} {result.method} half-width {_fmt(result.half_width)} "
        f"(±{result.rel_half_width:.2%} of the mean); target ±{result.target:.2%} {verdict}\n"
        + "looks (n: relative half-width): "
        + ", ".join(f"{n}: {r:.2%}" for n, r in result.history)
    )
    _emit(args, payload, text, out)
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
    """Parse ``argv``, run the subcommand and return its exit status (2 for bad input)."""
    from simlib.cli.main import exit_on_sigterm

    exit_on_sigterm()
    parser = argparse.ArgumentParser(prog=prog)
    register(parser.add_subparsers(dest="command", required=True), resolve, ranges)
    args = parser.parse_args(list(argv))
    try:
        return int(args.handler(args, out))
    except InputError as exc:
        (err or sys.stderr).write(f"{prog} {args.command}: error: {exc}\n")
        return 2
