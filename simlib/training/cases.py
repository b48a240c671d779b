"""The training case bank: cases as data (``data/cases.yaml``), keys of situation cases computed by the auditor,
scoring with clause-cited feedback, reproducible draws, an adaptive drill and a CSV export of a session.

>>> from simlib.training.cases import bank, Session
>>> s = Session(bank(), trainee="Wang Fang", seed=7)
>>> case = s.draw(1)[0]
>>> result = s.answer(case.id, case.key)
>>> result.correct
True
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simlib.audit import audit
from simlib.files import write_atomic
from simlib.i18n import get_lang, t
from simlib.rulebook import rulebook
from simlib.training.situation import build_log, params_for

Kind = Literal["single", "multiple", "date", "number", "truefalse"]
KeyRule = Literal["compliant", "breach", "by_reference", "clause", "clauses", "code", "codes", "cadres", "deadline",
                  "days", "count"]
SECTIONS = ("1", "2", "3", "4", "5", "6")
SECTION_NAMES = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六"}
TOPICS = ("approvals_vetting", "delegation_discipline", "documents_deadlines", "private_trips_reports",
          "sanctions_accountability", "non_party", "effective_date", "education_scope", "supervision")
CSV_COLUMNS = ("session", "trainee", "case", "section", "topic", "clauses", "kind", "answer", "key", "correct",
               "attempt", "lang", "time")


class Text(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str
    en: str

    def get(self, lang: str | None = None) -> str:
        return self.zh if (lang or get_lang()) == "zh" else self.en


class Option(BaseModel):
    """One choice; ``value`` is what the computation of a situation's key compares with (a clause id, a
    finding code, a cadre id, or ``none``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    zh: str
    en: str
    value: str | None = None

    def text(self, lang: str | None = None) -> str:
        return self.zh if (lang or get_lang()) == "zh" else self.en


class Situation(BaseModel):
    """A small event log (the audit-case format of ``simlib.training.situation``) and how its key is computed:
    audit it over the clauses ``judge`` (findings filtered by ``where``) and read ``key``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    objects: dict[str, dict[str, dict[str, Any] | None]] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    end: dt.date | str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    judge: tuple[str, ...]
    key: KeyRule
    where: dict[str, str] = Field(default_factory=dict)


class Case(BaseModel):
    """One exercise."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    section: Literal["1", "2", "3", "4", "5", "6"]
    topic: Literal[TOPICS]  # type: ignore[valid-type]
    clauses: tuple[str, ...]
    kind: Kind
    prompt: Text
    options: tuple[Option, ...] = ()
    answer: Any
    explanation: Text
    situation: Situation | None = None
    param: str | None = None  # the key is this rulebook parameter's value

    @model_validator(mode="after")
    def _shape(self) -> Case:
        ids = [o.id for o in self.options]
        if self.kind in ("single", "multiple") and len(ids) < 2:
            raise ValueError(f"{self.id}: a {self.kind} case needs options")
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: option ids repeat")
        if self.kind == "single" and self.answer not in ids:
            raise ValueError(f"{self.id}: answer {self.answer!r} is not an option")
        if self.kind == "multiple" and not set(self.answer) <= set(ids):
            raise ValueError(f"{self.id}: answer {self.answer!r} has unknown options")
        if self.kind == "truefalse" and not isinstance(self.answer, bool):
            raise ValueError(f"{self.id}: a true/false answer is true or false")
        return self

    @property
    def key(self) -> Any:
        """The stored key, in the form :meth:`Session.answer` takes."""
        if self.kind == "multiple":
            return sorted(self.answer)
        if self.kind == "date":
            return str(self.answer)
        return self.answer

    @property
    def computed(self) -> bool:
        """Whether the key is computed (by the auditor or from a rulebook parameter)."""
        return self.situation is not None or self.param is not None

    def story(self, lang: str | None = None) -> str:
        return self.prompt.get(lang)


@dataclass(frozen=True)
class Bank:
    """The case bank: the cases, the world their situations start from, and the people in it."""

    cases: tuple[Case, ...]
    world: Mapping[str, Any]
    people: Mapping[str, Text]

    @cached_property
    def by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}

    def case(self, case_id: str) -> Case:
        return self.by_id[case_id]

    def by_section(self) -> dict[str, int]:
        counts = Counter(c.section for c in self.cases)
        return {s: counts[s] for s in SECTIONS}

    def by_topic(self) -> dict[str, int]:
        counts = Counter(c.topic for c in self.cases)
        return {s: counts[s] for s in TOPICS}


def load_bank(text: str) -> Bank:
    """A bank from the YAML text of a case file (``world``, ``people``, ``cases``)."""
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    ids = set(rulebook().ids)
    cases = tuple(Case.model_validate(c) for c in data["cases"])
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise ValueError(f"case id {c.id} repeats")
        seen.add(c.id)
        cited = set(c.clauses) | set(c.situation.judge if c.situation else ())
        unknown = cited - ids
        if unknown:
            raise ValueError(f"{c.id}: unknown clauses {sorted(unknown)}")
    people = {k: Text.model_validate(v) for k, v in (data.get("people") or {}).items()}
    return Bank(cases=cases, world=data.get("world") or {}, people=people)


@cache
def bank() -> Bank:
    """The case bank shipped with simlib."""
    return load_bank(resources.files("simlib.training").joinpath("data", "cases.yaml").read_text(encoding="utf-8"))


# -- keys computed by the auditor ---------------------------------------------------------------------------------
def situation_findings(case: Case, world: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The findings of the case's situation: its log audited over the clauses it judges, filtered by ``where``."""
    sit = case.situation
    if sit is None:
        raise ValueError(f"{case.id} has no situation")
    spec = sit.model_dump()
    log = build_log(spec, bank().world if world is None else world, source=case.id)
    found = audit(log, params_for(spec), clauses=sit.judge).table
    for column, value in sit.where.items():
        found = found[found[column].astype("str") == value]
    return found.reset_index(drop=True)


def _option_ids(case: Case, values: Iterable[str]) -> list[str]:
    wanted = set(values)
    return sorted(o.id for o in case.options if o.value in wanted)


def _single(case: Case, value: str) -> str:
    ids = _option_ids(case, [value])
    if len(ids) != 1:
        raise ValueError(f"{case.id}: computed {value!r} matches {len(ids)} options")
    return ids[0]


def compute_key(case: Case, world: Mapping[str, Any] | None = None) -> Any:
    """The key as the rules give it: from the auditor's findings on the case's situation, or from the rulebook
    parameter the case asks about; None for a knowledge case whose key is stored only."""
    if case.param is not None:
        value = rulebook().params.as_dict()[case.param]
        return str(value) if case.kind == "date" else value
    if case.situation is None:
        return None
    found = situation_findings(case, world)
    rule = case.situation.key
    if rule == "compliant":
        return found.empty
    if rule == "breach":
        return not found.empty
    if rule == "by_reference":
        return bool(found["by_reference"].any())
    if rule == "clause":
        clauses = sorted(set(found["clause"]))
        if len(clauses) > 1:
            raise ValueError(f"{case.id}: findings under several clauses {clauses}")
        return _single(case, clauses[0] if clauses else "none")
    if rule == "code":
        codes = sorted(set(found["code"]))
        if len(codes) > 1:
            raise ValueError(f"{case.id}: several finding codes {codes}")
        return _single(case, codes[0] if codes else "none")
    if rule in ("clauses", "codes", "cadres"):
        column = {"clauses": "clause", "codes": "code", "cadres": "cadre"}[rule]
        return _option_ids(case, found[column].dropna().astype("str"))
    if found.empty:
        raise ValueError(f"{case.id}: no finding to read a {rule} from")
    if rule == "deadline":
        return str(pd.Timestamp(found["deadline"].iloc[0]).date())
    if rule == "days":
        return int(found["days"].iloc[0])
    return len(found)  # count


# -- scoring and feedback -----------------------------------------------------------------------------------------
def normalise(case: Case, response: Any) -> Any:
    """A response in the form of :attr:`Case.key` (option ids sorted, an ISO date, a number, a bool)."""
    if response is None:
        return None
    if case.kind == "multiple":
        return sorted(str(r) for r in ([response] if isinstance(response, str) else response))
    if case.kind == "date":
        try:
            when = pd.Timestamp(str(response).strip())
        except ValueError:
            return None
        return None if pd.isna(when) else str(when.date())
    if case.kind == "number":
        try:
            number = float(response)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else number
    if case.kind == "truefalse":
        if isinstance(response, str):
            return {"true": True, "false": False, "对": True, "错": False}.get(response.strip().lower())
        return bool(response)
    return str(response)


def is_correct(case: Case, response: Any) -> bool:
    """Whether ``response`` equals the case's key."""
    return normalise(case, response) == normalise(case, case.key)


def render_key(case: Case, lang: str | None = None) -> str:
    """The key as a trainee reads it."""
    key = case.key
    if case.kind in ("single", "multiple"):
        ids = [key] if case.kind == "single" else key
        texts = {o.id: o.text(lang) for o in case.options}
        return "; ".join(f"{i}. {texts[i]}" for i in ids) or t("training.answer.none", lang)
    if case.kind == "truefalse":
        return t("training.answer.true" if key else "training.answer.false", lang)
    return str(key)


@dataclass(frozen=True)
class Citation:
    """A clause cited by feedback: its id, verbatim Chinese and (in English) its translation."""

    clause: str
    zh: str
    en: str


@dataclass(frozen=True)
class Result:
    """The outcome of one answer."""

    case: str
    response: Any
    correct: bool
    key: Any
    verdict: str
    explanation: str
    citations: tuple[Citation, ...]
    assumptions: tuple[str, ...]

    def text(self, lang: str | None = None) -> str:
        """Feedback as plain text: verdict, key, explanation, and each clause with its original Chinese."""
        lines = [self.verdict, self.explanation]
        for c in self.citations:
            lines.append(f"[{c.clause}] {c.zh}")
            if (lang or get_lang()) == "en":
                lines.append(f"      {c.en}")
        if self.assumptions:
            lines.append(t("training.feedback.assumptions", lang, names=", ".join(self.assumptions)))
        return "\n".join(lines)


def citations(case: Case) -> tuple[Citation, ...]:
    rb = rulebook()
    return tuple(Citation(cid, rb.clause(cid).zh, rb.clause(cid).en) for cid in case.clauses)


def assumptions(case: Case) -> tuple[str, ...]:
    """The assumption and option parameters the case's clauses use (a key that depends on them says so)."""
    rb = rulebook()
    names = [p.name for cid in case.clauses for p in rb.parameters_for(cid) if p.is_assumption]
    return tuple(dict.fromkeys(n for n in names if n not in ("day_count", "day_zero")))


def feedback(case: Case, response: Any, lang: str | None = None) -> Result:
    """Score ``response`` and explain, citing the clauses with their original text."""
    correct = is_correct(case, response)
    verdict = t("training.feedback.correct" if correct else "training.feedback.wrong", lang,
                key=render_key(case, lang))
    return Result(case=case.id, response=normalise(case, response), correct=correct, key=case.key, verdict=verdict,
                  explanation=case.explanation.get(lang), citations=citations(case), assumptions=assumptions(case))


# -- sessions ------------------------------------------------------------------------------------------------------
def pseudonym(trainee: str, salt: str) -> str:
    """A pseudonymous trainee id: the same name and session salt give the same id; the name is not stored."""
    digest = hashlib.sha256(f"{salt}\x00{trainee.strip().casefold()}".encode()).hexdigest()
    return f"T-{digest[:10]}"


@dataclass
class Answer:
    """One recorded answer."""

    case: str
    response: Any
    correct: bool
    attempt: int
    lang: str
    time: str


@dataclass
class Session:
    """One trainee's session: reproducible draws (``seed`` through ``numpy.random.SeedSequence``), answers,
    score, an adaptive drill and the CSV export."""

    bank: Bank
    trainee: str = "trainee"
    seed: int = 0
    session: str = "session"
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.trainee_id = pseudonym(self.trainee, self.session)
        self._ss = np.random.SeedSequence(self.seed)

    def _rng(self) -> np.random.Generator:
        """A fresh stream for each draw, spawned in order from the session's seed: the n-th draw of a session
        is the same in every run with the same seed."""
        return np.random.default_rng(self._ss.spawn(1)[0])

    def draw(self, n: int, *, sections: Sequence[str] | None = None, topics: Sequence[str] | None = None,
             exclude: Iterable[str] = ()) -> list[Case]:
        """``n`` distinct cases drawn at random (optionally from some sections or topics)."""
        skip = set(exclude)
        pool = [c for c in self.bank.cases if c.id not in skip and (not sections or c.section in sections)
                and (not topics or c.topic in topics)]
        rng = self._rng()
        picked = rng.choice(len(pool), size=min(n, len(pool)), replace=False) if pool else []
        return [pool[i] for i in picked]

    def missed_clauses(self) -> Counter[str]:
        """Clauses of the cases whose last answer was wrong, with how many such cases cite them."""
        last = {a.case: a.correct for a in self.answers}
        return Counter(cl for cid, ok in last.items() if not ok for cl in self.bank.case(cid).clauses)

    def drill(self, n: int, *, weight: float = 4.0) -> list[Case]:
        """An adaptive draw: cases citing a clause the trainee missed are ``weight`` times (per missed clause)
        as likely, cases not yet answered correctly preferred to those already right."""
        missed = self.missed_clauses()
        right = {a.case for a in self.answers if a.correct}
        pool = [c for c in self.bank.cases if c.id not in right] or list(self.bank.cases)
        w = np.array([1.0 + weight * sum(missed[cl] > 0 for cl in c.clauses) for c in pool])
        rng = self._rng()
        picked = rng.choice(len(pool), size=min(n, len(pool)), replace=False, p=w / w.sum())
        return [pool[i] for i in picked]

    def answer(self, case_id: str, response: Any, lang: str | None = None) -> Result:
        """Score and record an answer; the feedback cites the case's clauses."""
        case = self.bank.case(case_id)
        result = feedback(case, response, lang)
        attempt = 1 + sum(a.case == case_id for a in self.answers)
        self.answers.append(Answer(case_id, result.response, result.correct, attempt, lang or get_lang(),
                                   dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        return result

    def score(self) -> tuple[int, int]:
        """(cases right at their last attempt, cases answered)."""
        last = {a.case: a.correct for a in self.answers}
        return sum(last.values()), len(last)

    def summary(self, lang: str | None = None) -> str:
        right, total = self.score()
        text = t("training.score", lang, right=right, total=total)
        missed = self.missed_clauses()
        if missed:
            text += " " + t("training.score.missed", lang, clauses=", ".join(sorted(missed)))
        return text

    def rows(self) -> list[dict[str, Any]]:
        """The answers as rows of the CSV export."""
        out = []
        for a in self.answers:
            case = self.bank.case(a.case)
            out.append({"session": self.session, "trainee": self.trainee_id, "case": a.case,
                        "section": case.section, "topic": case.topic, "clauses": " ".join(case.clauses),
                        "kind": case.kind, "answer": _cell(a.response), "key": _cell(case.key),
                        "correct": a.correct, "attempt": a.attempt, "lang": a.lang, "time": a.time})
        return out

    def export_csv(self, folder: str | os.PathLike[str]) -> Path:
        """Write the session's answers to ``folder/<session>-<trainee id>.csv`` atomically (a temporary file
        renamed into place), and return the path."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.session}-{self.trainee_id}.csv"
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(self.rows())
        write_atomic(path, buf.getvalue())
        return path


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(map(str, value))
    return "" if value is None else str(value)


def read_answers(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Every answer file (``*.csv``) of a session folder, in one frame."""
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        return pd.DataFrame(columns=list(CSV_COLUMNS))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    table = pd.concat(frames, ignore_index=True)
    table["correct"] = table["correct"].eq("True")
    table["attempt"] = table["attempt"].astype(int)
    return table
