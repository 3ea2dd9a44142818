"""Judging: rubrics, assignment of judges, scoring, aggregation and ranking."""
