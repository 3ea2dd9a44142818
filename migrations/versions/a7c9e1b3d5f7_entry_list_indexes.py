"""The organisers' entry list: indexes for each sort and the search

Revision ID: a7c9e1b3d5f7
Revises: e3f5a7b9c1d2
Create Date: 2026-12-05 11:00:00.000000

- For each column the list sorts by (submitted, title, reference, capital needed), an index for
  the whole competition, within a status, within a category and within both, each ending with
  the id that breaks ties; those without the status leave the drafts out. The list reads its 50
  rows in index order and stops. They replace ix_entry_competition_status and
  ix_entry_competition_category (their first columns).
- A trigram index on entry.search_text for `?q=` (PostgreSQL: the pg_trgm extension, trusted
  since PostgreSQL 13, so the database's owner may create it). SQLite has an empty index of the
  same name, as the models make it.
- competition_entry_count: how many entries each competition has by category and status, kept
  by triggers on entry (the same as portal/entries/models.py COUNTING_TRIGGERS), filled here
  from the entries. The triggers are made before the table is filled, in the same transaction:
  their lock on entry holds back any write until the counts are committed.

On SQLite, a later migration that rebuilds the entry table (batch "move and copy") drops the
triggers with the old table: it must make them again.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7c9e1b3d5f7"
down_revision = "e3f5a7b9c1d2"
branch_labels = None
depends_on = None

LIST_SORT_COLUMNS = {
    "submitted": "submitted_at",
    "title": "title",
    "reference": "reference",
    "capital": "capital_needed",
}
NOT_DRAFT = "status <> 'draft'"


def list_indexes():
    """(name, columns, without drafts) of each index of the list, as portal/entries/models.py."""
    for name, column in LIST_SORT_COLUMNS.items():
        yield f"ix_entry_list_{name}", ["competition_id", column, "id"], True
        yield f"ix_entry_list_status_{name}", ["competition_id", "status", column, "id"], False
        yield (
            f"ix_entry_list_category_{name}",
            ["competition_id", "category_id", column, "id"],
            True,
        )
        yield (
            f"ix_entry_list_category_status_{name}",
            ["competition_id", "category_id", "status", column, "id"],
            False,
        )


COUNTING_TRIGGERS = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION entry_count_add(
            competition integer, category integer, entry_status varchar, delta integer
        ) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO competition_entry_count AS counted
                (competition_id, category_id, status, count)
            VALUES (competition, category, entry_status, delta)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = counted.count + EXCLUDED.count;
            IF delta < 0 THEN
                DELETE FROM competition_entry_count AS counted
                WHERE counted.competition_id = competition AND counted.category_id = category
                    AND counted.status = entry_status AND counted.count = 0;
            END IF;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION entry_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
            ELSIF (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status)
                < (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status) THEN
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
            ELSE
                PERFORM entry_count_add(
                    NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1);
                PERFORM entry_count_add(
                    OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER entry_count_insert_delete AFTER INSERT OR DELETE ON entry
        FOR EACH ROW EXECUTE FUNCTION entry_count_trigger()
        """,
        """
        CREATE TRIGGER entry_count_update
        AFTER UPDATE OF competition_id, category_id, status ON entry
        FOR EACH ROW WHEN (
            OLD.competition_id IS DISTINCT FROM NEW.competition_id
            OR OLD.category_id IS DISTINCT FROM NEW.category_id
            OR OLD.status IS DISTINCT FROM NEW.status
        ) EXECUTE FUNCTION entry_count_trigger()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER entry_count_insert AFTER INSERT ON entry BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
        END
        """,
        """
        CREATE TRIGGER entry_count_delete AFTER DELETE ON entry BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
            DELETE FROM competition_entry_count
            WHERE competition_id = OLD.competition_id
                AND category_id = coalesce(OLD.category_id, 0)
                AND status = OLD.status AND count = 0;
        END
        """,
        """
        CREATE TRIGGER entry_count_update
        AFTER UPDATE OF competition_id, category_id, status ON entry
        WHEN OLD.competition_id IS NOT NEW.competition_id
            OR OLD.category_id IS NOT NEW.category_id
            OR OLD.status IS NOT NEW.status
        BEGIN
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (OLD.competition_id, coalesce(OLD.category_id, 0), OLD.status, -1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
            DELETE FROM competition_entry_count
            WHERE competition_id = OLD.competition_id
                AND category_id = coalesce(OLD.category_id, 0)
                AND status = OLD.status AND count = 0;
            INSERT INTO competition_entry_count (competition_id, category_id, status, count)
            VALUES (NEW.competition_id, coalesce(NEW.category_id, 0), NEW.status, 1)
            ON CONFLICT (competition_id, category_id, status)
            DO UPDATE SET count = count + excluded.count;
        END
        """,
    ],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_entry_competition_status", table_name="entry")
    op.drop_index("ix_entry_competition_category", table_name="entry")
    for name, columns, without_drafts in list_indexes():
        where = sa.text(NOT_DRAFT) if without_drafts else None
        op.create_index(
            name, "entry", columns, unique=False, postgresql_where=where, sqlite_where=where
        )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # The operator class named with the extension's schema: it is found wherever the
        # extension lives, whatever the search path (the migration tests run in a schema of
        # their own).
        schema = op.get_bind().scalar(
            sa.text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension"
                " WHERE extname = 'pg_trgm'"
            )
        )
        op.execute(
            f"CREATE INDEX ix_entry_search_text_trgm ON entry USING gin"
            f" (search_text {schema}.gin_trgm_ops)"
        )
    else:
        op.create_index(
            "ix_entry_search_text_trgm",
            "entry",
            ["search_text"],
            unique=False,
            sqlite_where=sa.text("0"),
        )

    op.create_table(
        "competition_entry_count",
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "eligible",
                "ineligible",
                "in_judging",
                "advanced",
                "not_advanced",
                "awarded",
                "withdrawn",
                name="entrystatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competition.id"],
            name=op.f("fk_competition_entry_count_competition_id_competition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "competition_id", "category_id", "status", name=op.f("pk_competition_entry_count")
        ),
    )
    for statement in COUNTING_TRIGGERS.get(dialect, []):
        op.execute(statement)
    # Every entry has its competition (a foreign key); joined all the same, so that rows
    # written with the keys unchecked (a test's partial copy) cannot stop the migration.
    op.execute(
        "INSERT INTO competition_entry_count (competition_id, category_id, status, count)"
        " SELECT entry.competition_id, coalesce(entry.category_id, 0), entry.status, count(*)"
        " FROM entry JOIN competition ON competition.id = entry.competition_id"
        " GROUP BY entry.competition_id, coalesce(entry.category_id, 0), entry.status"
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS entry_count_update ON entry")
        op.execute("DROP TRIGGER IF EXISTS entry_count_insert_delete ON entry")
        op.execute("DROP FUNCTION IF EXISTS entry_count_trigger()")
        op.execute("DROP FUNCTION IF EXISTS entry_count_add(integer, integer, varchar, integer)")
    else:
        for name in ("entry_count_update", "entry_count_delete", "entry_count_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("competition_entry_count")
    # The extension stays: other objects of the database may use it.
    op.drop_index("ix_entry_search_text_trgm", table_name="entry")
    for name, _columns, _without_drafts in list_indexes():
        op.drop_index(name, table_name="entry")
    op.create_index(
        "ix_entry_competition_category", "entry", ["competition_id", "category_id"], unique=False
    )
    op.create_index(
        "ix_entry_competition_status", "entry", ["competition_id", "status"], unique=False
    )
