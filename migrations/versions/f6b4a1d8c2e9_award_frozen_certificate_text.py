"""Awards keep what their certificate says, frozen at publication; existing published awards are
filled in from the records as they are now

Revision ID: f6b4a1d8c2e9
Revises: e5f3c4d6a7b8
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.core.time

revision = 'f6b4a1d8c2e9'
down_revision = 'e5f3c4d6a7b8'
branch_labels = None
depends_on = None

COLUMNS = ('winner_name', 'entry_title', 'prize_name', 'competition_title', 'unit_name')


def upgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('winner_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('entry_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('prize_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('competition_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('unit_name', sa.String(length=210), nullable=True))
        batch_op.add_column(
            sa.Column('reissued_at', portal.core.time.UTCDateTime(), nullable=True)
        )

    # Backfill every award that already has a certificate (published) from today's records: the
    # best that can be known now; from here on they no longer follow the profile.
    award = sa.table('award', sa.column('id'), *(sa.column(c) for c in COLUMNS))
    rows = op.get_bind().execute(
        sa.text(
            """
            SELECT a.id, u.full_name, e.title, t.name, c.title, un.name, pa.name
            FROM award a
            JOIN entry e ON e.id = a.entry_id
            JOIN user_account u ON u.id = e.applicant_id
            JOIN prize_tier t ON t.id = a.tier_id
            JOIN competition c ON c.id = a.competition_id
            JOIN unit un ON un.id = c.unit_id
            LEFT JOIN unit pa ON pa.id = un.parent_id
            WHERE a.certificate_code IS NOT NULL
            """
        )
    ).all()
    for award_id, name, title, prize, competition, unit_name, parent_name in rows:
        op.execute(
            award.update()
            .where(award.c.id == award_id)
            .values(
                winner_name=name,
                entry_title=title,
                prize_name=prize,
                competition_title=competition,
                unit_name=f'{unit_name}, {parent_name}' if parent_name else unit_name,
            )
        )


def downgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_column('reissued_at')
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
