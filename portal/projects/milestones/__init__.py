"""Milestones of a supported project: recorded, verified or returned."""
