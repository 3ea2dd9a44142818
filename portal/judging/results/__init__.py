"""Judging: results."""
