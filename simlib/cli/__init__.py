"""The ``simlib`` command line: ``simlib rules|audit|vocab|report``. One module per command."""

from simlib.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
