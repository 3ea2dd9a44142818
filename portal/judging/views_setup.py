"""Judging pages: setup."""

from portal.judging import bp  # noqa: F401
