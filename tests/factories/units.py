"""Units: provinces and communes, and the few real ones most tests use."""

import factory

from portal.core.text import fold
from portal.extensions import db
from portal.units.models import Unit, UnitKind


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


def make_units() -> dict[str, Unit]:
    """Điện Biên with two communes, Lào Cai with one."""
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
