"""The training dashboard: the launcher's command line (fast), and a trainer's session in a real browser (slow):
Debian's Chromium under Playwright opens the dashboard started by the launcher, with no request leaving
127.0.0.1, answers a case wrongly then rightly, sees the clause in the feedback and the score change, finds the
answers in the session folder and in the trainer's view, switches language, plays one decision of the
delegation story and sees the finding appear. Screenshots go to ``out/screenshots/dashboard/`` (and the test's
tmp folder); the time from starting the launcher to a usable page goes to ``timings.json`` there."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simlib.errors import InputError
from simlib.training.cases import Case, Session, bank
from simlib.views import dashboard as db

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "out" / "screenshots" / "dashboard"
WAIT = 120_000  # ms: a page's first render starts a kernel (seconds on 2 busy cores)
TEMPLATE_DIR = db.TEMPLATE_PATH / "voila" / "templates" / db.TEMPLATE
MAX_SHOT = 6000  # px: the tallest screenshot


# --------------------------------------------------------------------------------------------- the launcher


def test_the_dashboard_binds_127_0_0_1_by_default() -> None:
    launch = db.plan(8866, session="group-a")
    cmd = launch.command
    assert cmd[:3] == [sys.executable, "-m", "voila"] and cmd[3] == str(db.NOTEBOOKS)
    assert "--Voila.ip=127.0.0.1" in cmd and not any("0.0.0.0" in c for c in cmd)
    assert "--no-browser" in cmd and "--port=8866" in cmd and f"--template={db.TEMPLATE}" in cmd
    assert "--Voila.tornado_settings=disable_check_xsrf=True" in cmd
    assert any(c.startswith("--MappingKernelManager.cull_idle_timeout=") for c in cmd)
    assert launch.token == "" and "--Voila.token=" in cmd
    assert launch.env["JUPYTER_PATH"].split(":")[0] == str(db.TEMPLATE_PATH)
    assert launch.env["SIMLIB_SESSION_DIR"] == str(ROOT / "out" / "training" / "group-a")
    assert launch.url() == "http://127.0.0.1:8866/voila/render/index.ipynb"


def test_classroom_mode_opens_every_interface_behind_a_token() -> None:
    launch = db.plan(8870, classroom=True)
    assert "--Voila.ip=0.0.0.0" in launch.command
    assert len(launch.token) >= 12 and f"--Voila.token={launch.token}" in launch.command
    assert launch.url("10.0.0.5") == f"http://10.0.0.5:8870/voila/render/index.ipynb?token={launch.token}"
    assert db.plan(8870, classroom=True, token="abc").token == "abc"
    assert db.plan(8870, classroom=True).token != launch.token


def test_the_session_folder() -> None:
    assert db.session_dir(today=dt.date(2026, 12, 7)) == ROOT / "out" / "training" / "session-20261207"
    assert db.plan(folder=Path("x/y")).env["SIMLIB_SESSION_DIR"] == str(Path("x/y").resolve())
    with pytest.raises(InputError, match="SESSION"):
        db.session_dir("../elsewhere")


def test_every_page_of_the_landing_page_exists() -> None:
    html = db.landing_html("en")
    for page in db.PAGES:
        assert (db.NOTEBOOKS / f"{page}.ipynb").exists() and f"href='{page}.ipynb'" in html


def test_the_offline_template_has_no_external_link() -> None:
    assert json.loads((TEMPLATE_DIR / "conf.json").read_text()) == {"base_template": "lab"}
    page = (TEMPLATE_DIR / "index.html.j2").read_text()
    assert "<link" in page and "cdn." not in page and "fontawesome" not in page.lower()


def test_a_busy_port_is_an_error_not_another_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert db.main(["--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert str(port) in err and "TRAINING_PORT=" in err


# --------------------------------------------------------------------------------------------- in a browser


@dataclass
class Dashboard:
    base: str
    folder: Path
    started: float


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard started as a trainer starts it (the launcher), on a free port, answers into a tmp folder."""
    from browser import free_port, kill_tree

    port = free_port()
    folder = tmp_path_factory.mktemp("session")
    with tempfile.TemporaryFile(mode="w+") as log:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "simlib.views.dashboard", "--port", str(port),
                                 "--session-dir", str(folder)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            db.wait_ready(port, timeout=90, proc=proc)
            yield Dashboard(f"http://127.0.0.1:{port}/voila/render/", folder, started)
        finally:
            kill_tree(proc)


def shot(page, name: str, tmp_path: Path) -> Path:
    """A screenshot of the whole page into the test's folders (tests/browser.py) and ``out/screenshots/dashboard/``.
    Voilà's page scrolls inside an element, not the window: the viewport is made as tall as the content (at most
    MAX_SHOT pixels) for the picture."""
    from browser import screenshot

    size = page.viewport_size
    height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), MAX_SHOT))})
    saved = screenshot(page, name, tmp_path)
    page.set_viewport_size(size)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(saved, SHOTS / f"{name}.png"))


def english(page) -> None:
    page.locator(".simlib-lang button", has_text="English").first.click()


def give(page, case: Case, value) -> None:
    """Put ``value`` into the case's answer widget, whatever its kind."""
    if case.kind == "single":
        page.locator(".simlib-answer input[type=radio]").nth([o.id for o in case.options].index(value)).check()
    elif case.kind == "truefalse":
        page.locator(".simlib-answer input[type=radio]").nth(0 if value else 1).check()
    elif case.kind == "multiple":
        boxes = page.locator(".simlib-option input[type=checkbox]")
        for i, o in enumerate(case.options):
            boxes.nth(i).set_checked(o.id in value)
    else:
        page.locator(".simlib-answer input").fill(str(value))


def wrong(case: Case):
    """An answer that is not the key."""
    if case.kind == "single":
        return next(o.id for o in case.options if o.id != case.key)
    if case.kind == "truefalse":
        return not case.key
    if case.kind == "multiple":
        ids = [o.id for o in case.options]
        return ids[:1] if sorted(ids[:1]) != case.key else ids
    return "2000-01-01" if case.kind == "date" else str(float(case.key) + 1)


@pytest.mark.slow
def test_a_trainer_runs_a_session_offline(dashboard: Dashboard, tmp_path: Path) -> None:
    from browser import Requests, chromium

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests = Requests(page)

        # the landing page, usable (widgets visible): the time from starting the launcher
        page.goto(dashboard.base + "index.ipynb")
        page.locator(".simlib-dashboard a.simlib-dashboard-link").first.wait_for(timeout=WAIT)
        usable = time.perf_counter() - dashboard.started
        assert page.locator(".simlib-dashboard a.simlib-dashboard-link").count() >= 5
        assert "set_lang(" not in page.content()  # no code shown (nor sent)
        shot(page, "index-zh", tmp_path)
        english(page)
        page.locator(".simlib-dashboard", has_text="Pre-departure training").wait_for(timeout=WAIT)
        shot(page, "index-en", tmp_path)

        # the case exercises: a wrong answer, then the right one
        case = Session(bank(), seed=2026).draw(10)[0]  # the notebook's defaults
        page.goto(dashboard.base + "cases.ipynb")
        page.locator(".simlib-case .simlib-answer").first.wait_for(timeout=WAIT)
        page.locator(".simlib-trainee input").fill("Trainee 1")
        give(page, case, wrong(case))
        page.locator(".simlib-submit").click()
        feedback = page.locator(".simlib-feedback")
        feedback.locator(f"text={case.clauses[0]}").first.wait_for(timeout=WAIT)
        score_wrong = page.locator(".simlib-score").inner_text()
        shot(page, "cases-wrong-zh", tmp_path)
        give(page, case, case.key)
        page.locator(".simlib-submit").click()
        page.wait_for_function("s => document.querySelector('.simlib-score').innerText !== s", arg=score_wrong,
                               timeout=WAIT)
        assert case.clauses[0] in feedback.inner_text()
        shot(page, "cases-right-zh", tmp_path)
        english(page)
        page.wait_for_function("() => !/[\\u4e00-\\u9fff]/.test(document.querySelector('.simlib-score').innerText)",
                               timeout=WAIT)
        shot(page, "cases-right-en", tmp_path)
        assert list(dashboard.folder.glob("*.csv")), "the answers did not land in the session folder"

        # the trainer's view reads the same folder
        page.goto(dashboard.base + "trainer.ipynb")
        page.locator(".simlib-trainer .simlib-results").first.wait_for(timeout=WAIT)
        page.wait_for_function("() => document.querySelector('.simlib-results').innerText.includes('1')",
                               timeout=WAIT)
        shot(page, "trainer-zh", tmp_path)
        english(page)
        page.locator(".simlib-lang button.mod-active", has_text="English").wait_for(timeout=WAIT)
        page.wait_for_function("() => !/[\u4e00-\u9fff]/.test(document.querySelector('.simlib-status').innerText)",
                               timeout=WAIT)
        shot(page, "trainer-en", tmp_path)

        # the delegation story: one decision, and the finding appears
        page.goto(dashboard.base + "story.ipynb")
        page.locator(".simlib-story-choice").first.wait_for(timeout=WAIT)
        findings = page.locator(".simlib-story-findings")
        assert "1.3.c" not in findings.inner_text()
        shot(page, "story-question-zh", tmp_path)
        page.locator(".simlib-story-choice-look-away").click()
        findings.locator("text=1.3.c").first.wait_for(timeout=WAIT)
        assert "团组成员未经团组领导同意" in findings.inner_text()  # the clause's verbatim text
        shot(page, "story-finding-zh", tmp_path)
        english(page)
        page.locator(".simlib-story-question", has_text="What do you do?").wait_for(timeout=WAIT)
        shot(page, "story-finding-en", tmp_path)
        page.close()

    assert requests.external == [], f"requests left 127.0.0.1: {requests.external}"
    assert requests.local
    (SHOTS / "timings.json").write_text(json.dumps({"launcher_to_usable_page_s": round(usable, 1)}) + "\n")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "ready"), [("walkthrough", ".simlib-walkthrough .simlib-lang"),
                                           ("calculator", ".simlib-calculator .simlib-lang"),
                                           ("handout", ".simlib-report h1, .simlib-report h2")])
def test_every_other_page_in_both_languages(dashboard: Dashboard, name: str, ready: str, tmp_path: Path) -> None:
    """The pages the session test does not open: rendered offline, in Chinese and (where it has a switch) in
    English."""
    from browser import Requests, chromium

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests = Requests(page)
        page.goto(dashboard.base + f"{name}.ipynb")
        page.locator(ready).first.wait_for(timeout=WAIT)
        shot(page, f"{name}-zh", tmp_path)
        if page.locator(".simlib-lang").count():
            english(page)
            page.locator(".simlib-lang button.mod-active", has_text="English").wait_for(timeout=WAIT)
            page.wait_for_load_state("networkidle")
            shot(page, f"{name}-en", tmp_path)
        page.close()
    assert requests.external == []
