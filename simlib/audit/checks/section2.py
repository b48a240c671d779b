"""Checks for section 2 of the notice."""
