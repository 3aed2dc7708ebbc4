"""OTOBO's ``ticket_history`` and ``ticket_history_type``, for the first ticket write
(issue 16's ``ticketSetCustomer``, which writes a ``CustomerUpdate`` row as OTOBO's
``TicketCustomerSet`` does).

Columns, types and index names as ``otobo-schema.xml`` (rel-11_0) declares them, and OTOBO's
seed history types (``otobo-initial_insert.xml``, ids 1–54 in its order: ``CustomerUpdate`` is
21, ``TicketDynamicFieldUpdate`` 28), so OTOBO's ``HistoryTypeLookup`` finds what Roster
writes. Each table is created only when it is missing: on an OTOBO database both exist and are
adopted as they are. The OTOBO test fixture (``tests/otobo``) does not carry them: their
foreign key to ``article`` would pull in the article tables; the foreign keys are left out here,
as 0001 and 0012 leave out OTOBO's.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from datasources.db.dialect import otobo_table_options

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

HISTORY_TYPES = [
    "NewTicket", "FollowUp", "SendAutoReject", "SendAutoReply", "SendAutoFollowUp", "Forward",
    "Bounce", "SendAnswer", "SendAgentNotification", "SendCustomerNotification", "EmailAgent",
    "EmailCustomer", "PhoneCallAgent", "PhoneCallCustomer", "AddNote", "Move", "Lock", "Unlock",
    "Remove", "TimeAccounting", "CustomerUpdate", "PriorityUpdate", "OwnerUpdate",
    "LoopProtection", "Misc", "SetPendingTime", "StateUpdate", "TicketDynamicFieldUpdate",
    "WebRequestCustomer", "TicketLinkAdd", "TicketLinkDelete", "SystemRequest", "Merged",
    "ResponsibleUpdate", "Subscribe", "Unsubscribe", "TypeUpdate", "ServiceUpdate", "SLAUpdate",
    "ArchiveFlagUpdate", "EscalationSolutionTimeStop", "EscalationResponseTimeStart",
    "EscalationUpdateTimeStart", "EscalationSolutionTimeStart",
    "EscalationResponseTimeNotifyBefore", "EscalationUpdateTimeNotifyBefore",
    "EscalationSolutionTimeNotifyBefore", "EscalationResponseTimeStop",
    "EscalationUpdateTimeStop", "TitleUpdate", "EmailResend", "ArticleDynamicFieldUpdate",
    "ArticleEdit", "ArticleRestore", "ArticleDelete",
]  # fmt: skip
"""OTOBO's seed history types, in the order (and so with the ids) of its initial insert."""

HISTORY_INDEXES = {
    "ticket_history_ticket_id": ["ticket_id"],
    "ticket_history_article_id": ["article_id"],
    "ticket_history_history_type_id": ["history_type_id"],
    "ticket_history_queue_id": ["queue_id"],
    "ticket_history_type_id": ["type_id"],
    "ticket_history_owner_id": ["owner_id"],
    "ticket_history_priority_id": ["priority_id"],
    "ticket_history_state_id": ["state_id"],
    "ticket_history_create_time": ["create_time"],
}
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""OTOBO's BIGINT ids; INTEGER on SQLite, where only an INTEGER primary key autoincrements."""


def _audit() -> list[sa.Column]:
    return [
        sa.Column("create_time", sa.DateTime(), nullable=False),
        sa.Column("create_by", sa.Integer(), nullable=False),
        sa.Column("change_time", sa.DateTime(), nullable=False),
        sa.Column("change_by", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    options = otobo_table_options(op.get_bind())
    if "ticket_history_type" not in existing:
        op.create_table(
            "ticket_history_type",
            sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(191), nullable=False),
            sa.Column("comments", sa.String(250)),
            sa.Column("valid_id", sa.SmallInteger(), nullable=False),
            *_audit(),
            sa.UniqueConstraint("name", name="ticket_history_type_name"),
            **options,
        )
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
        columns = ("id", "name", "valid_id", *audit)
        op.bulk_insert(
            sa.table("ticket_history_type", *(sa.column(c) for c in columns)),
            [
                {"id": i, "name": name, "valid_id": 1, **audit}
                for i, name in enumerate(HISTORY_TYPES, 1)
            ],
        )
    if "ticket_history" not in existing:
        op.create_table(
            "ticket_history",
            sa.Column("id", BIGINT_ID, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("history_type_id", sa.SmallInteger(), nullable=False),
            sa.Column("ticket_id", sa.BigInteger(), nullable=False),
            sa.Column("article_id", sa.BigInteger()),
            sa.Column("type_id", sa.SmallInteger(), nullable=False),
            sa.Column("queue_id", sa.Integer(), nullable=False),
            sa.Column("owner_id", sa.Integer(), nullable=False),
            sa.Column("priority_id", sa.SmallInteger(), nullable=False),
            sa.Column("state_id", sa.SmallInteger(), nullable=False),
            *_audit(),
            **options,
        )
        for name, columns_ in HISTORY_INDEXES.items():
            op.create_index(name, "ticket_history", columns_)


def downgrade() -> None:
    """Nothing: OTOBO's history tables may hold OTOBO's history."""
