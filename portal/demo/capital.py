"""Demo of follow-on capital in Lào Cai: two capital sources, a grant in tranches with one waiting
on a milestone, loans of each method (one in its grace periods, one repaid early, one in each
bucket of arrears, one restructured after a flood, one written off with a recovery since),
in-kind support with its signed receipts, a proposal waiting for the second signature. Dates are
counted from today, through the services the pages use (each commits)."""

import io
from datetime import datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from portal.auth.models import User
from portal.core.time import vietnam_date
from portal.extensions import db

ORGANISER = "tochuc.laocai@demo.hoilhpn.vn"
SECOND = "phochutich.laocai@demo.hoilhpn.vn"
OWNER = "ungvien2@demo.hoilhpn.vn"


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _receipt_photo() -> bytes:
    """A plain picture standing for the photo of a signed receipt."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(image)
    for y in range(40, 280, 30):
        draw.line((40, y, 440, y), fill="#9aa", width=2)
    draw.ellipse((300, 230, 430, 290), outline="#1a3c8c", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def load_capital(now: datetime) -> None:
    """Called by load_demo after the projects; does nothing once the demo has a capital source."""
    from portal.capital.agreements import services as agreements
    from portal.capital.in_kind import services as in_kind
    from portal.capital.loans import services as loans
    from portal.capital.loans import writeoff
    from portal.capital.models import CapitalSource
    from portal.capital.restructuring import services as restructuring
    from portal.capital.sources import services as sources
    from portal.capital.tranches import services as tranches
    from portal.projects.milestones.models import MilestoneKind
    from portal.projects.models import SupportedProject

    organiser, second, owner = _user(ORGANISER), _user(SECOND), _user(OWNER)
    if None in (organiser, second, owner) or db.session.scalar(
        sa.select(sa.func.count(CapitalSource.id))
    ):
        return
    first = db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.owner_id == owner.id)
    )
    if first is None:
        return
    others = list(
        db.session.scalars(
            sa.select(SupportedProject)
            .where(SupportedProject.unit_id == first.unit_id, SupportedProject.id != first.id)
            .order_by(SupportedProject.id)
        )
    )[:4]
    if len(others) < 4:
        return
    today = vietnam_date(now)
    fund = sources.create_source(
        organiser, first.unit_id, "Quỹ Hỗ trợ phụ nữ phát triển tỉnh Lào Cai", "support_fund"
    )
    sources.contribute(
        organiser,
        fund,
        4_500_000_000,
        today - relativedelta(months=30),
        "Vốn điều lệ do Tỉnh hội cấp",
        now=now,
    )
    savings = sources.create_source(
        organiser, first.unit_id, "Tiết kiệm nội bộ hội viên Hội LHPN tỉnh", "internal_savings"
    )
    sources.contribute(
        organiser,
        savings,
        250_000_000,
        today - relativedelta(months=24),
        "Tiền tiết kiệm của các chi hội",
        now=now,
    )

    # A grant for the first winner's weaving cooperative, in three tranches: the first paid, the
    # second released by the cooperative's registration (verified), the third waiting on an
    # online shop to be verified.
    grant = agreements.propose(
        organiser,
        first,
        kind="grant",
        source_id=fund.id,
        amount=60_000_000,
        purpose="Mua khung dệt và nhuộm chàm cho hợp tác xã",
        now=now,
    )
    agreements.approve(second, grant, expected_version=1, now=now)
    kinds = {k.code: k.id for k in db.session.scalars(sa.select(MilestoneKind))}
    first_tranche = tranches.add_tranche(
        organiser, grant, amount=20_000_000, planned_on=today - relativedelta(months=6)
    )
    tranches.release(organiser, first_tranche, expected_version=1)
    tranches.pay(organiser, first_tranche, today - relativedelta(months=6), now=now)
    registered = tranches.add_tranche(
        organiser,
        grant,
        amount=20_000_000,
        planned_on=today - relativedelta(months=2),
        condition="milestone",
        milestone_kind_id=kinds["registered"],
    )
    tranches.release(organiser, registered, expected_version=1)
    tranches.add_tranche(
        organiser,
        grant,
        amount=20_000_000,
        planned_on=today + relativedelta(months=2),
        condition="milestone",
        milestone_kind_id=kinds["online_shop"],
    )

    def loan(project, amount, rate, periods, grace, method, disbursed, purpose):
        agreement = agreements.propose(
            organiser,
            project,
            kind="loan",
            source_id=fund.id,
            amount=amount,
            purpose=purpose,
            loan=agreements.LoanTerms(rate, periods, grace, "monthly", method),
            now=now,
        )
        agreements.approve(second, agreement, expected_version=1, now=now)
        return loans.disburse(organiser, agreement, disbursed, now=now)

    def pay(the_loan, numbers, *, early_rest_on=None):
        for number in numbers:
            instalment = the_loan.instalments[number - 1]
            loans.record_repayment(
                organiser,
                the_loan,
                paid_on=instalment.due_on - timedelta(days=2),
                amount=instalment.principal
                + instalment.interest
                - instalment.paid_principal
                - instalment.paid_interest,
                method="cash",
                reference=f"BL-{number:03d}",
                now=now,
            )
        if early_rest_on:
            owed = sum(i.principal - i.paid_principal for i in the_loan.instalments)
            loans.record_repayment(
                organiser,
                the_loan,
                paid_on=early_rest_on,
                amount=owed,
                method="bank_transfer",
                reference="Trả hết trước hạn",
                early=True,
                now=now,
            )

    # In its grace periods: declining, 0.65 % a month, 12 months of which 3 of grace.
    in_grace = loan(
        others[0],
        30_000_000,
        "0.65",
        12,
        3,
        "declining",
        today - relativedelta(months=2) - timedelta(days=5),
        "Mua giống ngô và phân bón",
    )
    pay(in_grace, [1, 2])
    # Repaid early: annuity, 0.5 % a month, 12 months; four instalments, then the rest at once.
    early = loan(
        others[1],
        24_000_000,
        "0.5",
        12,
        0,
        "annuity",
        today - relativedelta(months=7),
        "Mở rộng homestay",
    )
    pay(early, [1, 2, 3, 4], early_rest_on=today - relativedelta(months=3) + timedelta(days=10))
    # 45 days late: flat, 0.7 % a month, 12 months; two instalments paid, the third not.
    late = loan(
        others[2],
        18_000_000,
        "0.7",
        12,
        0,
        "flat",
        today - timedelta(days=45) - relativedelta(months=3),
        "Nuôi lợn đen bản địa",
    )
    pay(late, [1, 2])
    # One loan in each other bucket of arrears, so that the portfolio shows them all: 10 days
    # late (1–30), 75 (61–90), 120 (91–180) and 200 (over 180).
    for project, days, paid, method, purpose in [
        (others[0], 10, 3, "declining", "Máy hút chân không đóng gói miến dong"),
        (others[1], 75, 1, "annuity", "Nhà sấy chè shan tuyết"),
        (others[2], 120, 0, "flat", "Mua dê giống"),
        (others[3], 200, 0, "declining", "Sửa chuồng trại sau lũ"),
    ]:
        behind = loan(
            project,
            12_000_000,
            "0.6",
            12,
            0,
            method,
            today - timedelta(days=days) - relativedelta(months=paid + 1),
            purpose,
        )
        pay(behind, range(1, paid + 1))
    # Restructured: the flood took the pig pens four months ago; three instalments had been paid,
    # the fourth was missed. A new schedule of twelve months, two of them of grace, for what was
    # due after the flood; the missed instalment stays owed.
    flooded = loan(
        others[1],
        24_000_000,
        "0.65",
        12,
        0,
        "declining",
        today - relativedelta(months=8),
        "Nuôi lợn thịt",
    )
    pay(flooded, [1, 2, 3])
    proposal = restructuring.propose_restructuring(
        organiser,
        flooded,
        reason="Lũ quét cuốn trôi chuồng trại và 12 con lợn.",
        effective_on=flooded.instalments[3].due_on + timedelta(days=10),
        periods=12,
        grace=2,
        now=now,
    )
    restructuring.approve_restructuring(second, proposal, now=now)
    # Since then she has caught up with what was due, the missed instalment included.
    caught_up_on = today - timedelta(days=3)
    loans.record_repayment(
        organiser,
        flooded,
        paid_on=caught_up_on,
        amount=sum(
            i.principal + i.interest - i.paid_principal - i.paid_interest
            for i in flooded.instalments
            if i.due_on <= caught_up_on
        ),
        method="cash",
        reference="BL-LU-01",
        now=now,
    )
    # Written off: a shop burnt down a year after the loan; its owner left the province. One
    # organiser proposed it, the second approved it, and a little was recovered since.
    lost = loan(
        others[3],
        10_000_000,
        "0.5",
        12,
        0,
        "declining",
        today - relativedelta(months=16),
        "Cửa hàng tạp hoá",
    )
    pay(lost, [1, 2, 3])
    writeoff.propose_write_off(organiser, lost, "Cửa hàng bị cháy, chủ hộ đã chuyển đi nơi khác.")
    writeoff.approve_write_off(second, lost, now=now - relativedelta(months=4))
    writeoff.record_recovery(
        organiser, lost, received_on=today - relativedelta(months=1), amount=1_500_000, now=now
    )
    # In-kind support: ten sows and a training day for a pig farmer, handed over with a receipt
    # she signed; the vaccines are still to come.
    goods = agreements.propose(
        organiser,
        others[2],
        kind="in_kind",
        source_id=fund.id,
        amount=45_000_000,
        purpose="Lợn nái giống, tập huấn thú y và vắc-xin",
        now=now,
    )
    agreements.approve(second, goods, expected_version=1, now=now)
    for kind, description, quantity, unit, value, months in [
        ("breeding_animals", "Lợn nái Móng Cái 3 tháng tuổi", "10", "con", 35_000_000, 5),
        ("training", "Tập huấn thú y tại xã", "1", "ngày", 3_000_000, 4),
    ]:
        in_kind.record_item(
            organiser,
            goods,
            kind=kind,
            description=description,
            quantity=quantity,
            unit_of_measure=unit,
            value=value,
            delivered_on=today - relativedelta(months=months),
            receipt=(_receipt_photo(), "bien-ban-ban-giao.png"),
            now=now,
        )
    # Waiting for the second signature.
    agreements.propose(
        organiser,
        others[3],
        kind="loan",
        source_id=savings.id,
        amount=15_000_000,
        purpose="Máy xay xát gạo",
        loan=agreements.LoanTerms("0.5", 24, 2, "monthly", "annuity"),
        now=now,
    )
