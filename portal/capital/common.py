"""What the parts of capital share: the ledger's accounts, who may act on a unit's capital."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.models import (
    CapitalSource,
    InKindItem,
    Loan,
    Recovery,
    Repayment,
    SupportAgreement,
    Tranche,
)
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


# What moved a capital posting, by the column that leads from it to its support agreement.
_AGREEMENT_OF = {
    "loan": (Loan.id, Loan.agreement_id, None),
    "loan_write_off": (Loan.id, Loan.agreement_id, None),
    "loan_repayment": (Repayment.id, Loan.agreement_id, Repayment.loan_id),
    "loan_recovery": (Recovery.id, Loan.agreement_id, Recovery.loan_id),
    "grant_tranche": (Tranche.id, Tranche.agreement_id, None),
    "in_kind_item": (InKindItem.id, InKindItem.agreement_id, None),
}


def _object_names(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str]]:
    """The capital objects of the ledger's lines: each by its agreement's reference, linked to
    the agreement's page (a source to the sources page); one query per kind of object."""
    wanted: dict[str, set[int]] = {}
    for kind, object_id in pairs:
        wanted.setdefault(kind, set()).add(object_id)
    names: dict[tuple[str, int], tuple[str, str]] = {}
    for kind, (key, agreement_id, loan_id) in _AGREEMENT_OF.items():
        if kind not in wanted:
            continue
        query = sa.select(key, SupportAgreement.id, SupportAgreement.reference).where(
            key.in_(wanted[kind])
        )
        if loan_id is not None:
            query = query.join(Loan, Loan.id == loan_id)
        query = query.join(SupportAgreement, SupportAgreement.id == agreement_id)
        for object_id, agreement, reference in db.session.execute(query):
            names[(kind, object_id)] = (
                reference,
                url_for("capital.agreement", agreement_id=agreement),
            )
    if "capital_source" in wanted:
        for source in db.session.scalars(
            sa.select(CapitalSource).where(CapitalSource.id.in_(wanted["capital_source"]))
        ):
            names[("capital_source", source.id)] = (source.name, url_for("capital.sources"))
    return names


ledger.OBJECT_NAMERS.append(_object_names)
