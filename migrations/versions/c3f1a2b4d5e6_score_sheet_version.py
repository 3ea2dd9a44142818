"""Score sheets: a version checked in every update (a judge's older tab is refused)

Revision ID: c3f1a2b4d5e6
Revises: 6d724373419d
Create Date: 2026-12-02 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3f1a2b4d5e6'
down_revision = '6d724373419d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_column('version')
