"""(being written)"""

from portal.awards import bp  # noqa: F401
