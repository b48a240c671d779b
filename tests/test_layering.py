"""The package layering of simlib: which package may import which (every import, at module level or inside a
function), and no cycles between packages. ``pytest tests/test_layering.py -s`` prints the import graph.

    cli ──▶ views ──▶ experiment ──▶ pipeline ──▶ model ──▶ scenario ──▶ rulebook
     │        │                        │  └──────▶ audit ──▶ log ──────▶ rulebook
     │        └──▶ training ──▶ pipeline, audit, rulebook
     └──▶ bench (measures any layer)                         i18n: used by every layer, imports none
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SIMLIB = Path(__file__).resolve().parents[1] / "simlib"
BASE = {"i18n", "lazy", "errors"}  # used by every layer
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),
    "lazy": set(),
    "errors": set(),
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


def package_of(path: Path) -> str:
    """The first component under simlib/ (a module ``simlib/x.py`` is package ``x``)."""
    rel = path.relative_to(SIMLIB)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.suffix == ".py" else ""


def imported_packages(path: Path) -> list[str]:
    """The simlib packages a file imports, one entry per import statement."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        out += [n.split(".")[1] for n in names if n.startswith("simlib.") and n.count(".") >= 1]
    return out


def import_graph() -> Counter[tuple[str, str]]:
    """(importing package, imported package) -> number of import statements, between different packages."""
    edges: Counter[tuple[str, str]] = Counter()
    for path in SIMLIB.rglob("*.py"):
        src = package_of(path)
        if not src or src == "__init__":
            continue
        for dst in imported_packages(path):
            if dst != src:
                edges[(src, dst)] += 1
    return edges


def cycles(edges: Counter[tuple[str, str]]) -> list[list[str]]:
    """Every package that can reach itself, with one path back."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    found = []
    for start in sorted(graph):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append([*path, start])
                    stack = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return found


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
