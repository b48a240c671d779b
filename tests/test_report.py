"""The comparison report as a planner receives it: rendered from the template at a small size in both languages
(HTML and PDF), read back as HTML text, in a browser and through ``pdftotext``, and its numbers recomputed from
the pipeline for the same seeds. Also: ``papermill --help-notebook`` documents every template's parameters."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from statistics import mean
from typing import Any

import nbformat
import pytest
from browser import Requests, chromium, screenshot

from simlib.experiment import replication_seeds
from simlib.i18n import t
from simlib.pipeline import replication
from simlib.views.report import render_notebook
from simlib.views.sections import fmt, kpi_name
from simlib.views.study import resolve_study

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "reports" / "comparison.ipynb"
# Every notebook run with parameters by papermill for a reader: the report templates and the training handout.
TEMPLATES = sorted((ROOT / "notebooks" / "reports").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "training").glob("handout.ipynb"))
PAPERMILL = Path(sys.executable).parent / "papermill"
SMALL = {"scenario": "baseline", "compare": ["no_exit_control", "pre_notice"], "all_gaps": False, "reps": 2,
         "sets": {"organisation.cadres": 100, "calendar.years": 1}, "root_seed": 0, "executor": "serial"}
# The report's sections in the template's order (simlib/views/sections.py and report_charts.charts_html).
SECTIONS = ("summary", "kpis", "charts", "findings", "scenario", "method", "assumptions")
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Page(HTMLParser):
    """What the tests read from the report's HTML: headings, images, links, classes, and every table's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.classes: set[str] = set()
        self._text: list[str] | None = None
        self._heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.classes.update((a.get("class") or "").split())
        self.urls += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith(("data:", "#"))]
        if tag == "img":
            self.images.append(a)
        elif tag == "table":
            self.tables.append((a.get("class") or "", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th") and self.tables:
            self._text = []
        elif tag == "h2":
            self._heading, self._text = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._text is not None and self.tables and self.tables[-1][1]:
            self.tables[-1][1][-1].append("".join(self._text).strip())
            self._text = None
        elif tag == "h2" and self._heading:
            self.h2.append("".join(self._text or []).strip())
            self._heading, self._text = False, None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_as_a_planner_receives_it(lang: str, tmp_path: Path) -> None:
    """The template rendered once at a small size (HTML, PDF, the executed notebook kept), then each check
    below (one test, so that parallel workers do not render the same report twice)."""
    rendered = render_notebook(TEMPLATE, {**SMALL, "lang": lang}, tmp_path / "report", keep_notebook=True)
    html = rendered["html"].read_text(encoding="utf-8")
    report = {"lang": lang, "html": html, "page": _read(html), "pdf": rendered["pdf"], "notebook": rendered.notebook}
    _every_section_in_order_and_no_code(report)
    _images_have_alt_text_and_nothing_is_fetched(report, tmp_path)
    _pdf_has_every_section_with_chinese_glyphs_and_the_run_warned_nothing(report)
    _numbers_equal_the_pipeline_for_the_same_seeds(report)


def _every_section_in_order_and_no_code(report: dict[str, Any]) -> None:
    lang, html = report["lang"], report["html"]
    titles = [t(f"report.section.{s}", lang) for s in SECTIONS]
    assert [h for h in report["page"].h2 if h in titles] == titles
    assert not {"jp-InputArea", "jp-InputPrompt", "jp-CodeMirrorEditor"} & report["page"].classes
    template_code = "\n".join(c.source for c in nbformat.read(TEMPLATE, as_version=4).cells if c.cell_type == "code")
    for line in ("set_lang(lang)", "run_study(", "show_html(", "import "):
        assert line in template_code and line not in html, line


def _images_have_alt_text_and_nothing_is_fetched(report: dict[str, Any], tmp_path: Path) -> None:
    page, lang = report["page"], report["lang"]
    assert page.images, "the report has no charts"
    assert all((img.get("alt") or "").strip() for img in page.images), "an image without alt text"
    if lang == "zh":
        assert any(CJK.search(img["alt"] or "") for img in page.images), "alt text not in the report's language"
    assert page.urls == [], f"the report links or loads {page.urls[:3]}"
    with chromium() as browser:
        view = browser.new_page(viewport={"width": 1000, "height": 1400})
        requests = Requests(view)
        view.set_content(report["html"], wait_until="networkidle")
        assert requests.external == [] and requests.local == []
        screenshot(view, f"report-{lang}", tmp_path)


def _pdf_has_every_section_with_chinese_glyphs_and_the_run_warned_nothing(report: dict[str, Any]) -> None:
    lang, pdf = report["lang"], report["pdf"]
    assert shutil.which("pdftotext"), "poppler-utils missing: make sysdeps"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for section in SECTIONS:
        assert t(f"report.section.{section}", lang) in text, section
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    if lang == "zh":
        assert len(CJK.findall(text)) > 200 and "WenQuanYi" in fonts
    nb = nbformat.read(report["notebook"], as_version=4)
    stderr = [o.text for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert stderr == [], f"the run printed warnings (e.g. missing glyphs): {stderr[:2]}"


def _numbers_equal_the_pipeline_for_the_same_seeds(report: dict[str, Any]) -> None:
    """The baseline's mean findings per replication and one alternative's paired difference, recomputed
    replication by replication from :func:`simlib.pipeline.replication`, as the report shows them."""
    lang, page = report["lang"], report["page"]
    base, alts, _ = resolve_study(SMALL["scenario"], SMALL["compare"], sets=SMALL["sets"])
    alt = alts[0]
    seeds = replication_seeds(SMALL["root_seed"], SMALL["reps"])
    base_values = [replication(base.model_dump(mode="json"), s)["findings"] for s in seeds]
    alt_values = [replication(alt.model_dump(mode="json"), s)["findings"] for s in seeds]
    column = kpi_name("findings", lang)

    def cell(cls: str, row: str) -> str:
        for classes, rows in page.tables:
            columns = [i for i, h in enumerate(rows[0]) if h.startswith(column)]
            if cls in classes.split() and columns:
                return next(r[columns[0]] for r in rows[1:] if r[0] == row)
        raise AssertionError(f"no {cls} table with a {column} column")

    assert cell("simlib-levels", base.name).startswith(fmt(mean(base_values), "findings") + "[")
    diff = mean(a - b for a, b in zip(alt_values, base_values, strict=True))
    assert cell("simlib-differences", alt.name).startswith(fmt(diff, "findings", signed=True))
    assert str(seeds[0]) in report["html"], "the method section lists the seeds"


@pytest.mark.parametrize("template", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_help_notebook_lists_every_parameter_with_type_and_help(template: Path) -> None:
    cell = next(c for c in nbformat.read(template, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    declared = re.findall(r"^(\w+): ([\w\[\], |]+) = .+?  # (.+)$", cell.source, re.M)
    assert declared and any(name == "lang" for name, _, _ in declared)
    done = subprocess.run([str(PAPERMILL), "--help-notebook", str(template)], capture_output=True, text=True,
                          check=True)
    shown = " ".join(done.stdout.split())
    for name, kind, help_text in declared:
        assert f"{name}: {kind} (default" in shown, name
        assert " ".join(help_text.split()) in shown, f"{name}: help text missing"
