"""Everything one customer user's ``ticketAccess`` answer needs about one ticket, in one
prepared statement (bench scenario (9)).

The answer is about one group only, the ticket's queue's (``domain.tickets.ticket_access``
looks at nothing else), so the statement reads: the ticket with its names and its queue's
group row, and beside it the user's facts restricted to that group: the user's assigned
customer IDs (``customer_user_customer``; every one, since the company rule and the company
always-groups name them), the user's direct grants on the group (``group_customer_user``) and
the grants on the group of the user's customers in every context (``group_customer``: the
IDs the caller knows, the primary and ``UserCustomerIDs``, and the assigned ones, read in the
same statement). Only rows that count (``permission_value = 1``) are read, as the loaders
read them. The user's facts come as rows of one ``UNION ALL`` joined to the ticket's row, so
there is one round trip instead of four dependent ones (user's customer IDs → their grants;
the ticket; the groups); with no such ticket there is no row.

Logins and customer IDs compare case-insensitively, as everywhere (``lower()`` on both sides;
on MariaDB/MySQL also the column's own index, ``datasources.db.dialect``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import exactly
from datasources.db.engine import read_only_view
from datasources.db.prepared import PreparedRead
from datasources.db.tables import customer_user_customer as _UC
from datasources.db.tables import group_customer as _GC
from datasources.db.tables import group_customer_user as _GU
from datasources.db.tables import groups_table as _G
from datasources.db.tickets import COLUMNS, JOINED, QUEUE, ticket_record
from datasources.paging import KeyList
from domain.assignments import CustomerGroupRow, UserGroupRow
from domain.records import Audit, GroupRecord
from domain.tickets import TicketRecord
from domain.validity import Validity

_ASSIGNED, _USER_GRANT, _CUSTOMER_GRANT = "a", "u", "c"
_GROUP_COLUMNS = (
    *("id", "name", "comments", "valid_id"),
    *("create_time", "create_by", "change_time", "change_by"),
)
MAX_NUMBER_LENGTH = 50
"""``ticket.tn`` is VARCHAR(50): a longer number names no ticket."""


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """What :func:`read_facts` found: the ticket, its queue's group (``None``: the row is
    gone) and the user's facts about that group."""

    ticket: TicketRecord
    group: GroupRecord | None
    assigned: list[str]
    """Every customer ID of the user's ``customer_user_customer`` rows."""
    user_grants: list[UserGroupRow]
    """The user's direct grants on the queue's group."""
    customer_grants: list[CustomerGroupRow]
    """The grants on the queue's group of the user's customers, every context."""


def _text(element: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A text column of the union in one collation: the tables' may differ on MariaDB/MySQL,
    which refuses to unite them otherwise (``exactly``: unchanged elsewhere)."""
    return exactly(element)


def _statement(dialect_name: str) -> tuple[sa.Select[Any], KeyList]:
    login = sa.bindparam("login", type_=sa.String())
    of_user = sa.func.lower(_UC.c.user_id) == sa.func.lower(login)
    assigned_ids = sa.select(sa.func.lower(_UC.c.customer_id)).where(of_user)
    known = KeyList(_GC.c.customer_id, dialect_name, name="known")
    no_text = sa.cast(sa.null(), sa.String())
    no_int = sa.cast(sa.null(), sa.Integer())
    facts = sa.union_all(
        sa.select(
            _text(sa.literal(_ASSIGNED, sa.String())).label("kind"),
            _text(_UC.c.customer_id).label("fact_key"),
            _text(no_text).label("permission"),
            _text(no_text).label("context"),
            no_int.label("group_id"),
        ).where(of_user),
        sa.select(
            _text(sa.literal(_USER_GRANT, sa.String())),
            _text(_GU.c.user_id),
            _text(_GU.c.permission_key),
            _text(no_text),
            _GU.c.group_id,
        ).where(sa.func.lower(_GU.c.user_id) == sa.func.lower(login), _GU.c.permission_value == 1),
        sa.select(
            _text(sa.literal(_CUSTOMER_GRANT, sa.String())),
            _text(_GC.c.customer_id),
            _text(_GC.c.permission_key),
            _text(_GC.c.permission_context),
            _GC.c.group_id,
        ).where(
            sa.or_(known.condition, sa.func.lower(_GC.c.customer_id).in_(assigned_ids)),
            _GC.c.permission_value == 1,
        ),
    ).subquery("facts")
    queue_group = _G.alias("queue_group")
    statement = (
        sa.select(
            *COLUMNS,
            *(queue_group.c[name].label(f"qgroup_{name}") for name in _GROUP_COLUMNS),
            facts.c.kind,
            facts.c.fact_key,
            facts.c.permission,
            facts.c.context,
            facts.c.group_id.label("fact_group_id"),
        )
        .select_from(
            JOINED.outerjoin(queue_group, queue_group.c.id == QUEUE.c.group_id).outerjoin(
                facts,
                sa.or_(facts.c.kind == _ASSIGNED, facts.c.group_id == QUEUE.c.group_id),
            )
        )
        .where(COLUMNS[1] == sa.bindparam("number", type_=sa.String()))
    )
    return statement, known


class TicketAccessRead:
    """The prepared statement of one engine (built once: ``DbTicketStore`` holds it)."""

    def __init__(self, engine: AsyncEngine) -> None:
        statement, self._known = _statement(engine.dialect.name)
        self._read = PreparedRead(read_only_view(engine), statement)

    async def facts(self, number: str, login: str, known_ids: Sequence[str]) -> AccessFacts | None:
        """The facts about ticket ``number`` for user ``login``, whose primary and
        ``UserCustomerIDs`` customer IDs are ``known_ids``; None when no ticket has it."""
        if "\x00" in number or len(number) > MAX_NUMBER_LENGTH:
            return None
        parameters = {"number": number, "login": login, **self._known.bind(list(known_ids))}
        rows = await self._read.fetch_all(parameters)
        if not rows:
            return None
        first = rows[0]
        assigned: list[str] = []
        user_grants: list[UserGroupRow] = []
        customer_grants: list[CustomerGroupRow] = []
        for row in rows:
            kind = row["kind"]
            if kind == _ASSIGNED:
                assigned.append(row["fact_key"])
            elif kind == _USER_GRANT:
                grant = UserGroupRow(row["fact_key"], int(row["fact_group_id"]), row["permission"])
                user_grants.append(grant)
            elif kind == _CUSTOMER_GRANT:
                customer_grants.append(
                    CustomerGroupRow(
                        row["fact_key"],
                        int(row["fact_group_id"]),
                        row["permission"],
                        row["context"],
                    )
                )
        group = None
        if first["qgroup_id"] is not None:
            group = GroupRecord(
                id=int(first["qgroup_id"]),
                name=first["qgroup_name"],
                comment=first["qgroup_comments"] or None,
                validity=Validity.from_id(first["qgroup_valid_id"]),
                audit=Audit(
                    first["qgroup_create_time"],
                    first["qgroup_create_by"],
                    first["qgroup_change_time"],
                    first["qgroup_change_by"],
                ),
            )
        return AccessFacts(ticket_record(first), group, assigned, user_grants, customer_grants)
