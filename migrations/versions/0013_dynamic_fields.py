"""OTOBO's dynamic-field tables: ``dynamic_field``, ``dynamic_field_value`` and
``dynamic_field_obj_id_name`` (issue 16; reference ``otobo-dynamic-fields-tickets.md`` §2.1).

Columns, types and index names as ``otobo-schema.xml`` (rel-11_0) declares them, so OTOBO reads
what Roster writes. Each table is created only when it is missing: on an OTOBO database they
exist and are adopted as they are (no column of OTOBO's is altered). The value rows of a
customer user's fields name the user through ``dynamic_field_obj_id_name`` (object type
``CustomerUser``, object name the login), as OTOBO's ``UseObjectName`` object types do.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from datasources.db.dialect import otobo_table_options

# OTOBO's installer makes VARCHAR(3800) a TEXT and the YAML config a LONGBLOB on MySQL.
VALUE_TEXT_TYPE = sa.String(3800).with_variant(mysql.TEXT(), "mysql", "mariadb")
CONFIG_TYPE = sa.Text().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    options = otobo_table_options(op.get_bind())
    if "dynamic_field" not in existing:
        op.create_table(
            "dynamic_field",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("internal_field", sa.SmallInteger(), nullable=False, server_default="0"),
            sa.Column("name", sa.String(191), nullable=False, unique=True),
            sa.Column("label", sa.String(200), nullable=False),
            sa.Column("field_order", sa.Integer(), nullable=False),
            sa.Column("field_type", sa.String(200), nullable=False),
            sa.Column("object_type", sa.String(100), nullable=False),
            sa.Column("config", CONFIG_TYPE),
            sa.Column("valid_id", sa.SmallInteger(), nullable=False),
            sa.Column("create_time", sa.DateTime(), nullable=False),
            sa.Column("create_by", sa.Integer(), nullable=False),
            sa.Column("change_time", sa.DateTime(), nullable=False),
            sa.Column("change_by", sa.Integer(), nullable=False),
            **options,
        )
        _seed_internal_fields()
    if "dynamic_field_value" not in existing:
        op.create_table(
            "dynamic_field_value",
            # SQLite numbers only an INTEGER primary key by itself.
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
            sa.Column("field_id", sa.Integer(), nullable=False),
            sa.Column("object_id", sa.BigInteger(), nullable=False),
            sa.Column("value_text", VALUE_TEXT_TYPE),
            sa.Column("value_date", sa.DateTime()),
            sa.Column("value_int", sa.BigInteger()),
            sa.Column("index_value", sa.SmallInteger()),
            sa.Column("index_set", sa.SmallInteger()),
            **options,
        )
        op.create_index(
            "dynamic_field_value_field_values", "dynamic_field_value", ["object_id", "field_id"]
        )
        op.create_index(
            "dynamic_field_value_search_date", "dynamic_field_value", ["field_id", "value_date"]
        )
        op.create_index(
            "dynamic_field_value_search_int", "dynamic_field_value", ["field_id", "value_int"]
        )
        op.create_index(
            "dynamic_field_value_search_text",
            "dynamic_field_value",
            ["field_id", "value_text"],
            mysql_length={"value_text": 150},
            mariadb_length={"value_text": 150},
        )
    if "dynamic_field_obj_id_name" not in existing:
        op.create_table(
            "dynamic_field_obj_id_name",
            sa.Column("object_id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("object_name", sa.String(191), nullable=False),
            sa.Column("object_type", sa.String(100), nullable=False),
            sa.UniqueConstraint(
                "object_name", "object_type", name="dynamic_field_object_name"
            ),
            **options,
        )


def _seed_internal_fields() -> None:
    """OTOBO's seed rows (``otobo-initial_insert.xml``): the process-management fields."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    table = sa.table(
        "dynamic_field",
        *(
            sa.column(name)
            for name in (
                "internal_field", "name", "label", "field_order", "field_type", "object_type",
                "config", "valid_id", "create_time", "create_by", "change_time", "change_by",
            )
        ),
    )
    common = {
        "internal_field": 1,
        "field_order": 1,
        "object_type": "Ticket",
        "config": "---\nDefaultValue: ''\n",
        "valid_id": 1,
        "create_time": now,
        "create_by": 1,
        "change_time": now,
        "change_by": 1,
    }
    op.bulk_insert(
        table,
        [
            {**common, "name": "ProcessManagementProcessID", "label": "Process",
             "field_type": "ProcessID"},
            {**common, "name": "ProcessManagementActivityID", "label": "Activity",
             "field_type": "ActivityID"},
        ],
    )


def downgrade() -> None:
    for name in ("dynamic_field_obj_id_name", "dynamic_field_value", "dynamic_field"):
        op.drop_table(name)
