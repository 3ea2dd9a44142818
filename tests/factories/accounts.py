"""People: an account with its roles."""

import factory

from portal.auth.models import Role, RoleGrant, User
from portal.core.time import utcnow
from portal.extensions import db

PASSWORD = "password123"


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    """A confirmed account with the password PASSWORD; an applicant unless `roles` says more."""

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
