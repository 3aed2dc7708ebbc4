"""OTOBO's ticket tables: ``queue``, ``ticket`` and its lookup tables.

In OTOBO's layout (``scripts/database/otobo-schema.xml``, rel-11_0) with OTOBO's seed rows
(``otobo-initial_insert.xml``: state types, states, priorities, the ticket type, lock
types). ``ticket_history`` waits for the first ticket write (issue 16's ticketSetCustomer).

Each table is created only when it is missing, so on an OTOBO database this adopts OTOBO's
tables as they are and adds only Roster's two ``roster_ticket_*_lower`` indexes (not with
``--no-indexes``, not on MariaDB/MySQL, where OTOBO's collation compares case-insensitively
already).

OTOBO's four default queues are not seeded: they belong to the group ``users`` (id 1), which a
Roster-only database does not have; queues are an admin's data (the demo data adds some).
Foreign keys to tables Roster does not create (``system_address``, ``sla``, ``salutation`` …) are
left out, as 0001 leaves out OTOBO's foreign keys.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import is_mysql, otobo_table_options
from migrations.roster_indexes import adding_indexes, drop_index

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STATE_TYPES = ["new", "open", "closed", "pending reminder", "pending auto", "removed", "merged"]
STATES = [
    ("new", 1),
    ("closed successful", 3),
    ("closed unsuccessful", 3),
    ("open", 2),
    ("removed", 6),
    ("pending reminder", 4),
    ("pending auto close+", 5),
    ("pending auto close-", 5),
    ("merged", 7),
]
PRIORITIES = ["1 very low", "2 low", "3 normal", "4 high", "5 very high"]
TYPES = ["Unclassified"]
LOCK_TYPES = ["unlock", "lock", "tmp_lock"]
TICKET_INDEXES = {
    "ticket_title": ["title"],
    "ticket_customer_user_id": ["customer_user_id"],
    "ticket_customer_id": ["customer_id"],
    "ticket_queue_id": ["queue_id"],
    "ticket_ticket_lock_id": ["ticket_lock_id"],
    "ticket_queue_view": ["ticket_state_id", "ticket_lock_id"],
    "ticket_type_id": ["type_id"],
    "ticket_user_id": ["user_id"],
    "ticket_responsible_user_id": ["responsible_user_id"],
    "ticket_ticket_state_id": ["ticket_state_id"],
    "ticket_ticket_priority_id": ["ticket_priority_id"],
    "ticket_escalation_time": ["escalation_time"],
    "ticket_escalation_update_time": ["escalation_update_time"],
    "ticket_escalation_response_time": ["escalation_response_time"],
    "ticket_escalation_solution_time": ["escalation_solution_time"],
    "ticket_create_time": ["create_time"],
    "ticket_until_time": ["until_time"],
    "ticket_timeout": ["timeout"],
    "ticket_archive_flag": ["archive_flag"],
}
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""OTOBO's BIGINT ids; INTEGER on SQLite, where only an INTEGER primary key autoincrements."""

ROSTER_INDEXES = {
    "roster_ticket_customer_user_id_lower": "lower(customer_user_id)",
    "roster_ticket_customer_id_lower": "lower(customer_id)",
}


def _audit() -> list[sa.Column]:
    return [
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        sa.Column("change_time", sa.DateTime(), nullable=False),
        sa.Column("change_by", sa.Integer(), nullable=False),
    ]


def _lookup_columns(*extra: sa.Column, valid_id: bool = True) -> list[sa.Column]:
    valid = [sa.Column("valid_id", sa.SmallInteger(), nullable=False)] if valid_id else []
    return [
        sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        *extra,
        *valid,
        *_audit(),
    ]


def _create(name: str, columns: list[sa.Column], existing: set[str]) -> bool:
    if name in existing:
        return False
    op.create_table(name, *columns, **otobo_table_options(op.get_bind()))
    return True


def _seed(name: str, rows: list[dict[str, object]]) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    keys = [*rows[0], *audit]
    op.bulk_insert(sa.table(name, *(sa.column(k) for k in keys)), [{**r, **audit} for r in rows])


def _named(names: list[str], *, valid: bool = True) -> list[dict[str, object]]:
    return [
        {"id": i, "name": n, **({"valid_id": 1} if valid else {})} for i, n in enumerate(names, 1)
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    comments = sa.Column("comments", sa.String(250))
    if _create("ticket_state_type", _lookup_columns(comments, valid_id=False), existing):
        _seed("ticket_state_type", _named(STATE_TYPES, valid=False))
    state_columns = _lookup_columns(
        sa.Column("comments", sa.String(250)),
        sa.Column("type_id", sa.SmallInteger(), nullable=False),
    )
    if _create("ticket_state", state_columns, existing):
        _seed(
            "ticket_state",
            [
                {"id": i, "name": n, "type_id": t, "valid_id": 1}
                for i, (n, t) in enumerate(STATES, 1)
            ],
        )
    if _create("ticket_priority", _lookup_columns(), existing):
        _seed("ticket_priority", _named(PRIORITIES))
    if _create("ticket_type", _lookup_columns(), existing):
        _seed("ticket_type", _named(TYPES))
    if _create("ticket_lock_type", _lookup_columns(), existing):
        _seed("ticket_lock_type", _named(LOCK_TYPES))
    if _create("queue", _queue_columns(), existing):
        op.create_index("queue_group_id", "queue", ["group_id"])
    if _create("ticket", _ticket_columns(), existing):
        for name, columns in TICKET_INDEXES.items():
            op.create_index(name, "ticket", columns)
    if adding_indexes() and not is_mysql(op.get_bind().dialect):
        for name, expression in ROSTER_INDEXES.items():
            op.create_index(name, "ticket", [sa.text(expression)])


def _queue_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(191), nullable=False, unique=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("unlock_timeout", sa.Integer()),
        sa.Column("first_response_time", sa.Integer()),
        sa.Column("first_response_notify", sa.SmallInteger()),
        sa.Column("update_time", sa.Integer()),
        sa.Column("update_notify", sa.SmallInteger()),
        sa.Column("solution_time", sa.Integer()),
        sa.Column("solution_notify", sa.SmallInteger()),
        sa.Column("system_address_id", sa.SmallInteger(), nullable=False),
        sa.Column("calendar_name", sa.String(100)),
        sa.Column("default_sign_key", sa.String(100)),
        sa.Column("salutation_id", sa.SmallInteger(), nullable=False),
        sa.Column("signature_id", sa.SmallInteger(), nullable=False),
        sa.Column("follow_up_id", sa.SmallInteger(), nullable=False),
        sa.Column("follow_up_lock", sa.SmallInteger(), nullable=False),
        sa.Column("comments", sa.String(250)),
        sa.Column("valid_id", sa.SmallInteger(), nullable=False),
        *_audit(),
    ]


def _ticket_columns() -> list[sa.Column]:
    return [
        sa.Column("id", BIGINT_ID, primary_key=True, autoincrement=True),
        sa.Column("tn", sa.String(50), nullable=False, unique=True),
        sa.Column("title", sa.String(191)),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("ticket_lock_id", sa.SmallInteger(), nullable=False),
        sa.Column("type_id", sa.SmallInteger()),
        sa.Column("service_id", sa.Integer()),
        sa.Column("sla_id", sa.Integer()),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("responsible_user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_priority_id", sa.SmallInteger(), nullable=False),
        sa.Column("ticket_state_id", sa.SmallInteger(), nullable=False),
        sa.Column("customer_id", sa.String(150)),
        sa.Column("customer_user_id", sa.String(191)),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("until_time", sa.Integer(), nullable=False),
        sa.Column("escalation_time", sa.Integer(), nullable=False),
        sa.Column("escalation_update_time", sa.Integer(), nullable=False),
        sa.Column("escalation_response_time", sa.Integer(), nullable=False),
        sa.Column("escalation_solution_time", sa.Integer(), nullable=False),
        sa.Column("archive_flag", sa.SmallInteger(), nullable=False, server_default="0"),
        *_audit(),
    ]


def downgrade() -> None:
    """Only Roster's indexes: OTOBO's ticket tables may hold OTOBO's tickets."""
    if not is_mysql(op.get_bind().dialect):
        for name in ROSTER_INDEXES:
            drop_index(name, "ticket")
