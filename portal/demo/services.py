"""Demo data: real provinces and communes, Vietnamese names, one account for each role."""

from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import Invitation, Role, RoleGrant, User
from portal.core.time import utcnow
from portal.demo.awards import load_awards
from portal.extensions import db
from portal.units.models import Unit, UnitKind
from portal.units.services import load_units

DEMO_PASSWORD = "demo-portal-2026"

# (e-mail, full name, language, roles as (role, province name, commune name), home province, commune)
DEMO_PEOPLE = [
    (
        "admin@demo.hoilhpn.vn",
        "Nguyễn Thị Thanh Hà",
        "vi",
        [(Role.ADMIN, None, None)],
        "Hà Nội",
        "Phường Hoàn Kiếm",
    ),
    (
        "tochuc.dienbien@demo.hoilhpn.vn",
        "Lò Thị Hương",
        "vi",
        [(Role.ORGANISER, "Điện Biên", None)],
        "Điện Biên",
        "Phường Điện Biên Phủ",
    ),
    (
        "phochutich.dienbien@demo.hoilhpn.vn",
        "Cầm Thị Lan",
        "vi",
        [(Role.ORGANISER, "Điện Biên", None)],
        "Điện Biên",
        "Phường Điện Biên Phủ",
    ),
    (
        "tochuc.muongphang@demo.hoilhpn.vn",
        "Quàng Thị Dung",
        "vi",
        [(Role.ORGANISER, "Điện Biên", "Xã Mường Phăng")],
        "Điện Biên",
        "Xã Mường Phăng",
    ),
    (
        "tochuc.laocai@demo.hoilhpn.vn",
        "Vàng Thị Mỷ",
        "vi",
        [(Role.ORGANISER, "Lào Cai", None), (Role.JUDGE, None, None)],
        "Lào Cai",
        None,
    ),
    (
        "phochutich.laocai@demo.hoilhpn.vn",
        "Lý Thị Hoa",
        "vi",
        [(Role.ORGANISER, "Lào Cai", None)],
        "Lào Cai",
        None,
    ),
    (
        "giamkhao@demo.hoilhpn.vn",
        "Trần Minh Ngọc",
        "en",
        [(Role.JUDGE, None, None)],
        "Hà Nội",
        None,
    ),
    (
        "ungvien@demo.hoilhpn.vn",
        "Lò Thị Mai",
        "vi",
        [(Role.APPLICANT, None, None)],
        "Điện Biên",
        "Xã Mường Phăng",
    ),
    (
        "ungvien2@demo.hoilhpn.vn",
        "Hoàng Thị Sáu",
        "vi",
        [(Role.APPLICANT, None, None)],
        "Lào Cai",
        None,
    ),
]

ROLE_TITLES = {
    Role.ADMIN: "admin",
    Role.ORGANISER: "organiser",
    Role.JUDGE: "judge",
    Role.APPLICANT: "applicant",
}


def _unit(province_name: str | None, commune_name: str | None) -> Unit | None:
    if not province_name:
        return None
    province = db.session.scalar(
        sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE, Unit.name.endswith(province_name))
    )
    if province is None or not commune_name:
        return province
    return db.session.scalar(
        sa.select(Unit).where(Unit.parent_id == province.id, Unit.name == commune_name)
    )


def load_demo() -> list[dict]:
    """Create the demo accounts that do not exist yet; return the logins to print."""
    if db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0:
        load_units()
    now = utcnow()
    logins = []
    for email, name, language, roles, province_name, commune_name in DEMO_PEOPLE:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            home_province = _unit(province_name, None)
            home_commune = _unit(province_name, commune_name) if commune_name else None
            user = User(
                email=email,
                full_name=name,
                language=language,
                confirmed_at=now,
                province_id=home_province.id if home_province else None,
                commune_id=home_commune.id if home_commune else None,
            )
            user.set_password(DEMO_PASSWORD)
            for role, scope_province, scope_commune in roles:
                scope = _unit(scope_province, scope_commune)
                user.roles.append(RoleGrant(role=role, unit_id=scope.id if scope else None))
            db.session.add(user)
            db.session.flush()
        described = []
        for grant in user.roles:
            title = ROLE_TITLES[grant.role]
            if grant.unit is not None:
                title += f" ({grant.unit.name})"
            described.append(title)
        logins.append({"role": ", ".join(described), "email": email, "name": name})

    # A pending invitation, so the invitations page shows one.
    admin = db.session.scalar(sa.select(User).where(User.email == DEMO_PEOPLE[0][0]))
    invited = "chuyengia.nganhang@demo.hoilhpn.vn"
    if db.session.scalar(sa.select(Invitation).where(Invitation.email == invited)) is None:
        db.session.add(
            Invitation(
                email=invited,
                role=Role.JUDGE,
                invited_by_id=admin.id,
                language="vi",
                expires_at=now + timedelta(days=14),
            )
        )
    db.session.flush()
    _load_competitions(now)
    _load_entries(now)
    _load_judging(now)
    # The decisions go through the awards services, which commit what came before with them.
    load_awards(now, DEMO_PASSWORD)
    db.session.commit()
    return logins


def other_demo_accounts() -> list[dict]:
    """Every demo account not in DEMO_PEOPLE, each with what she is in the demo (her entries,
    their state, her prizes; or the competitions she judges), read from the data itself so that
    the list `flask demo load` prints stays true as the demo grows."""
    from portal.awards.models import Award, AwardStatus
    from portal.entries.models import Entry
    from portal.judging.models import CompetitionJudge

    named = {person[0] for person in DEMO_PEOPLE}
    users = db.session.scalars(
        sa.select(User).where(User.email.like("%@demo.hoilhpn.vn")).order_by(User.id)
    ).all()
    entries: dict[int, list] = {}
    for entry in db.session.scalars(sa.select(Entry).order_by(Entry.id)):
        entries.setdefault(entry.applicant_id, []).append(entry)
    prizes: dict[int, list[str]] = {}
    for award in db.session.scalars(sa.select(Award).where(Award.entry_id.is_not(None))):
        if award.certificate_code is None:  # a decision not yet published
            prize = f"proposed for {award.tier.name}, the decision waits for approval"
        elif award.status is AwardStatus.REVOKED:
            prize = f"{award.tier.name}, revoked"
        else:
            prize = award.tier.name
        prizes.setdefault(award.entry_id, []).append(prize)
    judged: dict[int, list[str]] = {}
    for judge in db.session.scalars(sa.select(CompetitionJudge).order_by(CompetitionJudge.id)):
        if judge.user_id is not None:
            judged.setdefault(judge.user_id, []).append(judge.competition.title)

    accounts = []
    for user in users:
        if user.email in named:
            continue
        described = [
            f"{e.reference or 'draft'} {e.title} ({e.competition.unit.name}, {e.status.value.replace('_', ' ')}"
            + "".join(f", {prize}" for prize in prizes.get(e.id, []))
            + ")"
            for e in entries.get(user.id, [])
        ]
        if user.id in judged:
            described.append("judge of " + "; ".join(judged[user.id]))
        role = "judge" if user.id in judged and user.id not in entries else "applicant"
        accounts.append(
            {"role": role, "email": user.email, "name": user.full_name, "what": described}
        )
    return accounts


# (title, province, commune, level, status, days from now to the entry deadline, entry round length)
DEMO_COMPETITIONS = [
    ("Phụ nữ Điện Biên khởi nghiệp {year}", "Điện Biên", None, "provincial", "open", 30, 60),
    (
        "Ý tưởng khởi nghiệp phụ nữ Mường Phăng {year}",
        "Điện Biên",
        "Xã Mường Phăng",
        "commune",
        "open",
        9,
        30,
    ),
    ("Phụ nữ Lào Cai khởi nghiệp {year}", "Lào Cai", None, "provincial", "open", 75, 30),
    ("Phụ nữ Điện Biên sáng tạo {year}", "Điện Biên", None, "provincial", "draft", 90, 45),
    ("Phụ nữ Lào Cai khởi nghiệp {year}", "Lào Cai", None, "provincial", "closed", -5, 60),
    ("Phụ nữ Điện Biên khởi nghiệp {year}", "Điện Biên", None, "provincial", "judging", -40, 60),
    (
        "Phụ nữ Điện Biên khởi nghiệp {year}",
        "Điện Biên",
        None,
        "provincial",
        "results_final",
        -70,
        60,
    ),
    (
        "Phụ nữ Lào Cai khởi nghiệp {year}",
        "Lào Cai",
        None,
        "provincial",
        "results_published",
        -200,
        60,
    ),
    ("Phụ nữ Điện Biên khởi nghiệp {year}", "Điện Biên", None, "provincial", "archived", -560, 60),
]

DEMO_DESCRIPTION = (
    "Cuộc thi do Hội Liên hiệp Phụ nữ tổ chức nhằm tìm kiếm, hỗ trợ các ý tưởng khởi nghiệp của "
    "phụ nữ, đặc biệt là phụ nữ dân tộc thiểu số, phụ nữ thuộc hộ nghèo và cận nghèo."
)
DEMO_RULES = (
    "1. Người đứng tên bài dự thi là phụ nữ.\n"
    "2. Mỗi người gửi tối đa một ý tưởng.\n"
    "3. Bài dự thi gồm bản mô tả ý tưởng, kế hoạch kinh doanh và ảnh sản phẩm (nếu có)."
)


def _load_competitions(now) -> None:
    """Competitions in every state, around today, so that every page has something to show."""
    from portal.competitions.models import (
        DEFAULT_CATEGORIES,
        Category,
        Competition,
        CompetitionLevel,
        CompetitionStatus,
        Round,
    )
    from portal.competitions.services import default_prefix

    admin = db.session.scalar(sa.select(User).where(User.email == DEMO_PEOPLE[0][0]))
    for title, province, commune, level, status, deadline_days, length_days in DEMO_COMPETITIONS:
        closes = (now + timedelta(days=deadline_days)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        opens = closes - timedelta(days=length_days)
        year = closes.year
        title = title.format(year=year)
        unit = _unit(province, commune)
        exists = db.session.scalar(
            sa.select(Competition.id).where(
                Competition.title == title, Competition.status == CompetitionStatus(status)
            )
        )
        if exists:
            continue
        db.session.add(
            Competition(
                title=title,
                year=year,
                level=CompetitionLevel(level),
                unit_id=unit.id,
                status=CompetitionStatus(status),
                description=DEMO_DESCRIPTION,
                rules=DEMO_RULES,
                reference_prefix=default_prefix(unit),
                min_age=18 if level == "provincial" else None,
                max_age=55 if level == "provincial" else None,
                created_by_id=admin.id,
                categories=[
                    Category(position=n, code=code) for n, code in enumerate(DEFAULT_CATEGORIES)
                ],
                rounds=[
                    Round(position=0, name="Vòng sơ khảo", opens_at=opens, closes_at=closes),
                    Round(
                        position=1,
                        name="Chung kết",
                        opens_at=closes + timedelta(days=20),
                        closes_at=closes + timedelta(days=21),
                    ),
                ],
            )
        )
    db.session.flush()


# Demo applicants: (e-mail, name, commune of Điện Biên, ethnicity code, household, stage, born).
DEMO_APPLICANTS = [
    ("ungvien@demo.hoilhpn.vn", "Lò Thị Mai", "Xã Mường Phăng", "03", "near_poor", "idea", 1991),
    (
        "lo.thi.xuan@demo.hoilhpn.vn",
        "Lò Thị Xuân",
        "Xã Mường Phăng",
        "03",
        "poor",
        "household_business",
        1987,
    ),
    (
        "quang.thi.hoa@demo.hoilhpn.vn",
        "Quàng Thị Hoa",
        "Phường Điện Biên Phủ",
        "03",
        "neither",
        "cooperative",
        1983,
    ),
    ("giang.thi.de@demo.hoilhpn.vn", "Giàng Thị Dế", "Xã Mường Phăng", "08", "poor", "idea", 1996),
    (
        "nguyen.thu.trang@demo.hoilhpn.vn",
        "Nguyễn Thu Trang",
        "Phường Điện Biên Phủ",
        "01",
        "neither",
        "enterprise",
        1989,
    ),
]

# (applicant e-mail, status of the entry, title, category code, summary, capital in đồng, jobs)
DEMO_ENTRIES = [
    (
        "ungvien@demo.hoilhpn.vn",
        "draft",
        "Rượu men lá Mường Phăng",
        "food_processing",
        "Rượu men lá truyền thống của người Thái, đóng chai có nhãn mác cho khách du lịch.",
        150_000_000,
        6,
    ),
    (
        "lo.thi.xuan@demo.hoilhpn.vn",
        "submitted",
        "Khăn piêu thổ cẩm cho du lịch cộng đồng",
        "handicrafts",
        "Dệt và thêu khăn piêu theo đơn đặt hàng của các homestay và cửa hàng lưu niệm.",
        80_000_000,
        12,
    ),
    (
        "quang.thi.hoa@demo.hoilhpn.vn",
        "submitted",
        "Gạo nếp tan sấy dẻo đóng túi",
        "agriculture",
        "Chế biến nếp tan Điện Biên thành cơm cháy và xôi sấy đóng túi, bán qua sàn thương mại điện tử.",
        300_000_000,
        9,
    ),
    (
        "giang.thi.de@demo.hoilhpn.vn",
        "submitted",
        "Trồng và sơ chế sâm đất dưới tán rừng",
        "medicinal_plants",
        "Trồng sâm đất dưới tán rừng, sơ chế sấy khô theo chuỗi với tổ hợp tác của bản.",
        120_000_000,
        15,
    ),
    (
        "nguyen.thu.trang@demo.hoilhpn.vn",
        "submitted",
        "Homestay và bữa cơm bản Thái",
        "community_tourism",
        "Đón khách trải nghiệm nấu ăn, dệt vải cùng phụ nữ trong bản, chia lợi nhuận cho các hộ.",
        450_000_000,
        8,
    ),
]


def _load_entries(now) -> None:
    """Applicant profiles, and entries to the open competition of Điện Biên in several states."""
    from portal.applicants.models import ApplicantProfile
    from portal.competitions.models import Competition, CompetitionStatus
    from portal.core.text import fold
    from portal.entries.models import Entry, EntryStatus, EntryVersion
    from portal.entries.services import snapshot

    competition = db.session.scalar(
        sa.select(Competition).where(
            Competition.status == CompetitionStatus.OPEN,
            Competition.title.like("Phụ nữ Điện Biên khởi nghiệp%"),
        )
    )
    if competition is None or db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(Entry.competition_id == competition.id)
    ):
        return
    people = {}
    for email, name, commune, ethnicity, household, stage, born in DEMO_APPLICANTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        home = _unit("Điện Biên", commune)
        if user is None:
            user = User(email=email, full_name=name, language="vi", confirmed_at=now)
            user.set_password(DEMO_PASSWORD)
            user.roles.append(RoleGrant(role=Role.APPLICANT))
            db.session.add(user)
        user.province_id, user.commune_id = home.parent_id, home.id
        db.session.flush()
        if db.session.get(ApplicantProfile, user.id) is None:
            db.session.add(
                ApplicantProfile(
                    user_id=user.id,
                    date_of_birth=date(born, 3, 8),
                    gender="female",
                    ethnicity=ethnicity,
                    household_status=household,
                    union_member=True,
                    business_stage=stage,
                )
            )
        people[email] = (user, home, ethnicity != "01", household, stage)
    categories = {c.code: c for c in competition.categories}
    for number, (email, status, title, code, summary, capital, jobs) in enumerate(
        DEMO_ENTRIES, start=1
    ):
        user, home, minority, household, stage = people[email]
        entry = Entry(
            competition=competition,
            applicant=user,
            category=categories[code],
            status=EntryStatus(status),
            title=title,
            summary=summary,
            problem="Sản phẩm của bản còn bán lẻ, chưa có thương hiệu và chưa tới được khách ở xa.",
            solution="Chuẩn hoá quy trình, làm bao bì và nhãn mác, liên kết với hợp tác xã và homestay.",
            customers="Khách du lịch đến Điện Biên, cửa hàng đặc sản ở Hà Nội, bán hàng trực tuyến.",
            local_resources="Nguyên liệu và tay nghề truyền thống của phụ nữ dân tộc Thái, Mông trong bản.",
            capital_needed=capital,
            jobs_for_women=jobs,
            consent_publish=True,
        )
        db.session.add(entry)
        if status != "draft":
            entry.reference = f"{competition.reference_prefix}-{competition.year}-{number:04d}"
            entry.submitted_at = entry.first_submitted_at = now - timedelta(days=10 - number)
            entry.commune_id, entry.ethnic_minority = home.id, minority
            entry.household_status, entry.business_stage = household, stage
            competition.last_entry_number = number
            db.session.flush()
            entry.versions.append(
                EntryVersion(number=1, submitted_at=entry.submitted_at, data=snapshot(entry))
            )
        entry.search_text = fold(" ".join(filter(None, [entry.reference, title, user.full_name])))
    db.session.flush()


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


def _load_judging(now) -> None:
    """The Điện Biên competition in judging: entries, four judges, the default rubric, the
    judges assigned by the solver, and sheets in every state (the demo judge still has work)."""
    import random

    from portal.applicants.models import ApplicantProfile
    from portal.competitions.models import Competition, CompetitionStatus
    from portal.core.text import fold
    from portal.entries.models import Entry, EntryStatus
    from portal.judging.assignment import EntryToJudge, Judge, assign_judges
    from portal.judging.models import (
        Assignment,
        AssignmentSource,
        CompetitionJudge,
        ScoreSheet,
        SheetStatus,
    )
    from portal.judging.services import ensure_rubric, record_scores

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
    organiser = db.session.scalar(sa.select(User).where(User.email == DEMO_PEOPLE[1][0]))
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
        home = _unit("Điện Biên", commune)
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
