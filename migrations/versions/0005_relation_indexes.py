"""Case-insensitive lookups on the relation tables.

Roster matches logins and customer IDs in ``customer_user_customer``, ``group_customer_user``
and ``group_customer`` as OTOBO's lookups do, with ``lower()``; OTOBO's plain indexes cannot
serve that, so every page of users with their customers or permissions scanned those tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import is_mysql
from migrations.roster_indexes import adding_indexes, drop_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("roster_customer_user_customer_user_lower", "customer_user_customer", "user_id"),
    ("roster_customer_user_customer_customer_lower", "customer_user_customer", "customer_id"),
    ("roster_group_customer_user_user_lower", "group_customer_user", "user_id"),
    ("roster_group_customer_customer_lower", "group_customer", "customer_id"),
)


def upgrade() -> None:
    if not adding_indexes() or is_mysql(op.get_bind().dialect):
        return  # MariaDB/MySQL: no expression indexes; the columns' collation serves (0001)
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"lower({column})")])


def downgrade() -> None:
    if is_mysql(op.get_bind().dialect):
        return
    for name, table, _column in INDEXES:
        drop_index(name, table)
