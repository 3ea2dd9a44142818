"""An OCOP score and what it gives: pure, no database. The parts, bands and validity come from
the scheme (data), never from here."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


class ScoreError(ValueError):
    """A part is missing, not a whole number, or above its maximum (its code in `part`)."""

    def __init__(self, part: str, maximum: int):
        super().__init__(part)
        self.part, self.maximum = part, maximum


def checked_scores(scores: dict[str, int | None], parts: list[dict]) -> dict[str, int]:
    """The scores of every part of the scheme, each a whole number from 0 to its maximum."""
    found = {}
    for part in parts:
        value = scores.get(part["code"])
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= part["max"]:
            raise ScoreError(part["code"], part["max"])
        found[part["code"]] = value
    return found


def stars_for(total: int, bands: list[list[int]]) -> int:
    """The stars a total earns: the band with the highest floor the total reaches."""
    for floor, stars in sorted(bands, key=lambda band: band[0], reverse=True):
        if total >= floor:
            return stars
    return 0


def valid_until(certified_on: date, months: int) -> date:
    """The last day a certificate of `certified_on` is valid, `months` later."""
    return certified_on + relativedelta(months=months) - timedelta(days=1)


def next_recheck(certified_on: date, every_months: int, today: date) -> date:
    """The first interim re-check on or after `today`, counted from the certificate."""
    count = 1
    while True:
        when = certified_on + relativedelta(months=every_months * count)
        if when >= today:
            return when
        count += 1
