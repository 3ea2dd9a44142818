"""Competitions: when an organiser closed entries (the deadline pages say when they really closed)

Revision ID: e5f3c4d6a7b8
Revises: d4e2b3c5f6a7
Create Date: 2026-12-04 16:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = 'e5f3c4d6a7b8'
down_revision = 'd4e2b3c5f6a7'
branch_labels = None
depends_on = None

PAST_OPEN = ('closed', 'judging', 'results_final', 'results_published', 'archived')


def upgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))

    # Competitions closed before this column existed: the moment comes from the audit log's
    # last move from open to closed (none: entries closed at the deadline, as shown before).
    bind = op.get_bind()
    competition = sa.table(
        'competition', sa.column('id', sa.Integer), sa.column('status', sa.String),
        sa.column('closed_at', sa.DateTime),
    )
    audit = sa.table(
        'audit_log', sa.column('id', sa.Integer), sa.column('at', sa.DateTime),
        sa.column('action', sa.String), sa.column('object_type', sa.String),
        sa.column('object_id', sa.Integer), sa.column('before', sa.JSON),
        sa.column('after', sa.JSON),
    )
    closed = set(bind.scalars(sa.select(competition.c.id).where(competition.c.status.in_(PAST_OPEN))))
    if not closed:
        return
    moments = {}
    rows = bind.execute(
        sa.select(audit.c.object_id, audit.c.at, audit.c.before, audit.c.after)
        .where(audit.c.action == 'competition.status', audit.c.object_type == 'competition')
        .order_by(audit.c.id)
    )
    for object_id, at, before, after in rows:
        before = json.loads(before) if isinstance(before, str) else before or {}
        after = json.loads(after) if isinstance(after, str) else after or {}
        if object_id in closed and before.get('status') == 'open' and after.get('status') == 'closed':
            moments[object_id] = at  # the last one wins
    for object_id, at in moments.items():
        bind.execute(
            competition.update().where(competition.c.id == object_id).values(closed_at=at)
        )


def downgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
