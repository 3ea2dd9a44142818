"""Her project's public story: she alone publishes it (her consent) and can withdraw it. It
tells the title, the commune, the category, the prizes, the verified milestones, the OCOP stars
and a photo she chooses, in her words; never a figure such as revenue, nor the household."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit, file_metadata, storage
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects import services as project_services
from portal.projects.milestones.models import Milestone, MilestoneStatus
from portal.projects.models import SupportedProject
from portal.projects.ocop import services as ocop_services
from portal.projects.ocop.models import RatingState

MAX_TEXT = 3000


def may_tell(user: User, project: SupportedProject) -> bool:
    """Only the owner publishes her story: an organiser cannot consent for her."""
    return user.is_authenticated and project.owner_id == user.id


def save_story(
    actor: User,
    project: SupportedProject,
    *,
    publish: bool,
    text: str,
    photo: tuple[bytes, str] | None = None,
    remove_photo: bool = False,
    now: datetime | None = None,
) -> SupportedProject:
    """Save her story, and publish or withdraw it. Commits."""
    now = now or utcnow()
    if not may_tell(actor, project):
        raise NotAllowed(_l("Only the owner of the project can publish its story."))
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_TEXT), field="text")
    read = storage.read_document(
        photo,
        field="photo",
        wrong_type=_l("The photo must be a JPEG or PNG file."),
        too_large=_l("The photo is larger than 10 MB."),
        default_name="photo",
    )
    if read is not None and not read[2].startswith("image/"):
        raise DomainError(_l("The photo must be a JPEG or PNG file."), field="photo")
    was = project.story_published
    if (remove_photo or read) and project.story_photo_stored_name:
        storage.discard(project.story_photo_stored_name)  # once the commit has happened
        project.story_photo_stored_name = None
        project.story_photo_filename = project.story_photo_content_type = None
    if read:
        stored = storage.new_name()
        project.story_photo_stored_name = stored
        project.story_photo_filename, project.story_photo_content_type = read[1], read[2]
        # The photo is public: its EXIF (the GPS position of her home, her phone) is not.
        storage.store(file_metadata.stripped(read[0], read[2]), stored)
    project.story_text = text
    project.story_published = publish
    if publish and not was:
        project.story_published_at = now
    action = (
        "project.story_published"
        if publish and not was
        else "project.story_withdrawn"
        if was and not publish
        else "project.story_saved"
    )
    audit.record(
        action,
        actor_id=actor.id,
        object_type="supported_project",
        object_id=project.id,
        after={"published": publish, "photo": project.story_photo_filename},
    )
    db.session.commit()
    return project


@dataclass
class Story:
    project: SupportedProject
    owner_name: str | None  # only when she agreed to publish her name with her entry
    prizes: list[str]
    milestones: list[tuple[date, str]]
    stars: list[tuple[str, int]]  # OCOP product, stars of its valid rating


def story_of(project: SupportedProject, today: date) -> Story:
    """What the public page tells: only what is public by nature or verified."""
    awards = project_services.awards_of([project.entry_id])[project.entry_id]
    external = project_services.external_awards_of([project.entry_id])[project.entry_id]
    prizes = [a.prize_name for a in awards if a.is_valid] + [
        f"{x.level.label}: {x.prize} ({x.year})" for x in external
    ]
    milestones = [
        (m.reached_on, m.kind.label)
        for m in db.session.scalars(
            sa.select(Milestone)
            .where(Milestone.project_id == project.id, Milestone.status == MilestoneStatus.VERIFIED)
            .order_by(Milestone.reached_on)
        )
    ]
    stars = []
    for product in ocop_services.products_of([project.id])[project.id]:
        rating = ocop_services.current_rating(product)
        if rating and ocop_services.state_of(rating, product, today) is RatingState.VALID:
            stars.append((product.name, rating.stars))
    entry = project.entry
    return Story(
        project,
        project.owner.full_name if entry.consent_publish else None,
        prizes,
        milestones,
        stars,
    )


def published_stories(entry_ids: list[int]) -> dict[int, int]:
    """entry id → project id, for the entries whose project's story is published."""
    if not entry_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(SupportedProject.entry_id, SupportedProject.id).where(
                SupportedProject.entry_id.in_(entry_ids), SupportedProject.story_published
            )
        ).all()
    )
