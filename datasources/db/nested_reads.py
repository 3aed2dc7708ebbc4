"""Whole nested reads as one PostgreSQL statement that answers JSON (``schema.planner``).

Why: a page of 1000 customer users with their customer, customer IDs, group grants and
services (peer bench Q2) cost seven statements and ~140 ms of Python per request on the
general path (loaders, records, graphql-core's completion of ~25,000 fields); PostGraphile
lets PostgreSQL build the nested result. Here too: a :class:`~domain.nested_shape.Root` list
becomes one ``SELECT json_build_object(...)`` with a correlated subquery per relation, and
the answer is parsed once (orjson), not completed field by field. On a page the group grants
and services are aggregated once over the page's logins and joined to it
(``datasources.db.page_relations``): run per user, they were most of PostgreSQL's time.

Each member is spelled in SQL as the general path computes it (and nothing is planned that
is not spelled here: :class:`~domain.nested_shape.Unplannable`):

- matches of logins and customer IDs as the loaders' (``lower(a) = lower(b)``), relation rows
  with ``permission_value = 1`` where the loaders ask for it;
- a Map value as its record holds it (``''`` is null unless the Map row is required);
  validity as ``Validity.from_id`` (an unknown id is INVALID); times as ``isoformat`` of UTC;
- every list in the general path's order, by code point (``COLLATE "C"``): customer IDs
  primary first, then the assigned ones, each once case-insensitively (OTOBO's CustomerIDs);
  assigned customers by ID; grants by group name (a customer's by group id and context);
  permissions sorted; services by name, each once; relations to missing rows dropped.
- available services as ``domain.services.available_services`` decides them: the user's
  services that count as valid (``datasources.db.services.counts_as_valid``, the SQL twin
  of the domain's rule, ``KeepChildren`` included), else the default services that do;
  ``usesDefaultServices`` when the user has none (bench scenario (4): 3 statements and
  ~36 ms of server CPU per page of 1000 on the general path, 1 and ~3 ms planned).

Only for PostgreSQL and MariaDB with a single database customer-user backend
(``Storage.nested_reads``); SQLite, LDAP and mixed backends take the general path. On MariaDB
only ``customerUser(login:)`` with the user's own fields (login, validity, Map values) is
spelled (``JSON_OBJECT``; anything else there is :class:`~domain.nested_shape.Unplannable`):
issue 13's one-user lookup (scenario (3)) cost 0.33 ms of server CPU through the general
path, of which graphql-core's execution, Strawberry's resolver wrapping and the loader took
about half; the lists, relations and times would each need MariaDB's own spelling (no
``DISTINCT ON``, ``json_agg`` ordering, ``to_char``) and are left to the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import visitors

from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.customers import DbCustomerStore
from datasources.db.dialect import is_mysql
from datasources.db.engine import read_only_view
from datasources.db.json_sql import (
    EMPTY_LIST,
    KEY,
    MAX_MEMBERS,
    ONE,
    Expr,
    audit_time,
    blank_null,
    code_point,
    const,
    json_list,
    lower_eq,
    validity_name,
)
from datasources.db.page_relations import (
    PageJoins,
    page_grants,
    page_has_services,
    page_services,
    permissions,
)
from datasources.db.prepared import PreparedRead
from datasources.db.services import counts_as_valid
from datasources.db.tables import (
    customer_user_customer,
    group_customer,
    group_customer_user,
    groups_table,
    service,
    service_customer_user,
)
from domain.company_map import KNOWN_FIELDS, is_custom
from domain.customer_user_query import CustomerUserQuery, Ordering
from domain.field_map import CUSTOMER_ID, LOGIN, VALID_ID
from domain.nested_shape import ATTRIBUTE, Member, Root, Shape, Unplannable
from domain.permissions import OTHER_CONTEXT
from domain.services import DEFAULT_LOGIN


class NestedReads:
    """Builds and runs the statements; one per process, statements cached by shape."""

    def __init__(
        self,
        engine: AsyncEngine,
        users: DbCustomerUserBackend,
        customers: DbCustomerStore,
        *,
        keep_children: bool,
    ) -> None:
        self._reader = read_only_view(engine)
        self._users = users
        self._customers = customers
        self._keep_children = keep_children
        self._prepared: dict[tuple[Root, ...], PreparedRead] = {}
        self._flat_only = is_mysql(engine.dialect)
        """MariaDB: one user's own fields only (see the module)."""

    def statement(self, roots: Sequence[Root]) -> PreparedRead:
        """The prepared statement of ``roots`` (raises ``Unplannable``); its parameters are
        ``login`` and ``first`` where a root takes them."""
        key = tuple(roots)
        found = self._prepared.get(key)
        if found is None:
            if self._flat_only:  # MariaDB's JSON_OBJECT is text already
                built = self._one_row(roots)
            else:  # text: parsed once, by orjson
                data = self._object([(r.key, self._root(r)) for r in roots])
                built = sa.select(sa.cast(data, sa.Text()))
            found = PreparedRead(self._reader, built)
            if len(self._prepared) > 256:
                self._prepared.clear()
            self._prepared[key] = found
        return found

    async def read(
        self, roots: Sequence[Root], parameters: dict[str, Any], statement: PreparedRead
    ) -> str:
        """The answer's ``data`` as JSON text, by ``statement`` (``self.statement(roots)``,
        which the caller looked up already)."""
        rows = await statement.fetch_positional(parameters)
        if not rows:  # MariaDB's one-row statement found no user: null, as the general path
            return orjson.dumps({root.key: None for root in roots}).decode()
        return str(rows[0][0])

    def _one_row(self, roots: Sequence[Root]) -> sa.Select[Any]:
        """MariaDB: one ``customerUser(login:)``, its object built from the user's row
        (``SELECT JSON_OBJECT(…) FROM customer_user … LIMIT 1``; no row when there is no such
        user) rather than a scalar subquery inside the answer's object: MariaDB spent ~72 us
        of CPU per lookup on that, 50 on this (prepared, 8 connections, bench scenario (3))."""
        if len(roots) != 1 or roots[0].kind != "customer_user":
            raise Unplannable("MariaDB plans one customerUser(login:) only")
        root = roots[0]
        one = self._users.table.alias("u")
        login = one.c[self._users.config.customer_key]
        return (
            sa.select(self._object([(root.key, self._user(one, root.shape))]))
            .where(lower_eq(login, sa.bindparam("login")))
            .limit(sa.literal_column("1"))
        )

    # ---- roots ------------------------------------------------------------------------------

    def _root(self, root: Root) -> Expr:
        backend = self._users
        table = backend.table
        if root.kind == "default_services":
            return self._services(None, const(DEFAULT_LOGIN), root.shape)
        if root.kind == "customer_user":
            # The row itself, not a LIMIT-ed derived table of it (which MariaDB, before it got
            # _one_row, materialized per lookup: 166 against 120 us of its CPU at c=1).
            one = table.alias("u")
            return (
                sa.select(self._user(one, root.shape))
                .where(lower_eq(one.c[backend.config.customer_key], sa.bindparam("login")))
                .limit(sa.literal_column("1"))
                .scalar_subquery()
            )
        nodes = self._page(root, [c.name for c in table.c])
        read = _read_columns(nodes, "page")
        narrow = self._page(root, [c.name for c in table.c if c.name in read])
        return self._object([(root.nodes_key, narrow)])

    def _page(self, root: Root, columns: list[str]) -> Expr:
        """A page's ``nodes`` over a page of ``columns``. Built twice: on every column, to
        learn which the shape reads, then on those. Why: the page is materialized (a CTE
        read by the user objects and by the relation tables); its 21 columns against the
        five Q2 reads cost ~1.5 ms of PostgreSQL CPU per page of 1000 users
        (bench/README.md, "Nested reads, fifth step")."""
        backend = self._users
        table = backend.table
        query = CustomerUserQuery(valid_only=root.valid_only, ordering=Ordering())
        page = (
            sa.select(*(table.c[name] for name in columns))
            .where(backend.sql.where(query))
            .order_by(*backend.sql.order_by(query))
            .limit(sa.bindparam("first", type_=sa.Integer()))
            .cte("page")
        )
        login = page.c[backend.config.customer_key]
        keys = sa.select(sa.func.lower(login).label("k")).distinct().cte("page_keys")
        joined = PageJoins(keys)
        user = self._user(page, root.shape, joined)
        source: sa.FromClause = page
        for derived in joined.tables:
            source = source.outerjoin(derived, derived.c.k == sa.func.lower(login))
        return sa.select(json_list(user, code_point(login))).select_from(source).scalar_subquery()

    # ---- objects ----------------------------------------------------------------------------

    def _object(self, members: Sequence[tuple[str, Expr]]) -> Expr:
        if len(members) > MAX_MEMBERS:
            raise Unplannable("too many fields in one object")
        arguments: list[Expr] = []
        for key, value in members:
            if not KEY.fullmatch(key):
                raise Unplannable(f"key {key!r}")
            arguments += [const(key), value]
        if self._flat_only:
            return sa.func.json_object(*arguments)
        return sa.func.json_build_object(*arguments)

    def _members(self, shape: Shape, spell: Callable[[Member], tuple[Expr, bool]]) -> Expr:
        """``shape`` as one JSON object: ``spell`` gives each member's SQL and whether it can
        be null."""
        out = []
        for member in shape.members:
            value, nullable = spell(member)
            if member.non_null and nullable:
                raise Unplannable(f"{member.name} can be null")
            out.append((member.key, value))
        return self._object(out)

    def _user(self, u: sa.FromClause, shape: Shape, page: PageJoins | None = None) -> Expr:
        """``u``'s row as ``shape``; for a page, the group grants and services come from
        tables of the whole page's rows (``page``), joined by the lower-cased login."""
        backend = self._users
        config = backend.config
        by_attribute = {f.attribute: f for f in backend.fields if not f.is_password}
        login = u.c[config.customer_key]

        def column(attribute: str) -> tuple[Expr, bool] | None:
            field = by_attribute.get(attribute)
            if field is None or field.type != "var":
                return None
            value = u.c[field.column]
            if not isinstance(value.type, sa.String):
                return None
            if attribute == LOGIN or field.required:
                return value, bool(backend.table.c[field.column].nullable)
            return blank_null(value), True

        def spell(member: Member) -> tuple[Expr, bool]:
            name = member.name
            if self._flat_only and not (name.startswith(ATTRIBUTE) or name in _OWN):
                raise Unplannable(f"{name} on MariaDB")
            if name.startswith(ATTRIBUTE):
                found = column(name.removeprefix(ATTRIBUTE))
                if found is None:
                    raise Unplannable(name)
                return found
            if name == "login":
                return login, False
            if name == "validity":  # a backend without a validity row has only valid users
                valid = by_attribute.get(VALID_ID)
                return (validity_name(u.c[valid.column]) if valid else const("VALID")), False
            if name in ("created_at", "changed_at"):
                return audit_time(backend.table, u, name)
            if name == "customer":
                primary = column(CUSTOMER_ID)  # looked up when read: the page holds what is read
                if primary is None:
                    return sa.null(), True
                return self._customer_by_id(blank_null(primary[0]), _shape(member)), True
            if name == "customer_ids":
                if "UserCustomerIDs" in by_attribute:
                    raise Unplannable("multi-value customer IDs")
                primary = column(CUSTOMER_ID)
                own = None if primary is None or config.exclude_primary_customer_id else primary
                return self._customer_ids(u, login, own[0] if own else None), False
            if name == "customers":
                return self._assigned_customers(u, login, _shape(member)), False
            if name == "group_grants":
                below = _shape(member)
                if page is not None:
                    return page_grants(page, lambda g, p: self._grant(g, p, below)), False
                return self._user_grants(u, login, below), False
            if name == "services":
                below = _shape(member)
                if page is not None:
                    return page_services(page, lambda s: self._named_row(s, below)), False
                return self._services(u, login, below), False
            if name == "available_services":
                return available(member), False
            if name == "uses_default_services":
                if page is None:
                    return sa.not_(sa.exists(self._service_ids(u, login, self._usable))), False
                listed = next((m for m in shape.members if m.name == "available_services"), None)
                if listed is not None:  # the page's table of usable services, read once
                    available(listed)
                    assert page.usable_services is not None
                    return sa.not_(page.usable_services), False
                return sa.not_(page_has_services(page, self._usable)), False
            raise Unplannable(name)

        spelled: dict[str, Expr] = {}

        def available(member: Member) -> Expr:
            if member.key not in spelled:
                spelled[member.key] = self._available_services(u, login, _shape(member), page)
            return spelled[member.key]

        return self._members(shape, spell)

    def _customer_ids(self, outer: sa.FromClause, login: Expr, primary: Expr | None) -> Expr:
        """The primary customer ID, then the assigned ones by code point, each once
        case-insensitively (the smallest by code point of a case-insensitive group; none equal
        to the primary's), the primary put in front: array constructors, no aggregate. Why:
        spelled as one ``DISTINCT ON`` over the primary and the assigned ones, then
        ``json_agg`` in order, the list cost 7.3 ms of PostgreSQL CPU per page of 1000 users
        (the index probes alone 3.7); this way 6.4 (bench/README.md, "Nested reads, fifth
        step")."""
        link = customer_user_customer.alias("cuc")
        value = link.c.customer_id
        assigned = sa.select(value.label("v")).where(
            lower_eq(link.c.user_id, login), value != const("")
        )
        if primary is not None:  # a primary in other case stands for the assigned one
            assigned = assigned.where(
                sa.func.lower(value).is_distinct_from(sa.func.lower(blank_null(primary)))
            )
        once = (
            assigned.ext(distinct_on(sa.func.lower(value)))
            .order_by(sa.func.lower(value), code_point(value))
            .correlate(outer)
            .subquery("once")
        )
        ids: Expr = sa.func.array(
            sa.select(once.c.v).order_by(code_point(once.c.v)).scalar_subquery()
        )
        if primary is not None:
            head = sa.case((primary != const(""), pg_array([primary])), else_=const("{}"))
            ids = sa.func.array_cat(head, ids)
        return sa.func.to_json(ids)

    def _customer_fields(self, c: Any) -> Callable[[Member], tuple[Expr, bool]]:
        known = {
            KNOWN_FIELDS[f.attribute]: f
            for f in self._customers.config.map_fields()
            if not is_custom(f)
        }

        def spell(member: Member) -> tuple[Expr, bool]:
            name = member.name
            if name in ("customer_id", "name"):
                return c.c[name], False
            if name == "validity":
                return validity_name(c.c.valid_id), False
            if name in ("created_at", "changed_at"):
                return audit_time(c, c, name)
            if name == "group_grants":
                return self._customer_grants(c, _shape(member)), False
            field = known.get(name)
            if field is None or field.attribute == VALID_ID:
                raise Unplannable(name)
            return blank_null(c.c[field.column]), True

        return spell

    def _customer_by_id(self, customer_id: Expr, shape: Shape) -> Expr:
        c = self._customers.table.alias("c")
        return (
            sa.select(self._members(shape, self._customer_fields(c)))
            .where(lower_eq(c.c.customer_id, customer_id))
            .limit(sa.literal_column("1"))
            .scalar_subquery()
        )

    def _assigned_customers(self, outer: sa.FromClause, login: Expr, shape: Shape) -> Expr:
        c = self._customers.table.alias("ac")
        link = customer_user_customer.alias("acl")
        value = self._members(shape, self._customer_fields(c))
        return (
            sa.select(json_list(value, code_point(c.c.customer_id), link.c.customer_id))
            .select_from(link.join(c, lower_eq(c.c.customer_id, link.c.customer_id)))
            .where(lower_eq(link.c.user_id, login))
            .correlate(outer)
            .scalar_subquery()
        )

    def _named_row(self, table: Any, shape: Shape) -> Expr:
        """A group's or a service's object: OTOBO spells both tables alike (``name``,
        ``comments``, ``valid_id``)."""

        def spell(member: Member) -> tuple[Expr, bool]:
            if member.name == "name":
                return table.c.name, False
            if member.name == "comment":
                return blank_null(table.c.comments), True
            if member.name == "validity":
                return validity_name(table.c.valid_id), False
            raise Unplannable(member.name)

        return self._members(shape, spell)

    def _grant(self, g: Any, permissions: Expr, shape: Shape) -> Expr:
        def spell(member: Member) -> tuple[Expr, bool]:
            if member.name == "group":
                return self._named_row(g, _shape(member)), False
            if member.name == "permissions":
                return permissions, False
            raise Unplannable(member.name)

        return self._members(shape, spell)

    def _user_grants(self, outer: sa.FromClause, login: Expr, shape: Shape) -> Expr:
        rows = group_customer_user.alias("gcu")
        per_group = (
            sa.select(rows.c.group_id, permissions(rows))
            .where(lower_eq(rows.c.user_id, login), rows.c.permission_value == ONE)
            .group_by(rows.c.group_id)
            .correlate(outer)
            .subquery("ug")
        )
        g = groups_table.alias("ugg")
        return (
            sa.select(
                json_list(self._grant(g, per_group.c.permissions, shape), code_point(g.c.name))
            )
            .select_from(per_group.join(g, g.c.id == per_group.c.group_id))
            .scalar_subquery()
        )

    def _customer_grants(self, outer: Any, shape: Shape) -> Expr:
        rows = group_customer.alias("gc")
        context = sa.func.coalesce(rows.c.permission_context, const("None"))
        per_key = (
            sa.select(
                rows.c.group_id,
                context.label("context"),
                sa.func.json_agg(
                    aggregate_order_by(rows.c.permission_key, code_point(rows.c.permission_key))
                ).label("permissions"),
            )
            .where(lower_eq(rows.c.customer_id, outer.c.customer_id))
            .where(rows.c.permission_value == ONE)
            .group_by(rows.c.group_id, context)
            .correlate(outer)
            .subquery("cg")
        )
        g = groups_table.alias("cgg")

        def spell(member: Member) -> tuple[Expr, bool]:
            if member.name == "group":
                return self._named_row(g, _shape(member)), False
            if member.name == "permissions":
                return per_key.c.permissions, False
            if member.name == "context":
                other = per_key.c.context == const(OTHER_CONTEXT)
                return sa.case((other, const("OTHER")), else_=const("SAME")), False
            raise Unplannable(member.name)

        return (
            sa.select(
                json_list(
                    self._members(shape, spell), per_key.c.group_id, code_point(per_key.c.context)
                )
            )
            .select_from(per_key.join(g, g.c.id == per_key.c.group_id))
            .scalar_subquery()
        )

    def _services(
        self,
        outer: sa.FromClause | None,
        login: Expr,
        shape: Shape,
        only: Callable[[Any], Expr] | None = None,
        empty: Expr = EMPTY_LIST,
    ) -> Expr:
        """The services of ``login`` (those ``only`` holds for), each once, by name; ``empty``
        when there is none."""
        s = service.alias("s")
        ids = self._service_ids(outer, login).subquery("sid")  # joined by id, not scanned
        rows = sa.select(
            json_list(self._named_row(s, shape), code_point(s.c.name), empty=empty)
        ).select_from(ids.join(s, s.c.id == ids.c.service_id))
        if only is not None:
            rows = rows.where(only(s))
        return rows.scalar_subquery()

    def _service_ids(
        self,
        outer: sa.FromClause | None,
        login: Expr,
        only: Callable[[Any], Expr] | None = None,
    ) -> sa.Select[Any]:
        """The ids of ``login``'s services, each once (those ``only`` holds for)."""
        rows = service_customer_user.alias("scu")
        assigned = (
            sa.select(rows.c.service_id)
            .distinct()
            .where(lower_eq(rows.c.customer_user_login, login))
        )
        if only is not None:
            s = service.alias("ss")
            assigned = assigned.where(sa.exists().where(s.c.id == rows.c.service_id, only(s)))
        return assigned.correlate(outer) if outer is not None else assigned

    def _usable(self, s: Any) -> Expr:
        """A service the user may use (OTOBO: valid, and no invalid ancestor unless
        ``KeepChildren``)."""
        return counts_as_valid(s, keep_children=self._keep_children)

    def _available_services(
        self, outer: sa.FromClause, login: Expr, shape: Shape, page: PageJoins | None
    ) -> Expr:
        """OTOBO's own-or-default rule (``domain.services.available_services``): the user's
        services that count as valid; only when there is none, the default services that
        count as valid (one list for the statement, computed once)."""
        defaults = self._services(None, const(DEFAULT_LOGIN), shape, self._usable)
        if page is not None:
            spell = lambda s: self._named_row(s, shape)  # noqa: E731
            value = page_services(page, spell, self._usable, defaults)
            page.usable_services = page.tables[-1].c.v.is_not(None)
            return value
        return self._services(outer, login, shape, self._usable, defaults)


def _read_columns(expression: Expr, name: str) -> set[str]:
    """The columns of the CTE called ``name`` that ``expression`` reads."""
    return {
        element.name
        for element in visitors.iterate(expression)
        if isinstance(element, sa.ColumnClause)
        and isinstance(element.table, sa.CTE)
        and element.table.name == name
    }


_OWN = frozenset({"login", "validity"})
"""A user's members spelled on MariaDB besides the Map values (``NestedReads._flat_only``)."""


def _shape(member: Member) -> Shape:
    if member.shape is None:
        raise Unplannable(f"{member.name} needs a selection")
    return member.shape
