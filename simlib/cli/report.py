"""``simlib report [SCENARIO] [--compare ALT … | --all-gaps] [--reps N] [--format html|pdf] [--out FILE]``.

Executes the report template (``notebooks/reports/comparison.ipynb``) with papermill and converts it with
nbconvert (no code shown) and Chromium (PDF): the base world against each alternative on common random
numbers, with paired intervals, findings by clause, the parameters that differ and the assumptions.
An alternative is a preset (a named gap, ``pre_notice``) applied to the base world, or a scenario file.
"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path
from typing import Any

from simlib.cli import arguments
from simlib.errors import InputError
from simlib.i18n import t

FORMATS = ("html", "pdf")  # simlib.views.report.FORMATS (not imported here: it would slow every command's start)
TEMPLATE = Path("notebooks/reports/comparison.ipynb")
DEFAULT_OUT = Path("reports")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("report", help=t("report.cli.help", "en"), description=t("report.cli.description", "en"))
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO",
                   help="the base world: a scenario name or YAML path (default: baseline)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--compare", nargs="+", default=[], metavar="ALT",
                       help="alternatives: preset names (a gap, pre_notice) or scenario files")
    which.add_argument("--all-gaps", action="store_true", help="compare with every named gap (the default)")
    p.add_argument("--reps", type=arguments.positive_int, default=8, help="replications per scenario (default: 8)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="change every scenario, e.g. --set organisation.cadres=2000 (repeatable)")
    p.add_argument("--seed", type=arguments.seed, default=0, help="root seed of the replication seeds (default: 0)")
    p.add_argument("--confidence", type=arguments.level, default=0.95, help="confidence level (default: 0.95)")
    p.add_argument("--format", action="append", choices=FORMATS, dest="formats", default=None,
                   help="html or pdf (repeatable; default: both)")
    p.add_argument("--out", type=arguments.out_path, default=DEFAULT_OUT,
                   help="the report file (suffix replaced per format) or a folder (default: reports/)")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                   help="where replications run (default: processes)")
    p.add_argument("--template", type=arguments.existing_file, default=None,
                   help=f"report template (default: {TEMPLATE})")
    return p


def find_template(path: Path | None) -> Path:
    """The template given, else ``notebooks/reports/comparison.ipynb`` here or in the checkout."""
    if path is not None:
        if not path.is_file():
            raise InputError("no such report template", source=str(path), field="--template",
                             fix=f"give a notebook, e.g. {TEMPLATE}")
        return path
    from simlib.scenario.presets import PROJECT_ROOT

    for root in (Path.cwd(), PROJECT_ROOT):
        if (root / TEMPLATE).is_file():
            return root / TEMPLATE
    raise InputError("the report template is missing", source=str(TEMPLATE), field="--template",
                     fix="run simlib report from the checkout, or give --template PATH")


def out_stem(out: Path, scenario: str, compare: list[str], lang: str) -> Path:
    """``out`` without its suffix, or ``out/report-<scenario>-<what>-<lang>`` when ``out`` is a folder."""
    if out.is_dir() or not out.suffix:
        what = "all-gaps" if not compare else "-".join(Path(c).stem for c in compare[:3])
        return out / f"report-{Path(scenario).stem}-{what}-{lang}"
    return out.with_suffix("")


def command_line(args: argparse.Namespace, lang: str, compare: list[str]) -> str:
    """The ``simlib report`` command that reproduces this report."""
    parts = ["simlib", "report", args.scenario]
    parts += ["--compare", *compare] if compare else ["--all-gaps"]
    parts += ["--reps", str(args.reps), "--seed", str(args.seed)]
    for item in args.overrides:
        parts += ["--set", item]
    if args.confidence != 0.95:
        parts += ["--confidence", str(args.confidence)]
    return shlex.join([*parts, "--lang", lang])


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.scenario import parse_sets
    from simlib.views.report import render_notebook
    from simlib.views.study import resolve_study

    if args.reps < 2:
        raise InputError(f"--reps must be at least 2 for an interval, got {args.reps}", field="--reps",
                         fix="give --reps 2 or more (8 or more for a useful report)")
    if not 0 < args.confidence < 1:
        raise InputError(f"--confidence must be between 0 and 1, got {args.confidence}", field="--confidence",
                         fix="e.g. --confidence 0.95")
    sets = parse_sets(args.overrides)
    compare = list(args.compare)
    base, alts, _ = resolve_study(args.scenario, compare, all_gaps=not compare, sets=sets)  # validates first
    template = find_template(args.template)
    formats = tuple(dict.fromkeys(args.formats or FORMATS))
    stem = out_stem(args.out, args.scenario, compare, lang)
    print(t("report.cli.running", lang, base=base.name, n=len(alts), reps=args.reps,
            cadres=f"{base.organisation.cadres:,}", years=f"{base.calendar.years:g}"), flush=True)
    started = time.perf_counter()
    params = {"scenario": args.scenario, "compare": compare, "all_gaps": not compare, "reps": args.reps,
              "sets": sets, "root_seed": args.seed, "confidence": args.confidence, "executor": args.executor,
              "lang": lang, "command": command_line(args, lang, compare)}
    rendered = render_notebook(template, params, stem, formats, title=t("report.cli.title", lang))
    for fmt in formats:
        print(t("report.cli.wrote", lang, fmt=fmt.upper(), path=rendered[fmt]))
    print(t("report.cli.time", lang, seconds=f"{time.perf_counter() - started:.1f}"))
    return 0
