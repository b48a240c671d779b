"""The obligations calculator: a cadre profile, a trip and its dates in, every obligation the notice puts on the
cadre out — what, by when, to whom, and under which clause.

It is the auditor's own logic, not a second implementation: deadlines come from
:func:`simlib.audit.context.deadline_after`, the registration categories and ranks from
:func:`~simlib.audit.context.cadre_categories`, the quarterly periods from
:func:`simlib.audit.checks.section2.reporting_periods`, the document-report deadline from
:func:`simlib.audit.checks.section3.doc_report_deadline`, and clauses 5.a and 6.a from
:func:`~simlib.audit.context.scope_rule` with each check's own ``party_only``/``binds_non_party`` flags. Every
number is a rulebook parameter. ``tests/test_obligations.py`` audits a log of the same situation in which the
cadre does nothing, and finds exactly these obligations, on these dates.

>>> from simlib.training.obligations import Profile, Trip, obligations
>>> ob = obligations(Profile(rank="division", leading=True), Trip("private", "2005-03-01", "2005-03-20"))
>>> [o.clause for o in ob][:3]
['2.1.a', '2.1.b', '2.1.c']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from simlib.audit import all_checks
from simlib.audit.checks.section2 import reporting_periods, status_recipients
from simlib.audit.checks.section3 import doc_report_deadline
from simlib.audit.context import cadre_categories, deadline_after, scope_rule
from simlib.i18n import get_lang, t
from simlib.log.eventlog import TIME_DTYPE
from simlib.log.vocabulary import EMPLOYMENT, RANKS
from simlib.rulebook import Params, rulebook

TripKind = Literal["public_temporary", "public_posted", "private"]
DateLike = str | dt.date | pd.Timestamp


@dataclass(frozen=True)
class Profile:
    """Who the cadre is: Party membership, rank, post and registration category."""

    party: bool = True
    rank: str = "section_or_below"
    employment: str = "in_service"
    state_organ_staff: bool = True
    leading: bool = False
    unit_leader: bool = False
    key_post: str = ""  # e.g. "finance" (人、财、物，机要档案)
    security_sensitive: str = ""  # e.g. "national_security"

    def __post_init__(self) -> None:
        if self.rank not in RANKS:
            raise ValueError(f"rank must be one of {RANKS}")
        if self.employment not in EMPLOYMENT:
            raise ValueError(f"employment must be one of {EMPLOYMENT}")

    def categories(self, params: Params) -> dict[str, bool]:
        """County/division level or above, bureau level or above, and registration-for-filing category, by the
        auditor's rule."""
        one = pd.Series
        county, bureau, registrable = cadre_categories(
            one([self.rank]), one([self.employment]), one([self.state_organ_staff]), one([self.leading]),
            one([self.security_sensitive]), params)
        return {"county_plus": bool(county.iloc[0]), "bureau_plus": bool(bureau.iloc[0]),
                "registrable": bool(registrable.iloc[0])}


@dataclass(frozen=True)
class Trip:
    """A trip: kind, exit date, approved return date, the actual return (default: the approved one), and the
    date a new private passport or two-way HK/Macao permit was obtained, if any."""

    kind: TripKind
    depart: DateLike
    back: DateLike
    returned: DateLike | None = None
    new_document: DateLike | None = None

    @property
    def exit(self) -> pd.Timestamp:
        return pd.Timestamp(self.depart)

    @property
    def approved_return(self) -> pd.Timestamp:
        return pd.Timestamp(self.back)

    @property
    def entry(self) -> pd.Timestamp:
        return pd.Timestamp(self.back if self.returned is None else self.returned)

    @property
    def public(self) -> bool:
        return self.kind != "private"


@dataclass(frozen=True)
class Obligation:
    """One obligation: ``what`` (a catalogue key under ``training.obl.``), its clause, the day it arises
    (``trigger``), the last day to meet it (``due``, None for a rule of conduct with no date), to whom, whether
    the notice judges it (clause 6.a) and whether it binds a non-Party cadre by reference (clause 5.a)."""

    clause: str
    what: str
    trigger: pd.Timestamp
    due: pd.Timestamp | None
    to: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    judged: bool = True
    by_reference: bool = False
    assumptions: tuple[str, ...] = ()

    @property
    def due_date(self) -> dt.date | None:
        return None if self.due is None else self.due.date()

    def text(self, lang: str | None = None) -> str:
        return t(f"training.obl.{self.what}", lang, **self.values)

    def recipient(self, lang: str | None = None) -> str:
        return "" if self.to is None else t(f"training.to.{self.to}", lang)


def _due(times: pd.Timestamp | list[pd.Timestamp], days: float, params: Params) -> list[pd.Timestamp]:
    series = pd.Series(times if isinstance(times, list) else [times], dtype=TIME_DTYPE)
    return list(deadline_after(series, days, params))


def _assumed(clause: str) -> tuple[str, ...]:
    return tuple(p.name for p in rulebook().parameters_for(clause) if p.kind == "assumption")


def obligations(profile: Profile, trip: Trip, params: Params | None = None) -> list[Obligation]:
    """Every obligation of ``profile`` on ``trip``, in the notice's clause order, then by due date."""
    params = params or rulebook().params
    cat = profile.categories(params)
    out: list[Obligation] = []

    def add(clause: str, what: str, trigger: pd.Timestamp, due: pd.Timestamp | None, to: str | None = None,
            **values: Any) -> None:
        out.append(Obligation(clause, what, pd.Timestamp(trigger), None if due is None else pd.Timestamp(due), to,
                              values, assumptions=_assumed(clause)))

    exit_, entry, back = trip.exit, trip.entry, trip.approved_return
    vetting_applies = not trip.public or params.private_rules_apply_to_public
    if trip.public:
        add("1.1.a", "education", exit_, exit_)
        add("1.1.b", "training_talk", exit_, exit_)
        add("1.2.a", "approval_public", exit_, exit_, "authority_or_above")
        if cat["county_plus"]:
            add("1.2.b", "approval_county_plus", exit_, exit_, "authority_or_above")
        if trip.kind == "public_temporary":
            add("1.3.b", "party_branch", exit_, exit_, None, n=params.branch_min_members)
            add("1.3.c", "no_solo", exit_, None, "leader")
            add("1.3.d", "no_route_change", exit_, None)
            add("1.3.e", "return_on_time", exit_, back)
        add("1.3.f", "incidents_public", exit_, None, "unit_and_mfa", days=params.prompt_incident_days)
        add("3.1.a", "hand_in_public", entry, _due(entry, params.public_doc_days, params)[0], "issuer_designated",
            days=params.public_doc_days)
    else:
        add("2.1.a", "approval_private", exit_, exit_, "authority")
        if cat["county_plus"]:
            add("2.1.b", "approval_county_plus", exit_, exit_, "authority")
        add("2.1.c", "authority_vets", exit_, exit_, "authority")
    if vetting_applies and (profile.leading or profile.key_post):
        add("2.1.d", "focused_vetting", exit_, exit_, "authority")
    if cat["registrable"]:
        start = pd.Timestamp(params.effective_date)
        add("2.2.a", "registration", start, _due(start, params.registration_days, params)[0], "psb",
            days=params.registration_days)
    if not trip.public:
        add("2.3.b", "no_party_capacity", exit_, None)
        stays = pd.DataFrame({"out": [exit_.normalize()], "back": [entry.normalize()]})
        for _, period in reporting_periods(params, stays).iterrows():
            last = pd.Timestamp(period["stop"]) - pd.Timedelta(milliseconds=1)
            for to in status_recipients(profile.party):
                add("2.3.c", "quarterly_report", period["time"], last, to, start=str(period["time"].date()),
                    end=str(last.date()))
        add("2.3.d", "incidents_private", exit_, None, "unit", days=params.prompt_incident_days)
        planned = (back.normalize() - exit_.normalize()).days
        if planned > params.membership_long_stay_days:
            add("2.3.e", "membership", exit_, exit_, "party_org", days=params.membership_long_stay_days)
        add("2.3.f", "return_report", entry, _due(entry, params.prompt_return_report_days, params)[0], "own_unit",
            days=params.prompt_return_report_days)
    if trip.new_document is not None:
        issued = pd.Timestamp(trip.new_document)
        first_use = exit_ if (not trip.public and exit_ >= issued) else pd.NaT
        due = doc_report_deadline(pd.Series([issued], dtype=TIME_DTYPE), pd.Series([first_use], dtype=TIME_DTYPE),
                                  params).iloc[0]
        add("3.2.a", "report_document", issued, due, "one_level_up" if profile.unit_leader else "own_personnel",
            days=params.doc_report_days)
    if not trip.public:
        add("3.2.a", "report_trip", exit_, exit_, "one_level_up" if profile.unit_leader else "own_personnel")
        if profile.state_organ_staff and cat["registrable"]:
            add("3.3.a", "hand_in_private", entry, _due(entry, params.private_doc_days, params)[0],
                "own_personnel", days=params.private_doc_days)
    return _scoped(out, profile, params)


def _scoped(out: list[Obligation], profile: Profile, params: Params) -> list[Obligation]:
    """Clauses 6.a and 5.a as the auditor applies them, with each check's own flags; sorted."""
    checks = all_checks()
    order = {cid: i for i, cid in enumerate(rulebook().ids)}
    scoped = []
    for ob in out:
        chk = checks.get(ob.clause)
        binds, by_ref = scope_rule(np.array([True]), np.array([not profile.party]), bool(chk and chk.party_only),
                                   bool(chk and chk.binds_non_party), params)
        if not binds[0]:
            continue  # clause 5.a: this rule does not bind a non-Party cadre
        judged = ob.trigger >= pd.Timestamp(params.effective_date)  # clause 6.a
        scoped.append(Obligation(ob.clause, ob.what, ob.trigger, ob.due, ob.to, ob.values, bool(judged),
                                 bool(by_ref[0]), ob.assumptions))
    return sorted(scoped, key=lambda o: (order[o.clause], o.due or pd.Timestamp.max, o.what, o.to or ""))


def table(obs: list[Obligation], lang: str | None = None) -> pd.DataFrame:
    """The obligations as a table for people: clause, what, due, to whom, notes."""
    lang = lang or get_lang()
    rows = []
    for o in obs:
        notes = []
        if o.by_reference:
            notes.append(t("training.obl.note.by_reference", lang))
        if not o.judged:
            notes.append(t("training.obl.note.before_effective", lang))
        if o.assumptions:
            notes.append(t("training.obl.note.assumption", lang, names=", ".join(o.assumptions)))
        rows.append({t("training.col.clause", lang): o.clause, t("training.col.what", lang): o.text(lang),
                     t("training.col.due", lang): "" if o.due is None else str(o.due_date),
                     t("training.col.to", lang): o.recipient(lang), t("training.col.notes", lang): "; ".join(notes)})
    return pd.DataFrame(rows)
