import pytest

from portal.api import services as tokens
from tests.factories import UserFactory


@pytest.fixture
def admin(app):
    from portal.auth.models import Role

    return UserFactory(roles=[Role.ADMIN])


@pytest.fixture
def issue(admin):
    """issue(unit_id=None) → the secret of a new token for that unit (None: the country)."""

    def make(unit_id=None, name="Trung ương Hội"):
        return tokens.issue_token(admin, name, unit_id)[1]

    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
