"""The explorer notebook's start-up: the workers start with the app, the preset's first look begins while the app
builds its widgets, and the cell shows it in steps (the early look with its funnel, saying on how many
replications, then in its place the look on all of them, the same as a one-shot run)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import simlib.views.report
from simlib.experiment.executors import ProcessExecutor, SerialExecutor
from simlib.experiment.explorer import Explorer
from simlib.scenario import find_scenario, load_scenario
from simlib.views.explorer_app import WORKER_MODULES, ExplorerApp, preset_overrides, world_resolve
from simlib.views.forms import ScenarioForm, preset_options

SMALL = {"reps": 6, "cadres": 60, "years": 0.5, "executor": "serial", "lang": "en", "auto": False, "early": 4}


@pytest.fixture
def shown(monkeypatch) -> list[tuple[str, str | None, bool]]:
    """What the app shows in the cell: (html, display id, update)."""
    calls: list[tuple[str, str | None, bool]] = []
    monkeypatch.setattr(simlib.views.report, "show_html",
                        lambda text, display_id=None, *, update=False: calls.append((text, display_id, update)))
    return calls


def _first_thread() -> threading.Thread:
    return next(t for t in threading.enumerate() if t.name == "simlib-explorer-first")


def test_the_first_look_begun_with_the_app_is_shown_in_steps(shown, monkeypatch) -> None:
    with ExplorerApp("training/small", first_look="no_private_custody", **SMALL) as app:
        _first_thread().join(timeout=300)  # it ran while the app was built: showing it runs nothing more
        monkeypatch.setattr(Explorer, "looks", lambda *a, **k: pytest.fail("the first look was run again"))
        look = app.show("no_private_custody")
        monkeypatch.undo()
        one_shot = app.explorer(app.world()).run({"controls.private_custody.on": False})
    assert app.preset.value == "no_private_custody" and look.overrides == {"controls.private_custody.on": False}
    (early, cell, replaced), (final, same_cell, update) = shown
    assert not replaced and update and cell == same_cell is not None
    # the early look: four replications' work for the workers, two of each scenario, and its funnel
    assert "2 of 6 replications so far" in early and early.count("<img") == 1
    assert "over the first 2 of 6 replications, updated when the rest are done" in early
    assert final.startswith('<p>6 replications') and final.count("<img") == 2  # then the funnel and custody
    assert "simlib-explorer-differences" in final and "over all 6 replications" in final
    for name in ("summary", "differences", "table"):
        pd.testing.assert_frame_equal(getattr(look, name), getattr(one_shot, name))


def test_a_first_look_for_another_preset_is_dropped_and_the_asked_one_runs(shown) -> None:
    with ExplorerApp("training/small", first_look="no_private_custody", **SMALL) as app:
        look = app.show("no_exit_control")
    assert look.overrides == app.form.overrides() != {"controls.private_custody.on": False}
    assert len(shown) == 2 and look.reps == 6


def test_a_preset_gives_the_first_look_the_overrides_the_form_gives() -> None:
    base = load_scenario(find_scenario("training/small"))
    form = ScenarioForm(base, "en")
    for _label, name in preset_options("en"):
        assert preset_overrides(base, name) == form.apply_preset(name), name


def test_the_workers_import_the_replication_function_the_explorer_runs() -> None:
    _, _, fn = world_resolve("training/small", {}, world={"organisation.cadres": 60})
    assert fn.__module__ in WORKER_MODULES


@pytest.fixture
def warm_pool() -> Iterator[ProcessExecutor]:
    """A pool of two workers, warmed (no batch run), once both workers have started or two minutes passed."""
    pool = ProcessExecutor(workers=2)
    try:
        pool.warm(["simlib.experiment.contract"])
        deadline = time.monotonic() + 120
        while len(pool.worker_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        yield pool
    finally:
        pool.close()


def test_a_warmed_pool_starts_its_workers_before_any_batch(warm_pool: ProcessExecutor) -> None:
    pids = warm_pool.worker_pids()
    assert len(pids) == 2
    assert warm_pool.submit(os.getpid).result(timeout=120) in pids  # a single call runs on a worker


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_an_interrupt_leaves_an_idle_warm_pool_usable(warm_pool: ProcessExecutor) -> None:
    pids = sorted(warm_pool.worker_pids())
    deadline = time.monotonic() + 120
    while not all(len(os.listdir(f"/proc/{pid}/task")) > 1 for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # each worker's initializer has run (it starts a thread)
    for pid in pids:  # a notebook's interrupt reaches the kernel's whole process group
        os.kill(pid, signal.SIGINT)
    assert warm_pool.submit(os.getpid).result(timeout=120) in pids
    assert sorted(warm_pool.worker_pids()) == pids


def test_the_serial_executor_runs_a_single_call_at_once() -> None:
    serial = SerialExecutor()
    serial.warm(WORKER_MODULES)  # nothing to start
    assert serial.submit(os.getpid).result() == os.getpid()
    failed = serial.submit(int, "not a number")
    assert failed.done() and isinstance(failed.exception(), ValueError)
