"""Figures of experiment results (matplotlib): the tornado chart of a one-at-a-time sensitivity analysis."""

from __future__ import annotations

from typing import Any

from simlib.experiment.sensitivity import SensitivityResult


def tornado_plot(result: SensitivityResult, kpi: str, *, ax: Any = None, top: int | None = None) -> Any:
    """Horizontal bars of each parameter's effect on ``kpi`` at the low and high end, with paired CIs.

    The most influential parameter is on top; the bars are differences from the baseline mean, so 0 is the
    baseline. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if result.method != "oat":
        raise ValueError(f"a tornado chart needs a one-at-a-time result, not {result.method!r}")
    rows = result.table[result.table["kpi"] == kpi].sort_values("rank")
    if rows.empty:
        raise ValueError(f"no KPI {kpi!r} in this result")
    rows = rows.head(top) if top else rows
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.2))
    y = list(range(len(rows)))[::-1]
    for end, colour, shift in (("low", "tab:blue", 0.2), ("high", "tab:orange", -0.2)):
        diff = rows[f"diff_{end}"].to_numpy()
        err = [diff - rows[f"{end}_ci_low"].to_numpy(), rows[f"{end}_ci_high"].to_numpy() - diff]
        pos = [v + shift for v in y]
        ax.barh(pos, diff, height=0.4, color=colour, alpha=0.85, label=f"{end} end of the range")
        ax.errorbar(diff, pos, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
    labels = [
        f"{p}\n[{lo:g} – {hi:g}]"
        for p, lo, hi in zip(rows["parameter"], rows["low"], rows["high"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"difference in {kpi} from the baseline mean ({rows['baseline_mean'].iloc[0]:.4g})")
    ax.set_title(
        f"{kpi}: one-at-a-time sensitivity; whiskers: {result.confidence:.0%} paired t-interval",
        fontsize="medium",
    )
    ax.legend(loc="best", fontsize="small")
    return ax
