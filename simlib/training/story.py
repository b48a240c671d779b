"""The delegation story: the trainee leads or joins a delegation of a simulated world and takes its decisions.

The model asks its questions through :meth:`Model.set_decider`; the story turns the ones that matter for the
trainee into prompts with choices (:data:`SCENES`) and answers every other question as the model would have
(the same draw from the model's own behaviour stream, so the world is the one the seed gives). A question
stops the run; the answer is applied by *replaying* the world from its seed with every answer so far (a run of
the training world takes a fraction of a second, and a SimPy process cannot be paused in the middle of a
decision). After each answer the log so far is audited by :func:`simlib.audit.audit`, and the step reports the
new events, the new findings (clause, code, the clause's verbatim text), sanctions and accountability.

    >>> s = Story(role="leader", seed=7)
    >>> s.question.scene, [c.key for c in s.question.choices]       # doctest: +SKIP
    ('solo', ['refuse', 'consent', 'look_away'])
    >>> step = s.answer("look_away")                                  # doctest: +SKIP
    >>> step.findings.table[["clause", "code"]]                      # 1.3.c no_consent  # doctest: +SKIP

Deterministic for a seed: the same seed, role and answers give the same story, event for event.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from simlib.audit import Findings, audit
from simlib.i18n import t
from simlib.log.eventlog import EventLog
from simlib.log.vocabulary import EVENTS
from simlib.model.world import Model
from simlib.scenario import Scenario, find_scenario, load_scenario

ROLES = ("leader", "member")
SCENARIO = "training/delegation"
AFTERMATH_DAYS = 240.0  # days after the approved return the story follows (a non-return is declared after 30
# days, its case is decided within half of case_days: about 215 days at most)
MIN_MEMBERS = 3  # the trainee, a member who asks to go alone and one who does not come back


@dataclass(frozen=True)
class Choice:
    """One answer to a scene: the model's decisions it settles (decision -> True: the cadre does it) and
    whether it keeps to the notice."""

    key: str
    answers: dict[str, bool]
    complies: bool


@dataclass(frozen=True)
class Scene:
    """A question of the model that the story puts to the trainee (or, with ``forced``, settles itself):
    asked of ``actor`` (a cast role), about ``decision``, when the context matches ``when``."""

    key: str
    actor: str
    decision: str
    choices: tuple[Choice, ...] = ()
    forced: dict[str, bool] = field(default_factory=dict)
    when: dict[str, str] = field(default_factory=dict)


def _c(key: str, complies: bool, **answers: bool) -> Choice:
    return Choice(key, answers, complies)


_SOLO_MEMBER = (_c("refuse", True, solo_activity=False),
                _c("consent", True, solo_activity=True, solo_without_consent=False),
                _c("look_away", False, solo_activity=True, solo_without_consent=True))
_PASSPORT = Scene("passport", "trainee", "keep_public_document",
                  (_c("hand_in", True, keep_public_document=False), _c("keep", False, keep_public_document=True)))
_DEMAND = Scene("demand", "trainee", "refuse_after_demand",
                (_c("hand_over", True, refuse_after_demand=False), _c("refuse", False, refuse_after_demand=True)))

SCENES: dict[str, tuple[Scene, ...]] = {
    "leader": (
        Scene("solo", "companion", "solo_activity", _SOLO_MEMBER),
        Scene("missing", "absconder", "non_return", forced={"non_return": True}),
        Scene("route", "trainee", "route_change",
              (_c("decline", True, route_change=False),
               _c("authorise", True, route_change=True, unauthorised_route_change=False),
               _c("just_go", False, route_change=True, unauthorised_route_change=True))),
        Scene("return", "trainee", "overstay",
              (_c("on_time", True, overstay=False), _c("stay_on", False, overstay=True))),
        Scene("report", "trainee", "skip_incident_report",
              (_c("report", True, skip_incident_report=False), _c("wait", False, skip_incident_report=True)),
              when={"incident": "member_absconded"}),
        _PASSPORT, _DEMAND,
    ),
    "member": (
        Scene("solo_self", "trainee", "solo_activity",
              (_c("stay", True, solo_activity=False),
               _c("ask", True, solo_activity=True, solo_without_consent=False),
               _c("slip_away", False, solo_activity=True, solo_without_consent=True))),
        Scene("stay_abroad", "trainee", "non_return",
              (_c("go_home", True, non_return=False), _c("stay", False, non_return=True))),
        _PASSPORT, _DEMAND,
    ),
}
"""The scenes of each role, in the order the model asks them."""


class _Pause(Exception):
    """Raised inside the model's decider when a scene needs the trainee's answer (stops the run)."""


@dataclass(frozen=True)
class Cast:
    """The delegation of the story and who plays which part (cadre ids)."""

    delegation: str
    unit: str
    leader: str
    members: tuple[str, ...]
    trainee: str
    companion: str | None
    absconder: str | None
    formed: float  # day the delegation was formed
    approved_return: float  # day (the trainee's approved return)

    def role_of(self, cadre: str) -> str | None:
        """The cast role a cadre plays (trainee first), or None."""
        for role in ("trainee", "companion", "absconder"):
            if getattr(self, role) == cadre:
                return role
        if cadre == self.leader:
            return "leader"
        return "member" if cadre in self.members else None

    def name(self, cadre: str, lang: str | None = None) -> str:
        """A cadre as the story calls them (``Li Ming (c000042)``, ``member c000051``); others by id."""
        role = self.role_of(cadre)
        return cadre if role is None else t(f"story.cast.{role}", lang, id=cadre)


@dataclass(frozen=True)
class Question:
    """A scene waiting for the trainee: when it is asked and the values its prompt uses."""

    scene: Scene
    day: float
    date: pd.Timestamp
    values: dict[str, str]
    cut: int  # events recorded before the question (e0 … e<cut-1>): the story so far
    cast: Cast

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.scene.choices

    def prompt(self, lang: str) -> str:
        names = {"member": self.cast.companion, "absconder": self.cast.absconder, "leader": self.cast.leader}
        return t(f"story.scene.{self.scene.key}", lang, **self.values,
                 **{k: self.cast.name(v, lang) for k, v in names.items() if v})

    def label(self, choice: str, lang: str) -> str:
        return t(f"story.choice.{self.scene.key}.{choice}", lang)


@dataclass(frozen=True)
class Step:
    """What one answer led to: the new events and findings of the story, up to the next question (or the end)."""

    answer: tuple[str, str] | None  # (scene, choice) answered, None for the opening
    date: pd.Timestamp
    events: pd.DataFrame  # time, type, event_id, cadre, role (cast role), detail
    findings: Findings  # the new findings about the story's delegation, trips, documents and cases
    question: Question | None

    @property
    def sanctions(self) -> pd.DataFrame:
        """The sanctions and accountability among the new events."""
        return self.events[self.events["type"].isin(("Sanction", "Accountability"))]


class Story:
    """A delegation of the training world, played by the trainee in ``role`` (leader or member)."""

    def __init__(self, role: str = "leader", seed: int = 7, scenario: str | Scenario = SCENARIO) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        self.role = role
        self.seed = int(seed)
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(find_scenario(scenario))
        self.scenes = SCENES[role]
        self.cast = cast_for(self.scenario, self.seed, role)
        self.end = min(self.cast.approved_return + AFTERMATH_DAYS, float(self.scenario.calendar.years) * 365.25)
        self.answers: dict[str, str] = {}
        self.steps: list[Step] = []
        self.question: Question | None = None
        self.log: EventLog | None = None
        self.findings: Findings | None = None  # the story's findings so far
        self._seen_events: set[str] = set()
        self._seen_findings: set[tuple[str, ...]] = set()
        self._advance(None)

    # -- playing ----------------------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.question is None

    def answer(self, choice: str) -> Step:
        """Answer the open question with ``choice`` (a key of its choices); returns what followed."""
        if self.question is None:
            raise ValueError(t("story.error.finished"))
        scene = self.question.scene
        keys = [c.key for c in scene.choices]
        if choice not in keys:
            raise ValueError(t("story.error.choice", choice=choice, scene=scene.key, keys=", ".join(keys)))
        self.answers[scene.key] = choice
        return self._advance((scene.key, choice))

    def play(self, choices: dict[str, str]) -> Story:
        """Answer every question from ``choices`` (scene -> choice) until the end; a scene missing from it
        gets its first choice."""
        while self.question is not None:
            scene = self.question.scene
            self.answer(choices.get(scene.key, scene.choices[0].key))
        return self

    def score(self) -> tuple[int, int]:
        """(answers keeping to the notice, answers given)."""
        ok = sum(self._choice(s, c).complies for s, c in self.answers.items())
        return ok, len(self.answers)

    def _choice(self, scene: str, key: str) -> Choice:
        return next(c for s in self.scenes if s.key == scene for c in s.choices if c.key == key)

    # -- the world ----------------------------------------------------------------------------------------------
    def _advance(self, answered: tuple[str, str] | None) -> Step:
        """Replay the world with every answer so far until the next question or the end; audit; record the step."""
        model = Model(self.scenario, seed=self.seed)
        pending: dict[tuple[str, str], bool] = {}
        done: set[str] = set()
        paused: list[Question] = []
        cadres = {role: getattr(self.cast, role) for role in ("trainee", "companion", "absconder")}

        def decide(cadre: str, decision: str, ctx: dict[str, Any]) -> bool:
            if (cadre, decision) in pending:
                return pending.pop((cadre, decision))
            for scene in self.scenes:
                if scene.key in done or cadres.get(scene.actor) != cadre or scene.decision != decision \
                        or not self._armed(scene, ctx):
                    continue
                done.add(scene.key)
                if scene.forced:
                    return scene.forced[decision]
                if scene.key not in self.answers:  # stop the world here: later events are not shown
                    paused.append(self._question(scene, model, ctx, model.rec.n_events))
                    raise _Pause(scene.key)
                answers = self._choice(scene.key, self.answers[scene.key]).answers
                pending.update({(cadre, d): v for d, v in answers.items() if d != decision})
                return answers[decision]
            p = float(ctx["probability"])  # not the story's question: decide as the model would have
            return p > 0.0 and bool(model.rng["behaviour"].random() < p)

        for cadre in cadres.values():
            if cadre is not None:
                model.set_decider(cadre, lambda d, ctx, c=cadre: decide(c, d, ctx))
        with contextlib.suppress(_Pause):
            model.run(until=self.end)
        self.question = paused[0] if paused else None
        self.log = model.log(source=f"story {self.role} seed {self.seed}")
        step = self._step(answered, model.date(model.now))
        self.steps.append(step)
        return step

    def _armed(self, scene: Scene, ctx: dict[str, Any]) -> bool:
        """Whether a question of the model is this scene's: asked during the story, about its delegation where
        the question names one, and in the situation ``when`` describes."""
        if float(ctx["day"]) < self.cast.formed:
            return False
        if ctx.get("delegation") not in (None, self.cast.delegation):
            return False
        return all(ctx.get(k) == v for k, v in scene.when.items())

    def _question(self, scene: Scene, model: Model, ctx: dict[str, Any], cut: int) -> Question:
        p = model.params
        values = {"date": _day(model.date(model.now)), "return": _day(model.date(self.cast.approved_return)),
                  "days": f"{p.public_doc_days:g}", "day_before": f"{p.public_doc_days - 1:g}",
                  "grace": f"{p.refusal_grace_days:g}", "delegation": self.cast.delegation}
        return Question(scene, float(model.now), model.date(model.now), values, cut, self.cast)

    # -- what happened ------------------------------------------------------------------------------------------
    def story_objects(self) -> dict[str, set[str]]:
        """The delegation, its members' trips, the documents used on them and the cases they opened."""
        log = self.log
        assert log is not None
        req = log.tables["TripRequested"]
        trips = set(req.loc[req["delegation"].astype(str) == self.cast.delegation, "trip"].astype(str))
        docs: set[str] = set()
        cases: set[str] = set()
        for table in log.tables.values():
            if "trip" not in table.columns or not len(table):
                continue
            mine = table[table["trip"].astype(str).isin(trips)]
            if "document" in mine.columns:
                docs |= set(mine["document"].dropna().astype(str))
            if "case" in mine.columns:
                cases |= set(mine["case"].dropna().astype(str))
        return {"delegation": {self.cast.delegation}, "trip": trips, "document": docs, "case": cases,
                "cadre": set(self.cast.members)}

    def events(self) -> pd.DataFrame:
        """Every event of the story so far, in time order: linked to the delegation, one of its trips, documents or
        cases, or to one of its members outside any other trip."""
        log = self.log
        assert log is not None
        objs = self.story_objects()
        start = log.tables["TripRequested"]
        start = start.loc[start["trip"].astype(str).isin(objs["trip"]), "time"].min()
        members = log.members
        member_events = set(members.loc[members["object_id"].astype(str).isin(objs["cadre"]), "event_id"].astype(str))
        frames = []
        for name, table in log.tables.items():
            if not len(table):
                continue
            table = table[table["time"] >= start]
            hit = pd.Series(False, index=table.index)
            for col in ("delegation", "document", "case"):
                if col in table.columns:
                    hit |= table[col].astype(str).isin(objs[col])
            for col in ("cadre", "subject", "leader"):
                if col in table.columns:
                    hit |= table[col].astype(str).isin(objs["cadre"])
            hit |= table["event_id"].astype(str).isin(member_events)
            if "trip" in table.columns:
                hit = (hit & table["trip"].isna()) | table["trip"].astype(str).isin(objs["trip"])
            if "delegation" in table.columns:  # another delegation a member joined later
                hit &= table["delegation"].isna() | table["delegation"].astype(str).isin(objs["delegation"])
            rows = table[hit]
            if len(rows):
                cadre = rows["cadre"].astype(str).where(rows["cadre"].notna(), "") if "cadre" in rows.columns \
                    else pd.Series("", index=rows.index)
                frames.append(pd.DataFrame({"time": rows["time"].to_numpy(), "type": name,
                                            "event_id": rows["event_id"].astype(str).to_numpy(),
                                            "cadre": cadre.to_numpy(), "detail": _details(name, rows)}))
        if not frames:
            return pd.DataFrame({c: [] for c in ("time", "type", "event_id", "cadre", "detail")})
        out = pd.concat(frames, ignore_index=True)
        out["order"] = _number(out["event_id"])
        out = out[out["order"] < self._cut()]
        return out.sort_values(["time", "order"], ignore_index=True).drop(columns="order")

    def _cut(self) -> float:
        """Events numbered from here on happened after the open question was asked (same instant)."""
        return float(self.question.cut) if self.question is not None else np.inf

    def story_findings(self) -> Findings:
        """The auditor's findings on the log so far that concern the story (its delegation, trips, documents,
        cases)."""
        found = audit(self.log)
        objs = self.story_objects()
        f = found.table
        mine = pd.Series(False, index=f.index)
        for col in ("delegation", "trip", "document", "case"):
            mine |= f[col].astype(str).isin(objs[col])
        mine &= ~(_number(f["event_id"].fillna("e-1")) >= self._cut())
        return Findings(table=f[mine].reset_index(drop=True), checks=found.checks, source=found.source,
                        n_events=found.n_events, n_objects=found.n_objects, start=found.start, end=found.end)

    def _step(self, answered: tuple[str, str] | None, date: pd.Timestamp) -> Step:
        events = self.events()
        new_events = events[~events["event_id"].isin(self._seen_events)].reset_index(drop=True)
        self._seen_events |= set(events["event_id"])
        self.findings = self.story_findings()
        keys = [_finding_key(r) for _, r in self.findings.table.iterrows()]
        fresh = [k not in self._seen_findings for k in keys]
        self._seen_findings |= set(keys)
        f = self.findings
        new = Findings(table=f.table.loc[np.asarray(fresh, dtype=bool)].reset_index(drop=True), checks=f.checks,
                       source=f.source)
        return Step(answered, date, new_events, new, self.question)

    def timeline(self) -> pd.DataFrame:
        """The whole story as the history table of :mod:`simlib.views.history` (time, type, event_id, findings):
        each finding on the event that caused it, a missed deadline as a row of its own."""
        events = self.events()
        f = self.findings.table if self.findings is not None else pd.DataFrame()
        label = (f["clause"].astype(str) + " " + f["code"].astype(str)).tolist() if len(f) else []
        by_event: dict[str, list[str]] = {}
        loose = []
        for (_, row), text in zip(f.iterrows(), label, strict=True):
            if isinstance(row["event_id"], str) and row["event_id"] in set(events["event_id"]):
                by_event.setdefault(row["event_id"], []).append(text)
            else:
                loose.append({"time": row["time"], "type": "finding", "event_id": "", "findings": [text]})
        out = events[["time", "type", "event_id"]].assign(
            findings=[by_event.get(e, []) for e in events["event_id"]])
        if loose:
            out = pd.concat([out, pd.DataFrame(loose)], ignore_index=True)
        out["time"] = pd.to_datetime(out["time"])
        return out.sort_values("time", kind="stable", ignore_index=True)


@cache
def cast_for(scenario: Scenario, seed: int, role: str) -> Cast:
    """Pick the story's delegation from a run of the world with nobody deciding for anyone (the story's world up
    to the first question): one of at least ``MIN_MEMBERS`` members who all went abroad, formed early enough
    for the aftermath to fit before the horizon; which one, and who plays which part, from ``seed``. Kept per
    scenario, seed and role (a new story of the same world starts at once)."""
    latest = float(scenario.calendar.years) * 365.25 - AFTERMATH_DAYS - 60.0  # formed by then: back in time
    model = Model(scenario, seed=seed).run(until=latest)
    log = model.log()
    formed = log.tables["DelegationFormed"]
    members = log.members.merge(formed[["event_id", "delegation"]], on="event_id")
    exits = set(log.tables["Exit"]["trip"].astype(str))
    req = log.tables["TripRequested"]
    approved = log.tables["TripApproved"].set_index("trip")["approved_return"]
    candidates = []
    for row in formed.itertuples():
        crew = sorted(members.loc[members["delegation"] == row.delegation, "object_id"].astype(str))
        trips = req.loc[req["delegation"].astype(str) == row.delegation, "trip"].astype(str)
        if len(crew) >= MIN_MEMBERS and model.day(row.time) > 30 and trips.isin(exits).sum() == len(crew):
            candidates.append((row, crew, trips))
    if not candidates:
        raise ValueError(t("story.error.no_delegation", scenario=scenario.name, seed=seed))
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    row, crew, trips = candidates[int(rng.integers(len(candidates)))]
    leader = str(row.leader)
    others = [c for c in crew if c != leader]
    picked = [others[i] for i in rng.permutation(len(others))]
    trainee = leader if role == "leader" else picked[0]
    companion, absconder = sorted(picked[:2])  # the model asks members in id order: the request comes first
    trip = req.loc[(req["delegation"].astype(str) == row.delegation) & (req["cadre"].astype(str) == trainee),
                   "trip"].astype(str).iloc[0]
    return Cast(delegation=str(row.delegation), unit=str(row.unit), leader=leader, members=tuple(crew),
                trainee=trainee, companion=companion if role == "leader" else None,
                absconder=absconder if role == "leader" else None, formed=model.day(row.time),
                approved_return=model.day(approved[trip]))


_DETAIL_COLUMNS = ("kind", "role", "subject", "severity", "basis", "reason", "to", "leg", "org_type", "control")


def _details(name: str, rows: pd.DataFrame) -> list[str]:
    """The event attributes worth showing (kind, role, basis …) as ``k=v`` text."""
    cols = [c for c in _DETAIL_COLUMNS if c in rows.columns]
    return [", ".join(f"{c}={v}" for c in cols if isinstance((v := r[c]), str) and v) for _, r in rows.iterrows()]


def _finding_key(row: pd.Series) -> tuple[str, ...]:
    return tuple(str(row[c]) for c in ("clause", "code", "cadre", "trip", "document", "delegation", "case", "time"))


def _number(ids: pd.Series) -> pd.Series:
    """The n of event ids ``e<n>`` (the order recorded)."""
    return ids.astype(str).str.lstrip("e").astype(int)


def _day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def event_label(event_type: str, lang: str) -> str:
    """An event type as people read it (the vocabulary's label in ``lang``)."""
    e = EVENTS.get(event_type)
    if e is None:
        return t("story.event.finding", lang) if event_type == "finding" else event_type
    return e.zh if lang == "zh" else e.en
