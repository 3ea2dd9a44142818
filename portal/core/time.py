"""Time is stored in UTC and shown in Asia/Ho_Chi_Minh."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The current time, aware, in UTC. Tests freeze it with time-machine."""
    return datetime.now(UTC)


def to_vietnam(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(VIETNAM)


def vietnam_date(moment: datetime | None = None) -> date:
    """The day it is (or was at `moment`) in Vietnam."""
    return to_vietnam(moment or utcnow()).date()


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC (the database's convention) and convert an aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC on every database and read back as an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Refusing to store a naive datetime; pass an aware one.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def from_vietnam(moment: datetime) -> datetime:
    """A wall-clock time typed in Vietnam (naive) as an aware UTC datetime."""
    return moment.replace(tzinfo=VIETNAM).astimezone(UTC)
