"""Progress bars (tqdm.auto: a widget in notebooks, text in a terminal) that stay quiet in CI and pipes."""

from __future__ import annotations

import os
import sys
from typing import Any

from tqdm.auto import tqdm


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def progress_enabled(progress: bool | None = None) -> bool:
    """``progress`` if given; else on in a terminal or notebook, off when ``CI=true`` or output is piped."""
    if progress is not None:
        return progress
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return False
    return _in_notebook() or sys.stderr.isatty()


def progress_bar(total: int, *, initial: int = 0, desc: str = "replications", enabled: bool = True) -> Any:
    """A tqdm bar counting replications, showing done/total, rate and ETA."""
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit="rep",
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )
