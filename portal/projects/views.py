"""(being written)"""

from portal.projects import bp  # noqa: F401
