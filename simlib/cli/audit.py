"""``simlib audit LOG``: audit a log (OCEL 2.0 JSON, Parquet or CSV) and print the findings by clause.

Exit status: 0 no findings, 1 findings, 2 the input could not be used.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simlib.errors import InputError
from simlib.i18n import t

if TYPE_CHECKING:  # the auditor and the log readers (pandas, pyarrow) load when the command runs
    from simlib.audit import Findings

OUT_FORMATS = (".csv", ".parquet")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("audit", help="audit a log and print the findings by clause (exit 1 if any)")
    p.add_argument(
        "log",
        type=Path,
        metavar="LOG",
        help="OCEL 2.0 JSON (.json/.jsonocel), Parquet directory "
        "(.parquet) or CSV (.csv with LOG.objects.csv beside it)",
    )
    p.add_argument("--out", type=Path, help="write the findings table to FILE.csv or FILE.parquet")
    p.add_argument("--json", action="store_true", help="print the summary and the findings as JSON")
    return p


def check_out_path(path: Path | None) -> None:
    """Refuse an output format we cannot write before doing any work."""
    if path is not None and path.suffix.lower() not in OUT_FORMATS:
        raise InputError(
            f"cannot write findings as {path.suffix or '(no extension)'!r}",
            source=str(path),
            field="--out",
            fix="name the output FILE.csv or FILE.parquet",
        )


def write_findings(findings: Findings, path: Path, lang: str) -> Path:
    """The rendered findings table (with expected/observed in ``lang``) as CSV (UTF-8 with BOM) or Parquet."""
    check_out_path(path)
    table = findings.render(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        table.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        table.to_parquet(path, index=False)
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
    findings = audit(read_log(args.log))
    if args.json:
        print(json.dumps(findings_json(findings, lang), ensure_ascii=False, indent=1))
    else:
        print(findings.summary(lang))
    if args.out is not None:
        write_findings(findings, args.out, lang)
        if not args.json:
            print(t("cli.wrote", lang, path=args.out))
    return 1 if len(findings) else 0
