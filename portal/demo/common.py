"""What the demo loaders share: the password of every demo account, units found by name."""

import sqlalchemy as sa

from portal.extensions import db
from portal.units.models import Unit, UnitKind

DEMO_PASSWORD = "demo-portal-2026"
# The organiser of the Điện Biên competitions, who runs their judging in the demo.
DIEN_BIEN_ORGANISER = "tochuc.dienbien@demo.hoilhpn.vn"


NATION = "Trung ương"  # the national unit, where a demo person's province would be


def unit_named(province_name: str | None, commune_name: str | None) -> Unit | None:
    if not province_name:
        return None
    if province_name == NATION:
        return db.session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.NATION))
    province = db.session.scalar(
        sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE, Unit.name.endswith(province_name))
    )
    if province is None or not commune_name:
        return province
    return db.session.scalar(
        sa.select(Unit).where(Unit.parent_id == province.id, Unit.name == commune_name)
    )
