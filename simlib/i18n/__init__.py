"""The bilingual catalogue: every string shown to people, in Chinese and English, and the one ``lang`` setting.

Messages live in ``simlib/i18n/messages/*.yaml`` as ``key: {zh: ..., en: ...}``; a key appears once across
all files. ``t("audit.summary.title")`` renders in the current language; ``t(key, lang="en")`` in another.
"""

from __future__ import annotations

import os
import unicodedata
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
_state: dict[str, Lang] = {"lang": "zh" if os.environ.get("SIMLIB_LANG", "zh") == "zh" else "en"}


def set_lang(lang: str) -> None:
    """Set the language used when none is given (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    _state["lang"] = lang  # type: ignore[assignment]


def get_lang() -> Lang:
    return _state["lang"]


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, merged from the catalogue files (read on first use); a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("simlib.i18n").joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}  # libyaml: 10× faster
        for key, texts in data.items():
            if key in merged:
                raise KeyError(f"message {key!r} defined twice ({entry.name})")
            merged[key] = texts
    return merged


def t(key: str, lang: str | None = None, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``values``."""
    lang = lang or get_lang()
    try:
        template = catalogue()[key][lang]
    except KeyError:
        raise KeyError(f"no {lang} message for {key!r}") from None
    return template.format(**values) if values else template


def has(key: str) -> bool:
    return key in catalogue()


def pad(text: str, width: int) -> str:
    """Left-justify ``text`` to ``width`` terminal columns (a Chinese character takes two)."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cols)
