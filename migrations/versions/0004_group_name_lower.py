"""Group names unique case-insensitively, as ``groupCreate`` promises.

Without it two concurrent creates of ``Support`` and ``support`` both pass the check and both
insert (OTOBO's own index is case-sensitive).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import is_mysql
from migrations.roster_indexes import adding_indexes, drop_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not adding_indexes() or is_mysql(op.get_bind().dialect):
        return  # MariaDB/MySQL: no expression indexes; the columns' collation serves (0001)
    op.create_index(
        "roster_groups_table_name_lower", "groups_table", [sa.text("lower(name)")], unique=True
    )


def downgrade() -> None:
    if is_mysql(op.get_bind().dialect):
        return
    drop_index("roster_groups_table_name_lower", "groups_table")
