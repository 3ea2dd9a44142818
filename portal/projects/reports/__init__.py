"""Progress reports: the schedule, the report, its review."""
