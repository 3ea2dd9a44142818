"""Judging pages: results."""

from portal.judging import bp  # noqa: F401
