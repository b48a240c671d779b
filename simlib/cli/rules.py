"""``simlib rules [ID] [--json]``: the notice clause by clause, its parameters and the checks citing it."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from simlib.i18n import pad, t

if TYPE_CHECKING:  # the auditor (pandas) and the rulebook (pydantic) load when the command runs
    from simlib.audit import Check
    from simlib.rulebook import Clause, Parameter

FIELDS = ("actor", "subject", "trigger", "obligation", "deadline", "sanction", "encoding")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("rules", help="list the notice's clauses, or show one with its parameters and checks")
    p.add_argument("clause", nargs="?", metavar="ID", help="a clause id, e.g. 3.1.a")
    p.add_argument("--json", action="store_true", help="print JSON (full records)")
    return p


def _citing(clause_id: str) -> list[Check]:
    from simlib.audit import all_checks

    return [c for c in all_checks().values() if c.clause == clause_id]


def _check_record(c: Check) -> dict[str, Any]:
    return {
        "clause": c.clause,
        "name": c.name,
        "doc": c.doc,
        "codes": c.codes,
        "party_only": c.party_only,
        "existence_only": c.existence_only,
        "params": list(c.params),
    }


def parameters_of(clause_id: str) -> list[Parameter]:
    """Every parameter the clause depends on, in the rulebook's order: those parameters.yaml lists under it and
    every one its checks read (the scope's 6.a and 5.a included)."""
    from simlib.rulebook import rulebook

    read = {name for c in _citing(clause_id) for name in c.params}
    return [p for p in rulebook().parameters.values() if clause_id in p.clauses or p.name in read]


def clause_record(clause: Clause, *, detail: bool = False) -> dict[str, Any]:
    """A clause as JSON-ready data; ``detail`` adds its parameters and the checks citing it."""
    rec = clause.as_json()
    if detail:
        rec["parameters"] = [p.as_json() for p in parameters_of(clause.id)]
        rec["checks"] = [_check_record(c) for c in _citing(clause.id)]
    return rec


def _kinds(clause: Clause, lang: str) -> str:
    return ", ".join(t(f"kind.{k}", lang) for k in clause.kinds)


def _param_line(p: Parameter, lang: str) -> str:
    value = f"{p.value} {p.unit}".strip()
    doc = p.doc.get(lang) or ""  # type: ignore[arg-type]
    return t(
        "cli.rules.param",
        lang,
        name=p.name,
        value=value,
        kind=t(f"param.kind.{p.kind}", lang),
        source=p.source,
        doc=doc,
    )


def show_clause(clause: Clause, lang: str) -> str:
    """One clause in full: verbatim Chinese, English, analysis, parameters, checks."""
    lines = [
        f"{clause.id}  [{_kinds(clause, lang)}]  {clause.classification}",
        "",
        f"{t('cli.rules.zh', lang)}: {clause.zh}",
        f"{t('cli.rules.en', lang)}: {clause.en}",
        "",
    ]
    for name in FIELDS:
        text = getattr(clause, name).get(lang)
        if text:
            lines.append(f"{t(f'rules.field.{name}', lang)}: {text}")
    if clause.references:
        lines.append(f"{t('rules.field.references', lang)}: {'; '.join(clause.references)}")
    params = parameters_of(clause.id)
    lines += ["", f"{t('rules.parameters', lang)}:"]
    lines += [_param_line(p, lang) for p in params] or [f"  {t('rules.none', lang)}"]
    checks = _citing(clause.id)
    lines += ["", f"{t('rules.checks', lang)}:"]
    for c in checks:
        codes = ", ".join(f"{code}→{t(f'severity.{sev}', lang)}" for code, sev in c.codes.items())
        lines.append(f"  {c.name} ({codes}): {c.doc}")
        lines.append(f"    {t('rules.reads', lang, names=', '.join(c.params))}")
        if c.existence_only:
            lines.append(f"    {t('audit.existence_only', lang)}")
    if not checks:
        lines.append(f"  {t('rules.none', lang)}")
    return "\n".join(lines)


def list_clauses(lang: str) -> str:
    """One line per clause: id, kinds, text."""
    from simlib.rulebook import rulebook

    lines = [t("rules.header", lang)]
    for c in rulebook().clauses:
        lines.append(f"{c.id:<8} {pad(_kinds(c, lang), 17)} {c.text(lang)}")  # type: ignore[arg-type]
    return "\n".join(lines)


def run(args: argparse.Namespace, lang: str) -> int:
    from simlib.rulebook import rulebook

    rb = rulebook()
    if args.clause:
        clause = rb.clause(args.clause)
        out = (
            json.dumps(clause_record(clause, detail=True), ensure_ascii=False, indent=2)
            if args.json
            else show_clause(clause, lang)
        )
    elif args.json:
        out = json.dumps([clause_record(c) for c in rb.clauses], ensure_ascii=False, indent=2)
    else:
        out = list_clauses(lang)
    print(out)
    return 0
