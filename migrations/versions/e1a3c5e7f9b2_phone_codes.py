"""Codes sent by text message to prove a phone number

Revision ID: e1a3c5e7f9b2
Revises: d0f2a4c6e8b1
Create Date: 2026-12-06 17:30:00.000000

Kept hashed; counted by number and by address over the last hour (the two indexes), and over
the day for the installation's budget.
"""

import sqlalchemy as sa
from alembic import op

import portal.core.time

# revision identifiers, used by Alembic.
revision = "e1a3c5e7f9b2"
down_revision = "d0f2a4c6e8b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "phone_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("confirm", "reset", name="codepurpose", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_from", sa.String(length=45), nullable=True),
        sa.Column("created_at", portal.core.time.UTCDateTime(), nullable=False),
        sa.Column("expires_at", portal.core.time.UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", portal.core.time.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_code")),
    )
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_code_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_phone_code_phone_created_at", ["phone", "created_at"], unique=False)
        batch_op.create_index(
            "ix_phone_code_sent_from_created_at", ["sent_from", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_code_sent_from_created_at")
        batch_op.drop_index("ix_phone_code_phone_created_at")
        batch_op.drop_index(batch_op.f("ix_phone_code_created_at"))
    op.drop_table("phone_code")
