"""CLI subcommands of the model: ``simlib validate FILE`` and ``simlib run SCENARIO``.

The host CLI calls :func:`register` with its argparse subparsers; each subcommand stores ``run(args, lang) ->
exit status`` in ``args.run``. Bad input raises :class:`~simlib.errors.InputError` (the host prints it and
exits with status 2); :func:`main` does the same on its own, for trying the commands without the host CLI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from simlib import pipeline
from simlib.errors import InputError
from simlib.i18n import LANGS, pad, set_lang, t
from simlib.scenario import CONTROL_NAMES, Scenario, describe, find_scenario, load_scenario, parse_sets

EXIT_OK, EXIT_INPUT = 0, 2
SUMMARY_KPIS = (
    "events", "trips_public", "trips_private", "trips_denied", "approval_days_mean",
    "custody_on_time_public", "custody_on_time_private", "findings", "non_return", "flight_attempts",
    "flight_blocked", "flight_succeeded", "flight_funds", "detection_lead_days", "sanctions",
    "accountability", "repatriated",
)


def register(subparsers: Any) -> None:
    """Add ``validate`` and ``run`` to an argparse subparsers object."""
    p = subparsers.add_parser("validate", help=t("model.cli.validate.help", "en"),
                              description=t("model.cli.validate.help", "en"))
    p.add_argument("file", metavar="FILE", help="scenario YAML")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a field, e.g. --set behaviour.keep_private_document=0.3 (repeatable)")
    p.add_argument("--params", action="store_true", help="list every parameter with unit, range and source")
    p.add_argument("--lang", dest="cmd_lang", choices=LANGS, default=None, help="zh or en")
    p.set_defaults(run=run_validate)

    p = subparsers.add_parser("run", help=t("model.cli.run.help", "en"),
                              description=t("model.cli.run.help", "en"))
    p.add_argument("scenario", metavar="SCENARIO",
                   help="scenario YAML, or a name: baseline, pre_notice, a gap or a training world")
    p.add_argument("--reps", type=int, default=1, help="replications (default 1)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the first replication (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a field (repeatable)")
    p.add_argument("--out", type=Path, metavar="DIR", help="write logs (Parquet), findings and kpis.csv here")
    p.add_argument("--json", action="store_true", help="print the KPIs as JSON")
    p.add_argument("--lang", dest="cmd_lang", choices=LANGS, default=None, help="zh or en")
    p.set_defaults(run=run_run)


def _lang(args: argparse.Namespace, lang: str | None) -> str:
    return getattr(args, "cmd_lang", None) or lang or "zh"


def _load(name: str, overrides: list[str]) -> Scenario:
    """A scenario by path or by name (``baseline``, a gap, a training world), with ``--set`` overrides."""
    return load_scenario(find_scenario(name), parse_sets(overrides))


def run_validate(args: argparse.Namespace, lang: str | None = None, out: TextIO | None = None) -> int:
    """Check one scenario file; print what it is, or raise InputError naming the field and the fix."""
    out = out or sys.stdout
    lang = _lang(args, lang)
    sc = _load(args.file, args.overrides)
    if args.params:
        rows = pd.DataFrame(describe(Scenario, lang))
        print(rows.to_string(index=False), file=out)
        return EXIT_OK
    changed = [n for n in CONTROL_NAMES if not sc.control(n).on or sc.control(n).level < 1.0]
    weak = ", ".join(f"{n}={'off' if not sc.control(n).on else sc.control(n).level}" for n in changed) or \
        t("model.cli.none", lang)
    desc = sc.description.zh if lang == "zh" else sc.description.en
    print(t("model.cli.valid", lang, file=args.file, name=sc.name), file=out)
    if desc:
        print(f"  {desc}", file=out)
    print(t("model.cli.world", lang, cadres=sc.organisation.cadres, years=sc.calendar.years,
            start=sc.calendar.start.isoformat(), seed=sc.seed), file=out)
    print(t("model.cli.controls", lang, controls=weak), file=out)
    return EXIT_OK




def _fmt(v: float) -> str:
    if pd.isna(v):
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3g}"


def summary(results: list[pipeline.Replication], sc: Scenario, lang: str) -> str:
    """A readable summary: the world, the KPIs (mean, min–max over replications), the top findings."""
    table = pipeline.summary_table(results)
    lines = [t("model.run.title", lang, name=sc.name, reps=len(results),
               seeds=", ".join(str(r.seed) for r in results)),
             t("model.cli.world", lang, cadres=sc.organisation.cadres, years=sc.calendar.years,
               start=sc.calendar.start.isoformat(), seed=results[0].seed if results else sc.seed), ""]
    lines.append(t("model.run.header", lang))
    for k in SUMMARY_KPIS:
        if k in table.index:
            row = table.loc[k]
            span = "" if len(results) < 2 else f"  ({_fmt(row['min'])}–{_fmt(row['max'])})"
            lines.append(f"  {pad(t(f'model.kpi.{k}', lang), 30)} {_fmt(row['mean']):>12}{span}")
    viol = table[table.index.str.startswith("violations_")]["mean"]
    viol = viol[viol > 0].sort_values(ascending=False).head(8)
    if len(viol):
        lines += ["", t("model.run.violations", lang)]
        lines += [f"  {k.removeprefix('violations_'):<8} {_fmt(v):>10}" for k, v in viol.items()]
    secs = pd.DataFrame([r.seconds for r in results]).sum()
    lines += ["", t("model.run.timing", lang, simulate=f"{secs.get('simulate', 0):.1f}",
                    log=f"{secs.get('log', 0):.1f}", audit=f"{secs.get('audit', 0):.1f}")]
    return "\n".join(lines)


def run_run(args: argparse.Namespace, lang: str | None = None, out: TextIO | None = None) -> int:
    """Run replications, write the outputs (with --out) and print a summary (or JSON)."""
    out = out or sys.stdout
    lang = _lang(args, lang)
    if args.reps < 1:
        raise InputError(f"--reps {args.reps} is not a positive number", field="--reps",
                         fix="give --reps 1 or more")
    sc = _load(args.scenario, args.overrides)
    results = pipeline.run(sc, reps=args.reps, seed=args.seed)
    paths = pipeline.write(results, sc, args.out) if args.out else {}
    if args.json:
        doc = {"scenario": sc.name, "replications": [{"seed": r.seed, **r.kpis} for r in results],
               "files": {k: str(v) for k, v in paths.items()}}
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=float), file=out)
    else:
        print(summary(results, sc, lang), file=out)
        if paths:
            print(t("model.run.written", lang, out=str(args.out)), file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simlib.commands_model validate|run …`` (the same commands without the host CLI)."""
    parser = argparse.ArgumentParser(prog="simlib")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    lang = _lang(args, None)
    set_lang(lang)
    try:
        return int(args.run(args, lang))
    except InputError as err:
        print(f"simlib: {t('error.prefix', lang)}: {err.render()}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
