"""Render a notebook as a report: papermill executes a template with parameters, nbconvert writes HTML with no
code, and Debian's Chromium prints the HTML to PDF (Chinese glyphs from the system's CJK font).

    from simlib.views.report import render_notebook
    out = render_notebook("notebooks/reports/comparison.ipynb", {"lang": "en", "reps": 4}, "reports/report")
    out["html"], out["pdf"]

Every output is written to a temporary file in its folder and renamed into place, so a reader never sees half a
report; the executed notebook is kept in a temporary folder there too, until the report is written. The HTML
asks for nothing on the network (nbconvert's require.js and MathJax tags are removed: reports use no math), and
every image must carry alt text: :func:`figure_html` (or :func:`show_figure` in a cell) embeds
a matplotlib Figure as ``<img alt=…>``; :func:`render_notebook` refuses an HTML with an image without one.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simlib.errors import InputError
from simlib.files import PART, atomic_path, write_atomic

CHROMIUM = os.environ.get("SIMLIB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer")
FORMATS = ("html", "pdf")
REMOVE_TAG = "remove-cell"
FONT_STACK = '"DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'
REPORT_CSS = f"""
<style>
  body, .jp-Notebook, .jp-RenderedHTMLCommon {{ font-family: {FONT_STACK}; }}
  .jp-RenderedHTMLCommon table {{ font-size: 12px; border-collapse: collapse; }}
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {{ padding: 2px 6px; }}
  .jp-RenderedHTMLCommon td.num, .jp-RenderedHTMLCommon th.num {{ text-align: right; }}
  .simlib-report img {{ max-width: 100%; height: auto; }}
  .simlib-report figure {{ margin: 0.6em 0; break-inside: avoid; }}
  .simlib-report figcaption {{ font-size: 12px; color: #444; }}
  .simlib-report .sig {{ font-weight: bold; }}
  .simlib-report .muted {{ color: #666; }}
  .simlib-report blockquote {{ border-left: 3px solid #aaa; margin: 0.3em 0; padding-left: 0.6em; }}
  .jp-Cell {{ padding: 0 !important; }}
  @page {{ size: A4; margin: 14mm 12mm; }}
  @media print {{
    .jp-Notebook {{ padding: 0 !important; }}
    /* JupyterLab keeps each output on one page (break-inside: avoid-page): an output taller than a page then
       starts on the next one and leaves a blank page before it */
    .jp-OutputArea-child {{ break-inside: auto !important; }}
    tr, figure, blockquote {{ break-inside: avoid; }}
    h1, h2, h3 {{ break-after: avoid; }}
    .jp-RenderedHTMLCommon table {{ font-size: 10px; }}
  }}
</style>
"""
_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.I)


@dataclass(frozen=True)
class Rendered:
    """The files written (format -> path), the executed notebook and the seconds each step took."""

    paths: dict[str, Path]
    notebook: Path | None
    seconds: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, fmt: str) -> Path:
        return self.paths[fmt]


# --------------------------------------------------------------------------------------------- figures


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """A matplotlib Figure as PNG bytes (deterministic: no timestamp in the metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def figure_alt(fig: Any, alt: str | None = None) -> str:
    """The alt text of a Figure: ``alt`` if given, else what the figure carries (``fig.alt_text`` or the
    ``simlib_alt`` attribute of the figures module), else its axes' titles and labels."""
    if alt:
        return alt
    for attr in ("alt_text", "simlib_alt", "alt"):
        value = getattr(fig, attr, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(suptitle.get_text())
    for ax in fig.get_axes():
        parts += [s for s in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if s]
    return "; ".join(parts)


def figure_html(fig: Any, alt: str | None = None, caption: str = "", *, dpi: int = 110, close: bool = True) -> str:
    """``<figure><img alt=…><figcaption>`` with the Figure embedded as PNG; refuses a figure without alt text."""
    text = figure_alt(fig, alt)
    if not text:
        raise ValueError("a figure in a report needs alt text (give alt=..., or title and axis labels)")
    data = base64.b64encode(figure_png(fig, dpi)).decode("ascii")
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="simlib-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(text)}">'
            f"{cap}</figure>")


def show_figure(fig: Any, alt: str | None = None, caption: str = "") -> None:
    """Display a Figure in a notebook cell as an image with alt text (see :func:`figure_html`)."""
    from IPython.display import HTML, display

    display(HTML(figure_html(fig, alt, caption)))


def show_html(text: str, display_id: str | None = None, *, update: bool = False) -> None:
    """Display HTML in a cell, wrapped so that the report's stylesheet applies; with ``display_id``, a later call
    with ``update=True`` replaces that output in place (a result shown in steps)."""
    from IPython.display import HTML, display, update_display

    shown = HTML(f'<div class="simlib-report">{text}</div>')
    if update:
        update_display(shown, display_id=display_id)
    else:
        display(shown, display_id=display_id)


# --------------------------------------------------------------------------------------------- files


def output_dir(path: str = "", default: str = "out/briefing") -> Path:
    """Where a notebook exports files: ``path`` if given, else ``default`` under the checkout (the same place
    whatever folder the kernel runs in)."""
    from simlib.scenario.presets import PROJECT_ROOT

    return Path(path) if path else PROJECT_ROOT / default


def shown_path(path: Path) -> str:
    """A path as shown in an output: relative to the checkout when inside it (the same text on every machine)."""
    from simlib.scenario.presets import PROJECT_ROOT

    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------------------------- steps


def execute(template: str | Path, parameters: Mapping[str, Any], out: Path, *, cwd: Path | None = None,
            timeout: int = 600) -> Path:
    """papermill: ``template`` executed with ``parameters`` into the notebook ``out`` (atomically)."""
    import papermill as pm

    template = Path(template)
    if not template.is_file():
        raise InputError(source=str(template), key="report.no_template")
    with atomic_path(out) as tmp:
        pm.execute_notebook(str(template), str(tmp), parameters=dict(parameters), kernel_name="python3",
                            cwd=str(cwd or Path.cwd()), progress_bar=False, execution_timeout=timeout,
                            log_output=False, request_save_on_cell_execute=False)
    return out


def clean_html(body: str) -> str:
    """nbconvert's HTML made self-contained and readable in print: external scripts (require.js, MathJax)
    removed, the report stylesheet added."""
    body = _MATHJAX_CONFIG.sub("", body)
    body = _EXTERNAL_SCRIPT.sub("", body)
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


def images_without_alt(body: str) -> list[str]:
    """The ``<img>`` tags of an HTML page without a non-empty alt attribute."""
    return [tag[:80] for tag in _IMG.findall(body) if not re.search(r"\balt=\"[^\"]+\"", tag)]


def to_html(notebook: Path, title: str = "") -> str:
    """nbconvert (lab template): the executed notebook as HTML with no code cells' input and no prompts."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}  # the template's own notes to its editors
    exporter = HTMLExporter(config=config, template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    nb = nbformat.read(str(notebook), as_version=4)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return clean_html(body)


def to_pdf(html_path: Path, pdf_path: Path, *, chromium: str = CHROMIUM, timeout: int = 120) -> Path:
    """Chromium headless ``--print-to-pdf`` of an HTML file (A4 from the page CSS), written atomically."""
    exe = shutil.which(chromium) or (chromium if Path(chromium).is_file() else None)
    if exe is None:
        raise InputError(field="--format pdf", key="report.no_chromium", values={"chromium": chromium})
    with tempfile.TemporaryDirectory(prefix="simlib-chromium-") as profile, atomic_path(pdf_path) as tmp:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
               html_path.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or tmp.stat().st_size == 0:
            raise RuntimeError(f"chromium could not print {html_path}: {done.stderr.strip()[-400:]}")
    return pdf_path


def render_notebook(template: str | Path, parameters: Mapping[str, Any], out: str | Path,
                    formats: Sequence[str] = FORMATS, *, title: str = "", keep_notebook: bool = False,
                    cwd: Path | None = None, timeout: int = 600) -> Rendered:
    """Execute ``template`` with ``parameters`` and write ``out``.html and/or ``out``.pdf (``out`` without
    suffix, or with ``.html``/``.pdf``). The PDF is printed from the HTML. With ``keep_notebook`` the executed
    notebook is kept as ``out``.ipynb. Returns the paths and the seconds of each step."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError(field="--format", key="report.format", values={"formats": ", ".join(unknown) or "(none)"})
    out = Path(out)
    stem = out.with_suffix("") if out.suffix in (".html", ".pdf", ".ipynb") else out
    seconds: dict[str, float] = {}
    paths: dict[str, Path] = {}
    stem.parent.mkdir(parents=True, exist_ok=True)
    # the work folder sits beside the outputs, named as a temporary, so that the next run there removes what a
    # killed one left (simlib.files.leftover_parts)
    with tempfile.TemporaryDirectory(prefix=f".{stem.name}.work{PART}", dir=stem.parent) as work:
        t0 = time.perf_counter()
        executed = execute(template, parameters, Path(work) / "executed.ipynb", cwd=cwd, timeout=timeout)
        seconds["execute"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        body = to_html(executed, title)
        missing = images_without_alt(body)
        if missing:
            raise ValueError(f"{len(missing)} image(s) without alt text in the report, e.g. {missing[0]}")
        html_path = stem.with_name(stem.name + ".html")
        if "html" in formats:
            paths["html"] = write_atomic(html_path, body)
        seconds["html"] = time.perf_counter() - t0
        if "pdf" in formats:
            t0 = time.perf_counter()
            source = paths.get("html") or write_atomic(Path(work) / "report.html", body)
            paths["pdf"] = to_pdf(source, stem.with_name(stem.name + ".pdf"))
            seconds["pdf"] = time.perf_counter() - t0
        notebook = None
        if keep_notebook:
            notebook = stem.with_name(stem.name + ".ipynb")
            write_atomic(notebook, executed.read_bytes())
    return Rendered(paths, notebook, seconds)
