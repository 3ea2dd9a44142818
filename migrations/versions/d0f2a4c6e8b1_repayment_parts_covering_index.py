"""The parts of a repayment read from their index

Revision ID: d0f2a4c6e8b1
Revises: c9e1f3a5b7d9
Create Date: 2026-12-05 20:05:00.000000

The portfolio sums the parts of the repayments of a page's 50 loans. With the instalment number
and the amounts in the index on repayment_id (PostgreSQL's INCLUDE), PostgreSQL reads the parts
there instead of hashing every part of every loan. SQLite has no INCLUDE: nothing changes there.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d0f2a4c6e8b1"
down_revision = "c9e1f3a5b7d9"
branch_labels = None
depends_on = None

INDEX = "ix_loan_repayment_part_repayment_id"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="loan_repayment_part")
    op.create_index(
        INDEX,
        "loan_repayment_part",
        ["repayment_id"],
        postgresql_include=["number", "principal", "interest"],
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="loan_repayment_part")
    op.create_index(INDEX, "loan_repayment_part", ["repayment_id"])
