"""Errors for input that cannot be used: each names where the problem is and how to fix it."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input (a file, a field, a value). The CLI prints it and exits with status 2."""

    def __init__(self, message: str, *, source: str = "", field: str = "", fix: str = "") -> None:
        self.message = message
        self.source = source
        self.field = field
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        where = ": ".join(p for p in (self.source, self.field) if p)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}\n  fix: {self.fix}" if self.fix else text

    def located(self, source: str) -> InputError:
        """The same error, attributed to a file."""
        return InputError(self.message, source=source, field=self.field, fix=self.fix)
