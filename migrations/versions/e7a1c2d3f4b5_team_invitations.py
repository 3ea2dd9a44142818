"""Team invitations: a team member is linked to an account only when she accepts

Revision ID: e7a1c2d3f4b5
Revises: e7a1c9d3b2f4
Create Date: 2026-12-04 16:15:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal.core.time

revision = 'e7a1c2d3f4b5'
down_revision = 'e7a1c9d3b2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'entry_team_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', portal.core.time.UTCDateTime(), nullable=False),
        sa.Column('accepted_at', portal.core.time.UTCDateTime(), nullable=True),
        sa.Column('accepted_user_id', sa.Integer(), nullable=True),
        sa.Column('declined_at', portal.core.time.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['accepted_user_id'], ['user_account.id'],
            name=op.f('fk_entry_team_invitation_accepted_user_id_user_account'),
        ),
        sa.ForeignKeyConstraint(
            ['entry_id'], ['entry.id'], name=op.f('fk_entry_team_invitation_entry_id_entry')
        ),
        sa.ForeignKeyConstraint(
            ['invited_by_id'], ['user_account.id'],
            name=op.f('fk_entry_team_invitation_invited_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_team_invitation')),
        sa.UniqueConstraint('entry_id', 'email', name='uq_entry_team_invitation_email'),
    )
    op.create_index(
        'ix_entry_team_invitation_sender',
        'entry_team_invitation',
        ['invited_by_id', 'sent_at'],
        unique=False,
    )
    with op.batch_alter_table('entry_team_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column('phone', sa.String(length=32), nullable=False, server_default='')
        )
    # Members linked before this change stay linked: their address is kept on the member and
    # an accepted invitation stands for the link that was made.
    conn = op.get_bind()
    now = sa.literal(datetime.now(UTC).replace(tzinfo=None), sa.DateTime())  # naive UTC
    conn.execute(
        sa.text(
            "UPDATE entry_team_member SET email = (SELECT lower(u.email) FROM user_account u "
            "WHERE u.id = entry_team_member.user_id) WHERE user_id IS NOT NULL"
        )
    )
    member = sa.table(
        'entry_team_member',
        sa.column('entry_id', sa.Integer),
        sa.column('email', sa.String),
        sa.column('user_id', sa.Integer),
    )
    entry = sa.table('entry', sa.column('id', sa.Integer), sa.column('applicant_id', sa.Integer))
    invitation = sa.table(
        'entry_team_invitation',
        sa.column('entry_id', sa.Integer),
        sa.column('email', sa.String),
        sa.column('invited_by_id', sa.Integer),
        sa.column('sent_at', sa.DateTime),
        sa.column('accepted_at', sa.DateTime),
        sa.column('accepted_user_id', sa.Integer),
    )
    linked = (
        sa.select(
            member.c.entry_id,
            member.c.email,
            entry.c.applicant_id,
            now.label('sent_at'),
            now.label('accepted_at'),
            sa.func.min(member.c.user_id),
        )
        .join(entry, entry.c.id == member.c.entry_id)
        .where(member.c.user_id.is_not(None), member.c.email.is_not(None))
        .group_by(member.c.entry_id, member.c.email, entry.c.applicant_id)
    )
    conn.execute(
        invitation.insert().from_select(
            [
                'entry_id',
                'email',
                'invited_by_id',
                'sent_at',
                'accepted_at',
                'accepted_user_id',
            ],
            linked,
        )
    )


def downgrade():
    with op.batch_alter_table('entry_team_member', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
    op.drop_index('ix_entry_team_invitation_sender', table_name='entry_team_invitation')
    op.drop_table('entry_team_invitation')
