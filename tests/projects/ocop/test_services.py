"""OCOP products and ratings: the stars and validity a score gives under the scheme, a
re-evaluation that replaces a rating, a revocation kept in the history, expiry, the count of
women owners from their profiles, and the expiry alerts that go once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.applicants.models import ApplicantProfile, Gender
from portal.core.errors import DomainError, NotAllowed
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from portal.projects.ocop import services
from portal.projects.ocop.models import RatingState
from portal.projects.reminders.services import send_reminders
from tests.factories import project_of
from tests.factories.projects import ocop_scheme

pytestmark = pytest.mark.usefixtures("frozen_time")

TODAY = date(2026, 5, 10)


def rating(**values) -> services.RatingData:
    base = {
        "evaluated_on": date(2026, 3, 1),
        "level": "province",
        "scores": {"A": 30, "B": 18, "C": 26},
        "certificate_number": "QĐ 123/QĐ-UBND",
        "certificate_date": date(2026, 3, 15),
    }
    return services.RatingData(**(base | values))


@pytest.fixture
def product(published):
    ocop_scheme()
    project = project_of(published.entries[0])
    return services.add_product(
        published.applicants[0], project, "Chè Shan tuyết", "beverages", None
    )


def test_a_score_gives_its_stars_and_validity(published, product):
    found = services.record_rating(published.organiser, product, rating())
    assert (found.total, found.stars) == (74, 4)
    assert found.valid_until == date(2029, 3, 14)
    assert services.state_of(found, product, TODAY) is RatingState.VALID
    low = services.record_rating(
        published.organiser,
        product,
        rating(scores={"A": 20, "B": 10, "C": 10}, certificate_number=""),
    )
    db.session.refresh(product)
    assert (low.stars, low.valid_until) == (2, None)
    assert services.state_of(low, product, TODAY) is RatingState.NOT_CERTIFIED
    assert services.state_of(found, product, TODAY) is RatingState.SUPERSEDED
    assert [r.id for r in product.ratings] == [low.id, found.id]  # the history, newest first


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"scores": {"A": 41, "B": 18, "C": 26}}, "score_A"),
        ({"scores": {"A": 30, "C": 26}}, "score_B"),
        ({"level": "district"}, "level"),
        ({"evaluated_on": date(2026, 6, 1)}, "evaluated_on"),
        ({"certificate_number": ""}, "certificate_number"),
        ({"certificate_date": date(2026, 2, 1)}, "certificate_date"),
        ({"recheck_months": 0}, "recheck_months"),
    ],
)
def test_what_an_evaluation_needs(published, product, values, field):
    with pytest.raises(DomainError) as refused:
        services.record_rating(published.organiser, product, rating(**values))
    assert refused.value.field == field


def test_only_organisers_rate_and_a_revoked_rating_stays(published, product, frozen_time):
    with pytest.raises(NotAllowed):
        services.record_rating(published.applicants[0], product, rating())
    found = services.record_rating(
        published.organiser,
        product,
        rating(certificate_date=date(2023, 3, 1), evaluated_on=date(2023, 2, 28)),
    )
    assert services.state_of(found, product, TODAY) is RatingState.EXPIRED
    services.revoke_rating(published.organiser, found, "Sản phẩm bị thu hồi.")
    db.session.refresh(product)
    assert services.state_of(found, product, TODAY) is RatingState.REVOKED
    assert services.current_rating(product) is None
    assert found in product.ratings


def test_women_owners_are_counted_from_their_profiles(published, product):
    owner = published.applicants[0]
    db.session.merge(ApplicantProfile(user_id=owner.id, gender=Gender.FEMALE))
    other = project_of(published.entries[1])
    services.add_product(published.organiser, other, "Mật ong bạc hà", "food", None)
    db.session.merge(ApplicantProfile(user_id=other.owner_id, gender=Gender.MALE))
    db.session.commit()
    assert services.owner_counts(published.organiser) == (1, 2)


def test_expiry_alerts_go_30_and_7_days_before_to_the_owner_and_the_organisers(published, product):
    found = services.record_rating(
        published.organiser,
        product,
        rating(evaluated_on=date(2023, 6, 1), certificate_date=date(2023, 6, 10)),
    )
    assert found.valid_until == date(2026, 6, 9)
    sent = []
    for offset in range(0, 35):
        day = date(2026, 5, 5) + timedelta(days=offset)
        for _ in range(2):
            send_reminders(datetime(day.year, day.month, day.day, 3, tzinfo=UTC))
        rows = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template.like("%ocop_expiring"))
            .order_by(OutboxMessage.id)
        ).all()
        sent += [(day, m.recipient, m.template) for m in rows[len(sent) :]]
    owner, organiser = published.applicants[0].email, published.organiser.email
    days = {(day, who) for day, who, _ in sent}
    assert {(date(2026, 5, 10), owner), (date(2026, 5, 10), organiser)} <= days  # 30 days before
    assert {(date(2026, 6, 2), owner), (date(2026, 6, 2), organiser)} <= days  # 7 days before
    assert len([s for s in sent if s[1] == owner]) == 2
    assert {t for _, who, t in sent if who == organiser} == {"follow_up_ocop_expiring"}
