"""A repayment's receipt: a PDF she keeps, always in Vietnamese (it is her paper, like the
certificates), with the embedded fonts of the certificates so that every diacritic prints."""

import io

import sqlalchemy as sa
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from portal.auth.models import User
from portal.awards.certificates.services import ACCENT, BOLD, GREY, INK, REGULAR, register_fonts
from portal.capital.models import Repayment
from portal.core.money import format_vnd
from portal.core.time import to_vietnam
from portal.extensions import db

WIDTH, HEIGHT = A5
MARGIN = 40


def still_owed_after(repayment: Repayment) -> int:
    """The principal the loan still owed once this repayment was made (the ones recorded
    before it and not reversed counted too)."""
    repaid = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Repayment.principal), 0)).where(
            Repayment.loan_id == repayment.loan_id,
            Repayment.id <= repayment.id,
            Repayment.reversed_at.is_(None),
        )
    )
    return repayment.loan.principal - int(repaid)


def file_name(repayment: Repayment) -> str:
    return f"bien-nhan-{repayment.loan.agreement.reference}-{repayment.id}.pdf"


def receipt_pdf(repayment: Repayment) -> bytes:
    """The receipt as PDF bytes, in Vietnamese."""
    register_fonts()
    loan = repayment.loan
    agreement = loan.agreement
    project = agreement.project
    with force_locale("vi"):
        rows = [
            (_l("Receipt number"), f"{agreement.reference}-{repayment.id}"),
            (_l("Borrower"), project.owner.full_name),
            (_l("Project"), project.title),
            (_l("Loan"), agreement.reference),
            (_l("Paid on"), format_date(repayment.paid_on, "dd/MM/yyyy")),
            (_l("Amount"), format_vnd(repayment.amount, "vi")),
            (_l("Of which principal"), format_vnd(repayment.principal, "vi")),
            (_l("Of which interest"), format_vnd(repayment.interest, "vi")),
            (_l("How"), repayment.method.label),
            (_l("Receipt or transfer number"), repayment.reference or "—"),
            (_l("Principal still owed after it"), format_vnd(still_owed_after(repayment), "vi")),
            (
                _l("Recorded by"),
                f"{repayment_recorder(repayment)}, "
                f"{format_date(to_vietnam(repayment.recorded_at).date(), 'dd/MM/yyyy')}",
            ),
        ]
        union = str(_l("Vietnam Women's Union")) + " · " + project.unit.full_name
        title = str(_l("Repayment receipt"))
        early = str(_l("Early repayment")) if repayment.early else ""
        cancelled = (
            str(
                _l(
                    "CANCELLED on %(day)s: %(reason)s",
                    day=format_date(to_vietnam(repayment.reversed_at).date(), "dd/MM/yyyy"),
                    reason=repayment.reversal_reason,
                )
            )
            if repayment.reversed_at
            else ""
        )
        rows = [(str(label), str(value)) for label, value in rows]
    out = io.BytesIO()
    c = Canvas(out, pagesize=A5)
    c.setTitle(f"{title} {agreement.reference}-{repayment.id}")
    y = HEIGHT - MARGIN
    c.setFillColor(GREY)
    c.setFont(REGULAR, 9)
    c.drawCentredString(WIDTH / 2, y, union)
    y -= 30
    c.setFillColor(ACCENT)
    c.setFont(BOLD, 18)
    c.drawCentredString(WIDTH / 2, y, title.upper())
    if early:
        y -= 16
        c.setFont(REGULAR, 10)
        c.drawCentredString(WIDTH / 2, y, early)
    y -= 30
    for label, value in rows:
        c.setFillColor(GREY)
        c.setFont(REGULAR, 9)
        c.drawString(MARGIN, y, label)
        c.setFillColor(INK)
        c.setFont(BOLD, 10)
        c.drawString(MARGIN + 150, y, value[:60])
        y -= 20
    if cancelled:
        y -= 10
        c.setFillColor(ACCENT)
        c.setFont(BOLD, 12)
        c.drawString(MARGIN, y, cancelled[:70])
    c.showPage()
    c.save()
    return out.getvalue()


def repayment_recorder(repayment: Repayment) -> str:
    recorder = db.session.get(User, repayment.recorded_by_id)
    return recorder.full_name if recorder else ""
