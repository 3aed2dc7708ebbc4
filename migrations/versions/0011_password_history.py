"""``roster_password_history``: salted hashes of customer users' last passwords.

OTOBO keeps a password history as unsalted MD5 values in ``customer_preferences``
(``UserLastPw``, ``UserLastPw1`` …); Roster keeps its own, salted (``domain.password_policy``),
one row per password set, the newest ``[passwords] history + 1`` per login.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import roster_table_options

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_password_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(191), nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        **roster_table_options(op.get_bind()),  # MariaDB/MySQL: logins compared exactly
    )
    op.create_index("roster_password_history_login", "roster_password_history", ["login"])


def downgrade() -> None:
    op.drop_index("roster_password_history_login", table_name="roster_password_history")
    op.drop_table("roster_password_history")
