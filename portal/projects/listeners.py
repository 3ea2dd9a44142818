"""How projects answers the features it builds on (their signals.py)."""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import contains_eager

from portal.awards.models import Award
from portal.awards.publication.public import PublicExternalAward
from portal.awards.signals import award_revoked, gallery_shown, public_results_shown
from portal.competitions.models import Competition
from portal.entries.models import Entry, EntryStatus
from portal.entries.signals import entry_status_changed
from portal.extensions import db
from portal.projects.models import ExternalAward
from portal.projects.services import (
    carry_results_down,
    drop_carried,
    ensure_project,
    project_home,
)
from portal.projects.story.services import published_stories


@entry_status_changed.connect
def follow_the_winner(entry: Entry, *, actor_id: int, **_) -> None:
    """An entry that wins a prize becomes a supported project, followed for years. An entry
    carried up from a competition below stays the project it started as, and its prizes are
    carried down to the entries below it (results flow back down)."""
    if entry.status is EntryStatus.AWARDED:
        ensure_project(project_home(entry), actor_id=actor_id)
        if entry.nominated_from_id is not None:
            carry_results_down(entry, actor_id=actor_id)


@award_revoked.connect
def drop_revoked_prize(award: Award, *, actor_id: int, **_) -> None:
    """A revoked award is no longer a result of the entries it was carried down to."""
    drop_carried(award.id, actor_id=actor_id)


@public_results_shown.connect
def later_prizes_of(competition: Competition, **_) -> list[PublicExternalAward]:
    """Prizes the competition's entries won at higher rounds run by other bodies, newest first."""
    rows = db.session.scalars(
        sa.select(ExternalAward)
        .join(Entry, Entry.id == ExternalAward.entry_id)
        .where(Entry.competition_id == competition.id)
        .options(
            contains_eager(ExternalAward.entry).joinedload(Entry.applicant),
            contains_eager(ExternalAward.entry).raiseload(Entry.team_members),
            contains_eager(ExternalAward.entry).raiseload(Entry.attachments),
        )
        .order_by(ExternalAward.year.desc(), ExternalAward.id)
    ).unique()
    # A winner of this competition is named as her certificate names her (frozen at publication,
    # corrected only by a re-issue), not as her profile says today, as on the rest of the page.
    frozen = {
        entry_id: (name, title)
        for entry_id, name, title in db.session.execute(
            sa.select(Award.entry_id, Award.winner_name, Award.entry_title)
            .where(Award.competition_id == competition.id, Award.certificate_code.is_not(None))
            .order_by(Award.id)
        )
    }
    return [
        PublicExternalAward(
            entry_title=frozen.get(x.entry_id, (None, None))[1] or x.entry.title,
            level=x.level,
            body=x.body,
            prize=x.prize,
            year=x.year,
            winner_name=(
                frozen.get(x.entry_id, (None, None))[0] or x.entry.applicant.full_name
                if x.entry.consent_publish
                else None
            ),
        )
        for x in rows
    ]


@gallery_shown.connect
def story_links(entry_ids: list[int], **_) -> dict[int, str]:
    """The winners whose project's story is published: the gallery links to it."""
    return {
        entry_id: url_for("projects.story", project_id=project_id)
        for entry_id, project_id in published_stories(entry_ids).items()
    }
