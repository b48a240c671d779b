"""The command line's argument types and its parser: every option's value is checked as it is parsed, and every
problem — a bad value, an unknown option, a missing argument — becomes an :class:`~simlib.errors.InputError`
with a catalogue message (``input.arg.*``), shown in the chosen language with exit status 2.

Types raise :class:`BadArgument` (an ``argparse.ArgumentTypeError`` carrying the InputError); argparse's own
errors are recognised by their (English, untranslated) text and given a catalogue message.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from simlib.errors import InputError

SEED_LIMIT = 2**63
"""Seeds are in [0, 2^63): numpy's SeedSequence takes any, but the stores and Parquet files keep int64."""


class BadArgument(argparse.ArgumentTypeError):
    """A bad option value, with its catalogue message."""

    def __init__(self, key: str, **values: Any) -> None:
        self.error = InputError(key=f"arg.{key}", values=values)
        super().__init__(self.error.message)


def _number(text: str, kind: Callable[[str], Any], key: str) -> Any:
    try:
        value = kind(text.strip())
    except (ValueError, OverflowError):
        raise BadArgument(key, value=text[:40]) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadArgument(key, value=text[:40])
    return value


def seed(text: str) -> int:
    """A seed: a whole number in [0, 2^63)."""
    value = _number(text, int, "not_int")
    if not 0 <= value < SEED_LIMIT:
        raise BadArgument("seed", value=text[:40], high=SEED_LIMIT - 1)
    return value


def positive_int(text: str) -> int:
    """A count that must be at least 1 (replications, batch size, workers, points …)."""
    value = _number(text, int, "not_int")
    if value < 1:
        raise BadArgument("positive", value=text[:40])
    return value


def positive_float(text: str) -> float:
    """A number greater than 0."""
    value = _number(text, float, "not_number")
    if value <= 0:
        raise BadArgument("positive", value=text[:40])
    return value


def level(text: str) -> float:
    """A confidence level: strictly between 0 and 1."""
    value = _number(text, float, "not_number")
    if not 0 < value < 1:
        raise BadArgument("level", value=text[:40])
    return value


def existing_file(text: str) -> Path:
    """The path of a file that exists."""
    path = Path(text)
    if "\0" in text or not path.is_file():
        raise BadArgument("no_file", value=text[:200])
    return path


def out_path(text: str) -> Path:
    """A path to write to (a file or a folder): not empty, no NUL byte, not an existing file's child."""
    if not text.strip() or "\0" in text:
        raise BadArgument("bad_path", value=text[:200])
    path = Path(text)
    if any(parent.is_file() for parent in path.parents):
        raise BadArgument("bad_path", value=text[:200])
    return path


# argparse's own messages (Python 3.11-3.13), in the order tried; each names a catalogue key.
ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.S), k) for p, k in (
    (r"unrecognized arguments: (?P<value>.*)", "unrecognized"),
    (r"the following arguments are required: (?P<value>.*)", "required"),
    (r"argument (?P<field>[^:]+): invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)", "choice"),
    (r"argument (?P<field>[^:]+): invalid \S+ value: (?P<value>.*)", "invalid"),
    (r"argument (?P<field>[^:]+): expected .*argument.*", "expected"),
    (r"argument (?P<field>[^:]+): not allowed with argument (?P<value>.*)", "not_allowed"),
    (r"one of the arguments (?P<value>.*) is required", "one_required"),
    (r"ambiguous option: (?P<value>\S+) could match (?P<choices>.*)", "ambiguous"),
    (r"argument (?P<field>[^:]+): ignored explicit argument (?P<value>.*)", "ignored"),
    (r"(?:argument (?P<field>[^:]+): )?(?P<value>.*)", "other"),
))


def argparse_error(message: str, prog: str) -> InputError:
    """argparse's message ``message`` (of the parser ``prog``) as a catalogue error; a :class:`BadArgument`
    being handled (a type's error) keeps its own message, attributed to the option."""
    exc = sys.exc_info()[1]
    context = exc.__context__ if isinstance(exc, argparse.ArgumentError) else None
    if isinstance(context, BadArgument):
        err = context.error
        err.field = exc.argument_name or ""  # type: ignore[union-attr]
        return err
    match, key = next((m, k) for p, k in ARGPARSE_MESSAGES if (m := p.fullmatch(message)))  # the last always does
    parts = match.groupdict()
    return InputError(field=parts.get("field") or "", key=f"arg.{key}",
                      values={"value": (parts.get("value") or "")[:200], "choices": (parts.get("choices") or "")[:400],
                              "prog": prog})


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised as :class:`InputError` (the caller prints them in the chosen
    language, as text or JSON, and exits with status 2) instead of printed in English."""

    def error(self, message: str) -> NoReturn:
        raise argparse_error(message, self.prog)


def prescan(argv: Sequence[str]) -> tuple[str | None, bool]:
    """``(--lang value or None, whether --json is given)``, read before parsing so that parsing errors
    already speak the chosen language and format."""
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    return lang, "--json" in argv
