"""The readable form of a ``run_benchmarks`` result, in Chinese or English (strings in messages/bench.yaml)."""

from __future__ import annotations

from typing import Any

from simlib.i18n import pad, t

WIDTH = 44  # cells of the target column


def _n(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators, or a dash when there is none."""
    return "—" if value is None else f"{value:,.{digits}f}"


def _number(value: float | None) -> str:
    """A target's value or limit: whole numbers from 100 up, three decimals below."""
    return _n(value, 0 if value is not None and abs(value) >= 100 else 3)


def _model(f: dict[str, Any], lang: str) -> list[str]:
    m, b = f["model"], f["bare"]
    return [
        t("bench.model.head", lang, cadres=_n(f["cadres"]), years=_n(f["years"], 1), trips=_n(f["trips"]),
          desks=f["approval_desks"], reviewers=f["reviewers"]),
        t("bench.model.model", lang, s=_n(m["simulate_s"], 2), cpu=_n(m["simulate_cpu_s"], 2),
          rate=_n(m["trips_per_s"]), simpy=_n(m["simpy_events_per_s"]), log=_n(m["log_s"], 2),
          rss=_n(m["peak_rss_mb"])),
        t("bench.model.bare", lang, s=_n(b["seconds"], 2), cpu=_n(b["cpu_seconds"], 2), rate=_n(b["trips_per_s"]),
          simpy=_n(b["simpy_events_per_s"]), done=_n(b["completed"])),
        t("bench.model.ratio", lang, ratio=_n(f["ratio"], 3), cpu=_n(f["ratio_cpu"], 3)),
    ]


def _scale(f: dict[str, Any], lang: str) -> list[str]:
    lines = [t("bench.scale.head", lang)]
    for r in f["sizes"]:
        where = t("bench.scale.size", lang, cadres=_n(r["cadres"]), years=_n(r["years"], 1))
        if "error" in r:
            lines.append(f"{where}: {t('bench.error', lang, error=r['error'])}")
            continue
        lines.append(f"{where}: " + t(
            "bench.scale.row", lang, s=_n(r["seconds"], 2), cpu=_n(r["cpu_seconds"], 2), init=_n(r["init_s"], 2),
            sim=_n(r["simulate_s"], 2), log=_n(r["log_s"], 2), audit=_n(r["audit_s"], 2), events=_n(r["events"]),
            rss=_n(r["peak_rss_mb"]), growth=_n(r["rss_growth_mb"])))
    lines.append(t("bench.scale.slopes", lang, time=_n(f["time_slope"], 2), memory=_n(f["memory_slope"], 2)))
    return lines


def _audit(f: dict[str, Any], lang: str) -> list[str]:
    return [t("bench.audit.row", lang, events=_n(f["events"]), gen=_n(f["generate_s"], 1), s=_n(f["seconds"], 2),
              cpu=_n(f["cpu_seconds"], 2), rate=_n(f["events_per_s"]), findings=_n(f["findings"]),
              checks=f["checks"])]


def _explorer(f: dict[str, Any], lang: str) -> list[str]:
    return [t("bench.explorer.row", lang, scenario=f["scenario"], reps=f["reps"], create=_n(f["create_s"], 2),
              first=_n(f["first_s"], 2), s=_n(f["seconds"], 2), cpu=_n(f["cpu_seconds"], 2)),
            t("bench.explorer.widget", lang, reps=f["widget_reps"], first=_n(f["widget_first_s"], 2),
              n=f["widget_changes"], early_reps=f["widget_early_reps"], early=_n(f["widget_early_median_s"], 2),
              early_max=_n(f["widget_early_max_s"], 2), median=_n(f["widget_median_s"], 2),
              max=_n(f["widget_max_s"], 2), charts=_n(f["widget_charts_median_s"], 2),
              cpu=_n(f["widget_driver_cpu_median_s"], 2))]


def _queue(f: dict[str, Any], lang: str) -> list[str]:
    lines = [t("bench.queue.head", lang, customers=_n(f["customers"]), reps=f["replications"], servers=f["servers"],
               expected=_n(f["erlang_c_time_in_system"], 3))]
    for name, who in (("simpy", "SimPy ApprovalDesk"), ("ciw", "Ciw")):
        if name in f:
            q = f[name]
            lines.append(t("bench.queue.side", lang, who=who, served=_n(q["served"]), rate=_n(q["customers_per_s"]),
                           cpu=_n(q["cpu_seconds"], 2), mean=_n(q["mean_time_in_system"], 3),
                           se=_n(q["standard_error"], 3), t=_n(q["t"], 2)))
    if not f["ciw_available"]:
        return [*lines, t("bench.queue.no_ciw", lang, reason=f["reason"])]
    agree = "bench.queue.agree" if f["agree"] else "bench.queue.disagree"
    return [*lines, t(agree, lang, t=_n(f["t_max"], 2), d=_n(f["t_difference"], 2))]


def _startup(f: dict[str, Any], lang: str) -> list[str]:
    load = f["load_average"]
    lines = [t("bench.startup.head", lang, runs=f["runs"], events=f["log_events"],
               start=" ".join(f"{v:.2f}" for v in load["start"]), end=" ".join(f"{v:.2f}" for v in load["end"]))]
    for row in f["commands"].values():
        if "error" in row:
            lines.append(f"{row['command']}: {t('bench.error', lang, error=row['error'])}")
            continue
        lines.append(t("bench.startup.row", lang, command=row["command"], median=_n(row["median_s"], 2),
                       min=_n(row["min_s"], 2), max=_n(row["max_s"], 2), cpu=_n(row["cpu_median_s"], 2)))
    k = f["kernel"]
    if k["runs"]:
        lines.append(t("bench.startup.kernel", lang, notebook=k["notebook"], runs=k["runs"], cell=k["cell"],
                       ready=_n(k["kernel_ready_median_s"], 2), median=_n(k["first_chart_median_s"], 2),
                       min=_n(k["first_chart_min_s"], 2), max=_n(k["first_chart_max_s"], 2),
                       look=_n(k["first_look_median_s"], 2)))
    return lines


DETAILS = {"model": _model, "scale": _scale, "audit": _audit, "explorer": _explorer, "queue": _queue,
           "startup": _startup}


def _target_line(target: dict[str, Any], lang: str) -> str:
    met = {True: "bench.met.yes", False: "bench.met.no", None: "bench.met.unknown"}[target["met"]]
    met = "bench.met.quick" if target.get("quick") else met
    value = target["value"]
    limit = f"{target['op']} {_number(target['limit'])} {target['unit']}"
    return f"  {pad(t('bench.target.' + target['key'], lang), WIDTH)}{_number(value):>14}  {limit:<22}{t(met, lang)}"


def render(results: dict[str, Any], lang: str) -> str:
    """Machine facts, each figure's details, then every target with its value and whether it is met."""
    mc = results["machine"]
    lines = [
        t("bench.title.quick" if results["quick"] else "bench.title", lang),
        t("bench.machine", lang, cores=mc["cores"], cpu=mc["cpu"], python=mc["python"], simpy=mc["simpy"],
          ciw=mc["ciw"] or "—", start=" ".join(f"{v:.2f}" for v in mc["load_average"]),
          end=" ".join(f"{v:.2f}" for v in results["load_average_end"])),
    ]
    for name, figure in results["figures"].items():
        lines += ["", t(f"bench.figure.{name}", lang) + t("bench.took", lang, s=_n(figure["took_s"], 1))]
        lines += [f"  {line}" for line in DETAILS[name](figure, lang)]
    lines += ["", t("bench.targets", lang)]
    lines += [_target_line(tg, lang) for figure in results["figures"].values() for tg in figure["targets"]]
    return "\n".join(lines)
