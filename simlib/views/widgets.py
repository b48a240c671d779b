"""Widget helpers every app shares (the language switch, CSS classes for browser tests, relabelled options),
and one ipywidget per scenario parameter, generated from the schema: the widget's kind, range and step from the
field's type and metadata, its tooltip from the catalogue's help text with unit and source, and CSS classes
(``simlib-field`` and ``simlib-p-<path with dashes>``) so that a browser test can find it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simlib.i18n import t
from simlib.scenario import Scenario, iter_params
from simlib.views.sections import param_text

FIELD_CLASS = "simlib-field"
LANG_OPTIONS = (("中文", "zh"), ("English", "en"))


def css_class(path: str) -> str:
    """The CSS class of the widget of ``path``: ``simlib-p-controls-private-custody-on``."""
    return "simlib-p-" + path.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class FieldSpec:
    """A parameter as a form field: dotted path, kind (bool, int, float, date), default, unit, range, source."""

    path: str
    kind: str
    default: Any
    unit: str
    range: tuple[float | None, float | None] | None
    source: str

    @property
    def section(self) -> str:
        return self.path.split(".")[0]

    @property
    def label(self) -> str:
        """The last part of the path (a control's ``on``/``level`` are labelled by the control)."""
        parts = self.path.split(".")
        return parts[-2] if parts[0] == "controls" else parts[-1]

    def help(self, lang: str) -> str:
        """Help text, unit, range and source, for a tooltip."""
        rng = f" [{self.range[0]:g} – {self.range[1]:g}]" if self.range and None not in self.range else ""
        return t("planning.field.help", lang, text=param_text(self.path, lang), unit=self.unit or "–", range=rng,
                 source=self.source or "–")


_KINDS = {"bool": "bool", "int": "int", "float": "float", "date": "date"}


def field_specs(sections: tuple[str, ...] | None = None, skip: tuple[str, ...] = ()) -> list[FieldSpec]:
    """The form fields of the scenario schema (in declaration order), optionally only some top-level sections;
    text fields (names, a roster path) are not parameters of a what-if and are left out."""
    out = []
    for p in iter_params(Scenario):
        kind = _KINDS.get(p.annotation)
        if kind is None or p.path in skip or (sections and p.path.split(".")[0] not in sections):
            continue
        out.append(FieldSpec(p.path, kind, p.default, p.unit, p.range, p.source))
    return out


def make_widget(spec: FieldSpec, value: Any, lang: str, *, description: str | None = None) -> Any:
    """The ipywidget for one field, set to ``value``."""
    import ipywidgets as w

    common: dict[str, Any] = {"description": spec.label if description is None else description,
                              "tooltip": spec.help(lang), "style": {"description_width": "initial"}}
    lo, hi = spec.range or (None, None)
    if spec.kind == "bool":
        widget = w.Checkbox(value=bool(value), indent=False, **common)
    elif spec.kind == "date":
        widget = w.DatePicker(value=value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)),
                              **common)
    elif spec.kind == "int":
        widget = w.BoundedIntText(value=int(value), min=int(lo if lo is not None else 0),
                                  max=int(hi if hi is not None else 2**31 - 1), **common)
    elif lo is not None and hi is not None and hi - lo <= 1:
        widget = w.FloatSlider(value=float(value), min=lo, max=hi, step=(hi - lo) / 100, readout_format=".2f",
                               continuous_update=False, **common)
    else:
        step = 10 ** (len(str(hi)) - 4) if hi else 0.1
        widget = w.BoundedFloatText(value=float(value), min=lo if lo is not None else -1e12,
                                    max=hi if hi is not None else 1e12, step=step, **common)
    widget.add_class(FIELD_CLASS)
    widget.add_class(css_class(spec.path))
    return widget


def widget_value(widget: Any, spec: FieldSpec) -> Any:
    """A widget's value as the scenario wants it (a date as ISO text, numbers as numbers)."""
    value = widget.value
    if spec.kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if spec.kind == "float":
        return round(float(value), 10)
    return value


def lang_toggle(lang: str, on_change: Callable[[str], None]) -> Any:
    """The language switch (class ``simlib-lang``): calls ``on_change(lang)`` when flipped."""
    import ipywidgets as w

    toggle = w.ToggleButtons(options=list(LANG_OPTIONS), value=lang, style={"button_width": "80px"})
    toggle.add_class("simlib-lang")
    toggle.observe(lambda change: on_change(change["new"]), names="value")
    return toggle


def classed(widget: Any, *classes: str) -> Any:
    """``widget`` with CSS ``classes`` added (a browser test finds it by them)."""
    for c in classes:
        widget.add_class(c)
    return widget


def set_options(widget: Any, options: list[tuple[str, Any]]) -> None:
    """New option labels, keeping the selected value."""
    value = widget.value
    widget.options = options
    widget.value = value
