"""``simlib report [--out DIR]``: the main job — the baseline scenario simulated, audited and summarised.

The scenario is ``scenarios/baseline.yaml`` when present (the notice in force from 2004-12-31), else the
embedded defaults, which are the same world. The summary states that behavioural magnitudes are assumptions.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simlib.cli.audit import write_findings
from simlib.commands_model import summary
from simlib.i18n import t
from simlib.model import runner
from simlib.scenario import load_scenario, parse_sets


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("report", help="simulate the baseline scenario, audit it and write a report")
    p.add_argument("--out", type=Path, default=Path("out"), help="output directory (default: out)")
    p.add_argument("--scenario", default="baseline", help="scenario name or YAML path (default: baseline)")
    p.add_argument("--reps", type=int, default=1, help="replications (default: 1)")
    p.add_argument("--seed", type=int, default=None, help="seed of the first replication (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a scenario field (repeatable)")
    return p


def run(args: argparse.Namespace, lang: str) -> int:
    scenario = load_scenario(runner.find_scenario(args.scenario), parse_sets(args.overrides))
    print(t("cli.report.running", lang, name=scenario.name, reps=args.reps))
    results = runner.run(scenario, reps=args.reps, seed=args.seed)
    text = "\n".join([summary(results, scenario, lang), "", t("cli.report.assumptions", lang)])
    print(text)
    out: Path = args.out
    runner.write(results, scenario, out)
    write_findings(results[0].findings, out / "findings.csv", lang)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print(t("cli.report.wrote", lang, out=out, files="summary.txt, kpis.csv, findings.csv, log-*.parquet"))
    return 0
