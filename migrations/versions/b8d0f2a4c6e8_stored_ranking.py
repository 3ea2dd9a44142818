"""A round's ranking stored when its sheets change

Revision ID: b8d0f2a4c6e8
Revises: a7c9e1b3d5f7
Create Date: 2026-12-05 11:00:00.000000

- competition_round.ranking_version: raised by every change that would change the round's
  ranking (a submitted sheet, a recusal, the rubric or settings, an entry joining or leaving).
- round_ranking, round_ranking_row, round_ranking_judge: the ranking computed for one value of
  it, read a page at a time by the results page and whole by the exports
  (portal/judging/results/ranking.py). Empty at first: each round's is computed on its first
  view.
"""
from alembic import op
import sqlalchemy as sa

import portal.core.time


# revision identifiers, used by Alembic.
revision = 'b8d0f2a4c6e8'
down_revision = 'a7c9e1b3d5f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_ranking',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('round_mean', sa.Float(), nullable=True),
    sa.Column('round_spread', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_round_ranking_round_id_competition_round')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_ranking'))
    )
    op.create_table('round_ranking_judge',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('sheets', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('spread', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['user_account.id'], name=op.f('fk_round_ranking_judge_judge_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round_ranking.round_id'], name=op.f('fk_round_ranking_judge_round_id_round_ranking')),
    sa.PrimaryKeyConstraint('round_id', 'judge_id', name=op.f('pk_round_ranking_judge'))
    )
    op.create_table('round_ranking_row',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('raw_score', sa.Float(), nullable=True),
    sa.Column('normalised_score', sa.Float(), nullable=True),
    sa.Column('sheets', sa.SmallInteger(), nullable=False),
    sa.Column('disagreement', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.Boolean(), nullable=False),
    sa.Column('recused', sa.Boolean(), nullable=False),
    sa.Column('criterion_means', sa.JSON(), nullable=False),
    sa.Column('judges', sa.JSON(), nullable=False),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['competition_category.id'], name=op.f('fk_round_ranking_row_category_id_competition_category')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_round_ranking_row_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['round_ranking.round_id'], name=op.f('fk_round_ranking_row_round_id_round_ranking')),
    sa.PrimaryKeyConstraint('round_id', 'position', name=op.f('pk_round_ranking_row')),
    sa.UniqueConstraint('round_id', 'entry_id', name='uq_round_ranking_row_entry')
    )
    with op.batch_alter_table('competition_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranking_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('competition_round', schema=None) as batch_op:
        batch_op.drop_column('ranking_version')

    op.drop_table('round_ranking_row')
    op.drop_table('round_ranking_judge')
    op.drop_table('round_ranking')
