"""A page's relations computed once for all its users, for ``datasources.db.nested_reads``.

Why: as correlated subqueries, each relation of a page ran once per user (peer Q2: four per
user, 4000 for a page of 1000), about 50 ms of PostgreSQL CPU per page; the group grants and
services aggregated once over the page's logins and joined to the page cost about 40 ms
(bench/README.md, "set-based"). Each is a table of ``(k, v)``: ``k`` the lower-cased login,
matched as the loaders match (``lower(a) = lower(b)``), ``v`` the JSON list, in the order and
with the rows the correlated spelling has (``nested_reads``): equal answers, byte for byte
(``tests/api/test_planner.py``). Users whose logins differ only in case get the same rows,
as there. The primary customer and the customer IDs stay per user (measured: no faster as a
table).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from datasources.db.json_sql import EMPTY_LIST, ONE, Expr, code_point
from datasources.db.tables import group_customer_user, groups_table, service, service_customer_user


class PageJoins:
    """The tables of one page's relations, left-joined to the page by the caller."""

    def __init__(self, keys: sa.CTE) -> None:
        self.keys = keys
        """The page's lower-cased logins, each once (column ``k``)."""
        self.tables: list[sa.Subquery] = []
        self.usable_services: Expr | None = None
        """Whether the user has a service it may use, once a table of those is joined
        (``availableServices``; ``usesDefaultServices`` reads it instead of its own)."""

    def add(self, derived: sa.Subquery, empty: Expr = EMPTY_LIST) -> Expr:
        """Join ``derived`` to the page; its value, ``empty`` for a user without rows."""
        self.tables.append(derived)
        return sa.func.coalesce(derived.c.v, empty)

    def name(self) -> str:
        """A name for the next table (a relation may be selected twice, under aliases)."""
        return f"page_{len(self.tables)}"


def page_grants(page: PageJoins, grant: Callable[[Any, Expr], Expr]) -> Expr:
    """The granted groups of every user of the page; ``grant(group, permissions)`` spells
    one grant as ``nested_reads`` does for one user."""
    rows = group_customer_user.alias("gcu")
    key = sa.func.lower(rows.c.user_id)
    per_group = (
        sa.select(key.label("k"), rows.c.group_id, permissions(rows))
        .where(key.in_(sa.select(page.keys.c.k)), rows.c.permission_value == ONE)
        .group_by(key, rows.c.group_id)
        .subquery("ug")
    )
    g = groups_table.alias("ugg")
    value = grant(g, per_group.c.permissions)
    derived = (
        sa.select(per_group.c.k, _agg(value, code_point(g.c.name)))
        .select_from(per_group.join(g, g.c.id == per_group.c.group_id))
        .group_by(per_group.c.k)
        .subquery(page.name())
    )
    return page.add(derived)


def page_services(
    page: PageJoins,
    spell: Callable[[Any], Expr],
    only: Callable[[Any], Expr] | None = None,
    empty: Expr = EMPTY_LIST,
) -> Expr:
    """The services of every user of the page, each once per user, by name; with ``only``
    (a condition on the service) those it holds for, and ``empty`` for a user with none."""
    s = service.alias("s")
    ids = _page_service_ids(page)
    rows = sa.select(ids.c.k, _agg(spell(s), code_point(s.c.name))).select_from(
        ids.join(s, s.c.id == ids.c.service_id)
    )
    if only is not None:
        rows = rows.where(only(s))
    return page.add(rows.group_by(ids.c.k).subquery(page.name()), empty)


def page_has_services(page: PageJoins, only: Callable[[Any], Expr]) -> Expr:
    """Whether each user of the page has a service ``only`` holds for."""
    s = service.alias("s")
    ids = _page_service_ids(page)
    derived = (
        sa.select(ids.c.k, sa.true().label("v"))
        .distinct()
        .select_from(ids.join(s, s.c.id == ids.c.service_id))
        .where(only(s))
        .subquery(page.name())
    )
    return page.add(derived, sa.false())


def _page_service_ids(page: PageJoins) -> sa.Subquery:
    rows = service_customer_user.alias("scu")
    key = sa.func.lower(rows.c.customer_user_login)
    return (
        sa.select(key.label("k"), rows.c.service_id)
        .distinct()
        .where(key.in_(sa.select(page.keys.c.k)))
        .subquery("sid")
    )


def permissions(rows: Any) -> Expr:
    """A grant's permission keys as a JSON list, by code point."""
    order = aggregate_order_by(rows.c.permission_key, code_point(rows.c.permission_key))
    return sa.func.json_agg(order).label("permissions")


def _agg(value: Expr, *order: Expr) -> Expr:
    return sa.func.json_agg(aggregate_order_by(value, *order)).label("v")
