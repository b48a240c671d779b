"""Before and after: every target of two ``simlib bench --json`` results side by side.

    .venv/bin/simlib bench --json --out before.json        # on the old commit
    .venv/bin/simlib bench --json --out after.json         # on the new one, same machine
    .venv/bin/python -m simlib.bench.compare before.json after.json

Prints each target's value before and after, the factor (after / before) and whether it is met now, plus the
load average of each run: a factor measured while the machine was busier says less.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every target of a result, by key."""
    return {tg["key"]: tg for figure in result["figures"].values() for tg in figure["targets"]}


def _value(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}"


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The table: target, before, after, after/before, limit, met now."""
    old, new = targets(before), targets(after)
    lines = [f"{'target':<22}{'before':>14}{'after':>14}{'factor':>9}  {'limit':<22}met now"]
    for key in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(key, {}).get("value"), new.get(key, {}).get("value")
        factor = f"{b / a:.2f}" if a and b is not None else "—"
        tg = new.get(key) or old[key]
        limit = f"{tg['op']} {_value(tg['limit'])} {tg['unit']}"
        met = {True: "yes", False: "no", None: "—"}[new[key]["met"] if key in new else None]
        lines.append(f"{key:<22}{_value(a):>14}{_value(b):>14}{factor:>9}  {limit:<22}{met}")
    for name, result in (("before", before), ("after", after)):
        m = result["machine"]
        lines.append(f"{name}: load average {m['load_average'][0]:.2f} at start, "
                     f"{result['load_average_end'][0]:.2f} at end; {m['cores']} cores, {m['cpu']}"
                     + ("; --quick" if result["quick"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    print(compare(*(json.loads(p.read_text(encoding="utf-8")) for p in (args.before, args.after))))


if __name__ == "__main__":
    main()
