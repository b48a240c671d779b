"""Findings: one row per breach of a clause, language-neutral; rendered in Chinese or English on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from simlib.i18n import get_lang, t
from simlib.log.eventlog import TIME_DTYPE

SEVERITIES = ("low", "medium", "high", "critical")
OBJECT_COLUMNS = ("cadre", "unit", "trip", "document", "delegation", "case")
FINDING_COLUMNS: dict[str, object] = {
    "clause": "str",
    "code": "str",
    "severity": pd.CategoricalDtype(list(SEVERITIES), ordered=True),
    "time": TIME_DTYPE,
    **dict.fromkeys(OBJECT_COLUMNS, "str"),
    "event_id": "str",
    "deadline": TIME_DTYPE,
    "observed_at": TIME_DTYPE,
    "days": "float64",
    "limit": "float64",
    "by_reference": "bool",
    "existence_only": "bool",
}




@dataclass(frozen=True)
class Rows:
    """Findings of one kind as columns (``FINDING_COLUMNS`` from ``code`` to ``limit``, each an array of one
    length): what :meth:`AuditContext.finding` returns. The registry joins the rows of every check into one
    frame once, instead of building a frame per finding kind (a frame costs about a millisecond)."""

    columns: dict[str, object]

    def __len__(self) -> int:
        return len(self.columns["code"])  # type: ignore[arg-type]

    def __getitem__(self, column: str) -> pd.Series:
        return pd.Series(self.columns[column], name=column)


Found = pd.DataFrame | Rows | Sequence["Found"]  # what a check returns: findings (ctx.finding) or a list of them


@cache
def _no_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in FINDING_COLUMNS.items()})


def empty_findings() -> pd.DataFrame:
    """A findings frame with no rows (built once: checks return it often)."""
    return _no_findings().copy(deep=False)


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Bring a findings frame to the canonical columns and dtypes."""
    df = df.reindex(columns=list(FINDING_COLUMNS))
    for c, d in FINDING_COLUMNS.items():
        if df[c].dtype == d:
            continue
        if d == "bool":
            df[c] = df[c].fillna(False).astype(bool)
        elif d == "str":
            df[c] = df[c].astype("str").where(df[c].notna()).astype("str")
        else:
            df[c] = df[c].astype(d)
    return df


def _date(v: object) -> str:
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def _num(v: object) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):g}"


def message_values(row: pd.Series) -> dict[str, str]:
    """Values a finding template may use: {deadline} {observed} {time} {days} {limit} and the object ids."""
    values = {"deadline": _date(row["deadline"]), "observed": _date(row["observed_at"]), "time": _date(row["time"]),
              "days": _num(row["days"]), "limit": _num(row["limit"])}
    values.update({c: ("—" if pd.isna(row[c]) else str(row[c])) for c in (*OBJECT_COLUMNS, "event_id")})
    return values


def render_row(row: pd.Series, lang: str) -> tuple[str, str]:
    key = f"finding.{row['clause']}.{row['code']}"
    vals = message_values(row)
    return t(f"{key}.expected", lang, **vals), t(f"{key}.observed", lang, **vals)


@dataclass
class Findings:
    """The result of an audit: the findings table and what was audited."""

    table: pd.DataFrame
    checks: list[str]
    source: str = "<memory>"
    n_events: int = 0
    n_objects: int = 0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    meta: dict[str, object] = field(default_factory=dict)
    judged_cadres: dict[str, np.ndarray] = field(default_factory=dict)  # clause -> the cadre of each obligation judged
    # clause -> the document obligations judged (event_id, document, time), where the obligation is a document's
    judged_documents: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.table)

    @property
    def judged(self) -> dict[str, int]:
        """Clause -> the number of obligations judged, where a check counts them (the denominator of a share)."""
        return {clause: len(cadres) for clause, cadres in self.judged_cadres.items()}

    def by_clause(self) -> pd.Series:
        """Number of findings per clause, in clause order, zero rows left out."""
        counts = self.table["clause"].value_counts()
        return counts.reindex([c for c in self.checks if c in counts.index]).astype("int64")

    def render(self, lang: str | None = None) -> pd.DataFrame:
        """The table with ``expected`` and ``observed`` written out in ``lang``."""
        lang = lang or get_lang()
        out = self.table.copy()
        if out.empty:
            return out.assign(expected=pd.Series(dtype="str"), observed=pd.Series(dtype="str"))
        pairs = [render_row(r, lang) for _, r in out.iterrows()]
        out["expected"] = [p[0] for p in pairs]
        out["observed"] = [p[1] for p in pairs]
        notes = np.where(out["by_reference"], t("audit.by_reference", lang), "")
        notes = np.where(out["existence_only"], np.char.add(notes.astype(str), t("audit.existence_only", lang)), notes)
        out["note"] = notes
        return out

    def summary(self, lang: str | None = None, width: int = 60) -> str:
        """A readable summary by clause."""
        from simlib.rulebook import rulebook

        lang = lang or get_lang()
        lines = [t("audit.summary.title", lang, source=self.source),
                 t("audit.summary.events", lang, events=self.n_events, objects=self.n_objects,
                   start=_date(self.start), end=_date(self.end)),
                 t("audit.summary.checks", lang, checks=len(self.checks), findings=len(self))]
        if len(self) == 0:
            lines.append(t("audit.summary.none", lang))
            return "\n".join(lines)
        lines.append("")
        lines.append(t("audit.summary.header", lang))
        rb = rulebook()
        for clause, count in self.by_clause().items():
            text = rb.clause(clause).text(lang)
            title = text if len(text) <= width else text[: width - 1] + "…"
            lines.append(t("audit.summary.clause_row", lang, clause=f"{clause:<7}", count=count, title=title))
        return "\n".join(lines)
