"""Trigram indexes for OTOBO's default substring search (``*term*``) on PostgreSQL.

A substring ``LIKE '%smi%'`` cannot use a B-tree; ``pg_trgm`` GIN indexes on the lower-cased
search columns make it an index lookup. SQLite (the embedded default) gets nothing here.

``customer_company.customer_id`` gets none on purpose: PostgreSQL then costs a trigram scan
below the unique B-tree for ``lower(customer_id) = ANY(...)`` batch lookups and takes it
(1.6 s instead of 2 ms for 1,000 IDs), and 2,000 companies are searched fast without it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from migrations.roster_indexes import adding_indexes, drop_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = (
    ("roster_customer_user_login_trgm", "customer_user", "login"),
    ("roster_customer_user_first_name_trgm", "customer_user", "first_name"),
    ("roster_customer_user_last_name_trgm", "customer_user", "last_name"),
    ("roster_customer_user_customer_id_trgm", "customer_user", "customer_id"),
    ("roster_customer_user_email_trgm", "customer_user", "email"),
    ("roster_customer_company_name_trgm", "customer_company", "name"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not adding_indexes():
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lower({column}) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _column in TRIGRAM_INDEXES:
        drop_index(name, table)
