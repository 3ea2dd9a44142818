"""OCOP products and their ratings: a product is added by its owner or an organiser; an
evaluation is recorded by an organiser of the project's unit, scored by the scheme in force;
a rating is revoked with a reason, never changed or deleted."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from portal.applicants.models import ApplicantProfile, Gender
from portal.auth.models import User
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.models import LegalForm, SupportedProject
from portal.projects.ocop.models import (
    OcopGroup,
    OcopProduct,
    OcopRating,
    OcopScheme,
    RatingState,
)
from portal.projects.ocop.scoring import ScoreError, checked_scores, stars_for, valid_until
from portal.projects.services import may_manage_project, scoped_query

MAX_NAME = 200
MAX_NOTE = 2000
MAX_RECHECK_MONTHS = 36


class RatingConflict(DomainError):
    status = 409


@dataclass
class RatingData:
    evaluated_on: date | None
    level: str | None
    scores: dict[str, int | None] = field(default_factory=dict)
    certificate_number: str = ""
    certificate_date: date | None = None
    recheck_months: int | None = None


def may_add_product(user: User, project: SupportedProject) -> bool:
    return user.is_authenticated and (
        project.owner_id == user.id or may_manage_project(user, project)
    )


def may_rate(user: User, product: OcopProduct) -> bool:
    return may_manage_project(user, product.project)


def scheme_on(day: date) -> OcopScheme | None:
    """The rules in force on `day`: the latest scheme in force from that day or before."""
    return db.session.scalar(
        sa.select(OcopScheme)
        .where(OcopScheme.in_force_from <= day)
        .order_by(OcopScheme.in_force_from.desc(), OcopScheme.id.desc())
        .limit(1)
    )


def add_product(
    actor: User,
    project: SupportedProject,
    name: str,
    group: str | None,
    legal_form: str | None,
    *,
    form_key: str | None = None,
) -> OcopProduct:
    """Add a product of the project to the OCOP programme's list. Commits."""
    if not may_add_product(actor, project):
        raise NotAllowed(_l("You cannot add products to this project."))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Write the product's name."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="name")
    try:
        group = OcopGroup(group or "")
    except ValueError:
        raise DomainError(_l("Choose the product's OCOP group."), field="group") from None
    try:
        owner_form = LegalForm(legal_form) if legal_form else project.legal_form
    except ValueError:
        raise DomainError(_l("Choose from the list."), field="legal_form") from None
    claimed = idempotency.claim(form_key, kind="ocop_product", actor_id=actor.id)
    product = OcopProduct(
        project_id=project.id,
        name=name,
        group=group,
        owner_legal_form=owner_form,
        recorded_by_id=actor.id,
    )
    db.session.add(product)
    db.session.flush()
    idempotency.made(claimed, product)
    audit.record(
        "ocop_product.added",
        actor_id=actor.id,
        object_type="ocop_product",
        object_id=product.id,
        after={"project_id": project.id, "name": name, "group": group.value},
    )
    db.session.commit()
    return product


def record_rating(
    actor: User,
    product: OcopProduct,
    data: RatingData,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> OcopRating:
    """Record an evaluation of the product: its parts scored under the scheme in force on its
    date, the stars the total earns, and, for a certified rating, the day it stops being valid.
    Organisers of the project's unit. Commits."""
    now = now or utcnow()
    if not may_rate(actor, product):
        raise NotAllowed(_l("Only the organisers of the project's unit record OCOP ratings."))
    today = vietnam_date(now)
    if data.evaluated_on is None or not date(2018, 1, 1) <= data.evaluated_on <= today:
        raise DomainError(
            _l("The evaluation date must be between 2018 and today."), field="evaluated_on"
        )
    scheme = scheme_on(data.evaluated_on)
    if scheme is None:
        raise DomainError(_l("No OCOP rules were in force on that date."), field="evaluated_on")
    if data.level not in {level["code"] for level in scheme.levels}:
        raise DomainError(_l("Choose the level that evaluated the product."), field="level")
    try:
        scores = checked_scores(data.scores, scheme.parts)
    except ScoreError as error:
        raise DomainError(
            _l("Write a whole number of points from 0 to %(max)d.", max=error.maximum),
            field=f"score_{error.part}",
        ) from None
    total = sum(scores.values())
    stars = stars_for(total, scheme.bands)
    certified = stars >= scheme.certified_from_stars
    number = " ".join((data.certificate_number or "").split())
    if len(number) > 64:
        raise DomainError(
            _l("Write at most %(num)d characters.", num=64), field="certificate_number"
        )
    certified_on = data.certificate_date
    if certified_on is not None and not data.evaluated_on <= certified_on <= today:
        raise DomainError(
            _l("The certificate's date must be between the evaluation and today."),
            field="certificate_date",
        )
    if certified and not number:
        raise DomainError(
            _l("Write the number of the certificate (the decision that recognised the stars)."),
            field="certificate_number",
        )
    recheck = data.recheck_months
    if recheck is not None and not 1 <= recheck <= MAX_RECHECK_MONTHS:
        raise DomainError(
            _l("Write a number of months from 1 to %(num)d, or leave it empty.", num=36),
            field="recheck_months",
        )
    claimed = idempotency.claim(form_key, kind="ocop_rating", actor_id=actor.id)
    rating = OcopRating(
        product_id=product.id,
        scheme_id=scheme.id,
        evaluated_on=data.evaluated_on,
        level=data.level,
        scores=scores,
        total=total,
        stars=stars,
        certificate_number=number,
        certificate_date=certified_on,
        valid_until=(
            valid_until(certified_on or data.evaluated_on, scheme.validity_months)
            if certified
            else None
        ),
        recheck_months=recheck if certified else None,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(rating)
    db.session.flush()
    idempotency.made(claimed, rating)
    audit.record(
        "ocop_rating.recorded",
        actor_id=actor.id,
        object_type="ocop_rating",
        object_id=rating.id,
        after={
            "product_id": product.id,
            "scores": scores,
            "total": total,
            "stars": stars,
            "valid_until": rating.valid_until.isoformat() if rating.valid_until else None,
        },
    )
    db.session.commit()
    return rating


def revoke_rating(
    actor: User, rating: OcopRating, reason: str, *, now: datetime | None = None
) -> OcopRating:
    """Withdraw a rating (a recall, a mistake), with the reason; it stays in the history."""
    now = now or utcnow()
    if not may_rate(actor, rating.product):
        raise NotAllowed(_l("Only the organisers of the project's unit record OCOP ratings."))
    reason = required_text(
        reason, field="reason", missing=_l("Write why the rating is revoked."), limit=MAX_NOTE
    )
    result = db.session.execute(
        sa.update(OcopRating)
        .where(OcopRating.id == rating.id, OcopRating.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(rating)
    if result.rowcount != 1:
        db.session.rollback()
        return rating  # revoked already: the same answer
    audit.record(
        "ocop_rating.revoked",
        actor_id=actor.id,
        object_type="ocop_rating",
        object_id=rating.id,
        after={"reason": reason},
    )
    db.session.commit()
    return rating


# --- Reading -------------------------------------------------------------------------------------


def current_rating(product: OcopProduct) -> OcopRating | None:
    """The latest evaluation not revoked (ratings are loaded newest first)."""
    return next((r for r in product.ratings if r.revoked_at is None), None)


def state_of(rating: OcopRating, product: OcopProduct, today: date) -> RatingState:
    if rating.revoked_at is not None:
        return RatingState.REVOKED
    if rating is not current_rating(product):
        return RatingState.SUPERSEDED
    if rating.valid_until is None:
        return RatingState.NOT_CERTIFIED
    if rating.valid_until < today:
        return RatingState.EXPIRED
    return RatingState.VALID


_PRODUCTS = (
    sa.select(OcopProduct)
    .where(OcopProduct.project_id.in_(sa.bindparam("project_ids", expanding=True)))
    .options(selectinload(OcopProduct.ratings))
    .order_by(OcopProduct.name, OcopProduct.id)
)  # built once (docs/performance.md)


def products_of(project_ids: list[int]) -> dict[int, list[OcopProduct]]:
    found: dict[int, list[OcopProduct]] = {i: [] for i in project_ids}
    if not project_ids:
        return found
    rows = db.session.scalars(_PRODUCTS, {"project_ids": project_ids})
    for row in rows:
        found[row.project_id].append(row)
    return found


def products_query(user: User) -> sa.Select:
    """The OCOP products of the projects in her scope, with their ratings and owners."""
    projects = scoped_query(user).order_by(None).with_only_columns(SupportedProject.id)
    return (
        sa.select(OcopProduct)
        .where(OcopProduct.project_id.in_(projects))
        .options(
            selectinload(OcopProduct.ratings),
            joinedload(OcopProduct.project).joinedload(SupportedProject.owner).noload(User.roles),
            joinedload(OcopProduct.project).joinedload(SupportedProject.commune),
        )
        .order_by(OcopProduct.name, OcopProduct.id)
    )


def owner_counts(user: User) -> tuple[int, int]:
    """(women, all): the distinct owners of the OCOP products in her scope, and how many of
    them are women by their own profile — a count, not a typed number."""
    projects = scoped_query(user).order_by(None).with_only_columns(SupportedProject.id)
    owners = (
        sa.select(SupportedProject.owner_id)
        .join(OcopProduct, OcopProduct.project_id == SupportedProject.id)
        .where(SupportedProject.id.in_(projects))
        .distinct()
        .subquery()
    )
    women = (
        sa.select(sa.func.count())
        .select_from(owners)
        .join(ApplicantProfile, ApplicantProfile.user_id == owners.c.owner_id)
        .where(ApplicantProfile.gender == Gender.FEMALE)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(women, sa.select(sa.func.count()).select_from(owners).scalar_subquery())
    ).one()
    return row[0], row[1]
