"""Awards: decision."""
