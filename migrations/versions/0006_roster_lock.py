"""``roster_lock`` and ``roster_commit``: MariaDB/MySQL's stand-ins for PostgreSQL's advisory
locks and ``txid_status``.

PostgreSQL has transaction-scoped advisory locks (``pg_advisory_xact_lock``), which Roster takes
around a check and the write that depends on it (an e-mail address still free, a set of
assignments being replaced, the service catalog). MariaDB and MySQL have none that end with the
transaction (``GET_LOCK`` belongs to the session), so there a lock is ``SELECT … FOR UPDATE`` of
one of these rows (``datasources.db.dialect.xact_lock``).

A commit whose answer was lost (the connection dropped during COMMIT) is looked up on
PostgreSQL with ``txid_status``. MariaDB/MySQL have nothing like it; there each write
transaction records a token in its connection's row of ``roster_commit``, which a new connection
then reads (``datasources.db.commit_marks.write_commit_mark``).

The tables exist everywhere, so every database has the same tables; their rows are written on
MariaDB/MySQL only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import LOCK_SLOTS, is_mysql, roster_table_options

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "roster_lock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        **roster_table_options(op.get_bind()),
    )
    if is_mysql(op.get_bind().dialect):
        op.bulk_insert(table, [{"id": slot} for slot in range(1, LOCK_SLOTS + 1)])
    op.create_table(
        "roster_commit",
        sa.Column("connection_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        **roster_table_options(op.get_bind()),
    )
    op.create_index("roster_commit_written_at", "roster_commit", ["written_at"])


def downgrade() -> None:
    op.drop_table("roster_commit")
    op.drop_table("roster_lock")
