"""``simlib validate FILE``: check a scenario file (and ``--set`` overrides) and say what it is, or name the field
and the fix (exit status 2); ``--params`` lists every parameter with unit, range and source."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from simlib.i18n import t

if TYPE_CHECKING:  # the scenario schema (pydantic) and pandas load when the command runs
    from simlib.scenario import Scenario


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """``simlib validate FILE [--set PATH=VALUE …] [--params]``."""
    p = sub.add_parser("validate", help=t("model.cli.validate.help", "en"),
                      description=t("model.cli.validate.help", "en"))
    p.add_argument("file", metavar="FILE", help="scenario YAML")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a field, e.g. --set behaviour.keep_private_document=0.3 (repeatable)")
    p.add_argument("--params", action="store_true", help="list every parameter with unit, range and source")
    p.add_argument("--json", action="store_true", help="print the result (or the problems) as JSON")
    return p


def load(name: str, overrides: list[str]) -> Scenario:
    """A scenario by path or by name (``baseline``, a gap, a training world), with ``--set`` overrides; its
    roster, if it names one, read and checked as ``run`` would read it."""
    from simlib.scenario import find_scenario, load_scenario, parse_sets

    scenario = load_scenario(find_scenario(name), parse_sets(overrides))
    if scenario.organisation.roster:
        from simlib.model.organisation import read_roster_table

        read_roster_table(scenario.organisation.roster)
    return scenario


def run(args: argparse.Namespace, lang: str | None = None, out: TextIO | None = None) -> int:
    """Check one scenario file; print what it is, or raise InputError naming the field and the fix."""
    import pandas as pd

    from simlib.scenario import CONTROL_NAMES, Scenario, describe

    out = out or sys.stdout
    lang = lang or "zh"
    sc = load(args.file, args.overrides)
    if args.params:
        rows = pd.DataFrame(describe(Scenario, lang))
        print(rows.to_string(index=False), file=out)
        return 0
    changed = [n for n in CONTROL_NAMES if not sc.control(n).on or sc.control(n).level < 1.0]
    if args.json:
        doc = {"valid": True, "file": args.file, "name": sc.name, "cadres": sc.organisation.cadres,
               "years": sc.calendar.years, "start": sc.calendar.start.isoformat(), "seed": sc.seed,
               "controls_changed": {n: sc.control(n).model_dump() for n in changed}}
        print(json.dumps(doc, ensure_ascii=False, indent=1), file=out)
        return 0
    weak = ", ".join(f"{n}={'off' if not sc.control(n).on else sc.control(n).level}" for n in changed) or \
        t("model.cli.none", lang)
    desc = sc.description.zh if lang == "zh" else sc.description.en
    print(t("model.cli.valid", lang, file=args.file, name=sc.name), file=out)
    if desc:
        print(f"  {desc}", file=out)
    print(t("model.cli.world", lang, cadres=sc.organisation.cadres, years=sc.calendar.years,
            start=sc.calendar.start.isoformat(), seed=sc.seed), file=out)
    print(t("model.cli.controls", lang, controls=weak), file=out)
    return 0
