"""Competitions with their rounds, and entries to them."""

from datetime import timedelta

import factory

from portal.auth.models import Role
from portal.competitions import services
from portal.competitions.models import Competition, CompetitionLevel, CompetitionStatus
from portal.core.text import fold
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from tests.factories.accounts import UserFactory
from tests.factories.units import UnitFactory


def make_competition(organiser, unit, *, status="open", opens=None, closes=None, **overrides):
    """A competition of `unit` through the service, as an organiser would create it.

    By default it opened a day ago and closes in 30 days (relative to the current, possibly
    frozen, time), with a preliminary round and a final.
    """
    now = utcnow()
    opens = opens or now - timedelta(days=1)
    closes = closes or now + timedelta(days=30)
    data = services.CompetitionData(
        title=overrides.pop("title", f"Phụ nữ khởi nghiệp {unit.name} {now.year}"),
        year=overrides.pop("year", now.year),
        level=overrides.pop("level", CompetitionLevel.PROVINCIAL),
        unit_id=unit.id,
        reference_prefix=overrides.pop("reference_prefix", services.default_prefix(unit)),
        rounds=[
            services.RoundData("Vòng sơ khảo", opens, closes),
            services.RoundData(
                "Chung kết", closes + timedelta(days=20), closes + timedelta(days=21)
            ),
        ],
        **overrides,
    )
    competition = services.create_competition(organiser, data)
    if status != "draft":
        competition.status = CompetitionStatus(status)
        db.session.commit()
    return competition


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → BA, …: capital letters only, as the service asks of a prefix."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters = chr(ord("A") + digit) + letters
        if n == 0:
            return letters


class CompetitionFactory(factory.Factory):
    """`CompetitionFactory(status="judging")`: a competition made by an organiser of its unit,
    through the service (categories, a preliminary round and a final; see make_competition).

    Pass `unit=` and `organiser=` to place it; other keywords go to make_competition.
    """

    class Meta:
        model = Competition

    unit = factory.SubFactory(UnitFactory)
    organiser = factory.LazyAttribute(lambda o: UserFactory(roles=[(Role.ORGANISER, o.unit)]))
    status = "open"
    # Entry references are unique across the portal: each competition has a prefix of its own.
    reference_prefix = factory.Sequence(lambda n: f"T{_letters(n)}")

    @classmethod
    def _create(cls, model_class, *, unit, organiser, **kwargs):
        return make_competition(organiser, unit, **kwargs)

    _build = _create


class EntryFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`EntryFactory(competition=c)`: a submitted entry with its reference and submission time.

    Written straight to the model, without the submitted version, audit row and mail that the
    service adds (the entry tests go through the service); `status=EntryStatus.ELIGIBLE` for a
    screened one, `DRAFT` for a draft.
    """

    class Meta:
        model = Entry
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    competition = factory.SubFactory(CompetitionFactory)
    applicant = factory.SubFactory(UserFactory)
    category = factory.LazyAttribute(lambda o: o.competition.categories[0])
    status = EntryStatus.SUBMITTED
    title = factory.Sequence(lambda n: f"Ý tưởng số {n + 1}")
    summary = "Tóm tắt"
    submitted_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    first_submitted_at = factory.SelfAttribute("submitted_at")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        competition = kwargs["competition"]
        if kwargs["status"] is EntryStatus.DRAFT:
            kwargs.update(submitted_at=None, first_submitted_at=None)
        else:
            # Numbered as the service numbers it, so that a later real submission follows on.
            competition.last_entry_number += 1
            kwargs.setdefault(
                "reference",
                f"{competition.reference_prefix}-{competition.year}"
                f"-{competition.last_entry_number:04d}",
            )
        entry = super()._create(model_class, *args, **kwargs)
        entry.search_text = fold(
            " ".join(filter(None, [entry.reference, entry.title, entry.applicant.full_name]))
        )
        db.session.commit()
        return entry
