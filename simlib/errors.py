"""Errors for input that cannot be used: each names where the problem is and how to fix it.

An :class:`InputError` is either written out (``InputError("text", field=..., fix=...)``) or, better, names a
catalogue message (``InputError(key="yaml.too_big", values={...})``: the text and its fix are
``input.<key>`` and ``input.<key>.fix`` in ``simlib/i18n/messages/input.yaml``), so that it can be shown wholly
in either language. Several independent problems of one file travel together as ``problems``.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from typing import Any

MAX_PROBLEMS = 20
"""At most this many problems of one input are reported together."""


class InputError(ValueError):
    """Bad input (a file, a field, a value). The CLI prints it and exits with status 2."""

    def __init__(self, message: str = "", *, source: str = "", field: str = "", fix: str = "",
                 line: int | None = None, key: str = "", values: Mapping[str, Any] | None = None,
                 problems: Sequence[InputError] = ()) -> None:
        self.key = key
        self.values = dict(values or {})
        self.source = source
        self.field = field
        self.line = line
        self.problems = tuple(problems)[:MAX_PROBLEMS]
        self.message, self.fix = message, fix
        if key:
            self.message, self.fix = self.texts("en")
        super().__init__(self.render())

    @classmethod
    def many(cls, problems: Sequence[InputError], source: str = "") -> InputError:
        """One error carrying several independent problems (the only one if there is one)."""
        if len(problems) == 1:
            return problems[0]
        shown = problems[:MAX_PROBLEMS]
        return cls(source=source, key="many", values={"n": len(problems), "shown": len(shown)}, problems=shown)

    def texts(self, lang: str) -> tuple[str, str]:
        """The message and the fix in ``lang`` (a written-out error has them in one language only)."""
        if not self.key:
            return self.message, self.fix
        from simlib.i18n import has, t

        fix_key = f"input.{self.key}.fix"  # always formatted: {{ }} in a message is a literal brace
        fix = t(fix_key, lang).format(**self.values) if has(fix_key) else ""
        return t(f"input.{self.key}", lang).format(**self.values), fix

    def where(self, lang: str = "en") -> str:
        """``file: line N: field`` (the parts that are known)."""
        from simlib.i18n import t

        line = t("input.where.line", lang, line=self.line) if self.line is not None else ""
        return ": ".join(p for p in (self.source, line, self.field) if p)

    def render(self, lang: str = "en", *, prefix: str = "", fix_label: str = "fix") -> str:
        """The error as text: ``where: message`` and ``  fix: …``, then each of its problems."""
        message, fix = self.texts(lang)
        where = self.where(lang)
        text = f"{prefix}{where}: {message}" if where else f"{prefix}{message}"
        if fix:
            text += f"\n  {fix_label}: {fix}"
        for p in self.problems:
            text += "\n" + "\n".join(f"  {line}" for line in p.render(lang, prefix="- ", fix_label=fix_label)
                                     .splitlines())
        return text

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """``{"file", "line", "field", "message", "fix"}`` (and ``problems``: a list of the same)."""
        message, fix = self.texts(lang)
        doc: dict[str, Any] = {"file": self.source or None, "line": self.line, "field": self.field or None,
                               "message": message, "fix": fix or None}
        if self.problems:
            doc["problems"] = [p.as_dict(lang) for p in self.problems]
        return doc

    def located(self, source: str) -> InputError:
        """The same error, attributed to a file."""
        return InputError(self.message, source=source, field=self.field, fix=self.fix, line=self.line,
                          key=self.key, values=self.values, problems=self.problems)


class InputWarning(UserWarning):
    """A problem of the input that simlib works around: a catalogue message ``input.<key>`` (the CLI shows it
    as one line in its language)."""

    def __init__(self, key: str, values: Mapping[str, Any]) -> None:
        self.key, self.values = key, dict(values)
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        from simlib.i18n import t

        return t(f"input.{self.key}", lang).format(**self.values)


OS_ERRORS = {errno.ENOENT: "file.missing", errno.EISDIR: "file.is_dir", errno.EACCES: "file.denied",
             errno.EPERM: "file.denied"}


def os_error(exc: OSError, source: str = "", field: str = "") -> InputError:
    """An :class:`OSError` (missing file, folder for a file, no permission …) as an InputError."""
    return InputError(source=source or str(exc.filename or ""), field=field,
                      key=OS_ERRORS.get(exc.errno or 0, "file.unreadable"), values={"errno": exc.errno})
