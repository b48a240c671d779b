"""The notice as data: clauses (verbatim Chinese, English, analysis) and dated parameters.

>>> from simlib.rulebook import rulebook
>>> rulebook().clause("3.1.a").zh[:12]
'（一）因公出国（境）的党员干部'
>>> rulebook().params.public_doc_days
15
"""

from __future__ import annotations

from simlib.rulebook.model import Clause, Parameter, Params, Rulebook, notice_text, rulebook

__all__ = ["Clause", "Parameter", "Params", "Rulebook", "notice_text", "rulebook"]
