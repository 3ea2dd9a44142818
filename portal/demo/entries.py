"""Demo entries: applicants in Điện Biên with drafts, submissions and screened entries."""

from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.demo.common import DEMO_PASSWORD, unit_named
from portal.extensions import db

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


def load_entries(now) -> None:
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
        home = unit_named("Điện Biên", commune)
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
