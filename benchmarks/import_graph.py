"""The import graph between simlib's packages, and any cycle in it.

    .venv/bin/python benchmarks/import_graph.py            # "importer -> imported  count" per pair of packages
    .venv/bin/python benchmarks/import_graph.py --dot      # the same as Graphviz dot

Every import statement counts, at module level or inside a function. ``tests/test_layering.py`` holds the graph
to the layering of the README (which package may import which) and to no cycles.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from pathlib import Path

SIMLIB = Path(__file__).resolve().parents[1] / "simlib"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print Graphviz dot")
    edges = import_graph()
    if parser.parse_args().dot:
        print("digraph simlib {")
        for (a, b), n in sorted(edges.items()):
            print(f'  "{a}" -> "{b}" [label={n}];')
        print("}")
        return
    for (a, b), n in sorted(edges.items()):
        print(f"{a:>10} -> {b:<10} {n:3d}")
    found = cycles(edges)
    print("cycles: " + ("; ".join(" -> ".join(c) for c in found) if found else "none"))


if __name__ == "__main__":
    main()
