"""Demo judging: judges with their expertise, a round scored and its results final."""

from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.demo.common import DEMO_PASSWORD, DIEN_BIEN_ORGANISER, unit_named
from portal.extensions import db

DEMO_JUDGES = [  # (e-mail, name, language, expertise: category codes)
    ("giamkhao@demo.hoilhpn.vn", "Trần Minh Ngọc", "en", ["digital_economy", "services"]),
    ("giamkhao.nganhang@demo.hoilhpn.vn", "Phạm Thị Lan", "vi", ["agriculture", "food_processing"]),
    ("giamkhao.htx@demo.hoilhpn.vn", "Lường Văn Thắng", "vi", ["handicrafts", "community_tourism"]),
    (
        "giamkhao.khuyennong@demo.hoilhpn.vn",
        "Đỗ Thị Hạnh",
        "vi",
        ["medicinal_plants", "agriculture"],
    ),
]

# Entries in judging: (applicant name, commune, title, category code)
DEMO_JUDGED_ENTRIES = [
    ("Lò Thị Phương", "Xã Mường Phăng", "Trà shan tuyết Mường Phăng", "agriculture"),
    ("Quàng Thị Lả", "Phường Điện Biên Phủ", "Bánh khẩu xén đóng hộp", "food_processing"),
    ("Vì Thị Nhung", "Xã Mường Phăng", "Váy áo Thái may sẵn bán trực tuyến", "handicrafts"),
    ("Giàng Thị Mai", "Xã Mường Phăng", "Vườn thuốc nam của người Mông", "medicinal_plants"),
    (
        "Lò Thị Yến",
        "Phường Điện Biên Phủ",
        "Tour đạp xe cánh đồng Mường Thanh",
        "community_tourism",
    ),
    ("Cầm Thị Hoa", "Phường Điện Biên Phủ", "Giặt là và sửa đồ cho khách du lịch", "services"),
    ("Lường Thị Thơm", "Xã Mường Phăng", "Gian hàng số cho đặc sản của bản", "digital_economy"),
    ("Tòng Thị Sen", "Xã Mường Phăng", "Phân hữu cơ từ phụ phẩm cà phê", "green_economy"),
    ("Mùa Thị Dợ", "Xã Mường Phăng", "Gà đen nuôi thả đồi", "agriculture"),
    ("Lò Thị Hiên", "Phường Điện Biên Phủ", "Thịt trâu gác bếp hút chân không", "food_processing"),
    ("Quàng Thị Xuyến", "Phường Điện Biên Phủ", "Túi thổ cẩm từ vải tái chế", "handicrafts"),
    ("Vừ Thị Dính", "Xã Mường Phăng", "Homestay nhà trình tường", "community_tourism"),
]


def load_judging(now) -> None:
    """The Điện Biên competition in judging: entries, four judges, the default rubric, the
    judges assigned by the solver, and sheets in every state (the demo judge still has work)."""
    import random

    from portal.applicants.models import ApplicantProfile
    from portal.competitions.models import Competition, CompetitionStatus
    from portal.core.text import fold
    from portal.entries.models import Entry, EntryStatus
    from portal.judging.assignment.solver import EntryToJudge, Judge, assign_judges
    from portal.judging.common import ensure_rubric, record_scores
    from portal.judging.models import (
        Assignment,
        AssignmentSource,
        CompetitionJudge,
        ScoreSheet,
        SheetStatus,
    )

    competition = db.session.scalar(
        sa.select(Competition).where(
            Competition.status == CompetitionStatus.JUDGING,
            Competition.title.like("Phụ nữ Điện Biên khởi nghiệp%"),
        )
    )
    if competition is None or db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(Entry.competition_id == competition.id)
    ):
        return
    organiser = db.session.scalar(sa.select(User).where(User.email == DIEN_BIEN_ORGANISER))
    # The open competition of the same province and year numbers its entries DB-…; references
    # are unique across the portal.
    competition.reference_prefix = "DBKN"
    first_round = competition.rounds[0]
    first_round.scoring_closes_at = (now + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    criteria = ensure_rubric(first_round)
    ensure_rubric(competition.rounds[1])
    categories = {c.code: c for c in competition.categories}

    entries = []
    for number, (name, commune, title, code) in enumerate(DEMO_JUDGED_ENTRIES, start=1):
        email = f"{fold(name).replace(' ', '.')}@demo.hoilhpn.vn"
        home = unit_named("Điện Biên", commune)
        user = User(email=email, full_name=name, language="vi", confirmed_at=now)
        user.set_password(DEMO_PASSWORD)
        user.roles.append(RoleGrant(role=Role.APPLICANT))
        user.province_id, user.commune_id = home.parent_id, home.id
        db.session.add(user)
        db.session.flush()
        db.session.add(
            ApplicantProfile(
                user_id=user.id,
                date_of_birth=date(1980 + number, 5, 19),
                gender="female",
                ethnicity="03" if number % 3 else "04",
                household_status=["poor", "near_poor", "neither"][number % 3],
                union_member=True,
                business_stage=["idea", "household_business", "cooperative"][number % 3],
            )
        )
        reference = f"{competition.reference_prefix}-{competition.year}-{number:04d}"
        entry = Entry(
            competition=competition,
            applicant=user,
            category=categories[code],
            status=EntryStatus.IN_JUDGING,
            reference=reference,
            title=title,
            summary=f"{title}: sản phẩm của phụ nữ trong bản, bán cho khách du lịch và qua mạng.",
            problem="Sản phẩm làm thủ công, bán lẻ, giá thấp và chưa có thương hiệu.",
            solution="Làm theo quy trình chung, có bao bì và nhãn mác, bán qua hợp tác xã.",
            customers="Khách du lịch, cửa hàng đặc sản ở Hà Nội, khách mua trực tuyến.",
            local_resources="Nguyên liệu của bản và tay nghề truyền thống của phụ nữ Thái, Mông.",
            capital_needed=50_000_000 * (1 + number % 5),
            jobs_for_women=3 + number % 7,
            consent_publish=True,
            commune_id=home.id,
            ethnic_minority=True,
            submitted_at=now - timedelta(days=45, hours=number),
            first_submitted_at=now - timedelta(days=45, hours=number),
            search_text=fold(f"{reference} {title} {name}"),
        )
        db.session.add(entry)
        entries.append(entry)
    competition.last_entry_number = len(entries)

    judges = []
    for email, name, language, expertise in DEMO_JUDGES:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, language=language, confirmed_at=now)
            user.set_password(DEMO_PASSWORD)
            user.roles.append(RoleGrant(role=Role.JUDGE))
            db.session.add(user)
            db.session.flush()
        db.session.add(
            CompetitionJudge(
                competition_id=competition.id,
                email=email,
                user_id=user.id,
                invited_by_id=organiser.id,
                expertise=[categories[code].id for code in expertise],
                declared_at=now - timedelta(days=3),
            )
        )
        judges.append((user, expertise))
    db.session.flush()

    plan = assign_judges(
        [
            EntryToJudge(
                id=e.id,
                reference=e.reference,
                applicant_id=e.applicant_id,
                category=str(e.category_id),
                commune_id=e.commune_id,
            )
            for e in entries
        ],
        [
            Judge(id=u.id, name=u.full_name, expertise={str(categories[c].id) for c in codes})
            for u, codes in judges
        ],
        k=first_round.judges_per_entry,
    )
    demo_judge = judges[0][0]
    rng = random.Random(2026)
    started = 0
    for pair in plan.assignments:
        assignment = Assignment(
            round_id=first_round.id,
            entry_id=pair.entry_id,
            judge_id=pair.judge_id,
            source=AssignmentSource.AUTOMATIC,
            created_by_id=organiser.id,
            created_at=now - timedelta(days=4),
        )
        db.session.add(assignment)
        db.session.flush()
        if pair.judge_id == demo_judge.id:
            started += 1
            if started > 3:
                continue  # the demo judge still has entries to score
        judge = db.session.get(User, pair.judge_id)
        submitted = not (pair.judge_id == demo_judge.id and started == 3)
        sheet = ScoreSheet(
            assignment_id=assignment.id,
            round_id=first_round.id,
            status=SheetStatus.SUBMITTED if submitted else SheetStatus.DRAFT,
            comment="Ý tưởng gắn với bản sắc địa phương; cần làm rõ chi phí.",
            submitted_at=now - timedelta(days=1) if submitted else None,
        )
        db.session.add(sheet)
        # Each judge has her own leniency, so that the normalised score differs from the raw one.
        leniency = 0.55 + 0.1 * (judge.id % 4)
        points = {
            c.id: min(c.max_points, round(c.max_points * leniency * rng.uniform(0.7, 1.3) * 2) / 2)
            for c in criteria
        }
        record_scores(
            sheet,
            points,
            actor=judge,
            action="score_sheet.submitted" if submitted else "score_sheet.draft_saved",
            now=now - timedelta(days=1),
        )
    first_round.assignment_version = 1
    db.session.flush()
