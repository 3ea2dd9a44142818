"""Entrusted-credit figures per savings group, imported per period

Revision ID: d2e4f6a8b0c1
Revises: c9d1e3f5a7b8
Create Date: 2026-12-05 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.core.time


# revision identifiers, used by Alembic.
revision = 'd2e4f6a8b0c1'
down_revision = 'c9d1e3f5a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=False),
    sa.Column('imported_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', portal.core.time.UTCDateTime(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_credit_import_imported_by_id_user_account')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['user_account.id'], name=op.f('fk_credit_import_replaced_by_id_user_account')),
    sa.ForeignKeyConstraint(['replaces_id'], ['credit_import.id'], name=op.f('fk_credit_import_replaces_id_credit_import')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_credit_import_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_import')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_credit_import_replaces_id'))
    )
    with op.batch_alter_table('credit_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_import_unit_id'), ['unit_id'], unique=False)
        # One import in force per unit and period; the replaced ones stay beside it.
        batch_op.create_index(
            'uq_credit_import_in_force',
            ['unit_id', 'period_end'],
            unique=True,
            postgresql_where=sa.text('replaced_at IS NULL'),
            sqlite_where=sa.text('replaced_at IS NULL'),
        )

    op.create_table('credit_group_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('leader', sa.String(length=200), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('borrowers', sa.Integer(), nullable=False),
    sa.Column('outstanding', sa.BigInteger(), nullable=False),
    sa.Column('overdue', sa.BigInteger(), nullable=False),
    sa.Column('savings', sa.BigInteger(), nullable=False),
    sa.Column('rating', sa.Enum('good', 'fair', 'average', 'weak', name='creditrating', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['unit.id'], name=op.f('fk_credit_group_figures_commune_id_unit')),
    sa.ForeignKeyConstraint(['import_id'], ['credit_import.id'], name=op.f('fk_credit_group_figures_import_id_credit_import')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_group_figures'))
    )
    with op.batch_alter_table('credit_group_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_group_figures_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_group_figures_import_id'), ['import_id'], unique=False)


def downgrade():
    with op.batch_alter_table('credit_group_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_group_figures_import_id'))
        batch_op.drop_index(batch_op.f('ix_credit_group_figures_commune_id'))

    op.drop_table('credit_group_figures')
    with op.batch_alter_table('credit_import', schema=None) as batch_op:
        batch_op.drop_index('uq_credit_import_in_force')
        batch_op.drop_index(batch_op.f('ix_credit_import_unit_id'))

    op.drop_table('credit_import')
