"""Milestones waiting for verification, read oldest first

Revision ID: c9e1f3a5b7d9
Revises: b8d0f2a4c6e8
Create Date: 2026-12-05 19:45:00.000000

The follow-up list shows the 50 oldest milestones waiting (status 'recorded', by recorded_at
and id): an index in that order lets the read stop at 50. It replaces the index on status
alone, its first column.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c9e1f3a5b7d9"
down_revision = "b8d0f2a4c6e8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_status"))
        batch_op.create_index(
            "ix_milestone_status_recorded", ["status", "recorded_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_status_recorded")
        batch_op.create_index(batch_op.f("ix_milestone_status"), ["status"], unique=False)
