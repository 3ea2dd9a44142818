"""A new schedule for what a loan still owes after a hardship, approved by a second organiser."""
