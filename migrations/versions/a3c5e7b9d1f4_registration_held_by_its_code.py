"""A registration by number held by its code until the code is proved

Revision ID: a3c5e7b9d1f4
Revises: f2b4d6a8c0e3
Create Date: 2026-12-06 19:10:00.000000

No account is made for a number before its code is proved: the code row holds what the account
will be (name, language, the password's hash, an e-mail address). A text message holding a code
is marked, to be sent first and blanked once sent.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c5e7b9d1f4"
down_revision = "f2b4d6a8c0e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration", sa.JSON(), nullable=True))
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secret", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("secret")
    with op.batch_alter_table("phone_code", schema=None) as batch_op:
        batch_op.drop_column("registration")
