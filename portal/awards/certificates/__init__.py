"""Awards: certificates."""
