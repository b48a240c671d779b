"""The training dashboard: Voilà serving ``notebooks/training/`` with no code visible, offline, on 127.0.0.1 — or,
in classroom mode, on every interface behind a token — and the session folder the trainees' answers go to.

    python -m simlib.views.dashboard                      # what `make training` runs
    python -m simlib.views.dashboard --classroom --session group-a --port 8870

Offline: Voilà's ``lab`` template asks a CDN for Font Awesome; the template ``simlib-offline``
(``simlib/views/jupyter/voila/templates/``, put on ``JUPYTER_PATH``) is that template without the two
``<link>`` lines, so a page needs nothing from outside the machine. Kernels: the page-close beacon frees a
trainee's kernel (``disable_check_xsrf``), and idle kernels are culled after ten minutes. A busy port is an error
here (Voilà would silently take another one). Readiness is a TCP connect (every ``GET`` starts a kernel).

The session folder (``SIMLIB_SESSION_DIR`` for every kernel) is ``out/training/session-YYYYMMDD`` or
``out/training/<session>``: the case exercises save each trainee's answers there and the trainer view reads them
(:func:`simlib.training.trainer.session_folder`). The landing page (``index.ipynb``) is :class:`LandingApp`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simlib.errors import InputError
from simlib.i18n import get_lang, t
from simlib.scenario.presets import PROJECT_ROOT
from simlib.training.trainer import SESSION_ENV
from simlib.views.sections import E

NOTEBOOKS = PROJECT_ROOT / "notebooks" / "training"
TEMPLATE = "simlib-offline"
TEMPLATE_PATH = Path(__file__).resolve().parent / "jupyter"  # holds voila/templates/simlib-offline
DEFAULT_PORT = 8866
LOCAL = "127.0.0.1"
EVERYWHERE = "0.0.0.0"
CULL = ("--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60")
PAGES = ("walkthrough", "calculator", "cases", "story", "trainer", "handout")
"""The dashboard's pages in the order of a session (``<page>.ipynb`` in ``notebooks/training/``)."""
SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Launch:
    """Everything needed to start the dashboard: the command, its environment and where it will answer."""

    command: list[str]
    env: dict[str, str]
    host: str
    port: int
    token: str
    session_dir: Path

    def url(self, host: str | None = None, page: str = "index") -> str:
        """The landing page's address (with the token in classroom mode)."""
        query = f"?token={self.token}" if self.token else ""
        return f"http://{host or self.host}:{self.port}/voila/render/{page}.ipynb{query}"


def session_dir(session: str = "", today: dt.date | None = None) -> Path:
    """``out/training/<session>``, or ``out/training/session-YYYYMMDD`` (today) without a name."""
    if session and not SESSION_NAME.match(session):
        raise InputError(field="SESSION", key="dashboard.session", values={"session": session})
    name = session or f"session-{(today or dt.date.today()):%Y%m%d}"
    return PROJECT_ROOT / "out" / "training" / name


def plan(port: int = DEFAULT_PORT, *, classroom: bool = False, session: str = "", folder: Path | None = None,
         token: str = "", notebooks: Path = NOTEBOOKS, env: dict[str, str] | None = None) -> Launch:
    """The Voilà command for the dashboard: 127.0.0.1 unless ``classroom`` (then every interface, and a token —
    ``token`` or a new random one — that every trainee's address carries). Answers go to ``folder``, else to
    :func:`session_dir` of ``session``."""
    host = EVERYWHERE if classroom else LOCAL
    token = (token or secrets.token_urlsafe(9)) if classroom else ""
    folder = Path(folder).resolve() if folder else session_dir(session)
    command = [sys.executable, "-m", "voila", str(notebooks), "--no-browser", f"--Voila.ip={host}",
               f"--port={port}", f"--template={TEMPLATE}",
               "--VoilaConfiguration.extension_denylist=nbdime-jupyterlab",
               "--Voila.tornado_settings=disable_check_xsrf=True", *CULL, f"--Voila.token={token}"]
    base = dict(os.environ if env is None else env)
    paths = [str(TEMPLATE_PATH), str(Path(sys.prefix) / "share" / "jupyter")]
    if base.get("JUPYTER_PATH"):
        paths.append(base["JUPYTER_PATH"])
    base.update({"JUPYTER_PATH": os.pathsep.join(paths), SESSION_ENV: str(folder)})
    return Launch(command, base, host, port, token, folder)


def port_free(port: int, host: str = LOCAL) -> bool:
    """Whether nothing listens on ``port`` (Voilà would silently move to another port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((host, port)) != 0


def wait_ready(port: int, timeout: float = 60.0, host: str = LOCAL, proc: subprocess.Popen[Any] | None = None) -> float:
    """Seconds until ``port`` accepts a connection (a TCP connect, not a GET: each GET starts a kernel)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"voila exited with status {proc.returncode}")
        if not port_free(port, host):
            return time.perf_counter() - start
        time.sleep(0.1)
    raise TimeoutError(f"nothing answered on {host}:{port} within {timeout:g} s")


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), for the trainees' URL."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:
            return LOCAL


def main(argv: Sequence[str] | None = None) -> int:
    """Start the dashboard, print where it is, and serve until Ctrl-C."""
    p = argparse.ArgumentParser(prog="python -m simlib.views.dashboard", description=t("dashboard.cli.help"))
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--classroom", action="store_true", help=t("dashboard.cli.classroom"))
    p.add_argument("--session", default="", help=t("dashboard.cli.session"))
    p.add_argument("--session-dir", type=Path, default=None, help=t("dashboard.cli.session_dir"))
    p.add_argument("--token", default="", help=t("dashboard.cli.token"))
    a = p.parse_args(argv)
    try:
        launch = plan(a.port, classroom=a.classroom, session=a.session, folder=a.session_dir, token=a.token)
    except InputError as e:
        print(e.render(get_lang()), file=sys.stderr)
        return 2
    if not port_free(a.port):
        print(InputError(field="TRAINING_PORT", key="dashboard.port", values={"port": a.port, "next": a.port + 1})
              .render(get_lang()), file=sys.stderr)
        return 2
    launch.session_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop voila and its kernels on SIGTERM too
    started = time.perf_counter()
    proc = subprocess.Popen(launch.command, env=launch.env, cwd=PROJECT_ROOT)
    try:
        wait_ready(a.port, proc=proc)
        print(t("dashboard.ready", seconds=f"{time.perf_counter() - started:.1f}", url=launch.url(LOCAL),
                folder=launch.session_dir), flush=True)
        if a.classroom:
            print(t("dashboard.classroom", url=launch.url(lan_address()), token=launch.token), flush=True)
        return proc.wait()
    except (KeyboardInterrupt, SystemExit):
        return 0
    except (RuntimeError, TimeoutError) as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# --------------------------------------------------------------------------------------------- landing page


def landing_html(lang: str) -> str:
    """The landing page: what a session is, and the pages in order with a line each."""
    items = "".join(
        f"<li><a href='{page}.ipynb' class='simlib-dashboard-link' target='_self'>"
        f"<b>{E(t(f'dashboard.page.{page}', lang))}</b></a> — {E(t(f'dashboard.what.{page}', lang))}</li>"
        for page in PAGES)
    return (f"<h2>{E(t('dashboard.title', lang))}</h2><p>{E(t('dashboard.session', lang))}</p>"
            f"<ol class='simlib-dashboard-pages'>{items}</ol>")


def footer_html(folder: Path | None = None) -> str:
    """Where this session's answers go, and the tips, in both languages (shown under the switchable page)."""
    from simlib.training.trainer import session_folder
    from simlib.views.report import shown_path

    where = shown_path(folder or session_folder())
    return "".join(f"<p class='simlib-dashboard-footer'>{E(t('dashboard.answers', lang, folder=where))} "
                   f"{E(t('dashboard.tips', lang))}</p>" for lang in ("zh", "en"))


class LandingApp:
    """The landing page with its language switch (class ``simlib-lang``); the page is ``simlib-dashboard``."""

    def __init__(self, lang: str | None = None) -> None:
        import ipywidgets as w

        from simlib.views.widgets import classed, lang_toggle

        self.lang = lang or get_lang()
        self.toggle = lang_toggle(self.lang, self.set_lang)
        self.page = classed(w.HTML(), "simlib-dashboard")
        self.widget = w.VBox([self.toggle, self.page])
        self.set_lang(self.lang)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.page.value = landing_html(lang)


if __name__ == "__main__":
    sys.exit(main())
