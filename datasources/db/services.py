"""Services on OTOBO's ``service`` table and their assignments in ``service_customer_user``:
the services storage of a request (``Storage.services``). It reads and writes rows; what a
write may do is decided by the use cases (``resolvers.use_cases.services`` and
``service_assignments``), which call it inside their transaction.

The hierarchy is in the names (``A::B::C``), so "is an ancestor of" is a prefix test. It is
spelled ``substr(name, 1, n) = prefix``, not ``LIKE 'prefix%'``: exact and case-sensitive on
every database, with nothing in a service name to escape.

``service_customer_user`` has no key (OTOBO keeps it unique by delete-then-insert); logins in
it are matched case-insensitively, as OTOBO matches logins, and written in the user's own
spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.collation_check import (
    NAME_AND_COMMENT,
    ColumnFields,
    input_fields_of,
    three_byte_fields,
)
from datasources.db.customer_users import utcnow
from datasources.db.dialect import exactly, inserted_id, xact_lock
from datasources.db.engine import read_only_view
from datasources.db.prepared import KeyedRead, Row
from datasources.db.tables import service, service_customer_user
from datasources.paging import Page, SortKey, binary_key, existing_ids, keyset_page, lower_in
from datasources.search_sql import search_condition
from domain.changes import UNSET, Unset, is_given
from domain.config import ServicesConfig
from domain.pagination import Cursor
from domain.records import Audit
from domain.search_grammar import SearchExpr
from domain.services import DEFAULT_LOGIN, SEPARATOR, ServiceRecord, by_name
from domain.validity import Validity

_S = service
_L = service_customer_user
_WRITE_LOCK = int.from_bytes(b"service", "big")
"""PostgreSQL advisory lock key of the services' writes."""


def starts_below(name: sa.ColumnElement[str], root: Any) -> sa.ColumnElement[bool]:
    """``name`` lies below ``root`` (a column or a value): it starts with ``root::``."""
    prefix = root + SEPARATOR if isinstance(root, sa.ColumnElement) else f"{root}{SEPARATOR}"
    length = sa.func.length(prefix) if isinstance(root, sa.ColumnElement) else len(prefix)
    return exactly(sa.func.substr(name, 1, length)) == prefix


_INVALID_NAMES = (
    sa.select(
        _S.c.id,
        (_S.c.name + SEPARATOR).label("prefix"),
        sa.func.length(_S.c.name + SEPARATOR).label("prefix_length"),
    )
    .where(_S.c.valid_id != sa.literal_column(str(Validity.VALID.value)))
    .distinct()
    .cte("invalid_service")
    .prefix_with("MATERIALIZED", dialect="postgresql")
    .prefix_with("MATERIALIZED", dialect="sqlite")
)
"""``name::`` (and its length) of every service that is not valid, read once per statement
however many rows ask ``_ancestor_invalid`` of it. ``MATERIALIZED`` keeps PostgreSQL and
SQLite from inlining it back into the per-row subquery; ``DISTINCT`` does the same for
MariaDB, which has no such keyword and merges a plain CTE (with the id, so that two names
its collation holds equal stay two rows). The ``1`` is written into the SQL, not bound: it
is the predicate of the partial index of the invalid services
(``roster_service_invalid_name``), which the planner can use only when it sees the value."""


def _ancestor_invalid(table: sa.FromClause) -> sa.ColumnElement[bool]:
    """Some service above this one is not valid (OTOBO's ``KeepChildren`` test).

    Each row is tested against the invalid services only (``_INVALID_NAMES``): one pass over
    them per statement plus O(invalid services) per row. It was ``EXISTS (SELECT … FROM
    service AS ancestor WHERE ancestor.valid_id != :v AND <prefix test>)``, cheap only while
    the planner used the partial index, which it cannot with the bound ``:v`` in the generic
    plan asyncpg's prepared statements get after five runs, nor anywhere without Roster's
    indexes: then every row scanned the whole table, O(services²). That was 5 to 7 s on
    PostgreSQL in ``test_ten_thousand_entries`` and once past the 25 s statement timeout.

    Measured on 10,000 services all assigned to one login (the ``availableServices`` read),
    ms of EXPLAIN ANALYZE (PostgreSQL 15), ANALYZE FORMAT=JSON (MariaDB 10.11), wall time
    (SQLite 3.40), on a loaded 2-core machine, old → new:

    - none invalid (the test's data): PostgreSQL 5149 (generic plan; 22 custom) → 10 to 15,
      MariaDB 74 → 41, SQLite 46 → 48;
    - 60 invalid (100 roots, 10 invalid, 99 children each): PostgreSQL 6546 (generic; 347
      custom) → 110 to 132, MariaDB 332 → 104, SQLite 287 → 137; without Roster's indexes
      PostgreSQL 10576 → 167, MariaDB 20291 → 167, SQLite 4830 → 182, and the valid-only
      count MariaDB 17570 → 75, SQLite 4328 → 72;
    - 5,050 invalid (every other service): PostgreSQL 11973 → 5942, MariaDB 14796 → 4561,
      SQLite 12920 → 4318; still O(services * invalid services), as it now is by design.

    A one-service read costs the pass over the invalid services: 0.3 → 0.4 ms with 60
    invalid, 2.3 → 6.3 ms (PostgreSQL) with 5,050. Through the API on PostgreSQL, one
    user's ``availableServices`` with the 60-invalid data went from 5.2 to 7.3 s to 0.16 to
    0.31 s (planner and general path), ``test_ten_thousand_entries`` from 18.4 to 5.7 s.
    """
    below = _INVALID_NAMES.c
    return sa.exists().where(
        exactly(sa.func.substr(table.c.name, 1, below.prefix_length)) == below.prefix
    )


def counts_as_valid(table: sa.FromClause, *, keep_children: bool) -> sa.ColumnElement[bool]:
    """The SQL twin of ``domain.services.counts_as_valid`` for a row of ``table`` (``service``
    or an alias of it), so pages and nested reads can decide it in SQL."""
    valid = table.c.valid_id == Validity.VALID.value
    return valid if keep_children else sa.and_(valid, sa.not_(_ancestor_invalid(table)))


_COLUMNS = (*_S.c, _ancestor_invalid(_S).label("ancestor_invalid"))


def _record(row: Row) -> ServiceRecord:
    return ServiceRecord(
        id=int(row["id"]),
        name=row["name"],
        validity=Validity.from_id(row["valid_id"]),
        comment=row["comments"] or None,
        audit=Audit(row["create_time"], row["create_by"], row["change_time"], row["change_by"]),
        ancestor_invalid=bool(row["ancestor_invalid"]),
    )


class DbServiceStore:
    def __init__(
        self,
        engine: AsyncEngine,
        config: ServicesConfig,
        three_byte_columns: Mapping[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self.three_byte: Mapping[str, str] = three_byte_fields(three_byte_columns, NAME_AND_COMMENT)
        """The fields (``name``, ``comment``) whose column stores only 3-byte UTF-8, with the
        ``ALTER TABLE`` that fixes it (``collation_check.three_byte_columns``)."""
        self.input_fields: ColumnFields = input_fields_of(
            _S.name, {column: (field,) for column, field in NAME_AND_COMMENT.items()}
        )
        """Which input field a create or update writes to each text column."""
        self.config = config
        self.reader = read_only_view(engine)
        self._dialect = engine.dialect.name
        self._key = binary_key(_S.c.name, self._dialect)
        self._by_ids = KeyedRead(self.reader, sa.select(*_COLUMNS), _S.c.id, integers=True)
        self._assigned_services = KeyedRead(
            self.reader,
            sa.select(_L.c.customer_user_login, *_COLUMNS).select_from(
                _L.join(_S, _S.c.id == _L.c.service_id)
            ),
            _L.c.customer_user_login,
        )
        self._assigned = KeyedRead(
            self.reader,
            sa.select(_L.c.customer_user_login, _L.c.service_id),
            _L.c.customer_user_login,
        )

    @property
    def keep_children(self) -> bool:
        """OTOBO's ``KeepChildren``: whether a valid child of an invalid service counts."""
        return self.config.keep_children

    async def lock(self, conn: AsyncConnection) -> None:
        """Take the services' write lock until ``conn``'s transaction ends.

        Every write reads before it writes (the current set, the parent's name, whether a name
        is free) and must not act on what a concurrent write is about to change: two set
        replacements would otherwise store their union, two creates of ``x`` and ``X`` both
        pass, and a child created while its parent is renamed keep the old path. Service
        writes are rare admin operations, so they simply take turns. SQLite allows one writer
        at a time anyway; an empty write takes its lock now instead of at the first real one.
        """
        await xact_lock(conn, _WRITE_LOCK, sqlite_table=_L)  # MariaDB: a row lock

    # ---- services ------------------------------------------------------------------------------

    async def get_many(
        self, ids: Sequence[int], conn: AsyncConnection | None = None
    ) -> dict[int, ServiceRecord]:
        wanted = existing_ids(ids)
        if not wanted:
            return {}
        rows = await self._by_ids.fetch_all(wanted, conn)
        return {int(row["id"]): _record(row) for row in rows}

    async def get(
        self, service_id: int, conn: AsyncConnection | None = None
    ) -> ServiceRecord | None:
        return (await self.get_many([service_id], conn)).get(service_id)

    async def get_by_names(self, names: Sequence[str]) -> dict[str, ServiceRecord]:
        """Services by exact full name (names taken from stored names, e.g. a parent's)."""
        wanted = sorted({n for n in names if "\x00" not in n})
        if not wanted:
            return {}
        rows = await self._fetch(sa.select(*_COLUMNS).where(exactly(_S.c.name).in_(wanted)), None)
        return {row["name"]: _record(row) for row in rows}

    async def find_by_name(self, name: str) -> ServiceRecord | None:
        """The service of this full name, case-insensitively; the exact spelling wins if an
        adopted database holds two names that differ only in case."""
        query = sa.select(*_COLUMNS).where(lower_in(_S.c.name, [name], self._dialect))
        rows = await self._fetch(query, None)
        if not rows:
            return None
        return _record(next((row for row in rows if row["name"] == name), rows[0]))

    async def children_of(self, names: Sequence[str]) -> dict[str, list[ServiceRecord]]:
        """Parent full name → its direct children, in name order (one statement reads every
        service below any of ``names``; the direct children are picked here)."""
        wanted = sorted({n for n in names if "\x00" not in n})
        children: dict[str, list[ServiceRecord]] = {name: [] for name in names}
        if not wanted:
            return children
        query = sa.select(*_COLUMNS).where(sa.or_(*(starts_below(_S.c.name, n) for n in wanted)))
        for row in await self._fetch(query.order_by(self._key), None):
            record = _record(row)
            if record.parent_name in children:
                children[record.parent_name].append(record)
        return children

    def _where(self, search: SearchExpr | None, *, valid_only: bool) -> sa.ColumnElement[bool]:
        condition = search_condition(search, [_S.c.name], case_sensitive=False)
        if valid_only:
            condition = sa.and_(condition, counts_as_valid(_S, keep_children=self.keep_children))
        return condition

    async def list_page(
        self, *, search: SearchExpr | None, valid_only: bool, first: int, after: Cursor | None
    ) -> Page[ServiceRecord]:
        """Services by full name; ``valid_only`` leaves out what does not count as valid."""
        where = self._where(search, valid_only=valid_only)

        async def fetch(after_key: SortKey | None, limit: int) -> list[ServiceRecord]:
            query = sa.select(*_COLUMNS).where(where)
            if after_key is not None:
                query = query.where(self._key > str(after_key[0]))
            query = query.order_by(self._key).limit(limit)
            return [_record(row) for row in await self._fetch(query, None)]

        return await keyset_page(fetch, lambda s: (s.name,), first=first, after=after)

    async def count(self, *, search: SearchExpr | None, valid_only: bool) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(_S)
            .where(self._where(search, valid_only=valid_only))
        )
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def subtree(self, conn: AsyncConnection, name: str) -> dict[int, str]:
        """id → name of every service below ``name``."""
        query = sa.select(_S.c.id, _S.c.name).where(starts_below(_S.c.name, name))
        return {int(row.id): row.name for row in await conn.execute(query)}

    async def names_in_use(
        self, conn: AsyncConnection, names: Sequence[str], *, except_ids: Iterable[int]
    ) -> list[str]:
        """Which of ``names`` another service already has, case-insensitively."""
        if not names:
            return []
        query = sa.select(_S.c.name).where(lower_in(_S.c.name, names, self._dialect))
        excluded = existing_ids(except_ids)
        if excluded:
            query = query.where(_S.c.id.not_in(excluded))
        return [row.name for row in await conn.execute(query)]

    async def insert(
        self,
        conn: AsyncConnection,
        *,
        name: str,
        validity: Validity,
        comment: str | None,
        agent: int,
    ) -> int:
        now = utcnow()
        result = await conn.execute(
            sa.insert(_S).values(
                name=name,
                valid_id=validity.value,
                comments=comment or "",  # OTOBO's ServiceAdd: Comment ||= ''
                create_time=now,
                create_by=agent,
                change_time=now,
                change_by=agent,
            )
        )
        return inserted_id(result)

    async def update(
        self,
        conn: AsyncConnection,
        service_id: int,
        *,
        name: str,
        comment: str | Unset | None = UNSET,
        validity: Validity | Unset = UNSET,
        agent: int,
    ) -> None:
        """Write the full ``name`` and whichever of ``comment`` and ``validity`` is given."""
        row: dict[str, Any] = {"name": name, "change_time": utcnow(), "change_by": agent}
        if is_given(comment):
            row["comments"] = comment or ""  # ServiceUpdate: Comment ||= ''
        if is_given(validity):
            row["valid_id"] = validity.value
        await conn.execute(sa.update(_S).where(_S.c.id == service_id).values(**row))

    async def rename_subtree(self, conn: AsyncConnection, old: str, new: str) -> None:
        """Every service below ``old`` moves below ``new`` (OTOBO's ``name LIKE 'old::%'``),
        as OTOBO's ``ServiceUpdate`` moves them: only the name is written (``UPDATE service
        SET name = ? WHERE id = ?``); their ``change_time``/``change_by`` stay, since their own
        values did not change."""
        rest = sa.func.substr(_S.c.name, len(old) + 1)
        await conn.execute(
            sa.update(_S)
            .where(starts_below(_S.c.name, old))
            .values(name=sa.literal(new, sa.String()) + rest)
        )

    # ---- assignments ---------------------------------------------------------------------------

    async def assigned_ids(self, logins: Sequence[str]) -> dict[str, list[int]]:
        """Lower-cased login → the ids of the services assigned to it (``<DEFAULT>``
        included), one statement for any number of logins. Ids of services that no longer
        exist are included; reading them by id drops them."""
        if not logins:
            return {}
        found: dict[str, dict[int, None]] = {}
        for row in await self._assigned.fetch_all(logins):
            found.setdefault(row["customer_user_login"].lower(), {})[int(row["service_id"])] = None
        return {login: list(ids) for login, ids in found.items()}

    async def assigned_services(self, logins: Sequence[str]) -> dict[str, list[ServiceRecord]]:
        """Lower-cased login → the existing services assigned to it, in the order of the
        relation rows (each once), read with the services in one statement (``assigned_ids``
        and ``get_many`` were two round trips, and two batches whose merging with other
        lookups depended on timing)."""
        if not logins:
            return {}
        found: dict[str, dict[int, ServiceRecord]] = {}
        records: dict[int, ServiceRecord] = {}  # one record per service, shared by the logins
        for row in await self._assigned_services.fetch_all(logins):
            services = found.setdefault(row["customer_user_login"].lower(), {})
            service_id = int(row["id"])
            if service_id not in services:
                record = records.get(service_id)
                if record is None:
                    record = records[service_id] = _record(row)
                services[service_id] = record
        return {login: list(services.values()) for login, services in found.items()}

    async def assigned_to(self, logins: Sequence[str]) -> dict[str, list[ServiceRecord]]:
        """Lower-cased login → the existing services assigned to it, by name."""
        ids = await self.assigned_ids(logins)
        found = await self.get_many([i for group in ids.values() for i in group])
        return {
            login: by_name(found[i] for i in group if i in found) for login, group in ids.items()
        }

    async def service_ids_of(self, conn: AsyncConnection, login: str) -> list[int]:
        """The ids assigned to ``login`` (existing services or not), in id order."""
        query = (
            sa.select(_L.c.service_id)
            .where(sa.func.lower(_L.c.customer_user_login) == sa.func.lower(login))
            .distinct()
            .order_by(_L.c.service_id)
        )
        return [int(row.service_id) for row in await conn.execute(query)]

    async def ids_of_many(
        self, conn: AsyncConnection, logins: Sequence[str]
    ) -> dict[str, set[int]]:
        """Lower-cased login → the service ids assigned to it, for a batch of logins, on
        ``conn`` (a bulk import reads and replaces them in one transaction)."""
        if not logins:
            return {}
        query = sa.select(_L.c.customer_user_login, _L.c.service_id).where(
            lower_in(_L.c.customer_user_login, logins, self._dialect)
        )
        found: dict[str, set[int]] = {}
        for login, service_id in (await conn.execute(query)).all():
            found.setdefault(str(login).lower(), set()).add(int(service_id))
        return found

    async def remove_all_of(self, conn: AsyncConnection, logins: Sequence[str]) -> None:
        """Delete every service row of ``logins`` (a batch whose sets are being replaced)."""
        if logins:
            await conn.execute(
                sa.delete(_L).where(lower_in(_L.c.customer_user_login, logins, self._dialect))
            )

    async def logins_of(self, conn: AsyncConnection, service_id: int) -> dict[str, str]:
        """Lower-cased login → login as stored, of every row of the service but ``<DEFAULT>``."""
        query = sa.select(_L.c.customer_user_login).where(
            _L.c.service_id == service_id,
            sa.func.lower(_L.c.customer_user_login) != DEFAULT_LOGIN.lower(),
        )
        stored = sorted({row.customer_user_login for row in await conn.execute(query)})
        return {login.lower(): login for login in stored}

    @staticmethod
    async def add_rows(
        conn: AsyncConnection, rows: Sequence[tuple[str, int]], *, agent: int
    ) -> None:
        """Insert (login, service id) rows."""
        if not rows:
            return
        now = utcnow()
        await conn.execute(
            sa.insert(_L),
            [
                {"customer_user_login": login, "service_id": service_id}
                | {"create_time": now, "create_by": agent}
                for login, service_id in rows
            ],
        )

    async def remove_services_of(
        self, conn: AsyncConnection, login: str, service_ids: Sequence[int]
    ) -> None:
        if service_ids:
            await conn.execute(
                sa.delete(_L).where(
                    sa.func.lower(_L.c.customer_user_login) == sa.func.lower(login),
                    _L.c.service_id.in_(sorted(set(service_ids))),
                )
            )

    async def remove_logins_of(
        self, conn: AsyncConnection, service_id: int, logins: Sequence[str]
    ) -> None:
        if logins:
            await conn.execute(
                sa.delete(_L).where(
                    _L.c.service_id == service_id,
                    lower_in(_L.c.customer_user_login, logins, self._dialect),
                )
            )

    def _members(self, service_ids: Sequence[int], after: str | None = None) -> sa.Select[Any]:
        """Distinct (service id, lower-cased login) pairs of real customer users, with the
        login after ``after`` in code point order."""
        login = sa.func.lower(_L.c.customer_user_login)
        query = sa.select(_L.c.service_id, login.label("login")).where(
            _L.c.service_id.in_(existing_ids(service_ids)), login != DEFAULT_LOGIN.lower()
        )
        if after is not None:
            query = query.where(binary_key(login, self._dialect) > after)
        return query.group_by(_L.c.service_id, login)

    async def member_pages(
        self, service_ids: Sequence[int], *, after: str | None, limit: int
    ) -> dict[int, list[str]]:
        """Service id → up to ``limit`` lower-cased logins after ``after``, in code point
        order: one statement for a page of every service (a window per service)."""
        if not service_ids:
            return {}
        inner = self._members(service_ids, after).subquery()
        rank = sa.func.row_number().over(
            partition_by=inner.c.service_id, order_by=binary_key(inner.c.login, self._dialect)
        )
        ranked = sa.select(inner.c.service_id, inner.c.login, rank.label("n")).subquery()
        query = (
            sa.select(ranked.c.service_id, ranked.c.login)
            .where(ranked.c.n <= limit)
            .order_by(ranked.c.service_id, ranked.c.n)
        )
        pages: dict[int, list[str]] = {}
        for row in await self._fetch(query, None):
            pages.setdefault(int(row["service_id"]), []).append(row["login"])
        return pages

    async def member_counts(self, service_ids: Sequence[int]) -> dict[int, int]:
        inner = self._members(service_ids).subquery()
        query = sa.select(inner.c.service_id, sa.func.count()).group_by(inner.c.service_id)
        async with self.reader.connect() as conn:
            return {int(sid): int(n) for sid, n in await conn.execute(query)}

    async def _fetch(
        self, query: sa.Select[Any], conn: AsyncConnection | None
    ) -> Sequence[sa.RowMapping]:
        if conn is not None:
            rows: Sequence[sa.RowMapping] = (await conn.execute(query)).mappings().all()
            return rows
        async with self.reader.connect() as own:
            rows = (await own.execute(query)).mappings().all()
            return rows
