"""Reminders that arrive once: reports due and late, the organisers' weekly digest."""
