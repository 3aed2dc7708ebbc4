"""``roster_customer_session``: customer session tokens (issue 14, ``me``).

Only a SHA-256 of each token is stored, with the login it acts as, the API key that signed the
user in, and when it was started, expires, was last used and was revoked. Revoking all of a
user's sessions finds them by login (``roster_customer_session_login``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import roster_table_options

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_customer_session",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("login", sa.String(191), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("expire_time", sa.DateTime(), nullable=False),
        sa.Column("last_used_time", sa.DateTime(), nullable=False),
        sa.Column("revoke_time", sa.DateTime()),
        **roster_table_options(op.get_bind()),
    )
    op.create_index("roster_customer_session_login", "roster_customer_session", ["login"])


def downgrade() -> None:
    op.drop_table("roster_customer_session")
