"""Indexes for the service lookups.

Service rows are found by login as OTOBO finds customer users, ``lower(login) = lower(?)``,
and services by name case-insensitively; OTOBO's own indexes are on the plain columns, which
such lookups cannot use. (Not unique: an adopted OTOBO database on PostgreSQL may hold two
services whose names differ only in case.) Whether a service sits below an invalid one is
asked of the invalid services only, which a partial index keeps at hand however large the
catalog is.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import is_mysql
from migrations.roster_indexes import adding_indexes, drop_index

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = (
    ("roster_service_customer_user_login_lower", "service_customer_user", "customer_user_login"),
    ("roster_service_name_lower", "service", "name"),
)


INVALID_SERVICES = "roster_service_invalid_name"
VALIDITY_AND_NAME = "roster_service_valid_name"
"""MariaDB/MySQL, which have no partial index: the invalid services are a range of it."""


def upgrade() -> None:
    if not adding_indexes():
        return
    if is_mysql(op.get_bind().dialect):
        # No expression indexes there; the columns' collation serves (see 0001).
        op.create_index(VALIDITY_AND_NAME, "service", ["valid_id", "name"])
        return
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"lower({column})")])
    invalid = sa.text("valid_id <> 1")
    op.create_index(
        INVALID_SERVICES, "service", ["name"], postgresql_where=invalid, sqlite_where=invalid
    )


def downgrade() -> None:
    if is_mysql(op.get_bind().dialect):
        drop_index(VALIDITY_AND_NAME, "service")
        return
    drop_index(INVALID_SERVICES, "service")
    for name, table, _column in INDEXES:
        drop_index(name, table)
