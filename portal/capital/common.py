"""What the parts of capital share: the ledger's accounts, who may act on a unit's capital."""

from portal.auth.models import User

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
