"""Demo awards: a Lào Cai competition with published prizes, certificates and payments; a Điện
Biên competition whose decision waits for a second organiser."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db

# (name, commune, ethnicity code, title, category code, consents to her name being published)
LAO_CAI_WINNERS = [
    ("Hoàng Thị Sáu", "Phường Sa Pa", "11", "Chăn ga gối thổ cẩm Dao đỏ", "handicrafts", True),
    ("Sùng Thị Mỷ", "Xã Bắc Hà", "08", "Rượu ngô men lá Bắc Hà đóng chai", "food_processing", True),
    (
        "Tẩn Thị Chạ",
        "Xã Tả Van",
        "11",
        "Tắm lá thuốc Dao đỏ cho du khách",
        "medicinal_plants",
        False,
    ),
    ("Lý Thị Mây", "Xã Y Tý", "11", "Homestay trên mây Y Tý", "community_tourism", True),
    ("Giàng Thị Sua", "Xã Si Ma Cai", "08", "Chè Shan tuyết cổ thụ", "agriculture", True),
    ("Vàng Thị Dua", "Xã Mường Khương", "08", "Tương ớt Mường Khương", "food_processing", True),
    ("Thào Thị Mai", "Xã Bắc Hà", "08", "Lợn đen bản địa nuôi thả", "agriculture", False),
    ("Lù Thị Vân", "Phường Sa Pa", "01", "Đặt tour bản làng qua ứng dụng", "digital_economy", True),
    ("Má Thị Dính", "Xã Y Tý", "08", "Gạo Séng Cù Y Tý", "agriculture", True),
    ("Hầu Thị Dợ", "Xã Si Ma Cai", "08", "Vải lanh nhuộm chàm", "handicrafts", True),
    ("Ly Thị Chá", "Xã Mường Khương", "08", "Phân vi sinh từ rơm rạ", "green_economy", True),
    ("Phàn Thị Mẩy", "Xã Tả Van", "11", "Sửa chữa điện thoại trong bản", "services", True),
]

DIEN_BIEN_FINALISTS = [
    ("Lò Thị Ánh", "Xã Mường Phăng", "03", "Cà phê Mường Phăng rang mộc", "agriculture", True),
    (
        "Quàng Thị Bích",
        "Phường Điện Biên Phủ",
        "03",
        "Mắc khén và gia vị Thái",
        "food_processing",
        True,
    ),
    ("Vì Thị Hằng", "Xã Mường Phăng", "03", "Nhà hàng ẩm thực Thái", "community_tourism", True),
    ("Giàng Thị Của", "Xã Mường Phăng", "08", "Thêu tay váy Mông", "handicrafts", False),
    (
        "Cầm Thị Nga",
        "Phường Điện Biên Phủ",
        "03",
        "Bán nông sản qua livestream",
        "digital_economy",
        True,
    ),
    ("Lường Thị Pánh", "Xã Mường Phăng", "03", "Nấm rơm từ phụ phẩm lúa", "green_economy", True),
]

# Prize tiers of a provincial round: (name, count, cash per prize in đồng, in-kind support)
TIERS = [
    ("Giải Nhất", 1, 20_000_000, "Máy sấy nông sản và tập huấn xây dựng thương hiệu"),
    ("Giải Nhì", 2, 10_000_000, ""),
    ("Giải Ba", 3, 5_000_000, ""),
    ("Giải Khuyến khích", 4, 2_000_000, "Một khoá học bán hàng trực tuyến"),
]
SPECIAL = ("Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số", 1, 5_000_000, {"ethnic_minority": True})


def _competition(status: str, title_start: str):
    from portal.competitions.models import Competition, CompetitionStatus

    return db.session.scalar(
        sa.select(Competition).where(
            Competition.status == CompetitionStatus(status),
            Competition.title.like(f"{title_start}%"),
        )
    )


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _finalists(competition, people: list[tuple], *, prefix: str, now: datetime, password: str):
    """Entries of the competition carried into its final, ranked in the order given."""
    from portal.applicants.models import ApplicantProfile
    from portal.core.text import fold
    from portal.demo.common import unit_named
    from portal.entries.models import Entry, EntryStatus

    organiser_id = competition.created_by_id
    province_name = competition.unit.name
    categories = {c.code: c for c in competition.categories}
    first, final = competition.rounds[0], competition.rounds[1]
    competition.reference_prefix = prefix
    existing = {u.email: u for u in db.session.scalars(sa.select(User))}
    entries = []
    for number, (name, commune, ethnicity, title, code, consent) in enumerate(people, start=1):
        email = f"{fold(name).replace(' ', '.')}.{prefix.lower()}@demo.hoilhpn.vn"
        if email == "hoang.thi.sau.lckn@demo.hoilhpn.vn":
            email = "ungvien2@demo.hoilhpn.vn"  # the demo applicant of Lào Cai wins first prize
        home = unit_named(province_name, commune)
        user = existing.get(email)
        if user is None:
            user = User(email=email, full_name=name, language="vi", confirmed_at=now)
            user.set_password(password)
            user.roles.append(RoleGrant(role=Role.APPLICANT))
            db.session.add(user)
        user.province_id, user.commune_id = home.parent_id, home.id
        db.session.flush()
        if db.session.get(ApplicantProfile, user.id) is None:
            db.session.add(
                ApplicantProfile(
                    user_id=user.id,
                    date_of_birth=date(1982 + number, 7, 1),
                    gender="female",
                    ethnicity=ethnicity,
                    household_status=["poor", "near_poor", "neither"][number % 3],
                    union_member=True,
                    business_stage=["idea", "household_business", "cooperative"][number % 3],
                )
            )
        reference = f"{prefix}-{competition.year}-{number:04d}"
        submitted = first.closes_at - timedelta(days=3, hours=number)
        entry = Entry(
            competition=competition,
            applicant=user,
            category=categories[code],
            status=EntryStatus.ADVANCED,
            reference=reference,
            title=title,
            summary=f"{title}: sản phẩm của phụ nữ trong bản, bán cho khách du lịch và qua mạng.",
            problem="Sản phẩm làm thủ công, bán lẻ, giá thấp và chưa có thương hiệu.",
            solution="Làm theo quy trình chung, có bao bì và nhãn mác, bán qua hợp tác xã.",
            customers="Khách du lịch, cửa hàng đặc sản, khách mua trực tuyến.",
            local_resources="Nguyên liệu của bản và tay nghề truyền thống của phụ nữ trong bản.",
            capital_needed=40_000_000 * (1 + number % 4),
            jobs_for_women=2 + number % 6,
            consent_publish=consent,
            commune_id=home.id,
            ethnic_minority=ethnicity != "01",
            household_status=["poor", "near_poor", "neither"][number % 3],
            business_stage=["idea", "household_business", "cooperative"][number % 3],
            submitted_at=submitted,
            first_submitted_at=submitted,
            search_text=fold(f"{reference} {title} {name}"),
        )
        db.session.add(entry)
        db.session.flush()
        ranked_in_final(
            competition, entry, number, round(92.5 - 3.25 * number, 2), sheets=3, by=organiser_id
        )
        entries.append(entry)
    competition.last_entry_number = len(entries)
    first.results_final_at = first.closes_at + timedelta(days=10)
    final.results_final_at = final.closes_at + timedelta(days=1)
    return entries


def ranked_in_final(competition, entry, rank: int, score: float, *, sheets: int, by: int) -> None:
    """The entry carried into the final and ranked `rank` in both rounds, as judged outside
    the demo (the judging demo shows the judges' own work)."""
    from portal.judging.models import RoundEntry, RoundResult

    first, final = competition.rounds[0], competition.rounds[1]
    db.session.add(RoundEntry(round_id=final.id, entry_id=entry.id, carried_by_id=by))
    for round_ in (first, final):
        db.session.add(
            RoundResult(
                round_id=round_.id,
                entry_id=entry.id,
                rank=rank,
                raw_score=score,
                normalised_score=score,
                sheets=sheets,
                flags=[],
                advanced=round_ is first,
            )
        )


def _tiers(competition, counts: tuple[int, ...] | None = None) -> None:
    from portal.awards.models import Prize, PrizeKind

    for position, (name, count, cash, in_kind) in enumerate(TIERS):
        count = counts[position] if counts else count
        db.session.add(
            Prize(
                competition_id=competition.id,
                kind=PrizeKind.TIER,
                position=position,
                name=name,
                prize_count=count,
                cash_value=cash,
                in_kind=in_kind,
            )
        )
    name, count, cash, rule = SPECIAL
    db.session.add(
        Prize(
            competition_id=competition.id,
            kind=PrizeKind.SPECIAL,
            position=0,
            name=name,
            prize_count=count,
            cash_value=cash,
            rule=rule,
        )
    )
    db.session.flush()


def load_awards(now: datetime, password: str) -> None:
    """Both demo decisions, through the same services the pages use (they commit; what this
    function writes itself is flushed and committed with them). Called by load_demo."""
    from portal.awards.certificates import revoking
    from portal.awards.decision import services as deciding
    from portal.awards.models import PaymentMethod
    from portal.awards.payments import services as payments
    from portal.awards.publication import services as publication
    from portal.core.time import to_vietnam

    # Lào Cai: decided, approved by a second organiser and published; prizes paid (one mistake
    # reversed), one award revoked. Its first prize goes on to the national round (nominations.py).
    lao_cai = _competition("results_final", "Phụ nữ Lào Cai khởi nghiệp")
    if lao_cai is not None and not _has_entries(lao_cai):
        organiser = _user("tochuc.laocai@demo.hoilhpn.vn")
        approver = _user("phochutich.laocai@demo.hoilhpn.vn")
        entries = _finalists(lao_cai, LAO_CAI_WINNERS, prefix="LCKN", now=now, password=password)
        _tiers(lao_cai)
        decided = lao_cai.rounds[1].results_final_at + timedelta(days=2)
        deciding.start_from_proposal(organiser, lao_cai, now=decided)
        deciding.finalise(organiser, lao_cai, now=decided + timedelta(hours=2))
        deciding.approve(approver, lao_cai, now=decided + timedelta(days=1))
        published = decided + timedelta(days=2)
        publication.publish(organiser, lao_cai, now=published)
        paid_on = to_vietnam(published).date() + timedelta(days=7)
        awards = {a.entry_id: a for a in _awards(lao_cai)}
        first = awards[entries[0].id]
        payments.record_payment(
            organiser,
            first,
            amount=first.cash_value,
            paid_on=paid_on,
            method=PaymentMethod.BANK_TRANSFER,
            reference="UNC 0412/HLHPN",
            now=published + timedelta(days=7),
        )
        second = awards[entries[1].id]
        mistake = payments.record_payment(
            organiser,
            second,
            amount=second.cash_value,
            paid_on=paid_on,
            method=PaymentMethod.CASH,
            note="Ghi nhầm người nhận",
            now=published + timedelta(days=7, hours=1),
        )
        payments.reverse_payment(
            organiser,
            mistake,
            reason="Ghi nhầm: tiền được chuyển cho người đạt giải Nhì khác.",
            now=published + timedelta(days=7, hours=2),
        )
        payments.record_payment(
            organiser,
            second,
            amount=second.cash_value // 2,
            paid_on=paid_on + timedelta(days=1),
            method=PaymentMethod.CASH,
            note="Trao tại lễ tổng kết, phần còn lại trả sau",
            now=published + timedelta(days=8),
        )
        revoking.revoke(
            organiser,
            awards[entries[9].id],
            "Ý tưởng trùng với một bài đã đạt giải ở cuộc thi năm trước.",
            now=published + timedelta(days=20),
        )

    # Điện Biên: the decision is final and waits for a second organiser's approval.
    dien_bien = _competition("results_final", "Phụ nữ Điện Biên khởi nghiệp")
    if dien_bien is not None and not _has_entries(dien_bien):
        organiser = _user("tochuc.dienbien@demo.hoilhpn.vn")
        _finalists(dien_bien, DIEN_BIEN_FINALISTS, prefix="DBCK", now=now, password=password)
        _tiers(dien_bien, counts=(1, 1, 2, 2))
        db.session.flush()
        decided = dien_bien.rounds[1].results_final_at + timedelta(days=1)
        deciding.start_from_proposal(organiser, dien_bien, now=decided)
        deciding.finalise(organiser, dien_bien, now=decided + timedelta(hours=3))


def _has_entries(competition) -> bool:
    from portal.entries.models import Entry

    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Entry.id)).where(Entry.competition_id == competition.id)
        )
    )


def _awards(competition):
    from portal.awards.models import Award

    return db.session.scalars(
        sa.select(Award).where(Award.competition_id == competition.id, Award.entry_id.is_not(None))
    ).all()
