"""Case-insensitive lookups on the service tables.

Service rows are found by login as OTOBO finds customer users, ``lower(login) = lower(?)``,
and services by name case-insensitively; OTOBO's own indexes are on the plain columns, which
such lookups cannot use. (Not unique: an adopted OTOBO database on PostgreSQL may hold two
services whose names differ only in case.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = (
    ("roster_service_customer_user_login_lower", "service_customer_user", "customer_user_login"),
    ("roster_service_name_lower", "service", "name"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"lower({column})")])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
