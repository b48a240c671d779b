"""The organisation as data: a unit tree and cadres as numpy arrays (a struct of arrays), generated from the
scenario with the ``organisation`` stream or read from a roster CSV. Cadres are data, not processes."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.errors import InputError, os_error
from simlib.log.builder import LogBuilder
from simlib.log.vocabulary import EMPLOYMENT, RANKS, UNIT_LEVELS
from simlib.rulebook import Params
from simlib.scenario.schema import Scenario

COUNTY, PREFECTURE, PROVINCIAL, CENTRAL = range(4)  # indices into UNIT_LEVELS
RANK_CAP = {COUNTY: RANKS.index("division"), PREFECTURE: RANKS.index("bureau"),
            PROVINCIAL: len(RANKS) - 1, CENTRAL: len(RANKS) - 1}
KEY_POSTS = ("personnel", "finance", "property", "confidential_archives", "other_important")
SECURITY = ("national_security", "state_asset_security", "industry_secret")
PER_UNIT = ("unit_ids", "unit_level", "unit_parent", "unit_state", "unit_province", "unit_head", "unit_custodian")
AGENCY_KINDS = ("fao", "psb", "discipline", "finance")
ROSTER_COLUMNS = ("cadre_id", "unit", "unit_level", "unit_parent", "rank", "is_party_member")
ROSTER_OPTIONAL = ("is_state_organ_staff", "employment", "is_leading_cadre", "key_post", "security_sensitive",
                   "spouse_abroad")
ROSTER_PERSONAL = ("name", "id_number")
"""Columns a personnel system's export may carry that are read past and never kept: the log names cadre i of
the roster (its i-th data row) ``c{i:06d}``, so no name or personal identifier reaches a log, report or
notebook."""
ROSTER_MAX_BYTES = 500_000_000
"""The largest roster read (the schema allows 2,000,000 cadres, ~150 bytes a row)."""


@dataclass
class Organisation:
    """Units (index u) and cadres (index c) as parallel arrays."""

    unit_ids: np.ndarray
    unit_level: np.ndarray
    unit_parent: np.ndarray
    unit_state: np.ndarray
    unit_province: np.ndarray
    unit_head: np.ndarray
    unit_custodian: np.ndarray
    cadre_ids: np.ndarray
    unit: np.ndarray
    rank: np.ndarray
    party: np.ndarray
    state: np.ndarray
    retired: np.ndarray
    leading: np.ndarray
    unit_leader: np.ndarray
    key_post: np.ndarray
    security: np.ndarray
    authority: np.ndarray
    spouse_abroad: np.ndarray
    exit_banned: np.ndarray
    funds: np.ndarray
    risk: np.ndarray
    holds_private_doc: np.ndarray
    doc_reported: np.ndarray
    registrable: np.ndarray
    agency_ids: dict[tuple[str, int], str]

    @property
    def n(self) -> int:
        return len(self.cadre_ids)

    @property
    def n_units(self) -> int:
        return len(self.unit_ids)

    def agency(self, kind: str, unit: int) -> str:
        """The agency of ``kind`` serving ``unit`` (its province's; MFA is central)."""
        if kind == "mfa":
            return self.agency_ids[("mfa", -1)]
        return self.agency_ids[(kind, int(self.unit_province[unit]))]

    def parent_or_self(self, u: int) -> int:
        p = int(self.unit_parent[u])
        return u if p < 0 else p

    def members_of(self, u: int) -> np.ndarray:
        """Indices of the cadres of unit ``u`` (computed once for all units)."""
        cache = self.__dict__.get("_members")
        if cache is None:
            order = np.argsort(self.unit, kind="stable")
            bounds = np.searchsorted(self.unit[order], np.arange(self.n_units + 1))
            cache = [order[bounds[i]:bounds[i + 1]] for i in range(self.n_units)]
            self.__dict__["_members"] = cache
        return cache[u]

    def to_log(self, b: LogBuilder) -> None:
        """Declare units, agencies and cadres as objects of the log."""
        for u in range(self.n_units):
            p = int(self.unit_parent[u])
            b.add_object("unit", str(self.unit_ids[u]), level=UNIT_LEVELS[int(self.unit_level[u])],
                         parent="" if p < 0 else str(self.unit_ids[p]),
                         is_state_organ=bool(self.unit_state[u]),
                         name=f"{UNIT_LEVELS[int(self.unit_level[u])]} unit {self.unit_ids[u]}")
        for (kind, prov), aid in self.agency_ids.items():
            level = "central" if prov < 0 else "provincial"
            b.add_object("agency", aid, kind=kind, level=level, name=f"{kind} {aid}")
        self.cadres_to_log(b, slice(None))

    def cadres_to_log(self, b: LogBuilder, rows: slice) -> None:
        """Declare the cadres of ``rows`` as objects of the log, with their attributes now."""
        b.add_objects("cadre", self.cadre_ids[rows].astype(str), unit=self.unit_ids[self.unit[rows]].astype(str),
                      rank=np.asarray(RANKS)[self.rank[rows]], is_party_member=self.party[rows].astype(bool),
                      is_state_organ_staff=self.state[rows].astype(bool),
                      employment=np.where(self.retired[rows], "retired", "in_service"),
                      is_leading_cadre=self.leading[rows].astype(bool),
                      is_unit_leader=self.unit_leader[rows].astype(bool), key_post=self.key_post[rows].astype(str),
                      security_sensitive=self.security[rows].astype(str),
                      management_authority=self.unit_ids[self.authority[rows]].astype(str))

    def hire(self, units: np.ndarray, party: np.ndarray, risk: np.ndarray) -> slice:
        """New cadres at section level, in service, in no post or category, one in each of ``units`` (Party
        members where ``party``, latent ``risk``); returns their rows. Every per-cadre array grows."""
        n, k = self.n, len(units)
        new = {"cadre_ids": np.asarray([f"c{i:06d}" for i in range(n, n + k)], dtype=object), "unit": units,
               "rank": 0, "party": party, "state": self.unit_state[units], "retired": False, "leading": False,
               "unit_leader": False, "key_post": "", "security": "", "authority": units, "spouse_abroad": False,
               "exit_banned": False, "funds": 0.0, "risk": risk, "holds_private_doc": False, "doc_reported": False,
               "registrable": False}
        for f in fields(self):
            old = getattr(self, f.name)
            if f.name in PER_UNIT or not isinstance(old, np.ndarray):
                continue  # per-unit arrays and the agencies do not grow
            setattr(self, f.name, np.concatenate([old, np.broadcast_to(np.asarray(new[f.name], dtype=old.dtype), k)]))
        self.__dict__.pop("_members", None)
        return slice(n, n + k)


def _tree(sc: Scenario, rng: np.random.Generator) -> tuple[list[int], list[int], np.ndarray]:
    u = sc.organisation.units
    level, parent = [CENTRAL], [-1]
    for _ in range(u.provincial):
        level.append(PROVINCIAL)
        parent.append(0)
        p = len(level) - 1
        for _ in range(u.prefecture_per_provincial):
            level.append(PREFECTURE)
            parent.append(p)
            q = len(level) - 1
            for _ in range(u.county_per_prefecture):
                level.append(COUNTY)
                parent.append(q)
    lv = np.asarray(level)
    state = (lv >= PROVINCIAL) | (rng.random(len(lv)) < u.state_organ_share)
    return level, parent, state


def _province(parent: np.ndarray, level: np.ndarray) -> np.ndarray:
    prov = np.zeros(len(parent), dtype=np.int64)
    for i in range(len(parent)):
        j = i
        while level[j] < PROVINCIAL and parent[j] >= 0:
            j = parent[j]
        prov[i] = j if level[j] == PROVINCIAL else 0
    return prov


def _ancestor(parent: np.ndarray, u: np.ndarray, k: np.ndarray) -> np.ndarray:
    out = u.copy()
    for _ in range(int(k.max(initial=0))):
        step = (k > 0) & (parent[out] >= 0)
        out = np.where(step, parent[out], out)
        k = k - 1
    return out


def management_authority(parent: np.ndarray, unit: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The body holding cadre-management authority (干部管理权限): the cadre's own unit at section level, one
    level up from deputy division, two from deputy bureau."""
    up = np.where(rank >= RANKS.index("deputy_bureau"), 2, np.where(rank >= RANKS.index("deputy_division"), 1, 0))
    return _ancestor(parent, unit, up)


def registrable(org_state: np.ndarray, retired: np.ndarray, leading: np.ndarray, rank: np.ndarray,
                security: np.ndarray, params: Params) -> np.ndarray:
    """The 登记备案 categories of 2.2.a (the same derivation as the auditor's)."""
    county_min = RANKS.index("deputy_division" if params.county_division_includes_deputy else "division")
    bureau_min = RANKS.index("deputy_bureau" if params.bureau_includes_deputy else "bureau")
    sec = np.asarray([len(s) > 0 for s in security], dtype=bool)
    return (org_state & ~retired & leading & (rank >= county_min)) | (retired & (rank >= bureau_min)) | sec


def _finish(sc: Scenario, params: Params, rng: np.random.Generator, level: np.ndarray, parent: np.ndarray,
            state_u: np.ndarray, unit_ids: np.ndarray, unit: np.ndarray, rank: np.ndarray, party: np.ndarray,
            state: np.ndarray, retired: np.ndarray, leading: np.ndarray, key_post: np.ndarray,
            security: np.ndarray, spouse: np.ndarray, cadre_ids: np.ndarray) -> Organisation:
    """Derived fields shared by the generator and the roster reader."""
    o, b = sc.organisation, sc.behaviour
    n, nu = len(unit), len(level)
    authority = management_authority(parent, unit, rank)
    head = np.full(nu, -1, dtype=np.int64)
    custodian = np.full(nu, -1, dtype=np.int64)
    order = np.lexsort((np.arange(n), -rank, retired))  # in service first, then highest rank
    for c in order:
        if head[unit[c]] < 0 and not retired[c]:
            head[unit[c]] = c
    for c in range(n):
        if custodian[unit[c]] < 0 and rank[c] == 0 and not retired[c]:
            custodian[unit[c]] = c
    custodian = np.where(custodian < 0, head, custodian)
    unit_leader = np.zeros(n, dtype=bool)
    unit_leader[head[head >= 0]] = True
    leading = leading | unit_leader
    exit_banned = rng.random(n) < o.exit_banned_share
    corrupt = rng.random(n) < b.corruption_share
    funds = np.where(corrupt, rng.lognormal(0.0, 1.0, n) * b.funds_mean / np.exp(0.5) * (1 + rank), 0.0)
    risk = rng.lognormal(-0.5 * o.risk_sigma**2, o.risk_sigma, n)
    holds = rng.random(n) < o.private_doc_share * (0.6 + 0.2 * rank)
    reported = holds & (rng.random(n) < o.private_doc_reported_share)
    province = _province(parent, level)
    agencies: dict[tuple[str, int], str] = {("mfa", -1): "mfa"}
    provinces = sorted(set(province.tolist()))
    for p in provinces:
        for kind in AGENCY_KINDS:
            agencies[(kind, int(p))] = f"{kind}-{unit_ids[p]}"
    reg = registrable(state, retired, leading, rank, security, params)
    return Organisation(unit_ids=unit_ids, unit_level=level, unit_parent=parent, unit_state=state_u,
                        unit_province=province, unit_head=head, unit_custodian=custodian, cadre_ids=cadre_ids,
                        unit=unit, rank=rank, party=party, state=state, retired=retired, leading=leading,
                        unit_leader=unit_leader, key_post=key_post, security=security, authority=authority,
                        spouse_abroad=spouse, exit_banned=exit_banned, funds=funds, risk=risk,
                        holds_private_doc=holds, doc_reported=reported, registrable=reg, agency_ids=agencies)


def generate(sc: Scenario, params: Params, rng: np.random.Generator) -> Organisation:
    """A synthetic organisation drawn from the scenario's parameters."""
    o = sc.organisation
    level_l, parent_l, state_u = _tree(sc, rng)
    level, parent = np.asarray(level_l), np.asarray(parent_l)
    w = np.asarray([o.units.weight_county, o.units.weight_prefecture, o.units.weight_provincial,
                    o.units.weight_central])[level]
    if w.sum() <= 0:
        w = np.ones_like(w)
    n = o.cadres
    unit = np.sort(rng.choice(len(level), size=n, p=w / w.sum()))
    shares = np.asarray([getattr(o.ranks, r) for r in RANKS])
    rank = rng.choice(len(RANKS), size=n, p=shares / shares.sum())
    cap = np.asarray([RANK_CAP[int(lv)] for lv in level])[unit]
    rank = np.minimum(rank, cap)
    party = rng.random(n) < o.party_share
    retired = rng.random(n) < o.retired_share
    state = state_u[unit]
    leading = (rank >= RANKS.index("deputy_division")) & (rng.random(n) < o.leading_share)
    kp = rng.random(n) < o.key_post_share
    key_post = np.where(kp, np.asarray(KEY_POSTS, dtype=object)[rng.integers(0, len(KEY_POSTS), n)], "")
    sec = rng.random(n) < o.security_sensitive_share
    security = np.where(sec, np.asarray(SECURITY, dtype=object)[rng.integers(0, len(SECURITY), n)], "")
    spouse = (rank >= RANKS.index("deputy_division")) & (rng.random(n) < o.spouse_abroad_share)
    unit_ids = np.asarray([f"u{i:03d}" for i in range(len(level))], dtype=object)
    cadre_ids = np.asarray([f"c{i:06d}" for i in range(n)], dtype=object)
    return _finish(sc, params, rng, level, parent, state_u, unit_ids, unit, rank, party, state, retired,
                   leading, key_post.astype(object), security.astype(object), spouse, cadre_ids)


BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _roster_problems(df: pd.DataFrame, source: str) -> list[InputError]:
    """Every independent problem of a roster table (up to a limit), each naming its row and column."""
    def bad(key: str, field: str, line: int | None = None, **values: object) -> InputError:
        return InputError(source=source, field=field, line=line, key=f"roster.{key}", values=values)

    allowed = ROSTER_COLUMNS + ROSTER_OPTIONAL + ROSTER_PERSONAL
    problems = [bad("missing_column", c, name=c, required=", ".join(ROSTER_COLUMNS))
                for c in ROSTER_COLUMNS if c not in df]
    problems += [bad("unknown_column", str(c), name=str(c)[:80], allowed=", ".join(allowed))
                 for c in df if c not in allowed]
    if problems:
        return problems
    if not len(df):
        return [bad("empty", "")]
    rows = df.index.to_numpy() + 2  # the header is row 1
    for i in np.flatnonzero(df["cadre_id"].duplicated().to_numpy())[:5]:
        problems.append(bad("duplicate", "cadre_id", int(rows[i])))
    for col, choices in (("rank", RANKS), ("unit_level", UNIT_LEVELS), ("employment", EMPLOYMENT)):
        if col in df:
            for i in np.flatnonzero(~df[col].isin(choices).to_numpy())[:5]:
                problems.append(bad("choice", col, int(rows[i]), value=df[col].iloc[i][:40],
                                    choices=", ".join(choices)))
    for col in ("is_party_member", "is_state_organ_staff", "is_leading_cadre", "spouse_abroad"):
        if col in df:
            ok = df[col].str.strip().str.lower().isin(list(BOOLEAN)).to_numpy()
            for i in np.flatnonzero(~ok)[:5]:
                problems.append(bad("boolean", col, int(rows[i]), value=df[col].iloc[i][:40]))
    for i in np.flatnonzero((df["unit"].str.strip() == "").to_numpy())[:5]:
        problems.append(bad("no_unit", "unit", int(rows[i])))
    levels = df.groupby("unit")["unit_level"].nunique()
    problems += [bad("unit_levels", "unit_level", unit=str(u)[:80]) for u in levels[levels > 1].index[:5]]
    parents = df.groupby("unit")["unit_parent"].nunique()
    problems += [bad("unit_parents", "unit_parent", unit=str(u)[:80])
                 for u in parents[parents > 1].index[:5]]
    units = df.drop_duplicates("unit").set_index("unit")["unit_parent"]
    problems += [bad("parent", "unit_parent", unit=str(u)[:80], parent=str(p)[:80])
                 for u, p in units[~units.isin(["", *units.index])].items()][:5]
    if not problems:
        problems += [bad("cycle", "unit_parent", unit=str(u)[:80]) for u in _cycles(units)[:1]]
    return problems


def _cycles(parent_of: pd.Series) -> list[str]:
    """Units whose chain of parents comes back to itself (the tree must end at a unit without a parent)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: leads to a root
    found = []
    for start in parent_of.index:
        path, u = [], start
        while u and state.get(u) is None:
            state[u] = 1
            path.append(u)
            u = parent_of.get(u, "")
        if u and state.get(u) == 1:
            found.append(u)
        for p in path:
            state[p] = 2
    return found


def read_roster_table(path: str | Path) -> pd.DataFrame:
    """The roster CSV as text columns, validated; :class:`InputError` with every problem found. Personal
    columns (:data:`ROSTER_PERSONAL`) are dropped here."""
    source = str(path)
    try:
        if Path(path).stat().st_size > ROSTER_MAX_BYTES:
            raise InputError(source=source, key="roster.too_big", values={"limit": ROSTER_MAX_BYTES})
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except OSError as exc:
        raise os_error(exc, source) from None
    except UnicodeDecodeError as exc:
        raise InputError(source=source, key="roster.not_utf8", values={"offset": exc.start}) from None
    except pd.errors.EmptyDataError:
        raise InputError(source=source, key="roster.no_header") from None
    except (pd.errors.ParserError, ValueError) as exc:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if ragged:
            raise InputError(source=source, line=int(ragged[2]), key="roster.ragged",
                             values=dict(zip(("expected", "line", "saw"), ragged.groups(), strict=True))) from None
        raise InputError(source=source, key="roster.unreadable") from None
    df.columns = [str(c).strip() for c in df.columns]
    problems = _roster_problems(df, source)
    if problems:
        raise InputError.many(problems, source)
    return df.drop(columns=[c for c in ROSTER_PERSONAL if c in df])


def _flag(df: pd.DataFrame, col: str, default: bool) -> np.ndarray:
    if col not in df:
        return np.full(len(df), default)
    return df[col].str.strip().str.lower().map(BOOLEAN).to_numpy(dtype=bool, copy=True)


def read_roster(path: str | Path, sc: Scenario, params: Params, rng: np.random.Generator) -> Organisation:
    """An organisation from a roster CSV, validated; cadres get pseudonymous ids by row (``c000000`` is the
    first data row), so the roster's own identifiers and names stay in the roster."""
    df = read_roster_table(path)
    units = df[["unit", "unit_level", "unit_parent"]].drop_duplicates("unit")
    ids = units["unit"].tolist()
    index = {u: i for i, u in enumerate(ids)}
    level = units["unit_level"].map(UNIT_LEVELS.index).to_numpy()
    parent = np.asarray([index.get(p, -1) for p in units["unit_parent"]])
    state_u = level >= PROVINCIAL
    unit = df["unit"].map(index).to_numpy(copy=True)
    state = _flag(df, "is_state_organ_staff", True)
    for u in range(len(ids)):
        state_u[u] = state_u[u] or bool(state[unit == u].any())
    rank = df["rank"].map(RANKS.index).to_numpy(copy=True)  # copies: the model changes them (careers)
    emp = df["employment"] if "employment" in df else pd.Series("in_service", index=df.index)
    retired = emp.isin(["retired", "lixiu"]).to_numpy(copy=True)
    key_post = (df["key_post"] if "key_post" in df else pd.Series("", index=df.index)).to_numpy(dtype=object,
                                                                                                 copy=True)
    security = (df["security_sensitive"] if "security_sensitive" in df
                else pd.Series("", index=df.index)).to_numpy(dtype=object, copy=True)
    cadre_ids = np.asarray([f"c{i:06d}" for i in range(len(df))], dtype=object)
    return _finish(sc, params, rng, level, parent, state_u, np.asarray(ids, dtype=object), unit, rank,
                   _flag(df, "is_party_member", True), state, retired, _flag(df, "is_leading_cadre", False),
                   key_post, security, _flag(df, "spouse_abroad", False), cadre_ids)


def build(sc: Scenario, params: Params, rng: np.random.Generator) -> Organisation:
    """The scenario's organisation: the roster if one is given, else generated."""
    if sc.organisation.roster:
        return read_roster(sc.organisation.roster, sc, params, rng)
    return generate(sc, params, rng)
