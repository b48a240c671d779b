"""simlib's public API: ``simlib.__all__`` is what the README's "Python API" table shows, and every name works."""

from __future__ import annotations

import re
from pathlib import Path

import simlib

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_api() -> set[str]:
    """The names in the first column of the README's "Python API" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Python API", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))


def test_the_readme_lists_exactly_the_exported_names() -> None:
    assert readme_api() == set(simlib.__all__)


def test_every_exported_name_resolves_to_what_its_package_defines() -> None:
    import importlib

    from simlib import _EXPORTS

    for name, module in _EXPORTS.items():
        assert getattr(simlib, name) is getattr(importlib.import_module(module), name), name
