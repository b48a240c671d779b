"""A synthetic log: a generated organisation whose cadres travel under the notice's procedure, with a seeded
share of steps late or skipped, so that the auditor has real work.

It is not the simulation (that is :mod:`simlib.model`): it makes large logs fast for the audit benchmark
(a million events in seconds) and for tests of the auditor. It is generated column by column with numpy (no
Python loop per event or per trip); the randomness comes from a ``SeedSequence``, one child stream per part
(organisation, trips, compliance, standing duties), never from global state.

The organisation: a provincial unit, prefecture and county units under it, the agencies (MFA, foreign-affairs
office, public security, state security, discipline, finance, organisation department) and cadres of every
rank. A trip is public (temporary, in delegations; or a posting) or private and runs: request → vetting →
approval (or denial) → education, training and reminder talk (public) or pre-trip report (private) →
document checkout → exit → reports abroad → entry → document hand-in → return report; a few travellers
overstay, act alone, meet incidents or do not return, which opens a case. Units designate leaders and
custodians, issue procedures, report every half-year and year, and are inspected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simlib.log.eventlog import MEMBER_COLUMNS, EventLog
from simlib.log.normalise import normalise
from simlib.log.vocabulary import RANKS

ORIGIN = np.datetime64(
    "2004-10-01", "ms"
)  # a quarter before the notice takes effect: some events are out of scope
HORIZON_DAYS = 1917  # to 2009-12-31
EVENTS_PER_TRIP = 10.65  # measured mean, including the organisation's standing duties; sizes the organisation
PORTS = np.array(
    ["北京首都机场", "上海浦东机场", "广州白云机场", "深圳罗湖口岸", "珠海拱北口岸"], dtype=object
)
KEY_POSTS = np.array(
    ["personnel", "finance", "property", "confidential_archives", "other_important"], dtype=object
)
AGENCIES = {
    "mfa": ("mfa", "central", "外交部"),
    "fao": ("fao", "provincial", "省外事办公室"),
    "psb": ("psb", "provincial", "省公安厅出入境管理局"),
    "mss": ("mss", "provincial", "省国家安全厅"),
    "ccdi": ("discipline", "provincial", "省纪委"),
    "fin": ("finance", "provincial", "人民银行省分行"),
    "org": ("org_dept", "provincial", "省委组织部"),
}


@dataclass(frozen=True)
class Rates:
    """Shares of steps that go wrong (each is a probability per step)."""

    late: float = 0.06  # a timed step done after its deadline
    skipped: float = 0.03  # a step never done
    denied: float = 0.03  # an application refused
    unapproved: float = 0.01  # an exit with no approval at all
    low_approver: float = 0.03  # approval by the cadre's own unit instead of the management authority
    overstay: float = 0.03  # entry after the approved return date
    solo: float = 0.02  # a delegation member acting alone
    incident: float = 0.01  # an important matter during a trip
    non_return: float = 0.002  # a traveller who does not come back


class _Events:
    """Blocks of events as columns; ids are given at the end, in time order."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.blocks: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.members: list[tuple[str, np.ndarray, np.ndarray]] = []  # (event type, key, cadre)

    def add(self, name: str, day: np.ndarray, mask: np.ndarray | None = None, **cols: Any) -> None:
        """Events of type ``name`` on integer ``day`` (days after ORIGIN) where ``mask``; ``cols`` are arrays
        aligned with ``day`` or scalars."""
        day = np.asarray(day)
        if mask is not None:
            day = day[mask]
            cols = {
                k: (v[mask] if isinstance(v, np.ndarray) and v.shape[:1] == mask.shape else v)
                for k, v in cols.items()
            }
        keep = (day >= 0) & (day < HORIZON_DAYS)
        if not keep.any():
            return
        n = int(keep.sum())
        block = {
            k: (v[keep] if isinstance(v, np.ndarray) else np.full(n, v, dtype=object))
            for k, v in cols.items()
        }
        clock = self.rng.integers(9 * 3600, 18 * 3600, n) * 1000  # office hours, whole seconds
        block["time"] = ORIGIN + (day[keep].astype("int64") * 86_400_000 + clock).astype("timedelta64[ms]")
        self.blocks[name].append(block)

    def tables(self) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
        frames = {
            name: pd.concat([pd.DataFrame(b) for b in blocks], ignore_index=True)
            for name, blocks in self.blocks.items()
        }
        names = list(frames)
        times = np.concatenate([frames[n]["time"].to_numpy() for n in names])
        rank = np.empty(len(times), dtype="int64")
        rank[np.argsort(times, kind="stable")] = np.arange(len(times))
        ids = pd.Series(rank).astype(str).radd("e").to_numpy()
        start = 0
        for n in names:
            end = start + len(frames[n])
            frames[n]["event_id"] = ids[start:end]
            start = end
        links = []
        for name, key, cadre in self.members:
            if name not in frames:  # every such event fell outside the horizon
                continue
            event_of = pd.Series(
                frames[name]["event_id"].to_numpy(), index=frames[name].pop("_key").to_numpy()
            )
            links.append(
                pd.DataFrame(
                    {"event_id": event_of.reindex(key).to_numpy(), "qualifier": "member", "object_id": cadre}
                ).dropna()
            )
        members = pd.concat(links, ignore_index=True).drop_duplicates() if links else None
        return frames, (members if members is not None else pd.DataFrame(columns=list(MEMBER_COLUMNS)))


def _ids(prefix: str, n: int) -> np.ndarray:
    return pd.Series(np.arange(n)).astype(str).radd(prefix).to_numpy(dtype=object)


def _organisation(rng: np.random.Generator, n_cadres: int) -> dict[str, pd.DataFrame]:
    n_units = max(4, n_cadres // 40)
    n_pref = max(1, n_units // 5)
    unit = _ids("u", n_units)
    parent = np.empty(n_units, dtype=object)
    parent[0] = ""
    parent[1 : n_pref + 1] = unit[0]
    parent[n_pref + 1 :] = unit[1 + rng.integers(0, n_pref, n_units - n_pref - 1)]
    level = np.where(
        np.arange(n_units) == 0, "provincial", np.where(np.arange(n_units) <= n_pref, "prefecture", "county")
    )
    organ = rng.random(n_units) < 0.8
    units = pd.DataFrame(
        {
            "object_id": unit,
            "level": level,
            "parent": parent,
            "is_state_organ": organ,
            "name": pd.Series(unit).radd("单位").to_numpy(),
        }
    )

    cadre = _ids("c", n_cadres)
    home = rng.integers(0, n_units, n_cadres)
    rank = rng.choice(len(RANKS), n_cadres, p=[0.55, 0.15, 0.15, 0.07, 0.06, 0.02])
    employment = rng.choice(
        np.array(["in_service", "retired", "lixiu", "left_leading_post"], dtype=object),
        n_cadres,
        p=[0.9, 0.07, 0.01, 0.02],
    )
    leading = (rank >= 1) & (rng.random(n_cadres) < 0.8)
    order = np.lexsort((rng.random(n_cadres), -rank, home))  # per unit, highest rank first
    first = np.r_[True, home[order][1:] != home[order][:-1]]
    leader = np.zeros(n_cadres, dtype=bool)
    leader[order[first]] = True
    authority = np.where(rank >= 2, parent[home], unit[home])
    authority = np.where(authority == "", unit[0], authority)
    key_post = np.where(rng.random(n_cadres) < 0.08, rng.choice(KEY_POSTS, n_cadres), None)
    sensitive = np.where(rng.random(n_cadres) < 0.02, "national_security", None)
    cadres = pd.DataFrame(
        {
            "object_id": cadre,
            "unit": unit[home],
            "rank": np.asarray(RANKS, dtype=object)[rank],
            "is_party_member": rng.random(n_cadres) < 0.85,
            "is_state_organ_staff": organ[home],
            "employment": employment,
            "is_leading_cadre": leading,
            "is_unit_leader": leader,
            "key_post": key_post,
            "security_sensitive": sensitive,
            "management_authority": authority,
        }
    )
    agencies = pd.DataFrame(
        [(k, *v) for k, v in AGENCIES.items()], columns=["object_id", "kind", "level", "name"]
    )
    return {"unit": units, "cadre": cadres, "agency": agencies}


class _Steps:
    """Timing of obligations: on time, late or skipped, each with the seeded rates."""

    def __init__(self, rng: np.random.Generator, rates: Rates) -> None:
        self.rng = rng
        self.rates = rates

    def after(
        self, base: np.ndarray, limit: int | np.ndarray, *, late_max: int = 45
    ) -> tuple[np.ndarray, np.ndarray]:
        """Day of a step due within ``limit`` days of ``base`` (on time: from the next day), and whether it
        happens at all."""
        n = len(base)
        u = self.rng.random(n)
        on_time = base + self.rng.integers(1, np.asarray(limit) + 1, n)
        late = base + self.rng.integers(limit + 1, limit + late_max, n)
        day = np.where(u < self.rates.late, late, on_time)
        return day, u >= self.rates.late + self.rates.skipped

    def before(self, deadline: np.ndarray, lead: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Day of a step due before ``deadline`` (late: after it), and whether it happens at all."""
        n = len(deadline)
        u = self.rng.random(n)
        day = np.where(
            u < self.rates.late,
            deadline + self.rng.integers(1, 6, n),
            deadline - self.rng.integers(1, lead + 1, n),
        )
        return day, u >= self.rates.late + self.rates.skipped

    def chance(self, p: float, n: int) -> np.ndarray:
        return self.rng.random(n) < p


def _trips(
    ev: _Events,
    steps: _Steps,
    rng: np.random.Generator,
    org: dict[str, pd.DataFrame],
    n_trips: int,
    rates: Rates,
) -> dict[str, pd.DataFrame]:
    cad, units = org["cadre"], org["unit"]
    n_cad = len(cad)
    parent_of = dict(
        zip(units["object_id"], units["parent"].replace("", units["object_id"].iloc[0]), strict=True)
    )
    kind = rng.choice(
        np.array(["public_temporary", "public_posted", "private"], dtype=object),
        n_trips,
        p=[0.55, 0.05, 0.40],
    )
    temp = kind == "public_temporary"
    public = kind != "private"
    # delegations: consecutive temporary trips share a delegation, its leader (first member) and its dates
    n_temp = int(temp.sum())
    sizes = rng.integers(1, 6, max(n_temp, 1))
    starts = np.cumsum(sizes) - sizes
    deleg_of_temp = np.searchsorted(starts, np.arange(n_temp), side="right") - 1
    n_deleg = int(deleg_of_temp.max()) + 1 if n_temp else 0
    deleg = np.full(n_trips, -1)
    deleg[temp] = deleg_of_temp
    who = rng.integers(0, n_cad, n_trips)
    t0_deleg = rng.integers(0, HORIZON_DAYS - 150, max(n_deleg, 1))
    t0 = np.where(temp, t0_deleg[np.maximum(deleg, 0)], rng.integers(0, HORIZON_DAYS - 150, n_trips))
    length = np.where(
        kind == "public_posted",
        rng.integers(180, 720, n_trips),
        np.where(
            temp,
            rng.integers(5, 21, n_trips),
            np.where(
                rng.random(n_trips) < 0.08, rng.integers(95, 300, n_trips), rng.integers(3, 31, n_trips)
            ),
        ),
    )
    length = np.where(temp, rng.integers(5, 21, max(n_deleg, 1))[np.maximum(deleg, 0)], length)
    depart = t0 + np.where(
        temp, rng.integers(20, 60, max(n_deleg, 1))[np.maximum(deleg, 0)], rng.integers(20, 60, n_trips)
    )
    ret = depart + length

    trip = _ids("t", n_trips)
    cadre = cad["object_id"].to_numpy()[who]
    home = cad["unit"].to_numpy()[who]
    authority = cad["management_authority"].to_numpy()[who]
    is_leader = cad["is_unit_leader"].to_numpy()[who]
    deleg_id = np.where(deleg >= 0, pd.Series(deleg).astype(str).radd("g").to_numpy(), None)
    pub_doc = pd.Series(who).astype(str).radd("dp").to_numpy(dtype=object)
    priv_doc = pd.Series(who).astype(str).radd("dq").to_numpy(dtype=object)
    doc = np.where(public, pub_doc, priv_doc)
    custodian = cad.groupby("unit")["object_id"].first()
    keeper = pd.Series(home).map(custodian).to_numpy(dtype=object)
    ref = pd.Series(trip).radd("批").to_numpy(dtype=object)

    ev.add(
        "TripRequested",
        t0,
        trip=trip,
        cadre=cadre,
        unit=home,
        delegation=deleg_id,
        plan_depart=ORIGIN + depart.astype("timedelta64[D]"),
        plan_return=ORIGIN + ret.astype("timedelta64[D]"),
    )
    vet_day = t0 + rng.integers(1, 8, n_trips)
    vetted = ~steps.chance(rates.skipped, n_trips)
    ev.add(
        "Vetting",
        vet_day,
        vetted,
        trip=trip,
        cadre=cadre,
        approver=authority,
        political=True,
        integrity=rng.random(n_trips) > rates.skipped,
    )
    decide = vet_day + rng.integers(1, 8, n_trips)
    denied = steps.chance(rates.denied, n_trips)
    ev.add("TripDenied", decide, denied, trip=trip, cadre=cadre, approver=authority, reason="vetting")
    approver = np.where(steps.chance(rates.low_approver, n_trips), home, authority)
    approved = ~denied & ~steps.chance(rates.unapproved, n_trips)
    ev.add(
        "TripApproved",
        decide,
        approved,
        trip=trip,
        cadre=cadre,
        approver=approver,
        approved_return=ORIGIN + ret.astype("timedelta64[D]"),
        approval_ref=ref,
    )
    go = ~denied
    # preparation before departure
    for name in ("Education", "PreDepartureTraining", "ReminderTalk"):
        day, done = steps.before(depart)
        ev.add(name, day, go & public & done, trip=trip, cadre=cadre)
    day, done = steps.before(depart)
    recipient = np.where(
        is_leader & ~steps.chance(rates.late, n_trips),
        pd.Series(home).map(parent_of).to_numpy(dtype=object),
        home,
    )
    ev.add("PreTripReport", day, go & ~public & done, trip=trip, cadre=cadre, recipient=recipient)
    day, done = steps.before(depart)
    party = cad["is_party_member"].to_numpy()[who]
    ev.add(
        "MembershipRelationDecision",
        day,
        go & ~public & (length > 180) & party & done,
        cadre=cadre,
        trip=trip,
    )
    ev.add(
        "DocCheckedOut",
        depart - rng.integers(1, 6, n_trips),
        go,
        document=doc,
        cadre=cadre,
        custodian=keeper,
        trip=trip,
        unit=home,
        approval_ref=np.where(approved, ref, None),
    )
    ev.add("Exit", depart, go, trip=trip, cadre=cadre, document=doc, port=rng.choice(PORTS, n_trips))
    # delegations
    if n_deleg:
        first = np.r_[True, deleg_of_temp[1:] != deleg_of_temp[:-1]]
        d_trip = np.flatnonzero(temp)[first]
        dep_d = depart[d_trip]
        ev.add(
            "DelegationFormed",
            t0[d_trip] - rng.integers(1, 6, n_deleg),
            delegation=_ids("g", n_deleg),
            leader=cadre[d_trip],
            unit=home[d_trip],
            _key=np.arange(n_deleg),
        )
        ev.members.append(("DelegationFormed", deleg[temp], cadre[temp]))
        day, done = steps.before(dep_d)
        party = (
            pd.Series(cad["is_party_member"].to_numpy()[who][temp]).groupby(deleg_of_temp).sum().to_numpy()
        )
        ev.add(
            "TempPartyOrgFormed",
            day,
            done & (party > 0),
            delegation=_ids("g", n_deleg),
            org_type=np.where(party >= 3, "branch", "group"),
        )
    # abroad
    solo = go & temp & steps.chance(rates.solo, n_trips)
    solo_day = depart + np.minimum(2, length - 1)
    ev.add(
        "LeaderConsent",
        solo_day - 1,  # the day before: consent precedes the activity
        solo & ~steps.chance(0.3, n_trips),
        trip=trip,
        cadre=cadre,
        delegation=deleg_id,
    )
    ev.add(
        "SoloActivity",
        solo_day,
        solo,
        trip=trip,
        cadre=cadre,
        delegation=deleg_id,
        end=ORIGIN + (solo_day * 86_400_000 + 20 * 3_600_000).astype("timedelta64[ms]"),
    )
    incident = go & steps.chance(rates.incident, n_trips)
    inc_day = depart + np.minimum(1, length - 1)
    ev.add("Incident", inc_day, incident, trip=trip, cadre=cadre, delegation=deleg_id, kind="missing_person")
    for to, body in (("dispatching_unit", home), ("mfa", np.full(n_trips, "mfa", dtype=object))):
        day, done = steps.after(inc_day, 1)
        ev.add(
            "IncidentReported",
            day,
            incident & done & (public | (to == "dispatching_unit")),
            trip=trip,
            cadre=cadre,
            recipient=body,
            to=to,
        )
    away = go & ~steps.chance(rates.non_return, n_trips)
    over = steps.chance(rates.overstay, n_trips)
    entry = np.where(over, ret + rng.integers(1, 21, n_trips), ret - rng.integers(1, 3, n_trips))
    _quarterly_reports(ev, steps, rng, go & ~public, depart, np.where(away, entry, ret), trip, cadre, home)
    # return
    extended = over & (rng.random(n_trips) < 0.5)
    ev.add(
        "ExtensionAuthorized",
        ret - rng.integers(1, 4, n_trips),
        away & extended,
        trip=trip,
        new_return=ORIGIN + (entry + 1).astype("timedelta64[D]"),
    )
    ev.add("Entry", entry, away, trip=trip, cadre=cadre, document=doc, port=rng.choice(PORTS, n_trips))
    day, done = steps.after(entry, np.where(public, 15, 10))
    ev.add(
        "DocSurrendered",
        day,
        away & done,
        document=doc,
        cadre=cadre,
        recipient=np.where(public, "fao", home),
        custodian=keeper,
        trip=trip,
    )
    day, done = steps.after(entry, 7)
    ev.add("ReturnReport", day, away & ~public & done, trip=trip, cadre=cadre, recipient=home)
    cases = _non_returns(ev, steps, rng, go & ~away, trip, cadre, home, deleg_id, ret, parent_of)
    return {
        "case": pd.DataFrame({"object_id": cases, "serious_adverse_effect": False, "suspected_crime": True}),
        "trip": pd.DataFrame({"object_id": trip, "kind": kind, "destinations": "HK;SG"}),
        "delegation": pd.DataFrame(
            {
                "object_id": _ids("g", n_deleg),
                "dispatching_unit": home[temp][np.r_[True, deleg_of_temp[1:] != deleg_of_temp[:-1]]]
                if n_deleg
                else np.array([], dtype=object),
            }
        ),
        "_holders": pd.DataFrame({"who": who, "public": public, "t0": t0}),
    }


def _quarter_start(quarter: np.ndarray) -> np.ndarray:
    """Day (after ORIGIN) on which calendar quarter number ``quarter`` (months since 1970 // 3) begins."""
    first = (quarter * 3).astype("datetime64[M]").astype("datetime64[D]")
    return (first - ORIGIN.astype("datetime64[D]")).astype("int64")


def _quarterly_reports(
    ev: _Events,
    steps: _Steps,
    rng: np.random.Generator,
    private: np.ndarray,
    depart: np.ndarray,
    back: np.ndarray,
    trip: np.ndarray,
    cadre: np.ndarray,
    home: np.ndarray,
) -> None:
    """A report to the unit and one to its Party organisation in each calendar quarter spent wholly abroad."""

    def quarter(day: np.ndarray) -> np.ndarray:
        return (ORIGIN.astype("datetime64[D]") + day).astype("datetime64[M]").astype("int64") // 3

    first, last = quarter(depart) + 1, quarter(back + 1) - 1
    count = np.where(private, np.maximum(last - first + 1, 0), 0)
    rows = np.repeat(np.arange(len(trip)), count)
    k = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    start = _quarter_start(first[rows] + k)
    for to in ("unit", "party_org"):
        done = ~steps.chance(steps.rates.skipped + steps.rates.late, len(rows))
        ev.add(
            "AbroadStatusReport",
            start + rng.integers(5, 80, len(rows)),
            done,
            trip=trip[rows],
            cadre=cadre[rows],
            recipient=home[rows],
            to=to,
        )


def _non_returns(
    ev: _Events,
    steps: _Steps,
    rng: np.random.Generator,
    gone: np.ndarray,
    trip: np.ndarray,
    cadre: np.ndarray,
    home: np.ndarray,
    deleg_id: np.ndarray,
    ret: np.ndarray,
    parent_of: dict[str, str],
) -> np.ndarray:
    """Cases for travellers who did not come back: declaration, report upward, pursuit, sanction,
    accountability. Returns the case ids."""
    idx = np.flatnonzero(gone)
    n = len(idx)
    case = pd.Series(trip[idx]).radd("k").to_numpy(dtype=object)
    if n == 0:
        return case
    declared = ret[idx] + rng.integers(30, 60, n)
    ev.add("NonReturnDeclared", declared, trip=trip[idx], cadre=cadre[idx], case=case)
    ev.add("CaseOpened", declared + 1, case=case, cadre=cadre[idx])
    day, done = steps.after(declared, 2)
    ev.add(
        "MajorReport",
        day,
        done,
        unit=home[idx],
        recipient=pd.Series(home[idx]).map(parent_of).to_numpy(),
        cadre=cadre[idx],
        case=case,
    )
    day, done = steps.after(declared, 180)
    ev.add("Sanction", day, done, cadre=cadre[idx], case=case, kind="party", severity="severe", basis="4.3.b")
    day, done = steps.after(declared, 30)
    ev.add("Pursuit", day, done, cadre=cadre[idx], agency="psb", case=case)
    day, done = steps.after(declared, 180)
    ev.add(
        "Accountability",
        day,
        done & pd.notna(deleg_id[idx]),
        cadre=cadre[idx],
        case=case,
        role="delegation_leader",
        basis="4.3.f",
    )
    return case


def _documents(
    ev: _Events, steps: _Steps, rng: np.random.Generator, org: dict[str, pd.DataFrame], holders: pd.DataFrame
) -> pd.DataFrame:
    cad = org["cadre"]
    first = holders.groupby(["who", "public"])["t0"].min().reset_index()
    n = len(first)
    who = first["who"].to_numpy()
    public = first["public"].to_numpy()
    doc = np.where(
        public, pd.Series(who).astype(str).radd("dp"), pd.Series(who).astype(str).radd("dq")
    ).astype(object)
    cadre = cad["object_id"].to_numpy()[who]
    issued = first["t0"].to_numpy() - rng.integers(30, 400, n)
    ev.add(
        "DocIssued", issued, document=doc, cadre=cadre, issuer=np.where(public, "fao", "psb").astype(object)
    )
    day, done = steps.after(issued, 5)
    ev.add("DBUpload", day, done & public, document=doc, agency="fao")
    day, done = steps.after(issued, 30)
    home = cad["unit"].to_numpy()[who]
    up = (
        pd.Series(home)
        .map(org["unit"].set_index("object_id")["parent"])
        .replace("", "org")
        .to_numpy(dtype=object)
    )
    leader = cad["is_unit_leader"].to_numpy()[who] & ~steps.chance(steps.rates.late, n)
    ev.add(
        "DocReportedRegistered",
        day,
        done & ~public,
        document=doc,
        cadre=cadre,
        recipient=np.where(leader, up, home),
    )
    doc_type = np.where(
        public,
        "public_passport",
        rng.choice(np.array(["private_passport", "hk_macao_two_way_permit"], dtype=object), n),
    )
    return pd.DataFrame({"object_id": doc, "doc_type": doc_type})


def _standing(ev: _Events, steps: _Steps, rng: np.random.Generator, org: dict[str, pd.DataFrame]) -> None:
    units, cad = org["unit"], org["cadre"]
    u = units["object_id"].to_numpy()
    n = len(u)
    parent = np.where(units["parent"].to_numpy() == "", "org", units["parent"].to_numpy()).astype(object)
    start = 91  # 2004-12-31
    for name in ("LeaderDesignated", "ProcedureIssued", "CleanupAudit"):
        day, done = steps.after(np.full(n, start), 90, late_max=300)
        ev.add(name, day, done, unit=u)
    keeper = pd.Series(u).map(cad.groupby("unit")["object_id"].first()).to_numpy(dtype=object)
    day, done = steps.after(np.full(n, start), 60, late_max=300)
    ev.add("CustodianDesignated", day, done & pd.notna(keeper), unit=u, custodian=keeper)
    day, done = steps.after(np.full(n, start), 120, late_max=300)
    ev.add("PostingRulesIssued", day, done, unit=u)
    years = np.arange(2005, 2010)
    uu, yy = np.repeat(np.arange(n), len(years)), np.tile(years, n)
    jan1 = (
        (yy - 1970).astype("datetime64[Y]").astype("datetime64[D]") - ORIGIN.astype("datetime64[D]")
    ).astype("int64")
    day, done = steps.after(jan1 + 3, 85, late_max=90)
    ev.add(
        "AnnualReport",
        day,
        done & (uu > 0),
        unit=u[uu],
        recipient=parent[uu],
        year_covered=yy - 1,
        written=True,
    )
    halves = np.arange(start, HORIZON_DAYS, 150)  # reports every five months or so, some late
    uu, hh = np.repeat(np.arange(n), len(halves)), np.tile(halves, n)
    day, done = steps.after(hh, 30)
    ev.add("PeriodicReport", day, done & (uu > 0), unit=u[uu], recipient=parent[uu])
    months = np.arange(start, HORIZON_DAYS, 150)
    day, done = steps.after(months, 30)
    ev.add("PassportCustodyBulletin", day, done, agency="fao")
    rounds = np.arange(start, HORIZON_DAYS, 600)  # an inspection about every 20 months
    uu = np.repeat(np.arange(n), len(rounds))
    insp, done = steps.after(np.tile(rounds, n), 90, late_max=200)
    ev.add("Inspection", insp, done, unit=u[uu], inspector="ccdi")
    found = done & (rng.random(len(uu)) < 0.3)
    ref = (pd.Series(u[uu]) + pd.Series(np.arange(len(uu))).astype(str).radd("-问题")).to_numpy(dtype=object)
    ev.add("InspectionFinding", insp, found, unit=u[uu], finding_ref=ref)
    day, done = steps.after(insp, 60)
    ev.add("Correction", day, found & done, unit=u[uu], finding_ref=ref)


def _registrations(ev: _Events, steps: _Steps, org: dict[str, pd.DataFrame]) -> None:
    cad = org["cadre"]
    rank = cad["rank"].map({r: i for i, r in enumerate(RANKS)}).to_numpy()
    emp = cad["employment"].to_numpy()
    due = (
        (
            (cad["is_state_organ_staff"] & cad["is_leading_cadre"]).to_numpy()
            & (rank >= 1)
            & np.isin(emp, ["in_service", "left_leading_post"])
        )
        | (np.isin(emp, ["retired", "lixiu"]) & (rank >= 3))
        | cad["security_sensitive"].notna().to_numpy()
    )
    day, done = steps.after(np.full(len(cad), 91), 60, late_max=200)
    cadre = cad["object_id"].to_numpy()
    ev.add("PSBRegistered", day, due & done, cadre=cadre, unit=cad["unit"].to_numpy(), category="2.2.a")
    record, recorded = steps.after(day, 14)
    ev.add("DBRecord", record, due & done & recorded, cadre=cadre, agency="psb", record_kind="registration")


def synthetic_log(n_events: int, seed: int = 0, rates: Rates | None = None) -> EventLog:
    """A synthetic log of about ``n_events`` events (within a few percent), reproducible from ``seed``."""
    rates = rates or Rates()
    org_ss, trip_ss, doc_ss, duty_ss, clock_ss = np.random.SeedSequence(seed).spawn(5)
    n_trips = max(10, round(n_events / EVENTS_PER_TRIP))
    org = _organisation(np.random.default_rng(org_ss), max(20, n_trips // 3))
    ev = _Events(np.random.default_rng(clock_ss))
    trip_rng = np.random.default_rng(trip_ss)
    made = _trips(ev, _Steps(trip_rng, rates), trip_rng, org, n_trips, rates)
    doc_rng = np.random.default_rng(doc_ss)
    documents = _documents(ev, _Steps(doc_rng, rates), doc_rng, org, made.pop("_holders"))
    duty_rng = np.random.default_rng(duty_ss)
    _standing(ev, _Steps(duty_rng, rates), duty_rng, org)
    _registrations(ev, _Steps(duty_rng, rates), org)
    tables, members = ev.tables()
    objects = {**org, **made, "document": documents}
    end = ORIGIN + np.timedelta64(HORIZON_DAYS, "D")
    return normalise(
        tables,
        objects,
        members,
        end=pd.Timestamp(end).as_unit("ms"),
        source=f"synthetic(n_events={n_events}, seed={seed})",
    )
