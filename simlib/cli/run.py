"""``simlib run SCENARIO``: replications of a scenario through the pipeline (simulate → log → audit → KPIs),
their outputs written with ``--out`` and a summary (or JSON) printed.

``--out DIR`` is a run folder (:mod:`simlib.rundir`): each replication's log and findings are written (atomically)
as soon as it is done and noted in the folder's marker, so a run cut short resumes where it stopped when the
same command is given again; ``kpis.csv`` and ``scenario.json`` come last, then the marker says ``complete``.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from simlib.cli import arguments
from simlib.cli.validate import load
from simlib.errors import InputError
from simlib.i18n import pad, t

if TYPE_CHECKING:  # pandas, the pipeline and the scenario schema load when the command runs
    from simlib.rundir import RunFolder
    from simlib.scenario import Scenario

Row = tuple[int, dict[str, float], dict[str, float]]  # a replication's seed, KPIs and seconds per step

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
                   help="a run folder: logs (Parquet), findings, kpis.csv and scenario.json, each written whole; "
                        "a marker (.simlib-run.json) says whether the run is complete. The same command again "
                        "resumes a run cut short (or says it is complete); a folder of other arguments is refused "
                        "(see --overwrite), and so is a non-empty folder that is not a simlib run folder")
    p.add_argument("--overwrite", action="store_true",
                   help="with --out: replace the outputs of an earlier run in that folder (all its files go)")
    p.add_argument("--format", choices=LOG_FORMATS, default="parquet",
                   help="with --out: also write each replication's log as log-SEED.jsonocel, .sqlite, .xmlocel or "
                        ".csv (OCEL 2.0 JSON, SQLite, XML; CSV); the Parquet log is always written")
    p.add_argument("--json", action="store_true", help="print the KPIs as JSON")
    return p


LOG_FORMATS = ("parquet", "jsonocel", "sqlite", "xmlocel", "csv")


def _fmt(v: float) -> str:
    import pandas as pd

    if pd.isna(v):
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3g}"


def summary(rows: Sequence[Row], sc: Scenario, lang: str) -> str:
    """A readable summary: the world, the KPIs (mean, min–max over replications), the top findings."""
    import pandas as pd

    from simlib import pipeline

    table = pipeline.summary_table([kpis for _, kpis, _ in rows])
    seeds = [seed for seed, _, _ in rows]
    lines = [t("model.run.title", lang, name=sc.name, reps=len(rows), seeds=", ".join(map(str, seeds))),
             t("model.cli.world", lang, cadres=sc.organisation.cadres, years=sc.calendar.years,
               start=sc.calendar.start.isoformat(), seed=seeds[0] if seeds else sc.seed), ""]
    lines.append(t("model.run.header", lang))
    for k in SUMMARY_KPIS:
        if k in table.index:
            row = table.loc[k]
            span = "" if len(rows) < 2 else f"  ({_fmt(row['min'])}–{_fmt(row['max'])})"
            lines.append(f"  {pad(t(f'model.kpi.{k}', lang), 30)} {_fmt(row['mean']):>12}{span}")
    viol = table[table.index.str.startswith("violations_")]["mean"]
    viol = viol[viol > 0].sort_values(ascending=False).head(8)
    if len(viol):
        lines += ["", t("model.run.violations", lang)]
        lines += [f"  {k.removeprefix('violations_'):<8} {_fmt(v):>10}" for k, v in viol.items()]
    secs = pd.DataFrame([seconds for _, _, seconds in rows]).sum()
    lines += ["", t("model.run.timing", lang, simulate=f"{secs.get('simulate', 0):.1f}",
                    log=f"{secs.get('log', 0):.1f}", audit=f"{secs.get('audit', 0):.1f}")]
    return "\n".join(lines)


def _to_json(kpis: dict[str, float]) -> dict[str, float | None]:
    return {k: None if math.isnan(v) else v for k, v in kpis.items()}  # strict JSON has no NaN


def _from_json(kpis: dict[str, float | None]) -> dict[str, float]:
    return {k: math.nan if v is None else float(v) for k, v in kpis.items()}


def replications(sc: Scenario, seeds: Sequence[int], folder: RunFolder | None,
                 log_format: str = "parquet") -> Iterator[Row]:
    """Each seed's replication: read from ``folder`` when a run cut short finished it there, else run (and, with
    a folder, its log and findings written and noted in the marker before the next one starts)."""
    from simlib import pipeline

    done = folder.done if folder is not None else {}
    for seed in seeds:
        if folder is not None and str(seed) in done and all(
                (folder.path / name).exists() for name in (f"log-{seed}.parquet", f"findings-{seed}.csv",
                                                           f"log-{seed}.{log_format}")):
            yield seed, _from_json(done[str(seed)]), {}
            continue
        r = pipeline.run_once(sc, seed)
        if folder is not None:
            pipeline.write_replication(r, folder.path)
            if log_format != "parquet":
                from simlib.log.io import write_log

                write_log(r.log, folder.path / f"log-{seed}.{log_format}")
            folder.record(str(seed), _to_json(r.kpis))
        yield seed, r.kpis, r.seconds


def open_folder(args: argparse.Namespace, sc: Scenario, seed: int) -> RunFolder:
    """The run folder of ``--out`` for this scenario, seed, number of replications and log format
    (:mod:`simlib.rundir`)."""
    from simlib.experiment.contract import config_hash
    from simlib.experiment.store import simlib_version
    from simlib.rundir import RunFolder

    command = ["simlib", "run", args.scenario, "--reps", str(args.reps), "--seed", str(seed)]
    for item in args.overrides:
        command += ["--set", item]
    if args.format != "parquet":
        command += ["--format", args.format]
    identity = {"arguments": {"reps": args.reps, "seed": seed, "format": args.format},
                "scenario_hash": config_hash(sc.model_dump(mode="json")), "simlib_version": simlib_version()}
    return RunFolder.open(args.out, identity, command=shlex.join(command), overwrite=args.overwrite)


def run(args: argparse.Namespace, lang: str | None = None, out: TextIO | None = None) -> int:
    """Run replications, write the outputs (with --out) and print a summary (or JSON)."""
    from simlib import pipeline

    out = out or sys.stdout
    lang = lang or "zh"
    if args.reps < 1:
        raise InputError(field="--reps", key="cli.run_reps", values={"reps": args.reps})
    sc = load(args.scenario, args.overrides)
    seed = sc.seed if args.seed is None else args.seed
    seeds = pipeline.seeds(seed, args.reps)
    paths: dict[str, Path] = {}
    notes: list[str] = []
    if args.out is None:
        rows = list(replications(sc, seeds, None))
    else:
        with open_folder(args, sc, seed) as folder:
            if folder.complete:
                notes.append(t("outputs.complete", lang, out=str(args.out), finished=folder.marker["finished"]))
            elif folder.resumed:
                notes.append(t("outputs.resuming", lang, out=str(args.out), done=len(folder.done)))
            if folder.complete:
                rows = [(s, _from_json(folder.done[str(s)]), {}) for s in seeds]
            else:
                rows = list(replications(sc, seeds, folder, args.format))
                pipeline.write_run(seeds, [kpis for _, kpis, _ in rows], sc, folder.path)
            paths = {f"{kind}-{s}": args.out / f"{kind}-{s}.{ext}" for s in seeds
                     for kind, ext in (("log", "parquet"), ("findings", "csv"))}
            if args.format != "parquet":
                paths |= {f"log-{s}.{args.format}": args.out / f"log-{s}.{args.format}" for s in seeds}
            if args.format == "csv":
                paths |= {f"log-{s}.objects": args.out / f"log-{s}.objects.csv" for s in seeds}
            paths |= {"kpis": args.out / "kpis.csv", "scenario": args.out / "scenario.json"}
            if not folder.complete:
                folder.finish([p.name for p in paths.values()])
    if args.json:
        doc = {"scenario": sc.name, "replications": [{"seed": s, **kpis} for s, kpis, _ in rows],
               "files": {k: str(v) for k, v in paths.items()}}
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=float), file=out)
    else:
        for note in notes:
            print(note, file=out)
        print(summary(rows, sc, lang), file=out)
        if paths:
            print(t("model.run.written", lang, out=str(args.out)), file=out)
    return 0
