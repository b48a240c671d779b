"""``simlib bench [--json] [--quick] [--only NAME ...] [--out FILE]``: the performance figures of issue 5."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from simlib.cli import arguments
from simlib.i18n import t

NAMES = ("model", "scale", "audit", "explorer", "queue", "startup")
"""simlib.bench.NAMES (not imported here: the suite loads pandas and scipy; tests/test_startup.py keeps them equal)."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("bench", help=t("bench.cli.help", "en"), description=t("bench.cli.help", "en"))
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--quick", action="store_true", help="small sizes (seconds, for tests and CI)")
    p.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME",
                   help=f"measure only these figures: {', '.join(NAMES)}")
    p.add_argument("--out", type=arguments.out_path, metavar="FILE", help="also write the JSON object to FILE")
    return p


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.bench import render, run_benchmarks

    def progress(name: str) -> None:
        print(t("bench.progress", lang, name=name), file=sys.stderr, flush=True)

    results = run_benchmarks(quick=args.quick, only=args.only, progress=progress)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else render(results, lang))
    if args.out:
        print(t("cli.wrote", lang, path=args.out), file=sys.stderr)
    return 0
