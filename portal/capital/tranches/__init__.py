"""A grant paid in tranches, each released when its condition holds."""
