"""``roster_sign_in_attempt``: the counters of customer sign-in limits (issue 14).

One row per counter: a login's failed sign-ins (``max_login_failed``, the lockout) or a
client's attempts (API key + address, the throttle), named by a SHA-256 of what it counts, so
no typed login or address is stored. Times are epoch seconds. Every server process shares the
rows; a row is deleted once ``expires_at`` has passed (by the writes themselves, no job).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import roster_table_options

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_sign_in_attempt",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.BigInteger()),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        **roster_table_options(op.get_bind()),
    )
    op.create_index("roster_sign_in_attempt_expires_at", "roster_sign_in_attempt", ["expires_at"])


def downgrade() -> None:
    op.drop_table("roster_sign_in_attempt")
