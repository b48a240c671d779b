"""Checks for section 1 of the notice."""
