"""Organising units: the 34 provinces and their communes and wards (the 2025 two-level structure)."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class UnitKind(enum.StrEnum):
    NATION = "nation"  # the Central Women's Union: above the provinces, runs the national rounds
    PROVINCE = "province"
    COMMUNE = "commune"  # a commune (xã), a ward (phường) or a special zone (đặc khu)


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[UnitKind] = mapped_column(
        sa.Enum(
            UnitKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    # The official code from vietnam-provinces; provinces and wards are numbered separately.
    code: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(100))
    division_type: Mapped[str] = mapped_column(sa.String(32))
    # Lower-case ASCII name for searches that ignore diacritics.
    name_folded: Mapped[str] = mapped_column(sa.String(100), index=True)
    # A commune's province. Provinces have none: the national unit stands above them without
    # being their parent, so that a province's scope stays itself and its communes.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.id")

    __table_args__ = (sa.UniqueConstraint("kind", "code", name="uq_unit_kind_code"),)

    @property
    def province_id(self) -> int | None:
        if self.kind is UnitKind.NATION:
            return None
        return self.id if self.kind is UnitKind.PROVINCE else self.parent_id

    @property
    def is_nation(self) -> bool:
        return self.kind is UnitKind.NATION

    @property
    def full_name(self) -> str:
        return unit_full_name(self.name, self.parent.name if self.parent else None)

    def __str__(self) -> str:
        return self.full_name


def unit_full_name(name: str, parent_name: str | None) -> str:
    """A commune with its province ("Xã Mường Phăng, Tỉnh Điện Biên"); a province alone."""
    return f"{name}, {parent_name}" if parent_name else name


# The socio-economic regions whose provinces meet in a regional round.
region_province = sa.Table(
    "region_province",
    db.Model.metadata,
    sa.Column("region_id", sa.ForeignKey("region.id"), primary_key=True),
    sa.Column("province_id", sa.ForeignKey("unit.id"), primary_key=True),
)


class Region(db.Model):
    """A grouping of provinces for the regional rounds (data, loaded with the units)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    provinces: Mapped[list[Unit]] = relationship(
        secondary=region_province, order_by=Unit.name_folded
    )

    def __str__(self) -> str:
        return self.name
