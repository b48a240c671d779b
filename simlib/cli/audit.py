"""``simlib audit LOG``: audit a log (OCEL 2.0 JSON, SQLite or XML, Parquet or CSV) and print the findings by
clause. ``--clauses``/``--sections`` limit the audit to what the log can hold (a personnel system's export has no
unit-level records); ``--mapping MAP.yaml`` maps a foreign log's vocabulary onto simlib's (docs/log-mapping.md).

Exit status: 0 no findings, 1 findings, 2 the input could not be used.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib.errors import InputError, os_error
from simlib.files import atomic_path
from simlib.i18n import t

if TYPE_CHECKING:  # the auditor and the log readers (pandas, pyarrow) load when the command runs
    from simlib.audit import Findings
    from simlib.log.mapping import LogMapping

OUT_FORMATS = (".csv", ".parquet")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("audit", help="audit a log and print the findings by clause (exit 1 if any)")
    p.add_argument(
        "log",
        type=Path,
        metavar="LOG",
        help="OCEL 2.0 JSON (.json/.jsonocel), SQLite (.sqlite) or XML (.xmlocel/.xml), Parquet directory "
        "(.parquet) or CSV (.csv with LOG.objects.csv beside it)",
    )
    p.add_argument("--clauses", type=_ids, metavar="IDS",
                   help="audit only these clauses, comma-separated; a prefix chooses every clause under it "
                        "(2.2.a,3.1)")
    p.add_argument("--sections", type=_ids, metavar="N,N", help="audit only these sections of the notice (3,4)")
    p.add_argument("--mapping", type=Path, metavar="MAP.yaml",
                   help="map a foreign log's event and object types, qualifiers, attribute names and values "
                        "onto simlib's vocabulary first (docs/log-mapping.md; OCEL 2.0 logs)")
    p.add_argument("--out", type=Path, help="write the findings table to FILE.csv or FILE.parquet")
    p.add_argument("--json", action="store_true", help="print the summary and the findings as JSON")
    return p


MAX_MAPPING_BYTES = 1_000_000


def _ids(text: str) -> list[str]:
    """A comma-separated list of clause ids or section numbers."""
    return [part.strip() for part in text.split(",") if part.strip()]


def chosen_clauses(clauses: list[str] | None, sections: list[str] | None) -> list[str] | None:
    """The checked clauses ``--clauses``/``--sections`` choose (None: all), or an error naming what chooses none."""
    if clauses is None and sections is None:
        return None
    from simlib.audit.registry import all_checks, selects

    checked = list(all_checks())
    problems = []
    for option, values in (("--clauses", clauses), ("--sections", sections)):
        for value in values or ():
            pick = ([value], None) if option == "--clauses" else (None, [value])
            if not any(selects(c, *pick) for c in checked):
                problems.append(InputError(field=option, key="cli.audit_no_clause",
                                           values={"value": repr(value), "clauses": ", ".join(checked)}))
    if problems:
        raise InputError.many(problems)
    return [c for c in checked if selects(c, clauses, sections)]


def read_mapping(path: Path) -> LogMapping:
    """A mapping file (YAML, at most 1 MB), checked against the vocabulary."""
    from simlib.log.mapping import LogMapping
    from simlib.scenario.loader import parse_yaml

    source = str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise os_error(exc, source, "--mapping") from None
    if len(raw) > MAX_MAPPING_BYTES:
        raise InputError(source=source, key="cli.mapping_too_big", values={"limit": MAX_MAPPING_BYTES})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source=source, key="cli.mapping_not_utf8", values={"offset": exc.start}) from None
    data, lines = parse_yaml(text, source)
    return LogMapping.from_data(data, source, lines)


def check_out_path(path: Path | None) -> None:
    """Refuse an output format we cannot write before doing any work."""
    if path is not None and path.suffix.lower() not in OUT_FORMATS:
        raise InputError(source=str(path), field="--out",
                         key="cli.audit_format" if path.suffix else "cli.audit_no_suffix",
                         values={"suffix": repr(path.suffix)})


def write_findings(findings: Findings, path: Path, lang: str) -> Path:
    """The rendered findings table (with expected/observed in ``lang``) as CSV (UTF-8 with BOM) or Parquet."""
    check_out_path(path)
    table = findings.render(lang)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            table.to_parquet(tmp, index=False)
    return path


def findings_json(findings: Findings, lang: str) -> dict[str, Any]:
    """The audit as JSON-ready data: what was audited, counts by clause, and every finding."""
    rows = json.loads(findings.render(lang).to_json(orient="records", date_format="iso", force_ascii=False))
    return {
        "source": findings.source,
        "events": findings.n_events,
        "objects": findings.n_objects,
        "start": None if findings.start is None else findings.start.isoformat(),
        "end": None if findings.end is None else findings.end.isoformat(),
        "checks": len(findings.checks),
        "findings": len(findings),
        "by_clause": {k: int(v) for k, v in findings.by_clause().items()},
        "rows": rows,
    }


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.audit import audit
    from simlib.log.io import read_log

    check_out_path(args.out)
    chosen = chosen_clauses(args.clauses, args.sections)
    mapping = read_mapping(args.mapping) if args.mapping is not None else None
    findings = audit(read_log(args.log, mapping), clauses=chosen)
    if args.json:
        print(json.dumps(findings_json(findings, lang), ensure_ascii=False, indent=1))
    else:
        if chosen is not None:
            print(t("audit.limited", lang, clauses=", ".join(chosen)))
        print(findings.summary(lang))
    if args.out is not None:
        write_findings(findings, args.out, lang)
        if not args.json:
            print(t("cli.wrote", lang, path=args.out))
    return 1 if len(findings) else 0
