"""simlib: the 2004 notice on Party-member cadres going abroad (出国（境）) as rules, a SimPy simulation and an
auditor, with experiments, figures, reports and training material.

The public API (each name is imported on first use, so ``import simlib`` stays fast)::

    import simlib
    sc = simlib.load_scenario(simlib.find_scenario("training/small"))
    r = simlib.run_once(sc, seed=1)                             # simulate → log → audit → KPIs
    r.findings.summary("en")

The auditor and the rulebook are ``from simlib.audit import audit`` and ``from simlib.rulebook import rulebook``
(``simlib.audit`` and ``simlib.rulebook`` are their packages: an attribute cannot be both).

The README's "Python API" table lists the same names (a test holds the two together).
"""

from __future__ import annotations

from simlib.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Rulebook": "simlib.rulebook",
    "load_scenario": "simlib.scenario",
    "find_scenario": "simlib.scenario",
    "preset": "simlib.scenario",
    "presets": "simlib.scenario",
    "Scenario": "simlib.scenario",
    "Model": "simlib.model",
    "EventLog": "simlib.log",
    "LogBuilder": "simlib.log",
    "read_log": "simlib.log",
    "write_log": "simlib.log",
    "Findings": "simlib.audit",
    "run_once": "simlib.pipeline",
    "replication": "simlib.pipeline",
    "Explorer": "simlib.experiment",
    "compare": "simlib.experiment",
    "run_replications": "simlib.experiment",
    "get_lang": "simlib.i18n",
    "set_lang": "simlib.i18n",
    "InputError": "simlib.errors",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
