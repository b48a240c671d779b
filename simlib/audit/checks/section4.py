"""Checks for section 4 of the notice."""
