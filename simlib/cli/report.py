"""``simlib report [SCENARIO] [--compare ALT … | --all-gaps] [--reps N] [--format html|pdf] [--out FILE]``.

Executes the report template (``notebooks/reports/comparison.ipynb``) with papermill and converts it with
nbconvert (no code shown) and Chromium (PDF): the base world against each alternative on common random
numbers, with paired intervals, findings by clause, the parameters that differ and the assumptions.
An alternative is a preset (a named gap, ``pre_notice``) applied to the base world, or a scenario file.

``--out`` is a folder (the default, ``reports/``) or a file. A folder is a run folder (:mod:`simlib.rundir`):
marked complete once the report is written, refused when it holds another report (unless ``--overwrite``) or
files that are not simlib's; the same command again says the report is complete. A file that exists is replaced
only with ``--overwrite``. Either way the files appear whole, by a rename.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib.cli import arguments
from simlib.errors import InputError
from simlib.files import unlock
from simlib.i18n import t

if TYPE_CHECKING:
    from simlib.rundir import RunFolder
    from simlib.scenario import Scenario

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
                   help="a run folder (default: reports/), or the report file (suffix replaced per format). A "
                        "folder is marked complete (.simlib-run.json) once the report is written; the same command "
                        "again says so, a folder holding another report is refused (see --overwrite), and so is a "
                        "non-empty folder that is not a simlib run folder")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an earlier report: in a folder, all its files go; a file is replaced")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                   help="where replications run (default: processes)")
    p.add_argument("--template", type=arguments.existing_file, default=None,
                   help=f"report template (default: {TEMPLATE})")
    return p


def find_template(path: Path | None) -> Path:
    """The template given, else ``notebooks/reports/comparison.ipynb`` here or in the checkout."""
    if path is not None:
        if not path.is_file():
            raise InputError(source=str(path), field="--template", key="cli.no_report_template",
                             values={"template": TEMPLATE})
        return path
    from simlib.scenario.presets import PROJECT_ROOT

    for root in (Path.cwd(), PROJECT_ROOT):
        if (root / TEMPLATE).is_file():
            return root / TEMPLATE
    raise InputError(source=str(TEMPLATE), field="--template", key="cli.report_template")


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


def open_target(args: argparse.Namespace, stack: ExitStack, command: str, worlds: list[Scenario],
                template: Path, formats: tuple[str, ...], lang: str, paths: list[Path]) -> RunFolder | None:
    """Lock where the report goes: a run folder (returned), or the folder of a report file (None; a file that
    exists is refused without ``--overwrite``). The lock is released when ``stack`` closes."""
    from simlib.experiment.contract import config_hash
    from simlib.experiment.store import simlib_version
    from simlib.rundir import RunFolder, hold

    if args.out.is_dir() or not args.out.suffix:
        identity = {"arguments": {"compare": list(args.compare), "reps": args.reps, "seed": args.seed,
                                  "confidence": args.confidence, "formats": list(formats), "lang": lang},
                    "scenario_hash": config_hash({"worlds": [w.model_dump(mode="json") for w in worlds]}),
                    "template_hash": hashlib.sha256(template.read_bytes()).hexdigest(),
                    "simlib_version": simlib_version()}
        return stack.enter_context(RunFolder.open(args.out, identity, command=command, overwrite=args.overwrite))
    existing = [p for p in paths if p.exists()]
    if existing and not args.overwrite:
        raise InputError(source=str(existing[0]), field="--out", key="cli.report_exists")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = hold(args.out.parent)
    stack.callback(unlock, fd)
    return None


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.scenario import parse_sets
    from simlib.views.report import render_notebook
    from simlib.views.study import resolve_study

    if args.reps < 2:
        raise InputError(field="--reps", key="cli.report_reps", values={"reps": args.reps})
    if not 0 < args.confidence < 1:
        raise InputError(field="--confidence", key="cli.report_confidence", values={"confidence": args.confidence})
    sets = parse_sets(args.overrides)
    compare = list(args.compare)
    base, alts, _ = resolve_study(args.scenario, compare, all_gaps=not compare, sets=sets)  # validates first
    template = find_template(args.template)
    formats = tuple(dict.fromkeys(args.formats or FORMATS))
    stem = out_stem(args.out, args.scenario, compare, lang)
    paths = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
    command = command_line(args, lang, compare)
    with ExitStack() as stack:
        folder = open_target(args, stack, command, [base, *alts], template, formats, lang, paths)
        if folder is not None and folder.complete:
            print(t("outputs.complete", lang, out=str(args.out), finished=folder.marker["finished"]))
            for fmt, path in zip(formats, paths, strict=True):
                print(t("report.cli.wrote", lang, fmt=fmt.upper(), path=path))
            return 0
        print(t("report.cli.running", lang, base=base.name, n=len(alts), reps=args.reps,
                cadres=f"{base.organisation.cadres:,}", years=f"{base.calendar.years:g}"), flush=True)
        started = time.perf_counter()
        params = {"scenario": args.scenario, "compare": compare, "all_gaps": not compare, "reps": args.reps,
                  "sets": sets, "root_seed": args.seed, "confidence": args.confidence, "executor": args.executor,
                  "lang": lang, "command": command}
        rendered = render_notebook(template, params, stem, formats, title=t("report.cli.title", lang))
        if folder is not None:
            folder.finish([rendered[fmt].name for fmt in formats])
    for fmt in formats:
        print(t("report.cli.wrote", lang, fmt=fmt.upper(), path=rendered[fmt]))
    print(t("report.cli.time", lang, seconds=f"{time.perf_counter() - started:.1f}"))
    return 0
