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
              direction: str, strict: bool, value: str | None = None) -> pd.Series:
        by = list(by)
        lk = left[[*by, left_time]].copy()
        lk["_row"] = np.arange(len(left))
        lk = lk.dropna()
        rk = right[list(dict.fromkeys([*by, right_time, value or right_time]))].dropna()
        rk = rk.assign(_t=rk[right_time], _found=rk[value or right_time])[[*by, "_t", "_found"]]
        result = pd.Series(pd.NaT, index=left.index, dtype=TIME_DTYPE)
        if lk.empty or rk.empty:
            return result
        for b in by:
            lk[b] = lk[b].astype("str")
            rk[b] = rk[b].astype("str")
        lk = lk.rename(columns={left_time: "_t"}).astype({"_t": TIME_DTYPE}).sort_values("_t", kind="stable")
        rk = rk.astype({"_t": TIME_DTYPE}).sort_values("_t", kind="stable")
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
        data["deadline"] = col(deadline) if deadline is not None else np.full(n, np.datetime64("NaT", "ms"))
        data["observed_at"] = col(observed) if observed is not None else np.full(n, np.datetime64("NaT", "ms"))
        data["days"] = np.broadcast_to(np.asarray(days if days is not None else np.nan, dtype="float64"), (n,)).copy() \
            if not isinstance(days, pd.Series) else days.to_numpy(dtype="float64")
        data["limit"] = np.full(n, np.nan if limit is None else float(limit))
        df = pd.DataFrame(data)
        return df.reindex(columns=[c for c in FINDING_COLUMNS if c in df.columns])

    # -- trips, approvals and timeliness (shared by the checks of sections 1 and 2) -----------------
    @cached_property
    def trips(self) -> pd.DataFrame:
        """Trips indexed by id, with ``kind`` as a plain string."""
        tr = self.log.objects_of("trip").set_index("object_id")
        return pd.DataFrame({"kind": tr["kind"].astype("str")}, index=tr.index)

    def on_trips(self, rows: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
        """The rows whose ``trip`` is of one of ``kinds``, with the trip's kind as ``trip_kind``."""
        kind = rows["trip"].map(self.trips["kind"])
        keep = kind.isin(kinds)
        return rows[keep].assign(trip_kind=kind[keep])

    def departures(self, kinds: Sequence[str]) -> pd.DataFrame:
        """The first Exit of each trip and cadre, for trips of ``kinds``."""
        return self.on_trips(self.t("Exit"), kinds).drop_duplicates(["trip", "cadre"])

    def value_before(self, left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str], value: str, *,
                     left_time: str = "time", right_time: str = "time") -> pd.Series:
        """For each row of ``left``, the time-valued column ``value`` of the latest ``right`` row with the
        same ``by`` values at or before the left time (rows without ``value`` skipped); NaT if none."""
        return self._asof(left, right, by, left_time, right_time, "backward", False, value)

    @staticmethod
    def earliest(ids: pd.Series, right: pd.DataFrame, key: str) -> pd.Series:
        """For each id in ``ids``, the time of the earliest ``right`` row whose ``key`` equals it; NaT if
        none."""
        first = right.groupby(key)["time"].min()
        return pd.Series(first.reindex(ids.to_numpy()).to_numpy(), index=ids.index).astype(TIME_DTYPE)

    def below_authority(self, rows: pd.DataFrame, body: str = "approver") -> pd.Series:
        """True where the body ``rows[body]`` is at a lower level than the management authority of
        ``rows.cadre`` (False where either level is unknown)."""
        own = self.attr(rows[body], "level_rank", of="bodies")
        authority = self.attr(self.attr(rows["cadre"], "management_authority"), "level_rank", of="bodies")
        return own < authority

    def timeliness(self, rows: pd.DataFrame, done: pd.Series, deadline: pd.Series, *,
                   limit: float | None = None, codes: tuple[str, str] = ("late", "missing"),
                   **objects: str | pd.Series) -> pd.DataFrame:
        """``late`` findings where ``done`` (aligned with ``rows``) is after ``deadline``, and ``missing``
        where nothing was done and the deadline passed before the end of the log."""
        days = (done.dt.normalize() - rows["time"].dt.normalize()).dt.days
        late = done.notna() & (done > deadline)
        missing = done.isna() & self.due(deadline)

        def pick(mask: pd.Series) -> dict[str, str | pd.Series]:
            return {k: v[mask] if isinstance(v, pd.Series) else v for k, v in objects.items()}

        return pd.concat([
            self.finding(rows[late], codes[0], deadline=deadline[late], observed=done[late], days=days[late],
                         limit=limit, **pick(late)),
            self.finding(rows[missing], codes[1], deadline=deadline[missing], limit=limit, **pick(missing)),
        ])

    def flag_active(self, rows: pd.DataFrame, flag: str, *, time: str = "time") -> pd.Series:
        """True where ``rows.cadre`` carries ``flag`` (``exit_banned`` or ``suspected``) at ``rows[time]``:
        recorded (ExitBanned / SuspectedViolation) by then and not cleared (FlagCleared) since."""
        raised_by = {"exit_banned": "ExitBanned", "suspected": "SuspectedViolation"}[flag]
        cleared = self.t("FlagCleared")
        raised = self.last_before(rows, self.t(raised_by), by=["cadre"], left_time=time)
        lifted = self.last_before(rows, cleared[cleared["flag"] == flag], by=["cadre"], left_time=time)
        return raised.notna() & (lifted.isna() | (lifted < raised))

    @cached_property
    def documents(self) -> pd.DataFrame:
        """Documents indexed by id, with ``doc_type`` as a plain string."""
        d = self.log.objects_of("document").set_index("object_id")
        return pd.DataFrame({"doc_type": d["doc_type"].astype("str")}, index=d.index)
