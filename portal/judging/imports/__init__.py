"""Judging: imports."""
