"""``simlib report [--out DIR]``: the main job. Until the SimPy model lands it audits a synthetic log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simlib.audit import audit
from simlib.cli.audit import write_findings
from simlib.i18n import t
from simlib.log.ocel import write_ocel_json
from simlib.log.synthetic import synthetic_log

EVENTS = 20_000
SEED = 2004


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report", help="audit a synthetic log (until the simulation exists) and write a report"
    )
    p.add_argument("--out", type=Path, default=Path("out"), help="output directory (default: out)")
    p.add_argument(
        "--events", type=int, default=EVENTS, help=f"size of the synthetic log (default: {EVENTS})"
    )
    p.add_argument("--seed", type=int, default=SEED, help=f"seed of the synthetic log (default: {SEED})")
    return p


def run(args: argparse.Namespace, lang: str) -> int:
    notice = t("cli.report.synthetic", lang, events=args.events, seed=args.seed)
    print(notice)
    log = synthetic_log(args.events, args.seed)
    findings = audit(log)
    summary = findings.summary(lang)
    print()
    print(summary)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_findings(findings, out / "findings.csv", lang)
    write_ocel_json(log, out / "log.ocel.json")
    (out / "summary.txt").write_text(f"{notice}\n\n{summary}\n", encoding="utf-8")
    print()
    print(t("cli.report.wrote", lang, out=out, files="findings.csv, log.ocel.json, summary.txt"))
    return 0
