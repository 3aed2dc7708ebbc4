"""OTOBO's customer tables and Roster's API keys.

Each OTOBO table is created only when it is missing, so ``roster db upgrade`` can adopt an
existing OTOBO database: it then adds only Roster's own ``roster_*`` tables and indexes.
With ``roster db upgrade --no-indexes`` it adds no ``roster_*`` index to OTOBO's tables
(``migrations/roster_indexes.py``).

On MariaDB/MySQL the tables are utf8mb4 with a case-insensitive, accent-sensitive collation
(``datasources.db.dialect.otobo_table_options``), so OTOBO's own unique indexes keep logins,
customer IDs and names unique case-insensitively; the ``lower()`` expression indexes, which
MariaDB cannot build, are PostgreSQL's and SQLite's way to the same end.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import is_mysql, otobo_table_options, roster_table_options
from migrations.roster_indexes import adding_indexes, drop_index

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _audit() -> list[sa.Column]:
    return [
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        sa.Column("change_time", sa.DateTime(), nullable=False),
        sa.Column("change_by", sa.Integer(), nullable=False),
    ]


def _create(name: str, *columns: sa.Column, existing: set[str]) -> bool:
    if name in existing:
        return False
    op.create_table(name, *columns, **otobo_table_options(op.get_bind()))
    return True


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if _create(
        "valid",
        sa.Column("id", sa.SmallInteger(), primary_key=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        *_audit(),
        existing=existing,
    ):
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        valid = sa.table(
            "valid",
            sa.column("id"),
            sa.column("name"),
            sa.column("create_time"),
            sa.column("create_by"),
            sa.column("change_time"),
            sa.column("change_by"),
        )
        op.bulk_insert(
            valid,
            [
                {"id": i, "name": n, "create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
                for i, n in ((1, "valid"), (2, "invalid"), (3, "invalid-temporarily"))
            ],
        )
    if _create(
        "customer_user",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(191), nullable=False),
        sa.Column("email", sa.String(150), nullable=False),
        sa.Column("customer_id", sa.String(150), nullable=False),
        sa.Column("pw", sa.String(128)),
        sa.Column("title", sa.String(50)),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(150)),
        sa.Column("fax", sa.String(150)),
        sa.Column("mobile", sa.String(150)),
        sa.Column("street", sa.String(150)),
        sa.Column("zip", sa.String(200)),
        sa.Column("city", sa.String(200)),
        sa.Column("country", sa.String(200)),
        sa.Column("comments", sa.String(250)),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        *_audit(),
        existing=existing,
    ):
        op.create_index("customer_user_login", "customer_user", ["login"], unique=True)
    if _create(
        "customer_company",
        sa.Column("customer_id", sa.String(150), primary_key=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        sa.Column("street", sa.String(200)),
        sa.Column("zip", sa.String(200)),
        sa.Column("city", sa.String(200)),
        sa.Column("country", sa.String(200)),
        sa.Column("url", sa.String(200)),
        sa.Column("comments", sa.String(250)),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        *_audit(),
        existing=existing,
    ):
        pass
    if _create(
        "customer_user_customer",
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(150), nullable=False),
        *_audit(),
        existing=existing,
    ):
        op.create_index("customer_user_customer_user_id", "customer_user_customer", ["user_id"])
        op.create_index("customer_user_customer_customer_id", "customer_user_customer", ["customer_id"])
    if _create(
        "customer_preferences",
        sa.Column("user_id", sa.String(191), nullable=False),
        sa.Column("preferences_key", sa.String(150), nullable=False),
        sa.Column("preferences_value", sa.String(250)),
        existing=existing,
    ):
        op.create_index("customer_preferences_user_id", "customer_preferences", ["user_id"])
    if _create(
        "groups_table",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        sa.Column("comments", sa.String(250)),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        *_audit(),
        existing=existing,
    ):
        pass
    if _create(
        "group_customer_user",
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("permission_key", sa.String(20), nullable=False),
        sa.Column("permission_value", sa.SmallInteger(), nullable=False),
        *_audit(),
        existing=existing,
    ):
        op.create_index("group_customer_user_user_id", "group_customer_user", ["user_id"])
        op.create_index("group_customer_user_group_id", "group_customer_user", ["group_id"])
    if _create(
        "group_customer",
        sa.Column("customer_id", sa.String(150), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("permission_key", sa.String(20), nullable=False),
        sa.Column("permission_value", sa.SmallInteger(), nullable=False),
        sa.Column("permission_context", sa.String(100), nullable=False),
        *_audit(),
        existing=existing,
    ):
        op.create_index("group_customer_customer_id", "group_customer", ["customer_id"])
        op.create_index("group_customer_group_id", "group_customer", ["group_id"])
    if _create(
        "service",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        sa.Column("comments", sa.String(250)),
        *_audit(),
        existing=existing,
    ):
        pass
    if _create(
        "service_customer_user",
        sa.Column("customer_user_login", sa.String(191), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        existing=existing,
    ):
        op.create_index("service_customer_user_customer_user_login", "service_customer_user", ["customer_user_login"])
        op.create_index("service_customer_user_service_id", "service_customer_user", ["service_id"])

    op.create_table(
        "roster_api_key",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("revoke_time", sa.DateTime()),
        **roster_table_options(op.get_bind()),
    )
    if adding_indexes() and not is_mysql(op.get_bind().dialect):
        # MariaDB/MySQL: the collation does what these indexes do (see the module docstring).
        _create_roster_indexes()


def _create_roster_indexes() -> None:
    # Case-insensitive lookups (OTOBO's LOWER(login) = LOWER(?)) need expression indexes;
    # the login one is unique so two concurrent creates of "Ann" and "ann" cannot both win.
    op.create_index(
        "roster_customer_user_login_lower", "customer_user", [sa.text("lower(login)")], unique=True
    )
    op.create_index("roster_customer_user_email_lower", "customer_user", [sa.text("lower(email)")])
    op.create_index(
        "roster_customer_user_customer_id_lower", "customer_user", [sa.text("lower(customer_id)")]
    )
    op.create_index(
        "roster_customer_company_customer_id_lower",
        "customer_company",
        [sa.text("lower(customer_id)")],
        unique=True,
    )
    op.create_index(
        "roster_customer_company_name_lower", "customer_company", [sa.text("lower(name)")]
    )
    if op.get_bind().dialect.name == "postgresql":
        # Lists are ordered by code point (COLLATE "C", as SQLite's BINARY), whatever the
        # database's collation, so keyset pages from several backends merge consistently.
        op.create_index(
            "roster_customer_user_login_c", "customer_user", [sa.text('login COLLATE "C"')]
        )
        op.create_index(
            "roster_customer_company_customer_id_c",
            "customer_company",
            [sa.text('customer_id COLLATE "C"')],
        )


def downgrade() -> None:
    if is_mysql(op.get_bind().dialect):
        op.drop_table("roster_api_key")
        return
    if op.get_bind().dialect.name == "postgresql":
        drop_index("roster_customer_company_customer_id_c", "customer_company")
        drop_index("roster_customer_user_login_c", "customer_user")
    for index, table in (
        ("roster_customer_company_name_lower", "customer_company"),
        ("roster_customer_company_customer_id_lower", "customer_company"),
        ("roster_customer_user_customer_id_lower", "customer_user"),
        ("roster_customer_user_email_lower", "customer_user"),
        ("roster_customer_user_login_lower", "customer_user"),
    ):
        drop_index(index, table)
    op.drop_table("roster_api_key")
