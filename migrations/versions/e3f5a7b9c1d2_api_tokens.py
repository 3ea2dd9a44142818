"""API tokens and the log of their calls

Revision ID: e3f5a7b9c1d2
Revises: f4a6b8c0d2e3
Create Date: 2026-12-05 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.core.time


# revision identifiers, used by Alembic.
revision = 'e3f5a7b9c1d2'
down_revision = 'f4a6b8c0d2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', portal.core.time.UTCDateTime(), nullable=False),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', portal.core.time.UTCDateTime(), nullable=True),
        sa.Column('last_used_at', portal.core.time.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_api_token_issued_by_id_user_account')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_api_token_revoked_by_id_user_account')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_api_token_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_api_token_secret_hash')),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_unit_id'), ['unit_id'], unique=False)
    op.create_table(
        'api_call',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('status', sa.SmallInteger(), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=False),
        sa.Column('at', portal.core.time.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_call_token_id_api_token')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_call')),
    )
    with op.batch_alter_table('api_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_call_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_call_token_id'), ['token_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_call_token_id'))
        batch_op.drop_index(batch_op.f('ix_api_call_at'))
    op.drop_table('api_call')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_unit_id'))
    op.drop_table('api_token')
