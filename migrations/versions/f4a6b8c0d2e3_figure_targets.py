"""The term's targets

Revision ID: f4a6b8c0d2e3
Revises: d2e4f6a8b0c1
Create Date: 2026-12-05 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.core.time


# revision identifiers, used by Alembic.
revision = 'f4a6b8c0d2e3'
down_revision = 'd2e4f6a8b0c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figure_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('first_year', sa.SmallInteger(), nullable=False),
        sa.Column('last_year', sa.SmallInteger(), nullable=False),
        sa.Column('yearly', sa.Boolean(), nullable=False),
        sa.Column('figure', sa.BigInteger(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=False),
        sa.Column('set_at', portal.core.time.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_figure_target_set_by_id_user_account')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_figure_target_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_target')),
        sa.UniqueConstraint('unit_id', 'indicator', 'first_year', 'last_year', name='uq_figure_target_term'),
    )
    with op.batch_alter_table('figure_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figure_target_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('figure_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_target_unit_id'))
    op.drop_table('figure_target')
