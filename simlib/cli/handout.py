"""``simlib handout [--lang zh|en] [--format html|pdf] [--out PATH] [--cases N] [--seed N]``.

Executes the handout template (``notebooks/training/handout.ipynb``) with papermill and converts it with
nbconvert (no code shown) and Chromium (PDF): the rules walkthrough of the whole notice, the Chinese verbatim
beside the English, and a case sheet with answers — the ten cases the case exercises draw with the same seed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from simlib.cli import arguments
from simlib.errors import InputError
from simlib.i18n import t

FORMATS = ("html", "pdf")  # simlib.views.report.FORMATS (not imported here: it would slow every command's start)
TEMPLATE = Path("notebooks/training/handout.ipynb")
DEFAULT_OUT = Path("out/training")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("handout", help=t("training.ho.cli.help", "en"), description=t("training.ho.cli.help", "en"))
    p.add_argument("--format", action="append", choices=FORMATS, dest="formats", default=None,
                   help="html or pdf (repeatable; default: both)")
    p.add_argument("--out", type=arguments.out_path, default=DEFAULT_OUT,
                   help="the handout file (suffix replaced per format) or a folder (default: out/training/)")
    p.add_argument("--cases", type=arguments.positive_int, default=10, help="cases on the case sheet (default: 10)")
    p.add_argument("--seed", type=arguments.seed, default=2026,
                   help="the draw of the cases, as in the exercises (default: 2026)")
    p.add_argument("--sections", default="", help='walkthrough sections, e.g. "1,2,3" (default: the whole notice)')
    return p


def template() -> Path:
    """The handout template, here or in the checkout."""
    from simlib.scenario.presets import PROJECT_ROOT

    for root in (Path.cwd(), PROJECT_ROOT):
        if (root / TEMPLATE).is_file():
            return root / TEMPLATE
    raise InputError(source=str(TEMPLATE), key="cli.handout_template")


def out_stem(out: Path, lang: str) -> Path:
    """``out`` without its suffix, or ``out/handout-<lang>`` when ``out`` is a folder."""
    if out.is_dir() or not out.suffix:
        return out / f"handout-{lang}"
    return out.with_suffix("")


def run(args: argparse.Namespace, lang: str) -> int:
    """Write the handout in ``lang`` in each format asked for; print the paths."""
    from simlib.training.cases import bank
    from simlib.training.walkthrough import SECTIONS
    from simlib.views.report import render_notebook

    if not 1 <= args.cases <= len(bank().cases):
        raise InputError(field="--cases", key="arg.cases", values={"high": len(bank().cases), "value": args.cases})
    unknown = [s for s in args.sections.split(",") if s.strip() and s.strip() not in SECTIONS]
    if unknown:
        raise InputError(field="--sections", key="arg.sections",
                         values={"value": ", ".join(unknown)[:200], "choices": ", ".join(SECTIONS)})
    formats = tuple(dict.fromkeys(args.formats or FORMATS))
    stem = out_stem(args.out, lang)
    started = time.perf_counter()
    params = {"lang": lang, "n_cases": args.cases, "seed": args.seed, "sections": args.sections}
    rendered = render_notebook(template(), params, stem, formats, title=t("training.ho.title", lang))
    for fmt in formats:
        print(t("training.ho.cli.wrote", lang, fmt=fmt.upper(), path=rendered[fmt]))
    print(t("report.cli.time", lang, seconds=f"{time.perf_counter() - started:.1f}"))
    return 0
