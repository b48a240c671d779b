"""The planning explorer as a planner opens it: ``notebooks/planning/explorer.ipynb`` served by Voilà (its
default parameters), in Debian's Chromium. A preset chosen in the menu reaches the widget callback, runs a look on
the kernel's warm pool, and the difference table in the page changes; before/after screenshots go to
``out/screenshots/``. The seconds from the choice to the new table are recorded (``round_trip_s`` in the test's
properties), not asserted: speed figures belong to ``simlib bench --only explorer``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from browser import Requests, chromium, screenshot, serve_voila

from simlib.i18n import t
from simlib.views.forms import preset_options

ROOT = Path(__file__).resolve().parents[1]
EXPLORER = ROOT / "notebooks" / "planning" / "explorer.ipynb"
LANG, REPS, SHOWN, CHOSEN = "zh", 10, "no_private_custody", "no_exit_control"  # the notebook's defaults; a gap
# The status line of the look on all replications starts "10次重复（…"; the early look's says "已完成4/10次重复（…"
FINAL_STATUS = "prefix => document.querySelector('.simlib-status').innerText.startsWith(prefix)"
FONT_AWESOME = "https://cdn.jsdelivr.net/npm/@fortawesome/"  # Voilà's lab template links its CSS (aborted here)


@pytest.mark.slow
def test_choosing_a_gap_updates_the_difference_table(tmp_path: Path,
                                                     record_property: Callable[[str, object], None]) -> None:
    labels = {name: label for label, name in preset_options(LANG)}  # the menu shows labels
    reps_shown = t("planning.status.done", LANG, reps=REPS, method="|", changes=0, seconds="").split("|")[0]
    with serve_voila(EXPLORER) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        requests = Requests(page)
        page.goto(url, timeout=60_000)
        table = page.locator(".simlib-differences table")
        table.wait_for(timeout=300_000)  # the notebook runs its first look (pool, baseline) before showing
        assert page.locator(".simlib-preset select").input_value() == labels[SHOWN]
        page.wait_for_function(FINAL_STATUS, arg=reps_shown, timeout=300_000)  # not the early look's status
        before = table.inner_text()
        screenshot(page, "before", tmp_path)

        started = time.perf_counter()
        page.locator(".simlib-preset select").select_option(label=labels[CHOSEN])
        page.wait_for_function(
            "before => { const t = document.querySelector('.simlib-differences table');"
            " return t !== null && t.innerText !== before; }", arg=before, timeout=300_000, polling=50)
        round_trip = time.perf_counter() - started
        record_property("round_trip_s", round(round_trip, 2))
        print(f"explorer in the browser: {CHOSEN} chosen -> difference table changed in {round_trip:.2f} s")

        page.wait_for_function(FINAL_STATUS, arg=reps_shown, timeout=300_000)  # the look on all replications
        assert table.inner_text() != before and len(table.locator("tbody tr").all()) >= 5
        screenshot(page, "after", tmp_path)
    assert requests.local, "nothing was served by Voilà"
    assert all(u.startswith(FONT_AWESOME) for u in requests.external), requests.external
