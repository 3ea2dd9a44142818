"""Judging pages, one module per part, all on the `judging` blueprint."""

from portal.judging import views_judge, views_results, views_setup  # noqa: F401
