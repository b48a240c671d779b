"""A scenario form generated from the schema: one widget per dotted path (:mod:`simlib.views.widgets`), grouped
by section, with presets (the baseline, the pre-notice regime, every named gap) that set the widgets from the
preset's overrides. The form maps declaratively: ``form.widgets[path]`` is the widget of ``path``;
``form.overrides()`` is every path whose widget differs from the base scenario.

    form = ScenarioForm(load_scenario("scenarios/training/small.yaml"), lang="en")
    form.apply_preset("no_exit_control")
    form.overrides()        # {"controls.exit_control_recommendation.on": False}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simlib.i18n import get_lang, t
from simlib.scenario import CONTROL_CLAUSES, Preset, Scenario, preset, presets
from simlib.views.sections import param_text
from simlib.views.widgets import FieldSpec, field_specs, make_widget, widget_value

SECTIONS = ("controls", "behaviour", "enforcement", "approval", "trips", "organisation", "personnel", "calendar")
WORLD = ("organisation.cadres", "calendar.years")  # the size of the world: the explorer's own controls
FORM_CLASS = "simlib-form"


def _value(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


class ScenarioForm:
    """Widgets for the parameters of ``base`` (all sections but the world size by default)."""

    def __init__(self, base: Scenario, lang: str | None = None, *, sections: Sequence[str] = SECTIONS,
                 skip: Sequence[str] = (*WORLD, "seed", "calendar.start")) -> None:
        self.lang = lang or get_lang()
        self.base = base
        self._data = base.model_dump(mode="json")
        self.specs: dict[str, FieldSpec] = {s.path: s for s in field_specs(tuple(sections), tuple(skip))}
        self.widgets: dict[str, Any] = {p: make_widget(s, _value(self._data, p), self.lang)
                                        for p, s in self.specs.items()}
        self._callbacks: list[Callable[[dict[str, Any]], None]] = []
        self._quiet = False
        for widget in self.widgets.values():
            widget.observe(self._changed, names="value")
        self.widget = self._layout()

    # ------------------------------------------------------------------ mapping

    @property
    def paths(self) -> list[str]:
        """Every dotted path the form sets."""
        return list(self.widgets)

    def values(self) -> dict[str, Any]:
        """Every path's current value."""
        return {p: widget_value(w, self.specs[p]) for p, w in self.widgets.items()}

    def overrides(self) -> dict[str, Any]:
        """The paths whose value differs from the base scenario (what a look changes)."""
        return {p: v for p, v in self.values().items() if v != _value(self._data, p)}

    def set_values(self, values: Mapping[str, Any], *, reset: bool = False) -> None:
        """Set widgets from dotted paths (after resetting all to the base with ``reset``); observers are told
        once, after all are set. A path the form does not show is an error."""
        unknown = [p for p in values if p not in self.widgets]
        if unknown:
            raise KeyError(f"the form has no field {unknown[0]!r}")
        target = {p: _value(self._data, p) for p in self.widgets} if reset else {}
        target.update(values)
        self._quiet = True
        try:
            for path, value in target.items():
                widget = self.widgets[path]
                widget.value = type(widget.value)(value) if self.specs[path].kind != "date" else widget.value
        finally:
            self._quiet = False
        self._notify()

    def reset(self) -> None:
        """Every widget back to the base scenario."""
        self.set_values({}, reset=True)

    def apply_preset(self, name: str | Preset) -> dict[str, Any]:
        """Reset to the base, then set the preset's overrides; returns the form's overrides."""
        p = name if isinstance(name, Preset) else preset(name)
        self.set_values({k: v for k, v in p.overrides.items() if k in self.widgets}, reset=True)
        return self.overrides()

    def scenario(self) -> Scenario:
        """The base scenario with the form's overrides (validated)."""
        return self.base.replace(**self.overrides())

    # ------------------------------------------------------------------ events

    def on_change(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback(overrides)`` whenever a widget changes (once per preset or :meth:`set_values`)."""
        self._callbacks.append(callback)

    def _changed(self, change: Any) -> None:
        if not self._quiet:
            self._notify()

    def _notify(self) -> None:
        overrides = self.overrides()
        for cb in self._callbacks:
            cb(overrides)

    # ------------------------------------------------------------------ layout

    def _controls_box(self) -> Any:
        import ipywidgets as w

        rows = []
        names = dict.fromkeys(p.split(".")[1] for p in self.widgets if p.startswith("controls."))
        for name in names:
            on, level = self.widgets.get(f"controls.{name}.on"), self.widgets.get(f"controls.{name}.level")
            label = w.HTML(f"<b>{name}</b> <span style='color:#666'>{CONTROL_CLAUSES.get(name, '')}</span>",
                           tooltip=param_text(f"controls.{name}.on", self.lang),
                           layout=w.Layout(width="260px"))
            if on is not None:
                on.description = t("planning.form.on", self.lang)
            if level is not None:
                level.description = t("planning.form.level", self.lang)
            rows.append(w.HBox([label, *(x for x in (on, level) if x is not None)]))
        return w.VBox(rows)

    def _layout(self) -> Any:
        import ipywidgets as w

        children, titles = [], []
        for section in dict.fromkeys(s.section for s in self.specs.values()):
            if section == "controls":
                box = self._controls_box()
            else:
                box = w.VBox([self.widgets[p] for p, s in self.specs.items() if s.section == section])
            children.append(box)
            titles.append(t(f"planning.section.{section}", self.lang))
        acc = w.Accordion(children=children, titles=tuple(titles), selected_index=0)
        acc.add_class(FORM_CLASS)
        return acc


def preset_options(lang: str | None = None) -> list[tuple[str, str]]:
    """(label, name) of every preset for a dropdown: baseline, pre-notice regime, the gaps."""
    lang = lang or get_lang()
    return [(f"{p.name} — {p.text(lang)}" if p.text(lang) else p.name, p.name) for p in presets()]
