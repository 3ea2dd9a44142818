"""Factories for users and units."""

import factory

from portal.auth.models import Role, RoleGrant, User
from portal.core.text import fold
from portal.core.time import utcnow
from portal.extensions import db
from portal.units.models import Unit, UnitKind

PASSWORD = "password123"


class UnitFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Unit
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "flush"

    kind = UnitKind.PROVINCE
    code = factory.Sequence(lambda n: 900 + n)
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    division_type = "tỉnh"
    name_folded = factory.LazyAttribute(lambda o: fold(o.name))
    parent = None


class CommuneFactory(UnitFactory):
    kind = UnitKind.COMMUNE
    code = factory.Sequence(lambda n: 90000 + n)
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    division_type = "xã"
    parent = factory.SubFactory(UnitFactory)


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"
        exclude = ("password",)

    email = factory.Sequence(lambda n: f"nguoi{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Thị Thử {n}")
    language = "vi"
    confirmed_at = factory.LazyFunction(utcnow)
    password = PASSWORD

    @factory.post_generation
    def set_password(obj, create, extracted, **kwargs):
        obj.set_password(PASSWORD)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        """roles=[Role.JUDGE, (Role.ORGANISER, unit)]; an applicant by default."""
        for item in extracted if extracted is not None else [Role.APPLICANT]:
            role, unit = item if isinstance(item, tuple) else (item, None)
            obj.roles.append(RoleGrant(role=role, unit_id=unit.id if unit else None))
        if create:
            db.session.commit()


def make_units() -> dict[str, Unit]:
    dien_bien = UnitFactory(name="Điện Biên", code=11)
    lao_cai = UnitFactory(name="Lào Cai", code=15)
    units = {
        "dien_bien": dien_bien,
        "muong_phang": CommuneFactory(name="Xã Mường Phăng", code=3325, parent=dien_bien),
        "dien_bien_phu": CommuneFactory(
            name="Phường Điện Biên Phủ", code=3127, division_type="phường", parent=dien_bien
        ),
        "lao_cai": lao_cai,
        "sa_pa": CommuneFactory(
            name="Phường Sa Pa", code=2000, division_type="phường", parent=lao_cai
        ),
    }
    db.session.commit()
    return units


def make_competition(organiser, unit, *, status="open", opens=None, closes=None, **overrides):
    """A competition of `unit` through the service, as an organiser would create it.

    By default it opened a day ago and closes in 30 days (relative to the current, possibly
    frozen, time), with a preliminary round and a final.
    """
    from datetime import timedelta

    from portal.competitions import services
    from portal.competitions.models import CompetitionLevel, CompetitionStatus

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
