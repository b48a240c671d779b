"""``simlib run SCENARIO``: replications of a scenario through the pipeline (simulate → log → audit → KPIs),
their outputs written with ``--out`` and a summary (or JSON) printed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from simlib.cli import arguments
from simlib.cli.validate import load
from simlib.errors import InputError
from simlib.i18n import pad, t

if TYPE_CHECKING:  # pandas, the pipeline and the scenario schema load when the command runs
    from simlib import pipeline
    from simlib.scenario import Scenario

SUMMARY_KPIS = (
    "events", "trips_public", "trips_private", "trips_denied", "approval_days_mean",
    "custody_on_time_public", "custody_on_time_private", "findings", "non_return", "flight_attempts",
    "flight_blocked", "flight_succeeded", "flight_funds", "detection_lead_days", "sanctions",
    "accountability", "repatriated",
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """``simlib run SCENARIO [--reps N] [--seed S] [--set PATH=VALUE …] [--out DIR] [--json]``."""
    p = sub.add_parser("run", help=t("model.cli.run.help", "en"),
                      description=t("model.cli.run.help", "en"))
    p.add_argument("scenario", metavar="SCENARIO",
                   help="scenario YAML, or a name: baseline, pre_notice, a gap or a training world")
    p.add_argument("--reps", type=arguments.positive_int, default=1, help="replications (default 1)")
    p.add_argument("--seed", type=arguments.seed, default=None,
                   help="seed of the first replication (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a field (repeatable)")
    p.add_argument("--out", type=arguments.out_path, metavar="DIR",
                   help="write logs (Parquet), findings and kpis.csv here")
    p.add_argument("--json", action="store_true", help="print the KPIs as JSON")
    return p


def _fmt(v: float) -> str:
    import pandas as pd

    if pd.isna(v):
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3g}"


def summary(results: list[pipeline.Replication], sc: Scenario, lang: str) -> str:
    """A readable summary: the world, the KPIs (mean, min–max over replications), the top findings."""
    import pandas as pd

    from simlib import pipeline

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


def run(args: argparse.Namespace, lang: str | None = None, out: TextIO | None = None) -> int:
    """Run replications, write the outputs (with --out) and print a summary (or JSON)."""
    from simlib import pipeline

    out = out or sys.stdout
    lang = lang or "zh"
    if args.reps < 1:
        raise InputError(f"--reps {args.reps} is not a positive number", field="--reps",
                         fix="give --reps 1 or more")
    sc = load(args.scenario, args.overrides)
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
    return 0
