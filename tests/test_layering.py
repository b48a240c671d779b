"""The package layering of simlib: which package may import which (every import, at module level or inside a
function), and no cycles between packages. ``benchmarks/import_graph.py`` prints the graph.

    cli ──▶ views ──▶ experiment ──▶ pipeline ──▶ model ──▶ scenario ──▶ rulebook
     │        │                        │  └──────▶ audit ──▶ log ──────▶ rulebook
     │        └──▶ training ──▶ pipeline, audit, rulebook
     └──▶ bench (measures any layer)                         i18n: used by every layer, imports none
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "import_graph", Path(__file__).resolve().parents[1] / "benchmarks" / "import_graph.py")
assert _SPEC and _SPEC.loader
graph = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(graph)
SIMLIB, import_graph, cycles, package_of = graph.SIMLIB, graph.import_graph, graph.cycles, graph.package_of

BASE = {"i18n", "lazy", "errors", "files", "rundir"}  # used by every layer
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),
    "lazy": set(),
    "errors": set(),
    "files": set(),
    "rundir": set(),
    "rulebook": set(),
    "log": {"rulebook"},
    "scenario": {"rulebook", "log"},
    "audit": {"rulebook", "log"},
    "model": {"rulebook", "log", "scenario"},
    "pipeline": {"rulebook", "log", "scenario", "model", "audit"},
    "experiment": {"rulebook", "log", "scenario", "model", "pipeline"},
    "training": {"rulebook", "log", "scenario", "model", "audit", "pipeline"},
    "views": {"rulebook", "log", "scenario", "model", "audit", "pipeline", "experiment", "training"},
    "bench": {"rulebook", "log", "scenario", "model", "audit", "pipeline", "experiment", "views"},
    "cli": {"rulebook", "log", "scenario", "model", "audit", "pipeline", "experiment", "training", "views",
            "bench"},
}


def test_print_the_import_graph() -> None:
    edges = import_graph()
    print()
    for (a, b), n in sorted(edges.items()):
        print(f"{a:>10} -> {b:<10} {n:3d}")
    assert edges, "no imports found: the scan is broken"


def test_every_package_is_in_the_layering() -> None:
    packages = {package_of(p) for p in SIMLIB.rglob("*.py")} - {"", "__init__"}
    assert packages <= set(ALLOWED), f"packages without a layer: {sorted(packages - set(ALLOWED))}"


def test_packages_import_only_the_layers_below_them() -> None:
    wrong = sorted(f"{a} imports {b} ({n}×)" for (a, b), n in import_graph().items()
                   if b not in ALLOWED.get(a, set()) | BASE)
    assert not wrong, "; ".join(wrong)


def test_the_model_imports_neither_the_auditor_nor_the_experiments() -> None:
    edges = import_graph()
    assert ("model", "audit") not in edges and ("model", "experiment") not in edges
    assert ("audit", "model") not in edges


def test_no_import_cycles_between_packages() -> None:
    assert cycles(import_graph()) == []
