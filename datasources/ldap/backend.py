"""The LDAP customer-user backend (OTOBO's ``CustomerUser::LDAP``): read-only, read live.

The directory filters (``filters``: the same search grammar as the database, escaped by our
own RFC 4515 escaper); Roster sorts and pages. An LDAP server cannot continue "after this
login" in code point order, so each page fetches the matching entries (RFC 2696 paged
results, ``page_size`` per round trip, below any server size limit), sorts them with
``record_sort_key`` exactly as the database orders, and slices after the cursor.

Like OTOBO's LDAP backend (its sizelimit is the ListLimit), one query never reads more than
``search_list_limit`` entries: a search reads one more, to know that the limit cut it
(``limitReached``); a plain listing stops at the limit (and says so in the log). When the
limit cuts a result, the server chose which entries made it, not the sort order.

Validity is OTOBO's ``CustomerUserValidFilter``: an entry the valid filter matches is VALID,
any other INVALID, and without a valid filter every entry is VALID. ``valid: true`` adds the
filter to the search; ``valid: false`` lists every entry and asks the server which of them
the valid filter matches (OTOBO applies the filter even then).

Every call is bounded (``pool``) and guarded by a circuit breaker; any failure leaves as
``BackendUnavailable``, so the directory serves the other backends and reports the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import bonsai

from datasources.backend import BackendHealth, BackendStatus, BackendUnavailable
from datasources.ldap.breaker import BreakerOpen, BreakerState, CircuitBreaker
from datasources.ldap.cache import TtlCache
from datasources.ldap.filters import equals_any, query_filter, scoped
from datasources.ldap.pool import ConnectionPool, LdapFailure, base_read
from domain import observation
from domain.config import LdapBackendConfig
from domain.customer_user_query import CustomerUserQuery, record_sort_key
from domain.field_map import LOGIN, VALID_ID, MapField
from domain.records import Audit, CustomerUserRecord
from domain.validity import Validity

T = TypeVar("T")
logger = logging.getLogger("roster.ldap")

LOOKUP_BATCH = 100
"""Values per ``(|(uid=a)(uid=b)…)`` lookup filter: short filters, whatever the batch size."""

_NO_AUDIT = Audit(created_at=None, created_by=None, changed_at=None, changed_by=None)


def _text(value: Any) -> str | None:
    """A value as text: LDAPv3 values are UTF-8 and bonsai decodes them; a binary value that
    is not UTF-8 is no text (``None``)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return str(value)


def _values(entry: Any, attribute: str) -> list[str]:
    """An attribute's values as text."""
    return [text for value in entry.get(attribute) or () if (text := _text(value)) is not None]


def _first(entry: Any, attribute: str) -> str | None:
    """The first value (OTOBO shows one value of a multi-valued attribute). Hot: one call per
    attribute of every entry read."""
    for value in entry.get(attribute) or ():
        text = _text(value)
        if text is not None:
            return text
    return None


def _chunks(items: Sequence[str], size: int = LOOKUP_BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LdapCustomerUserBackend:
    """One ``module = "ldap"`` backend."""

    kind = "ldap"

    def __init__(self, config: LdapBackendConfig) -> None:
        self.config = config
        self.fields: tuple[MapField, ...] = tuple(config.map_fields())
        self._readable = tuple(f for f in self.fields if not f.is_password)
        wanted = [
            config.customer_key,
            config.customer_id,
            *(f.column for f in self._readable),
            *config.name_fields,
            *config.list_fields,
        ]
        # Attribute names are case-insensitive in LDAP: ask for each one once.
        self._attributes = list({name.lower(): name for name in wanted}.values())
        self._scope = (
            bonsai.LDAPSearchScope.ONELEVEL if config.scope == "one" else bonsai.LDAPSearchScope.SUB
        )
        self._pool = ConnectionPool(config)
        self._breaker = CircuitBreaker(config.breaker_failures, config.breaker_reset_seconds)
        self._cache: TtlCache[CustomerUserRecord | None] = TtlCache(config.cache_ttl)
        self._warned_listing_cap = False

    @classmethod
    async def open(cls, config: LdapBackendConfig) -> LdapCustomerUserBackend:
        """Nothing is connected here: the first request connects. So Roster starts, and
        serves the other backends, while the directory is down."""
        return cls(config)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def read_only(self) -> bool:
        return True

    # ---- the protocol ----------------------------------------------------------------------

    async def get_many(self, logins: Sequence[str]) -> dict[str, CustomerUserRecord]:
        """Records by lower-cased login; a login matches case-insensitively when the login
        attribute's matching rule does (``uid``: ``caseIgnoreMatch``)."""
        spelled = {login.lower(): login for login in logins if login}
        found: dict[str, CustomerUserRecord] = {}
        missing: list[str] = []
        for key in spelled:
            hit, record = self._cache.get(key)
            if not hit:
                missing.append(key)
            elif record is not None:
                found[key] = record
        if missing:
            asked = [spelled[key] for key in missing]
            fetched = await self._call(lambda conn: self._lookup(conn, asked), "lookup")
            for key in missing:
                record = fetched.get(key)
                self._cache.put(key, record)
                if record is not None:
                    found[key] = record
        return found

    async def page(
        self, query: CustomerUserQuery, *, after: tuple[object, ...] | None, limit: int
    ) -> list[CustomerUserRecord]:
        """Matching users in ``query.ordering``, strictly after the sort key ``after``."""
        filter_exp = query_filter(self.config, query)
        cap = self._cap(query)
        tag = not query.valid_only and bool(self.config.valid_filter)
        records = await self._call(
            lambda conn: self._find(conn, filter_exp, cap, tag=tag), "search"
        )
        if len(records) >= cap and not query.is_search:
            self._warn_listing_cap()
        ordering = query.ordering

        def key(record: CustomerUserRecord) -> tuple[str, ...]:
            return record_sort_key(record, ordering)

        records.sort(key=key, reverse=ordering.descending)
        if after is not None:
            if ordering.descending:
                records = [r for r in records if key(r) < after]
            else:
                records = [r for r in records if key(r) > after]
        return records[: max(0, limit)]

    async def count(self, query: CustomerUserQuery, *, at_most: int | None = None) -> int:
        """How many users match, counting at most ``at_most`` (and never past what ``page``
        would read)."""
        cap = self._cap(query)
        return await self._count_entries(query, cap if at_most is None else min(at_most, cap))

    async def listing_cut(self, query: CustomerUserQuery) -> bool:
        """Whether more entries match than the listing reads (its search_list_limit, as
        OTOBO's LDAP backend stops there too): one more entry's key is asked for."""
        if query.is_search:
            return False
        limit = self.config.search_list_limit
        return await self._count_entries(query, limit + 1) > limit

    async def _count_entries(self, query: CustomerUserQuery, limit: int) -> int:
        """How many entries match, reading at most ``limit`` (their keys only)."""
        if limit <= 0:
            return 0
        filter_exp = query_filter(self.config, query)
        key = self.config.customer_key
        entries = await self._call(
            lambda conn: self._search(conn, filter_exp, [key], limit), "count"
        )
        return len(entries)

    async def logins_by_primary_customer(
        self, customer_ids: Sequence[str], *, valid_only: bool = True
    ) -> dict[str, set[str]]:
        """By the customer ID attribute (compared as the directory compares it)."""
        wanted = sorted({c for c in customer_ids if c})
        if not wanted:
            return {}
        key, attribute = self.config.customer_key, self.config.customer_id

        async def find(conn: Any) -> dict[str, set[str]]:
            found: dict[str, set[str]] = {}
            for chunk in _chunks(wanted):
                clause = equals_any(attribute, chunk)
                filter_exp = scoped(self.config, [clause], valid_only=valid_only)
                for entry in await self._search(conn, filter_exp, [key, attribute], None):
                    login, customer_id = _first(entry, key), _first(entry, attribute)
                    if login and customer_id:
                        found.setdefault(customer_id.lower(), set()).add(login)
            return found

        return await self._call(find, "primary customers")

    async def health(self) -> BackendHealth:
        """A base-scope read of the base DN: the cheapest round trip that proves the bind and
        the base DN. Bounded like every call; with the breaker open it answers at once."""
        started = time.perf_counter()

        ping = base_read(self.config.base_dn, self.config.timeout_seconds)
        try:
            await self._call(ping, "health")
        except BackendUnavailable as exc:
            return BackendHealth(BackendStatus.DOWN, None, exc.reason)
        return BackendHealth(BackendStatus.UP, (time.perf_counter() - started) * 1000, None)

    async def close(self) -> None:
        await self._pool.close()

    # ---- the LDAP side -------------------------------------------------------------------

    def _cap(self, query: CustomerUserQuery) -> int:
        limit = self.config.search_list_limit
        return limit + 1 if query.is_search else limit

    async def _call(self, operation: Callable[[Any], Awaitable[T]], what: str) -> T:
        """Run ``operation`` on a pooled connection through the breaker; any failure is
        ``BackendUnavailable``. Only failures that speak of the server's health (timeouts,
        lost connections, TLS, bind) count towards opening the breaker; an error result
        proves the server is there."""
        try:
            self._breaker.admit()
        except BreakerOpen as exc:
            raise BackendUnavailable(self.name, str(exc)) from None
        started = time.perf_counter()
        succeeded = False
        try:
            result = await self._pool.run(operation, what)
            succeeded = True
        except LdapFailure as exc:
            if exc.health:
                was_open = self._breaker.state is not BreakerState.CLOSED
                self._breaker.failed(exc.reason)
                logger.warning("LDAP backend %r: %s", self.name, exc.reason)
                if self._breaker.state is BreakerState.OPEN and not was_open:
                    logger.warning(
                        "LDAP backend %r: circuit open, not asked for %g s",
                        self.name,
                        self.config.breaker_reset_seconds,
                    )
            else:
                self._breaker.succeeded()
            raise BackendUnavailable(self.name, exc.reason) from exc
        except BaseException:
            self._breaker.abandoned()
            raise
        finally:  # the metrics' per-backend latency and breaker state (app/metrics.py)
            elapsed = time.perf_counter() - started
            state = BreakerState.CLOSED if succeeded else self._breaker.state  # success closes it
            observation.ldap_call(self.name, elapsed, succeeded, state.value)
        if self._breaker.last_error is not None and self._breaker.state is not BreakerState.CLOSED:
            logger.info("LDAP backend %r answers again", self.name)
        self._breaker.succeeded()
        return result

    async def _search(
        self, conn: Any, filter_exp: str, attributes: list[str], limit: int | None
    ) -> list[Any]:
        """Entries matching ``filter_exp`` under the base DN, page by page (RFC 2696), until
        ``limit`` entries or the end. The pool's deadline bounds the whole operation; the
        ``timeout`` goes to the server as each page request's time limit (``pool._Connection``).
        """
        page_size = self.config.page_size if limit is None else min(self.config.page_size, limit)
        results = await conn.paged_search(
            self.config.base_dn,
            self._scope,
            filter_exp,
            attributes,
            timeout=self.config.timeout_seconds,
            page_size=max(1, page_size),
        )
        entries: list[Any] = []
        while True:
            for entry in results:
                if not isinstance(entry, bonsai.LDAPEntry):
                    continue  # a search reference; referrals are not chased
                entries.append(entry)
                if limit is not None and len(entries) >= limit:
                    return entries
            message_id = results.acquire_next_page()
            if message_id is None:
                return entries
            results = await conn.get_result(message_id)

    async def _find(
        self, conn: Any, filter_exp: str, cap: int, *, tag: bool
    ) -> list[CustomerUserRecord]:
        entries = await self._search(conn, filter_exp, self._attributes, cap)
        valid = await self._valid_logins(conn, self._logins(entries)) if tag else None
        seen: set[str] = set()
        records: list[CustomerUserRecord] = []
        for entry in entries:
            record = self._record(entry, valid)
            if record is not None and record.login.lower() not in seen:
                seen.add(record.login.lower())
                records.append(record)
        return records

    async def _lookup(self, conn: Any, logins: Sequence[str]) -> dict[str, CustomerUserRecord]:
        """Entries by login, keyed by each asked-for login (lower-cased) they carry."""
        asked = {login.lower() for login in logins}
        key = self.config.customer_key
        found: dict[str, CustomerUserRecord] = {}
        for chunk in _chunks(list(logins)):
            filter_exp = scoped(self.config, [equals_any(key, chunk)], valid_only=False)
            entries = await self._search(conn, filter_exp, self._attributes, None)
            tagged = bool(self.config.valid_filter)
            valid = await self._valid_logins(conn, self._logins(entries)) if tagged else None
            for entry in entries:
                record = self._record(entry, valid)
                if record is None:
                    continue
                for login in _values(entry, key):
                    if login.lower() in asked:
                        found.setdefault(login.lower(), record)
        return found

    async def _valid_logins(self, conn: Any, logins: Iterable[str]) -> set[str]:
        """Which of ``logins`` (lower-cased) the valid filter matches, asked of the server:
        the filter is the admin's LDAP syntax, so only the server can evaluate it."""
        key = self.config.customer_key
        valid: set[str] = set()
        for chunk in _chunks(sorted(set(logins))):
            filter_exp = scoped(self.config, [equals_any(key, chunk)], valid_only=True)
            for entry in await self._search(conn, filter_exp, [key], None):
                valid.update(login.lower() for login in _values(entry, key))
        return valid

    def _logins(self, entries: Iterable[Any]) -> list[str]:
        key = self.config.customer_key
        return [login for entry in entries if (login := _first(entry, key))]

    def _record(self, entry: Any, valid: set[str] | None) -> CustomerUserRecord | None:
        """The record of one entry: the first value of each Map attribute; a missing required
        attribute reads as ``""`` (as OTOBO), a missing optional one as ``None``."""
        login = _first(entry, self.config.customer_key)
        if not login:
            return None
        values: dict[str, Any] = {}
        for field in self._readable:
            value = _first(entry, field.column)
            if value is None:
                values[field.attribute] = "" if field.required else None
            elif field.type == "int":
                values[field.attribute] = int(value) if value.lstrip("-").isdigit() else None
            else:
                values[field.attribute] = value
        values[LOGIN] = login
        is_valid = valid is None or login.lower() in valid
        values[VALID_ID] = (Validity.VALID if is_valid else Validity.INVALID).value
        return CustomerUserRecord(
            source=self.name,
            login=login,
            values=values,
            name_parts=tuple(_first(entry, c) for c in self.config.name_fields),
            name_join=self.config.name_fields_join,
            list_parts=tuple(_first(entry, c) for c in self.config.list_fields),
            audit=_NO_AUDIT,
        )

    def _warn_listing_cap(self) -> None:
        if not self._warned_listing_cap:
            self._warned_listing_cap = True
            logger.warning(
                "LDAP backend %r: a listing stopped at search_list_limit=%d entries; "
                "search to narrow it, or raise the limit",
                self.name,
                self.config.search_list_limit,
            )
