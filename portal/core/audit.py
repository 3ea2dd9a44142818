"""The audit log: who did what to which object, before → after. Rows are only ever added."""

import enum
import functools
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: the log outlives what it describes and must never block a delete elsewhere.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


def record(
    action: str,
    *,
    actor_id: int | None,
    object_type: str,
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction; the caller commits it with the change itself."""
    row = AuditLog(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        ip=ip,
    )
    db.session.add(row)
    return row


# What each action and object is called on the admin's log (tests/core/test_audit_labels.py
# checks that every code written anywhere in portal/ has its label here).
ACTION_LABELS = {
    "applicant_profile.updated": _l("Applicant profile updated"),
    "assignment.added": _l("Entry assigned to a judge"),
    "assignment.recused": _l("Judge recused herself from an entry"),
    "assignment.removed": _l("Assignment removed"),
    "assignment.replaced": _l("Judge replaced on an entry"),
    "assignments.confirmed": _l("Assignments confirmed"),
    "award.approval_withdrawn": _l("Approval of the award decision withdrawn"),
    "award.decision_approved": _l("Award decision approved"),
    "award.decision_finalised": _l("Award decision finalised"),
    "award.decision_published": _l("Award decision published"),
    "award.decision_reopened": _l("Award decision reopened"),
    "award.line_changed": _l("Line of the award decision changed"),
    "award.lines_drawn": _l("Award decision drawn up"),
    "award.reissued": _l("Certificate corrected and re-issued"),
    "award.revoked": _l("Award revoked"),
    "capital_source.contribution": _l("Contribution to a capital source recorded"),
    "capital_source.created": _l("Capital source recorded"),
    "figure_target.set": _l("A target set"),
    "api_token.issued": _l("API token issued"),
    "api_token.revoked": _l("API token revoked"),
    "figure_target.removed": _l("A target removed"),
    "capital_source.opening_balance": _l("Opening balance of a capital source, from an import"),
    "competition.copied": _l("Competition copied"),
    "competition.created": _l("Competition created"),
    "competition.nominations_deadline": _l("Nominations' deadline changed"),
    "competition.status": _l("Competition status changed"),
    "competition.updated": _l("Competition changed"),
    "credit_import.imported": _l("Entrusted-credit figures imported"),
    "credit_import.replaced": _l("Entrusted-credit figures replaced"),
    "entry.carried_up": _l("Entry carried up to a higher competition"),
    "entry.created": _l("Entry started"),
    "entry.extension": _l("Deadline extended for an entry"),
    "entry.in_judging": _l("Entry sent to the judges"),
    "entry.screened": _l("Entry screened"),
    "entry.status": _l("Entry status changed"),
    "entry.submitted": _l("Entry submitted"),
    "entry.team_accepted": _l("Team member accepted her invitation"),
    "entry.team_declined": _l("Team member declined her invitation"),
    "entry.team_invited": _l("Team member invited"),
    "entry.withdrawn": _l("Entry withdrawn"),
    "external_award.carried_down": _l("Prize of a higher round carried down"),
    "external_award.deleted": _l("Prize won elsewhere deleted"),
    "external_award.recorded": _l("Prize won elsewhere recorded"),
    "grant_tranche.paid": _l("Grant tranche paid"),
    "grant_tranche.payment_reversed": _l("Grant tranche payment reversed"),
    "grant_tranche.planned": _l("Grant tranche planned"),
    "grant_tranche.released": _l("Grant tranche released"),
    "household_status.recorded": _l("Household status recorded"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.created": _l("Invitation sent"),
    "invitation.revoked": _l("Invitation withdrawn"),
    "judge.account_linked": _l("Judge linked to her account"),
    "judge.added": _l("Judge added"),
    "judge.declared": _l("Judge's declaration saved"),
    "judge.removed": _l("Judge removed"),
    "in_kind_item.delivered": _l("In-kind support handed over"),
    "in_kind_item.reversed": _l("In-kind item reversed"),
    "ledger.month_closed": _l("Month of the books closed"),
    "loan.disbursed": _l("Loan disbursed"),
    "loan_book.imported": _l("Loan book imported"),
    "loan_restructuring.approved": _l("Loan restructuring approved"),
    "loan_restructuring.proposed": _l("Loan restructuring proposed"),
    "loan_restructuring.rejected": _l("Loan restructuring not approved"),
    "loan.recovery": _l("Recovery on a written-off loan"),
    "loan.repayment": _l("Loan repayment recorded"),
    "loan.repayment_reversed": _l("Loan repayment reversed"),
    "loan.write_off_proposed": _l("Loan write-off proposed"),
    "login": _l("Logged in"),
    "login.failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "milestone.corrected": _l("Milestone corrected"),
    "milestone.recorded": _l("Milestone recorded"),
    "milestone.resubmitted": _l("Milestone corrected and sent again"),
    "milestone.returned": _l("Milestone returned for changes"),
    "milestone.verified": _l("Milestone verified"),
    "milestone_kind.saved": _l("Kind of milestone saved"),
    "nomination.accepted": _l("Nomination confirmed by her"),
    "nomination.approved": _l("Nomination approved"),
    "nomination.declined": _l("Nomination declined by her"),
    "nomination.proposed": _l("Entry nominated to a higher round"),
    "nomination.withdrawn": _l("Nomination withdrawn"),
    "nomination_source.added": _l("Competition allowed to nominate"),
    "nomination_source.removed": _l("Competition no longer allowed to nominate"),
    "ocop_product.added": _l("OCOP product added"),
    "ocop_rating.recorded": _l("OCOP evaluation recorded"),
    "ocop_rating.revoked": _l("OCOP rating revoked"),
    "password.changed": _l("Password changed"),
    "password.reset": _l("Password reset"),
    "prize.changed": _l("Prize changed"),
    "prize.created": _l("Prize created"),
    "prize.deleted": _l("Prize deleted"),
    "prize.moved": _l("Prize moved"),
    "prize.settings": _l("Prize settings changed"),
    "prize_payment.recorded": _l("Prize payment recorded"),
    "prize_payment.reversed": _l("Prize payment reversed"),
    "profile.updated": _l("Profile updated"),
    "progress_report.accepted": _l("Progress report accepted"),
    "progress_report.resubmitted": _l("Progress report corrected and sent again"),
    "progress_report.returned": _l("Progress report returned for changes"),
    "progress_report.skipped": _l("Progress report skipped"),
    "progress_report.submitted": _l("Progress report submitted"),
    "project.created": _l("Supported project created"),
    "project.story_published": _l("Project's story published"),
    "project.story_saved": _l("Project's story saved"),
    "project.story_withdrawn": _l("Project's story withdrawn"),
    "report_schedule.set": _l("Report schedule set"),
    "results.advanced": _l("Entries advanced to the next round"),
    "results.finalised": _l("Results made final"),
    "results.reopened": _l("Results reopened"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role removed"),
    "round.judging_settings": _l("Judging settings of a round changed"),
    "rubric.saved": _l("Rubric saved"),
    "score.imported": _l("Scores imported for a sheet"),
    "score_sheet.draft_after_close": _l("Scores kept as a draft after the round closed"),
    "score_sheet.draft_saved": _l("Draft scores saved"),
    "score_sheet.submitted": _l("Scores submitted"),
    "scores.imported": _l("Scores imported"),
    "sms.budget_spent": _l("Today's text messages are used up"),
    "support_activity.attendee_added": _l("Attendee added to an activity"),
    "support_activity.attendee_removed": _l("Attendee taken off an activity"),
    "support_activity.recorded": _l("Support activity recorded"),
    "support_activity.sheet_imported": _l("Sign-in sheet imported"),
    "support_agreement.approved": _l("Support approved"),
    "support_agreement.closed": _l("Support closed"),
    "support_agreement.completed": _l("Support completed"),
    "support_agreement.proposed": _l("Support proposed"),
    "support_agreement.rejected": _l("Support not approved"),
    "support_agreement.reopened": _l("Support under way again"),
    "support_agreement.repaid": _l("Loan repaid"),
    "support_agreement.started": _l("Support under way"),
    "support_agreement.written_off": _l("Loan written off"),
    "user.activated": _l("Account activated"),
    "user.confirmed": _l("E-mail address confirmed"),
    "user.deactivated": _l("Account deactivated"),
    "user.phone_confirmed": _l("Mobile number confirmed"),
    "user.registered": _l("Account created"),
    "user.registered_again": _l("Unconfirmed account registered again with its number"),
}

OBJECT_LABELS = {
    "applicant_profile": _l("Applicant profile"),
    "assignment": _l("Assignment"),
    "award": _l("Award"),
    "award_decision": _l("Award decision"),
    "capital_source": _l("Capital source"),
    "figure_target": _l("Figure target"),
    "api_token": _l("API token"),
    "competition": _l("Competition"),
    "competition_judge": _l("Judge of a competition"),
    "competition_round": _l("Round"),
    "credit_import": _l("Entrusted-credit figures of a period"),
    "entry": _l("Entry"),
    "external_award": _l("Prize won elsewhere"),
    "grant_tranche": _l("Grant tranche"),
    "household_status_record": _l("Household status"),
    "in_kind_item": _l("In-kind item"),
    "installation": _l("The whole portal"),
    "invitation": _l("Invitation"),
    "judge_assignment": _l("Assignment"),
    "loan": _l("Loan"),
    "loan_recovery": _l("Recovery on a written-off loan"),
    "loan_repayment": _l("Loan repayment"),
    "loan_restructuring": _l("Loan restructuring"),
    "loan_write_off": _l("Loan write-off"),
    "milestone": _l("Milestone"),
    "milestone_kind": _l("Kind of milestone"),
    "nomination": _l("Nomination"),
    "ocop_product": _l("OCOP product"),
    "ocop_rating": _l("OCOP rating"),
    "prize_payment": _l("Prize payment"),
    "prize_tier": _l("Prize"),
    "progress_report": _l("Progress report"),
    "report_schedule": _l("Report schedule"),
    "round": _l("Round"),
    "unit": _l("Unit"),
    "score_sheet": _l("Score sheet"),
    "support_activity": _l("Support activity"),
    "support_agreement": _l("Support agreement"),
    "supported_project": _l("Supported project"),
    "user": _l("Account"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_label(code: str) -> str:
    return str(OBJECT_LABELS.get(code, code))


@functools.cache
def _labelled_members() -> dict[str, enum.StrEnum]:
    """Every labelled status or choice of the models by its value (found, not imported: core
    knows no feature). Found once, as the classes are all defined by the first request; the
    labels themselves are read in each request's language. A value two features share
    ("submitted") takes the word of the one defined first, the earlier layer."""
    members: dict[str, enum.StrEnum] = {}
    pending = list(enum.StrEnum.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("portal.") and isinstance(
            getattr(cls, "label", None), property
        ):
            for member in cls:
                members.setdefault(member.value, member)
    return members


def readable(data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Before or after as `key: value` lines, codes in words and Vietnamese as written."""
    if not data:
        return []
    members = _labelled_members()

    def show(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "✓" if value else "✗"
        if isinstance(value, str):
            return members[value].label if value in members else value
        if isinstance(value, list):
            return ", ".join(show(v) for v in value)
        return json.dumps(value, ensure_ascii=False)

    return [(key, show(value)) for key, value in data.items()]
