"""Awards: prizes."""
