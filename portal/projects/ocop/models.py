"""OCOP products and their evaluations. The rules of the programme (the parts of the score and
their maxima, the star bands, how long a rating is valid, the evaluating levels) are data, an
`OcopScheme` row, because they change: Decision 148/QĐ-TTg (2023), then the two-level
government of 2025 that removed the district level."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.projects.models import LegalForm, SupportedProject


def _in_language(labels: dict) -> str:
    """The label of a data row ({"vi": …, "en": …}) in the reader's language."""
    return labels.get("en" if str(get_locale() or "vi") == "en" else "vi") or labels.get("vi", "")


class OcopScheme(db.Model):
    """One version of the programme's rules."""

    __tablename__ = "ocop_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # "148/QĐ-TTg"
    name: Mapped[str] = mapped_column(sa.String(200))
    in_force_from: Mapped[date]
    # [{"code": "A", "vi": "…", "en": "…", "max": 40}, …]
    parts: Mapped[list] = mapped_column(sa.JSON)
    # [[90, 5], [70, 4], [50, 3], [30, 2], [0, 1]]: the lowest total of each star rating
    bands: Mapped[list] = mapped_column(sa.JSON)
    # [{"code": "province", "vi": "Cấp tỉnh", "en": "Province"}, …]
    levels: Mapped[list] = mapped_column(sa.JSON)
    validity_months: Mapped[int] = mapped_column(sa.SmallInteger, default=36)
    certified_from_stars: Mapped[int] = mapped_column(sa.SmallInteger, default=3)

    def level_label(self, code: str) -> str:
        for level in self.levels:
            if level["code"] == code:
                return _in_language(level)
        return code

    def part_label(self, code: str) -> str:
        for part in self.parts:
            if part["code"] == code:
                return _in_language(part)
        return code


class OcopGroup(enum.StrEnum):
    """The six product groups of the programme."""

    FOOD = "food"
    BEVERAGES = "beverages"
    HERBS = "herbs"
    HANDICRAFTS = "handicrafts"
    ORNAMENTAL = "ornamental"
    TOURISM = "tourism"

    @property
    def label(self) -> str:
        return str(OCOP_GROUP_LABELS[self])


OCOP_GROUP_LABELS = {
    OcopGroup.FOOD: _l("Food"),
    OcopGroup.BEVERAGES: _l("Beverages"),
    OcopGroup.HERBS: _l("Medicinal herbs"),
    OcopGroup.HANDICRAFTS: _l("Handicrafts"),
    OcopGroup.ORNAMENTAL: _l("Ornamental plants and animals"),
    OcopGroup.TOURISM: _l("Community and eco-tourism services"),
}


class OcopProduct(db.Model):
    __tablename__ = "ocop_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    group: Mapped[OcopGroup] = mapped_column(enum_column(OcopGroup))
    owner_legal_form: Mapped[LegalForm | None] = mapped_column(enum_column(LegalForm))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[SupportedProject] = relationship()
    ratings: Mapped[list["OcopRating"]] = relationship(
        back_populates="product",
        order_by="(OcopRating.evaluated_on.desc(), OcopRating.id.desc())",
    )


class RatingState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_CERTIFIED = "not_certified"  # below the stars that earn a certificate
    SUPERSEDED = "superseded"  # a later evaluation replaced it

    @property
    def label(self) -> str:
        return str(RATING_STATE_LABELS[self])


RATING_STATE_LABELS = {
    RatingState.VALID: _l("Valid"),
    RatingState.EXPIRED: _l("Expired"),
    RatingState.REVOKED: _l("Revoked"),
    RatingState.NOT_CERTIFIED: _l("Not certified"),
    RatingState.SUPERSEDED: _l("Replaced by a later evaluation"),
}


class OcopRating(db.Model):
    """One evaluation of a product: never changed; a mistake or a withdrawal is a revocation,
    a new evaluation a new row, so the history of every rating is kept."""

    __tablename__ = "ocop_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("ocop_product.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("ocop_scheme.id"))
    evaluated_on: Mapped[date]
    level: Mapped[str] = mapped_column(sa.String(24))  # a code of the scheme's levels
    scores: Mapped[dict] = mapped_column(sa.JSON)  # part code → points
    total: Mapped[int] = mapped_column(sa.SmallInteger)
    stars: Mapped[int] = mapped_column(sa.SmallInteger)
    certificate_number: Mapped[str] = mapped_column(sa.String(64), default="")
    certificate_date: Mapped[date | None]
    valid_until: Mapped[date | None] = mapped_column(index=True)  # the last valid day
    recheck_months: Mapped[int | None] = mapped_column(sa.SmallInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[OcopProduct] = relationship(back_populates="ratings")
    scheme: Mapped[OcopScheme] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship()
