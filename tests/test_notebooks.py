"""Every notebook under ``notebooks/``: the project's rules for notebooks, a papermill run on a fresh kernel in
both languages, and a regression test of the stored outputs (pytest-notebook).

Notebooks are discovered, not listed: a new notebook is tested as soon as it exists. Two kinds of run:

* ``test_runs_with_papermill``: papermill executes the notebook with ``lang="en"`` (and the small parameters
  of :data:`SMALL` where the defaults take long) on a fresh kernel; its ``zh`` run is the next test's, at the
  defaults on a fresh kernel. Report templates have no stored outputs: papermill runs them in both languages;
* ``test_stored_outputs_are_reproduced``: pytest-notebook's ``nb_regression`` executes the notebook as stored
  (default parameters) and compares the outputs with the stored ones, ignoring only what differs on every run
  (execution counts, image bytes, widget model ids, memory addresses: ``nb_diff_*`` in pyproject.toml).
  Report templates (``notebooks/reports/``) are stored without outputs: ``tests/test_report.py`` checks what
  they render.

Regenerate the stored outputs after a deliberate change with ``make notebooks``, i.e.
``pytest tests/test_notebooks.py -k stored_outputs --nb-force-regen`` (each regenerated notebook is reported as a
failure once, then passes). Regenerated notebooks are stored without ipywidgets state (a view needs its kernel
anyway, and the state of the explorer's schema-generated form alone is ~0.8 MB) and without execution timestamps.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
import psutil
import pytest
from browser import free_port, kill_tree
from pytest_notebook.nb_regression import NBRegressionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
TEMPLATES_DIR = "reports"  # papermill templates: no stored outputs (test_report.py renders them)
MAX_BYTES = 1_000_000  # a notebook with its outputs stays under 1 MB

# Parameters for the two-language run where the defaults take long (key: path under notebooks/). The stored
# outputs keep the defaults; these make the worlds smaller and run serially (the test workers already use the
# cores). Files go to the test's tmp folder ("{tmp}").
SMALL: dict[str, dict[str, Any]] = {
    "planning/explorer.ipynb": {"cadres": 100, "years": 1.0, "reps": 3, "executor": "serial"},
    "planning/gaps.ipynb": {"sets": {"organisation.cadres": 60, "calendar.years": 0.5}, "reps": 2,
                            "executor": "serial", "export_dir": "{tmp}"},
    "planning/sensitivity.ipynb": {"sets": {"organisation.cadres": 60, "calendar.years": 0.5}, "reps": 2,
                                   "trajectories": 2, "executor": "serial"},
    "reports/comparison.ipynb": {"compare": ["no_exit_control"], "all_gaps": False, "reps": 2,
                                 "sets": {"organisation.cadres": 100, "calendar.years": 1}, "executor": "serial"},
}
# Notebooks whose runs take more than ~15 s on 2 busy cores (marked slow).
SLOW = {"planning/explorer.ipynb", "planning/gaps.ipynb", "planning/sensitivity.ipynb", "reports/comparison.ipynb"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _key(path: Path) -> str:
    return path.relative_to(NOTEBOOKS_DIR).as_posix()


def _template(path: Path) -> bool:
    return _key(path).startswith(TEMPLATES_DIR + "/")


def _params(paths: list[Path], slow: Collection[str] = ()) -> list[Any]:
    return [pytest.param(p, id=_key(p), marks=[pytest.mark.slow] if _key(p) in slow else []) for p in paths]


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _texts(nb: nbformat.NotebookNode, name: str | None = None) -> list[str]:
    """The text of every output (streams named ``name`` only, if given; else every text and HTML output)."""
    out = []
    for cell in _code(nb):
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and name in (None, o.name):
                out.append(o.text)
            elif name is None:
                data = o.get("data", {})
                out += [str(data[m]) for m in ("text/plain", "text/html", "text/markdown") if m in data]
    return out


def test_notebooks_are_found() -> None:
    assert {"planning/explorer.ipynb", "reports/comparison.ipynb"} <= {_key(p) for p in NOTEBOOKS}
    assert set(SMALL) <= {_key(p) for p in NOTEBOOKS}, "SMALL names a notebook that no longer exists"


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_follows_the_notebook_rules(path: Path) -> None:
    """One typed, commented ``parameters`` cell with ``lang``; imports from simlib only; small; stored with the
    project's kernel; a template without outputs."""
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{len(tagged)} cells tagged 'parameters' (want one)"
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    untyped = [ln for ln in lines if not re.match(r"^\w+: [\w\[\], |]+ = .+  # \S", ln)]
    assert not untyped, f"parameters need a type and a comment: {untyped}"
    assert any(re.match(r'^lang: str = "(zh|en)"', ln) for ln in lines), "no `lang: str` parameter"
    source = "\n".join(c.source for c in _code(nb))
    assert not re.search(r"^\s*(import simpy|from simpy|[!%]pip)", source, re.M), "model code or pip in a cell"
    assert path.stat().st_size < MAX_BYTES
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert not _texts(nb, "stderr") and not any(o.output_type == "error" for c in _code(nb) for o in c.outputs)
    if _template(path):
        assert not any(c.outputs for c in _code(nb)), "a report template is stored without outputs"


def _runs() -> list[Any]:
    """(notebook, lang) pairs: English, and Chinese too where no regression test runs the notebook in Chinese."""
    out = []
    for path in NOTEBOOKS:
        both = _template(path)
        marks = [pytest.mark.slow] if _key(path) in SLOW else []
        out += [pytest.param(path, lang, id=f"{_key(path)}-{lang}", marks=marks)
                for lang in (("zh", "en") if both else ("en",))]
    return out


@pytest.mark.parametrize(("path", "lang"), _runs())
def test_runs_with_papermill(path: Path, lang: str, tmp_path: Path) -> None:
    """papermill with ``lang`` on a fresh kernel: no error, no warning or other stderr output, Chinese text in a
    Chinese run, outputs under 1 MB."""
    small = json.loads(json.dumps(SMALL.get(_key(path), {})).replace("{tmp}", str(tmp_path)))
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters={**small, "lang": lang}, kernel_name="python3",
                        cwd=str(path.parent), progress_bar=False, log_output=False, execution_timeout=600)
    nb = nbformat.read(out, as_version=4)
    assert not [c for c in _code(nb) if any(o.output_type == "error" for o in c.outputs)]
    stderr = _texts(nb, "stderr")
    assert not stderr, f"output on stderr: {stderr[:3]}"
    texts = "".join(_texts(nb))
    if lang == "zh":
        assert CJK.search(texts), "no Chinese in the outputs of a zh run"
    assert len(json.dumps([c.outputs for c in _code(nb)])) < MAX_BYTES, "outputs over 1 MB"


@pytest.mark.parametrize(
    "path", _params([p for p in NOTEBOOKS if not _template(p)], SLOW))
def test_stored_outputs_are_reproduced(path: Path, nb_regression: Any) -> None:
    """The stored outputs are what the default parameters give (see the module doc to regenerate them)."""
    try:
        nb_regression.check(str(path))
    except NBRegressionError:
        if nb_regression.force_regen:  # rewritten: stored clean
            _store_clean(path)
        raise


def _store_clean(path: Path) -> None:
    """A regenerated notebook without what changes on every run and says nothing to a reader: the widget
    state and the cells' execution timestamps."""
    nb = nbformat.read(path, as_version=4)
    dropped = [nb.metadata.pop("widgets", None)] + [cell.metadata.pop("execution", None) for cell in nb.cells]
    if any(d is not None for d in dropped):
        nbformat.write(nb, path)


@pytest.mark.slow
def test_make_lab_serves_the_notebooks_with_the_project_kernel(tmp_path: Path) -> None:
    """``make lab``: JupyterLab at 127.0.0.1 on notebooks/, and its python3 kernel runs the venv's interpreter."""
    port = free_port()
    with (tmp_path / "lab.log").open("w") as log:
        lab = subprocess.Popen(["make", "--no-print-directory", "-o", "venv", "-o", "sysdeps", "lab",
                                f"LAB_PORT={port}"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=2).close()
                break
            except OSError:
                assert lab.poll() is None and time.monotonic() < deadline, (tmp_path / "lab.log").read_text()
                time.sleep(0.5)
        contents = json.load(urllib.request.urlopen(f"{base}/api/contents/", timeout=10))
        assert {"planning", "reports", "training"} <= {c["name"] for c in contents["content"]}
        specs = json.load(urllib.request.urlopen(f"{base}/api/kernelspecs", timeout=10))
        assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
        # start a kernel the way the browser does (XSRF cookie and header) and look at its interpreter
        cookies = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        opener.open(f"{base}/lab", timeout=30).close()
        xsrf = next(c.value for c in cookies if c.name == "_xsrf")
        request = urllib.request.Request(f"{base}/api/kernels", data=b'{"name": "python3"}', method="POST",
                                         headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"})
        kernel = json.load(opener.open(request, timeout=30))
        cmdlines = {}
        while not any(kernel["id"] in " ".join(c) for c in cmdlines.values()) and time.monotonic() < deadline:
            cmdlines = {p.pid: p.cmdline() for p in psutil.Process(lab.pid).children(recursive=True)}
            time.sleep(0.2)
        argv = next(c for c in cmdlines.values() if kernel["id"] in " ".join(c))
        assert Path(argv[0]) == Path(sys.executable), argv
    finally:
        kill_tree(lab)
