"""The ``simlib`` command line, one module per command (parsing and running; the experiment commands' text output
in :mod:`simlib.cli.experiment_text`)."""

from simlib.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
