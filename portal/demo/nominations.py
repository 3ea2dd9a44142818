"""Demo of the cascade: the national final of this year takes two entries from Lào Cai's published
competition and two from Điện Biên's (its results final); three women were asked, two confirmed
and one declined, one never answered; the national prizes were published, and Lào Cai's first
prize winner's national prize shows on her Lào Cai project."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db

TITLE = "Phụ nữ khởi nghiệp toàn quốc {year}"
NATIONAL_TIERS = [("Giải Nhất", 1, 50_000_000, "Gian hàng tại Hội chợ khởi nghiệp quốc gia")]


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load_nominations(now: datetime) -> None:
    """Through the services the pages use; safe to run again (nothing is made twice)."""
    from portal.awards.decision import services as deciding
    from portal.awards.models import Prize, PrizeKind
    from portal.awards.publication import services as publication
    from portal.competitions.models import (
        DEFAULT_CATEGORIES,
        Category,
        Competition,
        CompetitionLevel,
        CompetitionStatus,
        Round,
    )
    from portal.competitions.status import change_competition_status
    from portal.demo.awards import ranked_in_final
    from portal.entries.models import Entry, EntryStatus
    from portal.entries.status import change_entry_status
    from portal.nominations import services
    from portal.units.services import nation

    national_unit = nation()
    organiser = _user("tochuc.trunguong@demo.hoilhpn.vn")
    second = _user("phoban.trunguong@demo.hoilhpn.vn")
    lao_cai = db.session.scalar(
        sa.select(Competition).where(
            Competition.status == CompetitionStatus.RESULTS_PUBLISHED,
            Competition.title.like("Phụ nữ Lào Cai khởi nghiệp%"),
        )
    )
    dien_bien = db.session.scalar(
        sa.select(Competition).where(
            Competition.status == CompetitionStatus.RESULTS_FINAL,
            Competition.title.like("Phụ nữ Điện Biên khởi nghiệp%"),
        )
    )
    if None in (national_unit, organiser, second, lao_cai, dien_bien):
        return
    opens = (now - timedelta(days=45)).replace(hour=8, minute=0, second=0, microsecond=0)
    closes = opens + timedelta(days=20)
    year = closes.year
    title = TITLE.format(year=year)
    if db.session.scalar(sa.select(Competition.id).where(Competition.title == title)):
        return
    competition = Competition(
        title=title,
        year=year,
        level=CompetitionLevel.NATIONAL,
        unit_id=national_unit.id,
        status=CompetitionStatus.OPEN,
        by_nomination_only=True,
        business_plan_required=False,  # judged at the province: what it has goes with it
        description=(
            "Vòng chung kết toàn quốc của cuộc thi Phụ nữ khởi nghiệp, do Trung ương Hội tổ chức: "
            "các ý tưởng xuất sắc nhất do Hội Liên hiệp Phụ nữ các tỉnh, thành đề cử."
        ),
        rules="Mỗi tỉnh, thành đề cử tối đa hai ý tưởng đạt giải hoặc xếp hạng cao nhất.",
        reference_prefix="TW",
        created_by_id=organiser.id,
        categories=[Category(position=n, code=code) for n, code in enumerate(DEFAULT_CATEGORIES)],
        rounds=[
            Round(position=0, name="Nhận hồ sơ đề cử", opens_at=opens, closes_at=closes),
            Round(
                position=1,
                name="Chung kết toàn quốc",
                opens_at=closes + timedelta(days=10),
                closes_at=closes + timedelta(days=11),
            ),
        ],
    )
    db.session.add(competition)
    db.session.flush()
    services.set_deadline(organiser, competition, closes - timedelta(days=5))
    services.add_source(organiser, competition, quota=2, source_competition_id=lao_cai.id)
    services.add_source(organiser, competition, quota=2, source_competition_id=dien_bien.id)

    def ranked(below: Competition) -> list[Entry]:
        return [c.entry for c in services.candidates(below)]

    lao_cai_entries = ranked(lao_cai)
    dien_bien_entries = ranked(dien_bien)
    asked = opens + timedelta(days=2)
    made = []
    for proposer_email, approver_email, entries in (
        ("tochuc.laocai@demo.hoilhpn.vn", "phochutich.laocai@demo.hoilhpn.vn", lao_cai_entries[:2]),
        (
            "tochuc.dienbien@demo.hoilhpn.vn",
            "phochutich.dienbien@demo.hoilhpn.vn",
            dien_bien_entries[:2],
        ),
    ):
        proposer, approver = _user(proposer_email), _user(approver_email)
        for entry in entries:
            nomination = services.propose(proposer, competition, entry, now=asked)
            services.approve(
                approver, nomination, now=asked + timedelta(hours=3), version=nomination.version
            )
            made.append(nomination)
    sau, _mi, anh, bich = made  # Lào Cai's first and second prizes, Điện Biên's first two
    answered = asked + timedelta(days=2)
    carried = []
    for nomination in (sau, anh):
        woman = nomination.from_entry.applicant
        carried.append(services.accept(woman, nomination, now=answered, version=nomination.version))
    services.decline(bich.from_entry.applicant, bich, now=answered, version=bich.version)
    # Sùng Thị Mỷ never answered: her nomination lapsed with the deadline.

    # The final: judged outside the demo, Hoàng Thị Sáu first and Lò Thị Ánh second.
    for status in (CompetitionStatus.CLOSED, CompetitionStatus.JUDGING):
        change_competition_status(organiser.id, competition, status)
    first, final = competition.rounds
    sau_entry, anh_entry = carried
    for rank, entry in enumerate((sau_entry, anh_entry), start=1):
        change_entry_status(organiser.id, entry, EntryStatus.ELIGIBLE)
        change_entry_status(organiser.id, entry, EntryStatus.ADVANCED)
        ranked_in_final(competition, entry, rank, 95.0 - 4.5 * rank, sheets=5, by=organiser.id)
    first.results_final_at = closes + timedelta(days=3)
    final.results_final_at = final.closes_at + timedelta(hours=5)
    change_competition_status(organiser.id, competition, CompetitionStatus.RESULTS_FINAL)
    for position, (name, count, cash, in_kind) in enumerate(NATIONAL_TIERS):
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
    db.session.flush()
    decided = final.results_final_at + timedelta(days=1)
    deciding.start_from_proposal(organiser, competition, now=decided)
    deciding.finalise(organiser, competition, now=decided + timedelta(hours=2))
    deciding.approve(second, competition, now=decided + timedelta(hours=6))
    # Published: the first prize flows back down to Hoàng Thị Sáu's Lào Cai project.
    publication.publish(organiser, competition, now=decided + timedelta(days=1))
