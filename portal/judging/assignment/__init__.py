"""Judging: assignment."""
