"""The figures above the projects list: its totals and the households that left poverty this
year. They are work over every listed project (10,000 in a large province), not over the page,
so they are kept between views (core.cache) until a change of what they count."""

import json
from dataclasses import asdict
from datetime import date

from portal.auth.models import Role, User
from portal.core import cache
from portal.projects import services
from portal.projects.models import SupportedProject
from portal.projects.poverty.services import households_out_of_poverty


def list_summary(
    user: User, filters: services.ProjectFilters, year: int
) -> tuple[services.ProjectTotals, int]:
    """The list's totals and how many of its households left poverty in `year`."""
    scope = "all" if user.has_role(Role.ADMIN) else sorted(u.id for u in user.organiser_units())

    def compute() -> str:
        query = services.projects_query(user, filters)
        listed = query.order_by(None).with_only_columns(SupportedProject.id)
        left = households_out_of_poverty(listed, date(year, 1, 1), date(year, 12, 31))
        return json.dumps({"totals": asdict(services.totals(query)), "out_of_poverty": left})

    kept = json.loads(cache.remember(("projects-list", scope, asdict(filters), year), compute))
    return services.ProjectTotals(**kept["totals"]), kept["out_of_poverty"]
