"""The loans' reminders, queued by `flask reminders send` with the projects' (capital/listeners.py
answers `projects.signals.reminders_collected`), each once: to the borrower, in her language,
5 days before an instalment is due and when it is 7 days late, while it is unpaid; to the
organisers of the loans' units, once a week, the list of loans in arrears. A stage is sent only
while it is the current one: a command that did not run for a while does not send "due in 5
days" after the due date. Written-off, repaid and not yet disbursed loans get none. A few
queries whatever the number of loans."""

from collections.abc import Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, RoleGrant, User
from portal.capital.models import AgreementStatus, Instalment, Loan, SupportAgreement
from portal.capital.portfolio import portfolio
from portal.core.urls import external_url
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.projects.reminders.services import Reminder
from portal.units.models import Unit

BEFORE = timedelta(days=5)
LATE = timedelta(days=7)
STAGE_KEPT = timedelta(days=7)  # a late reminder is still sent for a week after its day


def loan_stage(due_on: date, today: date) -> str | None:
    """Which reminder of an unpaid instalment is current on `today`, if any."""
    if due_on - BEFORE <= today < due_on:
        return "due"
    if due_on + LATE <= today < due_on + LATE + STAGE_KEPT:
        return "late"
    return None


def _borrower_reminders(today: date) -> Iterator[Reminder]:
    unpaid = (
        Instalment.principal + Instalment.interest
        > Instalment.paid_principal + Instalment.paid_interest
    )
    rows = db.session.scalars(
        sa.select(Instalment)
        .join(Loan, Loan.id == Instalment.loan_id)
        .join(SupportAgreement, SupportAgreement.id == Loan.agreement_id)
        .where(
            SupportAgreement.status == AgreementStatus.ACTIVE,
            Loan.written_off_on.is_(None),
            unpaid,
            Instalment.due_on.between(today - LATE - STAGE_KEPT, today + BEFORE),
        )
        .order_by(Instalment.id)
    ).all()
    loans = {
        loan.id: loan
        for loan in db.session.scalars(
            sa.select(Loan)
            .where(Loan.id.in_({i.loan_id for i in rows}))
            .options(
                joinedload(Loan.agreement)
                .joinedload(SupportAgreement.project)
                .joinedload(SupportedProject.owner)
            )
        )
    }
    for instalment in rows:
        stage = loan_stage(instalment.due_on, today)
        if stage is None:
            continue
        loan = loans[instalment.loan_id]
        owner = loan.agreement.project.owner
        if not owner.active:
            continue
        left = (
            instalment.principal
            + instalment.interest
            - instalment.paid_principal
            - instalment.paid_interest
        )
        subject = (
            _l("Your loan instalment is due on %(day)s", day=instalment.due_on.strftime("%d/%m/%Y"))
            if stage == "due"
            else _l(
                "Your loan instalment of %(day)s is not paid yet",
                day=instalment.due_on.strftime("%d/%m/%Y"),
            )
        )
        yield Reminder(
            key=f"loan:{instalment.id}:{stage}",
            recipient=owner,
            template="loan_due_soon" if stage == "due" else "loan_late",
            subject=subject,
            context={
                "instalment": instalment,
                "left": left,
                "agreement": loan.agreement,
                "project": loan.agreement.project,
                "support_url": external_url("capital.my_support"),
            },
        )


def _arrears_lists(today: date) -> Iterator[Reminder]:
    """Each organiser's list of the loans in arrears in her units, once a week."""
    late = [row for row in portfolio(today) if row.days_past_due > 0]
    if not late:
        return
    agreements = {
        a.id: a
        for a in db.session.scalars(
            sa.select(SupportAgreement)
            .where(SupportAgreement.id.in_({row.agreement_id for row in late}))
            .options(
                joinedload(SupportAgreement.project).joinedload(SupportedProject.owner),
                joinedload(SupportAgreement.project).joinedload(SupportedProject.unit),
            )
        )
    }
    units = {a.project.unit_id for a in agreements.values()}
    parents = dict(
        db.session.execute(sa.select(Unit.id, Unit.parent_id).where(Unit.id.in_(units))).all()
    )
    grants = db.session.execute(
        sa.select(RoleGrant.unit_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == Role.ORGANISER,
            RoleGrant.unit_id.in_(units | {p for p in parents.values() if p}),
            User.active.is_(True),
        )
        .order_by(User.id)
    ).tuples()
    year, week, _ = today.isocalendar()
    lists: dict[int, tuple[User, list]] = {}
    for unit_id, user in grants:
        for row in late:
            project_unit = agreements[row.agreement_id].project.unit_id
            if unit_id in (project_unit, parents.get(project_unit)):
                lists.setdefault(user.id, (user, []))[1].append(row)
    for user, rows in lists.values():
        rows = sorted({r.loan: r for r in rows}.values(), key=lambda r: -r.days_past_due)
        yield Reminder(
            key=f"arrears:{user.id}:{year}-W{week:02d}",
            recipient=user,
            template="loans_in_arrears",
            subject=_l("Loans in arrears this week: %(num)d", num=len(rows)),
            context={
                "loans": [
                    {
                        "row": r,
                        "agreement": agreements[r.agreement_id],
                        "url": external_url("capital.agreement", agreement_id=r.agreement_id),
                    }
                    for r in rows
                ],
                "portfolio_url": external_url("capital.portfolio"),
            },
        )


def loan_reminders(today: date) -> list[Reminder]:
    return [*_borrower_reminders(today), *_arrears_lists(today)]
