"""The planners' explorer as an ipywidgets app: a preset menu, the world's size (cadres, years, replications),
the schema-generated form (:class:`~simlib.views.forms.ScenarioForm`) and the results of
:class:`simlib.experiment.Explorer` (warm pool, baseline kept, common random numbers).

A look runs on a background thread, so the form stays responsive; a change made while a look runs supersedes
it: the running look's result is discarded and the newest settings run next. A look after a change comes in two
steps (:meth:`simlib.experiment.Explorer.looks`): the tables on the first replications (two per worker) as soon
as they are done, the status line saying how many of how many it rests on, then the tables on all of them (the
same numbers as a one-shot run), then the charts. The output says how many replications and which interval
method, and shows the differences from the baseline first, then the levels.

Start-up, for the notebook's first chart: the app starts its workers as it is created, and they import the model
(:data:`WORKER_MODULES`) while this process imports pandas, scipy and matplotlib — which is why this module
imports those inside its functions. Given ``first_look`` (a preset), the app also starts that look at once, on a
thread of its own, while it builds its widgets; :meth:`ExplorerApp.show` then shows it. The first look runs both
scenarios' replications together, step by step, and the charts' replications (one per scenario, on the first
seed) run on the workers too.

    app = ExplorerApp("training/small", reps=10, lang="en", first_look="no_private_custody")
    app.widget                         # display it in a notebook or Voilà
    app.show("no_private_custody")     # that look in the cell: the early look with its funnel, then all of it
    look = app.look({"controls.private_custody.on": False})   # a look, synchronously
"""

from __future__ import annotations

import importlib
import queue
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from simlib.experiment.executors import make_executor
from simlib.i18n import get_lang, t

if TYPE_CHECKING:
    from simlib.experiment import Exploration, Explorer
    from simlib.pipeline import Replication
    from simlib.scenario import Scenario
    from simlib.views.forms import ScenarioForm

APP_CLASS = "simlib-explorer"
WORKER_MODULES = ("simlib.pipeline.replication",)  # the workers import it as they start: the replication function's
Samples = tuple[Future["Replication"], Future["Replication"]]  # the charts' replications: the baseline's, the look's


def world_scenario(name: str, overrides: Mapping[str, Any], world: Mapping[str, Any]) -> Scenario:
    """Scenario ``name`` resized by ``world`` (cadres, years), then ``overrides``."""
    from simlib.scenario import find_scenario, load_scenario

    return load_scenario(find_scenario(name), {**world, **overrides})


def world_resolve(name: str, overrides: Mapping[str, Any], *, world: Mapping[str, Any]) -> tuple[str, dict, Any]:
    """The explorer's resolve: :func:`world_scenario` as the experiment layer wants it."""
    from simlib.pipeline import replication

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


def preset_overrides(base: Scenario, name: str) -> dict[str, Any]:
    """The overrides of preset ``name`` on ``base``: its values that differ from the scenario's (what the form
    gives once the preset is chosen, :meth:`simlib.views.forms.ScenarioForm.apply_preset`), without the form."""
    from simlib.scenario import preset
    from simlib.scenario.overrides import get_path

    data = base.model_dump(mode="json")
    return {p: v for p, v in preset(name).overrides.items() if get_path(data, p) != v}


def _headline(kpis: tuple[str, ...] | None) -> tuple[str, ...]:
    from simlib.pipeline import HEADLINE_KPIS

    return HEADLINE_KPIS if kpis is None else kpis


def differences_html(look: Exploration, lang: str, kpis: tuple[str, ...] | None = None) -> str:
    """The paired differences of a look: KPI, baseline, alternative, difference with CI (significant in bold);
    ``kpis`` default to the headline KPIs."""
    from simlib.views.sections import E, ci, fmt, kpi_name, kpi_unit

    d = look.differences.set_index("kpi")
    head = "".join(f"<th>{E(t(f'planning.col.{c}', lang))}</th>" for c in ("kpi", "baseline", "value", "diff", "ci"))
    rows = []
    for k in _headline(kpis):
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
    from simlib.experiment.explorer import BASELINE

    return t("planning.col.baseline" if name == BASELINE else "planning.col.value", lang)


def levels_html(look: Exploration, lang: str, kpis: tuple[str, ...] | None = None) -> str:
    """Each scenario's mean with its CI; ``kpis`` default to the headline KPIs."""
    from simlib.views.sections import E, ci, fmt, kpi_name

    s = look.summary.set_index(["scenario", "kpi"])
    names = list(dict.fromkeys(look.summary["scenario"]))
    head = "".join(f"<th>{E(x)}</th>" for x in (t("planning.col.kpi", lang), *(scenario_label(n, lang) for n in names)))
    rows = []
    for k in _headline(kpis):
        cells = "".join(f"<td>{E(fmt(s.loc[(n, k), 'mean'], k))} "
                        f"<span style='color:#666'>{E(ci(s.loc[(n, k), 'ci_low'], s.loc[(n, k), 'ci_high'], k))}"
                        "</span></td>" for n in names if (n, k) in s.index)
        rows.append(f"<tr><td>{E(kpi_name(k, lang))}</td>{cells}</tr>")
    return (f'<table class="simlib-table simlib-explorer-levels"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def funnel_html(look: Exploration, world: World, lang: str) -> str:
    """The flight funnel of both scenarios, the mean per replication of the look, with alt text and a caption
    saying how many replications it rests on (for an early look: how many of how many, the rest to come)."""
    from simlib.experiment.explorer import ALTERNATIVE, BASELINE
    from simlib.pipeline.breakdowns import funnel_means
    from simlib.views.figures import funnel_plot
    from simlib.views.report import figure_html

    labels = {name: scenario_label(name, lang) for name in (BASELINE, ALTERNATIVE)}
    funnel = funnel_means(look.table).replace({"scenario": labels})
    basis = (t("fig.basis.means", lang, reps=world.reps) if look.reps >= world.reps
             else t("fig.basis.means_early", lang, done=look.reps, reps=world.reps))
    return figure_html(funnel_plot(funnel, lang=lang, note=t("fig.mean_reps", lang, reps=look.reps)),
                       caption=f"{t('fig.slot.funnel', lang)} — {basis}")


def custody_html(base: Replication, alt: Replication, lang: str) -> str:
    """The document hand-ins by year of one replication of each scenario (the same seed), with alt text and a
    caption saying so."""
    from simlib.experiment.explorer import ALTERNATIVE, BASELINE
    from simlib.views.report import figure_html
    from simlib.views.report_charts import Sample, custody_figure

    sample = Sample(base.seed, {scenario_label(BASELINE, lang): base, scenario_label(ALTERNATIVE, lang): alt})
    basis = t("fig.basis.one_rep", lang, seed=sample.seed, names=("、" if lang == "zh" else ", ").join(sample.runs))
    return figure_html(custody_figure(sample, lang), caption=f"{t('fig.slot.custody', lang)} — {basis}")


def sample_seed(root_seed: int = 0) -> int:
    """The seed of the charts' replications: the looks' first."""
    from simlib.model.streams import replication_seeds

    return replication_seeds(root_seed, 1)[0]


def method_line(look: Exploration, reps: int, lang: str) -> str:
    """How many replications and which interval method (no timings: the same text on every run)."""
    from simlib.views.sections import method_text

    method = str(look.differences["method"].iloc[0]) if len(look.differences) else ""
    return t("planning.status.method", lang, reps=reps, method=method_text(method, lang), changes=len(look.overrides))


def status_text(look: Exploration, reps: int, lang: str, round_trip: float | None = None) -> str:
    """How many replications, which interval methods, how long; for an early look (on fewer than ``reps``
    replications), how many of how many and that the rest are on their way."""
    from simlib.views.sections import method_text

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
                 root_seed: int = 0, lang: str | None = None, auto: bool = True, early: int | None = None,
                 first_look: str | None = None) -> None:
        """``early``: replications of a look's first step after a change (default two per worker; 0: one step).
        The executor's workers start at once (:meth:`~simlib.experiment.executors.Executor.warm`); the look of
        preset ``first_look``, when given, too (:meth:`show` shows it)."""
        self._executor = make_executor(executor, workers=workers)
        self._executor.warm(WORKER_MODULES)  # before the imports below, which then overlap with the workers'
        self.lang = lang or get_lang()
        self.root_seed = root_seed
        self.scenario_name = scenario
        self._explorers: dict[World, Explorer] = {}
        self._baselines: dict[World, Future[Replication]] = {}  # the charts' baseline replication of each world
        self._making = threading.Lock()  # explorers and samples are made by one thread at a time
        self.early = 2 * self._executor.workers if early is None else early
        self._first: tuple[str, queue.Queue] | None = None
        if first_look is not None:
            self._first = (first_look, queue.Queue())
            prepared = threading.Event()
            threading.Thread(target=self._first_look, args=(first_look, cadres, years, reps, self._first[1], prepared),
                             name="simlib-explorer-first", daemon=True).start()
            prepared.wait(timeout=60)  # its imports go first, so that its replications reach the workers as they start
        import ipywidgets as w

        from simlib.scenario import find_scenario, load_scenario
        from simlib.views.forms import preset_options
        from simlib.views.sections import E

        self._base = base = load_scenario(find_scenario(scenario))
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
        self._form: ScenarioForm | None = None
        self._form_box = w.VBox()
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
        self.run_button.on_click(lambda _button: self.request())
        world = w.HBox([self.cadres, self.years, self.reps, self.run_button])
        results = w.VBox([self.status, w.HTML(f"<h4>{E(L('planning.results.differences'))}</h4>"), self.differences,
                          w.HTML(f"<h4>{E(L('planning.results.levels'))}</h4>"), self.levels, self.charts])
        self.widget = w.VBox([self.preset, world, results, w.HTML(f"<h4>{E(L('planning.results.form'))}</h4>"),
                              self._form_box])
        self.widget.add_class(APP_CLASS)
        if self._first is None:
            self.form  # noqa: B018  # built now; with a first look, once its early answer is shown (show())
        self._thread = threading.Thread(target=self._worker, name="simlib-explorer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ settings

    @property
    def form(self) -> ScenarioForm:
        """The scenario's form (:class:`~simlib.views.forms.ScenarioForm`), made on first use: with a first look,
        after its early answer is shown, so that its couple of hundred widgets do not compete with the first
        replications for the cores."""
        with self._making:
            if self._form is None:
                from simlib.views.forms import ScenarioForm

                self._form = ScenarioForm(self._base, self.lang)
                self._form.on_change(lambda _overrides: self._changed())
                self._form_box.children = (self._form.widget,)
            return self._form

    def world(self) -> World:
        return World(self.scenario_name, int(self.cadres.value), float(self.years.value), int(self.reps.value))

    def explorer(self, world: World) -> Explorer:
        """The Explorer of ``world`` (kept, with its baseline; all share one warm executor)."""
        from simlib.experiment import Explorer
        from simlib.pipeline import HEADLINE_KPIS

        with self._making:
            ex = self._explorers.get(world)
            if ex is None:
                ex = Explorer(world.scenario, reps=world.reps, root_seed=self.root_seed, executor=self._executor,
                              kpis=list(HEADLINE_KPIS), resolve=partial(world_resolve, world=world.overrides))
                self._explorers[world] = ex
            return ex

    def select(self, name: str) -> dict[str, Any]:
        """Choose a preset in the menu and set the form from it without starting a look; returns the
        overrides (then :meth:`look` runs it on this thread)."""
        from simlib.scenario import preset

        auto, self.auto = self.auto, False
        try:
            self.preset.value = name
            self.form.apply_preset(preset(name))
        finally:
            self.auto = auto
        return self.form.overrides()

    def _preset_changed(self, change: Any) -> None:
        from simlib.scenario import preset

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
        self.first_round_trip = time.perf_counter() - started
        self._tables(look, world, self.first_round_trip)
        self._charts(look, world, self._samples(world, look.overrides))  # after the numbers are shown
        return look

    def show(self, name: str) -> Exploration:
        """Choose preset ``name`` (:meth:`select`), run its look on this thread (or take it from the thread that
        began it, the app's ``first_look``) and show it in the widget and in the cell, in steps: the early look's
        status line (how many of how many replications), tables and flight funnel, then, in its place, the look
        on all replications with its charts. Returns that look."""
        from simlib.views.report import show_html

        started = time.perf_counter()
        first = self._first is not None and self._first[0] == name
        # the first look's preset is set in the form once its early answer is shown (the same overrides, tested)
        overrides = preset_overrides(self._base, name) if first else self.select(name)
        world = self.world()
        cell = f"{APP_CLASS}-{id(self)}-{started}"  # the display the steps replace
        for step, shown in enumerate(self._started(name, world, overrides) or self._steps(world, overrides)):
            look, samples = shown
            round_trip = time.perf_counter() - started
            if step == 0:
                self.first_round_trip = round_trip
            self._tables(look, world, round_trip)
            if look.reps < world.reps:
                show_html(f"<p>{self.status.value}</p>" + self.differences.value + self.levels.value
                          + funnel_html(look, world, self.lang), display_id=cell)
            if step == 0 and first:
                self.select(name)
        self._charts(look, world, samples)
        show_html("<p>" + method_line(look, world.reps, self.lang) + "</p>" + self.differences.value
                  + self.levels.value + self.charts.value, display_id=cell, update=step > 0)
        return look

    def _steps(self, world: World, overrides: Mapping[str, Any]) -> Iterator[tuple[Exploration, Samples | None]]:
        """The look of ``overrides`` in its steps (:meth:`~simlib.experiment.Explorer.looks`), each with the
        charts' replications once asked for: after the first step, so that the workers run them with the rest."""
        steps = self.explorer(world).looks(overrides, first=self.early or world.reps)
        samples: Samples | None = None
        try:
            for look in steps:
                yield look, samples
                samples = samples or self._samples(world, look.overrides)
        finally:
            steps.close()

    def _first_look(self, name: str, cadres: int | None, years: float | None, reps: int, out: queue.Queue,
                    prepared: threading.Event) -> None:
        """The look of preset ``name`` in the world the widgets will show: its world and overrides
        (:func:`preset_overrides`; :meth:`show` checks both), then its steps, into ``out`` (an error, if any, in
        their place); ``prepared`` is set once its explorer is made (the imports done), as its replications go
        to the workers."""
        from simlib.scenario import find_scenario, load_scenario

        try:
            base = load_scenario(find_scenario(self.scenario_name))
            world = World(self.scenario_name, int(cadres or base.organisation.cadres),
                          float(years or base.calendar.years), reps)
            overrides = preset_overrides(base, name)
            out.put((world, overrides))
            self.explorer(world)
            prepared.set()
            for step in self._steps(world, overrides):
                out.put(step)
        except Exception as exc:  # raised again by show()
            out.put(exc)
        finally:
            prepared.set()

    def _started(self, name: str, world: World,
                 overrides: Mapping[str, Any]) -> Iterator[tuple[Exploration, Samples | None]] | None:
        """The steps of the first look, each as it comes, when it is the look of preset ``name`` in ``world`` with
        ``overrides``; else None (it is dropped)."""
        first, self._first = self._first, None
        if first is None or first[0] != name:
            return None
        out = first[1]
        started = out.get()
        if isinstance(started, Exception):
            raise started
        if started != (world, dict(overrides)):  # the widgets show another world, or the preset otherwise
            return None
        importlib.import_module("simlib.views.figures")  # the charts' modules load while the replications run
        step = out.get()
        if isinstance(step, Exception):
            raise step
        return self._queued(step, out, world.reps)

    @staticmethod
    def _queued(step: tuple[Exploration, Samples | None], out: queue.Queue,
                reps: int) -> Iterator[tuple[Exploration, Samples | None]]:
        """``step``, then the steps from ``out`` until the look on all ``reps`` replications."""
        while True:
            yield step
            if step[0].reps >= reps:
                return
            step = out.get()
            if isinstance(step, Exception):
                raise step

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
                    from simlib.views.sections import E

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
        steps = self._steps(world, overrides)
        for step, (look, samples) in enumerate(steps):
            if not self._current(generation):
                steps.close()
                if samples is not None and samples[1] is not samples[0]:
                    samples[1].cancel()  # the baseline's is kept for the next look
                self.superseded += 1  # a newer change is waiting: its look replaces this one
                return
            round_trip = time.perf_counter() - asked
            if step == 0:
                self.first_round_trip = round_trip
            self._tables(look, world, round_trip)
        if self._current(generation):
            self._charts(look, world, samples)

    def _tables(self, look: Exploration, world: World, round_trip: float) -> None:
        from simlib.views.sections import E

        self.last, self.error = look, None
        if look.reps >= world.reps:
            self.last_round_trip = round_trip
        self.differences.value = differences_html(look, self.lang)
        self.levels.value = levels_html(look, self.lang)
        self.status.value = E(status_text(look, world.reps, self.lang, round_trip))

    def _samples(self, world: World, overrides: Mapping[str, Any]) -> Samples:
        """The charts' replications of the baseline (run once per world) and of ``overrides``, on the first seed,
        as futures from the executor's workers."""
        from simlib.pipeline import run_once

        seed = sample_seed(self.root_seed)
        with self._making:
            base = self._baselines.get(world)
            if base is None or base.cancelled():
                base = self._baselines[world] = self._executor.submit(
                    run_once, world_scenario(world.scenario, {}, world.overrides), seed)
        if not overrides:
            return base, base
        return base, self._executor.submit(run_once, world_scenario(world.scenario, overrides, world.overrides), seed)

    def _charts(self, look: Exploration, world: World, samples: Samples | None) -> None:
        base, alt = samples or self._samples(world, look.overrides)
        self.charts.value = funnel_html(look, world, self.lang) + custody_html(base.result(), alt.result(), self.lang)

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
