"""``roster_api_key.scope`` wide enough for the ``authenticate`` scope (sign-in only).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roster_api_key") as batch:
        batch.alter_column(
            "scope", existing_type=sa.String(10), type_=sa.String(20), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("roster_api_key") as batch:
        batch.alter_column(
            "scope", existing_type=sa.String(20), type_=sa.String(10), existing_nullable=False
        )
