"""The rules walkthrough: the notice section by section, each rule as a view model built from the rulebook —
its verbatim Chinese and English, who it binds and who acts, when, what, what follows if it is not met, and
which parameters (numbers of the notice, assumptions, interpretation options) apply.

Nothing is retyped: texts come from ``clauses.yaml`` (:func:`simlib.rulebook.rulebook`), numbers and options
from ``parameters.yaml`` (``Rulebook.parameters_for``), the auditor's checks from
:func:`simlib.audit.all_checks`, and whether a non-Party cadre is bound (clause 5.a) from the auditor's own
:func:`~simlib.audit.context.scope_rule`.

>>> from simlib.training.walkthrough import walkthrough
>>> sec = walkthrough()[1]
>>> sec.number, sec.heading.zh
('1', '一、进一步加强因公出国（境）人员的管理')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from simlib.audit import Check, all_checks
from simlib.audit.context import scope_rule
from simlib.audit.findings import SEVERITIES
from simlib.rulebook import Clause, Parameter, rulebook

SECTIONS = ("P", "1", "2", "3", "4", "5", "6")  # the preamble, then sections 一 to 六
COMMON_OPTIONS = ("day_count", "day_zero", "rest_day_rollover")  # how days are counted: every deadline uses them
NUMERALS = {"P": "", "1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六"}
NonParty = str  # "direct", "by_reference", "not_bound" or "" (no check: not judged by the auditor)


@dataclass(frozen=True)
class RuleView:
    """One clause as the walkthrough shows it. ``parameters`` are the rulebook parameters it uses (each with
    its kind: a number of the notice, an assumption or an interpretation option)."""

    clause: Clause
    parameters: tuple[Parameter, ...]
    check: Check | None
    non_party: NonParty

    @property
    def id(self) -> str:
        return self.clause.id

    @property
    def is_rule(self) -> bool:
        return self.clause.checkable

    @property
    def assumptions(self) -> tuple[Parameter, ...]:
        """The assumptions and interpretation options that apply (the parameters the notice does not fix)."""
        return tuple(p for p in self.parameters if p.is_assumption)

    @property
    def numbers(self) -> tuple[Parameter, ...]:
        """The numbers and dates the notice itself sets for this clause."""
        return tuple(p for p in self.parameters if not p.is_assumption)

    @property
    def severities(self) -> tuple[str, ...]:
        """The severities of the auditor's findings on this clause, lowest first."""
        if self.check is None:
            return ()
        return tuple(s for s in SEVERITIES if s in set(self.check.codes.values()))

    def field(self, name: str, lang: str) -> str:
        """An analysis field of the clause (actor, subject, trigger, obligation, deadline, sanction) in ``lang``."""
        return getattr(self.clause, name).get(lang) or ""  # type: ignore[arg-type]

    @property
    def names_hk_macao(self) -> bool:
        return "港澳" in self.clause.zh or "香港" in self.clause.zh


@dataclass(frozen=True)
class Part:
    """A numbered part of a section (（一）, （二） …): its heading clause if the notice has one, and its rules."""

    number: str
    heading: Clause | None
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class SectionView:
    """A section of the notice (一 to 六, or the preamble ``P``): heading and parts in the notice's order."""

    number: str
    heading: Clause | None
    parts: tuple[Part, ...]

    @property
    def numeral(self) -> str:
        return NUMERALS[self.number]

    @property
    def rules(self) -> tuple[RuleView, ...]:
        return tuple(r for p in self.parts for r in p.rules)


def _section_of(clause: Clause) -> str:
    return "P" if clause.section in ("T", "A", "P") else clause.section


def non_party_rule(check: Check | None) -> NonParty:
    """How clause 5.a extends a checked rule to a non-Party cadre, by the auditor's own scope rule."""
    if check is None:
        return ""
    binds, by_ref = scope_rule(np.array([True]), np.array([True]), check.party_only, check.binds_non_party,
                               rulebook().params)
    if not binds[0]:
        return "not_bound"
    return "by_reference" if by_ref[0] else "direct"


def rule_view(clause_id: str) -> RuleView:
    """The view model of one clause."""
    rb = rulebook()
    chk = all_checks().get(clause_id)
    return RuleView(rb.clause(clause_id), tuple(rb.parameters_for(clause_id)), chk, non_party_rule(chk))


def _heading(clause: Clause) -> bool:
    """A heading sentence: a context clause whose id ends in ``.0`` (一、… or （一）…)."""
    return clause.id.endswith(".0") or clause.id == "0"


@cache
def walkthrough() -> tuple[SectionView, ...]:
    """The notice as sections of parts of rule views, in the notice's order (the title ``T`` is the preamble's
    heading)."""
    rb = rulebook()
    out = []
    for number in SECTIONS:
        clauses = [c for c in rb.clauses if _section_of(c) == number]
        heading = next((c for c in clauses if c.id in (f"{number}.0", "T")), None)
        parts: dict[str, list[Clause]] = {}
        part_heads: dict[str, Clause] = {}
        for c in clauses:
            if c is heading:
                continue
            bits = c.id.split(".")
            key = bits[1] if number not in ("P", "5", "6") and len(bits) == 3 else ""
            if _heading(c) and len(bits) == 3:
                part_heads[key] = c
            else:
                parts.setdefault(key, []).append(c)
        out.append(SectionView(number, heading, tuple(
            Part(key, part_heads.get(key), tuple(rule_view(c.id) for c in items)) for key, items in parts.items())))
    return tuple(out)


def section(number: str) -> SectionView:
    """One section of :func:`walkthrough` (``"P"`` or ``"1"`` … ``"6"``)."""
    for s in walkthrough():
        if s.number == number:
            return s
    raise KeyError(f"no section {number!r}: use one of {', '.join(SECTIONS)}")


def hk_macao_rules() -> tuple[RuleView, ...]:
    """The clauses whose own words name Hong Kong and Macao: the evidence that 出国（境） covers them."""
    return tuple(r for s in walkthrough() for r in s.rules if r.names_hk_macao)
