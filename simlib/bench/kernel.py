"""Part of figure 6 (start-up): from a kernel's start to the explorer notebook's first chart.

A fresh Python kernel (``jupyter_client``, the environment's own ``python3`` kernel) runs the code cells of
``notebooks/planning/explorer.ipynb`` in order, with its stored parameters, until a cell shows a chart (an image
in its output); the time runs from asking for the kernel to that chart. That is what a planner waits for after
opening the notebook: the kernel, the imports, the worker pool, the first replications of both scenarios and
the first chart — the flight funnel of the early look, whose caption says on how many replications it rests
(:meth:`simlib.views.explorer_app.ExplorerApp.show`). The same cell then replaces it with the look on all
replications and both charts: the time to that cell's reply is reported too (``first_look``). Each run is a new
kernel; the median of ``runs`` is reported.
"""

from __future__ import annotations

import time
from pathlib import Path
from statistics import median
from typing import Any

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "planning" / "explorer.ipynb"
TARGET_S = 3.0


def _shows_chart(message: dict[str, Any]) -> bool:
    """Whether an output message carries an image (PNG/SVG, or an ``<img>`` in HTML)."""
    data = message.get("content", {}).get("data", {})
    return "image/png" in data or "image/svg+xml" in data or "<img" in str(data.get("text/html", ""))


def first_chart(notebook: Path = NOTEBOOK, timeout: float = 600.0) -> dict[str, float | int]:
    """One fresh kernel: seconds to the kernel ready, to the first chart shown, and to the reply of the cell
    that showed it (and which code cell that was)."""
    import nbformat
    from jupyter_client.manager import start_new_kernel

    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(notebook.parent))
    ready = time.perf_counter() - started
    try:
        for number, source in enumerate(cells, 1):
            charts: list[float] = []

            def seen(msg: dict[str, Any], charts: list[float] = charts) -> None:
                if _shows_chart(msg):
                    charts.append(time.perf_counter() - started)

            reply = client.execute_interactive(source, timeout=timeout, output_hook=seen)
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise RuntimeError(f"cell {number} of {notebook.name}: {content.get('ename')}: {content.get('evalue')}")
            if charts:
                return {"kernel_ready_s": ready, "first_chart_s": charts[0],
                        "first_look_s": time.perf_counter() - started, "cell": number}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    raise RuntimeError(f"{notebook.name} shows no chart")


def kernel_to_first_chart(runs: int, notebook: Path = NOTEBOOK) -> dict[str, Any]:
    """The median of ``runs`` fresh kernels (:func:`first_chart`); ``{"runs": 0}`` when ``runs`` is 0."""
    if runs < 1:
        return {"runs": 0, "notebook": notebook.name}
    done = [first_chart(notebook) for _ in range(runs)]
    return {"runs": runs, "notebook": notebook.name, "cell": done[0]["cell"],
            "kernel_ready_median_s": median(d["kernel_ready_s"] for d in done),
            "first_chart_median_s": median(d["first_chart_s"] for d in done),
            "first_chart_min_s": min(d["first_chart_s"] for d in done),
            "first_chart_max_s": max(d["first_chart_s"] for d in done),
            "first_look_median_s": median(d["first_look_s"] for d in done)}
