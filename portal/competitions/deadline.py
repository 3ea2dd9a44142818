"""The sentence that says when a competition takes entries: one helper for every page that
shows it (the public list and detail, the home page, the organisers' list, the entry form), so
that the text follows the competition's real state rather than its dates alone."""

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from portal.competitions.models import Competition, CompetitionStatus
from portal.core.time import utcnow


def entries_sentence(
    competition: Competition, now: datetime | None = None, *, deadline: datetime | None = None
) -> str:
    """`deadline`: her own, when an organiser gave her more time."""
    now = now or utcnow()
    deadline = deadline or competition.closes_at
    when = current_app.jinja_env.filters["datetime"]
    if competition.status is CompetitionStatus.DRAFT:
        return _(
            "Not yet open for entries: planned from %(opens)s to %(closes)s.",
            opens=when(competition.opens_at),
            closes=when(deadline),
        )
    closed = competition.entries_closed_at(now, deadline)
    if competition.status is CompetitionStatus.OPEN and closed is None:
        if now < competition.opens_at:
            return _(
                "Entries open %(when)s and close %(close)s.",
                when=when(competition.opens_at),
                close=when(deadline),
            )
        left = current_app.jinja_env.filters["time_left"](deadline)
        return _("Open for entries until %(when)s (%(left)s).", when=when(deadline), left=left)
    if closed is None:  # closed by hand before the moment was recorded
        return _("Entries are closed.")
    return _("Entries closed at %(when)s.", when=when(closed))
