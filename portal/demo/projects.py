"""Demo of following the winners: the Lào Cai winners' projects two years on, with verified
milestones (a cooperative founded), progress reports in every state (accepted, returned, sent and
waiting, late, due, upcoming), an OCOP 3-star product whose rating expires next month, a
household that left poverty, a training with its attendance and a public story.

Dates are counted from today, so that the states hold whenever the demo is loaded."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from portal.auth.models import User
from portal.core.time import vietnam_date
from portal.extensions import db

OWNER = "ungvien2@demo.hoilhpn.vn"  # Hoàng Thị Sáu, first prize in Lào Cai
ORGANISER = "tochuc.laocai@demo.hoilhpn.vn"


def _answers(revenue: int, jobs: int, women: int, ethnic: int, household: str, **more):
    from portal.projects.reports.services import ReportData

    return ReportData(
        revenue=revenue,
        costs=revenue * 6 // 10,
        products_sold=more.pop("products", ""),
        jobs_total=jobs,
        jobs_women=women,
        jobs_ethnic_women=ethnic,
        members=more.pop("members", None),
        household_status=household,
        needs=more.pop("needs", ["market"]),
        went_well=more.pop("went_well", ""),
        was_hard=more.pop("was_hard", ""),
    )


def load_projects(now: datetime) -> None:
    """Through the services the pages use (each commits). Called by load_demo after the awards;
    does nothing when the demo projects are already followed."""
    from portal.projects.activities import services as activities
    from portal.projects.milestones import services as milestones
    from portal.projects.milestones.kinds import add_default_kinds
    from portal.projects.milestones.models import MilestoneKind
    from portal.projects.models import SupportedProject
    from portal.projects.ocop import services as ocop
    from portal.projects.ocop.schemes import add_default_schemes
    from portal.projects.poverty import services as poverty
    from portal.projects.reports import services as reports
    from portal.projects.reports.models import ReportSchedule
    from portal.projects.story import services as story

    organiser = db.session.scalar(sa.select(User).where(User.email == ORGANISER))
    owner = db.session.scalar(sa.select(User).where(User.email == OWNER))
    if organiser is None or owner is None:
        return
    first = db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.owner_id == owner.id)
    )
    if first is None or db.session.scalar(sa.select(sa.func.count(ReportSchedule.id))):
        return
    projects = list(
        db.session.scalars(
            sa.select(SupportedProject)
            .where(SupportedProject.unit_id == first.unit_id)
            .order_by(SupportedProject.id)
        )
    )
    second, third, fourth = [p for p in projects if p is not first][:3]
    today = vietnam_date(now)
    # Published two years ago by the demo's awards loader; the projects began with their awards.
    from portal.awards.models import Award

    awarded = dict(
        db.session.execute(
            sa.select(Award.entry_id, sa.func.min(Award.issued_at))
            .where(Award.entry_id.in_([p.entry_id for p in projects]))
            .group_by(Award.entry_id)
        ).all()
    )
    for project in projects:
        project.created_at = awarded.get(project.entry_id) or project.created_at
    db.session.flush()
    # A database made by the migrations has the kinds and the OCOP rules already; one made from
    # the models (the tests') gets them here.
    add_default_kinds()
    add_default_schemes()
    kinds = {k.code: k.id for k in db.session.scalars(sa.select(MilestoneKind))}

    # The reports: six periods have ended, the sixth only days ago (due now), the seventh runs.
    starts_on = today - timedelta(days=4) - relativedelta(months=24)
    for project in (first, second, third):
        reports.set_schedule(organiser, project, "quarterly_then_half_yearly", starts_on, now=now)
    rows = reports.reports_of([first.id, second.id, third.id])

    def sent(project, number, answers, *, accept=False, give_back=""):
        report = rows[project.id][number - 1]
        when = datetime.combine(report.due_on, time(3, 0), tzinfo=UTC) - timedelta(days=3)
        reports.submit_report(
            project.owner, report, answers, expected_version=report.version, now=when
        )
        if accept:
            reports.accept_report(organiser, report, expected_version=report.version, now=when)
        if give_back:
            reports.return_report(
                organiser, report, give_back, expected_version=report.version, now=when
            )

    growth = [
        (8_000_000, 3, 3, 3),
        (15_500_000, 4, 4, 3),
        (22_000_000, 6, 5, 4),
        (31_000_000, 8, 7, 6),
        (64_000_000, 12, 10, 8),
    ]
    for number, (revenue, jobs, women, ethnic) in enumerate(growth, start=1):
        household = "near_poor" if number < 4 else "neither"
        answers = _answers(
            revenue,
            jobs,
            women,
            ethnic,
            household,
            members=9 if number >= 4 else None,
            products="Chăn ga gối thổ cẩm, túi thổ cẩm bán cho khách du lịch Sa Pa",
            went_well="Khách du lịch đặt hàng qua Zalo; các chị em trong bản cùng làm.",
            was_hard="Thiếu vốn mua chỉ màu vào mùa cao điểm.",
        )
        if number < 5:
            sent(first, number, answers, accept=True)
        else:  # sent, then returned for changes: she has to add the cooperative's figures
            sent(
                first,
                number,
                answers,
                give_back="Chị bổ sung số thành viên hợp tác xã và ảnh xưởng dệt mới giúp Hội.",
            )
    # The second project: three accepted, the fourth sent and waiting, the fifth never sent (late).
    for number in (1, 2, 3, 4):
        sent(
            second,
            number,
            _answers(5_000_000 * number, 2 + number, 2 + number, 2, "neither"),
            accept=number < 4,
        )
    # The third: the first accepted, the second skipped (a flood), the rest late.
    sent(third, 1, _answers(3_500_000, 2, 2, 2, "poor"), accept=True)
    skipped = rows[third.id][1]
    reports.skip_report(
        organiser,
        skipped,
        "Lũ quét tháng 9 làm hỏng xưởng; Hội miễn báo cáo kỳ này.",
        expected_version=skipped.version,
        now=now,
    )

    # Milestones: a cooperative founded and verified (it sets the project's legal form), an
    # online shop waiting for verification, and first sales returned for a better photo.
    cooperative = milestones.record_milestone(
        owner,
        first,
        milestones.MilestoneData(
            kinds["registered"],
            starts_on + relativedelta(months=14),
            note="Thành lập Hợp tác xã Thổ cẩm Dao đỏ Sa Pa với 9 thành viên.",
            registration_number="5200123456",
            legal_form="cooperative",
        ),
        now=now,
    )
    milestones.verify_milestone(organiser, cooperative, expected_version=1, now=now)
    milestones.record_milestone(
        owner,
        first,
        milestones.MilestoneData(
            kinds["online_shop"],
            today - timedelta(days=12),
            note="Mở gian hàng trên sàn thương mại điện tử.",
            evidence_link="https://shopee.vn/thocamdaodo",
        ),
        now=now,
    )
    shop = milestones.record_milestone(
        second.owner,
        second,
        milestones.MilestoneData(kinds["first_sales"], starts_on + relativedelta(months=2)),
        now=now,
    )
    milestones.return_milestone(
        organiser,
        shop,
        "Chị gửi thêm ảnh hoá đơn bán hàng đầu tiên.",
        expected_version=1,
        now=now,
    )

    # An OCOP 3-star product whose rating expires next month.
    product = ocop.add_product(owner, first, "Túi thổ cẩm Dao đỏ", "handicrafts", "cooperative")
    certified = today + timedelta(days=20) - relativedelta(months=36)
    ocop.record_rating(
        organiser,
        product,
        ocop.RatingData(
            certified - timedelta(days=10),
            "province",
            {"A": 24, "B": 14, "C": 20},
            "QĐ 1520/QĐ-UBND",
            certified,
            recheck_months=6,
        ),
        now=now,
    )

    # The households: the first left poverty (near-poor at her application, neither in her
    # accepted reports); the third moved from poor to near-poor at the commune's review.
    poverty.record_status(
        organiser,
        third,
        "near_poor",
        today - relativedelta(months=11),
        "commune_review",
        "Quyết định rà soát hộ nghèo, cận nghèo cuối năm của xã.",
        now=now,
    )

    # A training of Project 939, with two winners and a woman without an account.
    training = activities.create_activity(
        organiser,
        first.unit_id,
        "training",
        today - timedelta(days=40),
        "Bán hàng trực tuyến trên sàn thương mại điện tử",
        "Ngân hàng Chính sách xã hội tỉnh",
        first.commune_id,
        now=now,
    )
    for project in (first, second, fourth):
        activities.add_attendee(organiser, training, project_id=project.id)
    activities.add_attendee(
        organiser, training, name="Sần Thị Lan", commune_id=first.commune_id, ethnicity="11"
    )

    # Her story, published.
    story.save_story(
        owner,
        first,
        publish=True,
        text="Từ khung dệt của mẹ, tôi cùng chín chị em trong bản lập hợp tác xã thổ cẩm. "
        "Khách du lịch giờ đặt hàng qua mạng, và các chị có thêm thu nhập mà không phải "
        "rời bản.",
        now=now,
    )
