"""Entries: a woman's idea sent to a competition, its team, attachments and submitted versions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import Category, Competition
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class EntryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    IN_JUDGING = "in_judging"
    ADVANCED = "advanced"
    NOT_ADVANCED = "not_advanced"
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    EntryStatus.DRAFT: _l("Draft"),
    EntryStatus.SUBMITTED: _l("Submitted"),
    EntryStatus.ELIGIBLE: _l("Eligible"),
    EntryStatus.INELIGIBLE: _l("Not eligible"),
    EntryStatus.IN_JUDGING: _l("In judging"),
    EntryStatus.ADVANCED: _l("Advanced"),
    EntryStatus.NOT_ADVANCED: _l("Not advanced"),
    EntryStatus.AWARDED: _l("Awarded"),
    EntryStatus.WITHDRAWN: _l("Withdrawn"),
}


class AttachmentKind(enum.StrEnum):
    BUSINESS_PLAN = "business_plan"
    PHOTO = "photo"


# The organisers' list (listing.SORTS) reads its 50 rows in the order of one of these indexes
# and stops there, whatever the number of entries: for each column it sorts by, one index for the
# whole competition, one within a status, one within a category and one within both. Each ends
# with the id that breaks ties, as the ORDER BY does. Those without the status leave the drafts
# out (the list never shows one, and an open competition may hold thousands that would be read
# and passed over); a query names `status <> 'draft'` as written here for PostgreSQL to use them.
LIST_SORT_COLUMNS = {
    "submitted": "submitted_at",
    "title": "title",
    "reference": "reference",
    "capital": "capital_needed",
}
NOT_DRAFT = "status <> 'draft'"


def _list_indexes() -> list[sa.Index]:
    not_draft = {"postgresql_where": sa.text(NOT_DRAFT), "sqlite_where": sa.text(NOT_DRAFT)}
    indexes = []
    for name, column in LIST_SORT_COLUMNS.items():
        indexes += [
            sa.Index(f"ix_entry_list_{name}", "competition_id", column, "id", **not_draft),
            sa.Index(f"ix_entry_list_status_{name}", "competition_id", "status", column, "id"),
            sa.Index(
                f"ix_entry_list_category_{name}",
                "competition_id",
                "category_id",
                column,
                "id",
                **not_draft,
            ),
            sa.Index(
                f"ix_entry_list_category_status_{name}",
                "competition_id",
                "category_id",
                "status",
                column,
                "id",
            ),
        ]
    return indexes


class Entry(db.Model):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"))
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition_category.id"))
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus), default=EntryStatus.DRAFT)
    # Given at the first submission: PREFIX-YEAR-NNNN.
    reference: Mapped[str | None] = mapped_column(sa.String(24), unique=True)

    title: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    customers: Mapped[str] = mapped_column(sa.Text, default="")
    local_resources: Mapped[str] = mapped_column(sa.Text, default="")
    # Her business, cooperative or group, if any: judges declare conflicts with organisations.
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    capital_needed: Mapped[int | None] = mapped_column(sa.BigInteger)  # đồng
    jobs_for_women: Mapped[int | None] = mapped_column(sa.Integer)
    consent_publish: Mapped[bool] = mapped_column(default=False)

    # Optimistic locking: a save names the version it started from; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1)
    has_unsubmitted_changes: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An organiser's personal extension of the deadline for this entry.
    extension_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    screening_reason: Mapped[str | None] = mapped_column(sa.Text)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    # Copied from the applicant's profile at submission, for the organisers' filters.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    household_status: Mapped[str | None] = mapped_column(sa.String(24))
    ethnic_minority: Mapped[bool | None] = mapped_column()
    business_stage: Mapped[str | None] = mapped_column(sa.String(24))
    # Folded title, reference and applicant's name: search ignores diacritics and case.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    # An entry carried up from a competition below (portal.nominations): the entry it came from,
    # which keeps its history, prize and scores, and the first entry of the idea's path, by which
    # the figures count an idea once however high it goes.
    nominated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id"))
    # Once nominated to a higher competition: its page then shows the idea's path (read with
    # the entry, rather than looked up for every entry).
    nominated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    origin_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id"), index=True)

    competition: Mapped[Competition] = relationship()
    nominated_from: Mapped["Entry | None"] = relationship(
        remote_side=[id], foreign_keys=[nominated_from_id]
    )
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    category: Mapped[Category | None] = relationship()
    commune: Mapped[Unit | None] = relationship(foreign_keys=[commune_id])
    team_members: Mapped[list["TeamMember"]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="TeamMember.position",
        lazy="selectin",
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="Attachment.id",
        lazy="selectin",
    )
    versions: Mapped[list["EntryVersion"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryVersion.number"
    )

    __table_args__ = (
        sa.Index("ix_entry_competition_submitted", "competition_id", "submitted_at"),
        # An entry is carried into a competition once.
        sa.UniqueConstraint("nominated_from_id", "competition_id", name="uq_entry_nominated_once"),
        *_list_indexes(),
        # Finds the entries whose search text holds a word (`?q=`). PostgreSQL only: SQLite has
        # an empty index of the same name, so that the models and the migrations agree on both.
        sa.Index(
            "ix_entry_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=sa.text("0"),
        ),
    )
    # The version is checked in the UPDATE itself (WHERE version = the one loaded): of two saves
    # or submissions sent at the same moment, the second finds the row changed and is refused
    # (StaleDataError), instead of both passing a check made in Python. The services raise it.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def idea_id(self) -> int:
        return self.origin_entry_id or self.id

    @property
    def business_plan(self) -> "Attachment | None":
        return next((a for a in self.attachments if a.kind is AttachmentKind.BUSINESS_PLAN), None)

    @property
    def photos(self) -> list["Attachment"]:
        return [a for a in self.attachments if a.kind is AttachmentKind.PHOTO]


class CompetitionEntryCount(db.Model):
    """How many entries a competition has in each category and status, drafts included.

    Kept by the database itself: triggers on `entry` (COUNTING_TRIGGERS below, and the migration
    a7c9e1b3d5f7) add one for the row inserted and take one away for the row deleted, and move
    one from the old key to the new when an UPDATE changes an entry's competition, category or
    status, in the transaction that writes the entry; a count that falls to 0 is deleted. So the
    counts are those of the rows as committed, whoever writes them: a service, a bulk INSERT, a
    factory or an UPDATE by hand; of two moves at once, the second waits for the first and counts
    from the row it left. The organisers' list reads its counts by status and the number of
    entries behind its pages here (`listing.list_page`) instead of counting the entries on every
    view. `flask entries recount` compares the table with the entries and mends it (counts.py).
    """

    __tablename__ = "competition_entry_count"
    # Written by the triggers alone: a copy of the database's rows (tests/snapshots.py) leaves
    # it out and lets them fill it.
    __table_args__ = {"info": {"kept_by_triggers": True}}

    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competition.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(primary_key=True)  # 0: no category chosen
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


# The triggers, as the migration a7c9e1b3d5f7 also writes them (each list is run in order).
# On PostgreSQL an entry that changes key takes its two counters in the order of their keys,
# so that two moves at once never wait for each other in a circle.
COUNTING_TRIGGERS = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION entry_count_add(
            competition integer, category integer, entry_status varchar, delta integer
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO competition_entry_count AS counted
                (competition_id, category_id, status, count)
            VALUES (competition, category, entry_status, delta)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = counted.count + EXCLUDED.count;
            IF delta < 0 THEN
                DELETE FROM competition_entry_count AS counted
                WHERE counted.competition_id = competition AND counted.category_id = category
                    AND counted.status = entry_status AND counted.count = 0;
            END IF;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION entry_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
            ELSIF (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status)
                < (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status) THEN
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
            ELSE
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER entry_count_insert_delete AFTER INSERT OR DELETE ON entry
        FOR EACH ROW EXECUTE FUNCTION entry_count_trigger()
        """,
        """
        CREATE TRIGGER entry_count_update
        AFTER UPDATE OF competition_id, category_id, status ON entry
        FOR EACH ROW WHEN (
            OLD.competition_id IS DISTINCT FROM NEW.competition_id
            OR OLD.category_id IS DISTINCT FROM NEW.category_id
            OR OLD.status IS DISTINCT FROM NEW.status
        ) EXECUTE FUNCTION entry_count_trigger()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER entry_count_insert AFTER INSERT ON entry BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
        END
        """,
        """
        CREATE TRIGGER entry_count_delete AFTER DELETE ON entry BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
            DELETE FROM competition_entry_count
            WHERE competition_id = OLD.competition_id
                AND category_id = coalesce(OLD.category_id, 0)
                AND status = OLD.status AND count = 0;
        END
        """,
        """
        CREATE TRIGGER entry_count_update
        AFTER UPDATE OF competition_id, category_id, status ON entry
        WHEN OLD.competition_id IS NOT NEW.competition_id
            OR OLD.category_id IS NOT NEW.category_id
            OR OLD.status IS NOT NEW.status
        BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
            DELETE FROM competition_entry_count
            WHERE competition_id = OLD.competition_id
                AND category_id = coalesce(OLD.category_id, 0)
                AND status = OLD.status AND count = 0;
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
        END
        """,
    ],
}


@sa.event.listens_for(db.metadata, "after_create")
def _create_counting_triggers(_metadata, connection, tables=(), **_kw) -> None:
    """`db.create_all` (the tests) makes the triggers with the two tables, as the migration does."""
    names = {table.name for table in tables}
    if {"entry", "competition_entry_count"} <= names:
        for statement in COUNTING_TRIGGERS.get(connection.dialect.name, []):
            connection.exec_driver_sql(statement)


class TeamMember(db.Model):
    __tablename__ = "entry_team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(120), default="")
    # What the applicant typed, lower case: an address to invite, never a link by itself.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    # Her account, only once she accepted the invitation sent to `email` (TeamInvitation).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    entry: Mapped[Entry] = relationship(back_populates="team_members")
    user: Mapped[User | None] = relationship()


class TeamInvitation(db.Model):
    """An invitation to join an entry's team, mailed once per address and entry (again only when
    its link expired unanswered: `sent_at` is then the last send).

    The row stays when the member is removed from the team, so that the same address is never
    mailed twice for the entry; its times count against the hourly limit.
    """

    __tablename__ = "entry_team_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[Entry] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "email", name="uq_entry_team_invitation_email"),
        sa.Index("ix_entry_team_invitation_sender", "invited_by_id", "sent_at"),
    )


class Attachment(db.Model):
    """A file of an entry, stored outside static/ under a random name."""

    __tablename__ = "entry_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True, info=STORED_FILE)
    # The copy without the metadata that may name her (EXIF artist and GPS, a document's
    # author), served to judges; none for files stored before copies were made.
    public_stored_name: Mapped[str | None] = mapped_column(
        sa.String(64), unique=True, info=STORED_FILE
    )
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class EntryVersion(db.Model):
    """What was submitted, each time: organisers see what changed between submissions."""

    __tablename__ = "entry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(sa.JSON)

    entry: Mapped[Entry] = relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("entry_id", "number", name="uq_entry_version_number"),)
