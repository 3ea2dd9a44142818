"""Judging: scoring."""
