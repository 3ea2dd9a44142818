"""Form submissions: the key of each form that moved money or created a record, once

Revision ID: d4e2b3c5f6a7
Revises: c3f1a2b4d5e6
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.core.time

revision = 'd4e2b3c5f6a7'
down_revision = 'c3f1a2b4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('object_type', sa.String(length=64), nullable=True),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.core.time.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submission')),
        sa.UniqueConstraint('key', name=op.f('uq_form_submission_key')),
    )


def downgrade():
    op.drop_table('form_submission')
