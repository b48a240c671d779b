"""The shortcuts that make the auditor fast give the answers of the plain way.

- ``asof`` (the integer-key as-of join behind ``first_after``/``last_before``) equals ``pandas.merge_asof``,
  with ties, missing keys and times, and keys so large that key * time would overflow int64;
- ids encoded once per log keep their strings and their order;
- a check skipped because none of its trigger events occurs would have found nothing;
- ``unique``, ``concat``, ``same`` and ``finding(where=)`` equal their pandas forms, and ``ctx.t`` changes only
  the link columns;
- the audit leaves the garbage collector as it found it;
- the link columns ``normalise`` hands over already encoded give the codes hashing them here gives, and are
  not used once the log is written to;
- a check that reads other checks' findings from the same audit (4.3.h) finds what it finds alone.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from vocab_log import vocabulary_log

from simlib.audit import all_checks, audit
from simlib.audit.context import NAT, AuditContext, asof, encode_ids
from simlib.audit.registry import frames
from simlib.log.eventlog import TIME_DTYPE, EventLog
from simlib.log.synthetic import synthetic_log
from simlib.log.vocabulary import EVENTS
from simlib.rulebook import rulebook


def _merge_asof(lkey: np.ndarray, ltime: np.ndarray, rkey: np.ndarray, rtime: np.ndarray, rvalue: np.ndarray,
                forward: bool, strict: bool) -> np.ndarray:
    """The plain way: pandas.merge_asof on the same rows (missing keys and times dropped first)."""
    left = pd.DataFrame({"k": lkey, "t": ltime, "row": np.arange(len(lkey))})
    left = left[(left["k"] >= 0) & (left["t"] != NAT)].sort_values("t", kind="stable")
    right = pd.DataFrame({"k": rkey, "t": rtime, "v": rvalue})
    right = right[(right["k"] >= 0) & (right["t"] != NAT) & (right["v"] != NAT)].sort_values("t", kind="stable")
    out = np.full(len(lkey), NAT, dtype=np.int64)
    if len(left) and len(right):
        m = pd.merge_asof(left, right, on="t", by="k", direction="forward" if forward else "backward",
                          allow_exact_matches=not strict)
        found = m["v"].notna().to_numpy()
        out[m["row"].to_numpy()[found]] = m["v"].to_numpy()[found].astype(np.int64)
    return out


rows = st.lists(st.tuples(st.integers(-1, 4), st.integers(0, 12)), max_size=40)


# key scales: small; large enough that key * milliseconds overflows int64 (keys are renumbered); larger still
scales = st.sampled_from([1, 2**40, 2**58])
# time steps: an hour; so long that even renumbered keys times the span overflow (time ranks are used too)
steps = st.sampled_from([3_600_000, 2**58])


@given(left=rows, right=rows, forward=st.booleans(), strict=st.booleans(), scale=scales, step=steps,
       values=st.booleans(), seed=st.integers(0, 2**16))
def test_asof_equals_merge_asof(left: list[tuple[int, int]], right: list[tuple[int, int]], forward: bool,
                                strict: bool, scale: int, step: int, values: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)

    def arrays(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        key = np.array([k for k, _ in pairs], dtype=np.int64)
        key = np.where(key >= 0, key * scale, -1)
        time = np.array([t * step if t else NAT for _, t in pairs], dtype=np.int64)  # t == 0: NaT
        return key, time

    lkey, ltime = arrays(left)
    rkey, rtime = arrays(right)
    rvalue = rng.integers(0, 10**12, len(right)) if values else rtime  # a value other than the time: ties matter
    ours = asof(lkey, ltime, rkey, rtime, rvalue if values else None, forward=forward, strict=strict)
    np.testing.assert_array_equal(ours, _merge_asof(lkey, ltime, rkey, rtime, rvalue, forward, strict))


def test_ids_are_encoded_in_string_order() -> None:
    a = pd.Series(["u2", "c10", None, "c9"], dtype="str")
    b = pd.Series(["c9", "x"], dtype="str")
    dtype, (ca, cb), strings = encode_ids([a, b])
    assert list(dtype.categories) == ["c10", "c9", "u2", "x"] == strings.to_pylist()
    assert list(ca) == [2, 0, -1, 1] and list(cb) == [1, 3]


def test_context_tables_hold_the_logs_ids() -> None:
    log = synthetic_log(3000, seed=2)
    ctx = AuditContext(log, rulebook().params)
    for name, raw in log.tables.items():
        coded = ctx.t(name)
        for col in ("trip", "cadre", "document", "unit"):
            if col in raw:
                assert isinstance(coded[col].dtype, pd.CategoricalDtype)
                pd.testing.assert_series_equal(coded[col].astype("str"), raw[col], check_names=False)
    exits = ctx.t("Exit")
    pd.testing.assert_series_equal(ctx.attr(exits["cadre"], "unit").astype("str"),
                                   exits["cadre"].astype("str").map(ctx.cadres["unit"].astype("str")))


def _without(log: EventLog, event_types: tuple[str, ...]) -> EventLog:
    tables = {k: v for k, v in log.tables.items() if k not in event_types}
    return EventLog(tables=tables, members=log.members, objects=log.objects, end=log.end, source=log.source)


@pytest.mark.parametrize("params", [{}, {"private_custody": "continuous", "private_rules_apply_to_public": True}])
def test_a_check_without_its_triggers_finds_nothing(params: dict[str, object]) -> None:
    """The registry skips a check when none of its trigger event types occurs; run it anyway on logs with
    those types removed (every other event kept) and it must find nothing."""
    logs = [synthetic_log(20_000, seed=3), vocabulary_log()]
    for chk in all_checks().values():
        if not chk.triggers:
            continue
        tested = [log for log in logs if any(e in log.tables for e in chk.triggers)]
        assert tested, f"{chk.clause}: no test log has its triggers"
        for log in tested:
            ctx = AuditContext(_without(log, chk.triggers), rulebook().params.replace(**params))
            found = [f for f in frames(chk.fn(ctx)) if len(f)]
            assert not found, f"{chk.clause} found {sum(map(len, found))} without {chk.triggers}"


def test_finding_times_keep_their_dtype() -> None:
    found = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    rows = found.t("Exit").head(3)
    f = found.finding(rows, "late", deadline=rows["time"])
    assert f["time"].dtype == TIME_DTYPE and f["deadline"].dtype == TIME_DTYPE
    assert list(f["cadre"]) == list(rows["cadre"].astype("str"))


def _some_rows(ctx: AuditContext, n: int, seed: int) -> pd.DataFrame:
    """Rows of a few id columns (some missing), a time and a string column, drawn from the log's ids."""
    rng = np.random.default_rng(seed)
    ids = ctx.ids.categories[:6]

    def column() -> pd.Series:
        codes = rng.integers(-1, len(ids), n)
        return ctx.as_ids(pd.Series([ids[c] if c >= 0 else None for c in codes], dtype="str"))

    return pd.DataFrame({"cadre": column(), "trip": column(), "document": column(),
                         "time": pd.to_datetime(rng.integers(0, 3, n), unit="D").astype(TIME_DTYPE),
                         "port": pd.Series(rng.choice(["a", "b", None], n), dtype="str")})


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("by", [["cadre"], ["trip", "cadre"], ["cadre", "trip", "document"], None,
                                ["cadre", "time"]])
def test_unique_equals_drop_duplicates(by: list[str] | None, keep: str) -> None:
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    for seed in range(5):
        rows = _some_rows(ctx, 60, seed)
        if by is None:
            rows = rows[["cadre", "trip"]]
        pd.testing.assert_frame_equal(ctx.unique(rows, by, keep=keep), rows.drop_duplicates(by, keep=keep))


def test_concat_equals_pd_concat() -> None:
    """Id columns joined on their codes, columns of one dtype joined as arrays, the rest (a column missing
    from a frame, dtypes that differ) by pandas: the same frame as ``pd.concat``, its column labels plain
    objects like those of every frame the context builds."""
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    a, b = _some_rows(ctx, 20, 1), _some_rows(ctx, 15, 2)
    frames = [a, b.drop(columns=["trip", "port"]).assign(flag=True, n=np.arange(15)),
              a.head(0), b.assign(n=np.arange(15.0), time=b["time"].astype(object))]
    expected = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(ctx.concat(frames), expected.set_axis(expected.columns.astype(object), axis=1))


def test_context_tables_keep_the_logs_other_columns() -> None:
    """``ctx.t`` changes the link columns only (to ids), and the column labels to plain objects."""
    log = synthetic_log(3000, seed=2)
    ctx = AuditContext(log, rulebook().params)
    for name, raw in log.tables.items():
        coded = ctx.t(name)
        assert coded.columns.dtype == object and list(coded.columns) == list(raw.columns)
        links = [lk.qualifier for lk in EVENTS[name].single_links]
        pd.testing.assert_frame_equal(coded.drop(columns=links), raw.drop(columns=links), check_column_type=False)


def test_same_equals_eq() -> None:
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    for seed in range(5):
        rows = _some_rows(ctx, 60, seed)
        for a, b in (("cadre", "trip"), ("trip", "document"), ("cadre", "cadre"), ("port", "cadre")):
            pd.testing.assert_series_equal(ctx.same(rows[a], rows[b]), rows[a].eq(rows[b]), check_names=False)


def test_finding_where_equals_finding_on_the_rows_selected() -> None:
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    for seed in range(5):
        rows = _some_rows(ctx, 60, seed).assign(event_id=[f"e{i}" for i in range(60)])
        where = np.random.default_rng(seed).random(60) < 0.4
        picked = rows[where]
        given = {"deadline": picked["time"], "days": np.arange(len(picked), dtype=float), "unit": picked["cadre"]}
        pd.testing.assert_frame_equal(ctx.concat([ctx.finding(rows, "late", where=where, **given)]),
                                      ctx.concat([ctx.finding(picked, "late", **given)]))


@pytest.mark.parametrize("enabled", [True, False])
def test_audit_restores_the_garbage_collectors_state(enabled: bool) -> None:
    """The audit pauses the cyclic garbage collector while it runs and leaves it as it found it."""
    log = synthetic_log(3000, seed=2)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert len(audit(log)) > 0
        assert gc.isenabled() == enabled
    finally:
        gc.enable() if was else gc.disable()


def _encoded_plainly(log: EventLog) -> AuditContext:
    """A context that hashes every link column itself (the log as if not from ``normalise``)."""
    return AuditContext(dataclasses.replace(log, link_rows=None), rulebook().params)


def test_links_encoded_by_normalise_equal_those_encoded_here() -> None:
    """The link columns come from ``normalise`` as rows among the object ids: the same dictionary and codes as
    hashing them all here, for a simulated log (object-valued links of every kind) and a generated one."""
    from simlib.model import Model
    from simlib.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    simulated = Model(load_scenario(root / "scenarios/training/small.yaml", {}), seed=1).run().log()
    for log in (simulated, synthetic_log(3000, seed=2), vocabulary_log()):
        assert log.link_rows is not None and log.link_rows.of(log) is not None
        ours, plain = AuditContext(log, rulebook().params), _encoded_plainly(log)
        assert list(ours._encoded[0].categories) == list(plain._encoded[0].categories)
        assert ours._encoded[1].keys() == plain._encoded[1].keys()
        for key, codes in ours._encoded[1].items():
            np.testing.assert_array_equal(codes, plain._encoded[1][key], err_msg=str(key))
        assert log.link_rows.of_members(log) is not None
        members = ours.links("DelegationFormed", "member")  # (the many-valued links: rows of their own)
        assert len(members) > 0 or log is simulated
        pd.testing.assert_frame_equal(members, plain.links("DelegationFormed", "member"))
        pd.testing.assert_frame_equal(members.astype("str"), log.links("DelegationFormed", "member"))


def test_links_written_to_after_normalise_are_encoded_afresh() -> None:
    """A link column written to, or a table or object type replaced, after ``normalise``, or the log copied by
    pickle: the rows handed over no longer describe the log, so the context hashes the ids itself (and sees the
    new value)."""
    log = synthetic_log(3000, seed=2)
    exits = log.tables["Exit"]
    other = exits["cadre"].iloc[-1]
    exits.loc[0, "cadre"] = other
    assert log.link_rows is not None and log.link_rows.of(log) is None
    assert AuditContext(log, rulebook().params).t("Exit")["cadre"].iloc[0] == other
    replaced = synthetic_log(3000, seed=2)
    replaced.objects["trip"] = replaced.objects["trip"].iloc[::-1].reset_index(drop=True)  # rows reordered
    assert replaced.link_rows is not None and replaced.link_rows.of(replaced) is None
    fresh = synthetic_log(3000, seed=2)
    copied = pickle.loads(pickle.dumps(fresh))  # (a copy's rows would describe the original's arrays)
    assert copied.link_rows is not None and copied.link_rows.of(copied) is None
    assert copied.link_rows.of_members(copied) is None
    moved = synthetic_log(3000, seed=2)
    moved.members = moved.members.iloc[::-1].reset_index(drop=True)
    assert moved.link_rows is not None and moved.link_rows.of_members(moved) is None
    plain = _encoded_plainly(moved).links("DelegationFormed", "member")
    pd.testing.assert_frame_equal(AuditContext(moved, rulebook().params).links("DelegationFormed", "member"), plain)
    for log in (fresh, replaced, copied):
        pd.testing.assert_frame_equal(audit(log).table, audit(dataclasses.replace(log, link_rows=None)).table)


@pytest.mark.parametrize("failures", ["gatekeeping", "all_upstream"])
def test_a_check_built_on_others_findings_finds_what_it_finds_alone(failures: str) -> None:
    """4.3.h reads the findings of the checks upstream of it as the registry computed them in the same audit:
    its findings are those it makes when audited alone (computing them itself)."""
    log = synthetic_log(50_000, seed=3)
    params = rulebook().params.replace(negligence_failures=failures)
    whole = audit(log, params).table
    alone = audit(log, params, clauses=["4.3.h"]).table
    assert len(alone) > 0
    pd.testing.assert_frame_equal(whole[whole["clause"] == "4.3.h"].reset_index(drop=True), alone)


def _plain_keys(left: pd.DataFrame, right: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The plain way: one code per combination of the ``by`` values as strings, -1 where one is missing."""
    def joined(rows: pd.DataFrame) -> pd.Series:
        text = rows[by].astype(object).where(rows[by].notna())
        return text.apply(lambda r: None if r.isna().any() else "|".join(map(str, r)), axis=1)

    codes, _ = pd.factorize(pd.concat([joined(left), joined(right)], ignore_index=True), use_na_sentinel=True)
    return codes[:len(left)].astype(np.int64), codes[len(left):].astype(np.int64)


@pytest.mark.parametrize("functional", [True, False])
@pytest.mark.parametrize("by", [["trip", "cadre"], ["cadre", "trip"], ["trip", "cadre", "document"],
                                ["trip", "port"]])
def test_joins_on_several_columns_equal_merge_asof(by: list[str], functional: bool) -> None:
    """``last_before``, ``first_after`` and ``has`` on several columns give the as-of join on the combinations
    of their values, whether or not one column follows from another among the right rows (a trip's cadre:
    the key is then not widened)."""
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    for seed in range(6):
        left, right = _some_rows(ctx, 50, seed), _some_rows(ctx, 40, seed + 100)
        left = left.assign(time=(left["time"] + pd.to_timedelta(np.arange(50) % 7, unit="h")).astype(TIME_DTYPE))
        if functional:  # among the right rows, each trip has one cadre (and one document)
            first = right.dropna(subset=["trip"]).drop_duplicates("trip").set_index("trip")
            for col in ("cadre", "document"):
                right[col] = ctx.as_ids(right["trip"].astype(object).map(first[col].astype(object)))
            left.loc[::3, "cadre"] = right["cadre"].iloc[0]
        lkey, rkey = _plain_keys(left, right, by)
        ltime, rtime = left["time"].to_numpy().view(np.int64), right["time"].to_numpy().view(np.int64)
        for forward, strict in ((False, False), (False, True), (True, False), (True, True)):
            join = ctx.first_after if forward else ctx.last_before
            ours = join(left, right, by, strict=strict).to_numpy().view(np.int64)
            np.testing.assert_array_equal(ours, _merge_asof(lkey, ltime, rkey, rtime, rtime, forward, strict))
        plain = np.isin(lkey, rkey[rkey >= 0]) & (lkey >= 0)
        np.testing.assert_array_equal(ctx.has(left, right, by).to_numpy(), plain)


@pytest.mark.parametrize("on", [["cadre"], ["trip", "cadre"], ["port"], ["cadre", "port"]])
def test_merge_equals_pandas_merge(on: list[str]) -> None:
    """An inner join on id columns, or other columns of one dtype (``port``: strings): the rows, their order
    (left rows in turn, each with its right rows in order), missing values matching missing values, and the
    columns of ``DataFrame.merge``."""
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    for seed in range(5):
        left = _some_rows(ctx, 40, seed)
        right = _some_rows(ctx, 30, seed + 50)[[*on, "document", "time"]].rename(columns={"time": "when"})
        expected = left.drop(columns="document").merge(right, on=on)
        ours = ctx.merge(left.drop(columns="document"), right, on=on)
        assert len(ours) > 0
        pd.testing.assert_frame_equal(ours, expected, check_column_type=False)


def test_a_whole_tables_applied_authority_serves_its_rows() -> None:
    """The management authority when the cadre applied, and whether the body was below it, computed once for
    the whole TripApproved or Vetting table (ctx.shared), are those computed on any of its rows alone (a
    simulated log: its cadres are promoted, so the authority depends on the time)."""
    from simlib.audit.checks.section2 import applied, applied_authority, below_applied_authority
    from simlib.model import Model
    from simlib.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    log = Model(load_scenario(root / "scenarios/training/small.yaml", {}), seed=1).run().log()
    ctx = AuditContext(log, rulebook().params)
    for event_type in ("TripApproved", "Vetting"):
        table = ctx.t(event_type)
        rows = table[np.arange(len(table)) % 3 == 1]
        assert len(rows) > 0
        plain = applied(ctx, rows)
        authority = ctx.attr_at(plain["cadre"], "management_authority", plain["time"])
        at = rows.index.to_numpy()
        pd.testing.assert_series_equal(ctx.shared(applied_authority, event_type).iloc[at], authority)
        np.testing.assert_array_equal(ctx.shared(below_applied_authority, event_type)[at],
                                      ctx.below_authority(plain).to_numpy())


@pytest.mark.parametrize("empty", ["left", "right"])
def test_joins_with_an_empty_side_find_nothing(empty: str) -> None:
    ctx = AuditContext(synthetic_log(3000, seed=2), rulebook().params)
    left, right = _some_rows(ctx, 20, 1), _some_rows(ctx, 20, 2)
    left, right = (left.head(0), right) if empty == "left" else (left, right.head(0))
    for join in (ctx.first_after, ctx.last_before):
        found = join(left, right, ["trip", "cadre"])
        assert len(found) == len(left) and found.isna().all() and found.dtype == TIME_DTYPE
        assert found.index.equals(left.index)


def test_index_ids_and_strings_equal_their_plain_forms() -> None:
    """``index_ids``, ``codes`` and ``as_ids`` of a derived frame's index (from the codes stored) equal the ids
    looked up from its strings, and ``strings`` of an id column (from the arrow dictionary) equals
    ``astype("str")``."""
    ctx = AuditContext(synthetic_log(20_000, seed=3), rulebook().params)
    for frame in ("cadres", "units", "bodies", "trips", "documents", "delegations", "cases"):
        index = getattr(ctx, frame).index
        looked_up = ctx.ids.categories.get_indexer(pd.Index(list(index), dtype=object))  # (another object)
        assert len(index) > 0 and (looked_up >= 0).all()
        np.testing.assert_array_equal(ctx.codes(index), looked_up)  # (the frame's own index: codes stored)
        pd.testing.assert_series_equal(ctx.index_ids(frame), ctx.from_codes(looked_up))
        pd.testing.assert_series_equal(ctx.as_ids(index), ctx.from_codes(looked_up))
    rows = _some_rows(ctx, 60, 3)
    for col in ("cadre", "trip", "port"):
        pd.testing.assert_series_equal(pd.Series(ctx.strings(rows[col]), name=col), rows[col].astype("str"))
