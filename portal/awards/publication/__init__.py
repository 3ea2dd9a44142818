"""Awards: publication."""
