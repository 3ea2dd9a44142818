"""The cascade: regions, nominations from the competitions below, entries carried up, prizes
carried down

Revision ID: b5d7f9a1c3e5
Revises: a3c5e7b9d1f4
Create Date: 2026-12-06 21:57:43.940078

The national unit and the regions are data: `flask units load` adds them.
"""

import sqlalchemy as sa
from alembic import op

import portal.core.time


# revision identifiers, used by Alembic.
revision = "b5d7f9a1c3e5"
down_revision = "a3c5e7b9d1f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("code", name=op.f("uq_region_code")),
    )
    op.create_table(
        "region_province",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_id"], ["unit.id"], name=op.f("fk_region_province_province_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_region_province_region_id_region")
        ),
        sa.PrimaryKeyConstraint("region_id", "province_id", name=op.f("pk_region_province")),
    )
    op.create_table(
        "nomination_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("source_competition_id", sa.Integer(), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "commune",
                "provincial",
                "regional",
                "national",
                name="competitionlevel",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("quota", sa.SmallInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.core.time.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(source_competition_id IS NULL) <> (level IS NULL)",
            name=op.f("ck_nomination_source_nomination_source_competition_or_level"),
        ),
        sa.CheckConstraint(
            "quota > 0", name=op.f("ck_nomination_source_nomination_source_quota_positive")
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competition.id"],
            name=op.f("fk_nomination_source_competition_id_competition"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_nomination_source_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["source_competition_id"],
            ["competition.id"],
            name=op.f("fk_nomination_source_source_competition_id_competition"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_nomination_source_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_source")),
    )
    with op.batch_alter_table("nomination_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_source_competition_id"), ["competition_id"], unique=False
        )

    op.create_table(
        "nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("from_competition_id", sa.Integer(), nullable=False),
        sa.Column("from_entry_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "approved",
                "accepted",
                "declined",
                "withdrawn",
                name="nominationstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", portal.core.time.UTCDateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", portal.core.time.UTCDateTime(), nullable=True),
        sa.Column("answered_at", portal.core.time.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_nomination_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competition.id"],
            name=op.f("fk_nomination_competition_id_competition"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], name=op.f("fk_nomination_entry_id_entry")
        ),
        sa.ForeignKeyConstraint(
            ["from_competition_id"],
            ["competition.id"],
            name=op.f("fk_nomination_from_competition_id_competition"),
        ),
        sa.ForeignKeyConstraint(
            ["from_entry_id"], ["entry.id"], name=op.f("fk_nomination_from_entry_id_entry")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_nomination_proposed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_nomination_withdrawn_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
        sa.UniqueConstraint("competition_id", "from_entry_id", name="uq_nomination_entry"),
        sa.UniqueConstraint("entry_id", name=op.f("uq_nomination_entry_id")),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_from_competition_id"), ["from_competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nomination_from_entry_id"), ["from_entry_id"], unique=False
        )

    with op.batch_alter_table("competition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("by_nomination_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("nominations_close_at", portal.core.time.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_competition_region_id_region"), "region", ["region_id"], ["id"]
        )

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominated_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("nominated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_entry_origin_entry_id"), ["origin_entry_id"], unique=False
        )
        batch_op.create_unique_constraint(
            "uq_entry_nominated_once", ["nominated_from_id", "competition_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_entry_origin_entry_id_entry"), "entry", ["origin_entry_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_entry_nominated_from_id_entry"), "entry", ["nominated_from_id"], ["id"]
        )

    with op.batch_alter_table("external_award", schema=None) as batch_op:
        batch_op.add_column(sa.Column("award_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_external_award_award_id"), ["award_id"], unique=False)
        batch_op.create_unique_constraint("uq_external_award_carried", ["award_id", "entry_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_external_award_award_id_award"), "award", ["award_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("external_award", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_external_award_award_id_award"), type_="foreignkey")
        batch_op.drop_constraint("uq_external_award_carried", type_="unique")
        batch_op.drop_index(batch_op.f("ix_external_award_award_id"))
        batch_op.drop_column("award_id")

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entry_nominated_from_id_entry"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_entry_origin_entry_id_entry"), type_="foreignkey")
        batch_op.drop_constraint("uq_entry_nominated_once", type_="unique")
        batch_op.drop_index(batch_op.f("ix_entry_origin_entry_id"))
        batch_op.drop_column("nominated")
        batch_op.drop_column("origin_entry_id")
        batch_op.drop_column("nominated_from_id")

    with op.batch_alter_table("competition", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_competition_region_id_region"), type_="foreignkey")
        batch_op.drop_column("nominations_close_at")
        batch_op.drop_column("by_nomination_only")
        batch_op.drop_column("region_id")

    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_from_entry_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_from_competition_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_competition_id"))

    op.drop_table("nomination")
    with op.batch_alter_table("nomination_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_source_competition_id"))

    op.drop_table("nomination_source")
    op.drop_table("region_province")
    op.drop_table("region")
