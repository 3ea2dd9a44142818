"""Demo data: real provinces and communes, Vietnamese names, one account for each role."""

from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Invitation, Role, RoleGrant, User
from portal.core.time import utcnow
from portal.demo.awards import load_awards
from portal.demo.capital import load_capital
from portal.demo.common import DEMO_PASSWORD, NATION, unit_named
from portal.demo.credit import load_credit
from portal.demo.entries import load_entries
from portal.demo.figures import load_api_token, load_targets
from portal.demo.judging import load_judging
from portal.demo.nominations import load_nominations
from portal.demo.projects import load_projects
from portal.extensions import db
from portal.units.models import Unit
from portal.units.services import load_units, nation

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
        "tochuc.trunguong@demo.hoilhpn.vn",
        "Nguyễn Thị Minh Thư",
        "vi",
        [(Role.ORGANISER, NATION, None)],
        "Hà Nội",
        None,
    ),
    (
        "phoban.trunguong@demo.hoilhpn.vn",
        "Đặng Thị Thu Hằng",
        "vi",
        [(Role.ORGANISER, NATION, None)],
        "Hà Nội",
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


def load_demo() -> list[dict]:
    """Create the demo accounts that do not exist yet; return the logins to print."""
    if db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0 or nation() is None:
        load_units()
    now = utcnow()
    logins = []
    for email, name, language, roles, province_name, commune_name in DEMO_PEOPLE:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            home_province = unit_named(province_name, None)
            home_commune = unit_named(province_name, commune_name) if commune_name else None
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
                scope = unit_named(scope_province, scope_commune)
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
    load_entries(now)
    load_judging(now)
    load_awards(now, DEMO_PASSWORD)
    load_nominations(now)
    load_projects(now)
    load_capital(now)
    load_credit(now)
    load_targets(now)
    load_api_token()
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
        "results_final",  # published by the demo's awards decision (demo/awards.py)
        -740,  # two years ago: its winners' projects are followed since (demo/projects.py)
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
        unit = unit_named(province, commune)
        # Two demo competitions may share a title in different states; one made with its
        # results final may since have been published by the demo's awards decision.
        states = [CompetitionStatus(status)]
        if states[0] is CompetitionStatus.RESULTS_FINAL:
            states.append(CompetitionStatus.RESULTS_PUBLISHED)
        exists = db.session.scalar(
            sa.select(Competition.id).where(
                Competition.title == title, Competition.status.in_(states)
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
