"""judging: rubrics, judges, assignments, score sheets, round results

Revision ID: b65125524d81
Revises: a86de0da4256
Create Date: 2026-11-23 09:17:09.615225

"""
from alembic import op
import sqlalchemy as sa

import portal.core.time


# revision identifiers, used by Alembic.
revision = 'b65125524d81'
down_revision = 'a86de0da4256'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get the defaults of the new non-null columns through server defaults.
    op.create_table('competition_judge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('conflict_people', sa.Text(), nullable=False),
    sa.Column('conflict_commune_ids', sa.JSON(), nullable=False),
    sa.Column('conflict_organisations', sa.Text(), nullable=False),
    sa.Column('declared_at', portal.core.time.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_competition_judge_competition_id_competition')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_competition_judge_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_competition_judge_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_judge')),
    sa.UniqueConstraint('competition_id', 'email', name='uq_competition_judge_email')
    )
    with op.batch_alter_table('competition_judge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_judge_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competition_judge_user_id'), ['user_id'], unique=False)

    op.create_table('rubric_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('max_points', sa.SmallInteger(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_rubric_criterion_criterion_max_points_positive')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_rubric_criterion_criterion_weight_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_rubric_criterion_round_id_competition_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criterion')),
    sa.UniqueConstraint('round_id', 'code', name='uq_rubric_criterion_code')
    )
    with op.batch_alter_table('rubric_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criterion_round_id'), ['round_id'], unique=False)

    op.create_table('judge_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('automatic', 'manual', name='assignmentsource', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('recused_at', portal.core.time.UTCDateTime(), nullable=True),
    sa.Column('recusal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_judge_assignment_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_judge_assignment_entry_id_entry')),
    sa.ForeignKeyConstraint(['judge_id'], ['user_account.id'], name=op.f('fk_judge_assignment_judge_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_judge_assignment_round_id_competition_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_assignment')),
    sa.UniqueConstraint('round_id', 'entry_id', 'judge_id', name='uq_assignment')
    )
    with op.batch_alter_table('judge_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_round_judge', ['round_id', 'judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judge_assignment_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judge_assignment_judge_id'), ['judge_id'], unique=False)

    op.create_table('round_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('carried_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('carried_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['carried_by_id'], ['user_account.id'], name=op.f('fk_round_entry_carried_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_round_entry_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_round_entry_round_id_competition_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_entry')),
    sa.UniqueConstraint('round_id', 'entry_id', name='uq_round_entry')
    )
    with op.batch_alter_table('round_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_entry_entry_id'), ['entry_id'], unique=False)

    op.create_table('round_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('raw_score', sa.Float(), nullable=True),
    sa.Column('normalised_score', sa.Float(), nullable=True),
    sa.Column('sheets', sa.SmallInteger(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_round_result_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_round_result_round_id_competition_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_result')),
    sa.UniqueConstraint('round_id', 'entry_id', name='uq_round_result')
    )
    with op.batch_alter_table('round_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_result_entry_id'), ['entry_id'], unique=False)

    op.create_table('score_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='sheetstatus', native_enum=False, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('imported', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal.core.time.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', portal.core.time.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['judge_assignment.id'], name=op.f('fk_score_sheet_assignment_id_judge_assignment')),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_score_sheet_round_id_competition_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_sheet')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_score_sheet_assignment_id'))
    )
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_sheet_round_id'), ['round_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criterion.id'], name=op.f('fk_score_criterion_id_rubric_criterion')),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheet.id'], name=op.f('fk_score_sheet_id_score_sheet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score')),
    sa.UniqueConstraint('sheet_id', 'criterion_id', name='uq_score')
    )
    with op.batch_alter_table('competition_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judges_per_entry', sa.SmallInteger(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('blind', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('rank_by', sa.String(length=12), nullable=False, server_default='normalised'))
        batch_op.add_column(sa.Column('tie_break', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('disagreement_threshold', sa.Float(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('scoring_closes_at', portal.core.time.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('scoring_started_at', portal.core.time.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_final_at', portal.core.time.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('assignment_version', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), nullable=False, server_default=''))

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_column('organisation')

    with op.batch_alter_table('competition_round', schema=None) as batch_op:
        batch_op.drop_column('assignment_version')
        batch_op.drop_column('results_final_at')
        batch_op.drop_column('scoring_started_at')
        batch_op.drop_column('scoring_closes_at')
        batch_op.drop_column('disagreement_threshold')
        batch_op.drop_column('tie_break')
        batch_op.drop_column('rank_by')
        batch_op.drop_column('blind')
        batch_op.drop_column('judges_per_entry')

    op.drop_table('score')
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_sheet_round_id'))

    op.drop_table('score_sheet')
    with op.batch_alter_table('round_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_result_entry_id'))

    op.drop_table('round_result')
    with op.batch_alter_table('round_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_entry_entry_id'))

    op.drop_table('round_entry')
    with op.batch_alter_table('judge_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_assignment_judge_id'))
        batch_op.drop_index(batch_op.f('ix_judge_assignment_entry_id'))
        batch_op.drop_index('ix_assignment_round_judge')

    op.drop_table('judge_assignment')
    with op.batch_alter_table('rubric_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubric_criterion_round_id'))

    op.drop_table('rubric_criterion')
    with op.batch_alter_table('competition_judge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_judge_user_id'))
        batch_op.drop_index(batch_op.f('ix_competition_judge_competition_id'))

    op.drop_table('competition_judge')
    # ### end Alembic commands ###
