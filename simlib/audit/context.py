"""What a check sees: the log, the parameters, derived attributes of cadres and units, and small vectorised
helpers for the patterns every check repeats (a deadline, the first fulfilment after a trigger, the last
approval before an exit)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from simlib.audit.findings import FINDING_COLUMNS, OBJECT_COLUMNS, empty_findings
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.vocabulary import RANKS, UNIT_LEVELS
from simlib.rulebook import Params

RANK_ORDER = {r: i for i, r in enumerate(RANKS)}
LEVEL_ORDER = {lv: i for i, lv in enumerate(UNIT_LEVELS)}


class AuditContext:
    """Read-only view of a log for checks, with the parameters in force."""

    def __init__(self, log: EventLog, params: Params) -> None:
        self.log = log
        self.params = params
        self.start = pd.Timestamp(params.effective_date)
        self.end = log.end

    def t(self, event_type: str) -> pd.DataFrame:
        """The table of one event type."""
        return self.log.table(event_type)

    # -- objects with derived attributes --------------------------------------------------------
    @cached_property
    def cadres(self) -> pd.DataFrame:
        """Cadres indexed by id, with flags derived under the rank options in force."""
        c = self.log.objects_of("cadre").set_index("object_id")
        out = pd.DataFrame(index=c.index)
        out["unit"] = c["unit"]
        out["rank"] = c["rank"]
        for b in ("is_party_member", "is_state_organ_staff", "is_leading_cadre", "is_unit_leader"):
            out[b] = c[b].fillna(False).astype(bool)
        out["employment"] = c["employment"].astype("str").fillna("in_service")
        out["key_post"] = c["key_post"].fillna("").astype("str")
        out["security_sensitive"] = c["security_sensitive"].fillna("").astype("str")
        out["management_authority"] = c["management_authority"]
        rank = c["rank"].astype("str").map(RANK_ORDER)
        county_min = RANK_ORDER["deputy_division" if self.params.county_division_includes_deputy else "division"]
        bureau_min = RANK_ORDER["deputy_bureau" if self.params.bureau_includes_deputy else "bureau"]
        out["county_plus"] = rank >= county_min
        out["bureau_plus"] = rank >= bureau_min
        out["key_post_any"] = out["key_post"].str.len() > 0
        in_service = out["employment"].isin(["in_service", "left_leading_post"])
        retired = out["employment"].isin(["retired", "lixiu"])
        out["registrable"] = (
            (out["is_state_organ_staff"] & in_service & out["is_leading_cadre"] & out["county_plus"])
            | (retired & out["bureau_plus"])
            | (out["security_sensitive"].str.len() > 0)
        )
        out["unit_parent"] = out["unit"].map(self.units["parent"])
        return out

    @cached_property
    def units(self) -> pd.DataFrame:
        """Units indexed by id, with ``level_rank`` (county 0 … central 3)."""
        u = self.log.objects_of("unit").set_index("object_id")
        out = pd.DataFrame(index=u.index)
        out["level"] = u["level"]
        out["level_rank"] = u["level"].astype("str").map(LEVEL_ORDER)
        out["parent"] = u["parent"].where(u["parent"].fillna("") != "")
        out["is_state_organ"] = u["is_state_organ"].fillna(False).astype(bool)
        return out

    @cached_property
    def bodies(self) -> pd.DataFrame:
        """Units and agencies together, with ``level_rank`` and ``kind`` (``unit`` or the agency kind)."""
        u = self.units[["level_rank"]].assign(kind="unit")
        a = self.log.objects_of("agency").set_index("object_id")
        ag = pd.DataFrame({"level_rank": a["level"].astype("str").map(LEVEL_ORDER), "kind": a["kind"].astype("str")},
                          index=a.index)
        return pd.concat([u, ag])

    def attr(self, ids: pd.Series, column: str, of: str = "cadres") -> pd.Series:
        """Look up an attribute (of ``cadres``, ``units`` or ``bodies``) for a column of ids, aligned."""
        return ids.map(getattr(self, of)[column])

    # -- time ------------------------------------------------------------------------------------
    def deadline(self, times: pd.Series, days: int | float | pd.Series) -> pd.Series:
        """Last allowed date (end of that day) ``days`` after ``times`` under day_count and day_zero."""
        base = times.dt.normalize()
        if self.params.day_zero == "next_day":
            base = base + pd.Timedelta(days=1)
        if self.params.day_count == "working":
            n = np.broadcast_to(np.asarray(days, dtype="int64"), base.shape)
            valid = base.notna().to_numpy()
            out = np.full(base.shape, np.datetime64("NaT"), dtype="datetime64[D]")
            d = base.to_numpy(dtype="datetime64[D]")[valid]
            out[valid] = np.busday_offset(d, n[valid], roll="forward")
            last = pd.Series(out, index=times.index).astype(TIME_DTYPE)
        else:
            last = base + pd.to_timedelta(np.asarray(days, dtype="float64"), unit="D")
        return (last + pd.Timedelta(days=1) - pd.Timedelta(milliseconds=1)).astype(TIME_DTYPE)

    @staticmethod
    def months_after(times: pd.Series | pd.Timestamp, months: int) -> pd.Series | pd.Timestamp:
        return times + pd.DateOffset(months=months)

    def due(self, deadlines: pd.Series) -> pd.Series:
        """True where the deadline has passed by the end of the log (only then can 'missing' be judged)."""
        return deadlines < self.end

    # -- matching obligations with fulfilments ---------------------------------------------------
    def _asof(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], left_time: str, right_time: str,
              direction: str, strict: bool) -> pd.Series:
        by = list(by)
        lk = left[by + [left_time]].copy()
        lk["_row"] = np.arange(len(left))
        lk = lk.dropna()
        rk = right[by + [right_time]].dropna().rename(columns={right_time: "_found"})
        result = pd.Series(pd.NaT, index=left.index, dtype=TIME_DTYPE)
        if lk.empty or rk.empty:
            return result
        for b in by:
            lk[b] = lk[b].astype("str")
            rk[b] = rk[b].astype("str")
        lk = lk.rename(columns={left_time: "_t"}).sort_values("_t", kind="stable")
        rk = rk.assign(_t=rk["_found"]).sort_values("_t", kind="stable")
        m = pd.merge_asof(lk, rk, on="_t", by=by, direction=direction, allow_exact_matches=not strict)
        values = result.to_numpy().copy()
        values[m["_row"].to_numpy()] = m["_found"].to_numpy()
        return pd.Series(values, index=left.index).astype(TIME_DTYPE)

    def first_after(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], *, left_time: str = "time",
                    right_time: str = "time", strict: bool = False) -> pd.Series:
        """For each row of ``left``, the time of the earliest ``right`` row with the same ``by`` values at
        or after (``strict``: after) the left time; NaT if none."""
        return self._asof(left, right, by, left_time, right_time, "forward", strict)

    def last_before(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], *, left_time: str = "time",
                    right_time: str = "time", strict: bool = False) -> pd.Series:
        """For each row of ``left``, the time of the latest ``right`` row with the same ``by`` values at or
        before (``strict``: before) the left time; NaT if none."""
        return self._asof(left, right, by, left_time, right_time, "backward", strict)

    @staticmethod
    def has(left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str]) -> pd.Series:
        """True where some ``right`` row has the same ``by`` values (at any time)."""
        by = list(by)
        keys = pd.MultiIndex.from_frame(right[by].dropna().astype("str"))
        probe = pd.MultiIndex.from_frame(left[by].astype("str"))
        return pd.Series(probe.isin(keys), index=left.index) & left[by].notna().all(axis=1)

    # -- findings --------------------------------------------------------------------------------
    def finding(self, rows: pd.DataFrame, code: str, *, time: str | pd.Series = "time",
                deadline: pd.Series | None = None, observed: pd.Series | None = None,
                days: pd.Series | float | None = None, limit: float | None = None,
                **objects: str | pd.Series) -> pd.DataFrame:
        """Findings for ``rows``: ``objects`` maps finding columns (cadre, unit, trip …) to a column of
        ``rows`` or a Series aligned with it; by default columns of the same name are used."""
        if rows.empty:
            return empty_findings()
        n = len(rows)

        def col(v: str | pd.Series | None) -> np.ndarray:
            if v is None:
                return np.full(n, None, dtype=object)
            if isinstance(v, str):
                return rows[v].to_numpy()
            return np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v)

        data: dict[str, object] = {"code": np.full(n, code, dtype=object)}
        data["time"] = col(time)
        for name in OBJECT_COLUMNS:
            src = objects.get(name, name if name in rows.columns else None)
            data[name] = col(src)
        data["event_id"] = col(objects.get("event_id", "event_id" if "event_id" in rows.columns else None))
        data["deadline"] = col(deadline) if deadline is not None else np.full(n, np.datetime64("NaT"))
        data["observed"] = col(observed) if observed is not None else np.full(n, np.datetime64("NaT"))
        data["days"] = np.broadcast_to(np.asarray(days if days is not None else np.nan, dtype="float64"), (n,)).copy() \
            if not isinstance(days, pd.Series) else days.to_numpy(dtype="float64")
        data["limit"] = np.full(n, np.nan if limit is None else float(limit))
        df = pd.DataFrame(data)
        return df.reindex(columns=[c for c in FINDING_COLUMNS if c in df.columns])
