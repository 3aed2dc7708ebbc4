"""A customer user's ticket-access facts in one prepared statement: for ``ticketAccess``
with the ticket itself (bench scenario (9)), for the ticket list and the queues for new
tickets with every group (scenario (8)).

The facts are what ``domain.permissions.effective_permissions`` and ``domain.tickets`` take:
the user's assigned customer IDs (``customer_user_customer``), the user's direct grants
(``group_customer_user``), the grants of the user's customers in every context
(``group_customer``: of the IDs the caller knows, the primary and ``UserCustomerIDs``, and of
the assigned ones, found in the same statement) and the groups. Only rows that count
(``permission_value = 1``) are read, as the loaders read them. They come as the rows of one
``UNION ALL`` (a ``kind`` column tells them apart), so the user's facts cost one round trip
instead of three dependent ones (the user's customer IDs → their grants; the groups).

``ticketAccess`` is about one group only, the ticket's queue's (``domain.tickets`` looks at
nothing else): its statement joins the facts about that group to the ticket's row, with the
group's row; with no such ticket there is no row.

Logins and customer IDs compare case-insensitively, as everywhere (``lower()`` on both sides;
on MariaDB/MySQL also the column's own index, ``datasources.db.dialect``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import exactly
from datasources.db.engine import read_only_view
from datasources.db.prepared import PreparedRead, Row
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

_ASSIGNED, _USER_GRANT, _CUSTOMER_GRANT, _GROUP = "a", "u", "c", "g"
_GROUP_EXTRA = ("valid_id", "create_time", "create_by", "change_time", "change_by")
"""A group's columns beside its id, name and comments (those share the facts' columns)."""
MAX_NUMBER_LENGTH = 50
"""``ticket.tn`` is VARCHAR(50): a longer number names no ticket."""


@dataclass(slots=True)
class UserFacts:
    """A user's facts (of one group, or of all: :class:`TicketAccessRead`)."""

    assigned: list[str] = field(default_factory=list)
    """Every customer ID of the user's ``customer_user_customer`` rows."""
    user_grants: list[UserGroupRow] = field(default_factory=list)
    customer_grants: list[CustomerGroupRow] = field(default_factory=list)
    """The grants of the user's customers (known and assigned), every context."""
    groups: list[GroupRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """``ticketAccess``'s facts: the ticket, its queue's group (``None``: the row is gone)
    and the user's facts about that group."""

    ticket: TicketRecord
    group: GroupRecord | None
    user: UserFacts


def _text(element: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A text column of the union in one collation: the tables' may differ on MariaDB/MySQL,
    which refuses to unite them otherwise (``exactly``: unchanged elsewhere)."""
    return exactly(element)


def _union(dialect_name: str, *, with_groups: bool) -> tuple[sa.Subquery, KeyList]:
    """The facts of user ``:login`` as rows (kind, fact_key, permission, context, group_id,
    and with ``with_groups`` the group columns); the customers the caller knows are bound by
    the returned key list."""
    login = sa.bindparam("login", type_=sa.String())
    of_user = sa.func.lower(_UC.c.user_id) == sa.func.lower(login)
    known = KeyList(_GC.c.customer_id, dialect_name, name="known")
    text, number = _text(sa.cast(sa.null(), sa.String())), sa.cast(sa.null(), sa.Integer())
    moment = sa.cast(sa.null(), sa.DateTime())
    nothing: list[sa.ColumnElement[Any]] = [number, moment, number, moment, number]
    if not with_groups:
        nothing = []

    def kind(name: str) -> sa.ColumnElement[Any]:
        return _text(sa.literal(name, sa.String()))

    branches: list[Any] = [
        sa.select(
            kind(_ASSIGNED).label("kind"),
            _text(_UC.c.customer_id).label("fact_key"),
            text.label("permission"),
            text.label("context"),
            number.label("group_id"),
            *(value.label(name) for value, name in zip(nothing, _GROUP_EXTRA, strict=False)),
        ).where(of_user),
        sa.select(
            kind(_USER_GRANT),
            _text(_GU.c.user_id),
            _text(_GU.c.permission_key),
            text,
            _GU.c.group_id,
            *nothing,
        ).where(sa.func.lower(_GU.c.user_id) == sa.func.lower(login), _GU.c.permission_value == 1),
        sa.select(
            kind(_CUSTOMER_GRANT),
            _text(_GC.c.customer_id),
            _text(_GC.c.permission_key),
            _text(_GC.c.permission_context),
            _GC.c.group_id,
            *nothing,
        ).where(_of_customers(dialect_name, known, of_user), _GC.c.permission_value == 1),
    ]
    if with_groups:
        branches.append(
            sa.select(
                kind(_GROUP),
                _text(_G.c.name),
                _text(_G.c.comments),
                text,
                _G.c.id,
                _G.c.valid_id,
                _G.c.create_time,
                _G.c.create_by,
                _G.c.change_time,
                _G.c.change_by,
            )
        )
    return sa.union_all(*branches).subquery("facts"), known


def _of_customers(
    dialect_name: str, known: KeyList, of_user: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    """``group_customer`` rows of the customers the caller knows or the user is assigned to.

    On PostgreSQL one ``IN`` over both lists (``UNION ALL``), which it answers with the
    ``lower(customer_id)`` index; written as ``known OR assigned`` (two semi-joins) it scanned
    the whole table, a cost that grows with every customer's grants rather than with the
    user's (small at the bench's 4,000 rows: bench/README.md, tickets, third step). The
    ``OR`` stays elsewhere: MariaDB/MySQL's key list is a condition of two parts (the
    column's own index, then the exact comparison, ``KeyList``), and SQLite's tables are
    small."""
    assigned = sa.select(sa.func.lower(_UC.c.customer_id)).where(of_user)
    lowered = sa.func.lower(_GC.c.customer_id)
    if dialect_name != "postgresql":
        return sa.or_(known.condition, lowered.in_(assigned))
    given = sa.func.unnest(sa.bindparam(known.name, type_=ARRAY(sa.String()))).alias("v")
    return lowered.in_(sa.union_all(sa.select(sa.func.lower(given.column)), assigned))


def _collect(rows: Sequence[Row], into: UserFacts) -> UserFacts:
    for row in rows:
        kind = row["kind"]
        if kind == _ASSIGNED:
            into.assigned.append(row["fact_key"])
        elif kind == _USER_GRANT:
            grant = UserGroupRow(row["fact_key"], int(row["fact_group_id"]), row["permission"])
            into.user_grants.append(grant)
        elif kind == _CUSTOMER_GRANT:
            into.customer_grants.append(
                CustomerGroupRow(
                    row["fact_key"], int(row["fact_group_id"]), row["permission"], row["context"]
                )
            )
        elif kind == _GROUP:
            into.groups.append(_group(row, ""))
    return into


def _group(row: Row, prefix: str) -> GroupRecord:
    return GroupRecord(
        id=int(row[f"{prefix}group_id"]),
        name=row[f"{prefix}name"],
        comment=row[f"{prefix}comments"] or None,
        validity=Validity.from_id(row[f"{prefix}valid_id"]),
        audit=Audit(
            row[f"{prefix}create_time"],
            row[f"{prefix}create_by"],
            row[f"{prefix}change_time"],
            row[f"{prefix}change_by"],
        ),
    )


class TicketAccessRead:
    """The two prepared statements of one engine (``Storage.ticket_access``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        reader = read_only_view(engine)
        dialect = engine.dialect.name
        facts, self._known = _union(dialect, with_groups=False)
        queue_group = _G.alias("queue_group")
        with_ticket = (
            sa.select(
                *COLUMNS,
                queue_group.c.id.label("qgroup_group_id"),
                *(
                    queue_group.c[name].label(f"qgroup_{name}")
                    for name in ("name", "comments", *_GROUP_EXTRA)
                ),
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
        self._with_ticket = PreparedRead(reader, with_ticket)
        every, self._every_known = _union(dialect, with_groups=True)
        alone = sa.select(
            every.c.kind,
            every.c.fact_key,
            every.c.permission,
            every.c.context,
            every.c.group_id.label("fact_group_id"),
            every.c.fact_key.label("name"),
            every.c.permission.label("comments"),
            every.c.group_id,
            *(every.c[name] for name in _GROUP_EXTRA),
        )
        self._alone = PreparedRead(reader, alone)

    async def facts(self, number: str, login: str, known_ids: Sequence[str]) -> AccessFacts | None:
        """The facts about ticket ``number`` for user ``login``, whose primary and
        ``UserCustomerIDs`` customer IDs are ``known_ids``; None when no ticket has it."""
        if "\x00" in number or len(number) > MAX_NUMBER_LENGTH:
            return None
        parameters = {"number": number, "login": login, **self._known.bind(list(known_ids))}
        rows = await self._with_ticket.fetch_all(parameters)
        if not rows:
            return None
        first = rows[0]
        group = None if first["qgroup_group_id"] is None else _group(first, "qgroup_")
        return AccessFacts(ticket_record(first), group, _collect(rows, UserFacts()))

    async def user_facts(self, login: str, known_ids: Sequence[str]) -> UserFacts:
        """Every fact of user ``login`` (known customer IDs ``known_ids``), every group."""
        parameters = {"login": login, **self._every_known.bind(list(known_ids))}
        return _collect(await self._alone.fetch_all(parameters), UserFacts())
