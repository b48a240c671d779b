"""Helpers for the browser tests: Debian's Chromium under Playwright, a Voilà server, an offline guard, screenshots.

Usage from a test (mark it ``@pytest.mark.slow``)::

    from browser import Requests, chromium, screenshot, serve_voila

    def test_x(tmp_path):
        with serve_voila(NOTEBOOK) as url, chromium() as browser:
            page = browser.new_page()
            requests = Requests(page)            # aborts and lists every request not to 127.0.0.1
            page.goto(url)
            page.wait_for_selector(".my-widget-class", timeout=60_000)
            screenshot(page, "opened", tmp_path)  # tmp_path/opened.png and out/screenshots/<test>/opened.png
            assert requests.external == []

Playwright cannot download its own browsers here, so :func:`chromium` always launches ``/usr/bin/chromium``
with the flags of ``shared/spec/toolchain.md``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.sync_api import Browser, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The voila of the interpreter running the tests (the project's venv), never one found on PATH.
VOILA = Path(sys.executable).parent / "voila"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright; closed (with Playwright) on exit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


class Requests:
    """Record every request a page makes; let requests to 127.0.0.1 through and abort all others.

    ``external`` lists the aborted URLs (a test asserts it is empty, or names what it tolerates), ``local``
    the ones let through. WebSockets are not routed (Voilà's kernel socket is local anyway).
    """

    def __init__(self, page: Page) -> None:
        self.local: list[str] = []
        self.external: list[str] = []
        page.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            self.local.append(url)
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


@contextmanager
def serve_voila(
    notebook_or_dir: Path | str,
    *,
    env: Mapping[str, str] | None = None,
    template: str | None = None,
    port: int | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``voila`` on a notebook (or a folder of notebooks) at 127.0.0.1 and yield its base URL.

    Waits (at most ``timeout`` seconds) until Voilà prints its URL and accepts a TCP connection — a GET would
    start a kernel. ``env`` is added to this process's environment; ``template`` is passed as ``--template``.
    The server runs in its own process group, killed on exit whatever happens; a server that does not come up
    raises ``RuntimeError`` with the end of its log.
    """
    target = Path(notebook_or_dir).resolve()
    port = port or free_port()
    command = [
        str(VOILA),
        str(target),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.extension_denylist=nbdime-jupyterlab",
        "--Voila.tornado_settings=disable_check_xsrf=True",
    ]
    if template:
        command.append(f"--template={template}")
    with tempfile.TemporaryFile(mode="w+", prefix="voila-", suffix=".log") as log:
        process = subprocess.Popen(
            command,
            cwd=target if target.is_dir() else target.parent,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield _wait_for_voila(process, log, timeout)
        finally:
            kill_tree(process)


def _wait_for_voila(process: subprocess.Popen, log, timeout: float) -> str:
    """The URL Voilà prints, once its port accepts a connection (Voilà silently moves off a busy port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with {process.returncode}:\n{_tail(log)}")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\S*", _tail(log, 100_000))
        if found:
            try:
                socket.create_connection(("127.0.0.1", int(found[1])), timeout=1).close()
                return found[0]
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"voila did not come up within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log, size: int = 3000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-size:]


def kill_tree(process: subprocess.Popen) -> None:
    """Stop a server started with ``start_new_session=True``: SIGTERM its process group (Voilà and JupyterLab
    shut their kernels down), SIGKILL it after 10 s, then kill what is left of its descendants (kernels run in
    sessions of their own, with their worker pools)."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    _, alive = psutil.wait_procs(descendants, timeout=5)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    psutil.wait_procs(alive, timeout=5)


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """Save a full-page PNG as ``tmp_path/NAME.png`` and ``out/screenshots/<test name>/NAME.png``; return the latter.

    The test name comes from pytest's ``PYTEST_CURRENT_TEST`` (``test_file.py__test_name``).
    """
    current = os.environ.get("PYTEST_CURRENT_TEST", "adhoc").split(" ")[0]
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", current.split("/")[-1].replace("::", "__")).strip("_")
    folder.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(full_page=True)
    for path in (tmp_path / f"{name}.png", folder / f"{name}.png"):
        path.write_bytes(png)
    return folder / f"{name}.png"


