"""Entry attachments: a copy without identifying metadata, served to judges

Revision ID: e7a1c9d3b2f4
Revises: f6b4a1d8c2e9
Create Date: 2026-12-04 16:10:00

Files stored before have no copy (NULL): the judges' view strips them when it serves them.
"""
import sqlalchemy as sa
from alembic import op

revision = 'e7a1c9d3b2f4'
down_revision = 'f6b4a1d8c2e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entry_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_stored_name', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_entry_attachment_public_stored_name'), ['public_stored_name']
        )


def downgrade():
    with op.batch_alter_table('entry_attachment', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_entry_attachment_public_stored_name'), type_='unique'
        )
        batch_op.drop_column('public_stored_name')
