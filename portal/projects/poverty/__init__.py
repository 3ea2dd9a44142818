"""The household's way out of poverty: its status as a history."""
