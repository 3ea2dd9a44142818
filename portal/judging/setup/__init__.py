"""Judging: setup."""
