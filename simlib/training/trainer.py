"""The trainer's view of a session: the answer files of the trainees (one CSV per trainee, written by
:meth:`simlib.training.cases.Session.export_csv`) read together, and the group's results per case, per clause
and per trainee — which rules the group got wrong. A trainee's result on a case is their last attempt.

>>> from simlib.training.trainer import session_folder, load_session, results
>>> res = results(load_session(session_folder()))          # doctest: +SKIP
>>> res.by_clause.head()                                    # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.errors import InputError
from simlib.files import write_atomic
from simlib.rulebook import rulebook
from simlib.training.cases import CSV_COLUMNS, Bank, Case, Session, bank, read_answers

SESSION_ENV = "SIMLIB_SESSION_DIR"
DEFAULT_SESSION = Path("out/training/session")
CASE_COLUMNS = ("case", "section", "clauses", "trainees", "answers", "right_first", "right_last", "wrong",
                "wrong_share")
CLAUSE_COLUMNS = ("clause", "cases", "trainees", "wrong", "wrong_share")
TRAINEE_COLUMNS = ("trainee", "right", "total", "missed")


def session_folder(session_dir: str = "") -> Path:
    """Where a session's answer files live: ``session_dir`` if given, else the environment variable
    ``SIMLIB_SESSION_DIR`` if set, else ``out/training/session`` in the checkout. The case exercises write
    there and the trainer view reads there."""
    if session_dir:
        return Path(session_dir)
    if os.environ.get(SESSION_ENV):
        return Path(os.environ[SESSION_ENV])
    from simlib.scenario.presets import PROJECT_ROOT

    return PROJECT_ROOT / DEFAULT_SESSION


def load_session(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Every answer file of ``folder`` in one frame (empty if there is none). A file that is not an answer
    file of the case exercises is an :class:`InputError` naming the file, the missing columns and the fix."""
    for path in sorted(Path(folder).glob("*.csv")):
        try:
            with path.open(encoding="utf-8", newline="") as f:
                header = next(csv.reader(f), [])
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(source=str(path), key="training.bad_file_exc",
                             values={"error": exc.__class__.__name__}) from None
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise InputError(source=str(path), field=", ".join(missing), key="training.bad_file")
    return read_answers(folder)


@dataclass(frozen=True)
class Results:
    """The group's results: ``by_clause`` (most missed first), ``by_case`` (in the order first answered),
    ``by_trainee``; ``answers`` holds every answer, ``last`` each trainee's last attempt at each case."""

    answers: pd.DataFrame
    last: pd.DataFrame
    by_case: pd.DataFrame
    by_clause: pd.DataFrame
    by_trainee: pd.DataFrame

    @property
    def trainees(self) -> int:
        return int(self.last["trainee"].nunique())

    @property
    def empty(self) -> bool:
        return self.last.empty


def results(answers: pd.DataFrame) -> Results:
    """Results per case, per clause and per trainee of a session's answers (:func:`load_session`)."""
    answers = answers.reset_index(drop=True)
    if answers.empty:
        return Results(answers, answers, pd.DataFrame(columns=list(CASE_COLUMNS)),
                       pd.DataFrame(columns=list(CLAUSE_COLUMNS)), pd.DataFrame(columns=list(TRAINEE_COLUMNS)))
    last = answers.sort_values("attempt", kind="stable").groupby(["trainee", "case"], sort=False).tail(1)
    last = last.sort_index()
    first = answers[answers["attempt"] == 1]
    by_case = last.groupby("case", sort=False).agg(section=("section", "first"), clauses=("clauses", "first"),
                                                     trainees=("trainee", "nunique"),
                                                     right_last=("correct", "sum")).reset_index()
    by_case["answers"] = by_case["case"].map(answers.groupby("case").size()).astype(int)
    by_case["right_first"] = by_case["case"].map(first.groupby("case")["correct"].sum()).fillna(0).astype(int)
    by_case["right_last"] = by_case["right_last"].astype(int)
    by_case["wrong"] = by_case["trainees"] - by_case["right_last"]
    by_case["wrong_share"] = by_case["wrong"] / by_case["trainees"]
    by_case = by_case[list(CASE_COLUMNS)]

    per_clause = last.assign(clause=last["clauses"].str.split()).explode("clause")
    order = {cid: i for i, cid in enumerate(rulebook().ids)}
    wrong = per_clause[~per_clause["correct"]]
    by_clause = per_clause.groupby("clause").agg(cases=("case", "nunique"),
                                                 trainees=("trainee", "nunique")).reset_index()
    by_clause["wrong"] = by_clause["clause"].map(wrong.groupby("clause")["trainee"].nunique()).fillna(0).astype(int)
    by_clause["wrong_share"] = by_clause["wrong"] / by_clause["trainees"]
    by_clause["order"] = by_clause["clause"].map(order)
    by_clause = (by_clause.sort_values(["wrong_share", "wrong", "order"], ascending=[False, False, True])
                 .drop(columns="order").reset_index(drop=True))

    missed = wrong.groupby("trainee")["clause"].agg(lambda s: " ".join(sorted(set(s), key=order.get)))
    by_trainee = last.groupby("trainee", sort=False).agg(right=("correct", "sum"), total=("case", "size"))
    by_trainee = by_trainee.reset_index()
    by_trainee["right"] = by_trainee["right"].astype(int)
    by_trainee["missed"] = [missed.get(x, "") for x in by_trainee["trainee"]]
    by_trainee = by_trainee.sort_values("trainee").reset_index(drop=True)
    return Results(answers, last.reset_index(drop=True), by_case, by_clause, by_trainee)


def export(res: Results, folder: str | os.PathLike[str], stem: str = "results") -> list[Path]:
    """Write the three tables as ``<stem>-by-clause.csv``, ``-by-case.csv`` and ``-by-trainee.csv`` in
    ``folder`` (atomically) and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("by-clause", res.by_clause), ("by-case", res.by_case), ("by-trainee", res.by_trainee)):
        buf = io.StringIO()
        frame.to_csv(buf, index=False, float_format="%.4f")
        path = folder / f"{stem}-{name}.csv"
        write_atomic(path, buf.getvalue())
        paths.append(path)
    return paths


def wrong_answer(case: Case) -> object:
    """An answer that the case's key rejects (for examples and tests): another option, the other truth value,
    a day or a unit off."""
    key = case.key
    if case.kind == "single":
        return next(o.id for o in case.options if o.id != key)
    if case.kind == "multiple":
        ids = [o.id for o in case.options]
        return [i for i in ids if i not in key] or ids[:1]
    if case.kind == "truefalse":
        return not key
    if case.kind == "date":
        return str((pd.Timestamp(key) + pd.Timedelta(days=1)).date())
    return key + 1


def example_session(folder: str | os.PathLike[str], *, trainees: int = 8, n_cases: int = 10, seed: int = 2026,
                    session: str = "example", source: Bank | None = None) -> list[Path]:
    """Write the answer files of an example session with simulated trainees: every trainee gets the ten cases
    that ``seed`` draws (as in the case exercises), each case has its own difficulty, and a trainee who
    misses a case tries once more. Seeded: the same files (but the time column) every run."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    cases = Session(source or bank(), seed=seed).draw(n_cases)
    difficulty = rng.uniform(0.05, 0.7, size=len(cases))
    paths = []
    for i in range(1, trainees + 1):
        s = Session(source or bank(), trainee=f"trainee {i}", seed=seed, session=session)
        for case, p in zip(cases, difficulty, strict=True):
            if rng.random() < p:
                s.answer(case.id, wrong_answer(case))
                if rng.random() < 0.5:
                    s.answer(case.id, case.key)
            else:
                s.answer(case.id, case.key)
        paths.append(s.export_csv(folder))
    return paths
