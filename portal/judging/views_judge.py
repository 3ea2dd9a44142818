"""Judging pages: judge."""

from portal.judging import bp  # noqa: F401
