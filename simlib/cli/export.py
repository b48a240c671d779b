"""``simlib export LOG --to FILE``: a log in another form (OCEL 2.0 JSON, SQLite or XML, Parquet, CSV).

The form of each side follows its extension (``simlib.log.io``); the output is written atomically, and what
was written is summarised (events, objects, relations, changes).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from simlib.cli import arguments
from simlib.errors import InputError
from simlib.i18n import t

SUFFIXES = (".jsonocel", ".json", ".sqlite", ".xmlocel", ".xml", ".parquet", ".csv")
FORMATS = f"{', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]}"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help=t("export.help", "en"), description=t("export.help", "en"))
    p.add_argument("log", type=Path, metavar="LOG", help=f"the log to read ({FORMATS})")
    p.add_argument("--to", type=arguments.out_path, required=True, metavar="FILE",
                   help=f"the file to write; its extension names the form ({FORMATS})")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    return p


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.log.io import WRITERS, read_log, write_log
    from simlib.log.ocel import e2o_relations
    from simlib.log.relations import object_relations

    if args.to.suffix.lower() not in WRITERS:
        raise InputError(source=str(args.to), field="--to",
                         key="cli.export_format" if args.to.suffix else "cli.export_no_suffix",
                         values={"suffix": repr(args.to.suffix), "first": ", ".join(SUFFIXES[:-1]),
                                 "last": SUFFIXES[-1]})
    log = read_log(args.log)
    write_log(log, args.to)
    counts = {"events": log.n_events, "objects": log.n_objects, "e2o": len(e2o_relations(log)),
              "o2o": len(object_relations(log)), "changes": log.n_changes}
    if args.json:
        print(json.dumps({"source": str(args.log), "written": str(args.to), **counts,
                          "end": log.end.isoformat()}, ensure_ascii=False, indent=1))
    else:
        print(t("export.written", lang, path=str(args.to), **counts))
    return 0
