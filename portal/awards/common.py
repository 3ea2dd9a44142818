"""What every part of awards shares: who may manage, the decision, tiers, published awards."""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.applicants.models import ApplicantProfile
from portal.awards.models import (
    PRIZE_ORDER,
    Award,
    AwardDecision,
    DecisionStatus,
    Prize,
)
from portal.awards.prizes.eligibility import EntryFacts
from portal.competitions.models import Category, Competition, Round
from portal.entries.models import Entry
from portal.extensions import db

# No 0/O, 1/I/L: codes are read aloud over the phone and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def decision_of(competition: Competition) -> AwardDecision | None:
    return db.session.scalar(
        sa.select(AwardDecision).where(AwardDecision.competition_id == competition.id)
    )


def ensure_decision(competition: Competition) -> AwardDecision:
    """The competition's decision, created as a draft the first time; the caller commits."""
    decision = decision_of(competition)
    if decision is None:
        decision = AwardDecision(competition_id=competition.id, status=DecisionStatus.DRAFT)
        db.session.add(decision)
        db.session.flush()
    return decision


def is_published(competition: Competition) -> bool:
    decision = decision_of(competition)
    return decision is not None and decision.published


def tiers_of(competition: Competition) -> list[Prize]:
    """Prize tiers in their order, then the special prizes in theirs."""
    return list(
        db.session.scalars(
            sa.select(Prize).where(Prize.competition_id == competition.id).order_by(*PRIZE_ORDER)
        )
    )


def source_round(competition: Competition) -> Round | None:
    """The round the prizes are decided from: the last one whose results are final."""
    return db.session.scalar(
        sa.select(Round)
        .where(Round.competition_id == competition.id, Round.results_final_at.is_not(None))
        .order_by(Round.position.desc())
        .limit(1)
    )


def facts_of(entry_ids: list[int]) -> dict[int, EntryFacts]:
    """The facts special-prize rules look at, for many entries in one query."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Entry.id,
            Category.code,
            Entry.ethnic_minority,
            Entry.household_status,
            Entry.business_stage,
            ApplicantProfile.union_member,
            ApplicantProfile.date_of_birth,
        )
        .outerjoin(Category, Category.id == Entry.category_id)
        .outerjoin(ApplicantProfile, ApplicantProfile.user_id == Entry.applicant_id)
        .where(Entry.id.in_(entry_ids))
    ).all()
    return {
        row[0]: EntryFacts(
            category_code=row[1],
            ethnic_minority=row[2],
            household_status=row[3],
            business_stage=row[4],
            union_member=row[5],
            date_of_birth=row[6],
        )
        for row in rows
    }


def decision_awards(competition: Competition) -> list[Award]:
    """Every line of the decision (given or not), in tier order then slot."""
    return list(
        db.session.scalars(
            sa.select(Award)
            .join(Prize, Prize.id == Award.tier_id)
            .where(Award.competition_id == competition.id)
            .options(
                joinedload(Award.entry).joinedload(Entry.applicant),
                joinedload(Award.entry).joinedload(Entry.category),
                joinedload(Award.entry).joinedload(Entry.commune),
            )
            .order_by(
                *PRIZE_ORDER,
                Award.slot,
            )
        ).unique()
    )


def published_awards_query() -> sa.Select:
    """Awards given to an entry in a published decision (valid or revoked)."""
    return (
        sa.select(Award)
        .join(AwardDecision, AwardDecision.competition_id == Award.competition_id)
        .where(AwardDecision.status == DecisionStatus.PUBLISHED, Award.entry_id.is_not(None))
        .options(
            selectinload(Award.entry).options(
                joinedload(Entry.applicant), joinedload(Entry.category), joinedload(Entry.commune)
            ),
            joinedload(Award.competition),
        )
    )


def new_certificate_code() -> str:
    """A random code such as "K7Q2-9XMD-4HTA" (about 59 bits), unique across certificates."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not db.session.scalar(sa.select(Award.id).where(Award.certificate_code == code)):
            return code


def normalise_code(text: str) -> str:
    """What a person typed ("k7q2 9xmd 4hta") as a stored code ("K7Q2-9XMD-4HTA")."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())
    if len(raw) != 12:
        return raw
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
