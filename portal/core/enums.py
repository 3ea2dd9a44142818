"""Enum columns stored as their string values (readable in SQL, portable across databases)."""

import enum

import sqlalchemy as sa


def enum_column(enum_class: type[enum.Enum], length: int = 24) -> sa.Enum:
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )
