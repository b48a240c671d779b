"""``simlib vocab [--out FILE]``: write the vocabulary reference (docs/event-vocabulary.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simlib.files import write_atomic
from simlib.i18n import t
from simlib.log.vocabdoc import vocabulary_markdown

DEFAULT = Path("docs/event-vocabulary.md")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("vocab", help="generate the event-log vocabulary reference (Markdown)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT, help=f"output file, '-' for stdout (default: {DEFAULT})"
    )
    return p


def run(args: argparse.Namespace, lang: str) -> int:
    text = vocabulary_markdown()
    if str(args.out) == "-":
        print(text, end="")
        return 0
    write_atomic(args.out, text)
    print(t("cli.wrote", lang, path=args.out))
    return 0
