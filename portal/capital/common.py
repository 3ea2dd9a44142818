"""What the parts of capital share: the ledger's accounts, who may act on a unit's capital."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.models import CapitalSource
from portal.extensions import db
from portal.ledger import services as ledger

# The accounts of the capital postings (each posting is tagged with its source,
# CapitalSource.ledger_tag): what a source holds, what was put in, what is lent, what was given.
CASH = "capital_cash"
CONTRIBUTIONS = "capital_contributions"
LOANS_RECEIVABLE = "loans_receivable"
INTEREST_INCOME = "interest_income"
GRANTS_EXPENSE = "grants_expense"
IN_KIND_EXPENSE = "in_kind_expense"
LOAN_LOSSES = "loan_losses"
RECOVERIES = "loan_recoveries"


def may_manage_unit(user: User, unit_id: int) -> bool:
    """Organisers of the unit (or of its province); admins see everything but, for money, never
    act alone: the second signature must come from an organiser."""
    return user.is_authenticated and user.can_act_on_unit(unit_id)


ledger.ACCOUNT_LABELS.update(
    {
        CASH: _l("Cash of the source"),
        CONTRIBUTIONS: _l("Contributions received"),
        LOANS_RECEIVABLE: _l("Loans outstanding"),
        INTEREST_INCOME: _l("Interest received"),
        GRANTS_EXPENSE: _l("Grants paid"),
        IN_KIND_EXPENSE: _l("In-kind support given"),
        LOAN_LOSSES: _l("Loans written off"),
        RECOVERIES: _l("Recovered after write-off"),
    }
)


def _source_names(tags: list[str]) -> dict[str, str]:
    """The capital sources' names, for their tags ("capital:<id>")."""
    ids = [int(t.split(":", 1)[1]) for t in tags if t.startswith("capital:") and t[8:].isdigit()]
    if not ids:
        return {}
    return {
        s.ledger_tag: s.name
        for s in db.session.scalars(sa.select(CapitalSource).where(CapitalSource.id.in_(ids)))
    }


ledger.SOURCE_NAMERS.append(_source_names)
