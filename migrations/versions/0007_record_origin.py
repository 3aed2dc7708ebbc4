"""OTOBO's agents table, and Roster's record of which API key wrote what.

``create_by``/``change_by`` hold OTOBO agent ids (``users.id``). Roster now writes its
configured agent there (``[database] agent_id``) and keeps the acting API key in
``roster_record_origin``. ``users`` is created, in OTOBO's layout with OTOBO's admin
``root@localhost`` as agent 1, only when it is missing (a Roster-only database), as 0001 does
for OTOBO's other tables; an OTOBO database keeps its own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import otobo_table_options, roster_table_options

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LOCKED_PASSWORD = "!"
"""OTOBO seeds ``root@localhost`` with the crypt of ``root``; a Roster-only database gets a
value no password hashes to, so no one can log in as the admin with a known password if OTOBO
ever runs on it (OTOBO's admin sets one with ``otobo.Console.pl Admin::User::SetPassword``)."""


def _audit() -> list[sa.Column]:
    return [
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        sa.Column("change_time", sa.DateTime(), nullable=False),
        sa.Column("change_by", sa.Integer(), nullable=False),
    ]


def _create_users() -> None:
    """OTOBO's ``users`` (``otobo-schema.xml``) and its seed row (``otobo-initial_insert.xml``)."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(191), nullable=False),
        sa.Column("pw", sa.String(128), nullable=False),
        sa.Column("title", sa.String(50)),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        *_audit(),
        sa.UniqueConstraint("login", name="users_login"),
        **otobo_table_options(op.get_bind()),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    users = sa.table(
        "users",
        *(
            sa.column(name)
            for name in (
                "id", "login", "pw", "first_name", "last_name", "valid_id",
                "create_time", "create_by", "change_time", "change_by",
            )
        ),
    )
    op.bulk_insert(
        users,
        [
            {
                "id": 1,
                "login": "root@localhost",
                "pw": LOCKED_PASSWORD,
                "first_name": "-",
                "last_name": "-",
                "valid_id": 1,
                "create_time": now,
                "create_by": 1,
                "change_time": now,
                "change_by": 1,
            }
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # The seed named its id; the next agent OTOBO adds must get 2, not collide with 1.
        op.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 1)")


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("users"):
        _create_users()
    op.create_table(
        "roster_record_origin",
        sa.Column("object_type", sa.String(20), primary_key=True),
        sa.Column("object_key", sa.String(191), primary_key=True),
        sa.Column("created_key_id", sa.Integer()),
        sa.Column("changed_key_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        **roster_table_options(op.get_bind()),  # MariaDB/MySQL: keys compared exactly
    )


def downgrade() -> None:
    # ``users`` stays: it may be OTOBO's own, and OTOBO's rows name its agents.
    op.drop_table("roster_record_origin")
