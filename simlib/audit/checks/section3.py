"""Checks for section 三 of the notice: travel documents (3.1–3.5)."""

from __future__ import annotations

import pandas as pd

from simlib.audit.context import AuditContext
from simlib.audit.registry import check
from simlib.log.vocabulary import PUBLIC_DOC_TYPES


def _doc_type(ctx: AuditContext, ids: pd.Series) -> pd.Series:
    return ids.map(ctx.log.objects_of("document").set_index("object_id")["doc_type"].astype("str"))


@check("3.1.a", codes={"late": "medium", "missing": "high"})
def public_documents_handed_in(ctx: AuditContext) -> pd.DataFrame:
    """Public documents used on a public trip are handed in for custody, or cancelled, within 15 days of return."""
    entries = ctx.t("Entry")
    kind = entries["trip"].map(ctx.log.objects_of("trip").set_index("object_id")["kind"].astype("str"))
    entries = entries[kind.str.startswith("public").fillna(False) & entries["document"].notna()]
    entries = entries[_doc_type(ctx, entries["document"]).isin(PUBLIC_DOC_TYPES)]
    handed = pd.concat([ctx.t("DocSurrendered")[["document", "time"]], ctx.t("DocCancelled")[["document", "time"]]])
    done = ctx.first_after(entries, handed, by=["document"])
    limit = ctx.params.public_doc_days
    deadline = ctx.deadline(entries["time"], limit)
    days = (done.dt.normalize() - entries["time"].dt.normalize()).dt.days
    late = done.notna() & (done > deadline)
    missing = done.isna() & ctx.due(deadline)
    return pd.concat([
        ctx.finding(entries[late], "late", deadline=deadline[late], observed=done[late], days=days[late], limit=limit),
        ctx.finding(entries[missing], "missing", deadline=deadline[missing], limit=limit),
    ])
