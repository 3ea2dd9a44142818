"""Awards: payments."""
