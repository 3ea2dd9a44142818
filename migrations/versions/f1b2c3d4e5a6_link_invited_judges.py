"""Link invited judges to the accounts they made before this release.

Judging used to link an invited judge to her account when an organiser's page was read (a write
on a GET); it now links her when the account is made. The rows left unlinked until then are
linked here, once.

Revision ID: f1b2c3d4e5a6
Revises: e7a1c2d3f4b5
Create Date: 2026-12-04
"""

from alembic import op

revision = "f1b2c3d4e5a6"
down_revision = "e7a1c2d3f4b5"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE competition_judge
        SET user_id = (
            SELECT user_account.id FROM user_account
            WHERE lower(user_account.email) = lower(competition_judge.email)
        )
        WHERE user_id IS NULL
        """
    )


def downgrade():
    pass  # the links are right either way
