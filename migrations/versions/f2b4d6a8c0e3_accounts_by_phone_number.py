"""Accounts by phone number, and text messages in the outbox

Revision ID: f2b4d6a8c0e3
Revises: e1a3c5e7f9b2
Create Date: 2026-12-06 18:40:00.000000

An account may have a mobile number to log in with (unique, kept as +84…) instead of an e-mail
address; every message already queued is an e-mail.
"""

import sqlalchemy as sa
from alembic import op

import portal.core.time

# revision identifiers, used by Alembic.
revision = "f2b4d6a8c0e3"
down_revision = "e1a3c5e7f9b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sa.Enum("mail", "sms", name="channel", native_enum=False, length=16),
                nullable=False,
                server_default="mail",
            )
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_phone", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("phone_confirmed_at", portal.core.time.UTCDateTime(), nullable=True)
        )
        batch_op.alter_column("email", existing_type=sa.VARCHAR(length=254), nullable=True)
        batch_op.create_unique_constraint("uq_user_account_login_phone", ["login_phone"])


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_account_login_phone", type_="unique")
        batch_op.alter_column("email", existing_type=sa.VARCHAR(length=254), nullable=False)
        batch_op.drop_column("phone_confirmed_at")
        batch_op.drop_column("login_phone")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("channel")
