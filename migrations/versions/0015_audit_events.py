"""``roster_audit_event`` and ``roster_audit_position``: the audit trail and the changes feed
(issue 18).

Every write appends one event per object it changed in its own transaction
(``datasources.db.audit_events``). An event's id is its position in commit order: the one row
of ``roster_audit_position`` is locked and advanced just before the commit, so positions are
handed out in the order the transactions commit, and a reader that has seen position N has
seen everything before it (the changes feed's cursor).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from alembic import op

from datasources.db.dialect import roster_table_options

CHANGES_TYPE = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
"""MariaDB's TEXT holds 64 KB; an assignment of 10,000 rows writes more."""

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options = roster_table_options(op.get_bind())
    op.create_table(
        "roster_audit_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=False),
        sa.Column("actor_key_name", sa.String(100), nullable=False),
        sa.Column("actor_session_id", sa.Integer()),
        sa.Column("actor_login", sa.String(191)),
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("object_key", sa.String(191), nullable=False),
        sa.Column("object_name", sa.String(250), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("changes", CHANGES_TYPE, nullable=False),
        **options,
    )
    op.create_index(
        "roster_audit_event_object", "roster_audit_event", ["object_type", "object_key", "id"]
    )
    op.create_index("roster_audit_event_actor", "roster_audit_event", ["actor_key_name", "id"])
    op.create_index("roster_audit_event_occurred_at", "roster_audit_event", ["occurred_at"])
    position = op.create_table(
        "roster_audit_position",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        **options,
    )
    op.bulk_insert(position, [{"id": 1, "last_position": 0, "pruned_through": 0}])


def downgrade() -> None:
    op.drop_table("roster_audit_position")
    op.drop_table("roster_audit_event")
