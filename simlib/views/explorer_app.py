"""The planners' explorer as an ipywidgets app: a preset menu, the world's size (cadres, years, replications),
the schema-generated form (:class:`~simlib.views.forms.ScenarioForm`) and the results of
:class:`simlib.experiment.Explorer` (warm pool, baseline kept, common random numbers).

A look runs on a background thread, so the form stays responsive; a change made while a look runs supersedes
it: the running look's result is discarded and the newest settings run next. A look after a change comes in two
steps (:meth:`simlib.experiment.Explorer.looks`): the tables on the first replications (two per worker) as soon
as they are done, the status line saying how many of how many it rests on, then the tables on all of them (the
same numbers as a one-shot run), then the charts. The output says how many replications and which interval
method, and shows the differences from the baseline first, then the levels.

    app = ExplorerApp("training/small", reps=10, lang="en")
    app.widget                         # display it in a notebook or Voilà
    look = app.look({"controls.private_custody.on": False})   # the same, synchronously
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from simlib.experiment import Exploration, Explorer, make_executor, replication_seeds
from simlib.experiment.explorer import ALTERNATIVE, BASELINE
from simlib.i18n import get_lang, t
from simlib.pipeline import HEADLINE_KPIS, Replication, replication, run_once
from simlib.pipeline.breakdowns import funnel_means
from simlib.scenario import Scenario, find_scenario, load_scenario, preset
from simlib.views.figures import funnel_plot
from simlib.views.forms import ScenarioForm, preset_options
from simlib.views.report import figure_html
from simlib.views.report_charts import Sample, custody_figure
from simlib.views.sections import E, ci, fmt, kpi_name, kpi_unit, method_text

APP_CLASS = "simlib-explorer"


def world_scenario(name: str, overrides: Mapping[str, Any], world: Mapping[str, Any]) -> Scenario:
    """Scenario ``name`` resized by ``world`` (cadres, years), then ``overrides``."""
    return load_scenario(find_scenario(name), {**world, **overrides})


def world_resolve(name: str, overrides: Mapping[str, Any], *, world: Mapping[str, Any]) -> tuple[str, dict, Any]:
    """The explorer's resolve: :func:`world_scenario` as the experiment layer wants it."""
    sc = world_scenario(name, overrides, world)
    return sc.name, sc.model_dump(mode="json"), replication


@dataclass(frozen=True)
class World:
    """What the baseline depends on: scenario, size, horizon, replications."""

    scenario: str
    cadres: int
    years: float
    reps: int

    @property
    def overrides(self) -> dict[str, Any]:
        return {"organisation.cadres": self.cadres, "calendar.years": self.years}


def differences_html(look: Exploration, lang: str, kpis: tuple[str, ...] = HEADLINE_KPIS) -> str:
    """The paired differences of a look: KPI, baseline, alternative, difference with CI (significant in bold)."""
    d = look.differences.set_index("kpi")
    head = "".join(f"<th>{E(t(f'planning.col.{c}', lang))}</th>" for c in ("kpi", "baseline", "value", "diff", "ci"))
    rows = []
    for k in kpis:
        if k not in d.index:
            continue
        r = d.loc[k]
        diff = E(fmt(r["diff"], k, signed=True))
        diff = f"<b>{diff}*</b>" if r["significant"] else diff
        rows.append(f"<tr><td>{E(kpi_name(k, lang))} <span style='color:#666'>({E(kpi_unit(k, lang))})</span></td>"
                    f"<td>{E(fmt(r['baseline_mean'], k))}</td><td>{E(fmt(r['mean'], k))}</td><td>{diff}</td>"
                    f"<td>{E(ci(r['ci_low'], r['ci_high'], k, signed=True))}</td></tr>")
    return (f'<table class="simlib-table simlib-explorer-differences"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def scenario_label(name: str, lang: str) -> str:
    """The explorer's two arms as the page names them (the baseline, the changed scenario)."""
    return t("planning.col.baseline" if name == BASELINE else "planning.col.value", lang)


def levels_html(look: Exploration, lang: str, kpis: tuple[str, ...] = HEADLINE_KPIS) -> str:
    """Each scenario's mean with its CI."""
    s = look.summary.set_index(["scenario", "kpi"])
    names = list(dict.fromkeys(look.summary["scenario"]))
    head = "".join(f"<th>{E(x)}</th>" for x in (t("planning.col.kpi", lang), *(scenario_label(n, lang) for n in names)))
    rows = []
    for k in kpis:
        cells = "".join(f"<td>{E(fmt(s.loc[(n, k), 'mean'], k))} "
                        f"<span style='color:#666'>{E(ci(s.loc[(n, k), 'ci_low'], s.loc[(n, k), 'ci_high'], k))}"
                        "</span></td>" for n in names if (n, k) in s.index)
        rows.append(f"<tr><td>{E(kpi_name(k, lang))}</td>{cells}</tr>")
    return (f'<table class="simlib-table simlib-explorer-levels"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def charts_html(look: Exploration, world: World, lang: str, root_seed: int = 0,
                baseline: Replication | None = None) -> str:
    """The flight funnel of both scenarios (mean per replication of the look) and their document hand-ins by
    year (one replication each, on the look's first seed), each with alt text and a caption saying so.
    ``baseline``: the baseline's replication on that seed when already run (it is the same for every look)."""
    labels = {name: scenario_label(name, lang) for name in (BASELINE, ALTERNATIVE)}
    funnel = funnel_means(look.table).replace({"scenario": labels})
    out = figure_html(funnel_plot(funnel, lang=lang, note=t("fig.mean_reps", lang, reps=world.reps)),
                      caption=f"{t('fig.slot.funnel', lang)} — {t('fig.basis.means', lang, reps=world.reps)}")
    base = baseline or baseline_sample(world, root_seed)
    alt = (base if not look.overrides
           else run_once(world_scenario(world.scenario, look.overrides, world.overrides), base.seed))
    sample = Sample(base.seed, {labels[BASELINE]: base, labels[ALTERNATIVE]: alt})
    basis = t("fig.basis.one_rep", lang, seed=sample.seed, names=("、" if lang == "zh" else ", ").join(sample.runs))
    return out + figure_html(custody_figure(sample, lang), caption=f"{t('fig.slot.custody', lang)} — {basis}")


def baseline_sample(world: World, root_seed: int = 0) -> Replication:
    """The baseline's replication on the first seed, whose document hand-ins the charts show."""
    return run_once(world_scenario(world.scenario, {}, world.overrides), replication_seeds(root_seed, 1)[0])


def method_line(look: Exploration, reps: int, lang: str) -> str:
    """How many replications and which interval method (no timings: the same text on every run)."""
    method = str(look.differences["method"].iloc[0]) if len(look.differences) else ""
    return t("planning.status.method", lang, reps=reps, method=method_text(method, lang), changes=len(look.overrides))


def status_text(look: Exploration, reps: int, lang: str, round_trip: float | None = None) -> str:
    """How many replications, which interval methods, how long; for an early look (on fewer than ``reps``
    replications), how many of how many and that the rest are on their way."""
    method = str(look.differences["method"].iloc[0]) if len(look.differences) else ""
    if look.reps < reps:
        text = t("planning.status.partial", lang, done=look.reps, reps=reps, method=method_text(method, lang),
                 changes=len(look.overrides), seconds=f"{look.seconds:.2f}")
    else:
        text = t("planning.status.done", lang, reps=reps, method=method_text(method, lang),
                 changes=len(look.overrides), seconds=f"{look.seconds:.2f}")
    if round_trip is not None:
        text += " " + t("planning.status.round_trip", lang, seconds=f"{round_trip:.2f}")
    return text


class ExplorerApp:
    """The explorer's widgets and the controller that runs looks off the widget thread (see module doc)."""

    def __init__(self, scenario: str = "training/small", *, reps: int = 10, cadres: int | None = None,
                 years: float | None = None, executor: str = "processes", workers: int | None = None,
                 root_seed: int = 0, lang: str | None = None, auto: bool = True, early: int | None = None) -> None:
        """``early``: replications of a look's first step after a change (default two per worker; 0: one step)."""
        import ipywidgets as w

        self.lang = lang or get_lang()
        self.root_seed = root_seed
        base = load_scenario(find_scenario(scenario))
        self._executor = make_executor(executor, workers=workers)
        self._explorers: dict[World, Explorer] = {}
        self._baselines: dict[World, Replication] = {}  # the charts' baseline replication of each world
        self.early = 2 * self._executor.workers if early is None else early
        self._lock = threading.Condition()
        self._pending: tuple[int, World, dict[str, Any], float] | None = None
        self._generation = 0
        self._busy = False
        self._closed = False
        self.last: Exploration | None = None
        self.last_round_trip: float | None = None  # from the change to the tables on all replications
        self.first_round_trip: float | None = None  # from the change to the first tables shown (early or all)
        self.superseded = 0
        self.error: str | None = None

        def L(key: str, **values: Any) -> str:
            return t(key, self.lang, **values)

        self.preset = w.Dropdown(options=preset_options(self.lang), value="baseline",
                                 description=L("planning.world.preset"), style={"description_width": "initial"},
                                 layout=w.Layout(width="640px"))
        self.cadres = w.BoundedIntText(value=int(cadres or base.organisation.cadres), min=20, max=20_000, step=50,
                                       description=L("planning.world.cadres"), style={"description_width": "initial"})
        self.years = w.BoundedFloatText(value=float(years or base.calendar.years), min=0.25, max=20, step=0.25,
                                        description=L("planning.world.years"), style={"description_width": "initial"})
        self.reps = w.BoundedIntText(value=reps, min=2, max=200, description=L("planning.world.reps"),
                                     style={"description_width": "initial"})
        self.scenario_name = scenario
        self.form = ScenarioForm(base, self.lang)
        self.run_button = w.Button(description=L("planning.world.run"), button_style="primary")
        self.status = w.HTML(L("planning.status.idle"))
        self.differences = w.HTML()
        self.levels = w.HTML()
        self.charts = w.HTML()
        for widget, cls in ((self.preset, "simlib-preset"), (self.cadres, "simlib-world-cadres"),
                            (self.years, "simlib-world-years"), (self.reps, "simlib-world-reps"),
                            (self.run_button, "simlib-run"), (self.status, "simlib-status"),
                            (self.differences, "simlib-differences"), (self.levels, "simlib-levels"),
                            (self.charts, "simlib-charts")):
            widget.add_class(cls)
        self.auto = auto
        self.preset.observe(self._preset_changed, names="value")
        for widget in (self.cadres, self.years, self.reps):
            widget.observe(lambda _change: self._changed(), names="value")
        self.form.on_change(lambda _overrides: self._changed())
        self.run_button.on_click(lambda _button: self.request())
        world = w.HBox([self.cadres, self.years, self.reps, self.run_button])
        results = w.VBox([self.status, w.HTML(f"<h4>{E(L('planning.results.differences'))}</h4>"), self.differences,
                          w.HTML(f"<h4>{E(L('planning.results.levels'))}</h4>"), self.levels, self.charts])
        self.widget = w.VBox([self.preset, world, results, w.HTML(f"<h4>{E(L('planning.results.form'))}</h4>"),
                              self.form.widget])
        self.widget.add_class(APP_CLASS)
        self._thread = threading.Thread(target=self._worker, name="simlib-explorer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ settings

    def world(self) -> World:
        return World(self.scenario_name, int(self.cadres.value), float(self.years.value), int(self.reps.value))

    def explorer(self, world: World) -> Explorer:
        """The Explorer of ``world`` (kept, with its baseline; all share one warm executor)."""
        ex = self._explorers.get(world)
        if ex is None:
            ex = Explorer(world.scenario, reps=world.reps, root_seed=self.root_seed, executor=self._executor,
                          kpis=list(HEADLINE_KPIS), resolve=partial(world_resolve, world=world.overrides))
            self._explorers[world] = ex
        return ex

    def select(self, name: str) -> dict[str, Any]:
        """Choose a preset in the menu and set the form from it without starting a look; returns the
        overrides (then :meth:`look` runs it on this thread)."""
        auto, self.auto = self.auto, False
        try:
            self.preset.value = name
            self.form.apply_preset(preset(name))
        finally:
            self.auto = auto
        return self.form.overrides()

    def _preset_changed(self, change: Any) -> None:
        self.form.apply_preset(preset(change["new"]))  # notifies once: one look

    def _changed(self) -> None:
        if self.auto:
            self.request()

    # ------------------------------------------------------------------ looks

    def look(self, overrides: Mapping[str, Any] | None = None, world: World | None = None) -> Exploration:
        """Run one look now (on this thread) and show it; ``overrides`` default to the form's."""
        started = time.perf_counter()
        world = world or self.world()
        look = self.explorer(world).run(dict(self.form.overrides() if overrides is None else overrides))
        self._show(look, world, time.perf_counter() - started)
        return look

    def request(self, overrides: Mapping[str, Any] | None = None) -> int:
        """Queue a look with the current settings (or ``overrides``) for the background thread; a newer request
        supersedes an older one still running or waiting. Returns its generation."""
        with self._lock:
            self._generation += 1
            self._pending = (self._generation, self.world(),
                             dict(self.form.overrides() if overrides is None else overrides), time.perf_counter())
            self._lock.notify_all()
            generation = self._generation
        self.status.value = t("planning.status.running", self.lang, reps=self.reps.value)
        return generation

    def wait(self, timeout: float = 120.0) -> Exploration | None:
        """Block until no look is running or waiting (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while (self._busy or self._pending is not None) and time.monotonic() < deadline:
                self._lock.wait(0.05)
        return self.last

    def _worker(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                generation, world, overrides, asked = self._pending  # type: ignore[misc]
                self._pending = None
                self._busy = True
            try:
                self._answer(generation, world, overrides, asked)
            except Exception as exc:  # shown in the status line; the form stays usable
                if self._current(generation):
                    self.error = str(exc)
                    message = E(t("planning.status.error", self.lang, error=self.error))
                    self.status.value = f"<span style='color:#b00'>{message}</span>"
            with self._lock:
                self._busy = False
                self._lock.notify_all()

    def _current(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def _answer(self, generation: int, world: World, overrides: dict[str, Any], asked: float) -> None:
        """The look of one request in its steps, each shown as it comes, then the charts; stops as soon as a
        newer request supersedes it (its steps not yet run never run)."""
        steps = self.explorer(world).looks(overrides, first=self.early or world.reps)
        for step, look in enumerate(steps):
            if not self._current(generation):
                steps.close()
                self.superseded += 1  # a newer change is waiting: its look replaces this one
                return
            round_trip = time.perf_counter() - asked
            if step == 0:
                self.first_round_trip = round_trip
            self._tables(look, world, round_trip)
        if self._current(generation):
            self._charts(look, world)

    def _tables(self, look: Exploration, world: World, round_trip: float) -> None:
        self.last, self.error = look, None
        if look.reps >= world.reps:
            self.last_round_trip = round_trip
        self.differences.value = differences_html(look, self.lang)
        self.levels.value = levels_html(look, self.lang)
        self.status.value = E(status_text(look, world.reps, self.lang, round_trip))

    def _charts(self, look: Exploration, world: World) -> None:
        if world not in self._baselines:
            self._baselines[world] = baseline_sample(world, self.root_seed)
        self.charts.value = charts_html(look, world, self.lang, self.root_seed, self._baselines[world])

    def _show(self, look: Exploration, world: World, round_trip: float) -> None:
        self.first_round_trip = round_trip
        self._tables(look, world, round_trip)
        self._charts(look, world)  # after the numbers are shown

    def close(self) -> None:
        """Stop the background thread and the workers."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._thread.join(timeout=5)
        self._executor.close()

    def __enter__(self) -> ExplorerApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
