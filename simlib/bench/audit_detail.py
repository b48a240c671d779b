"""Audit throughput on a generated log, and the speed of the log formats.

    .venv/bin/python -m simlib.bench.audit_detail                 # 1 M events, best of 3
    .venv/bin/python -m simlib.bench.audit_detail --events 200000 --by-check --skip-io
    .venv/bin/python -m simlib.bench.audit_detail --small --skip-io   # also the fixed cost on small logs

Prints wall-clock seconds (best of ``--repeat``) and CPU seconds of the same run, events per second, and with
``--by-check`` the slowest checks. ``--small`` also times the audit of the training world's log (the explorer
audits one per replication) and of a case log of a few events: there the cost is fixed, per check, not per
event; the part of it spent setting up the context (ids encoded, tables and derived frames built) is shown.
Numbers depend on the machine and its load: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simlib.audit import all_checks, audit
from simlib.audit.context import AuditContext
from simlib.audit.registry import run_check
from simlib.log.eventlog import EventLog
from simlib.log.io import read_log, write_log
from simlib.log.synthetic import synthetic_log
from simlib.log.vocabulary import EVENTS
from simlib.rulebook import rulebook


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall-clock time over ``repeat`` runs, the CPU time of that run, and its result."""
    best: tuple[float, float, Any] | None = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    assert best is not None
    return best


def line(what: str, wall: float, cpu: float, n: int | None = None) -> None:
    rate = f"  {n / wall:>12,.0f} events/s" if n else ""
    print(f"{what:<28} {wall:8.2f} s wall  {cpu:8.2f} s cpu{rate}")


def by_check(log: EventLog, top: int) -> None:
    """Time every check once on a fresh context, in clause order, after the context has encoded the ids and
    built the tables (timed apart; a shared sub-result, or a check's findings another reads, is counted in the
    first check that asks for it). CPU seconds: on a shared machine they vary less than wall-clock ones."""
    ctx = AuditContext(log, rulebook().params)
    cpu = time.process_time()
    for event_type in EVENTS:
        ctx.t(event_type)
    setup = time.process_time() - cpu
    rows = []
    for clause, chk in all_checks().items():
        cpu = time.process_time()
        found = run_check(ctx, chk)
        rows.append((time.process_time() - cpu, clause, chk.name, len(found)))
    total = sum(r[0] for r in rows)
    print(f"\nids encoded and tables built in {setup:.2f} s cpu; slowest checks (of {len(rows)}, {total:.2f} s cpu in "
          "all):")
    for cpu, clause, name, n in sorted(rows, reverse=True)[:top]:
        print(f"  {clause:<7} {name:<45} {cpu:7.3f} s  {100 * cpu / total:4.1f} %  {n:>8,} findings")


def small_logs(repeat: int) -> None:
    """The audit of the training world's log (one replication of ``scenarios/training/small.yaml``) and of the
    largest plain-language case log, after one audit to warm up."""
    from simlib.model import Model
    from simlib.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    from case_runner import build_log, load_cases

    small = Model(load_scenario(root / "scenarios/training/small.yaml", {}), seed=1).run().log()
    case = max((build_log(c) for c in load_cases()), key=lambda log: log.n_events)
    print()
    for what, log in (("training world", small), (f"case {case.source}", case)):
        audit(log)
        wall, cpu, found = timed(lambda log=log: audit(log), repeat)
        line(f"audit {what}"[:28], wall, cpu)
        print(f"{'':<28} {log.n_events:,} events, {len(found):,} findings")
        wall, cpu, _ = timed(lambda log=log: context_setup(log), repeat)
        line("  of which context set-up", wall, cpu)


def context_setup(log: EventLog) -> AuditContext:
    """What an audit pays before its checks: the ids encoded, every table of the log and the derived frames."""
    ctx = AuditContext(log, rulebook().params)
    for event_type in log.tables:
        ctx.t(event_type)
    for frame in ("cadres", "units", "bodies", "trips", "documents", "delegations", "cases"):
        getattr(ctx, frame)
    return ctx


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-io", action="store_true", help="do not time the log formats")
    ap.add_argument("--by-check", action="store_true", help="also time each check")
    ap.add_argument("--small", action="store_true", help="also time the audit of small logs (fixed cost)")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args(argv)

    wall, cpu, log = timed(lambda: synthetic_log(args.events, args.seed), 1)
    n = log.n_events
    print(f"synthetic log: {n:,} events, {log.n_objects:,} objects, {len(log.tables)} event types")
    line("generate", wall, cpu, n)
    all_checks()  # import and register the checks outside the timing
    wall, cpu, findings = timed(lambda: audit(log), args.repeat)
    line(f"audit (best of {args.repeat})", wall, cpu, n)
    print(f"{'':<28} {len(findings):,} findings, {len(findings.checks)} checks")
    if args.by_check:
        by_check(log, args.top)
    if args.small:
        small_logs(max(args.repeat, 5))
    if args.skip_io:
        return
    tmp = Path(tempfile.mkdtemp(prefix="simlib-bench-"))
    try:
        print()
        for name in ("log.parquet", "log.ocel.json", "log.csv"):
            path = tmp / name
            wall, cpu, _ = timed(lambda path=path: write_log(log, path), 1)
            size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file()) / 2**20
            line(f"write {name} ({size:,.0f} MB)", wall, cpu, n)
            wall, cpu, _ = timed(lambda path=path: read_log(path), 1)
            line(f"read {name}", wall, cpu, n)
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            for extra in tmp.glob("*"):
                extra.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
