"""Checks, one module per section of the notice. Importing this package registers them all."""

from simlib.audit.checks import section1, section2, section3, section4

__all__ = ["section1", "section2", "section3", "section4"]
