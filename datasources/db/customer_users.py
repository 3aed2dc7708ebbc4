"""The database customer-user backend on OTOBO's ``customer_user`` table (``CustomerUser/DB.pm``).

The table is reflected at start: its columns come from the Map, and a Map row for a column the
table lacks is a start-up error that prints the ``ALTER TABLE`` to run. Reads return records
keyed by Map attribute (the SQL of a query is ``datasources.db.customer_user_query_sql``'s);
writes take a connection, so the use case (``resolvers.use_cases.customer_users``) decides
the transaction and what is checked in it.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.backend import BackendHealth
from datasources.db.bulk_insert import insert_rows
from datasources.db.collation_check import ColumnFields
from datasources.db.customer_user_query_sql import CustomerUserQuerySql
from datasources.db.dialect import xact_lock, xact_locks
from datasources.db.engine import database_health, read_only_view
from datasources.db.prepared import KeyedRead, PositionalRow
from datasources.db.schema_check import AUDIT_COLUMNS, missing_columns, reflect_table
from datasources.db.schema_check import SchemaMismatch as SchemaMismatch  # re-exported
from datasources.db.tables import LOGIN_REFERENCE_LENGTH, LOGIN_REFERENCES
from datasources.paging import SortKey, after_condition, lower_in
from domain.config import CustomerUserBackendConfig
from domain.customer_user_query import CustomerUserQuery, SortField, sort_key_values
from domain.customer_user_rules import FieldRules
from domain.email import EmailPolicy
from domain.field_map import LOGIN, MapField
from domain.records import Audit, CustomerUserRecord

_EMAIL_LOCK = int.from_bytes(b"mail", "big")
"""First key of the PostgreSQL advisory locks on e-mail addresses (see ``lock_email``)."""


def _picker(positions: Sequence[int]) -> Callable[[PositionalRow], tuple[Any, ...]]:
    """The values at ``positions`` of a row, as a tuple (``itemgetter`` runs in C)."""
    if not positions:
        return lambda _row: ()
    if len(positions) == 1:
        (only,) = positions
        return lambda row: (row[only],)
    return operator.itemgetter(*positions)


def utcnow() -> datetime:
    """OTOBO's columns are ``timestamp`` without a zone; we store UTC in them."""
    return datetime.now(UTC).replace(tzinfo=None)


class DbCustomerUserBackend:
    """One ``module = "db"`` backend: reads and writes one table of customer users."""

    kind = "db"

    def __init__(
        self,
        config: CustomerUserBackendConfig,
        engine: AsyncEngine,
        table: sa.Table,
        email_policy: EmailPolicy,
        three_byte_columns: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.engine = engine
        self.reader = read_only_view(engine)
        self.table = table
        self.fields: tuple[MapField, ...] = tuple(config.map_fields())
        self._columns = {f.column for f in self.fields}
        max_lengths = {c.name: getattr(c.type, "length", None) for c in table.columns}
        # A login is also stored in the relation tables (OTOBO: VARCHAR(100) there), so it
        # must fit the narrowest of them, or its customers, groups and services could not be.
        max_lengths[config.customer_key] = min(
            n for n in (max_lengths[config.customer_key], LOGIN_REFERENCE_LENGTH) if n
        )
        self.rules = FieldRules(
            fields=self.fields,
            max_lengths=max_lengths,
            email_policy=email_policy,
            three_byte=dict(three_byte_columns or {}),
        )
        readable = [f for f in self.fields if not f.is_password]
        written: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for f in readable:
            written.setdefault((table.name, f.column), []).append((f.attribute,))
        self.input_fields: ColumnFields = written
        """Which Map attribute a create or update writes to each column."""
        self._attributes = tuple(f.attribute for f in readable)
        self._columns_read = tuple(f.column for f in readable)
        self._login = table.c[config.customer_key]
        self.sql = CustomerUserQuerySql(config, table, self.fields, engine.dialect.name)
        self._read_columns = [
            table.c[c] for c in sorted(self._columns) if c != self._password_column
        ]
        self._read_columns += [table.c[c] for c in AUDIT_COLUMNS]
        # Rows are read by position (a tuple index, not a name lookup): 1000-row pages.
        position = {column.name: i for i, column in enumerate(self._read_columns)}
        self._pick_values = _picker([position[c] for c in self._columns_read])
        self._pick_names = _picker([position[c] for c in config.name_fields])
        self._pick_list = _picker([position[c] for c in config.list_fields])
        self._pick_audit = _picker([position[c] for c in AUDIT_COLUMNS])
        self._blank_is_none_attributes = tuple(f.attribute for f in readable if not f.required)
        self._login_position = position[config.customer_key]
        self._get_many = KeyedRead(self.reader, sa.select(*self._read_columns), self._login)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def read_only(self) -> bool:
        return self.config.read_only

    @property
    def _password_column(self) -> str | None:
        return next((f.column for f in self.fields if f.is_password), None)

    @classmethod
    async def open(
        cls,
        config: CustomerUserBackendConfig,
        engine: AsyncEngine,
        email_policy: EmailPolicy,
        three_byte_columns: Mapping[str, str] | None = None,
    ) -> DbCustomerUserBackend:
        """Reflect the table and check that every Map column exists; ``three_byte_columns``:
        its columns that store only 3-byte UTF-8, with their fix."""
        table = await reflect_table(engine, config.table)
        where = f"customer_user.backends[{config.name}]"
        if table is None:
            raise SchemaMismatch(
                f"{where}: table {config.table!r} does not exist",
                ["roster db upgrade --config <this config>"],
            )
        if mismatch := missing_columns(where, table, config.map_fields()):
            raise mismatch
        return cls(config, engine, table, email_policy, three_byte_columns)

    # ---- reading ---------------------------------------------------------------------------

    def _record(self, row: PositionalRow) -> CustomerUserRecord:
        # Hot path: a 1000-user page builds 1000 of these, so the Map is walked through a
        # precomputed plan and the name strings are left for the record to join on demand.
        values = dict(zip(self._attributes, self._pick_values(row), strict=True))
        for attribute in self._blank_is_none_attributes:
            if values[attribute] == "":
                values[attribute] = None
        return CustomerUserRecord(
            source=self.name,
            login=str(values[LOGIN]),
            values=values,
            name_parts=self._pick_names(row),
            name_join=self.config.name_fields_join,
            list_parts=self._pick_list(row),
            audit=Audit(*self._pick_audit(row)),
        )

    async def get_many(
        self, logins: Sequence[str], conn: AsyncConnection | None = None
    ) -> dict[str, CustomerUserRecord]:
        """Records by lower-cased login; logins are matched case-insensitively, as in OTOBO."""
        if not logins:
            return {}
        rows = await self._get_many.fetch_positional(logins, conn)
        return {str(row[self._login_position]).lower(): self._record(row) for row in rows}

    async def page(
        self, query: CustomerUserQuery, *, after: SortKey | None, limit: int
    ) -> list[CustomerUserRecord]:
        """Matching users in ``query.ordering``, strictly after the sort key ``after``: keyset
        paging, stable while rows are inserted."""
        columns = self.sql.order_by(query)
        descending = query.ordering.descending
        select = sa.select(*self._read_columns).where(self.sql.where(query))
        if after is not None:
            key = sort_key_values(query.ordering, after)
            if query.ordering.field is SortField.CHANGED_AT:
                key = (self.sql.time_key(key[0]), *key[1:])
            select = select.where(after_condition(columns, key, descending=descending))
        order = [c.desc() if descending else c.asc() for c in columns]
        select = select.order_by(*order).limit(limit)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(select)).all()
        return [self._record(row) for row in rows]

    async def logins_by_primary_customer(
        self, customer_ids: Sequence[str], *, valid_only: bool = True
    ) -> dict[str, set[str]]:
        column = self.table.c[self.config.customer_id]
        select = sa.select(self._login, column).where(
            lower_in(column, customer_ids, self.engine.dialect.name),
            self.sql.where(CustomerUserQuery(valid_only=valid_only)),
        )
        found: dict[str, set[str]] = {}
        async with self.reader.connect() as conn:
            for login, customer_id in (await conn.execute(select)).all():
                found.setdefault(str(customer_id).lower(), set()).add(str(login))
        return found

    async def health(self) -> BackendHealth:
        """A ``SELECT 1`` round trip: the database answers, and how fast."""
        return await database_health(self.reader)

    async def close(self) -> None:
        """The engine is shared and closed by ``datasources.storage.Storage``."""

    async def count(
        self,
        query: CustomerUserQuery,
        *,
        at_most: int | None = None,
        excluding: Sequence[DbCustomerUserBackend] = (),
    ) -> int:
        """How many users match (counting stops at ``at_most`` when given: cheap "more than"),
        leaving out the logins that a backend of ``excluding`` (same database) holds."""
        inner = sa.select(self._login).where(self.sql.where(query))
        for other in excluding:
            table = other.table.alias()  # it may be this very table
            held = sa.func.lower(table.c[other.config.customer_key])
            inner = inner.where(~sa.exists().where(held == sa.func.lower(self._login)))
        if at_most is not None:
            inner = inner.limit(at_most)
        select = sa.select(sa.func.count()).select_from(inner.subquery())
        async with self.reader.connect() as conn:
            return int((await conn.execute(select)).scalar_one())

    async def listing_cut(self, query: CustomerUserQuery) -> bool:
        """Never: a table is listed in full, page by page."""
        return False

    async def password_hash(self, login: str) -> str | None:
        column = self._password_column
        if column is None:
            return None
        query = sa.select(self.table.c[column]).where(sa.func.lower(self._login) == login.lower())
        async with self.reader.connect() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return str(value) if value else None

    async def email_in_use(
        self, conn: AsyncConnection, email: str, *, except_login: str | None
    ) -> bool:
        """OTOBO's ``CustomerUserEmailUniqCheck``: exact, case-insensitive, invalid users too."""
        matches = [
            sa.func.lower(self.table.c[c]) == email.lower()
            for c in self.config.postmaster_search_fields
        ]
        query = sa.select(self._login).where(sa.or_(*matches))
        if except_login is not None:
            query = query.where(sa.func.lower(self._login) != except_login.lower())
        return (await conn.execute(query.limit(1))).first() is not None

    # ---- writing ---------------------------------------------------------------------------

    async def lock_email(self, conn: AsyncConnection, email: str) -> None:
        """Hold the right to give ``email`` to a user until ``conn``'s transaction ends.

        E-mail uniqueness is a switch (``email_uniq_check``) over a table that may already hold
        duplicates (OTOBO checks in Perl, not with an index), so no unique index can keep it;
        instead the check and the write that follows run under this lock, and a concurrent
        create or update with the same address (in any case) waits, then sees the first one's
        row. PostgreSQL: a transaction advisory lock on the lower-cased address (the two-key
        form, a key space of its own; a hash collision only makes two writes take turns).
        SQLite: the database's write lock, taken now instead of at the insert, so the check
        reads the latest committed rows (SQLite has one writer at a time anyway).
        """
        key = zlib.crc32(email.lower().encode()) - 2**31  # int4, as the two-key form wants
        await xact_lock(conn, _EMAIL_LOCK, key, sqlite_table=self.table)  # MariaDB: a row lock

    def _column_values(self, values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
        """Map attributes to columns; the first row wins a shared column (as in OTOBO)."""
        out: dict[str, Any] = {}
        for field in self.fields:
            if field.is_password or field.column in out:
                continue
            if field.attribute not in values:
                if creating:
                    out[field.column] = 0 if field.type == "int" else ""
                continue
            if field.readonly and not creating:
                continue
            value = values[field.attribute]
            if value is None:
                value = 0 if field.type == "int" else ""
            out[field.column] = value
        return out

    async def insert(
        self,
        conn: AsyncConnection,
        values: Mapping[str, Any],
        *,
        password_hash: str | None,
        agent: int,
    ) -> None:
        row = self._column_values(values, creating=True)
        now = utcnow()
        row.update(create_time=now, create_by=agent, change_time=now, change_by=agent)
        if password_hash is not None and self._password_column:
            row[self._password_column] = password_hash
        await conn.execute(sa.insert(self.table).values(**row))

    async def insert_many(
        self,
        conn: AsyncConnection,
        rows: Sequence[tuple[Mapping[str, Any], str | None]],
        *,
        agent: int,
    ) -> None:
        """Insert validated users, each ``(values, password hash or None)``, in one
        ``executemany`` (a bulk import's batch); a user without a hash gets an empty password,
        with which no sign-in succeeds."""
        if not rows:
            return
        now = utcnow()
        stamp = {"create_time": now, "create_by": agent, "change_time": now, "change_by": agent}
        column = self._password_column
        params = []
        for values, password_hash in rows:
            row = self._column_values(values, creating=True)
            if column:
                row[column] = password_hash or ""
            params.append(row)
        await insert_rows(conn, self.table, params, stamp)  # PostgreSQL: one unnest() statement

    async def emails_in_use(self, conn: AsyncConnection, emails: Sequence[str]) -> dict[str, str]:
        """Lower-cased address → the login of a user that has it (in any postmaster field),
        for many addresses in one statement: :meth:`email_in_use` for a batch."""
        if not emails:
            return {}
        found: dict[str, str] = {}
        for name in self.config.postmaster_search_fields:
            column = self.table.c[name]
            query = sa.select(self._login, column).where(
                lower_in(column, emails, self.engine.dialect.name)
            )
            for login, email in (await conn.execute(query)).all():
                found.setdefault(str(email).lower(), str(login))
        return found

    async def lock_emails(self, conn: AsyncConnection, emails: Sequence[str]) -> None:
        """:meth:`lock_email` for many addresses at once (ordered: no deadlock between two
        batches)."""
        keys = [zlib.crc32(e.lower().encode()) - 2**31 for e in emails]
        await xact_locks(conn, _EMAIL_LOCK, keys, sqlite_table=self.table)

    async def update(
        self, conn: AsyncConnection, login: str, changes: Mapping[str, Any], *, agent: int
    ) -> None:
        row = self._column_values(changes, creating=False)
        row.update(change_time=utcnow(), change_by=agent)
        await conn.execute(
            sa.update(self.table).where(sa.func.lower(self._login) == login.lower()).values(**row)
        )

    async def update_many(
        self,
        conn: AsyncConnection,
        rows: Sequence[tuple[str, Mapping[str, Any], str | None]],
        *,
        agent: int,
    ) -> None:
        """Update many users, each ``(login, changes, new password hash or None)``: one
        ``executemany`` per set of columns written (a bulk import's batch mostly changes the
        same few), instead of one statement per user."""
        stamp = {"change_time": utcnow(), "change_by": agent}
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for login, changes, password_hash in rows:
            row = self._column_values(changes, creating=False)
            if password_hash is not None and self._password_column:
                row[self._password_column] = password_hash
            if not row:
                continue
            by_columns.setdefault(tuple(sorted(row)), []).append(
                {**{f"v_{c}": v for c, v in row.items()}, "k_login": login.lower()}
            )
        for columns, params in by_columns.items():
            values: dict[str, Any] = {c: sa.bindparam(f"v_{c}") for c in columns}
            statement = (
                sa.update(self.table)
                .where(sa.func.lower(self._login) == sa.bindparam("k_login"))
                .values({**values, **stamp})
            )
            await conn.execute(statement, params)

    async def set_password(
        self, conn: AsyncConnection, login: str, password_hash: str, *, agent: int
    ) -> bool:
        """False when the Map has no password column (OTOBO then silently does nothing)."""
        column = self._password_column
        if column is None:
            return False
        await conn.execute(
            sa.update(self.table)
            .where(sa.func.lower(self._login) == login.lower())
            .values({column: password_hash, "change_time": utcnow(), "change_by": agent})
        )
        return True

    async def repoint_customer(
        self, conn: AsyncConnection, old: str, new: str, *, agent: int
    ) -> list[str]:
        """A customer ID rename re-points every user whose primary customer it was (all of
        them: OTOBO's event stops at the list limit); returns their logins (for the trail).
        Each is stamped changed by ``agent`` now, as OTOBO's ``CustomerCompany`` event
        re-saves each user through ``CustomerUserUpdate``."""
        column = self.table.c[self.config.customer_id]
        found = await conn.execute(
            sa.select(self._login).where(sa.func.lower(column) == old.lower())
        )
        logins = [str(login) for login in found.scalars()]
        await conn.execute(
            sa.update(self.table)
            .where(sa.func.lower(column) == old.lower())
            .values({column.name: new, "change_time": utcnow(), "change_by": agent})
        )
        return logins


async def carry_login(conn: AsyncConnection, old: str, new: str) -> None:
    """Move every relation row of login ``old`` to ``new`` (OTOBO orphans some; we don't)."""
    for column in LOGIN_REFERENCES:
        await conn.execute(
            sa.update(column.table)
            .where(sa.func.lower(column) == old.lower())
            .values({column.name: new})
        )
