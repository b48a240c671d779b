import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from simlib.i18n import get_lang, set_lang

sys.path.insert(0, str(Path(__file__).parent))

# CI explores the same examples on every run (a red build must be reproducible); set HYPOTHESIS_PROFILE=explore
# to draw fresh examples locally.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _keep_lang() -> Iterator[None]:
    """``simlib.cli.main`` and the views set the language for the process: put it back for the next test."""
    before = get_lang()
    yield
    set_lang(before)
